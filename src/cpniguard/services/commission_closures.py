"""The administrator's list of days the FCC's offices were closed (47 CFR 1.4(e)(1); RULES 10.4).

Federal holidays come from the calendar package; an executive-order day off, an emergency or a
shutdown is recorded here, and every business-day count made after that skips it. Adding or
removing a day is written to the access log, since it moves deadlines.
"""

from __future__ import annotations

from datetime import date, datetime

from cpniguard.domain.audit import AccessLogEntry, AuditEvent, LoggedReason
from cpniguard.domain.business_days import CommissionClosure, closure_problems
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.services.breach import BreachContext
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import UnitOfWorkFactory
from cpniguard.services.record_keeping import record_step_entry

CITATION = "47 CFR 1.4(e)(1)"


def add_closure(context: BreachContext, *, day: date, reason: str, asker: Asker) -> CommissionClosure:
    """Record that the Commission was closed on `day`; refused for a weekend, no reason, or a day held."""
    problems = closure_problems(day, reason)
    if problems:
        raise InvalidInputError("the closure cannot be recorded", tuple(problems))
    now = context.clock.now()
    closure = CommissionClosure(day, reason.strip(), now, asker.label)
    with context.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        if not uow.commission_closures.add(closure):
            held = FieldProblem("day", f"{day} is already recorded as a closure")
            raise InvalidInputError("the closure cannot be recorded", (held,))
        uow.access_log.append([_log_entry(f"added {day}", now, asker)])
        uow.commit()
    return closure


def remove_closure(context: BreachContext, *, day: date, asker: Asker) -> None:
    """Take `day` off the list (recorded in error); NotFoundError when it is not on it."""
    now = context.clock.now()
    with context.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        if not uow.commission_closures.remove(day):
            raise NotFoundError(f"{day} is not recorded as a closure")
        uow.access_log.append([_log_entry(f"removed {day}", now, asker)])
        uow.commit()


def list_closures(
    *, uow_factory: UnitOfWorkFactory, first: date | None = None, last: date | None = None
) -> list[CommissionClosure]:
    """The recorded closures between `first` and `last` inclusive, in date order."""
    if first is not None and last is not None and last < first:
        problem = FieldProblem("last", f"{last} is before {first}")
        raise InvalidInputError("the closures cannot be listed", (problem,))
    with uow_factory() as uow:
        return uow.commission_closures.listing(first, last)


def _log_entry(what: str, at: datetime, asker: Asker) -> AccessLogEntry:
    reason = LoggedReason("calendar.closure", CITATION, f"Commission closure {what}")
    return record_step_entry(
        AuditEvent.BREACH_RECORDED, record="business_calendar", what=what, reason=reason, at=at, asker=asker
    )
