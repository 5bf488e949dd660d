"""The consent ledger and its projection in the database (DESIGN.md invariant 6; 47 CFR 64.2007-64.2008).

`consent_events` is append-only: this repository inserts and, for the retention purge only,
deletes; a trigger refuses UPDATE. `consent_states` holds the spans `consent_timeline`
derives, rewritten whole for an account whenever its ledger changes, and serves the gate and
the audience queries "as of" any instant.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Select,
    delete,
    exists,
    false,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import (
    Account,
    ConsentEventRecord,
    ConsentNoticeVersion,
    ConsentState,
    Interaction,
    MailboxMessage,
)
from cpniguard.domain.consent import ConsentSegment
from cpniguard.domain.consent_events import (
    MAX_PARTNER_LENGTH,
    MAX_TEXT_LENGTHS,
    ConsentEvent,
    ConsentEventKind,
    ConsentScope,
    event_problems,
)
from cpniguard.domain.disclosure_request import Approval, RecipientClass
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError

ELIGIBLE_CHUNK_ROWS = 10_000
"""Audience keys are fetched this many at a time (a server-side cursor on PostgreSQL)."""
ELIGIBLE_SORT_MEMORY = "64MB"
"""At least this much work_mem for sorting an audience into account order on PostgreSQL: at the
default 4MB a 650,000-key audience spills its sort to disk (bench/consent.py)."""
STORED_APPROVALS = frozenset({Approval.OPT_OUT_DEEMED, Approval.OPT_IN, Approval.OPTED_OUT})
"""A projection span holds one of these; no approval is no row, and one-time consent is never stored."""

_EVENTS = ConsentEventRecord.__table__.c
_STATES = ConsentState.__table__.c


class SqlConsentLedger:
    """ConsentLedger over an SQLAlchemy session: every call joins the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def lock_account(self, account_id: int) -> None:
        """Serialize ledger writes for the account until the transaction ends; call it first.

        PostgreSQL locks the account's row (FOR NO KEY UPDATE: it does not block rows of other
        tables that merely reference the account). SQLite has one write lock for the whole
        database, and a transaction that reads before it writes cannot wait for it ("database
        is locked" at once), so a write that touches no row takes it now.
        """
        if self._session.get_bind().dialect.name == "sqlite":
            self._session.execute(delete(ConsentState).where(false()))
            found = self._session.scalar(select(Account.id).where(Account.id == account_id))
        else:
            query = select(Account.id).where(Account.id == account_id).with_for_update(key_share=True)
            found = self._session.scalar(query)
        if found is None:
            raise NotFoundError(f"no account {account_id}")

    def append(self, account_id: int, event: ConsentEvent) -> int | None:
        """Insert `event` (64.2007(a)(3) record); None, writing nothing, when its reference is held.

        The reference is checked first; a concurrent append of the same reference that
        commits in between makes the insert fail on the unique key, inside a savepoint, so
        the caller's transaction goes on and the answer is the same None.
        """
        self._refuse_bad(account_id, event)
        if event.reference is not None and self._holds_reference(event.reference):
            return None
        try:
            with self._session.begin_nested():
                statement = insert(ConsentEventRecord).values(**_event_values(account_id, event))
                return int(self._session.execute(statement.returning(_EVENTS.id)).scalar_one())
        except IntegrityError:
            if event.reference is not None and self._holds_reference(event.reference):
                return None
            if self._session.get(Account, account_id) is None:
                raise NotFoundError(f"no account {account_id}") from None
            raise

    def events(self, account_id: int) -> list[ConsentEvent]:
        """The account's events with their ids, oldest first (by occurrence, then by id)."""
        query = select(ConsentEventRecord.__table__).where(_EVENTS.account_id == account_id)
        rows = self._session.execute(query.order_by(_EVENTS.occurred_at, _EVENTS.id)).mappings()
        return [_event(row) for row in rows]

    def event(self, event_id: int) -> tuple[int, ConsentEvent] | None:
        """The event with this id and its account."""
        query = select(ConsentEventRecord.__table__).where(_EVENTS.id == event_id)
        row = self._session.execute(query).mappings().one_or_none()
        return None if row is None else (row["account_id"], _event(row))

    def event_with_reference(self, reference: str) -> ConsentEvent | None:
        """The event recorded with this reference (a notice's outbox key, a probe's nonce), with its id."""
        query = select(ConsentEventRecord.__table__).where(_EVENTS.reference == reference)
        row = self._session.execute(query).mappings().one_or_none()
        return None if row is None else _event(row)

    def replace_projection(self, account_id: int, segments: Sequence[ConsentSegment]) -> None:
        """Make the account's projection exactly `segments`; refuses spans the table cannot hold."""
        if problems := segment_problems(segments):
            raise InvalidInputError("the consent projection cannot be stored", tuple(problems))
        self._session.execute(delete(ConsentState).where(_STATES.account_id == account_id))
        if segments:
            self._session.execute(insert(ConsentState), [_segment_values(account_id, s) for s in segments])

    def projection(self, account_id: int) -> list[ConsentSegment]:
        """The account's stored projection, in the order `consent_timeline` gives it."""
        query = select(
            _STATES.recipient_class,
            _STATES.partner,
            _STATES.approval,
            _STATES.valid_from,
            _STATES.valid_until,
            _STATES.basis_event_id,
        ).where(_STATES.account_id == account_id)
        segments = [
            ConsentSegment(
                ConsentScope(RecipientClass(row.recipient_class), row.partner),
                Approval(row.approval),
                row.valid_from,
                row.valid_until,
                row.basis_event_id,
            )
            for row in self._session.execute(query)
        ]
        # Sorted here: the database's collation may order partner names unlike Python does.
        return sorted(segments, key=lambda s: (s.scope, s.valid_from))

    def accounts_with_events(self, *, after_account_id: int, limit: int) -> list[int]:
        """Keys of accounts holding events, ascending, after `after_account_id` (projection rebuilds)."""
        _refuse_limit(limit)
        query = (
            select(_EVENTS.account_id)
            .distinct()
            .where(_EVENTS.account_id > after_account_id)
            .order_by(_EVENTS.account_id)
            .limit(limit)
        )
        return list(self._session.scalars(query))

    def eligible_accounts(
        self, scope: ConsentScope, approvals: frozenset[Approval], at: datetime
    ) -> Iterator[int]:
        """Keys of accounts whose approval for `scope` at `at` is one of `approvals`, ascending.

        One query over the projection, streamed (64.2007(b), 64.2008(d): an audience is whoever
        holds the approval at the campaign's instant). For a named partner, the partner's own
        spans decide whenever the account has any, since they already fold in the class-wide
        decisions; accounts without any take the class-wide span.
        """
        return self._streamed(audience_query(scope, approvals, at))

    def _streamed(self, query: Select[int]) -> Iterator[int]:
        """Run `query` on a server-side cursor, planned for reading it to its last row.

        PostgreSQL plans a cursor for its first 10 % (cursor_tuple_fraction): for an audience
        it would walk the whole primary key in account order instead of scanning
        ix_consent_states_eligibility alone, about half as fast end to end. A sort (the partner
        audience's union) gets ELIGIBLE_SORT_MEMORY unless work_mem is larger. Both settings are put back once
        the first key is read: the cursor is planned and sorted by then. After an error the
        rollback restores them.
        """
        options = {"yield_per": ELIGIBLE_CHUNK_ROWS}
        if self._session.get_bind().dialect.name != "postgresql":
            yield from self._session.execute(query, execution_options=options).scalars()
            return
        fraction, memory, memory_is_short = self._session.execute(
            text(
                "SELECT current_setting('cursor_tuple_fraction'), current_setting('work_mem'), "
                "pg_size_bytes(current_setting('work_mem')) < pg_size_bytes(:memory)"
            ),
            {"memory": ELIGIBLE_SORT_MEMORY},
        ).one()
        self._set_planning("1", ELIGIBLE_SORT_MEMORY if memory_is_short else memory)
        keys = self._session.execute(query, execution_options=options).scalars()
        first = next(keys, None)
        self._set_planning(fraction, memory)
        if first is not None:
            yield first
            yield from keys

    def _set_planning(self, cursor_tuple_fraction: str, work_mem: str) -> None:
        """Set both planner settings for the rest of the transaction."""
        self._session.execute(
            text(
                "SELECT set_config('cursor_tuple_fraction', :fraction, true), "
                "set_config('work_mem', :memory, true)"
            ),
            {"fraction": cursor_tuple_fraction, "memory": work_mem},
        )

    def one_time_consent(self, interaction_id: int) -> frozenset[RecipientClass]:
        """Recipients the customer consented to for this call only (64.2008(f))."""
        scopes = self._session.scalars(
            select(_EVENTS.scope).where(
                _EVENTS.interaction_id == interaction_id, _EVENTS.kind == ConsentEventKind.ONE_TIME_CONSENT
            )
        )
        return frozenset(RecipientClass(recipient) for scope in scopes for recipient, _ in scope)

    def delete_events(self, account_id: int, event_ids: Sequence[int]) -> int:
        """Purge these events of the account, with any bounce of a purged notice; how many went.

        Retention (64.2007(a)(3), 64.2008(a)(2)) is checked by the caller, which also rewrites
        the projection right after: spans resting on a purged event lose their basis here, and a
        stored email keeps its text but no longer points at the purged event.
        """
        owned = select(_EVENTS.id).where(_EVENTS.account_id == account_id, _EVENTS.id.in_(event_ids))
        targets = list(self._session.scalars(owned))
        if not targets:
            return 0
        bounces = list(
            self._session.scalars(
                select(_EVENTS.id).where(_EVENTS.account_id == account_id, _EVENTS.refers_to.in_(targets))
            )
        )
        gone = sorted({*targets, *bounces})
        self._detach(gone)
        # Bounces go first, in a statement of their own: SQLite applies the RESTRICT key from a
        # bounce to its notice row by row, not at the end of the statement.
        removed = self._delete(_EVENTS.id.in_(gone), _EVENTS.refers_to.is_not(None))
        return removed + self._delete(_EVENTS.id.in_(gone))

    def _delete(self, *conditions: ColumnElement[bool]) -> int:
        deleted = self._session.execute(delete(ConsentEventRecord).where(*conditions))
        return int(deleted.rowcount)  # type: ignore[attr-defined]

    def _detach(self, event_ids: list[int]) -> None:
        self._session.execute(
            update(ConsentState).where(_STATES.basis_event_id.in_(event_ids)).values(basis_event_id=None)
        )
        message = MailboxMessage.__table__.c
        self._session.execute(
            update(MailboxMessage)
            .where(message.consent_event_id.in_(event_ids))
            .values(consent_event_id=None)
        )

    def _holds_reference(self, reference: str) -> bool:
        return self._session.scalar(select(_EVENTS.id).where(_EVENTS.reference == reference)) is not None

    def _refuse_bad(self, account_id: int, event: ConsentEvent) -> None:
        problems = [*event_problems(event), *self._link_problems(account_id, event)]
        if problems:
            raise InvalidInputError(
                f"the {event.kind} event cannot enter the consent ledger", tuple(problems)
            )

    def _link_problems(self, account_id: int, event: ConsentEvent) -> list[FieldProblem]:
        return [
            *self._bounced_notice_problems(account_id, event.refers_to),
            *self._interaction_problems(account_id, event.interaction_id),
            *self._notice_version_problems(event.notice_version),
        ]

    def _bounced_notice_problems(self, account_id: int, refers_to: int | None) -> list[FieldProblem]:
        if refers_to is None:
            return []
        notice = self._session.execute(
            select(_EVENTS.account_id, _EVENTS.kind).where(_EVENTS.id == refers_to)
        ).one_or_none()
        if notice is not None and tuple(notice) == (account_id, ConsentEventKind.NOTICE_SENT):
            return []
        return [FieldProblem("refers_to", f"event {refers_to} is not a notice sent to account {account_id}")]

    def _interaction_problems(self, account_id: int, interaction_id: int | None) -> list[FieldProblem]:
        if interaction_id is None:
            return []
        holder = self._session.scalar(select(Interaction.account_id).where(Interaction.id == interaction_id))
        if holder == account_id:
            return []
        return [
            FieldProblem("interaction_id", f"interaction {interaction_id} is not one of account {account_id}")
        ]

    def _notice_version_problems(self, version: str | None) -> list[FieldProblem]:
        if not version or len(version) > MAX_TEXT_LENGTHS["notice_version"]:
            return []  # event_problems says what is wrong
        if self._session.get(ConsentNoticeVersion, version) is not None:
            return []
        return [FieldProblem("notice_version", f"no notice version {version!r}")]


def audience_query(scope: ConsentScope, approvals: frozenset[Approval], at: datetime) -> Select[int]:
    """The keys of accounts holding one of `approvals` for `scope` at `at` (see eligible_accounts).

    Both branches read ix_consent_states_eligibility; they are disjoint (an account has the
    partner's spans or has none), so UNION ALL spares PostgreSQL the duplicate elimination.
    """
    own = select(_STATES.account_id).where(*_holding(scope, approvals, at))
    if not scope.partner:
        return own.order_by(_STATES.account_id)
    class_wide = ConsentScope(scope.recipient)
    partner = ConsentState.__table__.alias("partner_span")
    has_partner_spans = exists().where(
        partner.c.account_id == _STATES.account_id,
        partner.c.recipient_class == scope.recipient,
        partner.c.partner == scope.partner,
    )
    fallback = select(_STATES.account_id).where(*_holding(class_wide, approvals, at), ~has_partner_spans)
    both = own.union_all(fallback).subquery("audience")
    return select(both.c.account_id).order_by(both.c.account_id)


def _holding(scope: ConsentScope, approvals: frozenset[Approval], at: datetime) -> list[ColumnElement[bool]]:
    return [
        _STATES.recipient_class == scope.recipient,
        _STATES.partner == scope.partner,
        _STATES.approval.in_(sorted(approvals)),
        _STATES.valid_from <= at,
        or_(_STATES.valid_until.is_(None), _STATES.valid_until > at),
    ]


def segment_problems(segments: Sequence[ConsentSegment]) -> list[FieldProblem]:
    """What keeps a projection from being stored: bad spans, and two spans of one scope starting together."""
    problems = []
    starts: set[tuple[ConsentScope, datetime]] = set()
    for index, segment in enumerate(segments):
        problems += _span_problems(f"segments[{index}]", segment)
        if (segment.scope, segment.valid_from) in starts:
            problems.append(
                FieldProblem(
                    f"segments[{index}].valid_from", f"a second span for {segment.scope} starts then"
                )
            )
        starts.add((segment.scope, segment.valid_from))
    return problems


def _span_problems(where: str, segment: ConsentSegment) -> list[FieldProblem]:
    problems = [
        FieldProblem(f"{where}.{name}", "must carry a UTC offset")
        for name, moment in (("valid_from", segment.valid_from), ("valid_until", segment.valid_until))
        if moment is not None and moment.tzinfo is None
    ]
    if segment.approval not in STORED_APPROVALS:
        problems.append(FieldProblem(f"{where}.approval", f"{segment.approval} is never stored as a span"))
    if not problems and segment.valid_until is not None and segment.valid_until <= segment.valid_from:
        problems.append(FieldProblem(f"{where}.valid_until", "must be later than valid_from"))
    if len(segment.scope.partner) > MAX_PARTNER_LENGTH:
        problems.append(
            FieldProblem(f"{where}.scope", f"the partner name is longer than {MAX_PARTNER_LENGTH} characters")
        )
    return problems


def _refuse_limit(limit: int) -> None:
    if limit < 1:
        raise InvalidInputError(
            "a page holds at least one row", (FieldProblem("limit", "must be at least 1"),)
        )


_COLUMNS_AS_FIELDS = tuple(f.name for f in dataclasses.fields(ConsentEvent) if f.name not in {"id", "scope"})
"""Event fields stored as they are (the enum columns read back as their enums)."""


def _event_values(account_id: int, event: ConsentEvent) -> dict[str, Any]:
    values = {name: getattr(event, name) for name in _COLUMNS_AS_FIELDS}
    scope = [[str(s.recipient), s.partner] for s in event.scope]
    return {**values, "account_id": account_id, "scope": scope}


def _event(row: RowMapping) -> ConsentEvent:
    scope = tuple(ConsentScope(RecipientClass(r), p) for r, p in row["scope"])
    return ConsentEvent(**{name: row[name] for name in _COLUMNS_AS_FIELDS}, id=row["id"], scope=scope)


def _segment_values(account_id: int, segment: ConsentSegment) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "recipient_class": segment.scope.recipient,
        "partner": segment.scope.partner,
        "approval": segment.approval,
        "valid_from": segment.valid_from,
        "valid_until": segment.valid_until,
        "basis_event_id": segment.basis_event_id,
    }
