"""The supervisory review of marketing campaigns, and who may do what with them (47 CFR 64.2009(d)).

64.2009(d): outbound marketing that uses CPNI needs a supervisor's approval, and the review's
records are kept at least one year. A campaign goes draft -> submitted -> approved, returned or
rejected. Its reviewer is a supervisor or compliance officer who neither wrote nor changed it:
approving one's own campaign is no review. Changing an approved campaign sends it back to review;
a rejected campaign is final.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from types import MappingProxyType

from cpniguard.domain.campaigns import Campaign, CampaignStatus, ReviewAction, ReviewStep
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import FieldProblem, InvalidInputError

S = CampaignStatus
A = ReviewAction
MAX_ACTOR_LENGTH = 200
MAX_NOTE_LENGTH = 2000

CAMPAIGN_DRAFTERS = frozenset({Role.MARKETING_ANALYST, Role.SUPERVISOR, Role.COMPLIANCE_OFFICER})
"""Roles that draft, edit and submit campaigns."""
CAMPAIGN_REVIEWERS = frozenset({Role.SUPERVISOR, Role.COMPLIANCE_OFFICER})
"""Roles that approve, return and reject campaigns (64.2009(d): a supervisory review)."""
AUDIENCE_BUILDERS = CAMPAIGN_DRAFTERS
CAMPAIGN_READERS = CAMPAIGN_DRAFTERS | {Role.AUDITOR}
"""64.2009(c): the register is read by those who keep it and by auditors."""

REVIEW_DECISIONS = frozenset({A.APPROVED, A.RETURNED, A.REJECTED})
NOTE_REQUIRED = frozenset({A.RETURNED, A.REJECTED})
"""A campaign sent back or refused says why, so its author can act on it."""
WRITING_ACTIONS = frozenset({A.CREATED, A.EDITED})
REVIEW_STEPS = frozenset(ReviewAction) - {A.CREATED}
"""What review_problems and status_after take; `created` is recorded when a campaign is registered."""

TRANSITIONS: Mapping[tuple[CampaignStatus, ReviewAction], CampaignStatus] = MappingProxyType(
    {
        (S.DRAFT, A.EDITED): S.DRAFT,
        (S.RETURNED, A.EDITED): S.DRAFT,
        (S.SUBMITTED, A.EDITED): S.DRAFT,
        (S.APPROVED, A.EDITED): S.SUBMITTED,
        (S.DRAFT, A.SUBMITTED): S.SUBMITTED,
        (S.RETURNED, A.SUBMITTED): S.SUBMITTED,
        (S.SUBMITTED, A.APPROVED): S.APPROVED,
        (S.SUBMITTED, A.RETURNED): S.RETURNED,
        (S.SUBMITTED, A.REJECTED): S.REJECTED,
    }
)
"""Every step the review allows, and where it leads; anything else is refused.

An edit withdraws a submitted campaign to draft (its author resubmits it when ready) and sends an
approved one back to review: the approval covered the version before the change.
"""


def can_draft_campaigns(role: Role) -> bool:
    """Whether `role` may draft, edit and submit campaigns (64.2009(d))."""
    return role in CAMPAIGN_DRAFTERS


def can_review_campaigns(role: Role) -> bool:
    """Whether `role` may approve, return or reject campaigns (64.2009(d): supervisory review)."""
    return role in CAMPAIGN_REVIEWERS


def can_build_audiences(role: Role) -> bool:
    """Whether `role` may build and export audiences of approved campaigns (64.2009(d))."""
    return role in AUDIENCE_BUILDERS


def can_read_campaigns(role: Role) -> bool:
    """Whether `role` may read the campaign register, its reviews and audiences (64.2009(c))."""
    return role in CAMPAIGN_READERS


def campaign_writers(steps: Iterable[ReviewStep]) -> frozenset[str]:
    """Who created or edited a campaign, from its recorded steps: none of them may review it."""
    return frozenset(step.actor for step in steps if step.action in WRITING_ACTIONS)


def review_problems(  # noqa: PLR0913 - the fixed five, plus `writers`: an editor may not approve either
    campaign: Campaign,
    action: ReviewAction,
    *,
    actor: str,
    role: Role,
    note: str = "",
    writers: Collection[str] = (),
) -> list[FieldProblem]:
    """What forbids `actor` (with `role`) taking `action` on `campaign`; empty when it may.

    47 CFR 64.2009(d): drafters (marketing analysts, supervisors, compliance officers) edit and
    submit; supervisors and compliance officers approve, return or reject a submitted campaign,
    never one they wrote: not its author, nor anyone in `writers` (who edited it, from
    `campaign_writers`; names compare without case or surrounding spaces). Returning or rejecting
    says why in `note`. Only the steps of TRANSITIONS are allowed.
    """
    problems = _actor_problems(actor)
    if action not in REVIEW_STEPS:
        return [*problems, _action_problem(action)]
    known = ReviewAction(action)
    problems.extend(_role_problems(known, role))
    if known in REVIEW_DECISIONS and _wrote(campaign, actor, writers):
        problems.append(
            FieldProblem(
                "actor",
                f"{actor} wrote or changed campaign {campaign.id}: its review is by another supervisor or "
                "compliance officer (47 CFR 64.2009(d))",
            )
        )
    transition = _transition_problem(campaign.status, known)
    problems.extend([transition] if transition else [])
    problems.extend(_note_problems(known, note))
    return problems


def status_after(status: CampaignStatus, action: ReviewAction) -> CampaignStatus:
    """Where `action` takes a campaign in `status` (64.2009(d)); refused when the review forbids it."""
    if action not in REVIEW_STEPS:
        raise InvalidInputError("this is not a review step", (_action_problem(action),))
    problem = _transition_problem(status, action)
    if problem is not None:
        raise InvalidInputError("the campaign's review does not allow this step", (problem,))
    return TRANSITIONS[status, action]


def _actor_problems(actor: str) -> list[FieldProblem]:
    if not actor.strip():
        return [FieldProblem("actor", "say who takes the step")]
    if len(actor) > MAX_ACTOR_LENGTH:
        return [FieldProblem("actor", f"is longer than {MAX_ACTOR_LENGTH} characters")]
    return []


def _action_problem(action: object) -> FieldProblem:
    known = ", ".join(sorted(REVIEW_STEPS))
    if action == A.CREATED:
        return FieldProblem("action", f"created is recorded when a campaign is registered; steps: {known}")
    return FieldProblem("action", f"{action!r} is not a review step; steps: {known}")


def _role_problems(action: ReviewAction, role: Role) -> list[FieldProblem]:
    if action in REVIEW_DECISIONS and not can_review_campaigns(role):
        reviewers = ", ".join(sorted(CAMPAIGN_REVIEWERS))
        message = f"a {role} may not review campaigns; {reviewers} do (47 CFR 64.2009(d))"
        return [FieldProblem("role", message)]
    if action not in REVIEW_DECISIONS and not can_draft_campaigns(role):
        drafters = ", ".join(sorted(CAMPAIGN_DRAFTERS))
        return [FieldProblem("role", f"a {role} may not draft or submit campaigns; {drafters} do")]
    return []


def _same_person(first: str, second: str) -> bool:
    return first.strip().casefold() == second.strip().casefold()


def _wrote(campaign: Campaign, actor: str, writers: Collection[str]) -> bool:
    return any(_same_person(actor, writer) for writer in (campaign.author, *writers))


def _transition_problem(status: CampaignStatus, action: ReviewAction) -> FieldProblem | None:
    if (status, action) in TRANSITIONS:
        return None
    if status == S.REJECTED:
        message = "the campaign was rejected, which is final: draft a new one"
    elif action in REVIEW_DECISIONS:
        message = f"only a submitted campaign is {action}; this one is {status}"
    else:
        message = f"the campaign is {status}: it cannot be {action} now"
    return FieldProblem("action", message)


def _note_problems(action: ReviewAction, note: str) -> list[FieldProblem]:
    if action in NOTE_REQUIRED and not note.strip():
        return [FieldProblem("note", f"say why the campaign is {action}, so its author can act on it")]
    if len(note) > MAX_NOTE_LENGTH:
        return [FieldProblem("note", f"is longer than {MAX_NOTE_LENGTH} characters")]
    return []
