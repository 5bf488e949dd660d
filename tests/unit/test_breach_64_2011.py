"""47 CFR 64.2011: breach notice deadlines under the legacy rule and as amended by FCC 23-111."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpniguard.domain.breach import (
    BreachFacts,
    BreachRegime,
    Deadline,
    Hold,
    HoldExtension,
    breach_facts_problems,
    regime_for,
)
from cpniguard.domain.breach_deadlines import breach_deadlines, held_until
from cpniguard.domain.business_days import BusinessCalendar
from cpniguard.domain.errors import InvalidInputError

pytestmark = pytest.mark.unit

EASTERN = ZoneInfo("America/New_York")
EASTERN_STANDARD = timezone(timedelta(hours=-5))
PACIFIC_STANDARD = timezone(timedelta(hours=-8))
CLOSED_2026 = {
    date(2026, 1, 1),
    date(2026, 1, 19),
    date(2026, 2, 16),
    date(2026, 5, 25),
    date(2026, 6, 19),
    date(2026, 7, 3),  # Independence Day falls on Saturday July 4: observed Friday
    date(2026, 9, 7),
    date(2026, 10, 12),
    date(2026, 11, 11),
    date(2026, 11, 26),
    date(2026, 12, 25),
}
CLOSED_2027 = {
    date(2027, 1, 1),
    date(2027, 1, 18),
    date(2027, 2, 15),
    date(2027, 5, 31),
    date(2027, 6, 18),
    date(2027, 7, 5),
    date(2027, 9, 6),
    date(2027, 10, 11),
    date(2027, 11, 11),
    date(2027, 11, 25),
    date(2027, 12, 24),
    date(2027, 12, 31),
}
CALENDAR = BusinessCalendar(frozenset(CLOSED_2026 | CLOSED_2027), 2026, 2027)
THURSDAY_BEFORE_THANKSGIVING = datetime(2026, 11, 19, 14, 0, tzinfo=EASTERN_STANDARD)


def facts(determined_at: datetime = THURSDAY_BEFORE_THANKSGIVING, **changes: object) -> BreachFacts:
    base = BreachFacts(
        determined_at=determined_at, discovered_at=determined_at - timedelta(days=2), customers_affected=10
    )
    return replace(base, **changes)


def fbi_hold(**changes: object) -> Hold:
    base = Hold("FBI", "FBI-2026-0117", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31))
    return replace(base, **changes)


def deadlines_of(
    breach: BreachFacts, regime: BreachRegime, **options: tuple[int, int]
) -> dict[str, Deadline]:
    return {d.name: d for d in breach_deadlines(breach, regime=regime, calendar=CALENDAR, **options)}


# ---------------------------------------------------------------- which regime


@pytest.mark.parametrize(
    ("determined_at", "effective_on", "expected"),
    [
        (THURSDAY_BEFORE_THANKSGIVING, None, BreachRegime.LEGACY),
        (datetime(2030, 1, 1, tzinfo=UTC), None, BreachRegime.LEGACY),
        (datetime(2026, 12, 31, 23, 30, tzinfo=EASTERN_STANDARD), date(2027, 1, 1), BreachRegime.LEGACY),
        (datetime(2027, 1, 1, 4, 30, tzinfo=UTC), date(2027, 1, 1), BreachRegime.LEGACY),
        (datetime(2027, 1, 1, 5, 0, tzinfo=UTC), date(2027, 1, 1), BreachRegime.FCC_2023),
        (datetime(2027, 3, 1, 9, 0, tzinfo=EASTERN), date(2027, 1, 1), BreachRegime.FCC_2023),
    ],
)
def test_the_regime_follows_the_eastern_day_of_the_determination_against_the_effective_date(
    determined_at, effective_on, expected
):
    assert regime_for(determined_at, effective_on) is expected


# ---------------------------------------------------------------- agency notice, both regimes


@pytest.mark.parametrize(
    ("determined_at", "due_on"),
    [
        (THURSDAY_BEFORE_THANKSGIVING, date(2026, 12, 1)),
        (datetime(2026, 11, 20, 3, 30, tzinfo=UTC), date(2026, 12, 1)),  # Thursday 22:30 in Washington
        (datetime(2026, 11, 19, 22, 0, tzinfo=PACIFIC_STANDARD), date(2026, 12, 2)),  # already Friday there
        (datetime(2026, 6, 29, 10, 0, tzinfo=EASTERN), date(2026, 7, 9)),  # skips the observed July 3
        (
            datetime(2026, 7, 3, 10, 0, tzinfo=EASTERN),
            date(2026, 7, 14),
        ),  # determined on the observed holiday
        (datetime(2026, 12, 23, 10, 0, tzinfo=EASTERN), date(2027, 1, 5)),  # Christmas and New Year's Day
        (datetime(2026, 11, 7, 10, 0, tzinfo=EASTERN), date(2026, 11, 18)),  # a Saturday; Veterans Day
    ],
)
@pytest.mark.parametrize("regime", list(BreachRegime))
def test_agency_notice_is_due_7_business_days_after_the_determination(determined_at, due_on, regime):
    agency = deadlines_of(facts(determined_at), regime)["agency_notice"]

    assert agency.due_on == due_on
    assert agency.required
    assert agency.not_before is None


def test_the_example_names_the_determination_the_deadline_and_the_skipped_thanksgiving():
    agency = deadlines_of(facts(), BreachRegime.LEGACY)["agency_notice"]

    assert agency.due_on == date(2026, 12, 1)
    assert "Thu 2026-11-19" in agency.explanation
    assert "Tue 2026-12-01" in agency.explanation
    assert "Thu 2026-11-26" in agency.explanation
    assert "counting from the next day" in agency.explanation


def test_legacy_agency_notice_goes_to_the_secret_service_and_fbi_under_64_2011_b():
    agency = deadlines_of(facts(), BreachRegime.LEGACY)["agency_notice"]

    assert agency.recipients == ("USSS", "FBI")
    assert agency.citation == "47 CFR 64.2011(b)"
    assert "central reporting facility" in agency.explanation


def test_2023_agency_notice_adds_the_fcc_under_64_2011_a_as_amended():
    agency = deadlines_of(facts(), BreachRegime.FCC_2023)["agency_notice"]

    assert agency.recipients == ("FCC", "USSS", "FBI")
    assert agency.citation == "47 CFR 64.2011(a) (as amended by FCC 23-111)"


# ---------------------------------------------------------------- legacy customer notice


@pytest.mark.parametrize(
    ("determined_at", "not_before"),
    [
        (THURSDAY_BEFORE_THANKSGIVING, date(2026, 12, 11)),
        (datetime(2026, 12, 23, 10, 0, tzinfo=EASTERN), date(2027, 1, 15)),
        # The wait ends Thursday December 31; the next day may be a holiday, it is not a business deadline.
        (datetime(2026, 12, 10, 10, 0, tzinfo=EASTERN), date(2027, 1, 1)),
        (datetime(2026, 6, 22, 10, 0, tzinfo=EASTERN), date(2026, 7, 14)),
    ],
)
def test_legacy_customers_wait_7_full_business_days_after_the_latest_agency_notice(determined_at, not_before):
    earliest = deadlines_of(facts(determined_at), BreachRegime.LEGACY)["customer_notice_earliest"]

    assert earliest.not_before == not_before
    assert earliest.due_on is None
    assert earliest.citation == "47 CFR 64.2011(b)(1)"
    assert "latest permitted day" in earliest.explanation


def test_legacy_customers_wait_7_full_business_days_after_the_agency_notice_actually_sent():
    # Notified Fri Nov 20 2026: the 7th business day after it is Wed Dec 2 (Thanksgiving skipped).
    sent = datetime(2026, 11, 20, 16, 0, tzinfo=EASTERN)
    earliest = deadlines_of(facts(agency_notified_at=sent), BreachRegime.LEGACY)["customer_notice_earliest"]

    assert earliest.not_before == date(2026, 12, 3)
    assert earliest.citation == "47 CFR 64.2011(b)(1)"
    assert "sent Fri 2026-11-20" in earliest.explanation
    assert "latest permitted day" not in earliest.explanation


def test_an_agency_notice_time_without_an_offset_is_refused():
    naive = datetime(2026, 11, 20, 16, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(InvalidInputError) as refused:
        deadlines_of(facts(agency_notified_at=naive), BreachRegime.LEGACY)

    assert "agency_notified_at" in [problem.location for problem in refused.value.problems]


def test_the_urgent_need_exception_lets_customers_be_told_at_once():
    earliest = deadlines_of(facts(urgent_need_consulted=True), BreachRegime.LEGACY)[
        "customer_notice_earliest"
    ]

    assert earliest.not_before is None
    assert earliest.citation == "47 CFR 64.2011(b)(2)"
    assert "at once" in earliest.explanation


def test_legacy_customer_notice_has_no_outer_deadline_but_is_required():
    latest = deadlines_of(facts(), BreachRegime.LEGACY)["customer_notice_latest"]

    assert latest.required
    assert latest.due_on is None
    assert latest.citation == "47 CFR 64.2011(c)"
    assert "no outer deadline" in latest.explanation


def test_legacy_deadlines_have_no_annual_summary():
    assert list(deadlines_of(facts(), BreachRegime.LEGACY)) == [
        "agency_notice",
        "customer_notice_earliest",
        "customer_notice_latest",
    ]


# ---------------------------------------------------------------- holds


@pytest.mark.parametrize(
    ("hold", "last_day"),
    [
        (fbi_hold(), date(2026, 12, 31)),
        (fbi_hold(extensions=(HoldExtension("FBI-2026-0117-A", date(2027, 1, 29)),)), date(2027, 1, 29)),
        (
            fbi_hold(
                extensions=(
                    HoldExtension("FBI-2026-0117-A", date(2027, 1, 29)),
                    HoldExtension("FBI-2026-0117-B", date(2027, 2, 26)),
                ),
                released_on=date(2027, 2, 10),
            ),
            date(2027, 2, 9),
        ),
        (fbi_hold(released_on=date(2026, 12, 10)), date(2026, 12, 9)),
        (fbi_hold(released_on=date(2026, 12, 1)), None),
    ],
)
def test_a_hold_lasts_through_its_last_extension_unless_released_early(hold, last_day):
    assert held_until((hold,)) == last_day


def test_the_latest_of_several_holds_decides():
    holds = (fbi_hold(), Hold("USSS", "USSS-77", date(2026, 12, 3), date(2027, 1, 2)))

    assert held_until(holds) == date(2027, 1, 2)


def test_a_legacy_hold_with_an_extension_delays_customer_notice_past_its_end():
    hold = fbi_hold(extensions=(HoldExtension("FBI-2026-0117-A", date(2027, 1, 29)),))
    deadlines = deadlines_of(facts(holds=(hold,)), BreachRegime.LEGACY)
    earliest = deadlines["customer_notice_earliest"]

    assert earliest.not_before == date(2027, 1, 30)
    assert earliest.held_until == date(2027, 1, 29)
    assert earliest.citation == "47 CFR 64.2011(b)(1), (b)(3)"
    assert "FBI-2026-0117-A" in earliest.explanation
    assert deadlines["customer_notice_latest"].held_until == date(2027, 1, 29)


def test_an_early_release_lets_legacy_customers_be_told_on_the_release_day():
    hold = fbi_hold(
        extensions=(HoldExtension("FBI-2026-0117-A", date(2027, 1, 29)),), released_on=date(2027, 1, 8)
    )
    earliest = deadlines_of(facts(holds=(hold,)), BreachRegime.LEGACY)["customer_notice_earliest"]

    assert earliest.not_before == date(2027, 1, 8)
    assert "released in writing on Fri 2027-01-08" in earliest.explanation


def test_a_hold_that_ends_before_the_wait_does_not_move_legacy_customer_notice():
    hold = fbi_hold(ends_on=date(2026, 12, 5))
    earliest = deadlines_of(facts(holds=(hold,)), BreachRegime.LEGACY)["customer_notice_earliest"]

    assert earliest.not_before == date(2026, 12, 11)
    assert earliest.held_until == date(2026, 12, 5)


def test_a_hold_outlasts_the_urgent_need_exception():
    breach = facts(urgent_need_consulted=True, holds=(fbi_hold(),))
    earliest = deadlines_of(breach, BreachRegime.LEGACY)["customer_notice_earliest"]

    assert earliest.not_before == date(2027, 1, 1)
    assert earliest.citation == "47 CFR 64.2011(b)(2), (b)(3)"


def test_an_fcc_hold_past_30_days_moves_the_2023_customer_deadline_to_the_day_after_it_ends():
    hold = Hold(
        "FCC",
        "FCC-EB-12",
        date(2026, 11, 20),
        date(2026, 12, 20),
        (HoldExtension("FCC-EB-12-A", date(2027, 1, 10)),),
    )
    deadlines = deadlines_of(facts(holds=(hold,)), BreachRegime.FCC_2023)

    assert deadlines["customer_notice_latest"].due_on == date(2027, 1, 11)
    assert deadlines["customer_notice_earliest"].not_before == date(2027, 1, 11)
    assert deadlines["customer_notice_latest"].held_until == date(2027, 1, 10)
    assert (
        deadlines["customer_notice_latest"].citation
        == "47 CFR 64.2011, 64.2011(a)(2) (as amended by FCC 23-111)"
    )


def test_a_2023_hold_that_ends_before_the_deadline_leaves_it_in_place():
    hold = fbi_hold(ends_on=date(2026, 12, 10))
    deadlines = deadlines_of(facts(holds=(hold,)), BreachRegime.FCC_2023)

    assert deadlines["customer_notice_latest"].due_on == date(2026, 12, 19)
    assert deadlines["customer_notice_earliest"].not_before == date(2026, 12, 11)


def test_a_2023_hold_through_the_deadline_day_moves_it_to_the_next_day():
    hold = fbi_hold(starts_on=date(2026, 11, 25), ends_on=date(2026, 12, 19))
    latest = deadlines_of(facts(holds=(hold,)), BreachRegime.FCC_2023)["customer_notice_latest"]

    assert latest.due_on == date(2026, 12, 20)


# ---------------------------------------------------------------- 2023 thresholds and customer notice


@pytest.mark.parametrize(
    ("customers", "harm", "agency_due", "summary_due"),
    [
        (499, False, None, date(2027, 2, 1)),
        (500, False, date(2026, 12, 1), None),
        (499, True, date(2026, 12, 1), None),
        (500, True, date(2026, 12, 1), None),
        (0, False, None, date(2027, 2, 1)),
    ],
)
def test_small_breaches_without_likely_harm_go_in_the_annual_summary_instead(
    customers, harm, agency_due, summary_due
):
    breach = facts(customers_affected=customers, harm_reasonably_likely=harm)
    deadlines = deadlines_of(breach, BreachRegime.FCC_2023)

    assert deadlines["agency_notice"].due_on == agency_due
    assert deadlines["agency_notice"].required is (agency_due is not None)
    assert deadlines["annual_summary"].due_on == summary_due
    assert deadlines["annual_summary"].required is (summary_due is not None)
    assert deadlines["annual_summary"].citation == "47 CFR 64.2011(a)(3) (as amended by FCC 23-111)"


def test_the_annual_summary_is_due_on_the_configured_day_of_the_next_year_without_rolling_off_a_weekend():
    breach = facts(datetime(2026, 3, 5, 9, 0, tzinfo=EASTERN), harm_reasonably_likely=False)
    summary = deadlines_of(breach, BreachRegime.FCC_2023, annual_summary_due=(2, 6))["annual_summary"]

    assert summary.due_on == date(2027, 2, 6)  # a Saturday, kept
    assert "not moved" in summary.explanation
    assert "RULES 12.2" in summary.explanation


def test_the_annual_summary_year_is_the_eastern_year_of_the_determination():
    new_years_eve_in_washington = datetime(2027, 1, 1, 3, 0, tzinfo=UTC)
    breach = facts(new_years_eve_in_washington, harm_reasonably_likely=False)

    assert deadlines_of(breach, BreachRegime.FCC_2023)["annual_summary"].due_on == date(2027, 2, 1)


@pytest.mark.parametrize(
    ("determined_at", "due_on"),
    [
        (THURSDAY_BEFORE_THANKSGIVING, date(2026, 12, 19)),  # a Saturday: calendar days are not rolled
        (datetime(2026, 12, 15, 10, 0, tzinfo=EASTERN), date(2027, 1, 14)),
        (datetime(2026, 6, 4, 10, 0, tzinfo=EASTERN), date(2026, 7, 4)),
    ],
)
def test_2023_customers_are_told_within_30_calendar_days_of_the_determination(determined_at, due_on):
    deadlines = deadlines_of(facts(determined_at), BreachRegime.FCC_2023)
    latest, earliest = deadlines["customer_notice_latest"], deadlines["customer_notice_earliest"]

    assert latest.due_on == due_on
    assert latest.required
    assert earliest.not_before is None
    assert latest.citation == "47 CFR 64.2011 (as amended by FCC 23-111)"
    assert "calendar days" in latest.explanation


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"harm_reasonably_likely": False, "customers_affected": 5000}, "no harm"),
        ({"only_encrypted_data_and_key_safe": True}, "encrypted"),
    ],
)
def test_2023_customer_notice_is_not_required_without_likely_harm_or_with_a_safe_key(changes, reason):
    deadlines = deadlines_of(facts(**changes), BreachRegime.FCC_2023)

    for name in ("customer_notice_earliest", "customer_notice_latest"):
        assert not deadlines[name].required
        assert deadlines[name].due_on is None
        assert reason in deadlines[name].explanation


def test_encryption_does_not_excuse_legacy_customer_notice():
    deadlines = deadlines_of(facts(only_encrypted_data_and_key_safe=True), BreachRegime.LEGACY)

    assert deadlines["customer_notice_latest"].required
    assert deadlines["customer_notice_earliest"].not_before == date(2026, 12, 11)


def test_every_deadline_says_how_it_was_computed_and_cites_47_cfr_64_2011():
    for regime in BreachRegime:
        for deadline in breach_deadlines(facts(holds=(fbi_hold(),)), regime=regime, calendar=CALENDAR):
            assert deadline.citation.startswith("47 CFR 64.2011")
            assert len(deadline.explanation) > 40


# ---------------------------------------------------------------- bad input

NAIVE = datetime(2026, 11, 19, 14, 0)  # noqa: DTZ001 - the bad input under test


@pytest.mark.parametrize(
    ("breach", "location", "words"),
    [
        (replace(facts(), determined_at=NAIVE), "determined_at", "no UTC offset"),
        (replace(facts(), discovered_at=NAIVE), "discovered_at", "no UTC offset"),
        (
            facts(discovered_at=THURSDAY_BEFORE_THANKSGIVING + timedelta(minutes=1)),
            "determined_at",
            "before the discovery",
        ),
        (facts(customers_affected=-1), "customers_affected", "negative"),
        (facts(customers_affected=True), "customers_affected", "whole number"),
        (facts(holds=(fbi_hold(written_reference=" "),)), "holds[0].written_reference", "in writing"),
        (facts(holds=(fbi_hold(agency=""),)), "holds[0].agency", "agency"),
        (facts(holds=(fbi_hold(ends_on=date(2027, 1, 1)),)), "holds[0].ends_on", "31 days"),
        (facts(holds=(fbi_hold(ends_on=date(2026, 11, 30)),)), "holds[0].ends_on", "before the start"),
        (
            facts(holds=(fbi_hold(extensions=(HoldExtension("", date(2027, 1, 20)),)),)),
            "holds[0].extensions[0].written_reference",
            "in writing",
        ),
        (
            facts(holds=(fbi_hold(extensions=(HoldExtension("FBI-A", date(2026, 12, 31)),)),)),
            "holds[0].extensions[0].ends_on",
            "does not extend",
        ),
        (
            facts(
                holds=(
                    fbi_hold(),
                    fbi_hold(
                        extensions=(
                            HoldExtension("FBI-A", date(2027, 1, 20)),
                            HoldExtension("FBI-B", date(2027, 1, 10)),
                        )
                    ),
                )
            ),
            "holds[1].extensions[1].ends_on",
            "past 2027-01-20",
        ),
        (
            facts(holds=(fbi_hold(released_on=date(2026, 11, 30)),)),
            "holds[0].released_on",
            "before the start",
        ),
    ],
)
def test_bad_breach_facts_are_refused_saying_what_and_where(breach, location, words):
    problems = breach_facts_problems(breach)

    assert [problem.location for problem in problems] == [location]
    assert words in problems[0].message
    with pytest.raises(InvalidInputError) as raised:
        breach_deadlines(breach, regime=BreachRegime.LEGACY, calendar=CALENDAR)
    assert [problem.location for problem in raised.value.problems] == [location]


def test_good_facts_have_no_problems_and_a_30_day_initial_hold_is_allowed():
    assert breach_facts_problems(facts(holds=(fbi_hold(),))) == []


def test_a_determination_at_the_moment_of_discovery_is_allowed():
    assert breach_facts_problems(facts(discovered_at=THURSDAY_BEFORE_THANKSGIVING)) == []


def test_every_problem_is_reported_at_once():
    breach = replace(
        facts(customers_affected=-5, holds=(fbi_hold(written_reference=""),)), discovered_at=NAIVE
    )

    assert [problem.location for problem in breach_facts_problems(breach)] == [
        "discovered_at",
        "customers_affected",
        "holds[0].written_reference",
    ]


@pytest.mark.parametrize("annual_summary_due", [(2, 29), (13, 1), (4, 31), (0, 1)])
def test_an_annual_summary_day_missing_from_some_years_is_refused(annual_summary_due):
    with pytest.raises(InvalidInputError) as raised:
        breach_deadlines(
            facts(), regime=BreachRegime.FCC_2023, calendar=CALENDAR, annual_summary_due=annual_summary_due
        )

    assert [problem.location for problem in raised.value.problems] == ["annual_summary_due"]


# ---------------------------------------------------------------- properties

WEEKDAYS_OF_THE_CALENDAR = st.dates(date(2026, 1, 1), date(2027, 12, 31)).filter(
    lambda day: day.weekday() < 5
)
DETERMINATIONS = st.datetimes(
    min_value=datetime(2026, 1, 2),  # noqa: DTZ001 - bounds; hypothesis attaches the zones
    max_value=datetime(2026, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, EASTERN, ZoneInfo("America/Los_Angeles"), timezone(timedelta(hours=14))]),
)
BREACHES = st.builds(
    lambda determined_at, customers, harm, encrypted, urgent: BreachFacts(
        determined_at, determined_at, customers, harm, encrypted, urgent
    ),
    DETERMINATIONS,
    st.integers(0, 2000),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)


def eastern(instant: datetime) -> date:
    return instant.astimezone(EASTERN).date()


@given(
    breach=BREACHES,
    closed=st.frozensets(WEEKDAYS_OF_THE_CALENDAR, max_size=60),
    regime=st.sampled_from(BreachRegime),
)
def test_every_business_day_deadline_is_a_business_day_after_its_trigger(breach, closed, regime):
    calendar = BusinessCalendar(closed, 2026, 2027)
    deadlines = {d.name: d for d in breach_deadlines(breach, regime=regime, calendar=calendar)}
    agency_due = deadlines["agency_notice"].due_on

    if agency_due is not None:
        assert calendar.is_business_day(agency_due)
        assert agency_due > eastern(breach.determined_at)
    earliest = deadlines["customer_notice_earliest"].not_before
    if regime is BreachRegime.LEGACY and not breach.urgent_need_consulted:
        assert agency_due is not None
        assert earliest is not None
        last_day_of_the_wait = earliest - timedelta(days=1)
        assert calendar.is_business_day(last_day_of_the_wait)
        assert last_day_of_the_wait > agency_due


@given(
    breach=BREACHES,
    closed=st.frozensets(WEEKDAYS_OF_THE_CALENDAR, max_size=40),
    another=WEEKDAYS_OF_THE_CALENDAR,
    regime=st.sampled_from(BreachRegime),
)
def test_closing_another_day_never_moves_a_deadline_earlier(breach, closed, another, regime):
    before = breach_deadlines(breach, regime=regime, calendar=BusinessCalendar(closed, 2026, 2027))
    after = breach_deadlines(breach, regime=regime, calendar=BusinessCalendar(closed | {another}, 2026, 2027))

    for old, new in zip(before, after, strict=True):
        assert old.name == new.name
        for field in ("due_on", "not_before"):
            old_day, new_day = getattr(old, field), getattr(new, field)
            assert (old_day is None) == (new_day is None)
            assert old_day is None or new_day >= old_day
