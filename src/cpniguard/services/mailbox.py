"""The marketing mailbox: every email is stored first, then processed into the consent ledger.

47 CFR 64.2008(d)(3): customers opt out by replying to a notice email or writing to the
marketing address, free and at any time; a bounced email notice does not count and is resent
by mail. A message is stored (and the SMTP client told so) before it is processed; a failure
while processing leaves it stored and it is tried again later, so nothing is lost. What the
rules cannot settle (an unknown sender, ambiguous text, several accounts) waits for staff.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cpniguard.domain.accounts import ADDRESS_OF_RECORD_MIN_AGE_DAYS
from cpniguard.domain.consent_events import (
    APPROVAL_CLASSES,
    OPT_OUT_CLASSES,
    ConsentEvent,
    ConsentEventKind,
    ConsentProof,
    ConsentScope,
    ConsentSource,
)
from cpniguard.domain.disclosure_request import ActorKind
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.domain.mailbox import (
    MAILBOX_REFERENCE_PREFIX,
    InboundMail,
    MailboxAction,
    MailboxMatch,
    MailboxRouting,
    MailboxStatus,
    read_inbound,
    route_inbound,
)
from cpniguard.services.accounts import account_key
from cpniguard.services.consent import record_in
from cpniguard.services.consent_confirmation import confirm_decision
from cpniguard.services.consent_notices import NoticeTerms, notice_message
from cpniguard.services.consent_ports import StoredMail
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import UnitOfWork

MAILBOX = Asker(kind=ActorKind.INTEGRATION, role=Role.INTEGRATION, label="marketing-mailbox")
MAX_REVIEW_PAGE = 500

_DECISIONS = {
    MailboxAction.RECORD_OPT_OUT: (ConsentEventKind.OPTED_OUT, ()),
    MailboxAction.RECORD_OPT_IN: (
        ConsentEventKind.OPTED_IN,
        tuple(ConsentScope(r) for r in sorted(OPT_OUT_CLASSES)),
    ),
    MailboxAction.RECORD_REVOCATION: (
        ConsentEventKind.REVOKED,
        tuple(ConsentScope(r) for r in sorted(APPROVAL_CLASSES)),
    ),
}
"""An email cannot name partners reliably: an opt-in by email covers the carrier's own
communications-related marketing with its agents and affiliates (64.2007(b)); a revocation
covers every recipient."""


class BounceNotRecordedYetError(RuntimeError):
    """The bounce names a notice the ledger has not recorded as delivered yet: try again later."""


@dataclass(frozen=True, slots=True)
class MailboxTerms:
    """The notice terms (store, clock, templates) and how long to wait after a failure."""

    notices: NoticeTerms
    retry_seconds: float


@dataclass(frozen=True, slots=True)
class MailboxRun:
    """What one pass over stored messages did."""

    processed: int = 0
    to_review: int = 0
    failed: int = 0


def store_mail(terms: MailboxTerms, *, raw: bytes, envelope_sender: str, recipients: str, peer: str) -> int:
    """Keep a message exactly as received, in a transaction of its own, before anything else."""
    notices = terms.notices
    with notices.uow_factory() as uow:
        message_id = uow.mailbox.store(
            raw=raw, envelope_sender=envelope_sender, recipients=recipients, peer=peer, at=notices.clock.now()
        )
        uow.commit()
    return message_id


def process_due_mail(terms: MailboxTerms, *, limit: int = 100) -> MailboxRun:
    """Process up to `limit` stored messages that are due, each in its own transaction."""
    run = MailboxRun()
    for _ in range(limit):
        outcome = _process_next(terms)
        if outcome is None:
            break
        run = MailboxRun(
            run.processed + (outcome is MailboxStatus.PROCESSED),
            run.to_review + (outcome is MailboxStatus.NEEDS_REVIEW),
            run.failed + (outcome is MailboxStatus.RECEIVED),
        )
    return run


def _process_next(terms: MailboxTerms) -> MailboxStatus | None:
    notices = terms.notices
    with notices.uow_factory() as uow:
        claimed = uow.mailbox.claim_due(at=notices.clock.now(), limit=1)
        if not claimed:
            return None
        mail = claimed[0]
        try:
            status = _process(uow, terms, mail)
            uow.commit()
        except Exception as error:  # noqa: BLE001 - any failure leaves the message stored, to retry
            failure = f"{type(error).__name__}: {error}"
        else:
            return status
    _record_failure(terms, mail, failure)
    return MailboxStatus.RECEIVED


def _record_failure(terms: MailboxTerms, mail: StoredMail, failure: str) -> None:
    notices = terms.notices
    with notices.uow_factory() as uow:
        retry_at = notices.clock.now() + timedelta(seconds=terms.retry_seconds * 2 ** min(mail.attempts, 10))
        try:
            uow.mailbox.fail(mail.id, error=failure, retry_at=retry_at)
        except NotFoundError:
            return  # another processor settled the message once this one let go of it
        uow.commit()


def _process(uow: UnitOfWork, terms: MailboxTerms, mail: StoredMail) -> MailboxStatus:
    inbound = read_inbound(mail.raw, envelope_sender=mail.envelope_sender)
    routing = _route(uow, inbound, mail.received_at)
    if routing.action is MailboxAction.REVIEW:
        uow.mailbox.settle(mail.id, status=MailboxStatus.NEEDS_REVIEW, review_reason=routing.reason[:500])
        return MailboxStatus.NEEDS_REVIEW
    if routing.action is MailboxAction.RECORD_BOUNCE:
        return _process_bounce(uow, terms, mail, inbound)
    if routing.account_id is None:
        raise AssertionError(f"{routing.action} without an account")  # route_inbound always names one
    account_id = routing.account_id
    reply_to = _still_on_account(uow, inbound.sender, account_id, terms.notices.clock.now())
    event_id = _record_decision(
        uow,
        terms,
        mail,
        routing.action,
        account_id,
        asker=MAILBOX,
        reply_to=reply_to,
        message_id=inbound.message_id,
    )
    uow.mailbox.settle(
        mail.id, status=MailboxStatus.PROCESSED, account_id=account_id, consent_event_id=event_id
    )
    return MailboxStatus.PROCESSED


def _route(uow: UnitOfWork, inbound: InboundMail, received_at: datetime) -> MailboxRouting:
    replied = uow.mailbox.notice_sent_to(inbound.replied_to) if inbound.replied_to else None
    found = uow.mailbox.accounts_with_email(inbound.sender, at=received_at) if inbound.sender else []
    matches = [
        MailboxMatch(
            m.account_id, m.associated_at <= received_at - timedelta(days=ADDRESS_OF_RECORD_MIN_AGE_DAYS)
        )
        for m in found
    ]
    return route_inbound(inbound, matches=matches, replied_notice_account=replied[0] if replied else None)


def _still_on_account(uow: UnitOfWork, sender: str | None, account_id: int, now: datetime) -> str | None:
    """The sender, when it is still an email of the account now; else None (the contact of record).

    A message may be processed long after it arrived (retries): a confirmation never goes to an
    address taken off the account since.
    """
    if sender is None:
        return None
    matches = uow.mailbox.accounts_with_email(sender, at=now)
    return sender if any(m.account_id == account_id for m in matches) else None


def _record_decision(  # noqa: PLR0913 - one message's decision: who, where, on which account
    uow: UnitOfWork,
    terms: MailboxTerms,
    mail: StoredMail,
    action: MailboxAction,
    account_id: int,
    *,
    asker: Asker,
    reply_to: str | None,
    message_id: str | None,
) -> int | None:
    kind, scope = _DECISIONS[action]
    reviewed = "" if asker is MAILBOX else f", reviewed by {asker.label}"
    sender = mail.envelope_sender or "<>"
    event = ConsentEvent(
        kind=kind,
        occurred_at=mail.received_at,
        recorded_at=terms.notices.clock.now(),
        recorded_by=asker.label,
        scope=scope,
        source=ConsentSource.MARKETING_MAILBOX,
        proof=ConsentProof.ELECTRONIC if kind is ConsentEventKind.OPTED_IN else None,
        evidence=f"mailbox message {mail.id} {message_id or ''} from {sender}{reviewed}",
        reference=f"{MAILBOX_REFERENCE_PREFIX}{mail.id}",
    )
    appended = record_in(uow, account_id=account_id, event=event, asker=asker)
    if appended.is_new:
        confirm_decision(
            uow,
            account_id=account_id,
            event=appended.event,
            renderer=terms.notices.renderer,
            reply_to=reply_to,
        )
    return appended.event.id


NOT_A_NOTICE = (
    "a bounce report for an email that is not a CPNI notice (a confirmation or an account-change "
    "notice): check the customer's contact of record"
)
NO_RESEND = (
    "the CPNI notice bounced and the account has no postal address of record to resend it to "
    "(64.2008(d)(3)(iii)): reach the customer another way"
)


def _process_bounce(
    uow: UnitOfWork, terms: MailboxTerms, mail: StoredMail, inbound: InboundMail
) -> MailboxStatus:
    """Record a bounced notice and resend it by letter; what cannot be settled goes to staff."""
    sent = uow.mailbox.notice_sent_to(inbound.bounced_message_ids)
    if sent is None:
        uow.mailbox.settle(mail.id, status=MailboxStatus.NEEDS_REVIEW, review_reason=NOT_A_NOTICE)
        return MailboxStatus.NEEDS_REVIEW
    account_id, outbox_key = sent
    notice = uow.consent.event_with_reference(outbox_key)
    if notice is None:
        # The worker records a delivered notice on its next pass: this bounce is retried until then.
        raise BounceNotRecordedYetError(f"notice {outbox_key} is not in the ledger yet")
    bounce = ConsentEvent(
        kind=ConsentEventKind.NOTICE_BOUNCED,
        occurred_at=mail.received_at,
        recorded_at=terms.notices.clock.now(),
        recorded_by=MAILBOX.label,
        refers_to=notice.id,
        evidence=f"bounce report, mailbox message {mail.id}",
        reference=f"{MAILBOX_REFERENCE_PREFIX}{mail.id}",
    )
    appended = record_in(uow, account_id=account_id, event=bounce, asker=MAILBOX)
    resent = not appended.is_new or _resend_by_mail(uow, terms, account_id, notice)
    status, reason = (MailboxStatus.PROCESSED, None) if resent else (MailboxStatus.NEEDS_REVIEW, NO_RESEND)
    uow.mailbox.settle(
        mail.id,
        status=status,
        account_id=account_id,
        consent_event_id=appended.event.id,
        review_reason=reason,
    )
    return status


def _resend_by_mail(uow: UnitOfWork, terms: MailboxTerms, account_id: int, notice: ConsentEvent) -> bool:
    """64.2008(d)(3)(iii): the bounced notice counts only once it is resent another way: by letter.

    Once per notice, however many bounce reports name it (an MTA may send several).
    """
    version = uow.consent_notices.version(notice.notice_version or "")
    recipient = uow.consent_notices.notice_recipient(account_id, as_of=terms.notices.clock.now())
    if version is None or recipient is None:
        return False
    message = notice_message(
        terms.notices, version, recipient, key=f"resend-{notice.id}:{account_id}", by_mail=True
    )
    if message is None:
        return False
    uow.outbox.enqueue(message, at=terms.notices.clock.now())
    return True


def review_queue(terms: MailboxTerms, *, limit: int) -> list[StoredMail]:
    """Messages waiting for staff, oldest first."""
    if not 1 <= limit <= MAX_REVIEW_PAGE:
        raise InvalidInputError(
            "the page size is not valid", (FieldProblem("limit", f"1 to {MAX_REVIEW_PAGE}"),)
        )
    with terms.notices.uow_factory() as uow:
        return uow.mailbox.review_queue(limit=limit)


def stored_mail(terms: MailboxTerms, *, message_id: int) -> tuple[StoredMail, InboundMail]:
    """A stored message and what cpniguard read in it (staff see both when they review)."""
    with terms.notices.uow_factory() as uow:
        mail = uow.mailbox.get(message_id)
    if mail is None:
        raise NotFoundError(f"no mailbox message {message_id}")
    return mail, read_inbound(mail.raw, envelope_sender=mail.envelope_sender)


REVIEW_ACTIONS = {
    "opt_out": MailboxAction.RECORD_OPT_OUT,
    "opt_in": MailboxAction.RECORD_OPT_IN,
    "revocation": MailboxAction.RECORD_REVOCATION,
}


def resolve_review(
    terms: MailboxTerms, *, message_id: int, decision: str, account_number: str | None, asker: Asker
) -> StoredMail:
    """Staff settle a message in review: record what it asks on the account they name, or dismiss it."""
    action = _review_action(decision, account_number)
    with terms.notices.uow_factory() as uow:
        uow.access_log.prepare_to_append()  # SQLite: the write lock before the first read
        mail = uow.mailbox.get(message_id, for_update=True)
        if mail is None:
            raise NotFoundError(f"no mailbox message {message_id}")
        if mail.status is not MailboxStatus.NEEDS_REVIEW:
            problem = FieldProblem("message_id", f"the message is {mail.status}, not waiting for review")
            raise InvalidInputError("the message is not in the review queue", (problem,))
        now = terms.notices.clock.now()
        account_id = event_id = None
        status = MailboxStatus.DISMISSED
        if action is not None:
            account_id = account_key(uow, account_number or "")
            header_id = read_inbound(mail.raw, envelope_sender=mail.envelope_sender).message_id
            event_id = _record_decision(
                uow, terms, mail, action, account_id, asker=asker, reply_to=None, message_id=header_id
            )
            status = MailboxStatus.RESOLVED
        uow.mailbox.settle(
            mail.id,
            status=status,
            account_id=account_id,
            consent_event_id=event_id,
            resolved_by=asker.label,
            at=now,
        )
        uow.commit()
    return replace(mail, status=status, account_id=account_id, consent_event_id=event_id)


def _review_action(decision: str, account_number: str | None) -> MailboxAction | None:
    if decision == "dismiss":
        return None
    action = REVIEW_ACTIONS.get(decision)
    if action is None:
        choices = ", ".join([*REVIEW_ACTIONS, "dismiss"])
        raise InvalidInputError("the decision is not valid", (FieldProblem("decision", f"one of {choices}"),))
    if not account_number:
        raise InvalidInputError("name the account", (FieldProblem("account_number", "required to record"),))
    return action
