"""The consent ledger and its projection in the database (DESIGN.md invariant 6; 64.2007-64.2008)."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from tests.conftest import is_postgres
from tests.factories import add_account

from cpniguard.adapters.db import consent
from cpniguard.adapters.db.consent import SqlConsentLedger, audience_query
from cpniguard.adapters.db.consent_notices import SqlConsentNotices
from cpniguard.adapters.db.engine import build_engine
from cpniguard.adapters.db.tables import ConsentEventRecord, ConsentState, Interaction, MailboxMessage
from cpniguard.domain.consent import ConsentSegment, consent_timeline, standing_at
from cpniguard.domain.consent_events import (
    ConsentEvent,
    ConsentEventKind,
    ConsentProof,
    ConsentScope,
    ConsentSource,
    NoticeMedium,
)
from cpniguard.domain.disclosure_request import Approval, Channel, RecipientClass
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.domain.mailbox import MailboxStatus
from cpniguard.services.consent_ports import NoticeVersion

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NAIVE = T0.replace(tzinfo=None)
VERSION = "2026-01"
CARRIER = ConsentScope(RecipientClass.CARRIER)
THIRD_PARTY = ConsentScope(RecipientClass.THIRD_PARTY)
ACME = ConsentScope(RecipientClass.THIRD_PARTY, "Acme Mobile")
CARRIER_ACME = ConsentScope(RecipientClass.CARRIER, "Acme Mobile")
GRANTED = frozenset({Approval.OPT_IN, Approval.OPT_OUT_DEEMED})


@pytest.fixture
def session(connection):
    with Session(bind=connection, join_transaction_mode="create_savepoint") as opened:
        add_version(opened)
        yield opened


@pytest.fixture
def ledger(session: Session) -> SqlConsentLedger:
    return SqlConsentLedger(session)


def add_version(session: Session) -> None:
    texts = {"en": {"subject": "Your privacy choices"}}
    SqlConsentNotices(session).add_version(
        NoticeVersion(VERSION, 30, texts, T0 - timedelta(days=30), "legal")
    )


def notice(at: datetime, medium: NoticeMedium = NoticeMedium.EMAIL, **overrides) -> ConsentEvent:
    values = {"notice_version": VERSION, "notice_medium": medium, "waiting_period_days": 30, **overrides}
    return ConsentEvent(
        ConsentEventKind.NOTICE_SENT, at, at + timedelta(minutes=5), "notice-worker", **values
    )


def decision(kind: ConsentEventKind, at: datetime, *scope: ConsentScope, **overrides) -> ConsentEvent:
    values: dict[str, object] = {"scope": scope, "source": ConsentSource.PORTAL, **overrides}
    if kind is ConsentEventKind.OPTED_IN:
        values.setdefault("proof", ConsentProof.ELECTRONIC)
    return ConsentEvent(kind, at, at + timedelta(minutes=1), "portal", **values)  # type: ignore[arg-type]


def bounce(notice_id: int, at: datetime) -> ConsentEvent:
    return ConsentEvent(ConsentEventKind.NOTICE_BOUNCED, at, at, "mailbox", refers_to=notice_id)


def add_interaction(session: Session, account_id: int) -> int:
    return session.execute(
        insert(Interaction)
        .values(
            account_id=account_id,
            channel=Channel.INBOUND_CALL,
            started_at=T0,
            expires_at=T0 + timedelta(hours=1),
        )
        .returning(Interaction.id)
    ).scalar_one()


def record(ledger: SqlConsentLedger, account_id: int, *events: ConsentEvent) -> list[int]:
    """Append `events` and rewrite the projection, as the consent service does."""
    ids = [ledger.append(account_id, event) for event in events]
    ledger.replace_projection(account_id, consent_timeline(ledger.events(account_id)))
    assert None not in ids
    return ids  # type: ignore[return-value]


def event_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ConsentEventRecord)) or 0


# ---------------------------------------------------------------- appending and reading


def test_an_event_reads_back_with_every_field_and_its_new_id(session, ledger):
    account, _ = add_account(session)
    interaction = add_interaction(session, account)
    written = [
        decision(
            ConsentEventKind.OPTED_IN,
            T0,
            THIRD_PARTY,
            ACME,
            proof=ConsentProof.ORAL,
            recording_reference="rec://calls/2026/01/05/0001",
            evidence="Customer agreed on the recorded line.",
            reference="portal:4f1c",
            source=ConsentSource.REPRESENTATIVE,
        ),
        notice(
            T0 + timedelta(days=1), NoticeMedium.MAIL, waiting_period_days=45, reference="cpni-notice:x:1:1"
        ),
        ConsentEvent(
            ConsentEventKind.ONE_TIME_CONSENT, T0, T0, "rep-7", scope=(CARRIER,), interaction_id=interaction
        ),
    ]
    ids = [ledger.append(account, event) for event in written]

    read = ledger.events(account)

    assert [e.id for e in read] == [ids[0], ids[2], ids[1]]
    by_id = {e.id: e for e in read}
    for event_id, event in zip(ids, written, strict=True):
        assert by_id[event_id] == dataclasses.replace(event, id=event_id)
        assert ledger.event(event_id) == (account, by_id[event_id])
    opt_in, mailed = by_id[ids[0]], by_id[ids[1]]
    assert (type(opt_in.kind), type(opt_in.proof), type(opt_in.source), type(mailed.notice_medium)) == (
        ConsentEventKind,
        ConsentProof,
        ConsentSource,
        NoticeMedium,
    )
    assert all(type(s.recipient) is RecipientClass for s in opt_in.scope)
    assert ledger.event_with_reference("portal:4f1c") == by_id[ids[0]]
    assert ledger.event_with_reference("portal:nothing") is None
    assert ledger.event(max(ids) + 1000) is None


def test_events_come_back_oldest_first_by_occurrence_then_by_id(session, ledger):
    account, _ = add_account(session)
    later = ledger.append(account, decision(ConsentEventKind.OPTED_OUT, T0 + timedelta(days=3)))
    first = ledger.append(account, notice(T0))
    same_time = ledger.append(account, decision(ConsentEventKind.REVOKED, T0 + timedelta(days=3), CARRIER))
    other, _ = add_account(session)
    ledger.append(other, notice(T0 - timedelta(days=1)))

    assert [e.id for e in ledger.events(account)] == [first, later, same_time]


def test_a_second_append_with_the_same_reference_writes_nothing(session, ledger):
    account, _ = add_account(session)
    first = ledger.append(account, notice(T0, reference="cpni-notice:2026-01:1:7"))

    again = ledger.append(account, notice(T0 + timedelta(days=1), reference="cpni-notice:2026-01:1:7"))

    assert first is not None
    assert again is None
    assert [e.id for e in ledger.events(account)] == [first]


def test_appending_to_an_unknown_account_is_refused(session, ledger):
    account, _ = add_account(session)
    with pytest.raises(NotFoundError, match=f"no account {account + 1000}"):
        ledger.append(account + 1000, decision(ConsentEventKind.OPTED_OUT, T0))
    assert ledger.append(account, decision(ConsentEventKind.OPTED_OUT, T0)) is not None


def test_locking_an_unknown_account_is_refused(session, ledger):
    account, _ = add_account(session)
    ledger.lock_account(account)
    with pytest.raises(NotFoundError, match="no account"):
        ledger.lock_account(account + 1000)


@pytest.mark.parametrize(
    ("event", "location", "message"),
    [
        (
            decision(ConsentEventKind.OPTED_IN, T0, CARRIER, proof=None),
            "proof",
            "written, electronic or oral",
        ),
        (notice(T0, reference="k" * 129), "reference", "longer than 128"),
        (notice(T0, notice_version="1999-12"), "notice_version", "no notice version '1999-12'"),
        (dataclasses.replace(notice(T0), recorded_by="r" * 201), "recorded_by", "longer than 200"),
        (dataclasses.replace(notice(T0), occurred_at=T0.replace(tzinfo=None)), "occurred_at", "UTC offset"),
        (decision(ConsentEventKind.OPTED_IN, T0, ConsentScope(RecipientClass.CUSTOMER)), "scope", "customer"),
    ],
)
def test_an_event_the_ledger_cannot_hold_is_refused_and_nothing_is_written(
    session, ledger, event, location, message
):
    account, _ = add_account(session)
    before = event_count(session)

    with pytest.raises(InvalidInputError) as refused:
        ledger.append(account, event)

    assert [p.location for p in refused.value.problems] == [location]
    assert message in refused.value.problems[0].message
    assert event_count(session) == before


def test_a_bounce_must_refer_to_a_notice_sent_to_the_same_account(session, ledger):
    account, _ = add_account(session)
    other, _ = add_account(session)
    theirs = ledger.append(other, notice(T0))
    opt_out = ledger.append(account, decision(ConsentEventKind.OPTED_OUT, T0))
    assert theirs is not None
    assert opt_out is not None

    for wrong in (theirs, opt_out, opt_out + 1000):
        with pytest.raises(InvalidInputError) as refused:
            ledger.append(account, bounce(wrong, T0 + timedelta(hours=1)))
        assert refused.value.problems[0].location == "refers_to"
        assert f"event {wrong} is not a notice sent to account {account}" in refused.value.problems[0].message
    assert [e.id for e in ledger.events(account)] == [opt_out]


def test_one_time_consent_must_be_bound_to_a_call_of_the_account(session, ledger):
    account, _ = add_account(session)
    other, _ = add_account(session)
    their_call = add_interaction(session, other)
    event = ConsentEvent(
        ConsentEventKind.ONE_TIME_CONSENT, T0, T0, "rep-7", scope=(CARRIER,), interaction_id=their_call
    )

    with pytest.raises(InvalidInputError) as refused:
        ledger.append(account, event)

    assert refused.value.problems[0].location == "interaction_id"
    assert ledger.events(account) == []


def test_the_database_refuses_to_update_a_ledger_event_on_either_engine(session, ledger):
    account, _ = add_account(session)
    event_id = ledger.append(account, decision(ConsentEventKind.OPTED_OUT, T0))

    with pytest.raises(IntegrityError, match="append-only"), session.begin_nested():
        session.execute(
            text("UPDATE consent_events SET recorded_by = 'someone else' WHERE id = :id"), {"id": event_id}
        )

    assert ledger.events(account)[0].recorded_by == "portal"


# ---------------------------------------------------------------- concurrent appends


@pytest.fixture
def committed_engine(fresh_database_url: str):
    engine = build_engine(fresh_database_url)
    with Session(engine) as session:
        add_version(session)
        account, _ = add_account(session)
        session.commit()
    yield engine, account
    engine.dispose()


def _append_in_thread(engine: Engine, account: int, *, lock: bool, outcome: list[object]) -> threading.Thread:
    def run() -> None:
        with Session(engine) as session:
            ledger = SqlConsentLedger(session)
            if lock:
                ledger.lock_account(account)
            outcome.append(ledger.append(account, notice(T0, reference="cpni-notice:race")))
            outcome.append(ledger.append(account, decision(ConsentEventKind.OPTED_OUT, T0)))
            session.commit()

    return threading.Thread(target=run)


def _race(engine: Engine, account: int, *, lock: bool) -> tuple[int | None, list[object]]:
    outcome: list[object] = []
    with Session(engine) as first:
        ledger = SqlConsentLedger(first)
        if lock:
            ledger.lock_account(account)
        first_id = ledger.append(account, notice(T0, reference="cpni-notice:race"))
        second = _append_in_thread(engine, account, lock=lock, outcome=outcome)
        second.start()
        second.join(timeout=0.5)  # it waits for the first transaction: the lock or the unique key
        assert second.is_alive()
        first.commit()
    second.join(timeout=30)
    return first_id, outcome


def test_two_transactions_appending_one_reference_at_once_write_it_once(committed_engine):
    engine, account = committed_engine

    first_id, outcome = _race(engine, account, lock=True)

    assert first_id is not None
    assert outcome[0] is None
    assert isinstance(outcome[1], int)
    with Session(engine) as session:
        kinds = [e.kind for e in SqlConsentLedger(session).events(account)]
    assert kinds == [ConsentEventKind.NOTICE_SENT, ConsentEventKind.OPTED_OUT]


@pytest.mark.skipif(
    not is_postgres(), reason="SQLite cannot write after a stale read: lock_account is required"
)
def test_a_racing_append_without_the_lock_meets_the_unique_key_and_its_transaction_goes_on(committed_engine):
    engine, account = committed_engine

    first_id, outcome = _race(engine, account, lock=False)

    assert first_id is not None
    assert outcome[0] is None
    assert isinstance(outcome[1], int)


# ---------------------------------------------------------------- the projection


def test_the_projection_is_replaced_whole_and_read_back_in_timeline_order(session, ledger):
    account, _ = add_account(session)
    record(
        ledger,
        account,
        notice(T0),
        decision(ConsentEventKind.OPTED_IN, T0 + timedelta(days=2), ACME),
        decision(ConsentEventKind.REVOKED, T0 + timedelta(days=9), ConsentScope(RecipientClass.AGENT)),
    )
    timeline = consent_timeline(ledger.events(account))
    assert len(timeline) > 3
    assert ledger.projection(account) == timeline

    shorter = [ConsentSegment(ACME, Approval.OPT_IN, T0, None, None)]
    ledger.replace_projection(account, shorter)
    assert ledger.projection(account) == shorter

    ledger.replace_projection(account, [])
    assert ledger.projection(account) == []


@pytest.mark.parametrize(
    ("segment", "location", "message"),
    [
        (ConsentSegment(CARRIER, Approval.OPT_IN, T0, T0, None), "segments[1].valid_until", "later than"),
        (ConsentSegment(CARRIER, Approval.NONE, T0, None, None), "segments[1].approval", "never stored"),
        (ConsentSegment(CARRIER, Approval.ONE_TIME_ORAL, T0, None, None), "segments[1].approval", "never"),
        (ConsentSegment(ACME, Approval.OPTED_OUT, T0, None, None), "segments[1].valid_from", "second span"),
        (ConsentSegment(CARRIER, Approval.OPT_IN, NAIVE, None, None), "segments[1].valid_from", "UTC offset"),
        (ConsentSegment(CARRIER, Approval.OPT_IN, T0, NAIVE, None), "segments[1].valid_until", "UTC offset"),
        (
            ConsentSegment(ConsentScope(RecipientClass.AGENT, "p" * 201), Approval.OPT_IN, T0, None, None),
            "segments[1].scope",
            "longer than 200",
        ),
    ],
)
def test_a_projection_the_table_cannot_hold_is_refused_and_the_old_one_stays(
    session, ledger, segment, location, message
):
    account, _ = add_account(session)
    stored = [ConsentSegment(ACME, Approval.OPT_IN, T0, None, None)]
    ledger.replace_projection(account, stored)

    with pytest.raises(InvalidInputError) as refused:
        ledger.replace_projection(account, [*stored, segment])

    assert [(p.location, message in p.message) for p in refused.value.problems] == [(location, True)]
    assert ledger.projection(account) == stored


def test_accounts_with_events_are_paged_in_ascending_order(session, ledger):
    accounts = [add_account(session)[0] for _ in range(5)]
    for account in accounts[:2] + accounts[3:]:
        ledger.append(account, decision(ConsentEventKind.OPTED_OUT, T0))
        ledger.append(account, notice(T0))
    start = accounts[0] - 1

    first = ledger.accounts_with_events(after_account_id=start, limit=2)
    rest = ledger.accounts_with_events(after_account_id=first[-1], limit=10)

    assert first == accounts[:2]
    assert rest == accounts[3:]
    with pytest.raises(InvalidInputError, match="at least one row"):
        ledger.accounts_with_events(after_account_id=start, limit=0)


# ---------------------------------------------------------------- audiences as of an instant


def spans(ledger: SqlConsentLedger, account: int, *segments: ConsentSegment) -> int:
    ledger.replace_projection(account, segments)
    return account


def eligible(ledger: SqlConsentLedger, accounts: list[int], scope, at, approvals=GRANTED) -> list[int]:
    return [a for a in ledger.eligible_accounts(scope, approvals, at) if a in accounts]


def test_a_class_wide_audience_holds_the_approval_from_its_start_until_just_before_its_end(session, ledger):
    end = T0 + timedelta(days=30)
    deemed, opted_out, other_class, later = (add_account(session)[0] for _ in range(4))
    spans(ledger, deemed, ConsentSegment(CARRIER, Approval.OPT_OUT_DEEMED, T0, end, None))
    spans(ledger, opted_out, ConsentSegment(CARRIER, Approval.OPTED_OUT, T0, None, None))
    spans(ledger, other_class, ConsentSegment(THIRD_PARTY, Approval.OPT_IN, T0, None, None))
    spans(ledger, later, ConsentSegment(CARRIER, Approval.OPT_IN, end, None, None))
    accounts = [deemed, opted_out, other_class, later]

    assert eligible(ledger, accounts, CARRIER, T0 - timedelta(seconds=1)) == []
    assert eligible(ledger, accounts, CARRIER, T0) == [deemed]
    assert eligible(ledger, accounts, CARRIER, end - timedelta(microseconds=1)) == [deemed]
    assert eligible(ledger, accounts, CARRIER, end) == [later]
    assert eligible(ledger, accounts, CARRIER, end, frozenset({Approval.OPTED_OUT})) == [opted_out]
    assert eligible(ledger, accounts, CARRIER, end, frozenset()) == []


def test_an_audience_is_streamed_in_chunks_in_account_order(session, ledger, monkeypatch):
    monkeypatch.setattr(consent, "ELIGIBLE_CHUNK_ROWS", 2)
    accounts = [add_account(session)[0] for _ in range(7)]
    for account in reversed(accounts):
        spans(ledger, account, ConsentSegment(CARRIER, Approval.OPT_IN, T0, None, None))

    audience = ledger.eligible_accounts(CARRIER, GRANTED, T0)

    assert next(audience) == accounts[0]
    assert [a for a in audience if a in accounts] == accounts[1:]


def test_a_partners_own_spans_take_precedence_over_the_class_wide_ones(session, ledger):
    class_only, partner_out, partner_only, partner_later, none = (add_account(session)[0] for _ in range(5))
    spans(ledger, class_only, ConsentSegment(THIRD_PARTY, Approval.OPT_IN, T0, None, None))
    spans(
        ledger,
        partner_out,
        ConsentSegment(THIRD_PARTY, Approval.OPT_IN, T0, None, None),
        ConsentSegment(ACME, Approval.OPTED_OUT, T0, None, None),
    )
    spans(ledger, partner_only, ConsentSegment(ACME, Approval.OPT_IN, T0, None, None))
    spans(
        ledger,
        partner_later,
        ConsentSegment(THIRD_PARTY, Approval.OPT_IN, T0, None, None),
        ConsentSegment(ACME, Approval.OPT_IN, T0 + timedelta(days=10), None, None),
    )
    accounts = [class_only, partner_out, partner_only, partner_later, none]
    at = T0 + timedelta(days=1)

    assert eligible(ledger, accounts, ACME, at) == [class_only, partner_only]
    assert eligible(ledger, accounts, ACME, at, frozenset({Approval.OPTED_OUT})) == [partner_out]
    assert eligible(ledger, accounts, ACME, T0 + timedelta(days=10)) == [
        class_only,
        partner_only,
        partner_later,
    ]
    assert eligible(ledger, accounts, THIRD_PARTY, at) == [class_only, partner_out, partner_later]


def test_audiences_agree_with_the_standing_derived_from_the_ledger(session, ledger):
    histories = [
        [notice(T0)],
        [notice(T0, NoticeMedium.MAIL), decision(ConsentEventKind.OPTED_OUT, T0 + timedelta(days=100))],
        [decision(ConsentEventKind.OPTED_IN, T0 + timedelta(days=10), ACME)],
        [
            decision(ConsentEventKind.OPTED_IN, T0 + timedelta(days=5), THIRD_PARTY),
            decision(ConsentEventKind.REVOKED, T0 + timedelta(days=50), ACME),
        ],
        [notice(T0), decision(ConsentEventKind.OPTED_OUT, T0 + timedelta(days=60), CARRIER_ACME)],
        [notice(T0, NoticeMedium.ORAL)],
        [],
    ]
    events = {}
    for history in histories:
        account, _ = add_account(session)
        record(ledger, account, *history)
        events[account] = ledger.events(account)
    bounced_account, _ = add_account(session)
    (bounced_notice,) = record(ledger, bounced_account, notice(T0))
    record(ledger, bounced_account, bounce(bounced_notice, T0 + timedelta(days=2)))
    events[bounced_account] = ledger.events(bounced_account)

    for scope in (CARRIER, CARRIER_ACME, THIRD_PARTY, ACME, ConsentScope(RecipientClass.AFFILIATE)):
        for days in (10, 31, 55, 120, 365 * 3):
            at = T0 + timedelta(days=days)
            for approvals in (GRANTED, frozenset({Approval.OPTED_OUT})):
                expected = [a for a, e in events.items() if standing_at(e, scope, at).approval in approvals]
                assert eligible(ledger, list(events), scope, at, approvals) == expected, (scope, days)


@pytest.mark.skipif(not is_postgres(), reason="the plan is PostgreSQL's")
@pytest.mark.parametrize("scope", [CARRIER, ACME])
def test_the_audience_query_reads_the_eligibility_index(session, scope):
    query = audience_query(scope, GRANTED, T0)
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    session.execute(text("SET LOCAL enable_seqscan = off"))

    plan = "\n".join(session.scalars(text(f"EXPLAIN {compiled}")))

    assert "ix_consent_states_eligibility" in plan


@pytest.mark.skipif(not is_postgres(), reason="cursor_tuple_fraction is PostgreSQL's")
def test_an_audience_leaves_the_cursor_planning_setting_as_it_found_it(session, ledger):
    before = session.scalar(text("SHOW cursor_tuple_fraction"))
    audience = ledger.eligible_accounts(CARRIER, GRANTED, T0)

    list(audience)

    assert session.scalar(text("SHOW cursor_tuple_fraction")) == before


# ---------------------------------------------------------------- one-time consent


def test_one_time_consent_is_the_union_of_the_classes_given_on_that_call_only(session, ledger):
    account, _ = add_account(session)
    call, other_call = add_interaction(session, account), add_interaction(session, account)
    for interaction, scope in ((call, (CARRIER,)), (call, (ACME, CARRIER)), (other_call, (THIRD_PARTY,))):
        event = ConsentEvent(
            ConsentEventKind.ONE_TIME_CONSENT, T0, T0, "rep-7", scope=scope, interaction_id=interaction
        )
        ledger.append(account, event)

    assert ledger.one_time_consent(call) == {RecipientClass.CARRIER, RecipientClass.THIRD_PARTY}
    assert ledger.one_time_consent(other_call) == {RecipientClass.THIRD_PARTY}
    assert ledger.one_time_consent(other_call + 1000) == frozenset()


# ---------------------------------------------------------------- the retention purge


def test_purging_notices_takes_their_bounces_and_leaves_the_projection_without_their_basis(session, ledger):
    account, _ = add_account(session)
    kept_notice, bounced_notice, opt_out = record(
        ledger,
        account,
        notice(T0),
        notice(T0 + timedelta(days=400)),
        decision(ConsentEventKind.OPTED_OUT, T0 + timedelta(days=900), ConsentScope(RecipientClass.AGENT)),
    )
    (bounce_id,) = record(ledger, account, bounce(bounced_notice, T0 + timedelta(days=401)))
    assert any(s.basis_event_id == kept_notice for s in ledger.projection(account))

    removed = ledger.delete_events(account, [kept_notice, bounced_notice])

    assert removed == 3
    assert [e.id for e in ledger.events(account)] == [opt_out]
    assert ledger.event(bounce_id) is None
    assert not any(s.basis_event_id in {kept_notice, bounced_notice} for s in ledger.projection(account))
    assert any(s.basis_event_id is None for s in ledger.projection(account))


def test_a_purge_names_only_events_of_the_account(session, ledger):
    account, _ = add_account(session)
    other, _ = add_account(session)
    (theirs,) = record(ledger, other, notice(T0))

    assert ledger.delete_events(account, [theirs, theirs + 1000]) == 0
    assert ledger.delete_events(account, []) == 0
    assert [e.id for e in ledger.events(other)] == [theirs]


def test_a_purged_event_is_no_longer_pointed_at_by_the_email_it_came_from(session, ledger):
    account, _ = add_account(session)
    (opt_out,) = record(
        ledger, account, decision(ConsentEventKind.OPTED_OUT, T0, source=ConsentSource.PORTAL)
    )
    message = session.execute(
        insert(MailboxMessage)
        .values(
            received_at=T0,
            envelope_sender="ana@customer.example",
            recipients="optout@carrier.example",
            peer="127.0.0.1",
            raw=b"Subject: stop\r\n\r\nSTOP",
            status=MailboxStatus.PROCESSED,
            attempts=1,
            next_attempt_at=T0,
            account_id=account,
            consent_event_id=opt_out,
        )
        .returning(MailboxMessage.id)
    ).scalar_one()

    assert ledger.delete_events(account, [opt_out]) == 1
    assert session.scalar(select(MailboxMessage.consent_event_id).where(MailboxMessage.id == message)) is None
    assert session.scalar(
        select(func.count()).select_from(ConsentState).where(ConsentState.account_id == account)
    )
