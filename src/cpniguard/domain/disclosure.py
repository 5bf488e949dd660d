"""The disclosure decision: may this CPNI be used or disclosed, and how (DESIGN.md invariants 1-3)?

`decide(request, facts)` is pure and deterministic. A request is permitted only when every
check of the rule set in force allows it: the actor (64.2009(b)), the purpose with its
recipients, data classes and approvals (222, 64.2005, 64.2007), and the channel's
safeguards when the customer is the recipient (64.2010). Anything unknown is denied with a
reason (deny by default). The rule set is chosen by the decision's time, so a rule change
with an effective date (such as the 2023 breach amendments) applies from that date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.actors import actor_verdict
from cpniguard.domain.channels import channel_verdict
from cpniguard.domain.classification import DataClass
from cpniguard.domain.decisions import Decision, Outcome, Reason, Verdict, combine
from cpniguard.domain.disclosure_request import (
    ActorKind,
    Channel,
    Destination,
    DisclosureFacts,
    DisclosureRequest,
    Purpose,
    RecipientClass,
)
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import FieldProblem
from cpniguard.domain.purposes import purpose_verdict

Check = Callable[[DisclosureRequest, DisclosureFacts], Verdict]


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A version of the rules, in force from `effective_from` until the next one."""

    version: str
    effective_from: datetime
    checks: tuple[Check, ...]


CHECKS: tuple[Check, ...] = (actor_verdict, purpose_verdict, channel_verdict)
RULE_SETS: tuple[RuleSet, ...] = (RuleSet("cpni-2007", datetime(2007, 12, 8, tzinfo=UTC), CHECKS),)
"""Oldest first. cpni-2007: 64.2001-64.2010 as amended by the 2007 EPIC CPNI Order (FCC 07-22),
whose authentication rules took effect 8 December 2007."""

NO_RULE_SET = Reason(
    "deny-by-default.no-rule-set",
    "47 U.S.C. 222(c)(1)",
    "No version of the rules was in force at that time, so nothing may be disclosed.",
)

FIELD_VOCABULARIES: Mapping[str, type[StrEnum]] = {
    "actor_kind": ActorKind,
    "actor_role": Role,
    "data_category": DataClass,
    "purpose": Purpose,
    "channel": Channel,
    "recipient": RecipientClass,
    "destination": Destination,
    "offering_category": ServiceCategory,
}
"""Each request field and the fixed list its value must come from."""
KNOWN_VALUES: Mapping[str, frozenset[str]] = {
    name: frozenset(vocabulary) for name, vocabulary in FIELD_VOCABULARIES.items()
}
OPTIONAL_FIELDS = frozenset({"actor_role", "destination", "offering_category"})


@dataclass(frozen=True, slots=True)
class Permit:
    """Proof that the gate permitted reading one account's data of one class for one purpose.

    Only the gate (services/disclosure.py) builds one, after logging the decision; every
    function that returns CPNI takes one (DESIGN.md invariant 1).
    """

    account_id: int
    data_category: DataClass
    purpose: Purpose
    access_log_sequence: int
    stated_call_number: str | None = None
    """When the permit rests on call detail the customer stated unaided (64.2010(b)), the
    only number whose calls it covers."""


def rule_set_in_force(at: datetime, rule_sets: tuple[RuleSet, ...] = RULE_SETS) -> RuleSet | None:
    """The latest rule set whose effective date is not after `at` (rule sets are oldest first)."""
    for rule_set in reversed(rule_sets):
        if rule_set.effective_from <= at:
            return rule_set
    return None


def unknown_value_reason(field: str, value: object) -> Reason:
    """The deny reason for a value outside the field's fixed list (DESIGN.md invariant 3)."""
    shown = str(value)[:60]
    return Reason(
        f"deny-by-default.{field}",
        "47 U.S.C. 222(c)(1)",
        f"The {field.replace('_', ' ')} {shown!r} is not one cpniguard knows, so it is denied.",
    )


ACTOR_KINDS, PURPOSES, CHANNELS = frozenset(ActorKind), frozenset(Purpose), frozenset(Channel)
RECIPIENTS, DATA_CLASSES = frozenset(RecipientClass), frozenset(DataClass)
ROLES = frozenset({*Role, None})


def _has_only_members(request: DisclosureRequest) -> bool:
    """The common case, checked in one expression because every decision pays for it.

    Members, not equal text: the checks compare with `is`, so plain text that spells a
    known value is converted first (or it would slip past them).
    """
    return (
        type(request.purpose) is Purpose
        and type(request.channel) is Channel
        and type(request.recipient) is RecipientClass
        and type(request.data_category) is DataClass
        and type(request.actor_kind) is ActorKind
        and (request.actor_role is None or type(request.actor_role) is Role)
        and (request.destination is None or type(request.destination) is Destination)
        and (request.offering_category is None or type(request.offering_category) is ServiceCategory)
    )


def _as_members(request: DisclosureRequest) -> DisclosureRequest:
    """The request with every value as its enum member (values known to be known)."""
    members = {
        name: None if getattr(request, name) is None else vocabulary(getattr(request, name))
        for name, vocabulary in FIELD_VOCABULARIES.items()
    }
    return replace(request, **members)  # type: ignore[arg-type]


def _unknown_values(request: DisclosureRequest) -> tuple[Reason, ...]:
    reasons = []
    for field, known in KNOWN_VALUES.items():
        value = getattr(request, field)
        if value is None and field in OPTIONAL_FIELDS:
            continue
        if value not in known:
            reasons.append(unknown_value_reason(field, value))
    return tuple(reasons)


def deny(reasons: tuple[Reason, ...], rule_set: str) -> Decision:
    """A deny for `reasons`, with nothing to offer instead."""
    return Decision(Outcome.DENY, reasons, (), (), rule_set)


def decide(
    request: DisclosureRequest, facts: DisclosureFacts, rule_sets: tuple[RuleSet, ...] = RULE_SETS
) -> Decision:
    """Decide one use or disclosure of CPNI (47 U.S.C. 222; 47 CFR 64.2005-64.2010).

    Deny by default: unknown values, a time before any rule set, or any refusing check.
    """
    rule_set = rule_set_in_force(facts.decided_at, rule_sets)
    if rule_set is None:
        return deny((NO_RULE_SET,), "none")
    if not _has_only_members(request):
        unknown = _unknown_values(request)
        if unknown:
            return deny(unknown, rule_set.version)
        request = _as_members(request)
    # A list, not a generator: about 70 ns less on every decision (bench/decisions.py).
    return combine(tuple([check(request, facts) for check in rule_set.checks]), rule_set.version)


def request_from_values(
    values: Mapping[str, str | None],
) -> tuple[DisclosureRequest | None, list[FieldProblem]]:
    """Build a request from text fields (HTTP, CLI), naming every field that is missing or unknown."""
    problems: list[FieldProblem] = []
    parsed: dict[str, StrEnum | None] = {}
    for field, vocabulary in FIELD_VOCABULARIES.items():
        raw = values.get(field)
        if raw is None and field in OPTIONAL_FIELDS:
            parsed[field] = None
        elif raw is None or raw not in KNOWN_VALUES[field]:
            problems.append(_field_problem(field, raw, vocabulary))
        else:
            parsed[field] = vocabulary(raw)
    if problems:
        return None, problems
    return DisclosureRequest(**parsed), []  # type: ignore[arg-type]


def _field_problem(field: str, raw: str | None, vocabulary: type[StrEnum]) -> FieldProblem:
    if raw is None:
        return FieldProblem(field, f"{field} is required; one of: {', '.join(vocabulary)}")
    return FieldProblem(field, f"{str(raw)[:60]!r} is not a known {field}; one of: {', '.join(vocabulary)}")
