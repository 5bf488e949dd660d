"""Call detail CSV files and bodies (optionally gzipped) as rows for the ingest service.

The first row is a header naming columns from CALL_DETAIL_COLUMNS, in any order;
optional columns may be left out. Text must be UTF-8 (a BOM is accepted) and hold no
NUL character. A row is named by the line it starts on.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

from cpniguard.domain.call_detail import CALL_DETAIL_COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.services.ports import RawCallDetailRow, RowRejection

GZIP_MAGIC = b"\x1f\x8b"
MAX_FIELD_CHARACTERS = 4_096
"""csv's field limit; a longer field is a broken file, not a call."""


class UnreadableInputError(InvalidInputError):
    """The input as a whole cannot be read: empty, not UTF-8, damaged gzip, bad header."""


def _fatal(location: str, message: str) -> UnreadableInputError:
    return UnreadableInputError(f"{location}: {message}", (FieldProblem(location, message),))


class CsvCallDetailSource:
    """Call detail rows from a CSV file or an in-memory body; every pass rereads it."""

    def __init__(self, name: str, *, path: Path | None = None, content: bytes | None = None) -> None:
        if (path is None) == (content is None):
            raise ValueError("give exactly one of path or content")
        self.name = name
        self._path = path
        self._content = content

    @classmethod
    def from_path(cls, path: Path) -> CsvCallDetailSource:
        """A source reading the file at `path`."""
        if not path.is_file():
            raise _fatal(str(path), "no such file")
        return cls(path.name, path=path)

    @contextmanager
    def _open_binary(self) -> Iterator[IO[bytes]]:
        # GzipFile never closes the file under it; both are closed here.
        raw: IO[bytes] = self._path.open("rb") if self._path else io.BytesIO(self._content or b"")
        with raw:
            is_gzip = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            if not is_gzip:
                yield raw
                return
            with gzip.GzipFile(fileobj=raw) as unzipped:
                yield cast("IO[bytes]", unzipped)

    def content_sha256(self) -> str:
        """SHA-256 of the bytes as given (compressed, if they were)."""
        digest = hashlib.sha256()
        if self._content is not None:
            digest.update(self._content)
        else:
            assert self._path is not None  # noqa: S101
            with self._path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        return digest.hexdigest()

    def rows(self) -> Iterator[RawCallDetailRow | RowRejection]:
        """Yield (line, fields in canonical order) per data row, or a rejection."""
        with self._open_binary() as binary:
            text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict", newline="")
            try:
                yield from self._read(text)
            except UnicodeDecodeError as error:
                raise self._encoding_error(error) from error
            except (gzip.BadGzipFile, EOFError, zlib.error) as error:
                raise _fatal(self.name, f"the gzip stream is damaged or cut short ({error})") from error

    def _read(self, text: Iterable[str]) -> Iterator[RawCallDetailRow | RowRejection]:
        csv.field_size_limit(MAX_FIELD_CHARACTERS)
        reader = csv.reader(text, strict=True)
        header = self._header(reader)
        order = self._column_order(header)
        width = len(header)
        while True:
            # A row is named by the line it starts on: a quoted field may run over several.
            line_number = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield RowRejection(line_number, (FieldProblem("row", _malformed(error)),))
                continue
            if not row:
                continue
            if (problem := _shape_problem(row, width)) is not None:
                yield RowRejection(line_number, (FieldProblem("row", problem),))
                continue
            row.append("")
            yield line_number, [row[i] for i in order]

    def _header(self, reader: Iterator[list[str]]) -> list[str]:
        try:
            header = next(reader)
        except StopIteration:
            raise _fatal("line 1", "the input is empty; expected a header row") from None
        except csv.Error as error:
            raise _fatal("line 1", f"the header is malformed CSV: {error}") from error
        return [name.strip().lower() for name in header]

    @staticmethod
    def _column_order(header: list[str]) -> list[int]:
        problems = [
            FieldProblem("line 1", f"unknown column '{n[:40]}'")
            for n in header
            if n not in CALL_DETAIL_COLUMNS
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

    def _encoding_error(self, error: UnicodeDecodeError) -> UnreadableInputError:
        line_number = 1
        with self._open_binary() as binary:
            for line_number, line in enumerate(binary, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError as bad:
                    byte = line[bad.start : bad.start + 1].hex()
                    return _fatal(
                        f"line {line_number}",
                        f"is not UTF-8 (byte 0x{byte} at column {bad.start + 1}); save the file as UTF-8",
                    )
        return _fatal(f"line {line_number}", f"is not UTF-8 ({error.reason})")


def _malformed(error: csv.Error) -> str:
    if "unexpected end of data" in str(error):
        return "malformed CSV: a quote opened on this line is never closed before the end of the input"
    return f"malformed CSV: {error}"


def _shape_problem(row: list[str], width: int) -> str | None:
    if len(row) != width:
        return f"has {len(row)} fields; the header has {width}"
    return None


def _require_optional(name: str, absent: int) -> int:
    assert name in OPTIONAL_COLUMNS  # noqa: S101  (required ones were checked above)
    return absent
