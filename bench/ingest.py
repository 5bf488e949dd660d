"""Benchmark call detail ingest and the per-account one-month read against the raw driver.

    .venv/bin/python bench/ingest.py --rows 1000000 --engine both

Every figure is a ratio to a baseline measured in the same run on the same rows, because
absolute times on a shared machine are noise. The last line printed is one JSON object.
See bench/README.md for what each side does.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert

from cpniguard.adapters.db.engine import build_engine
from cpniguard.adapters.db.tables import Account
from cpniguard.adapters.ingest.cdr_csv import CsvCallDetailSource
from cpniguard.bootstrap import Container
from cpniguard.domain.accounts import AccountKind, AccountStatus, Language
from cpniguard.domain.classification import DataClass
from cpniguard.domain.disclosure import Permit
from cpniguard.domain.disclosure_request import Purpose
from cpniguard.services.call_detail import ingest_call_detail
from raw_baseline import (
    QUERY_MONTH,
    raw_postgres_ingest,
    raw_postgres_queries,
    raw_sqlite_ingest,
    raw_sqlite_queries,
)
from scratch_databases import DEFAULT_POSTGRES_URL, container_for, fresh_database
from synthetic_cdr import write_synthetic_file

# ------------------------------------------------------------------ databases


@dataclass(frozen=True)
class Target:
    """Where measurements run: an engine, its server (PostgreSQL), a scratch folder and the accounts."""

    engine: str
    postgres_url: str
    workdir: Path
    account_numbers: list[str]


def insert_accounts(engine: Engine, account_numbers: list[str]) -> None:
    """Insert the synthetic accounts the call detail rows name."""
    opened = datetime(2024, 1, 1, tzinfo=UTC)
    accounts = [
        {
            "account_number": number,
            "kind": AccountKind.BUSINESS if index % 10 == 0 else AccountKind.RESIDENTIAL,
            "language": Language.EN,
            "status": AccountStatus.ACTIVE,
            "account_holder_name": f"Synthetic Holder {index}",
            "opened_at": opened,
        }
        for index, number in enumerate(account_numbers)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Account), accounts)


def fresh_accounts_database(target: Target) -> contextlib.AbstractContextManager[str]:
    """A new database migrated to head and holding the target's accounts; dropped afterwards."""
    prepare = functools.partial(insert_accounts, account_numbers=target.account_numbers)
    return fresh_database(target.engine, target.postgres_url, target.workdir, prepare)


def fingerprint(url: str) -> tuple[Any, ...]:
    """Aggregates over the stored records; both sides of a comparison must produce the same."""
    engine = build_engine(url)
    with engine.connect() as connection:
        row = connection.exec_driver_sql(
            "SELECT count(*), sum(account_id), sum(duration_seconds), sum(billable_seconds), "
            "count(answered_at), count(cell_site), sum(length(called_number)), "
            "min(started_at), max(started_at), max(answered_at) FROM call_detail_records"
        ).one()
    engine.dispose()
    return tuple(row)


# ------------------------------------------------------------------ ingest: cpniguard and raw


def cpniguard_ingest(url: str, csv_path: Path, *, workdir: Path) -> float:
    """Seconds for ingest_call_detail over the file, through a real container."""
    container = container_for(url, workdir)
    try:
        started = time.perf_counter()
        report = ingest_call_detail(
            source=CsvCallDetailSource.from_path(csv_path),
            loaded_by="bench",
            skip_invalid=False,
            uow_factory=container.unit_of_work,
            clock=container.clock,
        )
        elapsed = time.perf_counter() - started
    finally:
        container.dispose()
    if report.rows_rejected or report.duplicates_skipped:
        raise AssertionError(f"the synthetic file should load whole: {report}")
    return elapsed


# ------------------------------------------------------------------ per-account one-month query


def cpniguard_queries(container: Container, account_ids: list[int]) -> tuple[float, int]:
    """Seconds and rows for the store's one-month read of each account, in one unit of work."""
    start, end = QUERY_MONTH
    rows = 0
    started = time.perf_counter()
    # The gate's store, given a permit directly: this measures the read, not the decision.
    with container.unit_of_work() as uow:
        for account_id in account_ids:
            permit = Permit(account_id, DataClass.CALL_DETAIL, Purpose.PROVIDE_SERVICE, access_log_sequence=0)
            rows += len(uow.cpni.call_detail(permit, start=start, end=end, limit=1_000_000))
    return time.perf_counter() - started, rows


def measure_queries(url: str, target: Target, sample: int, repeats: int) -> dict[str, float]:
    """Best-of-`repeats` queries per second on each side, interleaved, over the same accounts."""
    engine = build_engine(url)
    with engine.begin() as connection:
        if target.engine == "postgresql":
            connection.exec_driver_sql("ANALYZE")
        ids = sorted(connection.exec_driver_sql("SELECT id FROM accounts").scalars())
    engine.dispose()
    account_ids = random.Random(7).sample(ids, min(sample, len(ids)))
    raw = raw_sqlite_queries if target.engine == "sqlite" else raw_postgres_queries
    container = container_for(url, target.workdir)
    ours: list[float] = []
    theirs: list[float] = []
    try:
        for _ in range(repeats):
            seconds, our_rows = cpniguard_queries(container, account_ids)
            ours.append(seconds)
            seconds, raw_rows = raw(url, account_ids)
            theirs.append(seconds)
            if our_rows != raw_rows:
                raise AssertionError(f"cpniguard read {our_rows} rows, raw SQL {raw_rows}")
    finally:
        container.dispose()
    return {
        "cpniguard_queries_per_s": round(len(account_ids) / min(ours), 1),
        "raw_queries_per_s": round(len(account_ids) / min(theirs), 1),
        "query_ratio": round(min(theirs) / min(ours), 3),
        "rows_per_query": round(our_rows / len(account_ids), 1),
    }


# ------------------------------------------------------------------ the run

Ingest = Callable[[str, Path], float]


def ingest_sides(target: Target) -> dict[str, Ingest]:
    """The three loads compared on an engine."""
    raw = raw_sqlite_ingest if target.engine == "sqlite" else raw_postgres_ingest
    return {
        "cpniguard": functools.partial(cpniguard_ingest, workdir=target.workdir),
        "raw": functools.partial(raw, tuned=False),
        "raw_tuned": functools.partial(raw, tuned=True),
    }


def measure_engine(target: Target, csv_path: Path, rows: int, args: argparse.Namespace) -> dict[str, float]:
    """Load the file into fresh databases, each side in turn (rotated every round); keep the best."""
    sides = ingest_sides(target)
    times: dict[str, list[float]] = {side: [] for side in sides}
    fingerprints = set()
    queries: dict[str, float] = {}
    for attempt in range(args.repeat):
        order = list(sides)[attempt % len(sides) :] + list(sides)[: attempt % len(sides)]
        for side in order:
            with fresh_accounts_database(target) as url:
                times[side].append(sides[side](url, csv_path))
                fingerprints.add(fingerprint(url))
                print(
                    f"  {target.engine} {side:9} round {attempt + 1}: {rows / times[side][-1]:>9,.0f} rows/s"
                )
                if side == "cpniguard" and attempt == args.repeat - 1:
                    queries = measure_queries(url, target, args.queries, args.repeat)
    if len(fingerprints) != 1:
        raise AssertionError(f"the sides stored different data: {fingerprints}")
    best = {side: rows / min(seconds) for side, seconds in times.items()}
    median = {side: rows / statistics.median(seconds) for side, seconds in times.items()}
    return {
        "cpniguard_rows_per_s": round(best["cpniguard"]),
        "raw_rows_per_s": round(best["raw"]),
        "ingest_ratio": round(best["cpniguard"] / best["raw"], 3),
        "raw_tuned_rows_per_s": round(best["raw_tuned"]),
        "ingest_ratio_vs_tuned": round(best["cpniguard"] / best["raw_tuned"], 3),
        "median_ingest_ratio": round(median["cpniguard"] / median["raw"], 3),
        **queries,
    }


def parse_arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="call detail rows to load")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="server for temporary databases")
    parser.add_argument("--accounts", type=int, default=10_000, help="accounts the rows are spread over")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the synthetic data")
    parser.add_argument("--repeat", type=int, default=3, help="loads per side and engine (best is kept)")
    parser.add_argument("--queries", type=int, default=2_000, help="accounts read per query measurement")
    return parser.parse_args()


def summary(engine: str, figures: dict[str, float]) -> str:
    """One readable line of an engine's figures."""
    return (
        f"{engine}: cpniguard {figures['cpniguard_rows_per_s']:,} rows/s, raw {figures['raw_rows_per_s']:,} "
        f"(ingest ratio {figures['ingest_ratio']}), raw tuned {figures['raw_tuned_rows_per_s']:,} "
        f"(ratio {figures['ingest_ratio_vs_tuned']}); one-month reads: cpniguard "
        f"{figures['cpniguard_queries_per_s']:,} queries/s, raw {figures['raw_queries_per_s']:,} "
        f"(query ratio {figures['query_ratio']})"
    )


def main() -> None:
    """Generate the file, measure each engine, print the figures and then one JSON line."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    args = parse_arguments()
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    result: dict[str, Any] = {
        "rows": args.rows,
        "accounts": args.accounts,
        "statistic": f"best of {args.repeat} loads per side; sides take turns going first",
    }
    with tempfile.TemporaryDirectory(prefix="cpniguard-bench-") as scratch:
        workdir = Path(scratch)
        csv_path = workdir / "calls.csv"
        account_numbers = [f"B{n:09d}" for n in range(1, args.accounts + 1)]
        started = time.perf_counter()
        write_synthetic_file(csv_path, rows=args.rows, account_numbers=account_numbers, seed=args.seed)
        megabytes = csv_path.stat().st_size / 1e6
        print(
            f"wrote {args.rows:,} synthetic rows, {args.accounts:,} accounts, {megabytes:,.0f} MB, "
            f"in {time.perf_counter() - started:.0f} s"
        )
        for engine in engines:
            target = Target(engine, args.postgres_url, workdir, account_numbers)
            result[engine] = measure_engine(target, csv_path, args.rows, args)
            print(summary(engine, result[engine]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
