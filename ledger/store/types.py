"""Column types shared by the models: UTC timestamps that read back the same on every backend."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out.

    SQLite has no time zones and PostgreSQL converts to the session zone; storing naive UTC on
    both keeps journal snapshots byte-identical across backends.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    # Microseconds dropped: PostgreSQL and SQLite then round-trip the same value.
    return datetime.now(timezone.utc).replace(microsecond=0)
