"""The Alembic revision this code expects. Kept apart from Alembic so that checking a ledger's
schema on every command does not import Alembic; a test pins it to the migrations' head."""

SCHEMA_REVISION = "0011"
