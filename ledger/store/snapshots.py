"""Canonical snapshots of ledger rows: what the journal records after each change, and what
`claims verify` recomputes from the current rows to prove nothing was edited behind its back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ledger.store.models import Claim, ClaimChange, RestatementChange, Resolution, Reviewer, Source, Speaker
from ledger.store.models.extract import ExtractSkip
from ledger.store.models.reminders import ClaimReviewer


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def speaker(row: Speaker) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "aliases": sorted(a.alias for a in row.aliases), "created_at": _iso(row.created_at),
        "slug": row.slug,
    }


def source(row: Source) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "title": row.title,
        "publisher": row.publisher,
        "published": _iso(row.published),
        "text_sha256": row.text_sha256,
        "created_at": _iso(row.created_at),
        "html_sha256": row.html_sha256,
    }


def claim(row: Claim) -> dict[str, Any]:
    return {
        "id": row.id,
        "speaker_id": row.speaker_id,
        "source_id": row.source_id,
        "text": row.text,
        "quote": row.quote,
        "said": _iso(row.said),
        "deadline_text": row.deadline_text,
        "deadline": _iso(row.deadline),
        "deadline_earliest": _iso(row.deadline_earliest),
        "deadline_granularity": row.deadline_granularity,
        "deadline_timex": row.deadline_timex,
        "deadline_strict": _iso(row.deadline_strict),
        "deadline_assumed": bool(row.deadline_assumed),
        "probability": row.probability,
        "confidence": row.confidence,
        "event": row.event,
        "status": row.status,
        "tags": sorted(t.tag for t in row.tags),
        "logged_by": row.logged_by,
        "logged_at": _iso(row.logged_at),
        "restates_id": row.restates_id,
        "outcome": row.outcome,
        "occurred": _iso(row.occurred),
        "resolved_at": _iso(row.resolved_at),
        "version": row.version,
        "withdrawn_at": _iso(row.withdrawn_at),
    }


def change(row: ClaimChange) -> dict[str, Any]:
    return {
        "id": row.id, "claim_id": row.claim_id, "action": row.action, "reason": row.reason,
        "changes": row.changes, "actor": row.actor, "at": _iso(row.at),
    }


def reviewer(row: Reviewer) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "email": row.email, "created_at": _iso(row.created_at)}


def resolution(row: Resolution) -> dict[str, Any]:
    return {
        "id": row.id,
        "claim_id": row.claim_id,
        "outcome": row.outcome,
        "occurred": _iso(row.occurred),
        "reviewer": row.reviewer,
        "evidence": row.evidence,
        "note": row.note,
        "reason": row.reason,
        "supersedes_id": row.supersedes_id,
        "claim_version": row.claim_version,
        "round": row.round,
        "recorded_at": _iso(row.recorded_at),
    }


def assignment(row: ClaimReviewer) -> dict[str, Any]:
    return {
        "id": row.id, "claim_id": row.claim_id, "reviewer_id": row.reviewer_id, "assigned_by": row.assigned_by,
        "assigned_at": _iso(row.assigned_at),
    }


def skip(row: ExtractSkip) -> dict[str, Any]:
    return {
        "id": row.id, "source_id": row.source_id, "candidate": row.candidate, "skipped_by": row.skipped_by,
        "skipped_at": _iso(row.skipped_at),
    }


def restatement(row: RestatementChange) -> dict[str, Any]:
    return {
        "id": row.id, "claim_id": row.claim_id, "restates_id": row.restates_id, "previous_id": row.previous_id,
        "reason": row.reason, "actor": row.actor, "recorded_at": _iso(row.recorded_at),
    }


# entity name -> (model, snapshot). Later areas register their own journaled tables here.
SNAPSHOTS: dict[str, tuple[type, Callable[[Any], dict[str, Any]]]] = {
    "speaker": (Speaker, speaker),
    "source": (Source, source),
    "claim": (Claim, claim),
    "reviewer": (Reviewer, reviewer),
    "resolution": (Resolution, resolution),
    "assignment": (ClaimReviewer, assignment),
    "change": (ClaimChange, change),
    "skip": (ExtractSkip, skip),
    "restatement": (RestatementChange, restatement),
}


# Fields added to a snapshot after ledgers were already journaling it, oldest first (append a new
# one at the end). A journal entry written before a field existed does not hold it, nor any added
# after it, so verify compares such a row without those fields; every entry written since holds
# it, and it is checked like the rest.
ADDED_LATER: dict[str, tuple[str, ...]] = {
    "speaker": ("created_at", "slug"),
    "source": ("created_at", "html_sha256"),
    "reviewer": ("created_at",),
    "assignment": ("assigned_at",),
    "claim": ("event", "withdrawn_at"),
}

# Of those, the fields every row held empty (None) when they were added: an entry without such a
# field vouches for its row only while the field is still empty, so an event written behind the
# tool's back onto a claim journaled before events existed is still seen.
EMPTY_WHEN_ADDED: dict[str, tuple[str, ...]] = {
    "claim": ("event", "withdrawn_at"),
    "source": ("html_sha256",),
}


# Journal actions that remove their row: the entry holds the row as it was, and verify then expects
# the row gone (a row of that id still there, or back, was put there behind the tool's back).
REMOVALS = frozenset({"speaker.merged", "reviewer.removed", "assignment.removed"})


def entity_of(row: Any) -> str:
    for name, (model, _) in SNAPSHOTS.items():
        if isinstance(row, model):
            return name
    raise TypeError(f"{type(row).__name__} is not a journaled entity")


def snapshot(row: Any) -> dict[str, Any]:
    return SNAPSHOTS[entity_of(row)][1](row)
