"""Opening and ending interactions: the frame that authentication belongs to (64.2010(a))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from cpniguard.domain.call_detail import e164_problem
from cpniguard.domain.disclosure_request import Channel
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.domain.interactions import DEFAULT_INTERACTION_LIFETIME, Interaction
from cpniguard.services.accounts import account_key
from cpniguard.services.ports import Clock, InteractionRecord, UnitOfWorkFactory


def _channel(value: str) -> Channel:
    if value not in frozenset(Channel):
        problem = FieldProblem("channel", f"{value[:40]!r} is not a channel; one of: {', '.join(Channel)}")
        raise InvalidInputError("the interaction is not valid", (problem,))
    return Channel(value)


@dataclass(frozen=True, slots=True)
class InteractionOpening:
    """Who is in contact, on which channel, handled by whom."""

    account_number: str
    channel: str
    employee_id: int | None = None
    caller_number: str | None = None
    lifetime: timedelta = DEFAULT_INTERACTION_LIFETIME
    """How long it counts if nobody ends it (64.2010(a): authentication is per contact)."""


def open_interaction(
    *, uow_factory: UnitOfWorkFactory, clock: Clock, opening: InteractionOpening
) -> Interaction:
    """Open an interaction with the account's customer on `channel`.

    The caller's number is kept for the record, never for a callback: callbacks go only
    to the telephone number of record (64.2003(q), 64.2010(b)).
    """
    kind = _channel(opening.channel)
    caller_number, account_number = opening.caller_number, opening.account_number
    if caller_number is not None and (problem := e164_problem(caller_number)):
        raise InvalidInputError("the interaction is not valid", (FieldProblem("caller_number", problem),))
    with uow_factory() as uow:
        account_id = account_key(uow, account_number)
        now = clock.now()
        record = InteractionRecord(
            account_id, kind, opening.employee_id, caller_number, now, now + opening.lifetime
        )
        interaction_id = uow.interactions.open(record)
        found = uow.interactions.get(interaction_id)
        uow.commit()
    assert found is not None  # noqa: S101 - just inserted in this transaction
    return found


def interaction(*, uow_factory: UnitOfWorkFactory, interaction_id: int) -> Interaction:
    """The interaction and the authentication it reached; NotFoundError when there is none."""
    with uow_factory() as uow:
        found = uow.interactions.get(interaction_id)
    if found is None:
        raise NotFoundError(f"no interaction {interaction_id}")
    return found


def end_interaction(*, uow_factory: UnitOfWorkFactory, clock: Clock, interaction_id: int) -> Interaction:
    """End the interaction; what it proved stops counting (64.2010(a)). Ending twice is harmless."""
    with uow_factory() as uow:
        if uow.interactions.get(interaction_id) is None:
            raise NotFoundError(f"no interaction {interaction_id}")
        uow.interactions.end(interaction_id, at=clock.now())
        found = uow.interactions.get(interaction_id)
        uow.commit()
    assert found is not None  # noqa: S101 - checked above, in this transaction
    return found
