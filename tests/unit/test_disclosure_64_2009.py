"""47 CFR 64.2009: who may use CPNI, for what, and only with current training (RULES.md section 5)."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import pytest
from tests.unit.disclosure_builders import (
    DECIDED_AT,
    TRAINED,
    assert_decided,
    decided,
    employee_request,
    facts,
    integration_request,
    outside_request,
    request,
)

from cpniguard.domain.actors import actor_verdict
from cpniguard.domain.decisions import Outcome, Verdict
from cpniguard.domain.disclosure_request import ActorKind, Purpose, RecipientClass
from cpniguard.domain.employees import Role, TrainingRecord, TrainingStatus, training_status

P, R = Purpose, RecipientClass
REPRESENTATIVE = {
    P.PROVIDE_SERVICE,
    P.REPAIR,
    P.BILLING,
    P.INSIDE_WIRING,
    P.CUSTOMER_DESIGNATED,
    P.INBOUND_TELEMARKETING,
    P.PIC_FREEZE_INQUIRY,
    P.MARKETING_WITHIN_SUBSCRIBED,
    P.MARKETING_COMMUNICATIONS_RELATED,
}
MARKETING = {
    P.MARKETING_WITHIN_SUBSCRIBED,
    P.MARKETING_COMMUNICATIONS_RELATED,
    P.MARKETING_BY_PARTNERS,
    P.AFFILIATE_SHARING,
    P.CPE_AND_INFORMATION_SERVICES,
    P.ADJUNCT_TO_BASIC_MARKETING,
    P.RETENTION_MARKETING,
    P.AGGREGATE_REPORTING,
    P.CMRS_HEALTH_RESEARCH,
}
EMPLOYEE_PURPOSES: dict[Role, set[Purpose]] = {
    Role.REPRESENTATIVE: REPRESENTATIVE,
    Role.MARKETING_ANALYST: MARKETING,
    Role.SUPERVISOR: REPRESENTATIVE | MARKETING | {P.FRAUD_PROTECTION},
    Role.COMPLIANCE_OFFICER: {
        P.LEGAL_PROCESS,
        P.FRAUD_PROTECTION,
        P.CUSTOMER_DESIGNATED,
        P.AGGREGATE_REPORTING,
    },
    Role.AUDITOR: {P.AGGREGATE_REPORTING},
    Role.ADMINISTRATOR: set(),
}
"""What each employee role may ask for, written out here so the matrix is checked, not copied."""
INTEGRATION_PURPOSES = {
    P.PROVIDE_SERVICE,
    P.REPAIR,
    P.BILLING,
    P.INSIDE_WIRING,
    P.FRAUD_PROTECTION,
    P.EMERGENCY_LOCATION,
    P.DIRECTORY_LISTING,
    P.PIC_FREEZE_INQUIRY,
}


def ids_of(verdict: Verdict) -> tuple[str, ...]:
    return tuple(reason.rule_id for reason in verdict.reasons)


def readable(value: str) -> str:
    return value.replace("_", "-")


ROLE_MATRIX = [
    pytest.param(
        role,
        purpose,
        purpose in allowed,
        id=f"{readable(role)}-{'may' if purpose in allowed else 'may-not'}-ask-{readable(purpose)}",
    )
    for role, allowed in EMPLOYEE_PURPOSES.items()
    for purpose in Purpose
]


@pytest.mark.parametrize(("role", "purpose", "allowed"), ROLE_MATRIX)
def test_a_trained_employee_may_ask_only_for_the_purposes_of_the_role(
    role: Role, purpose: Purpose, allowed: bool
) -> None:
    verdict = actor_verdict(employee_request(role, purpose, R.CARRIER), facts())

    assert verdict.allows is allowed
    assert ids_of(verdict) == (("64.2009(b).trained",) if allowed else ("64.2009(b).role",))


@pytest.mark.parametrize(
    ("purpose", "allowed"),
    [pytest.param(purpose, purpose in INTEGRATION_PURPOSES, id=readable(purpose)) for purpose in Purpose],
)
def test_an_integration_may_ask_only_for_operational_purposes(purpose: Purpose, allowed: bool) -> None:
    verdict = actor_verdict(
        integration_request(purpose, R.CARRIER), facts(training=TrainingStatus.NOT_REQUIRED)
    )

    assert verdict.allows is allowed
    assert ids_of(verdict) == (("64.2009(a).integration",) if allowed else ("64.2009(b).role",))


@pytest.mark.parametrize(
    ("training", "outcome", "rules"),
    [
        pytest.param(
            TrainingStatus.CURRENT, Outcome.PERMIT, (TRAINED, "222(c)(1).provide-service"), id="current"
        ),
        pytest.param(TrainingStatus.EXPIRED, Outcome.DENY, ("64.2009(b).training-expired",), id="expired"),
        pytest.param(TrainingStatus.MISSING, Outcome.DENY, ("64.2009(b).training-missing",), id="missing"),
        pytest.param(
            TrainingStatus.NOT_REQUIRED,
            Outcome.DENY,
            ("64.2009(b).training-missing",),
            id="not-required-for-a-person",
        ),
    ],
)
@pytest.mark.parametrize("role", [Role.REPRESENTATIVE, Role.SUPERVISOR])
def test_an_employee_uses_cpni_only_with_current_training(
    role: Role, training: TrainingStatus, outcome: Outcome, rules: tuple[str, ...]
) -> None:
    decision = decided(employee_request(role, P.PROVIDE_SERVICE, R.CARRIER), facts(training=training))

    assert_decided(decision, outcome, rules)


def test_the_role_is_checked_before_the_training() -> None:
    decision = decided(
        employee_request(Role.AUDITOR, P.PROVIDE_SERVICE, R.CARRIER), facts(training=TrainingStatus.EXPIRED)
    )

    assert_decided(decision, Outcome.DENY, ("64.2009(b).role",))


def test_an_integration_needs_no_training_record() -> None:
    decision = decided(integration_request(P.BILLING, R.CARRIER), facts(training=TrainingStatus.MISSING))

    assert_decided(decision, Outcome.PERMIT, ("64.2009(a).integration", "222(d)(1).billing"))


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        pytest.param(ActorKind.EMPLOYEE, None, id="employee-without-a-role"),
        pytest.param(ActorKind.EMPLOYEE, Role.INTEGRATION, id="employee-with-the-integration-role"),
        pytest.param(ActorKind.INTEGRATION, Role.REPRESENTATIVE, id="integration-with-a-person-role"),
        pytest.param(ActorKind.INTEGRATION, None, id="integration-without-a-role"),
    ],
)
def test_an_actor_whose_role_does_not_fit_its_kind_is_denied_by_default(
    kind: ActorKind, role: Role | None
) -> None:
    decision = decided(request(actor_kind=kind, actor_role=role, recipient=R.CARRIER))

    assert_decided(decision, Outcome.DENY, ("deny-by-default.actor",))


@pytest.mark.parametrize(
    ("kind", "purpose", "recipient", "allowed"),
    [
        pytest.param(ActorKind.CUSTOMER, P.BILLING, R.CUSTOMER, True, id="customer-own-bills"),
        pytest.param(ActorKind.CUSTOMER, P.PROVIDE_SERVICE, R.CUSTOMER, True, id="customer-own-service"),
        pytest.param(ActorKind.CUSTOMER, P.REPAIR, R.CUSTOMER, True, id="customer-own-repair"),
        pytest.param(ActorKind.CUSTOMER, P.BILLING, R.THIRD_PARTY, False, id="customer-not-for-someone-else"),
        pytest.param(
            ActorKind.CUSTOMER, P.MARKETING_BY_PARTNERS, R.CUSTOMER, False, id="customer-not-marketing"
        ),
        pytest.param(
            ActorKind.OTHER_CARRIER, P.PIC_FREEZE_INQUIRY, R.OTHER_CARRIER, True, id="carrier-freeze"
        ),
        pytest.param(ActorKind.OTHER_CARRIER, P.BILLING, R.OTHER_CARRIER, True, id="carrier-billing"),
        pytest.param(ActorKind.OTHER_CARRIER, P.FRAUD_PROTECTION, R.OTHER_CARRIER, True, id="carrier-fraud"),
        pytest.param(
            ActorKind.OTHER_CARRIER, P.PROVIDE_SERVICE, R.OTHER_CARRIER, False, id="carrier-not-service"
        ),
        pytest.param(
            ActorKind.OTHER_CARRIER, P.PIC_FREEZE_INQUIRY, R.THIRD_PARTY, False, id="carrier-for-itself"
        ),
        pytest.param(
            ActorKind.GOVERNMENT, P.LEGAL_PROCESS, R.GOVERNMENT, True, id="government-legal-process"
        ),
        pytest.param(
            ActorKind.GOVERNMENT, P.EMERGENCY_LOCATION, R.GOVERNMENT, True, id="government-emergency"
        ),
        pytest.param(ActorKind.GOVERNMENT, P.BILLING, R.GOVERNMENT, False, id="government-not-billing"),
        pytest.param(ActorKind.GOVERNMENT, P.LEGAL_PROCESS, R.THIRD_PARTY, False, id="government-for-itself"),
    ],
)
def test_an_outside_requester_asks_only_its_statutory_purposes_for_itself(
    kind: ActorKind, purpose: Purpose, recipient: RecipientClass, allowed: bool
) -> None:
    verdict = actor_verdict(
        outside_request(kind, purpose, recipient), facts(training=TrainingStatus.NOT_REQUIRED)
    )

    assert verdict.allows is allowed
    assert ids_of(verdict) == (("222.requester",) if allowed else ("222.requester-not-allowed",))


def test_an_unknown_kind_of_actor_is_refused_by_default() -> None:
    verdict = actor_verdict(request(actor_kind=cast("ActorKind", "contractor"), actor_role=None), facts())

    assert (verdict.allows, ids_of(verdict)) == (False, ("deny-by-default.actor",))


def test_an_unknown_training_status_is_refused_by_default() -> None:
    verdict = actor_verdict(request(), facts(training=cast("TrainingStatus", "pending")))

    assert (verdict.allows, ids_of(verdict)) == (False, ("deny-by-default.actor",))


# ------------------------------------------------------------------ training_status

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


def trained(completed: timedelta, expires: timedelta) -> TrainingRecord:
    """A training completed and expiring at offsets from DECIDED_AT."""
    return TrainingRecord(completed_at=DECIDED_AT + completed, expires_at=DECIDED_AT + expires)


@pytest.mark.parametrize(
    ("records", "status"),
    [
        pytest.param([], TrainingStatus.MISSING, id="no-training-is-missing"),
        pytest.param(
            [trained(-30 * DAY, 335 * DAY)], TrainingStatus.CURRENT, id="unexpired-training-is-current"
        ),
        pytest.param(
            [trained(0 * DAY, 365 * DAY)], TrainingStatus.CURRENT, id="completed-this-instant-is-current"
        ),
        pytest.param(
            [trained(-365 * DAY, SECOND)], TrainingStatus.CURRENT, id="one-second-before-expiry-is-current"
        ),
        pytest.param(
            [trained(-365 * DAY, 0 * DAY)], TrainingStatus.EXPIRED, id="at-the-expiry-instant-is-expired"
        ),
        pytest.param(
            [trained(-400 * DAY, -35 * DAY)], TrainingStatus.EXPIRED, id="lapsed-training-is-expired"
        ),
        pytest.param(
            [trained(DAY, 366 * DAY)], TrainingStatus.MISSING, id="training-not-yet-completed-is-missing"
        ),
        pytest.param(
            [trained(-800 * DAY, -435 * DAY), trained(-10 * DAY, 355 * DAY)],
            TrainingStatus.CURRENT,
            id="a-renewal-makes-training-current",
        ),
        pytest.param(
            [trained(-400 * DAY, -35 * DAY), trained(DAY, 366 * DAY)],
            TrainingStatus.EXPIRED,
            id="a-future-renewal-leaves-training-expired",
        ),
    ],
)
def test_training_status_follows_completion_and_expiry_at_the_decision_time(
    records: list[TrainingRecord], status: TrainingStatus
) -> None:
    assert training_status(records, DECIDED_AT) is status
