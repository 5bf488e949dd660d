"""Marketing campaigns that use CPNI: what they are, their review, and their audiences (issue 7).

47 CFR 64.2009(c): the carrier keeps a record of its own and its affiliates' sales and marketing
campaigns that use CPNI (a description, the specific CPNI used, the products and services offered)
and of every disclosure of CPNI to a third party, for at least one year. 64.2009(d): outbound
marketing goes through a supervisory review, and its records are kept at least one year.
64.2005 and 64.2007 decide whose CPNI a campaign may use: these are the plain values the rules
(domain/campaign_rules.py), the store and the services share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from cpniguard.domain.accounts import AccountKind, Language, ServiceCategory
from cpniguard.domain.disclosure_request import Approval, RecipientClass

CAMPAIGN_RECORD_RETENTION_YEARS = 1
"""64.2009(c), (d): campaign records, reviews and third-party disclosures are kept at least 1 year."""


class CampaignSponsor(StrEnum):
    """Who runs the campaign, and so who would use the CPNI (64.2007(b) draws the line by it)."""

    CARRIER = "carrier"
    AFFILIATE = "affiliate"
    """An affiliate that provides communications-related services (64.2003(c), (e))."""
    NON_COMMUNICATIONS_AFFILIATE = "non_communications_affiliate"
    AGENT = "agent"
    JOINT_VENTURE_PARTNER = "joint_venture_partner"
    INDEPENDENT_CONTRACTOR = "independent_contractor"
    THIRD_PARTY = "third_party"


SPONSOR_RECIPIENT: Mapping[CampaignSponsor, RecipientClass] = MappingProxyType(
    {sponsor: RecipientClass(sponsor.value) for sponsor in CampaignSponsor}
)
"""The recipient class of the consent ledger each sponsor's use of CPNI falls under."""


class CampaignChannel(StrEnum):
    """How the campaign reaches customers."""

    EMAIL = "email"
    POSTAL_MAIL = "postal_mail"
    OUTBOUND_CALL = "outbound_call"
    SMS = "sms"
    ONLINE = "online"
    IN_STORE = "in_store"


class OfferCategory(StrEnum):
    """The category of service an offer belongs to (64.2005(a): the total service approach).

    The communications categories mirror `ServiceCategory`; anything else is not
    communications-related and needs opt-in (64.2007(b)).
    """

    LOCAL = ServiceCategory.LOCAL.value
    INTEREXCHANGE = ServiceCategory.INTEREXCHANGE.value
    WIRELESS = ServiceCategory.WIRELESS.value
    INTERCONNECTED_VOIP = ServiceCategory.INTERCONNECTED_VOIP.value
    INTERNATIONAL = ServiceCategory.INTERNATIONAL.value
    OTHER = ServiceCategory.OTHER.value
    """Another communications-related service the carrier offers."""
    NON_COMMUNICATIONS = "non_communications"
    """A product that is not communications-related (home security, insurance...)."""


@dataclass(frozen=True, slots=True)
class Offer:
    """A product or service the campaign offers, with its category (64.2009(c): recorded)."""

    product: str
    category: OfferCategory


@dataclass(frozen=True, slots=True)
class AudienceCriteria:
    """Which customers the campaign looks for, before consent filters them.

    Empty sets mean "any". Criteria on services and calls read CPNI: each must be among the
    campaign's declared CPNI fields (64.2009(c): the specific CPNI used is recorded).
    """

    account_kinds: frozenset[AccountKind] = frozenset()
    languages: frozenset[Language] = frozenset()
    subscribes_to_any: frozenset[ServiceCategory] = frozenset()
    subscribes_to_none_of: frozenset[ServiceCategory] = frozenset()
    min_calls: int | None = None
    """At least this many calls in the last `calls_within_days` days before the build."""
    calls_within_days: int | None = None


@dataclass(frozen=True, slots=True)
class CampaignDraft:
    """Everything a campaign says about itself; what the supervisor reviews."""

    name: str
    description: str
    sponsor: CampaignSponsor
    channel: CampaignChannel
    offers: tuple[Offer, ...]
    cpni_fields: tuple[str, ...]
    """Stored fields the campaign uses, as `table.column` from the classification."""
    criteria: AudienceCriteria
    starts_on: date
    ends_on: date
    sponsor_name: str = ""
    """The named partner for a joint venture, contractor or third party; empty for the carrier."""


class CampaignStatus(StrEnum):
    """Where the campaign stands in its supervisory review (64.2009(d))."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    """Sent back to its author for changes."""
    REJECTED = "rejected"
    """Final: a rejected campaign is never run."""


class ReviewAction(StrEnum):
    """A step of the campaign's record: who did what, when (64.2009(d))."""

    CREATED = "created"
    EDITED = "edited"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Campaign:
    """A campaign as the register holds it: its draft, review status and version."""

    id: int
    draft: CampaignDraft
    status: CampaignStatus
    version: int
    """Bumped by every edit; an approval covers exactly one version."""
    author: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CampaignVersion:
    """One version of a campaign's draft as it was saved: what it described, used and offered.

    64.2009(c): the record of a campaign names the specific CPNI used and the products and
    services offered; an edit adds the next version, so what an approved version used survives.
    """

    campaign_id: int
    version: int
    draft: CampaignDraft
    saved_at: datetime
    saved_by: str


@dataclass(frozen=True, slots=True)
class ReviewStep:
    """One recorded step of a campaign: created, edited, submitted, approved, returned, rejected."""

    campaign_id: int
    action: ReviewAction
    actor: str
    actor_role: str
    at: datetime
    version: int
    note: str = ""
    id: int | None = None


class ApprovalNeed(StrEnum):
    """What approval a customer must have given for the campaign to use their CPNI."""

    TOTAL_SERVICE = "total_service_approach"
    """None: every offer is in a category the customer already buys (64.2005(a))."""
    OPT_OUT = "opt_out_or_opt_in"
    """Opt-out approval deemed, or opt-in: communications-related offers by the carrier, its
    communications affiliates or agents (64.2007(b), 64.2008(d))."""
    OPT_IN = "opt_in"
    """Express opt-in: anyone else, or any offer not communications-related (64.2007(b))."""


class ExclusionReason(StrEnum):
    """Why a customer matching the criteria was left out of an audience."""

    OPTED_OUT = "opted_out"
    NO_APPROVAL = "no_approval"
    """No approval in force: never noticed, still in the waiting period, or the notice lapsed."""
    OPT_IN_REQUIRED = "opt_in_required"
    """Opt-out approval is deemed, but this sponsor or offer needs opt-in."""


@dataclass(frozen=True, slots=True)
class Audience:
    """A built audience: who was selected as of when, and how many were left out, by reason."""

    id: int
    campaign_id: int
    campaign_version: int
    as_of: datetime
    built_at: datetime
    built_by: str
    selected: int
    excluded: Mapping[ExclusionReason, int] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class AudienceMember:
    """A selected customer and the ground their selection rests on."""

    account_id: int
    account_number: str
    need: ApprovalNeed
    approval: Approval | None
    """The approval that let them in; None under the total service approach."""


@dataclass(frozen=True, slots=True)
class ThirdPartyDisclosure:
    """A disclosure of CPNI to a third party, or access given to one (64.2009(c): recorded 1 year)."""

    campaign_id: int
    audience_id: int
    recipient: str
    recipient_class: RecipientClass
    disclosed_at: datetime
    disclosed_by: str
    customers: int
    cpni_fields: tuple[str, ...]
    id: int | None = None


@dataclass(frozen=True, slots=True)
class AudiencePlan:
    """How the store selects a campaign's audience in one set-based query (64.2005(a), 64.2007(b)).

    Customers matching `criteria` (accounts active at `as_of`) are in when:
    - `total_service_categories` is not None and they subscribe, at `as_of`, to every category in
      it and to at least `total_service_min_categories` categories of service in all: no approval
      is needed (the total service approach; an affiliate's needs two, 64.2005(a)(1)-(2));
    - otherwise their approval for `recipient_class` in force at `as_of` satisfies `need`:
      OPT_OUT takes opt-out deemed or opt-in, OPT_IN takes only opt-in. An approval counts when it
      is class-wide (partner '') or, with a `partner`, given to that named partner.
    """

    recipient_class: RecipientClass
    partner: str
    total_service_categories: frozenset[ServiceCategory] | None
    need: ApprovalNeed
    criteria: AudienceCriteria
    as_of: datetime
    total_service_min_categories: int = 1
