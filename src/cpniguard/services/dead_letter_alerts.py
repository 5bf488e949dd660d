"""Telling the compliance officer of dead letters, and listing them for staff (DESIGN.md invariant 5).

The worker calls `queue_dead_letter_digest` now and then: the oldest dead letters no digest has
listed yet go into one email to the compliance officer, through the outbox, and are marked as
listed in the same transaction. Two workers sweeping at once build the same digest under the same
key; the second finds it queued, queues nothing and marks its letters all the same (a letter
already marked keeps its digest). domain/dead_letters.py says what is listed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from cpniguard.domain.dead_letters import (
    DEAD_LETTER_DIGEST_TEMPLATE,
    DIGEST_SIZE,
    digest_key,
    digest_text,
)
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.services.outbox import officer_email
from cpniguard.services.ports import Clock, DeadLetterDetail, UnitOfWorkFactory

logger = logging.getLogger(__name__)
MAX_DEAD_LETTERS_PAGE = 1000
MAX_MESSAGE_ID = 2**62
"""The largest message id a page may start after: beyond what either database's keys hold."""


@dataclass(frozen=True, slots=True)
class DeadLetterTerms:
    """What digests need: the store, the time, and the compliance officer's email (None: no digests)."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    officer_email: str | None


def queue_dead_letter_digest(terms: DeadLetterTerms) -> int:
    """Queue one digest of the oldest unlisted dead letters to the officer; how many it lists.

    Without an officer email nothing is queued: the dead letters waiting are logged as a warning
    instead, each time, so that the omission shows.
    """
    officer = (terms.officer_email or "").strip()
    now = terms.clock.now()
    with terms.uow_factory() as uow:
        # The write lock before the first read: on SQLite a read then a write fails at once.
        uow.access_log.prepare_to_append()
        letters, waiting = uow.outbox.dead_letters_to_alert(limit=DIGEST_SIZE)
        if not letters:
            return 0
        if not officer:
            logger.warning(
                "outbox: %d dead letters and no compliance officer email to tell (set "
                "CPNIGUARD_BREACH__COMPLIANCE_OFFICER_EMAIL; `cpniguard outbox dead-letters` lists them)",
                waiting,
            )
            return 0
        key = digest_key(letters)
        subject, body = digest_text(letters, waiting - len(letters))
        message = officer_email(
            key=key, to=officer, template=DEAD_LETTER_DIGEST_TEMPLATE, subject=subject, body=body
        )
        queued = uow.outbox.enqueue(message, at=now)
        # Marked even when the digest was there already (another worker's, or one whose marks
        # were lost), so that the same letters never hold the head of the queue for ever.
        uow.outbox.mark_alerted([letter.message_id for letter in letters], digest_key=key, at=now)
        uow.commit()
    return len(letters) if queued else 0


def dead_letters(
    *, uow_factory: UnitOfWorkFactory, after_id: int = 0, limit: int = 100
) -> list[DeadLetterDetail]:
    """Dead letters in id order after `after_id`: whose, where to, why they failed, which digest told."""
    problems = []
    if not 1 <= limit <= MAX_DEAD_LETTERS_PAGE:
        problems.append(FieldProblem("limit", f"must be from 1 to {MAX_DEAD_LETTERS_PAGE}, not {limit}"))
    if not 0 <= after_id <= MAX_MESSAGE_ID:
        problems.append(FieldProblem("after_id", f"must be from 0 to {MAX_MESSAGE_ID}, not {after_id}"))
    if problems:
        raise InvalidInputError("the dead letters cannot be listed", tuple(problems))
    with uow_factory() as uow:
        return uow.outbox.dead_letters(after_id=after_id, limit=limit)
