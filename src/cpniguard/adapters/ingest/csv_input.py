"""CSV files and request bodies (optionally gzipped) read row by row with line numbers.

Text must be UTF-8 (a BOM is accepted). A row is named by the line it starts on; a row
the csv module cannot split becomes a rejection, and reading goes on with the next.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Self, cast

from cpniguard.domain.errors import FieldProblem, InputTooLargeError, InvalidInputError
from cpniguard.services.ports import RowRejection

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

GZIP_MAGIC = b"\x1f\x8b"
MEBIBYTE = 1 << 20
READ_BUFFER_BYTES = 1 << 16
"""Decompressed bytes counted at a time; the 8 KiB default makes a counted read markedly slower."""
MAX_FIELD_CHARACTERS = 4_096
"""csv's field limit; a longer field is a broken file, not a call."""

CsvRow = tuple[int, list[str]]
"""The line a row starts on, and its fields."""


class UnreadableInputError(InvalidInputError):
    """The input as a whole cannot be read: empty, not UTF-8, damaged gzip, bad header."""


class DecompressedTooLargeError(UnreadableInputError, InputTooLargeError):
    """A gzipped input expands past the most its reader accepts (a gzip bomb, or just too big)."""


def fatal(location: str, message: str) -> UnreadableInputError:
    """An error about the whole input, located at `location`."""
    return UnreadableInputError(f"{location}: {message}", (FieldProblem(location, message),))


class CsvInput:
    """A CSV file or in-memory body; every pass rereads it from the start."""

    header_lines = 0
    """Lines before the first record."""

    def __init__(
        self,
        name: str,
        *,
        path: Path | None = None,
        content: bytes | None = None,
        max_decompressed_bytes: int | None = None,
    ) -> None:
        """Read `path` or `content`; a gzipped one may expand to `max_decompressed_bytes` at most."""
        if (path is None) == (content is None):
            raise ValueError("give exactly one of path or content")
        self.name = name
        self.path = path
        self.content = content
        self.max_decompressed_bytes = max_decompressed_bytes

    @classmethod
    def from_path(cls, path: Path) -> Self:
        """An input reading the file at `path`."""
        if not path.is_file():
            raise fatal(str(path), "no such file")
        return cls(path.name, path=path)

    def content_sha256(self) -> str:
        """SHA-256 of the bytes as given (compressed, if they were)."""
        digest = hashlib.sha256()
        if self.content is not None:
            digest.update(self.content)
        else:
            assert self.path is not None  # noqa: S101
            with self.path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        return digest.hexdigest()

    def estimated_rows(self) -> int:
        """About how many records the input holds (its lines), for a progress bar; 0 if unreadable."""
        lines, last = 0, b"\n"
        try:
            with self._open_binary() as binary:
                for block in iter(lambda: binary.read(1 << 20), b""):
                    lines, last = lines + block.count(b"\n"), block[-1:]
        except (OSError, EOFError, zlib.error, UnreadableInputError):
            return 0  # the load itself will say what is wrong with the input
        return max(0, lines + (last != b"\n") - self.header_lines)

    def csv_rows(self) -> Iterator[CsvRow | RowRejection]:
        """Every non-blank row with its line, or a rejection for one that cannot be split."""
        with self._open_binary() as binary:
            text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict", newline="")
            try:
                yield from _split(text)
            except UnicodeDecodeError as error:
                raise self._encoding_error(error) from error
            except (gzip.BadGzipFile, EOFError, zlib.error) as error:
                raise fatal(self.name, f"the gzip stream is damaged or cut short ({error})") from error

    @contextmanager
    def _open_binary(self) -> Iterator[IO[bytes]]:
        # GzipFile never closes the file under it; both are closed here.
        raw: IO[bytes] = self.path.open("rb") if self.path else io.BytesIO(self.content or b"")
        with raw:
            is_gzip = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            if not is_gzip:
                yield raw
                return
            with gzip.GzipFile(fileobj=raw) as unzipped:
                if self.max_decompressed_bytes is None:
                    yield cast("IO[bytes]", unzipped)
                    return
                limited = _Limited(unzipped, self.max_decompressed_bytes, self.name)
                with io.BufferedReader(limited, buffer_size=READ_BUFFER_BYTES) as buffered:
                    yield buffered

    def _encoding_error(self, error: UnicodeDecodeError) -> UnreadableInputError:
        line_number = 1
        with self._open_binary() as binary:
            for line_number, line in enumerate(binary, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError as bad:
                    byte = line[bad.start : bad.start + 1].hex()
                    return fatal(
                        f"line {line_number}",
                        f"is not UTF-8 (byte 0x{byte} at column {bad.start + 1}); save the file as UTF-8",
                    )
        return fatal(f"line {line_number}", f"is not UTF-8 ({error.reason})")


class _Limited(io.RawIOBase):
    """A decompressed stream that refuses to be read past `limit` bytes."""

    def __init__(self, stream: gzip.GzipFile, limit: int, name: str) -> None:
        self._stream = stream
        self._left = limit
        self._limit = limit
        self._name = name

    def readable(self) -> bool:
        """Always readable."""
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        """Read into `buffer`; DecompressedTooLargeError once past the limit."""
        # Ask for one byte more than the limit allows, so reaching it exactly is not an error.
        window = memoryview(buffer)[: self._left + 1]
        count = self._stream.readinto(window)
        self._left -= count
        if self._left < 0:
            raise self._too_large()
        return count

    def _too_large(self) -> DecompressedTooLargeError:
        limit = f"{self._limit / MEBIBYTE:.4g} MiB ({self._limit:,} bytes)"
        message = f"expands past {limit} when decompressed, the most accepted; split it into smaller batches"
        return DecompressedTooLargeError(f"{self._name} {message}", (FieldProblem(self._name, message),))


def _split(text: io.TextIOWrapper) -> Iterator[CsvRow | RowRejection]:
    csv.field_size_limit(MAX_FIELD_CHARACTERS)
    reader = csv.reader(text, strict=True)
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
        if row:
            yield line_number, row


def _malformed(error: csv.Error) -> str:
    if "unexpected end of data" in str(error):
        return "malformed CSV: a quote opened on this line is never closed before the end of the input"
    return f"malformed CSV: {error}"
