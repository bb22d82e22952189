"""What `claims extract` reads, checked before it is read: an article's text and its details.

Bytes become text in the encoding the user names (--encoding) or a web page declares; else as
UTF-8 (or UTF-16 with its byte-order mark); else, for text that is not UTF-8, as Windows-1252,
the encoding of text saved on Windows and a superset of Latin-1 in every printable character,
when every byte reads in it. Anything else is refused with the first byte that does not read, so
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
    encoding: str = "utf-8"  # what the bytes were read as
    guessed: bool = False  # read as Windows-1252 because they were not UTF-8, with nothing declared


# A page that declares Latin-1 or ASCII is read as Windows-1252, as browsers read it (the WHATWG
# encoding standard): such pages use the curly quotes and dashes that only Windows-1252 has.
_AS_BROWSERS_READ = {"latin1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}
_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "cp1252": "Windows-1252", "iso8859-1": "Latin-1",
          "ascii": "ASCII"}


def encoding_name(encoding: str) -> str:
    """An encoding as people name it: "cp1252" is Windows-1252."""
    return _NAMES.get(encoding, encoding.upper())


def decode(data: bytes, name: str, declared: str | None = None, *, given: bool = False) -> tuple[str, str, bool]:
    """``data`` as text, the encoding it was read in, and whether that was a guess: ``declared`` (the user's --encoding when
    ``given``, else a page's charset), else UTF-8 (a byte-order mark is dropped) or UTF-16 with a
    byte-order mark, else Windows-1252 when every byte reads in it. Refuses binary data, an
    unknown encoding, and bytes that do not read."""
    if not data.strip():
        raise InvalidInput(f"{name} is empty: nothing to read")
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"{name} is {len(data):,} bytes, more than the {MAX_BYTES:,} bytes extract reads")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not given:
        return _decoded(data, "utf-16", name), "utf-16", False
    wide = re.search(r"(?:16|32)", declared or "")  # UTF-16 and UTF-32 hold NUL bytes in any text
    if b"\x00" in data[:8192] and not wide:
        raise InvalidInput(f"{name} is binary data, not text (it holds NUL bytes)")
    if declared:
        try:
            encoding = codecs.lookup(declared).name
        except LookupError:
            where = "--encoding" if given else f"{name} declares the"
            raise InvalidInput(f"{where} {declared!r} is not an encoding Python knows (e.g. utf-8, cp1252, latin-1)"
                               if given else f"{where} unknown encoding {declared!r}") from None
        if not given:
            encoding = _AS_BROWSERS_READ.get(encoding, encoding)
        return _decoded(data, "utf-8-sig" if encoding == "utf-8" else encoding, name, given=given), encoding, False
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as not_utf8:
        try:
            data.decode("cp1252")
        except UnicodeDecodeError as neither:
            where = (f"byte 0x{data[neither.start]:02X} at offset {neither.start} reads in neither"
                     if neither.start == not_utf8.start else
                     f"UTF-8 stops at byte 0x{data[not_utf8.start]:02X} at offset {not_utf8.start}, Windows-1252 "
                     f"at byte 0x{data[neither.start]:02X} at offset {neither.start}")
            raise InvalidInput(f"{name} is neither UTF-8 nor Windows-1252 text ({where}); "
                               "give its encoding with --encoding") from None
        return _decoded(data, "cp1252", name), "cp1252", True
    return _decoded(data, "utf-8-sig", name), "utf-8", False


def _decoded(data: bytes, encoding: str, name: str, *, given: bool = False) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        shown = encoding_name(encoding)
        advice = "the --encoding given does not fit it" if given else "give its encoding with --encoding"
        raise InvalidInput(f"{name} is not {shown} text (byte 0x{data[exc.start]:02X} at offset "
                           f"{exc.start}); {advice}") from None
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
