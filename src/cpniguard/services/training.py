"""CPNI training and the disciplinary process (47 CFR 64.2009(b)).

An employee whose training is missing or expired is denied every use of CPNI by the gate;
these records are what the gate reads and what the annual certification draws on.
"""

from __future__ import annotations

from dataclasses import dataclass

from cpniguard.domain.employees import (
    TrainingRecord,
    TrainingStatus,
    training_status,
)
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.services.ports import Clock, DisciplinaryRecord, UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class TrainingSummary:
    """An employee's training status now, with the records behind it."""

    username: str
    status: TrainingStatus
    trainings: list[TrainingRecord]
    disciplinary_actions: list[DisciplinaryRecord]


def _employee(uow: UnitOfWork, username: str) -> int:
    employee_id = uow.training.employee_id(username)
    if employee_id is None:
        raise NotFoundError(f"no employee {username}")
    return employee_id


def record_training(
    *, uow_factory: UnitOfWorkFactory, username: str, course: str, record: TrainingRecord, recorded_by: str
) -> int:
    """Record a completed CPNI training (64.2009(b)); it must expire after it was completed."""
    if record.expires_at <= record.completed_at:
        problem = FieldProblem("expires_at", "must be after completed_at")
        raise InvalidInputError("the training record is not valid", (problem,))
    with uow_factory() as uow:
        key = uow.training.add_training(
            _employee(uow, username), course=course, record=record, recorded_by=recorded_by
        )
        uow.commit()
    return key


def record_disciplinary_action(
    *, uow_factory: UnitOfWorkFactory, username: str, entry: DisciplinaryRecord
) -> int:
    """Record an action of the express disciplinary process (64.2009(b))."""
    with uow_factory() as uow:
        key = uow.training.add_disciplinary_action(_employee(uow, username), entry)
        uow.commit()
    return key


def training_summary(*, uow_factory: UnitOfWorkFactory, clock: Clock, username: str) -> TrainingSummary:
    """The employee's training status now (64.2009(b)), trainings and disciplinary actions."""
    with uow_factory() as uow:
        employee_id = _employee(uow, username)
        trainings = uow.training.trainings(employee_id)
        actions = uow.training.disciplinary_actions(employee_id)
    return TrainingSummary(username, training_status(trainings, clock.now()), trainings, actions)
