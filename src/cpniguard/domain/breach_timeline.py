"""A breach's record: an append-only timeline of what the carrier learned and did (47 CFR 64.2011).

64.2011(d) (legacy) and the amended rule (RULES 7.7, 8.8) require a record of every breach,
every agency notice and every customer notice, with the dates of discovery and notice, a
description of the data involved and the circumstances, kept at least two years. The 2023 agency
notice needs the fields of 64.2011(a)(1) (RULES 8.2). Nothing is changed in place: a correction
is a later event of the same kind, and the latest recorded one counts. `breach_facts_from` folds
the timeline into the facts the deadline engine (domain/breach_deadlines.py) runs on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from cpniguard.domain.breach import MAX_INITIAL_HOLD_DAYS, BreachFacts, Hold, HoldExtension
from cpniguard.domain.consent import add_years
from cpniguard.domain.errors import FieldProblem

BREACH_RECORD_RETENTION_YEARS = 2
"""64.2011(d) legacy, kept by the amended rule: breach records are kept at least 2 years (RULES 7.7, 8.8)."""
MAX_DETAIL_LENGTH = 10_000
MAX_RECORDED_BY_LENGTH = 200
MAX_REFERENCE_LENGTH = 128
TRUE, FALSE = "true", "false"
UNKNOWN = "unknown"
"""A customer count not known yet: the breach cannot go to the annual summary until it is."""


class BreachEventKind(StrEnum):
    """What was learned or done about a breach."""

    DISCOVERED = "discovered"
    """The carrier found the breach; `occurred_at` is the discovery (64.2011(d): date of discovery)."""
    DETERMINED = "determined"
    """The reasonable determination that a breach happened: it starts every clock (RULES 1.20, 11.15)."""
    DESCRIBED = "described"
    """A description of the breach (64.2011(a)(1)(ii) as amended; circumstances, 64.2011(d))."""
    METHOD_OF_COMPROMISE = "method_of_compromise"
    """How the data was reached (64.2011(a)(1)(iii) as amended)."""
    DATE_RANGE = "date_range"
    """The dates the incident spans (64.2011(a)(1)(iv) as amended)."""
    DATA_TYPES = "data_types"
    """The types of data breached (64.2011(a)(1)(vii) as amended; the CPNI involved, 64.2011(d))."""
    CUSTOMERS_AFFECTED = "customers_affected"
    """The approximate number of customers affected (64.2011(a)(1)(v) as amended)."""
    FINANCIAL_LOSS_ESTIMATED = "financial_loss_estimated"
    """An estimate of the financial loss to the carrier and customers (64.2011(a)(1)(vi) as amended)."""
    INTENT = "intent"
    """Whether the access was intentional: the legacy definition needs it (64.2011(e)); 2023 does not."""
    ENCRYPTION = "encryption"
    """Whether only encrypted data was taken, the key definitively safe (2023 customer-notice excuse)."""
    HARM_ASSESSMENT = "harm_assessment"
    """Whether harm to customers is reasonably likely, with the analysis behind it (RULES 8.5, 8.8)."""
    HOLD_STARTED = "hold_started"
    """An agency's written direction not to notify (64.2011(b)(3); (a)(2) as amended)."""
    HOLD_EXTENDED = "hold_extended"
    """A written extension of a hold."""
    HOLD_RELEASED = "hold_released"
    """A written release of a hold."""
    AGENCY_NOTIFIED = "agency_notified"
    """The notice through the central reporting facility (64.2011(b); (a) as amended)."""
    CUSTOMERS_NOTIFIED = "customers_notified"
    """The customer notice (64.2011(c); (b) as amended)."""
    STATUS_CHANGED = "status_changed"
    """The breach's handling moved on (open, contained, notified, closed)."""


class BreachStatus(StrEnum):
    """Where the handling of a breach stands."""

    OPEN = "open"
    CONTAINED = "contained"
    NOTIFIED = "notified"
    CLOSED = "closed"


CPNI_DATA_TYPES = frozenset({"call_detail", "billing", "services", "location", "account_information"})
"""Kinds of CPNI a breach can involve (47 U.S.C. 222(h)(1); 64.2003(a), (d))."""
PII_DATA_TYPES = frozenset(
    {"name_with_government_id", "username_with_password", "biometric", "financial_account", "other_pii"}
)
"""Kinds of personally identifiable information the amended rule covers too (FCC 23-111; RULES 8.9)."""
DATA_TYPES = CPNI_DATA_TYPES | PII_DATA_TYPES
AGENCIES = frozenset({"FCC", "USSS", "FBI"})
"""Who the central reporting facility notifies (64.2011(b); (a) as amended)."""


@dataclass(frozen=True, slots=True)
class Breach:
    """A breach as the record holds it: its carrier reference, who opened it, and when it closed."""

    id: int
    reference: str
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class BreachEvent:
    """One entry of a breach's timeline; `details` are plain strings, checked per kind.

    `occurred_at` is when it happened (the discovery, the determination, the notice sent);
    `recorded_at` is when cpniguard recorded it.
    """

    kind: BreachEventKind
    occurred_at: datetime
    recorded_at: datetime
    recorded_by: str
    id: int | None = None
    details: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


DetailCheck = Callable[[str], str | None]
"""Why a detail's value is wrong, or None when it is right."""


def _text(value: str) -> str | None:
    if not value.strip():
        return "must not be blank"
    return f"is longer than {MAX_DETAIL_LENGTH} characters" if len(value) > MAX_DETAIL_LENGTH else None


def _reference(value: str) -> str | None:
    if not value.strip():
        return "name the written document"
    return f"is longer than {MAX_REFERENCE_LENGTH} characters" if len(value) > MAX_REFERENCE_LENGTH else None


def _iso_date(value: str) -> str | None:
    try:
        date.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a date (YYYY-MM-DD)"
    return None


def _count(value: str) -> str | None:
    if not value.isascii() or not value.isdigit():
        return f"{value!r} is not a whole number of zero or more"
    return None


def _count_or_unknown(value: str) -> str | None:
    if value == UNKNOWN:
        return None
    problem = _count(value)
    return None if problem is None else f"{problem}, nor {UNKNOWN!r}"


def _flag(value: str) -> str | None:
    return None if value in {TRUE, FALSE} else f"{value!r} is neither {TRUE!r} nor {FALSE!r}"


def _data_types(value: str) -> str | None:
    named = [part.strip() for part in value.split(",")]
    known = f"known: {', '.join(sorted(DATA_TYPES))}"
    if not any(named):
        return f"name at least one; {known}"
    unknown = sorted({part for part in named if part not in DATA_TYPES})
    return f"unknown data types {', '.join(map(repr, unknown))}; {known}" if unknown else None


def _agencies(value: str) -> str | None:
    named = [part.strip() for part in value.split(",")]
    unknown = sorted({part for part in named if part not in AGENCIES})
    if not value.strip() or unknown:
        return f"name agencies among {', '.join(sorted(AGENCIES))}, comma separated"
    return None


def _status(value: str) -> str | None:
    known = {str(status) for status in BreachStatus}
    return None if value in known else f"{value!r} is none of {', '.join(sorted(known))}"


REQUIRED: Mapping[BreachEventKind, Mapping[str, DetailCheck]] = {
    BreachEventKind.DISCOVERED: {"how": _text},
    BreachEventKind.DETERMINED: {"basis": _text},
    BreachEventKind.DESCRIBED: {"description": _text},
    BreachEventKind.METHOD_OF_COMPROMISE: {"method": _text},
    BreachEventKind.DATE_RANGE: {"from": _iso_date, "to": _iso_date},
    BreachEventKind.DATA_TYPES: {"types": _data_types},
    BreachEventKind.CUSTOMERS_AFFECTED: {"count": _count_or_unknown},
    BreachEventKind.FINANCIAL_LOSS_ESTIMATED: {"carrier_cents": _count, "customers_cents": _count},
    BreachEventKind.INTENT: {"intentional": _flag},
    BreachEventKind.ENCRYPTION: {"only_encrypted": _flag, "key_safe": _flag},
    BreachEventKind.HARM_ASSESSMENT: {"harm_reasonably_likely": _flag, "analysis": _text},
    BreachEventKind.HOLD_STARTED: {
        "agency": _text,
        "written_reference": _reference,
        "starts_on": _iso_date,
        "ends_on": _iso_date,
    },
    BreachEventKind.HOLD_EXTENDED: {
        "hold": _reference,
        "written_reference": _reference,
        "ends_on": _iso_date,
    },
    BreachEventKind.HOLD_RELEASED: {
        "hold": _reference,
        "written_reference": _reference,
        "released_on": _iso_date,
    },
    BreachEventKind.AGENCY_NOTIFIED: {"agencies": _agencies, "reference": _reference},
    BreachEventKind.CUSTOMERS_NOTIFIED: {"count": _count, "method": _text},
    BreachEventKind.STATUS_CHANGED: {"status": _status},
}
"""The details each kind must carry, and how each is checked."""
OPTIONAL: Mapping[BreachEventKind, Mapping[str, DetailCheck]] = {
    BreachEventKind.DISCOVERED: {"notes": _text},
    BreachEventKind.CUSTOMERS_AFFECTED: {"basis": _text},
    BreachEventKind.FINANCIAL_LOSS_ESTIMATED: {"basis": _text},
    BreachEventKind.ENCRYPTION: {"evidence": _text},
    BreachEventKind.AGENCY_NOTIFIED: {"urgent_need_consulted": _flag},
    BreachEventKind.CUSTOMERS_NOTIFIED: {"through_message": _count},
    BreachEventKind.STATUS_CHANGED: {"reason": _text},
}
"""Details a kind may carry besides the required ones; any other key is refused.

`through_message` on a customer notice sent through the outbox: the highest outbox message
id of the breach's notices it counts, so the next one counts only those after it."""


def breach_event_problems(event: BreachEvent, timeline: Sequence[BreachEvent] = ()) -> list[FieldProblem]:
    """What `event` lacks or gets wrong; empty when it may join the breach's `timeline`.

    47 CFR 64.2011: times with an offset, each kind's details (RULES 8.2), holds directed in
    writing for at most 30 days at first ((b)(3); (a)(2) as amended), and a determination never
    before the discovery (RULES 1.20).
    """
    problems = [*_time_problems(event), *_recorder_problems(event), *_detail_problems(event)]
    if problems:
        return problems
    return _rule_problems(event) + _timeline_problems(event, timeline)


def _time_problems(event: BreachEvent) -> list[FieldProblem]:
    naive = [
        FieldProblem(name, f"{moment.isoformat()} has no UTC offset: it names no single instant")
        for name, moment in (("occurred_at", event.occurred_at), ("recorded_at", event.recorded_at))
        if moment.utcoffset() is None
    ]
    if not naive and event.occurred_at > event.recorded_at:
        return [FieldProblem("occurred_at", "is later than now: an event is recorded once it has happened")]
    return naive


def _recorder_problems(event: BreachEvent) -> list[FieldProblem]:
    if not event.recorded_by.strip():
        return [FieldProblem("recorded_by", "say who recorded the event")]
    if len(event.recorded_by) > MAX_RECORDED_BY_LENGTH:
        return [FieldProblem("recorded_by", f"is longer than {MAX_RECORDED_BY_LENGTH} characters")]
    return []


def _detail_problems(event: BreachEvent) -> list[FieldProblem]:
    required, optional = REQUIRED[event.kind], OPTIONAL.get(event.kind, {})
    problems = [
        FieldProblem(f"details.{key}", f"a {event.kind} event needs it")
        for key in required
        if key not in event.details
    ]
    for key, value in event.details.items():
        check = required.get(key) or optional.get(key)
        if check is None:
            known = ", ".join([*required, *optional])
            problems.append(FieldProblem(f"details.{key}", f"a {event.kind} event takes only: {known}"))
        elif not isinstance(value, str):
            problems.append(FieldProblem(f"details.{key}", "must be text"))
        elif (message := check(value)) is not None:
            problems.append(FieldProblem(f"details.{key}", message))
    return problems


def _rule_problems(event: BreachEvent) -> list[FieldProblem]:
    details = event.details
    match event.kind:
        case BreachEventKind.DATE_RANGE:
            return _ordered(details, "from", "to")
        case BreachEventKind.HOLD_STARTED:
            return _initial_hold_problems(details)
        case BreachEventKind.ENCRYPTION if details["key_safe"] == TRUE and "evidence" not in details:
            return [FieldProblem("details.evidence", "a safe key needs its definitive evidence (RULES 8.5)")]
        case _:
            return []


def _ordered(details: Mapping[str, str], first: str, last: str) -> list[FieldProblem]:
    if date.fromisoformat(details[last]) < date.fromisoformat(details[first]):
        return [FieldProblem(f"details.{last}", f"{details[last]} is before {details[first]}")]
    return []


def _initial_hold_problems(details: Mapping[str, str]) -> list[FieldProblem]:
    problems = _ordered(details, "starts_on", "ends_on")
    days = (date.fromisoformat(details["ends_on"]) - date.fromisoformat(details["starts_on"])).days
    if days > MAX_INITIAL_HOLD_DAYS:
        problems.append(
            FieldProblem(
                "details.ends_on",
                f"the initial hold runs {days} days; at most {MAX_INITIAL_HOLD_DAYS}, then extend it in "
                "writing (47 CFR 64.2011(b)(3))",
            )
        )
    return problems


def _timeline_problems(event: BreachEvent, timeline: Sequence[BreachEvent]) -> list[FieldProblem]:
    match event.kind:
        case BreachEventKind.DISCOVERED | BreachEventKind.DETERMINED:
            return _order_problems([*timeline, event])
        case BreachEventKind.HOLD_STARTED:
            return _new_hold_problems(event, timeline)
        case BreachEventKind.HOLD_EXTENDED | BreachEventKind.HOLD_RELEASED:
            return _hold_change_problems(event, timeline)
        case _:
            return []


def _order_problems(events: Sequence[BreachEvent]) -> list[FieldProblem]:
    discovered = _latest(events, BreachEventKind.DISCOVERED)
    determined = _latest(events, BreachEventKind.DETERMINED)
    if discovered is None or determined is None or determined.occurred_at >= discovered.occurred_at:
        return []
    return [
        FieldProblem(
            "occurred_at",
            f"the determination at {determined.occurred_at.isoformat()} would be before the discovery at "
            f"{discovered.occurred_at.isoformat()}: a breach is determined only once it is discovered",
        )
    ]


def _new_hold_problems(event: BreachEvent, timeline: Sequence[BreachEvent]) -> list[FieldProblem]:
    reference = event.details["written_reference"]
    if reference in _holds(timeline):
        return [
            FieldProblem("details.written_reference", f"{reference!r} already names a hold of this breach")
        ]
    return []


def _hold_change_problems(event: BreachEvent, timeline: Sequence[BreachEvent]) -> list[FieldProblem]:
    hold = _holds(timeline).get(event.details["hold"])
    if hold is None:
        return [
            FieldProblem("details.hold", f"no hold {event.details['hold']!r} was recorded for this breach")
        ]
    if event.kind is BreachEventKind.HOLD_RELEASED:
        released = date.fromisoformat(event.details["released_on"])
        if released < hold.starts_on:
            return [
                FieldProblem("details.released_on", f"{released} is before the hold's start {hold.starts_on}")
            ]
        return []
    previous = hold.extensions[-1].ends_on if hold.extensions else hold.ends_on
    if date.fromisoformat(event.details["ends_on"]) <= previous:
        return [FieldProblem("details.ends_on", f"does not extend the hold past {previous}")]
    return []


def breach_facts_from(events: Sequence[BreachEvent]) -> BreachFacts | None:
    """The deadline engine's facts from a breach's timeline; None until discovered and determined.

    The latest recorded event of a kind counts (a correction is a later event). Harm stays
    presumed (RULES 8.5) unless assessed, and a no-harm assessment counts only once the number of
    customers is recorded as a number: the small-breach route of 64.2011(a)(3) as amended needs
    both facts, and a count not known (none recorded, or "unknown") must not send a breach to the
    annual summary. The agency notice's instant is the first one recorded: the legacy wait runs
    from it (64.2011(b)(1)).
    """
    discovered = _latest(events, BreachEventKind.DISCOVERED)
    determined = _latest(events, BreachEventKind.DETERMINED)
    if discovered is None or determined is None:
        return None
    count = customers_affected(events)
    harm = _latest(events, BreachEventKind.HARM_ASSESSMENT)
    agency_notices = _of(events, BreachEventKind.AGENCY_NOTIFIED)
    return BreachFacts(
        determined_at=determined.occurred_at,
        discovered_at=discovered.occurred_at,
        customers_affected=count or 0,
        harm_reasonably_likely=count is None
        or harm is None
        or harm.details["harm_reasonably_likely"] == TRUE,
        agency_notified_at=min((e.occurred_at for e in agency_notices), default=None),
        only_encrypted_data_and_key_safe=_encrypted_and_key_safe(events),
        urgent_need_consulted=any(
            e.details.get("urgent_need_consulted") == TRUE
            for e in _of(events, BreachEventKind.AGENCY_NOTIFIED)
        ),
        holds=tuple(_holds(events).values()),
    )


def customers_affected(events: Sequence[BreachEvent]) -> int | None:
    """The latest recorded count of affected customers; None when none is recorded or it is unknown."""
    counted = _latest(events, BreachEventKind.CUSTOMERS_AFFECTED)
    if counted is None or counted.details["count"] == UNKNOWN:
        return None
    return int(counted.details["count"])


def _encrypted_and_key_safe(events: Sequence[BreachEvent]) -> bool:
    encryption = _latest(events, BreachEventKind.ENCRYPTION)
    return (
        encryption is not None
        and encryption.details["only_encrypted"] == encryption.details["key_safe"] == TRUE
    )


def holds_from(events: Sequence[BreachEvent]) -> tuple[Hold, ...]:
    """The timeline's written holds with their extensions and releases, in the order they started."""
    return tuple(_holds(events).values())


def _holds(events: Sequence[BreachEvent]) -> dict[str, Hold]:
    """The timeline's holds by their written reference, with their extensions and releases."""
    holds: dict[str, Hold] = {}
    for event in events:
        details = event.details
        if event.kind is BreachEventKind.HOLD_STARTED:
            holds[details["written_reference"]] = Hold(
                details["agency"],
                details["written_reference"],
                date.fromisoformat(details["starts_on"]),
                date.fromisoformat(details["ends_on"]),
            )
        elif event.kind is BreachEventKind.HOLD_EXTENDED and (hold := holds.get(details["hold"])):
            extension = HoldExtension(details["written_reference"], date.fromisoformat(details["ends_on"]))
            holds[hold.written_reference] = replace(hold, extensions=(*hold.extensions, extension))
        elif event.kind is BreachEventKind.HOLD_RELEASED and (hold := holds.get(details["hold"])):
            holds[hold.written_reference] = replace(
                hold, released_on=date.fromisoformat(details["released_on"])
            )
    return holds


def _of(events: Sequence[BreachEvent], kind: BreachEventKind) -> list[BreachEvent]:
    return [event for event in events if event.kind is kind]


def _latest(events: Sequence[BreachEvent], kind: BreachEventKind) -> BreachEvent | None:
    """The last recorded event of `kind`, in the order the timeline holds them."""
    found = _of(events, kind)
    return found[-1] if found else None


def breach_purge_problem(closed_at: datetime | None, now: datetime) -> str | None:
    """Why a breach closed at `closed_at` may not be purged at `now`, or None when it may.

    64.2011(d) legacy, kept by the amended rule (RULES 7.7, 8.8, 11.17): breach records are kept
    at least 2 years; an open breach is never purged.
    """
    if closed_at is None:
        return "the breach is still open: close it, then keep its record 2 years (47 CFR 64.2011(d))"
    # Counted forward from the closing: a breach closed on 29 February is kept to 28 February.
    kept_until = add_years(closed_at, BREACH_RECORD_RETENTION_YEARS)
    if now <= kept_until:
        return (
            f"breach records are kept at least {BREACH_RECORD_RETENTION_YEARS} years (47 CFR 64.2011(d)): "
            f"closed at {closed_at.isoformat()}, it may be purged after {kept_until.isoformat()}"
        )
    return None
