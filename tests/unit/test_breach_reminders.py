"""Reminders of 47 CFR 64.2011 breach deadlines to the compliance officer, on FCC business days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cpniguard.adapters.calendar import federal_calendar
from cpniguard.domain.breach import BreachRegime, regime_for
from cpniguard.domain.breach_deadlines import breach_deadlines
from cpniguard.domain.breach_reminders import (
    DETERMINATION,
    Reminder,
    reminder_text,
    reminders_due,
)
from cpniguard.domain.breach_timeline import Breach, BreachEvent, BreachEventKind, breach_facts_from
from cpniguard.domain.errors import InvalidInputError

pytestmark = pytest.mark.unit

K = BreachEventKind
CALENDAR = federal_calendar(2026, 2027)
LEADS = (3, 1, 0)
OPENED = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
"""Friday 09:00 in Washington, the week before Thanksgiving (Thursday 2026-11-26)."""
DISCOVERY = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)
DETERMINATION_AT = datetime(2026, 11, 19, 19, 0, tzinfo=UTC)
"""Thursday 14:00 in Washington: the agency notice is due Tuesday 2026-12-01 (Thanksgiving skipped)."""
AGENCY_DUE = date(2026, 12, 1)
CUSTOMER_DUE_2023 = date(2026, 12, 19)
"""30 calendar days after the determination: a Saturday."""
BREACH = Breach(7, "BR-2026-017", OPENED, "compliance")
IN_FORCE = date(2026, 1, 1)
"""An effective date for the FCC 23-111 amendments, for the 2023 cases."""


def event(kind: BreachEventKind, at: datetime, **details: str) -> BreachEvent:
    return BreachEvent(kind, at, OPENED + timedelta(days=120), "compliance", details=details)


def timeline(*more: BreachEvent) -> list[BreachEvent]:
    return [
        event(K.DISCOVERED, DISCOVERY, how="SOC alert on a bulk call-detail export"),
        event(K.DETERMINED, DETERMINATION_AT, basis="the export used a revoked contractor's token"),
        *more,
    ]


def large_2023(*more: BreachEvent) -> list[BreachEvent]:
    return timeline(event(K.CUSTOMERS_AFFECTED, DETERMINATION_AT, count="3000"), *more)


def small_2023(*more: BreachEvent) -> list[BreachEvent]:
    return timeline(
        event(K.CUSTOMERS_AFFECTED, DETERMINATION_AT, count="120"),
        event(K.HARM_ASSESSMENT, DETERMINATION_AT, harm_reasonably_likely="false", analysis="hashed PINs"),
        *more,
    )


def reminders(
    events: list[BreachEvent], today: date, *, effective_on: date | None = None, leads=LEADS
) -> list[Reminder]:
    facts = breach_facts_from(events)
    deadlines = []
    if facts is not None:
        regime = regime_for(facts.determined_at, effective_on)
        deadlines = breach_deadlines(facts, regime=regime, calendar=CALENDAR)
    return reminders_due(BREACH, deadlines, events, today=today, lead_business_days=leads, calendar=CALENDAR)


def left_by_duty(found: list[Reminder]) -> dict[str, int]:
    return {r.deadline_name: r.business_days_left for r in found}


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 24), {}),  # Tue: 4 business days left (Wed, Fri, Mon, Tue)
        (date(2026, 11, 25), {"agency_notice": 3}),  # Wed: Thanksgiving and the weekend are skipped
        (date(2026, 11, 26), {}),  # Thanksgiving: no reminder on a closed day
        (date(2026, 11, 27), {}),  # Fri: 2 left, not a lead day
        (date(2026, 11, 28), {}),  # Saturday
        (date(2026, 11, 29), {}),  # Sunday
        (date(2026, 11, 30), {"agency_notice": 1}),
        (date(2026, 12, 1), {"agency_notice": 0}),  # the last day itself
        (date(2026, 12, 2), {"agency_notice": -1}),
        (date(2026, 12, 4), {"agency_notice": -3}),
        (date(2026, 12, 5), {}),  # overdue, but a Saturday
        (date(2026, 12, 7), {"agency_notice": -4}),
    ],
)
def test_the_legacy_agency_notice_is_reminded_on_the_lead_business_days_then_every_business_day(
    today, expected
):
    assert left_by_duty(reminders(timeline(), today)) == expected


def test_a_legacy_reminder_names_the_agencies_the_day_the_rule_and_how_the_day_was_counted():
    [reminder] = reminders(timeline(), date(2026, 11, 25))
    assert reminder == Reminder(
        breach_id=7,
        breach_reference="BR-2026-017",
        deadline_name="agency_notice",
        due_on=AGENCY_DUE,
        business_days_left=3,
        recipients=("USSS", "FBI"),
        citation="47 CFR 64.2011(b)",
        explanation=reminder.explanation,
    )
    assert "skipping weekends and the FCC's closed days Thu 2026-11-26" in reminder.explanation
    assert not reminder.is_overdue


def test_the_lead_days_are_the_configured_ones():
    days = [date(2026, 11, 19) + timedelta(n) for n in range(15)]
    reminded = [day for day in days if reminders(timeline(), day, leads=(5,))]
    # Mon the 23rd: Tue, Wed, Fri, Mon, Tue left; then overdue from Wed 2 December.
    assert reminded == [date(2026, 11, 23), date(2026, 12, 2), date(2026, 12, 3)]


def test_the_customer_notice_has_no_legacy_outer_deadline_so_only_the_agency_notice_is_reminded():
    # 21 business days of December after the 1st (Christmas closed), 19 of January (New Year's
    # Day and Martin Luther King Jr. Day closed), and Monday 1 February.
    assert left_by_duty(reminders(timeline(), date(2027, 2, 1))) == {"agency_notice": -41}


def test_a_recorded_agency_notice_ends_its_reminders():
    notified = event(K.AGENCY_NOTIFIED, DETERMINATION_AT, agencies="USSS,FBI", reference="CRF-88412")
    assert reminders(timeline(notified), date(2026, 12, 1)) == []


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 25), {"agency_notice": 3}),
        (date(2026, 12, 14), {"agency_notice": -9}),  # Mon: 4 business days to Sat the 19th (Tue-Fri)
        (date(2026, 12, 15), {"agency_notice": -10, "customer_notice_latest": 3}),
        (date(2026, 12, 16), {"agency_notice": -11}),
        (date(2026, 12, 17), {"agency_notice": -12, "customer_notice_latest": 1}),
        # Saturday's deadline: Friday is the last business day to act.
        (date(2026, 12, 18), {"agency_notice": -13, "customer_notice_latest": 0}),
        (date(2026, 12, 19), {}),
        (date(2026, 12, 21), {"agency_notice": -14, "customer_notice_latest": -1}),
    ],
)
def test_the_2023_agency_and_customer_notices_are_reminded_each_on_its_own_clock(today, expected):
    found = reminders(large_2023(), today, effective_on=IN_FORCE)
    assert left_by_duty(found) == expected
    assert {r.due_on for r in found} <= {AGENCY_DUE, CUSTOMER_DUE_2023}


def test_a_recorded_customer_notice_ends_its_reminders_but_not_the_agency_notices():
    sent = event(K.CUSTOMERS_NOTIFIED, DETERMINATION_AT, count="3000", method="email and letter")
    found = reminders(large_2023(sent), date(2026, 12, 18), effective_on=IN_FORCE)
    assert left_by_duty(found) == {"agency_notice": -13}


def test_an_annual_summary_filing_is_not_the_agency_notice():
    filed = event(
        K.AGENCY_NOTIFIED, DETERMINATION_AT, agencies="FCC,USSS,FBI", reference="annual-summary-2026"
    )
    found = reminders(large_2023(filed), date(2026, 12, 1), effective_on=IN_FORCE)
    assert left_by_duty(found) == {"agency_notice": 0}


def test_no_reminder_goes_out_for_a_duty_the_rule_does_not_require():
    # 2023, no harm reasonably likely: neither agency nor customer notice is required.
    assert reminders(small_2023(), date(2026, 12, 1), effective_on=IN_FORCE) == []
    assert regime_for(DETERMINATION_AT, IN_FORCE) is BreachRegime.FCC_2023


@pytest.mark.parametrize(
    ("today", "left"),
    [
        (date(2027, 1, 26), None),
        (date(2027, 1, 27), 3),  # Wed: Thu, Fri and Mon the 1st
        (date(2027, 1, 28), None),
        (date(2027, 1, 29), 1),
        (date(2027, 2, 1), 0),
        (date(2027, 2, 2), -1),
    ],
)
def test_a_small_2023_breachs_annual_summary_is_reminded_before_february_1(today, left):
    found = left_by_duty(reminders(small_2023(), today, effective_on=IN_FORCE))
    assert found == ({} if left is None else {"annual_summary": left})


def test_the_annual_summary_is_done_once_filed_under_an_annual_summary_reference():
    other = event(K.AGENCY_NOTIFIED, DETERMINATION_AT, agencies="FCC", reference="CRF-1")
    filed = event(K.AGENCY_NOTIFIED, DETERMINATION_AT, agencies="FCC", reference="Annual-Summary 2026")
    assert left_by_duty(reminders(small_2023(other), date(2027, 2, 1), effective_on=IN_FORCE)) == {
        "annual_summary": 0
    }
    assert reminders(small_2023(other, filed), date(2027, 2, 1), effective_on=IN_FORCE) == []


@pytest.mark.parametrize(
    ("today", "left"),
    [
        (date(2026, 11, 20), None),  # opened today
        (date(2026, 11, 23), None),  # open 1 business day
        (date(2026, 11, 24), -1),
        (date(2026, 11, 26), None),  # Thanksgiving
        (date(2026, 11, 27), -3),
    ],
)
def test_a_breach_open_more_than_a_business_day_without_a_determination_is_reminded(today, left):
    discovered_only = [event(K.DISCOVERED, DISCOVERY, how="SOC alert")]
    found = reminders(discovered_only, today)
    assert left_by_duty(found) == ({} if left is None else {DETERMINATION: left})
    if found:
        assert found[0].due_on == date(2026, 11, 23)
        assert "determination is not recorded yet" in found[0].explanation


def test_a_breach_with_nothing_recorded_is_asked_for_both_its_discovery_and_determination():
    [reminder] = reminders([], date(2026, 11, 24))
    assert "discovery and determination are not recorded yet" in reminder.explanation
    assert reminder.recipients == ()


def test_a_negative_lead_day_is_refused_saying_which():
    with pytest.raises(InvalidInputError) as refused:
        reminders(timeline(), date(2026, 11, 25), leads=(3, -1))
    assert [(p.location, p.message) for p in refused.value.problems] == [
        ("lead_business_days[1]", "must be a whole number of 0 or more, not -1")
    ]


def test_the_text_says_what_is_due_to_whom_when_how_under_which_rule_and_for_which_breach():
    described = event(K.DESCRIBED, DETERMINATION_AT, description="call detail of Luc Tremblay exported")
    [reminder] = reminders(timeline(described), date(2026, 11, 25))
    subject, body = reminder_text(reminder)
    assert subject == "Breach BR-2026-017: agency notice due Tue 2026-12-01 (3 business days left)"
    assert "Breach reference: BR-2026-017" in body
    assert "To whom: USSS, FBI." in body
    assert "When: by Tue 2026-12-01, 3 business days after today" in body
    assert "How that day was computed: USSS and FBI through the central reporting facility" in body
    assert "Rule: 47 CFR 64.2011(b)." in body
    assert "record it on the breach's timeline as an agency_notified event" in body
    assert "Luc Tremblay" not in body


@pytest.mark.parametrize(
    ("today", "subject_end", "when"),
    [
        (date(2026, 11, 30), "due Tue 2026-12-01 (1 business day left)", "1 business day after today"),
        (date(2026, 12, 1), "due Tue 2026-12-01, last business day to act is today", "act today"),
        (date(2026, 12, 3), "OVERDUE since Tue 2026-12-01", "overdue by 2 business days, today included"),
    ],
)
def test_the_text_says_how_close_or_how_late_it_is(today, subject_end, when):
    [reminder] = reminders(timeline(), today)
    subject, body = reminder_text(reminder)
    assert subject.endswith(subject_end)
    assert when in body


def test_a_long_reference_is_shortened_in_the_subject_only():
    long_reference = "BR-" + "9" * 125
    [reminder] = reminders(timeline(), date(2026, 12, 3))
    subject, body = reminder_text(Reminder(**{**_fields(reminder), "breach_reference": long_reference}))
    assert len(subject) <= 200
    assert f"Breach reference: {long_reference}" in body


def test_the_determination_text_asks_for_the_timeline_events():
    subject, body = reminder_text(reminders([], date(2026, 11, 24))[0])
    assert subject == "Breach BR-2026-017: determination OVERDUE since Mon 2026-11-23"
    assert "To whom: no one outside the carrier" in body
    assert "as the discovered and determined events" in body


def _fields(reminder: Reminder) -> dict[str, object]:
    return {name: getattr(reminder, name) for name in Reminder.__dataclass_fields__}
