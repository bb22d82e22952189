"""The journal's hash chain: canonical JSON and SHA-256, with no storage in sight.

Each entry's hash covers its own fields and the previous entry's hash, so changing, removing or
inserting any entry changes every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64


# One encoder for every call: json.dumps with options builds a new one each time, which costs
# as much as the encoding of a small snapshot (verify spells hundreds of thousands).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept as is."""
    return _ENCODER.encode(value)


def entry_hash(
    *, prev_hash: str, seq: int, at: str, actor: str, action: str, entity: str, entity_id: int, payload: str
) -> str:
    body = canonical_json(
        {
            "prev_hash": prev_hash,
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "payload": payload,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
