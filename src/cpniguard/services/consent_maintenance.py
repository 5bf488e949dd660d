"""Keeping the consent projection honest, and purging records past their retention.

DESIGN.md invariants 6 and 8. `check_projection` derives every account's approvals from its
ledger again and compares them with the stored projection (`cpniguard consent check`);
with `repair` it rewrites the accounts that differ. `purge_consent_records` deletes records
superseded more than a year before the cutoff, and refuses a cutoff inside that year.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cpniguard.domain.consent import ConsentSegment, consent_timeline
from cpniguard.domain.consent_events import ConsentEvent, ConsentEventKind
from cpniguard.domain.consent_retention import RetentionFloorError, purge_cutoff_problem, purgeable
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.domain.notices import CPNI_NOTICE_KEY_PREFIX
from cpniguard.services.ports import Clock, UnitOfWorkFactory

CHECK_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class ProjectionDifference:
    """One account whose stored projection is not what its ledger derives."""

    account_id: int
    missing: tuple[ConsentSegment, ...]
    """Derived from the ledger but not stored."""
    unexpected: tuple[ConsentSegment, ...]
    """Stored but not derived from the ledger."""


@dataclass(frozen=True, slots=True)
class ProjectionCheck:
    """What a check found (and, with repair, rewrote)."""

    accounts_checked: int = 0
    differences: tuple[ProjectionDifference, ...] = field(default=())
    repaired: bool = False


def check_projection(
    *, uow_factory: UnitOfWorkFactory, repair: bool, progress: Callable[[int], None] | None = None
) -> ProjectionCheck:
    """Compare every account's projection with its ledger, a page of accounts per transaction.

    A repair locks each account before reading its ledger, so an event recorded meanwhile is
    never overwritten by a projection derived without it.
    """
    checked, differences, after = 0, list[ProjectionDifference](), 0
    while True:
        with uow_factory() as uow:
            if repair:
                uow.access_log.prepare_to_append()  # SQLite: the write lock before the first read
            accounts = uow.consent.accounts_with_events(after_account_id=after, limit=CHECK_PAGE_SIZE)
            for account_id in accounts:
                if repair:
                    uow.consent.lock_account(account_id)
                derived = consent_timeline(uow.consent.events(account_id))
                difference = _difference(account_id, derived, uow.consent.projection(account_id))
                if difference is not None:
                    differences.append(difference)
                    if repair:
                        uow.consent.replace_projection(account_id, derived)
            uow.commit()
        if not accounts:
            return ProjectionCheck(checked, tuple(differences), repair)
        checked += len(accounts)
        after = accounts[-1]
        if progress is not None:
            progress(len(accounts))


def _difference(
    account_id: int, derived: list[ConsentSegment], stored: list[ConsentSegment]
) -> ProjectionDifference | None:
    missing = tuple(s for s in derived if s not in stored)
    unexpected = tuple(s for s in stored if s not in derived)
    if not missing and not unexpected:
        return None
    return ProjectionDifference(account_id, missing, unexpected)


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """How many records a purge deleted (or would delete, on a dry run), from how many accounts."""

    events: int
    accounts: int
    dry_run: bool


def purge_consent_records(
    *, uow_factory: UnitOfWorkFactory, clock: Clock, superseded_before: datetime, dry_run: bool
) -> PurgeResult:
    """Delete consent and notice records superseded before the cutoff (64.2007(a)(3), 64.2008(a)(2)).

    Refused when the cutoff is less than a year ago. Each account's projection is rewritten
    in the transaction that purges its records. Notices the outbox delivered are kept, with
    their bounces: the outbox still holds each one, and a notice missing from the ledger is
    recorded again as delivered (and, bounce gone, as one that counts).
    """
    if superseded_before.tzinfo is None:
        naive = FieldProblem("superseded_before", "must carry a UTC offset")
        raise InvalidInputError("the purge cutoff names no single instant", (naive,))
    if problem := purge_cutoff_problem(superseded_before, clock.now()):
        raise RetentionFloorError(problem)
    events = accounts = after = 0
    while True:
        with uow_factory() as uow:
            uow.access_log.prepare_to_append()  # SQLite: the write lock before the first read
            page = uow.consent.accounts_with_events(after_account_id=after, limit=CHECK_PAGE_SIZE)
            for account_id in page:
                uow.consent.lock_account(account_id)
                ledger = uow.consent.events(account_id)
                doomed = _purgeable(ledger, superseded_before=superseded_before)
                if doomed and not dry_run:
                    uow.consent.delete_events(account_id, doomed)
                    uow.consent.replace_projection(
                        account_id, consent_timeline(uow.consent.events(account_id))
                    )
                events, accounts = events + len(doomed), accounts + bool(doomed)
            if not dry_run:
                uow.commit()
        if not page:
            return PurgeResult(events, accounts, dry_run)
        after = page[-1]


def _purgeable(events: Sequence[ConsentEvent], *, superseded_before: datetime) -> list[int]:
    """The events past retention, less the outbox's notices and the bounces naming them."""
    kept = {
        e.id
        for e in events
        if e.kind is ConsentEventKind.NOTICE_SENT and (e.reference or "").startswith(CPNI_NOTICE_KEY_PREFIX)
    }
    kept |= {e.id for e in events if e.kind is ConsentEventKind.NOTICE_BOUNCED and e.refers_to in kept}
    return [i for i in purgeable(events, superseded_before=superseded_before) if i not in kept]
