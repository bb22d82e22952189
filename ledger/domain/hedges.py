"""Estimative words ("likely", "almost certain") read as probabilities, after ICD 203.

Many claims state no number, only a hedge. Intelligence Community Directive 203 (Analytic
Standards, 2015) fixes seven expressions of likelihood to probability ranges; a claim that
says "likely" is scored as if it said the range's midpoint. ``docs/hedges.md`` documents the
table, the synonyms and the matching rules; a test keeps it in step with ``HEDGES``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SOURCE = (
    "Intelligence Community Directive 203, Analytic Standards (2015), expressions of likelihood"
)


@dataclass(frozen=True)
class HedgeCategory:
    """One row of the ICD 203 scale with the phrases that express it.

    ``phrases`` are estimative words; ``fallbacks`` (bare modals such as "will", "could" and
    opinion verbs such as "I think") count only when a text has no estimative phrase, because
    they usually just carry one: "I think it will probably rain" is "probably".
    """

    category: str
    probability: float
    low: float
    high: float
    phrases: tuple[str, ...]
    fallbacks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hedge:
    """The hedge found in a text: its ICD 203 category, midpoint, range and the phrase matched."""

    category: str
    probability: float
    low: float
    high: float
    matched: str


HEDGES: tuple[HedgeCategory, ...] = (
    HedgeCategory(
        "almost no chance", 0.03, 0.01, 0.05,
        phrases=("almost no chance", "no chance", "remote chance", "remote possibility",
                 "chances are remote", "no way", "impossible", "not possible", "certainly not",
                 "almost certainly not", "definitely not"),
        fallbacks=("will not", "will never", "can not", "not going to"),
    ),
    HedgeCategory(
        "very unlikely", 0.125, 0.05, 0.20,
        phrases=("very unlikely", "highly unlikely", "extremely unlikely", "highly improbable",
                 "very improbable", "I doubt", "we doubt", "little chance", "slim chance"),
    ),
    HedgeCategory(
        "unlikely", 0.325, 0.20, 0.45,
        phrases=("unlikely", "improbable", "improbably", "probably not", "probably will not",
                 "likely not", "doubtful", "not likely", "not very likely", "not probable",
                 "I don't think", "I don't expect"),
        fallbacks=("should not",),
    ),
    HedgeCategory(
        "roughly even chance", 0.50, 0.45, 0.55,
        phrases=("roughly even chance", "roughly even odds", "even chance", "even odds", "50-50",
                 "50/50", "fifty-fifty", "toss-up", "toss up", "coin flip", "maybe", "perhaps",
                 "possibly", "it's possible", "possible that", "can't rule out",
                 "can't be ruled out"),
        fallbacks=("might", "may", "could"),
    ),
    HedgeCategory(
        "likely", 0.675, 0.55, 0.80,
        phrases=("likely", "probable", "probably", "more likely than not", "better than even",
                 "confident", "I'm confident"),
        fallbacks=("I think", "I expect", "I believe", "should"),
    ),
    HedgeCategory(
        "very likely", 0.875, 0.80, 0.95,
        phrases=("very likely", "highly likely", "highly probable", "very probable",
                 "very probably", "very confident", "highly confident", "I'm very confident"),
    ),
    HedgeCategory(
        "almost certain", 0.97, 0.95, 0.99,
        phrases=("almost certain", "almost certainly", "nearly certain", "virtually certain",
                 "certainly", "definitely", "guaranteed", "no doubt", "without a doubt",
                 "100% sure", "I'm sure", "I'm certain"),
        fallbacks=("will",),
    ),
)

# A negator right before a phrase turns it into something the table does not say ("not
# certain" is not "almost no chance"), so such a match is skipped rather than guessed at.
_NEGATORS = frozenset({"not", "never", "no", "hardly", "barely"})
# "May" the month: "by May", "May 2025".
_MONTH_BEFORE = frozenset({"in", "by", "until", "till", "before", "after", "since", "from",
                           "of", "early", "late", "mid", "end", "this", "next", "last", "during"})
_CONTRACTIONS = (
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bcan't\b|\bcannot\b"), "can not"),
    (re.compile(r"\bshan't\b"), "shall not"),
    (re.compile(r"(\w)n't\b"), r"\1 not"),
    (re.compile(r"\bi'm\b"), "i am"),
    (re.compile(r"\b(it|that|there)'s\b"), r"\1 is"),
    (re.compile(r"\b(we|they|you)'re\b"), r"\1 are"),
)


def _normalise(text: str) -> str:
    """Lower case, straight apostrophes, contractions spelled out, single spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def _index() -> tuple[re.Pattern[str], dict[str, tuple[HedgeCategory, str, bool]]]:
    """One regex over every phrase, longest first so "very likely" beats "likely" at a position."""
    entries: dict[str, tuple[HedgeCategory, str, bool]] = {}
    for row in HEDGES:
        tagged = [(p, True) for p in row.phrases] + [(p, False) for p in row.fallbacks]
        for phrase, estimative in tagged:
            key = _normalise(phrase)
            if key in entries:  # two rows claiming one phrase would make the table lie
                raise ValueError(f"hedge phrase {phrase!r} is listed twice")
            entries[key] = (row, phrase, estimative)
    alternatives = sorted(entries, key=len, reverse=True)
    body = "|".join(re.escape(key).replace(r"\ ", " ") for key in alternatives)
    # Letters, digits and apostrophes on either side mean a longer word: "unlikely" is not "likely".
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])"), entries


_PATTERN, _ENTRIES = _index()


def _is_month(text: str, start: int, end: int) -> bool:
    before = text[:start].split()
    after = text[end:].split()
    return bool(before and before[-1] in _MONTH_BEFORE) or bool(after and after[0][:1].isdigit())


def hedge_probability(words: str) -> Hedge | None:
    """The hedge a text expresses, or None if it has none we can read.

    The first estimative phrase wins; bare modals and opinion verbs count only if there is none.
    """
    text = _normalise(words)
    found: list[tuple[bool, int, HedgeCategory, str]] = []
    for match in _PATTERN.finditer(text):
        row, phrase, estimative = _ENTRIES[match.group(0)]
        before = text[: match.start()].split()
        if before and before[-1] in _NEGATORS:
            continue
        if phrase == "may" and _is_month(text, match.start(), match.end()):
            continue
        found.append((estimative, match.start(), row, phrase))
    if not found:
        return None
    estimative_first = [f for f in found if f[0]] or found
    _, _, row, phrase = estimative_first[0]
    return Hedge(row.category, row.probability, row.low, row.high, phrase)
