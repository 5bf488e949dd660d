"""Breach deadline reminders written to the outbox for the compliance officer (47 CFR 64.2011)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cpniguard.adapters.db.tables import OutboxMessage
from cpniguard.bootstrap import Container
from cpniguard.domain.accounts import Language
from cpniguard.domain.breach_timeline import Breach, BreachEvent, BreachEventKind
from cpniguard.domain.disclosure_request import ActorKind
from cpniguard.domain.employees import Role
from cpniguard.domain.notifications import DeliveryStatus, NoticeChannel
from cpniguard.services import breach_reminders as reminders_service
from cpniguard.services.breach import BreachContext, close_breach, open_breach, record_breach_event
from cpniguard.services.breach_reminders import ReminderTerms, breach_reminders, queue_breach_reminders
from cpniguard.services.disclosure import Asker

STAFF = Asker(kind=ActorKind.EMPLOYEE, role=Role.COMPLIANCE_OFFICER, label="compliance")
K = BreachEventKind
OFFICER = "privacy-office@carrier.example"
OPENED = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
"""Friday 09:00 in Washington, the week before Thanksgiving (Thursday 2026-11-26)."""
DISCOVERY = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)
DETERMINATION = datetime(2026, 11, 19, 19, 0, tzinfo=UTC)
"""Thursday: the legacy agency notice is due Tuesday 2026-12-01."""
WEDNESDAY = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
"""3 business days before the agency notice is due (Thanksgiving and the weekend skipped)."""
FRIDAY = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


@pytest.fixture
def context(container: Container) -> BreachContext:
    container.clock.pin(OPENED)
    return BreachContext(container.unit_of_work, container.clock)


def terms(container: Container, officer_email: str | None = OFFICER) -> ReminderTerms:
    return ReminderTerms(
        uow_factory=container.unit_of_work,
        clock=container.clock,
        calendar=container.business_calendar(),
        amendments_effective_on=None,
        annual_summary_due=(2, 1),
        officer_email=officer_email,
        lead_business_days=(3, 1, 0),
    )


def add_event(context: BreachContext, breach: Breach, kind: BreachEventKind, at: datetime, **details) -> None:
    event = BreachEvent(kind, at, at, "compliance", details=details)
    record_breach_event(context, breach_id=breach.id, event=event, asker=STAFF)


def determined_breach(
    context: BreachContext, reference: str, *, discovered_at=DISCOVERY, determined_at=DETERMINATION
) -> Breach:
    breach = open_breach(context, reference=reference, asker=STAFF)
    add_event(context, breach, K.DISCOVERED, discovered_at, how="SOC alert on a bulk call-detail export")
    add_event(context, breach, K.DETERMINED, determined_at, basis="a revoked contractor's token was used")
    return breach


def reminders_in_outbox(container: Container) -> list[OutboxMessage]:
    with container.sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.template == "breach_reminder")
        found = list(session.scalars(query.order_by(OutboxMessage.id)))
        session.expunge_all()
        return found


def queue_at(container: Container, instant: datetime, officer_email: str | None = OFFICER) -> int:
    container.clock.pin(instant)
    return queue_breach_reminders(terms(container, officer_email))


def test_a_reminder_is_queued_once_a_day_as_an_email_to_the_officer_on_each_lead_day(container, context):
    breach = determined_breach(context, "BR-2026-017")
    assert queue_at(container, WEDNESDAY) == 1
    assert queue_at(container, WEDNESDAY.replace(hour=20)) == 0  # the same Eastern day, swept again
    [message] = reminders_in_outbox(container)
    assert message.idempotency_key == f"breach-reminder:{breach.id}:agency_notice:2026-11-25"
    assert (message.account_id, message.channel, message.recipient, message.language) == (
        None,
        NoticeChannel.EMAIL,
        OFFICER,
        Language.EN,
    )
    assert message.status is DeliveryStatus.PENDING
    assert message.subject == "Breach BR-2026-017: agency notice due Tue 2026-12-01 (3 business days left)"
    assert "Rule: 47 CFR 64.2011(b)." in message.body
    assert queue_at(container, FRIDAY) == 0  # 2 business days left: not a lead day
    assert queue_at(container, MONDAY) == 1
    assert [m.idempotency_key.rsplit(":", 1)[1] for m in reminders_in_outbox(container)] == [
        "2026-11-25",
        "2026-11-30",
    ]


def test_nothing_is_queued_without_an_officer_email_though_the_reminders_are_listed(container, context):
    determined_breach(context, "BR-2026-017")
    assert queue_at(container, WEDNESDAY, officer_email=None) == 0
    assert queue_at(container, WEDNESDAY, officer_email="  ") == 0
    assert reminders_in_outbox(container) == []
    [listed] = breach_reminders(terms(container, officer_email=None))
    assert (listed.breach_reference, listed.deadline_name, listed.business_days_left) == (
        "BR-2026-017",
        "agency_notice",
        3,
    )


def test_closed_breaches_and_done_duties_are_not_reminded(container, context):
    determined_breach(context, "BR-2026-017")
    closed = determined_breach(context, "BR-2026-018")
    close_breach(context, breach_id=closed.id, reason="a false alarm: the export was authorized", asker=STAFF)
    notified = determined_breach(context, "BR-2026-019")
    add_event(context, notified, K.AGENCY_NOTIFIED, OPENED, agencies="USSS,FBI", reference="CRF-88412")
    assert queue_at(container, WEDNESDAY) == 1
    assert [m.subject.split(":")[0] for m in reminders_in_outbox(container)] == ["Breach BR-2026-017"]


def test_a_breach_without_a_determination_is_reminded_every_business_day_after_the_first(container, context):
    breach = open_breach(context, reference="BR-2026-020", asker=STAFF)
    add_event(context, breach, K.DISCOVERED, DISCOVERY, how="a customer reported a stranger's call list")
    assert queue_at(container, datetime(2026, 11, 23, 14, 0, tzinfo=UTC)) == 0  # open 1 business day
    assert queue_at(container, WEDNESDAY) == 1
    [message] = reminders_in_outbox(container)
    assert message.idempotency_key == f"breach-reminder:{breach.id}:determination:2026-11-25"
    assert "its determination is not recorded yet" in message.body


def test_every_page_of_open_breaches_is_reminded(container, context, monkeypatch):
    monkeypatch.setattr(reminders_service, "PAGE_SIZE", 2)
    references = [f"BR-2026-{n:03}" for n in range(30, 35)]
    breaches = [determined_breach(context, reference) for reference in references]
    close_breach(context, breach_id=breaches[1].id, reason="merged into BR-2026-030", asker=STAFF)
    assert queue_at(container, WEDNESDAY) == 4
    assert [m.subject.split(":")[0] for m in reminders_in_outbox(container)] == [
        f"Breach {reference}" for n, reference in enumerate(references) if n != 1
    ]


def test_a_breach_outside_the_calendars_years_is_logged_and_the_others_are_still_reminded(
    container, context, caplog
):
    # Before 2021, the first year the federal calendar holds all 11 holidays.
    old = datetime(2020, 3, 2, 15, 0, tzinfo=UTC)
    determined_breach(context, "BR-2023-004", discovered_at=old, determined_at=old)
    determined_breach(context, "BR-2026-017")
    with caplog.at_level(logging.WARNING, logger=reminders_service.__name__):
        assert queue_at(container, WEDNESDAY) == 1
    assert "breach BR-2023-004: no reminders computed" in caplog.text
    assert [m.subject.split(":")[0] for m in reminders_in_outbox(container)] == ["Breach BR-2026-017"]
