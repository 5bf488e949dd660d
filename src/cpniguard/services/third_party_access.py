"""The third-party access log: written by the gate, read by compliance staff (47 CFR 64.2009(c)).

Every permitted gate decision that puts a customer's CPNI outside the carrier is recorded in the
transaction of its access-log entry (domain/third_party_access.py). Together with the campaign
register's disclosure log (campaign exports), it is the record of every instance RULES 5.3 asks.
"""

from __future__ import annotations

from datetime import datetime

from cpniguard.domain.audit import AccessLogEntry
from cpniguard.domain.disclosure_request import RecipientClass
from cpniguard.domain.errors import FieldProblem, InvalidInputError, period_problems
from cpniguard.domain.third_party_access import ThirdPartyAccess, is_third_party_access
from cpniguard.services.ports import UnitOfWork, UnitOfWorkFactory

MAX_PAGE = 1000
MAX_ID = 2**62
"""The largest record id a page may start after: beyond what either database's keys hold."""


def record_if_third_party(uow: UnitOfWork, permitted: AccessLogEntry, account_id: int, sequence: int) -> None:
    """Record the `permitted` decision logged at `sequence` if it puts CPNI outside the carrier."""
    if not is_third_party_access(permitted.recipient, permitted.data_category):
        return
    access = ThirdPartyAccess(
        access_log_sequence=sequence,
        account_id=account_id,
        recipient_class=RecipientClass(permitted.recipient),
        destination=permitted.destination,
        purpose=permitted.purpose,
        data_category=permitted.data_category,
        disclosed_at=permitted.occurred_at,
        disclosed_by=permitted.actor_id,
    )
    uow.third_party_access.record(access)


def third_party_access_log(
    *, uow_factory: UnitOfWorkFactory, first: datetime, last: datetime, after_id: int = 0, limit: int = 100
) -> list[ThirdPartyAccess]:
    """CPNI the gate let go outside the carrier from `first` to `last` inclusive, in the order recorded."""
    problems = period_problems(first, last)
    if not 1 <= limit <= MAX_PAGE:
        problems.append(FieldProblem("limit", f"must be from 1 to {MAX_PAGE}, not {limit}"))
    if not 0 <= after_id <= MAX_ID:
        problems.append(FieldProblem("after_id", f"must be from 0 to {MAX_ID}, not {after_id}"))
    if problems:
        raise InvalidInputError("the third-party access log cannot be read", tuple(problems))
    with uow_factory() as uow:
        return uow.third_party_access.between(first, last, after_id=after_id, limit=limit)
