"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when
CPNIGUARD_TEST_DATABASE_URL names a server), per-test transactions rolled back at the
end, and fresh databases for tests that run cpniguard in another process."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.orm import sessionmaker

from cpniguard.adapters.clock import AdjustableClock
from cpniguard.adapters.db import migrate
from cpniguard.adapters.db.engine import build_engine
from cpniguard.bootstrap import Container
from cpniguard.config import Environment, SecuritySettings, Settings

TEST_NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
POSTGRES_URL_VARIABLE = "CPNIGUARD_TEST_DATABASE_URL"
TEST_SECRET = "test-secret-" + "x" * 40
TEST_SIGNING_KEY = "test-signing-key-" + "s" * 40
"""Signing and encryption keys must differ outside development."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by its folder: unit, integration or e2e."""
    for item in items:
        for marker in ("unit", "integration", "e2e"):
            if f"{os.sep}{marker}{os.sep}" in str(item.path):
                item.add_marker(marker)


def is_postgres() -> bool:
    """Whether this run targets PostgreSQL."""
    return bool(os.environ.get(POSTGRES_URL_VARIABLE))


class DatabaseFactory:
    """Creates empty, migrated databases on the engine under test, and drops them.

    The migrations run once per session into a template database; each create() copies it
    (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), which is far cheaper
    than migrating every new database. Names carry a uuid so that two sessions on one
    PostgreSQL server cannot collide.
    """

    def __init__(self, tmp_root: Path) -> None:
        self._tmp_root = tmp_root
        self._server_url = os.environ.get(POSTGRES_URL_VARIABLE)
        self._created: list[str] = []
        self._template: str | None = None  # a file path on SQLite, a database name on PostgreSQL

    def create(self) -> str:
        """Return the URL of a new, migrated, empty database (a copy of the session's template)."""
        if self._template is None:
            self._template = self._build_template()
        if not self._server_url:
            return self._copy_sqlite_template(self._template)
        return self._copy_postgres_template(self._template)

    def _build_template(self) -> str:
        if not self._server_url:
            path = self._tmp_root / f"template-{uuid.uuid4().hex[:12]}.sqlite3"
            _migrate(f"sqlite:///{path}", checkpoint=True)
            _require_head(f"sqlite:///{path}")
            _require_self_contained(path)
            return str(path)
        name = self._create_postgres_database(f"cpniguard_test_template_{uuid.uuid4().hex[:12]}")
        _migrate(self._postgres_url(name))
        _require_head(self._postgres_url(name))
        return name

    def _copy_sqlite_template(self, template: str) -> str:
        path = self._tmp_root / f"db-{uuid.uuid4().hex[:12]}.sqlite3"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
        _require_head(url)
        return url

    def _copy_postgres_template(self, template: str) -> str:
        name = f"cpniguard_test_{uuid.uuid4().hex[:12]}"
        self._create_postgres_database(name, template=template)
        return self._postgres_url(name)

    def _create_postgres_database(self, name: str, *, template: str | None = None) -> str:
        # The template must have no open connection now: _migrate and _require_head dispose theirs.
        clause = f' TEMPLATE "{template}"' if template else ""
        with self._admin() as admin:
            admin.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self._created.append(name)
        return name

    def _postgres_url(self, name: str) -> str:
        assert self._server_url
        return make_url(self._server_url).set(database=name).render_as_string(hide_password=False)

    @contextmanager
    def _admin(self) -> Iterator[Connection]:
        assert self._server_url
        engine = create_engine(self._server_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()

    def drop_all(self) -> None:
        """Drop every database this factory created on PostgreSQL, the template included."""
        if not self._created:
            return
        with self._admin() as admin:
            for name in self._created:
                admin.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _migrate(url: str, *, checkpoint: bool = False) -> None:
    """Upgrade the database at `url` to head; with checkpoint, fold SQLite's WAL into the file."""
    engine = build_engine(url)
    try:
        migrate.upgrade(engine)
        if checkpoint:
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


def _require_self_contained(path: Path) -> None:
    """Fail unless the SQLite file holds every committed page, so a plain copy is complete."""
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        msg = (
            f"SQLite template {path} still has {wal.stat().st_size} bytes in its WAL; a copy would lose them"
        )
        raise RuntimeError(msg)


def _require_head(url: str) -> None:
    """Fail unless the database at `url` is migrated to the newest revision."""
    engine = build_engine(url)
    try:
        found = migrate.current_revision(engine)
    finally:
        engine.dispose()
    if found != migrate.head_revision():
        msg = f"database {engine.url!r} is at revision {found}, not head {migrate.head_revision()}"
        raise RuntimeError(msg)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def database_url(databases: DatabaseFactory) -> str:
    """A migrated database shared by the session; tests roll their changes back."""
    return databases.create()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    built = build_engine(database_url)
    yield built
    built.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


def make_settings(url: str, **overrides: object) -> Settings:
    """Settings for tests: test environment, real-length secrets, the given database."""
    values: dict[str, object] = {
        "environment": Environment.TEST,
        "database": {"url": url},
        "security": SecuritySettings(signing_key=TEST_SIGNING_KEY, encryption_key=TEST_SECRET),  # type: ignore[arg-type]
        "gateway": {"auth_token": TEST_SECRET},
    }
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture
def clock() -> AdjustableClock:
    return AdjustableClock(pinned=TEST_NOW)


@pytest.fixture
def container(connection: Connection, engine: Engine, database_url: str, clock: AdjustableClock) -> Container:
    """The real container over the shared database; each unit of work commits to a savepoint."""
    sessions = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return Container(settings=make_settings(database_url), engine=engine, sessions=sessions, clock=clock)


@pytest.fixture
def fresh_database_url(databases: DatabaseFactory) -> str:
    """A new migrated database of its own, for tests that commit or start processes."""
    return databases.create()


@pytest.fixture
def cli_environment(fresh_database_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment variables that point a cpniguard subprocess at a fresh database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPNIGUARD_")}
    env.update(
        CPNIGUARD_ENVIRONMENT="test",
        CPNIGUARD_DATABASE__URL=fresh_database_url,
        CPNIGUARD_DATA_DIR=str(tmp_path / "data"),
        CPNIGUARD_SECURITY__SIGNING_KEY=TEST_SIGNING_KEY,
        CPNIGUARD_SECURITY__ENCRYPTION_KEY=TEST_SECRET,
        CPNIGUARD_GATEWAY__AUTH_TOKEN=TEST_SECRET,
    )
    return env
