"""Loading call detail records: validate every row, store all or nothing, never twice.

Call detail (47 CFR 64.2003(d)) is the strictest class of CPNI; a load either stores
every valid record of the input in one transaction or nothing at all. Records already
stored (same source system and record id) are skipped, so reloading adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from cpniguard.domain.call_detail import (
    CallDetail,
    ingest_actor,
    ingest_source_name,
    parse_call_detail,
)
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.services.ports import (
    CallDetailSource,
    Clock,
    IngestBatchRecord,
    RowRejection,
    UnitOfWorkFactory,
)

CHUNK_ROWS = 250
"""Rows validated and handed to the store at a time (bounds memory, paces progress).

Small on purpose: records held longer are promoted to the garbage collector's oldest
generation, whose full scans cost more than the validation at a million rows (bench/ingest.py).
"""

ProgressCallback = Callable[[int], None]


@dataclass
class IngestReport:
    """What a load did, row by row where rows were left out."""

    source_name: str
    rows_read: int = 0
    rows_loaded: int = 0
    duplicates_skipped: int = 0
    rejections: list[RowRejection] = field(default_factory=list)
    batch_id: int | None = None

    @property
    def rows_rejected(self) -> int:
        """How many rows were invalid."""
        return len(self.rejections)


class IngestRejectedError(InvalidInputError):
    """An all-or-nothing load found invalid rows; nothing was stored."""

    def __init__(self, report: IngestReport) -> None:
        problems = tuple(
            FieldProblem(f"line {r.line_number}: {p.location}", p.message)
            for r in report.rejections
            for p in r.problems
        )
        super().__init__(
            f"{report.rows_rejected} of {report.rows_read} rows in {report.source_name} "
            "are invalid; nothing was loaded",
            problems,
        )
        self.report = report


class _Pass:
    """One validating pass over the source; a store may start a second one."""

    def __init__(
        self,
        source: CallDetailSource,
        source_name: str,
        account_ids: dict[str, int],
        progress: ProgressCallback | None,
    ) -> None:
        self.source = source
        self.source_name = source_name
        self.account_ids = account_ids
        self.progress = progress
        self.report = IngestReport(source_name)
        self._rows_told = 0

    def chunks(self) -> Iterator[list[CallDetail]]:
        self.report = IngestReport(self.source_name)
        # Line numbers by record id, one dict per source system: dicts of str and int are
        # never scanned by the garbage collector, which a dict of tuple keys is (millions of rows).
        first_lines: defaultdict[str, dict[str, int]] = defaultdict(dict)
        chunk: list[CallDetail] = []
        for row in self.source.rows():
            self.report.rows_read += 1
            record = self._validate(row, first_lines)
            if record is not None:
                chunk.append(record)
            if len(chunk) >= CHUNK_ROWS:
                yield chunk
                chunk = []
                self._tell_progress()
        yield chunk
        self._tell_progress()

    def _validate(
        self, row: tuple[int, list[str]] | RowRejection, first_lines: defaultdict[str, dict[str, int]]
    ) -> CallDetail | None:
        if isinstance(row, RowRejection):
            self.report.rejections.append(row)
            return None
        line_number, fields = row
        try:
            record = parse_call_detail(fields, self.account_ids)
        except InvalidInputError as error:
            self.report.rejections.append(RowRejection(line_number, error.problems, tuple(fields)))
            return None
        earlier = first_lines[record.source_system].setdefault(record.record_id, line_number)
        if earlier != line_number:
            problem = FieldProblem(
                "record_id", f"duplicate of line {earlier} (same source_system and record_id)"
            )
            self.report.rejections.append(RowRejection(line_number, (problem,), tuple(fields)))
            return None
        return record

    def _tell_progress(self) -> None:
        # A second pass (the store replaying the input) must not move the count backwards.
        if self.progress is not None and self.report.rows_read > self._rows_told:
            self._rows_told = self.report.rows_read
            self.progress(self._rows_told)


def ingest_call_detail(  # noqa: PLR0913  (keyword-only wiring of one use case)
    *,
    source: CallDetailSource,
    loaded_by: str,
    skip_invalid: bool,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Load a call detail file or body into the store, in one transaction.

    By default the load is all-or-nothing: any invalid row raises IngestRejectedError
    listing every bad row by line, and nothing is stored. With `skip_invalid`, the valid
    rows are stored and the report lists the rejected ones. A record already stored
    under the same source system and record id is skipped (counted, not an error).
    `loaded_by` and the source's name are checked first (ingest_actor, ingest_source_name):
    one that does not fit the batch record raises InvalidInputError before anything is written.
    """
    loaded_by = ingest_actor(loaded_by)
    source_name = ingest_source_name(source.name)
    started_at = clock.now()
    with uow_factory() as uow:
        # The write comes first: SQLite cannot turn a read transaction into a write one
        # while another load writes, and fails at once instead of waiting its busy timeout.
        batch_id = uow.call_detail.start_batch(
            source_name=source_name, loaded_by=loaded_by, started_at=started_at
        )
        validation = _Pass(source, source_name, uow.accounts.ids_by_number(), progress)
        loaded = uow.call_detail.load(validation.chunks, batch_id=batch_id)
        report = validation.report
        _refuse_unless_acceptable(report, skip_invalid=skip_invalid)
        report.rows_loaded = loaded
        report.duplicates_skipped = report.rows_read - report.rows_rejected - loaded
        report.batch_id = batch_id
        uow.call_detail.finish_batch(batch_id, _batch_record(report, source, loaded_by, started_at, clock))
        uow.commit()
    return report


def _refuse_unless_acceptable(report: IngestReport, *, skip_invalid: bool) -> None:
    if report.rows_read == 0:
        raise InvalidInputError(
            f"{report.source_name} holds no call detail records",
            (FieldProblem("line 2", "expected at least one record after the header"),),
        )
    if report.rejections and not skip_invalid:
        raise IngestRejectedError(report)


def _batch_record(
    report: IngestReport, source: CallDetailSource, loaded_by: str, started_at: datetime, clock: Clock
) -> IngestBatchRecord:
    return IngestBatchRecord(
        source_name=report.source_name,
        content_sha256=source.content_sha256(),
        loaded_by=loaded_by,
        started_at=started_at,
        finished_at=clock.now(),
        rows_read=report.rows_read,
        rows_loaded=report.rows_loaded,
        duplicates_skipped=report.duplicates_skipped,
        rows_rejected=report.rows_rejected,
    )
