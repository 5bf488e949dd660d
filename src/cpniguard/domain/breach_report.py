"""The agency report of a CPNI breach, sent through the central reporting facility (47 CFR 64.2011).

The report carries the seven items of 64.2011(a)(1) as amended by FCC 23-111 (RULES 8.2), read from
the breach's timeline: the latest recorded event of a kind counts, since a correction is a later
event. A required item with no value is flagged in `missing` and never left silently empty. The
legacy rule prescribes no content (64.2011(b)), but the reporting facility asks for the same items,
so both regimes report them; only the recipients change (RULES 7.2, 8.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date, datetime

from cpniguard.domain.breach import BreachRegime, Hold
from cpniguard.domain.breach_deadlines import AGENCIES_2023, AMENDED, LEGACY_AGENCIES
from cpniguard.domain.breach_timeline import (
    CPNI_DATA_TYPES,
    TRUE,
    UNKNOWN,
    Breach,
    BreachEvent,
    BreachEventKind,
    customers_affected,
    holds_from,
)
from cpniguard.domain.carrier import CarrierContact
from cpniguard.domain.errors import FieldProblem, InvalidInputError

REPORTING_FACILITY = "central reporting facility"

K = BreachEventKind


REQUIRED_ITEMS = {
    "carrier": ("Carrier's address and contact information", "(i)"),
    "description": ("Description of the breach", "(ii)"),
    "method_of_compromise": ("Method of compromise", "(iii)"),
    "date_range": ("Date range of the incident", "(iv)"),
    "customers_affected": ("Approximate number of customers affected", "(v)"),
    "financial_loss": ("Estimated financial loss to the carrier and customers", "(vi)"),
    "data_types": ("Types of data breached", "(vii)"),
}
"""The items of 64.2011(a)(1) as amended (RULES 8.2) in the rule's order: name, label, paragraph."""
LABELS = {name: label for name, (label, _) in REQUIRED_ITEMS.items()}
CITATIONS = {
    name: f"47 CFR 64.2011(a)(1){paragraph} {AMENDED}" for name, (_, paragraph) in REQUIRED_ITEMS.items()
}
CARRIER_ITEMS = (
    ("carrier_name", "name"),
    ("carrier_address", "address"),
    ("contact_name", "contact person"),
    ("contact_email", "contact email"),
    ("contact_phone", "contact telephone number"),
)


@dataclass(frozen=True, slots=True)
class FinancialLoss:
    """The estimated financial loss, in cents, to the carrier and to its customers (64.2011(a)(1)(vi))."""

    carrier_cents: int
    customers_cents: int
    basis: str | None = None


@dataclass(frozen=True, slots=True)
class Encryption:
    """Whether only encrypted data was taken and the key is definitively safe (RULES 8.5)."""

    only_encrypted: bool
    key_safe: bool
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class HarmAssessment:
    """The carrier's conclusion on harm to customers, its analysis, who recorded it and when (RULES 8.8)."""

    harm_reasonably_likely: bool
    analysis: str
    assessed_at: datetime
    assessed_by: str


@dataclass(frozen=True, slots=True)
class BreachContent:
    """What a breach's timeline says for its reports; None where nothing usable is recorded."""

    description: str | None
    method_of_compromise: str | None
    date_range: tuple[date, date] | None
    customers_affected: int | None
    customers_affected_basis: str | None
    customers_count_unknown: bool
    financial_loss: FinancialLoss | None
    cpni_data_types: tuple[str, ...]
    pii_data_types: tuple[str, ...]
    discovered_at: datetime | None
    determined_at: datetime | None
    intentional: bool | None
    encryption: Encryption | None
    harm: HarmAssessment | None
    urgent_need_consulted: bool
    holds: tuple[Hold, ...]


@dataclass(frozen=True, slots=True)
class AgencyReport:
    """The notice of a breach to the agencies through the central reporting facility.

    47 CFR 64.2011(b) (legacy: USSS and FBI) or 64.2011(a) as amended by FCC 23-111 (FCC, USSS and
    FBI), with the items of 64.2011(a)(1) (RULES 8.2). `urgent_need_stated` says the notice must
    state the legacy 64.2011(b)(2) urgent need to notify customers sooner; `affected_accounts` is
    how many accounts the record names, which may differ from the approximate count reported.
    """

    reference: str
    regime: BreachRegime
    recipients: tuple[str, ...]
    carrier: CarrierContact
    content: BreachContent
    urgent_need_stated: bool
    affected_accounts: int
    missing: tuple[FieldProblem, ...]


def agency_report(
    breach: Breach,
    events: Sequence[BreachEvent],
    *,
    carrier: CarrierContact,
    regime: BreachRegime,
    affected_accounts: int,
) -> AgencyReport:
    """The agency report of `breach` from its timeline, every required item without a value flagged.

    47 CFR 64.2011(a)(1) as amended (RULES 8.2): "missing values are flagged, not silently left
    empty". Recipients follow the regime: USSS and FBI (64.2011(b)), or FCC, USSS and FBI (64.2011(a)
    as amended). Raises InvalidInputError for a negative number of affected accounts.
    """
    if isinstance(affected_accounts, bool) or not isinstance(affected_accounts, int) or affected_accounts < 0:
        problem = FieldProblem(
            "affected_accounts", f"must be a whole number of zero or more, not {affected_accounts!r}"
        )
        raise InvalidInputError("the agency report cannot be made", (problem,))
    content = breach_content(events)
    return AgencyReport(
        reference=breach.reference,
        regime=regime,
        recipients=recipients_for(regime),
        carrier=carrier,
        content=content,
        urgent_need_stated=regime is BreachRegime.LEGACY and content.urgent_need_consulted,
        affected_accounts=affected_accounts,
        missing=(*carrier_problems(carrier), *content_problems(content)),
    )


def recipients_for(regime: BreachRegime) -> tuple[str, ...]:
    """Who the central reporting facility notifies: 64.2011(b) legacy, (a) as amended (RULES 7.2, 8.1)."""
    return LEGACY_AGENCIES if regime is BreachRegime.LEGACY else AGENCIES_2023


def notice_citation(regime: BreachRegime) -> str:
    """The rule the agency notice is sent under."""
    return "47 CFR 64.2011(b)" if regime is BreachRegime.LEGACY else f"47 CFR 64.2011(a) {AMENDED}"


def latest_event(events: Sequence[BreachEvent], kind: BreachEventKind) -> BreachEvent | None:
    """The last recorded event of `kind`: a correction is a later event of the same kind (64.2011(d))."""
    return next((event for event in reversed(events) if event.kind is kind), None)


def breach_content(events: Sequence[BreachEvent]) -> BreachContent:
    """What the timeline says for the agency report and the annual summary, the latest event of each kind.

    A `customers_affected` count recorded as "unknown" gives no number (64.2011(a)(1)(v) as amended).
    """
    counted = latest_event(events, K.CUSTOMERS_AFFECTED)
    types = _data_types(events)
    return BreachContent(
        description=_detail(events, K.DESCRIBED, "description"),
        method_of_compromise=_detail(events, K.METHOD_OF_COMPROMISE, "method"),
        date_range=_date_range(events),
        customers_affected=customers_affected(events),
        customers_affected_basis=None if counted is None else counted.details.get("basis"),
        customers_count_unknown=counted is not None and counted.details["count"] == UNKNOWN,
        financial_loss=_financial_loss(events),
        cpni_data_types=tuple(kind for kind in types if kind in CPNI_DATA_TYPES),
        pii_data_types=tuple(kind for kind in types if kind not in CPNI_DATA_TYPES),
        discovered_at=_occurred_at(events, K.DISCOVERED),
        determined_at=_occurred_at(events, K.DETERMINED),
        intentional=_flag(events, K.INTENT, "intentional"),
        encryption=_encryption(events),
        harm=_harm(events),
        urgent_need_consulted=any(
            event.details.get("urgent_need_consulted") == TRUE
            for event in events
            if event.kind is K.AGENCY_NOTIFIED
        ),
        holds=holds_from(events),
    )


def _detail(events: Sequence[BreachEvent], kind: BreachEventKind, key: str) -> str | None:
    event = latest_event(events, kind)
    return None if event is None else event.details[key]


def _occurred_at(events: Sequence[BreachEvent], kind: BreachEventKind) -> datetime | None:
    event = latest_event(events, kind)
    return None if event is None else event.occurred_at


def _flag(events: Sequence[BreachEvent], kind: BreachEventKind, key: str) -> bool | None:
    value = _detail(events, kind, key)
    return None if value is None else value == TRUE


def _date_range(events: Sequence[BreachEvent]) -> tuple[date, date] | None:
    event = latest_event(events, K.DATE_RANGE)
    if event is None:
        return None
    return date.fromisoformat(event.details["from"]), date.fromisoformat(event.details["to"])


def _data_types(events: Sequence[BreachEvent]) -> tuple[str, ...]:
    named = _detail(events, K.DATA_TYPES, "types")
    if named is None:
        return ()
    return tuple(dict.fromkeys(part.strip() for part in named.split(",") if part.strip()))


def _financial_loss(events: Sequence[BreachEvent]) -> FinancialLoss | None:
    event = latest_event(events, K.FINANCIAL_LOSS_ESTIMATED)
    if event is None:
        return None
    details = event.details
    return FinancialLoss(int(details["carrier_cents"]), int(details["customers_cents"]), details.get("basis"))


def _encryption(events: Sequence[BreachEvent]) -> Encryption | None:
    event = latest_event(events, K.ENCRYPTION)
    if event is None:
        return None
    details = event.details
    return Encryption(details["only_encrypted"] == TRUE, details["key_safe"] == TRUE, details.get("evidence"))


def _harm(events: Sequence[BreachEvent]) -> HarmAssessment | None:
    event = latest_event(events, K.HARM_ASSESSMENT)
    if event is None:
        return None
    likely = event.details["harm_reasonably_likely"] == TRUE
    return HarmAssessment(likely, event.details["analysis"], event.occurred_at, event.recorded_by)


def carrier_problems(carrier: CarrierContact) -> list[FieldProblem]:
    """The carrier's address and contact items left blank in the settings (64.2011(a)(1)(i) as amended)."""
    return [
        FieldProblem(
            f"carrier.{name}",
            f"the carrier's {label} is not configured ({CITATIONS['carrier']})",
        )
        for name, label in CARRIER_ITEMS
        if not str(getattr(carrier, name)).strip()
    ]


def content_problems(content: BreachContent) -> list[FieldProblem]:
    """Each required item of the breach's record without a value, said where and how to supply it.

    47 CFR 64.2011(a)(1)(ii)-(vii) as amended (RULES 8.2); the dates of discovery and determination
    belong to the record (64.2011(d)) and the determination starts every clock (RULES 11.15).
    """
    absent = {
        "description": content.description is None,
        "method_of_compromise": content.method_of_compromise is None,
        "date_range": content.date_range is None,
        "customers_affected": content.customers_affected is None,
        "financial_loss": content.financial_loss is None,
        "data_types": not (content.cpni_data_types or content.pii_data_types),
        "discovered_at": content.discovered_at is None,
        "determined_at": content.determined_at is None,
    }
    messages = dict(ABSENT_MESSAGES)
    if content.customers_count_unknown:
        messages["customers_affected"] = (
            "the number of customers affected is recorded as unknown: record an approximate number "
            f"({CITATIONS['customers_affected']})"
        )
    return [FieldProblem(name, messages[name]) for name, is_absent in absent.items() if is_absent]


def _absent_messages() -> dict[str, str]:
    fixes = {
        "description": "no description of the breach is recorded: record a 'described' event",
        "method_of_compromise": "no method of compromise is recorded: record a 'method_of_compromise' event",
        "date_range": "no date range of the incident is recorded: record a 'date_range' event",
        "customers_affected": "no number of customers affected is recorded: record a 'customers_affected' "
        "event",
        "financial_loss": "no estimate of financial loss is recorded: record a 'financial_loss_estimated' "
        "event, with 0 where there is none",
        "data_types": "no types of data breached are recorded: record a 'data_types' event",
    }
    messages = {name: f"{fix} ({CITATIONS[name]})" for name, fix in fixes.items()}
    messages["discovered_at"] = (
        "the discovery is not recorded: record a 'discovered' event (47 CFR 64.2011(d))"
    )
    messages["determined_at"] = (
        "the reasonable determination is not recorded: record a 'determined' event; it starts the "
        "7-business-day clock and decides which version of 47 CFR 64.2011 applies (RULES 11.15)"
    )
    return messages


ABSENT_MESSAGES = _absent_messages()


ENCRYPTION_CITATION = f"47 CFR 64.2011 {AMENDED}"
"""Only encrypted data, its key definitively safe, excuses the customer notice (RULES 8.5)."""
HARM_CITATION = f"47 CFR 64.2011(a)(3) {AMENDED}"
"""No harm reasonably likely: with fewer than 500 customers, the annual summary; no customer notice."""


def agency_report_json(report: AgencyReport) -> dict[str, object]:
    """The agency report, JSON-ready: each item with its value (None when missing) and its citation.

    47 CFR 64.2011(a)(1) as amended (RULES 8.2); `missing` lists every required item without a value.
    """
    record = record_items_json(report.content, report.regime)
    record["urgent_need_stated"] = _cited(report.urgent_need_stated, "47 CFR 64.2011(b)(2)")
    record["affected_accounts_recorded"] = _cited(report.affected_accounts, "47 CFR 64.2011(d)")
    return {
        "reference": report.reference,
        "regime": str(report.regime),
        "citation": notice_citation(report.regime),
        "recipients": list(report.recipients),
        "submitted_through": REPORTING_FACILITY,
        "complete": not report.missing,
        "required": {
            "carrier": _item("carrier", carrier_json(report.carrier)),
            **required_items_json(report.content),
        },
        "record": record,
        "missing": problems_json(report.missing),
    }


def required_items_json(content: BreachContent) -> dict[str, object]:
    """Items (ii) to (vii) of 64.2011(a)(1) as amended, each with its label, value and citation."""
    count, loss = content.customers_affected, content.financial_loss
    types = {"cpni": content.cpni_data_types, "pii": content.pii_data_types}
    values = {
        "description": content.description,
        "method_of_compromise": content.method_of_compromise,
        "date_range": _range(content.date_range),
        "customers_affected": None
        if count is None
        else {"approximate": count, "basis": content.customers_affected_basis},
        "financial_loss": loss,
        "data_types": types if any(types.values()) else None,
    }
    return {name: _item(name, value) for name, value in values.items()}


def record_items_json(content: BreachContent, regime: BreachRegime) -> dict[str, object]:
    """The rest of the breach's record the agencies are told: dates, intent, encryption, harm, holds."""
    legacy = regime is BreachRegime.LEGACY
    hold_citation = "47 CFR 64.2011(b)(3)" if legacy else f"47 CFR 64.2011(a)(2) {AMENDED}"
    return {
        "discovered_at": _cited(content.discovered_at, "47 CFR 64.2011(d)"),
        "determined_at": _cited(content.determined_at, notice_citation(regime)),
        "intentional": _cited(content.intentional, "47 CFR 64.2011(e)"),
        "encryption": _cited(content.encryption, ENCRYPTION_CITATION),
        "harm_assessment": _cited(content.harm, HARM_CITATION),
        "holds": _cited(content.holds, hold_citation),
    }


def carrier_json(carrier: CarrierContact) -> dict[str, object]:
    """The carrier's address and contact information (64.2011(a)(1)(i) as amended)."""
    return {name: getattr(carrier, name) for name, _ in CARRIER_ITEMS}


def problems_json(problems: Sequence[FieldProblem]) -> list[dict[str, str]]:
    """Missing items as [{"location", "message"}]."""
    return [{"location": problem.location, "message": problem.message} for problem in problems]


def json_ready(value: object) -> object:
    """`value` for a JSON encoder: dates and instants as ISO text, dataclasses as objects, tuples as lists."""
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return json_ready(asdict(value))
    if isinstance(value, dict):
        return {str(key): json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value


def _item(name: str, value: object) -> dict[str, object]:
    return {"label": LABELS[name], "value": json_ready(value), "citation": CITATIONS[name]}


def _range(dates: tuple[date, date] | None) -> dict[str, date] | None:
    return None if dates is None else {"from": dates[0], "to": dates[1]}


def _cited(value: object, citation: str) -> dict[str, object]:
    return {"value": json_ready(value), "citation": citation}
