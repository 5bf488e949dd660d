"""The campaign register, the third-party disclosure log, and their purge (47 CFR 64.2009(c), (d)).

64.2009(c): the carrier keeps a record of its own and its affiliates' sales and marketing
campaigns that use CPNI (description, the specific CPNI used, the products and services
offered) and of every disclosure of CPNI to a third party; 64.2009(d): the supervisory review
of outbound marketing is recorded. All are kept at least one year after the later of the
campaign's last activity and the last day of its approved run; a purge inside that floor is
refused and deletes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from cpniguard.domain.business_days import eastern_date
from cpniguard.domain.campaign_records import (
    approved_runs,
    campaign_purge_problem,
    ran_between,
    runs_in_force,
)
from cpniguard.domain.campaign_review import can_review_campaigns
from cpniguard.domain.campaigns import (
    Audience,
    Campaign,
    CampaignChannel,
    CampaignSponsor,
    CampaignStatus,
    CampaignVersion,
    Offer,
    ReviewAction,
    ReviewStep,
    ThirdPartyDisclosure,
)
from cpniguard.domain.consent_retention import RetentionFloorError
from cpniguard.domain.errors import InvalidInputError, period_problems
from cpniguard.services.campaigns import (
    CampaignContext,
    campaign_log_entry,
    locked_campaign,
    require_role,
)
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class ApprovedVersion:
    """A version of the campaign an approval covered, as it was saved (64.2009(c), (d)).

    What that version described, used and offered, whatever later edits changed.
    """

    version: int
    name: str
    description: str
    sponsor: CampaignSponsor
    sponsor_name: str
    """Who that version's CPNI went to or was used for, whatever later edits changed."""
    channel: CampaignChannel
    offers: tuple[Offer, ...]
    cpni_fields: tuple[str, ...]
    starts_on: date
    ends_on: date
    saved_at: datetime
    saved_by: str

    @classmethod
    def of(cls, saved: CampaignVersion) -> ApprovedVersion:
        """The register's view of `saved`."""
        draft = saved.draft
        return cls(
            saved.version,
            draft.name,
            draft.description,
            draft.sponsor,
            draft.sponsor_name,
            draft.channel,
            draft.offers,
            draft.cpni_fields,
            draft.starts_on,
            draft.ends_on,
            saved.saved_at,
            saved.saved_by,
        )


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """One campaign as the 64.2009(c) register reports it, with its approvals (64.2009(d))."""

    campaign_id: int
    name: str
    description: str
    sponsor: CampaignSponsor
    sponsor_name: str
    channel: CampaignChannel
    offers: tuple[Offer, ...]
    """The products and services offered, each with its category of service."""
    cpni_fields: tuple[str, ...]
    """The specific CPNI the campaign uses, as `table.column`."""
    status: CampaignStatus
    version: int
    author: str
    approvals: tuple[ReviewStep, ...]
    """Every approval on record, with who gave it, when, and for which version."""
    approved_versions: tuple[ApprovedVersion, ...]
    """Each version an approval covered, as saved, oldest first: the CPNI it used, its offers."""
    audiences: tuple[Audience, ...]


def campaign_register(
    *, uow_factory: UnitOfWorkFactory, first: datetime, last: datetime
) -> list[RegisterEntry]:
    """The campaigns active from `first` to `last`, as the 64.2009(c) register lists them.

    Active: reviewed, built or disclosed in the period, or running in it under an approved
    version, from its approval to the next edit (its days compared with the period's Eastern
    dates, as the FCC counts). Each with its description, sponsor, offers and their categories,
    the CPNI it uses, its review status, every approval (who, when, which version: 64.2009(d))
    and each approved version as it was saved, so that what an approved version used and
    offered shows after later edits.
    """
    _check_period(first, last, "the campaign register cannot be read")
    days = eastern_date(first), eastern_date(last)
    with uow_factory() as uow:
        store = uow.campaigns
        read: dict[int, tuple[list[ReviewStep], list[CampaignVersion]]] = {}

        def history(campaign_id: int) -> tuple[list[ReviewStep], list[CampaignVersion]]:
            """The campaign's steps and versions, read once however often they are asked for."""
            if campaign_id not in read:
                read[campaign_id] = store.review_steps(campaign_id), store.versions(campaign_id)
            return read[campaign_id]

        active = {campaign.id: campaign for campaign in store.active_between(first, last)}
        for campaign in store.with_approvals():
            if campaign.id not in active and ran_between(runs_in_force(*history(campaign.id)), *days):
                active[campaign.id] = campaign
        return [
            _entry(campaign, *history(campaign_id), store.audiences(campaign_id))
            for campaign_id, campaign in sorted(active.items())
        ]


def _entry(
    campaign: Campaign, steps: list[ReviewStep], versions: list[CampaignVersion], audiences: list[Audience]
) -> RegisterEntry:
    draft = campaign.draft
    approvals = tuple(step for step in steps if step.action is ReviewAction.APPROVED)
    approved = {step.version for step in approvals}
    return RegisterEntry(
        campaign_id=campaign.id,
        name=draft.name,
        description=draft.description,
        sponsor=draft.sponsor,
        sponsor_name=draft.sponsor_name,
        channel=draft.channel,
        offers=draft.offers,
        cpni_fields=draft.cpni_fields,
        status=campaign.status,
        version=campaign.version,
        author=campaign.author,
        approvals=approvals,
        approved_versions=tuple(ApprovedVersion.of(v) for v in versions if v.version in approved),
        audiences=tuple(audiences),
    )


def disclosure_log(
    *, uow_factory: UnitOfWorkFactory, first: datetime, last: datetime
) -> list[ThirdPartyDisclosure]:
    """Disclosures of CPNI to third parties from `first` to `last`, oldest first (64.2009(c))."""
    _check_period(first, last, "the third-party disclosure log cannot be read")
    with uow_factory() as uow:
        return uow.campaigns.disclosures(first, last)


def _check_period(first: datetime, last: datetime, message: str) -> None:
    if problems := period_problems(first, last):
        raise InvalidInputError(message, tuple(problems))


def purge_campaign(context: CampaignContext, *, campaign_id: int, asker: Asker) -> int:
    """Delete a campaign's record with its steps, audiences and disclosures; how many rows went.

    64.2009(c), (d): refused with RetentionFloorError, nothing deleted, inside 1 year of the
    later of the campaign's last activity (a step, an audience or a disclosure) and the last day
    of the latest run an approval covered.
    """
    require_role(can_review_campaigns, asker, "purge campaign records")
    now = context.clock.now()
    with context.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        campaign = locked_campaign(uow, campaign_id)
        store = uow.campaigns
        run_ended_on = _last_approved_run_day(store.review_steps(campaign_id), store.versions(campaign_id))
        problem = campaign_purge_problem(store.last_activity(campaign_id), now, run_ended_on)
        if problem is not None:
            raise RetentionFloorError(problem)
        removed = uow.campaigns.purge(campaign_id)
        uow.access_log.append([campaign_log_entry(campaign, "purged", now, asker)])
        uow.commit()
    return removed


def _last_approved_run_day(steps: list[ReviewStep], versions: list[CampaignVersion]) -> date | None:
    """The last day of the latest-ending run among the approved versions; None when none was approved."""
    return max((ends_on for _, ends_on in approved_runs(steps, versions)), default=None)
