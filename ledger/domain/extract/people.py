"""Who said it: the name in the attribution ("Tesla CEO Elon Musk said", "said Musk", "according
to Barra", "he told Reuters", a transcript's "MARY BARRA:"), the full name it stands for (a
surname or a pronoun is the person named last before it) and the ledger's speaker it is.

Rules, not a parser: a name is a run of capitalised words; titles before it ("Tesla CEO",
"Prime Minister") are dropped; a run at the start of a sentence must show itself a name
elsewhere (capitalised mid-sentence, or known to the ledger) before it counts on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ledger.domain.extract.sentences import DATELINE
from ledger.domain.text import name_key

_CAP = (r"(?<![\w'’.])(?:(?:[A-Z]\.){2,}(?=[ \t]*[A-Z])[ \t]*[A-Z][\w'’\-]*"  # "A.P. Moller-Maersk"
        r"|(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Gov|Sen|Rep|Prof|[A-Z])\.(?=[ \t]+[A-Z])|[A-Z][\w'’\-]*)")
# ("Mr.", "J." end in a stop; "Beijing." and "GM." do not belong to the name after them)
_PARTICLE = r"(?:de|da|van|von|der|den|bin|al|le|la|du|di|del|dos|ter)"
NAME = rf"{_CAP}(?:[ \t]+(?:{_PARTICLE}[ \t]+|{_PARTICLE}-)?{_CAP}){{0,5}}"  # never across a line: a headline is not a name
_NAME = re.compile(NAME)
_PRONOUN_SAYS = re.compile(r"\b([Hh]e|[Ss]he)\s+(?:also\s+)?(?:said|says|told|added|adds|wrote|predicted|expects|expected|"
                           r"warned|promised|noted|argued)\b")
_PRONOUN = r"(?:[Hh]e|[Ss]he)"
# Roles a person is named by once and then called by ("the chief executive said"): each phrase
# and the role it is, longer phrases first so "chief executive officer" is not read as "chief".
_ROLE_NAMES = {
    "chief executive officer": "ceo", "chief executive": "ceo", "ceo": "ceo", "chief financial officer": "cfo",
    "finance chief": "cfo", "finance director": "cfo", "cfo": "cfo", "chief operating officer": "coo",
    "coo": "coo", "chief economist": "chief economist", "prime minister": "prime minister",
    "finance minister": "finance minister", "foreign minister": "foreign minister", "chancellor": "chancellor",
    "minister": "minister", "president": "president", "governor": "governor", "mayor": "mayor",
    "senator": "senator", "chairman": "chair", "chairwoman": "chair", "chair": "chair", "secretary": "secretary",
    "premier": "premier", "coach": "coach", "manager": "manager", "founder": "founder",
}
_ROLE_WORDS = "(?:" + "|".join(sorted((w.replace(" ", r"\s+") for w in _ROLE_NAMES), key=len, reverse=True)) + ")"
# "the chief executive", "the company's chief financial officer", "its president"
# ("The chief executive of Commonwealth Fusion Systems says": the role, not the company, speaks)
ROLE = (rf"(?:(?:[Tt]he|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir)(?:\s+[\w-]+['’]s)?(?:\s+(?:new|interim|acting))?\s+(?i:{_ROLE_WORDS})\b"
        rf"(?:\s+(?:of|at)\s+(?:the\s+)?{NAME})?)")
_ROLE = re.compile(ROLE)
_ROLE_IN = re.compile(rf"(?i:\b{_ROLE_WORDS}\b)")
# "the company said", "the bank said": the organisation the story is about
_ORG_NOUNS = ("company firm group bank miner carrier airline automaker carmaker chipmaker drugmaker retailer insurer "
              "lender agency ministry regulator cartel government").split()
_TEAM = r"(?:[Tt]he\s+(?:strategists|analysts|economists|researchers))"  # named by who leads them
# "the Danish drugmaker", "the airline group", "the German shipping group"
ORG_NOUN = rf"(?:[Tt]he\s+(?:[A-Z][a-z]+\s+)?(?:[a-z]+\s+)?(?:central\s+bank|{'|'.join(_ORG_NOUNS)})(?!\w))"
_ORG_NOUN = re.compile(ORG_NOUN)
# A story's lead names its subject first: "Rio Tinto will ship...", "The Bank of Japan raised..."
_LEAD_SUBJECT = re.compile(r"(?:The\s+)?(?:[A-Z][\w-]*\s+(?:[a-z-]+\s+){0,2}(?:group|company|firm|maker|giant|miner|carrier|"
                           r"bank|lender|retailer|airline|automaker|carmaker|chipmaker|insurer|operator|producer|"
                           r"developer)\s+(?=[A-Z]))?(?P<org>[A-Z][\w&.'’-]*(?:\s+(?:of\s+|for\s+|and\s+|&\s+)?[A-Z][\w&.'’-]*){0,5})"
                           r"(?=\s+(?:\([^)]{1,40}\)\s+)?(?:on\s+\w+\s+)?[a-z])")  # "Northwind Inc. (NYSE: NWE) today"
# "By Anna Whitfield": a byline names who wrote the story, not who spoke in it
_BYLINE = re.compile(r"^[ \t]*By[ \t]+(?P<who>[A-Z][\w.'’-]*(?:[ \t]+[A-Z][\w.'’-]*){1,3})[ \t]*$", re.MULTILINE)
# Titles in lower case between an organisation and the person: "Gavi chief executive Sania Nishtar"
LOWER_TITLES = (r"(?:(?:founder|co-founder|chief|executive|officer|and|president|chairman|chairwoman|minister|"
                r"secretary|director|head|analyst|economist|strategist|spokesman|spokeswoman|senior|deputy|"
                r"financial|operating|general|vice|team|principal|manager|coach)\s+)*")
_TITLED = rf"(?:{_CAP}[ \t]+){{1,4}}(?:chief|executive|president|chairman|chairwoman|minister|secretary|director|head|" \
          rf"analyst|economist|strategist|spokesman|spokeswoman|founder|co-founder|deputy|vice|team|principal|manager|coach)\s+" \
          rf"{LOWER_TITLES}{NAME}"
# "the seven-time world champion said", "the 40-year-old told reporters": a person named before,
# called by what they are; not a thing or a body ("the report said", "the club said").
_WORD = (r"(?!(?:and|or|but|of|to|in|on|at|for|by|with|from|as|than|that|this|who|which|it|its|is|are|was|were|be|"
         r"has|have|had|will|would|not|no)\b)")
_DESCRIBED = rf"(?:[Tt]he\s+(?:{_WORD}[\w'’-]+\s+){{0,3}}{_WORD}[a-z][\w'’-]*)"  # "the United head coach"
_THINGS = frozenset(
    "report study survey analysis data document statement forecast figures numbers paper filing letter note release "
    "article research poll index model outlook review guidance projection estimate plan bill budget law rule proposal "
    "deal agreement policy strategy program programme team club side party union league board committee council "
    "government administration police campaign department court office commission authority panel jury court "
    "website site post message memo book film show decision ruling order source sources people public family "
    "statistics results minutes transcript video blog newspaper paper magazine".split())
# "The Department of Energy", "the Bank of Japan", "the University of Oxford": a body named with "of"
_BODY_OF = (r"(?:[Tt]he\s+)?(?:[A-Z][\w&'’-]*\s+){0,2}(?:Department|Ministry|Bank|University|Office|Bureau|Board|"
            r"Institute|Council|Commission|Secretary|Secretariat|Federation|Association|Chamber|Court)\s+of\s+(?:the\s+)?"
            r"[A-Z][\w&'’-]*(?:\s+(?:and\s+)?[A-Z][\w&'’-]*){0,3}")
_PLURAL = r"(?:\s+(?:strategists|analysts|economists|officials|executives|researchers|forecasters))?"
# ", its president Gwynne Shotwell said": a role, then the name
WHO = rf"(?P<who>{ROLE}[ \t]+{NAME}|{ROLE}|{ORG_NOUN}|{_TEAM}|{_BODY_OF}|{_TITLED}|{NAME}|{_PRONOUN}|(?<=, )it){_PLURAL}"
# After a quote, a description is someone named before ('"...," the head coach said'); before one,
# it is as often someone new ("The agency's inspector general said in a report..."), so it is not read.
WHO_AFTER = rf"(?P<who>{ROLE}[ \t]+{NAME}|{ROLE}|{ORG_NOUN}|{_TEAM}|{_BODY_OF}|{_TITLED}|{NAME}|{_PRONOUN}|(?<=, )it|{_DESCRIBED}){_PLURAL}"
# ", the chief executive of General Motors," / ", who runs Tesla and SpaceX," / ", 52,"
APPOSITIVE = r"(?:,\s+(?!and\b|but\b|said\b|says\b)(?P<appositive>[^,\"“”.;:]{1,90}?),)?"
SAY_VERBS = (
    "said says say stated states told tells added adds wrote writes predicted predicts forecast forecasts "
    "expects expected promised promises pledged pledges vowed vows warned warns claimed claims insisted "
    "insists argued argues noted notes explained explains declared declares announced announces "
    "reiterated reiterates projected projects estimated estimates believes believed thinks thought hopes "
    "hoped anticipates anticipated sees maintained maintains acknowledged confirmed confirms suggested "
    "suggests indicated indicates assured assures reckons reckoned contended stressed stresses "
    "emphasized emphasised conceded concedes guaranteed guarantees boasted wants aims intends "
    "expect predict forecast promise pledge vow warn announce estimate project anticipate"
).split()
_WHEN = r"(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|yesterday|today|last\s+week"
SAY = rf"(?:(?:has|had|have|will|would|also|previously|repeatedly|again|earlier|once|then|later|recently|{_WHEN})\s+)*(?P<verb>{'|'.join(SAY_VERBS)})\b"
# Forecasting verbs are predictions in themselves; the saying verbs only report them.
FORECAST_VERBS = frozenset(
    "predicted predicts forecast forecasts expects expected promised promises pledged pledges vowed vows "
    "projected projects estimated estimates anticipates anticipated guaranteed guarantees "
    "expect predict promise pledge vow estimate project anticipate".split()
)

# Words before a name that say what the person is; the name is what follows the last of them.
_TITLES = frozenset(
    "ceo cfo coo cto chief executive officer president vice chairman chairwoman chair chairperson minister "
    "secretary-general councilmember councilman councilwoman alderman assemblyman assemblywoman congressman "
    "congresswoman candidate nominee "
    "prime secretary governor gov. gov senator sen. sen representative rep. rep director founder co-founder "
    "cofounder analyst analysts economist strategist mr. mrs. ms. dr. mr mrs ms dr professor prof. prof "
    "general gen. commissioner chancellor mayor spokesman spokeswoman spokesperson head boss deputy king "
    "queen premier leader coach manager trustee editor correspondent chancellor partner investor "
    "billionaire entrepreneur owner administrator ambassador judge justice attorney envoy lawmaker official "
    "regulator adviser advisor spokesman, then-vice then-president then-prime vp svp evp md speaker majority "
    "minority whip shadow principal".split()
)
# Words in a run that make it an organisation or a place, not a person.
_NOT_PEOPLE = frozenset(
    "inc inc. corp corp. co co. ltd ltd. llc plc group bank reserve conference university institute company "
    "agency administration department ministry commission council committee association party fund exchange "
    "journal times news post reuters bloomberg airlines energy technologies technology systems labs capital "
    "partners securities holdings industries international foundation office board authority court congress "
    "senate parliament motors street states house valley kingdom union nations kong york francisco angeles "
    "city county island bay america europe asia china africa india japan germany france britain russia "
    "federal national world global ai january february march april may june july august september october "
    "november december monday tuesday wednesday thursday friday saturday sunday summit forum index "
    "organization organisation community cup league games olympics day week".split()
)
# Capitalised at the start of a sentence without being a name.
_STARTERS = frozenset((
    "the a an but and or in on at for this that these those it its they we i you our their his her however "
    "meanwhile separately still also yet so then now last next earlier later asked speaking when while "
    "after before since if as with without by from to regarding during although though according "
    "analysts officials experts investors shares sales despite under over about what why how where who "
    "there here some many most all both each every no not one two three other such only even just "
    "overall instead indeed moreover further furthermore first second third finally today yesterday "
    "tomorrow notably"
).split())
_AFTER_PREPOSITION = re.compile(r"\b(?:at|of|for|from|with|by|to|in|on)\s+$")
_LABEL = re.compile(rf"^(?:(?P<who>{NAME})\s*(?:\([^)\n]{{1,80}}\)|(?:(?<=\s)--?|,)\s*[^:\n]{{1,60}})?\s*:|(?P<qa>[QA])\.)\s",
                    re.MULTILINE)  # "Q. When..." and "A. In 2027." as a Q&A may print them
_NOT_LABELS = frozenset({"q", "a", "question", "answer", "operator", "moderator", "interviewer", "note", "analyst",
                         "editor's note", "update", "correction", "source", "photo", "video", "related",
                         # a headline's kicker ("Opinion: The grid is not ready"), not a speaker's turn
                         "opinion", "analysis", "comment", "commentary", "editorial", "exclusive", "explainer",
                         "interview", "transcript", "factbox", "review", "live", "watch", "breaking"})


@dataclass(frozen=True)
class Speaker:
    """A speaker as the text names them, and who that is."""

    as_written: str  # "Musk", "he", "Tesla CEO Elon Musk"
    name: str  # the full name the text gives: "Elon Musk"
    known: str | None  # the ledger's speaker it resolves to, or None when new
    how: str  # named, surname, pronoun, label, alias


@dataclass(frozen=True)
class Mention:
    start: int
    name: str
    aside: bool = False  # "research at Standard Chartered": named, but not who "he" will be


def strip_titles(run: str) -> str:
    """"Tesla CEO Elon Musk" -> "Elon Musk"; "Mr. Powell" -> "Powell"."""
    words = run.split()
    last = max((i for i, w in enumerate(words) if w.lower().strip(",") in _TITLES or w.endswith(("'s", "’s"))),
               default=-1)  # "Morgan Stanley's Mike Wilson"
    return " ".join(words[last + 1:])


def _is_person(name: str) -> bool:
    words = name.split()
    return 2 <= len(words) <= 4 and not any(w.lower().strip(".,'’s") in _NOT_PEOPLE for w in words)


class People:
    """Who the text names and the ledger knows; resolves a name as written to a full name."""

    def __init__(self, text: str, sentences: Sequence[tuple[int, int]], known: Mapping[str, str],
                 persons: Sequence[tuple[int, int]] | None = None, overrides: Mapping[str, str] | None = None):
        self.text = text
        self.known = {name_key(k): v for k, v in known.items()}
        self.overrides = {name_key(k): v for k, v in (overrides or {}).items()}
        self._starts = {start for start, _ in sentences}
        self.proper = self._proper_words(text)
        self.mentions: list[Mention] = []  # filled in order, so a surname resolves to a name before it
        bylines = [(m.start(), m.end(), m["who"]) for m in _BYLINE.finditer(text[:2000])]
        self.byline = bylines[0][2] if len(bylines) == 1 else None  # the author, who speaks in the first person
        # A story its author tells in the first person (an op-ed, a column) is the author's opinion
        # throughout: a forecast in it that nobody else is said to make is the author's.
        unquoted = re.sub(r"[\"“][^\"“”]*[\"”]", "", text)
        self.voice = self.byline if len(re.findall(r"\b(?:I|I['’]m|I['’]ve|my)\b", unquoted)) >= 2 else None
        self._bylines = [(a, b) for a, b, _ in bylines]
        self.mentions = self._mentions(persons)
        self.speaking = self._speaking()
        self.genders: dict[str, str] = {}
        self.genders = self._genders()
        self.roles = self._roles()
        self.lead = self._lead_subject(sentences)

    def _proper_words(self, text: str) -> set[str]:
        """Capitalised words seen somewhere other than a sentence's start: names, not starters."""
        found = set()
        for m in re.finditer(r"(?<=[a-z,;]\s)([A-Z][\w'’\-]+)", text):
            found.add(m[1])
        found.update(re.findall(r"\b[A-Z]{2,6}\b", text))  # OPEC, NASA: acronyms name someone
        found.update(w for w in re.findall(r"(?:^|\n)[ \t]*([A-Z][\w'’-]+),[ \t]+(?:whose|which|who)\b", text)
                     if w.lower() not in _STARTERS)  # "Intel, whose chips power most PCs, said"
        return found

    def _mentions(self, persons: Sequence[tuple[int, int]] | None) -> list[Mention]:
        rule_runs = [(m.start(), m[0], self._name_in(m[0], m.start())) for m in re.finditer(NAME, self.text)]
        if persons is not None:  # a parser's PERSON entities, and the names a title shows to be people
            said = re.compile(rf"\s+{SAY}")  # a name the parser missed that a title or a saying shows a person
            runs = sorted([(s, strip_titles(self.text[s:e])) for s, e in persons] + [
                (start, name) for start, run, name in rule_runs if name and name in run
                and (name != run or (_is_person(name) and (said.match(self.text, start + len(run)) or re.search(
                    rf"\b{re.escape(name.split()[-1])}\s+(?:said|says|told|added)\b", self.text))))
                and not any(s <= start + run.index(name) < e for s, e in persons)])
        else:
            runs = [(start, name) for start, _, name in rule_runs]
        mentions = []
        for start, name in runs:
            aside = bool(_AFTER_PREPOSITION.search(self.text, max(0, start - 6), start)) or any(
                a <= start < b for a, b in self._bylines)
            if name and (_is_person(name) or name_key(name) in self.known or name_key(name) in self.overrides):
                mentions.append(Mention(start, self.full_name(name, start), aside))
        return mentions

    def _speaking(self) -> set[str]:
        """Full names that the text shows speaking ("X said", "said X", "according to X"): a pronoun
        stands for one of them before any other name ("at Standard Chartered, said... he wrote")."""
        found = set()
        pattern = rf"(?P<a>{NAME}){APPOSITIVE},?\s+{SAY}|(?:said|says|according\s+to)\s+(?P<b>{NAME})"
        for m in re.finditer(pattern, self.text):
            if m["verb"] in ("project", "estimate") and not m["appositive"]:
                continue  # "the Simandou project": a noun, not a saying
            name = self._name_in(m["a"] or m["b"], m.start())
            if name:
                found.add(self.full_name(name, m.start()))
        return found

    def _roles(self) -> list[tuple[int, str, str]]:
        """(where, role, full name) for each person named with a role: "Chief Executive Jakob
        Stausholm", "Dan Janki, the company's chief financial officer,", "The company's finance
        chief, Peter Cunningham,"; so "the chief executive" later is the one named so."""
        found = []
        for mention in self.mentions:
            start = mention.start
            at = self.text.find(mention.name.split()[0], start, start + 80)  # after the titles of its run
            at = start if at < 0 else at
            line_start = self.text.rfind("\n", 0, start) + 1
            before = self.text[max(line_start, at - 60): at]
            before = re.split(r"[.;:!?\"“”]", before)[-1]
            after = re.match(r"[\w .'’-]*?,\s+(?P<a>[^,.;:\"“”]{1,80})[,.]", self.text[at: at + 160])
            for words in (before, after["a"] if after else ""):
                if role := _ROLE_IN.search(words):
                    found.append((start, _ROLE_NAMES[" ".join(role[0].lower().split())], mention.name))
        return found

    def by_role(self, who: str, position: int) -> str | None:
        """The person a role stands for: the last one named with it before ``position``."""
        role = _ROLE_IN.search(who)
        key = _ROLE_NAMES[" ".join(role[0].lower().split())] if role else None
        named = [name for start, r, name in self.roles if r == key and start < position]
        return named[-1] if named else None

    def _lead_subject(self, sentences: Sequence[tuple[int, int]]) -> str | None:
        """What the story is about, when its lead opens on an organisation: the subject of the
        first sentence of the body (after the headline, the byline and a dateline) unless it
        is a person."""
        for start, end in sentences[:6]:
            sentence = self.text[start:end]
            if any(a <= start < b for a, b in self._bylines) or len(sentence.split()) < 6 or not re.search(
                    r"[.!?\"”]$", sentence):
                continue  # a byline, a headline
            dateline = DATELINE.match(sentence)
            m = _LEAD_SUBJECT.match(sentence, dateline.end() if dateline else 0)
            if m is None:
                return None
            org = m["org"]
            words = org.split()
            # A person is called by the surname after ("Barra said"), a company by its first word
            # or whole ("Novo's shares", "Maersk now expects").
            surname = len(words) > 1 and re.search(rf"\b{re.escape(words[-1])}\s+(?:said|says|told|added|predicted)\b",
                                                    self.text[m.end():])
            named = any(mention.name != org and mention.name.endswith(org) for mention in self.mentions)  # "Barra"
            if strip_titles(org) != org or words[0].lower() in _STARTERS or re.fullmatch(_PRONOUN, org) or surname or named:
                return None
            return org
        return None

    def _name_in(self, run: str, start: int) -> str:
        words = run.split()
        if start in self._starts and words and words[0].lower() in _STARTERS:
            words = words[1:]
        return strip_titles(" ".join(words))

    def full_name(self, name: str, position: int) -> str:
        """A surname stands for the last full name before it that ends with it."""
        if len(name.split()) > 1 or not name:
            return name
        earlier = [m for m in self.mentions if m.start < position and len(m.name.split()) > 1]
        for mention in reversed(earlier):
            if mention.name.split()[-1] == name:
                return mention.name
        for mention in reversed(earlier):  # Chinese and Korean names put the family name first
            if mention.name.split()[0] == name:
                return mention.name
        for full in self.known.values():
            if full.split()[-1] == name and len(full.split()) > 1:
                return full
        return name

    def last_person(self, position: int, pronoun: str = "") -> str | None:
        """The person last shown speaking before ``position`` (else the last named); for "he" or
        "she", not one the text has already called by the other pronoun."""
        other = {"he": "she", "she": "he"}.get(pronoun.lower())
        before = [m for m in self.mentions if m.start < position and not m.aside
                  and (other is None or self.genders.get(m.name) != other)]
        if pronoun and position in self._starts:  # "The Chancellor, Rachel Reeves, welcomed it. She said..."
            previous = max((start for start in self._starts if start < position), default=None)
            if previous is not None and "\n" not in self.text[previous:position].strip():
                opening = [m for m in before if previous <= m.start <= previous + 40
                           and not re.search(r"[.;]", self.text[previous:m.start])]
                if opening:
                    return opening[0].name
        if pronoun and position not in self._starts and (opener := self._opener(position)) and \
                self.genders.get(opener) != other:
            return opener  # "Hamilton, 40, has a contract and said he expected...": the sentence's subject
        speaking = [m for m in before if m.name in self.speaking]
        if speaking:
            return speaking[-1].name
        return before[-1].name if before else None

    def last_named(self, position: int) -> str | None:
        """The person last named before ``position``, by full name or surname."""
        names = {m.name for m in self.mentions}
        found = speaking = None
        for m in _NAME.finditer(self.text, max(0, position - 600), position):
            name = self._name_in(m[0], m.start())
            full = self.full_name(name, m.start()) if name else None
            if full in names and not _AFTER_PREPOSITION.search(self.text, max(0, m.start() - 6), m.start()) and not re.search(
                    r"\b(?:a|an|the)\s+(?:[\w-]+\s+)?$", self.text[max(0, m.start() - 30): m.start()]):  # "a three-time Super Bowl champion"
                found = full
                speaking = full if full in self.speaking else speaking
        return speaking or found or self.last_person(position)  # a person, not "Manchester United"

    def _opener(self, position: int) -> str | None:
        """The person a sentence opens on ("Hamilton, 40, has..."), named before, if the words
        from there to ``position`` hold no other sentence, quote or name."""
        start = max((s for s in self._starts if s < position), default=None)
        if start is None:
            return None
        head = self.text[start: position]
        head = head[dateline.end():] if (dateline := DATELINE.match(head)) else head
        m = re.match(rf"({NAME})(?:,[^,\"“”]{{1,40}},)?\s+[a-z]", head)
        if m is None or re.search(r"[.;:\"“”]|\b[A-Z][a-z]+\s+[A-Z]", head[m.end(1):]):
            return None
        name = self._name_in(m[1], start)
        full = self.full_name(name, start) if name else None
        return full if full and any(mention.name == full for mention in self.mentions) else None

    def first_speaking_after(self, position: int) -> Speaker | None:
        """The first person named after ``position`` whom the text shows speaking."""
        after = [m for m in self.mentions if m.start >= position and not m.aside and m.name in self.speaking]
        return self._known(after[0].name, after[0].name, "named") if after else None

    def _genders(self) -> dict[str, str]:
        """Who the text calls "he" and who "she": each "he said" or "she added", in order, binds
        its pronoun to the person it stands for, so that "The Chancellor, Rachel Reeves, said...
        She added" after "He said" is not read as the man who spoke before her."""
        self.genders = {}
        for m in _PRONOUN_SAYS.finditer(self.text):
            pronoun = m[1].lower()
            person = self.last_person(m.start(), pronoun)
            if person and person not in self.genders:
                self.genders[person] = pronoun
        return self.genders

    def speaker(self, who: str, position: int) -> Speaker | None:
        """The speaker ``who`` (as written at ``position``) names, or None if it names nobody."""
        if _ORG_NOUN.fullmatch(who) or who == "it":
            return self._known(who, self.lead, "role") if self.lead else None  # "the miner said"
        bare = who.removeprefix("The ").rstrip(".")
        if self.lead and len(who) > 2 and (re.match(rf"{re.escape(bare)}\b", self.lead)
                                           or bare in re.split(r"[\s-]+", self.lead)[1:]):  # "Maersk" for "A.P. Moller-Maersk"
            return self._known(who, self.lead, "named")  # "Northwind Energy Inc." as the lead names it
        if _ROLE.fullmatch(who) and (named := self.by_role(who, position)):
            return self._known(who, named, "role")  # "the chief executive": the one named so
        if _ROLE.fullmatch(who) and not any(m.start < position and not m.aside for m in self.mentions):
            return self.first_speaking_after(position)  # a lead's "its governor said...", named below
        if re.fullmatch(_PRONOUN, who) or _ROLE.fullmatch(who):
            person = self.last_person(position, who)  # "he", "the Chancellor": the person last shown speaking
            return self._known(who, person, "pronoun" if len(who) <= 3 else "role") if person else None
        if re.fullmatch(_DESCRIBED, who):
            head = who.split()[-1].lower()
            if head in _THINGS or head in _NOT_PEOPLE or head in _ORG_NOUNS or re.search(r"[^s]s$", head):
                return None  # a thing, a body, or more than one ("the companies said")
            person = self.last_named(position)  # "the seven-time world champion said": the one named last
            return self._known(who, person, "role") if person else None
        if who.lower() in _NOT_PEOPLE:
            return None  # "Siemens on Thursday forecast": a day does not speak
        override = self.overrides.get(name_key(who)) or self.overrides.get(name_key(strip_titles(who)))
        if override:  # the user's --speaker "Musk=Elon Musk"
            known = self.known.get(name_key(override))
            return Speaker(who, known or override, known, "given")
        name = self._name_in(who, position)
        if not name:
            return None
        words = name.split()
        if len(words) == 1 and name not in self.proper and name_key(name) not in self.known:
            full = self.full_name(name, position)
            if full == name:
                return None  # "Analysts said": a capitalised word at a sentence's start, not a name
        if any(w.lower() in _STARTERS for w in words[:1]) and len(words) == 1:
            return None
        full = self.full_name(name, position)
        return self._known(who, full, "named" if full == name else "surname")

    def described(self, who: str, description: str, position: int) -> Speaker | None:
        """A single capitalised word that the text describes ("Renault, the plant's main customer,
        said"): a name, though it opens its sentence, since "Analysts, the ..." is never written."""
        if not re.fullmatch(r"[A-Z][\w&'’-]+", who) or who.lower() in _STARTERS or who.lower() in _NOT_PEOPLE:
            return None
        if not re.match(r"(?:the|a|an|its|one\s+of)\s", description.strip()):
            return None
        return self._known(who, self.full_name(who, position), "named")

    def _known(self, who: str, full: str, how: str) -> Speaker:
        full = full or who
        known = self.known.get(name_key(full))
        return Speaker(who, known or full, known, "alias" if known and name_key(known) != name_key(full) else how)

    def _interviewee(self, position: int) -> str | None:
        """Who answers in a Q&A: the person its introduction names first, before the first turn."""
        top = len(self.text) - len(self.text.lstrip())
        first_turn = next((m.start() for m in _LABEL.finditer(self.text) if m.start() > top), position)
        named = [m.name for m in self.mentions if m.start < first_turn and not m.aside]
        if not named:  # a name the parser did not take for a person: the intro's first name that could be one
            named = [name for m in _NAME.finditer(self.text, 0, first_turn)
                     if _is_person(name := self._name_in(m[0], m.start())) and not any(
                         a <= m.start() < b for a, b in self._bylines) and m.start() > top]
        return named[0] if named else None

    def labels(self) -> list[tuple[int, int, Speaker]]:
        """Transcript labels ("MARY BARRA:", "Elon Musk (CEO):") with the offset they start at."""
        found = []
        for m in _LABEL.finditer(self.text):
            who = m["who"] or m["qa"]
            if DATELINE.match(self.text[m.start(): m.start() + 120]):
                continue  # "HOUSTON, Feb. 12, 2025 /PRNewswire/ -- Northwind (NYSE: NWE)": a dateline
            if who.lower() in ("a", "answer") and (answerer := self._interviewee(m.start())):
                found.append((m.start(), m.end(), self._known(who, answerer, "label")))
                paragraph_end = re.compile(r"\n\s*\n").search(self.text, m.end())
                if paragraph_end:  # an answer is its paragraph: what follows an interview is the reporter's
                    found.append((paragraph_end.end(), paragraph_end.end(), Speaker("", "", None, "label-none")))
                continue
            if who.lower() in _NOT_LABELS or len(who) < 2:
                found.append((m.start(), m.end(), Speaker(who, who, None, "label-none")))
                continue
            words = who.title() if who.isupper() else who
            full = self.full_name(strip_titles(words), m.start())
            found.append((m.start(), m.end(), self._known(who, full, "label")))
        return found
