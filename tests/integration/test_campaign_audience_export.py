"""Audiences of approved campaigns, their access-log entries, CSV export and the disclosure log.

47 CFR 64.2005(a), 64.2007(b), 64.2008(d), 64.2009(c), (d). Consent is recorded through the
consent service, so the audience reads the projection the ledger keeps. Real SQLite, and
PostgreSQL with CPNIGUARD_TEST_DATABASE_URL; each test's writes are rolled back.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests.campaign_world import Customers, consent_world, decision

from cpniguard.adapters.db.tables import (
    AccessLogRecord,
    CampaignAudienceMember,
    CampaignAudienceRecord,
    ThirdPartyDisclosureRecord,
)
from cpniguard.bootstrap import Container
from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.audit import AuditEvent, decode_entry
from cpniguard.domain.campaigns import (
    ApprovalNeed,
    AudienceCriteria,
    CampaignChannel,
    CampaignDraft,
    CampaignSponsor,
    ExclusionReason,
    Offer,
    OfferCategory,
    ReviewAction,
)
from cpniguard.domain.consent_events import ConsentEventKind, ConsentScope
from cpniguard.domain.disclosure_request import ActorKind, Approval, RecipientClass
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.services import campaign_audiences as campaign_audiences_module
from cpniguard.services.audit import verify_access_log
from cpniguard.services.campaign_audiences import (
    AudienceExport,
    audience_members,
    build_audience,
    campaign_audience,
    campaign_audiences,
    export_audience_csv,
)
from cpniguard.services.campaign_register import disclosure_log
from cpniguard.services.campaigns import (
    CampaignContext,
    CampaignRoleError,
    create_campaign,
    edit_campaign,
    review_campaign,
    submit_campaign,
)
from cpniguard.services.consent import ConsentContext, record_consent
from cpniguard.services.disclosure import Asker

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
ANALYST = Asker(kind=ActorKind.EMPLOYEE, role=Role.MARKETING_ANALYST, label="ana.analyst")
SUPERVISOR = Asker(kind=ActorKind.EMPLOYEE, role=Role.SUPERVISOR, label="sam.supervisor")
STAFF = Asker(kind=ActorKind.EMPLOYEE, role=Role.COMPLIANCE_OFFICER, label="compliance")
PARTNER = "Acme Alarm"
LOCAL_CUSTOMERS = AudienceCriteria(subscribes_to_any=frozenset({ServiceCategory.LOCAL}))
WIRELESS_OFFER = CampaignDraft(
    name="Wireless for landline customers",
    description="Offer our wireless plan to customers who take local service",
    sponsor=CampaignSponsor.CARRIER,
    channel=CampaignChannel.EMAIL,
    offers=(Offer("Unlimited wireless", OfferCategory.WIRELESS),),
    cpni_fields=("services.category",),
    criteria=LOCAL_CUSTOMERS,
    starts_on=date(2026, 12, 1),
    ends_on=date(2027, 1, 31),
)
ALARM_OFFER = replace(
    WIRELESS_OFFER,
    name="Home alarms from our partner",
    sponsor=CampaignSponsor.THIRD_PARTY,
    sponsor_name=PARTNER,
    offers=(Offer("Home alarm", OfferCategory.NON_COMMUNICATIONS),),
)


@pytest.fixture
def context(container: Container) -> CampaignContext:
    container.clock.pin(NOW)
    known = {f"{f.table}.{f.field}": f.data_class for f in container.classification.fields()}
    return CampaignContext(container.unit_of_work, container.clock, known)


@pytest.fixture
def customers(container: Container, context: CampaignContext) -> Customers:
    return consent_world(container, now=NOW, partner=PARTNER, asker=STAFF)


def approved(context: CampaignContext, draft: CampaignDraft = WIRELESS_OFFER) -> int:
    created = create_campaign(context, draft=draft, asker=ANALYST)
    submit_campaign(context, campaign_id=created.id, asker=ANALYST)
    review_campaign(
        context, campaign_id=created.id, action=ReviewAction.APPROVED, note="ok", asker=SUPERVISOR
    )
    return created.id


def members_of(container: Container, audience_id: int) -> dict[str, tuple[ApprovalNeed, Approval | None]]:
    found = audience_members(uow_factory=container.unit_of_work, audience_id=audience_id, limit=10_000)
    return {m.account_number: (m.need, m.approval) for m in found}


def count(container: Container, table: type) -> int:
    with container.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(table)) or 0)


def selections(container: Container) -> list[tuple[int | None, str, str, tuple[str, ...]]]:
    with container.unit_of_work() as uow:
        payloads = uow.session.scalars(
            select(AccessLogRecord.payload)
            .where(AccessLogRecord.event == str(AuditEvent.CAMPAIGN_SELECTED))
            .order_by(AccessLogRecord.sequence)
        )
        entries = [decode_entry(payload)[1] for payload in payloads]
    return [(e.account_id, e.purpose, e.recipient, tuple(r.citation for r in e.reasons)) for e in entries]


def exported_with_progress(
    context: CampaignContext, audience_id: int
) -> tuple[AudienceExport, io.StringIO, list[tuple[int, int]]]:
    """Export the audience; what the export said, the CSV written, and the progress reported."""
    out, reported = io.StringIO(), []
    done = export_audience_csv(
        context,
        audience_id=audience_id,
        out=out,
        asker=ANALYST,
        progress=lambda d, t: reported.append((d, t)),
    )
    return done, out, reported


def key_of(container: Container, number: str) -> int | None:
    with container.unit_of_work() as uow:
        return uow.accounts.key_of(number)


# ---------------------------------------------------------------- building


def test_the_carriers_audience_holds_exactly_the_customers_whose_approval_allows_it(
    container, context, customers
):
    audience = build_audience(context, campaign_id=approved(context), asker=ANALYST)

    assert members_of(container, audience.id) == {
        customers.deemed: (ApprovalNeed.OPT_OUT, Approval.OPT_OUT_DEEMED),
        customers.opted_in: (ApprovalNeed.OPT_OUT, Approval.OPT_IN),
        customers.bundle: (ApprovalNeed.TOTAL_SERVICE, None),
    }
    assert audience.selected == 3
    assert audience.excluded[ExclusionReason.OPTED_OUT] == 1
    assert audience.excluded[ExclusionReason.NO_APPROVAL] == 3, "waiting, lapsed, partner-only opt-in"


def test_a_third_partys_audience_takes_only_customers_who_opted_in_to_it(container, context, customers):
    audience = build_audience(context, campaign_id=approved(context, ALARM_OFFER), asker=ANALYST)

    assert members_of(container, audience.id) == {
        customers.partner_opt_in: (ApprovalNeed.OPT_IN, Approval.OPT_IN)
    }
    assert sum(audience.excluded.values()) == 6, "every other local-service customer, for some reason"


def test_each_member_gets_exactly_one_selection_entry_and_the_chain_still_verifies(
    container, context, customers
):
    audience = build_audience(context, campaign_id=approved(context), asker=ANALYST)

    logged = selections(container)
    member_keys = {key_of(container, number) for number in members_of(container, audience.id)}
    assert sorted(account for account, *_ in logged) == sorted(member_keys)
    assert {(purpose, recipient) for _, purpose, recipient, _ in logged} == {("marketing", "carrier")}
    citations = {key: cited for key, _, _, cited in logged}
    assert "64.2005(a)" in citations[key_of(container, customers.bundle)][0]
    assert "64.2008(d)(1)" in citations[key_of(container, customers.deemed)][0]
    report = verify_access_log(chain=container.access_log_chain(), keys=container.access_log_keys())
    assert report.is_intact, report.fault


def test_members_are_logged_and_exported_page_by_page_none_twice_none_missed(
    container, context, customers, monkeypatch
):
    monkeypatch.setattr(campaign_audiences_module, "LOG_BATCH_MEMBERS", 2)
    monkeypatch.setattr(campaign_audiences_module, "EXPORT_PAGE_MEMBERS", 2)
    audience = build_audience(context, campaign_id=approved(context), asker=ANALYST)
    done, out, reported = exported_with_progress(context, audience.id)

    member_keys = sorted(key_of(container, number) or 0 for number in members_of(container, audience.id))
    assert sorted(account or 0 for account, *_ in selections(container)) == member_keys
    assert done.written == 3
    assert len(out.getvalue().splitlines()) == 1 + 3
    assert reported == [(2, 3), (3, 3)]


def test_an_audience_built_as_of_an_earlier_instant_reads_the_consent_of_that_instant(
    container, context, customers
):
    campaign_id = approved(context)

    earlier = build_audience(context, campaign_id=campaign_id, asker=ANALYST, as_of=NOW - timedelta(days=40))

    assert earlier.as_of == NOW - timedelta(days=40)
    assert set(members_of(container, earlier.id)) == {customers.bundle}, (
        "before the waiting period and opt-in"
    )


@pytest.mark.parametrize(
    "as_of", [NOW + timedelta(seconds=1), NOW.replace(tzinfo=None)], ids=["future", "without offset"]
)
def test_an_audience_as_of_the_future_or_of_no_instant_is_refused(container, context, customers, as_of):
    campaign_id = approved(context)
    with pytest.raises(InvalidInputError) as refused:
        build_audience(context, campaign_id=campaign_id, asker=ANALYST, as_of=as_of)
    assert [p.location for p in refused.value.problems] == ["as_of"]
    assert count(container, CampaignAudienceRecord) == 0


def test_a_campaigns_audiences_are_read_back_as_built(container, context, customers):
    campaign_id = approved(context)
    first = build_audience(context, campaign_id=campaign_id, asker=ANALYST, as_of=NOW - timedelta(days=40))
    second = build_audience(context, campaign_id=campaign_id, asker=ANALYST)
    uow_factory = container.unit_of_work

    assert campaign_audiences(uow_factory=uow_factory, campaign_id=campaign_id) == [first, second]
    assert campaign_audience(uow_factory=uow_factory, audience_id=second.id) == second
    page = audience_members(uow_factory=uow_factory, audience_id=second.id, limit=2)
    rest = audience_members(
        uow_factory=uow_factory, audience_id=second.id, after_account_id=page[-1].account_id
    )
    assert len(page) == 2
    assert len(rest) == 1
    with pytest.raises(InvalidInputError):
        audience_members(uow_factory=uow_factory, audience_id=second.id, limit=0)
    with pytest.raises(NotFoundError):
        campaign_audience(uow_factory=uow_factory, audience_id=second.id + 100)
    with pytest.raises(NotFoundError):
        campaign_audiences(uow_factory=uow_factory, campaign_id=campaign_id + 100)


def test_no_audience_is_built_for_a_campaign_not_approved_and_nothing_is_written(
    container, context, customers
):
    created = create_campaign(context, draft=WIRELESS_OFFER, asker=ANALYST)
    submit_campaign(context, campaign_id=created.id, asker=ANALYST)
    log_before = count(container, AccessLogRecord)

    with pytest.raises(InvalidInputError) as refused:
        build_audience(context, campaign_id=created.id, asker=ANALYST)

    assert [p.location for p in refused.value.problems] == ["campaign_id"]
    assert "64.2009(d)" in refused.value.problems[0].message
    assert count(container, CampaignAudienceRecord) == 0
    assert count(container, CampaignAudienceMember) == 0
    assert count(container, AccessLogRecord) == log_before


def test_a_representative_may_not_build_an_audience(container, context, customers):
    campaign_id = approved(context)
    representative = Asker(kind=ActorKind.EMPLOYEE, role=Role.REPRESENTATIVE, label="rita.rep")
    with pytest.raises(CampaignRoleError):
        build_audience(context, campaign_id=campaign_id, asker=representative)


# ---------------------------------------------------------------- export


def test_the_export_writes_every_member_with_progress_and_a_carrier_campaign_discloses_nothing(
    container, context, customers
):
    audience = build_audience(context, campaign_id=approved(context), asker=ANALYST)
    done, out, reported = exported_with_progress(context, audience.id)

    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert done == AudienceExport(written=3, withheld=0)
    assert rows[0] == ["account_number", "need", "approval"]
    assert sorted(rows[1:]) == sorted(
        [
            [customers.deemed, "opt_out_or_opt_in", "opt_out_deemed"],
            [customers.opted_in, "opt_out_or_opt_in", "opt_in"],
            [customers.bundle, "total_service_approach", ""],
        ]
    )
    assert reported[-1] == (3, 3)
    assert count(container, ThirdPartyDisclosureRecord) == 0


def test_exporting_a_third_partys_audience_enters_it_in_the_disclosure_log(container, context, customers):
    campaign_id = approved(context, ALARM_OFFER)
    audience = build_audience(context, campaign_id=campaign_id, asker=ANALYST)
    container.clock.advance(timedelta(minutes=5))

    export_audience_csv(context, audience_id=audience.id, out=io.StringIO(), asker=ANALYST)

    [disclosed] = disclosure_log(uow_factory=container.unit_of_work, first=NOW, last=NOW + timedelta(hours=1))
    assert (disclosed.campaign_id, disclosed.audience_id, disclosed.customers) == (
        campaign_id,
        audience.id,
        1,
    )
    assert (disclosed.recipient, disclosed.recipient_class) == (PARTNER, RecipientClass.THIRD_PARTY)
    assert (disclosed.disclosed_by, disclosed.disclosed_at) == ("ana.analyst", NOW + timedelta(minutes=5))
    assert disclosed.cpni_fields == ("services.category",)


@pytest.mark.parametrize("page", [1, 2, 5000])
def test_members_whose_approval_was_revoked_since_the_build_are_withheld_from_the_export(
    container, context, customers, monkeypatch, page
):
    monkeypatch.setattr(campaign_audiences_module, "EXPORT_PAGE_MEMBERS", page)
    audience = build_audience(context, campaign_id=approved(context), asker=ANALYST)
    container.clock.advance(timedelta(hours=1))
    for number in (customers.deemed, customers.opted_in):
        opt_out = decision(ConsentEventKind.OPTED_OUT, NOW + timedelta(minutes=30))
        record_consent(consent_context(container), account_number=number, event=opt_out, asker=STAFF)
    done, out, reported = exported_with_progress(context, audience.id)

    assert done == AudienceExport(written=1, withheld=2)
    assert list(csv.reader(io.StringIO(out.getvalue())))[1:] == [
        [customers.bundle, "total_service_approach", ""]
    ]
    assert reported[-1] == (3, 3)  # every member was read and checked
    assert len(members_of(container, audience.id)) == 3  # the audience itself is the build's record
    assert "audience_exported audience" in exported_explanations(container)[-1]
    assert exported_explanations(container)[-1].endswith("1 written, 2 withheld")


def test_a_third_party_gets_no_customer_who_withdrew_their_opt_in_and_the_log_counts_none(
    container, context, customers
):
    audience = build_audience(context, campaign_id=approved(context, ALARM_OFFER), asker=ANALYST)
    container.clock.advance(timedelta(hours=1))
    revoked = decision(
        ConsentEventKind.REVOKED,
        NOW + timedelta(minutes=30),
        ConsentScope(RecipientClass.THIRD_PARTY, PARTNER),
    )
    record_consent(
        consent_context(container), account_number=customers.partner_opt_in, event=revoked, asker=STAFF
    )
    out = io.StringIO()

    done = export_audience_csv(context, audience_id=audience.id, out=out, asker=ANALYST)

    assert (audience.selected, done) == (1, AudienceExport(written=0, withheld=1))
    assert out.getvalue() == "account_number,need,approval\n"
    [disclosed] = disclosure_log(uow_factory=container.unit_of_work, first=NOW, last=NOW + timedelta(hours=2))
    assert disclosed.customers == 0


def consent_context(container: Container) -> ConsentContext:
    return ConsentContext(container.unit_of_work, container.clock, container.renderer)


def exported_explanations(container: Container) -> list[str]:
    with container.unit_of_work() as uow:
        payloads = uow.session.scalars(
            select(AccessLogRecord.payload)
            .where(AccessLogRecord.event == str(AuditEvent.CAMPAIGN_RECORDED))
            .order_by(AccessLogRecord.sequence)
        )
        entries = [decode_entry(payload)[1] for payload in payloads]
    return [r.explanation for e in entries for r in e.reasons if r.rule_id == "campaign.audience_exported"]


class BrokenPipe(io.StringIO):
    """An output that fails once the header is written, like a full disk."""

    def write(self, text: str) -> int:
        if self.tell() > 0:
            raise OSError("no space left on device")
        return super().write(text)


def test_an_export_that_fails_while_writing_records_no_disclosure(container, context, customers):
    audience = build_audience(context, campaign_id=approved(context, ALARM_OFFER), asker=ANALYST)
    log_before = count(container, AccessLogRecord)

    with pytest.raises(OSError, match="no space"):
        export_audience_csv(context, audience_id=audience.id, out=BrokenPipe(), asker=ANALYST)

    assert count(container, ThirdPartyDisclosureRecord) == 0
    assert count(container, AccessLogRecord) == log_before


def test_an_audience_cannot_be_exported_once_its_campaign_changed_even_after_reapproval(
    container, context, customers
):
    campaign_id = approved(context, ALARM_OFFER)
    audience = build_audience(context, campaign_id=campaign_id, asker=ANALYST)
    edit_campaign(context, campaign_id=campaign_id, draft=replace(ALARM_OFFER, name="Changed"), asker=ANALYST)

    with pytest.raises(InvalidInputError) as in_review:
        export_audience_csv(context, audience_id=audience.id, out=io.StringIO(), asker=ANALYST)
    review_campaign(
        context, campaign_id=campaign_id, action=ReviewAction.APPROVED, note="ok", asker=SUPERVISOR
    )
    with pytest.raises(InvalidInputError) as old_version:
        export_audience_csv(context, audience_id=audience.id, out=io.StringIO(), asker=ANALYST)

    assert [p.location for p in in_review.value.problems] == ["campaign_id"]
    assert [p.location for p in old_version.value.problems] == ["audience_id"]
    assert "version 1" in old_version.value.problems[0].message
    assert count(container, ThirdPartyDisclosureRecord) == 0
