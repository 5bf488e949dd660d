"""Authenticating the caller inside an interaction: password or PIN, photo ID, business contract.

47 CFR 64.2010(a)-(d), (g). What a method reaches is recorded on the interaction
(`record_authentication`), which is what the gate reads. Every attempt, success, failure
and lock goes to the access log in the same transaction. Password and PIN attempts lock
after repeated failures (domain/lockout.py); answers to a sign-in by account number never
reveal whether the account exists (same answer, and the same argon2 work against a dummy
hash); failures on many accounts from one caller number raise a pretexting alert.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cpniguard.domain.audit import AccessLogEntry, AuditEvent, LoggedReason
from cpniguard.domain.caller_auth import (
    CallerAuthPolicy,
    PhotoId,
    business_contract_problems,
    is_pretexting_suspected,
    method_channel_problem,
    photo_id_problems,
)
from cpniguard.domain.credentials import CredentialKind
from cpniguard.domain.disclosure_request import AuthenticationMethod, Channel
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.domain.interactions import Interaction
from cpniguard.domain.lockout import LockState, lock_state
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import (
    AttemptRecord,
    Clock,
    InteractionRecord,
    PasswordHasher,
    UnitOfWork,
    UnitOfWorkFactory,
)

CITATION = "47 CFR 64.2010(a)"
RULE_SET = "caller-authentication-1"
LOCK_HISTORY = timedelta(days=7)
"""How far back attempts are read to find the lock series (longer than the longest lock)."""
_DUMMY_SECRET = "not-a-secret-of-any-account"  # noqa: S105 - hashed once to spend equal work


_DUMMY_HASHES: dict[int, tuple[PasswordHasher, str]] = {}


def dummy_hash(hasher: PasswordHasher) -> str:
    """A hash no secret matches, verified in place of a missing one so that timing says nothing."""
    # Keyed by identity; the hasher is kept with its hash so that its id cannot be reused.
    kept = _DUMMY_HASHES.get(id(hasher))
    if kept is None:
        kept = _DUMMY_HASHES[id(hasher)] = (hasher, hasher.hash(_DUMMY_SECRET))
    return kept[1]


@dataclass(frozen=True, slots=True)
class AuthTools:
    """What authenticating needs from the composition root."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    hasher: PasswordHasher
    policy: CallerAuthPolicy


@dataclass(frozen=True, slots=True)
class AuthenticationOutcome:
    """What an attempt reached, and what the representative must know (a lock, an alert)."""

    authenticated: bool
    interaction: Interaction
    locked_until: datetime | None = None
    pretexting_alert: bool = False
    problems: tuple[FieldProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class Attempted:
    """One attempt, as the access log and the attempt table keep it."""

    asker: Asker
    account_id: int | None
    interaction_id: int | None
    channel: Channel
    method: AuthenticationMethod
    at: datetime


def log_event(
    uow: UnitOfWork,
    attempted: Attempted,
    event: AuditEvent,
    explanation: str,
    proven: tuple[str, ...] | None = None,
) -> None:
    """Append one authentication event to the access log (64.2010(a); DESIGN.md invariant 2).

    `proven` is what the interaction had proven, when it is not the method attempted.
    """
    outcome = event.value.rsplit(".", 1)[-1]
    reason = LoggedReason(f"64.2010(a).{outcome}", CITATION, explanation)
    uow.access_log.append(
        [
            AccessLogEntry(
                event=event,
                occurred_at=attempted.at,
                actor_kind=attempted.asker.kind,
                actor_id=attempted.asker.label,
                actor_role=attempted.asker.role,
                account_id=attempted.account_id,
                data_category="credential",
                purpose="caller_authentication",
                channel=attempted.channel,
                recipient="customer",
                destination=None,
                interaction_id=attempted.interaction_id,
                authentication=(attempted.method,) if proven is None else proven,
                outcome=outcome,
                reasons=(reason,),
                conditions=(),
                rule_set=RULE_SET,
            )
        ]
    )


def open_interaction_for(
    uow: UnitOfWork, interaction_id: int, method: AuthenticationMethod, at: datetime
) -> Interaction:
    """The open interaction, where `method` is allowed on its channel; a clear error otherwise."""
    found = uow.interactions.get(interaction_id)
    if found is None:
        raise NotFoundError(f"no interaction {interaction_id}")
    if not found.is_open_at(at):
        problem = FieldProblem("interaction_id", "the interaction has ended; open a new one")
        raise InvalidInputError("the interaction is not open", (problem,))
    if not_here := method_channel_problem(method, found.channel):
        raise InvalidInputError("the method is not allowed on this channel", (not_here,))
    return found


def record_attempt_and_log(uow: UnitOfWork, attempted: Attempted, explanation: str) -> None:
    """Record a successful attempt and its log entry, without recording a method."""
    _record_attempt(uow, attempted, succeeded=True, caller_number=None)
    log_event(uow, attempted, AuditEvent.AUTHENTICATION_SUCCEEDED, explanation)


def record_success(uow: UnitOfWork, attempted: Attempted, explanation: str) -> Interaction:
    """Record the method on the interaction (the gate reads it), the attempt, and the log entry."""
    assert attempted.interaction_id is not None  # noqa: S101 - successes happen in an interaction
    uow.interactions.record_authentication(attempted.interaction_id, attempted.method, at=attempted.at)
    record_attempt_and_log(uow, attempted, explanation)
    found = uow.interactions.get(attempted.interaction_id)
    assert found is not None  # noqa: S101 - read in this transaction
    return found


def _record_attempt(
    uow: UnitOfWork, attempted: Attempted, *, succeeded: bool, caller_number: str | None
) -> None:
    uow.credentials.record_attempt(
        AttemptRecord(
            attempted.account_id,
            attempted.interaction_id,
            attempted.method,
            succeeded,
            caller_number,
            attempted.at,
        )
    )


def record_failure(
    uow: UnitOfWork, attempted: Attempted, policy: CallerAuthPolicy, *, caller_number: str | None, why: str
) -> bool:
    """Record a failed attempt and its log entry; True when it raises a pretexting alert (64.2010(a))."""
    _record_attempt(uow, attempted, succeeded=False, caller_number=caller_number)
    log_event(uow, attempted, AuditEvent.AUTHENTICATION_FAILED, why)
    if caller_number is None:
        return False
    since = attempted.at - policy.pretexting_window
    failing = uow.credentials.failing_accounts_from(caller_number, since=since)
    if not is_pretexting_suspected(failing, policy):
        return False
    log_event(
        uow,
        attempted,
        AuditEvent.PRETEXTING_SUSPECTED,
        f"Failed authentication on {failing} accounts from caller number {caller_number} within "
        f"{policy.pretexting_window}: possible pretexting; a supervisor should review it.",
    )
    return True


def _lock(uow: UnitOfWork, account_id: int, policy: CallerAuthPolicy, at: datetime) -> LockState:
    attempts = uow.credentials.attempts(account_id, AuthenticationMethod.PASSWORD, since=at - LOCK_HISTORY)
    return lock_state(attempts, policy.lockout, at)


def _secret_matches(uow: UnitOfWork, hasher: PasswordHasher, account_id: int | None, secret: str) -> bool:
    """Check the secret against the password and the PIN, spending the same work when either is missing."""
    kinds = (CredentialKind.PASSWORD, CredentialKind.PIN, CredentialKind.ONLINE_ACCOUNT)
    stored = [None if account_id is None else uow.credentials.current(account_id, kind) for kind in kinds]
    hashes = [dummy_hash(hasher) if credential is None else credential.secret_hash for credential in stored]
    # Every hash is verified, matched or not: the time taken must not tell which exist.
    results = [hasher.verify(stored_hash, secret) for stored_hash in hashes]
    # A match against the dummy hash (its secret is in this file) is no match.
    return any(result and credential is not None for result, credential in zip(results, stored, strict=True))


@dataclass(frozen=True, slots=True)
class SecretAttempt:
    """A secret given: whether it matched, from which number, and what a match reaches."""

    matches: bool
    caller_number: str | None
    on_match: Callable[[UnitOfWork, Attempted, str], Interaction] = record_success
    """By default the password method on the interaction (the gate counts it)."""


@dataclass(frozen=True, slots=True)
class SecretCheck:
    """How a password, PIN or backup answer attempt ended."""

    interaction: Interaction | None
    """The interaction with what it now proves, when the secret matched."""
    locked_until: datetime | None = None
    pretexting_alert: bool = False


def check_secret(
    uow: UnitOfWork, tools: AuthTools, attempted: Attempted, secret: SecretAttempt
) -> SecretCheck:
    """Settle a password, PIN or backup-answer attempt under lockout (64.2010(a), (b), (e)).

    A locked account fails even with the right secret; the caller checks the secret anyway,
    so that a lock does not show in the time taken.
    """
    account_id = attempted.account_id
    before = None if account_id is None else _lock(uow, account_id, tools.policy, attempted.at)
    if before is not None and before.locked_until is not None:
        why = f"Password and PIN authentication is locked until {before.locked_until:%Y-%m-%d %H:%M} UTC."
        alert = record_failure(uow, attempted, tools.policy, caller_number=secret.caller_number, why=why)
        return SecretCheck(None, before.locked_until, alert)
    if secret.matches:
        explanation = "The customer gave the secret set for the account, unprompted (64.2010(b), (e))."
        return SecretCheck(secret.on_match(uow, attempted, explanation))
    why = "The secret given does not match."
    alert = record_failure(uow, attempted, tools.policy, caller_number=secret.caller_number, why=why)
    return SecretCheck(None, _locked_after_failure(uow, attempted, tools.policy), alert)


def _locked_after_failure(uow: UnitOfWork, attempted: Attempted, policy: CallerAuthPolicy) -> datetime | None:
    if attempted.account_id is None:
        return None
    after = _lock(uow, attempted.account_id, policy, attempted.at)
    if after.locked_until is not None:
        why = f"Too many failed attempts: locked until {after.locked_until:%Y-%m-%d %H:%M} UTC."
        log_event(uow, attempted, AuditEvent.AUTHENTICATION_LOCKED, why)
    return after.locked_until


def outcome_of(check: SecretCheck, interaction: Interaction) -> AuthenticationOutcome:
    """What a secret attempt in `interaction` reached, for the representative (64.2010(a))."""
    return AuthenticationOutcome(
        check.interaction is not None,
        check.interaction or interaction,
        check.locked_until,
        check.pretexting_alert,
    )


def authenticate_by_password(
    *, tools: AuthTools, asker: Asker, interaction_id: int, secret: str
) -> AuthenticationOutcome:
    """Check a password or PIN the customer gave in the interaction (64.2010(b), (c)).

    The representative never prompts with biographical or account information; five
    failures in fifteen minutes lock the method for growing periods (64.2010(a)).
    """
    method = AuthenticationMethod.PASSWORD
    with tools.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        at = tools.clock.now()
        found = open_interaction_for(uow, interaction_id, method, at)
        attempted = Attempted(asker, found.account_id, found.id, found.channel, method, at)
        matches = _secret_matches(uow, tools.hasher, found.account_id, secret)
        caller_number = uow.credentials.caller_number_of(found.id)
        check = check_secret(uow, tools, attempted, SecretAttempt(matches, caller_number))
        uow.commit()
    return outcome_of(check, found)


@dataclass(frozen=True, slots=True)
class SignIn:
    """A sign-in by account number and password or PIN (an IVR, the portal)."""

    account_number: str
    channel: str
    secret: str
    caller_number: str | None = None


def _sign_in_channel(value: str) -> Channel:
    allowed = {Channel.INBOUND_CALL, Channel.ONLINE}
    if value not in allowed:
        problem = FieldProblem(
            "channel", f"{value[:40]!r} is not a sign-in channel; one of: inbound_call, online"
        )
        raise InvalidInputError("the sign-in is not valid", (problem,))
    return Channel(value)


def sign_in_by_password(*, tools: AuthTools, asker: Asker, sign_in: SignIn) -> Interaction | None:
    """Open an authenticated interaction when the secret matches; None otherwise (64.2010(a)-(c)).

    None for an unknown account, a wrong secret and a locked account alike, after the same
    argon2 work: the answer never tells whether the account exists.
    """
    channel = _sign_in_channel(sign_in.channel)
    method = AuthenticationMethod.PASSWORD

    def open_authenticated(uow: UnitOfWork, attempted: Attempted, explanation: str) -> Interaction:
        # Only a match on an unlocked account opens the interaction; failures are logged without one.
        assert attempted.account_id is not None  # noqa: S101 - a secret matches only a known account
        at, lifetime = attempted.at, tools.policy.interaction_lifetime
        opening = InteractionRecord(
            attempted.account_id, channel, asker.employee_id, sign_in.caller_number, at, at + lifetime
        )
        opened = replace(attempted, interaction_id=uow.interactions.open(opening))
        return record_success(uow, opened, explanation)

    with tools.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        at = tools.clock.now()
        account_id = uow.accounts.key_of(sign_in.account_number)
        matches = _secret_matches(uow, tools.hasher, account_id, sign_in.secret)
        attempted = Attempted(asker, account_id, None, channel, method, at)
        answered = SecretAttempt(matches, sign_in.caller_number, open_authenticated)
        check = check_secret(uow, tools, attempted, answered)
        uow.commit()
    return check.interaction


def authenticate_by_photo_id(
    *, tools: AuthTools, asker: Asker, interaction_id: int, photo_id: PhotoId
) -> AuthenticationOutcome:
    """Check the photo ID shown in a store: government-issued, unexpired, matching (64.2010(d))."""
    method = AuthenticationMethod.PHOTO_ID
    with tools.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        at = tools.clock.now()
        found = open_interaction_for(uow, interaction_id, method, at)
        holder = uow.credentials.holder(found.account_id)
        assert holder is not None  # noqa: S101 - the interaction's account exists
        problems = photo_id_problems(photo_id, holder_name=holder.holder_name, today=at.date())
        attempted = Attempted(asker, found.account_id, found.id, found.channel, method, at)
        if problems:
            why = "The photo ID does not authenticate: " + "; ".join(p.message for p in problems)
            record_failure(uow, attempted, tools.policy, caller_number=None, why=why)
            uow.commit()
            return AuthenticationOutcome(authenticated=False, interaction=found, problems=tuple(problems))
        reached = record_success(
            uow, attempted, "A valid, unexpired, government-issued photo ID matched the account."
        )
        uow.commit()
    return AuthenticationOutcome(authenticated=True, interaction=reached)


def authenticate_by_business_contract(
    *, tools: AuthTools, asker: Asker, interaction_id: int
) -> AuthenticationOutcome:
    """Reach the method a business customer's CPNI contract sets, only with both 64.2010(g) conditions."""
    method = AuthenticationMethod.BUSINESS_CONTRACT
    with tools.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        at = tools.clock.now()
        found = open_interaction_for(uow, interaction_id, method, at)
        profile = uow.cpni.disclosure_profile(found.account_id, at=at)
        problems = business_contract_problems(
            is_business_account=profile.is_business_account,
            has_dedicated_representative=profile.has_dedicated_representative,
            has_cpni_contract=profile.has_cpni_contract,
        )
        if problems:
            raise InvalidInputError(
                "the business contract method is not open to this account", tuple(problems)
            )
        attempted = Attempted(asker, found.account_id, found.id, found.channel, method, at)
        explanation = "A business customer with a dedicated representative and a CPNI contract (64.2010(g))."
        reached = record_success(uow, attempted, explanation)
        uow.commit()
    return AuthenticationOutcome(authenticated=True, interaction=reached)
