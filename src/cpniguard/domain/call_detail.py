"""Call detail records: what a valid one is, field by field.

Call detail is any information about the transmission of a specific call: for outbound
calls the number called, for inbound calls the number the call came from, and the time,
location or duration of any call (47 CFR 64.2003(d)). It is the strictest class of CPNI
(64.2010(b)), so nothing enters the store unless every field is well formed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

import phonenumbers

from cpniguard.domain.errors import FieldProblem, InvalidInputError

MAX_RECORD_ID_LENGTH = 128
MAX_CELL_SITE_LENGTH = 64
MAX_DURATION_SECONDS = 7 * 24 * 3600
"""A call longer than a week is a switch fault, not a call."""


class Direction(StrEnum):
    """Which way the call went, seen from the customer's service."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class CallType(StrEnum):
    """What kind of call it was; directory assistance charges appear on bills (seed policy)."""

    LOCAL = "local"
    LONG_DISTANCE = "long_distance"
    INTERNATIONAL = "international"
    TOLL_FREE = "toll_free"
    DIRECTORY_ASSISTANCE = "directory_assistance"
    EMERGENCY = "emergency"
    VOICEMAIL = "voicemail"
    SMS = "sms"


SHORT_CODE_CALL_TYPES = frozenset({CallType.DIRECTORY_ASSISTANCE, CallType.EMERGENCY})
"""Call types whose called number may be a short code (411, 911) rather than E.164."""

CALL_DETAIL_COLUMNS: tuple[str, ...] = (
    "source_system",
    "record_id",
    "account_number",
    "direction",
    "call_type",
    "calling_number",
    "called_number",
    "started_at",
    "answered_at",
    "duration_seconds",
    "billable_seconds",
    "cell_site",
)
"""Columns of a call detail file, in canonical order."""

OPTIONAL_COLUMNS = frozenset({"answered_at", "billable_seconds", "cell_site"})
REQUIRED_COLUMNS = frozenset(CALL_DETAIL_COLUMNS) - OPTIONAL_COLUMNS

_DIRECTIONS = frozenset(Direction)
_CALL_TYPES = frozenset(CallType)
_SOURCE_SYSTEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SHORT_CODE = re.compile(r"[0-9]{3,6}")


class CallDetail(NamedTuple):
    """One validated call detail record, ready to store (times in UTC)."""

    account_id: int
    source_system: str
    record_id: str
    direction: str
    call_type: str
    calling_number: str
    called_number: str
    started_at: datetime
    answered_at: datetime | None
    duration_seconds: int
    billable_seconds: int
    cell_site: str | None


@lru_cache(maxsize=262_144)
def e164_problem(number: str) -> str | None:
    """Say what is wrong with `number` as an E.164 telephone number, or None if nothing."""
    if not number.startswith("+"):
        return f"'{number[:32]}' is not in E.164 form (+ then country code and number)"
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return f"'{number[:32]}' cannot be read as a telephone number"
    if phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) != number:
        return f"'{number[:32]}' is not in E.164 form (digits only after +)"
    if not phonenumbers.is_valid_number(parsed):
        return f"'{number[:32]}' is not a valid telephone number"
    return None


SHORT_CODE_CALL_TYPES_BY_CODE = {
    "411": CallType.DIRECTORY_ASSISTANCE,
    "911": CallType.EMERGENCY,
    "112": CallType.EMERGENCY,
}
NANP_COUNTRY_CODE = 1
NANP_AREA_CODE_DIGITS = 3


def call_type_between(calling: str, called: str) -> CallType | None:
    """What kind of call went from `calling` to `called` (E.164, or a short code for `called`).

    For switches whose records do not say: 411 is directory assistance and 911 emergency;
    a toll-free called number is toll free; another country is international; within the
    North American Numbering Plan the same area code is local, another is long distance.
    None when either number cannot be read, so the row is refused rather than guessed.
    This is an approximation (local calling areas are not area codes, and overlays share
    one area): it serves only switches that do not rate their calls; no CPNI rule rests
    on it, but the call type is call detail (64.2003(d)) once stored.
    """
    if (short_code_call_type := SHORT_CODE_CALL_TYPES_BY_CODE.get(called)) is not None:
        return short_code_call_type
    try:
        source, target = phonenumbers.parse(calling, None), phonenumbers.parse(called, None)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.number_type(target) == phonenumbers.PhoneNumberType.TOLL_FREE:
        return CallType.TOLL_FREE
    if source.country_code != target.country_code:
        return CallType.INTERNATIONAL
    if source.country_code == NANP_COUNTRY_CODE and _area_code(source) == _area_code(target):
        return CallType.LOCAL
    return CallType.LONG_DISTANCE


def _area_code(number: phonenumbers.PhoneNumber) -> str:
    return str(number.national_number)[:NANP_AREA_CODE_DIGITS]


def _timestamp(value: str, column: str, problems: list[FieldProblem]) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        problems.append(FieldProblem(column, f"'{value[:40]}' is not an ISO 8601 timestamp"))
        return None
    if parsed.tzinfo is None:
        problems.append(FieldProblem(column, f"'{value[:40]}' has no UTC offset"))
        return None
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        problems.append(FieldProblem(column, f"'{value[:40]}' falls outside the years 1-9999 in UTC"))
        return None


def _seconds(value: str, column: str, problems: list[FieldProblem]) -> int:
    # int() alone would also read '1_000', ' 125 ' and non-ASCII digits.
    if not (value.isascii() and value.removeprefix("-").isdigit()):
        problems.append(FieldProblem(column, f"'{value[:20]}' is not a whole number of seconds"))
        return 0
    seconds = int(value)
    if not 0 <= seconds <= MAX_DURATION_SECONDS:
        problems.append(FieldProblem(column, f"{seconds} is outside 0..{MAX_DURATION_SECONDS}"))
    return seconds


def _check_identity(
    source_system: str, record_id: str, direction: str, call_type: str, problems: list[FieldProblem]
) -> None:
    if not _SOURCE_SYSTEM.fullmatch(source_system):
        problems.append(FieldProblem("source_system", "must be 1-64 letters, digits, '.', '_' or '-'"))
    if not record_id or len(record_id) > MAX_RECORD_ID_LENGTH:
        problems.append(FieldProblem("record_id", f"must be 1-{MAX_RECORD_ID_LENGTH} characters"))
    elif not record_id.isprintable():
        problems.append(FieldProblem("record_id", "holds a control character"))
    if direction not in _DIRECTIONS:
        problems.append(FieldProblem("direction", f"'{direction[:20]}' is not one of {_listed(Direction)}"))
    if call_type not in _CALL_TYPES:
        problems.append(FieldProblem("call_type", f"'{call_type[:20]}' is not one of {_listed(CallType)}"))


def _account_key(account_number: str, account_ids: Mapping[str, int], problems: list[FieldProblem]) -> int:
    account_id = account_ids.get(account_number)
    if account_id is None:
        problems.append(FieldProblem("account_number", f"no account '{account_number[:32]}'"))
        return 0
    return account_id


def _check_numbers(calling: str, called: str, call_type: str, problems: list[FieldProblem]) -> None:
    if (problem := e164_problem(calling)) is not None:
        problems.append(FieldProblem("calling_number", problem))
    short_code_allowed = call_type in SHORT_CODE_CALL_TYPES
    if short_code_allowed and _SHORT_CODE.fullmatch(called):
        return
    if (problem := e164_problem(called)) is not None:
        problems.append(FieldProblem("called_number", problem))


def parse_call_detail(fields: Sequence[str], account_ids: Mapping[str, int]) -> CallDetail:
    """Validate one call detail row given in CALL_DETAIL_COLUMNS order (64.2003(d)).

    `account_ids` maps the account numbers the file may name to their keys; a number
    outside it is an unknown account. Raises InvalidInputError listing every problem.
    """
    (
        source_system,
        record_id,
        account_number,
        direction,
        call_type,
        calling,
        called,
        started_text,
        answered_text,
        duration_text,
        billable_text,
        cell_site_text,
    ) = fields
    problems: list[FieldProblem] = []
    _check_identity(source_system, record_id, direction, call_type, problems)
    account_id = _account_key(account_number, account_ids, problems)
    _check_numbers(calling, called, call_type, problems)
    started_at = _timestamp(started_text, "started_at", problems)
    answered_at = _timestamp(answered_text, "answered_at", problems) if answered_text else None
    duration = _seconds(duration_text, "duration_seconds", problems)
    billable = _seconds(billable_text, "billable_seconds", problems) if billable_text else 0
    cell_site = cell_site_text or None
    _check_consistency(
        started_at=started_at,
        answered_at=answered_at,
        duration=duration,
        billable=billable,
        cell_site=cell_site,
        problems=problems,
    )
    if problems:
        raise InvalidInputError("invalid call detail record", tuple(problems))
    assert started_at is not None  # noqa: S101  (problems is empty, so it parsed)
    return CallDetail(
        account_id,
        source_system,
        record_id,
        direction,
        call_type,
        calling,
        called,
        started_at,
        answered_at,
        duration,
        billable,
        cell_site,
    )


def _check_consistency(  # noqa: PLR0913  (each value is checked against the others)
    *,
    started_at: datetime | None,
    answered_at: datetime | None,
    duration: int,
    billable: int,
    cell_site: str | None,
    problems: list[FieldProblem],
) -> None:
    if started_at and answered_at and answered_at < started_at:
        problems.append(FieldProblem("answered_at", "is before started_at"))
    if 0 <= duration < billable:
        problems.append(FieldProblem("billable_seconds", "is longer than duration_seconds"))
    if cell_site is not None and len(cell_site) > MAX_CELL_SITE_LENGTH:
        problems.append(FieldProblem("cell_site", f"is longer than {MAX_CELL_SITE_LENGTH}"))
    elif cell_site is not None and not cell_site.isprintable():
        problems.append(FieldProblem("cell_site", "holds a control character"))


MAX_LOADED_BY_CHARACTERS = 120
MAX_SOURCE_NAME_CHARACTERS = 500


def ingest_actor(name: str) -> str:
    """Who loads a batch of call detail, as recorded with it: 1-120 printable characters.

    The batch record says who put call detail (64.2003(d)) in the store, part of guarding
    it against unauthorized access (64.2010(a)): a name cut short or holding control
    characters (a forged log line) would make that record unreliable. Trimmed.
    """
    return _recorded_text(name, "loaded_by", MAX_LOADED_BY_CHARACTERS)


def ingest_source_name(name: str) -> str:
    """Where a batch of call detail came from (64.2003(d)), as recorded: 1-500 printable characters."""
    return _recorded_text(name, "source_name", MAX_SOURCE_NAME_CHARACTERS)


def _recorded_text(value: str, location: str, max_characters: int) -> str:
    trimmed = value.strip()
    if not 1 <= len(trimmed) <= max_characters:
        problem = f"must be 1-{max_characters} characters (got {len(trimmed)})"
    elif not trimmed.isprintable():
        problem = "holds a control or other non-printing character"
    else:
        return trimmed
    raise InvalidInputError(f"{location} {problem}", (FieldProblem(location, problem),))


def _listed(values: type[StrEnum]) -> str:
    return ", ".join(v.value for v in values)
