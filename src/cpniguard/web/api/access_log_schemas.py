"""Bodies of the access-log endpoint, apart from tables and domain types."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field

from cpniguard.domain.audit import AuditEvent, LoggedAccess, LoggedReason
from cpniguard.domain.disclosure_request import RecipientClass
from cpniguard.domain.third_party_access import ThirdPartyAccess
from cpniguard.services.audit import AccessLogPage


class LoggedReasonOut(BaseModel):
    """One reason of the decision, as logged."""

    rule_id: str
    citation: str = Field(description="The rule, e.g. '47 CFR 64.2010(b)'.")
    explanation: str

    @classmethod
    def of(cls, reason: LoggedReason) -> Self:
        """The body for `reason`."""
        return cls(rule_id=reason.rule_id, citation=reason.citation, explanation=reason.explanation)


class AccessLogEntryOut(BaseModel):
    """One decision about the customer's CPNI, permit or deny, as the hash-chained log holds it."""

    sequence: int = Field(description="The entry's place in the chain; `cpniguard audit verify` names it.")
    event: AuditEvent
    occurred_at: datetime
    actor_kind: str = Field(description="employee, integration, ...")
    actor_id: str
    actor_role: str | None
    data_category: str = Field(description="The CPNI asked for, as asked.")
    purpose: str
    channel: str
    recipient: str
    destination: str | None
    interaction_id: int | None
    authentication: list[str] = Field(description="What the caller had proven (64.2010).")
    outcome: str = Field(description="permit or deny.")
    reasons: list[LoggedReasonOut]
    conditions: list[str]
    rule_set: str = Field(description="The version of the rules that decided.")
    previous_hash: str = Field(description="SHA-256 chain hash of the entry before, hex.")
    entry_hash: str = Field(description="SHA-256 of the previous hash and this entry's encoding, hex.")

    @classmethod
    def of(cls, logged: LoggedAccess) -> Self:
        """The body for `logged`."""
        entry = logged.entry
        return cls(
            sequence=logged.sequence,
            event=entry.event,
            occurred_at=entry.occurred_at,
            actor_kind=entry.actor_kind,
            actor_id=entry.actor_id,
            actor_role=entry.actor_role,
            data_category=entry.data_category,
            purpose=entry.purpose,
            channel=entry.channel,
            recipient=entry.recipient,
            destination=entry.destination,
            interaction_id=entry.interaction_id,
            authentication=list(entry.authentication),
            outcome=entry.outcome,
            reasons=[LoggedReasonOut.of(reason) for reason in entry.reasons],
            conditions=list(entry.conditions),
            rule_set=entry.rule_set,
            previous_hash=logged.previous_hash.hex(),
            entry_hash=logged.entry_hash.hex(),
        )


class AccessLogPageOut(BaseModel):
    """A page of who used or disclosed the customer's CPNI, newest first (47 CFR 64.2009(c))."""

    account_number: str
    entries: list[AccessLogEntryOut]
    next_before: int | None = Field(
        description="Ask again with `before` set to this for older entries; null on the last page."
    )

    @classmethod
    def of(cls, page: AccessLogPage) -> Self:
        """The body for `page`."""
        return cls(
            account_number=page.account_number,
            entries=[AccessLogEntryOut.of(logged) for logged in page.entries],
            next_before=page.next_before,
        )


class ThirdPartyAccessOut(BaseModel):
    """CPNI the gate let go outside the carrier: whose, which, to whom, why, when (64.2009(c))."""

    model_config = ConfigDict(from_attributes=True)

    id: int | None
    account_number: str | None
    recipient_class: RecipientClass
    destination: str | None
    purpose: str = Field(description="The purpose the gate permitted it for: its legal basis.")
    data_category: str
    disclosed_at: datetime
    disclosed_by: str
    access_log_sequence: int = Field(description="The decision's entry, with its reasons, in the access log.")

    @classmethod
    def of(cls, access: ThirdPartyAccess) -> Self:
        """The body for `access`."""
        return cls.model_validate(access)
