"""47 CFR 64.2009(d): the supervisory review of campaigns, never by their author, and who may do what."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import product

import pytest

from cpniguard.domain.campaign_review import (
    campaign_writers,
    can_build_audiences,
    can_draft_campaigns,
    can_read_campaigns,
    can_review_campaigns,
    review_problems,
    status_after,
)
from cpniguard.domain.campaigns import (
    AudienceCriteria,
    Campaign,
    CampaignChannel,
    CampaignDraft,
    CampaignSponsor,
    CampaignStatus,
    Offer,
    OfferCategory,
    ReviewAction,
    ReviewStep,
)
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import InvalidInputError

pytestmark = pytest.mark.unit

S = CampaignStatus
A = ReviewAction
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DRAFT = CampaignDraft(
    name="Roaming pack",
    description="Roaming for frequent international callers.",
    sponsor=CampaignSponsor.CARRIER,
    channel=CampaignChannel.SMS,
    offers=(Offer("Roaming pack", OfferCategory.WIRELESS),),
    cpni_fields=("services.category",),
    criteria=AudienceCriteria(),
    starts_on=date(2027, 1, 1),
    ends_on=date(2027, 1, 31),
)
AUTHOR = "alice"
REVIEWER = "rachel"
DRAFTERS = {Role.MARKETING_ANALYST, Role.SUPERVISOR, Role.COMPLIANCE_OFFICER}
REVIEWERS = {Role.SUPERVISOR, Role.COMPLIANCE_OFFICER}
DECISIONS = {A.APPROVED, A.RETURNED, A.REJECTED}

# Written from issue 7 and the brief, not from the module's table.
ALLOWED = {
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


def campaign(status: CampaignStatus = S.SUBMITTED, author: str = AUTHOR) -> Campaign:
    return Campaign(4, DRAFT, status, 2, author, AT, AT)


def problems_of(status: CampaignStatus, action: ReviewAction, **overrides):
    role = Role.SUPERVISOR if action in DECISIONS else Role.MARKETING_ANALYST
    arguments = {"actor": REVIEWER, "role": role, "note": "needs a clearer opt-out line"} | overrides
    return review_problems(campaign(status), action, **arguments)


@pytest.mark.parametrize(("status", "action"), list(product(S, A)))
def test_every_status_and_action(status, action):
    problems = problems_of(status, action)

    if (status, action) in ALLOWED:
        assert problems == []
        assert status_after(status, action) is ALLOWED[status, action]
    else:
        assert [problem.location for problem in problems] == ["action"]
        with pytest.raises(InvalidInputError) as raised:
            status_after(status, action)
        assert [problem.location for problem in raised.value.problems] == ["action"]


def test_changing_an_approved_campaign_sends_it_back_to_review():
    assert status_after(S.APPROVED, A.EDITED) is S.SUBMITTED


@pytest.mark.parametrize("action", list(A))
def test_a_rejected_campaign_is_final(action):
    messages = [problem.message for problem in problems_of(S.REJECTED, action)]

    assert len(messages) == 1
    assert "final" in messages[0] or "created" in messages[0]


def test_created_is_not_a_review_step():
    (problem,) = problems_of(S.DRAFT, A.CREATED)

    assert problem.location == "action"
    assert "created is recorded when a campaign is registered" in problem.message


def test_an_unknown_step_is_refused_naming_the_known_ones():
    (problem,) = problems_of(S.SUBMITTED, "signed_off")

    assert problem.location == "action"
    assert "'signed_off' is not a review step; steps: approved, edited, rejected, returned, submitted" in (
        problem.message
    )


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COMPLIANCE_OFFICER])
@pytest.mark.parametrize("action", sorted(DECISIONS))
@pytest.mark.parametrize("actor", [AUTHOR, " Alice ", "ALICE"])
def test_nobody_reviews_their_own_campaign(role, action, actor):
    (problem,) = review_problems(campaign(), action, actor=actor, role=role, note="fine")

    assert problem.location == "actor"
    assert "64.2009(d)" in problem.message


def test_a_supervisor_approving_their_own_campaign_is_refused():
    own = campaign(author="sam")

    problems = review_problems(own, A.APPROVED, actor="sam", role=Role.SUPERVISOR)

    assert [problem.location for problem in problems] == ["actor"]
    assert review_problems(own, A.APPROVED, actor="carol", role=Role.COMPLIANCE_OFFICER) == []


def test_whoever_edited_a_campaign_may_not_review_it_either():
    steps = [
        ReviewStep(4, A.CREATED, AUTHOR, Role.MARKETING_ANALYST, AT, 1),
        ReviewStep(4, A.EDITED, "sam", Role.SUPERVISOR, AT, 2),
        ReviewStep(4, A.SUBMITTED, "tom", Role.MARKETING_ANALYST, AT, 2),
        ReviewStep(4, A.RETURNED, "carol", Role.COMPLIANCE_OFFICER, AT, 2, "fix it"),
    ]
    writers = campaign_writers(steps)

    assert writers == {AUTHOR, "sam"}
    refused = review_problems(campaign(), A.APPROVED, actor="sam", role=Role.SUPERVISOR, writers=writers)
    assert [problem.location for problem in refused] == ["actor"]
    for reviewer in ("tom", "carol"):
        role = Role.COMPLIANCE_OFFICER
        assert review_problems(campaign(), A.APPROVED, actor=reviewer, role=role, writers=writers) == []


@pytest.mark.parametrize(("role", "action"), list(product(Role, [A.EDITED, A.SUBMITTED, *sorted(DECISIONS)])))
def test_only_drafters_edit_and_submit_and_only_supervisors_and_compliance_review(role, action):
    status = S.DRAFT if action in {A.EDITED, A.SUBMITTED} else S.SUBMITTED
    allowed = role in (REVIEWERS if action in DECISIONS else DRAFTERS)

    problems = review_problems(campaign(status), action, actor=REVIEWER, role=role, note="why")

    assert [problem.location for problem in problems] == ([] if allowed else ["role"])
    if action in DECISIONS and not allowed:
        assert "64.2009(d)" in problems[0].message


@pytest.mark.parametrize("action", [A.RETURNED, A.REJECTED])
@pytest.mark.parametrize("note", ["", "   "])
def test_returning_or_rejecting_says_why(action, note):
    (problem,) = problems_of(S.SUBMITTED, action, note=note)

    assert problem.location == "note"
    assert f"say why the campaign is {action}" in problem.message


def test_an_approval_needs_no_note_but_no_note_is_longer_than_2000_characters():
    assert problems_of(S.SUBMITTED, A.APPROVED, note="") == []
    (problem,) = problems_of(S.SUBMITTED, A.APPROVED, note="n" * 2001)
    assert (problem.location, problem.message) == ("note", "is longer than 2000 characters")


@pytest.mark.parametrize(
    ("actor", "message"), [("  ", "say who takes the step"), ("a" * 201, "longer than 200")]
)
def test_the_actor_is_named(actor, message):
    (problem,) = problems_of(S.DRAFT, A.SUBMITTED, actor=actor)

    assert problem.location == "actor"
    assert message in problem.message


def test_every_problem_of_a_step_is_reported_at_once():
    problems = review_problems(campaign(S.DRAFT), A.REJECTED, actor=AUTHOR, role=Role.MARKETING_ANALYST)

    assert [problem.location for problem in problems] == ["role", "actor", "action", "note"]


@pytest.mark.parametrize("role", list(Role))
def test_who_drafts_reviews_builds_and_reads_campaigns(role):
    assert can_draft_campaigns(role) == (role in DRAFTERS)
    assert can_review_campaigns(role) == (role in REVIEWERS)
    assert can_build_audiences(role) == (role in DRAFTERS)
    assert can_read_campaigns(role) == (role in DRAFTERS | {Role.AUDITOR})
