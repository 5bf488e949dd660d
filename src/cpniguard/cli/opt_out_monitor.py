"""`cpniguard consent probe` and `cpniguard consent failures`: watching the opt-out channels.

47 CFR 64.2009(f): a test opt-out goes through each channel at an interval; channels that keep
failing open an incident whose letter to the Commission is due in 5 business days.
"""

from __future__ import annotations

import logging
import sys
import threading
from datetime import date
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from cpniguard.adapters.pdf.opt_out_failure_letter import render_letter_pdf
from cpniguard.cli.consent_notices import moment_text, optional_instant
from cpniguard.cli.context import (
    EXIT_BAD_INPUT,
    EXIT_CONFIGURATION,
    container,
    fail_with_input_error,
    not_found_exit,
    stderr,
    stdout,
)
from cpniguard.cli.mailbox import stop_on_signals
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.domain.opt_out_failures import letter_text
from cpniguard.services.opt_out_monitor import (
    MAX_INCIDENTS_PAGE,
    IncidentUpdate,
    ProbeRound,
    failure_incidents,
    failure_letter,
    run_probe_round,
    update_incident,
)

logger = logging.getLogger(__name__)

failures = typer.Typer(
    help="Opt-out failure incidents and the FCC letter (64.2009(f)).", no_args_is_help=True
)


def probe(once: bool = typer.Option(False, "--once", help="Run one round, then exit.")) -> None:
    """Send a test opt-out through each channel and check the last ones were recorded (64.2009(f)).

    Without --once, a round runs every probe_interval_seconds until SIGINT or SIGTERM.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with container() as built:
        senders = built.probe_senders()
        if not senders:
            stderr.print(
                "[red]configuration error[/] no probe account is configured: set "
                "CPNIGUARD_CONSENT__PROBE_ACCOUNT_NUMBER to the test account the probes opt out"
            )
            raise typer.Exit(EXIT_CONFIGURATION)
        if once:
            _print_round(run_probe_round(built.monitor_terms(), senders))
            return
        stop = threading.Event()
        stop_on_signals(stop)
        while not stop.is_set():
            try:
                _print_round(run_probe_round(built.monitor_terms(), senders))
            except Exception:
                logger.exception("the probe round failed; the next one runs on time")
            stop.wait(built.settings.consent.probe_interval_seconds)


def _print_round(done: ProbeRound) -> None:
    opened = ", ".join(map(str, done.incidents_opened)) or "none"
    stdout.print(
        f"probes sent {done.sent}; earlier probes succeeded {done.succeeded}, failed {done.failed}; "
        f"incidents opened: {opened}"
    )
    sys.stdout.flush()


@failures.command("list")
def list_failures(
    limit: int = typer.Option(50, "--limit", min=1, max=MAX_INCIDENTS_PAGE, help="How many to list."),
) -> None:
    """Opt-out failure incidents, newest first, with the FCC letter's due date."""
    with container() as built:
        found = failure_incidents(built.monitor_terms(), limit=limit)
    table = Table("id", "channels", "determined", "letter due", "remedy", "letter sent", "closed", "problem")
    for incident in found:
        table.add_row(
            str(incident.id),
            ", ".join(incident.channels),
            moment_text(incident.determined_at),
            moment_text(incident.letter_due_on),
            "missing" if incident.remedy is None else f"by {moment_text(incident.remedy_date) or '?'}",
            moment_text(incident.letter_sent_at),
            moment_text(incident.closed_at),
            escape(incident.problem),
        )
    stdout.print(table)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        stderr.print(f"[red]error:[/] {option}: {escape(repr(value))} is not a date (YYYY-MM-DD)")
        raise typer.Exit(EXIT_BAD_INPUT) from None


@failures.command("update")
def update_failure(  # noqa: PLR0913, PLR0917  (typer takes each option as an argument)
    incident_id: int = typer.Argument(..., min=1, help="The incident."),
    remedy: str | None = typer.Option(None, "--remedy", help="The proposed remedy."),
    remedy_date: str | None = typer.Option(
        None, "--remedy-date", help="When it is or was in place (YYYY-MM-DD)."
    ),
    state_commissions: str | None = typer.Option(
        None, "--state-commissions", help="Whether state commissions were told, and whether they acted."
    ),
    customer_notice: str | None = typer.Option(
        None, "--customer-notice", help="The notice given to customers."
    ),
    letter_sent_at: str | None = typer.Option(None, "--letter-sent-at", help="ISO 8601 with offset."),
    closed_at: str | None = typer.Option(None, "--closed-at", help="When the channel worked again."),
) -> None:
    """Add the remedy, the notices given, the letter's sending or the closing to an incident."""
    update = IncidentUpdate(
        remedy=remedy,
        remedy_date=_day(remedy_date, "--remedy-date"),
        state_commission_notice=state_commissions,
        customer_notice=customer_notice,
        letter_sent_at=optional_instant(letter_sent_at, "--letter-sent-at"),
        closed_at=optional_instant(closed_at, "--closed-at"),
    )
    if update == IncidentUpdate():
        stderr.print("[red]error:[/] nothing to update: give at least one option (see --help)")
        raise typer.Exit(EXIT_BAD_INPUT)
    with container() as built:
        try:
            update_incident(built.monitor_terms(), incident_id=incident_id, update=update)
        except InvalidInputError as error:
            fail_with_input_error(error)
        except NotFoundError as error:
            raise not_found_exit(error) from None
    stderr.print(f"incident {incident_id} updated")


@failures.command("letter")
def failure_letter_file(
    incident_id: int = typer.Argument(..., min=1, help="The incident."),
    out: Path = typer.Option(..., "--out", help="Where to write it: a .pdf, or plain text otherwise."),
) -> None:
    """Write the 64.2009(f) letter to the Commission; exit 2 listing what must be filled in first."""
    with container() as built:
        try:
            letter = failure_letter(
                built.monitor_terms(), incident_id=incident_id, carrier=built.carrier_contact()
            )
        except InvalidInputError as error:
            fail_with_input_error(error)
        except NotFoundError as error:
            raise not_found_exit(error) from None
    content = render_letter_pdf(letter) if out.suffix.lower() == ".pdf" else letter_text(letter).encode()
    try:
        out.write_bytes(content)
    except OSError as error:
        stderr.print(f"[red]error:[/] --out: cannot write {escape(str(out))}: {escape(error.strerror or '')}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    stderr.print(f"letter for incident {incident_id} written to {escape(str(out))}; due {letter.due_on}")
