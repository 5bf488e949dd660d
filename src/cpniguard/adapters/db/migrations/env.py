"""Alembic environment: batch mode for SQLite, a lock timeout on PostgreSQL."""

from alembic import context
from sqlalchemy import Connection, text

from cpniguard.adapters.db.engine import build_engine
from cpniguard.adapters.db.tables import Base

config = context.config
target_metadata = Base.metadata
POSTGRES_LOCK_TIMEOUT = "10s"


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = build_engine(config.get_main_option("sqlalchemy.url") or "")
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SET lock_timeout = '{POSTGRES_LOCK_TIMEOUT}'"))
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
