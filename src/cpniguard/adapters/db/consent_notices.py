"""CPNI notice versions and mailings in the database (47 CFR 64.2008(b)-(d)).

An account is due a notice when it never had a valid one (initial notice, 64.2008(b)) or its
last valid one is older than the cutoff the caller gives (the biennial renotice,
64.2008(d)(2)). A notice is valid when it went by email or mail and did not bounce
(64.2008(d)(3)(iii)). Pages are set-based: one query for the due accounts, one for their
addresses of record (64.2003(b)), never a query per account.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import (
    Account,
    ConsentEventRecord,
    ConsentNoticeVersion,
    ContactPoint,
    NoticeBatch,
    NoticePreference,
    OutboxMessage,
)
from cpniguard.domain.accounts import ADDRESS_OF_RECORD_MIN_AGE_DAYS, AccountStatus, ContactKind, Language
from cpniguard.domain.consent import WRITTEN_OR_ELECTRONIC
from cpniguard.domain.consent_events import MIN_WAITING_PERIOD_DAYS, ConsentEventKind
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.domain.notices import CPNI_NOTICE_KEY_PREFIX, CPNI_NOTICE_TEMPLATES
from cpniguard.domain.notifications import DeliveryStatus, NoticeChannel
from cpniguard.services.consent_ports import DeliveredNotice, NoticeBatchState, NoticeRecipient, NoticeVersion

FIELD_LIMITS = {"version": 64, "created_by": 200, "kind": 16, "by": 200}
"""The widest value each column holds; longer values are refused, never cut."""
ON_ITS_WAY = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
ADDRESS_QUERY_ACCOUNTS = 10_000
"""Addresses of record are read for this many accounts per statement."""

_EVENTS = ConsentEventRecord.__table__.c
_OUTBOX = OutboxMessage.__table__.c
_BATCHES = NoticeBatch.__table__.c
NOTICE_MAILINGS_LOCK = 0x6370_6E69_6E6F_7469
"""The PostgreSQL advisory lock key of notice mailings ("cpninoti" in ASCII): any fixed number
that no other lock of the database uses."""
_RecipientColumns = tuple[int, str, Language, datetime | None, NoticeChannel | None]
"""Account key and number, language, last valid notice, notice preference."""


@dataclass(frozen=True, slots=True)
class AddressesOfRecord:
    """An account's newest email and postal address of record."""

    email: str | None = None
    postal: str | None = None


def addresses_of_record(
    session: Session, account_ids: list[int], *, as_of: datetime
) -> dict[int, AddressesOfRecord]:
    """The newest email and postal address of record of each account at `as_of` (64.2003(b))."""
    found: dict[int, AddressesOfRecord] = {}
    # In slices: PostgreSQL takes at most 65,535 parameters in one statement.
    for start in range(0, len(account_ids), ADDRESS_QUERY_ACCOUNTS):
        for row in session.execute(
            _addresses_query(account_ids[start : start + ADDRESS_QUERY_ACCOUNTS], as_of)
        ):
            current = found.get(row.account_id, AddressesOfRecord())
            if row.kind == ContactKind.EMAIL_ADDRESS:
                found[row.account_id] = AddressesOfRecord(row.value, current.postal)
            else:
                found[row.account_id] = AddressesOfRecord(current.email, row.value)
    return found


class SqlConsentNotices:
    """ConsentNotices over an SQLAlchemy session: every call joins the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add_version(self, version: NoticeVersion) -> bool:
        """Store a new notice text (64.2008(c)); False when the name is taken: versions never change."""
        _refuse(f"notice version {version.version!r} cannot be stored", _version_problems(version))
        if self.version(version.version) is not None:
            return False
        values = {
            "version": version.version,
            "waiting_period_days": version.waiting_period_days,
            "texts": {language: dict(clauses) for language, clauses in version.texts.items()},
            "created_at": version.created_at,
            "created_by": version.created_by,
        }
        try:
            with self._session.begin_nested():
                self._session.execute(insert(ConsentNoticeVersion).values(**values))
        except IntegrityError:
            if self.version(version.version) is None:
                raise
            return False  # another transaction stored the name between the check and the insert
        return True

    def version(self, name: str) -> NoticeVersion | None:
        """The version with this name."""
        table = ConsentNoticeVersion.__table__
        row = self._session.execute(select(table).where(table.c.version == name)).one_or_none()
        return None if row is None else _version(row)

    def versions(self) -> list[NoticeVersion]:
        """Every version, newest first."""
        table = ConsentNoticeVersion.__table__
        rows = self._session.execute(
            select(table).order_by(table.c.created_at.desc(), table.c.version.desc())
        )
        return [_version(row) for row in rows]

    def due(
        self, *, last_notice_before: datetime, as_of: datetime, after_account_id: int, limit: int
    ) -> list[NoticeRecipient]:
        """Active accounts after `after_account_id` whose last valid notice is before the cutoff, or none.

        64.2008(b), (d)(2), (d)(3)(iii). Accounts with a notice already on its way (queued,
        being sent, or sent and not yet in the ledger) are left out. Addresses are those of
        record at `as_of` (64.2003(b)).
        """
        problems = [
            *_instant_problems("last_notice_before", last_notice_before),
            *_instant_problems("as_of", as_of),
            *_limit_problems(limit),
        ]
        _refuse("the due accounts cannot be listed", problems)
        rows = self._session.execute(_due_query(last_notice_before, after_account_id, limit)).all()
        return self._recipients(rows, as_of=as_of)

    def notice_recipient(self, account_id: int, *, as_of: datetime) -> NoticeRecipient | None:
        """Where a notice to this account can go at `as_of` (64.2003(b)); None for an unknown account."""
        _refuse("the notice recipient cannot be read", _instant_problems("as_of", as_of))
        rows = self._session.execute(_recipient_query().where(Account.__table__.c.id == account_id)).all()
        found = self._recipients(rows, as_of=as_of)
        return found[0] if found else None

    def _recipients(
        self, rows: Sequence[Row[*_RecipientColumns]], *, as_of: datetime
    ) -> list[NoticeRecipient]:
        addresses = addresses_of_record(self._session, [row.id for row in rows], as_of=as_of)
        return [
            NoticeRecipient(
                account_id=row.id,
                account_number=row.account_number,
                language=Language(row.language),
                last_notice_at=row.last_notice_at,
                email_of_record=addresses.get(row.id, AddressesOfRecord()).email,
                postal_address_of_record=addresses.get(row.id, AddressesOfRecord()).postal,
                accepts_email_notices=row.channel == NoticeChannel.EMAIL,
            )
            for row in rows
        ]

    def start_batch(self, *, kind: str, notice_version: str, as_of: datetime, at: datetime, by: str) -> int:
        """Record a new mailing of `notice_version` (64.2008(b), (d)(2)); return its key."""
        problems = [
            *_text_problems({"kind": kind, "by": by}),
            *_instant_problems("as_of", as_of),
            *_instant_problems("at", at),
        ]
        if self._session.get(ConsentNoticeVersion, notice_version) is None:
            problems.append(FieldProblem("notice_version", f"no notice version {notice_version!r}"))
        _refuse("the notice mailing cannot be started", problems)
        statement = insert(NoticeBatch).values(
            kind=kind,
            notice_version=notice_version,
            as_of=as_of,
            started_at=at,
            started_by=by,
            cursor_account_id=0,
            queued=0,
            skipped=0,
        )
        return int(self._session.execute(statement.returning(_BATCHES.id)).scalar_one())

    def batch(self, batch_id: int) -> NoticeBatchState | None:
        """The mailing with this key."""
        row = self._session.execute(
            select(NoticeBatch.__table__).where(_BATCHES.id == batch_id)
        ).one_or_none()
        if row is None:
            return None
        return NoticeBatchState(
            id=row.id,
            kind=row.kind,
            notice_version=row.notice_version,
            as_of=row.as_of,
            started_at=row.started_at,
            started_by=row.started_by,
            finished_at=row.finished_at,
            cursor_account_id=row.cursor_account_id,
            queued=row.queued,
            skipped=row.skipped,
        )

    def lock_mailings(self, batch_id: int) -> None:
        """Hold the mailings' lock until the transaction ends, before it reads anything.

        PostgreSQL: a transaction-scoped advisory lock that every mailing takes. SQLite: the
        database's write lock, taken by a write to the batch (a transaction that reads first
        cannot wait for it: "database is locked" at once).
        """
        if self._session.get_bind().dialect.name == "postgresql":
            self._session.execute(select(func.pg_advisory_xact_lock(NOTICE_MAILINGS_LOCK)))
        else:
            touch = _BATCHES.cursor_account_id
            self._session.execute(update(NoticeBatch).where(_BATCHES.id == batch_id).values({touch: touch}))

    def advance_batch(self, batch_id: int, *, cursor_account_id: int, queued: int, skipped: int) -> None:
        """Move the mailing's resume point forward and add to its counts; never backward."""
        state = self._open_batch(batch_id)
        problems = [
            FieldProblem(name, "must not be negative")
            for name, n in (("queued", queued), ("skipped", skipped))
            if n < 0
        ]
        if cursor_account_id < state.cursor_account_id:
            problems.append(
                FieldProblem(
                    "cursor_account_id", f"is behind the mailing's resume point {state.cursor_account_id}"
                )
            )
        _refuse(f"mailing {batch_id} cannot be advanced", problems)
        self._session.execute(
            update(NoticeBatch)
            .where(_BATCHES.id == batch_id)
            .values(
                cursor_account_id=cursor_account_id,
                queued=_BATCHES.queued + queued,
                skipped=_BATCHES.skipped + skipped,
            )
        )

    def finish_batch(self, batch_id: int, *, at: datetime) -> None:
        """Mark the mailing done at `at`; a mailing already done keeps its first finishing time."""
        _refuse("the mailing cannot be finished", _instant_problems("at", at))
        if self.batch(batch_id) is None:
            raise NotFoundError(f"no notice mailing {batch_id}")
        self._session.execute(
            update(NoticeBatch)
            .where(_BATCHES.id == batch_id, _BATCHES.finished_at.is_(None))
            .values(finished_at=at)
        )

    def _open_batch(self, batch_id: int) -> NoticeBatchState:
        state = self.batch(batch_id)
        if state is None:
            raise NotFoundError(f"no notice mailing {batch_id}")
        if state.finished_at is not None:
            raise InvalidInputError(
                f"mailing {batch_id} is finished",
                (FieldProblem("batch_id", f"finished at {state.finished_at.isoformat()}"),),
            )
        return state

    def delivered_notices(self, *, limit: int) -> list[DeliveredNotice]:
        """Notices the outbox delivered that the ledger does not hold yet, oldest delivery first.

        The ledger records each as sent when it was delivered (64.2008(d)(1): the waiting period
        runs from the sending); the outbox key becomes the event's reference.
        """
        _refuse("the delivered notices cannot be listed", _limit_problems(limit))
        query = (
            select(_OUTBOX.account_id, _OUTBOX.idempotency_key, _OUTBOX.channel, _OUTBOX.sent_at)
            .where(
                _OUTBOX.template.in_(CPNI_NOTICE_TEMPLATES),
                _OUTBOX.status == DeliveryStatus.SENT,
                _OUTBOX.account_id.is_not(None),
                _OUTBOX.idempotency_key.startswith(CPNI_NOTICE_KEY_PREFIX, autoescape=True),
                ~_recorded(),
            )
            .order_by(_OUTBOX.sent_at, _OUTBOX.id)
            .limit(limit)
        )
        return [
            DeliveredNotice(
                row.account_id,
                row.idempotency_key,
                str(row.channel),
                row.sent_at,
                notice_version_of(row.idempotency_key),
            )
            for row in self._session.execute(query)
        ]


def notice_version_of(outbox_key: str) -> str:
    """The notice version named in a notice's outbox key (`cpni-notice:{version}:{batch}:{account}`)."""
    parts = outbox_key.removeprefix(CPNI_NOTICE_KEY_PREFIX).rsplit(":", 2)
    if not outbox_key.startswith(CPNI_NOTICE_KEY_PREFIX) or len(parts) != 3 or not all(parts):  # noqa: PLR2004
        raise ValueError(f"{outbox_key!r} is not a notice's outbox key")
    return parts[0]


def _recipient_query() -> Select[*_RecipientColumns]:
    """Each account's number, language, last valid notice and notice preference."""
    accounts = Account.__table__.c
    preferences = NoticePreference.__table__.c
    last_notice = (
        select(func.max(_EVENTS.occurred_at))
        .where(_valid_notice(accounts.id))
        .scalar_subquery()
        .label("last_notice_at")
    )
    return select(
        accounts.id, accounts.account_number, accounts.language, last_notice, preferences.channel
    ).outerjoin(NoticePreference.__table__, preferences.account_id == accounts.id)


def _due_query(cutoff: datetime, after_account_id: int, limit: int) -> Select[*_RecipientColumns]:
    accounts = Account.__table__.c
    recent = exists().where(_valid_notice(accounts.id), _EVENTS.occurred_at >= cutoff)
    on_its_way = exists().where(
        _OUTBOX.account_id == accounts.id,
        _OUTBOX.template.in_(CPNI_NOTICE_TEMPLATES),
        or_(_OUTBOX.status.in_(ON_ITS_WAY), and_(_OUTBOX.status == DeliveryStatus.SENT, ~_recorded())),
    )
    return (
        _recipient_query()
        .where(accounts.status == AccountStatus.ACTIVE, accounts.id > after_account_id, ~recent, ~on_its_way)
        .order_by(accounts.id)
        .limit(limit)
    )


def _addresses_query(account_ids: list[int], as_of: datetime) -> Select[int, ContactKind, str]:
    """Addresses of record of these accounts at `as_of`, oldest first: on the account 30 days (64.2003(b))."""
    points = ContactPoint.__table__.c
    return (
        select(points.account_id, points.kind, points.value)
        .where(
            points.account_id.in_(account_ids),
            points.kind.in_([ContactKind.EMAIL_ADDRESS, ContactKind.POSTAL_ADDRESS]),
            points.associated_at <= as_of - timedelta(days=ADDRESS_OF_RECORD_MIN_AGE_DAYS),
            or_(points.dissociated_at.is_(None), points.dissociated_at > as_of),
        )
        .order_by(points.account_id, points.associated_at, points.id)
    )


def _valid_notice(account_id: ColumnElement[int]) -> ColumnElement[bool]:
    """A written or electronic notice to the account that did not bounce (64.2008(d)(3)(iii))."""
    bounce = ConsentEventRecord.__table__.alias("bounce")
    bounced = exists().where(
        bounce.c.kind == ConsentEventKind.NOTICE_BOUNCED,
        bounce.c.account_id == _EVENTS.account_id,
        bounce.c.refers_to == _EVENTS.id,
    )
    return and_(
        _EVENTS.kind == ConsentEventKind.NOTICE_SENT,
        _EVENTS.account_id == account_id,
        _EVENTS.notice_medium.in_(sorted(WRITTEN_OR_ELECTRONIC)),
        ~bounced,
    )


def _recorded() -> ColumnElement[bool]:
    """The outbox message's notice is in the ledger (its key is an event's reference)."""
    return exists().where(_EVENTS.reference == _OUTBOX.idempotency_key)


def _version(row: Row[Any]) -> NoticeVersion:
    return NoticeVersion(
        version=row.version,
        waiting_period_days=row.waiting_period_days,
        texts=row.texts,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def _version_problems(version: NoticeVersion) -> list[FieldProblem]:
    problems = [
        *_text_problems({"version": version.version, "created_by": version.created_by}),
        *_instant_problems("created_at", version.created_at),
    ]
    if version.waiting_period_days < MIN_WAITING_PERIOD_DAYS:
        problems.append(FieldProblem("waiting_period_days", f"must be at least {MIN_WAITING_PERIOD_DAYS}"))
    if not version.texts:
        problems.append(FieldProblem("texts", "give the notice's text in at least one language"))
    return problems


def _text_problems(values: Mapping[str, str]) -> list[FieldProblem]:
    problems = [
        FieldProblem(name, "must not be empty") for name, value in values.items() if not value.strip()
    ]
    problems += [
        FieldProblem(name, f"longer than {FIELD_LIMITS[name]} characters")
        for name, value in values.items()
        if len(value) > FIELD_LIMITS[name]
    ]
    return problems


def _instant_problems(name: str, value: datetime) -> list[FieldProblem]:
    return [] if value.tzinfo is not None else [FieldProblem(name, "must carry a UTC offset")]


def _limit_problems(limit: int) -> list[FieldProblem]:
    return [] if limit >= 1 else [FieldProblem("limit", "must be at least 1")]


def _refuse(message: str, problems: list[FieldProblem]) -> None:
    if problems:
        raise InvalidInputError(message, tuple(problems))
