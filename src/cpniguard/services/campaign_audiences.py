"""Building an approved campaign's audience and exporting it (64.2005, 64.2007, 64.2009(c), (d)).

The store selects the audience in one set-based statement from the criteria and the consent
projection as of the build time; each selection is a decision about that customer's CPNI, so
each member gets its own access-log entry, written in batches in the same transaction as the
audience: the whole build commits or nothing does. Export writes the members as CSV; a sponsor
outside the carrier, its communications affiliates and agents receives CPNI, so the export is
entered in the third-party disclosure log (64.2009(c)) in the export's transaction.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import IO

from cpniguard.domain.audit import AccessLogEntry, AuditEvent, LoggedReason
from cpniguard.domain.campaign_review import can_build_audiences
from cpniguard.domain.campaign_rules import audience_plan, audience_problem, export_problem, member_reason
from cpniguard.domain.campaigns import (
    SPONSOR_RECIPIENT,
    ApprovalNeed,
    Audience,
    AudienceMember,
    AudiencePlan,
    Campaign,
    CampaignSponsor,
    ThirdPartyDisclosure,
)
from cpniguard.domain.disclosure_request import Approval
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.domain.third_party_access import is_third_party
from cpniguard.services.campaigns import (
    CampaignContext,
    campaign_log_entry,
    locked_campaign,
    require_role,
)
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import UnitOfWork, UnitOfWorkFactory
from cpniguard.services.record_keeping import RULE_SET

LOG_BATCH_MEMBERS = 5000
"""Members read, and their access-log entries written, per batch while building."""
EXPORT_PAGE_MEMBERS = 5000
MAX_MEMBERS_PAGE = 10_000
CSV_HEADER = ("account_number", "need", "approval")

Progress = Callable[[int, int], None]
"""Called with (rows written, rows in all) as the export goes."""


def build_audience(
    context: CampaignContext, *, campaign_id: int, asker: Asker, as_of: datetime | None = None
) -> Audience:
    """Select the customers an approved campaign may reach, as of `as_of` (default now).

    64.2009(d): refused unless the campaign's current version is approved. 64.2005(a),
    64.2007(b), 64.2008: the store applies the total service approach, opt-out past its waiting
    period or opt-in by sponsor and offer, and leaves out lapsed notices. Each member's
    selection is logged (CAMPAIGN_SELECTED) with the ground it rests on.
    """
    require_role(can_build_audiences, asker, "build campaign audiences")
    now = context.clock.now()
    as_of = now if as_of is None else as_of
    _check_as_of(as_of, now)
    with context.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        campaign = locked_campaign(uow, campaign_id)
        refused = audience_problem(campaign)
        if refused is not None:
            raise InvalidInputError("the audience cannot be built", (refused,))
        plan = audience_plan(campaign, as_of=as_of)
        built = uow.campaigns.build_audience(campaign, plan, built_at=now, built_by=asker.label)
        _log_selections(uow, campaign, built.audience_id, asker, now)
        entry = campaign_log_entry(campaign, "audience_built", now, asker, f"audience {built.audience_id}")
        uow.access_log.append([entry])
        uow.commit()
    excluded = MappingProxyType(dict(built.excluded))
    return Audience(
        built.audience_id, campaign.id, campaign.version, as_of, now, asker.label, built.selected, excluded
    )


def _check_as_of(as_of: datetime, now: datetime) -> None:
    if as_of.tzinfo is None:
        problem = FieldProblem("as_of", "must carry a UTC offset")
    elif as_of > now:
        problem = FieldProblem("as_of", f"is later than now ({now.isoformat()}): consent is read as known")
    else:
        return
    raise InvalidInputError("the audience cannot be built", (problem,))


def _log_selections(
    uow: UnitOfWork, campaign: Campaign, audience_id: int, asker: Asker, at: datetime
) -> None:
    entry_for = _SelectionEntries(campaign, audience_id, asker, at)
    after = 0
    while page := uow.campaigns.audience_members(
        audience_id, after_account_id=after, limit=LOG_BATCH_MEMBERS
    ):
        uow.access_log.append([entry_for(member) for member in page])
        after = page[-1].account_id


class _SelectionEntries:
    """Builds members' CAMPAIGN_SELECTED entries; the reasons are shared by ground, not rebuilt each."""

    def __init__(self, campaign: Campaign, audience_id: int, asker: Asker, at: datetime) -> None:
        self._campaign, self._audience_id, self._asker, self._at = campaign, audience_id, asker, at
        self._recipient = str(SPONSOR_RECIPIENT[campaign.draft.sponsor])
        self._reasons: dict[tuple[ApprovalNeed, Approval | None], tuple[LoggedReason, ...]] = {}

    def __call__(self, member: AudienceMember) -> AccessLogEntry:
        return AccessLogEntry(
            event=AuditEvent.CAMPAIGN_SELECTED,
            occurred_at=self._at,
            actor_kind=self._asker.kind,
            actor_id=self._asker.label,
            actor_role=self._asker.role,
            account_id=member.account_id,
            data_category="cpni",
            purpose="marketing",
            channel=str(self._campaign.draft.channel),
            recipient=self._recipient,
            destination=None,
            interaction_id=None,
            authentication=(),
            outcome="selected",
            reasons=self._reasons_for(member.need, member.approval),
            conditions=(),
            rule_set=RULE_SET,
        )

    def _reasons_for(self, need: ApprovalNeed, approval: Approval | None) -> tuple[LoggedReason, ...]:
        found = self._reasons.get((need, approval))
        if found is None:
            rule_id, citation = member_reason(need, approval)
            campaign = self._campaign
            explanation = (
                f"selected for audience {self._audience_id} of campaign {campaign.id} "
                f"version {campaign.version}: {need}, approval {approval or 'not needed'}"
            )
            found = self._reasons[need, approval] = (LoggedReason(rule_id, citation, explanation),)
        return found


@dataclass(frozen=True, slots=True)
class AudienceExport:
    """What an export wrote, and the members it withheld because the campaign no longer selects them."""

    written: int
    withheld: int


def export_audience_csv(
    context: CampaignContext,
    *,
    audience_id: int,
    out: IO[str],
    asker: Asker,
    progress: Progress | None = None,
) -> AudienceExport:
    """Write the audience to `out` as CSV (account_number, need, approval).

    64.2009(d): refused unless the audience was built for the campaign's approved current
    version. 64.2007(a)(2), 64.2009(a): the audience was chosen as of its build; a member whose
    approval has been revoked since (an opt-out, say), or whom the criteria no longer find, is
    withheld, each page being checked against the campaign's plan as of the export. 64.2009(c): a
    sponsor outside the carrier, its communications affiliates and agents receives CPNI, so the
    export is entered in the third-party disclosure log. The record is written only once every
    row is: if writing `out` fails, nothing is recorded.
    """
    require_role(can_build_audiences, asker, "export campaign audiences")
    now = context.clock.now()
    with context.uow_factory() as uow:
        uow.access_log.prepare_to_append()
        audience = _audience(uow, audience_id)
        # Locked so that no edit moves the campaign off this version while its audience goes out.
        campaign = locked_campaign(uow, audience.campaign_id)
        refused = export_problem(campaign, audience)
        if refused is not None:
            raise InvalidInputError("the audience cannot be exported", (refused,))
        done = _write_members(uow, audience, audience_plan(campaign, as_of=now), out, progress)
        if is_disclosed_to_third_party(campaign.draft.sponsor):
            uow.campaigns.record_disclosure(_disclosure(campaign, audience, done.written, now, asker))
        detail = f"audience {audience_id}: {done.written} written, {done.withheld} withheld"
        uow.access_log.append([campaign_log_entry(campaign, "audience_exported", now, asker, detail)])
        uow.commit()
    return done


def is_disclosed_to_third_party(sponsor: CampaignSponsor) -> bool:
    """Whether giving this sponsor an audience discloses CPNI outside the carrier (64.2009(c)).

    Any sponsor but the carrier itself, its affiliates and agents included (domain/third_party_access.py).
    """
    return is_third_party(SPONSOR_RECIPIENT[sponsor])


def _write_members(
    uow: UnitOfWork, audience: Audience, plan_now: AudiencePlan, out: IO[str], progress: Progress | None
) -> AudienceExport:
    """Write the members `plan_now` still selects, a page at a time; `progress` counts every member read."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    written = read = 0
    after = 0
    while page := uow.campaigns.audience_members(
        audience.id, after_account_id=after, limit=EXPORT_PAGE_MEMBERS
    ):
        still = uow.campaigns.still_selected(
            plan_now, first_account_id=page[0].account_id, last_account_id=page[-1].account_id
        )
        kept = [m for m in page if m.account_id in still]
        writer.writerows((m.account_number, str(m.need), str(m.approval or "")) for m in kept)
        written, read, after = written + len(kept), read + len(page), page[-1].account_id
        if progress is not None:
            progress(read, audience.selected)
    return AudienceExport(written, read - written)


def _disclosure(
    campaign: Campaign, audience: Audience, customers: int, at: datetime, asker: Asker
) -> ThirdPartyDisclosure:
    draft = campaign.draft
    return ThirdPartyDisclosure(
        campaign_id=campaign.id,
        audience_id=audience.id,
        recipient=draft.sponsor_name or str(draft.sponsor),
        recipient_class=SPONSOR_RECIPIENT[draft.sponsor],
        disclosed_at=at,
        disclosed_by=asker.label,
        customers=customers,
        cpni_fields=draft.cpni_fields,
    )


def campaign_audience(*, uow_factory: UnitOfWorkFactory, audience_id: int) -> Audience:
    """The audience with this id: as of when, by whom, how many selected and left out by reason."""
    with uow_factory() as uow:
        return _audience(uow, audience_id)


def campaign_audiences(*, uow_factory: UnitOfWorkFactory, campaign_id: int) -> list[Audience]:
    """The campaign's audiences, oldest first."""
    with uow_factory() as uow:
        if uow.campaigns.get(campaign_id) is None:
            raise NotFoundError(f"no campaign {campaign_id}")
        return uow.campaigns.audiences(campaign_id)


def audience_members(
    *, uow_factory: UnitOfWorkFactory, audience_id: int, after_account_id: int = 0, limit: int = 1000
) -> list[AudienceMember]:
    """A page of the audience's members in account-key order after `after_account_id`."""
    if not 1 <= limit <= MAX_MEMBERS_PAGE:
        problem = FieldProblem("limit", f"must be from 1 to {MAX_MEMBERS_PAGE}, not {limit}")
        raise InvalidInputError("the audience's members cannot be listed", (problem,))
    with uow_factory() as uow:
        _audience(uow, audience_id)
        return uow.campaigns.audience_members(audience_id, after_account_id=after_account_id, limit=limit)


def _audience(uow: UnitOfWork, audience_id: int) -> Audience:
    found = uow.campaigns.audience(audience_id)
    if found is None:
        raise NotFoundError(f"no audience {audience_id}")
    return found
