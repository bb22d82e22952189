"""`claims resolve`, `history`, `disputes`, `verify`: recording outcomes and proving the ledger intact."""

from __future__ import annotations
