"""Where a customer's messages stand: notices, codes and letters in the outbox (DESIGN.md invariant 5)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cpniguard.domain.notifications import DeliveryStatus, NoticeChannel
from cpniguard.services.outbox import MAX_DELIVERIES_PAGE, account_deliveries
from cpniguard.services.ports import MessageDelivery
from cpniguard.web.api.disclosure_schemas import AccountNumberPath
from cpniguard.web.deps import ContainerDep, DeliveryReaderDep
from cpniguard.web.problems import problem_responses

router = APIRouter(tags=["messages"])
DEFAULT_PAGE_MESSAGES = 50


class MessageOut(BaseModel):
    """One message and where it stands; its body is not shown (it may hold a one-time code)."""

    message_id: int
    channel: NoticeChannel
    template: str
    recipient: str
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None
    provider_reference: str | None

    @classmethod
    def of(cls, delivery: MessageDelivery) -> Self:
        """The body for `delivery`."""
        return cls(
            message_id=delivery.message_id,
            channel=delivery.channel,
            template=delivery.template,
            recipient=delivery.recipient,
            status=delivery.status,
            attempts=delivery.attempts,
            created_at=delivery.created_at,
            next_attempt_at=delivery.next_attempt_at,
            sent_at=delivery.sent_at,
            last_error=delivery.last_error,
            provider_reference=delivery.provider_reference,
        )


class MessagesOut(BaseModel):
    """The customer's messages, newest first."""

    account_number: str
    messages: list[MessageOut]


@router.get("/accounts/{account_number}/messages", responses=problem_responses(403, 404, 422))
def messages(
    container: ContainerDep,
    _reader: DeliveryReaderDep,
    account_number: AccountNumberPath,
    limit: Annotated[
        int, Query(ge=1, le=MAX_DELIVERIES_PAGE, description="Messages to return, newest first.")
    ] = DEFAULT_PAGE_MESSAGES,
) -> MessagesOut:
    """Every message written for the customer and its delivery state: pending, sending, sent or dead.

    47 CFR 64.2010(f): a representative can tell the customer when and where an
    account-change notice went, and a dead letter shows why it could not be delivered.
    """
    found = account_deliveries(
        uow_factory=container.unit_of_work,
        queue=container.outbox_queue(),
        account_number=account_number,
        limit=limit,
    )
    return MessagesOut(account_number=account_number, messages=[MessageOut.of(m) for m in found])
