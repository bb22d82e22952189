"""The fitted prior, stored (table ``report_priors``, migration 0010): fitting it reads every
speaker's claims, so a report on one speaker would otherwise cost as much as a report on all.

A stored prior is a value derived from the ledger, never trusted on its own word:

- Its key is a digest of the journal head (sequence and hash), the report's scope (date, dates
  said, tag, policy, half-life, withdrawn claims: ``ledger.domain.report.prior_scope``) and the
  source of the code that counts and fits (``RULES``). Every change the tool makes appends to the
  journal, so any change that could move the prior moves the head, and a new release that fits
  differently has other rules: either way the old row is never read again.
- A report reads the row whose key, head and scope are all the ones it would store; otherwise it
  fits the prior across every speaker, as before, and stores it (rows of older heads go).
- `claims verify` fits every row at the current head again and compares (``check``), so a row
  written behind the tool's back is named, and one at another head is never read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ledger.domain.chain import GENESIS
from ledger.domain.report import Prior, ReportOptions, fit_prior, prior_scope, scope_options, stored_prior
from ledger.errors import LedgerError, StorageError
from ledger.services.reports.queries import scope_of, tallies_of
from ledger.store.dialect import insert_ignore
from ledger.store.engine import Ledger
from ledger.store.models import JournalEntry, ReportPrior

# The modules whose code decides the prior: the claim states (queries), the credit of each state
# and the fit (report, scoring, prior).
_RULES_MODULES = ("ledger.domain.prior", "ledger.domain.report", "ledger.domain.scoring", "ledger.services.reports.queries")


@cache
def rules() -> str:
    """A digest of the source of the code that fits the prior: a release that changes it never
    reads a prior an older one stored."""
    digest = hashlib.sha256()
    for name in _RULES_MODULES:
        digest.update(Path(import_module(name).__file__ or "").read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class PriorKey:
    seq: int
    hash: str
    scope: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.seq}:{self.hash}:{self.scope}".encode()).hexdigest()


def journal_head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(select(JournalEntry.seq, JournalEntry.hash).order_by(JournalEntry.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def key_of(conn: Connection, options: ReportOptions) -> PriorKey:
    return PriorKey(*journal_head(conn), prior_scope(options, rules()))


def stored(conn: Connection, key: PriorKey) -> Prior | None:
    """The prior stored under ``key``, if one is, with every field of the key as stored."""
    p = ReportPrior
    row = conn.execute(
        select(p.alpha, p.beta, p.method, p.reason, p.speakers)
        .where(p.key == key.digest, p.journal_seq == key.seq, p.journal_hash == key.hash, p.scope == key.scope)
    ).first()
    return stored_prior(*row) if row else None


def store(ledger: Ledger, key: PriorKey, prior: Prior) -> None:
    """Keep ``prior`` under ``key`` for the next report, and drop the rows of older heads, which
    no report reads. Best effort: a ledger opened read-only, a role that may not write, or a
    writer holding the lock past the busy timeout leaves the prior unstored, and the next report
    fits it again."""
    if ledger.read_only:
        return
    b = prior.beta_prior
    try:
        with ledger.write() as session:
            session.execute(delete(ReportPrior).where(ReportPrior.journal_seq < key.seq))
            session.execute(insert_ignore(session, ReportPrior).values(
                key=key.digest, journal_seq=key.seq, journal_hash=key.hash, scope=key.scope,
                alpha=b.alpha, beta=b.beta, method=b.method, reason=b.reason, speakers=prior.speakers,
            ))
    except (StorageError, DBAPIError):
        pass


def check(session: Session) -> tuple[int, list[tuple[str, str]]]:
    """(rows, problems): every stored prior a report could read (at the current head, under the
    key of its own head and scope, with this release's rules) fitted again across every speaker
    and compared; a row whose key is not the digest of its head and scope is named too. Rows of
    other heads or rules are left: no report reads them."""
    conn = session.connection()
    head = journal_head(conn)
    found: list[tuple[str, str]] = []
    rows = conn.execute(select(ReportPrior)).all()
    for row in rows:
        key = PriorKey(row.journal_seq, row.journal_hash, row.scope)
        if key.digest != row.key:
            found.append((row.key, f"report prior {row.key[:12]} was changed behind the tool's back: its key is not the digest of its head and scope"))
            continue
        try:
            options, made_by = scope_options(row.scope)
        except (ValueError, KeyError, TypeError):
            found.append((row.key, f"report prior {row.key[:12]} was changed behind the tool's back: its scope does not read"))
            continue
        if (row.journal_seq, row.journal_hash) != head or made_by != rules():
            continue
        try:
            b = fitted(session, options)
        except LedgerError as exc:  # a tag no claim has any more, at the head the row was fitted at
            found.append((row.key, f"report prior {row.key[:12]} cannot be fitted again: {exc}"))
            continue
        expected = (b.beta_prior.alpha, b.beta_prior.beta, b.beta_prior.method, b.beta_prior.reason, b.speakers)
        if (row.alpha, row.beta, row.method, row.reason, row.speakers) != expected:
            found.append((row.key, (
                f"report prior {row.key[:12]} (as of {options.as_of}, policy {options.policy}) was changed behind the tool's back: "
                f"it is Beta({row.alpha:g}, {row.beta:g}) over {row.speakers} speakers ({row.method}), where the claims give "
                f"Beta({expected[0]:g}, {expected[1]:g}) over {expected[4]} ({expected[2]})"
            )))
    return len(rows), found


def fitted(session: Session, options: ReportOptions) -> Prior:
    """The prior fitted across every speaker in the scope of ``options``, as a report fits it."""
    options = options.checked()
    scope = scope_of(session, options)
    return fit_prior(tallies_of(session.connection(), scope), scope.credit)
