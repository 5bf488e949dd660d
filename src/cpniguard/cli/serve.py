"""`cpniguard serve`: run the HTTP API with uvicorn."""

from __future__ import annotations

import ipaddress

import typer
import uvicorn
from rich.markup import escape

from cpniguard.bootstrap import Container
from cpniguard.cli.context import EXIT_CONFIGURATION, container, stderr
from cpniguard.config import Environment
from cpniguard.web.app import create_app

app = typer.Typer(help="Run the HTTP API.", add_completion=False)


@app.callback(invoke_without_command=True)
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port to listen on."),
) -> None:
    """Serve the HTTP API, its OpenAPI document at /docs and the landing page at /."""
    with container() as built:
        _refuse_exposure_outside_production(host, built.settings.environment)
        run_server(built, host=host, port=port)


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False


def _refuse_exposure_outside_production(host: str, environment: Environment) -> None:
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


def run_server(container: Container, *, host: str, port: int) -> None:
    """Serve `container` over HTTP until interrupted (SIGINT or SIGTERM)."""
    config = uvicorn.Config(create_app(container), host=host, port=port, server_header=False)
    uvicorn.Server(config).run()


if __name__ == "__main__":
    app(prog_name="cpniguard serve")
