"""Issuing and checking bearer tokens for employees and integrations."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cpniguard.domain.api_tokens import (
    TOKEN_PREFIX,
    TOKEN_RANDOM_BYTES,
    is_well_formed_token,
    token_digest,
    token_label,
)
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import NotFoundError
from cpniguard.services.ports import Clock, TokenHolder, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: the secret is shown once and never stored."""

    token_id: int
    secret: str
    role: Role
    label: str


def issue_api_token(
    *, role: Role, label: str, employee_id: int | None, uow_factory: UnitOfWorkFactory, clock: Clock
) -> IssuedToken:
    """Create a bearer token with `role`; only its digest is kept."""
    label = token_label(label)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_RANDOM_BYTES)
    with uow_factory() as uow:
        token_id = uow.api_tokens.add(
            token_hash=token_digest(secret),
            label=label,
            role=role,
            employee_id=employee_id,
            created_at=clock.now(),
        )
        uow.commit()
    return IssuedToken(token_id=token_id, secret=secret, role=role, label=label)


def authenticate_api_token(*, token: str, uow_factory: UnitOfWorkFactory) -> TokenHolder | None:
    """Who `token` speaks for, or None when it is malformed, unknown or revoked."""
    if not is_well_formed_token(token):
        return None
    with uow_factory() as uow:
        return uow.api_tokens.holder_of(token_digest(token))


def revoke_api_token(*, token_id: int, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    """Revoke a token at once; later requests with it are refused. NotFoundError if unknown."""
    with uow_factory() as uow:
        if not uow.api_tokens.revoke(token_id, at=clock.now()):
            raise NotFoundError(f"no unrevoked token {token_id}")
        uow.commit()
