"""A campaign for the demo carrier, drafted, reviewed and run through the real services (issue 7).

A marketing analyst offers wireless service to residential customers who take local service;
a supervisor who did not write it approves it (64.2009(d)); its audience is built as of now,
so the demo shows who the total service approach and opt-out approval let in, and who was left
out and why.
"""

from __future__ import annotations

from datetime import timedelta

from cpniguard.domain.accounts import AccountKind, ServiceCategory
from cpniguard.domain.campaigns import (
    AudienceCriteria,
    CampaignChannel,
    CampaignDraft,
    CampaignSponsor,
    Offer,
    OfferCategory,
    ReviewAction,
)
from cpniguard.domain.disclosure_request import ActorKind
from cpniguard.domain.employees import Role
from cpniguard.services.campaign_audiences import build_audience
from cpniguard.services.campaigns import CampaignContext, create_campaign, review_campaign, submit_campaign
from cpniguard.services.disclosure import Asker

ANALYST = Asker(kind=ActorKind.EMPLOYEE, role=Role.MARKETING_ANALYST, label="demo marketing analyst")
SUPERVISOR = Asker(kind=ActorKind.EMPLOYEE, role=Role.SUPERVISOR, label="demo revenue director")


def seed_demo_campaign(context: CampaignContext) -> int:
    """Draft, submit, approve and build the demo campaign's audience; returns the audience's size."""
    today = context.clock.now().date()
    draft = CampaignDraft(
        name="Wireless for landline customers",
        description="Offer our unlimited wireless plan by email to residential customers with local service.",
        sponsor=CampaignSponsor.CARRIER,
        channel=CampaignChannel.EMAIL,
        offers=(Offer("Unlimited wireless", OfferCategory.WIRELESS),),
        cpni_fields=("services.category",),
        criteria=AudienceCriteria(
            account_kinds=frozenset({AccountKind.RESIDENTIAL}),
            subscribes_to_any=frozenset({ServiceCategory.LOCAL}),
        ),
        starts_on=today,
        ends_on=today + timedelta(days=60),
    )
    campaign = create_campaign(context, draft=draft, asker=ANALYST)
    submit_campaign(context, campaign_id=campaign.id, asker=ANALYST)
    review_campaign(
        context,
        campaign_id=campaign.id,
        action=ReviewAction.APPROVED,
        note="offer within the notice; opt-out customers past their waiting period only",
        asker=SUPERVISOR,
    )
    return build_audience(context, campaign_id=campaign.id, asker=ANALYST).selected
