"""47 U.S.C. 222: the statutory uses and limits (RULES.md sections 1.2, 2.7, 2.8)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.disclosure_builders import (
    TRAINED,
    assert_decided,
    decided,
    employee_request,
    facts,
    integration_request,
    outside_request,
    request,
)

from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.classification import DataClass
from cpniguard.domain.decisions import Outcome
from cpniguard.domain.disclosure_request import (
    ActorKind,
    Approval,
    Channel,
    DisclosureFacts,
    Purpose,
    RecipientClass,
)
from cpniguard.domain.employees import Role
from cpniguard.domain.subscriber_list import ListingStatus

P, R, D = Purpose, RecipientClass, DataClass
PERMIT, DENY = Outcome.PERMIT, Outcome.DENY
CATEGORIES = {ServiceCategory.LOCAL, ServiceCategory.WIRELESS}

# ------------------------------------------------------------------ 222(b) retention marketing


@pytest.mark.parametrize(
    ("recipient", "data", "known"),
    [
        pytest.param(
            R.CARRIER, D.CPNI, facts(approvals={R.CARRIER: Approval.OPT_IN}), id="own-use-with-opt-in"
        ),
        pytest.param(R.AGENT, D.CALL_DETAIL, facts(approvals={R.AGENT: Approval.OPT_OUT_DEEMED}), id="agent"),
        pytest.param(
            R.AFFILIATE, D.CPNI, facts(subscribed=CATEGORIES), id="affiliate-with-several-categories"
        ),
        pytest.param(R.THIRD_PARTY, D.AGGREGATE, facts(), id="aggregate-data"),
        pytest.param(
            R.NON_COMMUNICATIONS_AFFILIATE,
            D.CPNI,
            facts(approvals={R.NON_COMMUNICATIONS_AFFILIATE: Approval.OPT_IN}),
            id="non-communications-affiliate-with-opt-in",
        ),
        pytest.param(R.CARRIER, D.OPERATIONAL, facts(), id="operational-data"),
    ],
)
def test_another_carriers_change_request_never_feeds_retention_marketing(
    recipient: RecipientClass, data: DataClass, known: DisclosureFacts
) -> None:
    decision = decided(employee_request(Role.SUPERVISOR, P.RETENTION_MARKETING, recipient, data=data), known)

    assert_decided(decision, DENY, ("222(b).retention",))


# ------------------------------------------------------------------ the service, and legal process: 222(c)(1)


@pytest.mark.parametrize(
    ("purpose", "recipient", "data", "outcome", "rules"),
    [
        pytest.param(P.PROVIDE_SERVICE, R.CARRIER, D.CPNI, PERMIT, (TRAINED, "222(c)(1).provide-service"),
                     id="provide-service"),
        pytest.param(P.REPAIR, R.AGENT, D.CALL_DETAIL, PERMIT, (TRAINED, "222(c)(1).repair"),
                     id="repair-by-agent"),
        pytest.param(P.PROVIDE_SERVICE, R.THIRD_PARTY, D.CPNI, DENY,
                     ("222(c)(1).provide-service.recipient",), id="provide-service-not-to-third-party"),
        pytest.param(P.PROVIDE_SERVICE, R.CARRIER, D.CREDENTIAL, DENY,
                     ("222(c)(1).provide-service.category",), id="credentials-are-never-disclosed"),
        pytest.param(P.REPAIR, R.CARRIER, D.SUBSCRIBER_LIST, DENY, ("222(c)(1).repair.category",),
                     id="repair-covers-only-cpni"),
    ],
)  # fmt: skip
def test_cpni_serves_the_service_it_comes_from(
    purpose: Purpose, recipient: RecipientClass, data: DataClass, outcome: Outcome, rules: tuple[str, ...]
) -> None:
    decision = decided(employee_request(Role.REPRESENTATIVE, purpose, recipient, data=data))

    assert_decided(decision, outcome, rules)


NO_PROCESS = ("222(c)(1).legal-process-missing",)


@pytest.mark.parametrize(
    ("kind", "role", "actor_rule"),
    [
        pytest.param(ActorKind.EMPLOYEE, Role.COMPLIANCE_OFFICER, TRAINED, id="compliance-officer"),
        pytest.param(ActorKind.GOVERNMENT, None, "222.requester", id="government"),
    ],
)
@pytest.mark.parametrize(
    ("reference", "outcome", "rules", "conditions", "alternatives"),
    [
        pytest.param("Subpoena 2026-GJ-0117", PERMIT, ("222(c)(1).legal-process",),
                     ("only_what_legal_process_requires",), (), id="with-a-reference-permits"),
        pytest.param(None, DENY, NO_PROCESS, (), ("record_legal_process",), id="without-one-denies"),
        pytest.param("", DENY, NO_PROCESS, (), ("record_legal_process",), id="with-a-blank-one-denies"),
    ],
)  # fmt: skip
def test_legal_process_needs_a_court_order_or_subpoena_on_file(
    kind: ActorKind,
    role: Role | None,
    actor_rule: str,
    reference: str | None,
    outcome: Outcome,
    rules: tuple[str, ...],
    conditions: tuple[str, ...],
    alternatives: tuple[str, ...],
) -> None:
    asked = request(actor_kind=kind, actor_role=role, purpose=P.LEGAL_PROCESS, recipient=R.GOVERNMENT)

    decision = decided(replace(asked, data_category=D.CALL_DETAIL), facts(legal_process_reference=reference))

    expected = (actor_rule, *rules) if outcome is PERMIT else rules
    assert_decided(decision, outcome, expected, conditions, alternatives)


def test_legal_process_discloses_only_to_the_government() -> None:
    decision = decided(
        employee_request(Role.COMPLIANCE_OFFICER, P.LEGAL_PROCESS, R.THIRD_PARTY),
        facts(legal_process_reference="Order 26-114"),
    )

    assert_decided(decision, DENY, ("222(c)(1).legal-process.recipient",))


# ------------------------------------------------------------------ designated and aggregate: 222(c)(2)-(3)


@pytest.mark.parametrize(
    ("written", "outcome", "rules", "conditions", "alternatives"),
    [
        pytest.param(True, PERMIT, (TRAINED, "222(c)(2).designated"), ("only_designated_recipient",), (),
                     id="written-request-permits"),
        pytest.param(False, DENY, ("222(c)(2).no-written-request",), (), ("get_written_request",),
                     id="no-written-request-denies"),
    ],
)  # fmt: skip
@pytest.mark.parametrize(
    "recipient",
    [
        pytest.param(R.THIRD_PARTY, id="to-a-third-party"),
        pytest.param(R.JOINT_VENTURE_PARTNER, id="to-a-joint-venture-partner"),
        pytest.param(R.GOVERNMENT, id="to-a-government-body"),
        pytest.param(R.NON_COMMUNICATIONS_AFFILIATE, id="to-a-non-communications-affiliate"),
    ],
)
def test_disclosure_to_whom_the_customer_designates_needs_a_written_request(
    recipient: RecipientClass,
    written: bool,
    outcome: Outcome,
    rules: tuple[str, ...],
    conditions: tuple[str, ...],
    alternatives: tuple[str, ...],
) -> None:
    decision = decided(
        employee_request(Role.COMPLIANCE_OFFICER, P.CUSTOMER_DESIGNATED, recipient),
        facts(has_written_designation=written),
    )

    assert_decided(decision, outcome, rules, conditions, alternatives)


NOT_AGGREGATE = ("222(c)(3).aggregate.category",)


@pytest.mark.parametrize(
    ("data", "outcome", "rules", "conditions"),
    [
        pytest.param(D.AGGREGATE, PERMIT, (TRAINED, "222(c)(3).aggregate"), ("identities_removed",),
                     id="aggregate-permits"),
        pytest.param(D.CPNI, DENY, NOT_AGGREGATE, (), id="individual-cpni-denies"),
        pytest.param(D.CALL_DETAIL, DENY, NOT_AGGREGATE, (), id="call-detail-denies"),
        pytest.param(D.PERSONAL, DENY, NOT_AGGREGATE, (), id="personal-data-denies"),
    ],
)  # fmt: skip
def test_aggregate_reporting_uses_only_aggregate_data(
    data: DataClass, outcome: Outcome, rules: tuple[str, ...], conditions: tuple[str, ...]
) -> None:
    decision = decided(employee_request(Role.AUDITOR, P.AGGREGATE_REPORTING, R.THIRD_PARTY, data=data))

    assert_decided(decision, outcome, rules, conditions)


# ------------------------------------------------------------------ exceptions: 222(d)(1)-(4)

INTEGRATION = "64.2009(a).integration"


@pytest.mark.parametrize(
    ("recipient", "outcome", "rules"),
    [
        pytest.param(R.CARRIER, PERMIT, (INTEGRATION, "222(d)(1).billing"), id="carrier"),
        pytest.param(R.AGENT, PERMIT, (INTEGRATION, "222(d)(1).billing"), id="agent"),
        pytest.param(R.OTHER_CARRIER, PERMIT, (INTEGRATION, "222(d)(1).billing"), id="other-carrier"),
        pytest.param(R.THIRD_PARTY, DENY, ("222(d)(1).billing.recipient",), id="not-third-party"),
    ],
)
def test_d1_billing_and_collection(
    recipient: RecipientClass, outcome: Outcome, rules: tuple[str, ...]
) -> None:
    assert_decided(decided(integration_request(P.BILLING, recipient, data=D.CALL_DETAIL)), outcome, rules)


def test_d2_another_carrier_may_use_cpni_against_fraud() -> None:
    decision = decided(outside_request(ActorKind.OTHER_CARRIER, P.FRAUD_PROTECTION, R.OTHER_CARRIER))

    assert_decided(decision, PERMIT, ("222.requester", "64.2005(d).fraud"))
    assert "47 U.S.C. 222(d)(2)" in decision.reasons[1].citation


INBOUND, NO_CONSENT, ASK = (TRAINED, "222(d)(3).inbound"), ("222(d)(3).no-consent",), ("ask_for_approval",)


@pytest.mark.parametrize(
    ("recipient", "channel", "approval", "outcome", "rules", "conditions", "alternatives"),
    [
        pytest.param(R.CARRIER, Channel.INBOUND_CALL, Approval.ONE_TIME_ORAL, PERMIT, INBOUND,
                     ("only_for_this_call",), (), id="inbound-call-with-consent-on-the-call-permits"),
        pytest.param(R.AGENT, Channel.INBOUND_CALL, Approval.ONE_TIME_ORAL, PERMIT, INBOUND,
                     ("only_for_this_call",), (), id="agent-on-inbound-call-with-consent-permits"),
        pytest.param(R.CARRIER, Channel.OUTBOUND_CALL, Approval.ONE_TIME_ORAL, DENY, NO_CONSENT, (), ASK,
                     id="outbound-call-denies"),
        pytest.param(R.CARRIER, Channel.INBOUND_CALL, Approval.NONE, DENY, NO_CONSENT, (), ASK,
                     id="inbound-call-without-consent-denies"),
        pytest.param(R.THIRD_PARTY, Channel.INBOUND_CALL, Approval.ONE_TIME_ORAL, DENY,
                     ("222(d)(3).inbound.recipient",), (), (), id="third-party-denies"),
    ],
)  # fmt: skip
def test_d3_inbound_telemarketing_lasts_for_the_call_the_customer_started(
    recipient: RecipientClass,
    channel: Channel,
    approval: Approval,
    outcome: Outcome,
    rules: tuple[str, ...],
    conditions: tuple[str, ...],
    alternatives: tuple[str, ...],
) -> None:
    decision = decided(
        employee_request(Role.REPRESENTATIVE, P.INBOUND_TELEMARKETING, recipient, channel=channel),
        facts(approvals={R.CARRIER: approval}),
    )

    assert_decided(decision, outcome, rules, conditions, alternatives)


EMERGENCY, LOCATION_ONLY = (INTEGRATION, "222(d)(4).emergency"), ("only_call_location",)


@pytest.mark.parametrize(
    ("recipient", "data", "outcome", "rules", "conditions"),
    [
        pytest.param(R.GOVERNMENT, D.CALL_DETAIL, PERMIT, EMERGENCY, LOCATION_ONLY,
                     id="call-location-to-emergency-services"),
        pytest.param(R.THIRD_PARTY, D.CPNI, PERMIT, EMERGENCY, LOCATION_ONLY,
                     id="location-to-a-responding-third-party"),
        pytest.param(R.CARRIER, D.CALL_DETAIL, DENY, ("222(d)(4).emergency.recipient",), (),
                     id="not-for-the-carriers-own-use"),
        pytest.param(R.GOVERNMENT, D.PERSONAL, DENY, ("222(d)(4).emergency.category",), (),
                     id="not-other-personal-data"),
        pytest.param(R.NON_COMMUNICATIONS_AFFILIATE, D.CALL_DETAIL, DENY, ("222(d)(4).emergency.recipient",),
                     (), id="not-to-a-non-communications-affiliate"),
    ],
)  # fmt: skip
def test_d4_call_location_goes_only_to_emergency_services(
    recipient: RecipientClass,
    data: DataClass,
    outcome: Outcome,
    rules: tuple[str, ...],
    conditions: tuple[str, ...],
) -> None:
    decision = decided(integration_request(P.EMERGENCY_LOCATION, recipient, data=data))

    assert_decided(decision, outcome, rules, conditions)


# ------------------------------------------------------------------ directories: 222(e), 222(h)(3)

NOT_LISTED = ("222(h)(3).not-listed",)


@pytest.mark.parametrize(
    ("listing", "data", "outcome", "rules"),
    [
        pytest.param(ListingStatus.LISTED, D.SUBSCRIBER_LIST, PERMIT, (INTEGRATION, "222(e).directory"),
                     id="listed-permits"),
        pytest.param(ListingStatus.UNLISTED, D.SUBSCRIBER_LIST, DENY, NOT_LISTED, id="unlisted-denies"),
        pytest.param(ListingStatus.NON_PUBLISHED, D.SUBSCRIBER_LIST, DENY, NOT_LISTED,
                     id="non-published-denies"),
        pytest.param(ListingStatus.LISTED, D.CPNI, DENY, ("222(e).directory.category",),
                     id="cpni-is-not-a-listing"),
    ],
)  # fmt: skip
def test_h3_only_a_published_listing_goes_to_directories(
    listing: ListingStatus, data: DataClass, outcome: Outcome, rules: tuple[str, ...]
) -> None:
    asked = integration_request(P.DIRECTORY_LISTING, R.THIRD_PARTY, data=data)

    assert_decided(decided(asked, facts(listing_status=listing)), outcome, rules)


@pytest.mark.parametrize("recipient", [R.AFFILIATE, R.NON_COMMUNICATIONS_AFFILIATE])
def test_e_any_affiliate_that_publishes_directories_may_have_a_published_listing(
    recipient: RecipientClass,
) -> None:
    asked = integration_request(P.DIRECTORY_LISTING, recipient, data=D.SUBSCRIBER_LIST)

    decision = decided(asked, facts(listing_status=ListingStatus.LISTED))

    assert_decided(decision, PERMIT, (INTEGRATION, "222(e).directory"))


# ------------------------------------------------------------------ preferred carrier freeze: 64.1190

NOT_FOR_ITSELF = "222.requester-not-allowed"


@pytest.mark.parametrize(
    ("recipient", "data", "outcome", "rules", "conditions"),
    [
        pytest.param(R.OTHER_CARRIER, D.CPNI, PERMIT, ("222.requester", "64.1190.pic-freeze"),
                     ("only_freeze_status",), id="freeze-status-to-the-asking-carrier"),
        pytest.param(R.OTHER_CARRIER, D.CALL_DETAIL, DENY, ("64.1190.pic-freeze.category",), (),
                     id="never-call-detail"),
        pytest.param(R.THIRD_PARTY, D.CPNI, DENY, (NOT_FOR_ITSELF, "64.1190.pic-freeze.recipient"), (),
                     id="never-to-anyone-else"),
    ],
)  # fmt: skip
def test_a_pic_freeze_inquiry_learns_that_fact_only(
    recipient: RecipientClass,
    data: DataClass,
    outcome: Outcome,
    rules: tuple[str, ...],
    conditions: tuple[str, ...],
) -> None:
    decision = decided(outside_request(ActorKind.OTHER_CARRIER, P.PIC_FREEZE_INQUIRY, recipient, data=data))

    assert_decided(decision, outcome, rules, conditions)
