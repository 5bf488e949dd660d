"""In-memory stand-ins for the ports in services/ports.py, for unit tests of services.

The fake unit of work keeps the real contract: what a unit writes is visible to later
units only after commit(); leaving the block without commit() discards it.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Self

from cpniguard.domain.accounts import ContactPoint, ServiceNumber
from cpniguard.domain.audit import (
    GENESIS_HASH,
    AccessLogEntry,
    ChainedEntry,
    LoggedAccess,
    SignedKind,
    SignedPoint,
    chain_entries,
    checkpoints_due,
    sign_point,
)
from cpniguard.domain.audit_verification import ChainLink, ChainState, SegmentCheck
from cpniguard.domain.call_detail import CallDetail
from cpniguard.domain.employees import Role
from cpniguard.services.ports import (
    CallDetailChunks,
    IngestBatchRecord,
    RawCallDetailRow,
    RowRejection,
    SegmentChecker,
    TokenHolder,
)


class FixedClock:
    """A clock that says the same instant until told otherwise."""

    def __init__(self, now: datetime) -> None:
        self.instant = now

    def now(self) -> datetime:
        return self.instant


@dataclass
class StoredToken:
    label: str
    role: Role
    employee_id: int | None
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass
class StoredEmployee:
    username: str
    display_name: str
    role: Role
    password_hash: str
    created_at: datetime


FAKE_ACCESS_LOG_KEY = b"fake-access-log-signing-key-" + b"k" * 20
UNSIGNED_HEAD = SignedPoint(SignedKind.HEAD, 0, GENESIS_HASH, b"", "")


@dataclass
class FakeTables:
    """Everything the fake store holds; a unit of work works on a copy of it."""

    accounts: dict[str, int] = field(default_factory=dict)
    call_detail: dict[tuple[str, str], tuple[CallDetail, int]] = field(default_factory=dict)
    """Records by natural key (source system, record id), with the batch that brought them."""
    batches: dict[int, IngestBatchRecord | None] = field(default_factory=dict)
    tokens: dict[str, tuple[int, StoredToken]] = field(default_factory=dict)
    employees: dict[int, StoredEmployee] = field(default_factory=dict)
    contact_points: dict[int, list[ContactPoint]] = field(default_factory=dict)
    service_numbers: dict[int, list[ServiceNumber]] = field(default_factory=dict)
    access_log: list[ChainedEntry] = field(default_factory=list)
    """Stored entries in sequence order; `entry.event`, `entry.account_id` and `occurred_at_utc`
    play the queryable columns (tests change them apart from the payload)."""
    access_log_checkpoints: list[SignedPoint] = field(default_factory=list)
    access_log_head: SignedPoint | None = field(default_factory=lambda: UNSIGNED_HEAD)


class FakeDatabase:
    """The committed state shared by every fake unit of work, and key sequences."""

    def __init__(self) -> None:
        self.tables = FakeTables()
        self.keys = itertools.count(1)
        self.commits = 0

    def add_account(self, account_number: str) -> int:
        key = next(self.keys)
        self.tables.accounts[account_number] = key
        return key


class FakeAccountRepository:
    def __init__(self, tables: FakeTables) -> None:
        self._tables = tables

    def ids_by_number(self) -> dict[str, int]:
        return dict(self._tables.accounts)

    def key_of(self, account_number: str) -> int | None:
        return self._tables.accounts.get(account_number)

    def keys_of(self, account_numbers):
        return {n: self._tables.accounts[n] for n in account_numbers if n in self._tables.accounts}

    def contact_points(self, account_id: int) -> list[ContactPoint]:
        return list(self._tables.contact_points.get(account_id, []))

    def service_numbers(self, account_id: int) -> list[ServiceNumber]:
        return list(self._tables.service_numbers.get(account_id, []))


class FakeCallDetailStore:
    """Stores records by natural key; `replays` makes load() pass over the input twice.

    The PostgreSQL store starts a second pass when the input overlaps stored records;
    replaying here checks that the service copes with a store that does so.
    """

    def __init__(self, tables: FakeTables, keys: Iterator[int], *, replays: bool) -> None:
        self._tables = tables
        self._keys = keys
        self._replays = replays

    def start_batch(self, *, source_name: str, loaded_by: str, started_at: datetime) -> int:
        del source_name, loaded_by, started_at
        batch_id = next(self._keys)
        self._tables.batches[batch_id] = None
        return batch_id

    def load(self, chunks: CallDetailChunks, *, batch_id: int) -> int:
        if self._replays:
            for _ in chunks():
                pass
        loaded = 0
        for chunk in chunks():
            for record in chunk:
                key = (record.source_system, record.record_id)
                if key not in self._tables.call_detail:
                    self._tables.call_detail[key] = (record, batch_id)
                    loaded += 1
        return loaded

    def finish_batch(self, batch_id: int, record: IngestBatchRecord) -> None:
        self._tables.batches[batch_id] = record


class FakeApiTokenRepository:
    def __init__(self, tables: FakeTables, keys: Iterator[int]) -> None:
        self._tables = tables
        self._keys = keys

    def add(
        self, *, token_hash: str, label: str, role: Role, employee_id: int | None, created_at: datetime
    ) -> int:
        token_id = next(self._keys)
        self._tables.tokens[token_hash] = (token_id, StoredToken(label, role, employee_id, created_at))
        return token_id

    def holder_of(self, token_hash: str) -> TokenHolder | None:
        found = self._tables.tokens.get(token_hash)
        if found is None or found[1].revoked_at is not None:
            return None
        token_id, token = found
        return TokenHolder(
            token_id=token_id, label=token.label, role=token.role, employee_id=token.employee_id
        )

    def revoke(self, token_id: int, *, at: datetime) -> bool:
        for token_hash, (key, token) in self._tables.tokens.items():
            if key == token_id and token.revoked_at is None:
                self._tables.tokens[token_hash] = (key, dataclasses.replace(token, revoked_at=at))
                return True
        return False


class FakeEmployeeRepository:
    def __init__(self, tables: FakeTables, keys: Iterator[int]) -> None:
        self._tables = tables
        self._keys = keys

    def add(
        self, *, username: str, display_name: str, role: Role, password_hash: str, created_at: datetime
    ) -> int:
        if any(e.username == username for e in self._tables.employees.values()):
            raise ValueError(f"username {username!r} is taken")
        employee_id = next(self._keys)
        self._tables.employees[employee_id] = StoredEmployee(
            username, display_name, role, password_hash, created_at
        )
        return employee_id


class FakeUnitOfWork:
    """A transaction over a copy of the committed tables; commit() publishes the copy."""

    def __init__(self, database: FakeDatabase, *, replays: bool = False) -> None:
        self._database = database
        self._replays = replays
        self._working = FakeTables()

    def __enter__(self) -> Self:
        self._working = copy.deepcopy(self._database.tables)
        keys = self._database.keys
        self.accounts = FakeAccountRepository(self._working)
        self.call_detail = FakeCallDetailStore(self._working, keys, replays=self._replays)
        self.api_tokens = FakeApiTokenRepository(self._working, keys)
        self.employees = FakeEmployeeRepository(self._working, keys)
        self.access_log = FakeAccessLog(self._working)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._working = FakeTables()

    def commit(self) -> None:
        self._database.tables = copy.deepcopy(self._working)
        self._database.commits += 1

    def ping(self) -> None:
        return None


class FakeUnitOfWorkFactory:
    """UnitOfWorkFactory over one FakeDatabase."""

    def __init__(self, database: FakeDatabase, *, replays: bool = False) -> None:
        self.database = database
        self.replays = replays

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.database, replays=self.replays)


class ListCallDetailSource:
    """A CallDetailSource over rows already split; every pass yields them again."""

    def __init__(self, name: str, rows: Iterable[RawCallDetailRow | RowRejection]) -> None:
        self.name = name
        self._rows = list(rows)

    def rows(self) -> Iterator[RawCallDetailRow | RowRejection]:
        for row in self._rows:
            yield row if isinstance(row, RowRejection) else (row[0], list(row[1]))

    def content_sha256(self) -> str:
        return hashlib.sha256(repr(self._rows).encode()).hexdigest()


class FakeAccessLog:
    """The access log in memory, chained and signed with the real domain functions.

    It is also an AccessLogChain over the same tables, reading `stretch_entries` at a time,
    so that the joins between stretches are exercised.
    """

    def __init__(
        self,
        tables: FakeTables,
        *,
        key: bytes = FAKE_ACCESS_LOG_KEY,
        checkpoint_interval: int = 4,
        stretch_entries: int = 3,
    ) -> None:
        self._tables = tables
        self._key = key
        self._interval = checkpoint_interval
        self._stretch_entries = stretch_entries

    def prepare_to_append(self) -> None:
        return None

    def append(self, entries: Sequence[AccessLogEntry]) -> list[int]:
        head = self._tables.access_log_head or UNSIGNED_HEAD
        chained = list(
            chain_entries(entries, first_sequence=head.sequence + 1, previous_hash=head.entry_hash)
        )
        if not chained:
            return []
        self._tables.access_log.extend(chained)
        last = chained[-1]
        self._tables.access_log_head = sign_point(SignedKind.HEAD, self._key, last.sequence, last.entry_hash)
        for sequence in checkpoints_due(head.sequence, last.sequence, self._interval):
            signed = chained[sequence - head.sequence - 1].entry_hash
            self._tables.access_log_checkpoints.append(
                sign_point(SignedKind.CHECKPOINT, self._key, sequence, signed)
            )
        return [c.sequence for c in chained]

    def entries_for_account(
        self, account_id: int, *, limit: int, before_sequence: int | None = None
    ) -> list[LoggedAccess]:
        found = [
            LoggedAccess(c.sequence, c.entry, c.previous_hash, c.entry_hash)
            for c in reversed(self._tables.access_log)
            if c.entry.account_id == account_id and (before_sequence is None or c.sequence < before_sequence)
        ]
        return found[:limit]

    def write_checkpoint(self) -> SignedPoint | None:
        head = self._tables.access_log_head
        if head is None or head.sequence == 0:
            return None
        point = sign_point(SignedKind.CHECKPOINT, self._key, head.sequence, head.entry_hash)
        self._tables.access_log_checkpoints.append(point)
        return point

    def state(self) -> ChainState:
        stored = max((c.sequence for c in self._tables.access_log), default=0)
        checkpoints = tuple(sorted(self._tables.access_log_checkpoints, key=lambda p: p.sequence))
        return ChainState(self._tables.access_log_head, checkpoints, stored)

    def check_segments(self, check: SegmentChecker, *, through_sequence: int) -> Iterator[SegmentCheck]:
        links = sorted(
            (_link(c) for c in self._tables.access_log if c.sequence <= through_sequence), key=lambda k: k[0]
        )
        for first in range(1, through_sequence + 1, self._stretch_entries):
            last = first + self._stretch_entries - 1
            yield check(link for link in links if first <= link[0] <= last)


def _link(chained: ChainedEntry) -> ChainLink:
    account = "" if chained.entry.account_id is None else str(chained.entry.account_id)
    columns = f"{chained.sequence}|{chained.occurred_at_utc}|{chained.entry.event}|{account}\n"
    return (chained.sequence, columns.encode(), chained.payload, chained.previous_hash, chained.entry_hash)
