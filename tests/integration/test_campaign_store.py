"""The campaign register in the database (47 CFR 64.2009(c), (d); issue 7)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from tests.conftest import is_postgres
from tests.factories import add_account

from cpniguard.adapters.db.campaigns import SqlCampaignStore
from cpniguard.adapters.db.engine import build_engine
from cpniguard.adapters.db.tables import (
    CampaignAudienceMember,
    CampaignAudienceRecord,
    CampaignRecord,
    CampaignReviewRecord,
    CampaignVersionRecord,
    ThirdPartyDisclosureRecord,
)
from cpniguard.domain.accounts import AccountKind, Language, ServiceCategory
from cpniguard.domain.campaigns import (
    ApprovalNeed,
    AudienceCriteria,
    AudienceMember,
    Campaign,
    CampaignChannel,
    CampaignDraft,
    CampaignSponsor,
    CampaignStatus,
    CampaignVersion,
    Offer,
    OfferCategory,
    ReviewAction,
    ReviewStep,
    ThirdPartyDisclosure,
)
from cpniguard.domain.disclosure_request import Approval, RecipientClass
from cpniguard.domain.errors import InvalidInputError

DRAFTED = datetime(2026, 10, 1, 14, 0, tzinfo=UTC)
LATER = DRAFTED + timedelta(days=3)


def a_draft(**overrides: object) -> CampaignDraft:
    """A third party's campaign with every field set, criteria included."""
    values: dict[str, object] = {
        "name": "Winter bundle",
        "description": "Home security offered to long-distance customers",
        "sponsor": CampaignSponsor.THIRD_PARTY,
        "channel": CampaignChannel.EMAIL,
        "offers": (
            Offer("SafeHome alarm", OfferCategory.NON_COMMUNICATIONS),
            Offer("Unlimited long distance", OfferCategory.INTEREXCHANGE),
        ),
        "cpni_fields": ("services.category", "call_detail_records.started_at"),
        "criteria": AudienceCriteria(
            account_kinds=frozenset({AccountKind.RESIDENTIAL}),
            languages=frozenset({Language.FR, Language.EN}),
            subscribes_to_any=frozenset({ServiceCategory.WIRELESS, ServiceCategory.INTEREXCHANGE}),
            subscribes_to_none_of=frozenset({ServiceCategory.INTERNATIONAL}),
            min_calls=5,
            calls_within_days=90,
        ),
        "starts_on": date(2026, 12, 1),
        "ends_on": date(2027, 1, 31),
        "sponsor_name": "Acme Security",
    }
    values.update(overrides)
    return CampaignDraft(**values)  # type: ignore[arg-type]


@pytest.fixture
def session(connection):
    with Session(bind=connection, join_transaction_mode="create_savepoint") as opened:
        yield opened


@pytest.fixture
def store(session) -> SqlCampaignStore:
    return SqlCampaignStore(session)


def added(store: SqlCampaignStore, draft: CampaignDraft | None = None, at: datetime = DRAFTED) -> Campaign:
    campaign = store.get(store.add(draft or a_draft(), author="analyst-3", at=at))
    assert campaign is not None
    return campaign


def step(campaign_id: int, action: ReviewAction, at: datetime, actor: str = "analyst-3") -> ReviewStep:
    return ReviewStep(campaign_id, action, actor, "marketing_analyst", at, 1, note=f"{action} note")


def disclosure(campaign_id: int, audience_id: int, at: datetime) -> ThirdPartyDisclosure:
    return ThirdPartyDisclosure(
        campaign_id,
        audience_id,
        "Acme Security",
        RecipientClass.THIRD_PARTY,
        at,
        "supervisor-1",
        1200,
        ("accounts.account_number", "services.category"),
    )


def an_audience(session: Session, campaign_id: int, built_at: datetime, *members: int) -> int:
    """An audience row with `members` selected on opt-in, written as build_audience leaves it."""
    audience_id = session.execute(
        insert(CampaignAudienceRecord)
        .values(
            campaign_id=campaign_id,
            campaign_version=1,
            as_of=built_at,
            built_at=built_at,
            built_by="analyst-3",
            selected=len(members),
            excluded={"opted_out": 2, "no_approval": 0, "opt_in_required": 1},
        )
        .returning(CampaignAudienceRecord.id)
    ).scalar_one()
    for account_id in members:
        session.execute(
            insert(CampaignAudienceMember).values(
                audience_id=audience_id,
                account_id=account_id,
                need=ApprovalNeed.OPT_IN,
                approval=Approval.OPT_IN,
            )
        )
    return audience_id


def rows(session: Session, table: type, **where: int) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(getattr(table, column) == value)
    return int(session.scalar(query) or 0)


# ---------------------------------------------------------------- the register


def test_a_draft_reads_back_exactly_as_written_at_version_1(store):
    draft = a_draft()

    campaign = added(store, draft)

    assert campaign.draft == draft
    assert (campaign.status, campaign.version, campaign.author) == (CampaignStatus.DRAFT, 1, "analyst-3")
    assert (campaign.created_at, campaign.updated_at) == (DRAFTED, DRAFTED)


def test_a_draft_without_criteria_or_partner_reads_back_exactly(store):
    draft = a_draft(
        sponsor=CampaignSponsor.CARRIER,
        sponsor_name="",
        criteria=AudienceCriteria(),
        offers=(Offer("Fibre 1G", OfferCategory.OTHER),),
        cpni_fields=(),
    )

    assert added(store, draft).draft == draft


def test_offers_and_criteria_are_stored_as_plain_json_with_sorted_lists(session, store):
    campaign = added(store)

    row = session.execute(
        select(CampaignRecord.offers, CampaignRecord.criteria, CampaignRecord.cpni_fields).where(
            CampaignRecord.id == campaign.id
        )
    ).one()

    assert row.offers == [
        {"product": "SafeHome alarm", "category": "non_communications"},
        {"product": "Unlimited long distance", "category": "interexchange"},
    ]
    assert row.criteria == {
        "account_kinds": ["residential"],
        "languages": ["en", "fr"],
        "subscribes_to_any": ["interexchange", "wireless"],
        "subscribes_to_none_of": ["international"],
        "min_calls": 5,
        "calls_within_days": 90,
    }
    assert row.cpni_fields == ["services.category", "call_detail_records.started_at"]


def test_an_update_replaces_the_draft_status_and_version_and_set_status_moves_only_the_status(store):
    campaign = added(store)
    edited = a_draft(name="Winter bundle v2", criteria=AudienceCriteria(min_calls=1, calls_within_days=7))

    store.update(replace(campaign, draft=edited, version=2, updated_at=LATER), by="bob.analyst")
    store.set_status(campaign.id, CampaignStatus.SUBMITTED, at=LATER + timedelta(hours=1))

    stored = store.get(campaign.id)
    assert stored == replace(
        campaign,
        draft=edited,
        status=CampaignStatus.SUBMITTED,
        version=2,
        updated_at=LATER + timedelta(hours=1),
    )
    assert store.get(campaign.id + 1000) is None


def test_every_version_is_kept_as_saved_and_an_update_never_rewrites_an_earlier_one(store):
    campaign = added(store)
    edited = a_draft(name="Winter bundle v2", cpni_fields=("services.category",), offers=())

    store.update(replace(campaign, draft=edited, version=2, updated_at=LATER), by="bob.analyst")

    assert store.versions(campaign.id) == [
        CampaignVersion(campaign.id, 1, campaign.draft, campaign.created_at, campaign.author),
        CampaignVersion(campaign.id, 2, edited, LATER, "bob.analyst"),
    ]
    assert store.versions(campaign.id + 1000) == []


def test_a_version_cannot_be_rewritten_in_the_database(store, session):
    campaign = added(store)
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(
            update(CampaignVersionRecord)
            .where(CampaignVersionRecord.campaign_id == campaign.id)
            .values(saved_by="someone else")
        )


def test_lock_reads_the_campaign_or_none(store):
    campaign = added(store)

    assert store.lock(campaign.id) == campaign
    assert store.lock(campaign.id + 1000) is None


@pytest.mark.skipif(not is_postgres(), reason="row locks are PostgreSQL's; SQLite locks the database")
def test_lock_holds_the_row_on_postgresql_until_the_transaction_ends(fresh_database_url):
    engine = build_engine(fresh_database_url)
    try:
        with Session(engine) as setup:
            campaign_id = SqlCampaignStore(setup).add(a_draft(), author="analyst-3", at=DRAFTED)
            setup.commit()
        with Session(engine) as holder, Session(engine) as other:
            assert SqlCampaignStore(holder).lock(campaign_id) is not None
            with pytest.raises(OperationalError, match="could not obtain lock"):
                other.execute(
                    text("SELECT id FROM campaigns WHERE id = :id FOR UPDATE NOWAIT"), {"id": campaign_id}
                )
            other.rollback()
            holder.rollback()
            other.execute(
                text("SELECT id FROM campaigns WHERE id = :id FOR UPDATE NOWAIT"), {"id": campaign_id}
            )
    finally:
        engine.dispose()


def test_the_listing_pages_in_id_order_by_status(store):
    first, second, third = (added(store) for _ in range(3))
    store.set_status(second.id, CampaignStatus.APPROVED, at=LATER)
    start = first.id - 1

    assert [c.id for c in store.listing(after_id=start)] == [first.id, second.id, third.id]
    assert [c.id for c in store.listing(after_id=start, limit=2)] == [first.id, second.id]
    assert [c.id for c in store.listing(after_id=first.id)] == [second.id, third.id]
    assert [c.id for c in store.listing(status=CampaignStatus.APPROVED, after_id=start)] == [second.id]
    assert [c.id for c in store.listing(status=CampaignStatus.DRAFT, after_id=start)] == [first.id, third.id]
    with pytest.raises(InvalidInputError, match="at least one row"):
        store.listing(limit=0)


# ---------------------------------------------------------------- the supervisory review's record


def test_review_steps_read_back_in_recorded_order_with_their_ids(store):
    campaign, other = added(store), added(store)
    steps = [
        step(campaign.id, ReviewAction.CREATED, DRAFTED),
        step(campaign.id, ReviewAction.SUBMITTED, LATER),
        step(campaign.id, ReviewAction.APPROVED, LATER - timedelta(days=1), actor="supervisor-1"),
    ]
    ids = [store.add_review_step(s) for s in steps]
    store.add_review_step(step(other.id, ReviewAction.CREATED, DRAFTED))

    assert store.review_steps(campaign.id) == [replace(s, id=i) for s, i in zip(steps, ids, strict=True)]


def test_review_steps_refuse_update_on_both_engines(session, store):
    campaign = added(store)
    step_id = store.add_review_step(step(campaign.id, ReviewAction.CREATED, DRAFTED))

    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text("UPDATE campaign_reviews SET actor = 'someone' WHERE id = :id"), {"id": step_id})

    assert [s.actor for s in store.review_steps(campaign.id)] == ["analyst-3"]


FIRST, LAST = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
RUN_AFTER = a_draft(starts_on=date(2027, 2, 1), ends_on=date(2027, 3, 31))
"""A campaign running after the period: only its steps, audiences or disclosures make it active."""


def test_active_between_lists_campaigns_with_a_step_in_the_period_bounds_included(store):
    before, on_first, on_last, after = (added(store, RUN_AFTER) for _ in range(4))
    first, last = FIRST, LAST
    store.add_review_step(step(before.id, ReviewAction.CREATED, first - timedelta(microseconds=1)))
    store.add_review_step(step(on_first.id, ReviewAction.CREATED, first))
    store.add_review_step(step(on_first.id, ReviewAction.EDITED, first + timedelta(days=2)))
    store.add_review_step(step(on_last.id, ReviewAction.APPROVED, last))
    store.add_review_step(step(after.id, ReviewAction.CREATED, last + timedelta(microseconds=1)))

    assert [c.id for c in store.active_between(first, last)] == [on_first.id, on_last.id]


def test_active_between_lists_campaigns_used_in_the_period_though_reviewed_before_it(session, store):
    built, disclosed, idle = (added(store, RUN_AFTER) for _ in range(3))
    for campaign in (built, disclosed, idle):
        store.add_review_step(step(campaign.id, ReviewAction.APPROVED, FIRST - timedelta(days=30)))
    an_audience(session, built.id, LAST)
    audience_id = an_audience(session, disclosed.id, FIRST - timedelta(days=1))
    store.record_disclosure(disclosure(disclosed.id, audience_id, FIRST))

    assert [c.id for c in store.active_between(FIRST, LAST)] == [built.id, disclosed.id]


def test_with_approvals_lists_only_campaigns_a_supervisor_approved(store):
    approved, drafted, rejected = (added(store) for _ in range(3))
    store.add_review_step(step(approved.id, ReviewAction.APPROVED, LATER, actor="supervisor-1"))
    store.add_review_step(step(drafted.id, ReviewAction.CREATED, LATER))
    store.add_review_step(step(rejected.id, ReviewAction.REJECTED, LATER, actor="supervisor-1"))

    assert [c.id for c in store.with_approvals()] == [approved.id]


# ---------------------------------------------------------------- audiences and disclosures


def test_audiences_read_back_oldest_first_and_members_page_by_account_with_their_numbers(session, store):
    campaign = added(store)
    accounts = [add_account(session) for _ in range(3)]
    keys = [key for key, _ in accounts]
    older = an_audience(session, campaign.id, LATER, *keys)
    newer = an_audience(session, campaign.id, LATER + timedelta(days=1))

    assert [a.id for a in store.audiences(campaign.id)] == [older, newer]
    audience = store.audience(older)
    assert audience is not None
    assert (audience.campaign_id, audience.campaign_version, audience.selected) == (campaign.id, 1, 3)
    assert (audience.as_of, audience.built_at, audience.built_by) == (LATER, LATER, "analyst-3")
    assert dict(audience.excluded) == {"opted_out": 2, "no_approval": 0, "opt_in_required": 1}
    assert store.audience(newer + 1000) is None
    expected = [AudienceMember(key, number, ApprovalNeed.OPT_IN, Approval.OPT_IN) for key, number in accounts]
    assert store.audience_members(older, limit=2) == expected[:2]
    assert store.audience_members(older, after_account_id=keys[1]) == expected[2:]
    with pytest.raises(InvalidInputError, match="at least one row"):
        store.audience_members(older, limit=0)


def test_disclosures_read_back_by_period_bounds_included_oldest_first(store, session):
    campaign = added(store)
    audience_id = an_audience(session, campaign.id, LATER)
    first, last = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)
    outside = [
        disclosure(campaign.id, audience_id, at)
        for at in (first - timedelta(seconds=1), last + timedelta(seconds=1))
    ]
    inside = [disclosure(campaign.id, audience_id, at) for at in (last, first)]
    ids = {d: store.record_disclosure(d) for d in [*outside, *inside]}

    assert store.disclosures(first, last) == [replace(d, id=ids[d]) for d in reversed(inside)]


def test_disclosures_refuse_update_on_both_engines(session, store):
    campaign = added(store)
    disclosure_id = store.record_disclosure(
        disclosure(campaign.id, an_audience(session, campaign.id, LATER), LATER)
    )

    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(
            text("UPDATE third_party_disclosures SET customers = 1 WHERE id = :id"), {"id": disclosure_id}
        )

    assert [d.customers for d in store.disclosures(LATER, LATER)] == [1200]


def test_last_activity_is_the_latest_step_audience_or_disclosure(session, store):
    campaign = added(store)
    assert store.last_activity(campaign.id) is None

    store.add_review_step(step(campaign.id, ReviewAction.CREATED, DRAFTED))
    assert store.last_activity(campaign.id) == DRAFTED
    audience_id = an_audience(session, campaign.id, LATER)
    assert store.last_activity(campaign.id) == LATER
    store.record_disclosure(disclosure(campaign.id, audience_id, LATER + timedelta(days=5)))
    assert store.last_activity(campaign.id) == LATER + timedelta(days=5)
    store.add_review_step(step(campaign.id, ReviewAction.EDITED, LATER + timedelta(days=1)))
    assert store.last_activity(campaign.id) == LATER + timedelta(days=5)


# ---------------------------------------------------------------- the purge


def fill(session: Session, store: SqlCampaignStore, campaign: Campaign, members: list[int]) -> None:
    store.add_review_step(step(campaign.id, ReviewAction.CREATED, DRAFTED))
    store.add_review_step(step(campaign.id, ReviewAction.APPROVED, LATER, actor="supervisor-1"))
    audience_id = an_audience(session, campaign.id, LATER, *members)
    an_audience(session, campaign.id, LATER, *members[:1])
    store.record_disclosure(disclosure(campaign.id, audience_id, LATER))


def test_the_purge_removes_one_campaign_with_everything_it_holds_and_nothing_else(session, store):
    members = [add_account(session)[0] for _ in range(2)]
    campaign, other = added(store), added(store)
    fill(session, store, campaign, members)
    fill(session, store, other, members)
    kept = {table: rows(session, table) for table in (CampaignReviewRecord, CampaignAudienceRecord)}

    removed = store.purge(campaign.id)

    # 1 disclosure + 3 members + 2 audiences + 2 steps + 1 version + the campaign
    assert removed == 10
    assert store.versions(campaign.id) == []
    assert len(store.versions(other.id)) == 1
    assert store.get(campaign.id) is None
    assert store.review_steps(campaign.id) == []
    assert store.audiences(campaign.id) == []
    assert store.last_activity(campaign.id) is None
    assert rows(session, ThirdPartyDisclosureRecord, campaign_id=campaign.id) == 0
    assert rows(session, CampaignAudienceMember) == 3
    assert store.get(other.id) == other
    assert len(store.review_steps(other.id)) == 2
    assert len(store.audiences(other.id)) == 2
    assert [d.campaign_id for d in store.disclosures(LATER, LATER)] == [other.id]
    assert {table: rows(session, table) for table in kept} == {table: n // 2 for table, n in kept.items()}
