"""Confirming a customer's consent decision through the outbox (64.2007(a)(2), 64.2008(d)(3)).

An opt-out, opt-in or revocation is confirmed to the customer in the transaction that
records it: to the address the email came from when it came to the marketing mailbox (an
email contact on the account), otherwise to the contact of record (the preferred channel
first), in the account's language.
"""

from __future__ import annotations

from cpniguard.domain.consent_events import ConsentEvent, ConsentEventKind
from cpniguard.domain.notices import ContactsBeforeChange, notice_recipient
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services.notices import NoticeUnitOfWork
from cpniguard.services.ports import MessageRenderer, OutboundMessage

CONFIRMATION_TEMPLATE = "consent_confirmation"
CONFIRMED_DECISIONS = {
    ConsentEventKind.OPTED_OUT: "opt_out",
    ConsentEventKind.OPTED_IN: "opt_in",
    ConsentEventKind.REVOKED: "revocation",
}


def confirm_decision(
    uow: NoticeUnitOfWork,
    *,
    account_id: int,
    event: ConsentEvent,
    renderer: MessageRenderer,
    reply_to: str | None,
) -> OutboundMessage | None:
    """Write the confirmation of a recorded decision to the outbox; None for other events or no contact."""
    decision = CONFIRMED_DECISIONS.get(event.kind)
    profile = uow.contacts.notice_profile(account_id)
    if decision is None or profile is None or event.id is None:
        return None
    channel, recipient = (
        (NoticeChannel.EMAIL, reply_to)
        if reply_to
        else _of_record(uow, account_id, event, profile.preferred_channel)
    )
    if recipient is None:
        return None
    fields = {"decision": decision, "recorded_at": event.recorded_at.isoformat()}
    rendered = renderer.render(CONFIRMATION_TEMPLATE, profile.language, fields)
    message = OutboundMessage(
        idempotency_key=f"consent-confirmation:{event.id}",
        account_id=account_id,
        channel=channel,
        recipient=recipient,
        language=profile.language,
        template=CONFIRMATION_TEMPLATE,
        subject=rendered.subject,
        body=rendered.body,
    )
    uow.outbox.enqueue(message, at=event.recorded_at)
    return message


def _of_record(
    uow: NoticeUnitOfWork, account_id: int, event: ConsentEvent, preferred: NoticeChannel | None
) -> tuple[NoticeChannel, str | None]:
    contacts = ContactsBeforeChange(
        tuple(uow.accounts.contact_points(account_id)), tuple(uow.accounts.service_numbers(account_id))
    )
    found = notice_recipient(contacts, preferred=preferred, changed_at=event.recorded_at)
    return (NoticeChannel.LETTER, None) if found is None else (found.channel, found.recipient)
