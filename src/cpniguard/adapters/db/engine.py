"""Engines for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

SQLITE_BUSY_TIMEOUT_MS = 30_000


def build_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, echo=echo, hide_parameters=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:  # noqa: ANN401
    assert isinstance(dbapi_connection, sqlite3.Connection)  # noqa: S101
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy emits BEGIN instead.
    dbapi_connection.isolation_level = None


def _begin_sqlite(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")
