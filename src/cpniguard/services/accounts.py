"""Contact points of record, as of any instant (DESIGN.md invariant 6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cpniguard.domain.accounts import ContactPoint, is_address_of_record, of_record_from
from cpniguard.domain.errors import NotFoundError
from cpniguard.services.ports import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class ContactPointAsOf:
    """A contact point on the account at an instant, and whether it was of record then."""

    point: ContactPoint
    is_of_record: bool
    of_record_from: datetime | None


def contact_points_as_of(
    *, account_number: str, at: datetime, uow_factory: UnitOfWorkFactory
) -> list[ContactPointAsOf]:
    """The contact points on the account at `at`, each saying whether it was of record.

    47 CFR 64.2003(b): an address is of record once it has been on the account 30 days;
    a younger one may not receive call detail or account-change notices (64.2010).
    Raises NotFoundError for an unknown account.
    """
    with uow_factory() as uow:
        account_id = uow.accounts.key_of(account_number)
        if account_id is None:
            raise NotFoundError(f"no account {account_number}")
        history = uow.accounts.contact_points(account_id)
    return [
        ContactPointAsOf(point, is_address_of_record(point, at), of_record_from(point))
        for point in history
        if point.is_on_account_at(at)
    ]
