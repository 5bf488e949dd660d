"""The annual summary of small breaches (47 CFR 64.2011(a)(3) as amended by FCC 23-111; RULES 8.4).

A breach of fewer than 500 customers, with no harm to them reasonably likely, may be reported to
the FCC, USSS and FBI in a summary of the calendar year's such breaches instead of within 7
business days. The deadline engine decides which breaches qualify (a required "annual_summary"
deadline); this module gathers those determined in one year, in Washington, DC, and says what each
entry lacks. A year without any is an empty summary that says so, never an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cpniguard.domain.breach import Deadline
from cpniguard.domain.breach_deadlines import AGENCIES_2023, AMENDED, SMALL_BREACH_CUSTOMERS
from cpniguard.domain.breach_report import (
    REPORTING_FACILITY,
    BreachContent,
    breach_content,
    carrier_json,
    carrier_problems,
    content_problems,
    json_ready,
    problems_json,
    required_items_json,
)
from cpniguard.domain.breach_timeline import Breach, BreachEvent
from cpniguard.domain.business_days import eastern_date
from cpniguard.domain.carrier import CarrierContact
from cpniguard.domain.errors import FieldProblem, InvalidInputError

ANNUAL_SUMMARY_DEADLINE = "annual_summary"
SUMMARY_CITATION = f"47 CFR 64.2011(a)(3) {AMENDED}"
FIRST_YEAR, LAST_YEAR = 2000, 2100
COMMON_YEAR = 2023
"""A year without February 29: the summary's month and day must exist every year."""


@dataclass(frozen=True, slots=True)
class SummaryEntry:
    """One small breach in the annual summary: the 64.2011(a)(1) items as recorded, and what is missing."""

    reference: str
    determined_on: date
    content: BreachContent
    missing: tuple[FieldProblem, ...]


@dataclass(frozen=True, slots=True)
class AnnualSummary:
    """The summary of `year`'s small breaches to the FCC, USSS and FBI, due on `due_on`.

    47 CFR 64.2011(a)(3) as amended (RULES 8.4; the February 1 date is unconfirmed, RULES 12.2).
    `missing` gathers the carrier's blank items and each entry's, located as `entries[i].item`.
    """

    year: int
    due_on: date
    carrier: CarrierContact
    recipients: tuple[str, ...]
    entries: tuple[SummaryEntry, ...]
    statement: str
    missing: tuple[FieldProblem, ...]


def annual_summary(
    year: int,
    items: Sequence[tuple[Breach, Sequence[BreachEvent], Sequence[Deadline]]],
    *,
    carrier: CarrierContact,
    due_on: date,
) -> AnnualSummary:
    """The annual summary of `year`: each breach whose deadlines route it there, determined in `year`.

    47 CFR 64.2011(a)(3) as amended: fewer than 500 customers and no harm reasonably likely (the
    deadline engine's required "annual_summary" deadline). The determination's Washington, DC date
    places a breach in its year. Raises InvalidInputError for a year out of range or a due date
    that does not follow the year.
    """
    _check(year, due_on)
    entries = sorted(
        (entry for breach, events, deadlines in items if (entry := _entry(year, breach, events, deadlines))),
        key=lambda entry: (entry.determined_on, entry.reference),
    )
    missing = [*carrier_problems(carrier)]
    for index, entry in enumerate(entries):
        missing.extend(FieldProblem(f"entries[{index}].{p.location}", p.message) for p in entry.missing)
    return AnnualSummary(
        year=year,
        due_on=due_on,
        carrier=carrier,
        recipients=AGENCIES_2023,
        entries=tuple(entries),
        statement=_statement(year, len(entries)),
        missing=tuple(missing),
    )


def summary_due_on(year: int, annual_summary_due: tuple[int, int]) -> date:
    """The day the summary of `year` is due: `annual_summary_due` (month, day) of the next year.

    47 CFR 64.2011(a)(3) as amended; February 1 is recalled, not confirmed (RULES 8.4, 12.2), so
    the day is configured. Raises InvalidInputError for a year out of range or a day not in every year.
    """
    problems = _year_problems(year)
    month, day = annual_summary_due
    try:
        date(COMMON_YEAR, month, day)
    except (TypeError, ValueError):
        problems.append(
            FieldProblem("annual_summary_due", f"month {month}, day {day} is no date of every year")
        )
    if problems:
        raise InvalidInputError("the annual summary cannot be made", tuple(problems))
    return date(year + 1, month, day)


def _check(year: int, due_on: date) -> None:
    problems = _year_problems(year)
    if not problems and due_on.year <= year:
        problems.append(
            FieldProblem(
                "due_on", f"{due_on} does not follow {year}: the summary of a year is due after it ends"
            )
        )
    if problems:
        raise InvalidInputError("the annual summary cannot be made", tuple(problems))


def _year_problems(year: int) -> list[FieldProblem]:
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        return [FieldProblem("year", f"must be a year from {FIRST_YEAR} to {LAST_YEAR}, not {year!r}")]
    return []


def _entry(
    year: int, breach: Breach, events: Sequence[BreachEvent], deadlines: Sequence[Deadline]
) -> SummaryEntry | None:
    routed = any(d.name == ANNUAL_SUMMARY_DEADLINE and d.required for d in deadlines)
    content = breach_content(events)
    if not routed or content.determined_at is None:
        return None
    determined_on = eastern_date(content.determined_at)
    if determined_on.year != year:
        return None
    return SummaryEntry(breach.reference, determined_on, content, tuple(content_problems(content)))


def _statement(year: int, count: int) -> str:
    if count == 0:
        return (
            f"No breach determined in {year} qualifies for the annual summary (fewer than "
            f"{SMALL_BREACH_CUSTOMERS} customers affected and no harm reasonably likely): "
            f"there is nothing to report for {year}."
        )
    breaches = "breach" if count == 1 else "breaches"
    return (
        f"{count} {breaches} determined in {year}, each affecting fewer than {SMALL_BREACH_CUSTOMERS} "
        "customers with no harm to them reasonably likely, reported here instead of within 7 business days."
    )


def annual_summary_json(summary: AnnualSummary) -> dict[str, object]:
    """The annual summary, JSON-ready: each entry's 64.2011(a)(1) items with their citations.

    47 CFR 64.2011(a)(3) as amended; `missing` lists every required item without a value.
    """
    return {
        "year": summary.year,
        "due_on": summary.due_on.isoformat(),
        "citation": SUMMARY_CITATION,
        "recipients": list(summary.recipients),
        "submitted_through": REPORTING_FACILITY,
        "carrier": carrier_json(summary.carrier),
        "statement": summary.statement,
        "complete": not summary.missing,
        "entries": [_entry_json(entry) for entry in summary.entries],
        "missing": problems_json(summary.missing),
    }


def _entry_json(entry: SummaryEntry) -> dict[str, object]:
    content = entry.content
    return {
        "reference": entry.reference,
        "determined_on": entry.determined_on.isoformat(),
        "discovered_at": json_ready(content.discovered_at),
        "determined_at": json_ready(content.determined_at),
        "required": required_items_json(content),
        "harm_assessment": json_ready(content.harm),
        "intentional": content.intentional,
        "encryption": json_ready(content.encryption),
        "missing": problems_json(entry.missing),
    }
