"""`cpniguard mailbox` as a real process: a real SMTP client writes, a real SMTP sink gets the confirmation.

47 CFR 64.2008(d)(3): customers opt out by email, free and at any time. Every message is stored
raw before "250"; odd mail (unknown senders, malformed MIME, non-UTF-8 text, huge or spoofed-looking
messages) is handled without a crash; a mailbox killed before processing loses nothing.
"""

from __future__ import annotations

import itertools
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from tests.conftest import make_settings
from tests.e2e.consent_scenario import add_customer, ledger, mailbox_messages, projection, report_now
from tests.processes import free_port

from cpniguard.bootstrap import build_container
from cpniguard.cli.mailbox import process_until_stopped
from cpniguard.domain.accounts import Language
from cpniguard.domain.consent_events import APPROVAL_CLASSES, ConsentEventKind, ConsentScope, ConsentSource
from cpniguard.domain.disclosure_request import Approval, RecipientClass
from cpniguard.domain.mailbox import MailboxStatus
from cpniguard.services.mailbox import review_queue, store_mail

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.outbox_servers"]

MAILBOX = "optout@carrier.example"
MAX_BYTES = 20_000
START_SECONDS = 30
CONFIRMATION_SUBJECT = "Your choice about your customer proprietary network information (CPNI) was recorded"


@pytest.fixture
def environment(cli_environment, smtp_server):
    return cli_environment | {
        "CPNIGUARD_CONSENT__OPT_OUT_ADDRESS": MAILBOX,
        "CPNIGUARD_CONSENT__MAILBOX_MAX_BYTES": str(MAX_BYTES),
        "CPNIGUARD_SMTP__HOST": smtp_server.host,
        "CPNIGUARD_SMTP__PORT": str(smtp_server.port),
        "CPNIGUARD_SMTP__SENDER": "cpni@carrier.example",
    }


def cpniguard(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "cpniguard", *arguments]


@contextmanager
def running_mailbox(
    environment: dict[str, str], log_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`cpniguard mailbox` on a free loopback port, once it says it listens."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            cpniguard("mailbox", "--host", "127.0.0.1", "--port", str(port)),
            env=environment,
            stdout=log,
            stderr=log,
        )
        try:
            _wait_until_listening(process, log_path, f"listening on 127.0.0.1:{port}")
            yield process, port
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)


def _wait_until_listening(process: subprocess.Popen[bytes], log_path: Path, line: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while line not in log_path.read_text(errors="replace"):
        if process.poll() is not None:
            pytest.fail(f"the mailbox exited with {process.returncode}: {log_path.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the mailbox did not listen within {START_SECONDS} s: {log_path.read_text()}")
        time.sleep(0.1)


def send(port: int, envelope_sender: str, raw: bytes) -> tuple[int, str]:
    """Hand `raw` to the mailbox as a mail server would; the DATA reply."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo("mx.customer.example")
        client.mail(envelope_sender)
        code, _ = client.rcpt(MAILBOX)
        assert code == 250
        code, reply = client.data(raw)
    return code, reply.decode()


def stored_key(reply: str) -> int:
    return int(reply.rsplit(" ", 1)[1])


def composed(sender: str, subject: str, text: str, **headers: str) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = MAILBOX
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message.as_bytes()


OPT_OUT = composed(
    "Ana Tremblay <ana@customer.example>",
    "CPNI",
    "Hello,\n\nI want to opt out. Do not use my call records for marketing.\n\nAna\n",
    Message_ID="<opt-out-1@customer.example>",
)
FRENCH_REVOCATION = composed(
    "Benoît Roy <benoit@client.example>",
    "Révocation",
    "Bonjour,\n\nJe révoque mon consentement à l'utilisation de mes renseignements.\n\nBenoît\n",
)
UNKNOWN_SENDER = composed("Nobody <nobody@unknown.example>", "opt out", "Please opt out.\n")
MALFORMED_MIME = (
    b"From: Dora <dora@customer.example>\r\n"
    b"To: optout@carrier.example\r\n"
    b"Subject: unsubscribe\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed\r\n"
    b"\r\n"
    b"--nowhere\r\n"
    b"Content-Type: text/plain\r\n"
    b"\r\n"
    b"Stop. I opt out.\r\n"
)
LATIN_1_BODY = (
    b"From: Carla <carla@client.example>\r\n"
    b"To: optout@carrier.example\r\n"
    b"Subject: Refus\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"Je refuse l'utilisation de mes donn\xe9es, \xe0 toutes fins. Merci.\r\n"
)
SPOOFED = composed(
    '"ana@customer.example" <gina@customer.example>',
    "STOP",
    "Stop using my data.\n",
    Authentication_Results="mx.carrier.example; spf=pass smtp.mailfrom=customer.example; dmarc=fail",
)


def wait_until_processed(engine, count: int) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        rows = mailbox_messages(engine)
        if len(rows) == count and all(row.status is not MailboxStatus.RECEIVED for row in rows):
            return
        if time.monotonic() > deadline:
            pytest.fail(f"not processed in time: {[(r.id, r.status, r.last_error) for r in rows]}")
        time.sleep(0.1)


def test_the_mailbox_records_opt_outs_queues_doubtful_mail_for_review_and_confirms_by_email(
    environment, database, fresh_database_url, smtp_server, tmp_path
):
    customers = {
        email: add_customer(database, email, language=language)[1]
        for email, language in (
            ("ana@customer.example", Language.EN),
            ("benoit@client.example", Language.FR),
            ("carla@client.example", Language.FR),
            ("dora@customer.example", Language.EN),
            ("gina@customer.example", Language.EN),
        )
    }
    sent = {
        "opt-out": ("ana@customer.example", OPT_OUT),
        "french revocation": ("benoit@client.example", FRENCH_REVOCATION),
        "unknown sender": ("nobody@unknown.example", UNKNOWN_SENDER),
        "malformed mime": ("dora@customer.example", MALFORMED_MIME),
        "latin-1 body": ("carla@client.example", LATIN_1_BODY),
        "spoofed": ("gina@customer.example", SPOOFED),
    }
    with running_mailbox(environment, tmp_path / "mailbox.log") as (process, port):
        keys = {}
        for name, (sender, raw) in sent.items():
            if name == "spoofed":
                huge = composed("Ana <ana@customer.example>", "STOP", "x" * MAX_BYTES)
                assert send(port, "ana@customer.example", huge)[0] == 552  # refused; the server goes on
            code, reply = send(port, sender, raw)
            assert code == 250, (name, reply)
            keys[name] = stored_key(reply)
        wait_until_processed(database, len(sent))
        assert process.poll() is None, "the mailbox must survive every message"
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, (tmp_path / "mailbox.log").read_text()

    rows = {row.id: row for row in mailbox_messages(database)}
    assert len(rows) == len(sent), "the message over the size limit is refused, not stored"
    assert {name: rows[key].raw for name, key in keys.items()} == {
        name: raw for name, (_, raw) in sent.items()
    }
    status = {name: rows[key].status for name, key in keys.items()}
    assert status == {
        "opt-out": MailboxStatus.PROCESSED,
        "french revocation": MailboxStatus.PROCESSED,
        "unknown sender": MailboxStatus.NEEDS_REVIEW,
        "malformed mime": MailboxStatus.PROCESSED,
        "latin-1 body": MailboxStatus.PROCESSED,
        "spoofed": MailboxStatus.NEEDS_REVIEW,
    }

    [opt_out] = ledger(fresh_database_url, customers["ana@customer.example"])
    assert (opt_out.kind, opt_out.source, opt_out.scope) == (
        ConsentEventKind.OPTED_OUT,
        ConsentSource.MARKETING_MAILBOX,
        (),
    )
    carrier = ConsentScope(RecipientClass.CARRIER)
    standings = {
        s.scope: s for s in report_now(fresh_database_url, customers["ana@customer.example"]).standings
    }
    assert (standings[carrier].approval, standings[carrier].basis_event_id) == (
        Approval.OPTED_OUT,
        opt_out.id,
    )
    assert projection(database, customers["ana@customer.example"]) == {
        str(recipient): [(Approval.OPTED_OUT, opt_out.id, True)] for recipient in APPROVAL_CLASSES
    }
    [revocation] = ledger(fresh_database_url, customers["benoit@client.example"])
    assert (revocation.kind, revocation.source) == (ConsentEventKind.REVOKED, ConsentSource.MARKETING_MAILBOX)
    for email in ("carla@client.example", "dora@customer.example"):
        assert [e.kind for e in ledger(fresh_database_url, customers[email])] == [ConsentEventKind.OPTED_OUT]
    assert ledger(fresh_database_url, customers["gina@customer.example"]) == []

    container = build_container(make_settings(fresh_database_url))
    try:
        queue = {
            mail.id: mail.review_reason or "" for mail in review_queue(container.mailbox_terms(), limit=50)
        }
    finally:
        container.dispose()
    assert sorted(queue) == sorted([keys["unknown sender"], keys["spoofed"]])
    assert queue[keys["unknown sender"]].startswith("unknown sender: nobody@unknown.example")
    assert "dmarc=fail" in queue[keys["spoofed"]]
    assert "display name shows another address (ana@customer.example)" in queue[keys["spoofed"]]

    worker = subprocess.run(
        cpniguard("worker", "--once"), check=False, env=environment, capture_output=True, timeout=120
    )
    assert worker.returncode == 0, worker.stderr.decode()
    arrived = {message["To"]: message for message in smtp_server.inbox.messages}
    assert sorted(arrived) == sorted(
        ["ana@customer.example", "benoit@client.example", "carla@client.example", "dora@customer.example"]
    )
    confirmation = arrived["ana@customer.example"]
    assert str(confirmation["Subject"]) == CONFIRMATION_SUBJECT
    assert "(opt-out)" in " ".join(confirmation.get_content().split())


def test_a_message_accepted_just_before_the_mailbox_was_killed_is_processed_by_the_next_run(
    environment, database, fresh_database_url, tmp_path
):
    _, account = add_customer(database, "ana@customer.example")
    # Big enough that processing it takes far longer than the kill that follows the "250".
    big = EmailMessage(policy=SMTP)
    big["From"], big["To"], big["Subject"] = "Ana <ana@customer.example>", MAILBOX, "STOP"
    big.set_content("Please stop. I opt out.\n")
    big.add_attachment(
        os.urandom(6_000_000), maintype="application", subtype="octet-stream", filename="a.bin"
    )
    raw = big.as_bytes()
    unlimited = {k: v for k, v in environment.items() if k != "CPNIGUARD_CONSENT__MAILBOX_MAX_BYTES"}
    with running_mailbox(unlimited, tmp_path / "mailbox.log") as (process, port):
        code, reply = send(port, "ana@customer.example", raw)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert code == 250, reply
    assert process.returncode == -signal.SIGKILL
    [accepted] = mailbox_messages(database)
    assert (accepted.id, accepted.status, accepted.raw) == (stored_key(reply), MailboxStatus.RECEIVED, raw)
    assert ledger(fresh_database_url, account) == [], "the kill came before processing ended"

    after = subprocess.run(
        cpniguard("mailbox", "--once"), check=False, env=unlimited, capture_output=True, timeout=120
    )
    assert after.returncode == 0, after.stderr.decode()
    assert "processed 1, to review 0, failed 0" in after.stdout.decode()
    [processed] = mailbox_messages(database)
    [opt_out] = ledger(fresh_database_url, account)
    assert (processed.status, processed.consent_event_id) == (MailboxStatus.PROCESSED, opt_out.id)
    assert (opt_out.kind, opt_out.source) == (ConsentEventKind.OPTED_OUT, ConsentSource.MARKETING_MAILBOX)
    assert f"mailbox message {accepted.id}" in (opt_out.evidence or "")


def test_a_processing_pass_that_fails_is_logged_and_the_next_pass_processes_the_message(
    database, fresh_database_url, caplog
):
    _, account = add_customer(database, "ana@customer.example")
    container = build_container(make_settings(fresh_database_url))
    attempts = itertools.count()

    def unit_of_work_after_an_outage():
        if next(attempts) == 0:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("the database went away"))
        return container.unit_of_work()

    terms = container.mailbox_terms()
    store_mail(
        terms, raw=OPT_OUT, envelope_sender="ana@customer.example", recipients=MAILBOX, peer="127.0.0.1"
    )
    flaky = replace(terms, notices=replace(terms.notices, uow_factory=unit_of_work_after_an_outage))
    stop, wake = threading.Event(), threading.Event()
    loop = threading.Thread(
        target=process_until_stopped, args=(replace(flaky, retry_seconds=0.1), stop, wake)
    )
    loop.start()
    try:
        deadline = time.monotonic() + START_SECONDS
        while not ledger(fresh_database_url, account) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        wake.set()
        loop.join(30)
        container.dispose()
    assert not loop.is_alive()
    [opt_out] = ledger(fresh_database_url, account)
    assert opt_out.kind is ConsentEventKind.OPTED_OUT
    [failure] = [r for r in caplog.records if r.name == "cpniguard.cli.mailbox" and r.levelname == "ERROR"]
    assert failure.getMessage() == "processing the mailbox failed; the stored messages are tried again"
    assert "the database went away" in str(failure.exc_info[1])
