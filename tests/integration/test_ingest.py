"""Call detail files through CsvCallDetailSource and ingest_call_detail into the real database.

Every bad input gets an error naming where it is wrong, and nothing is written: the
counts of call detail records and ingest batches are the same before and after.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select
from tests.factories import add_account, cdr_row, many_cdr_rows, write_cdr_csv

from cpniguard.adapters.db.tables import CallDetailRecord, IngestBatch
from cpniguard.adapters.ingest.cdr_csv import CsvCallDetailSource
from cpniguard.adapters.ingest.csv_input import DecompressedTooLargeError, UnreadableInputError
from cpniguard.domain.call_detail import CALL_DETAIL_COLUMNS, REQUIRED_COLUMNS
from cpniguard.domain.errors import InvalidInputError
from cpniguard.services.call_detail import IngestReport, ingest_call_detail

HEADER = ",".join(CALL_DETAIL_COLUMNS)


@pytest.fixture
def account(container) -> str:
    with container.unit_of_work() as uow:
        _, number = add_account(uow.session)
        uow.commit()
    return number


def load(container, path: Path, *, skip_invalid: bool = False) -> IngestReport:
    return ingest_call_detail(
        source=CsvCallDetailSource.from_path(path),
        loaded_by="test",
        skip_invalid=skip_invalid,
        uow_factory=container.unit_of_work,
        clock=container.clock,
    )


def counts(connection: Connection) -> tuple[int, int]:
    """(call detail records, ingest batches) as the test's transaction sees them."""
    records = connection.execute(select(func.count()).select_from(CallDetailRecord)).scalar_one()
    batches = connection.execute(select(func.count()).select_from(IngestBatch)).scalar_one()
    return records, batches


def stored(connection: Connection) -> dict[str, CallDetailRecord]:
    rows = connection.execute(select(CallDetailRecord.__table__)).all()
    return {row.record_id: row for row in rows}


def line(values: dict[str, str]) -> str:
    return ",".join(values[c] for c in CALL_DETAIL_COLUMNS)


def write(path: Path, *lines: str, ending: str = "\n") -> Path:
    path.write_bytes(ending.join(lines).encode("utf-8"))
    return path


# ------------------------------------------------------------------ files that load


def test_a_good_file_loads_with_utc_times_and_the_right_counts(container, connection, account, tmp_path):
    path = write_cdr_csv(
        tmp_path / "october.csv",
        [
            cdr_row(account, "r1"),
            cdr_row(
                account, "r2", started_at="2026-10-01T09:30:00+05:30", answered_at="", cell_site="NYC-041"
            ),
            cdr_row(account, "r3", started_at="2026-10-01T23:59:59Z", answered_at="2026-10-02T00:00:01Z"),
        ],
    )
    report = load(container, path)
    assert (report.rows_read, report.rows_loaded, report.duplicates_skipped, report.rows_rejected) == (
        3,
        3,
        0,
        0,
    )
    records = stored(connection)
    assert records["r1"].started_at == datetime(2026, 10, 1, 13, 30, tzinfo=UTC)
    assert records["r1"].answered_at == datetime(2026, 10, 1, 13, 30, 5, tzinfo=UTC)
    assert (records["r1"].duration_seconds, records["r1"].billable_seconds) == (125, 120)
    assert records["r2"].started_at == datetime(2026, 10, 1, 4, 0, tzinfo=UTC)
    assert (records["r2"].answered_at, records["r2"].cell_site) == (None, "NYC-041")
    assert records["r3"].answered_at == datetime(2026, 10, 2, 0, 0, 1, tzinfo=UTC)
    assert {r.ingest_batch_id for r in records.values()} == {report.batch_id}


def test_the_ingest_batch_records_the_file_and_its_outcome(container, connection, account, tmp_path):
    path = write_cdr_csv(tmp_path / "october.csv", many_cdr_rows(account, 4))
    report = load(container, path)
    batch = connection.execute(select(IngestBatch.__table__).where(IngestBatch.id == report.batch_id)).one()
    assert (batch.source_name, batch.loaded_by) == ("october.csv", "test")
    assert batch.content_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (batch.rows_read, batch.rows_loaded, batch.duplicates_skipped, batch.rows_rejected) == (4, 4, 0, 0)
    assert batch.started_at == container.clock.now()


def test_a_gzip_file_loads(container, connection, account, tmp_path):
    path = write_cdr_csv(tmp_path / "october.csv.gz", many_cdr_rows(account, 25), compress=True)
    assert load(container, path).rows_loaded == 25
    assert counts(connection)[0] == 25


def test_columns_in_another_order_with_the_optional_ones_left_out(container, connection, account, tmp_path):
    columns = sorted(REQUIRED_COLUMNS, reverse=True)
    path = write_cdr_csv(tmp_path / "narrow.csv", [cdr_row(account, "r1")], columns=columns)
    assert load(container, path).rows_loaded == 1
    record = stored(connection)["r1"]
    assert (record.answered_at, record.billable_seconds, record.cell_site) == (None, 0, None)
    assert record.started_at == datetime(2026, 10, 1, 13, 30, tzinfo=UTC)


def test_header_names_are_read_regardless_of_case_and_spaces(container, account, tmp_path):
    header = ", ".join(c.upper() for c in CALL_DETAIL_COLUMNS)
    path = write(tmp_path / "upper.csv", header, line(cdr_row(account, "r1")), "")
    assert load(container, path).rows_loaded == 1


def test_reloading_the_same_file_adds_nothing(container, connection, account, tmp_path):
    path = write_cdr_csv(tmp_path / "october.csv", many_cdr_rows(account, 30))
    load(container, path)
    before = counts(connection)
    report = load(container, path)
    assert (report.rows_read, report.rows_loaded, report.duplicates_skipped) == (30, 0, 30)
    assert counts(connection) == (before[0], before[1] + 1)


def test_a_record_already_loaded_from_another_file_is_skipped_and_the_new_ones_load(
    container, connection, account, tmp_path
):
    first = load(container, write_cdr_csv(tmp_path / "a.csv", many_cdr_rows(account, 10)))
    overlapping = many_cdr_rows(account, 10, start=5)
    overlapping[0]["cell_site"] = "changed"  # the stored record stays as first loaded
    second = load(container, write_cdr_csv(tmp_path / "b.csv", overlapping))
    assert (second.rows_read, second.rows_loaded, second.duplicates_skipped) == (10, 5, 5)
    records = stored(connection)
    assert sorted(records) == sorted(f"r{i}" for i in range(15))
    assert records["r5"].cell_site is None
    assert {records[f"r{i}"].ingest_batch_id for i in range(10)} == {first.batch_id}
    assert {records[f"r{i}"].ingest_batch_id for i in range(10, 15)} == {second.batch_id}


def test_a_file_that_only_repeats_stored_records_loads_nothing_new(container, connection, account, tmp_path):
    load(container, write_cdr_csv(tmp_path / "a.csv", many_cdr_rows(account, 6)))
    report = load(container, write_cdr_csv(tmp_path / "b.csv", many_cdr_rows(account, 3, start=2)))
    assert (report.rows_loaded, report.duplicates_skipped) == (0, 3)
    assert counts(connection)[0] == 6


def test_skip_invalid_loads_the_good_rows_and_reports_each_reject_with_its_fields(
    container, connection, account, tmp_path
):
    bad = cdr_row(account, "r2", direction="sideways")
    rows = [cdr_row(account, "r1"), bad, cdr_row(account, "r3"), cdr_row("X9", "r4")]
    report = load(container, write_cdr_csv(tmp_path / "mixed.csv", rows), skip_invalid=True)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (4, 2, 2)
    assert sorted(stored(connection)) == ["r1", "r3"]
    assert [r.line_number for r in report.rejections] == [3, 5]
    assert report.rejections[0].fields == tuple(bad[c] for c in CALL_DETAIL_COLUMNS)
    assert [p.location for p in report.rejections[0].problems] == ["direction"]
    assert [p.location for p in report.rejections[1].problems] == ["account_number"]


def test_a_utf8_byte_order_mark_is_accepted(container, account, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + f"{HEADER}\n{line(cdr_row(account, 'r1'))}\n".encode())
    assert load(container, path).rows_loaded == 1


def test_blank_lines_and_crlf_endings_are_accepted(container, account, tmp_path):
    path = write(
        tmp_path / "blank.csv",
        HEADER,
        "",
        line(cdr_row(account, "r1")),
        "",
        "",
        line(cdr_row(account, "r2")),
        "",
        "",
        ending="\r\n",
    )
    report = load(container, path)
    assert (report.rows_read, report.rows_loaded) == (2, 2)


def test_a_quoted_field_with_a_comma_is_one_field(container, connection, account, tmp_path):
    path = write_cdr_csv(tmp_path / "quoted.csv", [cdr_row(account, "r1", cell_site="NYC, tower 4")])
    load(container, path)
    assert stored(connection)["r1"].cell_site == "NYC, tower 4"


def test_non_ascii_text_is_stored_as_given(container, connection, account, tmp_path):
    path = write_cdr_csv(tmp_path / "utf8.csv", [cdr_row(account, "r-é-1", cell_site="Montréal-Nord")])
    load(container, path)
    assert stored(connection)["r-é-1"].cell_site == "Montréal-Nord"


# ------------------------------------------------------------------ bad input: nothing written

BadFile = Callable[[Path, str], Path]


def _good(account: str, record_id: str) -> str:
    return line(cdr_row(account, record_id))


def _malformed_quote(path: Path, account: str) -> Path:
    broken = _good(account, "r2").replace("switch-a", '"switch-a"x', 1)
    return write(path, HEADER, _good(account, "r1"), broken, _good(account, "r3"), "")


def _latin1(path: Path, account: str) -> Path:
    body = f"{HEADER}\n{_good(account, 'r1')}\n{line(cdr_row(account, 'r2', cell_site='Montréal'))}\n"
    path.write_bytes(body.encode("latin-1"))
    return path


def _utf16(path: Path, account: str) -> Path:
    path.write_bytes(f"{HEADER}\n{_good(account, 'r1')}\n".encode("utf-16"))
    return path


def _missing_column(path: Path, account: str) -> Path:
    columns = [c for c in CALL_DETAIL_COLUMNS if c != "called_number"]
    return write_cdr_csv(path, [cdr_row(account, "r1")], columns=columns)


def _extra_column(path: Path, account: str) -> Path:
    return write_cdr_csv(path, [cdr_row(account, "r1", notes="x")], columns=[*CALL_DETAIL_COLUMNS, "notes"])


def _repeated_column(path: Path, account: str) -> Path:
    return write_cdr_csv(path, [cdr_row(account, "r1")], columns=[*CALL_DETAIL_COLUMNS, "cell_site"])


def _extra_field(path: Path, account: str) -> Path:
    return write(path, HEADER, _good(account, "r1"), _good(account, "r2") + ",surplus", "")


def _missing_field(path: Path, account: str) -> Path:
    return write(path, HEADER, _good(account, "r1"), _good(account, "r2").rsplit(",", 1)[0], "")


def _unknown_account(path: Path, account: str) -> Path:
    return write_cdr_csv(path, [cdr_row(account, "r1"), cdr_row("NO-SUCH-ACCOUNT", "r2")])


def _duplicate_id(path: Path, account: str) -> Path:
    return write_cdr_csv(path, [cdr_row(account, "r1"), cdr_row(account, "r2"), cdr_row(account, "r1")])


def _empty(path: Path, account: str) -> Path:
    path.write_bytes(b"")
    return path


def _header_only(path: Path, account: str) -> Path:
    return write(path, HEADER, "")


def _ends_mid_row(path: Path, account: str) -> Path:
    return write(path, HEADER, _good(account, "r1"), _good(account, "r2"), _good(account, "r3")[:40])


def _quote_open_at_end(path: Path, account: str) -> Path:
    unterminated = _good(account, "r3").replace("switch-a", '"switch-a', 1)
    return write(path, HEADER, _good(account, "r1"), _good(account, "r2"), unterminated, _good(account, "r4"))


def _nul_byte(path: Path, account: str) -> Path:
    return write(path, HEADER, _good(account, "r1"), _good(account, "r2").replace("r2", "r\x002", 1), "")


def _over_long_field(path: Path, account: str) -> Path:
    return write(path, HEADER, _good(account, "r1"), _good(account, "r2").replace("r2", "r" * 10_000), "")


def _invalid_row(path: Path, account: str) -> Path:
    return write_cdr_csv(path, [cdr_row(account, "r1"), cdr_row(account, "r2", duration_seconds="-4")])


def _gzip_damaged(path: Path, account: str) -> Path:
    data = bytearray(gzip.compress(f"{HEADER}\n{_good(account, 'r1')}\n".encode() * 50))
    data[len(data) // 2 : len(data) // 2 + 8] = b"\x00" * 8
    path.write_bytes(bytes(data))
    return path


def _gzip_truncated(path: Path, account: str) -> Path:
    body = HEADER + "\n" + "\n".join(_good(account, f"r{i}") for i in range(200)) + "\n"
    data = gzip.compress(body.encode())
    path.write_bytes(data[: len(data) // 2])
    return path


@dataclass(frozen=True)
class BadFileCase:
    """A way of spoiling a file, and the problem the error must name."""

    name: str
    make: BadFile
    location: str
    fragment: str
    suffix: str = ".csv"

    def write(self, folder: Path, account: str) -> Path:
        return self.make(folder / f"{self.name}{self.suffix}", account)

    def is_named_in(self, error: InvalidInputError) -> bool:
        return any(p.location == self.location and self.fragment in p.message for p in error.problems)


BAD_FILES = [
    BadFileCase("malformed_csv", _malformed_quote, "line 3: row", "malformed CSV"),
    BadFileCase("latin1", _latin1, "line 3", "byte 0xe9"),
    BadFileCase("utf16", _utf16, "line 1", "not UTF-8"),
    BadFileCase("missing_column", _missing_column, "line 1", "missing column 'called_number'"),
    BadFileCase("extra_column", _extra_column, "line 1", "unknown column 'notes'"),
    BadFileCase("repeated_column", _repeated_column, "line 1", "column 'cell_site' appears twice"),
    BadFileCase("extra_field", _extra_field, "line 3: row", "has 13 fields; the header has 12"),
    BadFileCase("missing_field", _missing_field, "line 3: row", "has 11 fields; the header has 12"),
    BadFileCase(
        "unknown_account", _unknown_account, "line 3: account_number", "no account 'NO-SUCH-ACCOUNT'"
    ),
    BadFileCase("duplicate_id", _duplicate_id, "line 4: record_id", "duplicate of line 2"),
    BadFileCase("invalid_row", _invalid_row, "line 3: duration_seconds", "outside"),
    BadFileCase("empty_file", _empty, "line 1", "empty"),
    BadFileCase("header_only", _header_only, "line 2", "at least one record"),
    BadFileCase("ends_mid_row", _ends_mid_row, "line 4: row", "the header has 12"),
    BadFileCase("quote_open_at_end", _quote_open_at_end, "line 4: row", "never closed"),
    BadFileCase("nul_byte", _nul_byte, "line 3: record_id", "control character"),
    BadFileCase("over_long_field", _over_long_field, "line 3: row", "field larger than field limit"),
    BadFileCase("damaged", _gzip_damaged, "damaged.csv.gz", "gzip stream is damaged", ".csv.gz"),
    BadFileCase("truncated", _gzip_truncated, "truncated.csv.gz", "gzip stream is damaged", ".csv.gz"),
]
FATAL_FILES = [c for c in BAD_FILES if c.name in {"latin1", "missing_column", "empty_file", "truncated"}]


@pytest.mark.parametrize("bad", BAD_FILES, ids=[c.name for c in BAD_FILES])
def test_bad_input_is_refused_saying_where_and_nothing_is_written(
    container, connection, account, tmp_path, bad
):
    load(container, write_cdr_csv(tmp_path / "earlier.csv", many_cdr_rows(account, 3, start=100)))
    before = counts(connection)
    path = bad.write(tmp_path, account)
    with pytest.raises(InvalidInputError) as raised:
        load(container, path)
    assert bad.is_named_in(raised.value), raised.value.problems
    assert counts(connection) == before


@pytest.mark.parametrize("bad", FATAL_FILES, ids=[c.name for c in FATAL_FILES])
def test_a_file_that_cannot_be_read_is_refused_even_with_skip_invalid(
    container, connection, account, tmp_path, bad
):
    before = counts(connection)
    with pytest.raises(InvalidInputError) as raised:
        load(container, bad.write(tmp_path, account), skip_invalid=True)
    assert bad.is_named_in(raised.value), raised.value.problems
    assert counts(connection) == before


def test_every_bad_row_of_a_file_is_listed_by_line(container, connection, account, tmp_path):
    rows = [
        cdr_row(account, "r1", direction="up"),
        cdr_row(account, "r2"),
        cdr_row(account, "r3", calling_number="2125550100", started_at="2026-10-01T09:30:00"),
        cdr_row(account, "r4"),
        cdr_row(account, "r2"),
    ]
    with pytest.raises(InvalidInputError) as raised:
        load(container, write_cdr_csv(tmp_path / "bad.csv", rows))
    assert "3 of 5 rows in bad.csv are invalid; nothing was loaded" in raised.value.message
    assert [p.location for p in raised.value.problems] == [
        "line 2: direction",
        "line 4: calling_number",
        "line 4: started_at",
        "line 6: record_id",
    ]
    assert counts(connection) == (0, 0)


def test_a_quote_left_open_names_the_line_where_it_opened(container, account, tmp_path):
    unterminated = _good(account, "r2").replace("switch-a", '"switch-a', 1)
    path = write(
        tmp_path / "open.csv", HEADER, _good(account, "r1"), unterminated, *[_good(account, "r9")] * 5
    )
    with pytest.raises(InvalidInputError) as raised:
        load(container, path)
    assert [p.location for p in raised.value.problems] == ["line 3: row"]


def test_a_row_after_a_malformed_one_is_still_read(container, connection, account, tmp_path):
    report = load(container, _malformed_quote(tmp_path / "m.csv", account), skip_invalid=True)
    assert [r.line_number for r in report.rejections] == [3]
    assert sorted(stored(connection)) == ["r1", "r3"]


def test_a_bad_line_deep_in_a_gzip_file_is_named(container, connection, account, tmp_path):
    rows = many_cdr_rows(account, 7_000)
    rows[6_500]["called_number"] = "+1 312 555"
    path = write_cdr_csv(tmp_path / "deep.csv.gz", rows, compress=True)
    with pytest.raises(InvalidInputError) as raised:
        load(container, path)
    assert [p.location for p in raised.value.problems] == ["line 6502: called_number"]
    assert counts(connection) == (0, 0)


def test_a_latin1_byte_deep_in_a_large_file_is_named_by_line_and_column(
    container, connection, account, tmp_path
):
    body = [HEADER, *(line(r) for r in many_cdr_rows(account, 9_000))]
    body[8_000] = body[8_000].replace("switch-a", "switch-\xe0", 1)
    path = tmp_path / "deep.csv"
    path.write_bytes("\n".join(body).encode("latin-1"))
    with pytest.raises(InvalidInputError) as raised:
        load(container, path)
    [problem] = raised.value.problems
    assert (problem.location, problem.message) == (
        "line 8001",
        "is not UTF-8 (byte 0xe0 at column 8); save the file as UTF-8",
    )
    assert counts(connection) == (0, 0)


def test_a_missing_file_is_refused_by_name(tmp_path):
    with pytest.raises(InvalidInputError) as raised:
        CsvCallDetailSource.from_path(tmp_path / "absent.csv")
    assert [(p.location, p.message) for p in raised.value.problems] == [
        (str(tmp_path / "absent.csv"), "no such file")
    ]


def test_the_estimate_of_rows_counts_lines_after_the_header_in_plain_and_gzip_files(tmp_path):
    rows = many_cdr_rows("A-1", 7)
    plain = CsvCallDetailSource.from_path(write_cdr_csv(tmp_path / "a.csv", rows))
    zipped = CsvCallDetailSource.from_path(write_cdr_csv(tmp_path / "a.csv.gz", rows, compress=True))
    assert plain.estimated_rows() == zipped.estimated_rows() == 7
    assert CsvCallDetailSource("empty", content=b"").estimated_rows() == 0
    assert CsvCallDetailSource("no newline", content=b"header\nrow").estimated_rows() == 1
    assert CsvCallDetailSource("broken gzip", content=b"\x1f\x8b\x08rubbish").estimated_rows() == 0


# ------------------------------------------------------------------ decompressed size limit

MIB = 1 << 20


def test_a_gzip_bomb_is_refused_once_it_expands_past_the_limit_saying_the_limit_in_mib():
    header = HEADER.encode() + b"\n"
    bomb = gzip.compress(header + b"\n" * (64 * MIB))
    source = CsvCallDetailSource("bomb.csv.gz", content=bomb, max_decompressed_bytes=MIB)
    with pytest.raises(DecompressedTooLargeError) as raised:
        list(source.rows())
    assert isinstance(raised.value, UnreadableInputError)
    assert "expands past 1 MiB (1,048,576 bytes) when decompressed" in raised.value.message
    assert [p.location for p in raised.value.problems] == ["bomb.csv.gz"]
    assert source.estimated_rows() == 0


def test_a_gzip_input_may_expand_to_exactly_the_limit_and_not_one_byte_more(tmp_path):
    zipped = write_cdr_csv(tmp_path / "a.csv.gz", many_cdr_rows("A-1", 30), compress=True).read_bytes()
    size = len(gzip.decompress(zipped))
    at_limit = CsvCallDetailSource("a.csv.gz", content=zipped, max_decompressed_bytes=size)
    assert len(list(at_limit.rows())) == 30
    assert at_limit.estimated_rows() == 30
    over = CsvCallDetailSource("a.csv.gz", content=zipped, max_decompressed_bytes=size - 1)
    with pytest.raises(DecompressedTooLargeError):
        list(over.rows())


def test_the_decompressed_limit_leaves_plain_input_and_unlimited_files_alone(tmp_path):
    rows = many_cdr_rows("A-1", 30)
    plain = write_cdr_csv(tmp_path / "a.csv", rows).read_bytes()
    assert len(list(CsvCallDetailSource("a.csv", content=plain, max_decompressed_bytes=10).rows())) == 30
    zipped = CsvCallDetailSource.from_path(write_cdr_csv(tmp_path / "a.csv.gz", rows, compress=True))
    assert zipped.max_decompressed_bytes is None
    assert len(list(zipped.rows())) == 30


def test_a_load_stopped_by_the_decompressed_limit_writes_nothing(container, connection, account, tmp_path):
    zipped = write_cdr_csv(tmp_path / "a.csv.gz", many_cdr_rows(account, 300), compress=True).read_bytes()
    source = CsvCallDetailSource("a.csv.gz", content=zipped, max_decompressed_bytes=10_000)
    with pytest.raises(DecompressedTooLargeError):
        ingest_call_detail(
            source=source,
            loaded_by="test",
            skip_invalid=True,
            uow_factory=container.unit_of_work,
            clock=container.clock,
        )
    assert counts(connection) == (0, 0)


# ------------------------------------------------------------------ who loads, and from where


@pytest.mark.parametrize(
    ("loaded_by", "source_name", "location"),
    [
        ("x" * 121, "a.csv", "loaded_by"),
        ("ops\n2026-11-02 admin logged in", "a.csv", "loaded_by"),
        ("ops", "x" * 501, "source_name"),
        ("ops", "a\x1b[2J.csv", "source_name"),
    ],
)
def test_a_loader_or_source_name_that_does_not_fit_the_batch_record_is_refused_before_any_write(
    container, connection, account, tmp_path, loaded_by, source_name, location
):
    content = write_cdr_csv(tmp_path / "a.csv", many_cdr_rows(account, 3)).read_bytes()
    with pytest.raises(InvalidInputError) as raised:
        ingest_call_detail(
            source=CsvCallDetailSource(source_name, content=content),
            loaded_by=loaded_by,
            skip_invalid=False,
            uow_factory=container.unit_of_work,
            clock=container.clock,
        )
    assert [p.location for p in raised.value.problems] == [location]
    assert counts(connection) == (0, 0)


def test_the_batch_records_the_loader_and_source_trimmed(container, connection, account, tmp_path):
    content = write_cdr_csv(tmp_path / "a.csv", many_cdr_rows(account, 2)).read_bytes()
    report = ingest_call_detail(
        source=CsvCallDetailSource(" october.csv ", content=content),
        loaded_by="  jane.doe ",
        skip_invalid=False,
        uow_factory=container.unit_of_work,
        clock=container.clock,
    )
    assert report.source_name == "october.csv"
    batch = connection.execute(select(IngestBatch.source_name, IngestBatch.loaded_by)).one()
    assert tuple(batch) == ("october.csv", "jane.doe")
