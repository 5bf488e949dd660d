"""Protocols the services depend on; adapters implement them, tests fake them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from cpniguard.domain.call_detail import CallDetail
from cpniguard.domain.classification import FieldClassification
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import FieldProblem


class Clock(Protocol):
    """The time source; tests pin it (DESIGN.md invariant 9)."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


@dataclass(frozen=True, slots=True)
class RowRejection:
    """A row left out of a load, with every reason."""

    line_number: int
    problems: tuple[FieldProblem, ...]
    fields: tuple[str, ...] = ()
    """The row as read, in CALL_DETAIL_COLUMNS order, when it could be split."""


@dataclass(frozen=True, slots=True)
class IngestBatchRecord:
    """What one load of call detail did, as it is recorded."""

    source_name: str
    content_sha256: str
    loaded_by: str
    started_at: datetime
    finished_at: datetime
    rows_read: int
    rows_loaded: int
    duplicates_skipped: int
    rows_rejected: int


RawCallDetailRow = tuple[int, list[str]]
"""A line number and the fields of one row, in CALL_DETAIL_COLUMNS order."""


class CallDetailSource(Protocol):
    """Rows of call detail from a file or a request body; each pass starts over."""

    name: str

    def rows(self) -> Iterator[RawCallDetailRow | RowRejection]:
        """Yield every data row, or a rejection for a row that could not be split."""
        ...

    def content_sha256(self) -> str:
        """SHA-256 of the bytes read; complete after a full pass."""
        ...


CallDetailChunks = Callable[[], Iterator[list[CallDetail]]]
"""Starts a fresh pass over validated records, in chunks; a store may replay it once."""


class AccountRepository(Protocol):
    """Looks accounts up by their account number."""

    def ids_by_number(self) -> dict[str, int]:
        """Map every account number to its key (bulk loads resolve accounts from it)."""
        ...


class CallDetailStore(Protocol):
    """Writes call detail in bulk; reading it is the gate's job (issue 3)."""

    def start_batch(self, *, source_name: str, loaded_by: str, started_at: datetime) -> int:
        """Open an ingest batch and return its key."""
        ...

    def load(self, chunks: CallDetailChunks, *, batch_id: int) -> int:
        """Store every record not stored yet (same source system and record id); return how many."""
        ...

    def finish_batch(self, batch_id: int, record: IngestBatchRecord) -> None:
        """Record the outcome of the batch."""
        ...


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """Who a bearer token speaks for."""

    token_id: int
    label: str
    role: Role
    employee_id: int | None


class ApiTokenRepository(Protocol):
    """Bearer tokens, stored as SHA-256 digests."""

    def add(
        self, *, token_hash: str, label: str, role: Role, employee_id: int | None, created_at: datetime
    ) -> int:
        """Store a new token digest; return its key."""
        ...

    def holder_of(self, token_hash: str) -> TokenHolder | None:
        """The unrevoked token with this digest, if any."""
        ...


class EmployeeRepository(Protocol):
    """Employees who sign in and act with a role."""

    def add(
        self, *, username: str, display_name: str, role: Role, password_hash: str, created_at: datetime
    ) -> int:
        """Store a new employee; return the key."""
        ...


class PasswordHasher(Protocol):
    """Slow, salted hashing of secrets people choose (argon2id)."""

    def hash(self, secret: str) -> str:
        """The stored form of `secret`."""
        ...

    def verify(self, stored_hash: str, secret: str) -> bool:
        """Whether `secret` matches `stored_hash`."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository; leaving without commit rolls back."""

    @property
    def accounts(self) -> AccountRepository:
        """Accounts in this transaction."""
        ...

    @property
    def call_detail(self) -> CallDetailStore:
        """Call detail writes in this transaction."""
        ...

    @property
    def employees(self) -> EmployeeRepository:
        """Employees in this transaction."""
        ...

    @property
    def api_tokens(self) -> ApiTokenRepository:
        """Bearer tokens in this transaction."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make everything done in this unit permanent."""
        ...

    def ping(self) -> None:
        """Prove the store answers (readiness); raises when it does not."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class ClassificationCatalog(Protocol):
    """Where the classification of every stored field comes from."""

    def fields(self) -> list[FieldClassification]:
        """Every stored field with its data class."""
        ...
