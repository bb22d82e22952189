"""Full-text search, the backend-free part: what text a claim is found by, and the query language
every backend is given (words, "quoted phrases", OR, and -word to leave a word out).

A query is checked here, once, so bad syntax is a one-line error before any SQL runs; each backend
(ledger.store.dialect) writes the checked terms in its own syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ledger.domain.text import within
from ledger.errors import InvalidInput

_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+)|(?P<quote>")')
_WORD = re.compile(r"\w+")


def document(
    text: str, quote: str | None, speaker: str, aliases: Iterable[str], source_title: str | None, source_text: str | None
) -> str:
    """The text a claim is found by: its words, the speaker's quote, every name of the speaker and
    its source's title and stored text, one per line. `claims verify` recomputes it with this."""
    parts = [text, quote, speaker, *sorted(aliases), source_title, source_text]
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase's words in order
    excluded: bool = False  # -word: claims with it are left out


@dataclass(frozen=True)
class Query:
    """Alternatives (joined by OR), each a conjunction of terms; at least one term in each is not
    excluded, since "everything but" is not a search."""

    alternatives: tuple[tuple[Term, ...], ...]

    def words(self) -> list[str]:
        """The words to highlight: every one that is looked for."""
        return [w for group in self.alternatives for t in group if not t.excluded for w in t.words]


def parse_query(raw: str) -> Query:
    """Check a query; a one-line InvalidInput says what is wrong with it."""
    text = within(raw or "", "query")
    groups: list[list[Term]] = [[]]
    for match in _TOKEN.finditer(text):
        if match["quote"] is not None:
            raise InvalidInput(f"unbalanced quote in {raw!r}: close the phrase with a second \"")
        if match["phrase"] is not None:
            words = tuple(_WORD.findall(match["phrase"].casefold()))
            if not words:
                raise InvalidInput(f"an empty phrase in {raw!r}: put words between the quotes")
            groups[-1].append(Term(words))
            continue
        token = match["word"]
        if token == "OR":
            if not groups[-1]:
                raise InvalidInput(f"OR needs words on both sides, in {raw!r}")
            groups.append([])
            continue
        excluded = token.startswith("-")
        words = tuple(_WORD.findall(token.casefold()))
        if not words:
            raise InvalidInput(f"{token!r} in {raw!r} has no letters or digits to search for")
        groups[-1].extend(Term((w,), excluded) for w in words)
    if not any(groups):
        raise InvalidInput("an empty query: give a word to search for, e.g. claims search robotaxi")
    if not groups[-1]:
        raise InvalidInput(f"OR needs words on both sides, in {raw!r}")
    for group in groups:
        if all(t.excluded for t in group):
            raise InvalidInput(f"{raw!r} only leaves words out: say what to look for as well")
    return Query(tuple(tuple(g) for g in groups))


def fts5_query(query: Query) -> str:
    """SQLite FTS5 MATCH syntax: every word quoted (so none is read as an operator), AND by
    juxtaposition, NOT after what it narrows."""
    def group(terms: Sequence[Term]) -> str:
        wanted = " ".join('"' + " ".join(t.words) + '"' for t in terms if not t.excluded)
        unwanted = "".join(' NOT "' + " ".join(t.words) + '"' for t in terms if t.excluded)
        return f"({wanted}{unwanted})"

    return " OR ".join(group(g) for g in query.alternatives)


def tsquery(query: Query) -> str:
    """PostgreSQL to_tsquery syntax over plain words: & and | and !, phrases with <->. The words
    hold only letters, digits and _ (parse_query keeps nothing else), so none can be an operator."""
    def term(t: Term) -> str:
        body = " <-> ".join(t.words)
        body = f"({body})" if len(t.words) > 1 else body
        return f"!{body}" if t.excluded else body

    return " | ".join("(" + " & ".join(term(t) for t in g) + ")" for g in query.alternatives)
