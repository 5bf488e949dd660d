"""Synthetic test data, written through the real tables (never real identities)."""

from __future__ import annotations

import csv
import gzip
import itertools
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import Account, ContactPoint, Service, ServiceNumber
from cpniguard.domain.accounts import AccountKind, AccountStatus, ContactKind, Language, ServiceCategory
from cpniguard.domain.audit import AccessLogEntry, AuditEvent, LoggedReason
from cpniguard.domain.call_detail import CALL_DETAIL_COLUMNS

_sequence = itertools.count(1)
OPENED = datetime.fromisoformat("2025-01-15T12:00:00+00:00")


def add_account(
    session: Session,
    *,
    number: str | None = None,
    kind: AccountKind = AccountKind.RESIDENTIAL,
    language: Language = Language.EN,
    opened_at: datetime = OPENED,
) -> tuple[int, str]:
    """Insert an account; return (key, account number)."""
    number = number or f"T{next(_sequence):09d}"
    key = session.execute(
        insert(Account)
        .values(
            account_number=number,
            kind=kind,
            language=language,
            status=AccountStatus.ACTIVE,
            account_holder_name="Test Holder",
            has_dedicated_representative=False,
            has_cpni_contract=False,
            opened_at=opened_at,
        )
        .returning(Account.id)
    ).scalar_one()
    return key, number


def add_contact_point(
    session: Session,
    account_id: int,
    kind: ContactKind,
    value: str,
    *,
    associated_at: datetime,
    dissociated_at: datetime | None = None,
) -> int:
    return session.execute(
        insert(ContactPoint)
        .values(
            account_id=account_id,
            kind=kind,
            value=value,
            associated_at=associated_at,
            dissociated_at=dissociated_at,
        )
        .returning(ContactPoint.id)
    ).scalar_one()


def add_service(
    session: Session,
    account_id: int,
    *,
    category: ServiceCategory = ServiceCategory.LOCAL,
    telephone_number: str | None = "+12125550100",
    started_at: datetime = OPENED,
) -> int:
    """A service, and its number of record from the start of service when it has one."""
    service_id = session.execute(
        insert(Service)
        .values(account_id=account_id, category=category, product_name="Test line", started_at=started_at)
        .returning(Service.id)
    ).scalar_one()
    if telephone_number is not None:
        add_service_number(session, account_id, service_id, telephone_number, associated_at=started_at)
    return service_id


def add_service_number(
    session: Session,
    account_id: int,
    service_id: int,
    telephone_number: str,
    *,
    associated_at: datetime,
    dissociated_at: datetime | None = None,
) -> int:
    return session.execute(
        insert(ServiceNumber)
        .values(
            account_id=account_id,
            service_id=service_id,
            telephone_number=telephone_number,
            associated_at=associated_at,
            dissociated_at=dissociated_at,
        )
        .returning(ServiceNumber.id)
    ).scalar_one()


def cdr_row(account_number: str, record_id: str, **overrides: str) -> dict[str, str]:
    """A valid call detail row as a CSV would carry it."""
    row = {
        "source_system": "switch-a",
        "record_id": record_id,
        "account_number": account_number,
        "direction": "outbound",
        "call_type": "local",
        "calling_number": "+12125550100",
        "called_number": "+13125557890",
        "started_at": "2026-10-01T09:30:00-04:00",
        "answered_at": "2026-10-01T09:30:05-04:00",
        "duration_seconds": "125",
        "billable_seconds": "120",
        "cell_site": "",
    }
    row.update(overrides)
    return row


def many_cdr_rows(account_number: str, count: int, *, start: int = 0) -> list[dict[str, str]]:
    base = datetime.fromisoformat("2026-09-01T00:00:00+00:00")
    return [
        cdr_row(account_number, f"r{i}", started_at=(base + timedelta(minutes=i)).isoformat(), answered_at="")
        for i in range(start, start + count)
    ]


def write_cdr_csv(
    path: Path,
    rows: Iterable[Mapping[str, str]],
    *,
    columns: Iterable[str] = CALL_DETAIL_COLUMNS,
    compress: bool = False,
) -> Path:
    """Write rows under a header of `columns` (CSV, or gzip when `compress`)."""
    columns = list(columns)
    opener = gzip.open if compress else open
    with opener(path, "wt", newline="", encoding="utf-8") as handle:  # type: ignore[operator]
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return path


ENTRY_AT = datetime.fromisoformat("2026-11-02T15:00:00+00:00")


def access_log_entry(**overrides: object) -> AccessLogEntry:
    """A synthetic access-log entry: a representative permitted call detail on an inbound call."""
    values: dict[str, object] = {
        "event": AuditEvent.DISCLOSURE_PERMITTED,
        "occurred_at": ENTRY_AT,
        "actor_kind": "employee",
        "actor_id": "rep-0012",
        "actor_role": "representative",
        "account_id": 1,
        "data_category": "call_detail",
        "purpose": "provide_service",
        "channel": "inbound_call",
        "recipient": "customer",
        "destination": None,
        "interaction_id": 77,
        "authentication": ("password",),
        "outcome": "permit",
        "reasons": (
            LoggedReason(
                "auth.password", "47 CFR 64.2010(b)", "The caller gave the password set up for the account."
            ),
        ),
        "conditions": (),
        "rule_set": "cpni-2007",
    }
    values.update(overrides)
    return AccessLogEntry(**values)  # type: ignore[arg-type]
