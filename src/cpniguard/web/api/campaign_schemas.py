"""Request and response bodies of the campaign API (issue 7; 47 CFR 64.2009(c), (d))."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, field_validator

from cpniguard.domain.accounts import AccountKind, Language, ServiceCategory
from cpniguard.domain.campaign_review import MAX_NOTE_LENGTH
from cpniguard.domain.campaign_rules import (
    MAX_CALL_WINDOW_DAYS,
    MAX_DESCRIPTION_LENGTH,
    MAX_MIN_CALLS,
    MAX_NAME_LENGTH,
    MAX_PRODUCT_LENGTH,
    MAX_SPONSOR_NAME_LENGTH,
)
from cpniguard.domain.campaigns import (
    ApprovalNeed,
    Audience,
    AudienceCriteria,
    AudienceMember,
    Campaign,
    CampaignChannel,
    CampaignDraft,
    CampaignSponsor,
    CampaignStatus,
    ExclusionReason,
    Offer,
    OfferCategory,
    ReviewAction,
    ReviewStep,
    ThirdPartyDisclosure,
)
from cpniguard.domain.disclosure_request import Approval, RecipientClass
from cpniguard.services.campaign_register import RegisterEntry
from cpniguard.web.api.breach_schemas import ISO_DAY
from cpniguard.web.api.consent_schemas import AsOf, Line, Text

MAX_OFFERS = 100
MAX_CPNI_FIELDS = 200
MAX_FIELD_NAME_LENGTH = 200
MAX_CHOICES = 16
"""No criterion has more choices than this; repeating one changes nothing."""


def _iso_day(value: object) -> object:
    # Pydantic takes a number of seconds since 1970 (and a midnight date and time) for a date.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not ISO_DAY.fullmatch(value):
        raise ValueError("give the day alone, as YYYY-MM-DD")
    return value


CampaignDay = Annotated[date, BeforeValidator(_iso_day)]
"""A day as YYYY-MM-DD: never a number, nor a date and time."""
Moment = AsOf
"""An instant written out with its UTC offset, from 1996-02-08 to before 9998: never a number."""


class OfferIn(BaseModel):
    """A product or service offered, with its category of service (64.2005(a); recorded by 64.2009(c))."""

    model_config = ConfigDict(extra="forbid")

    product: Line = Field(max_length=MAX_PRODUCT_LENGTH)
    category: OfferCategory = Field(
        description="The category of service; `non_communications` for anything not communications-related."
    )


class CriteriaIn(BaseModel):
    """Which customers the campaign looks for, before consent filters them; empty lists mean any."""

    model_config = ConfigDict(extra="forbid")

    account_kinds: list[AccountKind] = Field(default_factory=list, max_length=MAX_CHOICES)
    languages: list[Language] = Field(default_factory=list, max_length=MAX_CHOICES)
    subscribes_to_any: list[ServiceCategory] = Field(
        default_factory=list, max_length=MAX_CHOICES, description="Needs `services.category` in cpni_fields."
    )
    subscribes_to_none_of: list[ServiceCategory] = Field(default_factory=list, max_length=MAX_CHOICES)
    min_calls: StrictInt | None = Field(
        default=None,
        ge=1,
        le=MAX_MIN_CALLS,
        description="At least this many calls in the last `calls_within_days` days; needs "
        "`call_detail_records.started_at` in cpni_fields.",
    )
    calls_within_days: StrictInt | None = Field(default=None, ge=1, le=MAX_CALL_WINDOW_DAYS)

    def to_criteria(self) -> AudienceCriteria:
        """The domain criteria."""
        return AudienceCriteria(
            account_kinds=frozenset(self.account_kinds),
            languages=frozenset(self.languages),
            subscribes_to_any=frozenset(self.subscribes_to_any),
            subscribes_to_none_of=frozenset(self.subscribes_to_none_of),
            min_calls=self.min_calls,
            calls_within_days=self.calls_within_days,
        )


class CampaignIn(BaseModel):
    """A campaign as its author describes it: what the supervisor reviews (64.2009(c), (d))."""

    model_config = ConfigDict(extra="forbid")

    name: Line = Field(max_length=MAX_NAME_LENGTH)
    description: Text = Field(max_length=MAX_DESCRIPTION_LENGTH)
    sponsor: CampaignSponsor = Field(description="Who runs the campaign, and so who uses the CPNI.")
    sponsor_name: Line = Field(
        default="",
        max_length=MAX_SPONSOR_NAME_LENGTH,
        description="The named partner: required for a joint venture, contractor or third party.",
    )
    channel: CampaignChannel
    offers: list[OfferIn] = Field(max_length=MAX_OFFERS)
    cpni_fields: list[Annotated[Line, Field(max_length=MAX_FIELD_NAME_LENGTH)]] = Field(
        max_length=MAX_CPNI_FIELDS,
        description="The specific CPNI used, as `table.column` from the data classification.",
    )
    criteria: CriteriaIn = Field(default_factory=CriteriaIn)
    starts_on: CampaignDay
    ends_on: CampaignDay

    def to_draft(self) -> CampaignDraft:
        """The domain draft."""
        return CampaignDraft(
            name=self.name,
            description=self.description,
            sponsor=self.sponsor,
            channel=self.channel,
            offers=tuple(Offer(offer.product, offer.category) for offer in self.offers),
            cpni_fields=tuple(self.cpni_fields),
            criteria=self.criteria.to_criteria(),
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            sponsor_name=self.sponsor_name,
        )


class CampaignEditIn(CampaignIn):
    """The campaign's new version; an approved campaign goes back to review (64.2009(d))."""

    note: Text = Field(default="", max_length=MAX_NOTE_LENGTH, description="What changed, for the record.")


class SubmissionIn(BaseModel):
    """A campaign sent to a supervisor for review."""

    model_config = ConfigDict(extra="forbid")

    note: Text = Field(default="", max_length=MAX_NOTE_LENGTH)


class ReviewIn(BaseModel):
    """A supervisor's decision on a submitted campaign (64.2009(d)); never on one they wrote."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["approved", "returned", "rejected"]
    note: Text = Field(
        default="", max_length=MAX_NOTE_LENGTH, description="Why: required to return or reject."
    )


class AudienceIn(BaseModel):
    """An audience to build for an approved campaign."""

    model_config = ConfigDict(extra="forbid")

    as_of: Moment | None = Field(
        default=None, description="The consent read as of this instant; default now."
    )


class OfferOut(BaseModel):
    """A product or service offered, with its category."""

    model_config = ConfigDict(from_attributes=True)

    product: str
    category: str


class CriteriaOut(BaseModel):
    """The campaign's audience criteria."""

    account_kinds: list[str]
    languages: list[str]
    subscribes_to_any: list[str]
    subscribes_to_none_of: list[str]
    min_calls: int | None
    calls_within_days: int | None

    @classmethod
    def of(cls, criteria: AudienceCriteria) -> Self:
        """The body for `criteria`."""
        return cls(
            account_kinds=sorted(criteria.account_kinds),
            languages=sorted(criteria.languages),
            subscribes_to_any=sorted(criteria.subscribes_to_any),
            subscribes_to_none_of=sorted(criteria.subscribes_to_none_of),
            min_calls=criteria.min_calls,
            calls_within_days=criteria.calls_within_days,
        )


class CampaignOut(BaseModel):
    """A campaign in the register: its draft, where its review stands, and its version."""

    id: int
    name: str
    description: str
    sponsor: CampaignSponsor
    sponsor_name: str
    channel: CampaignChannel
    offers: list[OfferOut]
    cpni_fields: list[str]
    criteria: CriteriaOut
    starts_on: date
    ends_on: date
    status: CampaignStatus
    version: int = Field(description="Bumped by every edit; an approval covers exactly one version.")
    author: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, campaign: Campaign) -> Self:
        """The body for `campaign`."""
        draft = campaign.draft
        return cls(
            id=campaign.id,
            name=draft.name,
            description=draft.description,
            sponsor=draft.sponsor,
            sponsor_name=draft.sponsor_name,
            channel=draft.channel,
            offers=[OfferOut.model_validate(offer) for offer in draft.offers],
            cpni_fields=list(draft.cpni_fields),
            criteria=CriteriaOut.of(draft.criteria),
            starts_on=draft.starts_on,
            ends_on=draft.ends_on,
            status=campaign.status,
            version=campaign.version,
            author=campaign.author,
            created_at=campaign.created_at,
            updated_at=campaign.updated_at,
        )


class ReviewStepOut(BaseModel):
    """One recorded step: who did what, in which role, when, to which version (64.2009(d))."""

    model_config = ConfigDict(from_attributes=True)

    id: int | None
    action: ReviewAction
    actor: str
    actor_role: str
    at: datetime
    version: int
    note: str

    @classmethod
    def of(cls, step: ReviewStep) -> Self:
        """The body for `step`."""
        return cls.model_validate(step)


class CampaignDetailOut(CampaignOut):
    """A campaign with every step of its record, in the order taken."""

    reviews: list[ReviewStepOut]

    @classmethod
    def with_history(cls, campaign: Campaign, steps: list[ReviewStep]) -> Self:
        """The body for `campaign` and its recorded steps."""
        return cls(**CampaignOut.of(campaign).model_dump(), reviews=[ReviewStepOut.of(s) for s in steps])


class AudienceOut(BaseModel):
    """A built audience: as of when, by whom, how many selected, and how many left out by reason."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    campaign_id: int
    campaign_version: int
    as_of: datetime
    built_at: datetime
    built_by: str
    selected: int
    excluded: dict[ExclusionReason, int] = Field(
        description="Every reason, 0 when nobody was left out for it."
    )

    @field_validator("excluded")
    @classmethod
    def _every_reason(cls, excluded: dict[ExclusionReason, int]) -> dict[ExclusionReason, int]:
        return {reason: excluded.get(reason, 0) for reason in ExclusionReason}

    @classmethod
    def of(cls, audience: Audience) -> Self:
        """The body for `audience`."""
        return cls.model_validate(audience)


class MemberOut(BaseModel):
    """A selected customer and the ground of their selection."""

    model_config = ConfigDict(from_attributes=True)

    account_id: int
    account_number: str
    need: ApprovalNeed
    approval: Approval | None = Field(
        description="The approval relied on; null under the total service approach."
    )

    @classmethod
    def of(cls, member: AudienceMember) -> Self:
        """The body for `member`."""
        return cls.model_validate(member)


class ApprovedVersionOut(BaseModel):
    """A version an approval covered, as it was saved: what it described, used and offered (64.2009(c))."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    name: str
    description: str
    sponsor: CampaignSponsor
    sponsor_name: str
    channel: CampaignChannel
    offers: list[OfferOut]
    cpni_fields: list[str]
    starts_on: date
    ends_on: date
    saved_at: datetime
    saved_by: str


class RegisterEntryOut(BaseModel):
    """A campaign as the 64.2009(c) register reports it: the CPNI used, the offers, its approvals."""

    model_config = ConfigDict(from_attributes=True)

    campaign_id: int
    name: str
    description: str
    sponsor: CampaignSponsor
    sponsor_name: str
    channel: CampaignChannel
    offers: list[OfferOut]
    cpni_fields: list[str]
    status: CampaignStatus
    version: int
    author: str
    approvals: list[ReviewStepOut]
    approved_versions: list[ApprovedVersionOut] = Field(
        description="Each version an approval covered, as saved: the CPNI it used and its offers, "
        "whatever later edits changed."
    )
    audiences: list[AudienceOut]

    @classmethod
    def of(cls, entry: RegisterEntry) -> Self:
        """The body for `entry`."""
        return cls.model_validate(entry)


class DisclosureOut(BaseModel):
    """A disclosure of CPNI to a third party, kept at least one year (64.2009(c))."""

    model_config = ConfigDict(from_attributes=True)

    id: int | None
    campaign_id: int
    audience_id: int
    recipient: str
    recipient_class: RecipientClass
    disclosed_at: datetime
    disclosed_by: str
    customers: int
    cpni_fields: list[str]

    @classmethod
    def of(cls, disclosure: ThirdPartyDisclosure) -> Self:
        """The body for `disclosure`."""
        return cls.model_validate(disclosure)


class CampaignPurgedOut(BaseModel):
    """A campaign's record deleted past its 1-year floor (64.2009(c), (d))."""

    campaign_id: int
    rows_removed: int
