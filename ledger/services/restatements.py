"""Restatement links: setting and removing them after the fact (`claims link`/`unlink`), and
reading the chain a claim belongs to (`claims chain`). The rules are ledger.domain.restatements';
each change is one transaction that updates the claim, keeps the change with its reason
(``restatement_changes``) and journals both."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from datetime import date

from ledger.domain.restatements import (
    ChainClaim,
    ChainView,
    Linkable,
    chain_view,
    chains,
    check_link,
    check_reason,
    check_still_earlier,
)
from ledger.domain.text import check_actor
from ledger.errors import InvalidInput
from ledger.services import journal
from ledger.services.claims import get_claim
from ledger.store.engine import Ledger
from ledger.store.models import Claim, RestatementChange

__all__ = ["chain", "check_restatement", "link", "record_link", "unlink"]


def _linkable(row: Claim) -> Linkable:
    return Linkable(row.id, row.speaker_id, row.said, row.restates_id)


def _upward(session: Session, start: int | None) -> dict[int, int | None]:
    """Each claim's restated claim, from ``start`` up to the first claim of its chain."""
    found: dict[int, int | None] = {}
    at = start
    while at is not None and at not in found:
        found[at] = session.scalar(select(Claim.restates_id).where(Claim.id == at))
        at = found[at]
    return found


def record_link(session: Session, claim: Claim, restates: int | None, reason: str, actor: str) -> RestatementChange:
    """Point ``claim`` at ``restates`` (None: at nothing), keeping the change with its reason."""
    change = RestatementChange(claim_id=claim.id, restates_id=restates, previous_id=claim.restates_id, reason=reason, actor=actor)
    claim.restates_id = restates
    session.add(change)
    session.flush()
    return change


def _change(session: Session, claim: Claim, restates: int | None, reason: str, actor: str, action: str) -> dict:
    change = record_link(session, claim, restates, reason, actor)
    journal.record_many(session, actor=actor, changes=[(action, "claim", claim), ("restatement.changed", "restatement", change)])
    return {"claim": claim.id, "restates": restates, "previous": change.previous_id, "reason": reason}


def check_restatement(session: Session, claim: Claim, *, restates: int | None, said: date) -> None:
    """Every rule of `claims link` for ``claim`` restating ``restates`` with ``said`` as its date
    said, and for the claims that restate it: how `claims edit` keeps chains in order too."""
    moved = Linkable(claim.id, claim.speaker_id, said, claim.restates_id)
    if restates is not None:
        earlier = get_claim(session, restates)
        check_link(moved, _linkable(earlier), _upward(session, earlier.restates_id))
    if said != claim.said:
        later = session.scalars(select(Claim).where(Claim.restates_id == claim.id)).all()
        check_still_earlier(moved, [_linkable(row) for row in later])


def link(ledger: Ledger, claim_id: int, earlier_id: int, *, reason: str | None, actor: str) -> dict:
    """Record that claim ``claim_id`` restates ``earlier_id``, replacing any link it had."""
    actor, reason = check_actor(actor), check_reason(reason, "a link")
    with ledger.write() as session:
        claim, earlier = get_claim(session, claim_id), get_claim(session, earlier_id)
        if claim.restates_id == earlier.id:
            raise InvalidInput(f"claim #{claim.id} already restates #{earlier.id}")
        check_restatement(session, claim, restates=earlier.id, said=claim.said)
        return _change(session, claim, earlier.id, reason, actor, "claim.linked")


def unlink(ledger: Ledger, claim_id: int, *, reason: str | None, actor: str) -> dict:
    """Record that claim ``claim_id`` restates nothing after all."""
    actor, reason = check_actor(actor), check_reason(reason, "an unlink")
    with ledger.write() as session:
        claim = get_claim(session, claim_id)
        if claim.restates_id is None:
            raise InvalidInput(f"claim #{claim.id} restates no claim (see `claims chain {claim.id}`)")
        return _change(session, claim, None, reason, actor, "claim.unlinked")


def chain_claim(row) -> ChainClaim:
    return ChainClaim(row.id, row.said, row.deadline, row.deadline_text, row.restates_id, row.outcome, row.occurred, row.text)


def chain(ledger: Ledger, claim_id: int) -> ChainView:
    """The chain claim ``claim_id`` belongs to, from its first claim to the latest."""
    with ledger.read() as session:
        claim = get_claim(session, claim_id)
        return chain_view(chain_of(session, claim))


def chain_of(session: Session, claim: Claim) -> list[ChainClaim]:
    """Every claim linked to ``claim`` by restating, up and down, in the order said."""
    ids = {claim.id, *_upward(session, claim.restates_id)}
    frontier = set(ids)
    while frontier:  # down: the claims restating any found so far
        below = set(session.scalars(select(Claim.id).where(Claim.restates_id.in_(frontier)))) - ids
        ids |= below
        frontier = below
    rows = session.execute(
        select(Claim.id, Claim.said, Claim.deadline, Claim.deadline_text, Claim.restates_id, Claim.outcome, Claim.occurred,
               Claim.text).where(Claim.id.in_(ids))
    ).all()
    (whole,) = [c for c in chains(chain_claim(r) for r in rows) if any(x.id == claim.id for x in c)]
    return whole
