"""`cpniguard consent notices` and `consent due`: CPNI notice versions and mailings (47 CFR 64.2008).

Also the pieces every `consent` command shares: reading an instant with its offset, and the
progress display of a long pass.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cpniguard.adapters.notify.notice_files import DEFAULT_NOTICE_FILE, load_notice_file
from cpniguard.cli.context import (
    EXIT_BAD_INPUT,
    container,
    fail_with_input_error,
    not_found_exit,
    stderr,
    stdout,
)
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.services.consent_notices import (
    MAX_DUE_PAGE,
    NoticeBatchKind,
    NoticeTerms,
    add_notice_version,
    customers_due,
    notice_versions,
    run_notice_batch,
    start_notice_batch,
)

RECORDED_BY = "cli"
"""Who the ledger, the notice versions and the mailings say did it."""

app = typer.Typer(help="CPNI notice versions and mailings (64.2008).", no_args_is_help=True)


def aware_instant(value: str, option: str) -> datetime:
    """An ISO 8601 instant with its UTC offset, or exit 2 naming the option."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        stderr.print(
            f"[red]error:[/] {option}: {escape(repr(value))} is not an ISO 8601 instant with a UTC offset"
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    return parsed


def optional_instant(value: str | None, option: str) -> datetime | None:
    """`aware_instant` for an option that may be left out."""
    return None if value is None else aware_instant(value, option)


def counting_progress(unit: str) -> Progress:
    """A progress display on stderr counting `unit` as a pass goes through them."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(f"{{task.completed:,.0f}} {unit}"),
        TimeElapsedColumn(),
        console=stderr,
        transient=False,
    )


def moment_text(moment: date | None, empty: str = "") -> str:
    """An instant to the second, or a day, as ISO 8601; `empty` for None."""
    if isinstance(moment, datetime):
        return moment.isoformat(timespec="seconds")
    return empty if moment is None else moment.isoformat()


@app.command("add")
def add(
    file: Path | None = typer.Argument(None, help="A notice file (JSON: version, waiting period, texts)."),
    default: bool = typer.Option(False, "--default", help="Add the notice shipped with cpniguard."),
) -> None:
    """Add a notice version once it meets 47 CFR 64.2008(c); a version never changes after."""
    if (file is None) == (not default):
        stderr.print(
            "[red]error:[/] FILE: give a notice file, or --default for the shipped notice (not both)"
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    with container() as built:
        consent = built.settings.consent
        try:
            version, days, texts = load_notice_file(
                file or DEFAULT_NOTICE_FILE,
                opt_out_address=consent.opt_out_address,
                carrier_name=consent.carrier_name,
            )
            add_notice_version(
                built.notice_terms(), version=version, waiting_period_days=days, texts=texts, by=RECORDED_BY
            )
        except InvalidInputError as error:
            fail_with_input_error(error)
    stderr.print(f"notice version {escape(version)} added: waiting period {days} days, in {', '.join(texts)}")


@app.command("list")
def list_versions() -> None:
    """Every notice version, newest first."""
    with container() as built:
        versions = notice_versions(uow_factory=built.unit_of_work)
    table = Table("version", "waiting period (days)", "languages", "subject (en)", "added", "by")
    for version in versions:
        subject = version.texts.get("en", {}).get("subject", "")
        table.add_row(
            version.version,
            str(version.waiting_period_days),
            ", ".join(version.texts),
            subject,
            moment_text(version.created_at),
            version.created_by,
        )
    stdout.print(table)


@app.command("send")
def send(
    kind: NoticeBatchKind = typer.Option(
        ..., "--kind", case_sensitive=False, help="initial: never noticed; biennial: about to lapse."
    ),
    version: str = typer.Option(..., "--version", help="The notice version to send."),
) -> None:
    """Write a notice to the outbox for every customer due one; the worker delivers them.

    64.2008(b), (d)(2). The mailing is resumable: if it stops, `consent notices resume` goes on
    from where it stopped, and nobody gets a second notice.
    """
    with container() as built:
        terms = built.notice_terms()
        try:
            batch_id = start_notice_batch(terms, kind=kind, notice_version=version, by=RECORDED_BY)
        except InvalidInputError as error:
            fail_with_input_error(error)
        stderr.print(
            f"notice batch {batch_id} started ({kind}, version {escape(version)}); "
            f"if it stops, resume it with: cpniguard consent notices resume {batch_id}"
        )
        _run_batch(terms, batch_id)


@app.command("resume")
def resume(batch_id: int = typer.Argument(..., min=1, help="The mailing to go on with.")) -> None:
    """Go on with a mailing from where it stopped (after a crash or an interruption)."""
    with container() as built:
        _run_batch(built.notice_terms(), batch_id)


def _run_batch(terms: NoticeTerms, batch_id: int) -> None:
    try:
        with counting_progress("customers") as progress:
            task = progress.add_task(f"notice batch {batch_id}", total=None)
            state = run_notice_batch(
                terms, batch_id=batch_id, progress=lambda done: progress.advance(task, done)
            )
    except NotFoundError as error:
        raise not_found_exit(error) from None
    stdout.print(
        f"notice batch {state.id} ({state.kind}, version {state.notice_version}) finished: "
        f"{state.queued} queued, {state.skipped} skipped (no address of record)",
        markup=False,
    )


def due(
    as_of: str | None = typer.Option(None, "--as-of", help="ISO 8601 instant with offset; default now."),
    limit: int = typer.Option(100, "--limit", min=1, max=MAX_DUE_PAGE, help="How many to list."),
) -> None:
    """Customers due a CPNI notice: never given one that counts, or about to lapse (64.2008(b), (d)(2))."""
    at = optional_instant(as_of, "--as-of")
    with container() as built:
        try:
            found = customers_due(built.notice_terms(), as_of=at or built.clock.now(), limit=limit)
        except InvalidInputError as error:
            fail_with_input_error(error)
    table = Table(
        "account", "language", "last notice", "email of record", "email notices", "postal of record"
    )
    for recipient in found:
        table.add_row(
            recipient.account_number,
            recipient.language,
            moment_text(recipient.last_notice_at, "never"),
            _yes(recipient.email_of_record is not None),
            _yes(recipient.accepts_email_notices),
            _yes(recipient.postal_address_of_record is not None),
        )
    stdout.print(table)
    stderr.print(f"{len(found)} customers due" + (" (limit reached)" if len(found) == limit else ""))


def _yes(value: bool) -> str:
    return "yes" if value else "no"
