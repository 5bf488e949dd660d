"""The stored consent timeline agrees with the as-of derivation (47 CFR 64.2007, 64.2008; DESIGN.md 6).

`consent_timeline` is what the projection stores; `standing_at` is what `GET .../consent?as_of=`
answers. For any ledger, every scope and every instant, the one segment covering the instant
carries the standing's approval and basis event, and no segment means no approval.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpniguard.domain.consent import (
    ConsentSegment,
    ConsentStanding,
    StandingReason,
    add_years,
    approval_effective_at,
    approvals_at,
    consent_timeline,
    scopes_of,
    standing_at,
)
from cpniguard.domain.consent_events import (
    APPROVAL_CLASSES,
    ConsentEvent,
    ConsentEventKind,
    ConsentProof,
    ConsentScope,
    ConsentSource,
    NoticeMedium,
    event_problems,
)
from cpniguard.domain.disclosure_request import Approval, RecipientClass

pytestmark = pytest.mark.unit

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SPAN_DAYS = 5 * 365
ONE_MICROSECOND = timedelta(microseconds=1)
PARTNERS = ("", "", "Acme Wireless", "Bayside Media")
"""Class-wide scopes twice as often as each named partner."""
OFFSETS = (
    *(timedelta(0),) * 4,
    ONE_MICROSECOND,
    -ONE_MICROSECOND,
    timedelta(days=1),
    timedelta(days=30),
    timedelta(days=33),
    timedelta(days=45),
    timedelta(days=48),
    timedelta(days=700),
    timedelta(days=729),
    timedelta(days=730),
    timedelta(days=731),
)
"""Distances from an earlier event that land on the rule's edges: the same instant (often),
waiting periods and lapses."""
SETTINGS = settings(deadline=None)
LIGHTER = settings(deadline=None, max_examples=50)

scopes = st.builds(ConsentScope, st.sampled_from(sorted(APPROVAL_CLASSES)), st.sampled_from(PARTNERS))
raw_events = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(ConsentEventKind),
        "time": st.tuples(st.integers(0, 3), st.integers(0, 39), st.sampled_from(OFFSETS)),
        "minutes": st.integers(0, SPAN_DAYS * 24 * 60),
        "recorded_late": st.booleans(),
        "has_id": st.integers(0, 3).map(bool),
        "medium": st.sampled_from(NoticeMedium),
        "waiting_period_days": st.sampled_from([None, 30, 45, 90]),
        "scope": st.lists(scopes, max_size=3, unique=True).map(tuple),
        "bounced": st.integers(0, 39),
    }
)
"""One ledger entry's choices; `ledgers` turns them into a valid event."""


@st.composite
def ledgers(draw: st.DrawFn, max_size: int = 40) -> list[ConsentEvent]:
    """A valid ledger: random kinds, scopes and times; bounces name earlier notices by id.

    Times fall anywhere over five years, or at a rule's edge from an earlier event.
    """
    size = draw(st.integers(0, max_size))
    raws = draw(st.lists(raw_events, min_size=size, max_size=size))
    ids = draw(st.permutations(range(1, len(raws) + 1)))
    events: list[ConsentEvent] = []
    for raw, event_id in zip(raws, ids, strict=True):
        events.append(_event(raw, events, event_id if raw["has_id"] else None))
    return events


def _occurred_at(raw: dict[str, Any], events: list[ConsentEvent]) -> datetime:
    mode, base, offset = raw["time"]
    if not events or not mode:
        return T0 + timedelta(minutes=raw["minutes"])
    earlier = events[base % len(events)].occurred_at
    return add_years(earlier, 2) if mode == 1 else earlier + offset


def _event(raw: dict[str, Any], events: list[ConsentEvent], event_id: int | None) -> ConsentEvent:
    at = _occurred_at(raw, events)
    recorded_at = at + (timedelta(days=3) if raw["recorded_late"] else timedelta(0))
    notices = [e.id for e in events if e.kind is ConsentEventKind.NOTICE_SENT and e.id is not None]
    kind = raw["kind"]
    if kind is ConsentEventKind.NOTICE_BOUNCED and not notices:
        kind = ConsentEventKind.NOTICE_SENT
    event = ConsentEvent(kind, at, recorded_at, "test", event_id, **_fields(raw, kind, notices))
    assert event_problems(event) == []
    return event


def _fields(raw: dict[str, Any], kind: ConsentEventKind, notices: list[int]) -> dict[str, Any]:
    scope = raw["scope"] or (ConsentScope(RecipientClass.CARRIER),)
    match kind:
        case ConsentEventKind.NOTICE_SENT:
            medium, days = raw["medium"], raw["waiting_period_days"]
            return {"notice_version": "2026-01", "notice_medium": medium, "waiting_period_days": days}
        case ConsentEventKind.NOTICE_BOUNCED:
            return {"refers_to": notices[raw["bounced"] % len(notices)]}
        case ConsentEventKind.OPTED_OUT:
            return {"scope": raw["scope"], "source": ConsentSource.PORTAL}
        case ConsentEventKind.OPTED_IN:
            return {"scope": scope, "proof": ConsentProof.ORAL, "recording_reference": "rec/1"}
        case ConsentEventKind.REVOKED:
            return {"scope": scope}
        case ConsentEventKind.ONE_TIME_CONSENT:
            return {"scope": scope, "interaction_id": 7}


def edges(events: list[ConsentEvent], segments: list[ConsentSegment]) -> set[datetime]:
    """The instants where an answer can change, and one microsecond either side."""
    moments = {T0 - timedelta(days=1), T0 + timedelta(days=SPAN_DAYS + 800)}
    for event in events:
        moments.add(event.occurred_at)
        if event.kind is ConsentEventKind.NOTICE_SENT:
            moments |= {approval_effective_at(event), add_years(event.occurred_at, 2)}
    for segment in segments:
        moments |= {segment.valid_from, segment.valid_until or segment.valid_from}
    return {m + d for m in moments for d in (-ONE_MICROSECOND, timedelta(0), ONE_MICROSECOND)}


def covering(segments: list[ConsentSegment], scope: ConsentScope, at: datetime) -> list[ConsentSegment]:
    return [s for s in segments if s.scope == scope and s.covers(at)]


@SETTINGS
@given(
    ledgers(), st.lists(st.integers(-30, SPAN_DAYS + 800).map(lambda d: T0 + timedelta(days=d)), max_size=5)
)
def test_the_timeline_agrees_with_the_standing_for_every_scope_at_every_edge(events, instants):
    timeline = consent_timeline(events)
    for at in edges(events, timeline) | set(instants):
        for scope in scopes_of(events):
            standing = standing_at(events, scope, at)
            found = covering(timeline, scope, at)
            assert len(found) <= 1, (scope, at, found)
            assert (found[0].approval if found else Approval.NONE) is standing.approval, (scope, at, standing)
            if found:
                assert found[0].basis_event_id == standing.basis_event_id, (scope, at, standing)
                assert_bounds_agree(found[0], standing)


def assert_bounds_agree(segment: ConsentSegment, standing: ConsentStanding) -> None:
    """A decision's segment starts when the standing began; a deemed one ends by the known lapse."""
    if standing.reason is StandingReason.DEEMED:
        assert standing.until is not None
        assert segment.valid_until is not None
        assert segment.valid_until <= standing.until
    else:
        assert segment.valid_from == standing.since


@LIGHTER
@given(ledgers(), st.integers(-30, SPAN_DAYS + 800))
def test_the_gate_reads_the_class_wide_standing_from_the_timeline(events, day):
    at = T0 + timedelta(days=day)
    expected = {
        scope.recipient: standing.approval
        for scope in scopes_of(events)
        if not scope.partner and (standing := standing_at(events, scope, at)).approval is not Approval.NONE
    }
    assert approvals_at(consent_timeline(events), at) == expected


@SETTINGS
@given(ledgers())
def test_the_segments_of_a_scope_are_ordered_do_not_overlap_and_never_say_none(events):
    timeline = consent_timeline(events)
    assert all(s.approval is not Approval.NONE for s in timeline)
    assert all(s.valid_until is None or s.valid_until > s.valid_from for s in timeline)
    for scope in {s.scope for s in timeline}:
        own = [s for s in timeline if s.scope == scope]
        for before, after in pairwise(own):
            assert before.valid_until is not None
            assert before.valid_until <= after.valid_from


@SETTINGS
@given(ledgers(), st.data())
def test_the_timeline_does_not_depend_on_the_order_the_events_arrive_in(events, data):
    shuffled = data.draw(st.permutations(events))
    assert consent_timeline(shuffled) == consent_timeline(events)


@LIGHTER
@given(ledgers())
def test_one_time_consent_never_changes_the_timeline(events):
    standing_only = [e for e in events if e.kind is not ConsentEventKind.ONE_TIME_CONSENT]
    assert consent_timeline(events) == consent_timeline(standing_only)
    assert scopes_of(events) == scopes_of(standing_only)


@LIGHTER
@given(ledgers(), st.integers(0, SPAN_DAYS))
def test_the_timeline_up_to_an_instant_needs_no_later_event_but_a_bounce(events, day):
    at = T0 + timedelta(days=day)
    known = [e for e in events if e.occurred_at <= at or e.kind is ConsentEventKind.NOTICE_BOUNCED]
    then, now = consent_timeline(known), consent_timeline(events)
    for scope in scopes_of(known):
        assert [s.approval for s in covering(then, scope, at)] == [
            s.approval for s in covering(now, scope, at)
        ]


@LIGHTER
@given(ledgers(), st.sampled_from([timedelta(hours=-5), timedelta(hours=9)]))
def test_the_timeline_is_the_same_whatever_utc_offset_the_times_carry(events, offset):
    zone = timezone(offset)
    moved = [
        replace(e, occurred_at=e.occurred_at.astimezone(zone), recorded_at=e.recorded_at.astimezone(zone))
        for e in events
    ]
    assert consent_timeline(moved) == consent_timeline(events)
