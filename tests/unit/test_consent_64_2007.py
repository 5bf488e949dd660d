"""Opt-in, opt-out, revocation and one-time consent per recipient (47 CFR 64.2007, 64.2008(f); RULES.md 3).

Each answer is read both ways, as of the instant (`standing_at`) and from the stored timeline
(`consent_timeline`), and the two must agree.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cpniguard.domain.consent import (
    StandingReason,
    add_years,
    approvals_at,
    consent_timeline,
    scopes_of,
    standing_at,
    with_one_time_consent,
)
from cpniguard.domain.consent_events import (
    APPROVAL_CLASSES,
    OPT_OUT_CLASSES,
    ConsentEvent,
    ConsentEventKind,
    ConsentProof,
    ConsentScope,
    ConsentSource,
    NoticeMedium,
)
from cpniguard.domain.disclosure_request import Approval, RecipientClass

pytestmark = pytest.mark.unit

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
DAY = timedelta(days=1)
ONE_MICROSECOND = timedelta(microseconds=1)
CARRIER = ConsentScope(RecipientClass.CARRIER)
THIRD_PARTY = ConsentScope(RecipientClass.THIRD_PARTY)
ACME = ConsentScope(RecipientClass.THIRD_PARTY, "Acme Wireless")
BAYSIDE = ConsentScope(RecipientClass.THIRD_PARTY, "Bayside Media")
OPT_IN_CLASSES = sorted(APPROVAL_CLASSES - OPT_OUT_CLASSES)


def notice(at: datetime, event_id: int) -> ConsentEvent:
    return ConsentEvent(
        ConsentEventKind.NOTICE_SENT,
        at,
        at,
        "worker",
        event_id,
        notice_version="2026-01",
        notice_medium=NoticeMedium.EMAIL,
    )


def opted_in(at: datetime, event_id: int | None, *scope: ConsentScope) -> ConsentEvent:
    return ConsentEvent(
        ConsentEventKind.OPTED_IN, at, at, "portal", event_id, scope=scope, proof=ConsentProof.ELECTRONIC
    )


def opted_out(at: datetime, event_id: int | None, *scope: ConsentScope) -> ConsentEvent:
    return ConsentEvent(
        ConsentEventKind.OPTED_OUT, at, at, "portal", event_id, scope=scope, source=ConsentSource.PORTAL
    )


def revoked(at: datetime, event_id: int | None, *scope: ConsentScope) -> ConsentEvent:
    return ConsentEvent(ConsentEventKind.REVOKED, at, at, "portal", event_id, scope=scope)


def one_time(at: datetime, event_id: int, *scope: ConsentScope) -> ConsentEvent:
    return ConsentEvent(
        ConsentEventKind.ONE_TIME_CONSENT, at, at, "rep-17", event_id, scope=scope, interaction_id=9
    )


def approval(events: list[ConsentEvent], scope: ConsentScope, at: datetime) -> Approval:
    """The approval at `at`, after checking that the stored timeline says the same."""
    standing = standing_at(events, scope, at)
    stored = [s.approval for s in consent_timeline(events) if s.scope == scope and s.covers(at)]
    assert stored == ([] if standing.approval is Approval.NONE else [standing.approval])
    return standing.approval


@pytest.mark.parametrize("recipient", OPT_IN_CLASSES)
def test_notices_never_give_approval_to_a_recipient_that_needs_opt_in(recipient):
    events = [notice(T0, 1), notice(add_years(T0, 1), 2)]
    standing = standing_at(events, ConsentScope(recipient), T0 + 400 * DAY)
    assert (standing.approval, standing.reason) == (Approval.NONE, StandingReason.OPT_IN_REQUIRED)
    assert approval(events, ConsentScope(recipient), T0 + 400 * DAY) is Approval.NONE


@pytest.mark.parametrize("recipient", sorted(OPT_OUT_CLASSES))
def test_notices_give_deemed_approval_to_the_carrier_its_agents_and_communications_affiliates(recipient):
    assert approval([notice(T0, 1)], ConsentScope(recipient), T0 + 30 * DAY) is Approval.OPT_OUT_DEEMED


@pytest.mark.parametrize("recipient", OPT_IN_CLASSES)
def test_an_explicit_opt_in_gives_approval_from_its_instant(recipient):
    scope = ConsentScope(recipient)
    events = [opted_in(T0, 1, scope)]
    assert approval(events, scope, T0 - ONE_MICROSECOND) is Approval.NONE
    assert approval(events, scope, T0) is Approval.OPT_IN
    assert standing_at(events, scope, T0).reason is StandingReason.OPTED_IN


def test_an_opt_in_for_one_class_gives_nothing_to_another():
    events = [opted_in(T0, 1, THIRD_PARTY)]
    assert approval(events, ConsentScope(RecipientClass.JOINT_VENTURE_PARTNER), T0 + DAY) is Approval.NONE


def test_an_opt_out_stands_whatever_notices_follow():
    events = [
        notice(T0, 1),
        opted_out(T0 + 10 * DAY, 2),
        notice(add_years(T0, 1), 3),
        notice(add_years(T0, 3), 4),
    ]
    for at in (T0 + 31 * DAY, add_years(T0, 1) + 31 * DAY, add_years(T0, 3) + 31 * DAY):
        assert approval(events, CARRIER, at) is Approval.OPTED_OUT


def test_an_opt_out_after_deemed_approval_ends_it_at_once():
    out_at = T0 + 100 * DAY
    events = [notice(T0, 1), opted_out(out_at, 2, CARRIER)]
    assert approval(events, CARRIER, out_at - ONE_MICROSECOND) is Approval.OPT_OUT_DEEMED
    assert approval(events, CARRIER, out_at) is Approval.OPTED_OUT
    assert approval(events, ConsentScope(RecipientClass.AGENT), out_at) is Approval.OPT_OUT_DEEMED


def test_an_opt_out_without_a_scope_denies_every_recipient_and_every_named_partner():
    events = [notice(T0, 1), opted_in(T0, 2, ACME), opted_out(T0 + DAY, 3)]
    for scope in scopes_of(events):
        assert approval(events, scope, T0 + 40 * DAY) is Approval.OPTED_OUT


def test_an_opt_in_to_the_carrier_outlives_the_biennial_lapse():
    events = [notice(T0, 1), opted_in(T0 + 40 * DAY, 2, CARRIER)]
    assert approval(events, CARRIER, add_years(T0, 5)) is Approval.OPT_IN


def test_the_revocation_of_a_third_party_opt_in_applies_at_once():
    revoked_at = T0 + 90 * DAY
    events = [opted_in(T0, 1, THIRD_PARTY), revoked(revoked_at, 2, THIRD_PARTY)]
    assert approval(events, THIRD_PARTY, revoked_at - ONE_MICROSECOND) is Approval.OPT_IN
    assert approval(events, THIRD_PARTY, revoked_at) is Approval.OPTED_OUT
    standing = standing_at(events, THIRD_PARTY, add_years(T0, 4))
    assert (standing.reason, standing.since, standing.basis_event_id) == (
        StandingReason.REVOKED,
        revoked_at,
        2,
    )


def test_opt_in_then_opt_out_then_opt_in_reads_right_before_between_and_after_each():
    first, second, third = T0, T0 + 10 * DAY, T0 + 20 * DAY
    events = [
        opted_in(first, 1, THIRD_PARTY),
        opted_out(second, 2, THIRD_PARTY),
        opted_in(third, 3, THIRD_PARTY),
    ]
    expected = [
        (first - ONE_MICROSECOND, Approval.NONE),
        (first, Approval.OPT_IN),
        (second - ONE_MICROSECOND, Approval.OPT_IN),
        (second, Approval.OPTED_OUT),
        (second + 5 * DAY, Approval.OPTED_OUT),
        (third - ONE_MICROSECOND, Approval.OPTED_OUT),
        (third, Approval.OPT_IN),
        (add_years(third, 10), Approval.OPT_IN),
    ]
    assert [(at, approval(events, THIRD_PARTY, at)) for at in (at for at, _ in expected)] == expected
    assert [s.basis_event_id for s in consent_timeline(events) if s.scope == THIRD_PARTY] == [1, 2, 3]


def test_a_named_partner_opt_in_covers_that_partner_only():
    events = [opted_in(T0, 1, ACME)]
    assert approval(events, ACME, T0) is Approval.OPT_IN
    assert approval(events, THIRD_PARTY, T0) is Approval.NONE
    assert approval(events, BAYSIDE, T0) is Approval.NONE
    assert ACME in scopes_of(events)


def test_a_class_wide_revocation_ends_a_named_partner_opt_in():
    events = [opted_in(T0, 1, ACME), revoked(T0 + DAY, 2, THIRD_PARTY)]
    assert approval(events, ACME, T0 + DAY - ONE_MICROSECOND) is Approval.OPT_IN
    assert approval(events, ACME, T0 + DAY) is Approval.OPTED_OUT
    assert approval(events, THIRD_PARTY, T0 + DAY) is Approval.OPTED_OUT


def test_a_named_revocation_leaves_a_class_wide_opt_in_for_the_other_partners():
    events = [opted_in(T0, 1, THIRD_PARTY), revoked(T0 + DAY, 2, ACME)]
    assert approval(events, ACME, T0 + DAY) is Approval.OPTED_OUT
    assert approval(events, THIRD_PARTY, T0 + DAY) is Approval.OPT_IN
    assert standing_at(events, BAYSIDE, T0 + DAY).approval is Approval.OPT_IN


def test_a_named_opt_in_after_a_class_wide_revocation_restores_that_partner_only():
    events = [
        opted_in(T0, 1, THIRD_PARTY),
        revoked(T0 + DAY, 2, THIRD_PARTY),
        opted_in(T0 + 2 * DAY, 3, ACME),
    ]
    assert approval(events, ACME, T0 + 2 * DAY) is Approval.OPT_IN
    assert approval(events, THIRD_PARTY, T0 + 2 * DAY) is Approval.OPTED_OUT


@pytest.mark.parametrize("reverse", [False, True])
def test_decisions_at_one_instant_apply_in_ledger_order_whatever_order_they_are_read_in(reverse):
    events = [opted_out(T0, 7, CARRIER), opted_in(T0, 8, CARRIER)]
    read = list(reversed(events)) if reverse else events
    assert approval(read, CARRIER, T0) is Approval.OPT_IN
    assert consent_timeline(read) == consent_timeline(events)


@pytest.mark.parametrize("reverse", [False, True])
def test_unrecorded_decisions_at_one_instant_resolve_to_the_denial(reverse):
    events = [opted_in(T0, None, CARRIER), opted_out(T0, None)]
    read = list(reversed(events)) if reverse else events
    assert approval(read, CARRIER, T0) is Approval.OPTED_OUT
    assert consent_timeline(read) == consent_timeline(events)


def test_the_gate_reads_class_wide_approvals_from_the_timeline():
    events = [notice(T0, 1), opted_in(T0 + DAY, 2, ACME), opted_in(T0 + DAY, 3, THIRD_PARTY)]
    approvals = approvals_at(consent_timeline(events), T0 + 30 * DAY)
    assert approvals == {
        RecipientClass.CARRIER: Approval.OPT_OUT_DEEMED,
        RecipientClass.AGENT: Approval.OPT_OUT_DEEMED,
        RecipientClass.AFFILIATE: Approval.OPT_OUT_DEEMED,
        RecipientClass.THIRD_PARTY: Approval.OPT_IN,
    }
    assert approvals_at(consent_timeline(events), T0) == {}


def test_one_time_consent_is_never_part_of_the_standing_approval():
    with_call = [notice(T0, 1), one_time(T0 + DAY, 2, ACME, ConsentScope(RecipientClass.AGENT, "CallCo"))]
    assert consent_timeline(with_call) == consent_timeline(with_call[:1])
    assert scopes_of(with_call) == scopes_of(with_call[:1])
    assert approval(with_call, ACME, T0 + DAY) is Approval.NONE


def test_one_time_consent_covers_the_call_without_lowering_an_opt_in():
    standing = {
        RecipientClass.CARRIER: Approval.OPT_OUT_DEEMED,
        RecipientClass.THIRD_PARTY: Approval.OPT_IN,
        RecipientClass.AGENT: Approval.OPTED_OUT,
    }
    on_the_call = with_one_time_consent(
        standing, [RecipientClass.THIRD_PARTY, RecipientClass.AGENT, RecipientClass.JOINT_VENTURE_PARTNER]
    )
    assert on_the_call == {
        RecipientClass.CARRIER: Approval.OPT_OUT_DEEMED,
        RecipientClass.THIRD_PARTY: Approval.OPT_IN,
        RecipientClass.AGENT: Approval.ONE_TIME_ORAL,
        RecipientClass.JOINT_VENTURE_PARTNER: Approval.ONE_TIME_ORAL,
    }
    assert standing[RecipientClass.AGENT] is Approval.OPTED_OUT
    assert with_one_time_consent(standing, []) == standing
