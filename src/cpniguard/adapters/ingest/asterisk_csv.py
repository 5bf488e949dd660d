"""Asterisk `cdr_csv` files (Master.csv) as call detail rows for the ingest service.

Master.csv has no header and 18 columns (accountcode, src, dst, dcontext, clid, channel,
dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition,
amaflags, uniqueid, userfield), local times without a zone, and numbers as dialled.
What the file does not say comes from options: the source system, the time zone of the
switch, the account when `accountcode` is empty, and which dial-plan contexts carry
inbound calls. `uniqueid` repeats across the legs of one call, so the record id adds a
digest of the whole row: the same row loaded twice is the same record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo

import phonenumbers

from cpniguard.adapters.ingest.csv_input import CsvInput
from cpniguard.domain.call_detail import Direction, call_type_between
from cpniguard.domain.errors import FieldProblem
from cpniguard.services.ports import RawCallDetailRow, RowRejection

ASTERISK_COLUMNS = (
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata",
    "start", "answer", "end", "duration", "billsec", "disposition", "amaflags", "uniqueid", "userfield",
)  # fmt: skip
ROW_DIGEST_HEX_DIGITS = 12
MAX_SHORT_CODE_DIGITS = 6


@dataclass(frozen=True, slots=True)
class AsteriskOptions:
    """What a Master.csv file does not say about itself."""

    source_system: str
    time_zone: ZoneInfo
    account_number: str | None = None
    region: str = "US"
    inbound_contexts: frozenset[str] = field(default_factory=frozenset)


class AsteriskCallDetailSource(CsvInput):
    """Call detail rows from an Asterisk Master.csv file or body."""

    options: AsteriskOptions

    @classmethod
    def with_options(cls, source: CsvInput, options: AsteriskOptions) -> Self:
        """The same file or body (and its decompression limit), read as Asterisk Master.csv with `options`."""
        reader = cls(
            source.name,
            path=source.path,
            content=source.content,
            max_decompressed_bytes=source.max_decompressed_bytes,
        )
        reader.options = options
        return reader

    @classmethod
    def from_file(cls, path: Path, options: AsteriskOptions) -> Self:
        """Read the Master.csv file at `path`."""
        return cls.with_options(CsvInput.from_path(path), options)

    def rows(self) -> Iterator[RawCallDetailRow | RowRejection]:
        """Yield (line, fields in cpniguard's canonical order) per row, or a rejection."""
        for row in self.csv_rows():
            if isinstance(row, RowRejection):
                yield row
            elif len(row[1]) != len(ASTERISK_COLUMNS):
                message = f"has {len(row[1])} fields; Asterisk Master.csv has {len(ASTERISK_COLUMNS)}"
                yield RowRejection(row[0], (FieldProblem("row", message),))
            elif not (row[1][0] or self.options.account_number):
                message = "the row has no accountcode, and no --account was given for such rows"
                yield RowRejection(row[0], (FieldProblem("accountcode", message),), tuple(row[1]))
            else:
                yield row[0], self._canonical(row[1])

    def _canonical(self, fields: list[str]) -> list[str]:
        values = dict(zip(ASTERISK_COLUMNS, fields, strict=True))
        options = self.options
        calling = _as_e164(values["src"], options.region)
        called = _as_e164(values["dst"], options.region)
        call_type = call_type_between(calling, called)
        return [
            options.source_system,
            f"{values['uniqueid']}-{_row_digest(fields)}",
            values["accountcode"] or options.account_number or "",  # rows[] refused the empty case
            Direction.INBOUND if values["dcontext"] in options.inbound_contexts else Direction.OUTBOUND,
            "undetermined" if call_type is None else call_type.value,
            calling,
            called,
            _with_zone(values["start"], options.time_zone),
            _with_zone(values["answer"], options.time_zone) if values["answer"] else "",
            values["duration"],
            values["billsec"],
            "",
        ]


def _as_e164(number: str, region: str) -> str:
    """The number in E.164 when it can be read in `region`; short codes and the unreadable as given."""
    digits = number.strip()
    if len(digits) <= MAX_SHORT_CODE_DIGITS:  # short codes such as 411 or 911
        return digits
    try:
        parsed = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return digits
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _with_zone(local_time: str, zone: ZoneInfo) -> str:
    """`2017-06-20 09:49:22` in the switch's zone as ISO 8601 with its offset; bad text as given."""
    try:
        parsed = datetime.fromisoformat(local_time)
    except ValueError:
        return local_time
    if parsed.tzinfo is not None:
        return parsed.isoformat()
    return parsed.replace(tzinfo=zone).isoformat()


def _row_digest(fields: list[str]) -> str:
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()[:ROW_DIGEST_HEX_DIGITS]
