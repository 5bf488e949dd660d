"""Repositories: rows in, domain values out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import Account, ApiToken, ContactPoint, Employee, ServiceNumber
from cpniguard.domain.accounts import ContactKind
from cpniguard.domain.accounts import ContactPoint as ContactPointValue
from cpniguard.domain.accounts import ServiceNumber as ServiceNumberValue
from cpniguard.domain.employees import Role
from cpniguard.services.ports import TokenHolder

KEYS_QUERY_NUMBERS = 10_000
"""Account numbers per IN list."""


class SqlAccountRepository:
    """Accounts by account number."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def ids_by_number(self) -> dict[str, int]:
        """Every account number with its key, streamed in one query."""
        rows = self._session.execute(select(Account.account_number, Account.id))
        return {row.account_number: row.id for row in rows}

    def key_of(self, account_number: str) -> int | None:
        """The account's key."""
        return self._session.scalar(select(Account.id).where(Account.account_number == account_number))

    def keys_of(self, account_numbers: Sequence[str]) -> dict[str, int]:
        """The keys of those of `account_numbers` that are accounts, by number."""
        wanted, found = sorted(set(account_numbers)), dict[str, int]()
        # In slices: PostgreSQL takes at most 65,535 parameters in one statement.
        for start in range(0, len(wanted), KEYS_QUERY_NUMBERS):
            chunk = wanted[start : start + KEYS_QUERY_NUMBERS]
            query = select(Account.account_number, Account.id).where(Account.account_number.in_(chunk))
            found.update({row.account_number: row.id for row in self._session.execute(query)})
        return found

    def contact_points(self, account_id: int) -> list[ContactPointValue]:
        """The account's contact point history, oldest first."""
        rows = self._session.scalars(
            select(ContactPoint)
            .where(ContactPoint.account_id == account_id)
            .order_by(ContactPoint.associated_at, ContactPoint.id)
        )
        return [
            ContactPointValue(ContactKind(r.kind), r.value, r.associated_at, r.dissociated_at) for r in rows
        ]

    def service_numbers(self, account_id: int) -> list[ServiceNumberValue]:
        """The account's service number history, oldest first."""
        rows = self._session.execute(
            select(ServiceNumber.telephone_number, ServiceNumber.associated_at, ServiceNumber.dissociated_at)
            .where(ServiceNumber.account_id == account_id)
            .order_by(ServiceNumber.associated_at, ServiceNumber.id)
        )
        return [ServiceNumberValue(*row) for row in rows]


class SqlApiTokenRepository:
    """Bearer token digests."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self, *, token_hash: str, label: str, role: Role, employee_id: int | None, created_at: datetime
    ) -> int:
        """Store a token digest."""
        statement = insert(ApiToken).values(
            token_hash=token_hash, label=label, role=role, employee_id=employee_id, created_at=created_at
        )
        return int(self._session.execute(statement.returning(ApiToken.id)).scalar_one())

    def holder_of(self, token_hash: str) -> TokenHolder | None:
        """The unrevoked token with this digest."""
        row = self._session.execute(
            select(ApiToken.id, ApiToken.label, ApiToken.role, ApiToken.employee_id).where(
                ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None)
            )
        ).one_or_none()
        if row is None:
            return None
        return TokenHolder(token_id=row.id, label=row.label, role=Role(row.role), employee_id=row.employee_id)

    def revoke(self, token_id: int, *, at: datetime) -> bool:
        """Set revoked_at on an unrevoked token."""
        statement = (
            update(ApiToken)
            .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=at)
            .returning(ApiToken.id)
        )
        return self._session.execute(statement).scalar_one_or_none() is not None


class SqlEmployeeRepository:
    """Employees."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self, *, username: str, display_name: str, role: Role, password_hash: str, created_at: datetime
    ) -> int:
        """Store an employee."""
        statement = insert(Employee).values(
            username=username,
            display_name=display_name,
            role=role,
            password_hash=password_hash,
            is_active=True,
            created_at=created_at,
        )
        return int(self._session.execute(statement.returning(Employee.id)).scalar_one())

    def find(self, username: str) -> tuple[int, Role] | None:
        """The employee's key and role by sign-in name."""
        row = self._session.execute(
            select(Employee.id, Employee.role).where(Employee.username == username)
        ).one_or_none()
        return None if row is None else (row.id, Role(row.role))
