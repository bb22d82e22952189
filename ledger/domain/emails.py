"""Email addresses as written in a header: ``ada@example.org`` or ``Ada Reviewer <ada@example.org>``.

One rule for the config's ``from``, ``to`` and recipients and for reviewers' addresses: exactly one
address that every mail server takes (ASCII, a dot-atom before the @, a host name with a dot
after it; an international domain is written in its xn-- form), no control character (a CR or LF
would start a new header), and a display name that cannot be read as a second address.
"""

from __future__ import annotations

import re
import unicodedata

from ledger.errors import InvalidInput

MAX_LENGTH = 320  # what the ledger stores for a recipient
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_ADDRESS = rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+{_LABEL}"
_MAILBOX = re.compile(
    rf"(?P<bare>{_ADDRESS})"
    rf'|(?:(?P<name>[^<>()\[\]\\,;:@"]*)|"(?P<quoted>[^"\\]*)")\s*<(?P<address>{_ADDRESS})>'
)


def mailbox(text: str) -> tuple[str, str]:
    """``(display name, address)`` of one mailbox; InvalidInput if ``text`` is anything else."""
    if len(text) > MAX_LENGTH:
        raise InvalidInput(f"an email address is at most {MAX_LENGTH} characters, not {len(text)}")
    if any(unicodedata.category(c)[0] == "C" for c in text):
        raise InvalidInput(f"{text!r} is not an email address: it holds a control character (such as a line break)")
    match = _MAILBOX.fullmatch(text.strip())
    if match is None:
        raise InvalidInput(f"{text!r} is not an email address like ada@example.org or \"Ada Reviewer <ada@example.org>\"")
    if match["bare"]:
        return "", match["bare"]
    return (match["name"] or match["quoted"] or "").strip(), match["address"]


def address(text: str) -> str:
    """A bare address such as ada@example.org (no display name); InvalidInput otherwise."""
    name, found = mailbox(text)
    if name or found != text.strip():
        raise InvalidInput(f"{text!r} is not an email address alone, like ada@example.org")
    return found
