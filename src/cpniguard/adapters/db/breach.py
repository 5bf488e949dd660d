"""The breach record in the database (47 CFR 64.2011(d); RULES.md 7.7, 8.8).

`breach_events` is append-only: this store inserts and, for the purge of a whole breach past
its retention only, deletes; a trigger refuses UPDATE. Times come back as aware UTC instants.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import RowMapping, Select, String, cast, delete, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cpniguard.adapters.db.consent_notices import addresses_of_record
from cpniguard.adapters.db.tables import (
    Account,
    BreachAffectedAccountRecord,
    BreachEventRecord,
    BreachRecord,
    CommissionClosureRecord,
    OutboxMessage,
)
from cpniguard.domain.accounts import Language
from cpniguard.domain.breach_timeline import Breach, BreachEvent, BreachEventKind
from cpniguard.domain.business_days import CommissionClosure
from cpniguard.services.breach_ports import AffectedCustomer

_BREACHES = BreachRecord.__table__.c
_EVENTS = BreachEventRecord.__table__.c
_AFFECTED = BreachAffectedAccountRecord.__table__.c
_ACCOUNTS = Account.__table__.c
_CLOSURES = CommissionClosureRecord.__table__.c
AFFECTED_INSERT_ROWS = 5_000
"""Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement."""


class SqlBreachStore:
    """BreachStore over an SQLAlchemy session: every call joins the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def open(self, reference: str, at: datetime, by: str) -> int | None:
        """Insert a breach; None, writing nothing, when `reference` already names one.

        A concurrent open of the same reference that commits first makes the insert fail on the
        unique key, inside a savepoint, so the caller's transaction goes on with the same None.
        """
        if self.by_reference(reference) is not None:
            return None
        values = {"reference": reference, "opened_at": at, "opened_by": by, "closed_at": None}
        try:
            with self._session.begin_nested():
                statement = insert(BreachRecord).values(**values).returning(_BREACHES.id)
                return int(self._session.execute(statement).scalar_one())
        except IntegrityError:
            if self.by_reference(reference) is not None:
                return None
            raise

    def get(self, breach_id: int) -> Breach | None:
        """The breach with this id."""
        row = self._session.execute(_breach_query().where(_BREACHES.id == breach_id)).mappings().one_or_none()
        return None if row is None else _breach(row)

    def lock(self, breach_id: int) -> Breach | None:
        """The breach, its row locked on PostgreSQL until the transaction ends.

        SQLite has one write lock for the whole database, which the caller takes first (the
        access log's `prepare_to_append`), so the plain read is enough there.
        """
        query = _breach_query().where(_BREACHES.id == breach_id)
        if self._session.get_bind().dialect.name != "sqlite":
            query = query.with_for_update()
        row = self._session.execute(query).mappings().one_or_none()
        return None if row is None else _breach(row)

    def by_reference(self, reference: str) -> Breach | None:
        """The breach the carrier calls `reference`."""
        query = _breach_query().where(_BREACHES.reference == reference)
        row = self._session.execute(query).mappings().one_or_none()
        return None if row is None else _breach(row)

    def append(self, breach_id: int, event: BreachEvent) -> int:
        """Insert `event` into the breach's timeline (checked by the caller); its id."""
        values = {
            "breach_id": breach_id,
            "kind": event.kind,
            "occurred_at": event.occurred_at,
            "recorded_at": event.recorded_at,
            "recorded_by": event.recorded_by,
            "details": dict(event.details),
        }
        statement = insert(BreachEventRecord).values(**values).returning(_EVENTS.id)
        return int(self._session.execute(statement).scalar_one())

    def events(self, breach_id: int) -> list[BreachEvent]:
        """The breach's timeline with ids, in the order it was recorded."""
        query = select(BreachEventRecord.__table__).where(_EVENTS.breach_id == breach_id).order_by(_EVENTS.id)
        return [_event(row) for row in self._session.execute(query).mappings()]

    def close(self, breach_id: int, at: datetime) -> None:
        """Set when the breach closed: its 2-year retention starts (64.2011(d))."""
        self._session.execute(update(BreachRecord).where(_BREACHES.id == breach_id).values(closed_at=at))

    def purge(self, breach_id: int) -> int:
        """Delete the breach, its timeline and affected accounts (floor checked); how many events went."""
        removed = self._session.execute(delete(BreachEventRecord).where(_EVENTS.breach_id == breach_id))
        self._session.execute(delete(BreachAffectedAccountRecord).where(_AFFECTED.breach_id == breach_id))
        self._session.execute(delete(BreachRecord).where(_BREACHES.id == breach_id))
        return int(removed.rowcount)  # type: ignore[attr-defined]

    def reopen(self, breach_id: int) -> None:
        """Clear the closing: the record takes events again, and its retention waits for the next close."""
        self._session.execute(update(BreachRecord).where(_BREACHES.id == breach_id).values(closed_at=None))

    def listing(self, *, closed: bool | None = None, after_id: int = 0, limit: int = 100) -> list[Breach]:
        """Breaches in id order after `after_id`: closed ones (True), open ones (False), or all (None)."""
        query = _breach_query().where(_BREACHES.id > after_id).order_by(_BREACHES.id).limit(limit)
        if closed is not None:
            query = query.where(_BREACHES.closed_at.is_not(None) if closed else _BREACHES.closed_at.is_(None))
        return [_breach(row) for row in self._session.execute(query).mappings()]

    def add_affected(self, breach_id: int, account_ids: Sequence[int], at: datetime, by: str) -> int:
        """Record the accounts not recorded yet as affected by the breach; how many were new."""
        wanted, added = sorted(set(account_ids)), 0
        for start in range(0, len(wanted), AFFECTED_INSERT_ROWS):
            chunk = wanted[start : start + AFFECTED_INSERT_ROWS]
            held = set(
                self._session.scalars(
                    select(_AFFECTED.account_id).where(
                        _AFFECTED.breach_id == breach_id, _AFFECTED.account_id.in_(chunk)
                    )
                )
            )
            rows = [
                {"breach_id": breach_id, "account_id": account_id, "added_at": at, "added_by": by}
                for account_id in chunk
                if account_id not in held
            ]
            if rows:
                self._session.execute(insert(BreachAffectedAccountRecord), rows)
            added += len(rows)
        return added

    def affected_accounts(self, breach_id: int, *, after_account_id: int = 0, limit: int = 1000) -> list[int]:
        """The affected accounts' keys in ascending order after `after_account_id`."""
        query = (
            select(_AFFECTED.account_id)
            .where(_AFFECTED.breach_id == breach_id, _AFFECTED.account_id > after_account_id)
            .order_by(_AFFECTED.account_id)
            .limit(limit)
        )
        return list(self._session.scalars(query))

    def affected_customers(
        self, breach_id: int, *, as_of: datetime, after_account_id: int = 0, limit: int = 1000
    ) -> list[AffectedCustomer]:
        """The affected accounts in key order, with their email and postal address of record at `as_of`."""
        query = (
            select(_ACCOUNTS.id, _ACCOUNTS.account_number, _ACCOUNTS.language)
            .join(BreachAffectedAccountRecord, _AFFECTED.account_id == _ACCOUNTS.id)
            .where(_AFFECTED.breach_id == breach_id, _AFFECTED.account_id > after_account_id)
            .order_by(_AFFECTED.account_id)
            .limit(limit)
        )
        rows = self._session.execute(query).all()
        addresses = addresses_of_record(self._session, [row.id for row in rows], as_of=as_of)
        return [
            AffectedCustomer(
                account_id=row.id,
                account_number=row.account_number,
                language=Language(row.language),
                email_of_record=addresses[row.id].email if row.id in addresses else None,
                postal_address_of_record=addresses[row.id].postal if row.id in addresses else None,
            )
            for row in rows
        ]

    def affected_count(self, breach_id: int) -> int:
        """How many accounts are recorded as affected."""
        query = (
            select(func.count())
            .select_from(BreachAffectedAccountRecord)
            .where(_AFFECTED.breach_id == breach_id)
        )
        return int(self._session.scalar(query) or 0)

    def affected_with_message(
        self, breach_id: int, key_prefix: str, *, after_message_id: int = 0
    ) -> tuple[int, int | None]:
        """How many affected accounts' notices the outbox holds after `after_message_id`, and the last.

        A notice is the message keyed `{key_prefix}{account key}`; the last is its outbox id (None
        when there is none).

        Each affected account's key is looked up in the outbox's unique index, rather than every
        message's key matched against a pattern.
        """
        key = literal(key_prefix, String) + cast(_AFFECTED.account_id, String)
        query = (
            select(func.count(OutboxMessage.id), func.max(OutboxMessage.id))
            .select_from(BreachAffectedAccountRecord)
            .join(OutboxMessage, OutboxMessage.idempotency_key == key)
            .where(_AFFECTED.breach_id == breach_id, OutboxMessage.id > after_message_id)
        )
        count, highest = self._session.execute(query).one()
        return int(count or 0), None if highest is None else int(highest)


class SqlCommissionClosures:
    """CommissionClosureStore over an SQLAlchemy session (47 CFR 1.4(e)(1); RULES 10.4)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, closure: CommissionClosure) -> bool:
        """Record `closure`; False, writing nothing, when its day is already recorded."""
        if self._session.get(CommissionClosureRecord, closure.day) is not None:
            return False
        values = {
            "day": closure.day,
            "reason": closure.reason,
            "added_at": closure.added_at,
            "added_by": closure.added_by,
        }
        try:
            with self._session.begin_nested():
                self._session.execute(insert(CommissionClosureRecord).values(**values))
        except IntegrityError:
            return False
        return True

    def remove(self, day: date) -> bool:
        """Delete the closure of `day`; False when none was recorded."""
        removed = self._session.execute(delete(CommissionClosureRecord).where(_CLOSURES.day == day))
        return bool(removed.rowcount)  # type: ignore[attr-defined]

    def listing(self, first: date | None = None, last: date | None = None) -> list[CommissionClosure]:
        """The recorded closures between `first` and `last` inclusive, in date order."""
        query = select(CommissionClosureRecord.__table__).order_by(_CLOSURES.day)
        if first is not None:
            query = query.where(_CLOSURES.day >= first)
        if last is not None:
            query = query.where(_CLOSURES.day <= last)
        return [
            CommissionClosure(row["day"], row["reason"], row["added_at"], row["added_by"])
            for row in self._session.execute(query).mappings()
        ]


def _breach_query() -> Select[Any]:
    return select(
        _BREACHES.id, _BREACHES.reference, _BREACHES.opened_at, _BREACHES.opened_by, _BREACHES.closed_at
    )


def _breach(row: RowMapping) -> Breach:
    return Breach(row["id"], row["reference"], row["opened_at"], row["opened_by"], row["closed_at"])


def _event(row: RowMapping) -> BreachEvent:
    return BreachEvent(
        kind=BreachEventKind(row["kind"]),
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        recorded_by=row["recorded_by"],
        id=row["id"],
        details={str(key): str(value) for key, value in row["details"].items()},
    )
