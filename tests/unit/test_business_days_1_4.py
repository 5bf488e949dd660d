"""47 CFR 1.4(e): business days skip weekends and the days the FCC is closed, counting from the day after."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpniguard.domain.business_days import BusinessCalendar, business_deadline, eastern_date
from cpniguard.domain.errors import CalendarRangeError, InvalidInputError

pytestmark = pytest.mark.unit

THANKSGIVING_2026 = date(2026, 11, 26)
CHRISTMAS_2026 = date(2026, 12, 25)
NEW_YEAR_2027 = date(2027, 1, 1)
CALENDAR = BusinessCalendar(frozenset({THANKSGIVING_2026, CHRISTMAS_2026, NEW_YEAR_2027}), 2026, 2027)
EASTERN_STANDARD = timezone(timedelta(hours=-5))
PACIFIC_STANDARD = timezone(timedelta(hours=-8))


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def test_the_7th_business_day_after_a_thursday_determination_skips_thanksgiving():
    determined = datetime(2026, 11, 19, 14, 0, tzinfo=EASTERN_STANDARD)

    assert business_deadline(CALENDAR, determined, 7) == date(2026, 12, 1)


def test_5_business_days_from_december_23_skip_christmas():
    assert CALENDAR.add_business_days(date(2026, 12, 23), 5) == date(2026, 12, 31)


def test_6_business_days_from_december_23_skip_christmas_and_new_years_day():
    assert CALENDAR.add_business_days(date(2026, 12, 23), 6) == date(2027, 1, 4)


def test_counting_starts_the_day_after_the_event_even_when_that_day_is_a_business_day():
    assert CALENDAR.add_business_days(date(2026, 11, 2), 1) == date(2026, 11, 3)


def test_a_friday_event_counts_its_first_business_day_on_monday():
    assert CALENDAR.add_business_days(date(2026, 11, 6), 1) == date(2026, 11, 9)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 27), True),
        (date(2026, 11, 28), False),
        (date(2026, 11, 29), False),
        (THANKSGIVING_2026, False),
        (CHRISTMAS_2026, False),
        (NEW_YEAR_2027, False),
        (date(2027, 1, 4), True),
    ],
)
def test_weekends_and_closed_days_are_not_business_days(day, expected):
    assert CALENDAR.is_business_day(day) is expected


def test_an_evening_event_in_california_counts_from_the_next_eastern_date():
    late_evening = datetime(2026, 11, 18, 22, 30, tzinfo=PACIFIC_STANDARD)

    assert eastern_date(late_evening) == date(2026, 11, 19)
    assert business_deadline(CALENDAR, late_evening, 7) == date(2026, 12, 1)


def test_eastern_date_follows_daylight_saving_time():
    assert eastern_date(datetime(2026, 7, 2, 3, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert eastern_date(datetime(2026, 12, 2, 4, 30, tzinfo=UTC)) == date(2026, 12, 1)


def test_a_naive_instant_is_refused_because_it_names_no_single_moment():
    with pytest.raises(InvalidInputError, match="no UTC offset") as raised:
        eastern_date(datetime(2026, 11, 19, 14, 0))  # noqa: DTZ001

    assert raised.value.problems[0].location == "triggered_at"


@pytest.mark.parametrize("count", [0, -1])
def test_a_deadline_of_less_than_one_business_day_is_refused(count):
    with pytest.raises(InvalidInputError, match="at least 1 business day") as raised:
        CALENDAR.add_business_days(date(2026, 11, 2), count)

    assert raised.value.problems[0].location == "count"


@pytest.mark.parametrize("day", [date(2025, 12, 31), date(2028, 1, 3)])
def test_a_date_outside_the_calendars_years_is_refused_rather_than_guessed(day):
    with pytest.raises(CalendarRangeError, match="outside the business-day calendar's years 2026-2027"):
        CALENDAR.is_business_day(day)


def test_a_count_that_runs_past_the_last_year_is_refused():
    with pytest.raises(CalendarRangeError, match="2028-01-01"):
        CALENDAR.add_business_days(date(2027, 12, 28), 5)


def test_a_date_and_time_is_refused_where_a_date_is_counted():
    with pytest.raises(InvalidInputError, match="use eastern_date"):
        CALENDAR.add_business_days(datetime(2026, 11, 19, 14, 0, tzinfo=UTC), 7)


def test_a_calendar_whose_first_year_is_after_its_last_is_refused():
    with pytest.raises(InvalidInputError, match="first year 2028 is after its last year 2027") as raised:
        BusinessCalendar(frozenset(), 2028, 2027)

    assert raised.value.problems[0].location == "first_year"


def test_closed_days_on_weekends_or_outside_the_years_are_refused_each_by_name():
    closed = frozenset({date(2026, 7, 4), date(2028, 1, 3), datetime(2026, 7, 3, tzinfo=UTC)})

    with pytest.raises(InvalidInputError, match="closed days") as raised:
        BusinessCalendar(closed, 2026, 2027)

    messages = sorted(problem.message for problem in raised.value.problems)
    assert {problem.location for problem in raised.value.problems} == {"closed_days"}
    assert messages == [
        "2026-07-03T00:00:00+00:00 is a date and time; give the date alone",
        "2026-07-04 is a weekend day, never a business day already",
        "2028-01-03 is outside 2026-2027",
    ]


weekdays_of_2026_and_2027 = [
    day for day in days_between(date(2026, 1, 1), date(2027, 12, 31)) if day.weekday() < 5
]
calendars = st.frozensets(st.sampled_from(weekdays_of_2026_and_2027), max_size=60).map(
    lambda closed: BusinessCalendar(closed, 2026, 2027)
)


@given(
    calendar=calendars,
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
    count=st.integers(min_value=1, max_value=120),
)
def test_the_nth_business_day_is_a_business_day_after_the_start_with_n_business_days_up_to_it(
    calendar, start, count
):
    result = calendar.add_business_days(start, count)

    assert result > start
    assert calendar.is_business_day(result)
    between = days_between(start + timedelta(days=1), result)
    assert sum(calendar.is_business_day(day) for day in between) == count


@given(calendar=calendars, day=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)))
def test_weekends_are_never_business_days_and_weekdays_are_unless_closed(calendar, day):
    expected = day.weekday() < 5 and day not in calendar.closed_days

    assert calendar.is_business_day(day) is expected
