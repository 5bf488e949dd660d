"""Exceptions the domain raises; entry points map them to HTTP, exit codes or pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class DomainError(Exception):
    """Base of every rule violation the domain reports."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with one input field, said so a person can fix it."""

    location: str
    message: str


class InvalidInputError(DomainError):
    """Input that breaks a rule of form (a number that is not E.164, a negative duration)."""

    def __init__(self, message: str, problems: tuple[FieldProblem, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems


class InputTooLargeError(InvalidInputError):
    """The input is larger than the entry point accepts, once read (e.g. decompressed)."""


class NotFoundError(DomainError):
    """A thing the request names does not exist."""


class NotPermittedError(DomainError):
    """The asker's role may not take this step (64.2009(a)); entry points answer 403."""


class CalendarRangeError(DomainError):
    """A date outside the years a business-day calendar was built for (47 CFR 1.4(e))."""


def period_problems(first: datetime, last: datetime) -> list[FieldProblem]:
    """What is wrong with a period from `first` to `last`: a missing offset, or an end before its start."""
    problems = [
        FieldProblem(name, "must carry a UTC offset")
        for name, moment in (("first", first), ("last", last))
        if moment.tzinfo is None
    ]
    if not problems and first > last:
        problems.append(FieldProblem("last", f"is before first ({first.isoformat()})"))
    return problems
