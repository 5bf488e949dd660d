"""`cpniguard ingest cdr FILE`: load call detail records from CSV (optionally gzipped)."""

from __future__ import annotations

import csv
import getpass
import os
import stat
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

PRIVATE_FILE_MODE = 0o600
"""Rejected rows are call detail: readable by the operator who loaded them only."""

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
        # Opened before the load: a path that cannot be written must stop it before the commit.
        rejected = RejectsFile.open(rejects or _default_rejects(file), file) if skip_invalid else None
    except InvalidInputError as error:
        fail_with_input_error(error)
    try:
        report = _load(source, file, loaded_by or _operating_system_user(), skip_invalid=skip_invalid)
        _print_report(report)
        if rejected is not None and report.rejections:
            rejected.write(report)
    finally:
        if rejected is not None:
            rejected.close()


def _load(
    source: CsvCallDetailSource | AsteriskCallDetailSource, file: Path, loaded_by: str, *, skip_invalid: bool
) -> IngestReport:
    with container() as built, _progress() as progress:
        task = progress.add_task(f"loading {file.name}", total=source.estimated_rows() or None)
        try:
            report = ingest_call_detail(
                source=source,
                loaded_by=loaded_by,
                skip_invalid=skip_invalid,
                uow_factory=built.unit_of_work,
                clock=built.clock,
                progress=lambda done: progress.update(task, completed=done),
            )
        except InvalidInputError as error:
            progress.stop()
            fail_with_input_error(error)
    return report


def _default_rejects(file: Path) -> Path:
    return file.with_name(file.name + ".rejects.csv")


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


class RejectsFile:
    """Where --skip-invalid writes the rejected rows: opened before the load, private (0600).

    Rejected rows are call detail (47 CFR 64.2003(d)), so only the operator may read them.
    A file cpniguard created is removed again when no row was rejected or the load failed;
    a file that was there already is left as it was unless there are rejects to write.
    """

    def __init__(self, path: Path, descriptor: int, *, created: bool) -> None:
        self.path = path
        self._descriptor: int | None = descriptor
        self._created = created

    @classmethod
    def open(cls, path: Path, input_file: Path) -> RejectsFile:
        """Create (or open) `path` for writing, or InvalidInputError saying why it cannot be."""
        if _is_same_file(path, input_file):
            raise _rejects_error(path, "is the input file itself; give another --rejects path")
        try:
            descriptor, created = _open_private(path)
        except OSError as error:
            raise _rejects_error(
                path, f"cannot be created: {error.strerror}; choose another --rejects path"
            ) from error
        return cls(path, descriptor, created=created)

    def write(self, report: IngestReport) -> None:
        """Replace the file's content with the rejected rows and why each was rejected."""
        if self._descriptor is None:
            raise RuntimeError("the rejects file was already written or closed")
        if stat.S_ISREG(os.fstat(self._descriptor).st_mode):
            os.ftruncate(self._descriptor, 0)
        with os.fdopen(self._descriptor, "w", newline="", encoding="utf-8") as handle:
            self._descriptor = None
            writer = csv.writer(handle)
            writer.writerow(("line_number", "reasons", *CALL_DETAIL_COLUMNS))
            for rejection in report.rejections:
                reasons = "; ".join(f"{p.location}: {p.message}" for p in rejection.problems)
                writer.writerow((rejection.line_number, reasons, *rejection.fields))
        stderr.print(f"{report.rows_rejected:,} rejected rows written to {self.path}", markup=False)

    def close(self) -> None:
        """Close it if nothing was written, removing it if cpniguard created it."""
        if self._descriptor is None:
            return
        os.close(self._descriptor)
        self._descriptor = None
        if self._created:
            self.path.unlink(missing_ok=True)


def _is_same_file(path: Path, input_file: Path) -> bool:
    if path.resolve() == input_file.resolve():
        return True
    try:
        return path.samefile(input_file)  # another name for it: a hard link
    except OSError:
        return False


def _open_private(path: Path) -> tuple[int, bool]:
    """Open `path` for writing with mode 0600; also say whether it was created."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE), True
    except FileExistsError:
        descriptor = os.open(path, os.O_WRONLY)
    try:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):  # not a terminal or a pipe
            os.fchmod(descriptor, PRIVATE_FILE_MODE)
    except OSError:
        os.close(descriptor)
        raise
    return descriptor, False


def _rejects_error(path: Path, message: str) -> InvalidInputError:
    problem = FieldProblem("--rejects", f"{path} {message}")
    return InvalidInputError("the rejects file cannot be written", (problem,))
