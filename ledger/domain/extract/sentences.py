"""Sentences as character spans of the text, by rules: a full stop, question or exclamation mark
followed by a capital (or a quotation mark and a capital), not after an abbreviation or an
initial; and a paragraph break always."""

from __future__ import annotations

import re

# Words that end in a full stop without ending a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt capt st jr sr inc corp co ltd llc plc bros vs etc "
    "no nos vol fig approx est dept univ assn ave blvd jan feb mar apr jun jul aug sep sept oct nov dec "
    "u.s u.k u.n e.u e.g i.e a.m p.m u.s.a d.c mt ft rev hon".split()
)
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|[.!?]+[\"'”’)\]]*\s*$")
# A dateline opens wire copy: "DETROIT, Jan 31 (Reuters) -", "WASHINGTON —".
# A press release's: "HOUSTON, Feb. 12, 2025 /PRNewswire/ --".
DATELINE = re.compile(r"^[A-Z][A-Z .'’-]{2,40}(?:,\s*[A-Z][\w.]*\.?(?:\s+[A-Z][\w.]*)*)?(?:,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
                      r"(?:,\s*\d{4})?(?:\s*\([^)]{1,40}\)|\s*/[^/\n]{1,40}/)?\s*[-—–]+\s*")
_PARAGRAPH = re.compile(r"\n\s*\n")
_LINE = re.compile(r"\n")


def _ends_sentence(text: str, stop: int) -> bool:
    """Whether the full stop at ``stop`` ends a sentence: not after "Mr", "U.S" or an initial."""
    if text[stop] != ".":
        return True
    word = re.search(r"([\w.]+)$", text[max(0, stop - 40): stop])
    if word is None:
        return True
    token = word[1].lower()
    if token in _ABBREVIATIONS:
        return False
    return not (len(word[1]) == 1 and word[1].isupper()) and not re.fullmatch(r"(?:[A-Z]\.)+[A-Z]", word[1])
    # ("J. K. Rowling", "A.P. Moller-Maersk")


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A paragraph's lines that stand alone (a headline, a speaker's label, a line that ends in a
    stop); a hard-wrapped line that runs on into the next one is joined to it."""
    pieces: list[tuple[int, int]] = []
    begin = start
    for newline in _LINE.finditer(text, start, end):
        line = text[begin: newline.start()].rstrip()
        rest = text[newline.end(): end].lstrip()
        runs_on = line and not re.search(r"[.!?:\"”’)]$", line) and (len(line) > 60 and rest[:1].islower())
        if not runs_on:
            pieces.append((begin, newline.start()))
            begin = newline.end()
    pieces.append((begin, end))
    return pieces


def split_sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as (start, end) offsets, whitespace trimmed, none empty."""
    spans: list[tuple[int, int]] = []
    paragraph_start = 0
    bounds = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text)] + [(len(text), len(text))]
    for para_end, next_start in bounds:
        for line_start, line_end in _lines(text, paragraph_start, para_end):
            begin = line_start
            for stop in _END.finditer(text, line_start, line_end):
                if _ends_sentence(text, stop.start()):
                    spans.append((begin, stop.end()))
                    begin = stop.end()
            spans.append((begin, line_end))
        paragraph_start = next_start
    trimmed = []
    for start, end in spans:
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        tail = len(piece.rstrip())
        if tail > lead:
            trimmed.append((start + lead, start + tail))
    return trimmed
