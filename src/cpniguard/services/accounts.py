"""Addresses and telephone numbers of record, as of any instant (DESIGN.md invariant 6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cpniguard.domain.accounts import ContactPoint, ServiceNumber, is_address_of_record, of_record_from
from cpniguard.domain.errors import NotFoundError
from cpniguard.services.ports import UnitOfWork, UnitOfWorkFactory


def account_key(uow: UnitOfWork, account_number: str) -> int:
    """The key of the account with this number; NotFoundError when there is none."""
    account_id = uow.accounts.key_of(account_number)
    if account_id is None:
        raise NotFoundError(f"no account {account_number}")
    return account_id


@dataclass(frozen=True, slots=True)
class ContactPointAsOf:
    """A contact point on the account at an instant, and whether it was of record then."""

    point: ContactPoint
    is_of_record: bool
    of_record_from: datetime | None


@dataclass(frozen=True, slots=True)
class ContactsOfRecord:
    """How an account could be reached at an instant, and what of it was of record."""

    contact_points: list[ContactPointAsOf]
    telephone_numbers_of_record: list[ServiceNumber]


def contact_points_as_of(
    *, account_number: str, at: datetime, uow_factory: UnitOfWorkFactory
) -> ContactsOfRecord:
    """The contact points and service numbers on the account at `at`.

    47 CFR 64.2003(b): an address is of record once it has been on the account 30 days;
    a younger one may not receive call detail or account-change notices (64.2010).
    64.2003(q): the telephone numbers of record are the service's numbers, never a
    contact number the customer gave. Raises NotFoundError for an unknown account.
    """
    with uow_factory() as uow:
        account_id = account_key(uow, account_number)
        history = uow.accounts.contact_points(account_id)
        numbers = uow.accounts.service_numbers(account_id)
    points = [
        ContactPointAsOf(point, is_address_of_record(point, at), of_record_from(point))
        for point in history
        if point.is_on_account_at(at)
    ]
    return ContactsOfRecord(points, [n for n in numbers if n.is_on_account_at(at)])
