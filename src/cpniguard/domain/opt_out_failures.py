"""Opt-out mechanism failures and the letter that reports them to the FCC (47 CFR 64.2009(f)).

A carrier that uses opt-out must tell the Commission in writing within 5 business days when
its opt-out mechanisms do not work properly to such a degree that customers' inability to
opt out is more than an anomaly. The letter names the carrier, the mechanisms, the problem,
the remedy and its date, what the state commissions were told, any notice to customers and a
contact; it is sent even if other opt-out methods worked (RULES 5.6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cpniguard.domain.errors import FieldProblem, InvalidInputError

OPT_OUT_FAILURE_REPORT_BUSINESS_DAYS = 5
"""47 CFR 64.2009(f): the written notice is due within 5 business days."""

LETTER_SUBJECT = "Notice of opt-out mechanism failure under 47 C.F.R. § 64.2009(f)"
COMMISSION_ADDRESS = (
    "Federal Communications Commission",
    "Office of the Secretary",
    "45 L Street NE",
    "Washington, DC 20554",
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def is_channel_failing(outcomes: Sequence[bool], *, threshold: int) -> bool:
    """Whether an opt-out channel has failed its `threshold` newest probes in a row.

    `outcomes` are the channel's settled probe results, newest first (True: the probe got
    through). 47 CFR 64.2009(f) reports a failure that is more than an anomaly; policy: one
    failed probe is an anomaly, `threshold` in a row is not. Fewer probes than `threshold`
    do not make a failure.
    """
    if threshold < 1:
        raise InvalidInputError(
            f"a channel fails after at least 1 failed probe, not {threshold}",
            (FieldProblem("threshold", "must be at least 1"),),
        )
    newest = outcomes[:threshold]
    return len(newest) == threshold and not any(newest)


@dataclass(frozen=True, slots=True)
class OptOutFailureLetter:
    """The written notice of an opt-out failure to the Commission (47 CFR 64.2009(f)).

    `customer_notice` is the text of the notice given to customers, or None when none was
    given; `state_commissions` says whether the state commissions were told and whether
    they acted. `due_on` is the 5th business day after `determined_on`.
    """

    carrier_name: str
    carrier_address: str
    mechanisms: tuple[str, ...]
    failed_mechanisms: tuple[str, ...]
    problem: str
    remedy: str | None
    remedy_date: date | None
    state_commissions: str | None
    customer_notice: str | None
    contact_name: str
    contact_email: str
    contact_phone: str
    determined_on: date
    due_on: date
    letter_date: date


@dataclass(frozen=True, slots=True)
class LetterSection:
    """One required element of the letter: a heading and its text."""

    heading: str
    body: str


@dataclass(frozen=True, slots=True)
class LetterContents:
    """The letter's parts in reading order, for a plain-text or a printed rendering."""

    letterhead: tuple[str, ...]
    dated: str
    addressee: tuple[str, ...]
    subject: str
    salutation: str
    introduction: str
    sections: tuple[LetterSection, ...]
    closing: tuple[str, ...]


def letter_problems(letter: OptOutFailureLetter) -> list[FieldProblem]:
    """Every field the letter may not be sent without, said so a person can fill it in.

    47 CFR 64.2009(f): the carrier's name, the opt-out mechanisms, the problem, the proposed
    remedy and when it will be or was put in place, whether the state commissions were told
    and acted, and a contact. A missing customer notice is allowed: the letter then says
    none was given.
    """
    required = (
        ("carrier_name", letter.carrier_name, "name the carrier"),
        ("problem", letter.problem, "describe the problem with the opt-out mechanisms"),
        ("remedy", letter.remedy, "state the proposed remedy"),
        ("state_commissions", letter.state_commissions, "say whether state commissions were told and acted"),
        ("contact_name", letter.contact_name, "name the person the Commission can contact"),
        ("contact_email", letter.contact_email, "give the contact's email address"),
        ("contact_phone", letter.contact_phone, "give the contact's telephone number"),
    )
    problems = [FieldProblem(location, message) for location, value, message in required if _is_blank(value)]
    if letter.remedy_date is None:
        problems.append(FieldProblem("remedy_date", "say when the remedy will be or was put in place"))
    if letter.customer_notice is not None and not letter.customer_notice.strip():
        problems.append(
            FieldProblem("customer_notice", "give the notice's text, or none when none was given")
        )
    return problems + _mechanism_problems(letter) + _date_problems(letter)


def _is_blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _mechanism_problems(letter: OptOutFailureLetter) -> list[FieldProblem]:
    problems = [
        FieldProblem(f"{location}[{index}]", "is blank; describe the mechanism in plain words")
        for location, names in (
            ("mechanisms", letter.mechanisms),
            ("failed_mechanisms", letter.failed_mechanisms),
        )
        for index, name in enumerate(names)
        if not name.strip()
    ]
    if not letter.mechanisms:
        problems.append(FieldProblem("mechanisms", "list every opt-out mechanism the carrier offers"))
    if not letter.failed_mechanisms:
        problems.append(FieldProblem("failed_mechanisms", "name the mechanism or mechanisms that failed"))
    problems.extend(
        FieldProblem("failed_mechanisms", f"{name!r} is not among the mechanisms offered")
        for name in letter.failed_mechanisms
        if letter.mechanisms and name.strip() and name not in letter.mechanisms
    )
    return problems


def _date_problems(letter: OptOutFailureLetter) -> list[FieldProblem]:
    problems = []
    if letter.due_on <= letter.determined_on:
        problems.append(FieldProblem("due_on", f"must be after the determination on {letter.determined_on}"))
    if letter.letter_date < letter.determined_on:
        problems.append(FieldProblem("letter_date", f"is before the determination on {letter.determined_on}"))
    return problems


def letter_contents(letter: OptOutFailureLetter) -> LetterContents:
    """The parts of the letter to the Commission, each required element in its own section.

    47 CFR 64.2009(f) and RULES 5.6. An incomplete letter raises `InvalidInputError` naming
    every missing field, so nothing half-written is ever sent.
    """
    problems = letter_problems(letter)
    if problems:
        raise InvalidInputError("the opt-out failure letter is incomplete", tuple(problems))
    return LetterContents(
        letterhead=tuple(
            line for line in (letter.carrier_name, *letter.carrier_address.splitlines()) if line.strip()
        ),
        dated=spelled_date(letter.letter_date),
        addressee=COMMISSION_ADDRESS,
        subject=LETTER_SUBJECT,
        salutation="To the Secretary:",
        introduction=_introduction(letter),
        sections=letter_sections(letter),
        closing=("Respectfully submitted,", "", letter.contact_name, f"on behalf of {letter.carrier_name}"),
    )


def letter_sections(letter: OptOutFailureLetter) -> tuple[LetterSection, ...]:
    """One section per element 47 CFR 64.2009(f) requires, in the rule's order."""
    return (
        LetterSection("Carrier", _carrier_text(letter)),
        LetterSection("Opt-out mechanisms", _mechanisms_text(letter)),
        LetterSection("The problem", letter.problem.strip()),
        LetterSection("Proposed remedy", _remedy_text(letter)),
        LetterSection("State commissions", (letter.state_commissions or "").strip()),
        LetterSection("Notice to customers", _customer_notice_text(letter)),
        LetterSection(
            "Contact",
            f"{letter.contact_name}\nEmail: {letter.contact_email}\nTelephone: {letter.contact_phone}",
        ),
    )


def letter_text(letter: OptOutFailureLetter) -> str:
    """The letter to the Commission as plain English text (47 CFR 64.2009(f))."""
    contents = letter_contents(letter)
    sections = [f"{section.heading}\n\n{section.body}" for section in contents.sections]
    blocks = [
        "\n".join(contents.letterhead),
        contents.dated,
        "\n".join(contents.addressee),
        f"Subject: {contents.subject}",
        contents.salutation,
        contents.introduction,
        *sections,
        "\n".join(contents.closing),
    ]
    return "\n\n".join(blocks) + "\n"


def spelled_date(day: date) -> str:
    """A date as an American letter writes it: 'December 1, 2026'."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _introduction(letter: OptOutFailureLetter) -> str:
    return (
        f"Under 47 C.F.R. § 64.2009(f), {letter.carrier_name} gives written notice that on "
        f"{spelled_date(letter.determined_on)} it determined that its opt-out mechanisms did not work "
        "properly, to such a degree that customers' inability to opt out is more than an anomaly. "
        f"This notice is due within {OPT_OUT_FAILURE_REPORT_BUSINESS_DAYS} business days of that "
        f"determination, by {spelled_date(letter.due_on)}. It is sent even though other opt-out methods "
        "may have worked."
    )


def _carrier_text(letter: OptOutFailureLetter) -> str:
    address = ", ".join(line.strip() for line in letter.carrier_address.splitlines() if line.strip())
    return f"{letter.carrier_name}, {address}" if address else letter.carrier_name


def _mechanisms_text(letter: OptOutFailureLetter) -> str:
    offered = "\n".join(
        f"- {name} (failed)" if name in letter.failed_mechanisms else f"- {name}"
        for name in letter.mechanisms
    )
    introduction = f"{letter.carrier_name} offers customers these opt-out mechanisms"
    return f"{introduction}; those marked failed did not work:\n{offered}"


def _remedy_text(letter: OptOutFailureLetter) -> str:
    remedy_date = letter.remedy_date or letter.letter_date
    when = "was put in place on" if remedy_date <= letter.letter_date else "will be put in place by"
    return f"{(letter.remedy or '').strip()}\n\nThe remedy {when} {spelled_date(remedy_date)}."


def _customer_notice_text(letter: OptOutFailureLetter) -> str:
    if letter.customer_notice is None:
        return "No notice was given to customers about this failure."
    return f"A copy of the notice given to customers follows.\n\n{letter.customer_notice.strip()}"
