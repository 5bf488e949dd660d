"""The outbox in the database: idempotent writes, leases, retries, dead letters, several workers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.conftest import TEST_NOW, make_settings
from tests.factories import add_account

from cpniguard.adapters.db.engine import build_engine
from cpniguard.adapters.db.outbox import SqlOutboxQueue
from cpniguard.adapters.db.tables import OutboxMessage
from cpniguard.adapters.db.unit_of_work import session_factory
from cpniguard.bootstrap import Container
from cpniguard.domain.accounts import Language
from cpniguard.domain.errors import InvalidInputError
from cpniguard.domain.notifications import DeliveryStatus, NoticeChannel
from cpniguard.services.ports import OutboundMessage

LEASE = timedelta(minutes=5)


def notice(
    account_id: int | None, key: str = "account_change:1:pin:2026-11-02", **overrides
) -> OutboundMessage:
    values: dict[str, object] = {
        "idempotency_key": key,
        "account_id": account_id,
        "channel": NoticeChannel.EMAIL,
        "recipient": "ana@customer.example",
        "language": Language.EN,
        "template": "account_change",
        "subject": "Your PIN was changed",
        "body": "Your PIN was changed. Not you? Call 611.",
    }
    values.update(overrides)
    return OutboundMessage(**values)  # type: ignore[arg-type]


@pytest.fixture
def account_id(container: Container) -> int:
    with container.sessions() as session:
        key, _ = add_account(session)
        session.commit()
    return key


def enqueue(container: Container, *messages: OutboundMessage, at=TEST_NOW) -> list[bool]:
    with container.unit_of_work() as uow:
        written = [uow.outbox.enqueue(message, at=at) for message in messages]
        uow.commit()
    return written


def claim(queue, *, at=TEST_NOW, limit=10, max_attempts=3):
    return queue.claim_due(at=at, lease_until=at + LEASE, limit=limit, max_attempts=max_attempts)


def test_a_message_is_written_once_per_idempotency_key(container, account_id):
    assert enqueue(container, notice(account_id)) == [True]
    assert enqueue(container, notice(account_id, body="a repeat of the same cause")) == [False]
    [delivery] = container.outbox_queue().deliveries(account_id, limit=10)
    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.attempts == 0


def test_a_message_is_lost_with_the_transaction_that_wrote_it(container, account_id):
    with container.unit_of_work() as uow:
        uow.outbox.enqueue(notice(account_id), at=TEST_NOW)
    assert container.outbox_queue().deliveries(account_id, limit=10) == []


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("recipient", "x" * 501, "longer than 500 characters"),
        ("idempotency_key", "k" * 129, "longer than 128 characters"),
        ("subject", "s" * 201, "longer than 200 characters"),
        ("body", "  ", "must not be empty"),
    ],
)
def test_a_message_with_a_bad_field_is_refused_and_nothing_is_written(
    container, account_id, field, value, problem
):
    with pytest.raises(InvalidInputError) as refused, container.unit_of_work() as uow:
        uow.outbox.enqueue(notice(account_id, **{field: value}), at=TEST_NOW)
    assert [(p.location, p.message) for p in refused.value.problems] == [(field, problem)]
    assert container.outbox_queue().deliveries(account_id, limit=10) == []


def test_a_claimed_message_is_not_claimed_again_while_its_lease_holds(container, account_id):
    enqueue(container, notice(account_id))
    queue = container.outbox_queue()
    [claimed] = claim(queue)
    assert claimed.attempt == 1
    assert claimed.leased_until == TEST_NOW + LEASE
    assert claim(queue, at=TEST_NOW + LEASE - timedelta(seconds=1)) == []


def test_a_message_not_yet_due_is_left_alone(container, account_id):
    enqueue(container, notice(account_id), at=TEST_NOW + timedelta(minutes=1))
    assert claim(container.outbox_queue()) == []


def test_a_dead_workers_message_is_claimed_again_when_its_lease_ends_and_the_first_cannot_finish(
    container, account_id
):
    enqueue(container, notice(account_id))
    queue = container.outbox_queue()
    [first] = claim(queue)
    [second] = claim(queue, at=TEST_NOW + LEASE)
    assert second.attempt == 2
    assert not queue.mark_sent(first, at=TEST_NOW + LEASE, provider_reference="late")
    assert queue.mark_sent(second, at=TEST_NOW + LEASE, provider_reference="<id@carrier>")
    [delivery] = queue.deliveries(account_id, limit=10)
    assert (delivery.status, delivery.provider_reference, delivery.sent_at) == (
        DeliveryStatus.SENT,
        "<id@carrier>",
        TEST_NOW + LEASE,
    )


def test_a_failed_message_waits_for_its_retry_time_then_is_claimed_again(container, account_id):
    enqueue(container, notice(account_id))
    queue = container.outbox_queue()
    [claimed] = claim(queue)
    retry_at = TEST_NOW + timedelta(seconds=30)
    assert queue.mark_failed(claimed, reason="SMTP server unreachable", retry_at=retry_at)
    [delivery] = queue.deliveries(account_id, limit=10)
    assert (delivery.status, delivery.last_error, delivery.next_attempt_at) == (
        DeliveryStatus.PENDING,
        "SMTP server unreachable",
        retry_at,
    )
    assert claim(queue, at=retry_at - timedelta(seconds=1)) == []
    assert [c.attempt for c in claim(queue, at=retry_at)] == [2]


def test_a_dead_letter_keeps_its_reason_and_is_never_claimed_again(container, account_id):
    enqueue(container, notice(account_id))
    queue = container.outbox_queue()
    [claimed] = claim(queue)
    assert queue.mark_failed(claimed, reason="permanent failure: 550 no such mailbox", retry_at=None)
    [delivery] = queue.deliveries(account_id, limit=10)
    assert (delivery.status, delivery.last_error) == (
        DeliveryStatus.DEAD,
        "permanent failure: 550 no such mailbox",
    )
    assert claim(queue, at=TEST_NOW + timedelta(days=365)) == []


def test_a_message_abandoned_on_its_last_attempt_is_buried_with_the_reason(container, account_id):
    enqueue(container, notice(account_id))
    queue = container.outbox_queue()
    claim(queue, max_attempts=1)
    later = TEST_NOW + LEASE
    assert claim(queue, at=later, max_attempts=1) == []
    assert queue.bury_abandoned(at=later, max_attempts=1) == 1
    [delivery] = queue.deliveries(account_id, limit=10)
    assert delivery.status is DeliveryStatus.DEAD
    assert "worker stopped" in (delivery.last_error or "")


def test_deliveries_are_the_accounts_own_newest_first(container, account_id):
    with container.sessions() as session:
        other, _ = add_account(session)
        session.commit()
    enqueue(container, notice(account_id, "a"), at=TEST_NOW)
    enqueue(container, notice(account_id, "b"), at=TEST_NOW + timedelta(seconds=1))
    enqueue(container, notice(other, "c"))
    deliveries = container.outbox_queue().deliveries(account_id, limit=10)
    assert [d.recipient for d in deliveries] == ["ana@customer.example"] * 2
    assert deliveries[0].created_at > deliveries[1].created_at
    assert len(container.outbox_queue().deliveries(account_id, limit=1)) == 1


def test_claims_come_oldest_due_first_and_at_most_the_limit(container, account_id):
    for second, key in enumerate(["first", "second", "third"]):
        enqueue(container, notice(account_id, key), at=TEST_NOW + timedelta(seconds=second))
    claimed = claim(container.outbox_queue(), at=TEST_NOW + timedelta(minutes=1), limit=2)
    assert [c.idempotency_key for c in claimed] == ["first", "second"]


MESSAGES = 60
WORKERS = 4


def test_several_workers_at_once_never_claim_one_message_twice(fresh_database_url):
    engine = build_engine(fresh_database_url)
    sessions = session_factory(engine)
    container = Container(
        settings=make_settings(fresh_database_url),
        engine=engine,
        sessions=sessions,
        clock=None,  # type: ignore[arg-type]
    )
    with sessions() as session:
        account, _ = add_account(session)
        session.commit()
    enqueue(container, *(notice(account, f"k{n}") for n in range(MESSAGES)))
    sent: list[list[str]] = [[] for _ in range(WORKERS)]
    start = threading.Barrier(WORKERS)

    def work(worker: int) -> None:
        queue = SqlOutboxQueue(sessions)
        start.wait()
        while claimed := claim(queue, limit=3):
            for message in claimed:
                sent[worker].append(message.idempotency_key)
                assert queue.mark_sent(message, at=TEST_NOW, provider_reference="ok")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    every = [key for keys in sent for key in keys]
    assert sorted(every) == sorted(f"k{n}" for n in range(MESSAGES))
    with sessions() as session:
        statuses = set(session.scalars(select(OutboxMessage.status)))
        attempts = set(session.scalars(select(OutboxMessage.attempts)))
    assert (statuses, attempts) == ({DeliveryStatus.SENT}, {1})
    engine.dispose()


def _bodies(container: Container) -> dict[str, str]:
    with container.sessions() as session:
        rows = session.execute(select(OutboxMessage.template, OutboxMessage.body)).all()
        return dict(rows)


def test_a_one_time_code_is_forgotten_once_delivered_or_given_up_and_other_bodies_are_kept(
    container, account_id
):
    code = notice(account_id, "challenge:1", template="authentication_code", body="Your code is 482913.")
    letter = notice(account_id, "challenge:2", template="authentication_letter", body="Code 55512345.")
    enqueue(container, code, letter, notice(account_id))
    queue = container.outbox_queue()
    by_key = {message.idempotency_key: message for message in claim(queue)}
    queue.mark_sent(by_key["challenge:1"], at=TEST_NOW, provider_reference="ok")
    queue.mark_sent(by_key["account_change:1:pin:2026-11-02"], at=TEST_NOW, provider_reference="ok")
    queue.mark_failed(by_key["challenge:2"], reason="printer gone", retry_at=None)
    bodies = _bodies(container)
    assert "482913" not in bodies["authentication_code"]
    assert "55512345" not in bodies["authentication_letter"]
    assert bodies["account_change"] == "Your PIN was changed. Not you? Call 611."
