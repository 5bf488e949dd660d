"""Messages to customers and how they travel (DESIGN.md invariant 5; 47 CFR 64.2010(f)).

Every customer-facing message is written to the outbox in the same transaction as the
change that causes it, and a worker delivers it: email, SMS or voice to the telephone
number of record, or a letter to the postal address of record.
"""

from __future__ import annotations

from enum import StrEnum


class NoticeChannel(StrEnum):
    """How a message reaches the customer."""

    EMAIL = "email"
    SMS = "sms"
    VOICE = "voice"
    LETTER = "letter"


class DeliveryStatus(StrEnum):
    """Where a message stands in the outbox."""

    PENDING = "pending"
    """Waiting for its next attempt (the first, or a retry after a failure)."""
    SENDING = "sending"
    """Claimed by a worker, whose lease ends at `leased_until`."""
    SENT = "sent"
    DEAD = "dead"
    """Given up after the last attempt; the reason is kept."""


class AccountChange(StrEnum):
    """Changes that must be notified at once to the old contact of record (64.2010(f))."""

    PASSWORD = "password"  # noqa: S105 - the name of a change, not a secret
    PIN = "pin"
    BACKUP_ANSWER = "backup_answer"
    ONLINE_ACCOUNT = "online_account"
    POSTAL_ADDRESS = "postal_address"
    EMAIL_ADDRESS = "email_address"
    TELEPHONE_NUMBER_OF_RECORD = "telephone_number_of_record"
