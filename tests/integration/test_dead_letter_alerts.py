"""Digests of dead letters to the compliance officer, and the staff's list (DESIGN.md invariant 5).

Real SQLite, and PostgreSQL with CPNIGUARD_TEST_DATABASE_URL; each test's writes are rolled back.
Dead letters are written as the worker leaves them (status dead, with the reason).
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from tests.conftest import TEST_NOW
from tests.factories import add_account

from cpniguard.adapters.db.tables import OutboxMessage
from cpniguard.bootstrap import Container
from cpniguard.domain import dead_letters as dead_letters_module
from cpniguard.domain.accounts import Language
from cpniguard.domain.dead_letters import DEAD_LETTER_DIGEST_TEMPLATE, DeadLetter, digest_key
from cpniguard.domain.errors import InvalidInputError
from cpniguard.domain.notifications import DeliveryStatus, NoticeChannel
from cpniguard.services import dead_letter_alerts
from cpniguard.services.dead_letter_alerts import DeadLetterTerms, dead_letters, queue_dead_letter_digest
from cpniguard.services.ports import OutboundMessage

OFFICER = "privacy-office@carrier.example"


def terms(container: Container, officer: str | None = OFFICER) -> DeadLetterTerms:
    return DeadLetterTerms(container.unit_of_work, container.clock, officer)


def dead(container: Container, template: str, *, account: bool = True) -> int:
    """Commit a message of `template` that the outbox gave up on; its id."""
    with container.unit_of_work() as uow:
        account_id = add_account(uow.session)[0] if account else None
        values = {
            "idempotency_key": f"test:{template}:{account_id}:{TEST_NOW.timestamp()}:{id(uow)}",
            "account_id": account_id,
            "channel": NoticeChannel.EMAIL,
            "recipient": "gone@customer.example",
            "language": Language.EN,
            "template": template,
            "subject": "subject",
            "body": "body",
            "status": DeliveryStatus.DEAD,
            "attempts": 8,
            "next_attempt_at": TEST_NOW,
            "created_at": TEST_NOW - timedelta(hours=2),
            "last_error": "permanent failure: recipient refused: [550]",
        }
        added = uow.session.execute(insert(OutboxMessage).values(**values).returning(OutboxMessage.id))
        message_id = int(added.scalar_one())
        uow.commit()
        return message_id


def digests(container: Container) -> list[OutboxMessage]:
    with container.sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.template == DEAD_LETTER_DIGEST_TEMPLATE)
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def test_one_digest_lists_each_dead_customer_message_once_and_never_a_code_or_reminder(container):
    change = dead(container, "account_change")
    notice = dead(container, "cpni_notice")
    dead(container, "authentication_code")
    dead(container, "breach_reminder", account=False)

    assert queue_dead_letter_digest(terms(container)) == 2
    assert queue_dead_letter_digest(terms(container)) == 0

    [digest] = digests(container)
    assert (digest.recipient, digest.channel, digest.account_id) == (OFFICER, NoticeChannel.EMAIL, None)
    assert digest.status == DeliveryStatus.PENDING
    assert digest.idempotency_key.startswith(f"dead-letters:{change}-{notice}:2:")
    assert f"- message {change} (account_change" in digest.body
    assert f"- message {notice} (cpni_notice" in digest.body
    assert "authentication_code" not in digest.body
    assert "gone@customer.example" not in digest.body, "no customer data in the officer's mailbox"


def test_a_letter_that_dies_later_goes_in_the_next_digest_alone(container):
    first = dead(container, "account_change")
    queue_dead_letter_digest(terms(container))
    later = dead(container, "breach_notice")

    assert queue_dead_letter_digest(terms(container)) == 1

    keys = [d.idempotency_key for d in digests(container)]
    assert [key.rsplit(":", 1)[0] for key in keys] == [
        f"dead-letters:{first}-{first}:1",
        f"dead-letters:{later}-{later}:1",
    ]


def test_a_digest_lists_at_most_its_size_and_says_how_many_follow(container, monkeypatch):
    monkeypatch.setattr(dead_letter_alerts, "DIGEST_SIZE", 2)
    ids = [dead(container, "account_change") for _ in range(3)]

    assert queue_dead_letter_digest(terms(container)) == 2
    assert queue_dead_letter_digest(terms(container)) == 1

    first, second = digests(container)
    assert "1 more dead letter(s) will follow in the next digest." in first.body
    assert f"- message {ids[2]} " in second.body
    assert "more dead letter" not in second.body
    assert dead_letters_module.DIGEST_SIZE == 100, "the module's own size is untouched"


def test_without_an_officer_email_nothing_is_queued_and_the_dead_letters_are_logged(container, caplog):
    dead(container, "account_change")

    with caplog.at_level(logging.WARNING, logger=dead_letter_alerts.__name__):
        assert queue_dead_letter_digest(terms(container, officer="  ")) == 0

    assert digests(container) == []
    assert "1 dead letters and no compliance officer email" in caplog.text
    assert queue_dead_letter_digest(terms(container)) == 1, "they wait for an officer"


def test_a_digest_already_queued_is_not_queued_twice_but_its_letters_are_marked(container):
    message_id = dead(container, "account_change")
    [letter], _ = dead_letters_to_alert(container)
    key = digest_key([letter])
    with container.unit_of_work() as uow:  # another worker's digest of the same letter, not marked
        other = OutboundMessage(
            key,
            None,
            NoticeChannel.EMAIL,
            OFFICER,
            Language.EN,
            DEAD_LETTER_DIGEST_TEMPLATE,
            "subject",
            "body",
        )
        uow.outbox.enqueue(other, at=TEST_NOW)
        uow.commit()

    assert queue_dead_letter_digest(terms(container)) == 0
    assert queue_dead_letter_digest(terms(container)) == 0, "nothing is left to list"

    assert len(digests(container)) == 1
    [listed] = dead_letters(uow_factory=container.unit_of_work)
    assert (listed.message_id, listed.digest_key) == (message_id, key)


def test_a_letter_marked_by_another_worker_keeps_its_digest(container):
    message_id = dead(container, "account_change")
    with container.unit_of_work() as uow:
        uow.outbox.mark_alerted([message_id], digest_key="the other worker's", at=TEST_NOW)
        uow.outbox.mark_alerted([message_id], digest_key="this worker's", at=TEST_NOW)
        uow.commit()

    [listed] = dead_letters(uow_factory=container.unit_of_work)
    assert listed.digest_key == "the other worker's"


def dead_letters_to_alert(container: Container) -> tuple[list[DeadLetter], int]:
    with container.unit_of_work() as uow:
        return uow.outbox.dead_letters_to_alert(limit=10)


def test_staff_see_whose_each_dead_letter_was_where_it_went_why_and_which_digest_told(container):
    message_id = dead(container, "account_change")
    queue_dead_letter_digest(terms(container))

    [listed] = dead_letters(uow_factory=container.unit_of_work)

    assert listed.message_id == message_id
    assert listed.account_number
    assert (listed.template, listed.recipient, listed.attempts) == (
        "account_change",
        "gone@customer.example",
        8,
    )
    assert listed.last_error == "permanent failure: recipient refused: [550]"
    assert (listed.digest_key or "").startswith(f"dead-letters:{message_id}-{message_id}:1:")
    assert dead_letters(uow_factory=container.unit_of_work, after_id=message_id) == []


@pytest.mark.parametrize(
    ("after_id", "limit", "where"), [(0, 0, "limit"), (0, 1001, "limit"), (-1, 10, "after_id")]
)
def test_a_bad_page_of_dead_letters_is_refused_naming_it(container, after_id, limit, where):
    with pytest.raises(InvalidInputError) as refused:
        dead_letters(uow_factory=container.unit_of_work, after_id=after_id, limit=limit)
    assert [p.location for p in refused.value.problems] == [where]
