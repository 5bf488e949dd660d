"""The breach record in the database (47 CFR 64.2011(d); RULES.md 7.7, 8.8).

`breach_events` is append-only: this store inserts and, for the purge of a whole breach past
its retention only, deletes; a trigger refuses UPDATE. Times come back as aware UTC instants.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, Select, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import BreachEventRecord, BreachRecord
from cpniguard.domain.breach_timeline import Breach, BreachEvent, BreachEventKind

_BREACHES = BreachRecord.__table__.c
_EVENTS = BreachEventRecord.__table__.c


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
        """Delete the breach and its timeline (the caller checked the floor); how many events went."""
        removed = self._session.execute(delete(BreachEventRecord).where(_EVENTS.breach_id == breach_id))
        self._session.execute(delete(BreachRecord).where(_BREACHES.id == breach_id))
        return int(removed.rowcount)  # type: ignore[attr-defined]


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
