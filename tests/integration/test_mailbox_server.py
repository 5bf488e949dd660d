"""The marketing mailbox's SMTP server, spoken to by a real client on loopback (47 CFR 64.2008(d)(3))."""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import TEST_NOW
from tests.processes import free_port

from cpniguard.adapters.db.engine import build_engine
from cpniguard.adapters.db.mailbox import SqlMailboxStore
from cpniguard.adapters.db.tables import MailboxMessage
from cpniguard.adapters.db.unit_of_work import session_factory
from cpniguard.adapters.mailbox_server import MailboxHandler, Store, start_mailbox

ADDRESSES = ("optout@carrier.example", "Privacy@Carrier.example")
LIMIT_BYTES = 4096
SENDER = "ana@customer.example"
RAW = (
    b"From: Ana <ana@customer.example>\r\n"
    b"To: optout@carrier.example\r\n"
    b"Subject: STOP\r\n"
    b"\r\n"
    b"STOP\r\n"
    b".a line that starts with a dot\r\n"
    b"..\r\n"
)
LATIN_1 = (
    b"From: Elise <elise@client.example>\r\n"
    b"Subject: Refus\r\n"
    b"Content-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"Je refuse l'utilisation de mes donn\xe9es. \xab Non \xbb, merci.\r\n"
)


@pytest.fixture
def sessions(fresh_database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = build_engine(fresh_database_url)
    yield session_factory(engine)
    engine.dispose()


def store_into(sessions: sessionmaker[Session]) -> Store:
    """What `cpniguard mailbox` does with each message: one transaction, committed."""

    def store(raw: bytes, envelope_sender: str, recipients: str, peer: str) -> int:
        with sessions() as session:
            key = SqlMailboxStore(session).store(
                raw=raw, envelope_sender=envelope_sender, recipients=recipients, peer=peer, at=TEST_NOW
            )
            session.commit()
        return key

    return store


def stored(sessions: sessionmaker[Session]) -> list[tuple[bytes, str, str, str]]:
    statement = select(
        MailboxMessage.raw, MailboxMessage.envelope_sender, MailboxMessage.recipients, MailboxMessage.peer
    ).order_by(MailboxMessage.id)
    with sessions() as session:
        return [
            (raw, sender, recipients, peer) for raw, sender, recipients, peer in session.execute(statement)
        ]


def keys(sessions: sessionmaker[Session]) -> list[int]:
    with sessions() as session:
        return list(session.scalars(select(MailboxMessage.id).order_by(MailboxMessage.id)))


Start = Callable[..., int]


@pytest.fixture
def start(sessions: sessionmaker[Session]) -> Iterator[Start]:
    """Start a mailbox on a free loopback port (storing into the test database unless told); its port."""
    controllers = []

    def started(*, store: Store | None = None, on_stored=None) -> int:
        port = free_port()
        controllers.append(
            start_mailbox(
                host="127.0.0.1",
                port=port,
                addresses=ADDRESSES,
                store=store or store_into(sessions),
                on_stored=on_stored,
                data_size_limit=LIMIT_BYTES,
            )
        )
        return port

    yield started
    for controller in controllers:
        controller.stop()


def client(port: int) -> smtplib.SMTP:
    smtp = smtplib.SMTP("127.0.0.1", port, timeout=30)
    smtp.ehlo()
    return smtp


def send(
    smtp: smtplib.SMTP, raw: bytes, *, sender: str = SENDER, to: str = ADDRESSES[0]
) -> tuple[int, bytes]:
    """MAIL, RCPT and DATA by hand: no SIZE declared, so the server itself must count the bytes."""
    assert smtp.mail(sender)[0] == 250
    assert smtp.rcpt(to)[0] == 250
    return smtp.data(raw)


def test_a_message_is_stored_byte_for_byte_before_250_is_answered(start, sessions):
    entered, release = threading.Event(), threading.Event()
    store = store_into(sessions)

    def held_store(raw: bytes, envelope_sender: str, recipients: str, peer: str) -> int:
        key = store(raw, envelope_sender, recipients, peer)
        entered.set()
        release.wait(30)
        return key

    port = start(store=held_store)
    answers: list[tuple[int, bytes]] = []
    with client(port) as smtp:
        sending = threading.Thread(target=lambda: answers.append(send(smtp, RAW)))
        sending.start()
        assert entered.wait(30)
        sending.join(0.5)
        assert answers == []  # stored, but the store has not returned: no answer yet
        release.set()
        sending.join(30)
    [key] = keys(sessions)
    assert answers == [(250, f"2.0.0 stored as {key}".encode())]
    assert stored(sessions) == [(RAW, SENDER, "optout@carrier.example", "127.0.0.1")]


def test_only_the_marketing_addresses_are_accepted_whatever_their_case_and_each_once(start, sessions):
    with client(start()) as smtp:
        assert smtp.mail(SENDER)[0] == 250
        assert smtp.rcpt("nobody@carrier.example") == (550, b"5.1.1 no such mailbox here")
        assert smtp.rcpt("OptOut@CARRIER.example")[0] == 250
        assert smtp.rcpt("optout@carrier.example")[0] == 250
        assert smtp.rcpt("privacy@carrier.example")[0] == 250
        assert smtp.data(RAW)[0] == 250
    [(_, _, recipients, _)] = stored(sessions)
    assert recipients == "OptOut@CARRIER.example,privacy@carrier.example"


def test_a_message_to_no_marketing_address_is_refused_and_nothing_is_stored(start, sessions):
    with client(start()) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp.sendmail(SENDER, ["optout@elsewhere.example"], RAW)
    assert refused.value.recipients == {"optout@elsewhere.example": (550, b"5.1.1 no such mailbox here")}
    assert stored(sessions) == []


def test_a_message_over_the_size_limit_gets_552_and_the_server_takes_the_next_one(start, sessions):
    too_big = RAW + b"x" * 100 + b"\r\n" + (b"y" * 998 + b"\r\n") * 5
    port = start()
    with client(port) as smtp:
        assert send(smtp, too_big) == (552, b"Error: Too much mail data")
        assert send(smtp, RAW)[0] == 250
    with client(port) as smtp, pytest.raises(smtplib.SMTPSenderRefused) as declared:
        smtp.sendmail(SENDER, [ADDRESSES[0]], too_big)  # smtplib declares SIZE: refused at MAIL
    assert declared.value.smtp_code == 552
    assert [raw for raw, *_ in stored(sessions)] == [RAW]


def test_a_store_that_fails_gets_451_is_logged_and_the_server_takes_the_next_message(
    start, sessions, tmp_path: Path, caplog
):
    unmigrated = build_engine(f"sqlite:///{tmp_path / 'no-tables.sqlite3'}")
    targets = [store_into(session_factory(unmigrated)), store_into(sessions)]

    def store(raw: bytes, envelope_sender: str, recipients: str, peer: str) -> int:
        return targets.pop(0)(raw, envelope_sender, recipients, peer)

    port = start(store=store)
    with caplog.at_level(logging.ERROR, logger="cpniguard.adapters.mailbox_server"), client(port) as smtp:
        assert send(smtp, RAW) == (451, b"4.3.0 could not store the message; try again later")
    [record] = caplog.records
    assert record.exc_info is not None
    assert "no such table" in caplog.text
    assert SENDER not in record.getMessage()
    unmigrated.dispose()
    with client(port) as smtp:
        assert send(smtp, RAW)[0] == 250
    assert [raw for raw, *_ in stored(sessions)] == [RAW]


def test_each_stored_message_is_announced_and_a_failing_announcement_is_only_logged(start, sessions, caplog):
    announced: list[int] = []

    def on_stored(message_id: int) -> None:
        announced.append(message_id)
        raise RuntimeError("the processor's queue is full")

    port = start(on_stored=on_stored)
    with caplog.at_level(logging.ERROR, logger="cpniguard.adapters.mailbox_server"), client(port) as smtp:
        code, answer = send(smtp, RAW)
    [key] = keys(sessions)
    assert (code, answer, announced) == (250, f"2.0.0 stored as {key}".encode(), [key])
    assert "the processor's queue is full" in caplog.text


def test_an_8bit_body_that_is_not_utf8_is_stored_exactly_as_sent(start, sessions):
    with client(start()) as smtp:
        assert smtp.sendmail(SENDER, [ADDRESSES[1]], LATIN_1, mail_options=["BODY=8BITMIME"]) == {}
    [(raw, _, recipients, _)] = stored(sessions)
    assert (raw, recipients) == (LATIN_1, ADDRESSES[1])


def test_a_bounce_with_an_empty_envelope_sender_is_accepted_and_stored_with_an_empty_sender(start, sessions):
    with client(start()) as smtp:
        assert smtp.sendmail("", [ADDRESSES[0]], RAW) == {}
    assert stored(sessions) == [(RAW, "", ADDRESSES[0], "127.0.0.1")]


@pytest.mark.parametrize("addresses", [(), ("", "  ")])
def test_a_mailbox_without_an_address_is_refused(addresses, sessions):
    with pytest.raises(ValueError, match="at least one address"):
        MailboxHandler(addresses=addresses, store=store_into(sessions))
