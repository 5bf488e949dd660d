"""How long consent and notice records are kept (47 CFR 64.2007(a)(3), 64.2008(a)(2)).

Approval records (oral, written or electronic) and notice records are kept at least one year
after they are superseded (DESIGN.md invariant 8). A record that still decides a customer's
approval is never superseded, so it is never purged. A purge that would cut below the floor
is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import pairwise

from cpniguard.domain.consent import DECISIONS, add_years, valid_notices
from cpniguard.domain.consent_events import APPROVAL_CLASSES, ConsentEvent, ConsentEventKind, ConsentScope
from cpniguard.domain.errors import DomainError

RETENTION_AFTER_SUPERSEDED_YEARS = 1


class RetentionFloorError(DomainError):
    """A purge would delete records still inside their retention period."""


def purge_cutoff_problem(cutoff: datetime, now: datetime) -> str | None:
    """Why purging records superseded before `cutoff` is refused at `now`, or None when it may run."""
    floor = add_years(now, -RETENTION_AFTER_SUPERSEDED_YEARS)
    if cutoff > floor:
        return (
            f"records must be kept {RETENTION_AFTER_SUPERSEDED_YEARS} year after they are superseded "
            f"(47 CFR 64.2007(a)(3), 64.2008(a)(2)): the cutoff may be {floor.isoformat()} at the latest"
        )
    return None


def superseded_at(events: Sequence[ConsentEvent]) -> dict[int, datetime]:
    """When each superseded event was superseded; events that still count are absent.

    A notice is superseded by the next notice that counts (a bounce goes with its notice); a
    decision, once every scope it covered has a later decision; one-time consent, when given,
    since it never outlasts its call. A record is superseded only once the ledger holds what
    supersedes it: a form received two years ago but entered today supersedes from today, as
    until then the older record was the one the carrier relied on.
    """
    found: dict[int, datetime] = {}
    found.update(_superseded_notices(events))
    found.update(_superseded_decisions(events))
    found.update({e.id: known_at(e) for e in events if e.kind is ConsentEventKind.ONE_TIME_CONSENT and e.id})
    return found


def known_at(event: ConsentEvent) -> datetime:
    """When the ledger learned of `event`: its recording, never before it occurred."""
    return max(event.occurred_at, event.recorded_at)


def _superseded_notices(events: Sequence[ConsentEvent]) -> dict[int, datetime]:
    counted = valid_notices(events)
    found: dict[int, datetime] = {}
    for notice, following in pairwise(counted):
        if notice.id is not None:
            found[notice.id] = known_at(following)
    for event in events:
        if event.kind is ConsentEventKind.NOTICE_SENT and event.id is not None and event not in counted:
            superseding = next((n for n in counted if n.occurred_at >= event.occurred_at), None)
            if superseding is not None:
                found[event.id] = max(known_at(superseding), known_at(event))
    for event in events:
        if event.kind is ConsentEventKind.NOTICE_BOUNCED and event.id and event.refers_to in found:
            found[event.id] = max(found[event.refers_to], known_at(event))
    return found


def _superseded_decisions(events: Sequence[ConsentEvent]) -> dict[int, datetime]:
    decisions = sorted((e for e in events if e.kind in DECISIONS), key=lambda e: (e.occurred_at, e.id or 0))
    found: dict[int, datetime] = {}
    for index, decision in enumerate(decisions):
        replaced = [_replaced_at(scope, decisions[index + 1 :]) for scope in _covered(decision)]
        if decision.id is not None and replaced and all(t is not None for t in replaced):
            found[decision.id] = max(t for t in replaced if t is not None)
    return found


def _covered(decision: ConsentEvent) -> Iterable[ConsentScope]:
    if decision.scope:
        return decision.scope
    return [ConsentScope(r) for r in APPROVAL_CLASSES]


def _replaced_at(scope: ConsentScope, later: Sequence[ConsentEvent]) -> datetime | None:
    """When the ledger first held a later decision for `scope`."""
    return min((known_at(d) for d in later if d.applies_to(scope)), default=None)


def purgeable(events: Sequence[ConsentEvent], *, superseded_before: datetime) -> list[int]:
    """Ids of the events superseded before `superseded_before` (the caller has checked the floor)."""
    return sorted(i for i, t in superseded_at(events).items() if t < superseded_before)
