"""What the gate answers: permit or deny, with conditions, cited reasons and alternatives.

DESIGN.md "HTTP and errors": every decision carries its outcome, the conditions a permit
is bound by, the reasons (rule id, citation, a sentence a representative can read aloud),
what the representative may offer instead of a deny, and the rule set that decided it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """The answer of a decision."""

    PERMIT = "permit"
    DENY = "deny"


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that bore on a decision."""

    rule_id: str
    citation: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Condition:
    """A limit a permit is bound by, e.g. deliver only to the postal address of record."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Alternative:
    """What may be offered instead when the request as asked is denied."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """The finding of one check: whether it allows the request, and why."""

    allows: bool
    reasons: tuple[Reason, ...]
    conditions: tuple[Condition, ...] = ()
    alternatives: tuple[Alternative, ...] = ()


def allow(reason: Reason, *conditions: Condition) -> Verdict:
    """A check that allows the request for `reason`, bound by `conditions`."""
    return Verdict(allows=True, reasons=(reason,), conditions=conditions)


def refuse(reason: Reason, *alternatives: Alternative) -> Verdict:
    """A check that refuses the request for `reason`, offering `alternatives`."""
    return Verdict(allows=False, reasons=(reason,), alternatives=alternatives)


@dataclass(frozen=True, slots=True)
class Decision:
    """The gate's answer to one request (DESIGN.md invariants 2 and 3)."""

    outcome: Outcome
    reasons: tuple[Reason, ...]
    conditions: tuple[Condition, ...]
    alternatives: tuple[Alternative, ...]
    rule_set: str

    @property
    def is_permitted(self) -> bool:
        """Whether the request may go ahead (within the conditions)."""
        return self.outcome is Outcome.PERMIT


def combine(verdicts: tuple[Verdict, ...], rule_set: str) -> Decision:
    """Permit only when every check allows; a deny carries only the refusing checks' reasons."""
    reasons: tuple[Reason, ...] = ()
    conditions: tuple[Condition, ...] = ()
    for verdict in verdicts:
        if not verdict.allows:
            break
        reasons += verdict.reasons
        conditions += verdict.conditions
    else:
        return Decision(Outcome.PERMIT, reasons, conditions, (), rule_set)
    refusals = [verdict for verdict in verdicts if not verdict.allows]
    if len(refusals) == 1:  # the common deny: no merging to do
        (refusal,) = refusals
        return Decision(Outcome.DENY, refusal.reasons, (), refusal.alternatives, rule_set)
    return Decision(
        Outcome.DENY,
        tuple(reason for verdict in refusals for reason in verdict.reasons),
        (),
        tuple(dict.fromkeys(alt for verdict in refusals for alt in verdict.alternatives)),
        rule_set,
    )
