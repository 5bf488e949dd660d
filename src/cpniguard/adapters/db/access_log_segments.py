"""Reading stretches of the access log for verification, in this process or in worker processes.

Kept free of SQLAlchemy so that a worker process starts fast: it runs this module
(`python -m`), imports only the DB-API driver and the domain's checks, opens one connection
of its own, and checks the stretches it is sent over its stdin. Each stretch is one query
on the primary key, fetched in batches; the queryable columns come back as the header line
the payload must begin with, made by the database (`ChainLink`), so that checking them
costs one bytes comparison here.
"""

from __future__ import annotations

import contextlib
import itertools
import pickle
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, cast

from cpniguard.domain.audit_verification import ChainLink, SegmentCheck
from cpniguard.services.ports import SegmentChecker

FETCH_ROWS = 10_000
STOP_TIMEOUT_SECONDS = 10
_SQLITE_STRETCH = (
    "SELECT sequence, CAST(sequence || '|' || occurred_at || '|' || event || '|' "
    "|| coalesce(account_id, '') || char(10) AS BLOB), payload, previous_hash, entry_hash "
    "FROM access_log WHERE sequence BETWEEN ? AND ? ORDER BY sequence"
)
_POSTGRES_STRETCH = (
    "SELECT sequence, convert_to(sequence::text || '|' "
    "|| to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '|' || event || '|' "
    "|| coalesce(account_id::text, '') || chr(10), 'UTF8'), "
    "payload, previous_hash, entry_hash FROM access_log WHERE sequence BETWEEN %s AND %s ORDER BY sequence"
)
"""UtcDateTime keeps SQLite instants as that very UTC text; PostgreSQL formats its timestamptz."""


def read_stretch(connection: Any, first: int, last: int) -> Iterator[ChainLink]:  # noqa: ANN401  (DB-API)
    """The stored entries first..last in sequence order, as verification reads them."""
    if isinstance(connection, sqlite3.Connection):
        cursor: Any = connection.execute(_SQLITE_STRETCH, (first, last))
    else:
        cursor = connection.cursor(binary=True)  # bytea as raw bytes, not hex text
        cursor.execute(_POSTGRES_STRETCH, (first, last))
    try:
        yield from itertools.chain.from_iterable(iter(lambda: cursor.fetchmany(FETCH_ROWS), []))
    finally:
        cursor.close()


def check_stretches(
    connection: Any,  # noqa: ANN401  (DB-API)
    check: SegmentChecker,
    stretches: Iterable[tuple[int, int]],
) -> Iterator[SegmentCheck]:
    """Check each stretch on `connection`, in order."""
    for first, last in stretches:
        yield check(read_stretch(connection, first, last))


def connect(url: str) -> Any:  # noqa: ANN401  (sqlite3 or psycopg)
    """A read-only DB-API connection of a worker's own; `url` is a plain libpq URL or a SQLite path."""
    if url.startswith("postgresql://"):
        import psycopg  # noqa: PLC0415  (only the PostgreSQL workers pay for it)

        postgres = psycopg.connect(url, autocommit=True)
        postgres.execute("SET default_transaction_read_only = on")
        return postgres
    connection = sqlite3.connect(url, isolation_level=None)
    connection.execute("PRAGMA query_only = ON")
    return connection


def check_in_workers(
    url: str, check: SegmentChecker, stretches: list[tuple[int, int]], workers: int
) -> Iterator[SegmentCheck]:
    """Check `stretches` in `workers` processes of this module; results in the stretches' order.

    Stretch i goes to worker i mod `workers`, at most two ahead per worker, so that neither
    side can fill a pipe the other is not reading. Workers are fresh interpreters that
    import only this module, and they get the URL (which may hold a password) on stdin.
    """
    command = [sys.executable, "-m", __name__]
    processes = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # noqa: S603  (ourselves)
        for _ in range(workers)
    ]
    try:
        for process in processes:
            _send(process, (url, check))
        for index in range(min(len(stretches), 2 * workers)):
            _send(processes[index % workers], stretches[index])
        for index in range(len(stretches)):
            result = _receive(processes[index % workers])
            if index + 2 * workers < len(stretches):
                _send(processes[index % workers], stretches[index + 2 * workers])
            yield result
    finally:
        for process in processes:
            _stop(process)


def _send(process: subprocess.Popen[bytes], message: object) -> None:
    assert process.stdin is not None  # noqa: S101
    pickle.dump(message, process.stdin)
    process.stdin.flush()


def _receive(process: subprocess.Popen[bytes]) -> SegmentCheck:
    assert process.stdout is not None  # noqa: S101
    try:
        result, failure = pickle.load(process.stdout)  # noqa: S301  (our own worker, over our own pipe)
    except EOFError:
        raise RuntimeError(f"an access-log verification worker stopped (exit {process.wait()})") from None
    if failure is not None:
        raise RuntimeError(f"an access-log verification worker failed: {failure}")
    return cast("SegmentCheck", result)


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        _send(process, None)
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """A worker: read the URL and the check, then check each stretch sent until None."""
    url, check = pickle.load(requests)  # noqa: S301  (from the process that started us)
    connection = connect(url)
    try:
        while (stretch := pickle.load(requests)) is not None:  # noqa: S301
            try:
                answer: tuple[SegmentCheck | None, str | None] = (
                    check(read_stretch(connection, *stretch)),
                    None,
                )
            except Exception as error:  # noqa: BLE001  (reported to the parent, which raises)
                answer = (None, repr(error))
            pickle.dump(answer, answers)
            answers.flush()
    finally:
        connection.close()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
