"""Alerting the compliance officer to messages the outbox gave up on (DESIGN.md invariant 5).

A dead letter is a duty that may not have been met: a customer not told of a change to their
account (64.2010(f)), a CPNI notice that never reached them (64.2008), a breach notice not
delivered (64.2011). The worker sends the officer a digest of the dead letters no digest has
listed yet; each says what the dead message was for and what follows from its loss.

The digest names messages by their outbox id, kind and channel only: no customer data goes to
the officer's mailbox. `cpniguard outbox dead-letters` shows whose they were and why they died.
Dead one-time codes are left out (the caller asks for another; the code is gone with the call),
and so are the officer's own reminders and digests: their loss cannot be announced by email.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from cpniguard.domain.breach_customer_notice import (
    BREACH_NOTICE_EMAIL_TEMPLATE,
    BREACH_NOTICE_LETTER_TEMPLATE,
)
from cpniguard.domain.breach_reminders import BREACH_REMINDER_TEMPLATE
from cpniguard.domain.notices import (
    ACCOUNT_CHANGE_TEMPLATE,
    CPNI_NOTICE_EMAIL_TEMPLATE,
    CPNI_NOTICE_LETTER_TEMPLATE,
)
from cpniguard.domain.outbox import TEMPLATES_CARRYING_A_CODE

DEAD_LETTER_DIGEST_TEMPLATE = "dead_letter_digest"
NOT_ALERTED = frozenset({*TEMPLATES_CARRYING_A_CODE, BREACH_REMINDER_TEMPLATE, DEAD_LETTER_DIGEST_TEMPLATE})
"""Dead letters no digest lists: one-time codes, and the officer's own reminders and digests."""
DIGEST_SIZE = 100
"""Dead letters listed per digest; more wait for the next one."""

_CONSEQUENCES: Mapping[str, str] = {
    ACCOUNT_CHANGE_TEMPLATE: (
        "the customer was not told of a change to their account (47 CFR 64.2010(f)): tell them "
        "another way, at the address of record they had before the change"
    ),
    CPNI_NOTICE_EMAIL_TEMPLATE: (
        "the CPNI notice did not reach the customer, so it does not count and no opt-out approval "
        "runs from it (47 CFR 64.2008(d)): the next mailing sends it again, or send it by letter"
    ),
    CPNI_NOTICE_LETTER_TEMPLATE: (
        "the CPNI notice letter was not handed over for mailing, so it does not count "
        "(47 CFR 64.2008(d)): the next mailing sends it again"
    ),
    BREACH_NOTICE_EMAIL_TEMPLATE: (
        "the customer was not notified of the breach (47 CFR 64.2011): notify them by letter to the "
        "address of record and record it on the breach's timeline"
    ),
    BREACH_NOTICE_LETTER_TEMPLATE: (
        "the breach notice letter was not handed over for mailing (47 CFR 64.2011): mail it and "
        "record it on the breach's timeline"
    ),
    "consent_confirmation": (
        "the customer did not receive the confirmation of their consent decision: the decision "
        "itself stands in the ledger; tell them another way if they expect it"
    ),
}
_UNKNOWN_CONSEQUENCE = "a message to the customer was not delivered: check what it was for"


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A message the outbox gave up on: which, what kind, by which channel, when, after how many tries."""

    message_id: int
    template: str
    channel: str
    created_at: datetime
    attempts: int


def consequence(template: str) -> str:
    """What follows from losing a message of this kind, and what to do about it."""
    return _CONSEQUENCES.get(template, _UNKNOWN_CONSEQUENCE)


def digest_key(letters: Sequence[DeadLetter]) -> str:
    """The digest's outbox key: the same dead letters give the same key, so two workers queue it once.

    The lowest and highest ids and the count, for a reader; a hash of every id, so that two
    different sets never share a key.
    """
    ids = sorted(letter.message_id for letter in letters)
    listed = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
    return f"dead-letters:{ids[0]}-{ids[-1]}:{len(ids)}:{listed}"


def digest_text(letters: Sequence[DeadLetter], waiting: int) -> tuple[str, str]:
    """The digest's subject and body: each dead letter and what its loss means; `waiting` more follow."""
    if not letters:
        raise ValueError("a digest lists at least one dead letter")
    lines = [
        f"The outbox gave up on {len(letters)} message(s). Each may be a duty not met:",
        "",
        *(_line(letter) for letter in letters),
        "",
    ]
    if waiting:
        lines += [f"{waiting} more dead letter(s) will follow in the next digest.", ""]
    lines += [
        "This digest carries no customer data: `cpniguard outbox dead-letters` shows whose each",
        "message was, where it went and why it failed.",
    ]
    return f"cpniguard: {len(letters)} message(s) could not be delivered", "\n".join(lines)


def _line(letter: DeadLetter) -> str:
    when = letter.created_at.isoformat(timespec="minutes")
    return (
        f"- message {letter.message_id} ({letter.template}, by {letter.channel}, queued {when}, "
        f"{letter.attempts} attempt(s)): {consequence(letter.template)}."
    )
