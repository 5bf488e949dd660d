"""Who is told of an account change, how, and what the message may hold (47 CFR 64.2010(f)).

A notice goes at once to the contact of record as it was just before the change: an SMS or
a voice call to the telephone number of record, an email to the email address of record, or
a letter to the postal address of record, by the customer's preference and then a fixed
fallback order. It never goes to the new value, and none is sent for what the customer sets
up when service starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cpniguard.domain.accounts import (
    ContactKind,
    ContactPoint,
    ServiceNumber,
    addresses_of_record,
    telephone_numbers_of_record,
)
from cpniguard.domain.notifications import AccountChange, NoticeChannel

FALLBACK_ORDER = (NoticeChannel.SMS, NoticeChannel.EMAIL, NoticeChannel.VOICE, NoticeChannel.LETTER)
"""Policy: after the customer's preference, the quickest channel first (64.2010(f) says
"immediately"); the telephone number of record is the service's own number (64.2003(q)),
the hardest contact for a pretexter to have changed beforehand."""

JUST_BEFORE = timedelta(microseconds=1)
"""The contacts of record are read at this much before the change, so the change's own new
values (which start at the instant of the change) are never among them."""

ACCOUNT_CHANGE_TEMPLATE = "account_change"
CPNI_NOTICE_EMAIL_TEMPLATE = "cpni_notice"
CPNI_NOTICE_LETTER_TEMPLATE = "cpni_notice_letter"
"""A letter cannot be replied to: it names the mailbox and the representatives instead."""
CPNI_NOTICE_TEMPLATES = (CPNI_NOTICE_EMAIL_TEMPLATE, CPNI_NOTICE_LETTER_TEMPLATE)
CPNI_NOTICE_KEY_PREFIX = "cpni-notice:"
"""A CPNI notice's outbox key is `cpni-notice:{version}:{batch or resend}:{account}`; the ledger
records the delivered notice under that key, and nobody else may take it as a reference."""
"""The CPNI notices of 64.2008 (not the account-change notices of 64.2010(f))."""

BREACH_NOTICE_FIELDS = frozenset(
    {
        "carrier_name",
        "carrier_contact",
        "breach_from",
        "breach_to",
        "data_types",
        "steps",
        "regulator_contacts",
        "state_regulator_contact",
        "credit_reporting_agencies",
        "credit_monitoring_offer",
    }
)
"""The customer breach notice, email and letter (47 CFR 64.2011; domain/breach_customer_notice.py)."""

MESSAGE_FIELDS: Mapping[str, frozenset[str]] = {
    ACCOUNT_CHANGE_TEMPLATE: frozenset({"change", "changed_at"}),
    "authentication_code": frozenset({"code", "expires_at"}),
    "password_reset": frozenset({"code", "expires_at"}),
    "authentication_letter": frozenset({"code", "expires_at"}),
    CPNI_NOTICE_EMAIL_TEMPLATE: frozenset({"notice_subject", "notice_text", "opt_out_address"}),
    CPNI_NOTICE_LETTER_TEMPLATE: frozenset({"notice_subject", "notice_text", "opt_out_address"}),
    "consent_confirmation": frozenset({"decision", "recorded_at"}),
    "breach_notice": BREACH_NOTICE_FIELDS,
    "breach_notice_letter": BREACH_NOTICE_FIELDS,
}
"""Every customer-facing message, and the exact fields its template is filled from. Times are
ISO 8601 with an offset; the renderer writes them in the customer's language."""


@dataclass(frozen=True, slots=True)
class NoticeRecipient:
    """Where a notice goes: a channel and the contact of record on it."""

    channel: NoticeChannel
    recipient: str


@dataclass(frozen=True, slots=True)
class ContactsBeforeChange:
    """An account's contact history: contact points and service numbers, with their spans."""

    contact_points: tuple[ContactPoint, ...]
    service_numbers: tuple[ServiceNumber, ...]


def is_at_activation(*, opened_at: datetime, changed_at: datetime) -> bool:
    """Whether a change is part of starting service, which 64.2010(f) exempts from notice.

    Policy: what is set at or before the instant the account opened (its start of service)
    belongs to activation; anything later is a change.
    """
    return changed_at <= opened_at


def notice_recipient(
    contacts: ContactsBeforeChange, *, preferred: NoticeChannel | None, changed_at: datetime
) -> NoticeRecipient | None:
    """Decide where the 64.2010(f) notice of a change at `changed_at` goes; None when nowhere.

    47 CFR 64.2010(f): to the telephone number of record (text or voice) or the address of
    record (64.2003(b): on the account 30 days) as they were before the change, never to the
    new information. The customer's preferred channel first, then FALLBACK_ORDER.
    """
    order = ((preferred,) if preferred else ()) + tuple(c for c in FALLBACK_ORDER if c is not preferred)
    for channel in order:
        found = _contact_of_record(contacts, channel, changed_at - JUST_BEFORE)
        if found is not None:
            return NoticeRecipient(channel, found)
    return None


def _contact_of_record(contacts: ContactsBeforeChange, channel: NoticeChannel, at: datetime) -> str | None:
    if channel in {NoticeChannel.SMS, NoticeChannel.VOICE}:
        values: Iterable[str] = telephone_numbers_of_record(contacts.service_numbers, at)
    else:
        kind = ContactKind.EMAIL_ADDRESS if channel is NoticeChannel.EMAIL else ContactKind.POSTAL_ADDRESS
        values = (p.value for p in addresses_of_record(contacts.contact_points, kind, at))
    return next(iter(values), None)


def account_change_fields(change: AccountChange, changed_at: datetime) -> dict[str, str]:
    """What an account-change notice is filled from: the kind of change and when, nothing else.

    64.2010(f): the notice must not reveal the changed information, so the new value and
    any secret never reach the template.
    """
    return {"change": change.value, "changed_at": changed_at.isoformat()}


def account_change_key(account_id: int, change: AccountChange, changed_at: datetime) -> str:
    """The idempotency key of a change's notice: the same cause never gives two messages."""
    return f"account_change:{account_id}:{change.value}:{changed_at.isoformat()}"
