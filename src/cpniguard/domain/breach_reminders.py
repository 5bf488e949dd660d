"""Reminders to the compliance officer of a breach's approaching and overdue notice deadlines.

47 CFR 64.2011 sets the notice deadlines (domain/breach_deadlines.py); these reminders make sure
someone acts before they pass. Policy choices, each one a reading of the issue, not of the rule:

- A duty is reminded when its deadline is required, has a last day (`due_on`), and the timeline
  does not record it as done: an `agency_notified` event does the agency notice, a
  `customers_notified` event the customer notice, and an `agency_notified` event whose reference
  starts with "annual-summary" the annual summary (64.2011(a)(3) as amended). An annual-summary
  filing is not the 7-business-day agency notice, and the agency notice does not file the summary.
- Reminders go out on FCC business days only (47 CFR 1.4(e)). A weekend day has the same number
  of business days left as the business day before it, so it would only repeat that reminder.
- The lead days count business days: `n` left means the last day is the n-th business day after
  today. 0 is the last business day to act: the last day itself, or the business day before a last
  day that falls on a weekend or holiday (the 2023 customer notice counts calendar days).
- An overdue duty is reminded every business day until it is recorded as done, or the breach closed.
- A breach open more than 1 business day without both its discovery and its reasonable
  determination recorded is reminded every business day: every clock starts at the determination
  (RULES 1.20, 11.15), so no deadline can be computed, or met, without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cpniguard.domain.breach import Deadline
from cpniguard.domain.breach_deadlines import WEEKDAYS
from cpniguard.domain.breach_timeline import Breach, BreachEvent, BreachEventKind
from cpniguard.domain.business_days import BusinessCalendar, eastern_date
from cpniguard.domain.errors import FieldProblem, InvalidInputError

BREACH_REMINDER_TEMPLATE = "breach_reminder"
"""The outbox template of a reminder email to the compliance officer."""
ANNUAL_SUMMARY_REFERENCE_PREFIX = "annual-summary"
"""An `agency_notified` event whose reference starts with this records the annual summary."""
DETERMINATION = "determination"
"""The name of the reminder to record a breach's discovery and reasonable determination."""
DETERMINATION_GRACE_BUSINESS_DAYS = 1
"""Business days after the opening before a breach without a determination is reminded."""
DETERMINATION_CITATION = "47 CFR 64.2011(b); 64.2011(a) as amended by FCC 23-111"
MAX_SUBJECT_REFERENCE_LENGTH = 60
"""The outbox keeps subjects of at most 200 characters; the body always carries the whole reference."""

Done = Callable[[BreachEvent], bool]


@dataclass(frozen=True, slots=True)
class Reminder:
    """A breach duty to remind the compliance officer of today: what, to whom, by when, and why.

    `business_days_left` counts the business days after today up to `due_on`; negative when the
    duty is overdue (business days since `due_on`, today included).
    """

    breach_id: int
    breach_reference: str
    deadline_name: str
    due_on: date
    business_days_left: int
    recipients: tuple[str, ...]
    citation: str
    explanation: str

    @property
    def is_overdue(self) -> bool:
        """Whether the last day to act has passed."""
        return self.business_days_left < 0


def _is_annual_summary(event: BreachEvent) -> bool:
    reference = event.details.get("reference", "").strip().lower()
    return event.kind is BreachEventKind.AGENCY_NOTIFIED and reference.startswith(
        ANNUAL_SUMMARY_REFERENCE_PREFIX
    )


DONE_BY: dict[str, Done] = {
    "agency_notice": lambda e: e.kind is BreachEventKind.AGENCY_NOTIFIED and not _is_annual_summary(e),
    "customer_notice_latest": lambda e: e.kind is BreachEventKind.CUSTOMERS_NOTIFIED,
    "annual_summary": _is_annual_summary,
}
"""Which timeline event records each duty as done; a duty not named here is done by closing the breach."""


def reminders_due(  # noqa: PLR0913 - the breach, its record, and the three keyword-only terms of a day
    breach: Breach,
    deadlines: Sequence[Deadline],
    events: Sequence[BreachEvent],
    *,
    today: date,
    lead_business_days: Sequence[int],
    calendar: BusinessCalendar,
) -> list[Reminder]:
    """The reminders of `breach` due `today` (an Eastern date), from its deadlines and timeline.

    47 CFR 64.2011 (legacy (b), (c); as amended (a), (a)(3) and customer notice): each required
    duty with a last day, not yet done, on each of `lead_business_days` before that day and every
    business day after it; and the determination once the breach has been open more than one
    business day without it (module docstring). Raises InvalidInputError on a negative lead day.
    """
    _check_lead_days(lead_business_days)
    if not calendar.is_business_day(today):
        return []
    reminders = _determination_reminders(breach, events, today, calendar)
    for deadline in deadlines:
        if deadline.due_on is None or not deadline.required or _is_done(deadline.name, events):
            continue
        left = _business_days_left(today, deadline.due_on, calendar)
        if left < 0 or left in lead_business_days:
            reminders.append(_reminder(breach, deadline, deadline.due_on, left))
    return reminders


def _check_lead_days(lead_business_days: Sequence[int]) -> None:
    problems = tuple(
        FieldProblem(f"lead_business_days[{index}]", f"must be a whole number of 0 or more, not {days!r}")
        for index, days in enumerate(lead_business_days)
        if isinstance(days, bool) or not isinstance(days, int) or days < 0
    )
    if problems:
        raise InvalidInputError("the reminders' lead days are not business-day counts", problems)


def _is_done(name: str, events: Sequence[BreachEvent]) -> bool:
    done = DONE_BY.get(name)
    return done is not None and any(done(event) for event in events)


def _business_days_left(today: date, due_on: date, calendar: BusinessCalendar) -> int:
    """Business days after `today` up to `due_on`; when `due_on` is past, minus those after it to today."""
    first, last = sorted((today, due_on))
    count = sum(
        1
        for offset in range(1, (last - first).days + 1)
        if calendar.is_business_day(first + timedelta(offset))
    )
    return count if due_on >= today else -count


def _determination_reminders(
    breach: Breach, events: Sequence[BreachEvent], today: date, calendar: BusinessCalendar
) -> list[Reminder]:
    recorded = {event.kind for event in events}
    missing = [
        what
        for kind, what in (
            (BreachEventKind.DISCOVERED, "discovery"),
            (BreachEventKind.DETERMINED, "determination"),
        )
        if kind not in recorded
    ]
    opened_on = eastern_date(breach.opened_at)
    grace_ends = calendar.add_business_days(opened_on, DETERMINATION_GRACE_BUSINESS_DAYS)
    if not missing or today <= grace_ends:
        return []
    explanation = (
        f"the breach was opened on {_day(opened_on)} and its {' and '.join(missing)} "
        f"{'is' if len(missing) == 1 else 'are'} not recorded yet. The reasonable determination "
        "(more likely than not that a breach happened) starts every notice clock; it does not "
        "wait for the end of the investigation (RULES 1.20, 11.15). Until both are recorded, no "
        "deadline can be computed. A breach is reminded once open more than "
        f"{DETERMINATION_GRACE_BUSINESS_DAYS} business day (after {_day(grace_ends)})"
    )
    duty = Deadline(
        DETERMINATION,
        grace_ends,
        None,
        required=True,
        recipients=(),
        explanation=explanation,
        citation=DETERMINATION_CITATION,
    )
    return [_reminder(breach, duty, grace_ends, _business_days_left(today, grace_ends, calendar))]


def _reminder(breach: Breach, deadline: Deadline, due_on: date, left: int) -> Reminder:
    return Reminder(
        breach_id=breach.id,
        breach_reference=breach.reference,
        deadline_name=deadline.name,
        due_on=due_on,
        business_days_left=left,
        recipients=deadline.recipients,
        citation=deadline.citation,
        explanation=deadline.explanation,
    )


DUTIES = {
    "agency_notice": ("agency notice", "the notice through the central reporting facility"),
    "customer_notice_latest": ("customer notice", "the notice to the affected customers"),
    "annual_summary": ("annual summary", "the breach's entry in the annual summary of small breaches"),
    DETERMINATION: ("determination", "the record of the breach's discovery and reasonable determination"),
}
"""Each duty's short name (for the subject) and what it is (for the body)."""
HOW_RECORDED = {
    "agency_notice": "an agency_notified event",
    "customer_notice_latest": "a customers_notified event",
    "annual_summary": (
        f"an agency_notified event whose reference starts with {ANNUAL_SUMMARY_REFERENCE_PREFIX!r}"
    ),
    DETERMINATION: "the discovered and determined events",
}


def reminder_text(reminder: Reminder) -> tuple[str, str]:
    """The reminder's email subject and body, in plain English for the compliance officer.

    Says what is due, to whom, by when, how the day was computed and under which rule
    (47 CFR 64.2011), and names the breach by its reference only: no customer data.
    """
    short, what = DUTIES.get(reminder.deadline_name, (reminder.deadline_name, reminder.deadline_name))
    recipients = ", ".join(reminder.recipients) or "no one outside the carrier: record it in cpniguard"
    how = HOW_RECORDED.get(reminder.deadline_name, "the event that records it")
    body = "\n".join(
        (
            f"Breach reference: {reminder.breach_reference}",
            "",
            f"What is due: {what}.",
            f"To whom: {recipients}.",
            f"When: {_when(reminder)}.",
            f"How that day was computed: {_sentence(reminder.explanation)}",
            f"Rule: {reminder.citation}.",
            "",
            (
                f"Once it is done, record it on the breach's timeline as {how}; the reminders stop "
                "then, or when the breach is closed. Overdue duties are reminded every business day."
            ),
            "This reminder carries no customer data: look the breach up in cpniguard by its reference.",
        )
    )
    return f"Breach {_shortened(reminder.breach_reference)}: {short} {_status(reminder)}", body


def _status(reminder: Reminder) -> str:
    left, due = reminder.business_days_left, _day(reminder.due_on)
    if left < 0:
        return f"OVERDUE since {due}"
    if left == 0:
        return f"due {due}, last business day to act is today"
    return f"due {due} ({_business_days(left)} left)"


def _when(reminder: Reminder) -> str:
    left, due = reminder.business_days_left, _day(reminder.due_on)
    if left < 0:
        return f"it was due {due} and is overdue by {_business_days(-left)}, today included"
    if left == 0:
        return f"by {due}; no FCC business day is left before it, so act today"
    return f"by {due}, {_business_days(left)} after today (FCC business days, 47 CFR 1.4(e))"


def _business_days(count: int) -> str:
    return f"{count} business day{'' if count == 1 else 's'}"


def _sentence(text: str) -> str:
    return text if text.endswith(".") else f"{text}."


def _shortened(reference: str) -> str:
    if len(reference) <= MAX_SUBJECT_REFERENCE_LENGTH:
        return reference
    return reference[: MAX_SUBJECT_REFERENCE_LENGTH - 1] + "…"


def _day(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.isoformat()}"
