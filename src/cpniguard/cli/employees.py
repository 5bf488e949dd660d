"""`cpniguard employees`: staff, their CPNI training and the disciplinary process (64.2009(b))."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.table import Table

from cpniguard.cli.context import (
    EXIT_BAD_INPUT,
    container,
    fail_with_input_error,
    not_found_exit,
    stderr,
    stdout,
)
from cpniguard.domain.employees import DisciplinaryAction, Role, TrainingRecord
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.services.employees import NewEmployee, add_employee
from cpniguard.services.ports import DisciplinaryRecord
from cpniguard.services.training import record_disciplinary_action, record_training, training_summary

app = typer.Typer(help="Employees, CPNI training and discipline.", no_args_is_help=True, add_completion=False)
RECORDED_BY = "cli"


def _aware(value: str, option: str) -> datetime:
    """An ISO 8601 instant with its UTC offset, or exit 2 naming the option."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        stderr.print(f"[red]error:[/] {option}: {value!r} is not an ISO 8601 instant with a UTC offset")
        raise typer.Exit(EXIT_BAD_INPUT)
    return parsed


@app.command()
def add(
    username: str = typer.Argument(..., help="Sign-in name."),
    name: str = typer.Option(..., "--name", help="Name shown in logs and pages."),
    role: Role = typer.Option(..., case_sensitive=False, help="What the employee may ask for."),
) -> None:
    """Add an employee; the generated password is printed once on stdout."""
    with container() as built:
        try:
            added = add_employee(
                uow_factory=built.unit_of_work,
                clock=built.clock,
                passwords=built.passwords,
                employee=NewEmployee(username, name, role),
            )
        except InvalidInputError as error:
            fail_with_input_error(error)
    stderr.print(
        f"employee {added.employee_id} {username} added as {role}; CPNI training: missing. Password:"
    )
    print(added.password)


@app.command()
def train(
    username: str = typer.Argument(..., help="The employee trained."),
    completed: str = typer.Option(..., help="When the training was completed (ISO 8601 with offset)."),
    expires: str = typer.Option(..., help="When it must be renewed (ISO 8601 with offset)."),
    course: str = typer.Option("CPNI safeguards", help="The course."),
) -> None:
    """Record a completed CPNI training (47 CFR 64.2009(b))."""
    record = TrainingRecord(_aware(completed, "--completed"), _aware(expires, "--expires"))
    with container() as built:
        try:
            record_training(
                uow_factory=built.unit_of_work,
                username=username,
                course=course,
                record=record,
                recorded_by=RECORDED_BY,
            )
        except InvalidInputError as error:
            fail_with_input_error(error)
        except NotFoundError as error:
            raise not_found_exit(error) from None
    stderr.print(f"training recorded for {username}, valid until {record.expires_at.isoformat()}")


@app.command()
def discipline(
    username: str = typer.Argument(..., help="The employee."),
    action: DisciplinaryAction = typer.Option(..., case_sensitive=False, help="The action taken."),
    reason: str = typer.Option(..., help="What it was for."),
    taken_at: str = typer.Option(..., help="When it was taken (ISO 8601 with offset)."),
) -> None:
    """Record a disciplinary action for CPNI misuse (47 CFR 64.2009(b))."""
    entry = DisciplinaryRecord(action, reason, _aware(taken_at, "--taken-at"), RECORDED_BY)
    with container() as built:
        try:
            record_disciplinary_action(uow_factory=built.unit_of_work, username=username, entry=entry)
        except NotFoundError as error:
            raise not_found_exit(error) from None
    stderr.print(f"{action} recorded for {username}")


@app.command()
def show(username: str = typer.Argument(..., help="The employee.")) -> None:
    """The employee's CPNI training status now, trainings and disciplinary actions."""
    with container() as built:
        try:
            summary = training_summary(uow_factory=built.unit_of_work, clock=built.clock, username=username)
        except NotFoundError as error:
            raise not_found_exit(error) from None
    stdout.print(f"{summary.username}: CPNI training {summary.status}")
    table = Table("completed", "expires")
    for training in summary.trainings:
        table.add_row(training.completed_at.isoformat(), training.expires_at.isoformat())
    stdout.print(table)
    for action in summary.disciplinary_actions:
        stdout.print(f"{action.taken_at.isoformat()} {action.action}: {action.reason} ({action.recorded_by})")
