"""The raw baseline: the same rows written with the database driver alone, and the same read.

No validation and no duplicate checks: only the conversions storage needs (account number
to key, times to UTC instants, durations to ints, empty optional fields to NULL).
"""

from __future__ import annotations

import csv
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import make_url

from cpniguard.adapters.db.call_detail import SQLITE_LOAD_CACHE_KIB
from scratch_databases import SQLITE_PRAGMAS, libpq_url

QUERY_MONTH = (datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
"""The month every one-month read asks for (the synthetic calls span August to October)."""
TABLE_COLUMNS = (
    "account_id",
    "source_system",
    "record_id",
    "direction",
    "call_type",
    "calling_number",
    "called_number",
    "started_at",
    "answered_at",
    "duration_seconds",
    "billable_seconds",
    "cell_site",
    "ingest_batch_id",
)


def sqlite_instant(value: str) -> str:
    """An ISO 8601 time with offset as the UTC text UtcDateTime stores on SQLite.

    A tuple %-format rather than strftime, which costs more than the row's insert: the
    baseline should be as quick as straightforward raw code can be.
    """
    utc = datetime.fromisoformat(value).astimezone(UTC)
    fields = (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % fields  # noqa: UP031  (the fast format)


def postgres_instant(value: str) -> datetime:
    """An ISO 8601 time with offset as a UTC instant."""
    return datetime.fromisoformat(value).astimezone(UTC)


def raw_values(
    row: list[str], ids: dict[str, int], batch_id: int, instant: Callable[[str], Any]
) -> tuple[Any, ...]:
    """The table's values for one CSV row: no validation, only the conversions storage needs."""
    source, record, account, direction, call_type, calling, called, started, answered, *rest = row
    duration, billable, cell_site = rest
    return (
        ids[account],
        source,
        record,
        direction,
        call_type,
        calling,
        called,
        instant(started),
        instant(answered) if answered else None,
        int(duration),
        int(billable) if billable else 0,
        cell_site or None,
        batch_id,
    )


BATCH_INSERT = (
    "INSERT INTO ingest_batches (source_name, content_sha256, loaded_by, started_at, finished_at, "
    "rows_read, rows_loaded, duplicates_skipped, rows_rejected) VALUES ({0}, {0}, {0}, {0}, {0}, 0, 0, 0, 0)"
)


def raw_sqlite_ingest(url: str, csv_path: Path, *, tuned: bool) -> float:
    """Seconds for sqlite3 executemany of the file's rows in one transaction.

    Same connection settings as cpniguard's engine; `tuned` adds the page cache cpniguard's
    loader takes for the load.
    """
    started = time.perf_counter()
    database = sqlite3.connect(str(make_url(url).database), isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        database.execute(f"PRAGMA {pragma}")
    if tuned:
        database.execute(f"PRAGMA cache_size = -{SQLITE_LOAD_CACHE_KIB}")
    database.execute("BEGIN")
    ids = dict(database.execute("SELECT account_number, id FROM accounts").fetchall())
    now = sqlite_instant(datetime.now(UTC).isoformat())
    batch = database.execute(BATCH_INSERT.format("?"), ("raw", "", "bench", now, now))
    batch_id = int(batch.lastrowid or 0)
    insert_row = (
        f"INSERT INTO call_detail_records ({', '.join(TABLE_COLUMNS)}) VALUES ({', '.join('?' * 13)})"
    )
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        database.executemany(insert_row, (raw_values(r, ids, batch_id, sqlite_instant) for r in reader))
    database.execute("COMMIT")
    database.close()
    return time.perf_counter() - started


POSTGRES_TYPES = ("int8", *["text"] * 6, "timestamptz", "timestamptz", "int4", "int4", "text", "int8")


def raw_postgres_ingest(url: str, csv_path: Path, *, tuned: bool) -> float:
    """Seconds for psycopg COPY FROM STDIN with write_row of the file's rows, in one transaction.

    Text format; `tuned` uses binary format with declared types, as cpniguard's loader does.
    """
    started = time.perf_counter()
    with psycopg.connect(libpq_url(url)) as connection, connection.cursor() as cursor:
        ids: dict[str, int] = dict(cursor.execute("SELECT account_number, id FROM accounts").fetchall())
        now = datetime.now(UTC)
        cursor.execute(BATCH_INSERT.format("%s") + " RETURNING id", ("raw", "", "bench", now, now))
        batch_id = int(cursor.fetchone()[0])  # type: ignore[index]
        copy_sql = f"COPY call_detail_records ({', '.join(TABLE_COLUMNS)}) FROM STDIN"
        copy_sql += " (FORMAT BINARY)" if tuned else ""
        with csv_path.open(newline="", encoding="utf-8") as handle, cursor.copy(copy_sql) as copy:
            if tuned:
                copy.set_types(POSTGRES_TYPES)
            reader = csv.reader(handle)
            next(reader)
            for row in reader:
                copy.write_row(raw_values(row, ids, batch_id, postgres_instant))
        connection.commit()
    return time.perf_counter() - started


RAW_QUERY = (
    "SELECT account_id, source_system, record_id, direction, call_type, calling_number, called_number, "
    "started_at, answered_at, duration_seconds, billable_seconds, cell_site FROM call_detail_records "
    "WHERE account_id = {0} AND started_at >= {0} AND started_at < {0} ORDER BY started_at, id"
)


def raw_sqlite_queries(url: str, account_ids: list[int]) -> tuple[float, int]:
    """Seconds and rows for the same SQL through sqlite3, in one read transaction."""
    start, end = (sqlite_instant(instant.isoformat()) for instant in QUERY_MONTH)
    rows = 0
    started = time.perf_counter()
    database = sqlite3.connect(str(make_url(url).database), isolation_level=None)
    database.execute("BEGIN")
    for account_id in account_ids:
        rows += len(database.execute(RAW_QUERY.format("?"), (account_id, start, end)).fetchall())
    database.execute("COMMIT")
    database.close()
    return time.perf_counter() - started, rows


def raw_postgres_queries(url: str, account_ids: list[int]) -> tuple[float, int]:
    """Seconds and rows for the same SQL through psycopg, in one transaction."""
    start, end = QUERY_MONTH
    rows = 0
    started = time.perf_counter()
    with psycopg.connect(libpq_url(url)) as connection, connection.cursor() as cursor:
        for account_id in account_ids:
            rows += len(cursor.execute(RAW_QUERY.format("%s"), (account_id, start, end)).fetchall())
    return time.perf_counter() - started, rows
