"""The server's clock, read, pinned or moved by an administrator: development and test only.

DESIGN.md invariant 9: black-box tests against a running server must be able to cross
a 30-day waiting period (47 CFR 64.2008(d)(1)) or a deadline. The app mounts these routes
only outside production and only over an AdjustableClock, so production answers 404.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends

from cpniguard.adapters.clock import AdjustableClock
from cpniguard.bootstrap import Container
from cpniguard.config import Environment
from cpniguard.domain.errors import FieldProblem
from cpniguard.web.api.schemas import ClockChange, ClockOut
from cpniguard.web.deps import ContainerDep, require_administrator
from cpniguard.web.problems import ProblemError, problem_responses

router = APIRouter(
    prefix="/admin/clock",
    tags=["development"],
    dependencies=[Depends(require_administrator)],
    responses=problem_responses(HTTPStatus.FORBIDDEN),
)


def is_clock_adjustable(container: Container) -> bool:
    """Whether this server may have its clock moved: never in production."""
    production = container.settings.environment is Environment.PRODUCTION
    return not production and isinstance(container.clock, AdjustableClock)


def _adjustable_clock(container: ContainerDep) -> AdjustableClock:
    clock = container.clock
    if is_clock_adjustable(container) and isinstance(clock, AdjustableClock):
        return clock
    raise ProblemError(HTTPStatus.NOT_FOUND, "This server's clock cannot be moved.")


ClockDep = Annotated[AdjustableClock, Depends(_adjustable_clock)]


@router.get("")
def read_clock(clock: ClockDep) -> ClockOut:
    """The time the server works with."""
    return ClockOut(now=clock.now())


@router.post("", responses=problem_responses(HTTPStatus.UNPROCESSABLE_ENTITY))
def change_clock(change: ClockChange, clock: ClockDep) -> ClockOut:
    """Pin the clock at `pin_at`, or move it by `advance_by`; answers the new time."""
    if change.pin_at is not None:
        clock.pin(_in_utc(change.pin_at))
    elif change.advance_by is not None:
        clock.advance(_within_calendar(clock, change.advance_by))
    return ClockOut(now=clock.now())


def _in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise _outside_calendar("body.pin_at", "falls outside the years 1 to 9999 in UTC") from None


def _within_calendar(clock: AdjustableClock, delta: timedelta) -> timedelta:
    try:
        clock.now() + delta
    except OverflowError:
        raise _outside_calendar(
            "body.advance_by", "would move the clock outside the years 1 to 9999"
        ) from None
    return delta


def _outside_calendar(location: str, message: str) -> ProblemError:
    problem = FieldProblem(location, message)
    return ProblemError(HTTPStatus.UNPROCESSABLE_ENTITY, "The clock cannot move that far.", errors=(problem,))
