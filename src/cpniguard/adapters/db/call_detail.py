"""Call detail in bulk: binary COPY on PostgreSQL, executemany on SQLite (reads are in cpni.py).

Both writes run inside the caller's transaction, so a load that fails or is killed part way
leaves the database as it was (the unit of work never commits).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import BigInteger, DateTime, Integer, String, insert, update
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import CallDetailRecord, IngestBatch
from cpniguard.adapters.db.types import sqlite_utc_text
from cpniguard.domain.call_detail import CallDetail
from cpniguard.services.ports import CallDetailChunks, IngestBatchRecord

TABLE = CallDetailRecord.__tablename__
COLUMNS = (*CallDetail._fields, "ingest_batch_id")
"""The stored columns, named as the fields of the domain record, then the batch."""
_COLUMN_LIST = ", ".join(COLUMNS)
_NATURAL_KEY = "(source_system, record_id)"
_RECORDS = CallDetailRecord.__table__.c
_POSTGRES_TYPE_NAMES = {BigInteger: "int8", Integer: "int4", String: "text", DateTime: "timestamptz"}


def _postgres_type(column: str) -> str:
    """The column's PostgreSQL type, for binary COPY (varchar is sent as text)."""
    declared = _RECORDS[column].type
    declared = getattr(declared, "impl", declared)  # UtcDateTime is a DateTime
    return next(name for kind, name in _POSTGRES_TYPE_NAMES.items() if isinstance(declared, kind))


_POSTGRES_TYPES = {column: _postgres_type(column) for column in COLUMNS}
SQLITE_LOAD_CACHE_KIB = 256 * 1024
"""SQLite page cache during a load (held only while it runs)."""


class SqlCallDetailStore:
    """CallDetailStore over an SQLAlchemy session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def start_batch(self, *, source_name: str, loaded_by: str, started_at: datetime) -> int:
        """Insert the batch row first: records point at it."""
        values = {
            "source_name": source_name,
            "content_sha256": "",
            "loaded_by": loaded_by,
            "started_at": started_at,
            "finished_at": started_at,
            "rows_read": 0,
            "rows_loaded": 0,
            "duplicates_skipped": 0,
            "rows_rejected": 0,
        }
        result = self._session.execute(insert(IngestBatch).values(**values).returning(IngestBatch.id))
        return int(result.scalar_one())

    def finish_batch(self, batch_id: int, record: IngestBatchRecord) -> None:
        """Write the batch's outcome."""
        values = {name: getattr(record, name) for name in record.__slots__}
        self._session.execute(update(IngestBatch).where(IngestBatch.id == batch_id).values(**values))

    def load(self, chunks: CallDetailChunks, *, batch_id: int) -> int:
        """Store the records not stored yet; return how many were new."""
        driver = self._session.connection().connection.driver_connection
        if isinstance(driver, psycopg.Connection):
            return _PostgresLoader(driver, batch_id).load(chunks)
        assert isinstance(driver, sqlite3.Connection)  # noqa: S101
        return _sqlite_load(driver, chunks, batch_id)


def _sqlite_load(driver: sqlite3.Connection, chunks: CallDetailChunks, batch_id: int) -> int:
    placeholders = ", ".join("?" * len(COLUMNS))
    statement = (
        f"INSERT INTO {TABLE} ({_COLUMN_LIST}) VALUES ({placeholders}) ON CONFLICT {_NATURAL_KEY} DO NOTHING"  # noqa: S608
    )
    before = driver.total_changes
    cursor = driver.cursor()
    (cache_size,) = cursor.execute("PRAGMA cache_size").fetchone()
    # Index pages for millions of rows do not fit SQLite's 2 MiB default cache, and each
    # miss rereads a page; the cache is memory only, so durability is unchanged.
    cursor.execute(f"PRAGMA cache_size = -{SQLITE_LOAD_CACHE_KIB}")
    try:
        for chunk in chunks():
            cursor.executemany(statement, [_sqlite_row(r, batch_id) for r in chunk])
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
        cursor.close()
    return int(driver.total_changes - before)


def _sqlite_row(record: CallDetail, batch_id: int) -> tuple[Any, ...]:
    answered = record.answered_at
    return (
        *record[:7],
        sqlite_utc_text(record.started_at),
        None if answered is None else sqlite_utc_text(answered),
        record.duration_seconds,
        record.billable_seconds,
        record.cell_site,
        batch_id,
    )


class _PostgresLoader:
    """COPY straight into the table; if a record is already stored, redo through a staging table.

    The direct path is the common one (new records) and streams at COPY speed; the
    staging path pays an extra copy only when the input overlaps what is stored.
    """

    def __init__(self, driver: psycopg.Connection[Any], batch_id: int) -> None:
        self._driver = driver
        self._batch_id = batch_id

    def load(self, chunks: CallDetailChunks) -> int:
        try:
            with self._driver.transaction():  # a savepoint inside the unit of work
                return self._copy(TABLE, chunks)
        except psycopg.errors.UniqueViolation:
            pass
        with self._driver.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS call_detail_staging "
                f"(LIKE {TABLE} INCLUDING DEFAULTS) ON COMMIT DROP"
            )
            cursor.execute("TRUNCATE call_detail_staging")
        self._copy("call_detail_staging", chunks)
        with self._driver.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} "  # noqa: S608
                f"FROM call_detail_staging ON CONFLICT {_NATURAL_KEY} DO NOTHING"
            )
            return cursor.rowcount

    def _copy(self, table: str, chunks: CallDetailChunks) -> int:
        count = 0
        batch_id = self._batch_id
        with (
            self._driver.cursor() as cursor,
            cursor.copy(f"COPY {table} ({_COLUMN_LIST}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            # Binary COPY sends each value in its column's type: no text to format or parse.
            copy.set_types([_POSTGRES_TYPES[name] for name in COLUMNS])
            for chunk in chunks():
                for record in chunk:
                    copy.write_row((*record, batch_id))
                count += len(chunk)
        return count
