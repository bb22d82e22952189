"""Words in quotation marks, with their offsets in the text.

Curly quotes pair by shape; straight ones alternate within a paragraph. A quote left open at a
paragraph's end that the next paragraph reopens is one quote running on (the wire convention for
a long quote), so the second part is marked as continuing the first."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = "“"
_CLOSE = "”"
_MARK = re.compile(r"[\"“”]")


@dataclass(frozen=True)
class Quote:
    """The text between a pair of quotation marks: ``start``/``end`` exclude the marks."""

    start: int
    end: int
    continues: int | None = None  # index of the quote this one runs on from

    def words(self, text: str) -> int:
        return len(text[self.start: self.end].split())


# British style: 'single quotes', told from apostrophes ("don't", "Fo'an", "the 1990s'") by what
# stands around them; read only in a paragraph with no double quotes (where they would be a quote
# within a quote), so copy that quotes speech in single marks and a phrase in double is read too.
_SINGLE = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–-]))['‘](?=\w)(?P<inner>.+?)(?<=[\w.,!?;:%)\]])['’](?=[\s.,;:!?)\]—–-]|$)",
                     re.MULTILINE)


def find_quotes(text: str) -> list[Quote]:
    if not _MARK.search(text):
        return _singles(text)
    doubles = _doubles(text)
    singles = [q for q in _singles(text) if not _MARK.search(text, _paragraph_start(text, q.start), _paragraph_end(text, q.end))]
    if not singles:
        return doubles
    # a continuing quote points at its index among the double ones: renumber it in the merged list
    merged = sorted(doubles + singles, key=lambda q: q.start)
    index = {id(q): i for i, q in enumerate(merged)}
    return [Quote(q.start, q.end, index[id(doubles[q.continues])] if q.continues is not None else None) for q in merged]


def _singles(text: str) -> list[Quote]:
    return [Quote(m.start("inner"), m.end("inner")) for m in _SINGLE.finditer(text)]


def _paragraph_start(text: str, position: int) -> int:
    found = [m.end() for m in re.compile(r"\n\s*\n").finditer(text, 0, position)]
    return found[-1] if found else 0


def _doubles(text: str) -> list[Quote]:
    quotes: list[Quote] = []
    opened: int | None = None
    running_on: int | None = None
    paragraph_end = _paragraph_end(text, 0)
    for mark in _MARK.finditer(text):
        if mark.start() >= paragraph_end:
            if opened is not None:  # left open: the quote ran to the paragraph's end
                quotes.append(Quote(opened, paragraph_end, running_on))
                running_on = len(quotes) - 1
            else:
                running_on = None
            opened = None
            paragraph_end = _paragraph_end(text, mark.start())
        char = mark[0]
        if opened is None and char != _CLOSE:
            opened = mark.end()
        elif opened is not None and char != _OPEN:
            continued = running_on if running_on is not None and _starts_paragraph(text, opened - 1) else None
            quotes.append(Quote(opened, mark.start(), continued))
            running_on = None
            opened = None
    if opened is not None:
        quotes.append(Quote(opened, paragraph_end, running_on))
    return quotes


def _paragraph_end(text: str, position: int) -> int:
    found = re.compile(r"\n\s*\n").search(text, position)
    return found.start() if found else len(text)


def _starts_paragraph(text: str, mark: int) -> bool:
    before = text[:mark].rstrip(" \t")
    return not before or before.endswith("\n")


def quote_at(quotes: list[Quote], start: int, end: int) -> int | None:
    """The index of the quote that holds the span ``start:end``, if one does."""
    for i, quote in enumerate(quotes):
        if quote.start <= start and end <= quote.end:
            return i
    return None
