"""Setting a customer's password, PIN, backup question and answer, or online account (64.2010(e), (f))."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from cpniguard.domain.credentials import PASSWORD_MAX_CHARS, QUESTION_MAX_CHARS, CredentialKind
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services.credentials import CredentialTools, NewCredential, set_credential
from cpniguard.web.api.disclosure import asker_of
from cpniguard.web.api.disclosure_schemas import AccountNumberPath, one_of
from cpniguard.web.deps import ContainerDep, InteractionHandlerDep
from cpniguard.web.problems import problem_responses

router = APIRouter(tags=["credentials"])
Kind = Annotated[CredentialKind, Path(description=one_of(CredentialKind))]


class CredentialIn(BaseModel):
    """A new secret; set only after the customer authenticated in the interaction, or at activation."""

    model_config = ConfigDict(extra="forbid")

    secret: str = Field(
        min_length=1, max_length=PASSWORD_MAX_CHARS, description="The password, PIN or backup answer."
    )
    interaction_id: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="The interaction the customer authenticated in."
    )
    question: str | None = Field(
        default=None, min_length=1, max_length=QUESTION_MAX_CHARS, description="For a backup answer."
    )
    login: str | None = Field(
        default=None, min_length=1, max_length=120, description="For an online account: its sign-in name."
    )


class NoticeOut(BaseModel):
    """The 64.2010(f) notice written to the outbox (to the contact of record before the change)."""

    channel: NoticeChannel
    template: str


class CredentialOut(BaseModel):
    """What was set and when; never the secret."""

    kind: CredentialKind
    set_at: datetime
    at_activation: bool = Field(description="Set when service started: no notice (64.2010(f)).")
    notice: NoticeOut | None


@router.put("/accounts/{account_number}/credentials/{kind}", responses=problem_responses(403, 404, 422))
def put_credential(
    container: ContainerDep,
    holder: InteractionHandlerDep,
    account_number: AccountNumberPath,
    kind: Kind,
    body: CredentialIn,
) -> CredentialOut:
    """Set or change a credential; a change after activation notifies the old contact of record."""
    tools = CredentialTools(container.unit_of_work, container.clock, container.passwords, container.renderer)
    new = NewCredential(account_number, kind, body.secret, body.interaction_id, body.question, body.login)
    done = set_credential(tools=tools, asker=asker_of(holder), new=new)
    notice = (
        None if done.notice is None else NoticeOut(channel=done.notice.channel, template=done.notice.template)
    )
    return CredentialOut(kind=done.kind, set_at=done.set_at, at_activation=done.at_activation, notice=notice)
