"""Call detail in cpniguard's own CSV layout, as rows for the ingest service.

The first row is a header naming columns from CALL_DETAIL_COLUMNS, in any order;
optional columns may be left out.
"""

from __future__ import annotations

from collections.abc import Iterator

from cpniguard.adapters.ingest.csv_input import CsvInput, UnreadableInputError, fatal
from cpniguard.domain.call_detail import CALL_DETAIL_COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from cpniguard.domain.errors import FieldProblem
from cpniguard.services.ports import RawCallDetailRow, RowRejection

__all__ = ["CsvCallDetailSource", "UnreadableInputError"]


class CsvCallDetailSource(CsvInput):
    """Call detail rows from a CSV file or body with a header row."""

    header_lines = 1

    def rows(self) -> Iterator[RawCallDetailRow | RowRejection]:
        """Yield (line, fields in canonical order) per data row, or a rejection."""
        rows = self.csv_rows()
        header = _header(next(rows, None))
        order = _column_order(header)
        width = len(header)
        for row in rows:
            if isinstance(row, RowRejection):
                yield row
                continue
            line_number, fields = row
            if len(fields) != width:
                problem = FieldProblem("row", f"has {len(fields)} fields; the header has {width}")
                yield RowRejection(line_number, (problem,))
                continue
            fields.append("")
            yield line_number, [fields[i] for i in order]


def _header(first: tuple[int, list[str]] | RowRejection | None) -> list[str]:
    if first is None:
        raise fatal("line 1", "the input is empty; expected a header row")
    if isinstance(first, RowRejection):
        raise fatal("line 1", f"the header is {first.problems[0].message}")
    return [name.strip().lower() for name in first[1]]


def _column_order(header: list[str]) -> list[int]:
    problems = [
        FieldProblem("line 1", f"unknown column '{n[:40]}'") for n in header if n not in CALL_DETAIL_COLUMNS
    ]
    problems += [
        FieldProblem("line 1", f"column '{n}' appears twice") for n in set(header) if header.count(n) > 1
    ]
    problems += [
        FieldProblem("line 1", f"missing column '{n}'") for n in sorted(REQUIRED_COLUMNS - set(header))
    ]
    if problems:
        expected = ", ".join(CALL_DETAIL_COLUMNS)
        raise UnreadableInputError(
            f"the header does not match the call detail layout ({expected})", tuple(problems)
        )
    absent = -1  # rows get "" appended, so index -1 reads as an empty optional field
    return [header.index(n) if n in header else _require_optional(n, absent) for n in CALL_DETAIL_COLUMNS]


def _require_optional(name: str, absent: int) -> int:
    assert name in OPTIONAL_COLUMNS  # noqa: S101  (required ones were checked above)
    return absent
