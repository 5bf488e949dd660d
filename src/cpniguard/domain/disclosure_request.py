"""The terms of a disclosure request and the facts the gate decides it on.

A request says who asks (actor), about whom (account), for which data (a data class from
the classification), why (purpose), how (channel), for whom (recipient class) and where
the data is to be sent (destination). Facts are what the system knows at that moment.
Values come from fixed lists; anything else is denied (DESIGN.md invariant 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.classification import DataClass
from cpniguard.domain.employees import Role, TrainingStatus
from cpniguard.domain.subscriber_list import ListingStatus


class ActorKind(StrEnum):
    """Who asks."""

    EMPLOYEE = "employee"
    INTEGRATION = "integration"
    CUSTOMER = "customer"
    OTHER_CARRIER = "other_carrier"
    GOVERNMENT = "government"
    """A government agency or a court."""


class Purpose(StrEnum):
    """Why CPNI would be used or disclosed (47 U.S.C. 222(c)-(d), 47 CFR 64.2005)."""

    PROVIDE_SERVICE = "provide_service"
    REPAIR = "repair_and_troubleshooting"
    BILLING = "billing_and_collection"
    FRAUD_PROTECTION = "fraud_protection"
    LEGAL_PROCESS = "legal_process"
    PIC_FREEZE_INQUIRY = "pic_freeze_inquiry"
    DIRECTORY_LISTING = "directory_listing"
    MARKETING_WITHIN_SUBSCRIBED = "marketing_within_subscribed_categories"
    MARKETING_COMMUNICATIONS_RELATED = "marketing_communications_related"
    MARKETING_BY_PARTNERS = "marketing_by_partners"
    AFFILIATE_SHARING = "affiliate_sharing"
    CUSTOMER_DESIGNATED = "customer_designated_disclosure"
    INBOUND_TELEMARKETING = "inbound_telemarketing"
    EMERGENCY_LOCATION = "emergency_location"
    CPE_AND_INFORMATION_SERVICES = "cpe_and_information_services"
    INSIDE_WIRING = "inside_wiring"
    CMRS_HEALTH_RESEARCH = "cmrs_health_research"
    ADJUNCT_TO_BASIC_MARKETING = "adjunct_to_basic_marketing"
    RETENTION_MARKETING = "retention_marketing"
    AGGREGATE_REPORTING = "aggregate_reporting"


class Channel(StrEnum):
    """How the request reaches the customer or the data leaves (64.2010)."""

    INBOUND_CALL = "inbound_call"
    OUTBOUND_CALL = "outbound_call"
    ONLINE = "online"
    STORE = "store"
    EMAIL = "email"
    POSTAL_MAIL = "postal_mail"
    API = "api"


class RecipientClass(StrEnum):
    """Who receives or uses the data (64.2007(b) draws the line by these classes)."""

    CUSTOMER = "customer"
    CARRIER = "carrier"
    AFFILIATE = "affiliate"
    """An affiliate that provides communications-related services (64.2003(c), (e)): opt-out or opt-in
    approval lets it have CPNI to market them (64.2007(b)), and it shares under 64.2005(a)(1)."""
    NON_COMMUNICATIONS_AFFILIATE = "non_communications_affiliate"
    """An affiliate that provides no communications-related services (64.2003(e)): outside 64.2005(a)(1)
    and the opt-out list of 64.2007(b), so only the customer's opt-in lets it have CPNI."""
    AGENT = "agent"
    JOINT_VENTURE_PARTNER = "joint_venture_partner"
    INDEPENDENT_CONTRACTOR = "independent_contractor"
    THIRD_PARTY = "third_party"
    OTHER_CARRIER = "other_carrier"
    GOVERNMENT = "government"


class Destination(StrEnum):
    """Where data is sent, as the service resolved it against the contacts of record."""

    POSTAL_ADDRESS_OF_RECORD = "postal_address_of_record"
    EMAIL_ADDRESS_OF_RECORD = "email_address_of_record"
    TELEPHONE_NUMBER_OF_RECORD = "telephone_number_of_record"
    NOT_OF_RECORD = "not_of_record"
    """A contact given during the contact, or one on the account for under 30 days."""


class AuthenticationMethod(StrEnum):
    """Authentication reached in the current interaction (64.2010(a)-(e), (g))."""

    PASSWORD = "password"  # noqa: S105 - the name of a method, not a secret
    """A password or PIN the customer gave without a biographical or account prompt."""
    CALLBACK_TO_NUMBER_OF_RECORD = "callback_to_number_of_record"
    CODE_TO_EMAIL_OF_RECORD = "code_to_email_of_record"
    LETTER_TO_POSTAL_ADDRESS_OF_RECORD = "letter_to_address_of_record"
    PHOTO_ID = "photo_id"
    """A valid, unexpired, government-issued photo ID that matches the account."""
    BUSINESS_CONTRACT = "business_contract"
    """The method a business customer's CPNI contract sets (64.2010(g))."""


class Approval(StrEnum):
    """A customer's approval for one recipient class (64.2003(k), (l); 64.2008(f))."""

    NONE = "none"
    OPT_OUT_DEEMED = "opt_out_deemed"
    OPT_IN = "opt_in"
    OPTED_OUT = "opted_out"
    ONE_TIME_ORAL = "one_time_oral"
    """Oral consent bound to the current call; it ends with the call."""


@dataclass(frozen=True, slots=True)
class DisclosureRequest:
    """One proposed use or disclosure of a customer's data."""

    actor_kind: ActorKind
    actor_role: Role | None
    data_category: DataClass
    purpose: Purpose
    channel: Channel
    recipient: RecipientClass
    destination: Destination | None = None
    offering_category: ServiceCategory | None = None
    """For marketing: the category of service of what is offered (64.2005(a))."""


NO_APPROVALS: Mapping[RecipientClass, Approval] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class DisclosureFacts:
    """What the system knows when it decides; the service gathers it, the domain reads it."""

    decided_at: datetime
    authentication: frozenset[AuthenticationMethod] = frozenset()
    call_detail_stated_unaided: bool = False
    approvals: Mapping[RecipientClass, Approval] = field(default_factory=lambda: NO_APPROVALS)
    subscribed_categories: frozenset[ServiceCategory] = frozenset()
    actor_training: TrainingStatus = TrainingStatus.MISSING
    is_business_account: bool = False
    has_dedicated_representative: bool = False
    has_cpni_contract: bool = False
    listing_status: ListingStatus = ListingStatus.NON_PUBLISHED
    legal_process_reference: str | None = None
    has_written_designation: bool = False
    """An affirmative written request from the customer names this recipient (222(c)(2))."""

    def __post_init__(self) -> None:
        if self.decided_at.tzinfo is None:
            msg = "decided_at must carry a UTC offset: rule sets are chosen by instant"
            raise ValueError(msg)

    def approval_of(self, recipient: RecipientClass) -> Approval:
        """The customer's approval for `recipient`; none when nothing is on record."""
        return self.approvals.get(recipient, Approval.NONE)

    @property
    def has_business_exemption(self) -> bool:
        """Both conditions of 64.2010(g): a dedicated representative and a CPNI contract."""
        return self.is_business_account and self.has_dedicated_representative and self.has_cpni_contract
