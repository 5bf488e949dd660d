"""Bodies of the gate's endpoints: decisions, and CPNI read through the gate.

Request values are plain strings, not enums, on purpose: an unknown purpose or channel
must reach the gate, which logs the deny it answers with (DESIGN.md invariant 3), instead
of being turned away by validation before anyone decided anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.call_detail import CallDetail
from cpniguard.domain.classification import DataClass
from cpniguard.domain.decisions import Decision
from cpniguard.domain.disclosure_request import Channel, Destination, Purpose, RecipientClass
from cpniguard.services.disclosure import Disclosed, GateAnswer
from cpniguard.services.ports import InvoiceSummary, SubscribedService
from cpniguard.web.api.schemas import NO_CONTROL_CHARACTERS

E164_PATTERN = r"^\+[1-9][0-9]{1,14}$"


def one_of(values: type[object]) -> str:
    """The description listing a field's known values."""
    return "One of: " + ", ".join(f"`{value}`" for value in values)  # type: ignore[attr-defined]


Value = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_CONTROL_CHARACTERS)]
Reference = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_CONTROL_CHARACTERS)]
AccountNumber = Annotated[str, Field(min_length=1, max_length=32, pattern=NO_CONTROL_CHARACTERS)]
AccountNumberPath = Annotated[AccountNumber, Path()]


class DecisionAskIn(BaseModel):
    """A request for a decision, without reading any data."""

    model_config = ConfigDict(extra="forbid")

    account_number: AccountNumber
    data_category: Value = Field(description=one_of(DataClass))
    purpose: Value = Field(description=one_of(Purpose))
    channel: Value = Field(description=one_of(Channel))
    recipient: Value = Field(description=one_of(RecipientClass))
    destination: Value | None = Field(default=None, description="Where data is sent. " + one_of(Destination))
    offering_category: Value | None = Field(
        default=None, description="For marketing, the offer's category. " + one_of(ServiceCategory)
    )
    interaction_id: int | None = Field(
        default=None, ge=1, description="Required on inbound_call, outbound_call, online and store."
    )
    legal_process_reference: Reference | None = Field(
        default=None, description="The court order or subpoena on file (legal_process)."
    )
    written_request_reference: Reference | None = Field(
        default=None,
        description="The customer's affirmative written request (customer_designated_disclosure).",
    )
    stated_call_number: Annotated[str, Field(pattern=E164_PATTERN)] | None = Field(
        default=None, description="A number the customer named unaided, in E.164 (64.2010(b))."
    )


class ReasonOut(BaseModel):
    """A rule that bore on the decision."""

    rule_id: str
    citation: str = Field(description='E.g. "47 CFR 64.2010(b)".')
    explanation: str = Field(description="A sentence a representative can read aloud.")


class CodeText(BaseModel):
    """A condition or an alternative: a stable code and its text."""

    code: str
    text: str


class DecisionOut(BaseModel):
    """The gate's answer."""

    decision: str = Field(description="`permit` or `deny`.")
    conditions: list[CodeText] = Field(description="Limits a permit is bound by.")
    reasons: list[ReasonOut]
    alternatives: list[CodeText] = Field(description="What may be offered instead of a deny.")
    rule_set: str = Field(description="The version of the rules that decided.")
    access_log_sequence: int = Field(description="The access-log entry that records this decision.")

    @classmethod
    def of(cls, answer: GateAnswer) -> Self:
        """The body for `answer`."""
        return cls(**decision_members(answer.decision), access_log_sequence=answer.access_log_sequence)


def decision_members(decision: Decision) -> dict[str, object]:
    """The decision as JSON members (also added to problem details of a deny)."""
    return {
        "decision": str(decision.outcome),
        "conditions": [{"code": c.code, "text": c.text} for c in decision.conditions],
        "reasons": [
            {"rule_id": r.rule_id, "citation": r.citation, "explanation": r.explanation}
            for r in decision.reasons
        ],
        "alternatives": [{"code": a.code, "text": a.text} for a in decision.alternatives],
        "rule_set": decision.rule_set,
    }


class CallDetailOut(BaseModel):
    """One call (64.2003(d))."""

    direction: str
    call_type: str
    calling_number: str
    called_number: str
    started_at: datetime
    answered_at: datetime | None
    duration_seconds: int
    billable_seconds: int
    cell_site: str | None

    @classmethod
    def of(cls, record: CallDetail) -> Self:
        """The body for one record."""
        return cls.model_validate(record, from_attributes=True)


class CallDetailPageOut(BaseModel):
    """Calls the gate permitted, with the decision that permitted them."""

    decision: DecisionOut
    records: list[CallDetailOut]

    @classmethod
    def of(cls, disclosed: Disclosed[list[CallDetail]]) -> Self:
        """The body for a disclosure."""
        return cls(
            decision=DecisionOut.of(disclosed.answer), records=[CallDetailOut.of(r) for r in disclosed.data]
        )


class InvoiceOut(BaseModel):
    """A bill (222(h)(1)(B))."""

    model_config = ConfigDict(from_attributes=True)

    invoice_number: str
    period_start: datetime
    period_end: datetime
    issued_at: datetime
    total_cents: int
    currency: str


class InvoicesOut(BaseModel):
    """Bills the gate permitted."""

    decision: DecisionOut
    invoices: list[InvoiceOut]

    @classmethod
    def of(cls, disclosed: Disclosed[list[InvoiceSummary]]) -> Self:
        """The body for a disclosure."""
        invoices = [InvoiceOut.model_validate(invoice) for invoice in disclosed.data]
        return cls(decision=DecisionOut.of(disclosed.answer), invoices=invoices)


class ServiceOut(BaseModel):
    """A service the customer takes."""

    model_config = ConfigDict(from_attributes=True)

    category: ServiceCategory
    product_name: str
    started_at: datetime
    ended_at: datetime | None


class ServicesOut(BaseModel):
    """Services the gate permitted."""

    decision: DecisionOut
    services: list[ServiceOut]

    @classmethod
    def of(cls, disclosed: Disclosed[list[SubscribedService]]) -> Self:
        """The body for a disclosure."""
        services = [ServiceOut.model_validate(service) for service in disclosed.data]
        return cls(decision=DecisionOut.of(disclosed.answer), services=services)
