"""Listing, showing and correcting sources. A source is edited under every rule `claims source
add` applies; its claims keep the dates they were said (a corrected publication date does not
move them: `claims edit --said` does)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ledger.domain.claims import check_source
from ledger.domain.derived import text_sha256
from ledger.domain.text import check_actor, encodable
from ledger.errors import Conflict, InvalidInput
from ledger.services import journal
from ledger.services.people import find_source, require_source, source_view
from ledger.store.engine import Ledger
from ledger.store.models import Claim, Source

__all__ = ["edit_source", "list_sources", "show_source"]


def list_sources(ledger: Ledger) -> list[dict]:
    with ledger.read() as session:
        counts = dict(session.execute(select(Claim.source_id, func.count()).group_by(Claim.source_id)).all())
        return [{**source_view(r), "claims": counts.get(r.id, 0)} for r in session.scalars(select(Source).order_by(Source.id))]


def show_source(ledger: Ledger, ref: str) -> dict:
    with ledger.read() as session:
        return _view(session, require_source(session, ref))


def edit_source(
    ledger: Ledger, ref: str, *, actor: str, today: date, url: str | None = None, title: str | None = None,
    publisher: str | None = None, published: date | None = None, text: str | None = None,
) -> dict:
    """Change what is given ("" clears a title or publisher); journaled as ``source.edited``."""
    actor = check_actor(actor)
    try:
        with ledger.write() as session:
            row = require_source(session, ref)
            values = check_source(
                row.url if url is None else url, row.title if title is None else title,
                row.publisher if publisher is None else publisher, row.published if published is None else published, today,
            )
            if values.url is not None and (taken := find_source(session, values.url)) is not None and taken.id != row.id:
                raise Conflict(f"source {values.url} is already in the ledger as #{taken.id}")
            before = (row.url, row.title, row.publisher, row.published, row.text)
            row.url, row.title, row.publisher, row.published = values.url, values.title, values.publisher, values.published
            if text is not None:
                row.text = encodable(text, "source_text")  # kept byte for byte, as hashed
                row.text_sha256 = text_sha256(row.text)
            if (row.url, row.title, row.publisher, row.published, row.text) == before:
                raise InvalidInput(f"nothing to change: source #{row.id} already says that")
            journal.record(session, actor=actor, action="source.edited", row=row)
            return _view(session, row)
    except IntegrityError:
        raise Conflict(f"source {url} was added by someone else just now") from None


def _view(session, row: Source) -> dict:
    """The source, the length of its stored text and the ids of its claims."""
    claims = list(session.scalars(select(Claim.id).where(Claim.source_id == row.id).order_by(Claim.id)))
    return {**source_view(row), "text_length": len(row.text) if row.text is not None else None, "claims": claims}
