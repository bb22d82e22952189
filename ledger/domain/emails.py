"""Email addresses as written in a header: ``ada@example.org`` or ``Ada Reviewer <ada@example.org>``.

One rule for the config's ``from``, ``to`` and recipients and for reviewers' addresses: exactly one
address, no control character (a CR or LF would start a new header), and a display name that
cannot be read as a second address.
"""

from __future__ import annotations

import re
import unicodedata

from ledger.errors import InvalidInput

# Bare: local@domain, none of the characters that delimit addresses in a header.
_ADDRESS = r"[^\s<>()\[\]\\,;:@\"]+@[^\s<>()\[\]\\,;:@\"]+"
_MAILBOX = re.compile(
    rf"(?P<bare>{_ADDRESS})"
    rf'|(?:(?P<name>[^<>()\[\]\\,;:@"]*)|"(?P<quoted>[^"\\]*)")\s*<(?P<address>{_ADDRESS})>'
)


def mailbox(text: str) -> tuple[str, str]:
    """``(display name, address)`` of one mailbox; InvalidInput if ``text`` is anything else."""
    if any(unicodedata.category(c)[0] == "C" for c in text):
        raise InvalidInput(f"an email address may not hold control characters (such as a line break): {text!r}")
    match = _MAILBOX.fullmatch(text.strip())
    if match is None or "." not in (match["bare"] or match["address"]).rpartition("@")[2].strip("."):
        raise InvalidInput(f"not one email address like ada@example.org or \"Ada Reviewer <ada@example.org>\": {text!r}")
    if match["bare"]:
        return "", match["bare"]
    return (match["name"] or match["quoted"] or "").strip(), match["address"]
