"""Which purposes may use or disclose which data, to whom, and on what approval.

47 U.S.C. 222(b)-(d) and 47 CFR 64.2005, 64.2007 (RULES.md sections 2 and 3). Each
purpose names the recipient classes and data classes it allows, the reason it is lawful,
and an optional check over the facts (approval, categories subscribed, a legal-process
reference, the directory choice). Anything not listed is denied.

Affiliates come in two classes (64.2007(b), RULES.md 3.5-3.6). One that provides
communications-related services may have CPNI on opt-out approval and shares under the total
service approach (64.2005(a)(1)-(2)). One that does not may have it only on opt-in: the purposes
that would let the first in on opt-out or on the categories subscribed (marketing within the
categories, marketing communications-related services, affiliate sharing) admit the second but
ask its opt-in, as does marketing by partners; a directory publisher may be either (222(e): "any
person"); the carrier-side exceptions of 64.2005(b)-(d) and 222(d) admit neither.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

from cpniguard.domain.classification import DataClass
from cpniguard.domain.decisions import Reason, Verdict, allow, refuse
from cpniguard.domain.disclosure_request import (
    DisclosureFacts,
    DisclosureRequest,
    Purpose,
    RecipientClass,
)
from cpniguard.domain.purpose_checks import (
    AFFILIATES,
    adjunct_to_basic,
    affiliate_sharing,
    aggregate_reporting,
    cmrs_health_research,
    cpe_and_information_services,
    customer_designated,
    directory_listing,
    inbound_telemarketing,
    legal_process,
    marketing_by_partners,
    marketing_communications_related,
    marketing_within_subscribed,
    pic_freeze_inquiry,
)
from cpniguard.domain.purpose_reasons import (
    ADJUNCT,
    AFFILIATE_SEVERAL_CATEGORIES,
    AGGREGATE_USE,
    APPROVED,
    BILLING,
    CPE_WIRELESS,
    DESIGNATED,
    DIRECTORY,
    EMERGENCY,
    EMERGENCY_ONLY,
    FRAUD,
    HEALTH_RESEARCH,
    INSIDE_WIRING,
    LEGAL_PROCESS,
    OPT_IN,
    PIC_FREEZE,
    PROVIDE_SERVICE,
    REPAIR,
    RETENTION_MARKETING,
    TELEMARKETING,
    WITHIN_CATEGORIES,
)

R = RecipientClass
D = DataClass
Check = Callable[[DisclosureRequest, DisclosureFacts], Verdict]

CPNI_DATA = frozenset({D.CALL_DETAIL, D.CPNI, D.ACCOUNT_INFORMATION})
"""CPNI and the account information that travels with it (64.2003(a), (d), (g))."""
CARRIER_SIDE = frozenset({R.CARRIER, R.AGENT})
SPOKEN_RECIPIENTS: Mapping[RecipientClass, str] = MappingProxyType(
    {R.NON_COMMUNICATIONS_AFFILIATE: "affiliate that provides no communications-related services"}
)
"""How a recipient class is said in a reason, where its value's words would read badly."""


@dataclass(frozen=True, slots=True)
class PurposeRule:
    """What one purpose allows."""

    grounds: Reason
    recipients: frozenset[RecipientClass]
    categories: frozenset[DataClass] = CPNI_DATA
    check: Check | None = None
    allowed: Verdict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed", allow(self.grounds))

    def verdict(self, request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
        """Whether this purpose allows the request."""
        if request.recipient not in self.recipients:
            return _wrong_recipient_verdict(request.purpose, request.recipient, self.grounds)
        if request.data_category not in self.categories:
            return _wrong_category_verdict(request.purpose, request.data_category, self.grounds)
        if self.check is None:
            return self.allowed
        return self.check(request, facts)


@cache
def _wrong_recipient_verdict(purpose: Purpose, recipient: RecipientClass, grounds: Reason) -> Verdict:
    """Built once per combination: every deny pays for it otherwise."""
    return refuse(_wrong_recipient(purpose, recipient, grounds))


@cache
def _wrong_category_verdict(purpose: Purpose, data_category: DataClass, grounds: Reason) -> Verdict:
    return refuse(_wrong_category(purpose, data_category, grounds))


def _wrong_recipient(purpose: Purpose, recipient: RecipientClass, grounds: Reason) -> Reason:
    spoken = SPOKEN_RECIPIENTS.get(recipient, recipient.replace("_", " "))
    article = "an" if spoken[0] in "aeiou" else "a"
    return Reason(
        f"{grounds.rule_id}.recipient",
        grounds.citation,
        f"For {purpose.replace('_', ' ')}, data may not go to {article} {spoken}.",
    )


def _wrong_category(purpose: Purpose, data_category: DataClass, grounds: Reason) -> Reason:
    return Reason(
        f"{grounds.rule_id}.category",
        grounds.citation,
        f"{purpose.replace('_', ' ').capitalize()} does not cover {data_category.replace('_', ' ')} data.",
    )


PURPOSE_RULES: dict[Purpose, PurposeRule] = {
    Purpose.PROVIDE_SERVICE: PurposeRule(PROVIDE_SERVICE, frozenset({R.CUSTOMER, *CARRIER_SIDE})),
    Purpose.REPAIR: PurposeRule(REPAIR, frozenset({R.CUSTOMER, *CARRIER_SIDE})),
    Purpose.BILLING: PurposeRule(BILLING, frozenset({R.CUSTOMER, R.OTHER_CARRIER, *CARRIER_SIDE})),
    Purpose.FRAUD_PROTECTION: PurposeRule(FRAUD, frozenset({R.OTHER_CARRIER, *CARRIER_SIDE})),
    Purpose.LEGAL_PROCESS: PurposeRule(LEGAL_PROCESS, frozenset({R.GOVERNMENT}), check=legal_process),
    Purpose.PIC_FREEZE_INQUIRY: PurposeRule(
        PIC_FREEZE, frozenset({R.OTHER_CARRIER}), frozenset({D.CPNI}), pic_freeze_inquiry
    ),
    Purpose.DIRECTORY_LISTING: PurposeRule(
        DIRECTORY,
        frozenset({*AFFILIATES, R.THIRD_PARTY, R.OTHER_CARRIER, *CARRIER_SIDE}),
        frozenset({D.SUBSCRIBER_LIST}),
        directory_listing,
    ),
    Purpose.MARKETING_WITHIN_SUBSCRIBED: PurposeRule(
        WITHIN_CATEGORIES,
        frozenset({*AFFILIATES, *CARRIER_SIDE}),
        check=marketing_within_subscribed,
    ),
    Purpose.MARKETING_COMMUNICATIONS_RELATED: PurposeRule(
        APPROVED,
        frozenset({*AFFILIATES, *CARRIER_SIDE}),
        check=marketing_communications_related,
    ),
    Purpose.MARKETING_BY_PARTNERS: PurposeRule(
        OPT_IN,
        frozenset(
            {R.JOINT_VENTURE_PARTNER, R.INDEPENDENT_CONTRACTOR, R.THIRD_PARTY, R.NON_COMMUNICATIONS_AFFILIATE}
        ),
        check=marketing_by_partners,
    ),
    Purpose.AFFILIATE_SHARING: PurposeRule(AFFILIATE_SEVERAL_CATEGORIES, AFFILIATES, check=affiliate_sharing),
    Purpose.CUSTOMER_DESIGNATED: PurposeRule(DESIGNATED, frozenset(R), check=customer_designated),
    Purpose.INBOUND_TELEMARKETING: PurposeRule(TELEMARKETING, CARRIER_SIDE, check=inbound_telemarketing),
    Purpose.EMERGENCY_LOCATION: PurposeRule(
        EMERGENCY,
        frozenset({R.GOVERNMENT, R.THIRD_PARTY}),
        frozenset({D.CALL_DETAIL, D.CPNI}),
        lambda _request, _facts: EMERGENCY_ONLY,
    ),
    Purpose.CPE_AND_INFORMATION_SERVICES: PurposeRule(
        CPE_WIRELESS, CARRIER_SIDE, check=cpe_and_information_services
    ),
    Purpose.INSIDE_WIRING: PurposeRule(INSIDE_WIRING, CARRIER_SIDE),
    Purpose.CMRS_HEALTH_RESEARCH: PurposeRule(
        HEALTH_RESEARCH, frozenset({R.CARRIER}), check=cmrs_health_research
    ),
    Purpose.ADJUNCT_TO_BASIC_MARKETING: PurposeRule(ADJUNCT, CARRIER_SIDE, check=adjunct_to_basic),
    Purpose.RETENTION_MARKETING: PurposeRule(
        RETENTION_MARKETING, frozenset(R), frozenset(D), lambda _request, _facts: refuse(RETENTION_MARKETING)
    ),
    Purpose.AGGREGATE_REPORTING: PurposeRule(
        AGGREGATE_USE, frozenset(R), frozenset({D.AGGREGATE}), aggregate_reporting
    ),
}


def purpose_verdict(request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """Whether the purpose allows this data, to this recipient, on these facts (64.2005, 64.2007)."""
    return PURPOSE_RULES[request.purpose].verdict(request, facts)
