"""Customer breach notices: previewed by staff, then written to the outbox for every affected account.

47 CFR 64.2011 (legacy (a), (b)(1)-(3), (c); as amended by FCC 23-111: (a), (a)(2), (a)(3) and the
customer notice; RULES 7.1-7.6, 8.5, 8.6). A send is refused, writing nothing, while the notice
lacks a fact it must give, while customers may not be told yet, once the breach is closed, or
before any affected account is recorded. Otherwise one message per account goes to the outbox, a
page per transaction, by email to the email of record or else by letter to the postal address of
record, in the account's language, under a key that makes a second run queue only what is
missing. The run ends with a `customers_notified` event on the breach's timeline counting the
notices in the outbox that no event counts yet (none when another send counted them all).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from cpniguard.domain.accounts import Language
from cpniguard.domain.breach_customer_notice import (
    BREACH_NOTICE_EMAIL_TEMPLATE,
    BREACH_NOTICE_LETTER_TEMPLATE,
    CustomerNoticeContent,
    customer_notice_content,
    customer_notice_fields,
    customer_notice_gaps,
    customer_notice_problems,
    customer_notice_refusal,
)
from cpniguard.domain.breach_timeline import BreachEvent, BreachEventKind
from cpniguard.domain.business_days import BusinessCalendar, eastern_date
from cpniguard.domain.carrier import CarrierContact
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services.breach import (
    append_breach_event,
    breach_deadlines_for,
    breach_timeline,
    lock_open_breach,
    log_breach_step,
)
from cpniguard.services.breach_ports import AffectedCustomer
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import (
    Clock,
    MessageRenderer,
    OutboundMessage,
    RenderedMessage,
    UnitOfWork,
    UnitOfWorkFactory,
)

NOTICE_PAGE_SIZE = 500
BREACH_NOTICE_KEY_PREFIX = "breach-notice:"
"""A customer breach notice's outbox key is `breach-notice:{breach}:{account}`: one per account."""
REFUSED = "customers cannot be notified of this breach now"
OUTBOX = "outbox:"
"""How the `customers_notified` events of this service start their method."""
WITHOUT_ADDRESS, ALREADY_QUEUED = "without_address", "already_queued"
EMAIL, LETTER = BREACH_NOTICE_EMAIL_TEMPLATE, BREACH_NOTICE_LETTER_TEMPLATE


@dataclass(frozen=True, slots=True)
class BreachNoticeTerms:
    """What customer breach notices need: the store, the time, the templates and the carrier's settings."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    renderer: MessageRenderer
    calendar: BusinessCalendar
    amendments_effective_on: date | None
    annual_summary_due: tuple[int, int]
    carrier: CarrierContact
    state_regulator_contact: str
    credit_monitoring_offer: str


@dataclass(frozen=True, slots=True)
class CustomerNoticeRun:
    """What a send did to the affected accounts.

    Notices queued now (by email, by letter), accounts with no address of record, and notices an
    earlier send had queued already.
    """

    queued: int
    by_email: int
    by_letter: int
    without_address: int
    already_queued: int


@dataclass(frozen=True, slots=True)
class CustomerNoticePreview:
    """The customer notice as it would go out now, and what it leaves out for want of a setting."""

    subject: str | None
    body: str
    missing: tuple[FieldProblem, ...]


def preview_customer_notice(
    terms: BreachNoticeTerms, *, breach_id: int, language: Language, by_mail: bool = False
) -> CustomerNoticePreview:
    """The customer notice as it would go out now, by email or by letter, for staff to review.

    47 CFR 64.2011(b) as amended (RULES 8.6): refused while the timeline lacks the date range or
    the data types. Whether customers may be told yet is not checked: staff review it first.
    Settings the notice needs but lacks (the state regulator) are listed in `missing`, not refused.
    """
    events = breach_timeline(uow_factory=terms.uow_factory, breach_id=breach_id)
    problems = customer_notice_problems(events)
    if problems:
        raise InvalidInputError("the customer notice cannot be written yet", tuple(problems))
    template = BREACH_NOTICE_LETTER_TEMPLATE if by_mail else BREACH_NOTICE_EMAIL_TEMPLATE
    content = _content(terms, events)
    rendered = terms.renderer.render(template, language, customer_notice_fields(content))
    return CustomerNoticePreview(rendered.subject, rendered.body, tuple(customer_notice_gaps(content)))


def send_customer_notices(terms: BreachNoticeTerms, *, breach_id: int, asker: Asker) -> CustomerNoticeRun:
    """Queue the customer notice for every affected account, then record it on the timeline.

    47 CFR 64.2011 (RULES 7.1-7.6, 8.5, 8.6): refused, writing nothing, when the content is
    incomplete, when customer_notice_refusal forbids notice today, when the breach is closed, or
    when no affected account is recorded. A page whose transaction finds an event added to the
    timeline since the check (a hold, say) is refused; the pages before it stay queued, and the
    next send checks anew and queues only what is missing.
    """
    events, content = _checked(terms, breach_id)
    mailing = _Mailing(terms, breach_id, asker, _last_event_id(events), customer_notice_fields(content))
    after_account_id: int | None = 0
    while after_account_id is not None:
        after_account_id = mailing.queue_page(after_account_id)
    run = mailing.run()
    _record_notified(terms, breach_id, run, asker)
    return run


def _checked(terms: BreachNoticeTerms, breach_id: int) -> tuple[list[BreachEvent], CustomerNoticeContent]:
    """The timeline and the notice's content, or every reason customers may not be told now.

    The timeline is read before the deadlines, so an event recorded in between (a hold) shows in
    the deadlines, or later stops the first page, rather than being missed.
    """
    events = breach_timeline(uow_factory=terms.uow_factory, breach_id=breach_id)
    found = breach_deadlines_for(
        uow_factory=terms.uow_factory,
        breach_id=breach_id,
        calendar=terms.calendar,
        amendments_effective_on=terms.amendments_effective_on,
        annual_summary_due=terms.annual_summary_due,
    )
    problems = customer_notice_problems(events)
    today = eastern_date(terms.clock.now())
    refusal = customer_notice_refusal(found.deadlines, events=events, regime=found.regime, today=today)
    if refusal is not None:
        problems.append(refusal)
    if found.breach.closed_at is not None:
        closed = found.breach.closed_at.isoformat()
        problems.append(
            FieldProblem(
                "breach_id", f"breach {found.breach.reference} was closed at {closed}: reopen it first"
            )
        )
    with terms.uow_factory() as uow:
        if uow.breaches.affected_count(breach_id) == 0:
            problems.append(
                FieldProblem("affected_accounts", "record the accounts the breach affected first")
            )
    if problems:
        raise InvalidInputError(REFUSED, tuple(problems))
    return events, _content(terms, events)


def _content(terms: BreachNoticeTerms, events: list[BreachEvent]) -> CustomerNoticeContent:
    return customer_notice_content(
        events,
        carrier=terms.carrier,
        state_regulator_contact=terms.state_regulator_contact,
        credit_monitoring_offer=terms.credit_monitoring_offer,
    )


def _last_event_id(events: list[BreachEvent]) -> int | None:
    return events[-1].id if events else None


class _Mailing:
    """One send: the notice's fields, each variant rendered once, and what each account got."""

    def __init__(
        self,
        terms: BreachNoticeTerms,
        breach_id: int,
        asker: Asker,
        checked_event_id: int | None,
        fields: dict[str, str],
    ) -> None:
        self.terms, self.breach_id, self.asker = terms, breach_id, asker
        self.checked_event_id, self.fields = checked_event_id, fields
        self.rendered: dict[tuple[Language, NoticeChannel], RenderedMessage] = {}
        self.tally: Counter[str] = Counter()

    def queue_page(self, after_account_id: int) -> int | None:
        """Queue the next page's notices in one transaction; the next page's cursor, None after the last."""
        now = self.terms.clock.now()
        with self.terms.uow_factory() as uow:
            # The write lock before the first read: on SQLite a read then a write fails at once.
            uow.access_log.prepare_to_append()
            breach = lock_open_breach(uow, self.breach_id)
            self._check_timeline_unchanged(uow)
            page = uow.breaches.affected_customers(
                self.breach_id, as_of=now, after_account_id=after_account_id, limit=NOTICE_PAGE_SIZE
            )
            queued = sum(self._queue(uow, customer, now) for customer in page)
            if queued:
                log_breach_step(uow, breach, f"customer_notices_queued:{queued}", now, self.asker)
            uow.commit()
        return page[-1].account_id if len(page) == NOTICE_PAGE_SIZE else None

    def _check_timeline_unchanged(self, uow: UnitOfWork) -> None:
        if _last_event_id(uow.breaches.events(self.breach_id)) != self.checked_event_id:
            problem = FieldProblem(
                "timeline",
                "an event was recorded on the breach's timeline while its notices were being queued: "
                "send again to check it anew (what was queued stays queued, once)",
            )
            raise InvalidInputError(REFUSED, (problem,))

    def _queue(self, uow: UnitOfWork, customer: AffectedCustomer, now: datetime) -> bool:
        message = self._message(customer)
        if message is None:
            self.tally[WITHOUT_ADDRESS] += 1
            return False
        if not uow.outbox.enqueue(message, at=now):
            self.tally[ALREADY_QUEUED] += 1
            return False
        self.tally[message.channel] += 1
        return True

    def _message(self, customer: AffectedCustomer) -> OutboundMessage | None:
        """The notice by email to the email of record, else by letter to the postal address of record."""
        if customer.email_of_record:
            channel, address, template = NoticeChannel.EMAIL, customer.email_of_record, EMAIL
        elif customer.postal_address_of_record:
            channel, address, template = NoticeChannel.LETTER, customer.postal_address_of_record, LETTER
        else:
            return None
        variant = (customer.language, channel)
        if variant not in self.rendered:
            self.rendered[variant] = self.terms.renderer.render(template, customer.language, self.fields)
        rendered = self.rendered[variant]
        return OutboundMessage(
            idempotency_key=f"{BREACH_NOTICE_KEY_PREFIX}{self.breach_id}:{customer.account_id}",
            account_id=customer.account_id,
            channel=channel,
            recipient=address,
            language=customer.language,
            template=template,
            subject=rendered.subject,
            body=rendered.body,
        )

    def run(self) -> CustomerNoticeRun:
        """What the send did, once every page is queued."""
        by_email, by_letter = self.tally[NoticeChannel.EMAIL], self.tally[NoticeChannel.LETTER]
        return CustomerNoticeRun(
            queued=by_email + by_letter,
            by_email=by_email,
            by_letter=by_letter,
            without_address=self.tally[WITHOUT_ADDRESS],
            already_queued=self.tally[ALREADY_QUEUED],
        )


def _record_notified(terms: BreachNoticeTerms, breach_id: int, run: CustomerNoticeRun, asker: Asker) -> None:
    """Record every notice in the outbox that no `customers_notified` event counts yet.

    64.2011(d) (RULES 7.7, 8.8): the record holds every customer notice, each counted once. Each
    event names the highest outbox id of the breach's notices it counts (`through_message`); under
    the breach's lock, the next one counts the notices after it, whoever queued them: those an
    earlier send queued but stopped before recording, and of two sends finishing at once, the
    second records only what the first did not. Timelines recorded before events named their
    last notice are counted by subtracting what they recorded from what the outbox holds.
    """
    now = terms.clock.now()
    prefix = f"{BREACH_NOTICE_KEY_PREFIX}{breach_id}:"
    with terms.uow_factory() as uow:
        # The write lock before the first read: on SQLite a read then a write fails at once.
        uow.access_log.prepare_to_append()
        breach = lock_open_breach(uow, breach_id)
        events = uow.breaches.events(breach_id)
        through = _counted_through(events)
        count, highest = uow.breaches.affected_with_message(breach_id, prefix, after_message_id=through or 0)
        note = ""
        if through is None:
            count, note = _legacy_count(run, count, _recorded(events))
        if count <= 0 or highest is None:
            return
        details = {"count": str(count), "method": _method(run, count) + note, "through_message": str(highest)}
        event = BreachEvent(BreachEventKind.CUSTOMERS_NOTIFIED, now, now, asker.label, details=details)
        append_breach_event(uow, breach, event, asker)
        uow.commit()


def _counted_through(events: list[BreachEvent]) -> int | None:
    """The highest outbox id a customer notice event counted through; None when none names one."""
    named = [
        int(event.details["through_message"])
        for event in events
        if event.kind is BreachEventKind.CUSTOMERS_NOTIFIED and "through_message" in event.details
    ]
    return max(named, default=None)


def _legacy_count(run: CustomerNoticeRun, in_outbox: int, recorded: int) -> tuple[int, str]:
    """The count for a timeline whose events never named their last notice, and what to add to say so.

    More recorded than the outbox holds means an earlier record over-counted (two sends at once,
    before counting took the lock): this send's own notices are counted, not lost in the excess.
    """
    if recorded > in_outbox:
        return run.queued, f"; the timeline counted {recorded} notices where the outbox holds {in_outbox}"
    return in_outbox - recorded, ""


def _recorded(events: list[BreachEvent]) -> int:
    """The customer notices the outbox sends that the timeline counts already."""
    return sum(
        int(event.details["count"])
        for event in events
        if event.kind is BreachEventKind.CUSTOMERS_NOTIFIED and event.details["method"].startswith(OUTBOX)
    )


def _method(run: CustomerNoticeRun, count: int) -> str:
    """How the notices went: this send's channels, and how many of the count other sends queued."""
    method = f"{OUTBOX} {run.by_email} email, {run.by_letter} letter"
    if count > run.queued:
        method += f"; queued by other sends and not recorded before: {count - run.queued}"
    elif count < run.queued:
        method += f"; recorded already by another send: {run.queued - count}"
    if run.without_address:
        method += f"; not notified, no address of record: {run.without_address}"
    return method
