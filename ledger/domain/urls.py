"""Web addresses: the one rule for every URL the ledger stores or calls (sources, evidence, webhooks).

A web address is http or https with a host, and holds no whitespace or control character, so it
can never break the line, header or calendar property it is written into.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from ledger.errors import InvalidInput

SCHEMES = ("http", "https")


def web_address(text: str) -> str:
    """``text`` if it is a web address, else InvalidInput saying what is wrong."""
    if any(c.isspace() or unicodedata.category(c)[0] == "C" for c in text):
        raise InvalidInput(f"a web address may not hold spaces or control characters: {text!r}")
    try:
        parts = urlsplit(text)
    except ValueError:  # an unclosed [IPv6] host
        raise InvalidInput(f"not a web address (http:// or https://): {text!r}") from None
    if parts.scheme.lower() not in SCHEMES:
        raise InvalidInput(f"not a web address (http:// or https://): {text!r}")
    try:
        parts.port  # noqa: B018  raises on a port that is not a number from 0 to 65535
    except ValueError:
        raise InvalidInput(f"a web address with a bad port: {text!r}") from None
    if not parts.hostname:
        raise InvalidInput(f"a web address needs a host, e.g. https://example.org/...: {text!r}")
    return text
