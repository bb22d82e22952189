"""Deadline phrases in running text: every span of a sentence that the deadline grammar reads.

`ledger.domain.deadlines.normalise` reads a phrase someone has already picked out ("later this
year"); an article gives whole sentences. The finder cuts a sentence into runs of words the
grammar knows (signal, hedge, number, month, unit words...), tries every sub-run longest first,
and keeps the ones `normalise` accepts without overlapping a longer one. It never returns a span
the grammar refuses, so each span's `deadline` is exactly what `claims add --deadline` would store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ledger.domain.deadlines import Deadline, normalise
from ledger.errors import DeadlinePassed, InvalidDeadline

__all__ = ["DeadlineSpan", "find_deadlines"]

# Words that only link or signal: a span made of these alone names no time.
_FUNCTION = frozenset(
    "the of a an and or to from in by at on within during over before after until till through up "
    "any between course no not than least later prior ahead less under more most latest sooner earlier if for sure hopefully "
    "probably definitely certainly surely maybe perhaps possibly likely about around approximately "
    "approx roughly circa ca some sometime point stage just nearly almost somewhere give take i we "
    "think believe expect expected hope im am confident d say would guess this next last current "
    "following previous coming very quite pretty fairly really near distant foreseeable into well full".split()
)
# Words that name a time (or a count of one); a span needs at least one of them.
_TIME = frozenset(
    "year years month months week weeks quarter quarters half halves decade decades day days fortnight "
    "fortnights time times end beginning start middle mid midway close towards toward rest remainder "
    "early late calendar fiscal fy january february march april may june july august september october "
    "november december jan feb mar apr jun jul aug sep sept oct nov dec spring summer fall autumn winter "
    "christmas xmas eve new years nye easter sunday monday good friday thanksgiving us today tomorrow "
    "soon soonish shortly eventually ultimately someday imminently future term run long short medium "
    "longer hence now ago front back latter first second third fourth one two three four five six seven "
    "eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty "
    "thirty forty fifty sixty seventy eighty ninety couple dozen few several many number handful "
    "numerous hundred thousand matter minutes deadline hours moment down road line fullness due course tops max maximum outside "
    "yearend midyear season parliament presidency election general presidential federal memorial labor independence halloween valentine valentines boxing black".split()
)
_CODE = re.compile(r"\d[\d./-]*(?:st|nd|rd|th|s|q|h)?|[qh][1-4]|fy\d{2,4}|\d{4}s?-h[12]|\d{4}-\d{2}(?:-\d{2})?")
# A token: a word with its inner hyphens, apostrophes and dots ("mid-2025", "year's", "31.12.2023").
_TOKEN = re.compile(r"\w+(?:[-'’./]\w+)*")
# What may lie between two words of one phrase: spaces, a comma, a dash ("next year, hopefully").
_JOIN = re.compile(r"\.?\s*[,\u2013\u2014-]?\s*")  # "Oct. 1": a month's abbreviation keeps its stop
_MAX_WORDS = 14
_MONTH_ABBREVIATIONS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
_ADJECTIVE = re.compile(r"(?:short|long|medium|near|longer)-term", re.IGNORECASE)  # "a short-term measure"
_ENDINGS = frozenset("latest sooner earlier sure certain hopefully probably definitely certainly surely maybe perhaps "
                     "possibly think hope believe expect guess say most tops max maximum outside next following".split())
_LONGER = re.compile(r"(?:\s*,?\s*(?:maybe|perhaps|possibly|probably|or|and|even))*\s+(?:longer|beyond)\b", re.IGNORECASE)
_AGO = re.compile(r"[\s,]*(?:ago|earlier|before|previously)\b", re.IGNORECASE)
_VERB_BEFORE = re.compile(r"\b(?:to|will|would|could|should|may|might|can)\s+(?:(?:probably|likely|certainly|surely|"
                          r"definitely|possibly|perhaps|maybe|eventually|soon)\s+)?$", re.IGNORECASE)
# After a count with no lead, what measures a gap from another time: "a few months later than we planned"
_COUNTED_FROM = re.compile(r"[\s,]*(?:later|earlier|late|behind|ahead|longer|sooner)\b", re.IGNORECASE)
_AT_THE_EARLIEST = re.compile(r"[\s,]*at\s+the\s+earliest\b", re.IGNORECASE)
_AS_EARLY_AS = re.compile(r"\b(?:as\s+(?:early|soon)\s+as|no\s+sooner\s+than)\s+$", re.IGNORECASE)
_UNITS = frozenset("year years month months week weeks quarter quarters half decade decades day days".split())
_ARTICLES = frozenset("the a an of".split())
# A month or season on its own, in lower case, is more often a word than a date ("prices may fall").
_AMBIGUOUS_ALONE = frozenset("may march fall spring summer winter autumn second".split())
_REPORTED = re.compile(r"\s+(?:(?:net|gross|adjusted|operating|core|organic|comparable)\s+)?(?:results|earnings|revenue|revenues|profits?|sales|loss|losses|figures|report|numbers)\b",
                       re.IGNORECASE)
_NAMED_PERIODS = frozenset("january february march april may june july august september october november december "
                           "spring summer autumn fall winter".split())
_HEDGES = frozenset("probably definitely certainly surely maybe perhaps possibly likely about around approximately "
                    "roughly sometime".split())
# Words that make a count of time a deadline: "within two years", "two years from now".
# ("the next day" alone is a story's past: "The next day she spoke.")
_DURATION_LEADS = frozenset("in within over during by until till before under up less no".split())
_DURATION_TAIL = re.compile(r"(?:now|today|time|hence|ahead|out|come|most|latest|tops|max)$", re.IGNORECASE)
# A trailing opinion verb is a hedge only when nothing follows it: "next year, I think." but not
# "for the fourth quarter, we expect revenue to be..."
_OPINION = frozenset("think hope believe expect guess say".split())


@dataclass(frozen=True)
class DeadlineSpan:
    """A deadline phrase as it stands in the sentence, and what it means on the day said."""

    start: int  # character offsets into the sentence
    end: int
    text: str
    deadline: Deadline


@lru_cache(maxsize=8192)
def _known(token: str) -> bool:
    word = token.lower().replace("’", "'")
    word = word[:-2] if word.endswith("'s") else word.rstrip("'")
    if word in _FUNCTION or word in _TIME or _CODE.fullmatch(word):
        return True
    return "-" in word and all(_known(part) for part in word.split("-") if part)


@lru_cache(maxsize=8192)
def _timely(token: str) -> bool:
    word = token.lower().replace("’", "'").removesuffix("'s").rstrip("'")
    return word in _TIME or bool(_CODE.fullmatch(word)) or any(
        p in _TIME or _CODE.fullmatch(p) for p in word.split("-") if p
    )


def _runs(sentence: str) -> list[list[re.Match[str]]]:
    """Maximal runs of known words, broken by any other word or by punctuation other than a comma
    or a dash (a quotation mark or a full stop ends a phrase)."""
    runs: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    previous_end = 0
    for token in _TOKEN.finditer(sentence):
        gap = sentence[previous_end: token.start()]
        joined = current and _JOIN.fullmatch(gap) and (not gap.startswith(".") or current[-1][0].lower() in _MONTH_ABBREVIATIONS)
        if not _known(token[0]) or not joined:
            if current:
                runs.append(current)
            current = []
        if _known(token[0]):
            current.append(token)
        previous_end = token.end()
    if current:
        runs.append(current)
    return runs


def _plausible(words: list[re.Match[str]]) -> bool:
    """Whether a run of words could be a phrase at all: it names a time, and is not a lone
    lower-case word that is more often not a date ("prices may fall")."""
    if not any(_timely(w[0]) for w in words):
        return False
    last = words[-1][0].lower()
    if not (_timely(last) or last in _ENDINGS):
        return False  # a phrase ends in its period or a word after it ("at the latest", "for sure")
    if len(words) == 1 and (words[0][0] in _AMBIGUOUS_ALONE or words[0][0].lower() == "today"):
        return False  # "today" alone is when it was said, not when it is due
    if all(w[0] in _AMBIGUOUS_ALONE or w[0].lower() in _HEDGES for w in words):
        return False  # "will probably fall below 6 percent": a hedge does not make the verb a season
    if words[-1][0].lower().endswith(("'s", "’s")) and words[-1][0].lower() not in ("year's", "year’s"):
        return False  # "tomorrow's cars"
    if [w[0].lower() for w in words][-1] in _UNITS and all(w[0].lower() in _UNITS | _ARTICLES for w in words):
        return False  # "the year", "a month": a period named without saying which
    return words[0][0].lower() not in ("and", "or", "of", "to", "from", "than")


def _meant(words: list[re.Match[str]], deadline: Deadline) -> bool:
    """A bare count of time ("a year", "two weeks") reads as a duration, but in running text it is
    mostly not one ("a year of growth"); it counts with a word that makes it a deadline."""
    if not deadline.timex.startswith("P"):
        return True
    return words[0][0].lower() in _DURATION_LEADS or bool(_DURATION_TAIL.search(words[-1][0]))


def find_deadlines(sentence: str, said: date) -> list[DeadlineSpan]:
    """Every deadline phrase in ``sentence`` the grammar reads as said on ``said``, longest first;
    no two overlap, and a shorter phrase inside a longer one is not returned."""
    found: list[DeadlineSpan] = []
    for run in _runs(sentence):
        candidates = [
            (i, j) for i in range(len(run)) for j in range(i + 1, min(len(run), i + _MAX_WORDS) + 1)
        ]
        candidates.sort(key=lambda ij: (run[ij[0]].start() - run[ij[1] - 1].end(), run[ij[0]].start()))
        taken: list[tuple[int, int]] = []
        for i, j in candidates:
            start, end = run[i].start(), run[j - 1].end()
            if any(start < e and s < end for s, e in taken):
                continue
            text = sentence[start:end]
            if _ADJECTIVE.fullmatch(text):
                continue
            k = next((k for k in range(i, j) if run[k][0].lower() not in _HEDGES), i)  # past "probably"
            if (run[k][0].lower() == "end" or run[k][0] in _AMBIGUOUS_ALONE) and _VERB_BEFORE.search(
                    sentence, 0, run[k].start()):
                continue  # "expected to end next year", "will probably end next year": the verb, not the time
            if _REPORTED.match(sentence, end) and re.search(r"-(?:quarter|half|year)$", text, re.IGNORECASE):
                continue  # "reported first-quarter results": the period a report covers
            if (run[j - 1][0] in _AMBIGUOUS_ALONE and all(w[0].lower() in ("in", "during", "by") for w in run[i:j - 1])
                    and re.match(r"\s+(?!and\b|or\b|to\b|of\b|in\b|on\b|at\b)[a-z]", sentence[end:])):
                continue  # "in summer heat waves": the season as a word before a noun
            if _AT_THE_EARLIEST.match(sentence, end) or _AS_EARLY_AS.search(sentence, 0, start):
                continue  # "2027 at the earliest", "as early as 2029": a start, not a deadline
            if run[j - 1][0].lower() in _OPINION and re.match(r"\s*\w", sentence[end:]):
                continue
            if (run[j - 1][0].lower() in _NAMED_PERIODS and ("the" in text.lower().split()
                                                              or re.search(r"\bthe\s+$", sentence[:start], re.IGNORECASE))
                    and re.match(r"\s+(?!(?:and|or|of|to|in|on|at|for|is|was|will|if|unless|as|when|after|before|but|with|that|than|"
                             r"because|while|so|then|we|i|it|they|he|she)\b)[a-z]", sentence[end:])):
                continue  # "before the August recess", "by the summer break": the month names another thing
            if re.fullmatch(r"(?:(?:in|during|over|for)\s+)?the\s+fiscal\s+year", text, re.IGNORECASE):
                continue  # "in the fiscal year starting in April": which one is said elsewhere; "the end of the fiscal year" reads
            if re.fullmatch(r"(?:in|during|over)\s+the\s+(?:week|month|quarter|half|year)", text, re.IGNORECASE):
                continue  # "gross margin in the quarter was 39%": the period a report covers, not one to come
            if text.lower() == "in half":
                continue  # "cut commute times in half": a fraction, not the half of a year
            if text.lower().endswith(("year's", "year’s")) and not re.match(r"\s+end\b", sentence[end:]):
                continue  # "this year's championship": a possessive, unless it is "next year's end"
            if j - 1 > i and run[j - 1][0].lower() in _HEDGES and re.match(r"\s*\w", sentence[end:]):
                continue  # "next year, perhaps a little below": the hedge softens what follows it
            if not _plausible(run[i:j]):
                continue
            try:
                deadline = normalise(text, said)
            except DeadlinePassed:
                taken.append((start, end))  # "in early 2024" said in December 2024: gone, and so is its "2024"
                continue
            except InvalidDeadline:
                continue
            if run[i][0].lower() not in _DURATION_LEADS and _COUNTED_FROM.match(sentence, end):
                taken.append((start, end))  # "a few months later than planned": a gap, not a deadline
                continue
            if not _meant(run[i:j], deadline):
                continue
            if deadline.vague and text.lower().endswith("in time") and re.match(r"\s+(?:for|to)\b", sentence[end:]):
                continue  # "in time for the opener": when something is ready, not a deadline of its own
            if _LONGER.match(sentence, end):
                taken.append((start, end))  # "until 2028, maybe longer": a least, not a deadline
                continue
            if re.fullmatch(r"soon|shortly", text, re.IGNORECASE) and re.match(r"\s+after(?:wards)?\b", sentence[end:], re.IGNORECASE):
                continue  # "soon afterwards": soon after something else, not soon after the words
            if deadline.timex.startswith("P") and _AGO.match(sentence, end):
                continue  # "two years ago", "three months earlier": counted back, not ahead
            taken.append((start, end))
            found.append(DeadlineSpan(start, end, text, deadline))
    found.sort(key=lambda s: (s.start - s.end, s.start))
    return found
