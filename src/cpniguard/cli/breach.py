"""`cpniguard breach`: the notice deadlines of a CPNI breach (47 CFR 64.2011).

Staff give the determination time and the facts that matter; cpniguard prints every deadline
as JSON, each with how it was computed and the rule it follows.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import typer
from pydantic import ValidationError
from rich.markup import escape

from cpniguard.adapters.calendar import federal_calendar
from cpniguard.cli.consent_notices import aware_instant
from cpniguard.cli.context import EXIT_BAD_INPUT, EXIT_CONFIGURATION, fail_with_input_error, stderr
from cpniguard.config import Settings
from cpniguard.domain.breach import BreachFacts, BreachRegime, Deadline, breach_facts_problems, regime_for
from cpniguard.domain.breach_deadlines import breach_deadlines
from cpniguard.domain.business_days import BusinessCalendar, eastern_date
from cpniguard.domain.errors import InvalidInputError

OPTIONS = {
    "determined_at": "--determined",
    "discovered_at": "--discovered",
    "customers_affected": "--customers",
}
"""The command-line option behind each fact, so errors name what the user typed."""

app = typer.Typer(help="Breaches of CPNI: notice deadlines (47 CFR 64.2011).", no_args_is_help=True)


@app.command()
def deadlines(  # noqa: PLR0913, PLR0917  (typer takes each option as an argument)
    determined: str = typer.Option(
        ...,
        "--determined",
        help="ISO 8601 instant with offset of the reasonable determination of the breach.",
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
) -> None:
    """Print a breach's agency, customer and annual-summary deadlines as JSON (47 CFR 64.2011)."""
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
        calendar=_calendar(determined_at, settings.consent.fcc_closed_days),
        annual_summary_due=(settings.breach.annual_summary_month, settings.breach.annual_summary_day),
    )
    document = {
        "regime": str(chosen),
        "determined_at": determined_at.isoformat(),
        "deadlines": [_as_json(deadline) for deadline in computed],
    }
    print(json.dumps(document, indent=2))


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


def _calendar(determined_at: datetime, fcc_closed_days: list[date]) -> BusinessCalendar:
    # The determination's year and the next hold every business-day deadline (at most 7 + 7
    # business days out); the FCC's extra closures come from the consent settings.
    year = eastern_date(determined_at).year
    try:
        return federal_calendar(year, year + 1, fcc_closed_days)
    except InvalidInputError as error:
        named = tuple(replace(problem, location="--determined") for problem in error.problems)
        fail_with_input_error(InvalidInputError(error.message, named))
        raise AssertionError("fail_with_input_error exits") from error


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
