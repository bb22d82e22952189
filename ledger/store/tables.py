"""The ledger's schema, declared once as SQLAlchemy Core tables on one ``MetaData``.

The ORM models (ledger.store.models) are mapped onto these tables, and Alembic compares them with
the migrated schema; the read commands (`list`, `show`, `due`) query them directly, so they never
import ``sqlalchemy.orm`` (about half of its own import again on every start-up).

The naming convention makes Alembic revisions name constraints the same way on SQLite (batch
mode) and PostgreSQL. A column is NOT NULL unless it says ``nullable=True``.
"""

from __future__ import annotations

from functools import partial

from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
    UniqueConstraint,
)

from ledger.domain.vocab import ChangeKind, ClaimStatus, Outcome, ReminderStatus, sql_in
from ledger.store.types import UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

METADATA = MetaData(naming_convention=NAMING)

Required = partial(Column, nullable=False)
Optional = partial(Column, nullable=True)


def _id() -> Column:
    return Column("id", Integer, primary_key=True)


SPEAKERS = Table(
    "speakers", METADATA,
    _id(),
    Required("name", String(200)),
    # Casefolded name: "elon musk" and "Elon Musk" are one speaker on every backend.
    Required("name_key", String(200), unique=True),
    # The published page's name (speakers/SLUG.html): made once from the first name, kept through
    # renames so links never break (ledger.domain.slugs).
    Required("slug", String(200), unique=True),
    Required("created_at", UTCDateTime, default=utcnow),
)

SPEAKER_ALIASES = Table(
    "speaker_aliases", METADATA,
    _id(),
    Required("speaker_id", ForeignKey("speakers.id", ondelete="CASCADE"), index=True),
    Required("alias", String(200)),
    Required("alias_key", String(200), unique=True),
)

SOURCES = Table(
    "sources", METADATA,
    _id(),
    Optional("url", String(2000), unique=True),
    Optional("title", Text),
    Optional("publisher", String(300)),
    Optional("published", Date),
    Optional("text", Text),
    Optional("text_sha256", String(64)),
    Required("created_at", UTCDateTime, default=utcnow),
    Optional("html", Text),  # the page the text was read from, if any
    Optional("html_sha256", String(64)),
)

CLAIMS = Table(
    "claims", METADATA,
    _id(),
    Required("speaker_id", ForeignKey("speakers.id"), index=True),
    Optional("source_id", ForeignKey("sources.id"), index=True),
    Required("text", Text),
    Required("text_sha256", String(64)),
    Optional("quote", Text),
    Required("said", Date),
    # The deadline as the speaker put it, and what it means (see ledger.domain.deadlines).
    Required("deadline_text", Text),
    Required("deadline", Date),
    Required("deadline_earliest", Date),
    Required("deadline_granularity", String(20)),
    Required("deadline_timex", String(40)),
    Optional("deadline_strict", Date),
    Required("deadline_assumed", Boolean, default=False),
    Optional("probability", Float),
    Optional("confidence", Text),
    # The event the claim forecasts, as named by whoever logs it ("2022 Georgia governor"): a
    # speaker's claims on one event are one unit when scored (docs/report.md, "Events").
    Optional("event", String(200)),
    Required("status", String(20), default="open"),
    Required("logged_by", String(200)),
    Required("logged_at", UTCDateTime, default=utcnow),
    # Indexed (0010): a report finds the few restated claims through it instead of reading them all.
    Optional("restates_id", ForeignKey("claims.id"), index=True),
    # The current verdict, kept on the claim by the review service so reports aggregate one table;
    # the resolutions table holds the full, append-only history behind it.
    Optional("outcome", String(20)),
    Optional("occurred", Date),
    Optional("resolved_at", UTCDateTime),
    # Bumped on every change; a writer that read an older version loses (optimistic locking).
    Required("version", Integer, default=1),
    # Set while the claim is withdrawn: kept, journaled and shown, but out of lists and reports.
    Optional("withdrawn_at", UTCDateTime),
    # The natural key: the same words by the same speaker on the same day are one claim. Not
    # unique since 0011: a speaker merge may bring two copies of one claim together, and the
    # user withdraws one. Writers look the key up under the journal lock instead.
    Index("ix_claims_natural_key", "speaker_id", "said", "text_sha256"),
    CheckConstraint("probability IS NULL OR (probability >= 0 AND probability <= 1)", name="probability"),
    CheckConstraint(sql_in("status", ClaimStatus), name="status"),
    CheckConstraint("deadline >= said", name="deadline_after_said"),
    CheckConstraint(f"outcome IS NULL OR {sql_in('outcome', Outcome)}", name="outcome"),
    Index("ix_claims_status_deadline", "status", "deadline"),
    # Every report counts the withdrawn claims said by its date: a few among many. Revision
    # 0010 makes it partial (WHERE withdrawn_at IS NOT NULL); the table leaves the condition
    # out because sqlite_where and postgresql_where import both dialects on every start-up
    # (the PostgreSQL one alone is about a tenth of `import sqlalchemy.orm`).
    Index("ix_claims_withdrawn_said", "said"),
)

# A link between claims set or removed after the fact (`claims link`/`unlink`), with why:
# append-only, the claim's ``restates_id`` holds the current link.
RESTATEMENT_CHANGES = Table(
    "restatement_changes", METADATA,
    _id(),
    Required("claim_id", ForeignKey("claims.id", ondelete="CASCADE"), index=True),
    Optional("restates_id", ForeignKey("claims.id")),  # None: unlinked
    Optional("previous_id", ForeignKey("claims.id")),  # the link it replaced
    Required("reason", Text),
    Required("actor", String(200)),
    Required("recorded_at", UTCDateTime, default=utcnow),
)

CLAIM_TAGS = Table(
    "claim_tags", METADATA,
    Required("claim_id", ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    Required("tag", String(100), primary_key=True, index=True),
)

# An edit, withdrawal or restoration of a claim: why, by whom, and the fields before and after
# (canonical JSON ``{field: {"from": ..., "to": ...}}``). Only ever inserted.
CLAIM_CHANGES = Table(
    "claim_changes", METADATA,
    _id(),
    Required("claim_id", ForeignKey("claims.id"), index=True),
    Required("action", String(20)),
    Required("reason", Text),
    Required("changes", Text),
    Required("actor", String(200)),
    Required("at", UTCDateTime, default=utcnow),
    CheckConstraint(sql_in("action", ChangeKind), name="action"),
)

REVIEWERS = Table(
    "reviewers", METADATA,
    _id(),
    Required("name", String(200)),
    Required("name_key", String(200), unique=True),
    Optional("email", String(320)),
    Required("created_at", UTCDateTime, default=utcnow),
)

# One change to the ledger. Each entry hashes its content and the previous entry's hash.
JOURNAL = Table(
    "journal", METADATA,
    Required("seq", Integer, primary_key=True, autoincrement=False),
    Required("at", UTCDateTime),
    Required("actor", String(200)),
    Required("action", String(40)),
    Required("entity", String(40)),
    Required("entity_id", Integer),
    Required("payload", Text),  # canonical JSON of the row after the change
    Required("prev_hash", String(64)),
    Required("hash", String(64), unique=True),
    Index("ix_journal_entity", "entity", "entity_id"),
)

# Reviewers' judgements of claims, append-only. A later resolution supersedes an earlier one (an
# amendment) or joins it towards a quorum; none is ever updated or deleted.
RESOLUTIONS = Table(
    "resolutions", METADATA,
    _id(),
    Required("claim_id", ForeignKey("claims.id"), index=True),
    Required("outcome", String(20)),
    Optional("occurred", Date),  # when it happened, for true/partial
    Required("reviewer", String(200)),
    Optional("evidence", Text),  # canonical JSON array of URLs
    Optional("note", Text),
    Optional("reason", Text),  # why an amendment supersedes
    Optional("supersedes_id", ForeignKey("resolutions.id")),
    Required("claim_version", Integer),  # the claim version the reviewer judged
    # Votes towards one verdict share a round; an amendment of a settled verdict opens the next.
    Required("round", Integer, default=1),
    Required("recorded_at", UTCDateTime, default=utcnow),
    CheckConstraint(sql_in("outcome", Outcome), name="outcome"),
)

# What `claims extract` remembers about a source: the candidates a reviewer skipped (see
# migrations/versions/0007_extract.py). A candidate is named by a digest of its speaker, sentence
# and deadline words (ledger.domain.extract.Candidate.key), so a rerun knows it again.
EXTRACT_SKIPS = Table(
    "extract_skips", METADATA,
    _id(),
    Required("source_id", ForeignKey("sources.id", ondelete="CASCADE")),
    Required("candidate", String(64)),
    Required("skipped_by", String(200)),
    Required("skipped_at", UTCDateTime, default=utcnow),
    UniqueConstraint("source_id", "candidate"),
)

# A reviewer assigned to a claim: they, rather than the default recipients, get its reminders.
CLAIM_REVIEWERS = Table(
    "claim_reviewers", METADATA,
    _id(),
    Required("claim_id", ForeignKey("claims.id", ondelete="CASCADE")),
    Required("reviewer_id", ForeignKey("reviewers.id"), index=True),
    Required("assigned_by", String(200)),
    Required("assigned_at", UTCDateTime, default=utcnow),
    UniqueConstraint("claim_id", "reviewer_id"),
)

# When a lapsed claim was flagged, how many reminders it has had, and when the next is due.
REMINDER_SCHEDULE = Table(
    "reminder_schedule", METADATA,
    Required("claim_id", ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    Required("flagged_on", Date),
    Required("number", Integer, default=0),  # reminders issued so far
    Required("next_on", Date),
    Index("ix_reminder_schedule_next_on", "next_on"),
)

# One reminder about one claim for one recipient on one channel: a row of the outbox (see
# ledger.store.models.reminders for why it cannot be lost or sent twice).
REMINDERS = Table(
    "reminders", METADATA,
    _id(),
    Required("claim_id", ForeignKey("claims.id", ondelete="CASCADE")),
    Required("recipient", String(320)),  # an email address, or a name on chat and log
    Required("channel", String(100)),  # a [channels.NAME] of the config
    Required("number", Integer),  # 1 when the deadline lapses, then one more every N days
    Required("due_on", Date),  # the day of the scan that issued it
    Required("status", String(20), default="pending"),
    Required("attempts", Integer, default=0),
    Optional("last_error", Text),
    Required("next_attempt_at", UTCDateTime, default=utcnow),
    # A worker's lease while it sends; a lease older than the scheduler's lease time is abandoned.
    Optional("claimed_by", String(200)),
    Optional("claimed_at", UTCDateTime),
    Optional("sent_at", UTCDateTime),
    Required("created_at", UTCDateTime, default=utcnow),
    UniqueConstraint("claim_id", "recipient", "channel", "number"),
    CheckConstraint(sql_in("status", ReminderStatus), name="status"),
    # What a delivery worker asks for: undelivered rows whose next attempt is due.
    Index("ix_reminders_status_next_attempt_at", "status", "next_attempt_at"),
)

# The report's stored prior (migration 0010), derived, never the record: see
# ledger.store.models.report.
REPORT_PRIORS = Table(
    "report_priors", METADATA,
    Required("key", String(64), primary_key=True),  # digest of the head, scope and rules
    Required("journal_seq", Integer),
    Required("journal_hash", String(64)),
    Required("scope", Text),  # canonical JSON: the report options the prior depends on
    Required("alpha", Float),
    Required("beta", Float),
    Required("method", String(20)),
    Required("reason", Text),
    Required("speakers", Integer),
)

# The text each claim is found by (see ledger.store.models.search).
SEARCH_DOCUMENTS = Table(
    "search_documents", METADATA,
    Required("claim_id", ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    Required("document", Text),
)
