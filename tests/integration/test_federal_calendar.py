"""The FCC calendar from the real `holidays` package: observed holidays, Inauguration Day, closures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import holidays
import pytest

from cpniguard.adapters.calendar import LEGAL_PUBLIC_HOLIDAYS, federal_calendar
from cpniguard.domain.business_days import business_deadline
from cpniguard.domain.errors import CalendarRangeError, InvalidInputError

pytestmark = pytest.mark.integration

CLOSED_2026 = {
    date(2026, 1, 1): "New Year's Day",
    date(2026, 1, 19): "Birthday of Martin Luther King, Jr.",
    date(2026, 2, 16): "Washington's Birthday",
    date(2026, 5, 25): "Memorial Day",
    date(2026, 6, 19): "Juneteenth National Independence Day",
    date(2026, 7, 3): "Independence Day, Saturday July 4 observed on Friday",
    date(2026, 9, 7): "Labor Day",
    date(2026, 10, 12): "Columbus Day",
    date(2026, 11, 11): "Veterans Day",
    date(2026, 11, 26): "Thanksgiving Day",
    date(2026, 12, 25): "Christmas Day",
}
CLOSED_2027 = {
    date(2027, 1, 1): "New Year's Day",
    date(2027, 1, 18): "Birthday of Martin Luther King, Jr.",
    date(2027, 2, 15): "Washington's Birthday",
    date(2027, 5, 31): "Memorial Day",
    date(2027, 6, 18): "Juneteenth, Saturday June 19 observed on Friday",
    date(2027, 7, 5): "Independence Day, Sunday July 4 observed on Monday",
    date(2027, 9, 6): "Labor Day",
    date(2027, 10, 11): "Columbus Day",
    date(2027, 11, 11): "Veterans Day",
    date(2027, 11, 25): "Thanksgiving Day",
    date(2027, 12, 24): "Christmas Day, Saturday December 25 observed on Friday",
    date(2027, 12, 31): "New Year's Day 2028, Saturday observed on Friday of the year before",
}


@pytest.fixture(scope="module")
def calendar_2026_2027():
    return federal_calendar(2026, 2027)


def test_the_closed_days_of_2026_and_2027_are_exactly_the_observed_legal_public_holidays(calendar_2026_2027):
    assert calendar_2026_2027.closed_days == frozenset(CLOSED_2026) | frozenset(CLOSED_2027)


@pytest.mark.parametrize("day", sorted(CLOSED_2026 | CLOSED_2027), ids=str)
def test_each_observed_holiday_is_not_a_business_day(calendar_2026_2027, day):
    assert not calendar_2026_2027.is_business_day(day), CLOSED_2026.get(day) or CLOSED_2027[day]


@pytest.mark.parametrize(
    "day", [date(2026, 7, 6), date(2026, 12, 24), date(2027, 6, 21), date(2027, 12, 30)], ids=str
)
def test_the_days_around_observed_holidays_stay_business_days(calendar_2026_2027, day):
    assert calendar_2026_2027.is_business_day(day)


def test_new_years_day_2028_on_a_saturday_closes_december_31_even_when_2027_is_the_last_year():
    assert not federal_calendar(2027, 2027).is_business_day(date(2027, 12, 31))


def test_the_package_lists_juneteenth_and_nothing_beyond_the_11_federal_holidays():
    listed = holidays.country_holidays("US", years=range(2026, 2028), language="en_US")
    names = {name.removesuffix(" (observed)") for day in listed for name in listed.get_list(day)}

    assert "Juneteenth National Independence Day" in names
    assert names == LEGAL_PUBLIC_HOLIDAYS
    assert len(LEGAL_PUBLIC_HOLIDAYS) == 11


def test_the_examples_of_the_rules_hold_on_the_real_calendar(calendar_2026_2027):
    determined = datetime(2026, 11, 19, 19, 0, tzinfo=UTC)

    assert business_deadline(calendar_2026_2027, determined, 7) == date(2026, 12, 1)
    assert calendar_2026_2027.add_business_days(date(2026, 12, 23), 5) == date(2026, 12, 31)
    assert calendar_2026_2027.add_business_days(date(2026, 12, 23), 6) == date(2027, 1, 4)


def test_inauguration_day_on_a_weekday_closes_the_commission():
    assert not federal_calendar(2033, 2033).is_business_day(date(2033, 1, 20))


def test_inauguration_day_on_a_saturday_moves_to_no_other_day():
    calendar = federal_calendar(2029, 2029)

    assert calendar.is_business_day(date(2029, 1, 19))
    assert calendar.is_business_day(date(2029, 1, 22))


def test_inauguration_day_on_a_sunday_is_observed_on_monday_january_21():
    # Monday January 21 is then also the third Monday, Martin Luther King Jr. Day, so no
    # extra day closes; the date is checked all the same.
    assert not federal_calendar(2041, 2041).is_business_day(date(2041, 1, 21))


def test_inauguration_day_is_not_a_closure_in_other_years(calendar_2026_2027):
    assert calendar_2026_2027.is_business_day(date(2026, 1, 20))
    assert calendar_2026_2027.is_business_day(date(2027, 1, 20))


def test_extra_closures_are_not_business_days_and_weekend_or_out_of_range_ones_are_left_out():
    christmas_eve, weekend_closure, other_year = date(2026, 12, 24), date(2026, 12, 26), date(2030, 5, 2)

    calendar = federal_calendar(2026, 2027, extra_closures=[christmas_eve, weekend_closure, other_year])

    assert not calendar.is_business_day(christmas_eve)
    assert christmas_eve in calendar.closed_days
    assert weekend_closure not in calendar.closed_days
    assert other_year not in calendar.closed_days
    assert calendar.add_business_days(date(2026, 12, 23), 5) == date(2027, 1, 4)


def test_an_extra_closure_that_is_not_a_date_is_refused_by_position():
    with pytest.raises(InvalidInputError, match="extra closures must be dates") as raised:
        federal_calendar(2026, 2027, extra_closures=[date(2026, 12, 24), datetime(2026, 12, 31, tzinfo=UTC)])

    assert [problem.location for problem in raised.value.problems] == ["extra_closures[1]"]


@pytest.mark.parametrize("day", [date(2025, 12, 31), date(2028, 1, 3)], ids=str)
def test_a_date_outside_the_years_built_is_refused(calendar_2026_2027, day):
    with pytest.raises(CalendarRangeError, match="2026-2027"):
        calendar_2026_2027.is_business_day(day)


@pytest.mark.parametrize(
    ("first_year", "last_year", "message"),
    [(2020, 2026, "starts in 2021, not 2020"), (2027, 2026, "first year 2027 is after its last year 2026")],
)
def test_years_the_calendar_cannot_be_built_for_are_refused(first_year, last_year, message):
    with pytest.raises(InvalidInputError, match=message) as raised:
        federal_calendar(first_year, last_year)

    assert raised.value.problems[0].location == "first_year"


def package_calendar_with(monkeypatch, change):
    original = holidays.country_holidays

    def changed(*args, **kwargs):
        calendar = original(*args, **kwargs)
        change(calendar)
        return calendar

    monkeypatch.setattr(holidays, "country_holidays", changed)


def test_a_day_the_package_adds_beyond_the_11_holidays_is_left_out(monkeypatch):
    package_calendar_with(
        monkeypatch, lambda calendar: calendar.update({date(2026, 12, 24): "Christmas Eve"})
    )

    assert federal_calendar(2026, 2027).is_business_day(date(2026, 12, 24))


def test_a_holiday_the_package_renames_stops_the_calendar_instead_of_dropping_a_closed_day(monkeypatch):
    def rename_columbus_day(calendar):
        calendar.pop(date(2027, 10, 11))
        calendar[date(2027, 10, 11)] = "Indigenous Peoples' Day"

    package_calendar_with(monkeypatch, rename_columbus_day)

    with pytest.raises(LookupError, match="lists no Columbus Day in 2027"):
        federal_calendar(2026, 2027)
