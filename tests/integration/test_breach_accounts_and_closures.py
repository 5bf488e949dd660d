"""Affected accounts, reopening, listing and the Commission's closure days (64.2011(d); 47 CFR 1.4(e)(1))."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests.factories import add_account, add_contact_point

from cpniguard.adapters.db.tables import (
    AccessLogRecord,
    BreachAffectedAccountRecord,
    BreachEventRecord,
    CommissionClosureRecord,
)
from cpniguard.bootstrap import Container
from cpniguard.domain.accounts import ContactKind, Language
from cpniguard.domain.breach_timeline import BreachEvent, BreachEventKind, BreachStatus
from cpniguard.domain.consent_retention import RetentionFloorError
from cpniguard.domain.disclosure_request import ActorKind
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.services.breach import (
    BreachContext,
    breach_deadlines_for,
    breach_record,
    breach_status,
    breach_timeline,
    close_breach,
    list_breaches,
    open_breach,
    purge_breach,
    record_breach_event,
    reopen_breach,
)
from cpniguard.services.breach_accounts import (
    MAX_ACCOUNTS_PER_BATCH,
    add_affected_accounts,
    affected_account_count,
)
from cpniguard.services.commission_closures import add_closure, list_closures, remove_closure
from cpniguard.services.disclosure import Asker

STAFF = Asker(kind=ActorKind.EMPLOYEE, role=Role.COMPLIANCE_OFFICER, label="compliance")
K = BreachEventKind
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
THANKSGIVING_WEEK_THURSDAY = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)
"""Thursday 10:00 in Washington: the issue's example, whose seventh business day is Tue 2026-12-01."""


@pytest.fixture
def context(container: Container) -> BreachContext:
    container.clock.pin(NOW)
    return container.breach_context()


def counted(container: Container, table: type) -> int:
    with container.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(table)) or 0)


def accounts(container: Container, count: int, **kwargs: object) -> list[str]:
    with container.unit_of_work() as uow:
        numbers = [add_account(uow.session, **kwargs)[1] for _ in range(count)]  # type: ignore[arg-type]
        uow.commit()
    return numbers


def determined_breach(context: BreachContext, reference: str = "BR-1") -> int:
    breach = open_breach(context, reference=reference, asker=STAFF)
    for kind, details in (
        (K.DISCOVERED, {"how": "SOC alert"}),
        (K.DETERMINED, {"basis": "export with a revoked token"}),
    ):
        event = BreachEvent(kind, THANKSGIVING_WEEK_THURSDAY, NOW, "x", details=details)
        record_breach_event(context, breach_id=breach.id, event=event, asker=STAFF)
    return breach.id


def test_affected_accounts_are_recorded_once_each_and_counted(container, context):
    numbers = accounts(container, 3)
    breach_id = determined_breach(context)

    first = add_affected_accounts(context, breach_id=breach_id, account_numbers=numbers[:2], asker=STAFF)
    again = add_affected_accounts(context, breach_id=breach_id, account_numbers=numbers, asker=STAFF)

    assert (first.added, first.total) == (2, 2)
    assert (again.added, again.total) == (1, 3)
    assert affected_account_count(context, breach_id=breach_id) == 3
    with container.unit_of_work() as uow:
        keys = [uow.accounts.key_of(n) for n in numbers]
        assert uow.breaches.affected_accounts(breach_id) == sorted(keys)
        assert uow.breaches.affected_accounts(breach_id, after_account_id=min(keys), limit=1) == [
            sorted(keys)[1]
        ]


def test_a_batch_naming_an_unknown_account_records_none_of_it(container, context):
    numbers = accounts(container, 2)
    breach_id = determined_breach(context)
    log_before = counted(container, AccessLogRecord)

    with pytest.raises(InvalidInputError) as refused:
        add_affected_accounts(
            context, breach_id=breach_id, account_numbers=[numbers[0], "NOPE-1", numbers[1]], asker=STAFF
        )

    assert refused.value.problems[0].location == "account_numbers"
    assert "'NOPE-1'" in refused.value.problems[0].message
    assert counted(container, BreachAffectedAccountRecord) == 0
    assert counted(container, AccessLogRecord) == log_before


@pytest.mark.parametrize(
    ("batch", "location"),
    [
        ([], "account_numbers"),
        (["A"] * (MAX_ACCOUNTS_PER_BATCH + 1), "account_numbers"),
        (["ok", " padded"], "account_numbers[1]"),
        (["x" * 33], "account_numbers[0]"),
        (["bell\x07"], "account_numbers[0]"),
    ],
    ids=["empty", "too-many", "padded", "too-long", "control-character"],
)
def test_a_malformed_batch_is_refused_naming_where(container, context, batch, location):
    breach_id = determined_breach(context)

    with pytest.raises(InvalidInputError) as refused:
        add_affected_accounts(context, breach_id=breach_id, account_numbers=batch, asker=STAFF)

    assert location in [problem.location for problem in refused.value.problems]
    assert counted(container, BreachAffectedAccountRecord) == 0


def test_affected_customers_carry_their_addresses_of_record_and_language(container, context):
    opened = NOW - timedelta(days=400)
    with container.unit_of_work() as uow:
        email_key, email_number = add_account(uow.session, language=Language.FR, opened_at=opened)
        add_contact_point(
            uow.session, email_key, ContactKind.EMAIL_ADDRESS, "a@example.com", associated_at=opened
        )
        letter_key, letter_number = add_account(uow.session, opened_at=opened)
        add_contact_point(
            uow.session, letter_key, ContactKind.POSTAL_ADDRESS, "1 Main St, Albany NY", associated_at=opened
        )
        # Too new to be an address of record (64.2003(b): on the account 30 days).
        add_contact_point(
            uow.session,
            letter_key,
            ContactKind.EMAIL_ADDRESS,
            "new@example.com",
            associated_at=NOW - timedelta(days=2),
        )
        uow.commit()
    breach_id = determined_breach(context)
    add_affected_accounts(
        context, breach_id=breach_id, account_numbers=[email_number, letter_number], asker=STAFF
    )

    with container.unit_of_work() as uow:
        found = {c.account_number: c for c in uow.breaches.affected_customers(breach_id, as_of=NOW)}

    assert (found[email_number].language, found[email_number].email_of_record) == (
        Language.FR,
        "a@example.com",
    )
    assert found[email_number].postal_address_of_record is None
    assert found[letter_number].email_of_record is None
    assert found[letter_number].postal_address_of_record == "1 Main St, Albany NY"


def test_a_closed_breach_takes_no_accounts_until_it_is_reopened(container, context):
    numbers = accounts(container, 1)
    breach_id = determined_breach(context)
    close_breach(context, breach_id=breach_id, reason="handled", asker=STAFF)

    with pytest.raises(InvalidInputError):
        add_affected_accounts(context, breach_id=breach_id, account_numbers=numbers, asker=STAFF)
    reopened = reopen_breach(context, breach_id=breach_id, reason="a second export surfaced", asker=STAFF)

    assert reopened.closed_at is None
    assert (
        add_affected_accounts(context, breach_id=breach_id, account_numbers=numbers, asker=STAFF).added == 1
    )
    timeline = breach_timeline(uow_factory=container.unit_of_work, breach_id=breach_id)
    assert [e.details["status"] for e in timeline if e.kind is K.STATUS_CHANGED] == ["closed", "open"]
    assert breach_status(
        timeline, breach_record(uow_factory=container.unit_of_work, breach_id=breach_id)
    ) == (BreachStatus.OPEN)


def test_only_a_closed_breach_reopens_and_an_unknown_one_is_not_found(container, context):
    breach_id = determined_breach(context)
    events_before = counted(container, BreachEventRecord)

    with pytest.raises(InvalidInputError) as refused:
        reopen_breach(context, breach_id=breach_id, reason="x", asker=STAFF)
    with pytest.raises(NotFoundError):
        reopen_breach(context, breach_id=breach_id + 99, reason="x", asker=STAFF)

    assert "only a closed breach reopens" in refused.value.problems[0].message
    assert counted(container, BreachEventRecord) == events_before


def test_a_status_event_may_not_close_a_breach_behind_close_breachs_back(container, context):
    breach_id = determined_breach(context)
    closing = BreachEvent(K.STATUS_CHANGED, NOW, NOW, "x", details={"status": "closed"})

    with pytest.raises(InvalidInputError) as refused:
        record_breach_event(context, breach_id=breach_id, event=closing, asker=STAFF)

    assert refused.value.problems[0].location == "details.status"
    assert breach_record(uow_factory=container.unit_of_work, breach_id=breach_id).closed_at is None


def test_reopening_restarts_the_two_year_floor_at_the_next_close(container, context):
    breach_id = determined_breach(context)
    close_breach(context, breach_id=breach_id, reason="handled", asker=STAFF)
    container.clock.pin(NOW + timedelta(days=800))
    reopen_breach(context, breach_id=breach_id, reason="new facts", asker=STAFF)
    close_breach(context, breach_id=breach_id, reason="handled again", asker=STAFF)
    container.clock.pin(NOW + timedelta(days=900))

    with pytest.raises(RetentionFloorError):
        purge_breach(context, breach_id=breach_id, asker=STAFF)


def test_the_purge_takes_the_affected_accounts_with_the_breach(container, context):
    numbers = accounts(container, 2)
    breach_id = determined_breach(context)
    add_affected_accounts(context, breach_id=breach_id, account_numbers=numbers, asker=STAFF)
    close_breach(context, breach_id=breach_id, reason="handled", asker=STAFF)
    container.clock.pin(NOW + timedelta(days=732))

    purge_breach(context, breach_id=breach_id, asker=STAFF)

    assert counted(container, BreachAffectedAccountRecord) == 0


def test_breaches_list_in_id_order_by_status_and_page(container, context):
    ids = [determined_breach(context, f"BR-{n}") for n in range(3)]
    close_breach(context, breach_id=ids[1], reason="handled", asker=STAFF)
    factory = container.unit_of_work

    assert [b.id for b in list_breaches(uow_factory=factory)] == ids
    assert [b.id for b in list_breaches(uow_factory=factory, closed=True)] == [ids[1]]
    assert [b.id for b in list_breaches(uow_factory=factory, closed=False)] == [ids[0], ids[2]]
    assert [b.id for b in list_breaches(uow_factory=factory, after_id=ids[0], limit=1)] == [ids[1]]
    with pytest.raises(InvalidInputError):
        list_breaches(uow_factory=factory, limit=0)


def test_a_recorded_closure_moves_the_agency_deadline_past_it(container, context):
    breach_id = determined_breach(context)

    def agency_due() -> date | None:
        found = breach_deadlines_for(
            uow_factory=container.unit_of_work,
            breach_id=breach_id,
            calendar=container.business_calendar(),
            amendments_effective_on=None,
        )
        return next(d.due_on for d in found.deadlines if d.name == "agency_notice")

    assert agency_due() == date(2026, 12, 1)
    add_closure(context, day=date(2026, 11, 30), reason="Executive order: offices closed", asker=STAFF)
    assert agency_due() == date(2026, 12, 2)
    remove_closure(context, day=date(2026, 11, 30), asker=STAFF)
    assert agency_due() == date(2026, 12, 1)


def test_closures_list_by_date_range_and_each_change_is_logged(container, context):
    log_before = counted(container, AccessLogRecord)
    for day in (date(2026, 12, 24), date(2027, 1, 19), date(2026, 3, 3)):
        add_closure(context, day=day, reason="closure", asker=STAFF)

    everything = list_closures(uow_factory=container.unit_of_work)
    december = list_closures(
        uow_factory=container.unit_of_work, first=date(2026, 12, 1), last=date(2026, 12, 31)
    )

    assert [c.day for c in everything] == [date(2026, 3, 3), date(2026, 12, 24), date(2027, 1, 19)]
    assert [(c.day, c.added_by, c.added_at) for c in december] == [(date(2026, 12, 24), "compliance", NOW)]
    assert counted(container, AccessLogRecord) == log_before + 3


@pytest.mark.parametrize(
    ("day", "reason", "location"),
    [
        (date(2026, 11, 28), "storm", "day"),
        (date(2026, 11, 30), "  ", "reason"),
        (date(2026, 11, 30), "x" * 501, "reason"),
        (date(1999, 12, 31), "storm", "day"),
    ],
    ids=["saturday", "blank-reason", "long-reason", "out-of-range"],
)
def test_a_bad_closure_is_refused_naming_where_and_writes_nothing(container, context, day, reason, location):
    log_before = counted(container, AccessLogRecord)

    with pytest.raises(InvalidInputError) as refused:
        add_closure(context, day=day, reason=reason, asker=STAFF)

    assert [p.location for p in refused.value.problems] == [location]
    assert counted(container, CommissionClosureRecord) == 0
    assert counted(container, AccessLogRecord) == log_before


def test_a_closure_is_recorded_once_and_removing_an_absent_one_is_not_found(container, context):
    add_closure(context, day=date(2026, 11, 30), reason="storm", asker=STAFF)

    with pytest.raises(InvalidInputError) as refused:
        add_closure(context, day=date(2026, 11, 30), reason="again", asker=STAFF)
    with pytest.raises(NotFoundError):
        remove_closure(context, day=date(2026, 12, 1), asker=STAFF)
    with pytest.raises(InvalidInputError):
        list_closures(uow_factory=container.unit_of_work, first=date(2026, 12, 2), last=date(2026, 12, 1))

    assert "already recorded" in refused.value.problems[0].message
    assert counted(container, CommissionClosureRecord) == 1


def test_large_batches_are_written_in_slices_without_losing_or_doubling_any(container, context, monkeypatch):
    # A small slice stands in for the 5,000-row slices that keep PostgreSQL under 65,535 parameters.
    monkeypatch.setattr("cpniguard.adapters.db.breach.AFFECTED_INSERT_ROWS", 2)
    monkeypatch.setattr("cpniguard.adapters.db.repositories.KEYS_QUERY_NUMBERS", 2)
    numbers = accounts(container, 5)
    breach_id = determined_breach(context)
    add_affected_accounts(context, breach_id=breach_id, account_numbers=numbers[1:3], asker=STAFF)

    added = add_affected_accounts(context, breach_id=breach_id, account_numbers=numbers, asker=STAFF)

    assert (added.added, added.total) == (3, 5)
