"""How long a campaign's record is kept, and when a campaign ran (domain/campaign_records.py).

47 CFR 64.2009(c), (d): the record is kept at least a year after the later of the campaign's
last activity and the last day an approved version could run; a version runs from its approval
to the next edit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from cpniguard.domain.campaign_records import (
    approved_runs,
    campaign_purge_problem,
    end_of_day_everywhere,
    ran_between,
    runs_in_force,
)
from cpniguard.domain.campaigns import (
    AudienceCriteria,
    CampaignChannel,
    CampaignDraft,
    CampaignSponsor,
    CampaignVersion,
    Offer,
    OfferCategory,
    ReviewAction,
    ReviewStep,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DRAFT = CampaignDraft(
    name="Wireless for landline customers",
    description="Our wireless plan to local-service customers",
    sponsor=CampaignSponsor.CARRIER,
    channel=CampaignChannel.EMAIL,
    offers=(Offer("Unlimited wireless", OfferCategory.WIRELESS),),
    cpni_fields=("services.category",),
    criteria=AudienceCriteria(),
    starts_on=date(2026, 12, 1),
    ends_on=date(2027, 1, 31),
)
V1 = CampaignVersion(1, 1, DRAFT, NOW, "ana")
V2 = CampaignVersion(1, 2, replace(DRAFT, starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 31)), NOW, "ana")


def step(action: ReviewAction, at: datetime, version: int = 1) -> ReviewStep:
    return ReviewStep(1, action, "sam", "supervisor", at, version)


def test_campaign_records_are_kept_a_year_after_the_last_activity():
    last = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

    refusal = campaign_purge_problem(last, last + timedelta(days=365))
    assert refusal is not None
    assert "may be purged after 2027-03-10T12:00:00+00:00" in refusal
    assert "64.2009(c), (d)" in refusal
    assert campaign_purge_problem(last, datetime(2027, 3, 10, 12, 0, 1, tzinfo=UTC)) is None


def test_a_campaign_last_active_on_a_leap_day_is_kept_to_the_28th_of_february():
    last = datetime(2028, 2, 29, 8, 0, tzinfo=UTC)

    assert campaign_purge_problem(last, datetime(2029, 2, 28, 8, 0, tzinfo=UTC)) is not None
    assert campaign_purge_problem(last, datetime(2029, 2, 28, 8, 0, 1, tzinfo=UTC)) is None


def test_an_approved_run_ending_after_the_last_activity_keeps_the_record_a_year_past_its_last_day():
    last = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    run_ended_on = date(2027, 1, 31)

    refusal = campaign_purge_problem(last, datetime(2028, 2, 1, 12, 0, tzinfo=UTC), run_ended_on)
    assert refusal is not None
    assert "may be purged after 2028-02-01T12:00:00+00:00" in refusal
    assert campaign_purge_problem(last, datetime(2028, 2, 1, 12, 0, 1, tzinfo=UTC), run_ended_on) is None
    assert campaign_purge_problem(last, datetime(2027, 11, 21, tzinfo=UTC)) is None  # without the run
    assert campaign_purge_problem(last, datetime(2027, 11, 21, tzinfo=UTC), date(2026, 11, 1)) is None


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "ran"),
    [
        (date(2026, 9, 1), date(2026, 9, 30), False),
        (date(2026, 9, 1), date(2026, 10, 1), True),
        (date(2026, 12, 31), date(2027, 1, 31), True),
        (date(2027, 1, 1), date(2027, 1, 31), False),
        (date(2026, 1, 1), date(2027, 12, 31), True),
    ],
)
def test_a_run_overlapping_any_day_of_the_period_ran_in_it(starts_on, ends_on, ran):
    assert ran_between([(starts_on, ends_on)], date(2026, 10, 1), date(2026, 12, 31)) is ran


def test_only_approved_versions_have_runs():
    first = CampaignVersion(1, 1, replace(DRAFT, starts_on=date(2026, 11, 1)), NOW, "ana")
    moved = replace(DRAFT, starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 31))
    second = CampaignVersion(1, 2, moved, NOW, "ana")
    steps = [
        ReviewStep(1, ReviewAction.APPROVED, "sam", "supervisor", NOW, 1),
        ReviewStep(1, ReviewAction.RETURNED, "sam", "supervisor", NOW, 2),
    ]

    assert approved_runs(steps, [first, second]) == [(date(2026, 11, 1), first.draft.ends_on)]
    assert approved_runs(steps[1:], [first, second]) == []


def test_a_day_has_ended_everywhere_at_noon_utc_the_day_after():
    assert end_of_day_everywhere(date(2027, 1, 31)) == datetime(2027, 2, 1, 12, 0, tzinfo=UTC)


def test_a_campaign_with_nothing_recorded_is_never_purged():
    refusal = campaign_purge_problem(None, NOW + timedelta(days=3650))

    assert refusal is not None
    assert "nothing is recorded" in refusal


def test_an_approved_version_runs_from_its_approval_to_the_next_edit():
    approved = step(ReviewAction.APPROVED, datetime(2026, 12, 10, 15, 0, tzinfo=UTC))
    edited = step(ReviewAction.EDITED, datetime(2027, 1, 5, 3, 0, tzinfo=UTC), version=2)  # 4 January in DC

    assert runs_in_force([approved], [V1]) == [(date(2026, 12, 10), date(2027, 1, 31))]
    assert runs_in_force([approved, edited], [V1, V2]) == [(date(2026, 12, 10), date(2027, 1, 4))]


def test_a_version_edited_before_its_run_starts_never_runs():
    approved = step(ReviewAction.APPROVED, datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    edited = step(ReviewAction.EDITED, datetime(2026, 11, 20, 16, 0, tzinfo=UTC), version=2)
    approved_again = step(ReviewAction.APPROVED, datetime(2026, 11, 21, 15, 0, tzinfo=UTC), version=2)

    assert runs_in_force([approved, edited], [V1, V2]) == []
    assert runs_in_force([approved, edited, approved_again], [V1, V2]) == [
        (date(2027, 3, 1), date(2027, 3, 31))
    ]
    assert approved_runs([approved, edited], [V1, V2]) == [(DRAFT.starts_on, DRAFT.ends_on)], "retention: all"
