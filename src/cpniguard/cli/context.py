"""How CLI commands get the container and report errors."""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import ArgumentError, OperationalError

from cpniguard.bootstrap import Container, build_container
from cpniguard.config import Environment, Settings
from cpniguard.domain.errors import InvalidInputError, NotFoundError

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


def not_found_exit(error: NotFoundError) -> typer.Exit:
    """Print what was not found; the exit (code 2) to raise."""
    stderr.print(f"[red]error:[/] {escape(str(error))}")
    return typer.Exit(EXIT_BAD_INPUT)


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False


def refuse_exposure_outside_production(host: str, environment: Environment) -> None:
    """Exit 3 when `host` is reachable from other machines outside production."""
    # Outside production an administrator may move the clock across consent waiting
    # periods (64.2008(d)(1)), and development accepts placeholder secrets: such a server
    # must not be reachable from other machines (47 CFR 64.2010(a)).
    if environment is Environment.PRODUCTION or is_loopback(host):
        return
    stderr.print(
        f"[red]error:[/] refusing to listen on {escape(host)} in the {environment} environment: "
        "outside production an administrator can move the server's clock and development "
        "accepts placeholder secrets. Listen on 127.0.0.1, or set CPNIGUARD_ENVIRONMENT=production "
        "with real secrets to serve other machines."
    )
    raise typer.Exit(EXIT_CONFIGURATION)
