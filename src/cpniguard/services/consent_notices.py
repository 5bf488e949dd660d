"""CPNI notices: versions, initial and biennial mailings, and their delivery into the ledger.

47 CFR 64.2008(b)-(d). A version is checked for the content 64.2008(c) requires before it
is stored, and never changes after. A mailing writes one notice per due customer to the
outbox, a page per transaction, and remembers how far it got, so a mailing that stops
resumes where it stopped without sending anyone a second notice. The ledger records a
notice as sent when the worker has delivered it (the waiting period starts then), never
when it was only queued.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cpniguard.domain.consent import add_years
from cpniguard.domain.consent_events import ConsentEvent, ConsentEventKind, NoticeMedium
from cpniguard.domain.consent_notices import notice_body_text, notice_problems
from cpniguard.domain.disclosure_request import ActorKind
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.domain.notices import (
    CPNI_NOTICE_EMAIL_TEMPLATE,
    CPNI_NOTICE_KEY_PREFIX,
    CPNI_NOTICE_LETTER_TEMPLATE,
)
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services.consent import record_in
from cpniguard.services.consent_ports import NoticeBatchState, NoticeRecipient, NoticeVersion
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import Clock, MessageRenderer, OutboundMessage, UnitOfWork, UnitOfWorkFactory

BATCH_PAGE_SIZE = 500
DELIVERY_PAGE_SIZE = 200
MAX_DUE_PAGE = 1000
WORKER = Asker(kind=ActorKind.INTEGRATION, role=Role.INTEGRATION, label="cpniguard-worker")


class NoticeBatchKind(StrEnum):
    """Who a mailing is for."""

    INITIAL = "initial"
    """Customers who never had a notice that counts (64.2008(b))."""
    BIENNIAL = "biennial"
    """Customers whose last notice will be two years old within the lead time (64.2008(d)(2))."""


@dataclass(frozen=True, slots=True)
class NoticeTerms:
    """What every notice mailing needs from the carrier's settings."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    renderer: MessageRenderer
    opt_out_address: str
    renotice_lead_days: int


def add_notice_version(
    terms: NoticeTerms,
    *,
    version: str,
    waiting_period_days: int,
    texts: Mapping[str, Mapping[str, str]],
    by: str,
) -> NoticeVersion:
    """Store a new notice version once it passes the 64.2008(c) content checks; versions never change."""
    problems = notice_problems(
        texts, waiting_period_days=waiting_period_days, opt_out_address=terms.opt_out_address
    )
    if problems:
        raise InvalidInputError(f"notice {version!r} does not meet 47 CFR 64.2008(c)", tuple(problems))
    stored = NoticeVersion(version, waiting_period_days, texts, terms.clock.now(), by)
    with terms.uow_factory() as uow:
        if not uow.consent_notices.add_version(stored):
            problem = FieldProblem("version", f"{version!r} exists already; a notice version never changes")
            raise InvalidInputError("the notice version exists", (problem,))
        uow.commit()
    return stored


def notice_versions(*, uow_factory: UnitOfWorkFactory) -> list[NoticeVersion]:
    """Every notice version, newest first."""
    with uow_factory() as uow:
        return uow.consent_notices.versions()


def due_cutoff(as_of: datetime, lead_days: int) -> datetime:
    """Customers whose last notice is older than this are due a renotice (64.2008(d)(2))."""
    return add_years(as_of + timedelta(days=lead_days), -2)


def customers_due(
    terms: NoticeTerms, *, as_of: datetime, after_account_id: int = 0, limit: int = 100
) -> list[NoticeRecipient]:
    """Customers due a notice at `as_of`: never given one that counts, or about to lapse."""
    if not 1 <= limit <= MAX_DUE_PAGE:
        raise InvalidInputError(
            "the page size is not valid", (FieldProblem("limit", f"1 to {MAX_DUE_PAGE}"),)
        )
    with terms.uow_factory() as uow:
        return uow.consent_notices.due(
            last_notice_before=due_cutoff(as_of, terms.renotice_lead_days),
            as_of=as_of,
            after_account_id=after_account_id,
            limit=limit,
        )


def start_notice_batch(terms: NoticeTerms, *, kind: NoticeBatchKind, notice_version: str, by: str) -> int:
    """Record a new mailing of `notice_version` to the customers `kind` names, as of now."""
    now = terms.clock.now()
    with terms.uow_factory() as uow:
        if uow.consent_notices.version(notice_version) is None:
            problem = FieldProblem("notice_version", f"no notice version {notice_version!r}")
            raise InvalidInputError("the notice version does not exist", (problem,))
        batch_id = uow.consent_notices.start_batch(
            kind=kind, notice_version=notice_version, as_of=now, at=now, by=by
        )
        uow.commit()
    return batch_id


def run_notice_batch(
    terms: NoticeTerms, *, batch_id: int, progress: Callable[[int], None] | None = None
) -> NoticeBatchState:
    """Write the mailing's notices to the outbox, a page per transaction, from where it stopped.

    `progress` is told how many due customers each page went through.
    """
    while True:
        with terms.uow_factory() as uow:
            uow.consent_notices.lock_mailings(batch_id)
            batch, version = _batch_and_version(uow, batch_id)
            if batch.finished_at is not None:
                return batch
            page = _due_page(uow, terms, batch)
            if not page:
                uow.consent_notices.finish_batch(batch_id, at=terms.clock.now())
                uow.commit()
                continue
            queued, skipped = _queue_page(uow, terms, batch, version, page)
            uow.consent_notices.advance_batch(
                batch_id, cursor_account_id=page[-1].account_id, queued=queued, skipped=skipped
            )
            uow.commit()
        if progress is not None:
            progress(len(page))


def _batch_and_version(uow: UnitOfWork, batch_id: int) -> tuple[NoticeBatchState, NoticeVersion]:
    batch = uow.consent_notices.batch(batch_id)
    if batch is None:
        raise NotFoundError(f"no notice batch {batch_id}")
    version = uow.consent_notices.version(batch.notice_version)
    if version is None:
        raise NotFoundError(f"no notice version {batch.notice_version!r}")
    return batch, version


def _due_page(uow: UnitOfWork, terms: NoticeTerms, batch: NoticeBatchState) -> list[NoticeRecipient]:
    """Who is due is fixed at the mailing's start; where a notice goes is read when it is queued.

    A mailing resumed days later must not write to an address taken off the account since it
    started (64.2003(b): the address of record at the time of the notice).
    """
    return uow.consent_notices.due(
        last_notice_before=due_cutoff(batch.as_of, terms.renotice_lead_days),
        as_of=max(batch.as_of, terms.clock.now()),
        after_account_id=batch.cursor_account_id,
        limit=BATCH_PAGE_SIZE,
    )


def _queue_page(
    uow: UnitOfWork,
    terms: NoticeTerms,
    batch: NoticeBatchState,
    version: NoticeVersion,
    page: list[NoticeRecipient],
) -> tuple[int, int]:
    queued = skipped = 0
    wants_initial = batch.kind == NoticeBatchKind.INITIAL
    for recipient in page:
        if (recipient.last_notice_at is None) != wants_initial:
            continue
        message = notice_message(terms, version, recipient, key=f"{batch.id}:{recipient.account_id}")
        if message is None:
            skipped += 1
        elif uow.outbox.enqueue(message, at=terms.clock.now()):
            queued += 1
    return queued, skipped


def notice_message(
    terms: NoticeTerms, version: NoticeVersion, recipient: NoticeRecipient, *, key: str, by_mail: bool = False
) -> OutboundMessage | None:
    """The notice for one customer: by email only where they chose email notices (64.2008(d)(3)(i)).

    Otherwise by letter to the postal address of record; None when there is neither.
    """
    channel, address = NoticeChannel.LETTER, recipient.postal_address_of_record
    if recipient.accepts_email_notices and recipient.email_of_record and not by_mail:
        channel, address = NoticeChannel.EMAIL, recipient.email_of_record
    if address is None:
        return None
    texts = version.texts[recipient.language.value]
    fields = {
        "notice_subject": texts["subject"],
        "notice_text": notice_body_text(texts),
        "opt_out_address": terms.opt_out_address,
    }
    template = CPNI_NOTICE_EMAIL_TEMPLATE if channel is NoticeChannel.EMAIL else CPNI_NOTICE_LETTER_TEMPLATE
    rendered = terms.renderer.render(template, recipient.language, fields)
    return OutboundMessage(
        idempotency_key=f"{CPNI_NOTICE_KEY_PREFIX}{version.version}:{key}",
        account_id=recipient.account_id,
        channel=channel,
        recipient=address,
        language=recipient.language,
        template=template,
        subject=rendered.subject,
        body=rendered.body,
    )


def record_delivered_notices(*, uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Record each notice the worker delivered as sent, at its delivery time (64.2008(d)(1)).

    The waiting period runs from the sending of an email and from the third day after the
    mailing of a letter, so it starts when the outbox delivered the notice, not when it was queued.
    """
    recorded = 0
    while True:
        with uow_factory() as uow:
            # The write lock before the first read: two workers on SQLite would otherwise fail at once.
            uow.access_log.prepare_to_append()
            delivered = uow.consent_notices.delivered_notices(limit=DELIVERY_PAGE_SIZE)
            for notice in delivered:
                version = uow.consent_notices.version(notice.notice_version)
                event = ConsentEvent(
                    kind=ConsentEventKind.NOTICE_SENT,
                    occurred_at=notice.sent_at,
                    recorded_at=clock.now(),
                    recorded_by=WORKER.label,
                    notice_version=notice.notice_version,
                    notice_medium=NoticeMedium.EMAIL
                    if notice.channel == NoticeChannel.EMAIL
                    else NoticeMedium.MAIL,
                    waiting_period_days=version.waiting_period_days if version else None,
                    reference=notice.outbox_key,
                )
                record_in(uow, account_id=notice.account_id, event=event, asker=WORKER)
            uow.commit()
        recorded += len(delivered)
        if len(delivered) < DELIVERY_PAGE_SIZE:
            return recorded
