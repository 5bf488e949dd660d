"""Accounts, their categories of service and their contact points of record.

An address of record is a postal or electronic address that has been on the account
for at least 30 days (47 CFR 64.2003(b)). The telephone number of record is the number
of the underlying service, never a contact number the customer typed in (64.2003(q)).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

ADDRESS_OF_RECORD_MIN_AGE_DAYS = 30
"""64.2003(b): an address becomes 'of record' after this many days on the account."""


class AccountKind(StrEnum):
    """Residential or business; business accounts may qualify for 64.2010(g)."""

    RESIDENTIAL = "residential"
    BUSINESS = "business"


class Language(StrEnum):
    """The language the customer is written to in (EN/FR, as the seed policy)."""

    EN = "en"
    FR = "fr"


class AccountStatus(StrEnum):
    """A 'customer' is one the carrier currently serves (64.2003(f))."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class ServiceCategory(StrEnum):
    """Categories of service for the total service approach (64.2005(a)).

    The rule names local, interexchange and CMRS; VoIP and international are kept apart
    because RULES.md 12.11 leaves their mapping open.
    """

    LOCAL = "local"
    INTEREXCHANGE = "interexchange"
    WIRELESS = "wireless"
    INTERCONNECTED_VOIP = "interconnected_voip"
    INTERNATIONAL = "international"
    OTHER = "other"


class ContactKind(StrEnum):
    """Kinds of contact point kept with history on an account."""

    POSTAL_ADDRESS = "postal_address"
    EMAIL_ADDRESS = "email_address"
    CONTACT_TELEPHONE = "contact_telephone"
    """A number the customer gave to be reached at: never a telephone number of record."""


ADDRESS_KINDS = frozenset({ContactKind.POSTAL_ADDRESS, ContactKind.EMAIL_ADDRESS})
"""The kinds that can become an address of record (postal or electronic, 64.2003(b))."""


def is_within(at: datetime, start: datetime, end: datetime | None) -> bool:
    """Whether `at` falls in the half-open span [start, end); an open end never closes."""
    return start <= at and (end is None or at < end)


@dataclass(frozen=True, slots=True)
class ContactPoint:
    """One contact point and the span during which it was on the account."""

    kind: ContactKind
    value: str
    associated_at: datetime
    dissociated_at: datetime | None = None

    def is_on_account_at(self, at: datetime) -> bool:
        """Whether the point was associated with the account at instant `at`."""
        return is_within(at, self.associated_at, self.dissociated_at)


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """A subscribed service in its category of service (64.2005(a))."""

    category: ServiceCategory
    started_at: datetime
    ended_at: datetime | None = None

    def is_active_at(self, at: datetime) -> bool:
        """Whether the customer subscribed to this service at instant `at`."""
        return is_within(at, self.started_at, self.ended_at)


@dataclass(frozen=True, slots=True)
class ServiceNumber:
    """A number of the underlying service and the span it was on it (64.2003(q))."""

    telephone_number: str
    associated_at: datetime
    dissociated_at: datetime | None = None

    def is_on_account_at(self, at: datetime) -> bool:
        """Whether the number was on the service at instant `at`."""
        return is_within(at, self.associated_at, self.dissociated_at)


def is_address_of_record(point: ContactPoint, at: datetime) -> bool:
    """Decide whether `point` is an address of record at `at`.

    47 CFR 64.2003(b): a postal or electronic address on the account for at least
    30 days. Contact telephone numbers never qualify (they are not addresses).
    """
    if point.kind not in ADDRESS_KINDS or not point.is_on_account_at(at):
        return False
    return at - point.associated_at >= timedelta(days=ADDRESS_OF_RECORD_MIN_AGE_DAYS)


def of_record_from(point: ContactPoint) -> datetime | None:
    """When `point` becomes (or became) an address of record (64.2003(b)).

    That is 30 days after it was put on the account; None for contact telephones,
    which never do, and for an address taken off the account before its 30th day.
    """
    if point.kind not in ADDRESS_KINDS:
        return None
    became = point.associated_at + timedelta(days=ADDRESS_OF_RECORD_MIN_AGE_DAYS)
    if point.dissociated_at is not None and point.dissociated_at <= became:
        return None
    return became


def addresses_of_record(
    points: Iterable[ContactPoint], kind: ContactKind, at: datetime
) -> list[ContactPoint]:
    """Return the addresses of `kind` that are of record at `at`, oldest first (64.2003(b))."""
    found = [p for p in points if p.kind is kind and is_address_of_record(p, at)]
    return sorted(found, key=lambda p: p.associated_at)


def telephone_numbers_of_record(numbers: Iterable[ServiceNumber], at: datetime) -> list[str]:
    """The service numbers on the account at `at`: its telephone numbers of record.

    47 CFR 64.2003(q): the number associated with the underlying service, never a contact
    number the customer supplied. Callbacks and notices by telephone go only to these.
    """
    return sorted({n.telephone_number for n in numbers if n.is_on_account_at(at)})


def subscribed_categories(services: Iterable[ServiceLine], at: datetime) -> frozenset[ServiceCategory]:
    """Return the categories of service the customer takes at `at` (64.2005(a))."""
    return frozenset(s.category for s in services if s.is_active_at(at))


def callback_numbers(numbers: Iterable[ServiceNumber], at: datetime) -> list[str]:
    """The telephone numbers of record a callback may go to at `at` (64.2010(b), 64.2003(q)).

    Policy beyond the rule: like an address of record (64.2003(b)), a number counts only
    after 30 days on the service, so a number just moved to a new SIM or ported in is
    not called back to authenticate.
    """
    settled = timedelta(days=ADDRESS_OF_RECORD_MIN_AGE_DAYS)
    return telephone_numbers_of_record((n for n in numbers if at - n.associated_at >= settled), at)
