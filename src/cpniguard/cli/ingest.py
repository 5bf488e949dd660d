"""`cpniguard ingest cdr FILE`: load call detail records from CSV (optionally gzipped)."""

from __future__ import annotations

import csv
import getpass
import os
from pathlib import Path

import typer
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

from cpniguard.adapters.ingest.cdr_csv import CsvCallDetailSource
from cpniguard.cli.context import container, fail_with_input_error, stderr, stdout
from cpniguard.domain.call_detail import CALL_DETAIL_COLUMNS
from cpniguard.domain.errors import InvalidInputError
from cpniguard.services.call_detail import IngestRejectedError, IngestReport, ingest_call_detail

app = typer.Typer(help="Load records pushed by switches and billing systems.", no_args_is_help=True)


class RowsPerSecondColumn(ProgressColumn):
    """Shows the load rate in rows per second."""

    def render(self, task: Task) -> Text:
        """Render the current speed."""
        speed = task.finished_speed or task.speed
        return Text("-- rows/s" if speed is None else f"{speed:,.0f} rows/s", style="cyan")


@app.command("cdr")
def cdr(
    file: Path = typer.Argument(..., help="CSV file with a header row; .gz accepted."),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Load the valid rows and write the rejects to a file."
    ),
    rejects: Path | None = typer.Option(
        None, help="Where --skip-invalid writes rejected rows (default FILE.rejects.csv)."
    ),
    loaded_by: str | None = typer.Option(None, help="Who is loading (default: the OS user)."),
) -> None:
    """Load call detail records; all-or-nothing unless --skip-invalid."""
    try:
        source = CsvCallDetailSource.from_path(file)
    except InvalidInputError as error:
        fail_with_input_error(error)
    with container() as built, _progress() as progress:
        task = progress.add_task(f"loading {file.name}", total=None)
        try:
            report = ingest_call_detail(
                source=source,
                loaded_by=loaded_by or _operating_system_user(),
                skip_invalid=skip_invalid,
                uow_factory=built.unit_of_work,
                clock=built.clock,
                progress=lambda done: progress.update(task, completed=done),
            )
        except IngestRejectedError as error:
            progress.stop()
            fail_with_input_error(error)
        except InvalidInputError as error:
            progress.stop()
            fail_with_input_error(error)
    _print_report(report)
    if report.rejections:
        _write_rejects(report, rejects or file.with_name(file.name + ".rejects.csv"))


def _operating_system_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # a container user with no passwd entry and no LOGNAME
        return f"cli:uid-{os.getuid()}"


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} rows"),
        RowsPerSecondColumn(),
        TimeElapsedColumn(),
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
