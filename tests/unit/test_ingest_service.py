"""ingest_call_detail over in-memory fakes: all or nothing, never twice (47 CFR 64.2003(d))."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.fakes import FakeDatabase, FakeUnitOfWorkFactory, FixedClock, ListCallDetailSource

from cpniguard.domain.call_detail import CALL_DETAIL_COLUMNS
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.services.call_detail import IngestRejectedError, IngestReport, ingest_call_detail
from cpniguard.services.ports import RawCallDetailRow, RowRejection

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
ACCOUNT = "A-100"


def fields(record_id: str, **overrides: str) -> list[str]:
    values = {
        "source_system": "switch-a",
        "record_id": record_id,
        "account_number": ACCOUNT,
        "direction": "outbound",
        "call_type": "local",
        "calling_number": "+12125550100",
        "called_number": "+13125557890",
        "started_at": "2026-10-01T09:30:00-04:00",
        "answered_at": "",
        "duration_seconds": "125",
        "billable_seconds": "120",
        "cell_site": "",
    } | overrides
    return [values[column] for column in CALL_DETAIL_COLUMNS]


def rows(*record_ids: str, first_line: int = 2) -> list[RawCallDetailRow | RowRejection]:
    return [(first_line + i, fields(r)) for i, r in enumerate(record_ids)]


@pytest.fixture
def database() -> FakeDatabase:
    database = FakeDatabase()
    database.add_account(ACCOUNT)
    return database


def ingest(
    database: FakeDatabase,
    source_rows: list[RawCallDetailRow | RowRejection],
    *,
    skip_invalid: bool = False,
    replays: bool = False,
    progress: list[int] | None = None,
) -> IngestReport:
    return ingest_call_detail(
        source=ListCallDetailSource("calls.csv", source_rows),
        loaded_by="test",
        skip_invalid=skip_invalid,
        uow_factory=FakeUnitOfWorkFactory(database, replays=replays),
        clock=FixedClock(NOW),
        progress=None if progress is None else progress.append,
    )


def stored_ids(database: FakeDatabase) -> set[str]:
    return {record_id for _, record_id in database.tables.call_detail}


def test_valid_rows_are_loaded_and_counted(database):
    report = ingest(database, rows("r1", "r2", "r3"))
    assert (report.rows_read, report.rows_loaded, report.duplicates_skipped, report.rows_rejected) == (
        3,
        3,
        0,
        0,
    )
    assert stored_ids(database) == {"r1", "r2", "r3"}
    assert database.commits == 1


def test_the_batch_records_what_the_load_did(database):
    report = ingest(database, rows("r1", "r2"))
    assert report.batch_id is not None
    batch = database.tables.batches[report.batch_id]
    assert batch is not None
    assert (batch.source_name, batch.loaded_by, batch.started_at, batch.finished_at) == (
        "calls.csv",
        "test",
        NOW,
        NOW,
    )
    assert (batch.rows_read, batch.rows_loaded, batch.duplicates_skipped, batch.rows_rejected) == (2, 2, 0, 0)
    assert len(batch.content_sha256) == 64
    assert {batch_id for _, batch_id in database.tables.call_detail.values()} == {report.batch_id}


def test_one_invalid_row_refuses_the_whole_input_and_stores_nothing(database):
    bad = (3, fields("r2", direction="sideways", duration_seconds="-1"))
    with pytest.raises(IngestRejectedError) as raised:
        ingest(database, [*rows("r1"), bad, *rows("r3", first_line=4)])
    error = raised.value
    assert "1 of 3 rows in calls.csv are invalid; nothing was loaded" in error.message
    assert {p.location for p in error.problems} == {"line 3: direction", "line 3: duration_seconds"}
    assert database.tables.call_detail == {}
    assert database.tables.batches == {}
    assert database.commits == 0


def test_every_bad_row_is_listed_with_its_line(database):
    source = [
        (2, fields("r1", account_number="nobody")),
        *rows("r2", first_line=3),
        RowRejection(4, (FieldProblem("row", "malformed CSV: unexpected end of data"),)),
        (5, fields("r4", calling_number="12125550100")),
    ]
    with pytest.raises(IngestRejectedError) as raised:
        ingest(database, source)
    assert [p.location for p in raised.value.problems] == [
        "line 2: account_number",
        "line 4: row",
        "line 5: calling_number",
    ]
    assert raised.value.report.rows_rejected == 3
    assert database.commits == 0


def test_skip_invalid_loads_the_good_rows_and_reports_the_rejects_with_their_fields(database):
    bad_fields = fields("r2", call_type="collect")
    report = ingest(database, [*rows("r1"), (3, bad_fields), *rows("r3", first_line=4)], skip_invalid=True)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 2, 1)
    assert stored_ids(database) == {"r1", "r3"}
    [rejection] = report.rejections
    assert rejection.line_number == 3
    assert rejection.fields == tuple(bad_fields)
    assert [p.location for p in rejection.problems] == ["call_type"]
    batch = database.tables.batches[report.batch_id or 0]
    assert batch is not None
    assert batch.rows_rejected == 1


def test_skip_invalid_with_every_row_invalid_stores_no_records_but_records_the_batch(database):
    report = ingest(database, [(2, fields("r1", account_number="nobody"))], skip_invalid=True)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (1, 0, 1)
    assert database.tables.call_detail == {}


def test_a_record_id_repeated_inside_the_input_is_rejected_naming_the_first_line(database):
    source = [*rows("r1", "r2"), (4, fields("r1"))]
    with pytest.raises(IngestRejectedError) as raised:
        ingest(database, source)
    [problem] = raised.value.problems
    assert problem.location == "line 4: record_id"
    assert "duplicate of line 2" in problem.message
    assert database.tables.call_detail == {}


def test_the_same_record_id_from_another_source_system_is_not_a_duplicate(database):
    source = [*rows("r1"), (3, fields("r1", source_system="switch-b"))]
    assert ingest(database, source).rows_loaded == 2


def test_skip_invalid_keeps_the_first_of_repeated_records(database):
    report = ingest(database, [*rows("r1", "r2"), (4, fields("r1", cell_site="other"))], skip_invalid=True)
    assert report.rows_loaded == 2
    assert [r.line_number for r in report.rejections] == [4]
    record, _ = database.tables.call_detail["switch-a", "r1"]
    assert record.cell_site is None


def test_loading_the_same_input_twice_adds_nothing(database):
    ingest(database, rows("r1", "r2"))
    report = ingest(database, rows("r1", "r2"))
    assert (report.rows_read, report.rows_loaded, report.duplicates_skipped) == (2, 0, 2)
    assert stored_ids(database) == {"r1", "r2"}


@pytest.mark.parametrize("replays", [False, True], ids=["single_pass", "store_replays"])
def test_records_already_stored_are_skipped_and_new_ones_loaded(database, replays):
    ingest(database, rows("r1", "r2"))
    report = ingest(database, rows("r2", "r3", "r4"), replays=replays)
    assert (report.rows_read, report.rows_loaded, report.duplicates_skipped, report.rows_rejected) == (
        3,
        2,
        1,
        0,
    )
    assert stored_ids(database) == {"r1", "r2", "r3", "r4"}


def test_a_store_that_replays_the_input_does_not_double_the_rejections(database):
    source = [*rows("r1"), (3, fields("r2", direction="x")), (4, fields("r1"))]
    report = ingest(database, source, skip_invalid=True, replays=True)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 1, 2)


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_an_input_without_records_is_refused(database, skip_invalid):
    with pytest.raises(InvalidInputError) as raised:
        ingest(database, [], skip_invalid=skip_invalid)
    assert "calls.csv holds no call detail records" in raised.value.message
    assert [p.location for p in raised.value.problems] == ["line 2"]
    assert database.tables.batches == {}


def test_an_error_from_the_source_part_way_stores_nothing(database):
    class BrokenSource(ListCallDetailSource):
        def rows(self):  # type: ignore[override]
            yield from super().rows()
            raise InvalidInputError("calls.csv: the gzip stream is damaged or cut short")

    with pytest.raises(InvalidInputError, match="damaged"):
        ingest_call_detail(
            source=BrokenSource("calls.csv", rows("r1", "r2")),
            loaded_by="test",
            skip_invalid=True,
            uow_factory=FakeUnitOfWorkFactory(database),
            clock=FixedClock(NOW),
        )
    assert database.tables.call_detail == {}
    assert database.commits == 0


def test_progress_is_told_during_the_load_with_counts_that_only_grow(database):
    total = 12_000
    told: list[int] = []
    report = ingest(database, rows(*(f"r{i}" for i in range(total))), progress=told)
    assert report.rows_loaded == total
    assert len(told) >= 2, "progress must be told while loading, not only at the end"
    assert told == sorted(told)
    assert told[0] > 0
    assert told[-1] == total


def test_a_load_without_a_progress_callback_works(database):
    assert ingest(database, rows("r1")).rows_loaded == 1


def test_progress_never_goes_backwards_when_the_store_replays_the_input(database):
    told: list[int] = []
    report = ingest(database, rows(*(f"r{i}" for i in range(3_000))), replays=True, progress=told)
    assert report.rows_read == 3_000
    assert told == sorted(set(told)), "a replay must not tell smaller or repeated counts"
    assert told[-1] == 3_000
