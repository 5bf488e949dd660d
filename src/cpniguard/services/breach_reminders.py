"""Reminding the compliance officer of breach deadlines, through the outbox (issue 6; 47 CFR 64.2011).

Every open breach's deadlines are computed from its stored timeline, as `breach_deadlines_for`
does, and the duties due a reminder today (domain/breach_reminders.py) are written to the outbox
as emails to the compliance officer. Each reminder's idempotency key names the breach, the duty
and the day, so a worker that sweeps many times a day queues each reminder once. Closed breaches
are never reminded: closing ends their duties.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from cpniguard.domain.breach_deadlines import timeline_deadlines
from cpniguard.domain.breach_reminders import BREACH_REMINDER_TEMPLATE, Reminder, reminder_text, reminders_due
from cpniguard.domain.breach_timeline import Breach, BreachEvent
from cpniguard.domain.business_days import BusinessCalendar, eastern_date
from cpniguard.domain.errors import CalendarRangeError
from cpniguard.services.outbox import officer_email
from cpniguard.services.ports import Clock, OutboundMessage, UnitOfWorkFactory

logger = logging.getLogger(__name__)
PAGE_SIZE = 100
"""Open breaches read per transaction."""


@dataclass(frozen=True, slots=True)
class ReminderTerms:
    """What reminding needs: the store, the time, the FCC's calendar, the regime switch and the officer.

    `officer_email` None: nothing is queued (the reminders can still be listed).
    `lead_business_days`: business days before a deadline on which it is reminded (0: the last one).
    """

    uow_factory: UnitOfWorkFactory
    clock: Clock
    calendar: BusinessCalendar
    amendments_effective_on: date | None
    annual_summary_due: tuple[int, int]
    officer_email: str | None
    lead_business_days: tuple[int, ...]


def breach_reminders(terms: ReminderTerms) -> list[Reminder]:
    """The reminders due today (the Eastern date of now) for every open breach, in breach order.

    47 CFR 64.2011 (legacy (b), (c); as amended (a), (a)(3)), with the policy of
    domain/breach_reminders.py. A breach whose deadlines cannot be computed (a date outside the
    calendar's years) is logged and left out, so one old record cannot silence the others.
    """
    return _reminders(terms, eastern_date(terms.clock.now()))


def _reminders(terms: ReminderTerms, today: date) -> list[Reminder]:
    reminders: list[Reminder] = []
    for breach, events in _open_breaches(terms.uow_factory):
        try:
            reminders.extend(_breach_reminders(terms, breach, events, today))
        except CalendarRangeError as error:
            logger.warning("breach %s: no reminders computed: %s", breach.reference, error)
    return reminders


def _open_breaches(uow_factory: UnitOfWorkFactory) -> Iterator[tuple[Breach, list[BreachEvent]]]:
    after_id = 0
    while True:
        with uow_factory() as uow:
            page = uow.breaches.listing(closed=False, after_id=after_id, limit=PAGE_SIZE)
            timelines = [(breach, uow.breaches.events(breach.id)) for breach in page]
        yield from timelines
        if len(page) < PAGE_SIZE:
            return
        after_id = page[-1].id


def _breach_reminders(
    terms: ReminderTerms, breach: Breach, events: list[BreachEvent], today: date
) -> list[Reminder]:
    found = timeline_deadlines(
        events,
        calendar=terms.calendar,
        amendments_effective_on=terms.amendments_effective_on,
        annual_summary_due=terms.annual_summary_due,
    )
    return reminders_due(
        breach,
        () if found is None else found.deadlines,
        events,
        today=today,
        lead_business_days=terms.lead_business_days,
        calendar=terms.calendar,
    )


def queue_breach_reminders(terms: ReminderTerms) -> int:
    """Write today's reminders to the outbox as emails to the compliance officer; how many are new.

    47 CFR 64.2011 deadlines; DESIGN.md invariant 5: the worker delivers them. The idempotency
    key `breach-reminder:{breach_id}:{deadline_name}:{today}` queues each reminder once a day
    however often this runs. Without an officer email nothing is queued and 0 is returned.
    """
    officer = (terms.officer_email or "").strip()
    if not officer:
        return 0
    now = terms.clock.now()
    today = eastern_date(now)
    reminders = _reminders(terms, today)
    if not reminders:
        return 0
    with terms.uow_factory() as uow:
        queued = sum(uow.outbox.enqueue(_message(reminder, officer, today), at=now) for reminder in reminders)
        uow.commit()
    return queued


def _message(reminder: Reminder, officer: str, today: date) -> OutboundMessage:
    subject, body = reminder_text(reminder)
    key = f"breach-reminder:{reminder.breach_id}:{reminder.deadline_name}:{today.isoformat()}"
    return officer_email(key=key, to=officer, template=BREACH_REMINDER_TEMPLATE, subject=subject, body=body)
