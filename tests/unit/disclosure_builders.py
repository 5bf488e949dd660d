"""Small builders for disclosure requests and facts, and readers for decisions.

Defaults describe the plainest case, so a test names only what its rule depends on: a
trained representative, current training, a decision in 2026 under the cpni-2007 rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.classification import DataClass
from cpniguard.domain.decisions import Decision, Outcome
from cpniguard.domain.disclosure import decide
from cpniguard.domain.disclosure_request import (
    ActorKind,
    Approval,
    AuthenticationMethod,
    Channel,
    Destination,
    DisclosureFacts,
    DisclosureRequest,
    Purpose,
    RecipientClass,
)
from cpniguard.domain.employees import Role, TrainingStatus

DECIDED_AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
RULES_2007 = "cpni-2007"
TRAINED = "64.2009(b).trained"
"""The actor reason of every permit asked by a trained employee."""


def request(
    *,
    actor_kind: ActorKind = ActorKind.EMPLOYEE,
    actor_role: Role | None = Role.REPRESENTATIVE,
    data: DataClass = DataClass.CPNI,
    purpose: Purpose = Purpose.PROVIDE_SERVICE,
    channel: Channel = Channel.INBOUND_CALL,
    recipient: RecipientClass = RecipientClass.CUSTOMER,
    destination: Destination | None = None,
    offering: ServiceCategory | None = None,
) -> DisclosureRequest:
    """A request; by default a representative on a customer's call about the customer's CPNI."""
    return DisclosureRequest(
        actor_kind=actor_kind,
        actor_role=actor_role,
        data_category=data,
        purpose=purpose,
        channel=channel,
        recipient=recipient,
        destination=destination,
        offering_category=offering,
    )


def employee_request(
    role: Role, purpose: Purpose, recipient: RecipientClass, **others: Any
) -> DisclosureRequest:
    """A request by an employee in `role`, for `purpose`, to `recipient`."""
    return request(actor_role=role, purpose=purpose, recipient=recipient, **others)


def outside_request(
    kind: ActorKind, purpose: Purpose, recipient: RecipientClass, **others: Any
) -> DisclosureRequest:
    """A request by someone outside the carrier (customer, other carrier, government)."""
    return request(actor_kind=kind, actor_role=None, purpose=purpose, recipient=recipient, **others)


def integration_request(purpose: Purpose, recipient: RecipientClass, **others: Any) -> DisclosureRequest:
    """A request by a billing, switching or CRM integration."""
    return request(
        actor_kind=ActorKind.INTEGRATION,
        actor_role=Role.INTEGRATION,
        purpose=purpose,
        recipient=recipient,
        **others,
    )


def facts(
    *,
    authentication: Iterable[AuthenticationMethod] = (),
    stated_unaided: bool = False,
    approvals: Mapping[RecipientClass, Approval] | None = None,
    subscribed: Iterable[ServiceCategory] = (),
    training: TrainingStatus = TrainingStatus.CURRENT,
    **others: Any,
) -> DisclosureFacts:
    """Facts at DECIDED_AT; the actor's training is current unless a test says otherwise."""
    return DisclosureFacts(
        decided_at=others.pop("decided_at", DECIDED_AT),
        authentication=frozenset(authentication),
        call_detail_stated_unaided=stated_unaided,
        approvals=dict(approvals or {}),
        subscribed_categories=frozenset(subscribed),
        actor_training=training,
        **others,
    )


def business_facts(
    *,
    business: bool = True,
    dedicated_representative: bool = True,
    cpni_contract: bool = True,
    authentication: Iterable[AuthenticationMethod] = (AuthenticationMethod.BUSINESS_CONTRACT,),
) -> DisclosureFacts:
    """Facts for a business account authenticated by its contract method (64.2010(g))."""
    return facts(
        authentication=authentication,
        is_business_account=business,
        has_dedicated_representative=dedicated_representative,
        has_cpni_contract=cpni_contract,
    )


def decided(asked: DisclosureRequest, known: DisclosureFacts | None = None) -> Decision:
    """The gate's decision on `asked`, with default facts when none are given."""
    return decide(asked, known or facts())


def rule_ids(decision: Decision) -> tuple[str, ...]:
    """The rule ids of a decision's reasons, in order."""
    return tuple(reason.rule_id for reason in decision.reasons)


def condition_codes(decision: Decision) -> tuple[str, ...]:
    """The codes of a decision's conditions, in order."""
    return tuple(condition.code for condition in decision.conditions)


def alternative_codes(decision: Decision) -> tuple[str, ...]:
    """The codes of what a deny offers instead, in order."""
    return tuple(alternative.code for alternative in decision.alternatives)


def assert_decided(
    decision: Decision,
    outcome: Outcome,
    rules: tuple[str, ...],
    conditions: tuple[str, ...] = (),
    alternatives: tuple[str, ...] = (),
) -> None:
    """Assert the outcome and exactly which rules, conditions and alternatives produced it."""
    actual = (decision.outcome, rule_ids(decision), condition_codes(decision), alternative_codes(decision))
    expected = (outcome, rules, conditions, alternatives)
    assert actual == expected, f"decided {actual}, expected {expected}"
    assert decision.rule_set == RULES_2007, decision.rule_set
