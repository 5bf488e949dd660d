"""Who may ask for which purpose (47 CFR 64.2009(b); DESIGN.md 'Who uses it').

An employee's role must be allowed the purpose, and an employee whose CPNI training is
missing or expired is denied (64.2009(b)). Integrations ask only for operational
purposes; the customer only about their own account; another carrier and a government
body only for the purposes the statute gives them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from cpniguard.domain.decisions import Reason, Verdict, allow, refuse
from cpniguard.domain.disclosure_request import (
    ActorKind,
    DisclosureFacts,
    DisclosureRequest,
    Purpose,
    RecipientClass,
)
from cpniguard.domain.employees import Role, TrainingStatus

P = Purpose
SERVICE_PURPOSES = frozenset({P.PROVIDE_SERVICE, P.REPAIR, P.BILLING, P.INSIDE_WIRING})
MARKETING_PURPOSES = frozenset(
    {
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
)
REPRESENTATIVE_PURPOSES = SERVICE_PURPOSES | {
    P.CUSTOMER_DESIGNATED,
    P.INBOUND_TELEMARKETING,
    P.PIC_FREEZE_INQUIRY,
    P.MARKETING_WITHIN_SUBSCRIBED,
    P.MARKETING_COMMUNICATIONS_RELATED,
}

ROLE_PURPOSES: Mapping[Role, frozenset[Purpose]] = MappingProxyType(
    {
        Role.REPRESENTATIVE: REPRESENTATIVE_PURPOSES,
        Role.MARKETING_ANALYST: MARKETING_PURPOSES,
        Role.SUPERVISOR: REPRESENTATIVE_PURPOSES | MARKETING_PURPOSES | {P.FRAUD_PROTECTION},
        Role.COMPLIANCE_OFFICER: frozenset(
            {P.LEGAL_PROCESS, P.FRAUD_PROTECTION, P.CUSTOMER_DESIGNATED, P.AGGREGATE_REPORTING}
        ),
        Role.AUDITOR: frozenset({P.AGGREGATE_REPORTING}),
        Role.ADMINISTRATOR: frozenset(),
        Role.INTEGRATION: SERVICE_PURPOSES
        | {P.FRAUD_PROTECTION, P.EMERGENCY_LOCATION, P.DIRECTORY_LISTING, P.PIC_FREEZE_INQUIRY},
    }
)
"""Purposes each role may ask for; administrators run the system and read no CPNI."""

OUTSIDE_ACTORS: Mapping[ActorKind, tuple[frozenset[Purpose], RecipientClass]] = MappingProxyType(
    {
        ActorKind.CUSTOMER: (frozenset({P.PROVIDE_SERVICE, P.BILLING, P.REPAIR}), RecipientClass.CUSTOMER),
        ActorKind.OTHER_CARRIER: (
            frozenset({P.PIC_FREEZE_INQUIRY, P.BILLING, P.FRAUD_PROTECTION}),
            RecipientClass.OTHER_CARRIER,
        ),
        ActorKind.GOVERNMENT: (frozenset({P.LEGAL_PROCESS, P.EMERGENCY_LOCATION}), RecipientClass.GOVERNMENT),
    }
)
"""Actors outside the carrier: the purposes they may ask for, and the only recipient they can be."""

TRAINED = Reason(
    "64.2009(b).trained",
    "47 CFR 64.2009(b)",
    "The employee's CPNI training is current and the role allows this purpose.",
)
TRAINING_EXPIRED = Reason(
    "64.2009(b).training-expired",
    "47 CFR 64.2009(b)",
    "The employee's CPNI training has expired; it must be renewed before any use of CPNI.",
)
TRAINING_MISSING = Reason(
    "64.2009(b).training-missing",
    "47 CFR 64.2009(b)",
    "The employee has no completed CPNI training on record, so may not use CPNI.",
)
ROLE_NOT_ALLOWED = Reason(
    "64.2009(b).role",
    "47 CFR 64.2009(b)",
    "This role is not allowed to use CPNI for this purpose.",
)
INTEGRATION_ALLOWED = Reason(
    "64.2009(a).integration",
    "47 CFR 64.2009(a)",
    "This integration is allowed to ask for this operational purpose.",
)
OUTSIDE_ALLOWED = Reason(
    "222.requester",
    "47 U.S.C. 222(c)-(d)",
    "This requester may ask for this purpose, for itself only.",
)
OUTSIDE_NOT_ALLOWED = Reason(
    "222.requester-not-allowed",
    "47 U.S.C. 222(c)(1)",
    "This requester may not ask for this purpose, or for data to go to someone else.",
)
UNKNOWN_ACTOR = Reason(
    "deny-by-default.actor",
    "47 U.S.C. 222(c)(1)",
    "The requester or its role is not one cpniguard knows, so nothing may be disclosed.",
)

ALLOW_TRAINED = allow(TRAINED)
ALLOW_INTEGRATION = allow(INTEGRATION_ALLOWED)
ALLOW_OUTSIDE = allow(OUTSIDE_ALLOWED)
REFUSE_ROLE = refuse(ROLE_NOT_ALLOWED)
REFUSE_OUTSIDE = refuse(OUTSIDE_NOT_ALLOWED)
REFUSE_UNKNOWN = refuse(UNKNOWN_ACTOR)
TRAINING_REFUSALS = {
    TrainingStatus.EXPIRED: refuse(TRAINING_EXPIRED),
    TrainingStatus.MISSING: refuse(TRAINING_MISSING),
    TrainingStatus.NOT_REQUIRED: refuse(TRAINING_MISSING),
}


def _employee(request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    purposes = ROLE_PURPOSES.get(request.actor_role)  # type: ignore[arg-type]
    if purposes is None or request.actor_role is Role.INTEGRATION:
        return REFUSE_UNKNOWN
    if request.purpose not in purposes:
        return REFUSE_ROLE
    if facts.actor_training is TrainingStatus.CURRENT:
        return ALLOW_TRAINED
    return TRAINING_REFUSALS.get(facts.actor_training, REFUSE_UNKNOWN)


def _integration(request: DisclosureRequest, _facts: DisclosureFacts) -> Verdict:
    if request.actor_role is not Role.INTEGRATION:
        return REFUSE_UNKNOWN
    if request.purpose in ROLE_PURPOSES[Role.INTEGRATION]:
        return ALLOW_INTEGRATION
    return REFUSE_ROLE


def actor_verdict(request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """Whether this actor may ask for this purpose (64.2009(b) for employees)."""
    kind = request.actor_kind
    if kind is ActorKind.EMPLOYEE:
        return _employee(request, facts)
    if kind is ActorKind.INTEGRATION:
        return _integration(request, facts)
    allowed = OUTSIDE_ACTORS.get(kind)
    if allowed is None:
        return REFUSE_UNKNOWN
    purposes, recipient = allowed
    if request.purpose in purposes and request.recipient is recipient:
        return ALLOW_OUTSIDE
    return REFUSE_OUTSIDE


def actor_kind_of(role: Role) -> ActorKind:
    """Who a bearer of `role` is: an integration (a system, not trained) or an employee (64.2009(b))."""
    return ActorKind.INTEGRATION if role is Role.INTEGRATION else ActorKind.EMPLOYEE
