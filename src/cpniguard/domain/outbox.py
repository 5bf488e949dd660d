"""Delivering the outbox: retries with exponential backoff, dead letters (DESIGN.md invariant 5).

A message is written in the transaction of its cause (47 CFR 64.2010(f) notices among them)
and delivered later by a worker. A failed attempt is retried after a growing delay; after
the last allowed attempt the message is dead and keeps the reason, so a person can act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cpniguard.domain.employees import Role
from cpniguard.domain.notices import MESSAGE_FIELDS

MAX_ERROR_CHARACTERS = 1000
"""The longest failure reason kept on a message (the column's width)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long the worker retries a message before giving up."""

    max_attempts: int
    first_delay_seconds: float
    backoff_factor: float
    max_delay_seconds: float

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.first_delay_seconds < 0 or self.backoff_factor < 1:
            raise ValueError("a retry policy needs max_attempts >= 1, delay >= 0 and factor >= 1")


@dataclass(frozen=True, slots=True)
class NextStep:
    """What becomes of a message after a failed attempt: a retry time, or a dead letter."""

    retry_at: datetime | None
    reason: str

    @property
    def is_dead(self) -> bool:
        """Whether the message is given up (no retry)."""
        return self.retry_at is None


class DeliveryFailedError(Exception):
    """A delivery attempt failed; `permanent` when retrying cannot help (a refused recipient)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def retry_delay(attempts: int, policy: RetryPolicy) -> timedelta:
    """The wait before the next attempt, after `attempts` attempts: exponential, capped.

    DESIGN.md invariant 5: retries back off so a provider that is down is not hammered.
    """
    exponent = max(attempts - 1, 0)
    seconds = policy.first_delay_seconds * policy.backoff_factor ** min(exponent, 64)
    return timedelta(seconds=min(seconds, policy.max_delay_seconds))


def after_failure(
    error: DeliveryFailedError, *, attempts: int, at: datetime, policy: RetryPolicy
) -> NextStep:
    """Decide a failed message's fate: retry later, or dead letter with the reason.

    Dead when the failure is permanent or `attempts` reached the policy's maximum
    (DESIGN.md invariant 5: dead letters keep their reason after N attempts).
    """
    reason = error.reason[:MAX_ERROR_CHARACTERS]
    if error.permanent:
        return NextStep(None, f"permanent failure: {reason}"[:MAX_ERROR_CHARACTERS])
    if attempts >= policy.max_attempts:
        return NextStep(None, f"gave up after {attempts} attempts: {reason}"[:MAX_ERROR_CHARACTERS])
    return NextStep(at + retry_delay(attempts, policy), reason)


DELIVERY_READERS = frozenset({Role.REPRESENTATIVE, Role.SUPERVISOR, Role.COMPLIANCE_OFFICER, Role.AUDITOR})
"""Roles that see where a customer's messages stand (never their bodies)."""


def can_read_deliveries(role: Role) -> bool:
    """Whether `role` may see the delivery state of a customer's messages."""
    return role in DELIVERY_READERS


TEMPLATES_CARRYING_A_CODE = frozenset(name for name, fields in MESSAGE_FIELDS.items() if "code" in fields)
"""Messages whose body holds a one-time code (64.2010(b), (e)); it is not kept once delivered."""
CODE_REMOVED_BODY = "(The one-time code this message carried was removed once it was delivered or given up.)"
