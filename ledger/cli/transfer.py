"""`claims import` and `claims export`: bulk transfer in the canonical CSV/JSONL format."""

from __future__ import annotations
