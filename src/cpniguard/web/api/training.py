"""CPNI training and disciplinary records over HTTP (47 CFR 64.2009(b))."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Self

from fastapi import APIRouter, Path
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from cpniguard.domain.employees import DisciplinaryAction, TrainingRecord, TrainingStatus
from cpniguard.services.ports import DisciplinaryRecord
from cpniguard.services.training import (
    TrainingSummary,
    record_disciplinary_action,
    record_training,
    training_summary,
)
from cpniguard.web.api.schemas import NO_CONTROL_CHARACTERS
from cpniguard.web.deps import ContainerDep, TrainingReaderDep, TrainingRecorderDep
from cpniguard.web.problems import problem_responses

router = APIRouter(tags=["training"])
Username = Annotated[str, Path(min_length=1, max_length=64, pattern=NO_CONTROL_CHARACTERS)]
Text = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_CONTROL_CHARACTERS)]


class TrainingIn(BaseModel):
    """A completed CPNI training."""

    model_config = ConfigDict(extra="forbid")

    course: Text
    completed_at: AwareDatetime
    expires_at: AwareDatetime = Field(description="When it must be renewed; after completed_at.")


class DisciplinaryActionIn(BaseModel):
    """An action of the disciplinary process."""

    model_config = ConfigDict(extra="forbid")

    action: DisciplinaryAction
    reason: str = Field(min_length=1, max_length=1000, pattern=NO_CONTROL_CHARACTERS)
    taken_at: AwareDatetime


class RecordedOut(BaseModel):
    """The key of what was recorded."""

    id: int


class TrainingOut(BaseModel):
    """A completed training."""

    completed_at: datetime
    expires_at: datetime


class DisciplinaryActionOut(BaseModel):
    """A recorded disciplinary action."""

    action: DisciplinaryAction
    reason: str
    taken_at: datetime
    recorded_by: str


class TrainingSummaryOut(BaseModel):
    """Whether the employee may use CPNI now, and the records behind it."""

    username: str
    status: TrainingStatus
    trainings: list[TrainingOut]
    disciplinary_actions: list[DisciplinaryActionOut]

    @classmethod
    def of(cls, summary: TrainingSummary) -> Self:
        """The body for `summary`."""
        return cls(
            username=summary.username,
            status=summary.status,
            trainings=[
                TrainingOut(completed_at=t.completed_at, expires_at=t.expires_at) for t in summary.trainings
            ],
            disciplinary_actions=[
                DisciplinaryActionOut(
                    action=d.action, reason=d.reason, taken_at=d.taken_at, recorded_by=d.recorded_by
                )
                for d in summary.disciplinary_actions
            ],
        )


@router.post(
    "/employees/{username}/trainings",
    status_code=HTTPStatus.CREATED,
    responses=problem_responses(403, 404, 422),
)
def add_training(
    container: ContainerDep, holder: TrainingRecorderDep, username: Username, body: TrainingIn
) -> RecordedOut:
    """Record a completed CPNI training (64.2009(b))."""
    record = TrainingRecord(body.completed_at, body.expires_at)
    key = record_training(
        uow_factory=container.unit_of_work,
        username=username,
        course=body.course,
        record=record,
        recorded_by=holder.label,
    )
    return RecordedOut(id=key)


@router.post(
    "/employees/{username}/disciplinary-actions",
    status_code=HTTPStatus.CREATED,
    responses=problem_responses(403, 404, 422),
)
def add_disciplinary_action(
    container: ContainerDep, holder: TrainingRecorderDep, username: Username, body: DisciplinaryActionIn
) -> RecordedOut:
    """Record a disciplinary action for CPNI misuse (64.2009(b))."""
    entry = DisciplinaryRecord(body.action, body.reason, body.taken_at, holder.label)
    return RecordedOut(
        id=record_disciplinary_action(uow_factory=container.unit_of_work, username=username, entry=entry)
    )


@router.get("/employees/{username}/training", responses=problem_responses(403, 404, 422))
def read_training(
    container: ContainerDep, _holder: TrainingReaderDep, username: Username
) -> TrainingSummaryOut:
    """The employee's training status now, trainings and disciplinary actions."""
    summary = training_summary(uow_factory=container.unit_of_work, clock=container.clock, username=username)
    return TrainingSummaryOut.of(summary)
