"""One-time proofs through contacts of record: callback, code to the email, letter, reset, backup answer.

47 CFR 64.2010(b), (e); 64.2003(b), (q). A callback goes to the telephone number of record,
never a number the caller offers, and counts once the representative confirms it; a code
goes only to the email address of record; a letter only to the postal address of record,
and the interaction waits for the code it carries. Only contact points on the account for
30 days or more count as of record. A lost password or PIN is met by a reset code to the
email of record or by the backup answer; otherwise a new one is set only after another of
these methods (services/credentials.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from cpniguard.domain.accounts import (
    ADDRESS_OF_RECORD_MIN_AGE_DAYS,
    ContactKind,
    addresses_of_record,
    callback_numbers,
)
from cpniguard.domain.credentials import ChallengeKind, CredentialKind, normalized_answer
from cpniguard.domain.disclosure_request import AuthenticationMethod
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.domain.interactions import Interaction
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services.caller_auth import (
    Attempted,
    AuthenticationOutcome,
    AuthTools,
    SecretAttempt,
    check_secret,
    dummy_hash,
    open_interaction_for,
    outcome_of,
    record_attempt_and_log,
    record_failure,
    record_success,
)
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import (
    MessageRenderer,
    NewChallenge,
    OutboundMessage,
    StoredChallenge,
    UnitOfWork,
)

METHOD_OF: Mapping[ChallengeKind, AuthenticationMethod] = MappingProxyType(
    {
        ChallengeKind.CALLBACK: AuthenticationMethod.CALLBACK_TO_NUMBER_OF_RECORD,
        ChallengeKind.EMAIL_CODE: AuthenticationMethod.CODE_TO_EMAIL_OF_RECORD,
        ChallengeKind.PASSWORD_RESET: AuthenticationMethod.CODE_TO_EMAIL_OF_RECORD,
        ChallengeKind.LETTER: AuthenticationMethod.LETTER_TO_POSTAL_ADDRESS_OF_RECORD,
    }
)
TEMPLATE_OF: Mapping[ChallengeKind, str] = MappingProxyType(
    {
        ChallengeKind.EMAIL_CODE: "authentication_code",
        ChallengeKind.PASSWORD_RESET: "password_reset",
        ChallengeKind.LETTER: "authentication_letter",
    }
)
CODE_DIGITS = 6
LETTER_CODE_DIGITS = 8


@dataclass(frozen=True, slots=True)
class IssuedChallenge:
    """A challenge sent or opened; what the representative sees of its destination."""

    challenge_id: int
    kind: ChallengeKind
    destination: str
    """The number to call back in full; an email or postal address masked."""
    expires_at: datetime


def _no_contact(what: str) -> InvalidInputError:
    problem = FieldProblem(
        "kind",
        f"the account has no {what} of record (on the account for {ADDRESS_OF_RECORD_MIN_AGE_DAYS} days)",
    )
    return InvalidInputError(f"no {what} of record", (problem,))


def destination_of_record(uow: UnitOfWork, account_id: int, kind: ChallengeKind, at: datetime) -> str:
    """The contact of record a challenge goes to: never a value given during the contact (64.2010(b))."""
    if kind is ChallengeKind.CALLBACK:
        found = callback_numbers(uow.accounts.service_numbers(account_id), at)
        if not found:
            raise _no_contact("telephone number")
        return found[0]
    contact = ContactKind.POSTAL_ADDRESS if kind is ChallengeKind.LETTER else ContactKind.EMAIL_ADDRESS
    points = addresses_of_record(uow.accounts.contact_points(account_id), contact, at)
    if not points:
        raise _no_contact("postal address" if kind is ChallengeKind.LETTER else "email address")
    return points[-1].value


def masked(destination: str, kind: ChallengeKind) -> str:
    """What the representative is shown of an address: enough to recognise, not to read out."""
    if kind is ChallengeKind.CALLBACK:
        return destination
    if kind is ChallengeKind.LETTER:
        return destination[:4] + "…"
    local, _, domain = destination.partition("@")
    return f"{local[:1]}***@{domain}"


def _new_code(kind: ChallengeKind) -> str:
    digits = LETTER_CODE_DIGITS if kind is ChallengeKind.LETTER else CODE_DIGITS
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def _send(
    uow: UnitOfWork, renderer: MessageRenderer, challenge: NewChallenge, *, challenge_id: int, code: str
) -> None:
    """Write the code's message to the outbox in this transaction (DESIGN.md invariant 5)."""
    holder = uow.credentials.holder(challenge.account_id)
    assert holder is not None  # noqa: S101 - the challenge's account exists
    template = TEMPLATE_OF[challenge.kind]
    context = {"code": code, "expires_at": challenge.expires_at.isoformat()}
    rendered = renderer.render(template, holder.language, context)
    channel = NoticeChannel.LETTER if challenge.kind is ChallengeKind.LETTER else NoticeChannel.EMAIL
    message = OutboundMessage(
        idempotency_key=f"challenge:{challenge_id}",
        account_id=challenge.account_id,
        channel=channel,
        recipient=challenge.destination,
        language=holder.language,
        template=template,
        subject=rendered.subject,
        body=rendered.body,
    )
    uow.outbox.enqueue(message, at=challenge.created_at)


def issue_challenge(
    *, tools: AuthTools, renderer: MessageRenderer, interaction_id: int, kind: ChallengeKind
) -> IssuedChallenge:
    """Open a callback task, or send a code or letter to the contact of record (64.2010(b), (e))."""
    method = METHOD_OF[kind]
    with tools.uow_factory() as uow:
        at = tools.clock.now()
        found = open_interaction_for(uow, interaction_id, method, at)
        destination = destination_of_record(uow, found.account_id, kind, at)
        lifetime = (
            tools.policy.letter_lifetime if kind is ChallengeKind.LETTER else tools.policy.code_lifetime
        )
        code = None if kind is ChallengeKind.CALLBACK else _new_code(kind)
        secret_hash = None if code is None else tools.hasher.hash(code)
        challenge = NewChallenge(
            found.account_id, found.id, kind, destination, secret_hash, at, at + lifetime
        )
        challenge_id = uow.credentials.add_challenge(challenge)
        # The interaction waits for what is mailed or sent: it must not time out before it expires.
        uow.interactions.extend(found.id, until=challenge.expires_at)
        if code is not None:
            _send(uow, renderer, challenge, challenge_id=challenge_id, code=code)
        uow.commit()
    return IssuedChallenge(challenge_id, kind, masked(destination, kind), challenge.expires_at)


def _open_challenge(uow: UnitOfWork, interaction_id: int, challenge_id: int) -> StoredChallenge:
    stored = uow.credentials.challenge(challenge_id)
    if stored is None or stored.challenge.interaction_id != interaction_id:
        raise NotFoundError(f"no challenge {challenge_id} in interaction {interaction_id}")
    if stored.completed_at is not None:
        problem = FieldProblem("challenge_id", "this challenge was already answered")
        raise InvalidInputError("the challenge is spent", (problem,))
    return stored


def _spent(stored: StoredChallenge, tools: AuthTools, at: datetime) -> str | None:
    if at >= stored.challenge.expires_at:
        return "The one-time code has expired; send a new one."
    if stored.failed_attempts >= tools.policy.code_max_failures:
        return "Too many wrong answers to this code; send a new one."
    return None


def answer_challenge(
    *, tools: AuthTools, asker: Asker, interaction_id: int, challenge_id: int, code: str | None
) -> AuthenticationOutcome:
    """Settle a challenge: the code said back, or the representative's confirmed callback (64.2010(b))."""
    with tools.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        at = tools.clock.now()
        stored = _open_challenge(uow, interaction_id, challenge_id)
        kind = stored.challenge.kind
        found = open_interaction_for(uow, interaction_id, METHOD_OF[kind], at)
        attempted = Attempted(asker, found.account_id, found.id, found.channel, METHOD_OF[kind], at)
        why = _spent(stored, tools, at)
        if why is None and kind is not ChallengeKind.CALLBACK:
            secret_hash = stored.challenge.secret_hash or dummy_hash(tools.hasher)
            if not tools.hasher.verify(secret_hash, code or ""):
                uow.credentials.fail_challenge(challenge_id)
                why = "The one-time code given does not match."
        if why is not None:
            record_failure(uow, attempted, tools.policy, caller_number=None, why=why)
            uow.commit()
            problem = FieldProblem("code", why)
            return AuthenticationOutcome(authenticated=False, interaction=found, problems=(problem,))
        uow.credentials.complete_challenge(challenge_id, at=at)
        reached = record_success(uow, attempted, _explained(kind))
        uow.commit()
    return AuthenticationOutcome(authenticated=True, interaction=reached)


def _explained(kind: ChallengeKind) -> str:
    if kind is ChallengeKind.CALLBACK:
        return "The representative called back the telephone number of record and reached the customer."
    if kind is ChallengeKind.LETTER:
        return "The customer gave the code mailed to the postal address of record."
    return "The customer gave the one-time code sent to the email address of record."


def _reset_by_backup_answer(uow: UnitOfWork, attempted: Attempted, explanation: str) -> Interaction:
    """Keep the match as a completed password reset of the interaction; record no method."""
    assert attempted.interaction_id is not None  # noqa: S101 - answered within an interaction
    assert attempted.account_id is not None  # noqa: S101 - the interaction's account
    reset = NewChallenge(
        attempted.account_id,
        attempted.interaction_id,
        ChallengeKind.PASSWORD_RESET,
        "backup answer",
        None,
        attempted.at,
        attempted.at,
    )
    uow.credentials.complete_challenge(uow.credentials.add_challenge(reset), at=attempted.at)
    record_attempt_and_log(uow, attempted, explanation + " It allows a new password or PIN only.")
    found = uow.interactions.get(attempted.interaction_id)
    assert found is not None  # noqa: S101 - read in this transaction
    return found


def authenticate_by_backup_answer(
    *, tools: AuthTools, asker: Asker, interaction_id: int, answer: str
) -> AuthenticationOutcome:
    """Backup authentication for a lost password or PIN (64.2010(e)), under the same lockout.

    It lets the customer set a new password or PIN in this interaction, and nothing more:
    it is not the password 64.2010(b) asks for before call detail, so the interaction reaches
    no method the gate counts. It is kept as a completed password reset.
    """
    method = AuthenticationMethod.PASSWORD
    with tools.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        at = tools.clock.now()
        found = open_interaction_for(uow, interaction_id, method, at)
        stored = uow.credentials.current(found.account_id, CredentialKind.BACKUP_ANSWER)
        secret_hash = dummy_hash(tools.hasher) if stored is None else stored.secret_hash
        matches = tools.hasher.verify(secret_hash, normalized_answer(answer)) and stored is not None
        attempted = Attempted(asker, found.account_id, found.id, found.channel, method, at)
        caller_number = uow.credentials.caller_number_of(found.id)
        answered = SecretAttempt(matches, caller_number, _reset_by_backup_answer)
        check = check_secret(uow, tools, attempted, answered)
        uow.commit()
    return outcome_of(check, found)
