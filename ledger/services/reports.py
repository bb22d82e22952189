"""Accuracy reports on repeat forecasters: how often a speaker's claims come true, how late, on
which topics, and whether it is getting better. docs/report.md documents every key and rule.

When a claim counts, on the report date D (``--as-of``, default today):

- A claim said after D, or outside --since/--until (dates said), is left out.
- Its verdict is the current one in the ledger, except that an outcome that occurred after D
  is not known yet on D.
- *open*: no verdict and the deadline not passed (deadline >= D); *overdue*: no verdict and the
  deadline passed: shown, never scored; *disputed*: reviewers disagree; *resolved*: a verdict.
- A verdict is *scored* only once the claim's deadline has passed (deadline < D). A claim that
  came true early waits for its deadline (``awaiting_deadline``): early trues arrive before the
  falses of the same cohort, which only arrive at the deadline, so counting them at once would
  flatter every speaker. Ambiguous verdicts are counted and shown, never scored.

How it is computed: the database gives every claim one state code (a single CASE) and groups by
speaker and year, speaker and tag, and speaker and stated probability; only the lateness curve
needs one small tuple per due claim. Every query is ordered by speaker, so speakers are assembled
one at a time as the report is read, inside one read transaction so all the queries see the same
ledger. The results are aggregates, not claims: PostgreSQL sends each whole (the report peaks at
190 MB on a million claims), SQLite steps through them. The figures come from ``ledger.domain.scoring``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from operator import itemgetter

from sqlalchemy import Integer, and_, case, cast, extract, func, not_, or_, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ledger.domain import scoring
from ledger.domain.claims import clean_tag
from ledger.domain.hedges import SOURCE as HEDGE_SOURCE
from ledger.domain.hedges import hedge_probability
from ledger.errors import InvalidInput, NotFound
from ledger.services.people import require_speaker
from ledger.store.engine import Ledger
from ledger.store.models import Claim, ClaimTag, Speaker

LEADERBOARD_MIN_RESOLVED = 5
_BATCH = 10_000

# A claim's state on the report date: one code per claim, computed once by the database.
OPEN, OVERDUE, DISPUTED, AMBIGUOUS, AWAITING, FALSE, TRUE, TRUE_LATE, PARTIAL = range(9)
_STATES = 9
_SCORED = (FALSE, TRUE, TRUE_LATE, PARTIAL)


@dataclass(frozen=True)
class ReportOptions:
    """What to report on and how to score it: the options of `claims report`."""

    speakers: tuple[str, ...] = ()
    tag: str | None = None
    since: date | None = None
    until: date | None = None
    as_of: date | None = None
    policy: str = "strict"
    half_life: float | None = None  # days; only with the decay policy
    min_resolved: int = 0  # leave out speakers with fewer scored claims

    def checked(self) -> ReportOptions:
        if self.policy not in scoring.POLICIES:
            raise InvalidInput(f"unknown scoring policy {self.policy!r}; use one of {', '.join(scoring.POLICIES)}")
        if self.half_life is not None and self.policy != "decay":
            raise InvalidInput("--half-life applies only to --policy decay")
        if self.half_life is not None and not self.half_life > 0:
            raise InvalidInput(f"the half-life must be a positive number of days, got {self.half_life:g}")
        if self.min_resolved < 0:
            raise InvalidInput(f"--min-resolved must be 0 or more, got {self.min_resolved}")
        as_of = self.as_of or date.today()
        if self.since and self.until and self.since > self.until:
            raise InvalidInput(f"--since {self.since} is after --until {self.until}")
        if self.since and self.since > as_of:
            raise InvalidInput(f"--since {self.since} is after the report date {as_of} (--as-of)")
        tag = clean_tag(self.tag) if self.tag is not None else None
        return replace(self, as_of=as_of, tag=tag)

    @property
    def decay_half_life(self) -> float:
        return self.half_life if self.half_life is not None else scoring.DEFAULT_HALF_LIFE


@dataclass
class Report:
    """A report being read: the header (date, policy, prior...) and the speakers, computed one at a
    time while they are iterated (inside ``open_report``)."""

    header: dict
    count: int  # how many speakers ``speakers`` will yield
    speakers: Iterator[dict]


# --- public entry points -----------------------------------------------------------------------


@contextmanager
def open_report(ledger: Ledger, options: ReportOptions = ReportOptions(), *, curves: bool = False) -> Iterator[Report]:
    """The per-speaker report, streamed; ``curves`` adds each speaker's Kaplan–Meier lateness curve."""
    options = options.checked()
    with _reading(ledger) as session:
        conn = session.connection()
        scope, tallies, prior, ids = _prepare(session, conn, options)
        yield Report(_header(options, prior), len(ids), _speakers(conn, scope, tallies, prior, ids, curves))


def _prepare(session: Session, conn: Connection, options: ReportOptions):
    """What both the report and the leaderboard start from: the scope, the tallies, the fitted
    prior and the speakers to show."""
    scope = _scope(session, options)
    tallies = _tallies(conn, scope)
    return scope, tallies, _prior(tallies, scope.credit), _shown(scope, tallies)


def accuracy_report(ledger: Ledger, options: ReportOptions = ReportOptions(), *, curves: bool = False) -> dict:
    """The whole report as one dict (JSON shape in docs/report.md); for big ledgers use ``open_report``."""
    with open_report(ledger, options, curves=curves) as report:
        return report.header | {"speakers": list(report.speakers)}


def speaker_report(ledger: Ledger, speaker: str, as_of: date | None = None, policy: str = "strict",
                   half_life: float | None = None) -> dict:
    """One speaker's report with the lateness curve: what `claims demo` shows and writes as HTML."""
    options = ReportOptions(speakers=(speaker,), as_of=as_of, policy=policy, half_life=half_life)
    return accuracy_report(ledger, options, curves=True)


def leaderboard(ledger: Ledger, options: ReportOptions = ReportOptions(min_resolved=LEADERBOARD_MIN_RESOLVED)) -> dict:
    """Speakers with at least ``min_resolved`` scored claims, ranked by the shrunk hit rate.

    Never by the raw rate: 2 out of 2 is not a better record than 45 out of 50. The Brier score
    ranks separately (``brier_rank``, lower is better) among speakers who gave probabilities.
    """
    options = options.checked()
    with _reading(ledger) as session:
        conn = session.connection()
        scope, tallies, prior, ids = _prepare(session, conn, options)
        names = _names(conn, ids)
        forecasts = _BySpeaker(_streamed(conn, _forecast_query(scope)))
        rows = []
        for speaker_id in ids:
            counts = tallies.totals.get(speaker_id) or _Counts()
            k, n = scope.credit.hits(counts), counts.scored
            scores = _forecast_summary(forecasts.take(speaker_id))
            rows.append({
                "speaker": names[speaker_id], "speaker_id": speaker_id,
                "claims": counts.claims, "resolved": counts.resolved, "scored": n,
                **_rate(k, n), "shrunk_hit_rate": scoring.shrunk_rate(k, n, prior.beta_prior),
                "brier": scores["brier"], "brier_n": scores["brier_n"],
            })
    rows.sort(key=lambda r: (-r["shrunk_hit_rate"], _or_worst(r["brier"]), r["speaker"].casefold()))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
        row["brier_rank"] = None
    for rank, row in enumerate(sorted((r for r in rows if r["brier"] is not None), key=lambda r: (r["brier"], r["rank"])), 1):
        row["brier_rank"] = rank
    ranked_by = (
        "shrunk_hit_rate, highest first: each record pulled toward the prior fitted across all speakers, "
        "so a few lucky claims cannot top the table; never the raw hit rate. brier_rank ranks the speakers "
        "who gave probabilities (stated or hedge words) by Brier score, lowest first."
    )
    return _header(options, prior) | {"ranked_by": ranked_by, "speakers": rows}


def _or_worst(brier: float | None) -> float:
    return 2.0 if brier is None else brier


# --- scope, reading ----------------------------------------------------------------------------


@dataclass
class _Scope:
    options: ReportOptions
    credit: _Credit
    state: object  # the SQL CASE giving each claim its state code
    where: list  # the claims in scope, every speaker (the prior is fitted on them all)
    speaker_ids: list[int] | None  # --speaker, in the order given; None: every speaker

    def details(self) -> list:
        """The claims whose details are shown: in scope and of the speakers asked for."""
        if self.speaker_ids is None:
            return self.where
        return [*self.where, Claim.speaker_id.in_(self.speaker_ids)]


@contextmanager
def _reading(ledger: Ledger) -> Iterator[Session]:
    with ledger.read() as session:
        if ledger.backend == "postgresql":
            # Several queries make one report: they must read one snapshot.
            conn = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            # The queries are a few big scans and aggregates: compiling them to machine code (JIT)
            # costs more than it saves, and the default 4 MB of sort memory spills them to disk.
            conn.execute(text("SET LOCAL jit = off"))
            conn.execute(text("SET LOCAL work_mem = '64MB'"))
        yield session


def _state_of(as_of: date):
    c = Claim
    return case(
        (c.status == "disputed", DISPUTED),
        (or_(c.outcome.is_(None), c.occurred > as_of), case((c.deadline < as_of, OVERDUE), else_=OPEN)),
        (c.outcome == "ambiguous", AMBIGUOUS),
        (c.deadline >= as_of, AWAITING),
        (c.outcome == "false", FALSE),
        (c.outcome == "partial", PARTIAL),
        (or_(c.occurred.is_(None), c.occurred <= c.deadline), TRUE),
        else_=TRUE_LATE,
    )


def _scope(session: Session, options: ReportOptions) -> _Scope:
    conn = session.connection()
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
    return _Scope(options, _Credit(options), _state_of(options.as_of), where, speaker_ids)


def _names(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    query = select(Speaker.id, Speaker.name)
    if len(wanted) <= 1000:
        query = query.where(Speaker.id.in_(wanted))
    return {i: name for i, name in conn.execute(query) if i in wanted}


class _BySpeaker:
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


def _streamed(conn: Connection, query) -> Iterator:
    """Rows as plain tuples, a batch at a time. Not through a server-side cursor: PostgreSQL runs a
    cursor's query without parallel workers and each batch costs a round trip, while the results
    here are aggregates or compact tuples that fit in memory."""
    return itertools.chain.from_iterable(conn.execute(query).partitions(_BATCH))


# --- counts ------------------------------------------------------------------------------------


class _Credit:
    """What each scored outcome earns under the report's policy, as ``scoring.credit`` says."""

    def __init__(self, options: ReportOptions):
        self.policy, self.half_life = options.policy, options.decay_half_life
        self.on_time = scoring.credit("true", 0, self.policy, self.half_life)
        self.partial = scoring.credit("partial", 0, self.policy, self.half_life)
        # Only under decay does a late claim's credit depend on how late: then it is summed per claim.
        self.by_days = self.policy == "decay"
        self.late = scoring.credit("true", 1, self.policy, self.half_life)

    def hits(self, counts: _Counts) -> float:
        s = counts.states
        k = s[TRUE] * self.on_time + s[PARTIAL] * self.partial
        if self.by_days:
            return k + sum(scoring.credit("true", days, self.policy, self.half_life) for days in counts.late_days)
        return k + s[TRUE_LATE] * self.late


class _Counts:
    """Claims in each state for one group (a speaker, a year, a tag), and how late the late trues were."""

    __slots__ = ("states", "late_days")

    def __init__(self):
        self.states = [0] * _STATES
        self.late_days: list[int] = []  # filled only under the decay policy

    @property
    def claims(self) -> int:
        return sum(self.states)

    @property
    def resolved(self) -> int:
        s = self.states
        return s[AMBIGUOUS] + s[AWAITING] + s[FALSE] + s[TRUE] + s[TRUE_LATE] + s[PARTIAL]

    @property
    def scored(self) -> int:
        s = self.states
        return s[FALSE] + s[TRUE] + s[TRUE_LATE] + s[PARTIAL]

    def view(self) -> dict:
        s = self.states
        return {
            "claims": self.claims, "open": s[OPEN], "overdue": s[OVERDUE], "disputed": s[DISPUTED],
            "resolved": self.resolved, "ambiguous": s[AMBIGUOUS], "awaiting_deadline": s[AWAITING],
            "scored": self.scored,
        }


def _rate(k: float, n: int) -> dict:
    return {"hits": _whole(k), "hit_rate": k / n if n else None, "hit_rate_ci": list(_wilson(k, n))}


# A big report asks for the interval of the same few small records (2 of 3, 1 of 4...) hundreds of
# thousands of times, once per tag and year of every speaker.
_wilson = lru_cache(maxsize=1 << 16)(scoring.wilson_interval)


def _whole(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


@dataclass
class _Tallies:
    totals: dict[int, _Counts]  # every speaker with claims in scope
    years: dict[int, dict[int, _Counts]]  # speaker -> deadline year -> counts


def _tallies(conn: Connection, scope: _Scope) -> _Tallies:
    inner = select(
        Claim.speaker_id, cast(extract("year", Claim.deadline), Integer).label("year"), scope.state.label("state")
    ).where(*scope.where).subquery()
    # Not grouped speaker first: SQLite would then walk the speaker index (see _speaker_key).
    query = select(inner.c.speaker_id, inner.c.year, inner.c.state, func.count()).group_by(
        inner.c.state, inner.c.year, inner.c.speaker_id
    )
    totals: dict[int, _Counts] = {}
    years: dict[int, dict[int, _Counts]] = {}
    for speaker_id, year, state, n in _streamed(conn, query):
        total = totals.get(speaker_id) or totals.setdefault(speaker_id, _Counts())
        total.states[state] += n
        by_year = years.get(speaker_id) or years.setdefault(speaker_id, {})
        (by_year.get(year) or by_year.setdefault(year, _Counts())).states[state] += n
    if scope.options.policy == "decay":
        late = select(Claim.speaker_id, Claim.deadline, Claim.occurred).where(*scope.where, scope.state == TRUE_LATE)
        for speaker_id, deadline, occurred in _streamed(conn, late):
            days = (occurred - deadline).days
            totals[speaker_id].late_days.append(days)
            years[speaker_id][deadline.year].late_days.append(days)
    return _Tallies(totals, years)


@dataclass
class _Prior:
    beta_prior: scoring.BetaPrior
    speakers: int


def _prior(tallies: _Tallies, credit: _Credit) -> _Prior:
    """The beta prior of hit rates, fitted by empirical Bayes across every speaker in scope."""
    # In speaker order, so the fit does not depend on the order the database grouped rows in.
    records = [(credit.hits(c), c.scored) for _, c in sorted(tallies.totals.items()) if c.scored]
    fitted = scoring.fit_beta_prior([k for k, _ in records], [n for _, n in records])
    return _Prior(fitted, len(records))


def _shown(scope: _Scope, tallies: _Tallies) -> list[int]:
    """The speakers the report is about, in id order (the order every query streams them in)."""
    ids = scope.speaker_ids if scope.speaker_ids is not None else tallies.totals
    minimum = scope.options.min_resolved
    return sorted(i for i in ids if (tallies.totals.get(i) or _Counts()).scored >= minimum)


def _header(options: ReportOptions, prior: _Prior) -> dict:
    p = prior.beta_prior
    return {
        "as_of": options.as_of.isoformat(),
        "policy": options.policy,
        "half_life_days": options.decay_half_life if options.policy == "decay" else None,
        "filters": {
            "speakers": list(options.speakers),
            "tag": options.tag,
            "since": options.since.isoformat() if options.since else None,
            "until": options.until.isoformat() if options.until else None,
            "min_resolved": options.min_resolved,
        },
        "prior": {
            "alpha": p.alpha, "beta": p.beta, "mean": p.mean, "strength": p.strength, "method": p.method,
            "speakers": prior.speakers,
            "fitted_on": "the scored claims of every speaker in the ledger within the report's dates and tag",
        },
        "hedge_scale": f"hedge words are scored as the midpoints of {HEDGE_SOURCE}; see docs/hedges.md",
    }


# --- one speaker at a time ---------------------------------------------------------------------


def _speakers(conn: Connection, scope: _Scope, tallies: _Tallies, prior: _Prior, ids: list[int], curves: bool) -> Iterator[dict]:
    options = scope.options
    if not ids:
        return
    names = _names(conn, ids)
    tags = _BySpeaker(_streamed(conn, _tag_query(scope)))
    late_tags = _BySpeaker(_streamed(conn, _late_tag_query(scope))) if options.policy == "decay" else None
    forecasts = _BySpeaker(_streamed(conn, _forecast_query(scope)))
    lateness = _BySpeaker(_streamed(conn, _lateness_query(scope)))
    for speaker_id in ids:
        counts = tallies.totals.get(speaker_id) or _Counts()
        k, n = scope.credit.hits(counts), counts.scored
        yield {
            "speaker": names[speaker_id],
            "speaker_id": speaker_id,
            **counts.view(),
            **_rate(k, n),
            "shrunk_hit_rate": scoring.shrunk_rate(k, n, prior.beta_prior),
            **_forecast_summary(forecasts.take(speaker_id)),
            "lateness": _lateness_summary(lateness.take(speaker_id), options.as_of, curves),
            "by_tag": _tag_summary(tags.take(speaker_id), late_tags.take(speaker_id) if late_tags else [], scope.credit),
            "by_year": _history(tallies.years.get(speaker_id, {}), scope.credit, options.as_of),
        }


def _history(years: dict[int, _Counts], credit: _Credit, as_of: date) -> list[dict]:
    """Claims by the year their deadline fell in, up to the report date, with the record as it
    stood at the end of each year (cumulative)."""
    out, total_k, total_n = [], 0.0, 0
    for year in sorted(y for y in years if y <= as_of.year):
        counts = years[year]
        k, n = credit.hits(counts), counts.scored
        total_k, total_n = total_k + k, total_n + n
        out.append({
            "year": year, "claims": counts.claims, "resolved": counts.resolved, "scored": n, "hits": _whole(k),
            "rate": k / n if n else None, "rate_ci": list(_wilson(k, n)),
            "cumulative_scored": total_n, "cumulative_hits": _whole(total_k),
            "cumulative_rate": total_k / total_n if total_n else None,
        })
    return out


# --- by tag --------------------------------------------------------------------------------------


def _tag_query(scope: _Scope):
    inner = (
        select(Claim.speaker_id, ClaimTag.tag, scope.state.label("state"))
        .join(ClaimTag, ClaimTag.claim_id == Claim.id)
        .where(*scope.details())
        .subquery()
    )
    keys = (inner.c.speaker_id, inner.c.tag, inner.c.state)
    return select(*keys, func.count()).group_by(*keys).order_by(*keys)


def _late_tag_query(scope: _Scope):
    return (
        select(Claim.speaker_id, ClaimTag.tag, Claim.deadline, Claim.occurred)
        .join(ClaimTag, ClaimTag.claim_id == Claim.id)
        .where(*scope.details(), scope.state == TRUE_LATE)
        .order_by(_speaker_key(Claim.speaker_id), ClaimTag.tag)
    )


def _tag_summary(rows: list, late_rows: list, credit: _Credit) -> list[dict]:
    """Each tag's record, in tag order: ``rows`` come one per tag and state, ordered by tag."""
    late_days: dict[str, list[int]] = {}
    for _, tag, deadline, occurred in late_rows:
        late_days.setdefault(tag, []).append((occurred - deadline).days)
    out = []
    for tag, group in itertools.groupby(rows, itemgetter(1)):
        counts = _Counts()
        states = counts.states
        for _, _, state, n in group:
            states[state] = n
        counts.late_days = late_days.get(tag, counts.late_days)
        k, n = credit.hits(counts), counts.scored
        out.append({"tag": tag, "claims": counts.claims, "resolved": counts.resolved, "scored": n, **_rate(k, n)})
    return out


# --- probabilities: Brier, log score, calibration ---------------------------------------------


@lru_cache(maxsize=8192)
def _hedge(words: str) -> float | None:
    found = hedge_probability(words)
    return found.probability if found else None


def _forecast_query(scope: _Scope):
    """Scored claims by speaker, stated probability (or else hedge words) and outcome.

    A stated probability wins over hedge words on the same claim, so each claim is scored once.
    The outcome is the claim as stated, the thing by the deadline (1), or not (0: false, late,
    partial), whatever the policy: a probability forecasts one event.
    """
    inner = select(
        Claim.speaker_id,
        Claim.probability,
        case((Claim.probability.is_(None), Claim.confidence), else_=None).label("words"),
        scope.state.label("state"),
    ).where(*scope.details(), or_(Claim.probability.isnot(None), Claim.confidence.isnot(None))).subquery()
    happened = case((inner.c.state == TRUE, 1), else_=0).label("y")
    keys = (inner.c.probability, inner.c.words, happened)
    return (
        select(inner.c.speaker_id, *keys, func.count())
        .where(inner.c.state.in_(_SCORED))
        .group_by(_speaker_key(inner.c.speaker_id), inner.c.speaker_id, *keys)
        .order_by(_speaker_key(inner.c.speaker_id), *keys)
    )


def _forecast_summary(rows: list) -> dict:
    ps: dict[str, list[float]] = {"stated": [], "hedge": []}
    ys: dict[str, list[int]] = {"stated": [], "hedge": []}
    stated_in: dict[int, int] = {}  # calibration bucket -> stated forecasts in it
    for _, stated, words, y, n in rows:
        kind, p = ("stated", stated) if stated is not None else ("hedge", _hedge(words))
        if p is None:  # words the hedge table cannot read: no probability to score
            continue
        ps[kind].extend([float(p)] * n)
        ys[kind].extend([int(y)] * n)
        if kind == "stated":
            bucket = _bucket(float(p))
            stated_in[bucket] = stated_in.get(bucket, 0) + n
    by_kind = {kind: _scores(ps[kind], ys[kind]) for kind in ps}
    all_ps, all_ys = ps["stated"] + ps["hedge"], ys["stated"] + ys["hedge"]
    # Most speakers give one kind only: then the totals are that kind's, not computed again.
    both = by_kind["hedge"] if not ps["stated"] else by_kind["stated"] if not ps["hedge"] else _scores(all_ps, all_ys)
    return {
        "brier": both["brier"],
        "brier_n": both["n"],
        "log_score": both["log_score"],
        "forecasts": by_kind,
        "calibration": [
            {"bucket": b.bucket, "lo": b.lo, "hi": b.hi, "n": b.n, "observed": b.observed,
             "mean_probability": b.mean_p, "stated": stated_in.get(i, 0), "hedge": b.n - stated_in.get(i, 0)}
            for i, b in enumerate(scoring.calibration(all_ps, all_ys))
        ],
    }


@lru_cache(maxsize=1024)
def _bucket(p: float) -> int:
    """The calibration bucket of a probability, by scoring.calibration's own rule: the stated
    forecasts in each bucket are counted per distinct probability, not calibrated a second time."""
    return next(i for i, b in enumerate(scoring.calibration([p], [0])) if b.n)


def _scores(ps: list[float], ys: list[int]) -> dict:
    return {"n": len(ps), "brier": scoring.brier(ps, ys), "log_score": scoring.log_score(ps, ys)}


# --- lateness --------------------------------------------------------------------------------------


def _lateness_query(scope: _Scope):
    """Claims whose deadline has passed, with the date they came true, if they did.

    Ambiguous claims, and true ones recorded without a date, say nothing about timing.
    """
    as_of = scope.options.as_of
    inner = select(
        Claim.speaker_id, Claim.said, Claim.deadline, Claim.occurred, scope.state.label("state")
    ).where(*scope.details(), Claim.deadline < as_of).subquery()
    came_true = inner.c.state.in_((TRUE, TRUE_LATE))
    return (
        select(inner.c.speaker_id, inner.c.said, inner.c.deadline, case((came_true, inner.c.occurred), else_=None))
        .where(inner.c.state != AMBIGUOUS, not_(and_(came_true, inner.c.occurred.is_(None))))
        .order_by(_speaker_key(inner.c.speaker_id))
    )


def _lateness_summary(rows: list, as_of: date, curves: bool) -> dict:
    """Time taken as a multiple of the time promised, over claims whose deadline has passed: a
    claim that came true is an event at its ratio; any other (false, partial, overdue, disputed)
    has not delivered and is censored at its ratio on the report date."""
    times = [scoring.lateness_ratio(said, deadline, occurred or as_of) for _, said, deadline, occurred in rows]
    events = [0 if occurred is None else 1 for *_, occurred in rows]
    share = scoring.on_time_share(times, events)
    summary = {
        "n": len(times),
        "delivered": sum(events),
        "on_time": share.count,
        "on_time_share": share.rate,
        "median_ratio": scoring.km_median(times, events),
    }
    if curves:
        summary["curve"] = [[p.time, p.survival] for p in scoring.kaplan_meier(times, events)]
    return summary
