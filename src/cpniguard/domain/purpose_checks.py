"""Checks over the facts for the purposes that depend on them (64.2005, 64.2007, 222).

Each check has the signature (request, facts) -> Verdict and is pure.
"""

from __future__ import annotations

from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.decisions import Verdict, allow, refuse
from cpniguard.domain.disclosure_request import (
    Approval,
    Channel,
    DisclosureFacts,
    DisclosureRequest,
    RecipientClass,
)
from cpniguard.domain.purpose_reasons import (
    ADJUNCT,
    AFFILIATE_ONE_CATEGORY,
    AFFILIATE_SEVERAL_CATEGORIES,
    AGGREGATE_USE,
    APPROVED,
    ASK_APPROVAL,
    ASK_OPT_IN,
    CATEGORY_MISSING,
    CPE_NO_SERVICE,
    CPE_WIRELESS,
    CPE_WIRELINE,
    DESIGNATED,
    DIRECTORY,
    GET_WRITTEN_REQUEST,
    HEALTH_RESEARCH,
    IDENTITIES_REMOVED,
    LEGAL_PROCESS,
    NAME_LEGAL_PROCESS,
    NEEDS_OPT_IN,
    NO_LEGAL_PROCESS,
    NON_COMMUNICATIONS_AFFILIATE_NEEDS_OPT_IN,
    NOT_APPROVED,
    NOT_DESIGNATED,
    NOT_LISTED,
    ONE_TIME_ORAL,
    ONLY_CMRS_DATA,
    ONLY_DESIGNATED_RECIPIENT,
    ONLY_FOR_THIS_CALL,
    ONLY_FREEZE_STATUS,
    ONLY_LISTED_WIRELINE_USES,
    ONLY_WHAT_PROCESS_REQUIRES,
    OPT_IN,
    OUTSIDE_CATEGORIES,
    PIC_FREEZE,
    SERVICE_MISSING,
    TELEMARKETING,
    TELEMARKETING_REFUSED,
    WITHIN_CATEGORIES,
)
from cpniguard.domain.subscriber_list import ListingStatus

Category = ServiceCategory
WIRELINE = frozenset({Category.LOCAL, Category.INTEREXCHANGE})
ADJUNCT_SERVICES = frozenset({Category.LOCAL, Category.WIRELESS, Category.INTERCONNECTED_VOIP})
"""LECs, CMRS and interconnected VoIP providers may market adjunct-to-basic features (64.2005(c)(3))."""
CATEGORIES_OF_SERVICE = frozenset(Category) - {Category.OTHER}
"""What counts toward the total service approach (64.2005(a) names local, interexchange and CMRS;
VoIP and international are kept as their own categories, RULES.md 12.11). "Other" is not one."""
STANDING_APPROVALS = frozenset({Approval.OPT_OUT_DEEMED, Approval.OPT_IN})
CALLS = frozenset({Channel.INBOUND_CALL, Channel.OUTBOUND_CALL})
NON_COMMUNICATIONS_AFFILIATE = RecipientClass.NON_COMMUNICATIONS_AFFILIATE
AFFILIATES = frozenset({RecipientClass.AFFILIATE, NON_COMMUNICATIONS_AFFILIATE})
"""Both classes of affiliate; only the communications one may rely on opt-out (64.2007(b))."""

ALLOW_WITHIN = allow(WITHIN_CATEGORIES)
REFUSE_OUTSIDE = refuse(OUTSIDE_CATEGORIES, ASK_APPROVAL)
ALLOW_APPROVED = allow(APPROVED)
ALLOW_ONE_TIME = allow(ONE_TIME_ORAL, ONLY_FOR_THIS_CALL)
REFUSE_UNAPPROVED = refuse(NOT_APPROVED, ASK_APPROVAL)
ALLOW_LEGAL_PROCESS = allow(LEGAL_PROCESS, ONLY_WHAT_PROCESS_REQUIRES)
REFUSE_NO_LEGAL_PROCESS = refuse(NO_LEGAL_PROCESS, NAME_LEGAL_PROCESS)
ALLOW_PIC_FREEZE = allow(PIC_FREEZE, ONLY_FREEZE_STATUS)
ALLOW_DIRECTORY = allow(DIRECTORY)
REFUSE_NOT_LISTED = refuse(NOT_LISTED)
ALLOW_AFFILIATE_SEVERAL_CATEGORIES = allow(AFFILIATE_SEVERAL_CATEGORIES)
REFUSE_AFFILIATE_ONE_CATEGORY = refuse(AFFILIATE_ONE_CATEGORY, ASK_APPROVAL)
REFUSE_CATEGORY_MISSING = refuse(CATEGORY_MISSING)
ALLOW_OPT_IN = allow(OPT_IN)
REFUSE_NEEDS_OPT_IN = refuse(NEEDS_OPT_IN, ASK_OPT_IN)
REFUSE_NON_COMMUNICATIONS_AFFILIATE = refuse(NON_COMMUNICATIONS_AFFILIATE_NEEDS_OPT_IN, ASK_OPT_IN)
ALLOW_DESIGNATED = allow(DESIGNATED, ONLY_DESIGNATED_RECIPIENT)
REFUSE_NOT_DESIGNATED = refuse(NOT_DESIGNATED, GET_WRITTEN_REQUEST)
ALLOW_TELEMARKETING = allow(TELEMARKETING, ONLY_FOR_THIS_CALL)
REFUSE_TELEMARKETING_REFUSED = refuse(TELEMARKETING_REFUSED, ASK_APPROVAL)
ALLOW_CPE_WIRELESS = allow(CPE_WIRELESS, ONLY_CMRS_DATA)
ALLOW_CPE_WIRELINE = allow(CPE_WIRELINE, ONLY_LISTED_WIRELINE_USES)
REFUSE_CPE_NO_SERVICE = refuse(CPE_NO_SERVICE)
ALLOW_HEALTH_RESEARCH = allow(HEALTH_RESEARCH)
REFUSE_SERVICE_MISSING = refuse(SERVICE_MISSING)
ALLOW_ADJUNCT = allow(ADJUNCT)
ALLOW_AGGREGATE_USE = allow(AGGREGATE_USE, IDENTITIES_REMOVED)


def legal_process(_request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """222(c)(1) "as required by law": only with a court order or subpoena on file."""
    if facts.legal_process_reference:
        return ALLOW_LEGAL_PROCESS
    return REFUSE_NO_LEGAL_PROCESS


def pic_freeze_inquiry(_request: DisclosureRequest, _facts: DisclosureFacts) -> Verdict:
    """64.1190: another carrier learns whether a freeze is in place, nothing else."""
    return ALLOW_PIC_FREEZE


def directory_listing(_request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """222(e), 222(h)(3): only a published listing is subscriber list information."""
    if facts.listing_status is ListingStatus.LISTED:
        return ALLOW_DIRECTORY
    return REFUSE_NOT_LISTED


def _approval_verdict(request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """64.2007(b): opt-out or opt-in for own use, agents and communications affiliates; 64.2008(f) a call."""
    approval = facts.approval_of(request.recipient)
    if approval in STANDING_APPROVALS:
        return ALLOW_APPROVED
    if approval is Approval.ONE_TIME_ORAL and request.channel in CALLS:
        return ALLOW_ONE_TIME
    return REFUSE_UNAPPROVED


def non_communications_affiliate(request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """64.2007(b): an affiliate that provides no communications-related services needs opt-in.

    It is not one of "its affiliates that provide communications-related services" that opt-out
    approval covers, nor an affiliated entity "that provide[s] a service offering to the customer" in
    a category of service (64.2005(a)(1)); so the last sentence of 64.2007(b) applies: opt-in only.
    Oral consent for one call is not opt-in, as for joint-venture partners (RULES.md 3.6).
    """
    if facts.approval_of(request.recipient) is Approval.OPT_IN:
        return ALLOW_OPT_IN
    return REFUSE_NON_COMMUNICATIONS_AFFILIATE


def affiliate_sharing(request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """64.2005(a)(1)-(2): affiliates share when the customer takes two or more categories.

    That holds for affiliates that provide communications-related services; any other affiliate
    needs opt-in however many categories the customer takes (64.2007(b)).
    """
    if request.recipient is NON_COMMUNICATIONS_AFFILIATE:
        return non_communications_affiliate(request, facts)
    if len(facts.subscribed_categories & CATEGORIES_OF_SERVICE) > 1:
        return ALLOW_AFFILIATE_SEVERAL_CATEGORIES
    approved = _approval_verdict(request, facts)
    if approved.allows:
        return approved
    return REFUSE_AFFILIATE_ONE_CATEGORY


def marketing_within_subscribed(request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """64.2005(a): the total service approach, by the offer's category of service.

    Affiliates share only as 64.2005(a)(1)-(2) and 64.2007(b) allow (`affiliate_sharing`).
    """
    if request.offering_category is None:
        return REFUSE_CATEGORY_MISSING
    offered = request.offering_category
    if offered not in facts.subscribed_categories or offered not in CATEGORIES_OF_SERVICE:
        return REFUSE_OUTSIDE
    if request.recipient in AFFILIATES:
        return affiliate_sharing(request, facts)
    return ALLOW_WITHIN


def marketing_communications_related(request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """64.2005(b), 64.2007(b): outside the customer's categories, approval is needed.

    Opt-out or opt-in for own use, agents and affiliates that provide communications-related
    services; opt-in only for an affiliate that does not (64.2007(b), last sentence).
    """
    if request.recipient is NON_COMMUNICATIONS_AFFILIATE:
        return non_communications_affiliate(request, facts)
    return _approval_verdict(request, facts)


def marketing_by_partners(request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """64.2007(b): joint-venture partners, independent contractors, third parties: opt-in only.

    So are affiliates that provide no communications-related services (RULES.md 3.6).
    """
    if facts.approval_of(request.recipient) is Approval.OPT_IN:
        return ALLOW_OPT_IN
    return REFUSE_NEEDS_OPT_IN


def customer_designated(_request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """222(c)(2): disclosure to whom the customer names in an affirmative written request."""
    if facts.has_written_designation:
        return ALLOW_DESIGNATED
    return REFUSE_NOT_DESIGNATED


def inbound_telemarketing(request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """222(d)(3): a call the customer started, with consent given on that call."""
    on_call = request.channel is Channel.INBOUND_CALL
    if on_call and facts.approval_of(RecipientClass.CARRIER) is Approval.ONE_TIME_ORAL:
        return ALLOW_TELEMARKETING
    return REFUSE_TELEMARKETING_REFUSED


def cpe_and_information_services(_request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """64.2005(b)(1): CMRS for CPE and information services; wireline for the listed products."""
    if Category.WIRELESS in facts.subscribed_categories:
        return ALLOW_CPE_WIRELESS
    if facts.subscribed_categories & WIRELINE:
        return ALLOW_CPE_WIRELINE
    return REFUSE_CPE_NO_SERVICE


def cmrs_health_research(_request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """64.2005(c)(2): CMRS providers, research on the health effects of CMRS."""
    if Category.WIRELESS in facts.subscribed_categories:
        return ALLOW_HEALTH_RESEARCH
    return REFUSE_SERVICE_MISSING


def adjunct_to_basic(_request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """64.2005(c)(3): LECs, CMRS and interconnected VoIP providers market adjunct-to-basic features."""
    if facts.subscribed_categories & ADJUNCT_SERVICES:
        return ALLOW_ADJUNCT
    return REFUSE_SERVICE_MISSING


def aggregate_reporting(_request: DisclosureRequest, _facts: DisclosureFacts) -> Verdict:
    """222(c)(3), 222(h)(2): aggregate data with identities removed."""
    return ALLOW_AGGREGATE_USE
