"""`cpniguard breach report|summary|notify|reminders`: a breach's documents and notices (47 CFR 64.2011).

The agency report (64.2011(a)(1) as amended) and the annual summary of small breaches ((a)(3) as
amended) are read from the stored timelines, printed as JSON or written as PDF, with every item
still missing listed on stderr: staff see what to record before filing. Customer notices are
previewed, then queued through the outbox; reminders list the duties due today.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from cpniguard.adapters.pdf.breach_documents import agency_report_pdf, annual_summary_pdf
from cpniguard.cli.breach_record import BREACH_ID, fail_naming, print_json, refuse
from cpniguard.cli.consent import CLI_ASKER
from cpniguard.cli.context import container, not_found_exit, stderr, stdout
from cpniguard.domain.accounts import Language
from cpniguard.domain.breach_reminders import Reminder
from cpniguard.domain.breach_report import agency_report_json
from cpniguard.domain.breach_summary import annual_summary_json
from cpniguard.domain.errors import CalendarRangeError, FieldProblem, InvalidInputError, NotFoundError
from cpniguard.services.breach_documents import agency_report_for, annual_summary_for
from cpniguard.services.breach_notices import (
    BreachNoticeTerms,
    preview_customer_notice,
    send_customer_notices,
)
from cpniguard.services.breach_reminders import breach_reminders

NOTICE_LOCATIONS = {"breach_id": "ID"}
PDF_FILE = typer.Option(None, "--pdf", metavar="FILE", help="Write a PDF here instead of JSON to stdout.")


def report(breach_id: int = BREACH_ID, pdf: Path | None = PDF_FILE) -> None:
    """The agency report of the breach (47 CFR 64.2011(a)(1) as amended; (b) legacy).

    Printed even when items are missing; each missing one is listed on stderr.
    """
    with container() as built:
        try:
            found = agency_report_for(
                uow_factory=built.unit_of_work,
                breach_id=breach_id,
                carrier=built.carrier_contact(),
                amendments_effective_on=built.settings.breach.amendments_effective_on,
            )
        except NotFoundError as error:
            raise not_found_exit(error) from None
    if pdf is None:
        print_json(agency_report_json(found))
    else:
        _write(pdf, agency_report_pdf(found), f"agency report of breach {breach_id} ({found.reference})")
    _print_missing(found.missing, "the agency report")


def summary(
    year: int = typer.Argument(..., metavar="YEAR", help="The calendar year of the determinations."),
    pdf: Path | None = PDF_FILE,
) -> None:
    """The annual summary of the year's small breaches (47 CFR 64.2011(a)(3) as amended).

    Breaches of fewer than 500 customers with no harm reasonably likely, due the next year.
    """
    with container() as built:
        try:
            found = annual_summary_for(
                uow_factory=built.unit_of_work,
                year=year,
                carrier=built.carrier_contact(),
                calendar=built.business_calendar(),
                amendments_effective_on=built.settings.breach.amendments_effective_on,
                annual_summary_due=built.annual_summary_due(),
            )
        except InvalidInputError as error:
            fail_naming(error, {"year": "YEAR"})
        except CalendarRangeError as error:
            refuse("YEAR", str(error))
    if pdf is None:
        print_json(annual_summary_json(found))
    else:
        _write(pdf, annual_summary_pdf(found), f"annual summary of {year}")
    stderr.print(f"{len(found.entries)} breaches in the summary of {year}, due {found.due_on}", markup=False)
    _print_missing(found.missing, "the annual summary")


def notify(
    breach_id: int = BREACH_ID,
    preview: bool = typer.Option(False, "--preview", help="Print the notice; send nothing."),
    language: Language | None = typer.Option(
        None, "--language", case_sensitive=False, help="With --preview: en or fr (default en)."
    ),
    letter: bool = typer.Option(False, "--letter", help="With --preview: the postal letter, not the email."),
) -> None:
    """Notify the breach's affected customers through the outbox (64.2011(c); (b) as amended).

    Each account gets the notice in its language, by email to its email of record, else by letter.
    Refused, sending nothing, while customers may not be told yet (a hold, the legacy wait, no
    agency notice) or the notice lacks a fact it must give.
    """
    if not preview and (language is not None or letter):
        refuse(
            "--language" if language is not None else "--letter",
            "only with --preview: a send writes to each customer in the account's language",
        )
    with container() as built:
        terms = built.breach_notice_terms()
        if preview:
            _preview(terms, breach_id, language or Language.EN, by_mail=letter)
        else:
            _send(terms, breach_id)


def _preview(terms: BreachNoticeTerms, breach_id: int, language: Language, *, by_mail: bool) -> None:
    try:
        rendered = preview_customer_notice(terms, breach_id=breach_id, language=language, by_mail=by_mail)
    except InvalidInputError as error:
        fail_naming(error, NOTICE_LOCATIONS)
    except NotFoundError as error:
        raise not_found_exit(error) from None
    if rendered.subject is not None:
        stdout.print(f"Subject: {rendered.subject}\n", markup=False)
    stdout.print(rendered.body, markup=False)
    _print_missing(rendered.missing, "the customer notice", "settings to configure before it is sent")


def _send(terms: BreachNoticeTerms, breach_id: int) -> None:
    try:
        run = send_customer_notices(terms, breach_id=breach_id, asker=CLI_ASKER)
    except InvalidInputError as error:
        fail_naming(error, NOTICE_LOCATIONS)
    except CalendarRangeError as error:
        refuse("ID", str(error))
    except NotFoundError as error:
        raise not_found_exit(error) from None
    stdout.print(
        f"breach {breach_id}: {run.queued} customer notices queued ({run.by_email} by email, "
        f"{run.by_letter} by letter); {run.already_queued} queued by an earlier send; "
        f"{run.without_address} accounts without an address of record",
        markup=False,
    )


def reminders(
    as_json: bool = typer.Option(False, "--json", help="Print JSON for programs instead of a table."),
) -> None:
    """The breach duties due a reminder today, overdue ones included (47 CFR 64.2011)."""
    with container() as built:
        due = breach_reminders(built.breach_reminder_terms())
    if as_json:
        print_json([_reminder_json(reminder) for reminder in due])
        return
    table = Table("breach", "reference", "duty", "due on", "business days left", "to", "rule")
    for reminder in due:
        left = reminder.business_days_left
        table.add_row(
            str(reminder.breach_id),
            escape(reminder.breach_reference),
            reminder.deadline_name,
            reminder.due_on.isoformat(),
            f"overdue by {-left}" if reminder.is_overdue else str(left),
            ", ".join(reminder.recipients),
            reminder.citation,
        )
    stdout.print(table)
    stderr.print(f"{len(due)} reminders due today")


def _reminder_json(reminder: Reminder) -> dict[str, object]:
    return {
        "breach_id": reminder.breach_id,
        "reference": reminder.breach_reference,
        "deadline": reminder.deadline_name,
        "due_on": reminder.due_on.isoformat(),
        "business_days_left": reminder.business_days_left,
        "overdue": reminder.is_overdue,
        "recipients": list(reminder.recipients),
        "citation": reminder.citation,
        "explanation": reminder.explanation,
    }


def _write(path: Path, content: bytes, what: str) -> None:
    try:
        path.write_bytes(content)
    except OSError as error:
        refuse("--pdf", f"cannot write {path}: {error.strerror}")
    stderr.print(f"{what} written to {escape(str(path))}")


def _print_missing(
    missing: Sequence[FieldProblem], document: str, what: str = "items to record before it is filed"
) -> None:
    if not missing:
        return
    stderr.print(f"MISSING from {document}: {len(missing)} {what}")
    for problem in missing:
        stderr.print(f"  {problem.location}: {problem.message}", markup=False)
    sys.stderr.flush()
