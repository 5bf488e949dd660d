"""`cpniguard consent`: the consent ledger from the command line (47 CFR 64.2007-64.2009).

Staff read a customer's approvals as of any instant and the ledger behind them, enter what
arrived on paper, keep the projection honest, purge what is past retention, send notices,
and watch the opt-out channels.
"""

from __future__ import annotations

import logging

import typer
from rich.markup import escape
from rich.table import Table

from cpniguard.cli import consent_notices, opt_out_monitor
from cpniguard.cli.consent_notices import (
    RECORDED_BY,
    aware_instant,
    counting_progress,
    moment_text,
    optional_instant,
)
from cpniguard.cli.context import (
    EXIT_BAD_INPUT,
    container,
    fail_with_input_error,
    not_found_exit,
    stderr,
    stdout,
)
from cpniguard.domain.consent import DECISIONS
from cpniguard.domain.consent_events import (
    APPROVAL_CLASSES,
    ConsentEvent,
    ConsentEventKind,
    ConsentProof,
    ConsentScope,
    ConsentSource,
    NoticeMedium,
)
from cpniguard.domain.consent_retention import RetentionFloorError
from cpniguard.domain.disclosure_request import ActorKind, RecipientClass
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.services.consent import ConsentContext, consent_events, consent_report, record_consent
from cpniguard.services.consent_maintenance import ProjectionCheck, check_projection, purge_consent_records
from cpniguard.services.disclosure import Asker

logger = logging.getLogger(__name__)

EXIT_PROJECTION_DIFFERS = 1
SHOWN_DIFFERENCES = 20
CLI_ASKER = Asker(kind=ActorKind.EMPLOYEE, role=Role.COMPLIANCE_OFFICER, label=RECORDED_BY)
"""Whoever runs the CLI on the server administers cpniguard: compliance staff may enter any channel."""

app = typer.Typer(help="The consent ledger, notices and opt-out monitoring.", no_args_is_help=True)
app.add_typer(consent_notices.app, name="notices")
app.add_typer(opt_out_monitor.failures, name="failures")
app.command("probe")(opt_out_monitor.probe)


@app.command()
def show(
    account: str = typer.Argument(..., help="The account number."),
    as_of: str | None = typer.Option(None, "--as-of", help="ISO 8601 instant with offset; default now."),
) -> None:
    """The customer's approval per recipient at an instant, and why (47 CFR 64.2009(a))."""
    at = optional_instant(as_of, "--as-of")
    with container() as built:
        try:
            report = consent_report(
                uow_factory=built.unit_of_work, account_number=account, as_of=at or built.clock.now()
            )
        except NotFoundError as error:
            raise not_found_exit(error) from None
    stdout.print(f"consent of {report.account_number} as of {moment_text(report.as_of)}", markup=False)
    table = Table("scope", "approval", "reason", "since", "until", "deemed from")
    for standing in report.standings:
        table.add_row(
            escape(str(standing.scope)),
            standing.approval,
            standing.reason,
            moment_text(standing.since),
            moment_text(standing.until),
            moment_text(standing.deemed_from),
        )
    stdout.print(table)
    renotice = moment_text(report.renotice_due_at) or "no notice yet: an initial notice is due (64.2008(b))"
    stdout.print(f"renotice due: {renotice}", markup=False)


@app.command()
def events(account: str = typer.Argument(..., help="The account number.")) -> None:
    """The customer's consent ledger, oldest first (64.2007(a)(3), 64.2008(a)(2) records)."""
    with container() as built:
        try:
            ledger = consent_events(uow_factory=built.unit_of_work, account_number=account)
        except NotFoundError as error:
            raise not_found_exit(error) from None
    table = Table("id", "kind", "occurred", "recorded", "by", "scope", "source", "details", "reference")
    for event in ledger:
        table.add_row(
            str(event.id),
            event.kind,
            moment_text(event.occurred_at),
            moment_text(event.recorded_at),
            escape(event.recorded_by),
            escape(_scope_text(event)),
            event.source or "",
            escape(_details(event)),
            escape(event.reference or ""),
        )
    stdout.print(table)


def _scope_text(event: ConsentEvent) -> str:
    if event.scope:
        return ", ".join(map(str, event.scope))
    return "every recipient" if event.kind is ConsentEventKind.OPTED_OUT else ""


def _details(event: ConsentEvent) -> str:
    facts = (
        ("notice", event.notice_version),
        ("by", event.notice_medium),
        ("waiting days", event.waiting_period_days),
        ("proof", event.proof),
        ("recording", event.recording_reference),
        ("bounced notice", event.refers_to),
        ("interaction", event.interaction_id),
        ("evidence", event.evidence),
    )
    return "; ".join(f"{name} {value}" for name, value in facts if value is not None)


def _scope(value: str) -> ConsentScope:
    """`class` or `class:partner name`, or exit 2 naming --scope."""
    recipient, _, partner = value.partition(":")
    try:
        return ConsentScope(RecipientClass(recipient.strip()), partner.strip())
    except ValueError:
        choices = ", ".join(sorted(APPROVAL_CLASSES))
        stderr.print(
            f"[red]error:[/] --scope: {escape(repr(value))} is not a recipient class; "
            f"give one of {choices}, optionally followed by ':partner name'"
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None


@app.command()
def record(  # noqa: PLR0913, PLR0917  (typer takes each option as an argument)
    account: str = typer.Argument(..., help="The account number."),
    kind: ConsentEventKind = typer.Option(..., "--kind", case_sensitive=False, help="What happened."),
    source: ConsentSource | None = typer.Option(
        None, "--source", case_sensitive=False, help="How a decision arrived (e.g. mailed_form)."
    ),
    scope: list[str] = typer.Option(
        [],
        "--scope",
        help="carrier, or third_party:Acme Insurance; repeat it. None: an opt-out for everyone.",
    ),
    proof: ConsentProof | None = typer.Option(None, "--proof", case_sensitive=False, help="For an opt-in."),
    recording_reference: str | None = typer.Option(
        None, "--recording-reference", help="Where an oral approval's recording is kept (64.2007(a)(1))."
    ),
    occurred_at: str | None = typer.Option(
        None, "--occurred-at", help="When it happened (ISO 8601 with offset; default now)."
    ),
    evidence: str | None = typer.Option(None, "--evidence", help="The form's scan reference, a note."),
    notice_version: str | None = typer.Option(None, "--notice-version", help="For a notice sent."),
    notice_medium: NoticeMedium | None = typer.Option(None, "--notice-medium", case_sensitive=False),
    waiting_period_days: int | None = typer.Option(None, "--waiting-period-days", min=1),
    refers_to: int | None = typer.Option(None, "--refers-to", min=1, help="For a bounce: the notice's id."),
    interaction_id: int | None = typer.Option(None, "--interaction-id", min=1, help="For one-time consent."),
    reference: str | None = typer.Option(None, "--reference", help="Records it once: a form's number."),
) -> None:
    """Enter a consent event staff received, e.g. a mailed opt-out form (64.2007, 64.2008).

    A decision is confirmed to the customer through the outbox. Nothing is written when any
    value is wrong; every problem is listed.
    """
    scopes = tuple(_scope(value) for value in scope)
    at = optional_instant(occurred_at, "--occurred-at")
    with container() as built:
        now = built.clock.now()
        event = ConsentEvent(
            kind=kind,
            occurred_at=at or now,
            recorded_at=now,
            recorded_by=RECORDED_BY,
            scope=scopes,
            notice_version=notice_version,
            notice_medium=notice_medium,
            waiting_period_days=waiting_period_days,
            source=source,
            proof=proof,
            recording_reference=recording_reference,
            refers_to=refers_to,
            interaction_id=interaction_id,
            evidence=evidence,
            reference=reference,
        )
        context = ConsentContext(built.unit_of_work, built.clock, built.renderer)
        try:
            recorded = record_consent(context, account_number=account, event=event, asker=CLI_ASKER)
        except InvalidInputError as error:
            fail_with_input_error(error)
        except NotFoundError as error:
            raise not_found_exit(error) from None
    if recorded.already_recorded:
        stderr.print(
            f"reference {reference!r} is in the ledger already: nothing written (event {recorded.event.id})",
            markup=False,
        )
        return
    confirmation = recorded.confirmation
    confirmed = "" if confirmation is None else f"; confirmation by {confirmation.channel}"
    if confirmation is None and kind in DECISIONS:
        confirmed = "; no contact of record to confirm it to"
    stderr.print(f"{kind} recorded on {account} as event {recorded.event.id}{confirmed}", markup=False)


@app.command()
def check(
    repair: bool = typer.Option(
        False, "--repair", help="Rewrite the accounts that differ from their ledger."
    ),
) -> None:
    """Derive every account's approvals from its ledger again and compare with the projection.

    DESIGN.md invariant 6: the projection the gate reads must be what the ledger says. Exit 1
    when accounts differ (without --repair).
    """
    with container() as built, counting_progress("accounts") as progress:
        task = progress.add_task("checking the consent projection", total=None)
        found = check_projection(
            uow_factory=built.unit_of_work, repair=repair, progress=lambda done: progress.advance(task, done)
        )
    _print_check(found)
    if found.differences and not found.repaired:
        raise typer.Exit(EXIT_PROJECTION_DIFFERS)


def _print_check(found: ProjectionCheck) -> None:
    if not found.differences:
        stdout.print(f"the projection matches the ledger: {found.accounts_checked} accounts checked")
        return
    table = Table("account key", "segments missing", "segments unexpected")
    for difference in found.differences[:SHOWN_DIFFERENCES]:
        table.add_row(
            str(difference.account_id), str(len(difference.missing)), str(len(difference.unexpected))
        )
    stdout.print(table)
    if len(found.differences) > SHOWN_DIFFERENCES:
        stdout.print(f"... and {len(found.differences) - SHOWN_DIFFERENCES} more")
    outcome = "repaired" if found.repaired else "differ from their ledger; run with --repair to rewrite them"
    stdout.print(f"{len(found.differences)} of {found.accounts_checked} accounts {outcome}")


@app.command()
def purge(
    superseded_before: str = typer.Option(
        ...,
        "--superseded-before",
        help="Purge records superseded before this instant (ISO 8601 with offset).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; delete nothing."),
) -> None:
    """Delete consent and notice records superseded more than a year ago (64.2007(a)(3), 64.2008(a)(2)).

    A cutoff inside the one-year retention floor is refused (DESIGN.md invariant 8).
    """
    cutoff = aware_instant(superseded_before, "--superseded-before")
    with container() as built:
        try:
            result = purge_consent_records(
                uow_factory=built.unit_of_work, clock=built.clock, superseded_before=cutoff, dry_run=dry_run
            )
        except RetentionFloorError as error:
            stderr.print(f"[red]error:[/] --superseded-before: {escape(str(error))}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
    done = "would purge" if result.dry_run else "purged"
    stdout.print(f"{done} {result.events} records from {result.accounts} accounts")


app.command("due")(consent_notices.due)
