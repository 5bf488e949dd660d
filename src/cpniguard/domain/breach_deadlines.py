"""The notice deadlines of a CPNI breach under either version of 47 CFR 64.2011.

Agency notice is counted in FCC business days from the day after the determination (47 CFR
1.4(e), RULES 10.4); the 2023 customer deadline in calendar days (RULES 12.12). Every deadline
says how it was computed and cites its rule, so a reviewer can check it by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cpniguard.domain.breach import (
    BreachFacts,
    BreachRegime,
    Deadline,
    Hold,
    breach_facts_problems,
    regime_for,
)
from cpniguard.domain.breach_timeline import BreachEvent, breach_facts_from
from cpniguard.domain.business_days import SATURDAY, BusinessCalendar, eastern_date
from cpniguard.domain.errors import FieldProblem, InvalidInputError

AGENCY_NOTICE_BUSINESS_DAYS = 7
CUSTOMER_WAIT_BUSINESS_DAYS = 7
CUSTOMER_NOTICE_CALENDAR_DAYS = 30
SMALL_BREACH_CUSTOMERS = 500
"""FCC 23-111: below this many customers, with no harm reasonably likely, the annual summary may do."""

LEGACY_AGENCIES = ("USSS", "FBI")
AGENCIES_2023 = ("FCC", "USSS", "FBI")
CUSTOMERS = ("affected customers",)
AMENDED = "(as amended by FCC 23-111)"
ONE_DAY = timedelta(days=1)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""Named here rather than by strftime, whose names follow the process's locale."""
COMMON_YEAR = 2023
"""A year without February 29: the annual summary's month and day must exist every year."""


def breach_deadlines(
    facts: BreachFacts,
    *,
    regime: BreachRegime,
    calendar: BusinessCalendar,
    annual_summary_due: tuple[int, int] = (2, 1),
) -> list[Deadline]:
    """The agency, customer and annual-summary deadlines of a breach under `regime`.

    47 CFR 64.2011 (legacy: (b), (b)(1)-(3), (c); as amended by FCC 23-111: (a), (a)(2),
    (a)(3) and customer notice). `annual_summary_due` is the (month, day) of the year after the
    determination on which the 2023 annual summary is due. Raises InvalidInputError on bad facts.
    """
    _check(facts, annual_summary_due)
    if regime is BreachRegime.LEGACY:
        return _legacy_deadlines(facts, calendar)
    return _deadlines_2023(facts, calendar, annual_summary_due)


@dataclass(frozen=True, slots=True)
class TimelineDeadlines:
    """A breach's deadlines, the regime they follow and the facts they were computed from."""

    regime: BreachRegime
    facts: BreachFacts
    deadlines: tuple[Deadline, ...]


def timeline_deadlines(
    events: Sequence[BreachEvent],
    *,
    calendar: BusinessCalendar,
    amendments_effective_on: date | None,
    annual_summary_due: tuple[int, int] = (2, 1),
) -> TimelineDeadlines | None:
    """The deadlines of a breach's recorded timeline; None until it holds discovery and determination.

    47 CFR 64.2011: the regime follows the determination and the FCC 23-111 effective date
    (RULES section 0); every clock starts at the determination (RULES 11.15).
    """
    facts = breach_facts_from(events)
    if facts is None:
        return None
    regime = regime_for(facts.determined_at, amendments_effective_on)
    found = breach_deadlines(facts, regime=regime, calendar=calendar, annual_summary_due=annual_summary_due)
    return TimelineDeadlines(regime, facts, tuple(found))


def _check(facts: BreachFacts, annual_summary_due: tuple[int, int]) -> None:
    problems = breach_facts_problems(facts)
    month, day = annual_summary_due
    try:
        date(COMMON_YEAR, month, day)
    except (TypeError, ValueError):
        problems.append(
            FieldProblem("annual_summary_due", f"month {month}, day {day} is no date of every year")
        )
    if problems:
        raise InvalidInputError("the breach's deadlines cannot be computed from these facts", tuple(problems))


def _legacy_deadlines(facts: BreachFacts, calendar: BusinessCalendar) -> list[Deadline]:
    determined = eastern_date(facts.determined_at)
    agency_due = calendar.add_business_days(determined, AGENCY_NOTICE_BUSINESS_DAYS)
    counted = _count_text(calendar, determined, agency_due, AGENCY_NOTICE_BUSINESS_DAYS, "the determination")
    held = held_until(facts.holds)
    agency = Deadline(
        "agency_notice",
        agency_due,
        None,
        required=True,
        recipients=LEGACY_AGENCIES,
        explanation="USSS and FBI through the central reporting facility, as soon as practicable and "
        f"at the latest {counted}",
        citation="47 CFR 64.2011(b)",
    )
    latest = Deadline(
        "customer_notice_latest",
        None,
        None,
        required=True,
        recipients=CUSTOMERS,
        explanation="the legacy rule sets no outer deadline: notify affected customers once the "
        f"law-enforcement process is complete{_hold_text(facts.holds, held)}",
        citation="47 CFR 64.2011(c)",
        held_until=held,
    )
    return [agency, _legacy_earliest(facts, calendar, agency_due, held), latest]


def _legacy_earliest(
    facts: BreachFacts, calendar: BusinessCalendar, agency_due: date, held: date | None
) -> Deadline:
    not_before: date | None
    if facts.urgent_need_consulted:
        not_before, citation = None, "47 CFR 64.2011(b)(2)"
        reason = (
            "the extraordinarily urgent need to notify, stated in the agency notice after consulting "
            "the investigating agency, lifts the 7-business-day wait: customers may be told at once "
            "after that notice"
        )
    else:
        not_before, reason = _legacy_wait(facts, calendar, agency_due)
        citation = "47 CFR 64.2011(b)(1)"
    if held is not None:
        citation += ", (b)(3)"
        not_before = held + ONE_DAY if not_before is None else max(not_before, held + ONE_DAY)
    return Deadline(
        "customer_notice_earliest",
        None,
        not_before,
        required=True,
        recipients=CUSTOMERS,
        explanation=reason + _hold_text(facts.holds, held),
        citation=citation,
        held_until=held,
    )


def _legacy_wait(facts: BreachFacts, calendar: BusinessCalendar, agency_due: date) -> tuple[date, str]:
    """64.2011(b)(1): 7 full business days after the agency notice; its latest day until it is sent."""
    if facts.agency_notified_at is None:
        start, what, after = (
            agency_due,
            "the agency notice, counted from its latest permitted day",
            (" (an agency notice sent earlier ends the wait earlier)"),
        )
    else:
        start = eastern_date(facts.agency_notified_at)
        what, after = f"the agency notice sent {_day(start)}", ""
    wait_ends = calendar.add_business_days(start, CUSTOMER_WAIT_BUSINESS_DAYS)
    not_before = wait_ends + ONE_DAY
    counted = _count_text(calendar, start, wait_ends, CUSTOMER_WAIT_BUSINESS_DAYS, "it")
    reason = (
        f"no customer or public notice until 7 full business days have passed after {what}: the wait "
        f"ends {counted}; customers may be told from {_day(not_before)}{after}"
    )
    return not_before, reason


def _deadlines_2023(
    facts: BreachFacts, calendar: BusinessCalendar, annual_summary_due: tuple[int, int]
) -> list[Deadline]:
    determined = eastern_date(facts.determined_at)
    small = facts.customers_affected < SMALL_BREACH_CUSTOMERS and not facts.harm_reasonably_likely
    return [
        _agency_2023(facts, calendar, determined, small=small),
        _annual_summary(determined, annual_summary_due, small=small),
        *_customer_2023(facts, determined),
    ]


def _agency_2023(
    facts: BreachFacts, calendar: BusinessCalendar, determined: date, *, small: bool
) -> Deadline:
    citation = f"47 CFR 64.2011(a) {AMENDED}"
    if small:
        explanation = (
            f"fewer than {SMALL_BREACH_CUSTOMERS} customers affected ({facts.customers_affected}) and no "
            "harm to customers reasonably likely: the breach may go in the annual summary instead"
        )
        return Deadline(
            "agency_notice",
            None,
            None,
            required=False,
            recipients=AGENCIES_2023,
            explanation=explanation,
            citation=citation,
        )
    due = calendar.add_business_days(determined, AGENCY_NOTICE_BUSINESS_DAYS)
    if facts.customers_affected >= SMALL_BREACH_CUSTOMERS:
        why = f"{facts.customers_affected} customers affected ({SMALL_BREACH_CUSTOMERS} or more)"
    else:
        why = "harm to customers is reasonably likely"
    counted = _count_text(calendar, determined, due, AGENCY_NOTICE_BUSINESS_DAYS, "the determination")
    explanation = (
        f"{why}: FCC, USSS and FBI through the central reporting facility, as soon as practicable "
        f"and at the latest {counted}"
    )
    return Deadline(
        "agency_notice",
        due,
        None,
        required=True,
        recipients=AGENCIES_2023,
        explanation=explanation,
        citation=citation,
    )


def _annual_summary(determined: date, annual_summary_due: tuple[int, int], *, small: bool) -> Deadline:
    citation = f"47 CFR 64.2011(a)(3) {AMENDED}"
    if not small:
        explanation = (
            f"not for this breach: only breaches of fewer than {SMALL_BREACH_CUSTOMERS} customers with "
            "no harm reasonably likely go in the annual summary; this one takes the agency notice"
        )
        return Deadline(
            "annual_summary",
            None,
            None,
            required=False,
            recipients=AGENCIES_2023,
            explanation=explanation,
            citation=citation,
        )
    month, day = annual_summary_due
    due = date(determined.year + 1, month, day)
    explanation = (
        f"in the annual summary of {determined.year}'s small breaches, due {_day(due)}: the configured "
        f"day of the year after the determination on {_day(determined)}. The February 1 date is "
        "recalled, not confirmed in the rule text (RULES 12.2), and no rule moves it off a weekend or "
        "holiday, so it is not moved. If more customers or likely harm come to light, the "
        "7-business-day agency notice applies instead"
    )
    return Deadline(
        "annual_summary",
        due,
        None,
        required=True,
        recipients=AGENCIES_2023,
        explanation=explanation,
        citation=citation,
    )


def _customer_2023(facts: BreachFacts, determined: date) -> list[Deadline]:
    held = held_until(facts.holds)
    citation = f"47 CFR 64.2011 {AMENDED}" if held is None else f"47 CFR 64.2011, 64.2011(a)(2) {AMENDED}"
    hold_text = _hold_text(facts.holds, held)
    excuse = _customer_notice_excuse(facts)
    if excuse:
        explanation = f"no customer notice is required: {excuse}{hold_text}"
        return [
            Deadline(
                name,
                None,
                None,
                required=False,
                recipients=CUSTOMERS,
                explanation=explanation,
                citation=citation,
                held_until=held,
            )
            for name in ("customer_notice_earliest", "customer_notice_latest")
        ]
    due = determined + timedelta(days=CUSTOMER_NOTICE_CALENDAR_DAYS)
    latest = (
        "without unreasonable delay after the agency notice, and at the latest "
        f"{CUSTOMER_NOTICE_CALENDAR_DAYS} calendar days after the determination on {_day(determined)}: "
        f"{_day(due)} (calendar days, RULES 12.12, not moved off a weekend or holiday)"
    )
    if held is not None and held >= due:
        due = held + ONE_DAY
        latest += (
            f"; a hold overrides the deadline while it lasts and no rule adds time after it: {_day(due)}"
        )
    earliest = (
        "no waiting period under the amended rule: notify after the agency notice without unreasonable delay"
    )
    not_before = None if held is None else held + ONE_DAY
    return [
        Deadline(
            "customer_notice_earliest",
            None,
            not_before,
            required=True,
            recipients=CUSTOMERS,
            explanation=earliest + hold_text,
            citation=citation,
            held_until=held,
        ),
        Deadline(
            "customer_notice_latest",
            due,
            None,
            required=True,
            recipients=CUSTOMERS,
            explanation=latest + hold_text,
            citation=citation,
            held_until=held,
        ),
    ]


def _customer_notice_excuse(facts: BreachFacts) -> str:
    if not facts.harm_reasonably_likely:
        return "the carrier reasonably determined that no harm to customers is reasonably likely"
    if facts.only_encrypted_data_and_key_safe:
        return "only encrypted data was taken, with definitive evidence that the key was not"
    return ""


def held_until(holds: tuple[Hold, ...]) -> date | None:
    """The last day any written hold forbids customer or public notice; None when none does.

    47 CFR 64.2011(b)(3) legacy, (a)(2) as amended: extensions lengthen a hold, a release ends it.
    """
    last_days = [last for hold in holds if (last := hold.last_day_in_force()) is not None]
    return max(last_days, default=None)


def _hold_text(holds: tuple[Hold, ...], held: date | None) -> str:
    if held is None:
        return ""
    directions = "; ".join(_direction_text(hold) for hold in holds if hold.last_day_in_force() is not None)
    after = _day(held + ONE_DAY)
    return f"; written holds forbid notice through {_day(held)}, so not before {after} ({directions})"


def _direction_text(hold: Hold) -> str:
    text = f"{hold.agency} {hold.written_reference} from {_day(hold.starts_on)} to {_day(hold.ends_on)}"
    for extension in hold.extensions:
        text += f", extended by {extension.written_reference} to {_day(extension.ends_on)}"
    if hold.released_on is not None:
        text += f", released in writing on {_day(hold.released_on)}"
    return text


def _count_text(calendar: BusinessCalendar, start: date, end: date, count: int, trigger: str) -> str:
    between = (start + timedelta(days=offset) for offset in range(1, (end - start).days))
    closures = [day for day in between if day.weekday() < SATURDAY and not calendar.is_business_day(day)]
    skipped = (
        f"skipping weekends and the FCC's closed days {', '.join(_day(day) for day in closures)}"
        if closures
        else "skipping weekends (no FCC closed day in between)"
    )
    return (
        f"{_day(end)}, {count} business days after {trigger} on {_day(start)}, counting from the next "
        f"day and {skipped} (47 CFR 1.4(e))"
    )


def _day(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.isoformat()}"
