"""The port of the breach record (issue 6; 47 CFR 64.2011(d)).

Kept apart from ports.py, which holds the rest of the unit of work, so each stays readable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cpniguard.domain.breach_timeline import Breach, BreachEvent


class BreachStore(Protocol):
    """Breaches and their append-only timelines; every call joins the caller's transaction."""

    def open(self, reference: str, at: datetime, by: str) -> int | None:
        """Record a new breach; its id, or None (nothing written) when `reference` already names one."""
        ...

    def get(self, breach_id: int) -> Breach | None:
        """The breach with this id."""
        ...

    def lock(self, breach_id: int) -> Breach | None:
        """The breach, its timeline's writes serialized until the transaction ends; call it first."""
        ...

    def by_reference(self, reference: str) -> Breach | None:
        """The breach the carrier calls `reference`."""
        ...

    def append(self, breach_id: int, event: BreachEvent) -> int:
        """Append `event` to the breach's timeline (the caller has checked it); its id."""
        ...

    def events(self, breach_id: int) -> list[BreachEvent]:
        """The breach's timeline with ids, in the order it was recorded."""
        ...

    def close(self, breach_id: int, at: datetime) -> None:
        """Mark the breach closed at `at`: its 2-year retention starts (64.2011(d))."""
        ...

    def purge(self, breach_id: int) -> int:
        """Delete the breach and its timeline (the caller has checked the floor); events deleted."""
        ...
