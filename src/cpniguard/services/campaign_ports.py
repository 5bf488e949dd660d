"""The port of the campaign register and its audiences (issue 7; 47 CFR 64.2009(c), (d)).

Kept apart from ports.py, which holds the rest of the unit of work, so each stays readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cpniguard.domain.campaigns import (
    Audience,
    AudienceMember,
    AudiencePlan,
    Campaign,
    CampaignDraft,
    CampaignStatus,
    CampaignVersion,
    ExclusionReason,
    ReviewStep,
    ThirdPartyDisclosure,
)


@dataclass(frozen=True, slots=True)
class AudienceBuild:
    """What building an audience stored: its id, how many were selected, and who was left out why."""

    audience_id: int
    selected: int
    excluded: Mapping[ExclusionReason, int]


class CampaignStore(Protocol):
    """Campaigns, review steps, audiences and third-party disclosures; joins the caller's transaction."""

    def add(self, draft: CampaignDraft, *, author: str, at: datetime) -> int:
        """Store a new campaign as a draft at version 1; its id."""
        ...

    def get(self, campaign_id: int) -> Campaign | None:
        """The campaign with this id."""
        ...

    def lock(self, campaign_id: int) -> Campaign | None:
        """The campaign, its writes serialized until the transaction ends; call it first."""
        ...

    def update(self, edited: Campaign, *, by: str) -> None:
        """Make `edited` the campaign's current draft, status and version, keeping the versions before it."""
        ...

    def versions(self, campaign_id: int) -> list[CampaignVersion]:
        """Every version of the campaign's draft as saved, oldest first (64.2009(c))."""
        ...

    def set_status(self, campaign_id: int, status: CampaignStatus, *, at: datetime) -> None:
        """Move the campaign to `status` (the caller has checked the step)."""
        ...

    def listing(
        self, *, status: CampaignStatus | None = None, after_id: int = 0, limit: int = 100
    ) -> list[Campaign]:
        """Campaigns in id order after `after_id`, of one status or all."""
        ...

    def add_review_step(self, step: ReviewStep) -> int:
        """Append a step to the campaign's record (append-only); its id."""
        ...

    def review_steps(self, campaign_id: int) -> list[ReviewStep]:
        """The campaign's steps in the order they were recorded."""
        ...

    def active_between(self, first: datetime, last: datetime) -> list[Campaign]:
        """Campaigns with a step, an audience or a disclosure between `first` and `last` inclusive."""
        ...

    def with_approvals(self) -> list[Campaign]:
        """Campaigns any version of which was approved, in id order (they may have run)."""
        ...

    def build_audience(
        self, campaign: Campaign, plan: AudiencePlan, *, built_at: datetime, built_by: str
    ) -> AudienceBuild:
        """Select the audience `plan` describes in one set-based statement and store its members."""
        ...

    def audience(self, audience_id: int) -> Audience | None:
        """The audience with this id."""
        ...

    def audiences(self, campaign_id: int) -> list[Audience]:
        """The campaign's audiences, oldest first."""
        ...

    def audience_members(
        self, audience_id: int, *, after_account_id: int = 0, limit: int = 1000
    ) -> list[AudienceMember]:
        """The audience's members in account-key order after `after_account_id`."""
        ...

    def still_selected(self, plan: AudiencePlan, *, first_account_id: int, last_account_id: int) -> set[int]:
        """The account keys from `first_account_id` to `last_account_id` (both included) `plan` selects."""
        ...

    def record_disclosure(self, disclosure: ThirdPartyDisclosure) -> int:
        """Append a third-party disclosure to the 64.2009(c) log; its id."""
        ...

    def disclosures(self, first: datetime, last: datetime) -> list[ThirdPartyDisclosure]:
        """Third-party disclosures between `first` and `last` inclusive, oldest first."""
        ...

    def last_activity(self, campaign_id: int) -> datetime | None:
        """The latest of the campaign's steps, audiences and disclosures: its retention runs from there."""
        ...

    def purge(self, campaign_id: int) -> int:
        """Delete the campaign with its steps, audiences, members and disclosures; rows deleted."""
        ...
