"""Deadlines as speakers say them ("by the end of next year", "within two years", "Q3 2025"),
read into the dates a claim is held to.

A small grammar, not a parser of English: the text is first normalised (case, punctuation,
number words to digits), its signal word is taken off and remembered ("by", "before", "in"),
then one list of (regex, handler) rules reads what is left as a calendar span, a duration or a
vague "soon". ``docs/deadlines.md`` lists the accepted forms and the conventions; the cases in
``tests/cases/deadlines.tsv`` are the specification.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache
from typing import Any

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

from ledger.domain.dates import parse_date
from ledger.domain.text import within
from ledger.errors import DeadlinePassed, InvalidDate, InvalidDeadline

__all__ = ["Deadline", "normalise", "parse_horizon", "assume_horizon", "EXAMPLES"]

EXAMPLES = "'by 2025', 'within two years', 'in June', 'Q3 2025', 'by the end of next year', 'by 31 March 2024', 'soon'"
HORIZON_EXAMPLES = "'1y', '18m', '6 months', '2w', '30d'"
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """What a deadline expression means, relative to the day it was said."""

    expression: str  # the words as given, unchanged
    said: date
    earliest: date
    deadline: date | None  # None only when vague
    granularity: str  # day, week, month, quarter, half, season, year, decade, open
    timex: str  # TIMEX3-style value: '2023|END', '2024-H2', 'P18M', 'FUTURE_REF'...
    strict_deadline: date | None  # "by 2025" read as "before 2025 begins"
    vague: bool
    assumed: bool = False  # the date came from a --horizon assumption, not from the speaker

    def as_dict(self) -> dict[str, Any]:
        return {
            f.name: v.isoformat() if isinstance(v, date) else v
            for f in fields(self)
            for v in [getattr(self, f.name)]
        }


# --- what the rules read: a calendar span, a duration, or nothing definite -----------------


@dataclass(frozen=True)
class _Span:
    start: date
    end: date
    granularity: str
    timex: str
    whole: bool = True  # a whole named period, so "by X" also has the strict reading
    closing: bool = False  # "the end of X": before it is the same as by it


@dataclass(frozen=True)
class _Duration:
    delta: relativedelta
    timex: str
    granularity: str


class _Vague:
    """What "soon" and its kin read as: no date at all."""


_VAGUE = _Vague()
_Reading = _Span | _Duration | _Vague


# --- calendar periods ---------------------------------------------------------------------


@lru_cache(maxsize=4096)  # spans are frozen values; relativedelta arithmetic is slow
def _months(year: int, month: int, count: int, granularity: str, timex: str) -> _Span:
    start = date(year, month, 1)
    return _Span(start, start + relativedelta(months=count) - DAY, granularity, timex)


def _year(y: int) -> _Span:
    return _months(y, 1, 12, "year", str(y))


def _half(y: int, n: int) -> _Span:
    return _months(y, 6 * n - 5, 6, "half", f"{y}-H{n}")


def _quarter(y: int, n: int) -> _Span:
    return _months(y, 3 * n - 2, 3, "quarter", f"{y}-Q{n}")


def _month(y: int, m: int) -> _Span:
    return _months(y, m, 1, "month", f"{y}-{m:02d}")


def _decade(y: int) -> _Span:
    return _months(y // 10 * 10, 1, 120, "decade", str(y // 10))


# Meteorological, northern hemisphere; a winter belongs to the year in which it starts.
_SEASONS = {"spring": (3, "SP"), "summer": (6, "SU"), "fall": (9, "FA"), "autumn": (9, "FA"), "winter": (12, "WI")}


def _season(y: int, name: str) -> _Span:
    month, code = _SEASONS[name]
    return _months(y, month, 3, "season", f"{y}-{code}")


def _day(d: date) -> _Span:
    return _Span(d, d, "day", d.isoformat(), whole=False)


def _containing(unit: str, day: date) -> _Span:
    if unit == "week":  # ISO weeks run Monday to Sunday
        start = day - timedelta(days=day.weekday())
        iso = start.isocalendar()
        return _Span(start, start + 6 * DAY, "week", f"{iso.year}-W{iso.week:02d}")
    return {
        "month": lambda: _month(day.year, day.month),
        "quarter": lambda: _quarter(day.year, (day.month - 1) // 3 + 1),
        "half": lambda: _half(day.year, 1 if day.month <= 6 else 2),
        "year": lambda: _year(day.year),
        "decade": lambda: _decade(day.year),
    }[unit]()


_STEP = {
    "week": relativedelta(weeks=1), "month": relativedelta(months=1), "quarter": relativedelta(months=3),
    "half": relativedelta(months=6), "year": relativedelta(years=1), "decade": relativedelta(years=10),
}


def _relative(unit: str, said: date, offset: int) -> _Span:
    """This (0), next (1) or last (-1) calendar week, month... counted from the one containing said."""
    return _containing(unit, _containing(unit, said).start + _STEP[unit] * offset)


def _upcoming(make: Callable[[int], _Span], said: date, started_after: bool = False) -> _Span | None:
    """A yearly period named without its year ("March", "Q1", "summer"): the first one not yet
    over on the day said, or with ``started_after`` ("next spring") the first one yet to begin."""
    for y in range(said.year - 1, said.year + 9):  # 8 years always include a 29 February
        try:
            span = make(y)
        except ValueError:
            continue
        if (span.start > said) if started_after else (span.end >= said):
            return span
    return None


def _thirds(span: _Span) -> list[tuple[date, date]] | None:
    """Early, mid and late parts of a span: thirds of the year are Jan-Apr, May-Aug, Sep-Dec."""
    start, after = span.start, span.end + DAY
    if span.granularity == "day" or "|" in span.timex:
        return None
    if span.granularity == "decade":  # the early 2020s are 2020-2023, the late ones 2027-2029
        cuts = [start, start.replace(year=start.year + 4), start.replace(year=start.year + 7)]
    elif span.granularity == "month":
        cuts = [start, start.replace(day=11), start.replace(day=21)]
    elif span.granularity == "week":  # Mon-Tue, Wed-Thu, Fri-Sun
        cuts = [start, start + 2 * DAY, start + 4 * DAY]
    else:  # year, half, quarter, season: whole months, a multiple of three
        months = (span.end.year - start.year) * 12 + span.end.month - start.month + 1
        cuts = [start + relativedelta(months=months // 3 * i) for i in range(3)]
    cuts.append(after)
    return [(cuts[i], cuts[i + 1] - DAY) for i in range(3)]


# --- normalisation: one spelling per meaning -----------------------------------------------

_NUMBERS = {
    w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split())
}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_ONES = "|".join(list(_NUMBERS)[1:10])


def _clean(expression: str) -> str:
    text = expression.lower()
    text = re.sub(r"[\"'`‘’“”«»]", "", text)  # quotes, and apostrophes: "new year's" -> "new years"
    text = re.sub(r"[‐‑‒–—]", "-", text)
    text = re.sub(r"(?<!\d)[.,]|[.,](?!\d)", " ", text)  # keep 1.5 and 31.12.2023
    text = re.sub(r"\b([qh][1-4])-(?=\d)", r"\1 ", text)  # Q3-2025
    text = re.sub(r"(?<=[a-z])-|-(?=[a-z])|\s-\s", " ", text)  # mid-2025, year-end; keep 2024-03-31, -1
    text = re.sub(r"[!?;:()\[\]{}*]", " ", text)
    text = text.replace("~", " about ")
    text = re.sub(r"\b(mid|year|month|quarter)(year|end)\b", r"\1 \2", text)  # midyear, yearend
    return " ".join(text.split())


def _numbers(text: str) -> str:
    """Number words to digits, so the rules see "2 years" however it was written."""
    text = re.sub(r"\b(?:a\s+)?couple(?:\s+of)?\b", "2", text)
    text = re.sub(r"\ba\s+dozen\b", "12", text)
    text = re.sub(rf"\b({'|'.join(_TENS)})\s+({_ONES})\b", lambda m: str(_TENS[m[1]] + _NUMBERS[m[2]]), text)
    words = {**_NUMBERS, **_TENS}
    text = re.sub(rf"\b({'|'.join(words)})\b", lambda m: str(words[m[1]]), text)
    text = re.sub(r"\b(?:an?|1)\s+([a-z]+?)s?\s+or\s+2\b", r"1 to 2 \1s", text)  # a year or two
    text = re.sub(r"\b(?:an?|1)\s+([a-z]+?)s?\s+and\s+a\s+half\b", r"1.5 \1s", text)
    text = re.sub(r"\b(\d+)\s+and\s+a\s+half\b", r"\1.5", text)
    return re.sub(r"\bhalf\s+an?\s+([a-z]+)", r"0.5 \1", text)


def _words(phrases: Iterable[str]) -> str:
    """An alternation that tries longer phrases first and allows any run of spaces inside."""
    return "|".join(p.replace(" ", r"\s+") for p in sorted(phrases, key=len, reverse=True))


# The word before the period says how the period bounds the claim.
_SIGNALS = {
    **dict.fromkeys(["by", "no later than", "not later than", "by no later than", "on or before",
                     "until", "up until", "till", "through", "at the latest by", "until at least", "till at least",
                     "through at least"], "by"),  # "to hold rates until at least the end of next year"
    **dict.fromkeys(["before", "prior to", "ahead of"], "before"),
    **dict.fromkeys(["in", "within", "during", "over", "at", "on", "in less than", "less than",
                     "in the course of", "over the course of", "during the course of",
                     "in under", "under", "up to", "no more than", "at most", "into", "well into"], "in"),
    # "profit for 2025", "capex for fiscal 2026": the year a forecast covers; only a whole year
    # (see normalise), since "for two years" and "for the quarter" say how long, not by when.
    "for": "for",
}
# A lone adverb that is a time of its own: "in soon" is no phrase ("it takes in soon afterwards").
_ADVERB = re.compile(r"(?:very\s+|quite\s+|pretty\s+|fairly\s+|really\s+)?(?:soon(?:ish)?|shortly)|eventually|"
                     r"ultimately|someday|imminently")
# Words that soften a deadline without moving it.
_HEDGES = ["about", "around", "approximately", "approx", "roughly", "circa", "ca", "some time", "sometime",
           "at some point in", "at some point during", "perhaps", "maybe", "probably", "possibly", "likely",
           "hopefully", "just", "nearly", "almost", "somewhere around", "give or take", "sometime around",
           "i think", "we think", "i believe", "we believe", "i expect", "we expect", "expected", "i hope",
           "we hope", "definitely", "certainly", "surely", "i am confident", "im confident"]
_LEAD = re.compile(rf"^({_words([*_SIGNALS, *_HEDGES])})\s+(?=\S)")
_HEDGE_LEAD = re.compile(rf"^({_words(_HEDGES)})\s+(?=\S)")
_AT_THE_LATEST = re.compile(
    r"\s+(?:at\s+the\s+latest|at\s+latest|or\s+sooner|or\s+earlier|or\s+before|if\s+not\s+(?:sooner|earlier|before))$"
)
# Said after the period, these soften or stress it without moving it: "next year for sure",
# "next year, hopefully" (the comma is gone by now).
_TRAILING_HEDGE = re.compile(
    r"(?:\s+(?:for\s+sure|for\s+certain|hopefully|probably|definitely|certainly|surely|maybe|perhaps|"
    r"possibly|i\s+(?:think|hope|believe|expect|guess)|we\s+(?:think|hope|believe|expect)|id\s+say|i\s+would\s+say))+$"
)
# An outer bound after a period ("in three months, six at most"): the outer one is the deadline.
_OUTER_BOUND = re.compile(r"\s+(?:at\s+(?:the\s+)?most|tops|max|maximum|at\s+the\s+outside)$")

# Idioms that name no date; matched on the whole text, since "within one day" is a day.
_IDIOMS = re.compile(
    r"one\s+day|some\s*day|before\s+long|one\s+of\s+these\s+days|sooner\s+or\s+later"
    r"|any\s+(?:day|time|moment)(?:\s+now)?"
    r"|at\s+some\s+(?:point|stage)(?:\s+in\s+the\s+future)?|in\s+time|over\s+time|in\s+due\s+course"
    r"|down\s+the\s+(?:road|line)|in\s+the\s+fullness\s+of\s+time|in\s+future"
)


def _split_signal(text: str) -> tuple[str | None, str]:
    """Take off leading signal and hedge words; return the signal ('by', 'before', 'in', 'for') and
    the rest, or no signal for two signals in a row ("on in 2026": "turns on in 2026")."""
    signal, signals = None, 0
    latest = _AT_THE_LATEST.search(text)
    if latest:
        text = text[: latest.start()]
    while match := _LEAD.match(text):
        word = _SIGNALS.get(" ".join(match[1].split()))
        signal, signals = signal or word, signals + (word is not None)
        text = text[match.end():]
    if signals > 1 or (signals and _ADVERB.fullmatch(text)):
        return None, text
    if latest and signal != "before":
        signal = "by"
    return signal or "in", text


# --- the grammar ---------------------------------------------------------------------------

_MONTHS = {
    name: i for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")], 1)
    for name in names
}
_M = rf"(?P<month>{_words(_MONTHS)})"
# A year: 2025, "the year 2030", this/next/last year, the year after next.
_Y = (r"(?P<year>(?:the\s+)?(?:(?:calendar\s+)?year\s+|calendar\s+|(?P<fy>fiscal\s+(?:year\s+)?|fy\s*))?\d{4}"
      r"|the\s+year\s+after\s+next"
      r"|(?:this|the|(?:the\s+)?(?:current|next|following|previous)|last)\s+year)")
_OF_Y = rf"(?:\s+(?:of\s+)?{_Y})?"
# "the fiscal fourth quarter": read like the calendar quarter, as "fiscal 2025" is calendar 2025.
_FISCAL = r"(?P<fiscal>fiscal\s+)?"
_REL = {"this": 0, "the": 0, "current": 0, "the current": 0, "next": 1, "the next": 1, "following": 1,
        "the following": 1, "last": -1, "previous": -1, "the previous": -1}
_UNIT = r"(?P<unit>week|month|quarter|half|year|decade)"
_ORD = {"first": 1, "1st": 1, "front": 1, "second": 2, "2nd": 2, "latter": 2, "back": 2, "third": 3, "3rd": 3,
        "fourth": 4, "4th": 4}
def _first_monday(y: int, month: int) -> date:
    first = date(y, month, 1)
    return first + timedelta(days=-first.weekday() % 7)


def _last_monday(y: int, month: int) -> date:
    last = date(y, month, 1) + relativedelta(months=1) - DAY
    return last - timedelta(days=last.weekday())


def _thanksgiving(y: int) -> date:
    """US Thanksgiving: the fourth Thursday of November."""
    first = date(y, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


# A holiday and the day it falls on in a given year; Easter is the Western one (dateutil).
_HOLIDAYS: list[tuple[str, Callable[[int], date]]] = [
    (r"christmas\s+eve|xmas\s+eve", lambda y: date(y, 12, 24)),
    (r"christmas(?:\s+day)?|xmas", lambda y: date(y, 12, 25)),
    (r"new\s+years?\s+eve|nye", lambda y: date(y, 12, 31)),
    (r"new\s+years?(?:\s+day)?", lambda y: date(y, 1, 1)),
    (r"good\s+friday", lambda y: easter(y) - 2 * DAY),
    (r"easter\s+monday", lambda y: easter(y) + DAY),
    (r"easter(?:\s+sunday|\s+day)?", easter),
    (r"(?:us\s+)?thanksgiving(?:\s+day)?", _thanksgiving),
    (r"black\s+friday", lambda y: _thanksgiving(y) + DAY),
    (r"memorial\s+day", lambda y: _last_monday(y, 5)),
    (r"labor\s+day", lambda y: _first_monday(y, 9)),  # the US spelling: elsewhere Labour Day is 1 May
    (r"independence\s+day|(?:the\s+)?fourth\s+of\s+july", lambda y: date(y, 7, 4)),  # the US one
    (r"halloween", lambda y: date(y, 10, 31)),
    (r"valentines?(?:\s+day)?", lambda y: date(y, 2, 14)),
    (r"boxing\s+day", lambda y: date(y, 12, 26)),
]
_PARTS = {"early": 0, "beginning of": 0, "start of": 0, "mid": 1, "middle of": 1, "midway through": 1,
          "late": 2, "end of": 2, "end": 2, "close of": 2, "towards the end of": 2, "toward the end of": 2,
          "near the end of": 2, "later in": 2}


def _year_of(text: str, said: date) -> int:
    digits = re.search(r"\d{4}", text)
    if digits:
        return int(digits[0])
    if text.endswith("after next"):
        return said.year + 2
    return said.year + _REL[" ".join(text.split()[:-1])]


def _named(m: re.Match[str], said: date, make: Callable[[int], _Span]) -> _Span | None:
    """A period named within a year: in the year given, else the next one (see _upcoming)."""
    g = m.groupdict()
    span = make(_year_of(g["year"], said)) if g.get("year") else _upcoming(make, said, started_after=g.get("rel") == "next")
    if span is not None and (g.get("fiscal") or g.get("fy")):
        span = replace(span, timex=f"FY{span.timex}")
    return span


def _full_year(text: str, digits: str) -> int:
    """A year as written; two digits ("FY99") could be 1999 or 2099, so they are refused."""
    if len(digits) != 4:
        raise InvalidDeadline(f"{text!r} has a two-digit year: write the year in full, e.g. FY2025")
    return int(digits)


def _fiscal(y: int) -> _Span:
    """Fiscal years differ by company; without one named, fiscal 2025 is calendar 2025."""
    return replace(_year(y), timex=f"FY{y}")


def _part(m: re.Match[str], said: date) -> _Span | None:
    ref = _span(m["ref"], said)
    thirds = _thirds(ref) if ref else None
    if ref is None or not thirds:
        return None
    part = " ".join(m["part"].split())
    which = _PARTS[part]
    start, end = thirds[which]
    timex = f"{ref.timex}|{('START', 'MID', 'END')[which]}"
    if part == "later in":  # "later in 2024": from the day said, if that falls inside the period
        start = max(said, ref.start) if ref.start <= said <= ref.end else start
    return _Span(start, end, ref.granularity, timex, whole=False, closing=part in ("end of", "end", "close of"))


def _period_end(m: re.Match[str], said: date) -> _Span | None:
    """'year end', 'quarter end 2025': the end of that period, or of the current one."""
    ref = _span(m["ref"] or f"this {m['unit']}", said)
    thirds = _thirds(ref) if ref and ref.granularity == m["unit"] else None
    if ref is None or not thirds:
        return None
    start, end = thirds[2]
    return _Span(start, end, ref.granularity, f"{ref.timex}|END", whole=False, closing=True)


def _rest_of(m: re.Match[str], said: date) -> _Span:
    """'later this year': from the day said to the end of the current period."""
    current = _relative(m["unit"], said, 0)
    return _Span(said, current.end, current.granularity, f"{current.timex}|END", whole=False)


def _holiday(m: re.Match[str], said: date) -> _Span | None:
    day_in = next(when for pattern, when in _HOLIDAYS if re.fullmatch(pattern, m["holiday"]))
    return _named(m, said, lambda y: _day(day_in(y)))


def _day_of_month(m: re.Match[str], said: date) -> _Span | None:
    month, day = _MONTHS[m["month"]], int(m["day"])
    try:
        return _named(m, said, lambda y: _day(date(y, month, day)))
    except ValueError:  # 30 February in a year given
        raise InvalidDeadline(f"{m[0]!r} is not a real date; write a deadline like {EXAMPLES}") from None


def _explicit(m: re.Match[str], said: date) -> _Span | None:
    """A whole date in any form dates.parse_date accepts: 2024-03-31, 31/12/2023, 31 Dec 2023."""
    try:
        return _day(parse_date(m[0]))
    except InvalidDate as error:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}", m[0]):
            raise InvalidDeadline(f"{error}; or write a deadline like {EXAMPLES}") from None
        return None


_SPAN_RULES = [  # the first rule that matches the whole text and yields a span wins
    (rf"(?:the\s+)?(?P<part>{_words(_PARTS)})\s+(?P<ref>.+)", _part),
    (rf"(?:the\s+)?{_UNIT}s?\s+end(?:\s+(?:of\s+)?(?P<ref>.+))?", _period_end),
    (rf"(?:later|the\s+rest\s+of|the\s+remainder\s+of)\s+(?:in\s+)?(?:this|the)\s+{_UNIT}", _rest_of),
    (rf"(?P<rel>{_words(_REL)})\s+(?:full\s+)?{_UNIT}",  # "for the full year"
     lambda m, said: _relative(m["unit"], said, _REL[" ".join(m["rel"].split())])),
    (rf"(?:the\s+)?{_UNIT}\s+after\s+next", lambda m, said: _relative(m["unit"], said, 2)),
    (rf"{_UNIT}", lambda m, said: _relative(m["unit"], said, 0)),  # "end of year"
    (r"(?:the\s+)?(?:(?:calendar\s+)?year\s+|calendar\s+)?(?P<y>\d{4})", lambda m, said: _year(int(m["y"]))),
    (r"(?:fiscal(?:\s+year)?|fy)\s*(?P<y>\d{4}|\d{2})", lambda m, said: _fiscal(_full_year(m[0], m["y"]))),
    (r"(?P<rel>this|the|next|the\s+next)\s+fiscal\s+year",  # "before the end of the fiscal year": this one
     lambda m, said: _fiscal(said.year + (m["rel"] not in ("this", "the")))),
    (rf"(?:(?P<rel>this|next)\s+)?(?:the\s+)?{_FISCAL}(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter{_OF_Y}",
     lambda m, said: _named(m, said, lambda y: _quarter(y, _ORD[m["ord"]]))),
    (rf"(?:(?P<rel>this|next)\s+)?{_FISCAL}(?:q(?P<n>[1-4])|(?P<n2>[1-4])q){_OF_Y}",
     lambda m, said: _named(m, said, lambda y: _quarter(y, int(m["n"] or m["n2"])))),
    (rf"{_Y}\s+q(?P<n>[1-4])", lambda m, said: _named(m, said, lambda y: _quarter(y, int(m["n"])))),
    (rf"(?:(?P<rel>this|next)\s+)?(?:the\s+)?{_FISCAL}(?P<ord>first|second|1st|2nd|front|back|latter)\s+half{_OF_Y}",
     lambda m, said: _named(m, said, lambda y: _half(y, _ORD[m["ord"]]))),
    (rf"(?:(?P<rel>this|next)\s+)?(?:h(?P<n>[12])|(?P<n2>[12])h){_OF_Y}",
     lambda m, said: _named(m, said, lambda y: _half(y, int(m["n"] or m["n2"])))),
    (rf"{_Y}\s+h(?P<n>[12])", lambda m, said: _named(m, said, lambda y: _half(y, int(m["n"])))),
    (rf"(?:(?P<rel>this|next)\s+)?(?:the\s+)?(?:month\s+of\s+)?{_M}{_OF_Y}",
     lambda m, said: _named(m, said, lambda y: _month(y, _MONTHS[m["month"]]))),
    (r"(?P<y>\d{4})-(?P<m>0[1-9]|1[0-2])", lambda m, said: _month(int(m["y"]), int(m["m"]))),
    (rf"(?:(?P<rel>this|next|the|this\s+coming|the\s+coming)\s+)?(?P<season>{_words(_SEASONS)}){_OF_Y}",
     lambda m, said: _named(m, said, lambda y: _season(y, m["season"]))),
    (r"(?:the\s+)?(?P<d>\d{3})0s", lambda m, said: _decade(int(m["d"]) * 10)),
    (rf"(?:(?P<rel>this|next)\s+)?(?:the\s+)?(?P<holiday>{'|'.join(p for p, _ in _HOLIDAYS)})(?:\s+{_Y})?",
     _holiday),
    (rf"(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_M}(?:\s+{_Y})?", _day_of_month),
    (rf"(?:the\s+)?{_M}\s+(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+{_Y})?(?:\s+deadline)?", _day_of_month),
    (r"today", lambda m, said: _day(said)),
    (r"tomorrow", lambda m, said: _day(said + DAY)),
    (r"the\s+day\s+after\s+tomorrow", lambda m, said: _day(said + 2 * DAY)),
    (r"this\s+time\s+next\s+(?P<unit>week|month|year|decade)", lambda m, said: _day(said + _STEP[m["unit"]])),
    (r"(?=.*\d)(?=.*[a-z/.-])[\w/.\- ]+", _explicit),  # digits alone ("5 6 2024") are no date
]
_SPAN_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str], date], _Span | None]]] = [
    (re.compile(pattern), handler) for pattern, handler in _SPAN_RULES
]


def _span(text: str, said: date) -> _Span | None:
    rule = 0
    while (found := _next_rule(text, rule)) is not None:
        rule, match = found
        if (span := _SPAN_PATTERNS[rule][1](match, said)) is not None:
            return span
        rule += 1
    return None


@lru_cache(maxsize=16384)  # a big import reads the same few shapes ("by 2029") on many days said
def _next_rule(text: str, start: int) -> tuple[int, re.Match[str]] | None:
    """The first span rule from ``start`` on that matches the whole text, and its match: which rules
    match does not depend on the day said, only what their handlers make of it."""
    for rule in range(start, len(_SPAN_PATTERNS)):
        if match := _SPAN_PATTERNS[rule][0].fullmatch(text):
            return rule, match
    return None


# Durations: "2 years", "the next 6 months", "18 months from now", "a few weeks" (vague).
_DURATION_UNITS = {"decade": ("Y", 10), "year": ("Y", 1), "quarter": ("M", 3), "month": ("M", 1),
                   "fortnight": ("W", 2), "week": ("W", 1), "day": ("D", 1)}
_FINER = {"Y": ("M", 12), "W": ("D", 7)}  # 1.5 years is 18 months
_GRANULARITY = {"Y": "year", "M": "month", "W": "week", "D": "day"}
_DELTA = {"Y": relativedelta(years=1), "M": relativedelta(months=1), "W": relativedelta(weeks=1), "D": relativedelta(days=1)}
_N = r"\d+(?:\.\d+)?"
_DURATION = re.compile(
    rf"(?P<lead>the\s+)?(?:(?P<next>next|coming|following)\s+)?"
    rf"(?:(?P<low>{_N})\s*(?:to|or|-|maybe|perhaps|possibly|or\s+maybe|or\s+perhaps)\s*)?(?:(?P<n>{_N})\s*|(?P<q>an?|(?:a\s+)?few(?:\s+(?:hundred|thousand))?|several|some|many|"
    rf"a\s+number\s+of|a\s+handful\s+of|numerous)\s+)?"
    rf"(?P<unit>{_words(_DURATION_UNITS)})(?P<plural>s)?"
    r"(?:\s+(?:from\s+(?:now|today)|time|hence|ahead|out|later|or\s+so|or\s+less|to\s+come))?"
)
_VAGUE_BODY = re.compile(
    r"(?:very\s+|quite\s+|pretty\s+|fairly\s+|really\s+)?(?:soon(?:ish)?|shortly)|eventually|ultimately|someday|"
    r"some\s*time|imminently|"
    r"(?:the\s+)?(?:(?:very\s+|not\s+too\s+|not\s+so\s+)?(?:near|distant)\s+|foreseeable\s+)?future|"
    r"(?:the\s+)?(?:near|short|medium|long|longer)\s+(?:term|run)|"
    r"(?:the\s+)?(?:days|weeks|months|years|decades)\s+(?:ahead|to\s+come)|"
    r"(?:a\s+)?matter\s+of\s+(?:minutes|hours|days|weeks|months)|"
    # A sport's (or a parliament's) season: each has its own calendar, so the phrase is kept undated.
    # "The season" alone is mostly the noun ("the season opener"), so it is read only as a part of one.
    r"(?:the\s+)?(?:(?:end|start|beginning|middle|close|rest|remainder)\s+of\s+the\s+season|"
    r"(?:(?:end|start|beginning|middle|close|rest|remainder)\s+of\s+)?"
    r"(?:this|next|the\s+next|the\s+coming|the\s+current|the\s+following|(?:the\s+)?\d{4}(?:-\d{2,4})?)\s+season)|"
    # A parliament, a term and an election: their dates are set by law or by a vote, not the calendar.
    r"(?:the\s+)?(?:end|close)\s+of\s+(?:this|the\s+current|the\s+next)\s+(?:parliament|term|presidency)|"
    r"(?:the\s+)?(?:next|coming)\s+(?:general\s+|presidential\s+|federal\s+)?election"
)


def _duration(count: Fraction, unit: str) -> _Duration | None:
    letter, factor = _DURATION_UNITS[unit]
    count *= factor
    if count.denominator != 1 and letter in _FINER:
        letter, per = _FINER[letter]
        count *= per
    if count.denominator != 1 or count <= 0:
        return None  # 1.3 years, 0 days: not a deadline anyone means
    n = int(count)
    return _Duration(_DELTA[letter] * n, f"P{n}{letter}", _GRANULARITY[letter])


def _read_duration(m: re.Match[str]) -> _Duration | _Vague | None:
    if m["q"] and m["q"] not in ("a", "an"):
        return _VAGUE  # a few years, several months
    if m["n"] is None and m["q"] is None:
        if m["plural"]:
            return _VAGUE  # in the coming weeks, within years
        if not (m["lead"] and m["next"]):
            return None  # "next year" is the calendar year, read as a span
    count = Fraction(m["n"]) if m["n"] else Fraction(1)
    if m["low"] is not None:
        count = max(count, Fraction(m["low"]))  # "2 to 3 years": held to the later end
    return _duration(count, m["unit"])


def _read(body: str, said: date) -> _Reading | None:
    if _VAGUE_BODY.fullmatch(body):
        return _VAGUE
    duration = _DURATION.fullmatch(body)
    if duration and (reading := _read_duration(duration)) is not None:
        return reading
    return _span(body, said)


_ELLIPSIS = re.compile(r"(?:the\s+)?(?:next|following|one\s+after)")


def _alternatives(body: str, outer: bool) -> list[tuple[str, str]]:
    """The ways to read the body as two periods said as one deadline: "this year or next",
    "June or July", or with an outer bound "3 months 6" ("in three months, six at most")."""
    words = body.split(" ")
    if outer:
        splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(len(words) - 1, 0, -1)]
    else:
        splits = [(" ".join(words[:i]), " ".join(words[i + 1:])) for i, w in enumerate(words) if w == "or"]
    pairs = []
    for first, second in splits:
        if _ELLIPSIS.fullmatch(second) and (unit := re.search(rf"\b{_UNIT}s?$", first)):
            second = f"next {unit['unit']}"  # "this year or next": next year
        elif re.fullmatch(_N, second) and (unit := re.search(r"\s([a-z]+)$", first)):
            second = f"{second} {unit[1]}"  # "3 months, 6 at most": 6 months
        if first and second:
            pairs.append((first, second))
    return pairs


# --- settling a reading against the signal and the day said --------------------------------


def _quote(expression: str) -> str:
    return repr(expression if len(expression) <= 80 else expression[:77] + "...")


def _unreadable(expression: str) -> InvalidDeadline:
    return InvalidDeadline(f"cannot read {_quote(expression)} as a deadline; write it like {EXAMPLES}")


def _vague(expression: str, said: date) -> Deadline:
    return Deadline(expression, said, said, None, "open", "FUTURE_REF", None, vague=True)


def _settle(expression: str, said: date, signal: str, reading: _Reading) -> Deadline:
    strict = None
    if isinstance(reading, _Vague):
        return _vague(expression, said)
    if isinstance(reading, _Duration):
        if signal == "before":
            raise _unreadable(expression)  # "before two years" is not English for a deadline
        earliest, deadline = said, said + reading.delta
        granularity, timex = reading.granularity, reading.timex
    elif signal == "before" and not reading.closing:
        earliest, deadline = said, reading.start - DAY
        granularity, timex = reading.granularity, f"{reading.timex}|BEFORE"
    elif signal in ("by", "before"):
        # "by X" means by the end of X; "before X begins" is kept as the strict reading.
        earliest, deadline = said, reading.end
        granularity, timex = reading.granularity, reading.timex
        if reading.whole and reading.granularity != "day" and reading.start - DAY >= said:
            strict = reading.start - DAY
    else:
        earliest, deadline = max(said, reading.start), reading.end
        granularity, timex = reading.granularity, reading.timex
    if deadline < said:
        raise DeadlinePassed(
            f"{_quote(expression)} ends on {deadline.isoformat()}, before the date it was said ({said.isoformat()}); "
            f"a deadline must lie ahead, e.g. {EXAMPLES}"
        )
    return Deadline(expression, said, earliest, deadline, granularity, timex, strict, vague=False)


def normalise(expression: str, said: date) -> Deadline:
    """Read ``expression`` as said on ``said``: a Deadline, vague for "soon" and its kin.

    Raises InvalidDeadline for text the grammar cannot read and for deadlines before ``said``.
    """
    words = _words_of(within(expression or "", "deadline"))
    if words is None:
        return _vague(expression, said)
    signal, body, outer = words
    if signal is None:
        raise _unreadable(expression)
    try:
        if between := re.fullmatch(r"between\s+(.+?)\s+and\s+(.+)", body):  # "between 2030 and 2031": the later
            if (later := _later(expression, said, signal, (between[1], between[2]))) is not None:
                return later
            raise _unreadable(expression)
        reading = _read(body, said)
        for pair in _alternatives(body, outer) if reading is None else ():
            if (later := _later(expression, said, signal, pair)) is not None:
                return later
        if reading is None:
            raise _unreadable(expression)
        if signal == "for" and not (isinstance(reading, _Span) and reading.granularity == "year" and reading.whole):
            raise _unreadable(expression)
        return _settle(expression, said, signal, reading)
    except (ValueError, OverflowError):  # date arithmetic past year 9999 or before year 1
        raise InvalidDeadline(
            f"{_quote(expression)} falls outside the calendar (years 1 to 9999); write it like {EXAMPLES}"
        ) from None


@lru_cache(maxsize=16384)
def _words_of(expression: str) -> tuple[str | None, str, bool] | None:
    """What normalise reads of the words alone, whatever the day said: the signal, the body with
    numbers as digits, and whether an outer bound was said; None for an idiom that names no date."""
    text = _clean(expression)
    while hedge := _HEDGE_LEAD.match(text):
        text = text[hedge.end():]
    if _IDIOMS.fullmatch(text):
        return None
    text = _TRAILING_HEDGE.sub("", text)
    outer = _OUTER_BOUND.search(text)
    if outer and outer.start() > 0:
        text = text[: outer.start()]
    signal, body = _split_signal(text)
    return signal, _numbers(body), outer is not None


def _later(expression: str, said: date, signal: str, pair: tuple[str, str]) -> Deadline | None:
    """Of two periods, the later one is the deadline; the claim can come true from the earlier.
    The second is named from the first on ("June or July" said in July is June and July 2024)."""
    first = _read(pair[0], said)
    if first is None or isinstance(first, _Vague):
        return None
    second_signal, second_body = _split_signal(pair[1])  # "by mid-2025, or by the end of 2026"
    if second_signal is None or signal == "for":
        return None
    second = _read(second_body, max(said, first.start) if isinstance(first, _Span) else said)
    if second is None or isinstance(second, _Vague):
        return None
    settled = [_settle(expression, said, signal, r) for r in (first, second)]
    latest = max(settled, key=lambda d: d.deadline or said)
    return replace(latest, earliest=min(d.earliest for d in settled))


# --- horizons: the deadline assumed for a vague claim --------------------------------------

_HORIZON = re.compile(
    r"p?(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>y|yrs?|years?|m|mos?|months?|w|wks?|weeks?|d|days?|decades?)"
)


_HORIZON_UNITS = {"y": "year", "m": "month", "w": "week", "d": "day", "dec": "decade"}
MAX_HORIZON_YEARS = 100


def _horizon(text: str) -> _Duration:
    within(text or "", "horizon")
    match = _HORIZON.fullmatch(_numbers(_clean(text or "")))
    unit = match and _HORIZON_UNITS["dec" if match["unit"].startswith("dec") else match["unit"][0]]
    duration = _duration(Fraction(match["n"]), unit) if match and unit else None
    if not duration:
        raise InvalidDeadline(f"cannot read {_quote(text or '')} as a horizon; write it like {HORIZON_EXAMPLES}")
    length = duration.delta
    if length.years * 12 + length.months > MAX_HORIZON_YEARS * 12 or length.days > MAX_HORIZON_YEARS * 366:
        raise InvalidDeadline(f"a horizon of {_quote(text)} is longer than {MAX_HORIZON_YEARS} years; nobody is held to that")
    return duration


def parse_horizon(text: str) -> relativedelta:
    """The length of a horizon such as '1y', '18m', '6 months', '2w' or '30d'."""
    return _horizon(text).delta


def assume_horizon(vague: Deadline, horizon: str) -> Deadline:
    """A vague deadline held to ``said + horizon``; marked as assumed. A dated one is returned as is,
    since the speaker's own date always wins over an assumption."""
    if not vague.vague:
        return vague
    duration = _horizon(horizon)
    try:
        deadline = vague.said + duration.delta
    except (ValueError, OverflowError):
        raise InvalidDeadline(f"{vague.said.isoformat()} plus {_quote(horizon)} falls after the year 9999") from None
    return replace(
        vague, deadline=deadline, granularity=duration.granularity, timex=duration.timex,
        vague=False, assumed=True,
    )
