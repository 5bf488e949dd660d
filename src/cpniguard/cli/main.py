"""The `cpniguard` command."""

from __future__ import annotations

import typer

from cpniguard.cli import (
    audit,
    breach,
    campaigns,
    classification,
    consent,
    db,
    demo,
    employees,
    ingest,
    mailbox,
    outbox,
    serve,
    tokens,
    worker,
)

app = typer.Typer(
    help="cpniguard: the CPNI compliance engine.", no_args_is_help=True, pretty_exceptions_enable=False
)
app.add_typer(db.app, name="db")
app.add_typer(ingest.app, name="ingest")
app.add_typer(classification.app, name="classification")
app.add_typer(serve.app, name="serve")
app.add_typer(tokens.app, name="tokens")
app.add_typer(employees.app, name="employees")
app.add_typer(demo.app, name="demo")
app.add_typer(audit.app, name="audit")
app.add_typer(worker.app, name="worker")
app.add_typer(outbox.app, name="outbox")
app.add_typer(consent.app, name="consent")
app.add_typer(mailbox.app, name="mailbox")
app.add_typer(breach.app, name="breach")
app.add_typer(campaigns.app, name="campaigns")
