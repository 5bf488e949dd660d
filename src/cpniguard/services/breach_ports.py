"""The port of the breach record (issue 6; 47 CFR 64.2011(d)).

Kept apart from ports.py, which holds the rest of the unit of work, so each stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from cpniguard.domain.accounts import Language
from cpniguard.domain.breach_timeline import Breach, BreachEvent
from cpniguard.domain.business_days import CommissionClosure


@dataclass(frozen=True, slots=True)
class AffectedCustomer:
    """An account a breach affected, with its contacts of record now (where a breach notice can go)."""

    account_id: int
    account_number: str
    language: Language
    email_of_record: str | None
    postal_address_of_record: str | None


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
        """Delete the breach, its timeline and its affected accounts (the caller has checked the floor).

        How many timeline events were deleted.
        """
        ...

    def reopen(self, breach_id: int) -> None:
        """Clear the breach's closing: it takes events again; its retention waits for the next close."""
        ...

    def listing(self, *, closed: bool | None = None, after_id: int = 0, limit: int = 100) -> list[Breach]:
        """Breaches in id order after `after_id`: only closed ones (True), only open ones (False), or all."""
        ...

    def add_affected(self, breach_id: int, account_ids: Sequence[int], at: datetime, by: str) -> int:
        """Record accounts the breach affected (64.2011(d)); how many were not recorded already."""
        ...

    def affected_accounts(self, breach_id: int, *, after_account_id: int = 0, limit: int = 1000) -> list[int]:
        """The affected accounts' internal keys in ascending order after `after_account_id`."""
        ...

    def affected_customers(
        self, breach_id: int, *, as_of: datetime, after_account_id: int = 0, limit: int = 1000
    ) -> list[AffectedCustomer]:
        """The affected accounts in key order, with their email and postal address of record at `as_of`."""
        ...

    def affected_count(self, breach_id: int) -> int:
        """How many accounts are recorded as affected."""
        ...

    def affected_with_message(
        self, breach_id: int, key_prefix: str, *, after_message_id: int = 0
    ) -> tuple[int, int | None]:
        """How many affected accounts' notices the outbox holds after `after_message_id`, and the last.

        A notice is the message keyed `{key_prefix}{account key}`; the last is its outbox id (None
        when there is none).
        """
        ...


class CommissionClosureStore(Protocol):
    """Days the FCC's offices were closed beyond the federal holidays (47 CFR 1.4(e)(1); RULES 10.4)."""

    def add(self, closure: CommissionClosure) -> bool:
        """Record `closure`; False, writing nothing, when its day is already recorded."""
        ...

    def remove(self, day: date) -> bool:
        """Delete the closure of `day`; False when none was recorded."""
        ...

    def listing(self, first: date | None = None, last: date | None = None) -> list[CommissionClosure]:
        """The recorded closures between `first` and `last` inclusive, in date order."""
        ...
