"""Delivering the outbox and showing where a customer's messages stand (DESIGN.md invariant 5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from cpniguard.domain.accounts import Language
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.domain.outbox import DeliveryFailedError, RetryPolicy, after_failure
from cpniguard.services.accounts import account_key
from cpniguard.services.ports import (
    ClaimedMessage,
    Clock,
    MessageDelivery,
    MessageSender,
    OutboundMessage,
    OutboxQueue,
    UnitOfWorkFactory,
)

MAX_DELIVERIES_PAGE = 500


@dataclass(frozen=True, slots=True)
class DeliveryPlan:
    """How a worker delivers: retry policy, lease, the longest a send may take, batch size."""

    policy: RetryPolicy
    lease: timedelta
    send_timeout: timedelta
    batch_size: int


@dataclass(frozen=True, slots=True)
class DeliveryRun:
    """What one pass over the due messages did."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    skipped: int = 0
    """Claimed, but the lease ran too short to send safely: left for the next pass."""

    @property
    def handled(self) -> int:
        """How many messages this pass claimed or buried."""
        return self.sent + self.retried + self.dead + self.skipped

    def __add__(self, other: DeliveryRun) -> DeliveryRun:
        return DeliveryRun(
            self.sent + other.sent,
            self.retried + other.retried,
            self.dead + other.dead,
            self.skipped + other.skipped,
        )


@dataclass(frozen=True, slots=True)
class DeliveryPorts:
    """The outbox queue, a sender per channel, and the clock."""

    queue: OutboxQueue
    senders: Mapping[NoticeChannel, MessageSender]
    clock: Clock


def officer_email(*, key: str, to: str, template: str, subject: str, body: str) -> OutboundMessage:
    """An email to the compliance officer (reminders, digests): in English, tied to no account."""
    return OutboundMessage(
        idempotency_key=key,
        account_id=None,
        channel=NoticeChannel.EMAIL,
        recipient=to,
        language=Language.EN,
        template=template,
        subject=subject,
        body=body,
    )


def deliver_due(*, ports: DeliveryPorts, plan: DeliveryPlan) -> DeliveryRun:
    """Deliver one batch of due messages: sent, retried later with backoff, or dead-lettered.

    DESIGN.md invariant 5 (47 CFR 64.2010(f) notices ride it): a message is claimed under a
    lease in a transaction of its own before it is sent, so a second worker skips it and a
    crashed worker's message is taken again when the lease ends. Every send carries the
    message's idempotency key, so a repeat after a crash is dropped by the provider.
    """
    now = ports.clock.now()
    buried = ports.queue.bury_abandoned(at=now, max_attempts=plan.policy.max_attempts)
    claims = ports.queue.claim_due(
        at=now, lease_until=now + plan.lease, limit=plan.batch_size, max_attempts=plan.policy.max_attempts
    )
    run = DeliveryRun(dead=buried)
    for claim in claims:
        run += _deliver_one(claim, ports=ports, plan=plan)
    return run


def deliver_until_idle(*, ports: DeliveryPorts, plan: DeliveryPlan, max_passes: int = 10_000) -> DeliveryRun:
    """Deliver batches until nothing is due now (`cpniguard worker --once`)."""
    total = DeliveryRun()
    for _ in range(max_passes):
        run = deliver_due(ports=ports, plan=plan)
        total += run
        if run.handled == 0 or run.skipped:
            break
    return total


def _deliver_one(claim: ClaimedMessage, *, ports: DeliveryPorts, plan: DeliveryPlan) -> DeliveryRun:
    # A send that could outlast the lease could overlap another worker's: leave it for later.
    if ports.clock.now() + plan.send_timeout >= claim.leased_until:
        return DeliveryRun(skipped=1)
    try:
        reference = _sender(ports, claim.channel).send(claim)
    except DeliveryFailedError as error:
        return _record_failure(claim, error, ports=ports, plan=plan)
    ports.queue.mark_sent(claim, at=ports.clock.now(), provider_reference=reference)
    return DeliveryRun(sent=1)


def _sender(ports: DeliveryPorts, channel: NoticeChannel) -> MessageSender:
    sender = ports.senders.get(channel)
    if sender is None:
        raise DeliveryFailedError(f"no sender is configured for {channel}", permanent=True)
    return sender


def _record_failure(
    claim: ClaimedMessage, error: DeliveryFailedError, *, ports: DeliveryPorts, plan: DeliveryPlan
) -> DeliveryRun:
    step = after_failure(error, attempts=claim.attempt, at=ports.clock.now(), policy=plan.policy)
    ports.queue.mark_failed(claim, reason=step.reason, retry_at=step.retry_at)
    return DeliveryRun(dead=1) if step.is_dead else DeliveryRun(retried=1)


def account_deliveries(
    *, uow_factory: UnitOfWorkFactory, queue: OutboxQueue, account_number: str, limit: int
) -> list[MessageDelivery]:
    """Where the customer's messages stand, newest first (DESIGN.md invariant 5).

    Representatives see that a 64.2010(f) notice or a one-time code went out, and where;
    never the body, which may hold a code.
    """
    if not 1 <= limit <= MAX_DELIVERIES_PAGE:
        problem = FieldProblem("limit", f"must be between 1 and {MAX_DELIVERIES_PAGE}")
        raise InvalidInputError("the page size is not valid", (problem,))
    with uow_factory() as uow:
        account_id = account_key(uow, account_number)
    return queue.deliveries(account_id, limit=limit)
