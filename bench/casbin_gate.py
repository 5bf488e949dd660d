"""The CPNI gate in Casbin (bench/policies/cpni_model.conf and cpni_policy.csv), run by pycasbin.

The model and policy lines are loaded once into an `Enforcer`. Each policy line's condition
is a Casbin expression read through `eval(p.condition)`, Casbin's form for attribute rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import casbin

from cpniguard.domain.disclosure_request import DisclosureFacts, DisclosureRequest
from request_attributes import request_attributes, text

POLICIES = Path(__file__).parent / "policies"
MODEL_PATH = POLICIES / "cpni_model.conf"
POLICY_PATH = POLICIES / "cpni_policy.csv"

CasbinRequest = tuple[str, str, str, SimpleNamespace]
"""(requester kind, purpose, data class, the other attributes as r.ctx)."""


def casbin_request(request: DisclosureRequest, facts: DisclosureFacts) -> CasbinRequest:
    """The Casbin request for a cpniguard request and its facts."""
    context = SimpleNamespace(role=text(request.actor_role) or "none", **request_attributes(request, facts))
    return text(request.actor_kind), text(request.purpose), text(request.data_category), context


@dataclass(frozen=True)
class CasbinGate:
    """The Casbin enforcer, loaded once."""

    enforcer: casbin.Enforcer

    @classmethod
    def load(cls, model_path: Path = MODEL_PATH, policy_path: Path = POLICY_PATH) -> CasbinGate:
        """Load the model and the policy lines."""
        return cls(casbin.Enforcer(str(model_path), str(policy_path)))

    def is_permitted(self, casbin_request: CasbinRequest) -> bool:
        """Casbin's answer."""
        return bool(self.enforcer.enforce(*casbin_request))
