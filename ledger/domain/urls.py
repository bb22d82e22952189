"""Web addresses: the one rule for every URL the ledger stores or calls (sources, evidence, webhooks).

A web address is http or https with a host, and holds no whitespace or control character, so it
can never break the line, header or calendar property it is written into.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from ledger.domain.text import storable
from ledger.errors import InvalidInput

SCHEMES = ("http", "https")


def web_address(text: str | None, what: str = "URL") -> str:
    """``text`` without surrounding spaces, if it is a web address; else InvalidInput saying what is
    wrong, naming the value as ``what`` ("source URL", "evidence")."""
    url = storable(text or "", "url").strip()
    shown = url if len(url) <= 80 else url[:77] + "..."
    # Any C category: control, format (bidi overrides, zero-width), surrogate, private, unassigned.
    # In ASCII those are exactly the unprintable characters and the space: tested at C speed.
    if (not url.isprintable() or " " in url) if url.isascii() else any(
        c.isspace() or unicodedata.category(c)[0] == "C" for c in url
    ):
        raise InvalidInput(f"{what} {shown!r} is not a web address: it may not hold spaces or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed [IPv6] host
        parts = None
    if parts is None or parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise InvalidInput(f"{what} must be a web address (http:// or https:// and a host), not {shown!r}")
    try:
        parts.port  # noqa: B018  raises on a port that is not a number from 0 to 65535
    except ValueError:
        raise InvalidInput(f"{what} {shown!r} has a bad port") from None
    return url
