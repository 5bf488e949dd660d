"""The campaign register in the database (47 CFR 64.2009(c), (d); issue 7).

`campaign_reviews` and `third_party_disclosures` are append-only: this store inserts and, for
the purge of a whole campaign past its retention only, deletes; a trigger refuses UPDATE. A
campaign's draft is kept in plain columns and JSON (offers as `{"product", "category"}` objects,
criteria as a dict of sorted lists) and read back to the same `CampaignDraft`. Audiences are
selected by `campaign_audience.fill_audience`, one set-based statement.
"""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Select,
    delete,
    func,
    insert,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from cpniguard.adapters.db.campaign_audience import KeySlice, fill_audience, plan_problems, selected_in
from cpniguard.adapters.db.campaign_versions import add_version, draft_from_values, draft_values, versions
from cpniguard.adapters.db.tables import (
    Account,
    CampaignAudienceMember,
    CampaignAudienceRecord,
    CampaignRecord,
    CampaignReviewRecord,
    CampaignVersionRecord,
    ThirdPartyDisclosureRecord,
)
from cpniguard.domain.campaigns import (
    ApprovalNeed,
    Audience,
    AudienceMember,
    AudiencePlan,
    Campaign,
    CampaignDraft,
    CampaignStatus,
    CampaignVersion,
    ExclusionReason,
    ReviewAction,
    ReviewStep,
    ThirdPartyDisclosure,
)
from cpniguard.domain.disclosure_request import Approval, RecipientClass
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.services.campaign_ports import AudienceBuild

_CAMPAIGNS = CampaignRecord.__table__.c
_REVIEWS = CampaignReviewRecord.__table__.c
_AUDIENCES = CampaignAudienceRecord.__table__.c
_MEMBERS = CampaignAudienceMember.__table__.c
_DISCLOSURES = ThirdPartyDisclosureRecord.__table__.c
_ACCOUNTS = Account.__table__.c


class SqlCampaignStore:
    """CampaignStore over an SQLAlchemy session: every call joins the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, draft: CampaignDraft, *, author: str, at: datetime) -> int:
        """Store a new campaign as a draft at version 1; its id."""
        values = {
            **draft_values(draft),
            "status": CampaignStatus.DRAFT,
            "version": 1,
            "author": author,
            "created_at": at,
            "updated_at": at,
        }
        statement = insert(CampaignRecord).values(**values).returning(_CAMPAIGNS.id)
        campaign_id = int(self._session.execute(statement).scalar_one())
        add_version(self._session, CampaignVersion(campaign_id, 1, draft, at, author))
        return campaign_id

    def get(self, campaign_id: int) -> Campaign | None:
        """The campaign with this id."""
        return self._campaign(_campaign_query().where(_CAMPAIGNS.id == campaign_id))

    def lock(self, campaign_id: int) -> Campaign | None:
        """The campaign, its row locked on PostgreSQL until the transaction ends.

        SQLite has one write lock for the whole database, which the caller takes first (the
        access log's `prepare_to_append`), so the plain read is enough there.
        """
        query = _campaign_query().where(_CAMPAIGNS.id == campaign_id)
        if self._session.get_bind().dialect.name != "sqlite":
            query = query.with_for_update()
        return self._campaign(query)

    def update(self, edited: Campaign, *, by: str) -> None:
        """Make `edited` the campaign's current draft, keeping the versions before it.

        `by` made the edit; the caller has checked the step.
        """
        values = {
            **draft_values(edited.draft),
            "status": edited.status,
            "version": edited.version,
            "updated_at": edited.updated_at,
        }
        self._session.execute(update(CampaignRecord).where(_CAMPAIGNS.id == edited.id).values(**values))
        saved = CampaignVersion(edited.id, edited.version, edited.draft, edited.updated_at, by)
        add_version(self._session, saved)

    def versions(self, campaign_id: int) -> list[CampaignVersion]:
        """Every version of the campaign's draft as saved, oldest first (64.2009(c))."""
        return versions(self._session, campaign_id)

    def set_status(self, campaign_id: int, status: CampaignStatus, *, at: datetime) -> None:
        """Move the campaign to `status` (the caller has checked the step)."""
        statement = update(CampaignRecord).where(_CAMPAIGNS.id == campaign_id)
        self._session.execute(statement.values(status=status, updated_at=at))

    def listing(
        self, *, status: CampaignStatus | None = None, after_id: int = 0, limit: int = 100
    ) -> list[Campaign]:
        """Campaigns in id order after `after_id`, of one status or all."""
        _refuse_limit(limit)
        query = _campaign_query().where(_CAMPAIGNS.id > after_id).order_by(_CAMPAIGNS.id).limit(limit)
        if status is not None:
            query = query.where(_CAMPAIGNS.status == status)
        return [_campaign(row) for row in self._session.execute(query).mappings()]

    def add_review_step(self, step: ReviewStep) -> int:
        """Append a step to the campaign's record (64.2009(d); append-only); its id."""
        values = {
            "campaign_id": step.campaign_id,
            "action": step.action,
            "actor": step.actor,
            "actor_role": step.actor_role,
            "at": step.at,
            "version": step.version,
            "note": step.note,
        }
        statement = insert(CampaignReviewRecord).values(**values).returning(_REVIEWS.id)
        return int(self._session.execute(statement).scalar_one())

    def review_steps(self, campaign_id: int) -> list[ReviewStep]:
        """The campaign's steps in the order they were recorded."""
        query = select(CampaignReviewRecord.__table__).where(_REVIEWS.campaign_id == campaign_id)
        return [_review_step(row) for row in self._session.execute(query.order_by(_REVIEWS.id)).mappings()]

    def active_between(self, first: datetime, last: datetime) -> list[Campaign]:
        """Campaigns with a step, an audience or a disclosure between `first` and `last` inclusive."""
        active = union_all(
            select(_REVIEWS.campaign_id).where(_REVIEWS.at >= first, _REVIEWS.at <= last),
            select(_AUDIENCES.campaign_id).where(_AUDIENCES.built_at >= first, _AUDIENCES.built_at <= last),
            select(_DISCLOSURES.campaign_id).where(
                _DISCLOSURES.disclosed_at >= first, _DISCLOSURES.disclosed_at <= last
            ),
        )
        query = _campaign_query().where(_CAMPAIGNS.id.in_(active)).order_by(_CAMPAIGNS.id)
        return [_campaign(row) for row in self._session.execute(query).mappings()]

    def with_approvals(self) -> list[Campaign]:
        """Campaigns any version of which was approved, in id order (they may have run)."""
        approved = select(_REVIEWS.campaign_id).where(_REVIEWS.action == ReviewAction.APPROVED)
        query = _campaign_query().where(_CAMPAIGNS.id.in_(approved)).order_by(_CAMPAIGNS.id)
        return [_campaign(row) for row in self._session.execute(query).mappings()]

    def build_audience(
        self, campaign: Campaign, plan: AudiencePlan, *, built_at: datetime, built_by: str
    ) -> AudienceBuild:
        """Select the audience `plan` describes in one set-based statement and store its members.

        A plan the query cannot execute is refused before anything is written. The audience row
        goes in first (its members point at it) and takes its counts once the members are stored.
        """
        if problems := plan_problems(plan):
            raise InvalidInputError("the audience plan cannot be executed", tuple(problems))
        values = {
            "campaign_id": campaign.id,
            "campaign_version": campaign.version,
            "as_of": plan.as_of,
            "built_at": built_at,
            "built_by": built_by,
            "selected": 0,
            "excluded": {},
        }
        statement = insert(CampaignAudienceRecord).values(**values).returning(_AUDIENCES.id)
        audience_id = int(self._session.execute(statement).scalar_one())
        selected, excluded = fill_audience(self._session, audience_id, plan)
        counts = {"selected": selected, "excluded": {str(r): n for r, n in excluded.items()}}
        self._session.execute(
            update(CampaignAudienceRecord).where(_AUDIENCES.id == audience_id).values(**counts)
        )
        return AudienceBuild(audience_id, selected, MappingProxyType(excluded))

    def audience(self, audience_id: int) -> Audience | None:
        """The audience with this id."""
        query = select(CampaignAudienceRecord.__table__).where(_AUDIENCES.id == audience_id)
        row = self._session.execute(query).mappings().one_or_none()
        return None if row is None else _audience(row)

    def audiences(self, campaign_id: int) -> list[Audience]:
        """The campaign's audiences, oldest first."""
        query = select(CampaignAudienceRecord.__table__).where(_AUDIENCES.campaign_id == campaign_id)
        return [_audience(row) for row in self._session.execute(query.order_by(_AUDIENCES.id)).mappings()]

    def still_selected(self, plan: AudiencePlan, *, first_account_id: int, last_account_id: int) -> set[int]:
        """The account keys from `first_account_id` to `last_account_id` (both included) `plan` selects.

        The build's classification over that range of keys only, each input bounded to it.
        """
        return selected_in(self._session, plan, KeySlice(first_account_id, last_account_id + 1))

    def audience_members(
        self, audience_id: int, *, after_account_id: int = 0, limit: int = 1000
    ) -> list[AudienceMember]:
        """The audience's members in account-key order after `after_account_id`.

        The page is cut before accounts are joined: a freshly built audience has no statistics
        yet, and PostgreSQL, joining first, read every remaining member for each page (0.25 s a
        page of 5,000 at 1,000,000 customers, where this takes a few milliseconds).
        """
        _refuse_limit(limit)
        page = (
            select(_MEMBERS.account_id, _MEMBERS.need, _MEMBERS.approval)
            .where(_MEMBERS.audience_id == audience_id, _MEMBERS.account_id > after_account_id)
            .order_by(_MEMBERS.account_id)
            .limit(limit)
            .subquery("page")
        )
        query = (
            select(page.c.account_id, _ACCOUNTS.account_number, page.c.need, page.c.approval)
            .join_from(page, Account, _ACCOUNTS.id == page.c.account_id)
            .order_by(page.c.account_id)
        )
        return [
            AudienceMember(
                row.account_id,
                row.account_number,
                ApprovalNeed(row.need),
                None if row.approval is None else Approval(row.approval),
            )
            for row in self._session.execute(query)
        ]

    def record_disclosure(self, disclosure: ThirdPartyDisclosure) -> int:
        """Append a third-party disclosure to the 64.2009(c) log; its id."""
        values = {
            "campaign_id": disclosure.campaign_id,
            "audience_id": disclosure.audience_id,
            "recipient": disclosure.recipient,
            "recipient_class": disclosure.recipient_class,
            "disclosed_at": disclosure.disclosed_at,
            "disclosed_by": disclosure.disclosed_by,
            "customers": disclosure.customers,
            "cpni_fields": list(disclosure.cpni_fields),
        }
        statement = insert(ThirdPartyDisclosureRecord).values(**values).returning(_DISCLOSURES.id)
        return int(self._session.execute(statement).scalar_one())

    def disclosures(self, first: datetime, last: datetime) -> list[ThirdPartyDisclosure]:
        """Third-party disclosures between `first` and `last` inclusive, oldest first."""
        query = (
            select(ThirdPartyDisclosureRecord.__table__)
            .where(_DISCLOSURES.disclosed_at >= first, _DISCLOSURES.disclosed_at <= last)
            .order_by(_DISCLOSURES.disclosed_at, _DISCLOSURES.id)
        )
        return [_disclosure(row) for row in self._session.execute(query).mappings()]

    def last_activity(self, campaign_id: int) -> datetime | None:
        """The latest of the campaign's steps, audiences and disclosures: its retention runs from there."""
        moments = union_all(
            select(func.max(_REVIEWS.at).label("at")).where(_REVIEWS.campaign_id == campaign_id),
            select(func.max(_AUDIENCES.built_at)).where(_AUDIENCES.campaign_id == campaign_id),
            select(func.max(_DISCLOSURES.disclosed_at)).where(_DISCLOSURES.campaign_id == campaign_id),
        ).subquery("moments")
        latest = [m for m in self._session.scalars(select(moments.c.at)) if m is not None]
        return max(latest, default=None)

    def purge(self, campaign_id: int) -> int:
        """Delete the campaign with its steps, audiences, members and disclosures; rows deleted.

        The retention floor (64.2009(c), (d): at least 1 year) is checked by the caller.
        """
        audiences = select(_AUDIENCES.id).where(_AUDIENCES.campaign_id == campaign_id)
        return sum(
            self._delete(table, condition)
            for table, condition in (
                (ThirdPartyDisclosureRecord, _DISCLOSURES.campaign_id == campaign_id),
                (CampaignAudienceMember, _MEMBERS.audience_id.in_(audiences)),
                (CampaignAudienceRecord, _AUDIENCES.campaign_id == campaign_id),
                (CampaignReviewRecord, _REVIEWS.campaign_id == campaign_id),
                (CampaignVersionRecord, CampaignVersionRecord.campaign_id == campaign_id),
                (CampaignRecord, _CAMPAIGNS.id == campaign_id),
            )
        )

    def _delete(self, table: type[Any], condition: ColumnElement[bool]) -> int:
        deleted = self._session.execute(delete(table).where(condition))
        return int(deleted.rowcount)  # type: ignore[attr-defined]

    def _campaign(self, query: Select[Any]) -> Campaign | None:
        row = self._session.execute(query).mappings().one_or_none()
        return None if row is None else _campaign(row)


def _campaign_query() -> Select[Any]:
    return select(CampaignRecord.__table__)


def _campaign(row: RowMapping) -> Campaign:
    return Campaign(
        id=row["id"],
        draft=draft_from_values(dict(row)),
        status=CampaignStatus(row["status"]),
        version=row["version"],
        author=row["author"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _review_step(row: RowMapping) -> ReviewStep:
    return ReviewStep(
        campaign_id=row["campaign_id"],
        action=ReviewAction(row["action"]),
        actor=row["actor"],
        actor_role=row["actor_role"],
        at=row["at"],
        version=row["version"],
        note=row["note"],
        id=row["id"],
    )


def _audience(row: RowMapping) -> Audience:
    excluded = {ExclusionReason(reason): int(count) for reason, count in row["excluded"].items()}
    return Audience(
        id=row["id"],
        campaign_id=row["campaign_id"],
        campaign_version=row["campaign_version"],
        as_of=row["as_of"],
        built_at=row["built_at"],
        built_by=row["built_by"],
        selected=row["selected"],
        excluded=MappingProxyType(excluded),
    )


def _disclosure(row: RowMapping) -> ThirdPartyDisclosure:
    return ThirdPartyDisclosure(
        campaign_id=row["campaign_id"],
        audience_id=row["audience_id"],
        recipient=row["recipient"],
        recipient_class=RecipientClass(row["recipient_class"]),
        disclosed_at=row["disclosed_at"],
        disclosed_by=row["disclosed_by"],
        customers=row["customers"],
        cpni_fields=tuple(row["cpni_fields"]),
        id=row["id"],
    )


def _refuse_limit(limit: int) -> None:
    if limit < 1:
        raise InvalidInputError(
            "a page holds at least one row", (FieldProblem("limit", "must be at least 1"),)
        )
