"""The access log as auditors use it: verify the chain, list a customer's entries, sign a checkpoint."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cpniguard.domain.audit import LoggedAccess, SignedPoint
from cpniguard.domain.audit_verification import ChainReport, ChainVerification, check_segment, signing_keys
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.services.accounts import account_key
from cpniguard.services.ports import AccessLogChain, UnitOfWorkFactory

DEFAULT_PAGE_ENTRIES = 50
MAX_PAGE_ENTRIES = 200
"""A page of a customer's entries is at most this long; older ones are asked for with `before`."""

Progress = Callable[[int, int], None]
"""Called with (entries checked, entries stored) as verification goes."""


def verify_access_log(
    *, chain: AccessLogChain, keys: Sequence[bytes], progress: Progress | None = None
) -> ChainReport:
    """Check the whole access log and name its first bad entry (DESIGN.md invariant 2; 64.2009(c)).

    Every entry against its hash and its place (edited, inserted, deleted or reordered
    entries), then the signed checkpoints and head against the chain (a truncated tail, a
    rewritten chain, a forged signature). `keys` are the signing keys to accept, newest first.
    """
    state = chain.state()
    verification = ChainVerification(state, signing_keys(keys))
    check = functools.partial(check_segment, watched=state.watched)
    for segment in chain.check_segments(check, through_sequence=state.last_stored_sequence):
        verification.add(segment)
        if progress is not None:
            progress(verification.entries_checked, state.last_stored_sequence)
    return verification.report()


@dataclass(frozen=True, slots=True)
class AccessLogPage:
    """A page of one customer's access-log entries, newest first."""

    account_number: str
    entries: list[LoggedAccess]
    next_before: int | None
    """Ask again with before=this for the next (older) page; None on the last page."""


def list_account_access(
    *,
    account_number: str,
    uow_factory: UnitOfWorkFactory,
    limit: int = DEFAULT_PAGE_ENTRIES,
    before_sequence: int | None = None,
) -> AccessLogPage:
    """Who used or disclosed this customer's CPNI, when, how and why (47 CFR 64.2009(c)).

    Newest first, `limit` entries at most (1 to MAX_PAGE_ENTRIES), older than
    `before_sequence` when given. Raises NotFoundError for an unknown account and
    InvalidInputError for a limit or `before_sequence` out of range.
    """
    _check_page(limit, before_sequence)
    with uow_factory() as uow:
        entries = uow.access_log.entries_for_account(
            account_key(uow, account_number), limit=limit + 1, before_sequence=before_sequence
        )
    more = len(entries) > limit
    entries = entries[:limit]
    return AccessLogPage(account_number, entries, entries[-1].sequence if more else None)


def _check_page(limit: int, before_sequence: int | None) -> None:
    problems = []
    if not 1 <= limit <= MAX_PAGE_ENTRIES:
        problems.append(FieldProblem("limit", f"must be from 1 to {MAX_PAGE_ENTRIES}"))
    if before_sequence is not None and before_sequence < 1:
        problems.append(FieldProblem("before", "must be an entry's sequence number, 1 or more"))
    if problems:
        raise InvalidInputError("the page asked for is out of range", tuple(problems))


def checkpoint_access_log(*, uow_factory: UnitOfWorkFactory) -> SignedPoint | None:
    """Sign the chain's last entry now (DESIGN.md invariant 2); None while the log is empty.

    A copy of the printed checkpoint kept outside the database is what catches a cut back
    to an earlier signed state, which the database alone cannot show.
    """
    with uow_factory() as uow:
        point = uow.access_log.write_checkpoint()
        uow.commit()
    return point
