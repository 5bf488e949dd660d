"""What a customer breach notice says, and whether customers may be told today (47 CFR 64.2011).

Content: the 2023 rule's customer notice (RULES 8.6, recalled, not verified verbatim) names the
date or date range of the breach, the customer information involved, how to reach the carrier,
the FCC, the FTC and the state regulator and, when identity theft is a risk, the national credit
reporting agencies, steps against it and the credit help the carrier offers (if any), and other
steps for the data exposed. The legacy rule requires no content (RULES 7.6); the same content is
given under both.

Timing: law enforcement first (legacy 64.2011(a), (b)(1): 7 full business days after its notice,
unless the (b)(2) urgent need lifts the wait), never during a written hold ((b)(3); (a)(2) as
amended), and under the 2023 rule after the agency notice unless the breach goes to the annual
summary instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cpniguard.domain.breach import BreachRegime, Deadline
from cpniguard.domain.breach_deadlines import AGENCIES_2023, LEGACY_AGENCIES
from cpniguard.domain.breach_timeline import BreachEvent, BreachEventKind
from cpniguard.domain.carrier import CarrierContact
from cpniguard.domain.errors import FieldProblem, InvalidInputError

BREACH_NOTICE_EMAIL_TEMPLATE = "breach_notice"
BREACH_NOTICE_LETTER_TEMPLATE = "breach_notice_letter"
AMENDED = "as amended by FCC 23-111"
CONTENT_CITATION = f"47 CFR 64.2011(b) {AMENDED}"
"""The paragraph letter of the amended customer notice is inferred (RULES 12.3)."""


@dataclass(frozen=True, slots=True)
class PublicContact:
    """How customers reach a public body or a credit reporting agency: its name, sites and phone."""

    name: str
    sites: tuple[str, ...]
    phone: str

    def line(self) -> str:
        """One line of a notice: the name, then the sites and the phone."""
        return f"{self.name}: {', '.join(self.sites)}, {self.phone}"


FCC = PublicContact(
    "Federal Communications Commission (FCC)", ("https://consumercomplaints.fcc.gov",), "1-888-225-5322"
)
FTC = PublicContact(
    "Federal Trade Commission (FTC)",
    ("https://reportfraud.ftc.gov", "https://www.identitytheft.gov"),
    "1-877-438-4338",
)
REGULATORS = (FCC, FTC)
"""RULES 8.6 (iv): the FCC and the FTC; the state regulator comes from the carrier's settings."""
CREDIT_REPORTING_AGENCIES = (
    PublicContact("Equifax", ("https://www.equifax.com/personal/credit-report-services/",), "1-800-685-1111"),
    PublicContact("Experian", ("https://www.experian.com/help/",), "1-888-397-3742"),
    PublicContact("TransUnion", ("https://www.transunion.com/credit-help",), "1-888-909-8872"),
)
"""RULES 8.6 (v): the three national credit reporting agencies, as the FTC's IdentityTheft.gov
lists them for fraud alerts and freezes; check them before go-live, like the rule text."""

IDENTITY_THEFT_DATA_TYPES = frozenset(
    {"name_with_government_id", "financial_account", "username_with_password", "biometric"}
)
"""Personal information whose exposure risks identity theft (RULES 1.18, 8.6 (v))."""

DATA_TYPE_DESCRIPTIONS: Mapping[str, str] = {
    "call_detail": "records of your calls: the numbers you called and that called you, and when, where "
    "and how long the calls were",
    "billing": "information on your bills, such as the services billed, the charges and the amounts due",
    "services": "the services you subscribe to and how they are set up",
    "location": "the location of your device while it was in use",
    "account_information": "information about your account, such as the account number and the "
    "telephone number of the account",
    "name_with_government_id": "your name together with a number from a government-issued document, "
    "such as a Social Security, driver's license or passport number",
    "username_with_password": "a user name or email address together with a password, or a security "
    "question and its answer",
    "biometric": "biometric, genetic or medical information about you",
    "financial_account": "a bank account, credit card or debit card number",
    "other_pii": "other information that can identify you",
}
"""RULES 8.6 (ii): each data type of the timeline in words; the template translates the same text."""

DATA_TYPE_STEPS: Mapping[str, tuple[str, ...]] = {
    "call_detail": ("account_security",),
    "billing": ("account_security",),
    "services": ("account_security",),
    "location": ("location",),
    "account_information": ("account_security", "number_lock"),
    "name_with_government_id": ("government_id",),
    "username_with_password": ("passwords",),
    "biometric": ("biometric",),
    "financial_account": ("financial_accounts",),
    "other_pii": (),
}
"""RULES 8.6 (vi): the steps each data type calls for, by the key the template words it under."""
ALWAYS_STEP = "phishing"
"""Whatever was taken, customers are told how to spot someone posing as the carrier."""


@dataclass(frozen=True, slots=True)
class CustomerNoticeContent:
    """What a customer breach notice tells every affected customer (RULES 8.6 (i)-(vi)).

    `data_types` are the timeline's codes, `described` their English words (ii);
    `credit_reporting_agencies` is empty unless identity theft is a risk (v), and
    `credit_monitoring_offer` is then the carrier's credit help, blank when it offers none; `steps`
    are the keys of the other steps to take (vi); a blank `state_regulator_contact` is left out of
    the notice.
    """

    breach_from: date
    breach_to: date
    data_types: tuple[str, ...]
    described: tuple[str, ...]
    identity_theft_risk: bool
    steps: tuple[str, ...]
    carrier: CarrierContact
    regulators: tuple[PublicContact, ...]
    state_regulator_contact: str
    credit_reporting_agencies: tuple[PublicContact, ...]
    credit_monitoring_offer: str


def customer_notice_problems(events: Sequence[BreachEvent]) -> list[FieldProblem]:
    """The facts the timeline lacks for the customer notice; empty when it can be written.

    47 CFR 64.2011(b) as amended (RULES 8.6 (i), (ii)): the notice gives the date or date range
    of the breach and describes the information involved, so both must be recorded first.
    """
    problems = []
    if _latest(events, BreachEventKind.DATE_RANGE) is None:
        problems.append(
            FieldProblem(
                "timeline.date_range",
                f"record the date or date range of the breach: the customer notice gives it "
                f"({CONTENT_CITATION}; RULES 8.6 (i))",
            )
        )
    if _latest(events, BreachEventKind.DATA_TYPES) is None:
        problems.append(
            FieldProblem(
                "timeline.data_types",
                f"record the types of data breached: the customer notice describes them "
                f"({CONTENT_CITATION}; RULES 8.6 (ii))",
            )
        )
    return problems


def customer_notice_gaps(content: CustomerNoticeContent) -> list[FieldProblem]:
    """What the notice leaves out that the carrier must configure: warnings for staff, not refusals.

    47 CFR 64.2011(b) as amended (RULES 8.6 (iv)): customers are told how to reach any relevant
    state regulatory agency. Which ones depends on where the carrier serves, so the setting has
    no default; while it is blank the notice names none, and staff are told before they send it.
    """
    if content.state_regulator_contact:
        return []
    return [
        FieldProblem(
            "state_regulator_contact",
            "no state regulatory agency is configured (the breach setting state_regulator_contact), so "
            "the notice names none: customers must be told how to reach the relevant state agencies "
            f"({CONTENT_CITATION}; RULES 8.6 (iv))",
        )
    ]


def customer_notice_content(
    events: Sequence[BreachEvent],
    *,
    carrier: CarrierContact,
    state_regulator_contact: str,
    credit_monitoring_offer: str,
) -> CustomerNoticeContent:
    """The customer notice of a breach from its timeline (47 CFR 64.2011(b) as amended; RULES 8.6).

    The latest date range and data types recorded count. The carrier's credit monitoring offer is
    given only with the identity-theft steps, when the data types risk identity theft (RULES 8.6
    (v)). Given under the legacy rule too, which prescribes no content (RULES 7.6). Raises
    InvalidInputError when customer_notice_problems finds a fact missing.
    """
    problems = customer_notice_problems(events)
    date_range = _latest(events, BreachEventKind.DATE_RANGE)
    types = _latest(events, BreachEventKind.DATA_TYPES)
    if problems or date_range is None or types is None:
        raise InvalidInputError("the customer notice lacks facts it must give", tuple(problems))
    data_types = _data_types(types.details["types"])
    at_risk = not IDENTITY_THEFT_DATA_TYPES.isdisjoint(data_types)
    return CustomerNoticeContent(
        breach_from=date.fromisoformat(date_range.details["from"]),
        breach_to=date.fromisoformat(date_range.details["to"]),
        data_types=data_types,
        described=tuple(DATA_TYPE_DESCRIPTIONS[code] for code in data_types),
        identity_theft_risk=at_risk,
        steps=_steps(data_types),
        carrier=carrier,
        regulators=REGULATORS,
        state_regulator_contact=state_regulator_contact.strip(),
        credit_reporting_agencies=CREDIT_REPORTING_AGENCIES if at_risk else (),
        credit_monitoring_offer=credit_monitoring_offer.strip() if at_risk else "",
    )


def _data_types(listed: str) -> tuple[str, ...]:
    """The recorded codes, each once, in the order given (the timeline checked they are known)."""
    return tuple(dict.fromkeys(code.strip() for code in listed.split(",") if code.strip()))


def _steps(data_types: tuple[str, ...]) -> tuple[str, ...]:
    keys = [step for code in data_types for step in DATA_TYPE_STEPS[code]]
    return tuple(dict.fromkeys([*keys, ALWAYS_STEP]))


def customer_notice_fields(content: CustomerNoticeContent) -> dict[str, str]:
    """The fields the breach notice templates are filled from: plain strings, lists joined.

    Dates are ISO 8601; data types and steps are comma-separated keys the templates word in the
    customer's language; contacts are one per line.
    """
    carrier = content.carrier
    return {
        "carrier_name": carrier.carrier_name,
        "carrier_contact": "\n".join(_carrier_lines(carrier)),
        "breach_from": content.breach_from.isoformat(),
        "breach_to": content.breach_to.isoformat(),
        "data_types": ",".join(content.data_types),
        "steps": ",".join(content.steps),
        "regulator_contacts": "\n".join(contact.line() for contact in content.regulators),
        "state_regulator_contact": content.state_regulator_contact,
        "credit_reporting_agencies": "\n".join(a.line() for a in content.credit_reporting_agencies),
        "credit_monitoring_offer": content.credit_monitoring_offer,
    }


def _carrier_lines(carrier: CarrierContact) -> list[str]:
    return [carrier.contact_name, carrier.carrier_address, carrier.contact_phone, carrier.contact_email]


def customer_notice_refusal(
    deadlines: Sequence[Deadline], *, events: Sequence[BreachEvent], regime: BreachRegime, today: date
) -> FieldProblem | None:
    """Why the breach's customers may not be told on `today` (a Washington, DC date), or None.

    A written hold in force forbids it under both regimes (legacy 64.2011(b)(3); (a)(2) as
    amended). Legacy 64.2011(a), (b)(1): not before the USSS and FBI notice is recorded, nor
    before the 7-full-business-day wait after it ends, unless the (b)(2) urgent need lifts the
    wait (the deadlines say so). 2023 rule: not before the FCC, USSS and FBI notice is recorded,
    unless the breach goes to the annual summary instead (64.2011(a)(3) as amended).
    """
    by_name = {deadline.name: deadline for deadline in deadlines}
    return (
        _hold_refusal(deadlines, regime, today)
        or _agency_refusal(by_name.get("agency_notice"), events, regime)
        or _wait_refusal(by_name.get("customer_notice_earliest"), today)
    )


def _hold_refusal(deadlines: Sequence[Deadline], regime: BreachRegime, today: date) -> FieldProblem | None:
    held = max((d.held_until for d in deadlines if d.held_until is not None), default=None)
    if held is None or held < today:
        return None
    citation = "47 CFR 64.2011(b)(3)" if regime is BreachRegime.LEGACY else f"47 CFR 64.2011(a)(2) {AMENDED}"
    return FieldProblem(
        "holds",
        f"a written hold forbids customer and public notice through {held.isoformat()}: customers may "
        f"be told from {(held + timedelta(days=1)).isoformat()} unless the agency releases it in "
        f"writing ({citation})",
    )


def _agency_refusal(
    agency: Deadline | None, events: Sequence[BreachEvent], regime: BreachRegime
) -> FieldProblem | None:
    if agency is None:
        required: tuple[str, ...] = LEGACY_AGENCIES if regime is BreachRegime.LEGACY else AGENCIES_2023
    elif not agency.required:
        return None  # 2023: the breach goes to the annual summary, so no agency notice comes first
    else:
        required = agency.recipients
    notified = {
        name.strip()
        for event in events
        if event.kind is BreachEventKind.AGENCY_NOTIFIED
        for name in event.details["agencies"].split(",")
    }
    missing = [name for name in required if name not in notified]
    if not missing:
        return None
    if regime is BreachRegime.LEGACY:
        why = "customers may not be told before law enforcement is (47 CFR 64.2011(a), (b)(1))"
    else:
        why = f"customers are told after the agency notice (47 CFR 64.2011(a), (b) {AMENDED})"
    return FieldProblem(
        "timeline.agency_notified",
        f"record the notice to {', '.join(missing)} through the central reporting facility first: {why}",
    )


def _wait_refusal(earliest: Deadline | None, today: date) -> FieldProblem | None:
    if earliest is None or earliest.not_before is None or today >= earliest.not_before:
        return None
    return FieldProblem(
        "customer_notice_earliest",
        f"customers may not be told before {earliest.not_before.isoformat()}: {earliest.explanation} "
        f"({earliest.citation})",
    )


def _latest(events: Sequence[BreachEvent], kind: BreachEventKind) -> BreachEvent | None:
    found = [event for event in events if event.kind is kind]
    return found[-1] if found else None
