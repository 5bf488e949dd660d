"""Column types shared by every table: portable ids and UTC instants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

Id = BigInteger().with_variant(Integer(), "sqlite")
"""64-bit keys on PostgreSQL; SQLite only auto-increments a column typed INTEGER."""


class UtcDateTime(TypeDecorator[datetime]):
    """An instant, stored in UTC and always read back timezone-aware.

    Naive datetimes are refused: an instant without a zone cannot start a legal clock.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:  # noqa: ANN401
        """Refuse naive values; SQLite keeps UTC wall time without an offset."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: every instant needs a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:  # noqa: ANN401, ARG002
        """Return an aware UTC datetime whatever the engine stored."""
        if value is None:
            return None
        assert isinstance(value, datetime)  # noqa: S101
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None]:
        """On SQLite, read the stored UTC text in one step (per-account reads return many rows)."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)  # type: ignore[return-value]
        return _sqlite_utc_instant


def _sqlite_utc_instant(value: str | None) -> datetime | None:
    # Parsing the offset is several times cheaper than datetime.replace(tzinfo=UTC).
    return None if value is None else datetime.fromisoformat(value + "+00:00")


def sqlite_utc_text(value: datetime) -> str:
    """Format an aware instant the way UtcDateTime stores it on SQLite (for bulk loads)."""
    # SQLAlchemy's DATETIME storage format, without strftime, which costs more than a
    # bulk row's insert itself.
    value = value.astimezone(UTC)
    fields = (value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % fields  # noqa: UP031  (a tuple format is the fast one)
