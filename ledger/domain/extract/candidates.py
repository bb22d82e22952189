"""Candidate claims: sentences in which a named speaker says, in future wording, that something
will happen, with the deadline phrase the sentence gives (or none, marked so), the hedge, the
verbatim quote and a score with its reasons.

Left out: reports of the past (no future wording, or a deadline already gone), questions, and
forecasts nobody in the text is said to make ("rain is expected later this week").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ledger.domain.deadline_spans import DeadlineSpan, find_deadlines
from ledger.domain.extract.people import (APPOSITIVE, FORECAST_VERBS, LOWER_TITLES, NAME, ROLE, SAY, WHO, WHO_AFTER, People,
                                          Speaker)
from ledger.domain.extract.quotes import Quote, find_quotes, quote_at
from ledger.domain.extract.sentences import DATELINE, split_sentences
from ledger.domain.hedges import hedge_probability

# Future wording: the words that make a sentence about what is to come.
_FUTURE = re.compile(
    r"\b(?:will|won[’']t|['’]ll|shall|would|going\s+to|gonna|expects?|expected\s+to|predicts?|predicted|"
    r"forecasts?|plans?\s+to|plans\s+(?:an?|the|its|their|another|two|three)\b|planned|planning\s+to|aims?\s+to|aiming\s+to|intends?\s+to|on\s+track\s+to|"
    r"on\s+course\s+to|on\s+(?:track|course)\s+for|set\s+to|poised\s+to|due\s+to|likely\s+to|promised?|promises|pledged?|vows?|vowed|"
    r"targets?|targeting|hope[sd]?\s+to|anticipates?|(?<!the\s)(?<!this\s)(?<!a\s)(?<!our\s)(?<!its\s)projects?(?!\s+(?:in|at|of|on|for|is|was|has)\b)|should|could|might|may|is\s+to|are\s+to|"
    r"guarantee[sd]?|commit(?:ted|s)?\s+to|can|predicting|guiding|guidance|wants?|(?:we|i|they)\s+s(?:ee|aw)|that\s+(?:he|she)\s+saw|sees|expecting|anticipating|possibility|chances?|odds|"
    r"probably|confident|goal|target|aim|plan|proposal|ambition|objective|intention|expected)\b",
    re.IGNORECASE,
)
# After a saying verb, the said: "that", a time, a medium ("in a statement").
_LEAD_IN = re.compile(
    r"^(?:\s*(?:on|in|at|during)\s+(?:a|an|the|his|her|its|their)?\s*[\w\s-]{0,40}?(?:interview|call|statement|"
    r"speech|conference|post|briefing|address|appearance|meeting|letter|note|remarks?)\b,?)?"
    r"(?:\s*(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|this\s+week|last\s+week)\b,?)?"
    r"\s*(?:Reuters|reporters|investors|analysts|the\s+\w+|an?\s+\w+|[A-Z]\w+)?\s*,?\s*(?:that\s+)?[:,]?\s*"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TAIL = re.compile(r",\s*(?:implying|adding|noting|saying|citing|according|which|while|as|though|although|"
                   r"but|even\s+as)\b.*$", re.IGNORECASE | re.DOTALL)
_INTRO = re.compile(r"^(?:(?:regarding|on|as\s+for|asked\s+about|speaking\s+(?:about|of|on)|in|at|during)\s+[^,\"“]{1,60},\s*)",
                    re.IGNORECASE)
_NEGATED_SAY = re.compile(r"\b(?:did\s+not|didn[’']t|declined\s+to|refused\s+to|would\s+not|wouldn[’']t|"
                          r"(?:not|never)\s+(?:ready|prepared|willing|able)\s+to)\s+(?:(?:want|wish|care)\s+to\s+)?"
                          r"(?:say|predict|forecast|specify|give|commit)",
                          re.IGNORECASE)
# "In 2019, Musk said...", "he said in 2023", "in a 2019 interview": the year the words were said.
_SAID_IN = re.compile(r"^(?:in|back\s+in)\s+(?P<a>\d{4})\b|\bin\s+(?:a|an|his|her|its|their)\s+(?P<b>\d{4})\s+"
                      r"(?:interview|speech|statement|letter|post|tweet|call|conference|address|memo|book)|"
                      r"\b(?:said|told|wrote|promised|predicted)\s+in\s+(?P<c>\d{4})\b", re.IGNORECASE)
# "said in January that...", "told investors last month": when it was said, not a deadline.
_SAID_THEN = re.compile(r"\b(?:said|says|told|wrote|announced|stated|added|predicted|forecast)\s+(?:[a-z]+\s+)?$")
_AT_THE_TIME = re.compile(r"\b(?:at\s+the\s+time|back\s+then|that\s+year)\b", re.IGNORECASE)
_FORECASTING = re.compile(r"\b(?:predict(?:s|ed|ing)?|forecasts?|expects?|expected\s+to|on\s+(?:track|course)\s+to|"
                          r"(?<!\bwas\s)(?<!\bwere\s)(?<!\bbeen\s)(?<!\bbeing\s)(?:promised|pledged|vowed|vows|pledges|promises)\s+(?:to|that)|"
                          r"projects?\s+that)\b", re.IGNORECASE)  # (not the passive: "was promised to the South Side")
# "Wu used her address on Tuesday to promise": the saying verb a few words after the name.
_USED_TO = r"(?:used|took|seized\s+on|went\s+on)\b[^.,;:\"“”]{0,60}?\bto\s+"
_SUBJECT_AND_SAID = re.compile(rf"(?P<who>{NAME})(?:\s+\([^)]{{1,40}}\))?\s+[^\"“”;]*?(?:\band\s+|,\s+)"
                               r"(?P<said>said|says|added|predicted|forecast|warned|saying|predicting|adding|warning)\b")
# ("Huang on Tuesday unveiled the chips, saying they would ship...")
_SETTLED = re.compile(r"\b(?:last\s+(?:year|month|week)|(?:correctly|wrongly|rightly|incorrectly)\s+(?:predicted|forecast)|"
                      r"had\s+(?:predicted|forecast|promised|expected|said))\b", re.IGNORECASE)
# Wire copy's lead often holds back the name to the next paragraph: "A senior Federal Reserve
# official said...", "The Army's top officer told lawmakers..."; the one then named speaking.
_UNNAMED_LEDE = re.compile(
    r"^(?:[A-Z][A-Z .'’,-]{2,40}[-—–]+\s*)?(?:A|An|The)\s+(?:[\w'’.-]+\s+){0,4}?(?:official|officer|executive|minister|"
    r"economist|lawmaker|adviser|advisor|regulator|scientist|leader|diplomat|commander|policymaker)\b"
    r"(?:,[^,]{1,60},)?\s+(?:on\s+\w+\s+)?(?P<verb>said|says|told|warned|predicted)\b")
_PRONOUN_NEXT = re.compile(r"[ \t]*(He|She)\s+(?:paused|smiled|laughed|shrugged|nodded|continued|went\s+on)\b")
_HEARD = re.compile(r"\b(?:I|we)\s+(?:have\s+|had\s+)?(?:heard|read|been\s+told)\b")  # others' forecasts, retold
_CONDITION = re.compile(r"(?:^|[:.]\s|\")\s*(?:If|Unless|Once)\b[^,;\"“”]*$")  # a leading clause, up to its comma
# ", founder and chief executive Lei Jun said": titles written in lower case before the name
_LOWER_TITLES = LOWER_TITLES  # ", founder and chief executive Lei Jun said": titles in lower case before the name
_OTHER_SUBJECT = re.compile(r"\b(?:as|when|after|because|while|since|once)\s+(?:the\s+)?[A-Z][\w'’-]+\s+[a-z]")
_NOT_BEFORE = re.compile(r"\bnot\s+$", re.IGNORECASE)  # "Maybe not this month, maybe not by Christmas, but by May"
_HOPED_TO = re.compile(r"\bhope[sd]?\s+to\b")  # "she hoped to close the gap by June": the attribution is the aim
_PAST_VERB = re.compile(
    r"\b(?!(?:expected|scheduled|planned|slated|delayed|postponed|pushed|moved|timed|aimed|targeted|promised|pledged|"
    r"vowed|predicted|projected|forecasted|needed|required|intended|designed|committed)\b)"
    r"(?:[a-z]+ed|gave|said|made|took|came|went|began|rose|fell|grew|saw|told|wrote|met|won|lost|held|left|sold|bought|"
    r"spent|paid|was|were|did|broke|kept|ran|led|brought|sent|built|found)\s+"
    r"(?:(?:first|already|last|again|only|just|back)\s+)?"
    r"(?:(?:the|its|their|his|her|our|a|an)\s+)?(?:(?!(?:to|for|by|on|in|at|until|before|after|that|it|them)\b)[a-z]+\s+)?$",
    re.IGNORECASE)  # ("raised prices in July", "a promise he broke in December": a past verb and its object)
# "according to CME's FedWatch tool": a name before a thing is no speaker
_THING_AFTER = (r"[ \t]+(?:tool|data|index|model|survey|poll|figures|calculations|estimates|analysis|website|filings?|"
                r"records|documents|projections|tracker|app|database|numbers)\b")
_PLAIN_FORMS = frozenset("say expect predict promise pledge vow warn announce estimate project anticipate".split())
_FIRST_PERSON = re.compile(r"(?<![\"“‘'])\b(?:I|I['’]m|I['’]ve|my)\b(?![^\"“”]*[”\"])")
MIN_QUOTE_WORDS = 4  # shorter quotes are mostly a term in scare quotes ("full self-driving")


@dataclass(frozen=True)
class Analysis:
    """What a parser may hand in instead of the rules' guesses: sentences, PERSON names, and the
    subjects of reporting verbs from the dependency parse as (verb start, verb end, subject start,
    subject end), used where no attribution pattern matches."""

    mode: str
    sentences: Sequence[tuple[int, int]] | None = None
    persons: Sequence[tuple[int, int]] | None = None
    subjects: Sequence[tuple[int, int, int, int]] = ()


@dataclass(frozen=True)
class Candidate:
    """One proposed claim; every offset is into the text the extraction was given."""

    speaker: Speaker
    sentence: str
    sentence_start: int
    sentence_end: int
    text: str  # a short claim text: the prediction, trimmed from the sentence
    said: date
    deadline: DeadlineSpan | None  # None: a prediction with no time frame
    deadline_start: int | None
    quote: str | None
    quote_start: int | None
    quote_end: int | None
    hedge: str | None  # the hedge words as written: "is likely to"
    probability: float | None
    hedge_category: str | None
    score: float
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def key(self) -> tuple[str, str, str]:
        """What makes two runs' candidates the same one: who, which sentence, which deadline."""
        return (self.speaker.name, " ".join(self.sentence.split()), self.deadline.text if self.deadline else "")

    def as_dict(self) -> dict[str, Any]:
        d = self.deadline
        return {
            "speaker": self.speaker.as_written, "speaker_name": self.speaker.name,
            "known_speaker": self.speaker.known, "speaker_status": "known" if self.speaker.known else "new",
            "attribution": self.speaker.how, "sentence": self.sentence,
            "sentence_offsets": [self.sentence_start, self.sentence_end], "text": self.text,
            "quote": self.quote,
            "quote_offsets": [self.quote_start, self.quote_end] if self.quote_start is not None else None,
            "said": self.said.isoformat(),
            "deadline_text": d.text if d else None,
            "deadline_offsets": [self.deadline_start, self.deadline_start + len(d.text)] if d and self.deadline_start is not None else None,
            "deadline": d.deadline.as_dict() if d else None,
            "dated": bool(d and not d.deadline.vague),
            "hedge": self.hedge, "hedge_category": self.hedge_category, "probability": self.probability,
            "score": self.score, "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class _Attribution:
    speaker: Speaker
    start: int  # where the attribution words lie in the text, to leave them out of the claim
    end: int
    verb: str


def _attribution_after(text: str, end: int, limit: int, people: People) -> _Attribution | None:
    """'"...," Musk said' / '"...," said Musk' / '"...," he told Reuters'."""
    if text[max(0, end - 2): end - 1] == "." or text[end: end + 1] == ".":
        return None  # '"...." Musk said' begins a new sentence: the quote ended with its own stop
    after = re.compile(rf"[ \t]*,?[ \t]*(?:{WHO_AFTER}{APPOSITIVE}\s+{SAY}|(?P<verb2>said|says|added|adds)\s+(?P<who2>{NAME})(?=[,.;]|\s*$))")
    m = after.match(text, end, limit)
    if not m:
        return None
    who = m["who"] or m["who2"]
    speaker = _led_by(m, people) or people.speaker(who.strip(), m.start())
    return _Attribution(speaker, m.start(), m.end(), m["verb"] or m["verb2"]) if speaker else None


def _led_by(m: re.Match[str], people: People) -> Speaker | None:
    """'the strategists, led by David Kostin, wrote': the team speaks through the one leading it."""
    led = re.fullmatch(rf"led\s+by\s+(?P<name>{NAME})", (m.groupdict().get("appositive") or "").strip())
    return people.speaker(led["name"], m.start("appositive")) if led else None


def _agrees(m: re.Match[str]) -> bool:
    """Whether a verb's plain form ("project", "expect") can follow the name: only after a
    plural ("Morgan Stanley strategists expect") or a helper ("will predict"), so "the
    Simandou project" is no attribution."""
    groups = m.groupdict()
    verb = groups.get("verb")
    if not verb or verb not in _PLAIN_FORMS:
        return True
    said = m[0][: m.start("verb") - m.start()]
    return bool(re.search(r"\b(?:strategists|analysts|economists|officials|executives|researchers|forecasters|"
                          r"has|have|had|will|would|also|again|to)\s+$", said)) or bool(
        re.fullmatch(r"(?:[Tt]hey|[Ww]e|I)", (groups.get("who") or "").strip()))


def _attribution_before(text: str, start: int, end: int, people: People) -> _Attribution | None:
    """'Musk said: "...', 'Musk stated that Tesla is likely to achieve "...' (the last one)."""
    before = re.compile(rf"(?<![\w’'])(?<!\bby\s)(?:{WHO}{APPOSITIVE}(?:,\s+(?:which|who))?,?\s+(?:{_USED_TO})?{SAY}|according\s+to\s+(?:(?:a|an|the)\s+(?:[\w-]+\s+){{0,2}}?(?:statement|report|note|post|letter|filing|"
                        rf"interview|spokesman|spokeswoman|spokesperson)\s+(?:from|by|of|with)\s+)?(?:the\s+)?(?P<who2>{NAME})(?!{_THING_AFTER}))")
    found = None
    reporting = None  # the last attribution by a saying verb: "X said, adding that Shell expected..."
    for m in before.finditer(text, start, end):
        who = (m["who"] or m["who2"]).strip()
        if not _agrees(m):
            continue
        speaker = _led_by(m, people) or (
            None if m["appositive"] and re.fullmatch(ROLE, who) else people.speaker(who, m.start()))
        if speaker is None and m["appositive"] and re.fullmatch(NAME, m["appositive"].strip()):
            speaker = people.speaker(m["appositive"].strip(), m.start("appositive"))  # "The President, Stephen Hoge, said"
        if speaker is None and m["appositive"]:
            speaker = people.described(who, m["appositive"], m.start())
        if speaker:
            if found and speaker.how == "pronoun" and re.fullmatch(r"\s*(?:that\s*)?", text[found.end: m.start()]):
                continue  # "Nishtar said she hoped to...": "she" is the one saying it
            found = _Attribution(speaker, m.start(), m.end(), m["verb"] or "according to")
            if found.verb not in FORECAST_VERBS:
                reporting = found
    if found and reporting and found.verb in FORECAST_VERBS and len(found.speaker.name.split()) == 1:
        return reporting  # "he said, adding that Shell expected...": the firm's forecast, in his words
    if found and reporting and found is not reporting and found.speaker.how == "pronoun" and re.fullmatch(
            r"\s*(?:that\s*)?", text[reporting.end: found.start]):
        return reporting  # "The chief executive said he expected...": "he" is the one saying it
    return found


def _reported(text: str, start: int, end: int, deadline_at: int, people: People) -> _Attribution | None:
    """Reported speech around a deadline: "X said (that) ... by 2025", "... by 2025, X said",
    "according to X"."""
    said_before = _attribution_before(text, start, deadline_at, people)
    if said_before and said_before.verb not in FORECAST_VERBS:
        return said_before  # "the company expects ..., the chief executive said": the person speaks
    tail = re.compile(rf",\s*(?:{_LOWER_TITLES}{WHO}{APPOSITIVE}\s+{SAY}|(?P<verb2>said|says)\s+(?P<who2>[A-Z][\w'’\-. ]+?))"
                      r"(?:[^,]*?|[^,]*,\s*(?:as|while|adding|after|when|before|saying|which|citing)\b.*?)[.!]?$")
    m = tail.search(text, deadline_at, end)
    if m:
        speaker = people.speaker((m["who"] or m["who2"]).strip(), m.start())
        if speaker:
            return _Attribution(speaker, m.start(), m.end(), m["verb"] or m["verb2"])
    if said_before:
        return said_before
    if re.search(r"according\s+to", text[deadline_at:end]):
        return _attribution_before(text, deadline_at, end, people)
    return _subject_said(text, start, deadline_at, people)


def _subject_said(text: str, start: int, deadline_at: int, people: People) -> _Attribution | None:
    """"Northwind Energy Inc. (NYSE: NWE) today reported results and said it expects...": the
    sentence's subject, joined to the saying verb by "and"."""
    dateline = DATELINE.match(text[start:deadline_at])
    m = _SUBJECT_AND_SAID.match(text, start + (dateline.end() if dateline else 0), deadline_at)
    if m is None:
        return None
    speaker = people.speaker(m["who"].strip(), m.start())
    return _Attribution(speaker, m.start("said"), m.end("said"), m["said"]) if speaker else None


def _parsed(text: str, subjects: Sequence[tuple[int, int, int, int]], at: int | None,
            people: People) -> _Attribution | None:
    """The parser's reading where no pattern matched: the subject of a reporting verb before the
    deadline (or anywhere in the sentence), named or a pronoun."""
    before = [x for x in subjects if at is None or x[0] < at] or list(subjects)
    for verb_start, verb_end, subject_start, subject_end in reversed(before):
        speaker = people.speaker(text[subject_start:subject_end], subject_start)
        if speaker is not None:
            return _Attribution(speaker, verb_start, verb_end, text[verb_start:verb_end].lower())
    return None


def _said_on(sentence: str, published: date) -> date:
    """'said on Monday' is the last Monday up to the day published; otherwise the day published."""
    m = re.search(rf"\b(?:on\s+)?({'|'.join(_WEEKDAYS)})\b", sentence, re.IGNORECASE)
    if not m:
        return published
    back = (published.weekday() - _WEEKDAYS.index(m[1].lower())) % 7
    return published - timedelta(days=back)


def _hedge(clause: str) -> tuple[str | None, float | None, str | None]:
    found = hedge_probability(clause)
    if found is None:
        return None, None, None
    words = re.search(rf"(?:\b(?:is|are|was|were|be|['’]s|i\s+am|i['’]m|we\s+are|we['’]re)\s+)?\b{re.escape(found.matched)}\b(?:\s+to\b)?",
                      clause, re.IGNORECASE)
    return (words[0] if words else found.matched), found.probability, found.category


def _claim_text(clause: str) -> str:
    text = re.sub(r"[\"“”]", "", clause)
    text = _TAIL.sub("", text)
    text = _INTRO.sub("", text.strip())
    text = re.sub(r"^(?:that|:)\s+", "", text.strip(" ,;:"))
    text = re.sub(r"^(?:[\w’']+\s+){1,5}?that\s+(?=\S)", "", text)  # "investors last month that the company..."
    text = " ".join(text.split()).strip(" ,;:.")
    return text[:1].upper() + text[1:]


def _quote_words(text: str, quote: Quote, sentence: tuple[int, int]) -> tuple[int, int]:
    """The quoted words within the sentence, without a trailing comma or stop."""
    start, end = max(quote.start, sentence[0]), min(quote.end, sentence[1])
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1] in " \t\n,;:." or text[end - 1] in "\"“”"):
        end -= 1
    return start, end


def extract(
    text: str,
    published: date,
    *,
    known: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
    analysis: Analysis | None = None,
) -> list[Candidate]:
    """The candidate claims in ``text``, published on ``published``, in the order of the text.
    ``known`` maps every speaker name and alias in the ledger to the speaker's name;
    ``overrides`` maps a name as written to the speaker meant (--speaker "Musk=Elon Musk")."""
    sentences = list(analysis.sentences) if analysis and analysis.sentences else split_sentences(text)
    people = People(text, sentences, known or {}, analysis.persons if analysis else None, overrides)
    quotes = find_quotes(text)
    quote_speakers = _quote_speakers(text, quotes, sentences, people)
    labels = people.labels()
    found: dict[tuple[str, str, str], Candidate] = {}
    said_year: int | None = None
    for number, (s_start, s_end) in enumerate(sentences):
        sentence = text[s_start:s_end]
        if number == 0 and _headline(text, s_start, s_end):
            continue  # a headline restates the story; its claims are in the body
        said, year = _said(sentence, published, said_year if _AT_THE_TIME.search(sentence) else None)
        said_year = year or said_year
        skip = DATELINE.match(sentence)
        label = _label_at(labels, s_start)
        given = _SAID_IN.search(sentence)
        spans: list[DeadlineSpan | None] = [
            span for span in find_deadlines(sentence, said)
            if (not skip or span.start >= skip.end()) and not (given and span.start <= given.start() < span.end)
            and not (_SAID_THEN.search(sentence, 0, span.start) and not span.text.lower().startswith("for "))
            and not _past_named(sentence, span) and not _NOT_BEFORE.search(sentence, 0, span.start)
        ]
        spans = [span for span in spans if not (span and (_covers(sentence, span, spans) or _aside(sentence, span, spans)))]
        for span in spans or [None]:
            candidate = _candidate(text, (s_start, s_end), span, said, quotes, quote_speakers, label, people,
                                   [x for x in (analysis.subjects if analysis else ()) if s_start <= x[0] < s_end])
            if candidate and candidate.key() not in found:
                found[candidate.key()] = candidate
    return sorted(found.values(), key=lambda c: (c.sentence_start, c.deadline_start or 0))


def _past_named(sentence: str, span: DeadlineSpan) -> bool:
    """"a forecast it first gave in July", said in October: a month (season, holiday) named without
    its year is read as the next one, but after a verb in the past tense it is the last one."""
    if re.search(r"\d{4}|\b(?:next|this|coming|following)\b", span.text, re.IGNORECASE):
        return False
    return bool(_PAST_VERB.search(sentence, 0, span.start)) and span.deadline.granularity in ("month", "season", "day")


def _covers(sentence: str, span: DeadlineSpan, spans: Sequence[DeadlineSpan | None]) -> bool:
    """"to sell out supply for calendar 2026 in the coming months": "for" a year names what a
    forecast covers; another time in the same clause is when it is due."""
    if not span.text.lower().startswith("for "):
        return False
    return any(other is not span and other is not None and re.fullmatch(
        r"\s*(?:[\w'’-]+\s+){0,3}?", sentence[min(span.end, other.end): max(span.start, other.start)]) for other in spans)


def _aside(sentence: str, span: DeadlineSpan, spans: Sequence[DeadlineSpan | None]) -> bool:
    """"to grow 4% this year as Microsoft ends support for Windows 10 in October": after a
    deadline, a clause with a subject of its own ("as Microsoft...") tells another thing's time."""
    clause = _OTHER_SUBJECT.search(sentence, 0, span.start)
    return clause is not None and any(other is not None and other.end <= clause.start() for other in spans)


def _headline(text: str, start: int, end: int) -> bool:
    line_end = text.find("\n", start)
    return (line_end == -1 or line_end >= end) and not re.search(r"[.!?\"”]$", text[start:end]) and end - start < 200


def _said(sentence: str, published: date, carried: int | None) -> tuple[date, int | None]:
    """When the words were said: a year the sentence gives ("In 2019, Musk said"; "at the time"
    carries the last one on), else a weekday ("said on Monday"), else the day published. A year
    alone is read as its first day, so "next year" means the year after it."""
    year = carried
    if m := _SAID_IN.search(sentence):
        year = int(m["a"] or m["b"] or m["c"])
    elif re.match(r"\s*Last\s+year\b", sentence):
        year = published.year - 1
    if year is not None and year < published.year:
        return date(year, 1, 1), year
    return _said_on(sentence, published), None


def _quote_speakers(text: str, quotes: list[Quote], sentences: Sequence[tuple[int, int]],
                    people: People) -> list[_Attribution | None]:
    """Each quote's speaker: named right after it, or before it in its sentence; a quote split by
    its attribution, running on into the next paragraph, or following another of the same
    speaker's in a paragraph ('"A," Musk said. "B."') has the speaker of the other part."""
    def sentence_of(position: int) -> tuple[int, int]:
        return next(((s, e) for s, e in sentences if s <= position < e), (position, position))

    def same_paragraph(a: Quote, b: Quote) -> bool:
        return "\n" not in text[a.end: b.start].strip()

    speakers: list[_Attribution | None] = []
    for i, quote in enumerate(quotes):
        start, _ = sentence_of(quote.start - 1)
        limit = quotes[i + 1].start - 1 if i + 1 < len(quotes) else len(text)
        found = _attribution_after(text, quote.end + 1, min(limit, len(text)), people)
        if found is None:
            begin = max(start, quotes[i - 1].end + 1 if i else 0)
            found = _attribution_before(text, begin, quote.start - 1, people)
        if found is None and (after := _PRONOUN_NEXT.match(text, quote.end + 1)):
            who = people.speaker(after[1], after.start(1))  # '"...No excuses." She paused.'
            found = _Attribution(who, after.start(1), after.start(1), "") if who else None
        if found is None and quote.continues is not None:
            found = speakers[quote.continues]
        speakers.append(found)
    for i in range(len(quotes) - 2, -1, -1):  # '"A," he said, "B."': B's speaker is A's
        if speakers[i] is None and speakers[i + 1] is not None and same_paragraph(quotes[i], quotes[i + 1]):
            speakers[i] = speakers[i + 1]
    for i in range(1, len(quotes)):  # '"A," Musk said. "B."'
        if speakers[i] is None and speakers[i - 1] is not None and same_paragraph(quotes[i - 1], quotes[i]):
            speakers[i] = speakers[i - 1]
    return speakers


def _label_at(labels: list[tuple[int, int, Speaker]], position: int) -> tuple[int, Speaker] | None:
    """The transcript label whose turn ``position`` falls in, and where the turn's words begin."""
    before = [(end, speaker) for start, end, speaker in labels if start <= position]
    if not before or before[-1][1].how == "label-none":
        return None
    return before[-1]


def _candidate(text: str, sentence_span: tuple[int, int], span: DeadlineSpan | None, said: date,
               quotes: list[Quote], quote_speakers: list[_Attribution | None], turn: tuple[int, Speaker] | None,
               people: People, subjects: Sequence[tuple[int, int, int, int]] = ()) -> Candidate | None:
    s_start, s_end = sentence_span
    sentence = text[s_start:s_end]
    label = turn[1] if turn else None
    at = s_start + span.start if span else None
    reasons: list[str] = []
    quote_index = quote_at(quotes, at, at + len(span.text)) if span and at is not None else None
    if span is None:
        inside = [i for i, q in enumerate(quotes) if q.start < s_end and s_start < q.end and q.words(text) >= MIN_QUOTE_WORDS]
        quote_index = inside[0] if inside else None
    quote = quotes[quote_index] if quote_index is not None else None
    if quote is not None and quote.words(text) < MIN_QUOTE_WORDS and quote_speakers[quote_index or 0] is None:
        quote = None
    attribution = quote_speakers[quote_index] if quote is not None and quote_index is not None else None
    if attribution is None:
        attribution = _reported(text, s_start, s_end, at if at is not None else s_end, people)
        if attribution is None or (span and attribution.end > at and attribution.start < at):  # type: ignore[operator]
            attribution = attribution if attribution and not (span and attribution.start <= at < attribution.end) else None  # type: ignore[operator]
    if attribution is None and quote is None and turn is None:
        attribution = _parsed(text, subjects, at, people)
    if attribution is None and quote is None and turn is None and people.byline and (
            people.voice or _FIRST_PERSON.search(sentence)) and not _HEARD.search(sentence):
        author = people.speaker(people.byline, s_start)  # an op-ed's "I expect...": its author's words
        attribution = _Attribution(author, s_start, s_start, "") if author else None
    if attribution is None and quote is None and turn is None and (lede := _UNNAMED_LEDE.match(sentence)):
        named = people.first_speaking_after(s_end)  # "A senior Fed official said...", named below
        attribution = _Attribution(named, s_start, s_start + lede.end(), lede["verb"]) if named else None
    speaker = attribution.speaker if attribution else label
    if speaker is None:
        return None  # a forecast nobody in the text is said to make
    if span is not None and _CONDITION.search(sentence[: span.start]):
        return None  # "If ministers agree in November, we can double it by 2030": the condition's time
    negated = _NEGATED_SAY.search(sentence)
    if negated and not (span and negated.start() > span.start + len(span.text)):
        return None  # "declined to say when": unless the deadline came first ("expects X by 2030, but declined to say...")
    # The said: the sentence without the attribution words.
    if attribution and s_start <= attribution.start < s_end:
        clause = text[s_start:attribution.start] + " " + text[min(attribution.end, s_end):s_end]
        if attribution.end <= (at or s_end):
            clause = text[attribution.end:s_end] if not quote or quote.start >= attribution.end else clause
    else:
        clause = sentence
    quote_text = None
    q_start = q_end = None
    if quote is not None:
        q_start, q_end = _quote_words(text, quote, sentence_span)
        quote_text = text[q_start:q_end] or None
    elif turn is not None and attribution is None:
        q_start, q_end = max(s_start, turn[0]), s_end
        clause = text[q_start:q_end]
        while q_end > q_start and text[q_end - 1] in " ,;:.":
            q_end -= 1
        quote_text = text[q_start:q_end]
    spoken = quote_text or clause
    if sentence.rstrip(" \"”’)").endswith("?") or spoken.rstrip().endswith("?"):
        return None  # a question predicts nothing
    verb = attribution.verb if attribution else ""
    future = _FUTURE.search(clause) or (_FUTURE.search(spoken) if quote_text else None) or (
        _HOPED_TO.search(text, attribution.start, min(s_end, attribution.end + 4)) if attribution else None)
    ahead = span is not None and span.deadline.deadline is not None and span.deadline.deadline > said and not re.search(
        r"\bnot\s+$", sentence[: span.start], re.IGNORECASE) and bool(  # "Not this year, not next year."
        re.search(r"\bnext\b", span.text, re.IGNORECASE) or any(int(y) > said.year for y in re.findall(r"\d{4}", span.text)))
    # (a month named alone, "in September", is read as the next one, though a past tense means the last)
    if future is None and verb not in FORECAST_VERBS and not ahead:
        return None  # a report of the past or present
    if span is None and not (verb in FORECAST_VERBS or _FORECASTING.search(clause)):
        return None  # future wording alone, with no time frame, is rarely a prediction worth logging
    if span is None and any(int(y) < said.year for y in re.findall(r"\b(1[89]\d\d|2\d\d\d)\b", sentence)):
        return None  # "In 2019, Musk promised robotaxis by 2020" said in 2024: a deadline gone by
    if span is None and _SETTLED.search(sentence):
        return None  # "Last year he correctly predicted that...": a forecast already settled
    hedge, probability, category = _hedge(clause if not quote_text else clause + " " + spoken)
    score = 0.0
    if span is not None:
        score += 1.0 if span.deadline.vague else 3.0
        reasons.append(f"deadline {span.text!r}" + (" (vague)" if span.deadline.vague else f" = {span.deadline.deadline}"))
    else:
        reasons.append("no deadline: a prediction with no time frame")
    if future is not None:
        score += 2.0
        reasons.append(f"future wording {future[0]!r}")
    elif ahead:  # "Starship departs for Mars at the end of next year": the present tense of a plan
        score += 1.0
        reasons.append("a deadline wholly to come")
    if verb in FORECAST_VERBS:
        score += 1.0
        reasons.append(f"forecasting verb {verb!r}")
    score += 2.0 if speaker.how in ("named", "label", "alias", "given") else 1.0
    reasons.append(f"speaker {speaker.name!r} ({speaker.how}{', known' if speaker.known else ', new'})")
    if quote_text:
        score += 1.0
        reasons.append("verbatim quote")
    if hedge:
        score += 0.5
        reasons.append(f"hedge {hedge!r} ({category}, {probability})")
    return Candidate(
        speaker=speaker, sentence=sentence, sentence_start=s_start, sentence_end=s_end,
        text=_claim_text(clause)[:2000],
        said=said, deadline=span,
        deadline_start=at, quote=quote_text, quote_start=q_start, quote_end=q_end, hedge=hedge,
        probability=probability, hedge_category=category, score=score, reasons=tuple(reasons),
    )
