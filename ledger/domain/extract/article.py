"""What `claims extract` reads, checked before it is read: an article's text and its details.

Bytes become text only when the encoding is known (UTF-8, or UTF-16 with its byte-order mark, or
the charset a web page declares); anything else is refused with its cause rather than guessed, so
the stored text, its hash and every candidate's offsets are the publisher's words.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import date

from ledger.domain.text import LIMITS
from ledger.errors import InvalidInput

MAX_BYTES = 10_000_000  # a page or a transcript; the stored text is held to LIMITS["source_text"]
MIN_PAGE_WORDS = 25  # a page whose main text is shorter is a menu or an index, not an article

# The commonest English words: a text of any length uses them; one in another language does not.
_ENGLISH = frozenset(
    "the of and to a in is that for it was on with as be by at this are from or his an have not they "
    "but which has were he she their said will would its we our you been more than who".split()
)


@dataclass(frozen=True)
class Article:
    """An article as extract reads it; ``html`` is the page the text came from, if any."""

    text: str
    published: date | None = None
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    html: str | None = None


def decode(data: bytes, name: str, declared: str | None = None) -> str:
    """``data`` as text: UTF-8 (a byte-order mark is dropped), UTF-16 with a byte-order mark, or
    the encoding a page declares. Refuses binary data and text in an encoding it cannot know."""
    if not data.strip():
        raise InvalidInput(f"{name} is empty: nothing to read")
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"{name} is {len(data):,} bytes, more than the {MAX_BYTES:,} bytes extract reads")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decoded(data, "utf-16", name)
    if b"\x00" in data[:8192]:
        raise InvalidInput(f"{name} is binary data, not text (it holds NUL bytes)")
    if declared:
        try:
            codecs.lookup(declared)
        except LookupError:
            raise InvalidInput(f"{name} declares the unknown encoding {declared!r}") from None
        return _decoded(data, declared, name)
    return _decoded(data, "utf-8-sig", name)


def _decoded(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{name} is not {encoding.removesuffix('-sig').upper()} text (byte 0x{data[exc.start]:02X} at offset "
            f"{exc.start}); save it as UTF-8"
        ) from None
    controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > len(text[:8192]) / 100:
        raise InvalidInput(f"{name} is binary data, not text ({controls} control characters)")
    return text


def check_article(article: Article, name: str) -> Article:
    """The rules an article's text obeys before it is read: not empty, within the stored limit."""
    if not article.text.strip():
        raise InvalidInput(f"{name} has no article text to read")
    if len(article.text) > LIMITS["source_text"]:
        raise InvalidInput(f"{name}'s text is {len(article.text):,} characters, more than a source holds "
                           f"({LIMITS['source_text']:,})")
    return article


def looks_english(text: str) -> bool:
    """Whether the text reads as English: a text of 20 words or more in which at least one in
    twelve is among the commonest English words (real English runs near one in three)."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 20:
        return sum(w in _ENGLISH for w in words) > 0 or not words
    return sum(w in _ENGLISH for w in words) * 12 >= len(words)


def headline(text: str) -> str:
    """The text's first line, as a title for a source that has none."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:200]
