"""Opt-out probes and failure incidents in the database (47 CFR 64.2009(f))."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from tests.conftest import TEST_NOW
from tests.factories import add_account

from cpniguard.adapters.db.opt_out_monitor import SqlOptOutMonitorStore
from cpniguard.adapters.db.tables import ConsentEventRecord, OptOutFailureIncident, OptOutProbe
from cpniguard.bootstrap import Container
from cpniguard.domain.consent_events import ConsentEventKind, ConsentSource
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.services.consent_ports import FailureIncident

MAILBOX, PORTAL, FORM = ConsentSource.MARKETING_MAILBOX, ConsentSource.PORTAL, ConsentSource.MAILED_FORM
MINUTE = timedelta(minutes=1)


@pytest.fixture
def session(container: Container) -> Iterator[Session]:
    with container.sessions() as opened:
        yield opened


@pytest.fixture
def monitor(session: Session) -> SqlOptOutMonitorStore:
    return SqlOptOutMonitorStore(session)


def failure(*channels: ConsentSource, at=TEST_NOW, **overrides) -> FailureIncident:
    values: dict[str, object] = {
        "id": 0,
        "channels": channels,
        "determined_at": at,
        "letter_due_on": date(2026, 11, 9),
        "problem": "3 test opt-outs in a row were not recorded",
        "remedy": None,
        "remedy_date": None,
        "state_commission_notice": None,
        "customer_notice": None,
        "letter_sent_at": None,
        "closed_at": None,
    }
    values.update(overrides)
    return FailureIncident(**values)  # type: ignore[arg-type]


# --- probes


def test_probes_without_an_outcome_sent_before_the_cutoff_are_pending_oldest_first(monitor):
    later = monitor.add_probe(PORTAL, "nonce-b", at=TEST_NOW + MINUTE)
    earlier = monitor.add_probe(MAILBOX, "nonce-a", at=TEST_NOW)
    monitor.add_probe(MAILBOX, "nonce-c", at=TEST_NOW + 2 * MINUTE)
    settled = monitor.add_probe(MAILBOX, "nonce-d", at=TEST_NOW - MINUTE)
    monitor.settle_probe(settled, succeeded=True, error=None, at=TEST_NOW)
    pending = monitor.pending_probes(sent_before=TEST_NOW + 2 * MINUTE)
    assert [(p.id, p.channel, p.nonce, p.sent_at) for p in pending] == [
        (earlier, MAILBOX, "nonce-a", TEST_NOW),
        (later, PORTAL, "nonce-b", TEST_NOW + MINUTE),
    ]
    assert [(p.succeeded, p.error) for p in pending] == [(None, None)] * 2


@pytest.mark.parametrize(
    ("nonce", "problem"),
    [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("n" * 65, "is 65 characters long; at most 64"),
        ("taken", "is already used by another probe"),
    ],
)
def test_a_probe_with_a_bad_nonce_is_refused_saying_why_and_nothing_is_written(
    monitor, session, nonce, problem
):
    monitor.add_probe(MAILBOX, "taken", at=TEST_NOW)
    with pytest.raises(InvalidInputError) as refused:
        monitor.add_probe(PORTAL, nonce, at=TEST_NOW)
    assert [(p.location, p.message) for p in refused.value.problems] == [("nonce", problem)]
    assert session.scalars(select(OptOutProbe.nonce)).all() == ["taken"]


def test_a_settled_probe_keeps_its_outcome_and_time_and_is_no_longer_pending(monitor, session):
    probe = monitor.add_probe(MAILBOX, "nonce-1", at=TEST_NOW)
    monitor.settle_probe(probe, succeeded=False, error="e" * 1500, at=TEST_NOW + 5 * MINUTE)
    assert monitor.pending_probes(sent_before=TEST_NOW + timedelta(days=1)) == []
    [recent] = monitor.recent_probes(MAILBOX, limit=5)
    assert (recent.id, recent.succeeded, recent.error) == (probe, False, "e" * 1000)
    assert session.scalar(select(OptOutProbe.checked_at)) == TEST_NOW + 5 * MINUTE


def test_a_probe_is_settled_once_and_an_unknown_one_is_not_found(monitor):
    probe = monitor.add_probe(MAILBOX, "nonce-1", at=TEST_NOW)
    monitor.settle_probe(probe, succeeded=True, error=None, at=TEST_NOW + MINUTE)
    with pytest.raises(NotFoundError):
        monitor.settle_probe(probe, succeeded=False, error="late check", at=TEST_NOW + 2 * MINUTE)
    with pytest.raises(NotFoundError):
        monitor.settle_probe(987654, succeeded=True, error=None, at=TEST_NOW)
    [recent] = monitor.recent_probes(MAILBOX, limit=5)
    assert (recent.succeeded, recent.error) == (True, None)


def test_recent_probes_are_the_channels_settled_ones_newest_first_up_to_the_limit(monitor):
    keys = [monitor.add_probe(MAILBOX, f"mailbox-{n}", at=TEST_NOW + n * MINUTE) for n in range(4)]
    for key in keys[:3]:
        monitor.settle_probe(key, succeeded=key != keys[1], error=None, at=TEST_NOW + 10 * MINUTE)
    other = monitor.add_probe(PORTAL, "portal-0", at=TEST_NOW + 5 * MINUTE)
    monitor.settle_probe(other, succeeded=False, error="portal down", at=TEST_NOW + 10 * MINUTE)
    assert [(p.id, p.succeeded) for p in monitor.recent_probes(MAILBOX, limit=10)] == [
        (keys[2], True),
        (keys[1], False),
        (keys[0], True),
    ]
    assert [p.id for p in monitor.recent_probes(MAILBOX, limit=2)] == [keys[2], keys[1]]
    assert [p.channel for p in monitor.recent_probes(PORTAL, limit=10)] == [PORTAL]
    assert monitor.recent_probes(FORM, limit=10) == []


def ledger_event(session: Session, *, kind=ConsentEventKind.OPTED_OUT, at=TEST_NOW, **fields) -> None:
    account_id, _ = add_account(session)
    values = {
        "account_id": account_id,
        "kind": kind,
        "occurred_at": at,
        "recorded_at": at,
        "recorded_by": "mailbox",
        "scope": [],
        **fields,
    }
    session.execute(insert(ConsentEventRecord).values(**values))


def test_a_probe_is_processed_when_an_opt_out_since_it_carries_its_mark_as_reference(monitor, session):
    ledger_event(session, reference="probe-n1", source=PORTAL)
    assert monitor.consent_event_marked("probe-n1", since=TEST_NOW)
    assert not monitor.consent_event_marked("probe-n2", since=TEST_NOW)


def test_a_probe_is_processed_when_an_opt_out_since_carries_its_mark_in_its_evidence(monitor, session):
    evidence = "mailbox message 7 <probe-n1@monitor.carrier.example> from monitor@carrier.example"
    ledger_event(session, reference="mailbox:7", evidence=evidence)
    assert monitor.consent_event_marked("probe-n1", since=TEST_NOW - MINUTE)


def test_an_opt_out_recorded_before_the_probe_or_another_kind_of_event_does_not_count(monitor, session):
    ledger_event(session, reference="probe-early", at=TEST_NOW - timedelta(seconds=1))
    ledger_event(session, kind=ConsentEventKind.OPTED_IN, reference="probe-in", evidence="probe-in")
    assert not monitor.consent_event_marked("probe-early", since=TEST_NOW)
    assert monitor.consent_event_marked("probe-early", since=TEST_NOW - timedelta(seconds=1))
    assert not monitor.consent_event_marked("probe-in", since=TEST_NOW - MINUTE)


@pytest.mark.parametrize("mark", ["", "  ", "probe-a_c", "probe-a%"])
def test_a_blank_mark_or_one_with_wildcards_matches_only_itself(monitor, session, mark):
    ledger_event(session, reference="mailbox:1", evidence="mailbox message 1 <probe-abc@carrier.example>")
    assert not monitor.consent_event_marked(mark, since=TEST_NOW - MINUTE)


# --- incidents


def test_an_incident_is_stored_with_every_field_its_letter_needs(monitor):
    incident = failure(
        PORTAL,
        MAILBOX,
        remedy="restarted the mailbox",
        remedy_date=date(2026, 11, 3),
        state_commission_notice="NY PSC told on 3 Nov; no action",
        customer_notice="Our opt-out line was down on 2 Nov.",
        letter_sent_at=TEST_NOW + timedelta(days=1),
    )
    key = monitor.add_incident(replace(incident, id=424242))
    assert key != 424242
    assert monitor.incident(key) == replace(incident, id=key)
    assert monitor.incident(987654) is None


def test_incidents_are_listed_newest_first_up_to_the_limit(monitor):
    keys = [monitor.add_incident(failure(MAILBOX, at=TEST_NOW + n * MINUTE)) for n in range(3)]
    assert [i.id for i in monitor.incidents(limit=10)] == keys[::-1]
    assert [i.id for i in monitor.incidents(limit=2)] == [keys[2], keys[1]]


def test_the_open_incident_of_a_channel_is_the_newest_unclosed_one_naming_it(monitor):
    closed = failure(MAILBOX, at=TEST_NOW + 3 * MINUTE, closed_at=TEST_NOW + 4 * MINUTE)
    monitor.add_incident(closed)
    older = monitor.add_incident(failure(MAILBOX, at=TEST_NOW))
    newer = monitor.add_incident(failure(PORTAL, MAILBOX, at=TEST_NOW + MINUTE))
    monitor.add_incident(failure(FORM, at=TEST_NOW + 2 * MINUTE))
    assert older != newer
    opened = monitor.open_incident(MAILBOX)
    assert opened is not None
    assert (opened.id, opened.channels) == (newer, (PORTAL, MAILBOX))
    portal = monitor.open_incident(PORTAL)
    assert portal is not None
    assert portal.id == newer
    assert monitor.open_incident(ConsentSource.REPRESENTATIVE) is None


def test_a_closed_incident_is_no_longer_open_and_keeps_its_follow_up(monitor):
    key = monitor.add_incident(failure(MAILBOX))
    stored = monitor.incident(key)
    assert stored is not None
    followed_up = replace(
        stored,
        remedy="moved the mailbox to a second host",
        remedy_date=date(2026, 11, 4),
        state_commission_notice="none required",
        customer_notice="none sent",
        letter_sent_at=TEST_NOW + timedelta(days=2),
        closed_at=TEST_NOW + timedelta(days=3),
    )
    monitor.update_incident(followed_up)
    assert monitor.incident(key) == followed_up
    assert monitor.open_incident(MAILBOX) is None


def test_an_update_changes_only_the_follow_up_never_what_was_determined(monitor):
    key = monitor.add_incident(failure(MAILBOX))
    stored = monitor.incident(key)
    assert stored is not None
    monitor.update_incident(replace(stored, channels=(PORTAL,), problem="rewritten", remedy="a fix"))
    assert monitor.incident(key) == replace(stored, remedy="a fix")


def test_updating_an_unknown_incident_is_not_found(monitor):
    with pytest.raises(NotFoundError):
        monitor.update_incident(failure(MAILBOX, id=987654))


@pytest.mark.parametrize(
    ("channels", "problem", "expected"),
    [
        ((), "down", [("channels", "name at least one failing opt-out channel")]),
        ((MAILBOX, MAILBOX), "down", [("channels", "name each channel once")]),
        ((PORTAL,), "  ", [("problem", "say what failed: the FCC letter states it (64.2009(f))")]),
    ],
)
def test_an_incident_without_channels_or_problem_is_refused_saying_why_and_nothing_is_written(
    monitor, session, channels, problem, expected
):
    with pytest.raises(InvalidInputError) as refused:
        monitor.add_incident(failure(*channels, problem=problem))
    assert [(p.location, p.message) for p in refused.value.problems] == expected
    assert session.scalars(select(OptOutFailureIncident.id)).all() == []
