"""A customer's CPNI approval per recipient, derived from the consent ledger as of any instant.

47 CFR 64.2003(k), (l); 64.2007(a)(2), (b); 64.2008(d)(1)-(3), (f); RULES.md 3, 4.
- Opt-out approval is deemed only once the waiting period after a written or electronic notice
  has run: 30 days (or the longer period the notice states) from an email's sending, from the
  third day after a letter's mailing. Oral notices never start it.
- A bounced notice never counts, even for instants before the bounce was reported; a notice
  resent another way is a new notice.
- Deemed approval lapses two years after the last notice (64.2008(d)(2)). A renotice sent before
  the lapse keeps the approval running: the customer was told again while approval stood, so its
  own waiting period does not reopen a gap. Each notice counts on its own, so approval is deemed
  as soon as any notice's waiting period has run. A renotice sent at or after the lapse starts
  afresh. Lapses are counted on the UTC calendar, so the offset a time carries changes nothing.
- Opt-in comes only from an explicit event. An opt-out, revocation or opt-in stands until the
  customer changes it, whatever notices follow (64.2007(a)(2)).
- Events at one instant apply in ledger order (by id; one not yet recorded comes last).
- One-time oral consent is never part of the standing approval: see `with_one_time_consent`.

`consent_timeline` (what the projection stores) and `standing_at` (an as-of answer) agree: at any
instant the segment covering it has the standing's approval and basis event; no segment, no approval.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from cpniguard.domain.consent_events import (
    APPROVAL_CLASSES,
    MAIL_DELIVERY_DAYS,
    MIN_WAITING_PERIOD_DAYS,
    OPT_OUT_CLASSES,
    ConsentEvent,
    ConsentEventKind,
    ConsentScope,
    NoticeMedium,
)
from cpniguard.domain.disclosure_request import Approval, RecipientClass

RENOTICE_YEARS = 2
"""64.2008(d)(2): opt-out notices go out every two years; deemed approval lapses without one."""

DECISIONS = frozenset({ConsentEventKind.OPTED_IN, ConsentEventKind.OPTED_OUT, ConsentEventKind.REVOKED})
WRITTEN_OR_ELECTRONIC = frozenset({NoticeMedium.EMAIL, NoticeMedium.MAIL})

_RANK_AT_ONE_INSTANT = {
    ConsentEventKind.NOTICE_SENT: 0,
    ConsentEventKind.NOTICE_BOUNCED: 1,
    ConsentEventKind.ONE_TIME_CONSENT: 2,
    ConsentEventKind.OPTED_IN: 3,
    ConsentEventKind.REVOKED: 4,
    ConsentEventKind.OPTED_OUT: 5,
}
"""Only for events that nothing else orders: then the customer's denial is read last, and wins."""


class StandingReason(StrEnum):
    """Why a scope has the approval it has at an instant."""

    OPTED_IN = "opted_in"
    OPTED_OUT = "opted_out"
    REVOKED = "revoked"
    DEEMED = "deemed"
    WAITING = "waiting"
    """A notice was sent; approval will be deemed when its waiting period ends."""
    LAPSED = "lapsed"
    """The last notice is over two years old."""
    NO_NOTICE = "no_notice"
    OPT_IN_REQUIRED = "opt_in_required"
    """The recipient needs opt-in (64.2007(b)) and the customer has given none."""


@dataclass(frozen=True, slots=True)
class ConsentSegment:
    """An approval that holds for a scope from `valid_from` until `valid_until` (open when None)."""

    scope: ConsentScope
    approval: Approval
    valid_from: datetime
    valid_until: datetime | None
    basis_event_id: int | None

    def covers(self, at: datetime) -> bool:
        """Whether the segment holds at `at`."""
        return self.valid_from <= at and (self.valid_until is None or at < self.valid_until)


@dataclass(frozen=True, slots=True)
class ConsentStanding:
    """A scope's approval at one instant, with the reason and the event it rests on."""

    scope: ConsentScope
    approval: Approval
    reason: StandingReason
    since: datetime | None = None
    until: datetime | None = None
    """When the approval ends by itself (a deemed approval's lapse); None when it stands."""
    basis_event_id: int | None = None
    deemed_from: datetime | None = None
    """While waiting: when opt-out approval will be deemed, unless the customer objects."""


@dataclass(frozen=True, slots=True)
class _Window:
    """A run of deemed approval, kept going by the notices `first`..`last` of the valid notices."""

    start: datetime
    end: datetime
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class _Span:
    start: datetime
    end: datetime
    basis_event_id: int | None


def add_years(moment: datetime, years: int) -> datetime:
    """The same date and time `years` later; 29 February becomes 28 February."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def approval_effective_at(notice: ConsentEvent) -> datetime:
    """When opt-out approval may be deemed after `notice` (64.2008(d)(1)).

    At least 30 days, or the longer period the notice states, from the day an electronic
    notice is sent or from the third day after a notice is mailed.
    """
    days = max(MIN_WAITING_PERIOD_DAYS, notice.waiting_period_days or 0)
    if notice.notice_medium is NoticeMedium.MAIL:
        days += MAIL_DELIVERY_DAYS
    return notice.occurred_at.astimezone(UTC) + timedelta(days=days)


def _lapse_at(notice: ConsentEvent) -> datetime:
    """64.2008(d)(2): two years after the notice, on the UTC calendar."""
    return add_years(notice.occurred_at.astimezone(UTC), RENOTICE_YEARS)


def _order_key(event: ConsentEvent) -> tuple[datetime, bool, int, datetime, int, tuple[ConsentScope, ...]]:
    rank = _RANK_AT_ONE_INSTANT[event.kind]
    return (event.occurred_at, event.id is None, event.id or 0, event.recorded_at, rank, event.scope)


def _ordered(events: Iterable[ConsentEvent]) -> list[ConsentEvent]:
    return sorted(events, key=_order_key)


def valid_notices(events: Iterable[ConsentEvent]) -> list[ConsentEvent]:
    """Written or electronic notices that did not bounce, oldest first (64.2008(d), (d)(3)(iii))."""
    events = list(events)
    bounced = {e.refers_to for e in events if e.kind is ConsentEventKind.NOTICE_BOUNCED}
    return _ordered(
        e
        for e in events
        if e.kind is ConsentEventKind.NOTICE_SENT
        and e.notice_medium in WRITTEN_OR_ELECTRONIC
        and (e.id is None or e.id not in bounced)
    )


def _deemed_windows(notices: Sequence[ConsentEvent]) -> list[_Window]:
    """The runs of deemed approval; a renotice before the lapse extends the run (64.2008(d)(1)-(2))."""
    windows: list[_Window] = []
    for index, notice in enumerate(notices):
        effective, lapse = approval_effective_at(notice), _lapse_at(notice)
        if windows and notice.occurred_at < windows[-1].end:
            last = windows[-1]
            windows[-1] = _Window(min(last.start, effective), max(last.end, lapse), last.first, index)
        else:
            windows.append(_Window(effective, lapse, index, index))
    return windows


def _deemed_spans(notices: Sequence[ConsentEvent]) -> list[_Span]:
    """The deemed runs cut at each renotice, so each part rests on the latest notice sent."""
    spans: list[_Span] = []
    for window in _deemed_windows(notices):
        kept = notices[window.first : window.last + 1]
        ends = [n.occurred_at for n in kept[1:]] + [window.end]
        for notice, end in zip(kept, ends, strict=True):
            start = max(window.start, notice.occurred_at)
            if end > start:
                spans.append(_Span(start, end, notice.id))
    return spans


_DECIDED: Mapping[ConsentEventKind, Approval] = {
    ConsentEventKind.OPTED_IN: Approval.OPT_IN,
    ConsentEventKind.OPTED_OUT: Approval.OPTED_OUT,
    ConsentEventKind.REVOKED: Approval.OPTED_OUT,
}


def scopes_of(events: Iterable[ConsentEvent]) -> list[ConsentScope]:
    """Every class that can be approved, and each named partner the customer decided about.

    One-time consent names no standing scope (64.2008(f)), so its partners are not listed.
    """
    named = {s for e in events if e.kind in DECISIONS for s in e.scope if s.partner}
    return sorted({ConsentScope(r) for r in APPROVAL_CLASSES} | named)


def consent_timeline(events: Iterable[ConsentEvent]) -> list[ConsentSegment]:
    """Every approval other than none, per scope, over all time: what the projection stores.

    64.2007(a)(2), 64.2008(d); it agrees with `standing_at` for every scope at every instant.
    """
    events = _ordered(events)
    spans = _deemed_spans(valid_notices(events))
    scopes = scopes_of(events)
    by_scope = _decisions_by_scope([e for e in events if e.kind in DECISIONS], scopes)
    return [segment for scope in scopes for segment in _scope_segments(scope, by_scope[scope], spans)]


def _decisions_by_scope(
    decisions: Sequence[ConsentEvent], scopes: Sequence[ConsentScope]
) -> dict[ConsentScope, list[ConsentEvent]]:
    """Each scope's decisions in order, as `ConsentEvent.applies_to` reads them, in one pass."""
    by_scope: dict[ConsentScope, list[ConsentEvent]] = {scope: [] for scope in scopes}
    members: dict[RecipientClass, list[ConsentScope]] = {}
    for scope in scopes:
        members.setdefault(scope.recipient, []).append(scope)
    for decision in decisions:
        for scope in _covered_scopes(decision, members, scopes):
            by_scope[scope].append(decision)
    return by_scope


def _covered_scopes(
    decision: ConsentEvent,
    members: Mapping[RecipientClass, Sequence[ConsentScope]],
    everyone: Sequence[ConsentScope],
) -> set[ConsentScope]:
    if not decision.scope:
        return set(everyone) if decision.kind is ConsentEventKind.OPTED_OUT else set()
    covered: set[ConsentScope] = set()
    for scope in decision.scope:
        covered.update(members.get(scope.recipient, ()) if not scope.partner else (scope,))
    return covered


def _scope_segments(
    scope: ConsentScope, decisions: Sequence[ConsentEvent], spans: Sequence[_Span]
) -> list[ConsentSegment]:
    first_decision = decisions[0].occurred_at if decisions else None
    segments = _deemed_segments(scope, spans, until=first_decision) if _may_be_deemed(scope) else []
    for start, following in _with_next(_decision_runs(decisions)):
        end = following.occurred_at if following else None
        segments.append(ConsentSegment(scope, _DECIDED[start.kind], start.occurred_at, end, start.id))
    return segments


def _decision_runs(decisions: Sequence[ConsentEvent]) -> list[ConsentEvent]:
    """The decisions that began each run of one approval, in order (64.2007(a)(2)).

    A decision overtaken at its own instant never held; one repeating the approval in force
    changes nothing, so the run still rests on the decision that began it.
    """
    starts: list[ConsentEvent] = []
    for decision, following in _with_next(decisions):
        if following is not None and following.occurred_at == decision.occurred_at:
            continue
        if not starts or _DECIDED[starts[-1].kind] is not _DECIDED[decision.kind]:
            starts.append(decision)
    return starts


def _with_next(events: Sequence[ConsentEvent]) -> Iterator[tuple[ConsentEvent, ConsentEvent | None]]:
    """Each event with the one after it (None for the last); nothing for no events."""
    for index, event in enumerate(events, start=1):
        yield event, events[index] if index < len(events) else None


def _may_be_deemed(scope: ConsentScope) -> bool:
    return scope.recipient in OPT_OUT_CLASSES


def _deemed_segments(
    scope: ConsentScope, spans: Sequence[_Span], *, until: datetime | None
) -> list[ConsentSegment]:
    segments = []
    for span in spans:
        end = span.end if until is None else min(span.end, until)
        if end > span.start:
            segments.append(
                ConsentSegment(scope, Approval.OPT_OUT_DEEMED, span.start, end, span.basis_event_id)
            )
    return segments


def standing_at(events: Iterable[ConsentEvent], scope: ConsentScope, at: datetime) -> ConsentStanding:
    """The scope's approval at `at`, with why (what `GET .../consent?as_of=` shows).

    64.2007(a)(2), (b); 64.2008(d)(1)-(3). Bounces count whenever reported: the notice never did.
    A decision's standing dates from the decision that began its run: a repeat changes nothing.
    """
    events = [e for e in _ordered(events) if e.occurred_at <= at or e.kind is ConsentEventKind.NOTICE_BOUNCED]
    decisions = [e for e in events if e.kind in DECISIONS and e.applies_to(scope)]
    if decisions:
        start = _decision_runs(decisions)[-1]
        return ConsentStanding(
            scope, _DECIDED[start.kind], StandingReason(start.kind), start.occurred_at, None, start.id
        )
    if not _may_be_deemed(scope):
        return ConsentStanding(scope, Approval.NONE, StandingReason.OPT_IN_REQUIRED)
    return _deemed_standing(scope, valid_notices(events), at)


def _deemed_standing(scope: ConsentScope, notices: Sequence[ConsentEvent], at: datetime) -> ConsentStanding:
    windows = _deemed_windows(notices)
    if not windows:
        return ConsentStanding(scope, Approval.NONE, StandingReason.NO_NOTICE)
    last = windows[-1]
    basis = notices[last.last].id
    if at < last.start:
        return ConsentStanding(
            scope, Approval.NONE, StandingReason.WAITING, basis_event_id=basis, deemed_from=last.start
        )
    if at >= last.end:
        return ConsentStanding(
            scope, Approval.NONE, StandingReason.LAPSED, since=last.end, basis_event_id=basis
        )
    return ConsentStanding(scope, Approval.OPT_OUT_DEEMED, StandingReason.DEEMED, last.start, last.end, basis)


def approvals_at(segments: Iterable[ConsentSegment], at: datetime) -> dict[RecipientClass, Approval]:
    """Class-wide approvals holding at `at`, as the gate reads them (64.2009(a))."""
    return {s.scope.recipient: s.approval for s in segments if not s.scope.partner and s.covers(at)}


def with_one_time_consent(
    approvals: Mapping[RecipientClass, Approval], consented: Iterable[RecipientClass]
) -> dict[RecipientClass, Approval]:
    """Approvals for one call, with oral one-time consent given on it (64.2008(f)).

    The consent covers the recipients the customer agreed to for this call only; it never
    replaces an opt-in, and it is never stored as standing approval.
    """
    merged = dict(approvals)
    for recipient in consented:
        if merged.get(recipient) is not Approval.OPT_IN:
            merged[recipient] = Approval.ONE_TIME_ORAL
    return merged


def last_valid_notice(events: Iterable[ConsentEvent]) -> ConsentEvent | None:
    """The most recent written or electronic notice that did not bounce (64.2008(d)(2), (d)(3)(iii))."""
    notices = valid_notices(events)
    return notices[-1] if notices else None


def renotice_due_at(events: Iterable[ConsentEvent]) -> datetime | None:
    """When the customer's next biennial notice is due (64.2008(d)(2)); None: no notice yet (initial)."""
    notice = last_valid_notice(events)
    return None if notice is None else _lapse_at(notice)
