"""CPNI training and disciplinary records (64.2009(b))."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import DisciplinaryActionRecord, Employee, EmployeeTraining
from cpniguard.domain.employees import DisciplinaryAction, TrainingRecord
from cpniguard.services.ports import DisciplinaryRecord


class SqlTrainingRepository:
    """TrainingRepository over an SQLAlchemy session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def employee_id(self, username: str) -> int | None:
        """The employee's key by sign-in name."""
        return self._session.scalar(select(Employee.id).where(Employee.username == username))

    def trainings(self, employee_id: int) -> list[TrainingRecord]:
        """Every completed training, oldest first."""
        rows = self._session.execute(
            select(EmployeeTraining.completed_at, EmployeeTraining.expires_at)
            .where(EmployeeTraining.employee_id == employee_id)
            .order_by(EmployeeTraining.completed_at, EmployeeTraining.id)
        )
        return [TrainingRecord(completed, expires) for completed, expires in rows]

    def add_training(self, employee_id: int, *, course: str, record: TrainingRecord, recorded_by: str) -> int:
        """Insert a completed training."""
        statement = insert(EmployeeTraining).values(
            employee_id=employee_id,
            course=course,
            completed_at=record.completed_at,
            expires_at=record.expires_at,
            recorded_by=recorded_by,
        )
        return int(self._session.execute(statement.returning(EmployeeTraining.id)).scalar_one())

    def add_disciplinary_action(self, employee_id: int, record: DisciplinaryRecord) -> int:
        """Insert a disciplinary action."""
        statement = insert(DisciplinaryActionRecord).values(
            employee_id=employee_id,
            action=record.action,
            reason=record.reason,
            taken_at=record.taken_at,
            recorded_by=record.recorded_by,
        )
        return int(self._session.execute(statement.returning(DisciplinaryActionRecord.id)).scalar_one())

    def disciplinary_actions(self, employee_id: int) -> list[DisciplinaryRecord]:
        """The employee's actions, oldest first."""
        rows = self._session.execute(
            select(
                DisciplinaryActionRecord.action,
                DisciplinaryActionRecord.reason,
                DisciplinaryActionRecord.taken_at,
                DisciplinaryActionRecord.recorded_by,
            )
            .where(DisciplinaryActionRecord.employee_id == employee_id)
            .order_by(DisciplinaryActionRecord.taken_at, DisciplinaryActionRecord.id)
        )
        return [DisciplinaryRecord(DisciplinaryAction(a), reason, at, by) for a, reason, at, by in rows]
