"""The declarative base: its metadata is the one the tables (ledger.store.tables) are declared on,
so Alembic and the models see one schema, declared once."""

from sqlalchemy.orm import DeclarativeBase

from ledger.store.tables import METADATA


class Base(DeclarativeBase):
    metadata = METADATA
