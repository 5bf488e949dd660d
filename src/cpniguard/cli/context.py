"""How CLI commands get the container and report errors."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import ArgumentError, OperationalError

from cpniguard.bootstrap import Container, build_container
from cpniguard.config import Settings
from cpniguard.domain.errors import InvalidInputError

EXIT_BAD_INPUT = 2
EXIT_CONFIGURATION = 3

stderr = Console(stderr=True, highlight=False, soft_wrap=True)
stdout = Console(highlight=False, soft_wrap=True)


@contextmanager
def container(settings: Callable[[], Settings] = Settings) -> Iterator[Container]:
    """Build the container; bad settings and an unreachable database exit 3, saying why."""
    built = _build(settings)
    try:
        yield built
    except OperationalError as error:
        url = built.engine.url.render_as_string(hide_password=True)
        stderr.print(f"[red]error:[/] cannot reach the database at {escape(url)}: {escape(str(error.orig))}")
        raise typer.Exit(EXIT_CONFIGURATION) from None
    finally:
        built.dispose()


def _build(settings: Callable[[], Settings]) -> Container:
    try:
        return build_container(settings())
    except ValidationError as error:
        for problem in error.errors():
            where = ".".join(str(p) for p in problem["loc"]) or "settings"
            stderr.print(f"[red]configuration error[/] {escape(where)}: {escape(problem['msg'])}")
    except ArgumentError as error:
        stderr.print(f"[red]configuration error[/] CPNIGUARD_DATABASE__URL: {escape(str(error))}")
    except OSError as error:
        stderr.print(
            f"[red]configuration error[/] data directory {escape(str(error.filename))}: {error.strerror}"
        )
    raise typer.Exit(EXIT_CONFIGURATION)


def fail_with_input_error(error: InvalidInputError, *, limit: int | None = None) -> None:
    """Print what is wrong and where, then exit 2."""
    stderr.print(f"[red]error:[/] {escape(error.message)}")
    problems = error.problems if limit is None else error.problems[:limit]
    for problem in problems:
        stderr.print(f"  {problem.location}: {problem.message}", markup=False)
    if limit is not None and len(error.problems) > limit:
        stderr.print(f"  ... and {len(error.problems) - limit} more")
    sys.stderr.flush()
    raise typer.Exit(EXIT_BAD_INPUT)
