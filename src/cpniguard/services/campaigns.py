"""Drafting marketing campaigns and their supervisory review (47 CFR 64.2009(c), (d); issue 7).

A campaign is drafted at version 1 and every step of its record (created, edited, submitted,
approved, returned, rejected) is appended with who, their role, when, the version and a note,
with an access-log entry, in one transaction. An edit bumps the version; an approved campaign
that is edited goes back to review, so an approval always covers exactly one version. The
author never approves their own campaign. Bad input, a step the review does not allow, or a
role that may not take it is refused before anything is written, the access log included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from cpniguard.domain.audit import AccessLogEntry, AuditEvent, LoggedReason
from cpniguard.domain.campaign_review import (
    REVIEW_DECISIONS,
    campaign_writers,
    can_draft_campaigns,
    can_review_campaigns,
    review_problems,
    status_after,
)
from cpniguard.domain.campaign_rules import campaign_problems
from cpniguard.domain.campaigns import (
    Campaign,
    CampaignDraft,
    CampaignStatus,
    ReviewAction,
    ReviewStep,
)
from cpniguard.domain.classification import DataClass
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError, NotPermittedError
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from cpniguard.services.record_keeping import record_step_entry

MAX_LISTING = 1000
REGISTER_CITATION = "47 CFR 64.2009(c)"
REVIEW_CITATION = "47 CFR 64.2009(d)"
REVIEW_STEPS = frozenset({ReviewAction.SUBMITTED, *REVIEW_DECISIONS})
"""Steps of the supervisory review (64.2009(d)); every other step keeps the register (64.2009(c))."""


class CampaignRoleError(NotPermittedError):
    """The asker's role may not take this step on campaigns; entry points answer 403."""


@dataclass(frozen=True, slots=True)
class CampaignContext:
    """What keeping the campaign register needs: the store, the time, and the classified fields."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    known_fields: Mapping[str, DataClass]
    """Every stored field as `table.column`, with its data class (the classification)."""


def create_campaign(context: CampaignContext, *, draft: CampaignDraft, asker: Asker) -> Campaign:
    """Enter a campaign in the register as a draft at version 1 (64.2009(c): the campaign is recorded).

    Refused, writing nothing, when the draft names an unknown or protected field (222(b)), an
    offer without a category, or when the asker may not draft campaigns.
    """
    require_role(can_draft_campaigns, asker, "draft campaigns")
    _check_draft(context, draft, "the campaign cannot be created")
    now = context.clock.now()
    with context.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        campaign_id = uow.campaigns.add(draft, author=asker.label, at=now)
        campaign = Campaign(campaign_id, draft, CampaignStatus.DRAFT, 1, asker.label, now, now)
        _record_step(uow, campaign, ReviewAction.CREATED, asker, "")
        uow.commit()
    return campaign


def edit_campaign(
    context: CampaignContext, *, campaign_id: int, draft: CampaignDraft, asker: Asker, note: str = ""
) -> Campaign:
    """Replace the campaign's draft as a new version; an approved campaign goes back to review (64.2009(d)).

    The approval covered the old version only: audiences built for it can no longer be exported.
    """
    require_role(can_draft_campaigns, asker, "edit campaigns")
    _check_draft(context, draft, "the campaign cannot be edited")
    now = context.clock.now()
    with context.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        campaign = locked_campaign(uow, campaign_id)
        _check_step(uow, campaign, ReviewAction.EDITED, asker, note)
        status = status_after(campaign.status, ReviewAction.EDITED)
        edited = Campaign(
            campaign.id, draft, status, campaign.version + 1, campaign.author, campaign.created_at, now
        )
        uow.campaigns.update(edited, by=asker.label)
        _record_step(uow, edited, ReviewAction.EDITED, asker, note)
        uow.commit()
    return edited


def submit_campaign(context: CampaignContext, *, campaign_id: int, asker: Asker, note: str = "") -> Campaign:
    """Send the campaign's current version to a supervisor for review (64.2009(d))."""
    require_role(can_draft_campaigns, asker, "submit campaigns")
    return _take_step(context, campaign_id, ReviewAction.SUBMITTED, asker, note)


def review_campaign(
    context: CampaignContext, *, campaign_id: int, action: ReviewAction, note: str, asker: Asker
) -> Campaign:
    """Approve, return or reject a submitted campaign: the supervisory review of 64.2009(d).

    A supervisor never reviews a campaign they wrote; the step is recorded with who, their
    role, when, the version it covers and the note.
    """
    require_role(can_review_campaigns, asker, "review campaigns")
    if action not in REVIEW_DECISIONS:
        choices = ", ".join(sorted(REVIEW_DECISIONS))
        problem = FieldProblem("action", f"a review approves, returns or rejects ({choices}), not {action}")
        raise InvalidInputError("the campaign cannot be reviewed", (problem,))
    return _take_step(context, campaign_id, action, asker, note)


def _take_step(
    context: CampaignContext, campaign_id: int, action: ReviewAction, asker: Asker, note: str
) -> Campaign:
    now = context.clock.now()
    with context.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        campaign = locked_campaign(uow, campaign_id)
        _check_step(uow, campaign, action, asker, note)
        status = status_after(campaign.status, action)
        moved = Campaign(
            campaign.id, campaign.draft, status, campaign.version, campaign.author, campaign.created_at, now
        )
        uow.campaigns.set_status(campaign_id, status, at=now)
        _record_step(uow, moved, action, asker, note)
        uow.commit()
    return moved


def campaign(*, uow_factory: UnitOfWorkFactory, campaign_id: int) -> Campaign:
    """The campaign with this id, as the register holds it; NotFoundError when there is none."""
    with uow_factory() as uow:
        found = uow.campaigns.get(campaign_id)
    if found is None:
        raise NotFoundError(f"no campaign {campaign_id}")
    return found


def list_campaigns(
    *,
    uow_factory: UnitOfWorkFactory,
    status: CampaignStatus | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[Campaign]:
    """Campaigns in id order after `after_id`, of one review status or all (64.2009(c))."""
    if not 1 <= limit <= MAX_LISTING:
        problem = FieldProblem("limit", f"must be from 1 to {MAX_LISTING}, not {limit}")
        raise InvalidInputError("the campaigns cannot be listed", (problem,))
    with uow_factory() as uow:
        return uow.campaigns.listing(status=status, after_id=after_id, limit=limit)


def review_history(*, uow_factory: UnitOfWorkFactory, campaign_id: int) -> list[ReviewStep]:
    """Every step of the campaign's record in the order taken: the 64.2009(d) review record."""
    with uow_factory() as uow:
        if uow.campaigns.get(campaign_id) is None:
            raise NotFoundError(f"no campaign {campaign_id}")
        return uow.campaigns.review_steps(campaign_id)


def require_role(allows: Callable[[Role], bool], asker: Asker, action: str) -> None:
    """Refuse with CampaignRoleError unless `asker`'s role `allows` the step (deny by default)."""
    if not allows(asker.role):
        raise CampaignRoleError(f"the role '{asker.role}' may not {action}")


def locked_campaign(uow: UnitOfWork, campaign_id: int) -> Campaign:
    """The campaign, locked for writing until the transaction ends; NotFoundError when unknown."""
    found = uow.campaigns.lock(campaign_id)
    if found is None:
        raise NotFoundError(f"no campaign {campaign_id}")
    return found


def _check_draft(context: CampaignContext, draft: CampaignDraft, message: str) -> None:
    problems = tuple(campaign_problems(draft, known_fields=context.known_fields))
    if problems:
        raise InvalidInputError(message, problems)


def _check_step(uow: UnitOfWork, campaign: Campaign, action: ReviewAction, asker: Asker, note: str) -> None:
    """Refuse a step the review does not allow; whoever wrote or changed the campaign never reviews it."""
    writers = campaign_writers(uow.campaigns.review_steps(campaign.id))
    problems = tuple(
        review_problems(campaign, action, actor=asker.label, role=asker.role, note=note, writers=writers)
    )
    if problems:
        raise InvalidInputError(f"the campaign cannot be {action}", problems)


def _record_step(uow: UnitOfWork, campaign: Campaign, action: ReviewAction, asker: Asker, note: str) -> None:
    """Append the step, taken at the campaign's `updated_at`, and its access-log entry (64.2009(d))."""
    at = campaign.updated_at
    step = ReviewStep(campaign.id, action, asker.label, str(asker.role), at, campaign.version, note)
    uow.campaigns.add_review_step(step)
    uow.access_log.append([campaign_log_entry(campaign, str(action), at, asker)])


def campaign_log_entry(
    campaign: Campaign, what: str, at: datetime, asker: Asker, detail: str = ""
) -> AccessLogEntry:
    """The access-log entry of a step on the campaign's record (64.2009(c), (d))."""
    explanation = f"campaign {campaign.id} {campaign.draft.name!r} version {campaign.version}: {what}"
    explanation += f" {detail}" if detail else ""
    reason = LoggedReason(f"campaign.{what}", _citation(what), explanation)
    return record_step_entry(
        AuditEvent.CAMPAIGN_RECORDED, record="campaign_record", what=what, reason=reason, at=at, asker=asker
    )


def _citation(what: str) -> str:
    return REVIEW_CITATION if what in REVIEW_STEPS else REGISTER_CITATION
