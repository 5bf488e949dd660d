"""Run and check Alembic migrations from the installed package (`cpniguard db upgrade`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from cpniguard.adapters.db.tables import POSTGRESQL_ONLY_INDEXES, Base

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option(
        "file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s"
    )
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind `engine` to `revision`."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def head_revision() -> str | None:
    """The newest migration shipped with this package."""
    config = alembic_config("sqlite://")
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_drift(engine: Engine) -> list[object]:
    """Differences between the models and the migrated database; empty when they agree."""
    postgresql = engine.dialect.name == "postgresql"

    def include_object(_: object, name: str | None, kind: str, *__: object) -> bool:
        return postgresql or kind != "index" or name not in POSTGRESQL_ONLY_INDEXES

    with engine.connect() as connection:
        options = {"compare_type": True, "include_object": include_object}
        context = MigrationContext.configure(connection, opts=options)
        return list(compare_metadata(context, Base.metadata))
