"""The report's queries: the claims in scope, each with one state code computed by the database,
grouped by speaker and year, tag, and stated probability, and streamed in speaker order."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from operator import itemgetter

from sqlalchemy import Date, Integer, String, and_, case, cast, exists, extract, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, aliased

from ledger.errors import NotFound
from ledger.services.people import require_speaker
from ledger.domain.report import (
    AMBIGUOUS, AWAITING, DISPUTED, FALSE, OPEN, OVERDUE, PARTIAL, TRUE, TRUE_LATE, Credit, DueClaims, LateTagRow, ReportOptions,
    TagRow, Tallies, add_late_days, count_states, due_claims, tag_rows,
)
from ledger.store.dialect import json_field
from ledger.store.models import Claim, ClaimTag, JournalEntry, Speaker

_BATCH = 10_000


@dataclass
class Scope:
    options: ReportOptions
    credit: Credit
    state: object  # the SQL CASE giving each claim its state code
    occurred: object  # the date its outcome occurred, by that same verdict
    where: list  # the claims in scope, every speaker (the prior is fitted on them all)
    speaker_ids: list[int] | None  # --speaker, in the order given; None: every speaker
    withdrawn: int = 0  # withdrawn claims of these dates, tag and speakers
    dated: list = field(default_factory=list)  # ``where`` with the withdrawn claims too

    def details(self) -> list:
        """The claims whose details are shown: in scope and of the speakers asked for."""
        if self.speaker_ids is None:
            return self.where
        return [*self.where, Claim.speaker_id.in_(self.speaker_ids)]


class _Statements(dict):
    """The report's statements compiled once per process and kind of database, whichever ledger
    (engine) runs them: SQLAlchemy keys its cache by the dialect object, which every new engine
    has anew, so a process running several reports (the scheduler, publish, a test run, the
    benchmark) would otherwise compile the big state CASE again for each. Statements differ only
    by their bound values between reports (dates, speaker ids), so they are few."""

    LIMIT = 500  # structures (a filter given or not, a policy...), not reports

    @staticmethod
    def _kind(key: tuple) -> tuple:
        dialect, *rest = key
        return (type(dialect), dialect.server_version_info, dialect.paramstyle, *rest)

    def get(self, key, default=None):
        return super().get(self._kind(key), default)

    def __setitem__(self, key, value) -> None:
        if len(self) >= self.LIMIT:
            self.clear()
        super().__setitem__(self._kind(key), value)


_STATEMENTS = _Statements()


def reading(session: Session) -> Connection:
    """The session's connection, compiling through the process's statement cache."""
    return session.connection().execution_options(compiled_cache=_STATEMENTS)


def _state(status, outcome, occurred, as_of: date):
    """The state code of a claim with this verdict on ``as_of``."""
    c = Claim
    return case(
        (status == "disputed", DISPUTED),
        (or_(outcome.is_(None), occurred > as_of), _unresolved(as_of)),
        (outcome == "ambiguous", AMBIGUOUS),
        (c.deadline >= as_of, AWAITING),
        (outcome == "false", FALSE),
        (outcome == "partial", PARTIAL),
        (or_(occurred.is_(None), occurred <= c.deadline), TRUE),
        else_=TRUE_LATE,
    )


def _unresolved(as_of: date):
    return case((Claim.deadline < as_of, OVERDUE), else_=OPEN)


def _end_of(as_of: date) -> datetime:
    return datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=timezone.utc)


def _changed_since(end: datetime):
    """Claims whose verdict may have changed at or after ``end``. Every review sets ``resolved_at``
    to its own time when it settles the claim and clears it otherwise, so a resolved claim settled
    before ``end`` has had no review since; a claim never reviewed nor edited is at version 1. Only
    the claims left (settled later, disputed, or reviewed below the quorum) need their history."""
    return or_(Claim.resolved_at >= end, and_(Claim.status != "resolved", Claim.version > 1))


def _as_it_stood(end: datetime, *columns):
    """A scalar subquery over the claim's latest journal snapshot recorded before ``end``."""
    j = JournalEntry
    return (
        select(*columns)
        .where(j.entity == "claim", j.entity_id == Claim.id, j.at < end)
        .order_by(j.seq.desc())
        .limit(1)
        .scalar_subquery()
    )


def _snapshot_field(key: str, type_=String):
    return json_field(JournalEntry.payload, key, type_)


@lru_cache(maxsize=16)  # built once per report date: expressions are immutable
def state_of(as_of: date):
    """Each claim's state on ``as_of``, with the verdict it had at the end of that day (UTC): its
    current one unless reviewed since, else the one its journal held then (none if it had none)."""
    end = _end_of(as_of)
    stood = _state(_snapshot_field("status"), _snapshot_field("outcome"), _snapshot_field("occurred", Date), as_of)
    return case(
        (_changed_since(end), func.coalesce(_as_it_stood(end, stood), _unresolved(as_of))),
        else_=_state(Claim.status, Claim.outcome, Claim.occurred, as_of),
    )


@lru_cache(maxsize=16)  # built once per report date: expressions are immutable
def occurred_of(as_of: date):
    """The date each claim's outcome occurred by the verdict it had on ``as_of`` (see state_of)."""
    end = _end_of(as_of)
    return case(
        (_changed_since(end), _as_it_stood(end, _snapshot_field("occurred", Date))), else_=Claim.occurred
    )


@lru_cache(maxsize=16)  # built once per report date: expressions are immutable
def outcome_of(as_of: date):
    """The outcome each claim had on ``as_of`` (see state_of): what a track record shows."""
    end = _end_of(as_of)
    return case((_changed_since(end), _as_it_stood(end, _snapshot_field("outcome"))), else_=Claim.outcome)


def scope_of(session: Session, options: ReportOptions, *, count_withdrawn: bool = True) -> Scope:
    """The claims a report is on; ``count_withdrawn`` False leaves the count of withdrawn claims to
    the caller (``speaker_claims`` counts them as it reads)."""
    conn = reading(session)
    where = [Claim.said <= options.as_of]
    if options.since:
        where.append(Claim.said >= options.since)
    if options.until:
        where.append(Claim.said <= options.until)
    if options.tag is not None:
        tagged = select(ClaimTag.claim_id).where(ClaimTag.tag == options.tag)
        if conn.scalar(tagged.limit(1)) is None:
            raise NotFound(f"no claim is tagged {options.tag!r} (see `claims list`)")
        where.append(Claim.id.in_(tagged))
    speaker_ids = None
    if options.speakers:
        speaker_ids = list(dict.fromkeys(require_speaker(session, name).id for name in options.speakers))
    # Withdrawn claims are left out but counted: a reader is told how many were taken back, so a
    # record cannot be polished by withdrawing its misses unseen.
    mine = [Claim.speaker_id.in_(speaker_ids)] if speaker_ids is not None else []
    withdrawn = 0
    if count_withdrawn:
        withdrawn = conn.scalar(select(func.count()).select_from(Claim).where(*where, *mine, Claim.withdrawn_at.isnot(None))) or 0
    dated = list(where)
    if not options.withdrawn:
        where.append(Claim.withdrawn_at.is_(None))
    return Scope(options, Credit(options), state_of(options.as_of), occurred_of(options.as_of), where, speaker_ids, withdrawn,
                 dated)


def speaker_names(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    query = select(Speaker.id, Speaker.name)
    if len(wanted) <= 1000:
        query = query.where(Speaker.id.in_(wanted))
    return {i: name for i, name in conn.execute(query) if i in wanted}


class BySpeaker:
    """Rows of a query ordered by speaker id, handed out one speaker at a time, in id order."""

    def __init__(self, rows: Iterable):
        self._rows = iter(rows)
        self._next = next(self._rows, None)

    def take(self, speaker_id: int) -> list:
        out = []
        while self._next is not None and self._next[0] <= speaker_id:
            if self._next[0] == speaker_id:
                out.append(self._next)
            self._next = next(self._rows, None)
        return out


def _speaker_key(speaker_id):
    """A speaker id to group or order by that is not the bare column: ordered by the column,
    SQLite walks the speaker index and fetches every claim from the table in random order, several
    times slower on a large ledger than reading the table through and sorting the rows kept.
    PostgreSQL scans and sorts either way."""
    return speaker_id + 0


def streamed(conn: Connection, query) -> Iterator:
    """Rows as plain tuples, a batch at a time. Not through a server-side cursor: PostgreSQL runs a
    cursor's query without parallel workers and each batch costs a round trip, while the results
    here are aggregates or compact tuples that fit in memory."""
    return itertools.chain.from_iterable(conn.execute(query).partitions(_BATCH))


def plain(conn: Connection, query) -> Iterator[tuple]:
    """The rows of ``query`` as the driver's own tuples, each column converted by its type's
    result processor only where it has one (SQLite's dates are text): the values ``streamed``
    gives, without a SQLAlchemy Row built per row, which cost more than the report's arithmetic
    on the claims past their deadline. The statement still compiles through the cache."""
    result = conn.execute(query)
    try:
        cursor, dialect = result.cursor, conn.dialect
        converters = [
            (i, convert) for i, (column, described) in enumerate(zip(query.selected_columns, cursor.description))
            if (convert := column.type.dialect_impl(dialect).result_processor(dialect, described[1])) is not None
        ]
        while batch := cursor.fetchmany(_BATCH):
            if converters:
                columns = list(zip(*batch))
                for i, convert in converters:
                    columns[i] = map(convert, columns[i])
                batch = zip(*columns)
            yield from batch
    finally:
        result.close()


def _state_counts(scope: Scope, where: list):
    inner = select(
        Claim.speaker_id, cast(extract("year", Claim.deadline), Integer).label("year"), scope.state.label("state")
    ).where(*where).subquery()
    # Not grouped speaker first: SQLite would then walk the speaker index (see _speaker_key).
    return select(inner.c.speaker_id, inner.c.year, inner.c.state, func.count()).group_by(
        inner.c.state, inner.c.year, inner.c.speaker_id
    )


def tallies_of(conn: Connection, scope: Scope, where: list | None = None) -> Tallies:
    """Claims per speaker, deadline year and state, of every speaker in scope (what the prior is
    fitted on) or of the claims ``where`` says."""
    where = scope.where if where is None else where
    tallies = count_states(streamed(conn, _state_counts(scope, where)))
    if scope.options.policy == "decay":
        late = select(Claim.speaker_id, Claim.deadline, scope.occurred).where(*where, scope.state == TRUE_LATE)
        add_late_days(tallies, streamed(conn, late))
    return tallies


def report_claims(conn: Connection, scope: Scope, where: list, lateness: bool = True) -> tuple[Tallies, dict[int, DueClaims]]:
    """The tallies of the claims ``where`` says, and each speaker's forecasts, lateness and events,
    in two reads of ``claims``: the claims not yet due only counted, grouped; those past their
    deadline (the only ones scored or late) one row each, with their state computed once for all
    the figures (``due_claims``)."""
    as_of = scope.options.report_date
    tallies = count_states(plain(conn, _state_counts(scope, [*where, Claim.deadline >= as_of])))
    due = select(
        Claim.speaker_id, scope.state, Claim.probability, Claim.confidence, Claim.event, Claim.said, Claim.deadline,
        scope.occurred,
    ).where(*where, Claim.deadline < as_of)
    return tallies, due_claims(plain(conn, due), tallies, scope.options.policy == "decay", as_of, lateness)


_TAG_SEPARATOR = "\n"  # never in a tag: clean_tag turns every run of white space into one -


@dataclass
class SpeakerClaims:
    """What a report on the speakers asked for reads, once the prior is stored."""

    tallies: Tallies
    due: dict[int, DueClaims]
    tags: list[TagRow]
    late_tags: list[LateTagRow]
    withdrawn: int
    chained: list[tuple]  # the rows of ``track.chain_query``: claims that restate one or are restated


def speaker_claims(conn: Connection, scope: Scope) -> SpeakerClaims:
    """The claims of the speakers asked for in one read through the (speaker, said) index, each
    with its state, its tags and whether it was withdrawn: the tallies, forecasts, lateness,
    events, per-tag counts and the withdrawn count are all made from those rows."""
    assert scope.speaker_ids is not None
    options = scope.options
    tags = select(func.aggregate_strings(ClaimTag.tag, _TAG_SEPARATOR)).where(ClaimTag.claim_id == Claim.id).scalar_subquery()
    # Restated by any claim, through the index on restates_id, as ``track.chain_query`` finds them.
    restating = aliased(Claim)
    restated = exists().where(restating.restates_id == Claim.id)
    query = select(
        Claim.speaker_id, scope.state, Claim.probability, Claim.confidence, Claim.event, Claim.said, Claim.deadline,
        scope.occurred, Claim.withdrawn_at.isnot(None), tags,
        Claim.id, Claim.deadline_text, Claim.restates_id, outcome_of(options.report_date), restated,
    ).where(*scope.dated, Claim.speaker_id.in_(scope.speaker_ids))
    withdrawn, kept, tagged, chained = 0, [], [], []
    for row in plain(conn, query):
        speaker_id, state, _, _, _, said, deadline, occurred, gone, tag_list, claim_id, text, restates, outcome, linked = row
        if gone:
            withdrawn += 1
            if not options.withdrawn:
                continue
        kept.append(row[:8])
        if tag_list:
            tagged += [(speaker_id, tag, state, deadline, occurred) for tag in tag_list.split(_TAG_SEPARATOR)]
        if restates is not None or linked:
            chained.append((speaker_id, claim_id, said, deadline, text, restates, outcome, occurred))
    tallies = Tallies({}, {})
    due = due_claims(kept, tallies, options.policy == "decay", options.report_date)
    chained.sort(key=itemgetter(0, 1))
    return SpeakerClaims(tallies, due, *tag_rows(tagged), withdrawn, chained)


def tag_query(scope: Scope):
    inner = (
        select(Claim.speaker_id, ClaimTag.tag, scope.state.label("state"))
        .join(ClaimTag, ClaimTag.claim_id == Claim.id)
        .where(*scope.details())
        .subquery()
    )
    keys = (inner.c.speaker_id, inner.c.tag, inner.c.state)
    return select(*keys, func.count()).group_by(*keys).order_by(*keys)


def late_tag_query(scope: Scope):
    return (
        select(Claim.speaker_id, ClaimTag.tag, Claim.deadline, scope.occurred)
        .join(ClaimTag, ClaimTag.claim_id == Claim.id)
        .where(*scope.details(), scope.state == TRUE_LATE)
        .order_by(_speaker_key(Claim.speaker_id), ClaimTag.tag)
    )
