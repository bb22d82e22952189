"""Merging and renaming speakers: "Musk" and "Elon Musk" logged as two people become one, in one
transaction that journals every row it changes, so `claims verify` still passes and each moved
claim's history shows the move."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from ledger.domain.claims import likely_duplicates
from ledger.domain.text import check_actor, check_name
from ledger.errors import Conflict, InvalidInput
from ledger.services import journal
from ledger.services.people import find_speaker, require_speaker, speaker_view
from ledger.store.engine import Ledger
from ledger.store.models import Claim, SpeakerAlias

__all__ = ["merge_speakers", "rename_speaker"]


def merge_speakers(ledger: Ledger, source: str, target: str, actor: str) -> dict:
    """Move every claim and alias of ``source`` to ``target`` and keep ``source``'s name as one of
    ``target``'s aliases. Restatement links join claims, not speakers, so they hold as they are.
    Returns the merged speaker, the claims moved and the pairs of claims that now look alike: the
    same words logged under both names become two copies, which the user withdraws one of."""
    actor = check_actor(actor)
    with ledger.write() as session:
        journal.lock_journal(session)
        old, new = require_speaker(session, source), require_speaker(session, target)
        if old.id == new.id:
            raise InvalidInput(f"{source!r} and {target!r} are one speaker already (#{old.id} {old.name})")
        moving = list(session.scalars(select(Claim).where(Claim.speaker_id == old.id).order_by(Claim.id)))
        staying = list(session.scalars(select(Claim).where(Claim.speaker_id == new.id).order_by(Claim.id)))
        aliases = [(a.alias, a.alias_key) for a in old.aliases]
        old_id, old_name, old_key = old.id, old.name, old.name_key
        # The speaker as it was, for the journal's removal entry.
        removed = SimpleNamespace(
            id=old_id, name=old_name, aliases=[SimpleNamespace(alias=a) for a, _ in aliases], created_at=old.created_at,
            slug=old.slug,
        )
        for claim in moving:
            claim.speaker = new
        session.flush()
        session.delete(old)
        session.flush()  # the old names are free before they become the new speaker's aliases
        new.aliases.extend(SpeakerAlias(alias=a, alias_key=k) for a, k in [(old_name, old_key), *aliases])
        changes = [("speaker.merged", "speaker", removed), ("speaker.edited", "speaker", new)]
        changes += [("claim.moved", "claim", c) for c in moving]
        journal.record_many(session, actor=actor, changes=changes)
        duplicates = likely_duplicates([(c.id, c.said, c.text) for c in [*staying, *moving]])
        return {
            "speaker": speaker_view(new), "merged": {"id": old_id, "name": old_name},
            "moved": [c.id for c in moving], "duplicates": [list(p) for p in duplicates],
        }


def rename_speaker(ledger: Ledger, current: str, name: str, actor: str) -> dict:
    """Give a speaker a new name; one of its own aliases may become its name (and stops being an alias)."""
    actor = check_actor(actor)
    new_name, new_key = check_name(name)
    with ledger.write() as session:
        row = require_speaker(session, current)
        taken = find_speaker(session, new_name)
        if taken is not None and taken.id != row.id:
            raise Conflict(f"{new_name!r} already names speaker #{taken.id} ({taken.name}); to make them one, use `claims speaker merge`")
        if new_name == row.name:
            raise InvalidInput(f"speaker #{row.id} is already called {row.name!r}")
        for alias in [a for a in row.aliases if a.alias_key == new_key]:
            row.aliases.remove(alias)
        row.name, row.name_key = new_name, new_key
        journal.record(session, actor=actor, action="speaker.renamed", row=row)
        return speaker_view(row)
