"""Reviewers: who is reminded about a claim, and their assignments."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ledger.domain.text import check_name, name_key
from ledger.domain.emails import address
from ledger.errors import Conflict, NotFound
from ledger.services import journal
from ledger.store.engine import Ledger
from ledger.store.models import Claim, Reviewer
from ledger.store.models.reminders import ClaimReviewer
from ledger.views import Assignment, ReviewerView


def reviewer_view(row: Reviewer, claims: int | None = None) -> ReviewerView:
    view: ReviewerView = {"id": row.id, "name": row.name, "email": row.email}
    if claims is not None:
        view["claims"] = claims
    return view


def add_reviewer(ledger: Ledger, name: str, email: str | None, actor: str) -> ReviewerView:
    name = check_name(name, "reviewer")[0]
    if email is not None:
        email = address(email)
    try:
        with ledger.write() as session:
            taken = session.scalar(select(Reviewer).where(Reviewer.name_key == name_key(name)))
            if taken is not None:
                raise Conflict(f"reviewer {taken.name!r} already exists as #{taken.id}")
            row = Reviewer(name=name, name_key=name_key(name), email=email)
            session.add(row)
            journal.record(session, actor=actor, action="reviewer.added", row=row)
            return reviewer_view(row)
    except IntegrityError:
        raise Conflict(f"reviewer {name!r} was added by someone else just now") from None


def list_reviewers(ledger: Ledger) -> list[ReviewerView]:
    with ledger.read() as session:
        counts = dict(session.execute(select(ClaimReviewer.reviewer_id, func.count()).group_by(ClaimReviewer.reviewer_id)).all())
        return [reviewer_view(r, counts.get(r.id, 0)) for r in session.scalars(select(Reviewer).order_by(Reviewer.name_key))]


def assign(ledger: Ledger, claim_id: int, reviewer: str, actor: str) -> Assignment:
    """Make ``reviewer`` the one reminded about ``claim_id`` (with any others already assigned)."""
    try:
        with ledger.write() as session:
            if session.get(Claim, claim_id) is None:
                raise NotFound(f"no claim #{claim_id} (see `claims list`)")
            person = session.scalar(select(Reviewer).where(Reviewer.name_key == name_key(reviewer)))
            if person is None:
                raise NotFound(f"unknown reviewer {reviewer!r} (add them with `claims reviewer add NAME --email ADDRESS`)")
            exists = session.scalar(
                select(ClaimReviewer.id).where(ClaimReviewer.claim_id == claim_id, ClaimReviewer.reviewer_id == person.id)
            )
            if exists is not None:
                raise Conflict(f"{person.name} is already assigned to claim #{claim_id}")
            row = ClaimReviewer(claim_id=claim_id, reviewer_id=person.id, assigned_by=actor)
            session.add(row)
            journal.record(session, actor=actor, action="claim.assigned", row=row)
            return {"claim_id": claim_id, "reviewer": person.name, "email": person.email}
    except IntegrityError:
        raise Conflict(f"{reviewer} was assigned to claim #{claim_id} by someone else just now") from None


def remove_reviewer(ledger: Ledger, name: str, actor: str) -> ReviewerView:
    """Take a reviewer off the list and off every claim assigned to them. Their resolutions stay:
    they record who judged, by name, whether or not that person still reviews."""
    with ledger.write() as session:
        person = session.scalar(select(Reviewer).where(Reviewer.name_key == name_key(name)))
        if person is None:
            raise NotFound(f"unknown reviewer {name!r} (see `claims reviewer list`)")
        view = reviewer_view(person)
        assignments = list(session.scalars(select(ClaimReviewer).where(ClaimReviewer.reviewer_id == person.id).order_by(ClaimReviewer.id)))
        # Journaled as they were, before they go (the entries are what verify then expects gone).
        journal.record_many(
            session, actor=actor,
            changes=[*(("assignment.removed", "assignment", a) for a in assignments), ("reviewer.removed", "reviewer", person)],
        )
        for row in assignments:
            session.delete(row)
        session.flush()
        session.delete(person)
        return view
