"""The consent ledger's events (DESIGN.md invariant 6; 47 CFR 64.2007, 64.2008).

The ledger is append-only: a customer's approval at any instant is derived from these events
(domain/consent.py), never stored in place. Each event carries its own time (`occurred_at`:
when the notice was sent or mailed, when the opt-out was received) apart from when cpniguard
recorded it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cpniguard.domain.disclosure_request import RecipientClass
from cpniguard.domain.errors import FieldProblem


class ConsentEventKind(StrEnum):
    """What happened."""

    NOTICE_SENT = "notice_sent"
    """A CPNI notice went to the customer (64.2008(b)); with opt-out it starts the waiting period."""
    NOTICE_BOUNCED = "notice_bounced"
    """An email notice came back undelivered: it never counted (64.2008(d)(3)(iii))."""
    OPTED_OUT = "opted_out"
    """The customer denied approval (64.2003(l), 64.2008(d)); without a scope, for every recipient."""
    OPTED_IN = "opted_in"
    """The customer's affirmative, express consent for the scope (64.2003(k))."""
    REVOKED = "revoked"
    """The customer revoked or limited an approval for the scope (64.2007(a)(2))."""
    ONE_TIME_CONSENT = "one_time_consent"
    """Oral consent for one call only; it ends with its interaction (64.2008(f))."""


class NoticeMedium(StrEnum):
    """How a CPNI notice was given (64.2008(d): opt-out notices are written or electronic)."""

    EMAIL = "email"
    MAIL = "mail"
    ORAL = "oral"


class ConsentSource(StrEnum):
    """Where the customer's decision reached the carrier; every opt-out path is free and 24/7."""

    MARKETING_MAILBOX = "marketing_mailbox"
    PORTAL = "portal"
    REPRESENTATIVE = "representative"
    MAILED_FORM = "mailed_form"


class ConsentProof(StrEnum):
    """The form the approval was given in (64.2007(a)); oral approval must be provable (a)(1)."""

    WRITTEN = "written"
    ELECTRONIC = "electronic"
    ORAL = "oral"


OPT_OUT_CLASSES: frozenset[RecipientClass] = frozenset(
    {RecipientClass.CARRIER, RecipientClass.AGENT, RecipientClass.AFFILIATE}
)
"""Recipients for which opt-out approval is enough (64.2007(b)); every other class needs opt-in."""

APPROVAL_CLASSES: frozenset[RecipientClass] = OPT_OUT_CLASSES | frozenset(
    {
        RecipientClass.NON_COMMUNICATIONS_AFFILIATE,
        RecipientClass.JOINT_VENTURE_PARTNER,
        RecipientClass.INDEPENDENT_CONTRACTOR,
        RecipientClass.THIRD_PARTY,
    }
)
"""Recipients a customer's approval can be given or denied for (64.2007(b), RULES.md 3.5-3.6)."""

MAX_PARTNER_LENGTH = 200


@dataclass(frozen=True, slots=True, order=True)
class ConsentScope:
    """Who an approval is for: a recipient class, or one named partner within it."""

    recipient: RecipientClass
    partner: str = ""
    """Empty for the whole class; a partner's name for an opt-in to that partner alone."""

    def __str__(self) -> str:
        return f"{self.recipient}:{self.partner}" if self.partner else str(self.recipient)


@dataclass(frozen=True, slots=True)
class ConsentEvent:
    """One entry of the consent ledger."""

    kind: ConsentEventKind
    occurred_at: datetime
    recorded_at: datetime
    recorded_by: str
    id: int | None = None
    scope: tuple[ConsentScope, ...] = ()
    """For decisions: who they apply to. An opt-out with no scope applies to every recipient."""
    notice_version: str | None = None
    notice_medium: NoticeMedium | None = None
    waiting_period_days: int | None = None
    """The period the notice states; at least 30 days (64.2008(d)(1))."""
    source: ConsentSource | None = None
    proof: ConsentProof | None = None
    recording_reference: str | None = None
    """Where the recording or verified log of an oral approval is kept (64.2007(a)(1))."""
    refers_to: int | None = None
    """For a bounce: the notice event that came back."""
    interaction_id: int | None = None
    """For one-time consent: the call it is bound to."""
    evidence: str | None = None
    """The raw evidence: a stored email's id, a form's scan reference, a representative's note."""
    reference: str | None = None
    """A key that makes recording idempotent: the notice's outbox key, a stored email's key, a
    probe's nonce. The ledger holds one event per reference."""

    def applies_to(self, scope: ConsentScope) -> bool:
        """Whether this decision covers `scope` (a class-wide scope covers its named partners)."""
        if not self.scope:
            return self.kind is ConsentEventKind.OPTED_OUT
        return any(s == scope or (not s.partner and s.recipient is scope.recipient) for s in self.scope)


MIN_WAITING_PERIOD_DAYS = 30
"""64.2008(d)(1): at least 30 days after the notice before approval may be assumed."""
MAIL_DELIVERY_DAYS = 3
"""64.2008(d)(1): for a mailed notice the period starts on the third day after mailing."""
MAX_WAITING_PERIOD_DAYS = 2 * 365 - MAIL_DELIVERY_DAYS - 1
"""The longest period a notice may state: it must end before the notice lapses two years on
(64.2008(d)(2)), or the notice could never let approval be deemed."""

MAX_TEXT_LENGTHS: Mapping[str, int] = {
    "recorded_by": 200,
    "notice_version": 64,
    "recording_reference": 500,
    "reference": 128,
}
"""What the ledger keeps of each text field; a longer value is refused, never cut."""


def event_problems(event: ConsentEvent) -> list[FieldProblem]:
    """What an event lacks or gets wrong for its kind; empty when it may enter the ledger.

    64.2007(a), 64.2008(d): the kind's required fields, times with an offset, approvable scopes.
    """
    problems = [*_time_problems(event), *_text_problems(event), *_kind_problems(event)]
    return problems + [p for s in event.scope for p in _scope_problems(s)]


def _time_problems(event: ConsentEvent) -> list[FieldProblem]:
    naive = [
        FieldProblem(name, "must carry a UTC offset")
        for name, moment in (("occurred_at", event.occurred_at), ("recorded_at", event.recorded_at))
        if moment.tzinfo is None
    ]
    if not naive and event.occurred_at > event.recorded_at:
        return [
            FieldProblem("occurred_at", "is later than now: an event cannot be recorded before it happens")
        ]
    return naive


def _text_problems(event: ConsentEvent) -> list[FieldProblem]:
    problems = (
        [] if event.recorded_by.strip() else [FieldProblem("recorded_by", "say who recorded the event")]
    )
    for name, limit in MAX_TEXT_LENGTHS.items():
        value = getattr(event, name)
        if value is not None and len(value) > limit:
            problems.append(FieldProblem(name, f"is longer than {limit} characters"))
    return problems


def _scope_problems(scope: ConsentScope) -> list[FieldProblem]:
    problems = []
    if scope.recipient not in APPROVAL_CLASSES:
        problems.append(FieldProblem("scope", f"{scope.recipient} cannot be given or denied approval"))
    if len(scope.partner) > MAX_PARTNER_LENGTH:
        problems.append(
            FieldProblem("scope", f"the partner name is longer than {MAX_PARTNER_LENGTH} characters")
        )
    if scope.partner != scope.partner.strip():
        problems.append(FieldProblem("scope", f"the partner name {scope.partner!r} has spaces around it"))
    return problems


def _kind_problems(event: ConsentEvent) -> list[FieldProblem]:
    match event.kind:
        case ConsentEventKind.NOTICE_SENT:
            return _notice_problems(event)
        case ConsentEventKind.NOTICE_BOUNCED:
            return (
                [] if event.refers_to is not None else [FieldProblem("refers_to", "name the bounced notice")]
            )
        case ConsentEventKind.OPTED_IN:
            return _opt_in_problems(event)
        case ConsentEventKind.REVOKED:
            return [] if event.scope else [FieldProblem("scope", "say what is revoked or limited")]
        case ConsentEventKind.ONE_TIME_CONSENT:
            return _one_time_problems(event)
        case ConsentEventKind.OPTED_OUT:
            return [] if event.source is not None else [FieldProblem("source", "say how the opt-out arrived")]


def _notice_problems(event: ConsentEvent) -> list[FieldProblem]:
    problems = []
    if not event.notice_version:
        problems.append(FieldProblem("notice_version", "name the notice version sent"))
    if event.notice_medium is None:
        problems.append(FieldProblem("notice_medium", "say whether it went by email, mail or orally"))
    days = event.waiting_period_days
    if days is not None and not MIN_WAITING_PERIOD_DAYS <= days <= MAX_WAITING_PERIOD_DAYS:
        problems.append(
            FieldProblem(
                "waiting_period_days",
                f"must be from {MIN_WAITING_PERIOD_DAYS} to {MAX_WAITING_PERIOD_DAYS} days (64.2008(d))",
            )
        )
    return problems


def _opt_in_problems(event: ConsentEvent) -> list[FieldProblem]:
    problems = []
    if not event.scope:
        problems.append(FieldProblem("scope", "an opt-in names who it is for"))
    if event.proof is None:
        problems.append(FieldProblem("proof", "say whether it was written, electronic or oral"))
    if event.proof is ConsentProof.ORAL and not event.recording_reference:
        problems.append(
            FieldProblem("recording_reference", "oral approval needs its recording (64.2007(a)(1))")
        )
    return problems


def _one_time_problems(event: ConsentEvent) -> list[FieldProblem]:
    problems = []
    if event.interaction_id is None:
        problems.append(
            FieldProblem("interaction_id", "one-time consent is bound to the call it was given on")
        )
    if not event.scope:
        problems.append(FieldProblem("scope", "say who may use the CPNI during the call"))
    return problems
