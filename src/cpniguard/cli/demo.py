"""`cpniguard demo`: create the database, seed a synthetic carrier, print sign-ins, serve."""

from __future__ import annotations

import ipaddress
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from cpniguard.adapters.db import migrate
from cpniguard.adapters.db.demo import SqlDemoCarrierStore
from cpniguard.bootstrap import Container
from cpniguard.cli.context import (
    EXIT_BAD_INPUT,
    EXIT_CONFIGURATION,
    container,
    fail_with_input_error,
    refuse_exposure_outside_production,
    stderr,
    stdout,
)
from cpniguard.config import Environment, Settings
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import InvalidInputError
from cpniguard.services.demo import DemoDataPresentError, DemoStage, DemoSummary, seed_demo_carrier
from cpniguard.services.demo_carrier import FULL_SCALE, DemoScale

DEMO_SCALE: DemoScale = FULL_SCALE
TABLE_WIDTH = 140
"""Wide enough that no token is ever wrapped (a wrapped token cannot be pasted)."""
_HOSTNAME = re.compile(
    r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)

app = typer.Typer(
    help="Seed a synthetic carrier (1,200 accounts, 120,000 calls) into an empty database; serve the app.",
    pretty_exceptions_enable=False,
)


def _host(value: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        if not _HOSTNAME.fullmatch(value):
            raise typer.BadParameter(f"'{value[:60]}' is neither an IP address nor a host name") from None
    return value


@app.callback(invoke_without_command=True)
def demo(
    no_serve: bool = typer.Option(False, "--no-serve", help="Seed only; do not start the server."),
    data_dir: Path | None = typer.Option(
        None,
        "--data-dir",
        envvar="CPNIGUARD_DATA_DIR",
        file_okay=False,
        help="Folder for the SQLite file (default ./data); CPNIGUARD_DATABASE__URL, if set, wins.",
    ),
    host: str = typer.Option("127.0.0.1", callback=_host, help="Address to serve on."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port to serve on."),
    seed: int = typer.Option(2026, min=0, help="The same seed gives the same carrier."),
) -> None:
    """Seed 1,200 synthetic accounts and 120,000 calls into an empty database, then serve the app."""
    with _container(data_dir) as built:
        if not no_serve:  # refuse before seeding anything, as serving would
            refuse_exposure_outside_production(host, built.settings.environment)
        _migrate(built)
        summary = _seed(built, seed)
        base_url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        if summary is None:
            stdout.print(
                "The database already holds accounts: the demo data is already there; nothing seeded. "
                "Credentials are shown only when they are made: issue a new token with "
                "`cpniguard tokens issue --role administrator --label demo` (same CPNIGUARD_DATA_DIR), "
                "or delete the data folder to seed again.",
                soft_wrap=True,
            )
        else:
            _print_summary(summary, base_url)
        if no_serve:
            return
        from cpniguard.cli.serve import run_server  # noqa: PLC0415  (only the serving branch needs uvicorn)

        stdout.print(f"Serving {base_url} (OpenAPI at {base_url}/docs); Ctrl+C stops.", soft_wrap=True)
        run_server(built, host=host, port=port)


@contextmanager
def _container(data_dir: Path | None) -> Iterator[Container]:
    """The container for `data_dir`; bad settings exit 3, a folder that cannot be made exits 2."""
    if data_dir is not None:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            stderr.print(f"[red]error:[/] --data-dir: cannot create {error.filename}: {error.strerror}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
    with container(Settings if data_dir is None else lambda: Settings(data_dir=data_dir)) as built:
        if built.settings.environment is Environment.PRODUCTION:
            stderr.print("[red]error:[/] the demo seeds synthetic customers; it never runs in production")
            raise typer.Exit(EXIT_CONFIGURATION)
        yield built


def _migrate(built: Container) -> None:
    migrate.upgrade(built.engine)


def _seed(built: Container, seed: int) -> DemoSummary | None:
    started = time.perf_counter()
    with _Progress() as progress:
        try:
            summary = seed_demo_carrier(
                uow_factory=built.unit_of_work,
                store_factory=lambda: SqlDemoCarrierStore(built.sessions),
                clock=built.clock,
                passwords=built.passwords,
                scale=DEMO_SCALE,
                seed=seed,
                notice=built.default_notice(),
                campaigns=built.campaign_context(),
                progress=progress.tell,
            )
        except DemoDataPresentError:
            return None
        except InvalidInputError as error:
            progress.stop()
            fail_with_input_error(error, limit=20)
    stdout.print(f"Seeded in {time.perf_counter() - started:.1f} s.")
    return summary


class _Progress(Progress):
    """One bar per seeding stage, added when the stage starts."""

    def __init__(self) -> None:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        super().__init__(*columns, console=stderr, transient=False)
        self._stage_tasks: dict[DemoStage, TaskID] = {}

    def tell(self, stage: DemoStage, done: int, total: int) -> None:
        if stage not in self._stage_tasks:
            self._stage_tasks[stage] = self.add_task(stage.value, total=total)
        self.update(self._stage_tasks[stage], completed=done, total=total)


def _print_summary(summary: DemoSummary, base_url: str) -> None:
    stdout.print(
        f"{summary.accounts:,} accounts ({summary.business_accounts:,} business, {summary.french_accounts:,} "
        f"in French), {summary.services:,} services ({', '.join(summary.categories)}), "
        f"{summary.contact_points:,} contact points, {summary.invoices:,} invoices, {summary.listings:,} "
        f"published listings, {summary.call_detail_records:,} call detail records, "
        f"{summary.consent_events:,} consent ledger events, breach {summary.breach_reference} "
        "with its agency notice due (cpniguard breach list)"
        + (
            "."
            if summary.campaign_audience is None
            else f", and an approved campaign whose audience "
            f"selected {summary.campaign_audience:,} customers (cpniguard campaigns list)."
        ),
        soft_wrap=True,
    )
    table = Table(
        title="Sign-in credentials (shown once: only their hashes are stored)", title_justify="left"
    )
    for column in ("username", "role", "password", "bearer token"):
        table.add_column(column, no_wrap=True)
    for credential in summary.credentials:
        table.add_row(
            credential.username or "(integration)",
            credential.role,
            credential.password or "",
            credential.token,
        )
    Console(highlight=False, width=max(stdout.width, TABLE_WIDTH)).print(table)
    tokens = {credential.role: credential.token for credential in summary.credentials}
    for line in (
        f"Open {base_url}/ for what to try, and {base_url}/docs for the API.",
        f'curl -H "Authorization: Bearer {tokens[Role.REPRESENTATIVE]}" {base_url}/api/v1/me',
        f'curl -H "Authorization: Bearer {tokens[Role.COMPLIANCE_OFFICER]}" {base_url}/api/v1/classification',
        f"curl {base_url}/health/ready",
        (
            f'curl -H "Authorization: Bearer {tokens[Role.REPRESENTATIVE]}" '
            '-H "Content-Type: application/json" '
            f"-d '{_decision_example(summary.sample_account_number)}' {base_url}/api/v1/decisions"
        ),
        (
            f'curl -H "Authorization: Bearer {tokens[Role.AUDITOR]}" '
            f"{base_url}/api/v1/accounts/{summary.sample_account_number}/access-log"
        ),
    ):
        stdout.print(line, soft_wrap=True, markup=False)


def _decision_example(account_number: str) -> str:
    """A gate request to try: mail call detail to the postal address of record (64.2010(b))."""
    return json.dumps(
        {
            "account_number": account_number,
            "data_category": "call_detail",
            "purpose": "provide_service",
            "channel": "postal_mail",
            "recipient": "customer",
            "destination": "postal_address_of_record",
        }
    )
