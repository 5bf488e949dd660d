"""Opt-out channel probes and failure incidents in the database (47 CFR 64.2009(f)).

Every customer must be able to opt out at any hour at no cost (RULES.md 4.9); a failure of
an opt-out mechanism beyond an anomaly needs a letter to the FCC within 5 business days.
Probes are test opt-outs sent through each channel; incidents hold what the letter states.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, exists, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import ConsentEventRecord, OptOutFailureIncident, OptOutProbe
from cpniguard.domain.consent_events import ConsentEventKind, ConsentSource
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.services.consent_ports import FailureIncident, ProbeRecord

NONCE_CHARACTERS = 64
ERROR_CHARACTERS = 1000
CHANNEL_SEPARATOR = ","

_PROBE_COLUMNS = (
    OptOutProbe.id,
    OptOutProbe.channel,
    OptOutProbe.nonce,
    OptOutProbe.sent_at,
    OptOutProbe.succeeded,
    OptOutProbe.error,
)
_INCIDENT_COLUMNS = (
    OptOutFailureIncident.id,
    OptOutFailureIncident.channels,
    OptOutFailureIncident.determined_at,
    OptOutFailureIncident.letter_due_on,
    OptOutFailureIncident.problem,
    OptOutFailureIncident.remedy,
    OptOutFailureIncident.remedy_date,
    OptOutFailureIncident.state_commission_notice,
    OptOutFailureIncident.customer_notice,
    OptOutFailureIncident.letter_sent_at,
    OptOutFailureIncident.closed_at,
)
_NEWEST_INCIDENT_FIRST = (OptOutFailureIncident.determined_at.desc(), OptOutFailureIncident.id.desc())


def _probe(row: Row[*tuple[Any, ...]]) -> ProbeRecord:
    return ProbeRecord(row.id, ConsentSource(row.channel), row.nonce, row.sent_at, row.succeeded, row.error)


def _incident(row: Row[*tuple[Any, ...]]) -> FailureIncident:
    return FailureIncident(
        id=row.id,
        channels=tuple(ConsentSource(name) for name in row.channels.split(CHANNEL_SEPARATOR)),
        determined_at=row.determined_at,
        letter_due_on=row.letter_due_on,
        problem=row.problem,
        remedy=row.remedy,
        remedy_date=row.remedy_date,
        state_commission_notice=row.state_commission_notice,
        customer_notice=row.customer_notice,
        letter_sent_at=row.letter_sent_at,
        closed_at=row.closed_at,
    )


def _includes(channel: ConsentSource) -> ColumnElement[bool]:
    # Fenced with separators so one channel's name never matches inside another's.
    fenced = literal(CHANNEL_SEPARATOR) + OptOutFailureIncident.channels + literal(CHANNEL_SEPARATOR)
    return fenced.contains(f"{CHANNEL_SEPARATOR}{channel}{CHANNEL_SEPARATOR}", autoescape=True)


def incident_problems(incident: FailureIncident) -> tuple[FieldProblem, ...]:
    """What keeps `incident` from being opened: no channel, a channel twice, no problem stated."""
    problems = []
    if not incident.channels:
        problems.append(FieldProblem("channels", "name at least one failing opt-out channel"))
    if len(set(incident.channels)) != len(incident.channels):
        problems.append(FieldProblem("channels", "name each channel once"))
    if not incident.problem.strip():
        problems.append(FieldProblem("problem", "say what failed: the FCC letter states it (64.2009(f))"))
    return tuple(problems)


class SqlOptOutMonitorStore:
    """OptOutMonitorStore over an SQLAlchemy session (64.2009(f))."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add_probe(self, channel: ConsentSource, nonce: str, *, at: datetime) -> int:
        """Record a test opt-out through `channel` as sent at `at`; its nonce marks it in the ledger."""
        if problems := self._nonce_problems(nonce):
            raise InvalidInputError("the probe cannot be recorded", problems)
        statement = insert(OptOutProbe).values(channel=channel, nonce=nonce, sent_at=at)
        return int(self._session.execute(statement.returning(OptOutProbe.id)).scalar_one())

    def pending_probes(self, *, sent_before: datetime) -> list[ProbeRecord]:
        """Probes without an outcome sent before `sent_before`, oldest first."""
        statement = (
            select(*_PROBE_COLUMNS)
            .where(OptOutProbe.succeeded.is_(None), OptOutProbe.sent_at < sent_before)
            .order_by(OptOutProbe.sent_at, OptOutProbe.id)
        )
        return [_probe(row) for row in self._session.execute(statement)]

    def settle_probe(self, probe_id: int, *, succeeded: bool, error: str | None, at: datetime) -> None:
        """Record a pending probe's outcome once; a settled or unknown probe is NotFoundError."""
        statement = (
            update(OptOutProbe)
            .where(OptOutProbe.id == probe_id, OptOutProbe.succeeded.is_(None))
            .values(
                succeeded=succeeded, error=None if error is None else error[:ERROR_CHARACTERS], checked_at=at
            )
            .returning(OptOutProbe.id)
        )
        if self._session.execute(statement).scalar_one_or_none() is None:
            raise NotFoundError(f"no pending opt-out probe {probe_id}")

    def recent_probes(self, channel: ConsentSource, *, limit: int) -> list[ProbeRecord]:
        """The channel's settled probes, newest first."""
        statement = (
            select(*_PROBE_COLUMNS)
            .where(OptOutProbe.channel == channel, OptOutProbe.succeeded.is_not(None))
            .order_by(OptOutProbe.sent_at.desc(), OptOutProbe.id.desc())
            .limit(limit)
        )
        return [_probe(row) for row in self._session.execute(statement)]

    def open_incident(self, channel: ConsentSource) -> FailureIncident | None:
        """The newest incident not closed that names `channel`."""
        statement = (
            select(*_INCIDENT_COLUMNS)
            .where(OptOutFailureIncident.closed_at.is_(None), _includes(channel))
            .order_by(*_NEWEST_INCIDENT_FIRST)
            .limit(1)
        )
        row = self._session.execute(statement).first()
        return None if row is None else _incident(row)

    def add_incident(self, incident: FailureIncident) -> int:
        """Open `incident` (its id is ignored); return its key."""
        if problems := incident_problems(incident):
            raise InvalidInputError("the opt-out failure incident cannot be opened", problems)
        statement = insert(OptOutFailureIncident).values(
            channels=CHANNEL_SEPARATOR.join(incident.channels),
            determined_at=incident.determined_at,
            letter_due_on=incident.letter_due_on,
            problem=incident.problem,
            **_follow_up(incident),
        )
        return int(self._session.execute(statement.returning(OptOutFailureIncident.id)).scalar_one())

    def incident(self, incident_id: int) -> FailureIncident | None:
        """The incident with this key."""
        statement = select(*_INCIDENT_COLUMNS).where(OptOutFailureIncident.id == incident_id)
        row = self._session.execute(statement).one_or_none()
        return None if row is None else _incident(row)

    def incidents(self, *, limit: int) -> list[FailureIncident]:
        """Incidents, newest first."""
        statement = select(*_INCIDENT_COLUMNS).order_by(*_NEWEST_INCIDENT_FIRST).limit(limit)
        return [_incident(row) for row in self._session.execute(statement)]

    def update_incident(self, incident: FailureIncident) -> None:
        """Store the remedy, the notices, the letter and the closing of `incident`."""
        statement = (
            update(OptOutFailureIncident)
            .where(OptOutFailureIncident.id == incident.id)
            .values(**_follow_up(incident))
            .returning(OptOutFailureIncident.id)
        )
        if self._session.execute(statement).scalar_one_or_none() is None:
            raise NotFoundError(f"no opt-out failure incident {incident.id}")

    def consent_event_marked(self, mark: str, *, since: datetime) -> bool:
        """Whether an opt-out recorded at or after `since` carries `mark` as its reference or in its evidence.

        A probe's opt-out keeps its mark as the reference when the channel sets it (the portal)
        and inside its evidence when the channel writes its own (the mailbox: the Message-ID).
        """
        if not mark.strip():
            return False
        record = ConsentEventRecord
        marked = or_(record.reference == mark, record.evidence.contains(mark, autoescape=True))
        opt_out = exists().where(
            record.kind == ConsentEventKind.OPTED_OUT, record.recorded_at >= since, marked
        )
        return bool(self._session.scalar(select(opt_out)))

    def _nonce_problems(self, nonce: str) -> tuple[FieldProblem, ...]:
        if not nonce.strip():
            return (FieldProblem("nonce", "must not be empty"),)
        if len(nonce) > NONCE_CHARACTERS:
            return (FieldProblem("nonce", f"is {len(nonce)} characters long; at most {NONCE_CHARACTERS}"),)
        if self._session.scalar(select(exists().where(OptOutProbe.nonce == nonce))):
            return (FieldProblem("nonce", "is already used by another probe"),)
        return ()


def _follow_up(incident: FailureIncident) -> dict[str, object]:
    return {
        "remedy": incident.remedy,
        "remedy_date": incident.remedy_date,
        "state_commission_notice": incident.state_commission_notice,
        "customer_notice": incident.customer_notice,
        "letter_sent_at": incident.letter_sent_at,
        "closed_at": incident.closed_at,
    }
