"""How CLI commands get the container and report errors."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console

from cpniguard.bootstrap import Container, build_container
from cpniguard.domain.errors import InvalidInputError

EXIT_BAD_INPUT = 2
EXIT_CONFIGURATION = 3

stderr = Console(stderr=True, highlight=False, soft_wrap=True)
stdout = Console(highlight=False, soft_wrap=True)


@contextmanager
def container() -> Iterator[Container]:
    """Build the container from the environment; explain bad settings and exit 3."""
    try:
        built = build_container()
    except ValidationError as error:
        for problem in error.errors():
            where = ".".join(str(p) for p in problem["loc"]) or "settings"
            stderr.print(f"[red]configuration error[/] {where}: {problem['msg']}")
        raise typer.Exit(EXIT_CONFIGURATION) from None
    try:
        yield built
    finally:
        built.dispose()


def fail_with_input_error(error: InvalidInputError, *, limit: int | None = None) -> None:
    """Print what is wrong and where, then exit 2."""
    stderr.print(f"[red]error:[/] {error.message}")
    problems = error.problems if limit is None else error.problems[:limit]
    for problem in problems:
        stderr.print(f"  {problem.location}: {problem.message}", markup=False)
    if limit is not None and len(error.problems) > limit:
        stderr.print(f"  ... and {len(error.problems) - limit} more")
    sys.stderr.flush()
    raise typer.Exit(EXIT_BAD_INPUT)
