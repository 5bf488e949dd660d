"""The FCC's business-day calendar: federal holidays from the `holidays` package, plus the rest.

47 CFR 1.4(e)(1) counts as holidays the legal public holidays of 5 U.S.C. 6103(a) as
observed, and any other day the Commission's offices are closed: Inauguration Day in the
Washington, DC area (6103(c)) and ad hoc closures an administrator records (RULES 10.4).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import holidays

from cpniguard.domain.business_days import SATURDAY, BusinessCalendar
from cpniguard.domain.errors import FieldProblem, InvalidInputError

LEGAL_PUBLIC_HOLIDAYS = frozenset(
    {
        "New Year's Day",
        "Martin Luther King Jr. Day",
        "Washington's Birthday",
        "Memorial Day",
        "Juneteenth National Independence Day",
        "Independence Day",
        "Labor Day",
        "Columbus Day",
        "Veterans Day",
        "Thanksgiving Day",
        "Christmas Day",
    }
)
"""The 11 legal public holidays of 5 U.S.C. 6103(a), as the package names them in en_US."""

OBSERVED_SUFFIX = " (observed)"
FIRST_SUPPORTED_YEAR = 2021
"""Juneteenth became the 11th legal public holiday in 2021; earlier years had 10."""

SUNDAY = 6
INAUGURATION_YEARS_AFTER_1965 = 4
"""5 U.S.C. 6103(c): January 20 of each fourth year after 1965."""


def federal_calendar(
    first_year: int, last_year: int, extra_closures: Iterable[date] = ()
) -> BusinessCalendar:
    """The FCC's business-day calendar for `first_year` to `last_year`.

    47 CFR 1.4(e)(1): the 11 legal public holidays of 5 U.S.C. 6103(a) on their observed
    dates (Saturday to the Friday before, Sunday to the Monday after), Inauguration Day
    (6103(c)) and `extra_closures` (executive-order days off, emergencies, shutdowns).
    Closures outside the years or on a weekend change no count and are left out.
    """
    _check_years(first_year, last_year)
    closed = _legal_public_holidays(first_year, last_year) | _inauguration_days(first_year, last_year)
    closed |= _closure_dates(extra_closures)
    weekdays = (day for day in closed if day.weekday() < SATURDAY and first_year <= day.year <= last_year)
    return BusinessCalendar(frozenset(weekdays), first_year, last_year)


def _check_years(first_year: int, last_year: int) -> None:
    if first_year < FIRST_SUPPORTED_YEAR:
        raise InvalidInputError(
            f"the federal calendar starts in {FIRST_SUPPORTED_YEAR}, not {first_year}",
            (
                FieldProblem(
                    "first_year", f"must be {FIRST_SUPPORTED_YEAR} or later (Juneteenth, 11th holiday)"
                ),
            ),
        )
    if first_year > last_year:
        raise InvalidInputError(
            f"the calendar's first year {first_year} is after its last year {last_year}",
            (FieldProblem("first_year", f"must not be after last_year ({last_year})"),),
        )


def _legal_public_holidays(first_year: int, last_year: int) -> set[date]:
    # The year after the last one is read too: its New Year's Day, on a Saturday, is
    # observed on December 31 of the last year, whichever year the package files it under.
    calendar = holidays.country_holidays(
        "US", years=range(first_year, last_year + 2), observed=True, expand=False, language="en_US"
    )
    named = [(day, name.removesuffix(OBSERVED_SUFFIX)) for day in calendar for name in calendar.get_list(day)]
    _check_every_holiday_is_named(named, range(first_year, last_year + 2))
    return {day for day, name in named if name in LEGAL_PUBLIC_HOLIDAYS}


def _check_every_holiday_is_named(named: list[tuple[date, str]], years: range) -> None:
    # Holidays are kept by name, so a renamed holiday in a new package version would
    # silently drop a closed day: refuse to build the calendar instead.
    for year in years:
        missing = LEGAL_PUBLIC_HOLIDAYS - {name for day, name in named if day.year == year}
        if missing:
            raise LookupError(f"the holidays package lists no {', '.join(sorted(missing))} in {year}")


def _inauguration_days(first_year: int, last_year: int) -> set[date]:
    # 6103(c): when January 20 is a Sunday the day off is Monday the 21st (which is then also
    # Martin Luther King Jr. Day); a Saturday is not moved.
    years = (year for year in range(first_year, last_year + 1) if year % INAUGURATION_YEARS_AFTER_1965 == 1)
    days = (date(year, 1, 20) for year in years)
    return {day.replace(day=21) if day.weekday() == SUNDAY else day for day in days}


def _closure_dates(extra_closures: Iterable[date]) -> set[date]:
    closures = list(extra_closures)
    problems = tuple(
        FieldProblem(f"extra_closures[{index}]", f"{day!r} is not a date (a date and time is not one either)")
        for index, day in enumerate(closures)
        if isinstance(day, datetime) or not isinstance(day, date)
    )
    if problems:
        raise InvalidInputError("the extra closures must be dates", problems)
    return set(closures)
