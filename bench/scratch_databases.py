"""Scratch databases for the benchmarks: a fresh one per load, migrated to head, removed after.

Shared by bench/ingest.py and bench/audit.py, so that both measure on databases made the
same way, and their raw baselines connect the way cpniguard's engine does.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text

from cpniguard.adapters.db import migrate
from cpniguard.adapters.db.engine import build_engine
from cpniguard.bootstrap import Container, build_container
from cpniguard.config import Settings

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SQLITE_PRAGMAS = ("foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL")
"""What cpniguard's engine sets on each SQLite connection (adapters/db/engine.py), for the raw sides."""

Prepare = Callable[[Engine], None]
"""Fills a freshly migrated database before it is handed out (e.g. with accounts)."""


@contextlib.contextmanager
def fresh_database(
    engine: str, postgres_url: str, workdir: Path, prepare: Prepare | None = None
) -> Iterator[str]:
    """The URL of a new database migrated to head and filled by `prepare`; removed afterwards.

    SQLite: a file in `workdir`. PostgreSQL: a database created on `postgres_url`'s server.
    """
    if engine == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:12]}.sqlite3"
        try:
            yield _migrated(f"sqlite:///{path}", prepare)
        finally:
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
        return
    name = f"cpniguard_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        yield _migrated(url, prepare)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrated(url: str, prepare: Prepare | None) -> str:
    engine = build_engine(url)
    try:
        migrate.upgrade(engine)
        if prepare is not None:
            prepare(engine)
    finally:
        engine.dispose()
    return url


def container_for(url: str, workdir: Path) -> Container:
    """The real composition root, configured for `url` (every other setting at its default)."""
    settings = {"environment": "development", "data_dir": workdir, "database": {"url": url}}
    return build_container(Settings.model_validate(settings))


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as a libpq connection string, for psycopg on its own."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
