"""`cpniguard breach`: CPNI breaches, their record, deadlines and documents (47 CFR 64.2011).

`deadlines` prints every deadline as JSON, each with how it was computed and the rule it
follows: from the determination time and facts staff give, or from a recorded breach's timeline
(`--breach`); both count business days on the same calendar, with the FCC closures of the
settings and of the database. `closures` keeps the days the FCC's offices were closed
(47 CFR 1.4(e)(1)). The record commands are in cli/breach_record.py, the documents in
cli/breach_documents.py.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from cpniguard.adapters.calendar import FIRST_SUPPORTED_YEAR, federal_calendar
from cpniguard.cli import breach_documents, breach_record
from cpniguard.cli.breach_record import fail_naming, print_json, refuse
from cpniguard.cli.consent import CLI_ASKER
from cpniguard.cli.consent_notices import aware_instant, moment_text
from cpniguard.cli.context import (
    EXIT_BAD_INPUT,
    EXIT_CONFIGURATION,
    container,
    fail_with_input_error,
    not_found_exit,
    stderr,
    stdout,
)
from cpniguard.config import Settings
from cpniguard.domain.breach import BreachFacts, BreachRegime, Deadline, breach_facts_problems, regime_for
from cpniguard.domain.breach_deadlines import breach_deadlines
from cpniguard.domain.business_days import BusinessCalendar, CommissionClosure, eastern_date
from cpniguard.domain.errors import CalendarRangeError, InvalidInputError, NotFoundError
from cpniguard.services.breach import breach_deadlines_for
from cpniguard.services.commission_closures import add_closure, list_closures, remove_closure

OPTIONS = {
    "determined_at": "--determined",
    "discovered_at": "--discovered",
    "customers_affected": "--customers",
}
"""The command-line option behind each fact, so errors name what the user typed."""

app = typer.Typer(
    help="Breaches of CPNI: the record, notice deadlines and documents (47 CFR 64.2011).",
    no_args_is_help=True,
)
closures = typer.Typer(
    help="Days the FCC's offices were closed, beyond the federal holidays (47 CFR 1.4(e)(1)).",
    no_args_is_help=True,
)


@app.command()
def deadlines(  # noqa: PLR0913, PLR0917  (typer takes each option as an argument)
    determined: str | None = typer.Option(
        None,
        "--determined",
        help="ISO 8601 instant with offset of the reasonable determination of the breach (or --breach).",
    ),
    discovered: str | None = typer.Option(
        None, "--discovered", help="ISO 8601 instant with offset of the discovery; default the determination."
    ),
    regime: BreachRegime | None = typer.Option(
        None, "--regime", help="legacy or 2023; default by CPNIGUARD_BREACH__AMENDMENTS_EFFECTIVE_ON."
    ),
    customers: int | None = typer.Option(
        None, "--customers", help="Customers affected (needed with --no-harm)."
    ),
    no_harm: bool = typer.Option(
        False, "--no-harm", help="The carrier reasonably determined no harm is likely."
    ),
    encrypted_key_safe: bool = typer.Option(
        False, "--encrypted-key-safe", help="Only encrypted data was taken, and definitively not the key."
    ),
    urgent_need: bool = typer.Option(
        False, "--urgent-need", help="Legacy 64.2011(b)(2): urgent need stated after consulting the agency."
    ),
    breach_id: int | None = typer.Option(
        None,
        "--breach",
        min=1,
        help="A recorded breach: its deadlines from its timeline, counting the recorded FCC closures too.",
    ),
) -> None:
    """Print a breach's agency, customer and annual-summary deadlines as JSON (47 CFR 64.2011)."""
    if breach_id is not None:
        _refuse_facts_with_breach(
            {
                "--determined": determined,
                "--discovered": discovered,
                "--regime": regime,
                "--customers": customers,
                "--no-harm": no_harm,
                "--encrypted-key-safe": encrypted_key_safe,
                "--urgent-need": urgent_need,
            }
        )
        _print_recorded_deadlines(breach_id)
        return
    if determined is None:
        refuse(
            "--determined", "give the determination (ISO 8601 with offset), or --breach ID of a recorded one"
        )
    determined_at = aware_instant(determined, "--determined")
    discovered_at = determined_at if discovered is None else aware_instant(discovered, "--discovered")
    if no_harm and customers is None:
        stderr.print(
            "[red]error:[/] --customers: give the number affected; with --no-harm it decides the notice"
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    facts = BreachFacts(
        determined_at,
        discovered_at,
        customers or 0,
        harm_reasonably_likely=not no_harm,
        only_encrypted_data_and_key_safe=encrypted_key_safe,
        urgent_need_consulted=urgent_need,
    )
    _refuse_bad_facts(facts)
    settings = _settings()
    chosen = regime or regime_for(determined_at, settings.breach.amendments_effective_on)
    computed = breach_deadlines(
        facts,
        regime=chosen,
        calendar=_what_if_calendar(determined_at, settings),
        annual_summary_due=(settings.breach.annual_summary_month, settings.breach.annual_summary_day),
    )
    document = {
        "regime": str(chosen),
        "determined_at": determined_at.isoformat(),
        "deadlines": [_as_json(deadline) for deadline in computed],
    }
    print(json.dumps(document, indent=2))


def _refuse_facts_with_breach(options: dict[str, object]) -> None:
    given = [name for name, value in options.items() if value is not None and value is not False]
    if given:
        refuse(
            given[0],
            f"--breach computes from the breach's recorded timeline; leave out {', '.join(given)} "
            "(record the facts with `cpniguard breach record`)",
        )


def _print_recorded_deadlines(breach_id: int) -> None:
    """The recorded breach's deadlines, on the FCC's calendar with the recorded closures (64.2011)."""
    with container() as built:
        try:
            found = breach_deadlines_for(
                uow_factory=built.unit_of_work,
                breach_id=breach_id,
                calendar=built.business_calendar(),
                amendments_effective_on=built.settings.breach.amendments_effective_on,
                annual_summary_due=built.annual_summary_due(),
            )
        except InvalidInputError as error:
            fail_naming(error, {"timeline": "--breach"})
        except CalendarRangeError as error:
            refuse("--breach", f"{error}; for an older breach give its facts with --determined instead")
        except NotFoundError as error:
            raise not_found_exit(error) from None
    document = {
        "breach_id": found.breach.id,
        "reference": found.breach.reference,
        "regime": str(found.regime),
        "determined_at": found.facts.determined_at.isoformat(),
        "deadlines": [_as_json(deadline) for deadline in found.deadlines],
    }
    print_json(document)


def _refuse_bad_facts(facts: BreachFacts) -> None:
    problems = breach_facts_problems(facts)
    if problems:
        named = tuple(
            replace(problem, location=OPTIONS.get(problem.location, problem.location)) for problem in problems
        )
        fail_with_input_error(InvalidInputError("these breach facts cannot be right", named))


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"]) or "settings"
            stderr.print(f"[red]configuration error[/] {escape(where)}: {escape(problem['msg'])}")
        raise typer.Exit(EXIT_CONFIGURATION) from None


def _what_if_calendar(determined_at: datetime, settings: Settings) -> BusinessCalendar:
    """The calendar `--breach` counts on (47 CFR 1.4(e)): the settings' and the recorded closures."""
    # The determination's year and the next hold every business-day deadline (at most 7 + 7
    # business days out), even for a determination years from now.
    year = eastern_date(determined_at).year
    if year < FIRST_SUPPORTED_YEAR:
        refuse(
            "--determined",
            f"{year} is before {FIRST_SUPPORTED_YEAR}, the first year of the FCC's business-day calendar "
            "(Juneteenth, the 11th federal holiday)",
        )
    with container(lambda: settings) as built:
        if built.schema_revisions()[0] is None:
            stderr.print(
                "note: the database has no tables yet (`cpniguard db upgrade`), so it holds no recorded "
                "FCC closure: only those in the settings are counted",
                markup=False,
            )
            return federal_calendar(year, year + 1, settings.consent.fcc_closed_days)
        return built.business_calendar((year, year + 1))


def _as_json(deadline: Deadline) -> dict[str, object]:
    return {
        "name": deadline.name,
        "due_on": None if deadline.due_on is None else deadline.due_on.isoformat(),
        "not_before": None if deadline.not_before is None else deadline.not_before.isoformat(),
        "required": deadline.required,
        "recipients": list(deadline.recipients),
        "explanation": deadline.explanation,
        "citation": deadline.citation,
        "held_until": None if deadline.held_until is None else deadline.held_until.isoformat(),
    }


@closures.command("list")
def list_closures_command(
    first: str | None = typer.Option(None, "--from", help="First day (YYYY-MM-DD), inclusive."),
    last: str | None = typer.Option(None, "--to", help="Last day (YYYY-MM-DD), inclusive."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for programs instead of a table."),
) -> None:
    """The days recorded as FCC closures, in date order (47 CFR 1.4(e)(1))."""
    first_day, last_day = _optional_day(first, "--from"), _optional_day(last, "--to")
    with container() as built:
        try:
            found = list_closures(uow_factory=built.unit_of_work, first=first_day, last=last_day)
        except InvalidInputError as error:
            fail_naming(error, {"last": "--to", "first": "--from"})
    if as_json:
        print_json([_closure_json(closure) for closure in found])
        return
    table = Table("day", "weekday", "reason", "added", "by")
    for closure in found:
        table.add_row(
            closure.day.isoformat(),
            closure.day.strftime("%a"),
            escape(closure.reason),
            moment_text(closure.added_at),
            escape(closure.added_by),
        )
    stdout.print(table)


@closures.command("add")
def add_closure_command(
    day: str = typer.Argument(..., metavar="DATE", help="The weekday the FCC's offices were closed."),
    reason: str = typer.Option(
        ..., "--reason", help="Why: the executive order, the emergency, the shutdown."
    ),
) -> None:
    """Record a day the FCC's offices were closed: business-day deadlines counted after it skip it."""
    closed_on = _day(day, "DATE")
    with container() as built:
        try:
            add_closure(built.breach_context(), day=closed_on, reason=reason, asker=CLI_ASKER)
        except InvalidInputError as error:
            fail_naming(error, {"day": "DATE", "reason": "--reason"})
    stderr.print(f"{closed_on} ({closed_on:%A}) recorded as an FCC closure", markup=False)


@closures.command("remove")
def remove_closure_command(
    day: str = typer.Argument(..., metavar="DATE", help="The day recorded in error."),
) -> None:
    """Take a day recorded in error off the closures."""
    closed_on = _day(day, "DATE")
    with container() as built:
        try:
            remove_closure(built.breach_context(), day=closed_on, asker=CLI_ASKER)
        except NotFoundError as error:
            raise not_found_exit(error) from None
    stderr.print(f"{closed_on} is no longer recorded as an FCC closure", markup=False)


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        refuse(name, f"{value!r} is not a date (YYYY-MM-DD)")


def _optional_day(value: str | None, name: str) -> date | None:
    return None if value is None else _day(value, name)


def _closure_json(closure: CommissionClosure) -> dict[str, object]:
    return {
        "day": closure.day.isoformat(),
        "reason": closure.reason,
        "added_at": closure.added_at.isoformat(),
        "added_by": closure.added_by,
    }


app.command("open")(breach_record.open_command)
app.command("list")(breach_record.list_command)
app.command("show")(breach_record.show)
app.command("record")(breach_record.record)
app.command("accounts")(breach_record.accounts)
app.command("close")(breach_record.close)
app.command("reopen")(breach_record.reopen)
app.command("purge")(breach_record.purge)
app.add_typer(closures, name="closures")
app.command("report")(breach_documents.report)
app.command("summary")(breach_documents.summary)
app.command("notify")(breach_documents.notify)
app.command("reminders")(breach_documents.reminders)
