"""`cpniguard serve`: run the HTTP API with uvicorn."""

from __future__ import annotations

import typer
import uvicorn

from cpniguard.bootstrap import Container
from cpniguard.cli.context import container, refuse_exposure_outside_production
from cpniguard.web.app import create_app

app = typer.Typer(help="Run the HTTP API.", add_completion=False)


@app.callback(invoke_without_command=True)
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port to listen on."),
) -> None:
    """Serve the HTTP API, its OpenAPI document at /docs and the landing page at /."""
    with container() as built:
        run_server(built, host=host, port=port)


def run_server(container: Container, *, host: str, port: int) -> None:
    """Serve `container` over HTTP until interrupted (SIGINT or SIGTERM); loopback only outside production."""
    refuse_exposure_outside_production(host, container.settings.environment)
    config = uvicorn.Config(create_app(container), host=host, port=port, server_header=False)
    uvicorn.Server(config).run()


if __name__ == "__main__":
    app(prog_name="cpniguard serve")
