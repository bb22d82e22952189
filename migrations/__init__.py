"""Alembic revisions of the ledger schema; installed as ``ledger.migrations``."""
