"""`cpniguard worker`: delivers the outbox to real servers; a killed worker loses and repeats nothing."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import threading
import time

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.conftest import make_settings
from tests.factories import add_account
from typer.testing import CliRunner

from cpniguard.adapters.db.tables import OutboxMessage
from cpniguard.bootstrap import build_container
from cpniguard.cli import worker
from cpniguard.domain.accounts import Language
from cpniguard.domain.notifications import DeliveryStatus, NoticeChannel
from cpniguard.services.ports import OutboundMessage
from cpniguard.worker import deliver_until_stopped

pytest_plugins = ["tests.outbox_servers"]


def write_messages(url: str, *messages: tuple[NoticeChannel, str]) -> None:
    """Commit one message per (channel, recipient), as a service would with its cause."""
    container = build_container(make_settings(url))
    try:
        with Session(container.engine) as session:
            account, _ = add_account(session, language=Language.FR)
            session.commit()
        with container.unit_of_work() as uow:
            for n, (channel, recipient) in enumerate(messages):
                uow.outbox.enqueue(
                    OutboundMessage(
                        idempotency_key=f"account_change:{account}:pin:{n}",
                        account_id=account,
                        channel=channel,
                        recipient=recipient,
                        language=Language.FR,
                        template="account_change",
                        subject="Votre NIP a été modifié",
                        body=f"Votre NIP a été modifié ({n}). Fraude ? Appelez le 611.",
                    ),
                    at=container.clock.now(),
                )
            uow.commit()
    finally:
        container.dispose()


def stored(url: str) -> list[OutboxMessage]:
    container = build_container(make_settings(url))
    try:
        with Session(container.engine) as session:
            return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    finally:
        container.dispose()


@pytest.fixture
def environment(cli_environment, smtp_server, gateway, tmp_path):
    return cli_environment | {
        "CPNIGUARD_SMTP__HOST": smtp_server.host,
        "CPNIGUARD_SMTP__PORT": str(smtp_server.port),
        "CPNIGUARD_SMTP__SENDER": "cpni@carrier.example",
        "CPNIGUARD_GATEWAY__BASE_URL": gateway.base_url,
        "CPNIGUARD_OUTBOX__PRINT_QUEUE_DIR": str(tmp_path / "print-queue"),
        "CPNIGUARD_OUTBOX__SEND_TIMEOUT_SECONDS": "1",
        "CPNIGUARD_OUTBOX__LEASE_SECONDS": "3",
        "CPNIGUARD_OUTBOX__FIRST_RETRY_SECONDS": "60",
        "CPNIGUARD_OUTBOX__POLL_SECONDS": "0.2",
        "COLUMNS": "200",
    }


def run_once(environment):
    return CliRunner().invoke(worker.app, ["--once"], env=environment)


def test_worker_once_delivers_email_sms_voice_and_letters_to_real_servers(
    environment, fresh_database_url, smtp_server, gateway, tmp_path
):
    write_messages(
        fresh_database_url,
        (NoticeChannel.EMAIL, "luc@client.example"),
        (NoticeChannel.SMS, "+12025550143"),
        (NoticeChannel.VOICE, "+12025550144"),
        (NoticeChannel.LETTER, "Luc Tremblay, 12 rue des Érables, Burlington VT 05401"),
    )
    result = run_once(environment)
    assert result.exit_code == 0, result.output
    assert "sent 4, to retry 0, dead 0" in result.stdout
    [email] = smtp_server.inbox.messages
    assert (email["To"], str(email["Subject"])) == ("luc@client.example", "Votre NIP a été modifié")
    assert sorted(r.path.rsplit("/", 1)[1] for r in gateway.requests) == ["Calls.json", "Messages.json"]
    [letter] = (tmp_path / "print-queue").iterdir()
    text = PdfReader(io.BytesIO(letter.read_bytes())).pages[0].extract_text()
    assert "Votre NIP a été modifié (3)" in text
    assert "12 rue des Érables" in text
    rows = stored(fresh_database_url)
    assert {r.status for r in rows} == {DeliveryStatus.SENT}
    assert rows[3].provider_reference == letter.name


def test_worker_once_schedules_a_retry_and_dead_letters_a_refused_number(
    environment, fresh_database_url, gateway, tmp_path
):
    gateway.status = 400
    write_messages(fresh_database_url, (NoticeChannel.SMS, "+12025550143"))
    unreachable = environment | {"CPNIGUARD_SMTP__PORT": "1"}
    write_messages(fresh_database_url, (NoticeChannel.EMAIL, "luc@client.example"))
    result = run_once(unreachable)
    assert result.exit_code == 0, result.output
    assert "sent 0, to retry 1, dead 1" in result.stdout
    by_channel = {r.channel: r for r in stored(fresh_database_url)}
    sms, email = by_channel[NoticeChannel.SMS], by_channel[NoticeChannel.EMAIL]
    assert sms.status is DeliveryStatus.DEAD
    assert "permanent failure: gateway answered 400" in (sms.last_error or "")
    assert (email.status, email.attempts) == (DeliveryStatus.PENDING, 1)
    assert "SMTP server unreachable" in (email.last_error or "")
    assert (email.next_attempt_at - email.created_at).total_seconds() >= 60


def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(
    environment, fresh_database_url, gateway, tmp_path
):
    write_messages(fresh_database_url, *[(NoticeChannel.SMS, f"+1202555014{n}") for n in range(3)])
    gateway.hold = threading.Event()
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "cpniguard.cli.worker"], env=environment, stdout=log, stderr=log
    )
    try:
        assert gateway.arrived.wait(30), (tmp_path / "worker.log").read_text()
        process.send_signal(signal.SIGKILL)  # mid-request: the gateway has it, the outbox does not know
        process.wait(10)
    finally:
        process.kill()
        log.close()
    gateway.hold.set()
    gateway.hold = None
    [interrupted] = gateway.requests
    in_flight = stored(fresh_database_url)
    assert [r.status for r in in_flight].count(DeliveryStatus.SENDING) >= 1
    time.sleep(3.2)  # the dead worker's lease ends
    result = run_once(environment)
    assert result.exit_code == 0, result.output
    rows = stored(fresh_database_url)
    assert {r.status for r in rows} == {DeliveryStatus.SENT}
    keys = [r.idempotency_key for r in rows]
    # Nothing lost: every message reached the gateway; nothing twice: one delivery per key,
    # the repeat of the interrupted one carried the same key and was dropped.
    assert sorted(gateway.delivered) == sorted(keys)
    assert [r.headers["idempotency-key"] for r in gateway.requests].count(
        interrupted.headers["idempotency-key"]
    ) == 2
    assert len(gateway.requests) == len(keys) + 1


def test_unknown_options_are_bad_input(environment):
    result = CliRunner().invoke(worker.app, ["--forever"], env=environment)
    assert result.exit_code == 2


def test_a_lease_shorter_than_two_sends_is_a_configuration_error(environment):
    result = CliRunner().invoke(
        worker.app, ["--once"], env=environment | {"CPNIGUARD_OUTBOX__LEASE_SECONDS": "1.5"}
    )
    assert result.exit_code == 3
    assert "lease_seconds must exceed twice send_timeout_seconds" in result.output


def test_the_running_worker_delivers_as_messages_arrive_and_stops_when_asked(
    environment, fresh_database_url, smtp_server, monkeypatch
):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    container = build_container()
    stop = threading.Event()
    running = threading.Thread(target=deliver_until_stopped, args=(container, stop))
    running.start()
    try:
        write_messages(fresh_database_url, (NoticeChannel.EMAIL, "luc@client.example"))
        deadline = time.monotonic() + 30
        while not smtp_server.inbox.messages and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        running.join(30)
        container.dispose()
    assert not running.is_alive()
    assert [m["To"] for m in smtp_server.inbox.messages] == ["luc@client.example"]
