"""The breach record in the database and its service (47 CFR 64.2011(d); RULES.md 7, 8, 11.14-11.17)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from cpniguard.adapters.calendar import federal_calendar
from cpniguard.adapters.db.breach import SqlBreachStore
from cpniguard.adapters.db.tables import AccessLogRecord, BreachEventRecord, BreachRecord
from cpniguard.bootstrap import Container
from cpniguard.domain.audit import AuditEvent
from cpniguard.domain.breach import BreachRegime
from cpniguard.domain.breach_timeline import BreachEvent, BreachEventKind
from cpniguard.domain.consent import add_years
from cpniguard.domain.consent_retention import RetentionFloorError
from cpniguard.domain.disclosure_request import ActorKind
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.services.breach import (
    BreachContext,
    breach_deadlines_for,
    breach_timeline,
    close_breach,
    open_breach,
    purge_breach,
    record_breach_event,
)
from cpniguard.services.disclosure import Asker

STAFF = Asker(kind=ActorKind.EMPLOYEE, role=Role.COMPLIANCE_OFFICER, label="compliance")
K = BreachEventKind
DISCOVERY = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
DETERMINATION = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
"""Monday 10:00 in Washington, the week of Thanksgiving (Thursday 2026-11-26)."""
AFTER = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(connection: Connection):
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield SqlBreachStore(session)


@pytest.fixture
def context(container: Container) -> BreachContext:
    container.clock.pin(AFTER)
    return BreachContext(container.unit_of_work, container.clock)


def event(kind: BreachEventKind, at: datetime, **details: str) -> BreachEvent:
    return BreachEvent(kind, at, AFTER, "compliance", details=details)


def discovered(at: datetime = DISCOVERY) -> BreachEvent:
    return event(K.DISCOVERED, at, how="SOC alert on a bulk call-detail export")


def determined(at: datetime = DETERMINATION) -> BreachEvent:
    return event(K.DETERMINED, at, basis="the export used a revoked contractor's token")


def counted(container: Container, table: type) -> int:
    with container.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(table)) or 0)


def test_a_breach_opens_once_per_reference_and_its_timeline_reads_back_in_recorded_order(store):
    breach_id = store.open("BR-2026-001", AFTER, "compliance")
    assert breach_id is not None
    assert store.open("BR-2026-001", AFTER, "someone else") is None
    types = event(K.DATA_TYPES, DETERMINATION, types="call_detail, location")
    ids = [store.append(breach_id, e) for e in (determined(), discovered(), types)]
    timeline = store.events(breach_id)
    assert [e.id for e in timeline] == ids
    assert [e.kind for e in timeline] == [K.DETERMINED, K.DISCOVERED, K.DATA_TYPES]
    assert timeline[0].occurred_at == DETERMINATION
    assert timeline[0].occurred_at.utcoffset() == timedelta(0)
    assert dict(timeline[2].details) == {"types": "call_detail, location"}
    breach = store.by_reference("BR-2026-001")
    assert breach is not None
    assert (breach.id, breach.opened_by, breach.opened_at, breach.closed_at) == (
        breach_id,
        "compliance",
        AFTER,
        None,
    )
    assert store.get(breach_id) == breach
    assert store.get(breach_id + 1) is None


def test_the_timeline_refuses_update_on_both_engines(store):
    breach_id = store.open("BR-2026-002", AFTER, "compliance")
    event_id = store.append(breach_id, discovered())
    session = store._session
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(
            text("UPDATE breach_events SET recorded_by = 'someone' WHERE id = :id"), {"id": event_id}
        )
    assert [e.recorded_by for e in store.events(breach_id)] == ["compliance"]


def test_the_purge_removes_a_breach_with_its_whole_timeline(store):
    breach_id = store.open("BR-2026-003", AFTER, "compliance")
    other = store.open("BR-2026-004", AFTER, "compliance")
    for target in (breach_id, other):
        store.append(target, discovered())
        store.append(target, determined())
    assert store.purge(breach_id) == 2
    assert store.get(breach_id) is None
    assert store.events(breach_id) == []
    assert len(store.events(other)) == 2


def test_deadlines_from_a_stored_timeline_skip_thanksgiving(container, context):
    breach = open_breach(context, reference="BR-2026-010", asker=STAFF)
    for recorded in (discovered(), determined()):
        record_breach_event(context, breach_id=breach.id, event=recorded, asker=STAFF)
    found = breach_deadlines_for(
        uow_factory=container.unit_of_work,
        breach_id=breach.id,
        calendar=federal_calendar(2026, 2027, []),
        amendments_effective_on=None,
    )
    assert found.regime is BreachRegime.LEGACY
    by_name = {d.name: d for d in found.deadlines}
    assert by_name["agency_notice"].due_on == date(2026, 12, 3)
    assert "Thu 2026-11-26" in by_name["agency_notice"].explanation
    assert by_name["customer_notice_earliest"].not_before == date(2026, 12, 15)


def test_a_stored_hold_and_the_2023_rule_move_the_customer_deadline(container, context):
    breach = open_breach(context, reference="BR-2026-011", asker=STAFF)
    hold = event(
        K.HOLD_STARTED,
        AFTER,
        agency="FBI",
        written_reference="FBI-77",
        starts_on="2026-11-24",
        ends_on="2026-12-24",
    )
    extension = event(K.HOLD_EXTENDED, AFTER, hold="FBI-77", written_reference="FBI-78", ends_on="2027-01-15")
    for recorded in (
        discovered(),
        determined(),
        event(K.CUSTOMERS_AFFECTED, AFTER, count="3000"),
        hold,
        extension,
    ):
        record_breach_event(context, breach_id=breach.id, event=recorded, asker=STAFF)
    found = breach_deadlines_for(
        uow_factory=container.unit_of_work,
        breach_id=breach.id,
        calendar=federal_calendar(2026, 2027, []),
        amendments_effective_on=date(2026, 6, 1),
    )
    assert found.regime is BreachRegime.FCC_2023
    by_name = {d.name: d for d in found.deadlines}
    assert by_name["agency_notice"].due_on == date(2026, 12, 3)
    assert by_name["customer_notice_latest"].due_on == date(2027, 1, 16)
    assert by_name["customer_notice_latest"].held_until == date(2027, 1, 15)


def test_deadlines_are_refused_until_the_discovery_and_determination_are_recorded(container, context):
    breach = open_breach(context, reference="BR-2026-012", asker=STAFF)
    record_breach_event(context, breach_id=breach.id, event=discovered(), asker=STAFF)
    with pytest.raises(InvalidInputError) as refused:
        breach_deadlines_for(
            uow_factory=container.unit_of_work,
            breach_id=breach.id,
            calendar=federal_calendar(2026, 2027, []),
            amendments_effective_on=None,
        )
    assert [p.location for p in refused.value.problems] == ["timeline"]


def test_each_recorded_event_is_logged_in_the_same_transaction(container, context):
    before = counted(container, AccessLogRecord)
    breach = open_breach(context, reference="BR-2026-020", asker=STAFF)
    recorded = record_breach_event(context, breach_id=breach.id, event=discovered(), asker=STAFF)
    assert recorded.id is not None
    assert recorded.recorded_at == AFTER
    assert counted(container, AccessLogRecord) == before + 2
    with container.unit_of_work() as uow:
        events = uow.session.scalars(
            select(AccessLogRecord.event).order_by(AccessLogRecord.sequence.desc()).limit(2)
        )
        assert set(events) == {AuditEvent.BREACH_RECORDED}


@pytest.mark.parametrize(
    ("bad", "location"),
    [
        (
            event(K.HOLD_STARTED, AFTER, agency="FBI", starts_on="2026-11-24", ends_on="2026-12-01"),
            "details.written_reference",
        ),
        (
            event(
                K.HOLD_STARTED,
                AFTER,
                agency="FBI",
                written_reference="F-1",
                starts_on="2026-11-24",
                ends_on="2026-12-31",
            ),
            "details.ends_on",
        ),
        (event(K.DATA_TYPES, AFTER, types="call_detail, social_security_number"), "details.types"),
        (event(K.CUSTOMERS_AFFECTED, AFTER, count="-1"), "details.count"),
        (determined(DISCOVERY - timedelta(hours=1)), "occurred_at"),
        (discovered(AFTER + timedelta(days=1)), "occurred_at"),
    ],
)
def test_bad_input_is_refused_saying_where_and_writes_nothing(container, context, bad, location):
    breach = open_breach(context, reference="BR-2026-030", asker=STAFF)
    record_breach_event(context, breach_id=breach.id, event=discovered(), asker=STAFF)
    events_before, log_before = counted(container, BreachEventRecord), counted(container, AccessLogRecord)
    with pytest.raises(InvalidInputError) as refused:
        record_breach_event(context, breach_id=breach.id, event=bad, asker=STAFF)
    assert [p.location for p in refused.value.problems] == [location]
    assert counted(container, BreachEventRecord) == events_before
    assert counted(container, AccessLogRecord) == log_before


def test_a_reference_already_used_or_blank_is_refused(container, context):
    open_breach(context, reference="BR-2026-040", asker=STAFF)
    before = counted(container, BreachRecord)
    for reference in ("BR-2026-040", " ", " BR-2026-041"):
        with pytest.raises(InvalidInputError) as refused:
            open_breach(context, reference=reference, asker=STAFF)
        assert [p.location for p in refused.value.problems] == ["reference"]
    assert counted(container, BreachRecord) == before


def test_an_unknown_breach_is_not_found(container, context):
    with pytest.raises(NotFoundError):
        record_breach_event(context, breach_id=999_999, event=discovered(), asker=STAFF)
    with pytest.raises(NotFoundError):
        breach_timeline(uow_factory=container.unit_of_work, breach_id=999_999)


def test_a_closed_breach_is_kept_two_years_then_purged_and_takes_no_more_events(container, context):
    breach = open_breach(context, reference="BR-2026-050", asker=STAFF)
    record_breach_event(context, breach_id=breach.id, event=discovered(), asker=STAFF)
    with pytest.raises(RetentionFloorError, match="still open"):
        purge_breach(context, breach_id=breach.id, asker=STAFF)
    closed = close_breach(context, breach_id=breach.id, reason="customers notified", asker=STAFF)
    assert closed.closed_at == AFTER
    timeline = breach_timeline(uow_factory=container.unit_of_work, breach_id=breach.id)
    assert [(e.kind, dict(e.details)) for e in timeline][-1] == (
        K.STATUS_CHANGED,
        {"status": "closed", "reason": "customers notified"},
    )
    with pytest.raises(InvalidInputError, match="closed breach"):
        record_breach_event(context, breach_id=breach.id, event=determined(), asker=STAFF)
    context.clock.pin(add_years(AFTER, 2))
    with pytest.raises(RetentionFloorError, match="kept at least 2 years"):
        purge_breach(context, breach_id=breach.id, asker=STAFF)
    assert len(breach_timeline(uow_factory=container.unit_of_work, breach_id=breach.id)) == 2
    context.clock.pin(add_years(AFTER, 2) + timedelta(seconds=1))
    assert purge_breach(context, breach_id=breach.id, asker=STAFF) == 2
    with pytest.raises(NotFoundError):
        breach_timeline(uow_factory=container.unit_of_work, breach_id=breach.id)
