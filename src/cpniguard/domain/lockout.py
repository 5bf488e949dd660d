"""Locking password and PIN authentication after repeated failures (47 CFR 64.2010(a)).

64.2010(a) asks for reasonable measures to discover and guard against attempts to gain
unauthorized access to CPNI.
Five failed attempts on an account within fifteen minutes lock password and PIN
authentication; each lock that follows another without a success in between lasts twice
as long, up to a ceiling. A success ends the series. The numbers are a policy, passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """How many failures, within what window, lock for how long."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    first_lock: timedelta = timedelta(minutes=15)
    longest_lock: timedelta = timedelta(hours=24)

    def lock_length(self, locks_before: int) -> timedelta:
        """The length of a lock that follows `locks_before` others in the same series."""
        length = self.first_lock
        for _ in range(locks_before):  # doubling stops at the ceiling, so no overflow
            if length >= self.longest_lock:
                break
            length *= 2
        return min(length, self.longest_lock)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One password or PIN attempt on an account."""

    at: datetime
    succeeded: bool


@dataclass(frozen=True, slots=True)
class LockState:
    """Where the account stands: locked until when, and how many recent failures count."""

    locked_until: datetime | None
    failures_in_window: int
    locks_in_series: int

    def is_locked_at(self, at: datetime) -> bool:
        """Whether password and PIN authentication is refused at `at` (47 CFR 64.2010(a))."""
        return self.locked_until is not None and at < self.locked_until


def lock_state(attempts: Iterable[Attempt], policy: LockoutPolicy, now: datetime) -> LockState:
    """The lock state at `now` from the account's attempts (any order), 64.2010(a).

    Attempts made while locked do not count toward the next lock: they were refused.
    """
    failures: list[datetime] = []
    locked_until: datetime | None = None
    locks = 0
    for attempt in sorted(attempts, key=lambda a: a.at):
        if attempt.at > now or (locked_until is not None and attempt.at < locked_until):
            continue
        if attempt.succeeded:
            failures, locks = [], 0
            continue
        failures = [at for at in failures if attempt.at - at < policy.window] + [attempt.at]
        if len(failures) >= policy.max_failures:
            locked_until = attempt.at + policy.lock_length(locks)
            failures, locks = [], locks + 1
    recent = sum(1 for at in failures if now - at < policy.window)
    return LockState(locked_until if locked_until and now < locked_until else None, recent, locks)
