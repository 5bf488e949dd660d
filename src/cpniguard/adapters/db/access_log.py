"""The access log in the database: chained appends under the head's lock, per-account reads, checkpoints.

Appends run inside the caller's transaction (the same one as the CPNI read they record).
The first statement takes the next sequence numbers from the one-row head with
`UPDATE ... RETURNING`: on PostgreSQL that row stays locked until commit, and on SQLite the
statement takes the database's write lock, so concurrent appenders extend the chain one
after the other. The chain is computed here (domain functions), the entries written in bulk
(binary COPY on PostgreSQL, executemany on SQLite), then the head is signed again.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import AccessLogRecord
from cpniguard.adapters.db.types import sqlite_utc_text
from cpniguard.domain.audit import (
    AccessLogEntry,
    ChainedEntry,
    LoggedAccess,
    SignedKind,
    SignedPoint,
    TamperedLogError,
    chain_entries,
    checkpoints_due,
    decode_entry,
    is_intact_entry,
    is_signed_by,
    key_id,
    sign_point,
)
from cpniguard.services.ports import Clock

COPY_FROM_ENTRIES = 64
"""From this many entries a PostgreSQL append uses COPY; fewer go as one INSERT each, pipelined."""
_COLUMNS = "sequence, occurred_at, event, account_id, payload, previous_hash, entry_hash"
_INSERT = f"INSERT INTO access_log ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
_POSTGRES_TYPES = ("int8", "timestamptz", "text", "int8", "bytea", "bytea", "bytea")
_RESERVE = (
    "UPDATE access_log_head SET last_sequence = last_sequence + ? WHERE id = 1 "
    "RETURNING last_sequence, last_hash, signature, key_id"
)
_TAKE_WRITE_LOCK = "UPDATE access_log_head SET last_sequence = last_sequence WHERE id = 1"
_RECORDS = AccessLogRecord.__table__.c


@dataclass(frozen=True, slots=True)
class AccessLogSigner:
    """What appending needs besides the session: the signing key, the checkpoint interval, the time."""

    key: bytes
    checkpoint_interval: int
    clock: Clock


class SqlAccessLog:
    """AccessLog over an SQLAlchemy session; append-only (there is no update or delete here)."""

    def __init__(self, session: Session, signer: AccessLogSigner | None) -> None:
        self._session = session
        self._signer = signer

    def append(self, entries: Sequence[AccessLogEntry]) -> list[int]:
        """Chain and append `entries` in this transaction (DESIGN.md invariant 2; 47 CFR 64.2009(c))."""
        if not entries:
            return []
        signer = self._require_signer()
        driver = _statements(self._session)
        last, previous_hash = self._locked_head(driver, signer, reserve=len(entries))
        first = last - len(entries) + 1
        due = checkpoints_due(first - 1, last, signer.checkpoint_interval)
        signed: dict[int, bytes] = {}
        chained = chain_entries(entries, first_sequence=first, previous_hash=previous_hash)
        with driver.pipelined(len(entries)):
            driver.insert_entries(_rows(chained, due, signed, driver.instants_as_text), count=len(entries))
            driver.sign_head(sign_point(SignedKind.HEAD, signer.key, last, signed[last]))
            checkpoints = [sign_point(SignedKind.CHECKPOINT, signer.key, s, signed[s]) for s in due]
            driver.insert_checkpoints(checkpoints, signer.clock.now())
        return list(range(first, last + 1))

    def prepare_to_append(self) -> None:
        """On SQLite, take the write lock now, before this transaction reads anything.

        A transaction that reads and then writes cannot wait for the lock on SQLite (its
        snapshot may be stale: "database is locked" at once); one whose first statement
        writes waits for the busy timeout instead. PostgreSQL needs nothing: the head's row
        lock is taken by the append itself, as late as possible.
        """
        if self._session.get_bind().dialect.name == "sqlite":
            self._session.execute(text(_TAKE_WRITE_LOCK))

    def entries_for_account(
        self, account_id: int, *, limit: int, before_sequence: int | None = None
    ) -> list[LoggedAccess]:
        """The account's entries, newest first, read from their hashed payloads (64.2009(c))."""
        query = (
            select(_RECORDS.sequence, _RECORDS.payload, _RECORDS.previous_hash, _RECORDS.entry_hash)
            .where(_RECORDS.account_id == account_id)
            .order_by(_RECORDS.sequence.desc())
            .limit(limit)
        )
        if before_sequence is not None:
            query = query.where(_RECORDS.sequence < before_sequence)
        return [_logged(*row) for row in self._session.execute(query)]

    def write_checkpoint(self) -> SignedPoint | None:
        """Sign the current last entry as a checkpoint now (`cpniguard audit checkpoint`)."""
        signer = self._require_signer()
        driver = _statements(self._session)
        last, last_hash = self._locked_head(driver, signer, reserve=0)
        if last == 0:
            return None
        point = sign_point(SignedKind.CHECKPOINT, signer.key, last, last_hash)
        driver.insert_checkpoints([point], signer.clock.now())
        return point

    def _require_signer(self) -> AccessLogSigner:
        if self._signer is None:
            raise RuntimeError("this unit of work has no access-log signing key; it can only read the log")
        return self._signer

    def _locked_head(
        self, driver: _Statements, signer: AccessLogSigner, *, reserve: int
    ) -> tuple[int, bytes]:
        """Lock the head, move it on by `reserve`; refuse to extend a head that is not ours.

        A head whose hash was changed must not be signed again: that would make an edit of
        the last entries look whole (64.2009(c)).
        """
        row = driver.reserve(reserve)
        if row is None:
            raise TamperedLogError("the access log's head row is missing; run `cpniguard audit verify`")
        after, last_hash, signature, signed_by = row
        last = after - reserve
        if last == 0 and signature is None:
            return after, last_hash
        head = SignedPoint(SignedKind.HEAD, last, last_hash, signature or b"", signed_by or "")
        if not is_signed_by(head, {key_id(signer.key): signer.key}):
            raise TamperedLogError(
                f"the access log's head (entry {last}) is not signed by the configured key; "
                "nothing is appended until `cpniguard audit verify` is run and the log repaired"
            )
        return after, last_hash


def _rows(
    chained: Iterator[ChainedEntry], due: range, signed: dict[int, bytes], instants_as_text: bool
) -> Iterator[tuple[Any, ...]]:
    """The rows to store, keeping the hashes of the last entry and of those due a checkpoint."""
    sequence, entry_hash = 0, b""
    for sequence, entry, occurred_at_utc, payload, previous_hash, entry_hash in chained:
        if sequence in due:
            signed[sequence] = entry_hash
        occurred_at = occurred_at_utc if instants_as_text else entry.occurred_at
        yield (sequence, occurred_at, entry.event, entry.account_id, payload, previous_hash, entry_hash)
    signed[sequence] = entry_hash


def _logged(sequence: int, payload: bytes, previous_hash: bytes, entry_hash: bytes) -> LoggedAccess:
    try:
        encoded_sequence, entry = decode_entry(payload)
    except ValueError:
        encoded_sequence = 0
    if encoded_sequence != sequence or not is_intact_entry(payload, previous_hash, entry_hash):
        raise TamperedLogError(
            f"access-log entry {sequence} does not match its hash; run `cpniguard audit verify`"
        )
    return LoggedAccess(sequence, entry, previous_hash, entry_hash)


def _statements(session: Session) -> _Statements:
    """The statements of an append on the session's own DB-API connection (no per-statement ORM cost)."""
    driver = session.connection().connection.driver_connection
    if isinstance(driver, psycopg.Connection):
        return _PostgresStatements(driver, "%s")
    assert isinstance(driver, sqlite3.Connection)  # noqa: S101
    return _Statements(driver, "?")


class _Statements:
    """SQLite's (the base): executemany for entries."""

    def __init__(self, connection: Any, marker: str) -> None:  # noqa: ANN401  (sqlite3 or psycopg)
        self._connection = connection
        self._marker = marker

    def _sql(self, statement: str) -> str:
        return statement.replace("?", self._marker)

    def pipelined(self, count: int) -> contextlib.AbstractContextManager[object]:
        """Send the statements after the head's without waiting for each answer, where the driver can."""
        del count
        return contextlib.nullcontext()

    def reserve(self, count: int) -> tuple[int, bytes, bytes | None, str | None] | None:
        cursor = self._connection.cursor()
        row = cursor.execute(self._sql(_RESERVE), (count,)).fetchone()
        cursor.close()
        return None if row is None else (row[0], bytes(row[1]), _bytes(row[2]), row[3])

    instants_as_text = True
    """SQLite keeps instants as the UTC text the payload header holds (UtcDateTime's format)."""

    def insert_entries(self, rows: Iterator[tuple[Any, ...]], *, count: int) -> None:
        del count  # SQLite has no COPY; executemany is its bulk path
        self._connection.executemany(_INSERT.replace("%s", "?"), rows)

    def sign_head(self, head: SignedPoint) -> None:
        statement = "UPDATE access_log_head SET last_hash = ?, signature = ?, key_id = ? WHERE id = 1"
        cursor = self._connection.cursor()
        cursor.execute(self._sql(statement), (head.entry_hash, head.signature, head.key_id))
        cursor.close()

    def insert_checkpoints(self, points: Sequence[SignedPoint], signed_at: Any) -> None:  # noqa: ANN401
        if not points:
            return
        statement = (
            "INSERT INTO access_log_checkpoints (sequence, entry_hash, signed_at, signature, key_id) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sequence) DO NOTHING"
        )
        at = self._instant(signed_at)
        rows = [(p.sequence, p.entry_hash, at, p.signature, p.key_id) for p in points]
        cursor = self._connection.cursor()
        cursor.executemany(self._sql(statement), rows)
        cursor.close()

    def _instant(self, value: Any) -> Any:  # noqa: ANN401
        return sqlite_utc_text(value)


class _PostgresStatements(_Statements):
    """PostgreSQL: binary COPY for batches, pipelined INSERTs for a few entries."""

    instants_as_text = False

    def pipelined(self, count: int) -> contextlib.AbstractContextManager[object]:
        """A few entries: one round trip for the inserts, the head and the checkpoints (not for COPY)."""
        return self._connection.pipeline() if count < COPY_FROM_ENTRIES else contextlib.nullcontext()

    def insert_entries(self, rows: Iterator[tuple[Any, ...]], *, count: int) -> None:
        with self._connection.cursor() as cursor:
            if count < COPY_FROM_ENTRIES:
                cursor.executemany(_INSERT, list(rows))
                return
            with cursor.copy(f"COPY access_log ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as stream:
                stream.set_types(list(_POSTGRES_TYPES))
                for row in rows:  # written as they are chained: the server stores while we hash
                    stream.write_row(row)

    def _instant(self, value: Any) -> Any:  # noqa: ANN401
        return value


def _bytes(value: bytes | memoryview | None) -> bytes | None:
    return None if value is None else bytes(value)
