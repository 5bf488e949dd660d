"""The marketing mailbox in the database: raw emails kept first, then processed or reviewed.

47 CFR 64.2008(d)(3)(ii): a customer opts out by replying to a notice email, and the
mailbox is an always-open, free opt-out channel (RULES.md 4.9): no email may be lost
between the SMTP "250" and the ledger, so each is stored raw before anything reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import ColumnElement, Row, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import Account, ContactPoint, MailboxMessage, OutboxMessage
from cpniguard.domain.accounts import ContactKind, Language
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.domain.mailbox import MailboxStatus
from cpniguard.domain.notices import CPNI_NOTICE_EMAIL_TEMPLATE
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services.consent_ports import MatchedAccount, StoredMail

"""The outbox template of CPNI notices (64.2008); a reply to one names its account."""
FIELD_LIMITS = {
    "envelope_sender": 500,
    "recipients": 2000,
    "peer": 200,
    "review_reason": 500,
    "resolved_by": 200,
}
"""The widest value each column holds; longer values are refused, never cut."""
ERROR_CHARACTERS = 1000
REVIEW_OUTCOMES = frozenset({MailboxStatus.RESOLVED, MailboxStatus.DISMISSED})
"""Statuses that close a review: they record who decided and when."""

_COLUMNS = (
    MailboxMessage.id,
    MailboxMessage.received_at,
    MailboxMessage.envelope_sender,
    MailboxMessage.recipients,
    MailboxMessage.raw,
    MailboxMessage.status,
    MailboxMessage.attempts,
    MailboxMessage.review_reason,
    MailboxMessage.account_id,
    MailboxMessage.consent_event_id,
)
_OLDEST_FIRST = (MailboxMessage.received_at, MailboxMessage.id)
# A write as the first statement waits for the lock (busy timeout); a read then a write
# would fail at once on a stale snapshot ("database is locked"). It changes nothing.
_TAKE_SQLITE_WRITE_LOCK = "UPDATE mailbox_messages SET status = status WHERE 0 = 1"


def _stored_mail(row: Row[*tuple[Any, ...]]) -> StoredMail:
    return StoredMail(
        id=row.id,
        received_at=row.received_at,
        envelope_sender=row.envelope_sender,
        recipients=row.recipients,
        raw=bytes(row.raw),
        status=MailboxStatus(row.status),
        attempts=row.attempts,
        review_reason=row.review_reason,
        account_id=row.account_id,
        consent_event_id=row.consent_event_id,
    )


def normalized_address(address: str) -> str | None:
    """`address` as contact points store emails (services.contacts.normalized_email), or None.

    email-validator lower-cases the domain and decodes IDNA; the local part keeps its case,
    so matching still compares both sides lower-cased.
    """
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def bracketed_message_id(message_id: str) -> str:
    """A Message-ID in the form adapters.notify.email.message_id sends it: '<local@domain>'."""
    bare = message_id.strip().removeprefix("<").removesuffix(">").strip()
    return f"<{bare}>" if bare else ""


class SqlMailboxStore:
    """MailboxStore over an SQLAlchemy session (64.2008(d)(3))."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def store(self, *, raw: bytes, envelope_sender: str, recipients: str, peer: str, at: datetime) -> int:
        """Keep the raw message as received, due for processing at `at`; return its key."""
        envelope = {"envelope_sender": envelope_sender, "recipients": recipients, "peer": peer}
        if problems := _too_long(envelope):
            raise InvalidInputError("the email cannot be stored", problems)
        statement = insert(MailboxMessage).values(
            received_at=at,
            raw=raw,
            status=MailboxStatus.RECEIVED,
            attempts=0,
            next_attempt_at=at,
            **envelope,
        )
        return int(self._session.execute(statement.returning(MailboxMessage.id)).scalar_one())

    def claim_due(self, *, at: datetime, limit: int) -> list[StoredMail]:
        """Received messages due by `at`, oldest first, locked until the transaction ends.

        PostgreSQL skips rows another processor holds. SQLite has no row locks and ignores
        FOR UPDATE: there the database's one write lock is taken first, so a second processor
        waits for this transaction and then sees what it settled.
        """
        if self._session.get_bind().dialect.name == "sqlite":
            self._session.execute(text(_TAKE_SQLITE_WRITE_LOCK))
        statement = (
            select(*_COLUMNS)
            .where(MailboxMessage.status == MailboxStatus.RECEIVED, MailboxMessage.next_attempt_at <= at)
            .order_by(*_OLDEST_FIRST)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_stored_mail(row) for row in self._session.execute(statement)]

    def get(self, message_id: int, *, for_update: bool = False) -> StoredMail | None:
        """The stored message with this key; locked until the transaction ends when `for_update`."""
        query = select(*_COLUMNS).where(MailboxMessage.id == message_id)
        if for_update:
            query = query.with_for_update(of=MailboxMessage)
        row = self._session.execute(query).one_or_none()
        return None if row is None else _stored_mail(row)

    def settle(  # noqa: PLR0913 - the port's outcome fields, all keyword-only
        self,
        message_id: int,
        *,
        status: MailboxStatus,
        account_id: int | None = None,
        consent_event_id: int | None = None,
        review_reason: str | None = None,
        resolved_by: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Set `status` and each field given; a resolved or dismissed review also records who and when."""
        if problems := _too_long({"review_reason": review_reason or "", "resolved_by": resolved_by or ""}):
            raise InvalidInputError("the outcome cannot be recorded", problems)
        values: dict[str, object] = {"status": status}
        given = {
            "account_id": account_id,
            "consent_event_id": consent_event_id,
            "review_reason": review_reason,
        }
        values.update({name: value for name, value in given.items() if value is not None})
        if status in REVIEW_OUTCOMES:
            _require_reviewer(resolved_by, at)
            values.update(resolved_by=resolved_by, resolved_at=at)
        self._update(message_id, values)

    def fail(self, message_id: int, *, error: str, retry_at: datetime) -> None:
        """Count a failed attempt and keep the message received, due again at `retry_at`."""
        values = {
            "attempts": MailboxMessage.attempts + 1,
            "last_error": error[:ERROR_CHARACTERS],
            "next_attempt_at": retry_at,
        }
        self._update(message_id, values, MailboxMessage.status == MailboxStatus.RECEIVED)

    def review_queue(self, *, limit: int) -> list[StoredMail]:
        """Messages waiting for staff, oldest first."""
        statement = (
            select(*_COLUMNS)
            .where(MailboxMessage.status == MailboxStatus.NEEDS_REVIEW)
            .order_by(*_OLDEST_FIRST)
            .limit(limit)
        )
        return [_stored_mail(row) for row in self._session.execute(statement)]

    def accounts_with_email(self, address: str, *, at: datetime) -> list[MatchedAccount]:
        """Accounts with `address` as an email contact point current at `at`, case-insensitively.

        Several accounts may share an address: the caller sends those to review. The earliest
        current association is given per account (the 30-day address-of-record clock, 64.2003(b)).
        """
        normalized = normalized_address(address)
        if normalized is None:
            return []
        statement = (
            select(
                Account.id,
                Account.account_number,
                Account.language,
                func.min(ContactPoint.associated_at).label("associated_at"),
            )
            .join(ContactPoint, ContactPoint.account_id == Account.id)
            .where(
                ContactPoint.kind == ContactKind.EMAIL_ADDRESS,
                ContactPoint.associated_at <= at,
                or_(ContactPoint.dissociated_at.is_(None), ContactPoint.dissociated_at > at),
                # Both sides through the engine's lower() so they fold the same way.
                func.lower(ContactPoint.value) == func.lower(normalized),
            )
            .group_by(Account.id, Account.account_number, Account.language)
            .order_by(Account.id)
        )
        return [
            MatchedAccount(row.id, row.account_number, Language(row.language), row.associated_at)
            for row in self._session.execute(statement)
        ]

    def notice_sent_to(self, message_ids: Sequence[str]) -> tuple[int, str] | None:
        """The account and outbox key of the CPNI notice email with the first of `message_ids` found.

        The email sender returns the Message-ID it set, and the outbox keeps it as the
        delivery's provider reference; ids match with or without their angle brackets.
        """
        wanted = [bracketed for given in message_ids if (bracketed := bracketed_message_id(given))]
        if not wanted:
            return None
        statement = select(
            OutboxMessage.provider_reference, OutboxMessage.account_id, OutboxMessage.idempotency_key
        ).where(
            OutboxMessage.template == CPNI_NOTICE_EMAIL_TEMPLATE,
            OutboxMessage.channel == NoticeChannel.EMAIL,
            OutboxMessage.provider_reference.in_(wanted),
            OutboxMessage.account_id.is_not(None),
        )
        sent = {
            row.provider_reference: (row.account_id, row.idempotency_key)
            for row in self._session.execute(statement)
        }
        return next((sent[given] for given in wanted if given in sent), None)

    def _update(self, message_id: int, values: dict[str, object], *conditions: ColumnElement[bool]) -> None:
        statement = (
            update(MailboxMessage)
            .where(MailboxMessage.id == message_id, *conditions)
            .values(**values)
            .returning(MailboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        if self._session.execute(statement).scalar_one_or_none() is None:
            raise NotFoundError(f"no mailbox message {message_id} in a state that allows this change")


def _too_long(values: dict[str, str]) -> tuple[FieldProblem, ...]:
    return tuple(
        FieldProblem(name, f"is {len(value)} characters long; at most {FIELD_LIMITS[name]}")
        for name, value in values.items()
        if len(value) > FIELD_LIMITS[name]
    )


def _require_reviewer(resolved_by: str | None, at: datetime | None) -> None:
    problems = []
    if not (resolved_by or "").strip():
        problems.append(FieldProblem("resolved_by", "is required to resolve or dismiss a message"))
    if at is None:
        problems.append(FieldProblem("at", "is required to resolve or dismiss a message"))
    if problems:
        raise InvalidInputError("the review outcome is incomplete", tuple(problems))
