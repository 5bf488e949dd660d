"""The only reads of CPNI (DESIGN.md invariant 1): each takes a permit from the gate.

Call detail, bills and services leave the database only here, and only for the account,
data class and purpose a logged decision permitted (47 CFR 64.2009(a)). The disclosure
profile reads subscribed categories too: that is the gate's own use, to decide.
tests/unit/test_gate_is_the_only_cpni_reader.py fails when a CPNI table is read elsewhere.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import Account, CallDetailRecord, ConsentState, Invoice, Service
from cpniguard.domain.accounts import AccountKind, ServiceCategory
from cpniguard.domain.call_detail import CallDetail
from cpniguard.domain.classification import DataClass
from cpniguard.domain.disclosure import Permit
from cpniguard.domain.disclosure_request import Approval, RecipientClass
from cpniguard.domain.errors import NotFoundError
from cpniguard.domain.subscriber_list import ListingStatus
from cpniguard.services.ports import DisclosureProfile, InvoiceSummary, SubscribedService

_RECORDS = CallDetailRecord.__table__.c
_CALL_DETAIL = (
    select(*(_RECORDS[name] for name in CallDetail._fields))
    .where(
        _RECORDS.account_id == bindparam("account_id"),
        _RECORDS.started_at >= bindparam("start"),
        _RECORDS.started_at < bindparam("end"),
    )
    .order_by(_RECORDS.started_at, _RECORDS.id)
    .limit(bindparam("limit"))
)
_STATED_CALL_DETAIL = _CALL_DETAIL.where(
    or_(_RECORDS.calling_number == bindparam("number"), _RECORDS.called_number == bindparam("number"))
)
"""Built once: building a select costs more than running it for one account's month.
The second is for a permit bound to the call detail the customer stated (64.2010(b))."""


class PermitMismatchError(PermissionError):
    """A read was asked with a permit for another account or another class of data."""


def _require(permit: Permit, data_category: DataClass) -> None:
    if permit.data_category is not data_category:
        msg = f"permit {permit.access_log_sequence} is for {permit.data_category}, not {data_category}"
        raise PermitMismatchError(msg)


class SqlCpniStore:
    """CpniStore over an SQLAlchemy session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def disclosure_profile(self, account_id: int, *, at: datetime) -> DisclosureProfile:
        """Account flags, categories subscribed at `at`, and approvals (the gate's own use)."""
        account = self._session.get(Account, account_id)
        if account is None:
            msg = f"no account with key {account_id}"
            raise NotFoundError(msg)
        categories = self._session.scalars(
            select(Service.category).where(
                Service.account_id == account_id,
                Service.started_at <= at,
                or_(Service.ended_at.is_(None), Service.ended_at > at),
            )
        )
        approvals = self._session.execute(
            select(ConsentState.recipient_class, ConsentState.approval).where(
                ConsentState.account_id == account_id,
                ConsentState.partner == "",
                ConsentState.valid_from <= at,
                or_(ConsentState.valid_until.is_(None), ConsentState.valid_until > at),
            )
        )
        return DisclosureProfile(
            is_business_account=account.kind == AccountKind.BUSINESS,
            has_dedicated_representative=account.has_dedicated_representative,
            has_cpni_contract=account.has_cpni_contract,
            listing_status=ListingStatus(account.listing_status),
            subscribed_categories=frozenset(ServiceCategory(c) for c in categories),
            approvals={RecipientClass(r): Approval(a) for r, a in approvals},
        )

    def call_detail(self, permit: Permit, *, start: datetime, end: datetime, limit: int) -> list[CallDetail]:
        """The permitted account's calls in [start, end), oldest first (64.2003(d), 64.2010(b))."""
        _require(permit, DataClass.CALL_DETAIL)
        parameters = {"account_id": permit.account_id, "start": start, "end": end, "limit": limit}
        statement = _CALL_DETAIL
        if permit.stated_call_number is not None:  # only the calls the customer described
            statement, parameters["number"] = _STATED_CALL_DETAIL, permit.stated_call_number
        return [CallDetail(*row) for row in self._session.execute(statement, parameters)]

    def invoices(self, permit: Permit, *, limit: int) -> list[InvoiceSummary]:
        """The permitted account's bills, newest first (222(h)(1)(B))."""
        _require(permit, DataClass.CPNI)
        rows = self._session.execute(
            select(
                Invoice.invoice_number,
                Invoice.period_start,
                Invoice.period_end,
                Invoice.issued_at,
                Invoice.total_cents,
                Invoice.currency,
            )
            .where(Invoice.account_id == permit.account_id)
            .order_by(Invoice.issued_at.desc(), Invoice.id.desc())
            .limit(limit)
        )
        return [InvoiceSummary(*row) for row in rows]

    def services(self, permit: Permit) -> list[SubscribedService]:
        """The permitted account's services, oldest first (222(h)(1)(A))."""
        _require(permit, DataClass.CPNI)
        rows = self._session.execute(
            select(Service.category, Service.product_name, Service.started_at, Service.ended_at)
            .where(Service.account_id == permit.account_id)
            .order_by(Service.started_at, Service.id)
        )
        return [SubscribedService(ServiceCategory(c), name, start, end) for c, name, start, end in rows]
