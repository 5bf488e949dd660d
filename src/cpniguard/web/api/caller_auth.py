"""Caller authentication over HTTP: within an interaction, or a sign-in by account number (64.2010)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from http import HTTPStatus
from typing import Annotated, Self

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from cpniguard.bootstrap import Container
from cpniguard.domain.caller_auth import CallerAuthPolicy, PhotoId
from cpniguard.domain.credentials import PASSWORD_MAX_CHARS, ChallengeKind
from cpniguard.domain.lockout import LockoutPolicy
from cpniguard.services.caller_auth import (
    AuthenticationOutcome,
    AuthTools,
    SignIn,
    authenticate_by_business_contract,
    authenticate_by_password,
    authenticate_by_photo_id,
    sign_in_by_password,
)
from cpniguard.services.verification import answer_challenge, authenticate_by_backup_answer, issue_challenge
from cpniguard.web.api.disclosure import asker_of
from cpniguard.web.api.disclosure_schemas import E164_PATTERN, AccountNumber, one_of
from cpniguard.web.api.interactions import InteractionId, InteractionOut
from cpniguard.web.deps import ContainerDep, InteractionHandlerDep
from cpniguard.web.problems import FieldError, ProblemError, problem_responses

router = APIRouter(tags=["caller authentication"])
ChallengeId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Secret = Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX_CHARS)]
NOT_SIGNED_IN = (
    "Not authenticated: the account number or the secret is not right, or authentication is locked "
    "for now. Try again, or authenticate another way."
)
"""One answer for an unknown account, a wrong secret and a lock: it never tells which (64.2010(a))."""


def auth_tools(container: Container) -> AuthTools:
    """The tools authentication needs, with the carrier's lockout and alert numbers from the settings."""
    settings = container.settings.caller_auth
    lockout = LockoutPolicy(
        max_failures=settings.max_failures,
        window=timedelta(minutes=settings.failure_window_minutes),
        first_lock=timedelta(minutes=settings.first_lock_minutes),
        longest_lock=timedelta(minutes=settings.longest_lock_minutes),
    )
    policy = CallerAuthPolicy(
        lockout=lockout,
        pretexting_accounts=settings.pretexting_accounts,
        pretexting_window=timedelta(minutes=settings.pretexting_window_minutes),
        code_lifetime=timedelta(minutes=settings.code_lifetime_minutes),
        interaction_lifetime=timedelta(minutes=settings.interaction_timeout_minutes),
    )
    return AuthTools(container.unit_of_work, container.clock, container.passwords, policy)


class SecretIn(BaseModel):
    """A password or PIN the customer gave, unprompted by biographical or account information."""

    model_config = ConfigDict(extra="forbid")

    secret: Secret


class BackupAnswerIn(BaseModel):
    """The answer to the backup question the customer chose (lost password or PIN)."""

    model_config = ConfigDict(extra="forbid")

    answer: Secret


class PhotoIdIn(BaseModel):
    """What the representative reads off the photo ID shown in the store (64.2010(d))."""

    model_config = ConfigDict(extra="forbid")

    government_issued: bool
    name_on_id: str = Field(min_length=1, max_length=200)
    expires_on: date


class ChallengeIn(BaseModel):
    """Which proof to send to a contact of record; never a destination given by the caller."""

    model_config = ConfigDict(extra="forbid")

    kind: ChallengeKind = Field(description=one_of(ChallengeKind))


class CodeIn(BaseModel):
    """The code the customer says back; none for a callback the representative confirms."""

    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(default=None, min_length=1, max_length=16, pattern=r"^[0-9]+$")


class SignInIn(BaseModel):
    """A sign-in by account number and password or PIN (an IVR, the portal)."""

    model_config = ConfigDict(extra="forbid")

    account_number: AccountNumber
    channel: str = Field(min_length=1, max_length=64, description="`inbound_call` or `online`.")
    secret: Secret
    caller_number: str | None = Field(default=None, pattern=E164_PATTERN)


class AuthenticationOut(BaseModel):
    """Whether the attempt authenticated, what the interaction now proves, and what to know."""

    authenticated: bool
    interaction: InteractionOut
    locked_until: datetime | None = Field(description="Password and PIN are locked until then.")
    pretexting_alert: bool = Field(description="Failures from this caller number on many accounts.")
    problems: list[FieldError]

    @classmethod
    def of(cls, outcome: AuthenticationOutcome) -> Self:
        """The body for `outcome`."""
        return cls(
            authenticated=outcome.authenticated,
            interaction=InteractionOut.of(outcome.interaction),
            locked_until=outcome.locked_until,
            pretexting_alert=outcome.pretexting_alert,
            problems=[FieldError.of(problem) for problem in outcome.problems],
        )


class ChallengeOut(BaseModel):
    """A callback task opened, or a code sent, to a contact of record."""

    challenge_id: int
    kind: ChallengeKind
    destination: str = Field(description="The number of record to call back; an address, masked.")
    expires_at: datetime


class SignedInOut(BaseModel):
    """The interaction a successful sign-in opened, with the password method reached."""

    interaction: InteractionOut


_ANSWERS = problem_responses(403, 404, 422)


@router.post("/interactions/{interaction_id}/authentication/password", responses=_ANSWERS)
def by_password(
    container: ContainerDep, holder: InteractionHandlerDep, interaction_id: InteractionId, body: SecretIn
) -> AuthenticationOut:
    """Check the password or PIN the customer gave; repeated failures lock it (64.2010(a), (b))."""
    outcome = authenticate_by_password(
        tools=auth_tools(container), asker=asker_of(holder), interaction_id=interaction_id, secret=body.secret
    )
    return AuthenticationOut.of(outcome)


@router.post("/interactions/{interaction_id}/authentication/backup-answer", responses=_ANSWERS)
def by_backup_answer(
    container: ContainerDep,
    holder: InteractionHandlerDep,
    interaction_id: InteractionId,
    body: BackupAnswerIn,
) -> AuthenticationOut:
    """Backup authentication for a lost password or PIN (64.2010(e)), under the same lockout."""
    outcome = authenticate_by_backup_answer(
        tools=auth_tools(container), asker=asker_of(holder), interaction_id=interaction_id, answer=body.answer
    )
    return AuthenticationOut.of(outcome)


@router.post("/interactions/{interaction_id}/authentication/photo-id", responses=_ANSWERS)
def by_photo_id(
    container: ContainerDep, holder: InteractionHandlerDep, interaction_id: InteractionId, body: PhotoIdIn
) -> AuthenticationOut:
    """A valid, unexpired, government-issued photo ID matching the account, in a store (64.2010(d))."""
    photo_id = PhotoId(body.government_issued, body.name_on_id, body.expires_on)
    outcome = authenticate_by_photo_id(
        tools=auth_tools(container), asker=asker_of(holder), interaction_id=interaction_id, photo_id=photo_id
    )
    return AuthenticationOut.of(outcome)


@router.post("/interactions/{interaction_id}/authentication/business-contract", responses=_ANSWERS)
def by_business_contract(
    container: ContainerDep, holder: InteractionHandlerDep, interaction_id: InteractionId
) -> AuthenticationOut:
    """The business customer's contract method: only with both 64.2010(g) conditions."""
    outcome = authenticate_by_business_contract(
        tools=auth_tools(container), asker=asker_of(holder), interaction_id=interaction_id
    )
    return AuthenticationOut.of(outcome)


@router.post("/interactions/{interaction_id}/challenges", status_code=HTTPStatus.CREATED, responses=_ANSWERS)
def open_challenge(
    container: ContainerDep, _holder: InteractionHandlerDep, interaction_id: InteractionId, body: ChallengeIn
) -> ChallengeOut:
    """Open a callback task for the number of record, or send a code or letter to the address of record."""
    issued = issue_challenge(
        tools=auth_tools(container),
        renderer=container.renderer,
        interaction_id=interaction_id,
        kind=body.kind,
    )
    return ChallengeOut(
        challenge_id=issued.challenge_id,
        kind=issued.kind,
        destination=issued.destination,
        expires_at=issued.expires_at,
    )


@router.post("/interactions/{interaction_id}/challenges/{challenge_id}/answer", responses=_ANSWERS)
def answer_one(
    container: ContainerDep,
    holder: InteractionHandlerDep,
    interaction_id: InteractionId,
    challenge_id: ChallengeId,
    body: CodeIn,
) -> AuthenticationOut:
    """The code said back, or for a callback the representative's word that it reached the customer."""
    outcome = answer_challenge(
        tools=auth_tools(container),
        asker=asker_of(holder),
        interaction_id=interaction_id,
        challenge_id=challenge_id,
        code=body.code,
    )
    return AuthenticationOut.of(outcome)


@router.post("/sign-in", responses=problem_responses(401, 403, 422))
def sign_in(container: ContainerDep, holder: InteractionHandlerDep, body: SignInIn) -> SignedInOut:
    """Sign in by account number and password or PIN; the answer never tells whether the account exists."""
    attempt = SignIn(body.account_number, body.channel, body.secret, body.caller_number)
    found = sign_in_by_password(tools=auth_tools(container), asker=asker_of(holder), sign_in=attempt)
    if found is None:
        raise ProblemError(HTTPStatus.UNAUTHORIZED, NOT_SIGNED_IN)
    return SignedInOut(interaction=InteractionOut.of(found))
