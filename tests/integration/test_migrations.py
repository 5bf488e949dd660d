"""Migrations build exactly the schema the models describe (STYLE.md 8), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, inspect, make_url, text
from tests.conftest import POSTGRES_URL_VARIABLE, TEST_SECRET, TEST_SIGNING_KEY
from typer.testing import CliRunner

from cpniguard.adapters.db import migrate
from cpniguard.adapters.db.engine import build_engine
from cpniguard.adapters.db.tables import Base
from cpniguard.cli.context import EXIT_CONFIGURATION
from cpniguard.cli.db import app as db_app


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    """A database with no tables at all, on the engine under test."""
    server_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server_url:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"cpniguard_empty_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def empty_engine(empty_database_url: str) -> Iterator[Engine]:
    engine = build_engine(empty_database_url)
    yield engine
    engine.dispose()


def downgrade(engine: Engine, revision: str) -> None:
    config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_an_empty_database_has_no_revision(empty_engine):
    assert migrate.current_revision(empty_engine) is None
    assert table_names(empty_engine) == set()


def test_upgrading_an_empty_database_to_head_matches_the_models(empty_engine):
    migrate.upgrade(empty_engine)
    assert migrate.head_revision() is not None
    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    assert table_names(empty_engine) == set(Base.metadata.tables)
    assert migrate.schema_drift(empty_engine) == []


def test_schema_drift_notices_when_the_database_and_models_disagree(empty_engine):
    migrate.upgrade(empty_engine)
    with empty_engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_service_numbers_telephone_number"))
    drift = migrate.schema_drift(empty_engine)
    assert drift, "a missing index must count as drift"
    assert "ix_service_numbers_telephone_number" in repr(drift)


def test_downgrading_to_base_and_upgrading_again_gives_the_same_schema(empty_engine):
    migrate.upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert migrate.current_revision(empty_engine) is None
    assert table_names(empty_engine) == set()
    migrate.upgrade(empty_engine)
    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    assert migrate.schema_drift(empty_engine) == []


def test_upgrading_a_database_already_at_head_changes_nothing(empty_engine):
    migrate.upgrade(empty_engine)
    migrate.upgrade(empty_engine)
    assert migrate.current_revision(empty_engine) == migrate.head_revision()
    assert migrate.schema_drift(empty_engine) == []


# ------------------------------------------------------------------ cpniguard db


def run_db(database_url: str, *args: str, **variables: str):
    """Run `cpniguard db ARGS` in-process with only the CPNIGUARD_ variables given here."""
    environment: dict[str, str | None] = {k: None for k in os.environ if k.startswith("CPNIGUARD_")}
    environment |= {
        "CPNIGUARD_ENVIRONMENT": "test",
        "CPNIGUARD_DATABASE__URL": database_url,
        "CPNIGUARD_SECURITY__SIGNING_KEY": TEST_SIGNING_KEY,
        "CPNIGUARD_SECURITY__ENCRYPTION_KEY": TEST_SECRET,
        "CPNIGUARD_GATEWAY__AUTH_TOKEN": TEST_SECRET,
    }
    environment |= variables
    return CliRunner().invoke(db_app, list(args), env=environment)


def test_db_status_exits_1_on_an_empty_database(empty_database_url):
    result = run_db(empty_database_url, "status")
    assert result.exit_code == 1, result.output
    assert "none (empty database)" in result.output
    assert "cpniguard db upgrade" in result.output


def test_db_upgrade_then_status_exits_0(empty_database_url):
    upgraded = run_db(empty_database_url, "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert f"database at revision {migrate.head_revision()}" in upgraded.output
    status = run_db(empty_database_url, "status")
    assert status.exit_code == 0, status.output
    assert f"database revision: {migrate.head_revision()}" in status.output


def test_db_status_exits_1_when_the_schema_drifted(empty_database_url, empty_engine):
    migrate.upgrade(empty_engine)
    with empty_engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_service_numbers_telephone_number"))
    empty_engine.dispose()
    result = run_db(empty_database_url, "status")
    assert result.exit_code == 1, result.output
    assert "models and database disagree" in result.output


def test_db_status_exits_3_on_placeholder_secrets_in_production(empty_database_url):
    result = run_db(
        empty_database_url,
        "status",
        CPNIGUARD_ENVIRONMENT="production",
        CPNIGUARD_SECURITY__SIGNING_KEY="change-me",
    )
    assert result.exit_code == EXIT_CONFIGURATION, result.output
    assert "configuration error" in result.output
    assert "CPNIGUARD_SECURITY__SIGNING_KEY" in result.output
