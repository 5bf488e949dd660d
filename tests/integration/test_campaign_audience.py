"""A campaign's audience in one set-based statement (47 CFR 64.2005(a), 64.2007(b); 222(b); issue 7).

Consent is written into the projection through `SqlConsentLedger`: exact spans with
`replace_projection`, or real ledger events followed by `consent_timeline` (what the consent
service does in the same transaction, less its access-log entry).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, insert, select, text, update
from sqlalchemy.orm import Session
from tests.conftest import is_postgres
from tests.factories import add_account, add_service
from tests.integration.test_campaign_store import a_draft

from cpniguard.adapters.db.campaign_audience import ACCEPTED
from cpniguard.adapters.db.campaigns import SqlCampaignStore
from cpniguard.adapters.db.consent import SqlConsentLedger
from cpniguard.adapters.db.consent_notices import SqlConsentNotices
from cpniguard.adapters.db.tables import (
    Account,
    CallDetailRecord,
    CampaignAudienceMember,
    CampaignAudienceRecord,
    CarrierChangeNotice,
    IngestBatch,
    Service,
)
from cpniguard.domain.accounts import AccountKind, AccountStatus, Language, ServiceCategory
from cpniguard.domain.campaigns import (
    ApprovalNeed,
    AudienceCriteria,
    AudiencePlan,
    Campaign,
    CampaignStatus,
    ExclusionReason,
)
from cpniguard.domain.consent import ConsentSegment, consent_timeline, standing_at
from cpniguard.domain.consent_events import (
    ConsentEvent,
    ConsentEventKind,
    ConsentProof,
    ConsentScope,
    ConsentSource,
    NoticeMedium,
)
from cpniguard.domain.disclosure_request import Approval, RecipientClass
from cpniguard.domain.errors import InvalidInputError
from cpniguard.services.campaign_ports import AudienceBuild
from cpniguard.services.consent_ports import NoticeVersion

AS_OF = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
BUILT = AS_OF + timedelta(minutes=5)
LONG_AGO = datetime(2025, 2, 1, tzinfo=UTC)
OPENED = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
VERSION = "2025-01"
CARRIER = ConsentScope(RecipientClass.CARRIER)
THIRD_PARTY = ConsentScope(RecipientClass.THIRD_PARTY)
ACME = ConsentScope(RecipientClass.THIRD_PARTY, "Acme Mobile")
GLOBEX = ConsentScope(RecipientClass.THIRD_PARTY, "Globex Media")
S = ServiceCategory
OPTED_OUT, NO_APPROVAL, OPT_IN_REQUIRED = (
    ExclusionReason.OPTED_OUT,
    ExclusionReason.NO_APPROVAL,
    ExclusionReason.OPT_IN_REQUIRED,
)


@pytest.fixture
def session(connection):
    with Session(bind=connection, join_transaction_mode="create_savepoint") as opened:
        yield opened


@pytest.fixture
def store(session) -> SqlCampaignStore:
    return SqlCampaignStore(session)


@pytest.fixture
def ledger(session) -> SqlConsentLedger:
    return SqlConsentLedger(session)


@pytest.fixture
def campaign(store) -> Campaign:
    campaign_id = store.add(a_draft(), author="analyst-3", at=LONG_AGO)
    store.set_status(campaign_id, CampaignStatus.APPROVED, at=LONG_AGO)
    approved = store.get(campaign_id)
    assert approved is not None
    return approved


def span(
    approval: Approval, scope: ConsentScope = CARRIER, start: datetime = LONG_AGO, end: datetime | None = None
) -> ConsentSegment:
    return ConsentSegment(scope, approval, start, end, None)


def customer(
    session: Session,
    *spans: ConsentSegment,
    services: tuple[ServiceCategory, ...] = (),
    kind: AccountKind = AccountKind.RESIDENTIAL,
    language: Language = Language.EN,
) -> int:
    """An active account with services in force since it opened and exactly these consent spans."""
    account, _ = add_account(session, kind=kind, language=language, opened_at=OPENED)
    for category in services:
        add_service(session, account, category=category, telephone_number=None, started_at=OPENED)
    SqlConsentLedger(session).replace_projection(account, spans)
    return account


def a_plan(
    recipient: RecipientClass = RecipientClass.CARRIER,
    partner: str = "",
    need: ApprovalNeed = ApprovalNeed.OPT_OUT,
    total_service: frozenset[ServiceCategory] | None = None,
    criteria: AudienceCriteria | None = None,
    as_of: datetime = AS_OF,
) -> AudiencePlan:
    return AudiencePlan(recipient, partner, total_service, need, criteria or AudienceCriteria(), as_of)


def built(store: SqlCampaignStore, campaign: Campaign, plan: AudiencePlan) -> tuple[AudienceBuild, dict]:
    """Build the audience; the build and its members as {account: (need, approval)}."""
    build = store.build_audience(campaign, plan, built_at=BUILT, built_by="analyst-3")
    members = store.audience_members(build.audience_id, limit=10_000)
    return build, {m.account_id: (m.need, m.approval) for m in members}


def counts(opted_out: int = 0, no_approval: int = 0, opt_in_required: int = 0) -> dict[ExclusionReason, int]:
    return {OPTED_OUT: opted_out, NO_APPROVAL: no_approval, OPT_IN_REQUIRED: opt_in_required}


def candidates(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Account)) or 0)


# ---------------------------------------------------------------- eligibility per recipient class


def test_the_carrier_takes_deemed_opt_out_or_opt_in_and_leaves_out_the_rest_by_reason(
    session, store, campaign
):
    deemed = customer(session, span(Approval.OPT_OUT_DEEMED))
    opted_in = customer(session, span(Approval.OPT_IN))
    opted_out = customer(session, span(Approval.OPTED_OUT))
    nothing = customer(session)
    other_class = customer(session, span(Approval.OPT_IN, THIRD_PARTY))

    build, members = built(store, campaign, a_plan())

    assert members == {
        deemed: (ApprovalNeed.OPT_OUT, Approval.OPT_OUT_DEEMED),
        opted_in: (ApprovalNeed.OPT_OUT, Approval.OPT_IN),
    }
    assert (build.selected, dict(build.excluded)) == (2, counts(opted_out=1, no_approval=2))
    assert {opted_out, nothing, other_class}.isdisjoint(members)
    assert build.selected + sum(build.excluded.values()) == candidates(session)


def test_the_audience_row_keeps_the_counts_as_of_and_who_built_it(session, store, campaign):
    customer(session, span(Approval.OPT_IN))
    customer(session, span(Approval.OPTED_OUT))

    build, _ = built(store, campaign, a_plan())

    audience = store.audience(build.audience_id)
    assert audience is not None
    assert (audience.campaign_id, audience.campaign_version) == (campaign.id, campaign.version)
    assert (audience.as_of, audience.built_at, audience.built_by) == (AS_OF, BUILT, "analyst-3")
    assert (audience.selected, dict(audience.excluded)) == (1, counts(opted_out=1))
    assert store.audiences(campaign.id) == [audience]


def test_opt_in_is_required_where_deemed_opt_out_does_not_reach(session, store, campaign):
    deemed = customer(session, span(Approval.OPT_OUT_DEEMED))
    opted_in = customer(session, span(Approval.OPT_IN))

    build, members = built(store, campaign, a_plan(need=ApprovalNeed.OPT_IN))

    assert members == {opted_in: (ApprovalNeed.OPT_IN, Approval.OPT_IN)}
    assert deemed not in members
    assert dict(build.excluded) == counts(opt_in_required=1)


def test_a_third_party_needs_opt_in_for_its_class(session, store, campaign):
    opted_in = customer(session, span(Approval.OPT_IN, THIRD_PARTY))
    carrier_only = customer(session, span(Approval.OPT_IN))
    opted_out = customer(session, span(Approval.OPTED_OUT, THIRD_PARTY))

    build, members = built(store, campaign, a_plan(RecipientClass.THIRD_PARTY, need=ApprovalNeed.OPT_IN))

    assert members == {opted_in: (ApprovalNeed.OPT_IN, Approval.OPT_IN)}
    assert {carrier_only, opted_out}.isdisjoint(members)
    assert dict(build.excluded) == counts(opted_out=1, no_approval=1)


def test_a_named_partners_opt_in_counts_for_that_partner_only(session, store, campaign):
    acme_only = customer(session, span(Approval.OPT_IN, ACME))
    class_wide = customer(session, span(Approval.OPT_IN, THIRD_PARTY))
    opted_out_of_acme = customer(session, span(Approval.OPT_IN, THIRD_PARTY), span(Approval.OPTED_OUT, ACME))
    globex_only = customer(session, span(Approval.OPT_IN, GLOBEX))
    third_party = a_plan(RecipientClass.THIRD_PARTY, need=ApprovalNeed.OPT_IN)

    acme, acme_members = built(store, campaign, replace(third_party, partner=ACME.partner))
    _, globex_members = built(store, campaign, replace(third_party, partner=GLOBEX.partner))
    _, class_members = built(store, campaign, third_party)

    assert set(acme_members) == {acme_only, class_wide}
    assert dict(acme.excluded) == counts(opted_out=1, no_approval=1)
    assert set(globex_members) == {class_wide, globex_only, opted_out_of_acme}
    assert set(class_members) == {class_wide, opted_out_of_acme}


def test_audiences_agree_with_the_consent_ledgers_eligibility_on_the_same_spans(
    session, ledger, store, campaign
):
    later = AS_OF + timedelta(days=10)
    worlds = [
        (span(Approval.OPT_IN, THIRD_PARTY),),
        (span(Approval.OPT_IN, THIRD_PARTY), span(Approval.OPTED_OUT, ACME)),
        (span(Approval.OPT_IN, ACME),),
        # the partner has spans, none yet in force: they decide, not the class-wide opt-in
        (span(Approval.OPT_IN, THIRD_PARTY), span(Approval.OPT_IN, ACME, start=later)),
        (
            span(Approval.OPT_OUT_DEEMED),
            span(Approval.OPTED_OUT, ConsentScope(RecipientClass.CARRIER, "Acme Mobile")),
        ),
        (span(Approval.OPT_OUT_DEEMED, end=later),),
        (),
    ]
    accounts = [customer(session, *spans) for spans in worlds]
    plans = [
        a_plan(RecipientClass.THIRD_PARTY, ACME.partner, ApprovalNeed.OPT_IN),
        a_plan(RecipientClass.THIRD_PARTY, ACME.partner, ApprovalNeed.OPT_IN, as_of=later),
        a_plan(RecipientClass.THIRD_PARTY, need=ApprovalNeed.OPT_IN),
        a_plan(RecipientClass.CARRIER, ACME.partner),
        a_plan(),
        a_plan(as_of=later),
    ]

    for plan in plans:
        scope = ConsentScope(plan.recipient_class, plan.partner)
        eligible = ledger.eligible_accounts(scope, ACCEPTED[plan.need], plan.as_of)
        _, members = built(store, campaign, plan)
        assert sorted(members) == [a for a in eligible if a in accounts], plan


# ---------------------------------------------------------------- as of the plan's instant


def test_only_the_span_in_force_at_as_of_counts(session, store, campaign):
    starts_after = customer(session, span(Approval.OPT_IN, start=AS_OF + timedelta(microseconds=1)))
    starts_then = customer(session, span(Approval.OPT_IN, start=AS_OF))
    ended_before = customer(session, span(Approval.OPT_IN, end=AS_OF - timedelta(days=1)))
    ends_then = customer(session, span(Approval.OPT_OUT_DEEMED, end=AS_OF))
    ends_after = customer(session, span(Approval.OPT_OUT_DEEMED, end=AS_OF + timedelta(microseconds=1)))
    changed = customer(
        session,
        span(Approval.OPT_IN, end=AS_OF - timedelta(days=2)),
        span(Approval.OPTED_OUT, start=AS_OF - timedelta(days=2)),
    )

    build, members = built(store, campaign, a_plan())

    assert set(members) == {starts_then, ends_after}
    assert {starts_after, ended_before, ends_then, changed}.isdisjoint(members)
    assert dict(build.excluded) == counts(opted_out=1, no_approval=3)


def notice(at: datetime, medium: NoticeMedium = NoticeMedium.EMAIL) -> ConsentEvent:
    values = {"notice_version": VERSION, "notice_medium": medium, "waiting_period_days": 30}
    return ConsentEvent(ConsentEventKind.NOTICE_SENT, at, at, "notice-worker", **values)  # type: ignore[arg-type]


def decided(kind: ConsentEventKind, at: datetime, *scope: ConsentScope) -> ConsentEvent:
    proof = ConsentProof.ELECTRONIC if kind is ConsentEventKind.OPTED_IN else None
    return ConsentEvent(kind, at, at, "portal", scope=scope, source=ConsentSource.PORTAL, proof=proof)


def recorded(session: Session, *events: ConsentEvent) -> int:
    """An account whose ledger holds `events`, its projection rewritten as the consent service does."""
    account, _ = add_account(session, opened_at=OPENED - timedelta(days=1500))
    ledger = SqlConsentLedger(session)
    for consent_event in events:
        assert ledger.append(account, consent_event) is not None
    ledger.replace_projection(account, consent_timeline(ledger.events(account)))
    return account


@pytest.fixture
def notice_version(session) -> None:
    texts = {"en": {"subject": "Your privacy choices"}}
    SqlConsentNotices(session).add_version(
        NoticeVersion(VERSION, 30, texts, LONG_AGO - timedelta(days=2000), "legal")
    )


def test_ledger_histories_put_in_only_a_deemed_approval_past_its_wait_and_before_its_lapse(
    session, store, campaign, notice_version
):
    deemed = recorded(session, notice(AS_OF - timedelta(days=200)))
    waiting = recorded(session, notice(AS_OF - timedelta(days=10)))
    lapsed = recorded(session, notice(AS_OF - timedelta(days=800)))
    oral_only = recorded(session, notice(AS_OF - timedelta(days=200), NoticeMedium.ORAL))
    opted_out = recorded(
        session,
        notice(AS_OF - timedelta(days=200)),
        decided(ConsentEventKind.OPTED_OUT, AS_OF - timedelta(days=5)),
    )
    opts_out_later = recorded(
        session,
        notice(AS_OF - timedelta(days=200)),
        decided(ConsentEventKind.OPTED_OUT, AS_OF + timedelta(days=5)),
    )

    build, members = built(store, campaign, a_plan())

    assert members == {
        deemed: (ApprovalNeed.OPT_OUT, Approval.OPT_OUT_DEEMED),
        opts_out_later: (ApprovalNeed.OPT_OUT, Approval.OPT_OUT_DEEMED),
    }
    assert {waiting, lapsed, oral_only, opted_out}.isdisjoint(members)
    assert dict(build.excluded) == counts(opted_out=1, no_approval=3)


def test_audiences_agree_with_the_standing_derived_from_each_ledger(session, store, campaign, notice_version):
    histories = [
        [notice(AS_OF - timedelta(days=100))],
        [notice(AS_OF - timedelta(days=100), NoticeMedium.MAIL), decided(ConsentEventKind.OPTED_OUT, AS_OF)],
        [decided(ConsentEventKind.OPTED_IN, AS_OF - timedelta(days=10), ACME)],
        [
            decided(ConsentEventKind.OPTED_IN, AS_OF - timedelta(days=50), THIRD_PARTY),
            decided(ConsentEventKind.REVOKED, AS_OF - timedelta(days=5), ACME),
        ],
        [
            notice(AS_OF - timedelta(days=300)),
            decided(ConsentEventKind.OPTED_IN, AS_OF - timedelta(days=3), CARRIER),
        ],
        [notice(AS_OF - timedelta(days=900))],
        [],
    ]
    ledger = SqlConsentLedger(session)
    events = {account: ledger.events(account) for account in (recorded(session, *h) for h in histories)}
    plans = [
        a_plan(),
        a_plan(need=ApprovalNeed.OPT_IN),
        a_plan(RecipientClass.THIRD_PARTY, need=ApprovalNeed.OPT_IN),
        a_plan(RecipientClass.THIRD_PARTY, ACME.partner, ApprovalNeed.OPT_IN),
    ]

    for plan in plans:
        scope = ConsentScope(plan.recipient_class, plan.partner)
        standing = {a: standing_at(e, scope, plan.as_of).approval for a, e in events.items()}
        _, members = built(store, campaign, plan)
        assert members == {
            a: (plan.need, approval) for a, approval in standing.items() if approval in ACCEPTED[plan.need]
        }, plan


# ---------------------------------------------------------------- the total service approach


def test_the_total_service_approach_needs_a_service_in_force_in_every_offered_category(
    session, store, campaign
):
    both = customer(
        session, span(Approval.OPTED_OUT), services=(S.LOCAL, S.LOCAL, S.WIRELESS, S.INTEREXCHANGE)
    )
    local_only = customer(session, span(Approval.OPTED_OUT), services=(S.LOCAL,))
    local_only_deemed = customer(session, span(Approval.OPT_OUT_DEEMED), services=(S.LOCAL,))
    ended = customer(session, services=(S.LOCAL, S.WIRELESS))
    starts_later = customer(session, services=(S.LOCAL,))
    session.execute(
        update(Service)
        .where(Service.account_id == ended, Service.category == S.WIRELESS)
        .values(ended_at=AS_OF - timedelta(days=1))
    )
    add_service(
        session,
        starts_later,
        category=S.WIRELESS,
        telephone_number=None,
        started_at=AS_OF + timedelta(hours=1),
    )

    build, members = built(store, campaign, a_plan(total_service=frozenset({S.LOCAL, S.WIRELESS})))

    assert members == {
        both: (ApprovalNeed.TOTAL_SERVICE, None),
        local_only_deemed: (ApprovalNeed.OPT_OUT, Approval.OPT_OUT_DEEMED),
    }
    assert {local_only, ended, starts_later}.isdisjoint(members)
    assert dict(build.excluded) == counts(opted_out=1, no_approval=2)


def test_one_offered_category_takes_each_subscriber_once_however_many_services_they_hold(
    session, store, campaign
):
    two_lines = customer(session, services=(S.LOCAL, S.LOCAL))
    wireless = customer(session, span(Approval.OPTED_OUT), services=(S.WIRELESS,))

    build, members = built(store, campaign, a_plan(total_service=frozenset({S.LOCAL})))

    assert members == {two_lines: (ApprovalNeed.TOTAL_SERVICE, None)}
    assert wireless not in members
    assert (build.selected, dict(build.excluded)) == (1, counts(opted_out=1))


def test_an_affiliate_needs_no_approval_only_from_customers_taking_two_categories_of_service(
    session, store, campaign
):
    affiliate = ConsentScope(RecipientClass.AFFILIATE)
    local_and_wireless = customer(session, services=(S.LOCAL, S.WIRELESS))
    two_local_lines = customer(session, span(Approval.OPTED_OUT, affiliate), services=(S.LOCAL, S.LOCAL))
    local_and_other = customer(session, services=(S.LOCAL, S.OTHER))
    local_deemed = customer(session, span(Approval.OPT_OUT_DEEMED, affiliate), services=(S.LOCAL,))
    plan = replace(
        a_plan(RecipientClass.AFFILIATE, total_service=frozenset({S.LOCAL})), total_service_min_categories=2
    )

    build, members = built(store, campaign, plan)

    assert members == {
        local_and_wireless: (ApprovalNeed.TOTAL_SERVICE, None),
        local_deemed: (ApprovalNeed.OPT_OUT, Approval.OPT_OUT_DEEMED),
    }
    assert {two_local_lines, local_and_other}.isdisjoint(members)
    assert dict(build.excluded) == counts(opted_out=1, no_approval=1)


def test_a_plan_asking_for_fewer_categories_than_it_offers_checks_nothing_more(session, store, campaign):
    both = customer(session, services=(S.LOCAL, S.WIRELESS))
    plan = replace(a_plan(total_service=frozenset({S.LOCAL, S.WIRELESS})), total_service_min_categories=2)

    _, members = built(store, campaign, plan)

    assert members == {both: (ApprovalNeed.TOTAL_SERVICE, None)}


def test_without_a_total_service_plan_services_let_nobody_in(session, store, campaign):
    customer(session, span(Approval.OPTED_OUT), services=(S.LOCAL, S.WIRELESS))

    build, members = built(store, campaign, a_plan())

    assert members == {}
    assert dict(build.excluded) == counts(opted_out=1)


# ---------------------------------------------------------------- criteria and candidates


def test_criteria_select_by_kind_language_and_services_in_force(session, store, campaign):
    granted = span(Approval.OPT_IN)
    wanted = customer(
        session, granted, services=(S.WIRELESS,), kind=AccountKind.BUSINESS, language=Language.FR
    )
    residential = customer(session, granted, services=(S.WIRELESS,), language=Language.FR)
    english = customer(session, granted, services=(S.WIRELESS,), kind=AccountKind.BUSINESS)
    no_wireless = customer(
        session, granted, services=(S.LOCAL,), kind=AccountKind.BUSINESS, language=Language.FR
    )
    international = customer(
        session,
        granted,
        services=(S.WIRELESS, S.INTERNATIONAL),
        kind=AccountKind.BUSINESS,
        language=Language.FR,
    )
    international_ended = customer(
        session, granted, services=(S.INTERCONNECTED_VOIP,), kind=AccountKind.BUSINESS, language=Language.FR
    )
    ended_service = add_service(
        session, international_ended, category=S.INTERNATIONAL, telephone_number=None, started_at=OPENED
    )
    session.execute(
        update(Service).where(Service.id == ended_service).values(ended_at=AS_OF - timedelta(days=1))
    )
    criteria = AudienceCriteria(
        account_kinds=frozenset({AccountKind.BUSINESS}),
        languages=frozenset({Language.FR}),
        subscribes_to_any=frozenset({S.WIRELESS, S.INTERCONNECTED_VOIP}),
        subscribes_to_none_of=frozenset({S.INTERNATIONAL}),
    )

    build, members = built(store, campaign, a_plan(criteria=criteria))

    assert set(members) == {wanted, international_ended}
    assert {residential, english, no_wireless, international}.isdisjoint(members)
    assert (build.selected, sum(build.excluded.values())) == (2, 0)


def test_subscribing_to_none_of_some_categories_keeps_customers_without_any_service(session, store, campaign):
    granted = span(Approval.OPT_IN)
    no_service = customer(session, granted)
    local = customer(session, granted, services=(S.LOCAL,))
    international = customer(session, granted, services=(S.LOCAL, S.INTERNATIONAL))
    criteria = AudienceCriteria(subscribes_to_none_of=frozenset({S.INTERNATIONAL}))

    _, members = built(store, campaign, a_plan(criteria=criteria))

    assert set(members) == {no_service, local}
    assert international not in members


def add_calls(session: Session, account_id: int, *started: datetime) -> None:
    batch = session.execute(
        insert(IngestBatch)
        .values(
            source_name="test",
            content_sha256="0" * 64,
            loaded_by="test",
            started_at=AS_OF,
            finished_at=AS_OF,
            rows_read=len(started),
            rows_loaded=len(started),
            duplicates_skipped=0,
            rows_rejected=0,
        )
        .returning(IngestBatch.id)
    ).scalar_one()
    session.execute(
        insert(CallDetailRecord),
        [
            {
                "account_id": account_id,
                "source_system": "switch-a",
                "record_id": f"{account_id}-{index}",
                "direction": "outbound",
                "call_type": "local",
                "calling_number": "+12125550100",
                "called_number": "+13125557890",
                "started_at": at,
                "duration_seconds": 60,
                "billable_seconds": 60,
                "ingest_batch_id": batch,
            }
            for index, at in enumerate(started)
        ],
    )


def test_min_calls_counts_only_calls_in_the_window_before_as_of(session, store, campaign):
    granted = span(Approval.OPT_IN)
    busy, quiet, old_calls, future_calls, silent = (customer(session, granted) for _ in range(5))
    add_calls(
        session, busy, AS_OF - timedelta(days=29), AS_OF - timedelta(days=1), AS_OF - timedelta(seconds=1)
    )
    add_calls(session, quiet, AS_OF - timedelta(days=2), AS_OF - timedelta(days=3))
    add_calls(
        session, old_calls, AS_OF - timedelta(days=31), AS_OF - timedelta(days=40), AS_OF - timedelta(days=2)
    )
    add_calls(session, future_calls, AS_OF, AS_OF + timedelta(days=1), AS_OF - timedelta(days=1))
    within_30_days = AudienceCriteria(min_calls=3, calls_within_days=30)

    build, members = built(store, campaign, a_plan(criteria=within_30_days))
    _, ever = built(store, campaign, a_plan(criteria=AudienceCriteria(min_calls=3)))
    _, anyone = built(store, campaign, a_plan(criteria=AudienceCriteria(min_calls=0, calls_within_days=30)))

    assert set(members) == {busy}
    assert build.selected + sum(build.excluded.values()) == 1
    assert set(ever) == {busy, old_calls}
    assert set(anyone) == {busy, quiet, old_calls, future_calls, silent}


def test_only_accounts_active_at_as_of_are_candidates(session, store, campaign):
    granted = span(Approval.OPT_IN)
    active, suspended, closed, closed_later, opened_later = (customer(session, granted) for _ in range(5))
    for account, values in (
        (suspended, {"status": AccountStatus.SUSPENDED}),
        (closed, {"status": AccountStatus.CLOSED, "closed_at": AS_OF - timedelta(days=3)}),
        (closed_later, {"closed_at": AS_OF + timedelta(days=3)}),
        (opened_later, {"opened_at": AS_OF + timedelta(seconds=1)}),
    ):
        session.execute(update(Account).where(Account.id == account).values(**values))

    build, members = built(store, campaign, a_plan())

    assert set(members) == {active, closed_later}
    assert build.selected + sum(build.excluded.values()) == 2


# ---------------------------------------------------------------- one statement, never 222(b) data


@pytest.fixture
def statements(session) -> Iterator[list[str]]:
    """Every SQL statement the session's connection runs, as sent."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        sent.append(statement)

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", record)
    yield sent
    event.remove(connection, "before_cursor_execute", record)


def test_members_go_in_by_one_insert_select_that_never_reads_carrier_change_notices(
    session, store, campaign, statements
):
    accounts = [customer(session, span(Approval.OPT_IN), services=(S.LOCAL,)) for _ in range(30)]
    session.execute(
        insert(CarrierChangeNotice).values(
            account_id=accounts[0],
            kind="port_out",
            received_at=AS_OF,
            from_carrier="Other Co",
            reference="PO-1",
        )
    )
    statements.clear()

    build = store.build_audience(
        campaign,
        a_plan(total_service=frozenset({S.LOCAL}), criteria=AudienceCriteria(min_calls=0)),
        built_at=BUILT,
        built_by="analyst-3",
    )

    assert build.selected == 30
    member_writes = [s for s in statements if "campaign_audience_members" in s]
    assert len(member_writes) == 1
    assert "INSERT INTO campaign_audience_members" in member_writes[0]
    assert "SELECT" in member_writes[0].split("INSERT INTO campaign_audience_members", 1)[1]
    assert statements
    assert not [s for s in statements if "carrier_change_notices" in s.lower()]


def test_a_plan_the_query_cannot_execute_is_refused_and_writes_nothing(session, store, campaign):
    customer(session, span(Approval.OPT_IN))
    bad = [
        (a_plan(need=ApprovalNeed.TOTAL_SERVICE), "plan.need"),
        (a_plan(total_service=frozenset()), "plan.total_service_categories"),
        (a_plan(as_of=AS_OF.replace(tzinfo=None)), "plan.as_of"),
        (replace(a_plan(), total_service_min_categories=0), "plan.total_service_min_categories"),
    ]

    for plan, location in bad:
        with pytest.raises(InvalidInputError) as refused:
            store.build_audience(campaign, plan, built_at=BUILT, built_by="analyst-3")
        assert [p.location for p in refused.value.problems] == [location]

    assert session.scalar(select(func.count()).select_from(CampaignAudienceRecord)) == 0
    assert session.scalar(select(func.count()).select_from(CampaignAudienceMember)) == 0


def test_members_are_read_back_in_pages_in_account_order_with_their_numbers(session, store, campaign):
    accounts = [customer(session, span(Approval.OPT_IN)) for _ in range(7)]
    build, _ = built(store, campaign, a_plan())
    rows = session.execute(select(Account.id, Account.account_number).where(Account.id.in_(accounts)))
    numbers = {row.id: row.account_number for row in rows}

    pages, after = [], 0
    while page := store.audience_members(build.audience_id, after_account_id=after, limit=3):
        pages.append(page)
        after = page[-1].account_id

    assert [len(page) for page in pages] == [3, 3, 1]
    read = [member for page in pages for member in page]
    assert [m.account_id for m in read] == sorted(accounts)
    assert {m.account_id: m.account_number for m in read} == numbers


@pytest.mark.skipif(not is_postgres(), reason="JIT is PostgreSQL's")
def test_audience_statements_run_without_jit_on_postgresql(session, store, campaign):
    customer(session, span(Approval.OPT_IN))
    session.execute(text("SET LOCAL jit = on"))

    built(store, campaign, a_plan())

    assert session.scalar(text("SHOW jit")) == "off"
