"""The marketing mailbox's store: raw emails kept, claimed, retried, reviewed (47 CFR 64.2008(d)(3))."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import TEST_NOW, is_postgres
from tests.factories import add_account, add_contact_point

from cpniguard.adapters.db.engine import build_engine
from cpniguard.adapters.db.mailbox import SqlMailboxStore
from cpniguard.adapters.db.tables import ConsentEventRecord, MailboxMessage
from cpniguard.adapters.db.unit_of_work import session_factory
from cpniguard.adapters.notify.email import SmtpSender
from cpniguard.bootstrap import Container
from cpniguard.domain.accounts import ContactKind, Language
from cpniguard.domain.consent_events import ConsentEventKind
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.domain.mailbox import MailboxStatus
from cpniguard.domain.notices import CPNI_NOTICE_EMAIL_TEMPLATE as CPNI_NOTICE_TEMPLATE
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.domain.outbox import RetryPolicy
from cpniguard.services.outbox import DeliveryPlan, DeliveryPorts, deliver_due
from cpniguard.services.ports import OutboundMessage

pytest_plugins = ["tests.outbox_servers"]

RAW = b"From: Ana <ana@customer.example>\r\nSubject: STOP\r\n\r\nSTOP caf\xe9 \x00\xff\r\n"
MINUTE = timedelta(minutes=1)


@pytest.fixture
def session(container: Container) -> Iterator[Session]:
    with container.sessions() as opened:
        yield opened


def keep(store: SqlMailboxStore, *, at=TEST_NOW, raw=RAW, sender="ana@customer.example") -> int:
    return store.store(
        raw=raw, envelope_sender=sender, recipients="optout@carrier.example", peer="192.0.2.7", at=at
    )


def consent_event(session: Session, account_id: int, reference: str) -> int:
    values = {
        "account_id": account_id,
        "kind": ConsentEventKind.OPTED_OUT,
        "occurred_at": TEST_NOW,
        "recorded_at": TEST_NOW,
        "recorded_by": "mailbox",
        "scope": [],
        "reference": reference,
    }
    return session.execute(
        insert(ConsentEventRecord).values(**values).returning(ConsentEventRecord.id)
    ).scalar_one()


def test_a_stored_email_is_kept_byte_for_byte_as_received_and_due_at_once(session):
    store = SqlMailboxStore(session)
    key = keep(store, sender="")
    mail = store.get(key)
    assert mail is not None
    assert (mail.raw, mail.envelope_sender, mail.recipients) == (RAW, "", "optout@carrier.example")
    assert (mail.status, mail.attempts, mail.received_at) == (MailboxStatus.RECEIVED, 0, TEST_NOW)
    assert (mail.review_reason, mail.account_id, mail.consent_event_id) == (None, None, None)
    assert [m.id for m in store.claim_due(at=TEST_NOW, limit=10)] == [key]
    assert session.scalar(select(MailboxMessage.peer).where(MailboxMessage.id == key)) == "192.0.2.7"


def test_an_unknown_key_has_no_stored_email(session):
    assert SqlMailboxStore(session).get(987654) is None


def test_an_envelope_too_long_for_its_columns_is_refused_naming_each_field_and_nothing_is_stored(session):
    store = SqlMailboxStore(session)
    with pytest.raises(InvalidInputError) as refused:
        store.store(raw=RAW, envelope_sender="s" * 501, recipients="r" * 2001, peer="p" * 201, at=TEST_NOW)
    assert [(p.location, p.message) for p in refused.value.problems] == [
        ("envelope_sender", "is 501 characters long; at most 500"),
        ("recipients", "is 2001 characters long; at most 2000"),
        ("peer", "is 201 characters long; at most 200"),
    ]
    assert session.scalars(select(MailboxMessage.id)).all() == []


def test_due_emails_are_claimed_oldest_first_up_to_the_limit_and_only_when_received_and_due(session):
    store = SqlMailboxStore(session)
    second = keep(store, at=TEST_NOW + MINUTE)
    first = keep(store, at=TEST_NOW)
    processed = keep(store, at=TEST_NOW - MINUTE)
    store.settle(processed, status=MailboxStatus.PROCESSED)
    keep(store, at=TEST_NOW + 5 * MINUTE)
    assert [m.id for m in store.claim_due(at=TEST_NOW + 2 * MINUTE, limit=10)] == [first, second]
    assert [m.id for m in store.claim_due(at=TEST_NOW + 2 * MINUTE, limit=1)] == [first]
    assert store.claim_due(at=TEST_NOW - timedelta(seconds=1), limit=10) == []


@pytest.fixture
def committed(fresh_database_url: str) -> Iterator[tuple[Engine, sessionmaker[Session]]]:
    engine = build_engine(fresh_database_url)
    yield engine, session_factory(engine)
    engine.dispose()


@pytest.mark.skipif(not is_postgres(), reason="row locks and SKIP LOCKED are PostgreSQL's")
def test_a_second_processor_skips_the_emails_the_first_holds_until_it_ends(committed):
    _, sessions = committed
    with sessions() as setup:
        keys = [keep(SqlMailboxStore(setup), at=TEST_NOW + n * MINUTE) for n in range(3)]
        setup.commit()
    later = TEST_NOW + 10 * MINUTE
    with sessions() as first, sessions() as second:
        assert [m.id for m in SqlMailboxStore(first).claim_due(at=later, limit=1)] == keys[:1]
        assert [m.id for m in SqlMailboxStore(second).claim_due(at=later, limit=10)] == keys[1:]
        first.rollback()
        second.rollback()
        assert [m.id for m in SqlMailboxStore(second).claim_due(at=later, limit=10)] == keys


def test_two_processors_at_once_never_claim_one_email_twice(committed):
    _, sessions = committed
    with sessions() as setup:
        keys = [keep(SqlMailboxStore(setup), at=TEST_NOW + n * MINUTE) for n in range(3)]
        setup.commit()
    later = TEST_NOW + 10 * MINUTE
    second_claims: list[int] = []

    def second_processor() -> None:
        with sessions() as second:
            second_claims.extend(m.id for m in SqlMailboxStore(second).claim_due(at=later, limit=10))
            second.commit()

    with sessions() as first:
        store = SqlMailboxStore(first)
        [claimed] = store.claim_due(at=later, limit=1)
        other = threading.Thread(target=second_processor)
        other.start()
        other.join(0.5)  # PostgreSQL answers at once; SQLite waits for this transaction
        store.settle(claimed.id, status=MailboxStatus.PROCESSED)
        first.commit()
    other.join(30)
    assert claimed.id == keys[0]
    assert second_claims == keys[1:]


def test_a_failed_attempt_is_counted_and_the_email_waits_for_its_retry_time(session):
    store = SqlMailboxStore(session)
    key = keep(store)
    retry_at = TEST_NOW + 5 * MINUTE
    store.fail(key, error="x" * 1500, retry_at=retry_at)
    store.fail(key, error="the ledger was locked", retry_at=retry_at)
    mail = store.get(key)
    assert mail is not None
    assert (mail.status, mail.attempts) == (MailboxStatus.RECEIVED, 2)
    assert store.claim_due(at=retry_at - timedelta(seconds=1), limit=10) == []
    assert [m.id for m in store.claim_due(at=retry_at, limit=10)] == [key]
    row = session.execute(select(MailboxMessage.last_error, MailboxMessage.next_attempt_at)).one()
    assert tuple(row) == ("the ledger was locked", retry_at)


def test_a_failure_longer_than_its_column_is_cut_to_1000_characters(session):
    store = SqlMailboxStore(session)
    key = keep(store)
    store.fail(key, error="é" * 1500, retry_at=TEST_NOW)
    assert session.scalar(select(MailboxMessage.last_error)) == "é" * 1000


def test_only_a_received_email_can_fail_and_an_unknown_one_is_not_found(session):
    store = SqlMailboxStore(session)
    key = keep(store)
    store.settle(key, status=MailboxStatus.PROCESSED)
    with pytest.raises(NotFoundError):
        store.fail(key, error="late", retry_at=TEST_NOW)
    with pytest.raises(NotFoundError):
        store.fail(987654, error="gone", retry_at=TEST_NOW)
    mail = store.get(key)
    assert mail is not None
    assert (mail.status, mail.attempts) == (MailboxStatus.PROCESSED, 0)


def test_a_processed_email_keeps_its_account_and_ledger_event(session):
    account_id, _ = add_account(session)
    event_id = consent_event(session, account_id, "mailbox:1")
    store = SqlMailboxStore(session)
    key = keep(store)
    store.settle(key, status=MailboxStatus.PROCESSED, account_id=account_id, consent_event_id=event_id)
    mail = store.get(key)
    assert mail is not None
    assert (mail.status, mail.account_id, mail.consent_event_id) == (
        MailboxStatus.PROCESSED,
        account_id,
        event_id,
    )
    assert store.claim_due(at=TEST_NOW, limit=10) == []


def test_emails_needing_review_wait_oldest_first_and_leave_the_queue_once_resolved_or_dismissed(session):
    store = SqlMailboxStore(session)
    newer, older = keep(store, at=TEST_NOW + MINUTE), keep(store, at=TEST_NOW)
    third = keep(store, at=TEST_NOW + 2 * MINUTE)
    for key in (newer, older, third):
        store.settle(key, status=MailboxStatus.NEEDS_REVIEW, review_reason="unknown sender")
    assert [m.id for m in store.review_queue(limit=10)] == [older, newer, third]
    assert [m.id for m in store.review_queue(limit=1)] == [older]
    assert store.review_queue(limit=1)[0].review_reason == "unknown sender"
    store.settle(older, status=MailboxStatus.DISMISSED, resolved_by="rep:ana", at=TEST_NOW + MINUTE)
    assert [m.id for m in store.review_queue(limit=10)] == [newer, third]


def test_a_resolved_review_records_who_and_when_and_keeps_the_reason(session):
    account_id, _ = add_account(session)
    event_id = consent_event(session, account_id, "mailbox:2")
    store = SqlMailboxStore(session)
    key = keep(store)
    store.settle(key, status=MailboxStatus.NEEDS_REVIEW, review_reason="two accounts share the address")
    resolved_at = TEST_NOW + 3 * MINUTE
    store.settle(
        key,
        status=MailboxStatus.RESOLVED,
        account_id=account_id,
        consent_event_id=event_id,
        resolved_by="rep:ana",
        at=resolved_at,
    )
    mail = store.get(key)
    assert mail is not None
    assert (mail.status, mail.account_id, mail.consent_event_id, mail.review_reason) == (
        MailboxStatus.RESOLVED,
        account_id,
        event_id,
        "two accounts share the address",
    )
    row = session.execute(select(MailboxMessage.resolved_by, MailboxMessage.resolved_at)).one()
    assert tuple(row) == ("rep:ana", resolved_at)


@pytest.mark.parametrize("status", [MailboxStatus.RESOLVED, MailboxStatus.DISMISSED])
def test_a_review_outcome_without_who_and_when_is_refused_and_the_email_stays_in_review(session, status):
    store = SqlMailboxStore(session)
    key = keep(store)
    store.settle(key, status=MailboxStatus.NEEDS_REVIEW, review_reason="unclear text")
    with pytest.raises(InvalidInputError) as refused:
        store.settle(key, status=status, resolved_by="  ")
    assert [p.location for p in refused.value.problems] == ["resolved_by", "at"]
    assert [m.id for m in store.review_queue(limit=10)] == [key]


def test_an_outcome_too_long_for_its_columns_is_refused_and_nothing_changes(session):
    store = SqlMailboxStore(session)
    key = keep(store)
    with pytest.raises(InvalidInputError) as refused:
        store.settle(key, status=MailboxStatus.NEEDS_REVIEW, review_reason="r" * 501)
    assert [(p.location, p.message) for p in refused.value.problems] == [
        ("review_reason", "is 501 characters long; at most 500")
    ]
    mail = store.get(key)
    assert mail is not None
    assert mail.status is MailboxStatus.RECEIVED


def test_settling_an_unknown_email_is_not_found(session):
    with pytest.raises(NotFoundError):
        SqlMailboxStore(session).settle(987654, status=MailboxStatus.PROCESSED)


# --- matching the sender to accounts


def email_contact(
    session: Session, account_id: int, value: str, *, since=TEST_NOW - 40 * 24 * 60 * MINUTE, until=None
):
    return add_contact_point(
        session, account_id, ContactKind.EMAIL_ADDRESS, value, associated_at=since, dissociated_at=until
    )


def test_a_sender_matches_the_accounts_with_that_email_whatever_its_case(session):
    first, first_number = add_account(session, language=Language.FR)
    second, second_number = add_account(session)
    since = TEST_NOW - timedelta(days=40)
    email_contact(session, first, "Ana.Lopez@customer.example", since=since)
    email_contact(session, second, "ana.lopez@customer.example", since=since)
    matched = SqlMailboxStore(session).accounts_with_email("  ANA.LOPEZ@Customer.Example ", at=TEST_NOW)
    assert [(m.account_id, m.account_number, m.language, m.associated_at) for m in matched] == [
        (first, first_number, Language.FR, since),
        (second, second_number, Language.EN, since),
    ]


def test_only_an_email_contact_current_at_the_instant_matches(session):
    gone, moved, future, postal, current = (add_account(session)[0] for _ in range(5))
    email_contact(session, gone, "ana@customer.example", until=TEST_NOW)
    email_contact(session, moved, "ana@customer.example", until=TEST_NOW - MINUTE)
    email_contact(session, future, "ana@customer.example", since=TEST_NOW + timedelta(seconds=1))
    add_contact_point(
        session, postal, ContactKind.POSTAL_ADDRESS, "ana@customer.example", associated_at=TEST_NOW - MINUTE
    )
    email_contact(session, current, "ana@customer.example", since=TEST_NOW, until=TEST_NOW + MINUTE)
    store = SqlMailboxStore(session)
    assert [m.account_id for m in store.accounts_with_email("ana@customer.example", at=TEST_NOW)] == [current]
    earlier = store.accounts_with_email("ana@customer.example", at=TEST_NOW - 2 * MINUTE)
    assert [m.account_id for m in earlier] == [gone, moved]


def test_an_account_with_the_address_twice_matches_once_from_its_earliest_current_association(session):
    account_id, _ = add_account(session)
    earliest = TEST_NOW - timedelta(days=90)
    email_contact(session, account_id, "ana@customer.example", since=earliest)
    email_contact(session, account_id, "ANA@customer.example", since=TEST_NOW - timedelta(days=2))
    matched = SqlMailboxStore(session).accounts_with_email("ana@customer.example", at=TEST_NOW)
    assert [(m.account_id, m.associated_at) for m in matched] == [(account_id, earliest)]


def test_an_internationalized_domain_matches_in_either_form_as_contact_points_store_it(session):
    account_id, _ = add_account(session)
    email_contact(session, account_id, "ana@bücher.example")  # email-validator's normal form
    store = SqlMailboxStore(session)
    for given in ("ana@xn--bcher-kva.example", "ana@BÜCHER.example"):
        assert [m.account_id for m in store.accounts_with_email(given, at=TEST_NOW)] == [account_id]


@pytest.mark.parametrize("address", ["", "not an address", "ana@", "@customer.example", "ana@localhost"])
def test_a_sender_that_is_not_an_email_address_matches_no_account(session, address):
    account_id, _ = add_account(session)
    email_contact(session, account_id, address or "x")
    assert SqlMailboxStore(session).accounts_with_email(address, at=TEST_NOW) == []


# --- replies to notice emails


def notice(account_id: int, key: str, *, template: str = CPNI_NOTICE_TEMPLATE, channel=NoticeChannel.EMAIL):
    return OutboundMessage(
        idempotency_key=key,
        account_id=account_id,
        channel=channel,
        recipient="ana@customer.example" if channel is NoticeChannel.EMAIL else "+12125550100",
        language=Language.EN,
        template=template,
        subject="Your CPNI rights" if channel is NoticeChannel.EMAIL else None,
        body="We protect your call records. Reply STOP to opt out.",
    )


def deliver(container: Container, smtp_server, clock, *messages: OutboundMessage) -> None:
    """Queue `messages` with their cause and deliver them the way `cpniguard worker` does."""
    with container.unit_of_work() as uow:
        for message in messages:
            uow.outbox.enqueue(message, at=TEST_NOW)
        uow.commit()
    sender = SmtpSender(host=smtp_server.host, port=smtp_server.port, sender="cpni@carrier.example")
    ports = DeliveryPorts(queue=container.outbox_queue(), senders={NoticeChannel.EMAIL: sender}, clock=clock)
    policy = RetryPolicy(max_attempts=3, first_delay_seconds=1, backoff_factor=2, max_delay_seconds=60)
    plan = DeliveryPlan(
        policy=policy, lease=timedelta(minutes=5), send_timeout=timedelta(seconds=30), batch_size=10
    )
    assert deliver_due(ports=ports, plan=plan).sent == len(messages)


def accounts(container: Container, n: int) -> list[int]:
    with container.sessions() as session:
        keys = [add_account(session)[0] for _ in range(n)]
        session.commit()
    return keys


def test_a_reply_names_the_account_and_outbox_key_of_the_notice_email_it_answers(
    container, smtp_server, clock
):
    first, second = accounts(container, 2)
    deliver(container, smtp_server, clock, notice(first, "cpni_notice:1"), notice(second, "cpni_notice:2"))
    message_ids = [str(m["Message-ID"]) for m in smtp_server.inbox.messages]
    with container.sessions() as session:
        store = SqlMailboxStore(session)
        assert [store.notice_sent_to([message_id]) for message_id in message_ids] == [
            (first, "cpni_notice:1"),
            (second, "cpni_notice:2"),
        ]
        bare = message_ids[1].strip("<>")
        assert store.notice_sent_to([f"  {bare} "]) == (second, "cpni_notice:2")
        references = ["<unknown@elsewhere.example>", message_ids[1], message_ids[0]]
        assert store.notice_sent_to(references) == (second, "cpni_notice:2")


def test_a_reply_to_any_other_message_or_to_nothing_names_no_account(container, smtp_server, clock):
    [account_id] = accounts(container, 1)
    deliver(container, smtp_server, clock, notice(account_id, "account_change:1", template="account_change"))
    [received] = smtp_server.inbox.messages
    with container.sessions() as session:
        store = SqlMailboxStore(session)
        assert store.notice_sent_to([str(received["Message-ID"])]) is None
        assert store.notice_sent_to([]) is None
        assert store.notice_sent_to(["", "  ", "<>"]) is None


def test_a_notice_sent_by_another_channel_is_not_an_email_a_reply_can_name(container, session):
    [account_id] = accounts(container, 1)
    with container.unit_of_work() as uow:
        uow.outbox.enqueue(notice(account_id, "cpni_notice:sms", channel=NoticeChannel.SMS), at=TEST_NOW)
        uow.commit()
    queue = container.outbox_queue()
    [claim] = queue.claim_due(at=TEST_NOW, lease_until=TEST_NOW + MINUTE, limit=1, max_attempts=3)
    assert queue.mark_sent(claim, at=TEST_NOW, provider_reference="<SM1@gateway.example>")
    assert SqlMailboxStore(session).notice_sent_to(["<SM1@gateway.example>"]) is None
