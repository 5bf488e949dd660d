"""Setting a password, PIN, backup question and answer, or online account (47 CFR 64.2010(e), (f)).

A secret is set only by a customer who has authenticated in the interaction without
biographical or account information (any method the interaction reached), or at activation.
Secrets built on the account's numbers, telephone numbers or birth date are refused; only the
argon2id hash is kept. A change after activation writes the 64.2010(f) notice to the old
contact of record in the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from cpniguard.domain.accounts import ContactKind, telephone_numbers_of_record
from cpniguard.domain.audit import AuditEvent
from cpniguard.domain.caller_auth import is_set_at_activation
from cpniguard.domain.credentials import (
    AccountFacts,
    CredentialKind,
    backup_question_problems,
    normalized_answer,
    password_problems,
    pin_problems,
)
from cpniguard.domain.disclosure_request import AuthenticationMethod, Channel
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.domain.interactions import Interaction
from cpniguard.domain.notifications import AccountChange
from cpniguard.services.caller_auth import Attempted, log_event
from cpniguard.services.disclosure import Asker
from cpniguard.services.notices import notify_account_change
from cpniguard.services.ports import (
    Clock,
    MessageRenderer,
    OutboundMessage,
    PasswordHasher,
    StoredCredential,
    UnitOfWork,
    UnitOfWorkFactory,
)

LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9._@+-]{3,120}$")
_POSTAL_CODE = re.compile(r"\b\d{5}(?:-\d{4})?\b")


@dataclass(frozen=True, slots=True)
class NewCredential:
    """A secret to set, as the entry point received it."""

    account_number: str
    kind: str
    secret: str
    interaction_id: int | None = None
    question: str | None = None
    login: str | None = None


@dataclass(frozen=True, slots=True)
class CredentialSet:
    """What was set, when, and the notice written for it (none at activation)."""

    kind: CredentialKind
    set_at: datetime
    at_activation: bool
    notice: OutboundMessage | None


@dataclass(frozen=True, slots=True)
class CredentialTools:
    """What setting a credential needs from the composition root."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    hasher: PasswordHasher
    renderer: MessageRenderer


def _kind(value: str) -> CredentialKind:
    if value not in frozenset(CredentialKind):
        problem = FieldProblem(
            "kind", f"{value[:40]!r} is not a credential; one of: {', '.join(CredentialKind)}"
        )
        raise InvalidInputError("the credential is not valid", (problem,))
    return CredentialKind(value)


def _facts(uow: UnitOfWork, account_id: int, account_number: str, at: datetime) -> AccountFacts:
    numbers = telephone_numbers_of_record(uow.accounts.service_numbers(account_id), at)
    points = uow.accounts.contact_points(account_id)
    codes = [
        code
        for point in points
        if point.kind is ContactKind.POSTAL_ADDRESS
        for code in _POSTAL_CODE.findall(point.value)
    ]
    return AccountFacts(account_number, tuple(numbers), None, tuple(codes))


def secret_problems(new: NewCredential, kind: CredentialKind, facts: AccountFacts) -> list[FieldProblem]:
    """Everything wrong with the secret for its kind (64.2010(e); 64.2003(a), (m))."""
    if kind is CredentialKind.PIN:
        return [FieldProblem("secret", p.message) for p in pin_problems(new.secret, facts)]
    if kind is CredentialKind.BACKUP_ANSWER:
        found = backup_question_problems(new.question or "", new.secret, facts)
        return [FieldProblem("secret" if p.location == "answer" else p.location, p.message) for p in found]
    problems = [FieldProblem("secret", p.message) for p in password_problems(new.secret, facts)]
    if kind is CredentialKind.ONLINE_ACCOUNT and not LOGIN_PATTERN.match(new.login or ""):
        problems.append(FieldProblem("login", "must be 3 to 120 letters, digits or . _ @ + -"))
    return problems


def _proven(uow: UnitOfWork, found: Interaction | None, at: datetime) -> tuple[str, ...]:
    """What the interaction had proven when the secret was set (nothing at activation)."""
    if found is None:
        return ()
    methods = sorted(found.authentication_at(at))
    if not methods and uow.credentials.has_completed_reset(found.id):
        return ("password_reset",)
    return tuple(methods)


def _require_authenticated(
    uow: UnitOfWork, account_id: int, interaction_id: int | None, found: Interaction | None, at: datetime
) -> None:
    """A secret is set only after authentication without biographical prompts (64.2010(e))."""
    if interaction_id is None:
        problem = FieldProblem(
            "interaction_id", "required: authenticate the customer in an interaction first"
        )
        raise InvalidInputError("the customer has not authenticated", (problem,))
    if found is None or found.account_id != account_id:
        raise NotFoundError(f"no interaction {interaction_id} on this account")
    reset = found.is_open_at(at) and uow.credentials.has_completed_reset(found.id)
    if not found.authentication_at(at) and not reset:
        problem = FieldProblem(
            "interaction_id",
            "the interaction is ended or has reached no authentication; authenticate the customer "
            "(password, callback, code to the email of record, letter, photo ID) first",
        )
        raise InvalidInputError("the customer has not authenticated", (problem,))


def _stored(
    new: NewCredential, kind: CredentialKind, hasher: PasswordHasher, at: datetime
) -> StoredCredential:
    secret = normalized_answer(new.secret) if kind is CredentialKind.BACKUP_ANSWER else new.secret
    question = new.question.strip() if kind is CredentialKind.BACKUP_ANSWER and new.question else None
    login = new.login if kind is CredentialKind.ONLINE_ACCOUNT else None
    return StoredCredential(kind, hasher.hash(secret), at, login, question)


def _check_login(uow: UnitOfWork, account_id: int, kind: CredentialKind, login: str | None) -> None:
    if kind is not CredentialKind.ONLINE_ACCOUNT or login is None:
        return
    holder = uow.credentials.account_of_login(login)
    if holder is not None and holder != account_id:
        problem = FieldProblem("login", "this sign-in name is taken; choose another")
        raise InvalidInputError("the credential is not valid", (problem,))


def set_credential(*, tools: CredentialTools, asker: Asker, new: NewCredential) -> CredentialSet:
    """Set or change a credential, then notify the change unless it is at activation (64.2010(e), (f)).

    Nothing is written when any check fails.
    """
    kind = _kind(new.kind)
    with tools.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        at = tools.clock.now()
        account_id = uow.accounts.key_of(new.account_number)
        holder = None if account_id is None else uow.credentials.holder(account_id)
        if account_id is None or holder is None:
            raise NotFoundError(f"no account {new.account_number}")
        if problems := secret_problems(new, kind, _facts(uow, account_id, new.account_number, at)):
            raise InvalidInputError("the credential is not valid", tuple(problems))
        had_one = uow.credentials.has_had(account_id, kind)
        activation = is_set_at_activation(opened_at=holder.opened_at, had_one_before=had_one, at=at)
        found = None if new.interaction_id is None else uow.interactions.get(new.interaction_id)
        if not activation:
            _require_authenticated(uow, account_id, new.interaction_id, found, at)
        _check_login(uow, account_id, kind, new.login)
        uow.credentials.replace(account_id, _stored(new, kind, tools.hasher, at), set_by=asker.label)
        channel = Channel.API if found is None else found.channel
        attempted = Attempted(
            asker, account_id, new.interaction_id, channel, AuthenticationMethod.PASSWORD, at
        )
        explanation = f"The {kind} was set (64.2010(e))."
        log_event(uow, attempted, AuditEvent.CREDENTIAL_SET, explanation, _proven(uow, found, at))
        notice = None
        if not activation:
            notice = notify_account_change(
                uow, account_id=account_id, change=AccountChange(kind.value), at=at, renderer=tools.renderer
            )
        uow.commit()
    return CredentialSet(kind, at, activation, notice)
