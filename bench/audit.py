"""Benchmark the access log: batched and one-per-request appends against the raw driver, and verify.

    .venv/bin/python bench/audit.py                       # SQLite and PostgreSQL
    .venv/bin/python bench/audit.py --engine sqlite --entries 200000

Appends are ratios to a raw baseline measured in the same run on equivalent rows: the very
rows cpniguard stores (computed before the clock starts), written by the driver alone.
Verification is reported in entries per second, in one process and in worker processes.
The last line printed is one JSON object. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import make_url

from cpniguard.adapters.db.access_log_chain import SqlAccessLogChain
from cpniguard.adapters.db.engine import build_engine
from cpniguard.domain.audit import GENESIS_HASH, AccessLogEntry, AuditEvent, LoggedReason, chain_entries
from cpniguard.domain.audit_verification import check_segment
from cpniguard.services.audit import verify_access_log
from scratch_databases import DEFAULT_POSTGRES_URL, SQLITE_PRAGMAS, container_for, fresh_database, libpq_url

COLUMNS = "sequence, occurred_at, event, account_id, payload, previous_hash, entry_hash"
POSTGRES_TYPES = ["int8", "timestamptz", "text", "int8", "bytea", "bytea", "bytea"]
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
REASONS = (
    LoggedReason(
        "auth.password",
        "47 CFR 64.2010(b)",
        "The caller gave the password set up for the account, so call detail may be discussed.",
    ),
    LoggedReason(
        "purpose.provide-service", "47 U.S.C. 222(c)(1)", "Providing the service the customer subscribes to."
    ),
)


def synthetic_entries(count: int, accounts: int, seed: int) -> list[AccessLogEntry]:
    """Decisions of a busy contact centre: one a few milliseconds after another, most permitted."""
    rng = random.Random(seed)
    entries = []
    for index in range(count):
        permitted = rng.random() < 0.9
        entries.append(
            AccessLogEntry(
                event=AuditEvent.DISCLOSURE_PERMITTED if permitted else AuditEvent.DISCLOSURE_DENIED,
                occurred_at=START + timedelta(microseconds=index * 3_517),
                actor_kind="employee",
                actor_id=f"rep-{rng.randrange(400):04d}",
                actor_role="representative",
                account_id=rng.randrange(1, accounts + 1),
                data_category=rng.choice(("call_detail", "cpni", "account_information")),
                purpose="provide_service",
                channel=rng.choice(("inbound_call", "online", "store")),
                recipient="customer",
                destination=None if permitted else "not_of_record",
                interaction_id=rng.randrange(1, 10_000_000),
                authentication=("password",) if permitted else (),
                outcome="permit" if permitted else "deny",
                reasons=REASONS[: rng.randrange(1, 3)],
                conditions=(),
                rule_set="cpni-2007",
            )
        )
    return entries


# ------------------------------------------------------------------ databases


def fingerprint(url: str) -> tuple[Any, ...]:
    """Aggregates over the stored entries; the two sides of an append comparison must agree."""
    engine = build_engine(url)
    with engine.connect() as connection:
        row = connection.exec_driver_sql(
            "SELECT count(*), sum(sequence), sum(account_id), sum(length(payload)), min(occurred_at), "
            "max(occurred_at) FROM access_log"
        ).one()
    engine.dispose()
    return tuple(str(value) for value in row)


# ------------------------------------------------------------------ the raw driver


@contextlib.contextmanager
def raw_connection(url: str) -> Iterator[Any]:
    """The driver's own connection, configured as cpniguard's engine configures SQLite."""
    parsed = make_url(url)
    connection: Any
    if parsed.get_backend_name() == "sqlite":
        connection = sqlite3.connect(parsed.database or "", isolation_level=None)
        for pragma in SQLITE_PRAGMAS:
            connection.execute(f"PRAGMA {pragma}")
    else:
        connection = psycopg.connect(libpq_url(url))
    try:
        yield connection
    finally:
        connection.close()


def stored_rows(entries: list[AccessLogEntry], engine: str) -> list[tuple[Any, ...]]:
    """The rows cpniguard stores for `entries` from entry 1, as the driver takes them."""
    rows = []
    for chained in chain_entries(entries, first_sequence=1, previous_hash=GENESIS_HASH):
        entry = chained.entry
        instant = chained.occurred_at_utc if engine == "sqlite" else entry.occurred_at
        rows.append(
            (chained.sequence, instant, str(entry.event), entry.account_id, *chained[3:])  # payload, hashes
        )
    return rows


def raw_batches(url: str, rows: list[tuple[Any, ...]], batch: int) -> float:
    """Seconds to write `rows`, `batch` per transaction: binary COPY (PostgreSQL), executemany (SQLite)."""
    with raw_connection(url) as connection:
        started = time.perf_counter()
        for first in range(0, len(rows), batch):
            chunk = rows[first : first + batch]
            if isinstance(connection, sqlite3.Connection):
                connection.execute("BEGIN")
                connection.executemany(
                    f"INSERT INTO access_log ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", chunk
                )
                connection.execute("COMMIT")
                continue
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY access_log ({COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy,
            ):
                copy.set_types(POSTGRES_TYPES)
                for row in chunk:
                    copy.write_row(row)
            connection.commit()
        return time.perf_counter() - started


def raw_one_per_transaction(url: str, rows: list[tuple[Any, ...]]) -> float:
    """Seconds to write `rows` one INSERT per transaction."""
    with raw_connection(url) as connection:
        sqlite = isinstance(connection, sqlite3.Connection)
        marker = "?" if sqlite else "%s"
        statement = f"INSERT INTO access_log ({COLUMNS}) VALUES ({', '.join([marker] * 7)})"
        started = time.perf_counter()
        for row in rows:
            if sqlite:
                connection.execute("BEGIN")
                connection.execute(statement, row)
                connection.execute("COMMIT")
            else:
                connection.execute(statement, row)
                connection.commit()
        return time.perf_counter() - started


# ------------------------------------------------------------------ cpniguard


def cpniguard_batches(url: str, entries: list[AccessLogEntry], batch: int, workdir: Path) -> float:
    """Seconds to append `entries` through the unit of work, `batch` per transaction."""
    container = container_for(url, workdir)
    try:
        started = time.perf_counter()
        for first in range(0, len(entries), batch):
            with container.unit_of_work() as uow:
                uow.access_log.append(entries[first : first + batch])
                uow.commit()
        return time.perf_counter() - started
    finally:
        container.dispose()


def cpniguard_one_per_transaction(url: str, entries: list[AccessLogEntry], workdir: Path) -> float:
    """Seconds to append `entries` one per unit of work, as one request each would."""
    container = container_for(url, workdir)
    try:
        started = time.perf_counter()
        for entry in entries:
            with container.unit_of_work() as uow:
                uow.access_log.append([entry])
                uow.commit()
        return time.perf_counter() - started
    finally:
        container.dispose()


def unit_of_work_only(url: str, requests: int, workdir: Path) -> float:
    """Seconds for `requests` units of work that only ping and commit: the floor under one-per-request."""
    container = container_for(url, workdir)
    try:
        started = time.perf_counter()
        for _ in range(requests):
            with container.unit_of_work() as uow:
                uow.ping()
                uow.commit()
        return time.perf_counter() - started
    finally:
        container.dispose()


def verify_rates(url: str, workdir: Path, entries: int) -> dict[str, int]:
    """Entries per second of `verify_access_log` in this process and in worker processes."""
    container = container_for(url, workdir)
    rates = {}
    try:
        for name, workers in (("verify_one_process", 1), ("verify_workers", os.cpu_count() or 1)):
            chain = SqlAccessLogChain(container.sessions, workers=workers, parallel_from_entries=0)
            started = time.perf_counter()
            report = verify_access_log(chain=chain, keys=container.access_log_keys())
            elapsed = time.perf_counter() - started
            if not report.is_intact or report.entries_checked != entries:
                raise AssertionError(f"the benchmark's own log should verify whole: {report}")
            rates[f"{name}_entries_per_s"] = round(entries / elapsed)
    finally:
        container.dispose()
    return rates


def check_only_rate(rows: list[tuple[Any, ...]]) -> float:
    """Entries per second of the domain's check alone, over links already in memory."""
    links = [
        (sequence, payload[: payload.index(b"\n") + 1], payload, previous, digest)
        for sequence, _, _, _, payload, previous, digest in rows
    ]
    started = time.perf_counter()
    result = check_segment(links)
    elapsed = time.perf_counter() - started
    if result.fault is not None:
        raise AssertionError(result.fault)
    return round(len(links) / elapsed)


# ------------------------------------------------------------------ the run


def best_of(
    repeat: int,
    sides: dict[str, Callable[[str], float]],
    make_db: Callable[[], contextlib.AbstractContextManager[str]],
) -> dict[str, float]:
    """Best seconds of each side over `repeat` rounds on fresh databases; sides take turns going first."""
    times: dict[str, list[float]] = {side: [] for side in sides}
    prints = set()
    for attempt in range(repeat):
        order = list(sides)[attempt % len(sides) :] + list(sides)[: attempt % len(sides)]
        for side in order:
            with make_db() as url:
                times[side].append(sides[side](url))
                prints.add(fingerprint(url))
    if len(prints) != 1:
        raise AssertionError(f"the sides stored different entries: {prints}")
    return {side: min(seconds) for side, seconds in times.items()}


def measure_engine(engine: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Every figure on one engine."""
    entries = synthetic_entries(args.entries, args.accounts, args.seed)
    rows = stored_rows(entries, engine)
    single = entries[: args.requests]

    def make_db() -> contextlib.AbstractContextManager[str]:
        return fresh_database(engine, args.postgres_url, workdir)

    batched = best_of(
        args.repeat,
        {
            "cpniguard": lambda url: cpniguard_batches(url, entries, args.batch, workdir),
            "raw": lambda url: raw_batches(url, rows, args.batch),
        },
        make_db,
    )
    one = best_of(
        args.repeat,
        {
            "cpniguard": lambda url: cpniguard_one_per_transaction(url, single, workdir),
            "raw": lambda url: raw_one_per_transaction(url, rows[: args.requests]),
        },
        make_db,
    )
    with make_db() as url:
        floor = min(unit_of_work_only(url, args.requests, workdir) for _ in range(args.repeat))
        cpniguard_batches(url, entries, args.batch, workdir)
        verify = verify_rates(url, workdir, args.entries)
    figures = {
        "batched_entries_per_s": round(args.entries / batched["cpniguard"]),
        "raw_batched_rows_per_s": round(args.entries / batched["raw"]),
        "batched_ratio": round(batched["raw"] / batched["cpniguard"], 3),
        "one_per_request_per_s": round(args.requests / one["cpniguard"]),
        "raw_one_per_transaction_per_s": round(args.requests / one["raw"]),
        "one_per_request_ratio": round(one["raw"] / one["cpniguard"], 3),
        "unit_of_work_only_per_s": round(args.requests / floor),
        **verify,
        "check_only_entries_per_s": check_only_rate(rows),
        "bytes_per_payload": round(sum(len(row[4]) for row in rows) / len(rows)),
    }
    print(f"{engine}: {json.dumps(figures)}")
    return figures


def parse_arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=500_000, help="entries appended in batches")
    parser.add_argument("--batch", type=int, default=10_000, help="entries per batched transaction")
    parser.add_argument("--requests", type=int, default=2_000, help="one-entry transactions")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="server for temporary databases")
    parser.add_argument("--accounts", type=int, default=10_000, help="accounts the entries are spread over")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the synthetic entries")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per side (the best is kept)")
    return parser.parse_args()


def main() -> None:
    """Measure each engine, print a line per engine and then one JSON line."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    args = parse_arguments()
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    result: dict[str, Any] = {
        "entries": args.entries,
        "batch": args.batch,
        "requests": args.requests,
        "cpus": os.cpu_count(),
        "statistic": f"best of {args.repeat} rounds per side; sides take turns going first",
    }
    with tempfile.TemporaryDirectory(prefix="cpniguard-bench-") as scratch:
        for engine in engines:
            result[engine] = measure_engine(engine, args, Path(scratch))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
