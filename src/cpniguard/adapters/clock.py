"""Clocks: the system clock, and a pinned one for development and tests (invariant 9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        """The current instant."""
        return datetime.now(UTC)


class AdjustableClock:
    """A clock offset from, or pinned instead of, the real time (never in production)."""

    def __init__(self, pinned: datetime | None = None) -> None:
        self._pinned = pinned
        self._offset = timedelta()

    def now(self) -> datetime:
        """The pinned instant, or the real time plus the offset."""
        base = self._pinned if self._pinned is not None else datetime.now(UTC)
        return base + self._offset

    def pin(self, instant: datetime) -> None:
        """Stop the clock at `instant`."""
        self._pinned = instant
        self._offset = timedelta()

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward (or back) by `delta`."""
        self._offset += delta
