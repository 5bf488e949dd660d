"""Adding employees: each signs in with a role, and is trained before any use of CPNI (64.2009(b))."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from cpniguard.domain.employees import Role
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.services.ports import Clock, PasswordHasher, UnitOfWorkFactory

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
PASSWORD_RANDOM_BYTES = 18
DISPLAY_NAME_MAX_CHARS = 200


@dataclass(frozen=True, slots=True)
class NewEmployee:
    """Who to add."""

    username: str
    display_name: str
    role: Role


@dataclass(frozen=True, slots=True)
class AddedEmployee:
    """An employee just added, with the generated password shown once."""

    employee_id: int
    password: str


def _problems(employee: NewEmployee) -> list[FieldProblem]:
    problems = []
    if not USERNAME.fullmatch(employee.username):
        problems.append(
            FieldProblem("username", "1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit")
        )
    if (
        not 1 <= len(employee.display_name) <= DISPLAY_NAME_MAX_CHARS
        or not employee.display_name.isprintable()
    ):
        problems.append(FieldProblem("display_name", f"1-{DISPLAY_NAME_MAX_CHARS} printable characters"))
    if employee.role is Role.INTEGRATION:
        problems.append(FieldProblem("role", "integrations are not employees; issue them a token instead"))
    return problems


def add_employee(
    *, uow_factory: UnitOfWorkFactory, clock: Clock, passwords: PasswordHasher, employee: NewEmployee
) -> AddedEmployee:
    """Add an employee with a generated password (argon2id). Their training starts missing."""
    problems = _problems(employee)
    if problems:
        raise InvalidInputError("the employee is not valid", tuple(problems))
    password = secrets.token_urlsafe(PASSWORD_RANDOM_BYTES)
    with uow_factory() as uow:
        if uow.employees.find(employee.username) is not None:
            taken = FieldProblem("username", f"{employee.username!r} is taken")
            raise InvalidInputError("the employee is not valid", (taken,))
        employee_id = uow.employees.add(
            username=employee.username,
            display_name=employee.display_name,
            role=employee.role,
            password_hash=passwords.hash(password),
            created_at=clock.now(),
        )
        uow.commit()
    return AddedEmployee(employee_id, password)


def employee_key(*, uow_factory: UnitOfWorkFactory, username: str | None, role: Role) -> int | None:
    """The key of the employee a token will act for; their role must be the token's."""
    if username is None:
        return None
    with uow_factory() as uow:
        found = uow.employees.find(username)
    if found is None or found[1] is not role:
        problem = FieldProblem("--employee", f"no employee {username!r} with role {role}")
        raise InvalidInputError("the token cannot be issued", (problem,))
    return found[0]
