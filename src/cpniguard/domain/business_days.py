"""Business days as the FCC counts them, for deadlines given in business days.

The CPNI rules count in business days (5 in 64.2009(f), 7 in 64.2011) without defining them;
47 CFR 1.4(e)(1)-(2) does: Saturdays, Sundays, legal holidays and days the Commission's
offices are closed are holidays, and every other day is a business day. The count starts on
the day after the event that triggers it (RULES 10.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cpniguard.domain.errors import CalendarRangeError, FieldProblem, InvalidInputError

COMMISSION_TIME_ZONE = ZoneInfo("America/New_York")
"""The Commission's offices are in Washington, DC: its days begin and end on Eastern time."""

SATURDAY = 5
"""`date.weekday()` of Saturday; Saturday and Sunday (6) are never business days."""

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """The weekdays the FCC is closed, computed for the years `first_year` to `last_year`.

    `closed_days` holds observed federal holidays, Inauguration Day and ad hoc closures that
    fall on a weekday; a date outside those years cannot be judged and raises
    `CalendarRangeError` rather than passing for a business day.
    """

    closed_days: frozenset[date]
    first_year: int
    last_year: int

    def __post_init__(self) -> None:
        if self.first_year > self.last_year:
            raise InvalidInputError(
                f"the calendar's first year {self.first_year} is after its last year {self.last_year}",
                (FieldProblem("first_year", f"must not be after last_year ({self.last_year})"),),
            )
        problems = tuple(
            problem for day in sorted(self.closed_days, key=str) for problem in self._closed_day_problems(day)
        )
        if problems:
            raise InvalidInputError("the calendar's closed days are not weekdays of its years", problems)

    def _closed_day_problems(self, day: date) -> list[FieldProblem]:
        if isinstance(day, datetime):
            return [FieldProblem("closed_days", f"{day.isoformat()} is a date and time; give the date alone")]
        if not self.first_year <= day.year <= self.last_year:
            return [FieldProblem("closed_days", f"{day} is outside {self.first_year}-{self.last_year}")]
        if day.weekday() >= SATURDAY:
            return [FieldProblem("closed_days", f"{day} is a weekend day, never a business day already")]
        return []

    def is_business_day(self, day: date) -> bool:
        """Whether the FCC counts `day` as a business day.

        47 CFR 1.4(e)(1)-(2): weekends, legal holidays and days the Commission's offices are
        closed are not business days.
        """
        self._check_covers(day)
        return day.weekday() < SATURDAY and day not in self.closed_days

    def add_business_days(self, start: date, count: int) -> date:
        """The `count`-th business day after `start`, counting from the day after it.

        47 CFR 1.4(e) and RULES 10.4: the day of the triggering event is not counted, and
        neither are weekends or days the Commission is closed.
        """
        if count < 1:
            raise InvalidInputError(
                f"a deadline counts at least 1 business day, not {count}",
                (FieldProblem("count", "must be at least 1"),),
            )
        self._check_covers(start)
        day, remaining = start, count
        while remaining:
            day += ONE_DAY
            if self.is_business_day(day):
                remaining -= 1
        return day

    def _check_covers(self, day: date) -> None:
        if isinstance(day, datetime):
            raise InvalidInputError(
                f"{day.isoformat()} is a date and time; business days are counted on dates (use eastern_date)"
            )
        if not self.first_year <= day.year <= self.last_year:
            raise CalendarRangeError(
                f"{day} is outside the business-day calendar's years {self.first_year}-{self.last_year}; "
                "build one that covers it"
            )


def eastern_date(instant: datetime) -> date:
    """The date in Washington, DC (America/New_York) at `instant`, which must carry its UTC offset.

    47 CFR 1.4(e): business days are the Commission's days, so an event late in the evening
    in California already counts from the next Eastern date.
    """
    if instant.utcoffset() is None:
        raise InvalidInputError(
            f"{instant.isoformat()} has no UTC offset: it names no single instant",
            (FieldProblem("triggered_at", "must carry a UTC offset"),),
        )
    return instant.astimezone(COMMISSION_TIME_ZONE).date()


def business_deadline(calendar: BusinessCalendar, triggered_at: datetime, business_days: int) -> date:
    """The last day to act, `business_days` FCC business days after the event at `triggered_at`.

    47 CFR 1.4(e) and RULES 10.4: the count starts on the Eastern date after the event
    (for example 5 business days for 64.2009(f), 7 for 64.2011).
    """
    return calendar.add_business_days(eastern_date(triggered_at), business_days)


MAX_CLOSURE_REASON_LENGTH = 500
FIRST_CLOSURE_YEAR, LAST_CLOSURE_YEAR = 2000, 2100


@dataclass(frozen=True, slots=True)
class CommissionClosure:
    """A day the FCC's offices were closed beyond the federal holidays, and why (RULES 10.4).

    47 CFR 1.4(e)(1): an executive-order day off, a day of mourning, an emergency or a shutdown
    makes that day a holiday for the Commission's deadlines; an administrator records it.
    """

    day: date
    reason: str
    added_at: datetime
    added_by: str


def closure_problems(day: date, reason: str) -> list[FieldProblem]:
    """What is wrong with recording `day` as a closure for `reason`; empty when nothing is.

    47 CFR 1.4(e)(1): only a weekday can become a holiday (a weekend day already is one), and
    the record says why, so that a deadline counted past it can be explained.
    """
    problems: list[FieldProblem] = []
    if isinstance(day, datetime):
        problems.append(FieldProblem("day", f"{day.isoformat()} is a date and time; give the date alone"))
    elif not FIRST_CLOSURE_YEAR <= day.year <= LAST_CLOSURE_YEAR:
        problems.append(FieldProblem("day", f"{day} is outside {FIRST_CLOSURE_YEAR}-{LAST_CLOSURE_YEAR}"))
    elif day.weekday() >= SATURDAY:
        problems.append(FieldProblem("day", f"{day} is a weekend day: never a business day already"))
    if not reason.strip():
        problems.append(FieldProblem("reason", "say why the Commission was closed (an order, an emergency)"))
    elif len(reason) > MAX_CLOSURE_REASON_LENGTH:
        problems.append(FieldProblem("reason", f"is longer than {MAX_CLOSURE_REASON_LENGTH} characters"))
    return problems
