"""The journal's hash chain: canonical JSON and SHA-256, with no storage in sight.

Each entry's hash covers its own fields and the previous entry's hash, so changing, removing or
inserting any entry changes every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from json.encoder import encode_basestring
from typing import Any

GENESIS = "0" * 64


# One encoder for every call: json.dumps with options builds a new one each time, which costs
# as much as the encoding of a small snapshot (verify spells hundreds of thousands).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept as is."""
    return _ENCODER.encode(value)


# An entry's fields in canonical_json's spelling (keys sorted), filled in without building a dict:
# the journal hashes one per change, and verify recomputes every one. Values of other types than
# these take the general encoder, so the bytes hashed are always canonical_json's.
_ENTRY = '{"action":%s,"actor":%s,"at":%s,"entity":%s,"entity_id":%d,"payload":%s,"prev_hash":%s,"seq":%d}'


def entry_hash(
    *, prev_hash: str, seq: int, at: str, actor: str, action: str, entity: str, entity_id: int, payload: str
) -> str:
    if type(seq) is int and type(entity_id) is int and all(type(v) is str for v in (prev_hash, at, actor, action, entity, payload)):
        body = _ENTRY % (
            encode_basestring(action), encode_basestring(actor), encode_basestring(at), encode_basestring(entity), entity_id,
            encode_basestring(payload), encode_basestring(prev_hash), seq,
        )
    else:
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
