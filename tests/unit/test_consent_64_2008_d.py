"""Opt-out notices: the waiting period, bounces and the biennial lapse (47 CFR 64.2008(d); RULES.md 4.6-4.8).

Each answer is read both ways, as of the instant (`standing_at`) and from the stored timeline
(`consent_timeline`), and the two must agree.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cpniguard.domain.consent import (
    ConsentSegment,
    StandingReason,
    add_years,
    approval_effective_at,
    consent_timeline,
    last_valid_notice,
    renotice_due_at,
    standing_at,
)
from cpniguard.domain.consent_events import (
    MAX_WAITING_PERIOD_DAYS,
    ConsentEvent,
    ConsentEventKind,
    ConsentScope,
    ConsentSource,
    NoticeMedium,
)
from cpniguard.domain.disclosure_request import Approval, RecipientClass

pytestmark = pytest.mark.unit

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
CARRIER = ConsentScope(RecipientClass.CARRIER)
ONE_MICROSECOND = timedelta(microseconds=1)
DEEMED = Approval.OPT_OUT_DEEMED
NONE = Approval.NONE


def notice(
    at: datetime, medium: NoticeMedium = NoticeMedium.EMAIL, *, event_id: int, days: int | None = None
) -> ConsentEvent:
    return ConsentEvent(
        ConsentEventKind.NOTICE_SENT,
        at,
        at,
        "worker",
        event_id,
        notice_version="2026-01",
        notice_medium=medium,
        waiting_period_days=days,
    )


def bounce(at: datetime, notice_id: int, *, event_id: int) -> ConsentEvent:
    return ConsentEvent(ConsentEventKind.NOTICE_BOUNCED, at, at, "worker", event_id, refers_to=notice_id)


def approval(events: list[ConsentEvent], at: datetime, scope: ConsentScope = CARRIER) -> Approval:
    """The approval at `at`, after checking that the stored timeline says the same."""
    standing = standing_at(events, scope, at)
    stored = [s.approval for s in consent_timeline(events) if s.scope == scope and s.covers(at)]
    assert stored == ([] if standing.approval is NONE else [standing.approval])
    return standing.approval


def carrier_segments(events: list[ConsentEvent]) -> list[ConsentSegment]:
    return [s for s in consent_timeline(events) if s.scope == CARRIER]


def test_opt_out_is_not_deemed_at_day_29_23_59_after_an_email_notice_and_is_on_day_30():
    events = [notice(T0, event_id=1)]
    assert approval(events, T0 + timedelta(days=29, hours=23, minutes=59)) is NONE
    assert approval(events, T0 + timedelta(days=30) - ONE_MICROSECOND) is NONE
    assert approval(events, T0 + timedelta(days=30)) is DEEMED


def test_opt_out_is_not_deemed_32_days_after_mailing_and_is_at_33():
    events = [notice(T0, NoticeMedium.MAIL, event_id=1)]
    assert approval(events, T0 + timedelta(days=32)) is NONE
    assert approval(events, T0 + timedelta(days=33) - ONE_MICROSECOND) is NONE
    assert approval(events, T0 + timedelta(days=33)) is DEEMED


@pytest.mark.parametrize(
    ("medium", "stated_days", "deemed_after_days"),
    [
        (NoticeMedium.EMAIL, None, 30),
        (NoticeMedium.EMAIL, 30, 30),
        (NoticeMedium.EMAIL, 45, 45),
        (NoticeMedium.MAIL, None, 33),
        (NoticeMedium.MAIL, 45, 48),
        (NoticeMedium.MAIL, MAX_WAITING_PERIOD_DAYS, MAX_WAITING_PERIOD_DAYS + 3),
    ],
)
def test_a_longer_period_stated_in_the_notice_is_honoured(medium, stated_days, deemed_after_days):
    events = [notice(T0, medium, event_id=1, days=stated_days)]
    effective = T0 + timedelta(days=deemed_after_days)
    assert approval_effective_at(events[0]) == effective
    assert approval(events, effective - ONE_MICROSECOND) is NONE
    assert approval(events, effective) is DEEMED


def test_while_waiting_the_standing_says_when_approval_will_be_deemed():
    standing = standing_at(
        [notice(T0, NoticeMedium.MAIL, event_id=1, days=45)], CARRIER, T0 + timedelta(days=1)
    )
    assert (standing.approval, standing.reason) == (NONE, StandingReason.WAITING)
    assert standing.deemed_from == T0 + timedelta(days=48)
    assert standing.basis_event_id == 1


def test_an_oral_notice_never_starts_opt_out_nor_keeps_it_running():
    oral = [notice(T0, NoticeMedium.ORAL, event_id=1)]
    assert approval(oral, T0 + timedelta(days=31)) is NONE
    assert standing_at(oral, CARRIER, T0 + timedelta(days=400)).reason is StandingReason.NO_NOTICE
    renoticed_orally = [notice(T0, event_id=1), notice(add_years(T0, 1), NoticeMedium.ORAL, event_id=2)]
    assert approval(renoticed_orally, add_years(T0, 2)) is NONE


def test_no_approval_is_deemed_without_any_notice():
    standing = standing_at([], CARRIER, T0)
    assert (standing.approval, standing.reason) == (NONE, StandingReason.NO_NOTICE)
    assert consent_timeline([]) == []


def test_a_bounced_email_notice_never_counts():
    events = [notice(T0, event_id=1), bounce(T0 + timedelta(hours=2), 1, event_id=2)]
    assert approval(events, T0 + timedelta(days=31)) is NONE
    assert standing_at(events, CARRIER, T0 + timedelta(days=31)).reason is StandingReason.NO_NOTICE
    assert carrier_segments(events) == []


def test_a_notice_mailed_after_a_bounce_is_a_new_notice_deemed_on_its_own_day_33():
    mailed_at = T0 + timedelta(days=3)
    events = [
        notice(T0, event_id=1),
        bounce(T0 + timedelta(hours=2), 1, event_id=2),
        notice(mailed_at, NoticeMedium.MAIL, event_id=3),
    ]
    assert approval(events, T0 + timedelta(days=31)) is NONE
    assert approval(events, mailed_at + timedelta(days=33) - ONE_MICROSECOND) is NONE
    assert approval(events, mailed_at + timedelta(days=33)) is DEEMED
    assert standing_at(events, CARRIER, mailed_at + timedelta(days=33)).basis_event_id == 3


def test_a_bounce_reported_late_means_the_notice_never_counted_even_as_of_before_it():
    events = [notice(T0, event_id=1), bounce(T0 + timedelta(days=40), 1, event_id=2)]
    assert approval(events, T0 + timedelta(days=35)) is NONE


def test_a_bounced_renotice_does_not_keep_the_approval_running():
    events = [
        notice(T0, event_id=1),
        notice(add_years(T0, 1), event_id=2),
        bounce(add_years(T0, 1) + timedelta(hours=1), 2, event_id=3),
    ]
    assert approval(events, add_years(T0, 2) - ONE_MICROSECOND) is DEEMED
    assert approval(events, add_years(T0, 2)) is NONE


def test_deemed_approval_lasts_until_exactly_two_years_after_the_notice():
    events = [notice(T0, event_id=1)]
    lapse = add_years(T0, 2)
    assert standing_at(events, CARRIER, T0 + timedelta(days=31)).until == lapse
    assert approval(events, lapse - ONE_MICROSECOND) is DEEMED
    assert approval(events, lapse) is NONE
    standing = standing_at(events, CARRIER, lapse)
    assert (standing.reason, standing.since) == (StandingReason.LAPSED, lapse)
    assert carrier_segments(events) == [ConsentSegment(CARRIER, DEEMED, T0 + timedelta(days=30), lapse, 1)]


def test_a_renotice_at_one_year_eleven_months_keeps_the_approval_running_without_a_gap():
    renoticed_at = datetime(2028, 2, 2, 9, 30, tzinfo=UTC)
    events = [notice(T0, event_id=1), notice(renoticed_at, event_id=2)]
    first_lapse = add_years(T0, 2)
    for at in (first_lapse - ONE_MICROSECOND, first_lapse, first_lapse + timedelta(days=29)):
        assert approval(events, at) is DEEMED
    assert approval(events, add_years(renoticed_at, 2) - ONE_MICROSECOND) is DEEMED
    assert approval(events, add_years(renoticed_at, 2)) is NONE
    assert carrier_segments(events) == [
        ConsentSegment(CARRIER, DEEMED, T0 + timedelta(days=30), renoticed_at, 1),
        ConsentSegment(CARRIER, DEEMED, renoticed_at, add_years(renoticed_at, 2), 2),
    ]


def test_a_renotice_after_the_lapse_reopens_a_waiting_period():
    renoticed_at = add_years(T0, 2) + timedelta(days=1)
    events = [notice(T0, event_id=1), notice(renoticed_at, event_id=2)]
    assert standing_at(events, CARRIER, renoticed_at - ONE_MICROSECOND).reason is StandingReason.LAPSED
    waiting = standing_at(events, CARRIER, renoticed_at)
    assert (waiting.approval, waiting.reason) == (NONE, StandingReason.WAITING)
    assert waiting.deemed_from == renoticed_at + timedelta(days=30)
    assert approval(events, renoticed_at + timedelta(days=30) - ONE_MICROSECOND) is NONE
    assert approval(events, renoticed_at + timedelta(days=30)) is DEEMED


def test_a_renotice_sent_the_instant_the_approval_lapses_is_not_before_the_lapse():
    lapse = add_years(T0, 2)
    events = [notice(T0, event_id=1), notice(lapse, event_id=2)]
    assert approval(events, lapse) is NONE
    assert approval(events, lapse + timedelta(days=30)) is DEEMED


def test_approval_is_deemed_when_the_first_waiting_period_of_overlapping_notices_ends():
    events = [
        notice(T0, NoticeMedium.MAIL, event_id=1, days=45),
        notice(T0 + timedelta(days=1), NoticeMedium.EMAIL, event_id=2),
    ]
    assert approval(events, T0 + timedelta(days=31) - ONE_MICROSECOND) is NONE
    assert approval(events, T0 + timedelta(days=31)) is DEEMED
    assert standing_at(events, CARRIER, T0 + timedelta(days=31)).basis_event_id == 2


def test_a_renotice_stating_a_longer_period_does_not_hold_back_the_first():
    events = [notice(T0, event_id=1), notice(T0 + timedelta(days=1), NoticeMedium.MAIL, event_id=2, days=90)]
    assert approval(events, T0 + timedelta(days=30)) is DEEMED


def test_an_objection_during_the_waiting_period_means_approval_is_never_deemed():
    opted_out = ConsentEvent(
        ConsentEventKind.OPTED_OUT,
        T0 + timedelta(days=10),
        T0 + timedelta(days=10),
        "portal",
        2,
        source=ConsentSource.PORTAL,
    )
    events = [notice(T0, event_id=1), opted_out]
    assert approval(events, T0 + timedelta(days=9)) is NONE
    assert approval(events, T0 + timedelta(days=31)) is Approval.OPTED_OUT
    assert carrier_segments(events) == [
        ConsentSegment(CARRIER, Approval.OPTED_OUT, opted_out.occurred_at, None, 2)
    ]


def test_a_notice_sent_on_29_february_lapses_on_28_february_two_years_on():
    leap_day = datetime(2028, 2, 29, 12, 0, tzinfo=UTC)
    lapse = datetime(2030, 2, 28, 12, 0, tzinfo=UTC)
    events = [notice(leap_day, event_id=1)]
    assert renotice_due_at(events) == lapse
    assert approval(events, lapse - ONE_MICROSECOND) is DEEMED
    assert approval(events, lapse) is NONE


def test_adding_years_keeps_29_february_only_in_a_leap_year():
    leap_day = datetime(2028, 2, 29, 12, 0, tzinfo=UTC)
    assert add_years(leap_day, 1) == datetime(2029, 2, 28, 12, 0, tzinfo=UTC)
    assert add_years(leap_day, 4) == leap_day.replace(year=2032)
    assert add_years(T0, 2) == T0.replace(year=2028)


def test_the_lapse_falls_at_the_same_instant_whatever_utc_offset_the_notice_time_carries():
    sent = datetime(2028, 2, 29, 2, 0, tzinfo=UTC)
    eastern = sent.astimezone(timezone(timedelta(hours=-5)))
    assert eastern.day == 28
    lapse = datetime(2030, 2, 28, 2, 0, tzinfo=UTC)
    assert renotice_due_at([notice(eastern, event_id=1)]) == lapse
    assert approval([notice(eastern, event_id=1)], lapse) is NONE


def test_the_renotice_is_due_two_years_after_the_last_notice_that_counted():
    renoticed_at = add_years(T0, 1)
    events = [
        notice(T0, event_id=1),
        notice(renoticed_at, event_id=2),
        notice(renoticed_at + timedelta(days=1), NoticeMedium.ORAL, event_id=3),
        notice(renoticed_at + timedelta(days=2), event_id=4),
        bounce(renoticed_at + timedelta(days=2, hours=1), 4, event_id=5),
    ]
    last = last_valid_notice(events)
    assert last is not None
    assert last.id == 2
    assert renotice_due_at(events) == add_years(renoticed_at, 2)


def test_no_renotice_is_due_before_the_first_notice():
    assert last_valid_notice([]) is None
    assert renotice_due_at([notice(T0, NoticeMedium.ORAL, event_id=1)]) is None
