"""`cpniguard audit`: verify the access log, sign checkpoints, read the third-party access log.

DESIGN.md invariant 2; 47 CFR 64.2009(c) for the third-party access log.
"""

from __future__ import annotations

import os

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from cpniguard.cli.breach_record import fail_naming, print_json
from cpniguard.cli.campaigns_audience import moment
from cpniguard.cli.consent_notices import moment_text
from cpniguard.cli.context import EXIT_CONFIGURATION, container, stderr, stdout
from cpniguard.domain.audit import TamperedLogError
from cpniguard.domain.audit_verification import ChainReport
from cpniguard.domain.errors import InvalidInputError
from cpniguard.services.audit import checkpoint_access_log, verify_access_log
from cpniguard.services.third_party_access import MAX_PAGE as MAX_THIRD_PARTY_PAGE
from cpniguard.services.third_party_access import third_party_access_log
from cpniguard.web.api.access_log_schemas import ThirdPartyAccessOut

EXIT_NOT_INTACT = 1
MAX_WORKERS = 64

app = typer.Typer(help="Verify the access log and sign checkpoints.", no_args_is_help=True)


@app.command()
def verify(
    workers: int = typer.Option(
        os.cpu_count() or 1, min=1, max=MAX_WORKERS, help="Processes that check a long log at once."
    ),
) -> None:
    """Check every entry, checkpoint and the signed head; exit 1 naming the first bad entry.

    47 CFR 64.2009(c): the record of each use or disclosure of CPNI must be kept; an edited,
    deleted, inserted or reordered entry and a truncated tail are all named here.
    """
    with container() as built, _progress() as progress:
        task = progress.add_task("verifying the access log", total=None)
        try:
            report = verify_access_log(
                chain=built.access_log_chain(workers=workers),
                keys=built.access_log_keys(),
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        except RuntimeError as error:  # a worker could not read the database
            progress.stop()
            stderr.print(f"[red]error:[/] {escape(str(error))}")
            raise typer.Exit(EXIT_CONFIGURATION) from None
    _print_report(report)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        MofNCompleteColumn(),
        TextColumn("entries"),
        BarColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=False,
    )


def _print_report(report: ChainReport) -> None:
    checked = (
        f"{report.entries_checked:,} entries, {report.checkpoints_checked:,} checkpoints, "
        f"signed head at entry {report.signed_head_sequence}"
    )
    if report.fault is None:
        stdout.print(f"the access log is intact: {checked}", markup=False)
        return
    fault = report.fault
    stdout.print(f"the access log is NOT intact: {fault.message} [{fault.kind}]", markup=False)
    stdout.print(f"first bad entry: {fault.sequence}; checked before it: {checked}", markup=False)
    raise typer.Exit(EXIT_NOT_INTACT)


@app.command()
def checkpoint() -> None:
    """Sign the last entry now, and print the checkpoint to keep outside the database.

    A copy kept elsewhere is what shows a cut back to an earlier signed state, which the
    database alone cannot (DESIGN.md invariant 2).
    """
    with container() as built:
        try:
            point = checkpoint_access_log(uow_factory=built.unit_of_work)
        except TamperedLogError as error:
            stderr.print(f"[red]error:[/] {escape(str(error))}")
            raise typer.Exit(EXIT_NOT_INTACT) from None
    if point is None:
        stdout.print("the access log is empty: there is nothing to sign yet")
        return
    stdout.print(
        f"checkpoint at entry {point.sequence}: hash {point.entry_hash.hex()} "
        f"signature {point.signature.hex()} key {point.key_id}",
        markup=False,
    )


@app.command("third-party-access")
def third_party_access(
    first: str = typer.Option(..., "--from", help="From this ISO 8601 instant with offset, inclusive."),
    last: str = typer.Option(..., "--to", help="To this ISO 8601 instant with offset, inclusive."),
    after: int = typer.Option(0, "--after", help="Only records with a greater id (paging)."),
    limit: int = typer.Option(100, "--limit", help=f"How many, 1 to {MAX_THIRD_PARTY_PAGE}."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for programs instead of a table."),
) -> None:
    """Each time the gate let a customer's CPNI go outside the carrier, in the order recorded (64.2009(c))."""
    period = moment(first, "--from"), moment(last, "--to")
    with container() as built:
        try:
            found = third_party_access_log(
                uow_factory=built.unit_of_work, first=period[0], last=period[1], after_id=after, limit=limit
            )
        except InvalidInputError as error:
            fail_naming(error, {"first": "--from", "last": "--to", "after_id": "--after", "limit": "--limit"})
    if as_json:
        print_json([ThirdPartyAccessOut.of(access).model_dump(mode="json") for access in found])
        return
    table = Table("id", "when", "account", "CPNI", "to", "where", "purpose", "asked by", "log entry")
    for access in found:
        table.add_row(
            str(access.id),
            moment_text(access.disclosed_at),
            access.account_number or "",
            escape(access.data_category),
            str(access.recipient_class),
            escape(access.destination or ""),
            escape(access.purpose),
            escape(access.disclosed_by),
            str(access.access_log_sequence),
        )
    stdout.print(table)
    stderr.print(f"{len(found)} records from {first} to {last}", markup=False)


if __name__ == "__main__":
    app(prog_name="cpniguard audit")
