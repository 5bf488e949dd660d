"""How long a campaign's record is kept, and when a campaign ran (47 CFR 64.2009(c), (d)).

The register lists the campaigns active in a period, running ones included, and a campaign's
record is kept at least a year after its last activity or the last day it could run. A version
runs only once a supervisor approved it (64.2009(d)), and stops when an edit sends it back to
review. Pure functions over the review steps and the versions as saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from cpniguard.domain.business_days import eastern_date
from cpniguard.domain.campaigns import (
    CAMPAIGN_RECORD_RETENTION_YEARS,
    CampaignVersion,
    ReviewAction,
    ReviewStep,
)
from cpniguard.domain.consent import add_years


def campaign_purge_problem(
    last_activity: datetime | None, now: datetime, run_ended_on: date | None = None
) -> str | None:
    """Why a campaign last active at `last_activity` may not be purged at `now`, or None when it may.

    47 CFR 64.2009(c), (d): the campaign record, its review and its third-party disclosures are
    kept at least 1 year, counted here from the campaign's last activity: its latest step,
    audience or disclosure, or the last day of an approved version's run (`run_ended_on`), since
    the campaign may use CPNI until then. No recorded activity refuses: a campaign is recorded
    from its creation, so none means its record cannot be dated, and an undated record is kept.
    """
    if last_activity is None:
        return (
            "nothing is recorded for this campaign, so its retention cannot be dated: campaign records "
            f"are kept at least {CAMPAIGN_RECORD_RETENTION_YEARS} year (47 CFR 64.2009(c), (d))"
        )
    if run_ended_on is not None:
        last_activity = max(last_activity, end_of_day_everywhere(run_ended_on))
    # Counted forward: a campaign last active on 29 February is kept to 28 February.
    kept_until = add_years(last_activity, CAMPAIGN_RECORD_RETENTION_YEARS)
    if now <= kept_until:
        return (
            f"campaign records are kept at least {CAMPAIGN_RECORD_RETENTION_YEARS} year (47 CFR 64.2009(c), "
            f"(d)): last active at {last_activity.isoformat()}, it may be purged after "
            f"{kept_until.isoformat()}"
        )
    return None


def approved_runs(
    steps: Iterable[ReviewStep], versions: Iterable[CampaignVersion]
) -> list[tuple[date, date]]:
    """The first and last days of every version an approval covered (64.2009(d)), oldest first."""
    approved = {step.version for step in steps if step.action is ReviewAction.APPROVED}
    return [(v.draft.starts_on, v.draft.ends_on) for v in versions if v.version in approved]


def runs_in_force(
    steps: Sequence[ReviewStep], versions: Iterable[CampaignVersion]
) -> list[tuple[date, date]]:
    """The days each approved version could actually be used, oldest first (64.2009(d)).

    From the later of its first day and its approval's Eastern date, to the earlier of its last
    day and the Eastern date of the next edit, which sends the campaign back to review (no
    audience of it is built or exported after). A run cut off before it starts is left out.
    `steps` in the order recorded.
    """
    drafts = {v.version: v.draft for v in versions}
    runs = []
    for n, step in enumerate(steps):
        if step.action is not ReviewAction.APPROVED or step.version not in drafts:
            continue
        draft = drafts[step.version]
        edited = next((s.at for s in steps[n + 1 :] if s.action is ReviewAction.EDITED), None)
        starts_on = max(draft.starts_on, eastern_date(step.at))
        ends_on = draft.ends_on if edited is None else min(draft.ends_on, eastern_date(edited))
        if starts_on <= ends_on:
            runs.append((starts_on, ends_on))
    return runs


def ran_between(runs: Iterable[tuple[date, date]], first_day: date, last_day: date) -> bool:
    """Whether any of `runs` overlaps the days from `first_day` to `last_day` (both included)."""
    return any(starts_on <= last_day and ends_on >= first_day for starts_on, ends_on in runs)


def end_of_day_everywhere(day: date) -> datetime:
    """The instant `day` has ended in every time zone (UTC-12 included): noon UTC the day after."""
    return datetime.combine(day + timedelta(days=1), time(12, 0), tzinfo=UTC)
