"""`cpniguard worker --once` reminds the compliance officer of breach deadlines by email (47 CFR 64.2011)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from tests.conftest import make_settings
from typer.testing import CliRunner

from cpniguard import bootstrap
from cpniguard.adapters.clock import AdjustableClock
from cpniguard.adapters.db.tables import OutboxMessage
from cpniguard.bootstrap import build_container
from cpniguard.cli import worker
from cpniguard.domain.accounts import Language
from cpniguard.domain.breach_timeline import BreachEvent, BreachEventKind
from cpniguard.domain.disclosure_request import ActorKind
from cpniguard.domain.employees import Role
from cpniguard.domain.notifications import DeliveryStatus, NoticeChannel
from cpniguard.services.breach import BreachContext, open_breach, record_breach_event
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import OutboundMessage
from cpniguard.worker import deliver_until_stopped

pytest_plugins = ["tests.outbox_servers"]

STAFF = Asker(kind=ActorKind.EMPLOYEE, role=Role.COMPLIANCE_OFFICER, label="compliance")
OFFICER = "privacy-office@carrier.example"
OPENED = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
DISCOVERY = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)
DETERMINATION = datetime(2026, 11, 19, 19, 0, tzinfo=UTC)
"""Thursday before Thanksgiving: the legacy agency notice is due Tuesday 2026-12-01."""
WEDNESDAY = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
"""3 business days before it is due (Thanksgiving and the weekend skipped)."""


@pytest.fixture
def environment(cli_environment, smtp_server, monkeypatch):
    # The worker's clock is pinned to the Wednesday, as an administrator could pin it outside production.
    monkeypatch.setattr(bootstrap, "AdjustableClock", lambda: AdjustableClock(pinned=WEDNESDAY))
    return cli_environment | {
        "CPNIGUARD_SMTP__HOST": smtp_server.host,
        "CPNIGUARD_SMTP__PORT": str(smtp_server.port),
        "CPNIGUARD_SMTP__SENDER": "cpni@carrier.example",
        "CPNIGUARD_BREACH__COMPLIANCE_OFFICER_EMAIL": OFFICER,
        "COLUMNS": "200",
    }


@pytest.fixture
def breach_id(fresh_database_url) -> int:
    """A breach determined on Thursday 2026-11-19, its agency notice not sent, committed."""
    container = build_container(make_settings(fresh_database_url))
    try:
        container.clock.pin(OPENED)  # type: ignore[attr-defined]
        context = BreachContext(container.unit_of_work, container.clock)
        breach = open_breach(context, reference="BR-2026-017", asker=STAFF)
        for kind, at, details in (
            (BreachEventKind.DISCOVERED, DISCOVERY, {"how": "SOC alert on a bulk call-detail export"}),
            (BreachEventKind.DETERMINED, DETERMINATION, {"basis": "a revoked contractor's token was used"}),
        ):
            event = BreachEvent(kind, at, at, "compliance", details=details)
            record_breach_event(context, breach_id=breach.id, event=event, asker=STAFF)
        return breach.id
    finally:
        container.dispose()


def reminders_stored(url: str) -> list[OutboxMessage]:
    container = build_container(make_settings(url))
    try:
        with Session(container.engine) as session:
            query = select(OutboxMessage).where(OutboxMessage.template == "breach_reminder")
            return list(session.scalars(query))
    finally:
        container.dispose()


def run_once(environment):
    result = CliRunner().invoke(worker.app, ["--once"], env=environment)
    assert result.exit_code == 0, result.output
    return result


def test_worker_once_queues_and_delivers_the_reminder_to_the_officer_once_a_day(
    environment, breach_id, fresh_database_url, smtp_server
):
    assert "sent 1, to retry 0, dead 0" in run_once(environment).stdout
    [email] = smtp_server.inbox.messages
    assert email["To"] == OFFICER
    # Python's email folding puts a long subject on its own continuation line: unfolded, it
    # starts with the folding space, which mail clients drop as well.
    subject = str(email["Subject"]).strip()
    assert subject == "Breach BR-2026-017: agency notice due Tue 2026-12-01 (3 business days left)"
    body = email.get_content()
    assert "To whom: USSS, FBI." in body
    assert "Rule: 47 CFR 64.2011(b)." in body
    assert "skipping weekends and the FCC's closed days Thu 2026-11-26" in body
    assert "sent 0, to retry 0, dead 0" in run_once(environment).stdout
    assert len(smtp_server.inbox.messages) == 1
    [stored] = reminders_stored(fresh_database_url)
    assert (stored.idempotency_key, stored.status) == (
        f"breach-reminder:{breach_id}:agency_notice:2026-11-25",
        DeliveryStatus.SENT,
    )


def test_worker_once_sends_no_reminder_when_no_officer_email_is_set(
    environment, breach_id, fresh_database_url, smtp_server
):
    unset = {k: v for k, v in environment.items() if k != "CPNIGUARD_BREACH__COMPLIANCE_OFFICER_EMAIL"}
    assert "sent 0, to retry 0, dead 0" in run_once(unset).stdout
    assert smtp_server.inbox.messages == []
    assert reminders_stored(fresh_database_url) == []


def test_the_running_worker_reminds_on_its_first_pass(environment, breach_id, smtp_server, monkeypatch):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    container = build_container()
    stop = threading.Event()
    running = threading.Thread(target=deliver_until_stopped, args=(container, stop))
    running.start()
    try:
        deadline = time.monotonic() + 30
        while not smtp_server.inbox.messages and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        running.join(30)
        container.dispose()
    assert not running.is_alive()
    assert [m["To"] for m in smtp_server.inbox.messages] == [OFFICER]


def test_a_failing_reminder_sweep_is_logged_and_the_outbox_is_still_delivered(
    environment, fresh_database_url, smtp_server, caplog
):
    container = build_container(make_settings(fresh_database_url))
    try:
        with container.unit_of_work() as uow:
            change = OutboundMessage(
                idempotency_key="account_change:1:pin:0",
                account_id=None,
                channel=NoticeChannel.EMAIL,
                recipient="luc@client.example",
                language=Language.EN,
                template="account_change",
                subject="Your PIN was changed",
                body="Your PIN was changed. Not you? Call 611.",
            )
            uow.outbox.enqueue(change, at=container.clock.now())
            uow.commit()
        with container.engine.begin() as connection:  # the breach record is gone: the sweep fails
            connection.execute(text("ALTER TABLE breaches RENAME TO breaches_elsewhere"))
    finally:
        container.dispose()
    with caplog.at_level(logging.ERROR, logger="cpniguard.worker"):
        assert "sent 1, to retry 0, dead 0" in run_once(environment).stdout
    assert "queuing breach deadline reminders failed" in caplog.text
    assert [m["To"] for m in smtp_server.inbox.messages] == ["luc@client.example"]
