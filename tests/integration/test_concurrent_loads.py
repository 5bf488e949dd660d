"""Two loads at the same time into one committed database: the second waits, it does not fail.

On SQLite a transaction that reads before it writes cannot take the write lock while
another load holds it, and fails at once instead of waiting for the busy timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.conftest import make_settings
from tests.factories import add_account, many_cdr_rows, write_cdr_csv

from cpniguard.adapters.db.tables import CallDetailRecord, IngestBatch
from cpniguard.adapters.ingest.cdr_csv import CsvCallDetailSource
from cpniguard.bootstrap import Container, build_container
from cpniguard.services.call_detail import IngestReport, ingest_call_detail

ROWS_PER_FILE = 4_000
ROUNDS = 3


@pytest.fixture
def committed(fresh_database_url: str) -> Iterator[Container]:
    built = build_container(make_settings(fresh_database_url))
    yield built
    built.dispose()


@pytest.fixture
def account(committed: Container) -> str:
    with Session(committed.engine) as session:
        _, number = add_account(session)
        session.commit()
    return number


def load_together(container: Container, paths: list[Path]) -> list[IngestReport]:
    """Load every file at once, one thread each, started together."""
    start = threading.Barrier(len(paths))

    def load(path: Path) -> IngestReport:
        source = CsvCallDetailSource.from_path(path)
        start.wait(timeout=30)
        return ingest_call_detail(
            source=source,
            loaded_by=f"loader of {path.name}",
            skip_invalid=False,
            uow_factory=container.unit_of_work,
            clock=container.clock,
        )

    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        return list(pool.map(load, paths))


def test_two_loads_at_the_same_time_both_succeed_and_every_row_is_stored(committed, account, tmp_path):
    paths = [
        write_cdr_csv(
            tmp_path / f"file-{i}.csv", many_cdr_rows(account, ROWS_PER_FILE, start=i * ROWS_PER_FILE)
        )
        for i in range(2 * ROUNDS)
    ]
    reports = [report for i in range(ROUNDS) for report in load_together(committed, paths[2 * i : 2 * i + 2])]

    assert [r.rows_loaded for r in reports] == [ROWS_PER_FILE] * 2 * ROUNDS
    with committed.engine.connect() as connection:
        records = connection.execute(select(func.count()).select_from(CallDetailRecord)).scalar_one()
        batches = connection.execute(select(func.count()).select_from(IngestBatch)).scalar_one()
    assert (records, batches) == (2 * ROUNDS * ROWS_PER_FILE, 2 * ROUNDS)
