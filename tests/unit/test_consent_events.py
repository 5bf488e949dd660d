"""What may enter the consent ledger (47 CFR 64.2007(a), 64.2008(d); RULES.md 3, 4).

`event_problems` names each field that is missing or wrong, so nothing half-formed is appended.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from cpniguard.domain.consent_events import (
    APPROVAL_CLASSES,
    MAX_WAITING_PERIOD_DAYS,
    OPT_OUT_CLASSES,
    ConsentEvent,
    ConsentEventKind,
    ConsentProof,
    ConsentScope,
    ConsentSource,
    NoticeMedium,
    event_problems,
)
from cpniguard.domain.disclosure_request import RecipientClass
from cpniguard.domain.errors import FieldProblem

pytestmark = pytest.mark.unit

AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
THIRD_PARTY = ConsentScope(RecipientClass.THIRD_PARTY)
ACME = ConsentScope(RecipientClass.THIRD_PARTY, "Acme Wireless")

VALID = {
    ConsentEventKind.NOTICE_SENT: ConsentEvent(
        ConsentEventKind.NOTICE_SENT,
        AT,
        AT,
        "worker",
        notice_version="2026-01",
        notice_medium=NoticeMedium.EMAIL,
        waiting_period_days=30,
    ),
    ConsentEventKind.NOTICE_BOUNCED: ConsentEvent(
        ConsentEventKind.NOTICE_BOUNCED, AT, AT, "worker", refers_to=41
    ),
    ConsentEventKind.OPTED_OUT: ConsentEvent(
        ConsentEventKind.OPTED_OUT, AT, AT, "portal", source=ConsentSource.PORTAL
    ),
    ConsentEventKind.OPTED_IN: ConsentEvent(
        ConsentEventKind.OPTED_IN,
        AT,
        AT,
        "rep-17",
        scope=(THIRD_PARTY,),
        proof=ConsentProof.ORAL,
        recording_reference="calls/2026/11/02/0042.wav",
    ),
    ConsentEventKind.REVOKED: ConsentEvent(ConsentEventKind.REVOKED, AT, AT, "portal", scope=(ACME,)),
    ConsentEventKind.ONE_TIME_CONSENT: ConsentEvent(
        ConsentEventKind.ONE_TIME_CONSENT, AT, AT, "rep-17", scope=(THIRD_PARTY,), interaction_id=9
    ),
}


def locations(event: ConsentEvent) -> list[str]:
    return [p.location for p in event_problems(event)]


@pytest.mark.parametrize("kind", list(ConsentEventKind))
def test_a_complete_event_of_each_kind_may_enter_the_ledger(kind):
    assert event_problems(VALID[kind]) == []


@pytest.mark.parametrize(
    ("kind", "missing", "location"),
    [
        (ConsentEventKind.NOTICE_SENT, {"notice_version": None}, "notice_version"),
        (ConsentEventKind.NOTICE_SENT, {"notice_version": ""}, "notice_version"),
        (ConsentEventKind.NOTICE_SENT, {"notice_medium": None}, "notice_medium"),
        (ConsentEventKind.NOTICE_BOUNCED, {"refers_to": None}, "refers_to"),
        (ConsentEventKind.OPTED_OUT, {"source": None}, "source"),
        (ConsentEventKind.OPTED_IN, {"scope": ()}, "scope"),
        (ConsentEventKind.OPTED_IN, {"proof": None, "recording_reference": None}, "proof"),
        (ConsentEventKind.REVOKED, {"scope": ()}, "scope"),
        (ConsentEventKind.ONE_TIME_CONSENT, {"interaction_id": None}, "interaction_id"),
        (ConsentEventKind.ONE_TIME_CONSENT, {"scope": ()}, "scope"),
    ],
)
def test_each_kind_names_the_field_it_is_missing(kind, missing, location):
    assert locations(replace(VALID[kind], **missing)) == [location]


def test_a_notice_missing_everything_names_every_field():
    bare = ConsentEvent(ConsentEventKind.NOTICE_SENT, AT, AT, "worker")
    assert locations(bare) == ["notice_version", "notice_medium"]


def test_an_opt_out_without_a_scope_is_for_every_recipient_and_is_accepted():
    assert VALID[ConsentEventKind.OPTED_OUT].scope == ()
    assert event_problems(VALID[ConsentEventKind.OPTED_OUT]) == []


def test_an_oral_opt_in_without_a_recording_reference_is_refused():
    problems = event_problems(replace(VALID[ConsentEventKind.OPTED_IN], recording_reference=None))
    assert [p.location for p in problems] == ["recording_reference"]
    assert "64.2007(a)(1)" in problems[0].message


@pytest.mark.parametrize("proof", [ConsentProof.WRITTEN, ConsentProof.ELECTRONIC])
def test_a_written_or_electronic_opt_in_needs_no_recording(proof):
    assert (
        event_problems(replace(VALID[ConsentEventKind.OPTED_IN], proof=proof, recording_reference=None)) == []
    )


@pytest.mark.parametrize("days", [29, 0, -30, MAX_WAITING_PERIOD_DAYS + 1, 10**9])
def test_a_notice_stating_a_waiting_period_outside_the_rule_is_refused(days):
    problems = event_problems(replace(VALID[ConsentEventKind.NOTICE_SENT], waiting_period_days=days))
    assert [p.location for p in problems] == ["waiting_period_days"]
    assert "30" in problems[0].message


@pytest.mark.parametrize("days", [None, 30, 45, MAX_WAITING_PERIOD_DAYS])
def test_a_notice_may_state_any_period_from_30_days_that_ends_before_it_lapses(days):
    assert event_problems(replace(VALID[ConsentEventKind.NOTICE_SENT], waiting_period_days=days)) == []


@pytest.mark.parametrize("field", ["occurred_at", "recorded_at"])
def test_a_naive_time_is_refused_where_it_is(field):
    naive = replace(VALID[ConsentEventKind.OPTED_OUT], **{field: AT.replace(tzinfo=None)})
    assert event_problems(naive) == [FieldProblem(field, "must carry a UTC offset")]


def test_two_naive_times_are_both_named():
    naive = AT.replace(tzinfo=None)
    event = replace(VALID[ConsentEventKind.OPTED_OUT], occurred_at=naive, recorded_at=naive)
    assert locations(event) == ["occurred_at", "recorded_at"]


def test_an_event_cannot_be_recorded_before_it_happened():
    early = replace(VALID[ConsentEventKind.OPTED_OUT], recorded_at=AT - timedelta(microseconds=1))
    problems = event_problems(early)
    assert [p.location for p in problems] == ["occurred_at"]
    assert "before it happens" in problems[0].message


def test_an_event_recorded_the_instant_it_happened_or_later_is_accepted():
    late = replace(VALID[ConsentEventKind.OPTED_OUT], recorded_at=AT + timedelta(days=7))
    assert event_problems(late) == []


def test_times_with_any_utc_offset_are_compared_as_instants():
    eastern = timezone(timedelta(hours=-5))
    event = replace(VALID[ConsentEventKind.OPTED_OUT], recorded_at=AT.astimezone(eastern))
    assert event_problems(event) == []


@pytest.mark.parametrize(
    "recipient", [RecipientClass.CUSTOMER, RecipientClass.GOVERNMENT, RecipientClass.OTHER_CARRIER]
)
@pytest.mark.parametrize(
    "kind", [ConsentEventKind.OPTED_IN, ConsentEventKind.REVOKED, ConsentEventKind.OPTED_OUT]
)
def test_a_scope_that_cannot_be_given_or_denied_approval_is_refused(recipient, kind):
    event = replace(VALID[kind], scope=(THIRD_PARTY, ConsentScope(recipient, "Someone")))
    problems = event_problems(event)
    assert [p.location for p in problems] == ["scope"]
    assert str(recipient) in problems[0].message


def test_the_approvable_classes_are_the_opt_out_ones_and_those_needing_opt_in():
    assert (
        frozenset({RecipientClass.CARRIER, RecipientClass.AGENT, RecipientClass.AFFILIATE}) == OPT_OUT_CLASSES
    )
    assert {
        RecipientClass.JOINT_VENTURE_PARTNER,
        RecipientClass.INDEPENDENT_CONTRACTOR,
        RecipientClass.THIRD_PARTY,
        RecipientClass.NON_COMMUNICATIONS_AFFILIATE,
    } == APPROVAL_CLASSES - OPT_OUT_CLASSES


@pytest.mark.parametrize("partner", ["x" * 201, " Acme", "Acme ", " "])
def test_a_partner_name_that_is_too_long_or_padded_is_refused(partner):
    event = replace(
        VALID[ConsentEventKind.OPTED_IN], scope=(ConsentScope(RecipientClass.THIRD_PARTY, partner),)
    )
    assert locations(event) == ["scope"]


@pytest.mark.parametrize(
    ("field", "limit"),
    [("recorded_by", 200), ("notice_version", 64), ("recording_reference", 500), ("reference", 128)],
)
def test_text_longer_than_the_ledger_keeps_is_refused_not_cut(field, limit):
    notice = replace(VALID[ConsentEventKind.NOTICE_SENT], recording_reference="r", reference="k")
    assert event_problems(replace(notice, **{field: "x" * limit})) == []
    assert locations(replace(notice, **{field: "x" * (limit + 1)})) == [field]


@pytest.mark.parametrize("recorded_by", ["", "   "])
def test_an_event_says_who_recorded_it(recorded_by):
    assert locations(replace(VALID[ConsentEventKind.REVOKED], recorded_by=recorded_by)) == ["recorded_by"]


def test_every_problem_of_a_bad_event_is_reported_at_once():
    event = ConsentEvent(
        ConsentEventKind.OPTED_IN,
        AT + timedelta(hours=1),
        AT,
        "",
        scope=(ConsentScope(RecipientClass.GOVERNMENT),),
        proof=ConsentProof.ORAL,
    )
    assert sorted(locations(event)) == ["occurred_at", "recorded_by", "recording_reference", "scope"]


@pytest.mark.parametrize(
    ("decision", "scope", "applies"),
    [
        (ConsentEvent(ConsentEventKind.OPTED_OUT, AT, AT, "p", scope=()), ACME, True),
        (ConsentEvent(ConsentEventKind.REVOKED, AT, AT, "p", scope=()), ACME, False),
        (ConsentEvent(ConsentEventKind.REVOKED, AT, AT, "p", scope=(THIRD_PARTY,)), ACME, True),
        (ConsentEvent(ConsentEventKind.OPTED_IN, AT, AT, "p", scope=(ACME,)), THIRD_PARTY, False),
        (
            ConsentEvent(ConsentEventKind.OPTED_IN, AT, AT, "p", scope=(ACME,)),
            ConsentScope(RecipientClass.THIRD_PARTY, "Bayside Media"),
            False,
        ),
        (
            ConsentEvent(ConsentEventKind.OPTED_IN, AT, AT, "p", scope=(THIRD_PARTY,)),
            ConsentScope(RecipientClass.JOINT_VENTURE_PARTNER),
            False,
        ),
    ],
)
def test_a_class_wide_decision_covers_its_named_partners_and_a_named_one_only_itself(
    decision, scope, applies
):
    assert decision.applies_to(scope) is applies


def test_a_scope_reads_as_its_class_or_its_class_and_partner():
    assert str(THIRD_PARTY) == "third_party"
    assert str(ACME) == "third_party:Acme Wireless"
