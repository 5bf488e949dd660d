"""Account-change notices, written to the outbox in the transaction of the change (64.2010(f))."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cpniguard.domain.errors import NotFoundError
from cpniguard.domain.notices import (
    ACCOUNT_CHANGE_TEMPLATE,
    ContactsBeforeChange,
    account_change_fields,
    account_change_key,
    is_at_activation,
    notice_recipient,
)
from cpniguard.domain.notifications import AccountChange
from cpniguard.services.ports import (
    AccountRepository,
    ContactRepository,
    MessageRenderer,
    OutboundMessage,
    Outbox,
)


class NoticeUnitOfWork(Protocol):
    """The part of a unit of work a notice needs (every UnitOfWork has it)."""

    @property
    def accounts(self) -> AccountRepository:
        """The account's contact history."""
        ...

    @property
    def contacts(self) -> ContactRepository:
        """The account's language, start of service and notice preference."""
        ...

    @property
    def outbox(self) -> Outbox:
        """Where the notice is written."""
        ...


def notify_account_change(
    uow: NoticeUnitOfWork,
    *,
    account_id: int,
    change: AccountChange,
    at: datetime,
    renderer: MessageRenderer,
) -> OutboundMessage | None:
    """Write the notice of `change` made at `at` to the outbox, in the caller's transaction.

    47 CFR 64.2010(f): sent at once to the contact of record as it was before the change
    (the customer's preferred channel first, then a fallback), never to the new value (the
    contacts are read as of just before `at`), in the account's language; it says what kind
    of change and when, and how to report fraud, never the new value or a secret. None is
    written for what is set at activation, or when the account has no contact of record.
    Returns the message written (or already written for the same change), else None.
    """
    profile = uow.contacts.notice_profile(account_id)
    if profile is None:
        raise NotFoundError(f"no account with key {account_id}")
    if is_at_activation(opened_at=profile.opened_at, changed_at=at):
        return None
    contacts = ContactsBeforeChange(
        tuple(uow.accounts.contact_points(account_id)),
        tuple(uow.accounts.service_numbers(account_id)),
    )
    recipient = notice_recipient(contacts, preferred=profile.preferred_channel, changed_at=at)
    if recipient is None:
        return None
    rendered = renderer.render(ACCOUNT_CHANGE_TEMPLATE, profile.language, account_change_fields(change, at))
    message = OutboundMessage(
        idempotency_key=account_change_key(account_id, change, at),
        account_id=account_id,
        channel=recipient.channel,
        recipient=recipient.recipient,
        language=profile.language,
        template=ACCOUNT_CHANGE_TEMPLATE,
        subject=rendered.subject,
        body=rendered.body,
    )
    uow.outbox.enqueue(message, at=at)
    return message
