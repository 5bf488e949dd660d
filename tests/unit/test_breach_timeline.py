"""47 CFR 64.2011(d): a breach's timeline, checked per kind, folded into the deadline engine's facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cpniguard.domain.breach import BreachFacts, BreachRegime, Hold, HoldExtension
from cpniguard.domain.breach_deadlines import timeline_deadlines
from cpniguard.domain.breach_timeline import (
    BREACH_RECORD_RETENTION_YEARS,
    REQUIRED,
    BreachEvent,
    BreachEventKind,
    breach_event_problems,
    breach_facts_from,
    breach_purge_problem,
    customers_affected,
)
from cpniguard.domain.business_days import BusinessCalendar

pytestmark = pytest.mark.unit

K = BreachEventKind
DISCOVERY = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
DETERMINATION = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
HOLD = {"agency": "FBI", "written_reference": "FBI-1", "starts_on": "2026-11-24", "ends_on": "2026-12-20"}

GOOD_DETAILS: dict[BreachEventKind, dict[str, str]] = {
    K.DISCOVERED: {"how": "SOC alert on bulk CDR export"},
    K.DETERMINED: {"basis": "logs show an export by a former contractor's token"},
    K.DESCRIBED: {"description": "call detail of 3,000 accounts exported"},
    K.METHOD_OF_COMPROMISE: {"method": "stolen API token"},
    K.DATE_RANGE: {"from": "2026-11-01", "to": "2026-11-19"},
    K.DATA_TYPES: {"types": "call_detail, name_with_government_id"},
    K.CUSTOMERS_AFFECTED: {"count": "3000"},
    K.FINANCIAL_LOSS_ESTIMATED: {"carrier_cents": "0", "customers_cents": "150000"},
    K.INTENT: {"intentional": "true"},
    K.ENCRYPTION: {"only_encrypted": "false", "key_safe": "false"},
    K.HARM_ASSESSMENT: {"harm_reasonably_likely": "true", "analysis": "names and numbers, phishing risk"},
    K.HOLD_STARTED: HOLD,
    K.HOLD_EXTENDED: {"hold": "FBI-1", "written_reference": "FBI-2", "ends_on": "2027-01-10"},
    K.HOLD_RELEASED: {"hold": "FBI-1", "written_reference": "FBI-3", "released_on": "2026-12-28"},
    K.AGENCY_NOTIFIED: {"agencies": "USSS, FBI", "reference": "CRF-778"},
    K.CUSTOMERS_NOTIFIED: {"count": "3000", "method": "email and letter"},
    K.STATUS_CHANGED: {"status": "contained"},
}
BAD_DETAILS: list[tuple[BreachEventKind, str, str, str]] = [
    (K.DISCOVERED, "how", " ", "blank"),
    (K.DETERMINED, "basis", "", "blank"),
    (K.DESCRIBED, "description", "x" * 10_001, "longer than"),
    (K.METHOD_OF_COMPROMISE, "method", "  ", "blank"),
    (K.DATE_RANGE, "from", "1 Nov 2026", "not a date"),
    (K.DATE_RANGE, "to", "2026-10-31", "before 2026-11-01"),
    (K.DATA_TYPES, "types", "call_detail, social_security", "unknown data types 'social_security'"),
    (K.DATA_TYPES, "types", "", "name at least one"),
    (K.CUSTOMERS_AFFECTED, "count", "-3", "not a whole number"),
    (K.CUSTOMERS_AFFECTED, "count", "about 300", "not a whole number"),
    (K.FINANCIAL_LOSS_ESTIMATED, "customers_cents", "1.50", "not a whole number"),
    (K.INTENT, "intentional", "yes", "neither 'true' nor 'false'"),
    (K.ENCRYPTION, "key_safe", "maybe", "neither"),
    (K.HARM_ASSESSMENT, "harm_reasonably_likely", "no", "neither"),
    (K.HARM_ASSESSMENT, "analysis", "", "blank"),
    (K.HOLD_STARTED, "written_reference", " ", "name the written document"),
    (K.HOLD_STARTED, "ends_on", "2026-12-25", "31 days; at most 30"),
    (K.HOLD_STARTED, "ends_on", "2026-11-23", "before 2026-11-24"),
    (K.HOLD_EXTENDED, "written_reference", "", "name the written document"),
    (K.HOLD_EXTENDED, "ends_on", "2026-12-20", "does not extend the hold past 2026-12-20"),
    (K.HOLD_RELEASED, "written_reference", "", "name the written document"),
    (K.HOLD_RELEASED, "released_on", "2026-11-23", "before the hold's start 2026-11-24"),
    (K.AGENCY_NOTIFIED, "agencies", "FBI, Interpol", "name agencies among FBI, FCC, USSS"),
    (K.AGENCY_NOTIFIED, "urgent_need_consulted", "yes", "neither"),
    (K.CUSTOMERS_NOTIFIED, "count", "all", "not a whole number"),
    (K.STATUS_CHANGED, "status", "resolved", "'resolved' is none of closed, contained, notified, open"),
]


def event(
    kind: BreachEventKind, details: dict[str, str] | None = None, *, at: datetime = DETERMINATION
) -> BreachEvent:
    return BreachEvent(
        kind, at, NOW, "compliance", details=GOOD_DETAILS[kind] if details is None else details
    )


def with_hold(*more: BreachEvent) -> list[BreachEvent]:
    return [event(K.HOLD_STARTED), *more]


def messages(found: list) -> list[tuple[str, str]]:
    return [(p.location, p.message) for p in found]


@pytest.mark.parametrize("kind", list(BreachEventKind))
def test_every_kind_with_its_details_may_join_the_timeline(kind):
    timeline = with_hold() if kind in {K.HOLD_EXTENDED, K.HOLD_RELEASED} else []
    assert breach_event_problems(event(kind), timeline) == []


@pytest.mark.parametrize("kind", list(BreachEventKind))
def test_every_kind_names_each_detail_it_lacks(kind):
    found = messages(breach_event_problems(event(kind, {})))
    assert found == [(f"details.{key}", f"a {kind} event needs it") for key in REQUIRED[kind]]


@pytest.mark.parametrize("kind", list(BreachEventKind))
def test_every_kind_refuses_a_detail_it_does_not_take(kind):
    found = messages(breach_event_problems(event(kind, {**GOOD_DETAILS[kind], "ssn": "123-45-6789"})))
    assert len(found) == 1
    assert found[0][0] == "details.ssn"
    assert found[0][1].startswith(f"a {kind} event takes only: ")


@pytest.mark.parametrize(("kind", "key", "value", "expected"), BAD_DETAILS)
def test_a_bad_detail_is_refused_saying_what_is_wrong_and_where(kind, key, value, expected):
    timeline = with_hold() if kind in {K.HOLD_EXTENDED, K.HOLD_RELEASED} else []
    found = messages(breach_event_problems(event(kind, {**GOOD_DETAILS[kind], key: value}), timeline))
    assert len(found) == 1, found
    assert found[0][0] == f"details.{key}"
    assert expected in found[0][1]


def test_every_kind_has_a_bad_detail_test():
    assert {kind for kind, *_ in BAD_DETAILS} == set(BreachEventKind)


def test_a_detail_that_is_not_text_is_refused():
    found = messages(breach_event_problems(event(K.CUSTOMERS_AFFECTED, {"count": 3000})))  # type: ignore[dict-item]
    assert found == [("details.count", "must be text")]


def test_an_initial_hold_of_exactly_30_days_is_accepted_and_31_is_refused():
    thirty = {**HOLD, "starts_on": "2026-11-24", "ends_on": "2026-12-24"}
    assert breach_event_problems(event(K.HOLD_STARTED, thirty)) == []
    found = breach_event_problems(event(K.HOLD_STARTED, {**thirty, "ends_on": "2026-12-25"}))
    assert messages(found) == [
        (
            "details.ends_on",
            "the initial hold runs 31 days; at most 30, then extend it in writing (47 CFR 64.2011(b)(3))",
        )
    ]


def test_a_hold_without_a_written_reference_is_refused():
    details = {key: value for key, value in HOLD.items() if key != "written_reference"}
    assert messages(breach_event_problems(event(K.HOLD_STARTED, details))) == [
        ("details.written_reference", "a hold_started event needs it")
    ]


def test_a_second_hold_under_the_same_written_reference_is_refused():
    found = messages(breach_event_problems(event(K.HOLD_STARTED), with_hold()))
    assert found == [("details.written_reference", "'FBI-1' already names a hold of this breach")]


@pytest.mark.parametrize("kind", [K.HOLD_EXTENDED, K.HOLD_RELEASED])
def test_an_extension_or_release_of_a_hold_never_recorded_is_refused(kind):
    assert messages(breach_event_problems(event(kind), [])) == [
        ("details.hold", "no hold 'FBI-1' was recorded for this breach")
    ]


def test_an_encrypted_breach_with_a_safe_key_needs_its_evidence():
    details = {"only_encrypted": "true", "key_safe": "true"}
    assert messages(breach_event_problems(event(K.ENCRYPTION, details))) == [
        ("details.evidence", "a safe key needs its definitive evidence (RULES 8.5)")
    ]
    assert breach_event_problems(event(K.ENCRYPTION, {**details, "evidence": "HSM audit log"})) == []


def test_a_determination_before_the_recorded_discovery_is_refused():
    discovered = event(K.DISCOVERED, at=DISCOVERY)
    found = breach_event_problems(event(K.DETERMINED, at=DISCOVERY - timedelta(minutes=1)), [discovered])
    assert [p.location for p in found] == ["occurred_at"]
    assert "is determined only once it is discovered" in found[0].message


def test_a_discovery_after_the_recorded_determination_is_refused():
    determined = event(K.DETERMINED, at=DETERMINATION)
    found = breach_event_problems(event(K.DISCOVERED, at=DETERMINATION + timedelta(hours=1)), [determined])
    assert [p.location for p in found] == ["occurred_at"]


def test_a_determination_with_no_discovery_recorded_yet_is_accepted():
    assert breach_event_problems(event(K.DETERMINED, at=DISCOVERY), []) == []


def test_times_without_an_offset_and_events_from_the_future_are_refused():
    naive = BreachEvent(
        K.DISCOVERED, DISCOVERY.replace(tzinfo=None), NOW, "compliance", details=GOOD_DETAILS[K.DISCOVERED]
    )
    assert [p.location for p in breach_event_problems(naive)] == ["occurred_at"]
    later = BreachEvent(
        K.DISCOVERED, NOW + timedelta(seconds=1), NOW, "compliance", details=GOOD_DETAILS[K.DISCOVERED]
    )
    assert messages(breach_event_problems(later)) == [
        ("occurred_at", "is later than now: an event is recorded once it has happened")
    ]


def test_an_event_without_a_recorder_is_refused():
    anonymous = BreachEvent(K.DISCOVERED, DISCOVERY, NOW, " ", details=GOOD_DETAILS[K.DISCOVERED])
    assert messages(breach_event_problems(anonymous)) == [("recorded_by", "say who recorded the event")]


def test_no_facts_until_both_the_discovery_and_the_determination_are_recorded():
    assert breach_facts_from([]) is None
    assert breach_facts_from([event(K.DISCOVERED, at=DISCOVERY)]) is None
    assert breach_facts_from([event(K.DETERMINED), event(K.CUSTOMERS_AFFECTED)]) is None


def test_the_timeline_folds_into_the_engines_facts_with_the_latest_correction_counting():
    timeline = [
        event(K.DISCOVERED, at=DISCOVERY),
        event(K.DETERMINED, at=DETERMINATION),
        event(K.CUSTOMERS_AFFECTED, {"count": "3000"}),
        event(K.CUSTOMERS_AFFECTED, {"count": "420"}),
        event(K.HARM_ASSESSMENT, {"harm_reasonably_likely": "false", "analysis": "hashed data only"}),
        event(K.ENCRYPTION, {"only_encrypted": "true", "key_safe": "true", "evidence": "HSM log"}),
        event(
            K.AGENCY_NOTIFIED,
            {"agencies": "USSS, FBI", "reference": "CRF-1", "urgent_need_consulted": "true"},
        ),
        event(K.HOLD_STARTED),
        event(K.HOLD_EXTENDED),
        event(K.HOLD_RELEASED),
    ]
    assert breach_facts_from(timeline) == BreachFacts(
        determined_at=DETERMINATION,
        discovered_at=DISCOVERY,
        customers_affected=420,
        harm_reasonably_likely=False,
        only_encrypted_data_and_key_safe=True,
        urgent_need_consulted=True,
        agency_notified_at=DETERMINATION,
        holds=(
            Hold(
                "FBI",
                "FBI-1",
                date(2026, 11, 24),
                date(2026, 12, 20),
                (HoldExtension("FBI-2", date(2027, 1, 10)),),
                date(2026, 12, 28),
            ),
        ),
    )


def test_harm_stays_presumed_and_no_exception_applies_with_only_the_two_times_recorded():
    facts = breach_facts_from([event(K.DISCOVERED, at=DISCOVERY), event(K.DETERMINED)])
    assert facts == BreachFacts(determined_at=DETERMINATION, discovered_at=DISCOVERY, customers_affected=0)


def test_a_no_harm_assessment_does_not_count_before_the_number_of_customers_is_known():
    no_harm = event(K.HARM_ASSESSMENT, {"harm_reasonably_likely": "false", "analysis": "hashed data only"})
    facts = breach_facts_from([event(K.DISCOVERED, at=DISCOVERY), event(K.DETERMINED), no_harm])
    assert facts is not None
    assert facts.harm_reasonably_likely is True


def test_a_count_recorded_as_unknown_keeps_harm_presumed_like_no_count_at_all():
    no_harm = event(K.HARM_ASSESSMENT, {"harm_reasonably_likely": "false", "analysis": "hashed data only"})
    timeline = [
        event(K.DISCOVERED, at=DISCOVERY),
        event(K.DETERMINED),
        event(K.CUSTOMERS_AFFECTED, {"count": "120"}),
        no_harm,
        event(K.CUSTOMERS_AFFECTED, {"count": "unknown", "basis": "the export log was rotated"}),
    ]
    facts = breach_facts_from(timeline)

    assert facts is not None
    assert (facts.customers_affected, facts.harm_reasonably_likely) == (0, True)
    assert customers_affected(timeline) is None
    assert customers_affected(timeline[:3]) == 120


@pytest.mark.parametrize("count", ["Unknown", "-1", "", "many"])
def test_a_count_is_a_whole_number_or_the_word_unknown(count):
    found = breach_event_problems(event(K.CUSTOMERS_AFFECTED, {"count": count}))

    assert [p.location for p in found] == ["details.count"]
    assert "'unknown'" in found[0].message


def test_the_first_agency_notice_recorded_is_when_the_agency_was_notified():
    notice = {"agencies": "USSS, FBI", "reference": "CRF-1"}
    later = event(K.AGENCY_NOTIFIED, notice, at=NOW)
    earlier = event(K.AGENCY_NOTIFIED, {**notice, "reference": "CRF-0"}, at=DETERMINATION)
    facts = breach_facts_from([event(K.DISCOVERED, at=DISCOVERY), event(K.DETERMINED), later, earlier])

    assert facts is not None
    assert facts.agency_notified_at == DETERMINATION


def test_encryption_counts_only_when_the_data_was_all_encrypted_and_the_key_safe():
    partly = event(K.ENCRYPTION, {"only_encrypted": "false", "key_safe": "true", "evidence": "HSM log"})
    facts = breach_facts_from([event(K.DISCOVERED, at=DISCOVERY), event(K.DETERMINED), partly])
    assert facts is not None
    assert facts.only_encrypted_data_and_key_safe is False


def test_a_breach_record_is_kept_two_years_after_it_closes():
    closed = datetime(2024, 11, 30, 9, 0, tzinfo=UTC)
    assert BREACH_RECORD_RETENTION_YEARS == 2
    refused = breach_purge_problem(closed, closed.replace(year=2026))
    assert refused is not None
    assert "kept at least 2 years (47 CFR 64.2011(d))" in refused
    assert "may be purged after 2026-11-30T09:00:00+00:00" in refused
    assert breach_purge_problem(closed, closed.replace(year=2026) + timedelta(seconds=1)) is None


def test_an_open_breach_is_never_purged():
    refused = breach_purge_problem(None, NOW)
    assert refused is not None
    assert "still open" in refused


def test_a_breach_closed_on_february_29_is_kept_until_february_28_two_years_on():
    closed = datetime(2028, 2, 29, 12, 0, tzinfo=UTC)
    assert breach_purge_problem(closed, datetime(2030, 2, 28, 12, 0, tzinfo=UTC)) is not None
    assert breach_purge_problem(closed, datetime(2030, 2, 28, 12, 0, 1, tzinfo=UTC)) is None


def test_a_timelines_deadlines_wait_for_both_times_and_follow_the_regime_in_force():
    calendar = BusinessCalendar(frozenset({date(2026, 11, 26), date(2026, 12, 25)}), 2026, 2027)
    both = [event(K.DISCOVERED, at=DISCOVERY), event(K.DETERMINED)]

    assert timeline_deadlines(both[1:], calendar=calendar, amendments_effective_on=None) is None
    legacy = timeline_deadlines(both, calendar=calendar, amendments_effective_on=None)
    amended = timeline_deadlines(both, calendar=calendar, amendments_effective_on=date(2026, 11, 1))
    assert legacy is not None
    assert amended is not None
    assert (legacy.regime, amended.regime) == (BreachRegime.LEGACY, BreachRegime.FCC_2023)
    assert legacy.facts == breach_facts_from(both)
    assert legacy.deadlines[0].name == "agency_notice"
