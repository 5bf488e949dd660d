"""An account's contact points, and which were of record at a given instant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from cpniguard.services.accounts import contact_points_as_of
from cpniguard.web.api.disclosure_schemas import AccountNumberPath
from cpniguard.web.api.schemas import ContactPointsOut
from cpniguard.web.deps import ContactPointReaderDep, ContainerDep
from cpniguard.web.problems import problem_responses

router = APIRouter(tags=["accounts"])


@router.get("/accounts/{account_number}/contact-points", responses=problem_responses(403, 404, 422))
def contact_points(
    container: ContainerDep,
    _reader: ContactPointReaderDep,
    account_number: AccountNumberPath,
    as_of: Annotated[
        AwareDatetime | None, Query(description="The instant asked about, with a UTC offset; default now.")
    ] = None,
) -> ContactPointsOut:
    """The postal addresses, emails, contact telephones and service numbers on the account at `as_of`.

    Each address says whether it was an address of record then (on the account 30 days,
    47 CFR 64.2003(b)) and from when it is one; the service numbers are the telephone
    numbers of record (64.2003(q)).
    """
    at = as_of or container.clock.now()
    found = contact_points_as_of(account_number=account_number, at=at, uow_factory=container.unit_of_work)
    return ContactPointsOut.of(account_number, at, found)
