"""The CPNI gate in Cedar (bench/policies/cpni.cedar), decided by cedarpy.

The policy set and the entities are parsed once, into cedarpy's `PolicySet` and `Entities`
handles, and reused for every decision. The policies are validated against the schema
(bench/policies/cpni.cedarschema) when loaded, because Cedar skips a policy whose evaluation
fails: a misspelt attribute in a `forbid` would otherwise silently stop forbidding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cedarpy

from cpniguard.domain.classification import DataClass
from cpniguard.domain.disclosure_request import ActorKind, DisclosureFacts, DisclosureRequest
from cpniguard.domain.employees import Role
from request_attributes import request_attributes, text

POLICIES = Path(__file__).parent / "policies"
POLICY_TEXT = (POLICIES / "cpni.cedar").read_text(encoding="utf-8")
SCHEMA_TEXT = (POLICIES / "cpni.cedarschema").read_text(encoding="utf-8")

PRINCIPAL_TYPES = {
    ActorKind.EMPLOYEE: "Employee",
    ActorKind.INTEGRATION: "Integration",
    ActorKind.CUSTOMER: "Customer",
    ActorKind.OTHER_CARRIER: "OtherCarrier",
    ActorKind.GOVERNMENT: "Government",
}
"""The Cedar entity type of each kind of requester. A kind outside this list becomes an
`Unknown` entity, which no policy names: deriving a type from the text instead would let the
kind "role" pose as a `Role`."""
NO_ROLE = "none"
CPNI_DATA = frozenset({DataClass.CALL_DETAIL, DataClass.CPNI, DataClass.ACCOUNT_INFORMATION})
"""`DataGroup::"cpni_data"`: CPNI and the account information that travels with it (64.2003)."""


def uid(entity_type: str, entity_id: str) -> dict[str, str]:
    """A Cedar entity reference in JSON form."""
    return {"type": entity_type, "id": entity_id}


def _requester(kind: ActorKind, role: Role | None) -> dict[str, Any]:
    parents = [uid("Requesters", kind)]
    if kind is ActorKind.EMPLOYEE and role is not None:
        parents.append(uid("Role", role))
    return {"uid": uid(PRINCIPAL_TYPES[kind], text(role) or NO_ROLE), "attrs": {}, "parents": parents}


def directory() -> list[dict[str, Any]]:
    """The entities: every kind of requester with every role it may carry, and the data classes.

    An employee is in its role; every known requester is in its kind's group, so a role
    outside the list finds no permit.
    """
    requesters = [_requester(kind, role) for kind in ActorKind for role in (*Role, None)]
    data = [
        {
            "uid": uid("DataClass", data_class),
            "attrs": {},
            "parents": [uid("DataGroup", "cpni_data")] if data_class in CPNI_DATA else [],
        }
        for data_class in DataClass
    ]
    return requesters + data


def cedar_request(request: DisclosureRequest, facts: DisclosureFacts) -> dict[str, Any]:
    """The Cedar request for a cpniguard request and its facts."""
    context = request_attributes(request, facts)
    context["decided_at"] = {"__extn": {"fn": "datetime", "arg": context["decided_at"]}}
    for name in ("authentication", "subscribed_categories"):
        context[name] = sorted(context[name])
    return {
        "principal": uid(
            PRINCIPAL_TYPES.get(request.actor_kind, "Unknown"), text(request.actor_role) or NO_ROLE
        ),
        "action": uid("Action", text(request.purpose)),
        "resource": uid("DataClass", text(request.data_category)),
        "context": context,
    }


@dataclass(frozen=True)
class CedarGate:
    """The Cedar policy set and entities, parsed once."""

    policies: cedarpy.PolicySet
    entities: cedarpy.Entities

    @classmethod
    def load(cls, policy_text: str = POLICY_TEXT) -> CedarGate:
        """Validate `policy_text` against the schema and parse it; ValueError when invalid."""
        schema = cedarpy.Schema.from_str(SCHEMA_TEXT)
        validation = cedarpy.validate_policies(policy_text, schema)
        if not validation.validation_passed:
            raise ValueError(f"the Cedar policies do not match the schema: {validation.errors}")
        entities = cedarpy.Entities.from_json_str(json.dumps(directory()), schema)
        return cls(cedarpy.PolicySet.from_str(policy_text), entities)

    def is_permitted(self, cedar_request: dict[str, Any]) -> bool:
        """Cedar's answer; RuntimeError when a policy failed to evaluate."""
        result = cedarpy.is_authorized(cedar_request, self.policies, self.entities)
        if result.diagnostics.errors:
            raise RuntimeError(f"Cedar could not evaluate {cedar_request}: {result.diagnostics.errors}")
        return result.allowed
