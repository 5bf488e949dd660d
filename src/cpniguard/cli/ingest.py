"""`cpniguard ingest cdr FILE`: load call detail records from CSV (optionally gzipped)."""

from __future__ import annotations

import csv
import getpass
import os
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import typer
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from cpniguard.adapters.ingest.asterisk_csv import AsteriskCallDetailSource, AsteriskOptions
from cpniguard.adapters.ingest.cdr_csv import CsvCallDetailSource
from cpniguard.cli.context import container, fail_with_input_error, stderr, stdout
from cpniguard.domain.call_detail import CALL_DETAIL_COLUMNS
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.services.call_detail import IngestReport, ingest_call_detail

app = typer.Typer(help="Load records pushed by switches and billing systems.", no_args_is_help=True)


class EstimatedTotalColumn(ProgressColumn):
    """Shows about how many rows the file holds, when that could be counted."""

    def render(self, task: Task) -> Text:
        """Render the estimate."""
        return Text("" if task.total is None else f"of ~{task.total:,.0f}")


class RowsPerSecondColumn(ProgressColumn):
    """Shows the load rate in rows per second."""

    def render(self, task: Task) -> Text:
        """Render the current speed."""
        speed = task.finished_speed or task.speed
        return Text("-- rows/s" if speed is None else f"{speed:,.0f} rows/s", style="cyan")


class CdrFormat(StrEnum):
    """Layouts `ingest cdr` reads."""

    CPNIGUARD = "cpniguard"
    ASTERISK = "asterisk"


@app.command("cdr")
def cdr(  # noqa: PLR0913, PLR0917  (typer takes each option as an argument)
    file: Path = typer.Argument(..., help="CSV file with a header row; .gz accepted."),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Load the valid rows and write the rejects to a file."
    ),
    rejects: Path | None = typer.Option(
        None, help="Where --skip-invalid writes rejected rows (default FILE.rejects.csv)."
    ),
    loaded_by: str | None = typer.Option(None, help="Who is loading (default: the OS user)."),
    file_format: CdrFormat = typer.Option(
        CdrFormat.CPNIGUARD, "--format", help="cpniguard (CSV with a header) or asterisk (Master.csv)."
    ),
    source_system: str | None = typer.Option(None, help="asterisk: the switch the file comes from."),
    time_zone: str | None = typer.Option(None, help="asterisk: the switch's IANA time zone."),
    account: str | None = typer.Option(None, help="asterisk: the account for rows with no accountcode."),
    region: str = typer.Option("US", help="asterisk: where numbers without a country code are."),
    inbound_context: list[str] = typer.Option([], help="asterisk: a dial-plan context of inbound calls."),
) -> None:
    """Load call detail records; all-or-nothing unless --skip-invalid."""
    asterisk = {"--source-system": source_system, "--time-zone": time_zone, "--account": account}
    try:
        if file_format is CdrFormat.CPNIGUARD:
            _refuse_asterisk_options({**asterisk, "--inbound-context": inbound_context or None})
            source: CsvCallDetailSource | AsteriskCallDetailSource = CsvCallDetailSource.from_path(file)
        else:
            options = asterisk_options(source_system, time_zone, account, region, inbound_context)
            source = AsteriskCallDetailSource.from_file(file, options)
    except InvalidInputError as error:
        fail_with_input_error(error)
    with container() as built, _progress() as progress:
        task = progress.add_task(f"loading {file.name}", total=source.estimated_rows() or None)
        try:
            report = ingest_call_detail(
                source=source,
                loaded_by=loaded_by or _operating_system_user(),
                skip_invalid=skip_invalid,
                uow_factory=built.unit_of_work,
                clock=built.clock,
                progress=lambda done: progress.update(task, completed=done),
            )
        except InvalidInputError as error:
            progress.stop()
            fail_with_input_error(error)
    _print_report(report)
    if report.rejections:
        _write_rejects(report, rejects or file.with_name(file.name + ".rejects.csv"))


def _refuse_asterisk_options(given: dict[str, object]) -> None:
    problems = tuple(
        FieldProblem(name, "applies to --format asterisk only") for name, v in given.items() if v
    )
    if problems:
        raise InvalidInputError("options for another format were given", problems)


def asterisk_options(
    source_system: str | None, time_zone: str | None, account: str | None, region: str, contexts: list[str]
) -> AsteriskOptions:
    """Check and gather what an Asterisk Master.csv does not say about itself."""
    problems = [
        FieldProblem(name, "is required with --format asterisk")
        for name, value in (("--source-system", source_system), ("--time-zone", time_zone))
        if not value
    ]
    if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        problems.append(FieldProblem("--region", f"'{region}' is not a two-letter region phonenumbers knows"))
    zone = _zone(time_zone, problems) if time_zone else None
    if problems or zone is None or source_system is None:
        raise InvalidInputError("the Asterisk options are incomplete or wrong", tuple(problems))
    return AsteriskOptions(source_system, zone, account, region.upper(), frozenset(contexts))


def _zone(name: str, problems: list[FieldProblem]) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            FieldProblem("--time-zone", f"'{name}' is not an IANA time zone (e.g. America/New_York)")
        )
        return None


def _operating_system_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # a container user with no passwd entry and no LOGNAME
        return f"cli:uid-{os.getuid()}"


def _progress() -> Progress:
    # The total is the file's line count: near enough for a bar, exact for one-line rows.
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} rows"),
        BarColumn(),
        EstimatedTotalColumn(),
        RowsPerSecondColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=False,
    )


def _print_report(report: IngestReport) -> None:
    stdout.print(
        f"{report.source_name}: {report.rows_read:,} rows read, {report.rows_loaded:,} loaded, "
        f"{report.duplicates_skipped:,} already stored, {report.rows_rejected:,} rejected "
        f"(ingest batch {report.batch_id})"
    )


def _write_rejects(report: IngestReport, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("line_number", "reasons", *CALL_DETAIL_COLUMNS))
        for rejection in report.rejections:
            reasons = "; ".join(f"{p.location}: {p.message}" for p in rejection.problems)
            writer.writerow((rejection.line_number, reasons, *rejection.fields))
    stderr.print(f"{report.rows_rejected:,} rejected rows written to {path}")
