"""Delivering the outbox: backoff, dead letters, leases (DESIGN.md invariant 5)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.fakes import FakeDatabase, FakeUnitOfWorkFactory, FixedClock

from cpniguard.domain.accounts import Language
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.domain.notifications import DeliveryStatus, NoticeChannel
from cpniguard.domain.outbox import (
    MAX_ERROR_CHARACTERS,
    DeliveryFailedError,
    RetryPolicy,
    after_failure,
    can_read_deliveries,
    retry_delay,
)
from cpniguard.services.outbox import (
    DeliveryPlan,
    DeliveryPorts,
    DeliveryRun,
    account_deliveries,
    deliver_due,
    deliver_until_idle,
)
from cpniguard.services.ports import ClaimedMessage

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=4, first_delay_seconds=30, backoff_factor=2, max_delay_seconds=100)
PLAN = DeliveryPlan(
    policy=POLICY, lease=timedelta(minutes=5), send_timeout=timedelta(seconds=30), batch_size=10
)


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 30), (2, 60), (3, 100), (50, 100), (10_000, 100)])
def test_the_wait_between_attempts_doubles_up_to_its_ceiling(attempts, seconds):
    assert retry_delay(attempts, POLICY) == timedelta(seconds=seconds)


@given(st.integers(min_value=1, max_value=10_000))
def test_the_wait_never_shrinks_and_never_passes_the_ceiling(attempts):
    assert retry_delay(attempts, POLICY) <= retry_delay(attempts + 1, POLICY) <= timedelta(seconds=100)


def test_a_failure_before_the_last_attempt_is_retried_later_with_its_reason():
    step = after_failure(DeliveryFailedError("timeout"), attempts=2, at=NOW, policy=POLICY)
    assert (step.is_dead, step.retry_at, step.reason) == (False, NOW + timedelta(seconds=60), "timeout")


def test_the_last_attempts_failure_is_a_dead_letter_that_says_why():
    step = after_failure(DeliveryFailedError("timeout"), attempts=4, at=NOW, policy=POLICY)
    assert step.is_dead
    assert step.reason == "gave up after 4 attempts: timeout"


def test_a_permanent_failure_is_a_dead_letter_at_once():
    step = after_failure(
        DeliveryFailedError("550 no such mailbox", permanent=True), attempts=1, at=NOW, policy=POLICY
    )
    assert step.is_dead
    assert step.reason == "permanent failure: 550 no such mailbox"


def test_a_long_reason_is_cut_to_what_the_message_keeps():
    step = after_failure(DeliveryFailedError("x" * 5000), attempts=4, at=NOW, policy=POLICY)
    assert len(step.reason) == MAX_ERROR_CHARACTERS


@pytest.mark.parametrize(
    "policy",
    [
        {"max_attempts": 0, "first_delay_seconds": 1, "backoff_factor": 2, "max_delay_seconds": 1},
        {"max_attempts": 1, "first_delay_seconds": -1, "backoff_factor": 2, "max_delay_seconds": 1},
        {"max_attempts": 1, "first_delay_seconds": 1, "backoff_factor": 0.5, "max_delay_seconds": 1},
    ],
)
def test_a_retry_policy_that_cannot_work_is_refused(policy):
    with pytest.raises(ValueError, match="retry policy"):
        RetryPolicy(**policy)


@pytest.mark.parametrize("role", list(Role))
def test_delivery_state_is_for_people_who_serve_or_audit_the_customer(role):
    expected = role in {Role.REPRESENTATIVE, Role.SUPERVISOR, Role.COMPLIANCE_OFFICER, Role.AUDITOR}
    assert can_read_deliveries(role) is expected


@dataclasses.dataclass
class Stored:
    message: ClaimedMessage
    status: DeliveryStatus = DeliveryStatus.PENDING
    due: datetime = NOW
    error: str | None = None
    reference: str | None = None


class FakeQueue:
    """The OutboxQueue contract in memory: claims lease, fenced marks."""

    def __init__(self, *channels: NoticeChannel) -> None:
        self.rows = [
            Stored(ClaimedMessage(n, f"key-{n}", channel, "to", Language.EN, None, "body", 0, NOW))
            for n, channel in enumerate(channels, start=1)
        ]

    def claim_due(self, *, at, lease_until, limit, max_attempts):
        del max_attempts
        due = [r for r in self.rows if r.status is DeliveryStatus.PENDING and r.due <= at][:limit]
        for row in due:
            row.status = DeliveryStatus.SENDING
            row.message = dataclasses.replace(
                row.message, attempt=row.message.attempt + 1, leased_until=lease_until
            )
        return [row.message for row in due]

    def bury_abandoned(self, *, at, max_attempts):
        del at, max_attempts
        return 0

    def _held(self, claim):
        [row] = [r for r in self.rows if r.message.message_id == claim.message_id]
        return row if row.status is DeliveryStatus.SENDING and row.message.attempt == claim.attempt else None

    def mark_sent(self, claim, *, at, provider_reference):
        del at
        row = self._held(claim)
        if row:
            row.status, row.reference = DeliveryStatus.SENT, provider_reference
        return row is not None

    def mark_failed(self, claim, *, reason, retry_at):
        row = self._held(claim)
        if row:
            row.error = reason
            row.status = DeliveryStatus.DEAD if retry_at is None else DeliveryStatus.PENDING
            row.due = retry_at or row.due
        return row is not None

    def deliveries(self, account_id, *, limit):
        raise NotImplementedError


class Sender:
    def __init__(self, *failures: DeliveryFailedError) -> None:
        self.failures = list(failures)
        self.sent: list[str] = []

    def send(self, message: ClaimedMessage) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message.idempotency_key)
        return f"ref-{message.message_id}"


def ports(queue, clock, **senders):
    return DeliveryPorts(queue=queue, senders={NoticeChannel(k): v for k, v in senders.items()}, clock=clock)


def test_due_messages_go_out_by_their_channel_and_keep_the_providers_reference():
    queue, email, sms = FakeQueue(NoticeChannel.EMAIL, NoticeChannel.SMS), Sender(), Sender()
    run = deliver_due(ports=ports(queue, FixedClock(NOW), email=email, sms=sms), plan=PLAN)
    assert run == DeliveryRun(sent=2)
    assert (email.sent, sms.sent) == (["key-1"], ["key-2"])
    assert [r.reference for r in queue.rows] == ["ref-1", "ref-2"]


def test_a_failed_send_is_retried_after_the_backoff_and_then_delivered():
    queue, clock = FakeQueue(NoticeChannel.EMAIL), FixedClock(NOW)
    email = Sender(DeliveryFailedError("421 try later"))
    assert deliver_due(ports=ports(queue, clock, email=email), plan=PLAN) == DeliveryRun(retried=1)
    assert queue.rows[0].due == NOW + timedelta(seconds=30)
    assert deliver_due(ports=ports(queue, clock, email=email), plan=PLAN) == DeliveryRun()
    clock.instant = NOW + timedelta(seconds=30)
    assert deliver_due(ports=ports(queue, clock, email=email), plan=PLAN) == DeliveryRun(sent=1)
    assert queue.rows[0].message.attempt == 2


def test_a_message_that_keeps_failing_becomes_a_dead_letter_after_the_last_attempt():
    queue, clock = FakeQueue(NoticeChannel.SMS), FixedClock(NOW)
    sms = Sender(*[DeliveryFailedError("503 gateway down")] * POLICY.max_attempts)
    for _ in range(POLICY.max_attempts):
        deliver_due(ports=ports(queue, clock, sms=sms), plan=PLAN)
        clock.instant += timedelta(hours=1)
    assert (queue.rows[0].status, queue.rows[0].error) == (
        DeliveryStatus.DEAD,
        "gave up after 4 attempts: 503 gateway down",
    )
    assert sms.sent == []


def test_a_channel_without_a_sender_is_a_dead_letter_that_says_so():
    queue = FakeQueue(NoticeChannel.VOICE)
    assert deliver_due(ports=ports(queue, FixedClock(NOW)), plan=PLAN) == DeliveryRun(dead=1)
    assert queue.rows[0].error == "permanent failure: no sender is configured for voice"


class SlowClock:
    """Each reading is a minute later: a batch that outlives its lease."""

    def __init__(self) -> None:
        self.instant = NOW

    def now(self) -> datetime:
        self.instant += timedelta(minutes=1)
        return self.instant


def test_a_message_whose_lease_would_end_during_the_send_is_left_for_later():
    queue, email = FakeQueue(*[NoticeChannel.EMAIL] * 5), Sender()
    run = deliver_due(ports=ports(queue, SlowClock(), email=email), plan=PLAN)
    assert run.skipped > 0
    assert run.sent + run.skipped == 5
    assert len(email.sent) == run.sent


def test_delivering_until_idle_empties_what_is_due_in_batches():
    queue, email = FakeQueue(*[NoticeChannel.EMAIL] * 25), Sender()
    run = deliver_until_idle(ports=ports(queue, FixedClock(NOW), email=email), plan=PLAN)
    assert run == DeliveryRun(sent=25)
    assert run.handled == 25


class ListingQueue(FakeQueue):
    def deliveries(self, account_id, *, limit):
        return [("account", account_id, limit)]


def test_a_customers_deliveries_are_read_by_account_number():
    database = FakeDatabase()
    account_id = database.add_account("A100")
    found = account_deliveries(
        uow_factory=FakeUnitOfWorkFactory(database), queue=ListingQueue(), account_number="A100", limit=5
    )
    assert found == [("account", account_id, 5)]


def test_deliveries_of_an_unknown_account_are_not_found():
    with pytest.raises(NotFoundError, match="no account A404"):
        account_deliveries(
            uow_factory=FakeUnitOfWorkFactory(FakeDatabase()),
            queue=FakeQueue(),
            account_number="A404",
            limit=5,
        )


@pytest.mark.parametrize("limit", [0, 501])
def test_a_page_size_out_of_range_is_refused(limit):
    with pytest.raises(InvalidInputError) as refused:
        account_deliveries(
            uow_factory=FakeUnitOfWorkFactory(FakeDatabase()),
            queue=FakeQueue(),
            account_number="A1",
            limit=limit,
        )
    assert refused.value.problems[0].location == "limit"
