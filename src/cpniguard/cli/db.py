"""`cpniguard db`: create and migrate the database."""

from __future__ import annotations

import typer
from alembic.util import CommandError
from rich.markup import escape

from cpniguard.adapters.db import migrate
from cpniguard.cli.context import EXIT_BAD_INPUT, container, stderr, stdout

app = typer.Typer(help="Create, migrate and check the database.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    with container() as built:
        try:
            migrate.upgrade(built.engine, revision)
        except CommandError as error:
            stderr.print(f"[red]error:[/] REVISION: {escape(str(error))}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        stdout.print(f"database at revision {migrate.current_revision(built.engine)}")


@app.command()
def status() -> None:
    """Say which revision the database is at and whether it matches the models."""
    with container() as built:
        current = migrate.current_revision(built.engine)
        head = migrate.head_revision()
        stdout.print(f"database revision: {current or 'none (empty database)'}; newest: {head}")
        if current != head:
            stderr.print("[yellow]the database needs `cpniguard db upgrade`[/]")
            raise typer.Exit(1)
        drift = migrate.schema_drift(built.engine)
        if drift:
            stderr.print(f"[red]models and database disagree:[/] {drift}")
            raise typer.Exit(1)
