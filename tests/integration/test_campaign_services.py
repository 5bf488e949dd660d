"""Campaign drafting, supervisory review, the register and its purge (47 CFR 64.2009(c), (d)).

Real SQLite, and PostgreSQL with CPNIGUARD_TEST_DATABASE_URL; each test's writes are rolled back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from cpniguard.adapters.db.tables import (
    AccessLogRecord,
    CampaignAudienceRecord,
    CampaignRecord,
    CampaignReviewRecord,
)
from cpniguard.bootstrap import Container
from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.audit import AuditEvent, decode_entry
from cpniguard.domain.campaigns import (
    AudienceCriteria,
    CampaignChannel,
    CampaignDraft,
    CampaignSponsor,
    CampaignStatus,
    Offer,
    OfferCategory,
    ReviewAction,
)
from cpniguard.domain.consent_retention import RetentionFloorError
from cpniguard.domain.disclosure_request import ActorKind
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.services.campaign_audiences import build_audience
from cpniguard.services.campaign_register import campaign_register, purge_campaign
from cpniguard.services.campaigns import (
    CampaignContext,
    CampaignRoleError,
    campaign,
    create_campaign,
    edit_campaign,
    list_campaigns,
    review_campaign,
    review_history,
    submit_campaign,
)
from cpniguard.services.disclosure import Asker

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
ANALYST = Asker(kind=ActorKind.EMPLOYEE, role=Role.MARKETING_ANALYST, label="ana.analyst")
SUPERVISOR = Asker(kind=ActorKind.EMPLOYEE, role=Role.SUPERVISOR, label="sam.supervisor")
OTHER_SUPERVISOR = Asker(kind=ActorKind.EMPLOYEE, role=Role.SUPERVISOR, label="sue.supervisor")
REPRESENTATIVE = Asker(kind=ActorKind.EMPLOYEE, role=Role.REPRESENTATIVE, label="rita.rep")
DRAFT = CampaignDraft(
    name="Wireless for landline customers",
    description="Offer our wireless plan to customers who take local service",
    sponsor=CampaignSponsor.CARRIER,
    channel=CampaignChannel.EMAIL,
    offers=(Offer("Unlimited wireless", OfferCategory.WIRELESS),),
    cpni_fields=("services.category",),
    criteria=AudienceCriteria(subscribes_to_any=frozenset({ServiceCategory.LOCAL})),
    starts_on=date(2026, 12, 1),
    ends_on=date(2027, 1, 31),
)
TABLES = (CampaignRecord, CampaignReviewRecord, CampaignAudienceRecord, AccessLogRecord)


@pytest.fixture
def context(container: Container) -> CampaignContext:
    container.clock.pin(NOW)
    known = {f"{f.table}.{f.field}": f.data_class for f in container.classification.fields()}
    return CampaignContext(container.unit_of_work, container.clock, known)


def counts(container: Container) -> dict[str, int]:
    with container.unit_of_work() as uow:
        return {
            table.__name__: int(uow.session.scalar(select(func.count()).select_from(table)) or 0)
            for table in TABLES
        }


def logged_outcomes(container: Container) -> list[tuple[str, str]]:
    with container.unit_of_work() as uow:
        payloads = uow.session.scalars(select(AccessLogRecord.payload).order_by(AccessLogRecord.sequence))
        entries = [decode_entry(payload)[1] for payload in payloads]
    return [(str(entry.event), entry.outcome) for entry in entries]


def submitted(context: CampaignContext, author: Asker = ANALYST) -> int:
    created = create_campaign(context, draft=DRAFT, asker=author)
    submit_campaign(context, campaign_id=created.id, asker=author)
    return created.id


def approved(context: CampaignContext, author: Asker = ANALYST) -> int:
    campaign_id = submitted(context, author)
    review_campaign(
        context, campaign_id=campaign_id, action=ReviewAction.APPROVED, note="fine", asker=SUPERVISOR
    )
    return campaign_id


# ---------------------------------------------------------------- drafting


def test_a_campaign_is_registered_as_a_draft_at_version_1_with_its_created_step_and_log_entry(
    container, context
):
    created = create_campaign(context, draft=DRAFT, asker=ANALYST)

    assert (created.status, created.version, created.author) == (CampaignStatus.DRAFT, 1, "ana.analyst")
    assert campaign(uow_factory=container.unit_of_work, campaign_id=created.id) == created
    [step] = review_history(uow_factory=container.unit_of_work, campaign_id=created.id)
    assert (step.action, step.actor, step.actor_role, step.at, step.version) == (
        ReviewAction.CREATED,
        "ana.analyst",
        "marketing_analyst",
        NOW,
        1,
    )
    assert logged_outcomes(container) == [(str(AuditEvent.CAMPAIGN_RECORDED), "created")]


@pytest.mark.parametrize(
    ("change", "location", "words"),
    [
        (
            {"cpni_fields": ("services.category", "services.colour")},
            "cpni_fields[1]",
            "not a classified field",
        ),
        (
            {"cpni_fields": ("services.category", "carrier_change_notices.kind")},
            "cpni_fields[1]",
            "222(b)",
        ),
        (
            {"offers": (Offer("Wireless", OfferCategory.WIRELESS), Offer("Alarm", None))},  # type: ignore[arg-type]
            "offers[1].category",
            "category of service",
        ),
        (
            {"sponsor": CampaignSponsor.THIRD_PARTY, "sponsor_name": ""},
            "sponsor_name",
            "name the third party",
        ),
    ],
)
def test_a_bad_draft_is_refused_naming_where_and_nothing_is_written(
    container, context, change, location, words
):
    before = counts(container)

    with pytest.raises(InvalidInputError) as refused:
        create_campaign(context, draft=replace(DRAFT, **change), asker=ANALYST)

    assert [p.location for p in refused.value.problems] == [location]
    assert words in refused.value.problems[0].message
    assert counts(container) == before


def test_a_bad_edit_is_refused_and_leaves_the_campaign_and_the_log_as_they_were(container, context):
    created = create_campaign(context, draft=DRAFT, asker=ANALYST)
    before = counts(container)

    with pytest.raises(InvalidInputError) as refused:
        edit_campaign(
            context,
            campaign_id=created.id,
            draft=replace(DRAFT, cpni_fields=("services.category", "call_detail_records.nope")),
            asker=ANALYST,
        )

    assert [p.location for p in refused.value.problems] == ["cpni_fields[1]"]
    assert counts(container) == before
    assert campaign(uow_factory=container.unit_of_work, campaign_id=created.id) == created


def test_a_representative_may_neither_draft_nor_review_and_nothing_is_written(container, context):
    campaign_id = submitted(context)
    before = counts(container)

    with pytest.raises(CampaignRoleError, match="representative"):
        create_campaign(context, draft=DRAFT, asker=REPRESENTATIVE)
    with pytest.raises(CampaignRoleError, match="representative"):
        review_campaign(
            context, campaign_id=campaign_id, action=ReviewAction.APPROVED, note="", asker=REPRESENTATIVE
        )

    assert counts(container) == before


def test_an_unknown_campaign_is_not_found(container, context):
    with pytest.raises(NotFoundError):
        submit_campaign(context, campaign_id=999_999, asker=ANALYST)
    with pytest.raises(NotFoundError):
        review_history(uow_factory=container.unit_of_work, campaign_id=999_999)


# ---------------------------------------------------------------- review


def test_a_supervisor_may_not_approve_their_own_campaign_and_nothing_is_written(container, context):
    campaign_id = submitted(context, author=SUPERVISOR)
    before = counts(container)

    with pytest.raises(InvalidInputError) as refused:
        review_campaign(
            context, campaign_id=campaign_id, action=ReviewAction.APPROVED, note="", asker=SUPERVISOR
        )

    assert [p.location for p in refused.value.problems] == ["actor"]
    assert "64.2009(d)" in refused.value.problems[0].message
    assert counts(container) == before
    assert (
        campaign(uow_factory=container.unit_of_work, campaign_id=campaign_id).status
        is CampaignStatus.SUBMITTED
    )


def test_a_supervisor_who_edited_someone_elses_campaign_may_not_approve_it(container, context):
    created = create_campaign(context, draft=DRAFT, asker=ANALYST)
    edit_campaign(context, campaign_id=created.id, draft=replace(DRAFT, name="Renamed"), asker=SUPERVISOR)
    submit_campaign(context, campaign_id=created.id, asker=ANALYST)

    with pytest.raises(InvalidInputError) as refused:
        review_campaign(
            context, campaign_id=created.id, action=ReviewAction.APPROVED, note="", asker=SUPERVISOR
        )

    assert [p.location for p in refused.value.problems] == ["actor"]


def test_another_supervisor_approves_and_the_step_records_who_role_when_version_and_note(container, context):
    campaign_id = submitted(context, author=SUPERVISOR)
    container.clock.advance(timedelta(hours=2))

    reviewed = review_campaign(
        context,
        campaign_id=campaign_id,
        action=ReviewAction.APPROVED,
        note="offers and fields checked",
        asker=OTHER_SUPERVISOR,
    )

    assert reviewed.status is CampaignStatus.APPROVED
    steps = review_history(uow_factory=container.unit_of_work, campaign_id=campaign_id)
    assert [s.action for s in steps] == [ReviewAction.CREATED, ReviewAction.SUBMITTED, ReviewAction.APPROVED]
    last = steps[-1]
    assert (last.actor, last.actor_role, last.at, last.version, last.note) == (
        "sue.supervisor",
        "supervisor",
        NOW + timedelta(hours=2),
        1,
        "offers and fields checked",
    )
    assert [outcome for _, outcome in logged_outcomes(container)] == ["created", "submitted", "approved"]


def test_a_returned_campaign_is_edited_resubmitted_and_a_rejected_one_is_final(container, context):
    campaign_id = submitted(context)
    review_campaign(
        context,
        campaign_id=campaign_id,
        action=ReviewAction.RETURNED,
        note="name the fields",
        asker=SUPERVISOR,
    )
    edited = edit_campaign(context, campaign_id=campaign_id, draft=replace(DRAFT, name="v2"), asker=ANALYST)
    submit_campaign(context, campaign_id=campaign_id, asker=ANALYST)
    rejected = review_campaign(
        context, campaign_id=campaign_id, action=ReviewAction.REJECTED, note="not this year", asker=SUPERVISOR
    )

    assert (edited.status, edited.version) == (CampaignStatus.DRAFT, 2)
    assert rejected.status is CampaignStatus.REJECTED
    with pytest.raises(InvalidInputError):
        edit_campaign(context, campaign_id=campaign_id, draft=DRAFT, asker=ANALYST)
    steps = review_history(uow_factory=container.unit_of_work, campaign_id=campaign_id)
    assert [(s.action, s.version) for s in steps] == [
        (ReviewAction.CREATED, 1),
        (ReviewAction.SUBMITTED, 1),
        (ReviewAction.RETURNED, 1),
        (ReviewAction.EDITED, 2),
        (ReviewAction.SUBMITTED, 2),
        (ReviewAction.REJECTED, 2),
    ]


def test_a_review_step_that_is_not_a_decision_is_refused(container, context):
    campaign_id = submitted(context)
    with pytest.raises(InvalidInputError) as refused:
        review_campaign(
            context, campaign_id=campaign_id, action=ReviewAction.SUBMITTED, note="", asker=SUPERVISOR
        )
    assert refused.value.problems[0].location == "action"


def test_editing_an_approved_campaign_sends_it_back_to_review_and_no_audience_is_built(container, context):
    campaign_id = approved(context)

    edited = edit_campaign(
        context, campaign_id=campaign_id, draft=replace(DRAFT, name="Changed"), asker=ANALYST, note="rename"
    )

    assert (edited.status, edited.version) == (CampaignStatus.SUBMITTED, 2)
    assert campaign(uow_factory=container.unit_of_work, campaign_id=campaign_id).draft.name == "Changed"
    with pytest.raises(InvalidInputError) as refused:
        build_audience(context, campaign_id=campaign_id, asker=ANALYST)
    assert refused.value.problems[0].location == "campaign_id"


def test_campaigns_are_listed_by_status(container, context):
    first = approved(context)
    second = submitted(context)

    listed = list_campaigns(uow_factory=container.unit_of_work, status=CampaignStatus.SUBMITTED)

    assert [c.id for c in listed] == [second]
    assert [c.id for c in list_campaigns(uow_factory=container.unit_of_work)] == [first, second]
    with pytest.raises(InvalidInputError):
        list_campaigns(uow_factory=container.unit_of_work, limit=0)


# ---------------------------------------------------------------- the register


def test_the_register_lists_the_campaigns_active_in_the_period_with_their_offers_fields_and_approvals(
    container, context
):
    container.clock.pin(NOW - timedelta(days=90))
    old = create_campaign(context, draft=replace(DRAFT, name="Old"), asker=ANALYST)
    container.clock.pin(NOW)
    campaign_id = approved(context)

    entries = campaign_register(
        uow_factory=container.unit_of_work, first=NOW - timedelta(days=1), last=NOW + timedelta(days=1)
    )

    assert [e.campaign_id for e in entries] == [campaign_id]
    [entry] = entries
    assert (entry.description, entry.sponsor, entry.status) == (
        DRAFT.description,
        CampaignSponsor.CARRIER,
        CampaignStatus.APPROVED,
    )
    assert entry.offers == (Offer("Unlimited wireless", OfferCategory.WIRELESS),)
    assert entry.cpni_fields == ("services.category",)
    assert [(a.actor, a.at, a.version) for a in entry.approvals] == [("sam.supervisor", NOW, 1)]
    whole = campaign_register(uow_factory=container.unit_of_work, first=NOW - timedelta(days=100), last=NOW)
    assert [e.campaign_id for e in whole] == [old.id, campaign_id]


def test_the_register_keeps_what_each_approved_version_used_and_offered_after_later_edits(container, context):
    campaign_id = approved(context)
    container.clock.pin(NOW + timedelta(hours=1))
    second = replace(
        DRAFT,
        sponsor=CampaignSponsor.AFFILIATE,
        sponsor_name="Example Wireless LLC",
        description="Wireless and long distance for heavy callers",
        offers=(*DRAFT.offers, Offer("Unlimited long distance", OfferCategory.INTEREXCHANGE)),
        cpni_fields=("services.category", "call_detail_records.started_at"),
    )
    edit_campaign(context, campaign_id=campaign_id, draft=second, asker=ANALYST)
    period = {"first": NOW - timedelta(days=1), "last": NOW + timedelta(days=1)}

    [in_review] = campaign_register(uow_factory=container.unit_of_work, **period)
    review_campaign(
        context, campaign_id=campaign_id, action=ReviewAction.APPROVED, note="ok", asker=SUPERVISOR
    )
    [approved_again] = campaign_register(uow_factory=container.unit_of_work, **period)

    assert (in_review.version, in_review.cpni_fields, in_review.offers) == (
        2,
        second.cpni_fields,
        second.offers,
    )
    assert [(v.version, v.description, v.cpni_fields, v.offers) for v in in_review.approved_versions] == [
        (1, DRAFT.description, DRAFT.cpni_fields, DRAFT.offers)
    ]
    assert [(v.version, v.saved_at, v.saved_by) for v in approved_again.approved_versions] == [
        (1, NOW, "ana.analyst"),
        (2, NOW + timedelta(hours=1), "ana.analyst"),
    ]
    assert approved_again.approved_versions[1].cpni_fields == second.cpni_fields
    assert [(v.sponsor, v.sponsor_name) for v in approved_again.approved_versions] == [
        (CampaignSponsor.CARRIER, ""),
        (CampaignSponsor.AFFILIATE, "Example Wireless LLC"),
    ]


def test_the_register_lists_a_campaign_while_an_approved_version_runs_never_an_unapproved_run(
    container, context
):
    running = approved(context)  # v1 runs 1 December 2026 to 31 January 2027
    container.clock.pin(datetime(2026, 12, 10, 15, 0, tzinfo=UTC))
    moved = replace(DRAFT, starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 31))
    edit_campaign(context, campaign_id=running, draft=moved, asker=ANALYST)  # back to review
    rejected = create_campaign(context, draft=replace(DRAFT, name="Rejected"), asker=ANALYST).id
    submit_campaign(context, campaign_id=rejected, asker=ANALYST)
    review_campaign(context, campaign_id=rejected, action=ReviewAction.REJECTED, note="no", asker=SUPERVISOR)

    def listed(first: datetime, last: datetime) -> list[int]:
        entries = campaign_register(uow_factory=container.unit_of_work, first=first, last=last)
        return [entry.campaign_id for entry in entries]

    assert listed(datetime(2026, 12, 5, tzinfo=UTC), datetime(2026, 12, 6, tzinfo=UTC)) == [running]
    assert listed(datetime(2026, 12, 15, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC)) == []
    assert listed(datetime(2027, 3, 10, tzinfo=UTC), datetime(2027, 3, 12, tzinfo=UTC)) == []
    # 1 December 04:59 UTC is still 30 November in Washington: the run has not started there.
    assert listed(datetime(2026, 12, 1, 3, 0, tzinfo=UTC), datetime(2026, 12, 1, 4, 59, tzinfo=UTC)) == []
    dawn_in_washington = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    assert listed(dawn_in_washington, dawn_in_washington) == [running]


def test_a_register_period_that_ends_before_it_starts_is_refused(container, context):
    with pytest.raises(InvalidInputError) as refused:
        campaign_register(uow_factory=container.unit_of_work, first=NOW, last=NOW - timedelta(days=1))
    assert refused.value.problems[0].location == "last"


# ---------------------------------------------------------------- purge


def test_a_campaign_is_kept_a_year_after_its_last_activity_then_purged(container, context):
    campaign_id = approved(context)
    build_audience(context, campaign_id=campaign_id, asker=ANALYST)
    before = counts(container)

    container.clock.pin(NOW + timedelta(days=365))
    with pytest.raises(RetentionFloorError, match=r"64\.2009"):
        purge_campaign(context, campaign_id=campaign_id, asker=SUPERVISOR)
    container.clock.pin(KEPT_UNTIL)  # a year after the approved run's last day, 31 January 2027
    with pytest.raises(RetentionFloorError, match="may be purged after 2028-02-01T12:00:00"):
        purge_campaign(context, campaign_id=campaign_id, asker=SUPERVISOR)
    assert counts(container) == before

    container.clock.pin(KEPT_UNTIL + timedelta(seconds=1))
    removed = purge_campaign(context, campaign_id=campaign_id, asker=SUPERVISOR)

    assert removed == 1 + 3 + 1 + 1, "the campaign, its three steps, its audience and its version"
    with pytest.raises(NotFoundError):
        campaign(uow_factory=container.unit_of_work, campaign_id=campaign_id)
    assert logged_outcomes(container)[-1] == (str(AuditEvent.CAMPAIGN_RECORDED), "purged")


KEPT_UNTIL = datetime(2028, 2, 1, 12, 0, tzinfo=UTC)


def test_a_campaign_never_approved_is_kept_a_year_after_its_last_step_whatever_its_run(container, context):
    created = create_campaign(context, draft=DRAFT, asker=ANALYST)
    container.clock.pin(NOW + timedelta(days=366))

    assert purge_campaign(context, campaign_id=created.id, asker=SUPERVISOR) == 1 + 1 + 1


def test_an_analyst_may_not_purge_the_register(container, context):
    campaign_id = approved(context)
    container.clock.pin(NOW + timedelta(days=800))
    with pytest.raises(CampaignRoleError):
        purge_campaign(context, campaign_id=campaign_id, asker=ANALYST)
