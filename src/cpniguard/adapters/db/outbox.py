"""The outbox in the database: written with its cause, claimed by workers (DESIGN.md invariant 5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from cpniguard.adapters.db.tables import Account, DeadLetterAlertRecord, OutboxMessage
from cpniguard.domain.dead_letters import NOT_ALERTED, DeadLetter
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.domain.notifications import DeliveryStatus
from cpniguard.domain.outbox import CODE_REMOVED_BODY, TEMPLATES_CARRYING_A_CODE
from cpniguard.services.ports import ClaimedMessage, DeadLetterDetail, MessageDelivery, OutboundMessage

_ALERTS = DeadLetterAlertRecord.__table__.c
FIELD_LIMITS = {"idempotency_key": 128, "recipient": 500, "template": 64, "subject": 200}
"""The widest value each column holds; longer values are refused, never cut."""


def message_problems(message: OutboundMessage) -> list[FieldProblem]:
    """What keeps `message` from being stored: empty or over-long fields."""
    problems = [
        FieldProblem(name, f"longer than {limit} characters")
        for name, limit in FIELD_LIMITS.items()
        if len(getattr(message, name) or "") > limit
    ]
    problems += [
        FieldProblem(name, "must not be empty")
        for name in ("idempotency_key", "recipient", "template", "body")
        if not getattr(message, name).strip()
    ]
    return problems


class SqlOutbox:
    """Outbox over an SQLAlchemy session: messages join the transaction of their cause."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def enqueue(self, message: OutboundMessage, *, at: datetime) -> bool:
        """Insert `message` as pending, due at `at`; False when its idempotency key is already there."""
        if problems := message_problems(message):
            raise InvalidInputError("the message cannot be queued", tuple(problems))
        values = {
            "idempotency_key": message.idempotency_key,
            "account_id": message.account_id,
            "channel": message.channel,
            "recipient": message.recipient,
            "language": message.language,
            "template": message.template,
            "subject": message.subject,
            "body": message.body,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": at,
            "created_at": at,
        }
        statement = self._insert().values(**values).on_conflict_do_nothing(index_elements=["idempotency_key"])
        inserted = self._session.execute(statement.returning(OutboxMessage.id)).scalar_one_or_none()
        return inserted is not None

    def dead_letters_to_alert(self, *, limit: int) -> tuple[list[DeadLetter], int]:
        """The oldest dead letters of kinds a digest lists that none has listed, and how many in all."""
        unlisted = and_(
            OutboxMessage.status == DeliveryStatus.DEAD,
            OutboxMessage.template.not_in(sorted(NOT_ALERTED)),
            ~exists().where(_ALERTS.message_id == OutboxMessage.id),
        )
        columns = (
            OutboxMessage.id,
            OutboxMessage.template,
            OutboxMessage.channel,
            OutboxMessage.created_at,
            OutboxMessage.attempts,
        )
        rows = self._session.execute(select(*columns).where(unlisted).order_by(OutboxMessage.id).limit(limit))
        letters = [
            DeadLetter(row.id, row.template, str(row.channel), row.created_at, row.attempts) for row in rows
        ]
        total = self._session.scalar(select(func.count()).select_from(OutboxMessage).where(unlisted))
        return letters, int(total or 0)

    def mark_alerted(self, message_ids: Sequence[int], *, digest_key: str, at: datetime) -> None:
        """Record that the digest keyed `digest_key` lists these dead letters."""
        if message_ids:
            rows = [{"message_id": i, "digest_key": digest_key, "alerted_at": at} for i in message_ids]
            # A letter another worker marked meanwhile keeps that worker's digest.
            statement = self._insert(DeadLetterAlertRecord).on_conflict_do_nothing(
                index_elements=["message_id"]
            )
            self._session.execute(statement, rows)

    def dead_letters(self, *, after_id: int, limit: int) -> list[DeadLetterDetail]:
        """Dead letters in id order after `after_id`, with whose they were and why they failed."""
        query = (
            select(
                OutboxMessage.id,
                Account.account_number,
                OutboxMessage.template,
                OutboxMessage.channel,
                OutboxMessage.recipient,
                OutboxMessage.attempts,
                OutboxMessage.created_at,
                OutboxMessage.last_error,
                _ALERTS.digest_key,
            )
            .outerjoin(Account, Account.id == OutboxMessage.account_id)
            .outerjoin(DeadLetterAlertRecord, _ALERTS.message_id == OutboxMessage.id)
            .where(OutboxMessage.status == DeliveryStatus.DEAD, OutboxMessage.id > after_id)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return [DeadLetterDetail(*row) for row in self._session.execute(query)]

    def _insert(self, table: type[Any] = OutboxMessage) -> Any:  # noqa: ANN401 - the dialect's insert
        # Both dialects' inserts offer on_conflict_do_nothing: a repeat of the same cause (a
        # retried request) must not abort the caller's transaction.
        dialect = self._session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _due(at: datetime, max_attempts: int) -> ColumnElement[bool]:
    waiting = and_(OutboxMessage.status == DeliveryStatus.PENDING, OutboxMessage.next_attempt_at <= at)
    abandoned = and_(
        OutboxMessage.status == DeliveryStatus.SENDING,
        OutboxMessage.leased_until <= at,
        OutboxMessage.attempts < max_attempts,
    )
    return or_(waiting, abandoned)


def _held(claim: ClaimedMessage) -> ColumnElement[bool]:
    # The attempt number fences a worker whose lease ended and whose message was claimed again.
    return and_(
        OutboxMessage.id == claim.message_id,
        OutboxMessage.status == DeliveryStatus.SENDING,
        OutboxMessage.attempts == claim.attempt,
    )


_CLAIMED_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.idempotency_key,
    OutboxMessage.channel,
    OutboxMessage.recipient,
    OutboxMessage.language,
    OutboxMessage.subject,
    OutboxMessage.body,
    OutboxMessage.attempts,
    OutboxMessage.leased_until,
    OutboxMessage.next_attempt_at,
)
_DELIVERY_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.channel,
    OutboxMessage.template,
    OutboxMessage.recipient,
    OutboxMessage.status,
    OutboxMessage.attempts,
    OutboxMessage.created_at,
    OutboxMessage.next_attempt_at,
    OutboxMessage.sent_at,
    OutboxMessage.last_error,
    OutboxMessage.provider_reference,
)


class SqlOutboxQueue:
    """OutboxQueue: each call commits on its own, so a lease is visible to every other worker."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def claim_due(
        self, *, at: datetime, lease_until: datetime, limit: int, max_attempts: int
    ) -> list[ClaimedMessage]:
        """Lease due messages in one UPDATE; PostgreSQL skips rows another worker is claiming."""
        due = _due(at, max_attempts)
        # SKIP LOCKED on PostgreSQL; SQLite takes its one write lock for the whole statement.
        picked = (
            select(OutboxMessage.id)
            .where(due)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            # A CTE is evaluated once; PostgreSQL may rescan a plain IN (subquery ... LIMIT) and
            # so update more rows than the limit.
            .cte("picked")
        )
        statement = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(select(picked.c.id)), due)
            .values(
                status=DeliveryStatus.SENDING, leased_until=lease_until, attempts=OutboxMessage.attempts + 1
            )
            .returning(*_CLAIMED_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        with self._sessions() as session:
            rows = sorted(session.execute(statement).all(), key=lambda row: (row.next_attempt_at, row.id))
            session.commit()
        return [
            ClaimedMessage(
                row.id,
                row.idempotency_key,
                row.channel,
                row.recipient,
                row.language,
                row.subject,
                row.body,
                row.attempts,
                row.leased_until,
            )
            for row in rows
        ]

    def bury_abandoned(self, *, at: datetime, max_attempts: int) -> int:
        """Dead-letter messages whose worker stopped during their last allowed attempt."""
        statement = (
            update(OutboxMessage)
            .where(
                OutboxMessage.status == DeliveryStatus.SENDING,
                OutboxMessage.leased_until <= at,
                OutboxMessage.attempts >= max_attempts,
            )
            .values(
                status=DeliveryStatus.DEAD,
                leased_until=None,
                last_error="gave up: the worker stopped during the last allowed attempt",
            )
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        with self._sessions() as session:
            buried = len(session.execute(statement).all())
            session.commit()
        return buried

    def mark_sent(self, claim: ClaimedMessage, *, at: datetime, provider_reference: str) -> bool:
        """Record the delivery and the provider's reference, if the claim still holds."""
        values = {
            "status": DeliveryStatus.SENT,
            "sent_at": at,
            "leased_until": None,
            "last_error": None,
            "provider_reference": provider_reference[:500],
        }
        return self._update_held(claim, values)

    def mark_failed(self, claim: ClaimedMessage, *, reason: str, retry_at: datetime | None) -> bool:
        """Put the message back as pending until `retry_at`, or dead-letter it with `reason`."""
        values: dict[str, object] = {"leased_until": None, "last_error": reason[:1000]}
        if retry_at is None:
            values["status"] = DeliveryStatus.DEAD
        else:
            values.update(status=DeliveryStatus.PENDING, next_attempt_at=retry_at)
        return self._update_held(claim, values)

    def _update_held(self, claim: ClaimedMessage, values: dict[str, object]) -> bool:
        if values.get("status") in {DeliveryStatus.SENT, DeliveryStatus.DEAD}:
            # A one-time code is a secret: once delivered (or given up), the outbox forgets it.
            values["body"] = case(
                (OutboxMessage.template.in_(TEMPLATES_CARRYING_A_CODE), literal(CODE_REMOVED_BODY)),
                else_=OutboxMessage.body,
            )
        statement = (
            update(OutboxMessage)
            .where(_held(claim))
            .values(**values)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        with self._sessions() as session:
            updated = session.execute(statement).scalar_one_or_none() is not None
            session.commit()
        return updated

    def deliveries(self, account_id: int, *, limit: int) -> list[MessageDelivery]:
        """The account's messages, newest first, without their bodies."""
        statement = (
            select(*_DELIVERY_COLUMNS)
            .where(OutboxMessage.account_id == account_id)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
        with self._sessions() as session:
            return [MessageDelivery(*row) for row in session.execute(statement)]
