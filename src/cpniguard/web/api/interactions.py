"""Interactions over HTTP: open one for a contact, read what it proved, end it (64.2010(a))."""

from __future__ import annotations

from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Annotated, Self

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from cpniguard.domain.disclosure_request import AuthenticationMethod, Channel
from cpniguard.domain.interactions import Interaction
from cpniguard.services.interactions import InteractionOpening, end_interaction, interaction, open_interaction
from cpniguard.web.api.disclosure_schemas import E164_PATTERN, AccountNumber, one_of
from cpniguard.web.deps import ContainerDep, InteractionHandlerDep
from cpniguard.web.problems import problem_responses

router = APIRouter(tags=["interactions"])
InteractionId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class InteractionIn(BaseModel):
    """A contact with a customer."""

    model_config = ConfigDict(extra="forbid")

    account_number: AccountNumber
    channel: str = Field(min_length=1, max_length=64, description=one_of(Channel))
    caller_number: str | None = Field(
        default=None,
        pattern=E164_PATTERN,
        description="The number an inbound call came from (kept, never called).",
    )


class InteractionOut(BaseModel):
    """An interaction and the authentication it has reached."""

    interaction_id: int
    channel: Channel
    started_at: datetime
    ended_at: datetime | None
    authentication: list[AuthenticationMethod]

    @classmethod
    def of(cls, found: Interaction) -> Self:
        """The body for `found`."""
        return cls(
            interaction_id=found.id,
            channel=found.channel,
            started_at=found.started_at,
            ended_at=found.ended_at,
            authentication=sorted(found.authentication),
        )


@router.post("/interactions", status_code=HTTPStatus.CREATED, responses=problem_responses(403, 404, 422))
def open_one(container: ContainerDep, holder: InteractionHandlerDep, body: InteractionIn) -> InteractionOut:
    """Open an interaction; authentication reached in it counts only while it is open."""
    lifetime = timedelta(minutes=container.settings.caller_auth.interaction_timeout_minutes)
    opening = InteractionOpening(
        body.account_number, body.channel, holder.employee_id, body.caller_number, lifetime
    )
    found = open_interaction(uow_factory=container.unit_of_work, clock=container.clock, opening=opening)
    return InteractionOut.of(found)


@router.get("/interactions/{interaction_id}", responses=problem_responses(403, 404, 422))
def read_one(
    container: ContainerDep, _holder: InteractionHandlerDep, interaction_id: InteractionId
) -> InteractionOut:
    """The interaction and what it has proven."""
    return InteractionOut.of(interaction(uow_factory=container.unit_of_work, interaction_id=interaction_id))


@router.post("/interactions/{interaction_id}/end", responses=problem_responses(403, 404, 422))
def end_one(
    container: ContainerDep, _holder: InteractionHandlerDep, interaction_id: InteractionId
) -> InteractionOut:
    """End the interaction; what it proved stops counting."""
    found = end_interaction(
        uow_factory=container.unit_of_work, clock=container.clock, interaction_id=interaction_id
    )
    return InteractionOut.of(found)
