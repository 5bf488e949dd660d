"""`cpniguard breach open|list|show|record|accounts|close|reopen|purge`: a breach's record (47 CFR 64.2011).

64.2011(d) (RULES 7.7, 8.8): every breach, every agency and customer notice, the dates of
discovery and notice and the circumstances, kept at least 2 years. Staff open a breach, append
what they learn and do to its timeline, list the accounts it affected, and close it. Bad input
exits 2 naming the option or argument at fault, and writes nothing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from cpniguard.cli.consent import CLI_ASKER
from cpniguard.cli.consent_notices import aware_instant, moment_text
from cpniguard.cli.context import (
    EXIT_BAD_INPUT,
    container,
    fail_with_input_error,
    not_found_exit,
    stderr,
    stdout,
)
from cpniguard.domain.breach_timeline import Breach, BreachEvent, BreachEventKind
from cpniguard.domain.consent_retention import RetentionFloorError
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.services.breach import (
    MAX_LISTING,
    breach_record,
    breach_status,
    breach_timeline,
    close_breach,
    list_breaches,
    open_breach,
    purge_breach,
    record_breach_event,
    reopen_breach,
)
from cpniguard.services.breach_accounts import add_affected_accounts, affected_account_count
from cpniguard.services.ports import UnitOfWorkFactory

BREACH_ID = typer.Argument(..., min=1, metavar="ID", help="The breach's id (see `cpniguard breach list`).")
AS_JSON = typer.Option(False, "--json", help="Print JSON for programs instead of a table.")
COMMENT = "#"
TRUE, FALSE = "true", "false"


class StatusFilter(StrEnum):
    """Which breaches `list` shows."""

    OPEN = "open"
    CLOSED = "closed"
    ALL = "all"


def fail_naming(error: InvalidInputError, names: Mapping[str, str] | Callable[[str], str]) -> NoReturn:
    """Exit 2 like fail_with_input_error, each problem under the option or argument the user typed."""
    rename = names if callable(names) else (lambda location: names.get(location, location))
    named = tuple(replace(problem, location=rename(problem.location)) for problem in error.problems)
    fail_with_input_error(InvalidInputError(error.message, named))
    raise AssertionError("fail_with_input_error exits")


def print_json(document: object) -> None:
    """`document` as indented JSON on stdout."""
    print(json.dumps(document, indent=2, ensure_ascii=False))


def open_command(
    reference: str = typer.Argument(
        ..., help="The carrier's own reference for the breach, e.g. BR-2026-017."
    ),
    as_json: bool = AS_JSON,
) -> None:
    """Open the record of a breach (47 CFR 64.2011(d): every breach is recorded)."""
    with container() as built:
        try:
            breach = open_breach(built.breach_context(), reference=reference, asker=CLI_ASKER)
        except InvalidInputError as error:
            fail_naming(error, {"reference": "REFERENCE"})
    if as_json:
        print_json(breach_json(breach))
    stderr.print(f"breach {breach.id} opened: {breach.reference}", markup=False)


def list_command(
    status: StatusFilter = typer.Option(
        StatusFilter.ALL, "--status", case_sensitive=False, help="open, closed or all."
    ),
    as_json: bool = AS_JSON,
) -> None:
    """The breaches on record, oldest first."""
    closed = {StatusFilter.OPEN: False, StatusFilter.CLOSED: True, StatusFilter.ALL: None}[status]
    with container() as built:
        found = _every_breach(built.unit_of_work, closed)
    if as_json:
        print_json([breach_json(breach) for breach in found])
        return
    table = Table("id", "reference", "opened", "by", "closed")
    for breach in found:
        table.add_row(
            str(breach.id),
            escape(breach.reference),
            moment_text(breach.opened_at),
            escape(breach.opened_by),
            moment_text(breach.closed_at),
        )
    stdout.print(table)
    stderr.print(f"{len(found)} breaches ({status})")


def _every_breach(uow_factory: UnitOfWorkFactory, closed: bool | None) -> list[Breach]:
    found: list[Breach] = []
    while True:
        after_id = found[-1].id if found else 0
        page = list_breaches(uow_factory=uow_factory, closed=closed, after_id=after_id, limit=MAX_LISTING)
        found.extend(page)
        if len(page) < MAX_LISTING:
            return found


def show(breach_id: int = BREACH_ID, as_json: bool = AS_JSON) -> None:
    """A breach: its status, how many accounts it affected, and its timeline (the 64.2011(d) record)."""
    with container() as built:
        try:
            breach = breach_record(uow_factory=built.unit_of_work, breach_id=breach_id)
            events = breach_timeline(uow_factory=built.unit_of_work, breach_id=breach_id)
            affected = affected_account_count(built.breach_context(), breach_id=breach_id)
        except NotFoundError as error:
            raise not_found_exit(error) from None
    status = breach_status(events, breach)
    if as_json:
        document = breach_json(breach) | {"status": str(status), "affected_accounts": affected}
        print_json(document | {"timeline": [event_json(event) for event in events]})
        return
    stdout.print(f"breach {breach.id}: {breach.reference}", markup=False)
    stdout.print(f"status: {status}", markup=False)
    stdout.print(f"opened: {moment_text(breach.opened_at)} by {breach.opened_by}", markup=False)
    if breach.closed_at is not None:
        stdout.print(f"closed: {moment_text(breach.closed_at)}", markup=False)
    stdout.print(f"affected accounts: {affected}", markup=False)
    table = Table("event", "kind", "occurred", "recorded", "by", "details")
    for event in events:
        table.add_row(
            str(event.id),
            event.kind,
            moment_text(event.occurred_at),
            moment_text(event.recorded_at),
            escape(event.recorded_by),
            escape(_details_text(event.details)),
        )
    stdout.print(table)


def _details_text(details: Mapping[str, str]) -> str:
    return "; ".join(f"{key}={value}" for key, value in details.items())


def record(  # noqa: PLR0913, PLR0917  (typer takes each option as an argument)
    breach_id: int = BREACH_ID,
    kind: BreachEventKind = typer.Argument(
        ...,
        case_sensitive=False,
        metavar="KIND",
        help="What was learned or done, e.g. determined, hold_started.",
    ),
    at: str = typer.Option(
        ...,
        "--at",
        help="When it happened: ISO 8601 with a UTC offset (the determination starts the clocks).",
    ),
    detail: list[str] = typer.Option(
        [], "--detail", help="key=value, e.g. --detail basis='logs show a token reused'; repeat it."
    ),
    details_file: Path | None = typer.Option(
        None, "--details-file", help="A JSON object of details (text, whole numbers, true/false)."
    ),
    as_json: bool = AS_JSON,
) -> None:
    """Append an event to the breach's timeline (64.2011(d); (a)(1) as amended; holds (b)(3)).

    Each kind takes its own details; every problem is listed and nothing is written.
    """
    occurred_at = aware_instant(at, "--at")
    details = _merged(_file_details(details_file), _option_details(detail))
    with container() as built:
        now = built.clock.now()
        event = BreachEvent(kind, occurred_at, now, CLI_ASKER.label, details=details)
        try:
            recorded = record_breach_event(
                built.breach_context(), breach_id=breach_id, event=event, asker=CLI_ASKER
            )
        except InvalidInputError as error:
            fail_naming(error, _record_location)
        except NotFoundError as error:
            raise not_found_exit(error) from None
    if as_json:
        print_json(event_json(recorded))
    stderr.print(f"{kind} recorded on breach {breach_id} as event {recorded.id}", markup=False)


def _record_location(location: str) -> str:
    if location.startswith("details."):
        return f"--detail {location.removeprefix('details.')}"
    return {"occurred_at": "--at", "breach_id": "ID"}.get(location, location)


def _option_details(values: Sequence[str]) -> dict[str, str]:
    details: dict[str, str] = {}
    for value in values:
        key, equals, text = value.partition("=")
        if not equals or not key.strip():
            refuse("--detail", f"{value!r} is not key=value (e.g. --detail basis='logs show a token reused')")
        if key.strip() in details:
            refuse("--detail", f"{key.strip()!r} is given twice")
        details[key.strip()] = text
    return details


def _file_details(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        loaded = json.loads(_read_text(path, "--details-file"))
    except json.JSONDecodeError as error:
        refuse("--details-file", f"{path} is not JSON: {error}")
    if not isinstance(loaded, dict):
        refuse("--details-file", f"{path} holds no JSON object of details")
    return {str(key): _detail_text(str(key), value) for key, value in loaded.items()}


def _detail_text(key: str, value: object) -> str:
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, str | int):
        return str(value)
    return refuse("--details-file", f"{key!r}: give text, a whole number or true/false, not {value!r}")


def _merged(from_file: dict[str, str], from_options: dict[str, str]) -> dict[str, str]:
    both = sorted(from_file.keys() & from_options.keys())
    if both:
        refuse("--detail", f"{', '.join(map(repr, both))} given both here and in --details-file")
    return from_file | from_options


def accounts(
    breach_id: int = BREACH_ID,
    file: str = typer.Argument(
        ..., metavar="FILE", help="One account number per line ('-': standard input); # starts a comment."
    ),
) -> None:
    """Record the accounts the breach affected (64.2011(d)); an unknown number refuses the whole file."""
    numbers, lines = _account_numbers(file)
    with container() as built:
        try:
            added = add_affected_accounts(
                built.breach_context(), breach_id=breach_id, account_numbers=numbers, asker=CLI_ASKER
            )
        except InvalidInputError as error:
            fail_naming(error, lambda location: _account_location(location, file, lines))
        except NotFoundError as error:
            raise not_found_exit(error) from None
    stderr.print(
        f"{added.added} accounts added to breach {breach_id}; it lists {added.total} affected accounts",
        markup=False,
    )


def _account_numbers(file: str) -> tuple[list[str], list[int]]:
    """The account numbers in `file`, and the line each is on."""
    text = sys.stdin.read() if file == "-" else _read_text(Path(file), "FILE")
    numbers: list[str] = []
    lines: list[int] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        number = line.strip()
        if number and not number.startswith(COMMENT):
            numbers.append(number)
            lines.append(line_number)
    return numbers, lines


def _account_location(location: str, file: str, lines: list[int]) -> str:
    name = "standard input" if file == "-" else file
    index = location.removeprefix("account_numbers[").removesuffix("]")
    if index.isdigit() and int(index) < len(lines):
        return f"FILE {name} line {lines[int(index)]}"
    return {"account_numbers": f"FILE {name}", "breach_id": "ID"}.get(location, location)


def close(
    breach_id: int = BREACH_ID,
    reason: str = typer.Option(..., "--reason", help="Why the handling is over."),
) -> None:
    """Close the breach: its record takes no more events and is kept 2 years from now (64.2011(d))."""
    with container() as built:
        try:
            closed = close_breach(built.breach_context(), breach_id=breach_id, reason=reason, asker=CLI_ASKER)
        except InvalidInputError as error:
            fail_naming(error, {"details.reason": "--reason", "breach_id": "ID"})
        except NotFoundError as error:
            raise not_found_exit(error) from None
    stderr.print(
        f"breach {breach_id} ({closed.reference}) closed at {moment_text(closed.closed_at)}; "
        "keep its record at least 2 years (47 CFR 64.2011(d))",
        markup=False,
    )


def reopen(
    breach_id: int = BREACH_ID,
    reason: str = typer.Option(..., "--reason", help="What came to light."),
) -> None:
    """Reopen a closed breach: new facts came to light; its 2-year retention starts over at the next close."""
    with container() as built:
        try:
            opened = reopen_breach(
                built.breach_context(), breach_id=breach_id, reason=reason, asker=CLI_ASKER
            )
        except InvalidInputError as error:
            fail_naming(error, {"details.reason": "--reason", "breach_id": "ID"})
        except NotFoundError as error:
            raise not_found_exit(error) from None
    stderr.print(f"breach {breach_id} ({opened.reference}) reopened", markup=False)


def purge(
    breach_id: int = BREACH_ID,
    yes: bool = typer.Option(False, "--yes", help="Confirm: the breach's record is deleted for good."),
) -> None:
    """Delete a breach's record, closed more than 2 years ago (64.2011(d)); anything younger is refused."""
    if not yes:
        refuse("--yes", f"purging deletes breach {breach_id}'s record for good: confirm with --yes")
    with container() as built:
        try:
            removed = purge_breach(built.breach_context(), breach_id=breach_id, asker=CLI_ASKER)
        except RetentionFloorError as error:
            refuse("ID", f"breach {breach_id} cannot be purged: {error}")
        except NotFoundError as error:
            raise not_found_exit(error) from None
    stderr.print(f"breach {breach_id} purged: {removed} timeline events deleted", markup=False)


def _read_text(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        return refuse(name, f"cannot read {path}: {error.strerror}")
    except UnicodeDecodeError:
        return refuse(name, f"{path} is not UTF-8 text")


def refuse(name: str, message: str) -> NoReturn:
    """Exit 2 saying what is wrong with the option or argument `name`."""
    stderr.print(f"[red]error:[/] {name}: {escape(message)}")
    raise typer.Exit(EXIT_BAD_INPUT)


def breach_json(breach: Breach) -> dict[str, object]:
    """The breach, JSON-ready."""
    return {
        "id": breach.id,
        "reference": breach.reference,
        "opened_at": breach.opened_at.isoformat(),
        "opened_by": breach.opened_by,
        "closed_at": None if breach.closed_at is None else breach.closed_at.isoformat(),
    }


def event_json(event: BreachEvent) -> dict[str, object]:
    """A timeline event, JSON-ready."""
    return {
        "id": event.id,
        "kind": str(event.kind),
        "occurred_at": event.occurred_at.isoformat(),
        "recorded_at": event.recorded_at.isoformat(),
        "recorded_by": event.recorded_by,
        "details": dict(event.details),
    }
