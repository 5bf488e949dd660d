"""Bulk writes of the demo carrier: one multi-row INSERT per table and batch, never a row at a time.

Keys come back through INSERT ... RETURNING in parameter order (SQLAlchemy's
insertmanyvalues), so child rows (configurations, invoice lines) point at their parents
without a lookup per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update

from cpniguard.adapters.db.tables import (
    Account,
    Base,
    ContactPoint,
    Employee,
    Invoice,
    InvoiceLine,
    Service,
    ServiceConfiguration,
    ServiceNumber,
    SubscriberListEntry,
)
from cpniguard.adapters.db.unit_of_work import SessionTransaction
from cpniguard.domain.subscriber_list import is_subscriber_list_information
from cpniguard.services.ports import (
    DemoAccount,
    DemoContactPoint,
    DemoEmployee,
    DemoInvoice,
    DemoListing,
    DemoService,
)

CURRENCY = "USD"


class SqlDemoCarrierStore(SessionTransaction):
    """DemoCarrierStore over a session of its own; leaving without commit() rolls back."""

    def holds_accounts(self) -> bool:
        """Whether any account exists (one indexed row read)."""
        return self.session.execute(select(Account.id).limit(1)).first() is not None

    def add_accounts(self, rows: Sequence[DemoAccount]) -> dict[str, int]:
        """Insert the accounts; map each account number to its new key."""
        values = [
            {
                "account_number": a.account_number,
                "kind": a.kind,
                "language": a.language,
                "status": a.status,
                "account_holder_name": a.holder_name,
                "has_dedicated_representative": a.has_dedicated_representative,
                "has_cpni_contract": a.has_cpni_contract,
                "opened_at": a.opened_at,
                "closed_at": a.closed_at,
            }
            for a in rows
        ]
        ids = self._insert_returning_ids(Account, values)
        return dict(zip((a.account_number for a in rows), ids, strict=True))

    def add_contact_points(self, rows: Sequence[DemoContactPoint], *, account_ids: Mapping[str, int]) -> None:
        """Insert contact points with their spans."""
        values = [
            {
                "account_id": account_ids[p.account_number],
                "kind": p.kind,
                "value": p.value,
                "associated_at": p.associated_at,
                "dissociated_at": p.dissociated_at,
            }
            for p in rows
        ]
        self._insert(ContactPoint, values)

    def add_services(self, rows: Sequence[DemoService], *, account_ids: Mapping[str, int]) -> None:
        """Insert services, then their feature settings pointing at the new keys."""
        values = [
            {
                "account_id": account_ids[s.account_number],
                "category": s.category,
                "product_name": s.product_name,
                "started_at": s.started_at,
                "ended_at": s.ended_at,
            }
            for s in rows
        ]
        service_ids = self._insert_returning_ids(Service, values)
        numbers = [
            {
                "account_id": account_ids[s.account_number],
                "service_id": service_id,
                "telephone_number": s.telephone_number,
                "associated_at": s.started_at,
                "dissociated_at": s.ended_at,
            }
            for s, service_id in zip(rows, service_ids, strict=True)
        ]
        self._insert(ServiceNumber, numbers)
        features = [
            {
                "account_id": account_ids[s.account_number],
                "service_id": service_id,
                "feature": f.feature,
                "setting": f.setting,
                "configured_at": f.configured_at,
            }
            for s, service_id in zip(rows, service_ids, strict=True)
            for f in s.features
        ]
        self._insert(ServiceConfiguration, features)

    def add_invoices(self, rows: Sequence[DemoInvoice], *, account_ids: Mapping[str, int]) -> None:
        """Insert invoices, then their lines pointing at the new keys."""
        values = [
            {
                "account_id": account_ids[i.account_number],
                "invoice_number": i.invoice_number,
                "period_start": i.period_start,
                "period_end": i.period_end,
                "issued_at": i.issued_at,
                "total_cents": i.total_cents,
                "currency": CURRENCY,
            }
            for i in rows
        ]
        invoice_ids = self._insert_returning_ids(Invoice, values)
        lines = [
            {
                "account_id": account_ids[i.account_number],
                "invoice_id": invoice_id,
                "line_number": number,
                "charge_type": line.charge_type,
                "description": line.description,
                "quantity": line.quantity,
                "amount_cents": line.amount_cents,
            }
            for i, invoice_id in zip(rows, invoice_ids, strict=True)
            for number, line in enumerate(i.lines, start=1)
        ]
        self._insert(InvoiceLine, lines)

    def add_listings(self, rows: Sequence[DemoListing], *, account_ids: Mapping[str, int]) -> None:
        """Record each account's directory choice; store only published listings (222(h)(3))."""
        choices = [{"key": account_ids[e.account_number], "choice": e.listing_status} for e in rows]
        statement = (
            update(Account).where(Account.id == bindparam("key")).values(listing_status=bindparam("choice"))
        )
        self.session.connection().execute(statement, choices)
        values = [
            {
                "account_id": account_ids[entry.account_number],
                "listed_name": entry.listed_name,
                "listed_number": entry.listed_number,
                "listed_address": entry.listed_address,
                "advertising_classification": entry.advertising_classification,
            }
            for entry in rows
            if is_subscriber_list_information(entry.listing_status)
        ]
        self._insert(SubscriberListEntry, values)

    def add_employees(
        self, rows: Sequence[DemoEmployee], *, password_hashes: Mapping[str, str]
    ) -> dict[str, int]:
        """Insert employees with their password hashes; map each username to its key."""
        values = [
            {
                "username": e.username,
                "display_name": e.display_name,
                "role": e.role,
                "password_hash": password_hashes[e.username],
                "is_active": True,
                "created_at": e.created_at,
            }
            for e in rows
        ]
        ids = self._insert_returning_ids(Employee, values)
        return dict(zip((e.username for e in rows), ids, strict=True))

    def _insert(self, model: type[Base], values: list[dict[str, Any]]) -> None:
        if values:
            self.session.execute(insert(_table(model)), values)

    def _insert_returning_ids(self, model: type[Base], values: list[dict[str, Any]]) -> list[int]:
        if not values:
            return []
        table = _table(model)
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(key) for key in self.session.scalars(statement, values)]


def _table(model: type[Base]) -> Table:
    """The Core table behind `model`: Core executemany skips the ORM's per-row bookkeeping."""
    table = model.__table__
    assert isinstance(table, Table)  # noqa: S101  (every model here maps one table)
    return table
