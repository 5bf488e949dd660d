"""A disclosure request and its facts as flat attributes, the form Cedar and Casbin decide on.

What a policy engine's caller (its enforcement point) does before asking: values become
text, a missing optional value becomes "", and the customer's approval is resolved for this
request's recipient, because neither language can look a record up by a value in policy.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from cpniguard.domain.disclosure_request import DisclosureFacts, DisclosureRequest, RecipientClass

INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""UTC to the second: Cedar's datetime() reads it, and as text it sorts in time order for Casbin."""


def text(value: object) -> str:
    """A vocabulary value (an enum member, or a stray str) as plain text; None as ""."""
    return "" if value is None else str(value)


def request_attributes(request: DisclosureRequest, facts: DisclosureFacts) -> dict[str, Any]:
    """Every attribute the Cedar and Casbin policies read, besides requester, purpose and data."""
    return {
        "decided_at": facts.decided_at.astimezone(UTC).strftime(INSTANT_FORMAT),
        "training": text(facts.actor_training),
        "channel": text(request.channel),
        "recipient": text(request.recipient),
        "destination": text(request.destination),
        "offering_category": text(request.offering_category),
        "recipient_approval": text(facts.approval_of(request.recipient)),
        "carrier_approval": text(facts.approval_of(RecipientClass.CARRIER)),
        "authentication": frozenset(map(text, facts.authentication)),
        "call_detail_stated_unaided": facts.call_detail_stated_unaided,
        "subscribed_categories": frozenset(map(text, facts.subscribed_categories)),
        "is_business_account": facts.is_business_account,
        "has_dedicated_representative": facts.has_dedicated_representative,
        "has_cpni_contract": facts.has_cpni_contract,
        "listing_status": text(facts.listing_status),
        "legal_process_reference": text(facts.legal_process_reference),
        "has_written_designation": facts.has_written_designation,
    }
