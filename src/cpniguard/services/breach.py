"""Recording a CPNI breach and reading its deadlines (47 CFR 64.2011; RULES.md 7, 8, 11.14-11.17).

A breach is opened under the carrier's reference; every fact learned and every step taken is
appended to its timeline with an access-log entry, in one transaction, once checked: bad input
writes nothing. The deadlines are computed from the stored timeline. The record is kept at least
2 years after the breach is closed (64.2011(d)); a purge inside that floor is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from cpniguard.domain.audit import AccessLogEntry, AuditEvent, LoggedReason
from cpniguard.domain.breach import BreachFacts, BreachRegime, Deadline
from cpniguard.domain.breach_deadlines import timeline_deadlines
from cpniguard.domain.breach_timeline import (
    MAX_REFERENCE_LENGTH,
    Breach,
    BreachEvent,
    BreachEventKind,
    BreachStatus,
    breach_event_problems,
    breach_purge_problem,
)
from cpniguard.domain.business_days import BusinessCalendar
from cpniguard.domain.consent_retention import RetentionFloorError
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from cpniguard.services.record_keeping import record_step_entry

MAX_LISTING = 1000
RECORD_CITATION = "47 CFR 64.2011(d)"


@dataclass(frozen=True, slots=True)
class BreachContext:
    """What recording a breach needs: the store and the time."""

    uow_factory: UnitOfWorkFactory
    clock: Clock


@dataclass(frozen=True, slots=True)
class BreachDeadlines:
    """A breach's deadlines, the regime they follow and the facts they were computed from."""

    breach: Breach
    regime: BreachRegime
    facts: BreachFacts
    deadlines: tuple[Deadline, ...]


def open_breach(context: BreachContext, *, reference: str, asker: Asker) -> Breach:
    """Open the record of a breach under the carrier's `reference` (64.2011(d): every breach is recorded).

    A reference already used is refused rather than reopened: two breaches never share a record.
    """
    problem = _reference_problem(reference)
    if problem is not None:
        raise InvalidInputError("the breach cannot be opened", (problem,))
    now = context.clock.now()
    with context.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        breach_id = uow.breaches.open(reference, now, asker.label)
        if breach_id is None:
            held = FieldProblem("reference", f"{reference!r} already names a breach")
            raise InvalidInputError("the breach cannot be opened", (held,))
        breach = Breach(breach_id, reference, now, asker.label)
        uow.access_log.append([_log_entry(breach, "opened", now, asker)])
        uow.commit()
    return breach


def _reference_problem(reference: str) -> FieldProblem | None:
    if not reference.strip() or reference != reference.strip():
        return FieldProblem("reference", "give the carrier's reference, without spaces around it")
    if len(reference) > MAX_REFERENCE_LENGTH:
        return FieldProblem("reference", f"is longer than {MAX_REFERENCE_LENGTH} characters")
    return None


def record_breach_event(
    context: BreachContext, *, breach_id: int, event: BreachEvent, asker: Asker
) -> BreachEvent:
    """Append `event` to the breach's timeline, with its access-log entry (64.2011(d); RULES 8.2, 8.8).

    The event may have happened earlier than now, not later; it is checked against the timeline
    (a determination never before the discovery, holds in writing of at most 30 days at first).
    """
    now = context.clock.now()
    event = replace(event, recorded_at=now, recorded_by=asker.label, id=None)
    if event.kind is BreachEventKind.STATUS_CHANGED and event.details.get("status") == BreachStatus.CLOSED:
        problem = FieldProblem(
            "details.status", "close the breach instead: closing starts its 2-year retention"
        )
        raise InvalidInputError("the breach event cannot be recorded", (problem,))
    with context.uow_factory() as uow:
        # The write lock before the first read: on SQLite a read then a write fails at once.
        uow.access_log.prepare_to_append()
        recorded = append_breach_event(uow, lock_open_breach(uow, breach_id), event, asker)
        uow.commit()
    return recorded


def lock_open_breach(uow: UnitOfWork, breach_id: int) -> Breach:
    """The breach, locked for writing; NotFoundError when unknown, InvalidInputError when closed."""
    breach = uow.breaches.lock(breach_id)
    if breach is None:
        raise NotFoundError(f"no breach {breach_id}")
    if breach.closed_at is not None:
        problem = FieldProblem(
            "breach_id", f"breach {breach.reference} was closed at {breach.closed_at.isoformat()}"
        )
        raise InvalidInputError("a closed breach's record takes no more events", (problem,))
    return breach


def append_breach_event(uow: UnitOfWork, breach: Breach, event: BreachEvent, asker: Asker) -> BreachEvent:
    """Check `event` against the timeline and append it, logged, in the caller's locked transaction."""
    problems = breach_event_problems(event, uow.breaches.events(breach.id))
    if problems:
        raise InvalidInputError("the breach event cannot be recorded", tuple(problems))
    recorded = replace(event, id=uow.breaches.append(breach.id, event))
    uow.access_log.append([_log_entry(breach, str(event.kind), event.recorded_at, asker)])
    return recorded


def breach_timeline(*, uow_factory: UnitOfWorkFactory, breach_id: int) -> list[BreachEvent]:
    """The breach's timeline in the order it was recorded (the 64.2011(d) record an auditor reads)."""
    with uow_factory() as uow:
        _breach(uow, breach_id)
        return uow.breaches.events(breach_id)


def breach_deadlines_for(
    *,
    uow_factory: UnitOfWorkFactory,
    breach_id: int,
    calendar: BusinessCalendar,
    amendments_effective_on: date | None,
    annual_summary_due: tuple[int, int] = (2, 1),
) -> BreachDeadlines:
    """The breach's notice deadlines from its stored timeline (47 CFR 64.2011; RULES 11.14-11.16).

    The regime follows the determination and the FCC 23-111 effective date (RULES section 0).
    Refused until the timeline holds both the discovery and the determination.
    """
    with uow_factory() as uow:
        breach = _breach(uow, breach_id)
        events = uow.breaches.events(breach_id)
    found = timeline_deadlines(
        events,
        calendar=calendar,
        amendments_effective_on=amendments_effective_on,
        annual_summary_due=annual_summary_due,
    )
    if found is None:
        problem = FieldProblem("timeline", "record the discovery and the determination first (RULES 11.15)")
        raise InvalidInputError("the breach's deadlines cannot be computed yet", (problem,))
    return BreachDeadlines(breach, found.regime, found.facts, found.deadlines)


def close_breach(context: BreachContext, *, breach_id: int, reason: str, asker: Asker) -> Breach:
    """Close the breach with a `status_changed` event: its 2-year retention starts now (64.2011(d))."""
    now = context.clock.now()
    event = _status_event(BreachStatus.CLOSED, reason, now, asker)
    with context.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        breach = lock_open_breach(uow, breach_id)
        append_breach_event(uow, breach, event, asker)
        uow.breaches.close(breach_id, now)
        uow.commit()
    return replace(breach, closed_at=now)


def reopen_breach(context: BreachContext, *, breach_id: int, reason: str, asker: Asker) -> Breach:
    """Reopen a closed breach with a `status_changed` event: new facts came to light (64.2011(d)).

    The record takes events again; its 2-year retention starts over at the next close.
    """
    now = context.clock.now()
    event = _status_event(BreachStatus.OPEN, reason, now, asker)
    with context.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        breach = uow.breaches.lock(breach_id)
        if breach is None:
            raise NotFoundError(f"no breach {breach_id}")
        if breach.closed_at is None:
            problem = FieldProblem(
                "breach_id", f"breach {breach.reference} is open: only a closed breach reopens"
            )
            raise InvalidInputError("the breach cannot be reopened", (problem,))
        append_breach_event(uow, breach, event, asker)
        uow.breaches.reopen(breach_id)
        uow.commit()
    return replace(breach, closed_at=None)


def _status_event(status: BreachStatus, reason: str, now: datetime, asker: Asker) -> BreachEvent:
    details = {"status": str(status), "reason": reason}
    return BreachEvent(BreachEventKind.STATUS_CHANGED, now, now, asker.label, details=details)


def breach_record(*, uow_factory: UnitOfWorkFactory, breach_id: int) -> Breach:
    """The breach with this id; NotFoundError when there is none."""
    with uow_factory() as uow:
        return _breach(uow, breach_id)


def list_breaches(
    *, uow_factory: UnitOfWorkFactory, closed: bool | None = None, after_id: int = 0, limit: int = 100
) -> list[Breach]:
    """Breaches in id order after `after_id`: closed ones (True), open ones (False), or all (None)."""
    if not 1 <= limit <= MAX_LISTING:
        problem = FieldProblem("limit", f"must be from 1 to {MAX_LISTING}, not {limit}")
        raise InvalidInputError("the breaches cannot be listed", (problem,))
    with uow_factory() as uow:
        return uow.breaches.listing(closed=closed, after_id=after_id, limit=limit)


def breach_status(events: list[BreachEvent], breach: Breach) -> BreachStatus:
    """Where the breach's handling stands: closed, or the latest status recorded (open by default)."""
    if breach.closed_at is not None:
        return BreachStatus.CLOSED
    changes = [e for e in events if e.kind is BreachEventKind.STATUS_CHANGED]
    return BreachStatus(changes[-1].details["status"]) if changes else BreachStatus.OPEN


def purge_breach(context: BreachContext, *, breach_id: int, asker: Asker) -> int:
    """Delete a breach's record once closed more than 2 years ago; how many events went.

    64.2011(d) legacy, kept by the amended rule (RULES 7.7, 8.8, 11.17): inside the floor, or
    while the breach is open, the purge is refused with RetentionFloorError and nothing is deleted.
    """
    now = context.clock.now()
    with context.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        breach = uow.breaches.lock(breach_id)
        if breach is None:
            raise NotFoundError(f"no breach {breach_id}")
        problem = breach_purge_problem(breach.closed_at, now)
        if problem is not None:
            raise RetentionFloorError(problem)
        removed = uow.breaches.purge(breach_id)
        uow.access_log.append([_log_entry(breach, "purged", now, asker)])
        uow.commit()
    return removed


def _breach(uow: UnitOfWork, breach_id: int) -> Breach:
    breach = uow.breaches.get(breach_id)
    if breach is None:
        raise NotFoundError(f"no breach {breach_id}")
    return breach


def log_breach_step(uow: UnitOfWork, breach: Breach, what: str, at: datetime, asker: Asker) -> None:
    """Write the access-log entry of a step taken on the breach's record, in the caller's transaction."""
    uow.access_log.append([_log_entry(breach, what, at, asker)])


def _log_entry(breach: Breach, what: str, at: datetime, asker: Asker) -> AccessLogEntry:
    reason = LoggedReason(f"breach.{what}", RECORD_CITATION, f"breach {breach.reference}: {what}")
    return record_step_entry(
        AuditEvent.BREACH_RECORDED, record="breach_record", what=what, reason=reason, at=at, asker=asker
    )
