"""Credentials, authentication attempts and verification challenges (64.2010(a), (b), (e))."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import distinct, func, insert, select, update
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import (
    Account,
    AuthenticationAttempt,
    Credential,
    Interaction,
    VerificationChallenge,
)
from cpniguard.domain.credentials import ChallengeKind, CredentialKind
from cpniguard.domain.disclosure_request import AuthenticationMethod
from cpniguard.domain.lockout import Attempt
from cpniguard.services.ports import (
    AttemptRecord,
    CredentialHolder,
    NewChallenge,
    StoredChallenge,
    StoredCredential,
)


class SqlCredentialRepository:
    """CredentialRepository over an SQLAlchemy session; credentials are a history, never overwritten."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def holder(self, account_id: int) -> CredentialHolder | None:
        """The account's number, holder name, language and opening."""
        row = self._session.get(Account, account_id)
        if row is None:
            return None
        return CredentialHolder(row.account_number, row.account_holder_name, row.language, row.opened_at)

    def current(self, account_id: int, kind: CredentialKind) -> StoredCredential | None:
        """The current row of `kind` (replaced_at IS NULL)."""
        row = self._session.scalar(
            select(Credential).where(
                Credential.account_id == account_id, Credential.kind == kind, Credential.replaced_at.is_(None)
            )
        )
        if row is None:
            return None
        return StoredCredential(
            CredentialKind(row.kind), row.secret_hash, row.set_at, row.login, row.backup_question
        )

    def has_had(self, account_id: int, kind: CredentialKind) -> bool:
        """Whether any row of `kind`, current or replaced, exists."""
        found = select(Credential.id).where(Credential.account_id == account_id, Credential.kind == kind)
        return self._session.scalar(found.limit(1)) is not None

    def account_of_login(self, login: str) -> int | None:
        """The account whose current online account signs in as `login`."""
        return self._session.scalar(
            select(Credential.account_id).where(
                Credential.kind == CredentialKind.ONLINE_ACCOUNT,
                Credential.login == login,
                Credential.replaced_at.is_(None),
            )
        )

    def replace(self, account_id: int, credential: StoredCredential, *, set_by: str) -> None:
        """Close the current row of the kind, then insert the new one."""
        self._session.execute(
            update(Credential)
            .where(
                Credential.account_id == account_id,
                Credential.kind == credential.kind,
                Credential.replaced_at.is_(None),
            )
            .values(replaced_at=credential.set_at)
        )
        self._session.execute(
            insert(Credential).values(
                account_id=account_id,
                kind=credential.kind,
                secret_hash=credential.secret_hash,
                login=credential.login,
                backup_question=credential.backup_question,
                set_at=credential.set_at,
                set_by=set_by,
            )
        )

    def record_attempt(self, attempt: AttemptRecord) -> None:
        """Insert one attempt."""
        self._session.execute(
            insert(AuthenticationAttempt).values(
                account_id=attempt.account_id,
                interaction_id=attempt.interaction_id,
                method=attempt.method,
                succeeded=attempt.succeeded,
                caller_number=attempt.caller_number,
                attempted_at=attempt.at,
            )
        )

    def attempts(self, account_id: int, method: AuthenticationMethod, *, since: datetime) -> list[Attempt]:
        """The account's attempts by `method` since `since`, oldest first."""
        rows = self._session.execute(
            select(AuthenticationAttempt.attempted_at, AuthenticationAttempt.succeeded)
            .where(
                AuthenticationAttempt.account_id == account_id,
                AuthenticationAttempt.method == method,
                AuthenticationAttempt.attempted_at >= since,
            )
            .order_by(AuthenticationAttempt.attempted_at, AuthenticationAttempt.id)
        )
        return [Attempt(row.attempted_at, row.succeeded) for row in rows]

    def failing_accounts_from(self, caller_number: str, *, since: datetime) -> int:
        """Distinct accounts with failures from the number; failures on no account count as one."""
        failed_from = (
            AuthenticationAttempt.caller_number == caller_number,
            AuthenticationAttempt.succeeded.is_(False),
            AuthenticationAttempt.attempted_at >= since,
        )
        known = self._session.scalar(
            select(func.count(distinct(AuthenticationAttempt.account_id))).where(*failed_from)
        )
        unknown = self._session.scalar(
            select(AuthenticationAttempt.id)
            .where(*failed_from, AuthenticationAttempt.account_id.is_(None))
            .limit(1)
        )
        return int(known or 0) + (0 if unknown is None else 1)

    def caller_number_of(self, interaction_id: int) -> str | None:
        """The caller's number kept on the interaction."""
        return self._session.scalar(select(Interaction.caller_number).where(Interaction.id == interaction_id))

    def has_completed_reset(self, interaction_id: int) -> bool:
        """Whether a password_reset challenge of this interaction was completed."""
        found = self._session.scalar(
            select(VerificationChallenge.id).where(
                VerificationChallenge.interaction_id == interaction_id,
                VerificationChallenge.kind == ChallengeKind.PASSWORD_RESET,
                VerificationChallenge.completed_at.is_not(None),
            )
        )
        return found is not None

    def add_challenge(self, challenge: NewChallenge) -> int:
        """Insert an open challenge."""
        statement = insert(VerificationChallenge).values(
            account_id=challenge.account_id,
            interaction_id=challenge.interaction_id,
            kind=challenge.kind,
            destination=challenge.destination,
            secret_hash=challenge.secret_hash,
            created_at=challenge.created_at,
            expires_at=challenge.expires_at,
            failed_attempts=0,
        )
        return int(self._session.execute(statement.returning(VerificationChallenge.id)).scalar_one())

    def challenge(self, challenge_id: int) -> StoredChallenge | None:
        """The challenge and where it stands."""
        row = self._session.get(VerificationChallenge, challenge_id)
        if row is None:
            return None
        issued = NewChallenge(
            row.account_id,
            row.interaction_id,
            ChallengeKind(row.kind),
            row.destination,
            row.secret_hash,
            row.created_at,
            row.expires_at,
        )
        return StoredChallenge(row.id, issued, row.completed_at, row.failed_attempts)

    def complete_challenge(self, challenge_id: int, *, at: datetime) -> None:
        """Set completed_at."""
        self._session.execute(
            update(VerificationChallenge)
            .where(VerificationChallenge.id == challenge_id)
            .values(completed_at=at)
        )

    def fail_challenge(self, challenge_id: int) -> None:
        """Add one to failed_attempts."""
        self._session.execute(
            update(VerificationChallenge)
            .where(VerificationChallenge.id == challenge_id)
            .values(failed_attempts=VerificationChallenge.failed_attempts + 1)
        )
