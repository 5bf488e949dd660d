"""The outbox worker: delivers what the services wrote to the outbox (DESIGN.md invariant 5).

Several workers may run at once, on one machine or many: each claims messages under a
lease, so none is sent twice by two workers, and a worker that dies mid-delivery leaves
its messages to the others once the lease ends. Now and then it also queues the day's
reminders of breach deadlines to the compliance officer (47 CFR 64.2011), once a day each, and a
digest of the messages it gave up on that no digest has listed yet (domain/dead_letters.py).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from cpniguard.bootstrap import Container
from cpniguard.config import OutboxSettings
from cpniguard.domain.outbox import RetryPolicy
from cpniguard.services.breach_reminders import ReminderTerms, queue_breach_reminders
from cpniguard.services.consent_notices import record_delivered_notices
from cpniguard.services.dead_letter_alerts import queue_dead_letter_digest
from cpniguard.services.outbox import (
    DeliveryPlan,
    DeliveryPorts,
    DeliveryRun,
    deliver_due,
    deliver_until_idle,
)

logger = logging.getLogger(__name__)
NOTICE_SWEEP_PASSES = 12
"""Idle passes between two looks for CPNI notices other workers delivered (about a minute)."""
REMINDER_SWEEP_PASSES = 60
"""Passes between two looks for breach deadlines to remind and dead letters to tell of (about five
minutes when idle).

Each reminder is queued once a day whatever the number of looks; looking often only means that a
worker started late in the day, or a breach opened today, is reminded within minutes.
"""


def delivery_plan(settings: OutboxSettings) -> DeliveryPlan:
    """The retry policy, lease and batch size the settings describe."""
    policy = RetryPolicy(
        max_attempts=settings.max_attempts,
        first_delay_seconds=settings.first_retry_seconds,
        backoff_factor=settings.backoff_factor,
        max_delay_seconds=settings.max_retry_seconds,
    )
    return DeliveryPlan(
        policy=policy,
        lease=timedelta(seconds=settings.lease_seconds),
        send_timeout=timedelta(seconds=settings.send_timeout_seconds),
        batch_size=settings.batch_size,
    )


def delivery_ports(container: Container) -> DeliveryPorts:
    """The outbox queue, the senders and the clock of `container`."""
    return DeliveryPorts(
        queue=container.outbox_queue(), senders=container.message_senders(), clock=container.clock
    )


def reminder_terms(container: Container) -> ReminderTerms:
    """What breach reminders need, from `container` and its breach settings (issue 6)."""
    return container.breach_reminder_terms()


def deliver_once(container: Container) -> DeliveryRun:
    """Queue today's breach reminders, deliver everything due now, then return (`cpniguard worker --once`).

    The dead letters of this delivery and earlier ones are then told to the compliance officer,
    and that digest delivered too.
    """
    _queue_reminders_safely(container)
    ports, plan = delivery_ports(container), delivery_plan(container.settings.outbox)
    run = deliver_until_idle(ports=ports, plan=plan)
    _log(run)
    if _queue_dead_letter_digest_safely(container):
        run += deliver_until_idle(ports=ports, plan=plan)
    _record_notices(container)
    return run


def _record_notices(container: Container) -> None:
    """Enter the CPNI notices just delivered in the consent ledger: their waiting periods start now."""
    recorded = record_delivered_notices(uow_factory=container.unit_of_work, clock=container.clock)
    if recorded:
        logger.info("consent ledger: %d CPNI notices recorded as sent", recorded)


def deliver_until_stopped(container: Container, stop: threading.Event) -> None:
    """Deliver due messages until `stop` is set, waiting between passes when nothing is due."""
    ports, plan = delivery_ports(container), delivery_plan(container.settings.outbox)
    poll_seconds = container.settings.outbox.poll_seconds
    pending_notices = True  # notices delivered before a restart are recorded on the first pass
    passes = 0
    while not stop.is_set():
        passes += 1
        if (passes - 1) % REMINDER_SWEEP_PASSES == 0:  # the first pass too: reminders go out on start
            _queue_reminders_safely(container)
            _queue_dead_letter_digest_safely(container)
        try:
            run = deliver_due(ports=ports, plan=plan)
        except Exception:
            # A database that is down for a moment must not end the worker: it tries again.
            logger.exception("delivery pass failed; trying again in %s s", poll_seconds)
            stop.wait(poll_seconds)
            continue
        _log(run)
        # Another worker's deliveries are swept up now and then even when this one sends nothing.
        if run.sent or pending_notices or passes % NOTICE_SWEEP_PASSES == 0:
            pending_notices = not _record_notices_safely(container)
        if run.handled == 0 or run.skipped:
            stop.wait(poll_seconds)


def _record_notices_safely(container: Container) -> bool:
    """Record delivered notices; False when that failed (they stay in the outbox for the next pass)."""
    try:
        _record_notices(container)
    except Exception:
        logger.exception("recording delivered notices failed; trying again on the next pass")
        return False
    return True


def _queue_reminders_safely(container: Container) -> None:
    """Queue the breach reminders due today; a failure is logged and tried again on a later look."""
    try:
        queued = queue_breach_reminders(reminder_terms(container))
    except Exception:
        # A reminder must never cost the customers' messages their delivery.
        logger.exception("queuing breach deadline reminders failed; trying again later")
        return
    if queued:
        logger.info("breach: %d deadline reminders queued for the compliance officer", queued)


def _queue_dead_letter_digest_safely(container: Container) -> int:
    """Queue a digest of unlisted dead letters to the officer; how many it lists (0 after a failure)."""
    try:
        listed = queue_dead_letter_digest(container.dead_letter_terms())
    except Exception:
        # Telling of dead letters must never cost the customers' messages their delivery.
        logger.exception("queuing the dead-letter digest failed; trying again later")
        return 0
    if listed:
        logger.warning("outbox: %d dead letters told to the compliance officer", listed)
    return listed


def _log(run: DeliveryRun) -> None:
    if run.handled:
        logger.info(
            "outbox: %d sent, %d to retry, %d dead, %d left for later",
            run.sent,
            run.retried,
            run.dead,
            run.skipped,
        )
