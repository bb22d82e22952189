"""A ledger's journal rewritten as an older release wrote it: each snapshot of one kind of row
changed by the test (the fields a later release added taken out), and the hash chain recomputed
over it, so that `claims verify` meets what such a release left behind."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import text

from ledger.domain.chain import canonical_json, entry_hash
from ledger.store.engine import open_ledger


def rewrite_snapshots(db_url: str, older: Callable[[dict], None], entity: str = "claim") -> None:
    """``older(payload)`` edits each ``entity`` entry's payload in place; the chain is rehashed."""
    ledger = open_ledger(db_url)
    with ledger.engine.begin() as conn:
        entries = conn.execute(text("SELECT seq, at, actor, action, entity, entity_id, payload FROM journal ORDER BY seq")).all()
        prev = "0" * 64
        for e in entries:
            payload = json.loads(e.payload)
            if e.entity == entity:
                older(payload)
            payload = canonical_json(payload)
            at = e.at if isinstance(e.at, str) else e.at.isoformat()
            at = datetime.fromisoformat(at).replace(tzinfo=timezone.utc).isoformat()
            digest = entry_hash(prev_hash=prev, seq=e.seq, at=at, actor=e.actor, action=e.action,
                                entity=e.entity, entity_id=e.entity_id, payload=payload)
            conn.execute(text("UPDATE journal SET payload = :p, prev_hash = :prev, hash = :h WHERE seq = :s"),
                         {"p": payload, "prev": prev, "h": digest, "s": e.seq})
            prev = digest
    ledger.dispose()
