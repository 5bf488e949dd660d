"""The rules of a marketing campaign that uses CPNI: what it must say, whose CPNI it may use.

47 CFR 64.2009(c): the campaign register records a description, the specific CPNI used and the
products and services offered. 64.2005(a) and 64.2007(b) decide which approval each customer
must have given (`audience_plan`); 64.2009(d) lets an audience be built and exported only for an
approved campaign; 47 U.S.C. 222(b) keeps other carriers' information out of every campaign.
The review's state machine and who may do what are in domain/campaign_review.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from cpniguard.domain.accounts import AccountKind, Language, ServiceCategory
from cpniguard.domain.campaigns import (
    SPONSOR_RECIPIENT,
    ApprovalNeed,
    Audience,
    AudienceCriteria,
    AudiencePlan,
    Campaign,
    CampaignChannel,
    CampaignDraft,
    CampaignSponsor,
    CampaignStatus,
    Offer,
    OfferCategory,
)
from cpniguard.domain.classification import CPNI_CLASSES, DataClass
from cpniguard.domain.disclosure_request import Approval
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.domain.purpose_checks import CATEGORIES_OF_SERVICE
from cpniguard.domain.purpose_reasons import OPT_IN, WITHIN_CATEGORIES

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000
MAX_PRODUCT_LENGTH = 200
MAX_SPONSOR_NAME_LENGTH = 200
MAX_CALL_WINDOW_DAYS = 366
MAX_MIN_CALLS = 1_000_000
"""Far above any real threshold; keeps the count a bound parameter every database accepts."""
SERVICES_FIELD = "services.category"
"""The CPNI that `subscribes_to_any` and `subscribes_to_none_of` read."""
CALLS_FIELD = "call_detail_records.started_at"
"""The call detail that `min_calls` counts."""

OPT_IN_SPONSORS = frozenset(
    {
        CampaignSponsor.NON_COMMUNICATIONS_AFFILIATE,
        CampaignSponsor.JOINT_VENTURE_PARTNER,
        CampaignSponsor.INDEPENDENT_CONTRACTOR,
        CampaignSponsor.THIRD_PARTY,
    }
)
"""Sponsors outside the opt-out list of 64.2007(b): only the customer's opt-in lets them use CPNI."""
NAMED_SPONSORS = OPT_IN_SPONSORS
"""Sponsors the campaign must name: an opt-in is given to a named partner (64.2008(c)(2))."""
AFFILIATE_SHARING_MIN_CATEGORIES = 2
"""64.2005(a)(1): affiliates share CPNI without approval when the customer takes more than one."""
OPT_OUT_DEEMED_RULE = ("64.2007(b).opt-out-deemed", "47 CFR 64.2007(b); 64.2003(l); 64.2008(d)(1)")
OPT_IN_RULE = (OPT_IN.rule_id, "47 CFR 64.2007(b); 64.2003(k)")
TOTAL_SERVICE_RULE = (WITHIN_CATEGORIES.rule_id, WITHIN_CATEGORIES.citation)

E = TypeVar("E", bound=StrEnum)


def _member(kind: type[E], value: object) -> E | None:
    """The member of `kind` that `value` names, or None: values may arrive as plain strings."""
    if not isinstance(value, str):
        return None
    try:
        return kind(value)
    except ValueError:
        return None


def _choice_problem(location: str, kind: type[StrEnum], value: object, what: str) -> FieldProblem | None:
    if _member(kind, value) is not None:
        return None
    return FieldProblem(location, f"{value!r} is not a known {what}; known: {', '.join(kind)}")


def _text_problem(location: str, value: str, max_length: int, blank: str) -> FieldProblem | None:
    if not value.strip():
        return FieldProblem(location, blank)
    if len(value) > max_length:
        return FieldProblem(location, f"is longer than {max_length} characters")
    return None


def campaign_problems(draft: CampaignDraft, *, known_fields: Mapping[str, DataClass]) -> list[FieldProblem]:
    """Everything wrong with `draft`, each at its location; empty when it may be registered.

    47 CFR 64.2009(c): the register holds a description of the campaign, the specific CPNI used
    (fields of the classification, `known_fields`: "table.column" to its class) and the products
    and services offered, each with its category of service (64.2005(a) decides by it). Criteria
    that read CPNI must be covered by the declared fields. 47 U.S.C. 222(b): another carrier's
    information is never used. A partner that needs opt-in is named, since opt-in is given to it.
    """
    found = [
        _text_problem("name", draft.name, MAX_NAME_LENGTH, "give the campaign a name"),
        _text_problem(
            "description", draft.description, MAX_DESCRIPTION_LENGTH, "describe the campaign (64.2009(c))"
        ),
        _choice_problem("channel", CampaignChannel, draft.channel, "channel"),
        *_sponsor_problems(draft),
        *_offer_problems(draft.offers),
        *_cpni_field_problems(draft.cpni_fields, known_fields),
        *_criteria_problems(draft.criteria, frozenset(draft.cpni_fields)),
    ]
    if draft.ends_on < draft.starts_on:
        found.append(FieldProblem("ends_on", f"{draft.ends_on} is before starts_on {draft.starts_on}"))
    return [problem for problem in found if problem is not None]


def _sponsor_problems(draft: CampaignDraft) -> list[FieldProblem]:
    unknown = _choice_problem("sponsor", CampaignSponsor, draft.sponsor, "sponsor")
    if unknown is not None:
        return [unknown]
    sponsor = CampaignSponsor(draft.sponsor)
    if sponsor in NAMED_SPONSORS:
        blank = f"name the {sponsor.replace('_', ' ')}: the customer's opt-in is given to it (64.2007(b))"
        problem = _text_problem("sponsor_name", draft.sponsor_name, MAX_SPONSOR_NAME_LENGTH, blank)
        return [] if problem is None else [problem]
    if len(draft.sponsor_name) > MAX_SPONSOR_NAME_LENGTH:
        return [FieldProblem("sponsor_name", f"is longer than {MAX_SPONSOR_NAME_LENGTH} characters")]
    return []


def _offer_problems(offers: tuple[Offer, ...]) -> list[FieldProblem]:
    if not offers:
        return [FieldProblem("offers", "name at least one product or service offered (64.2009(c))")]
    problems: list[FieldProblem] = []
    for index, offer in enumerate(offers):
        where = f"offers[{index}]"
        product = _text_problem(f"{where}.product", offer.product, MAX_PRODUCT_LENGTH, "name the product")
        problems.extend([product] if product else [])
        problems.extend(_offer_category_problems(f"{where}.category", offer.category))
    return problems


def _offer_category_problems(location: str, category: object) -> list[FieldProblem]:
    known = ", ".join(OfferCategory)
    if category is None or (isinstance(category, str) and not category.strip()):
        return [FieldProblem(location, f"say the offer's category of service (64.2005(a)); known: {known}")]
    problem = _choice_problem(location, OfferCategory, category, "category of service")
    return [] if problem is None else [problem]


def _cpni_field_problems(
    fields: tuple[str, ...], known_fields: Mapping[str, DataClass]
) -> list[FieldProblem]:
    if not fields:
        return [FieldProblem("cpni_fields", "list the specific CPNI the campaign uses (47 CFR 64.2009(c))")]
    problems: list[FieldProblem] = []
    first_at: dict[str, int] = {}
    for index, name in enumerate(fields):
        where = f"cpni_fields[{index}]"
        if name in first_at:
            problems.append(
                FieldProblem(where, f"{name!r} is already listed at cpni_fields[{first_at[name]}]")
            )
            continue
        first_at[name] = index
        message = _cpni_field_message(name, known_fields.get(name))
        if message is not None:
            problems.append(FieldProblem(where, message))
    return problems


def _cpni_field_message(name: str, data_class: DataClass | None) -> str | None:
    if data_class is None:
        return f"{name!r} is not a classified field; name one as table.column from the data classification"
    if data_class is DataClass.CARRIER_INFORMATION:
        return (
            f"{name!r} is another carrier's information, given only to provision its service: it may "
            "never be used for marketing (47 U.S.C. 222(b))"
        )
    if data_class is DataClass.CREDENTIAL:
        return f"{name!r} is a credential, kept only as a hash (64.2010): it is never used for marketing"
    if data_class not in CPNI_CLASSES:
        return (
            f"{name!r} is {data_class.replace('_', ' ')} data, not CPNI: it needs no listing here "
            "(64.2009(c) records the CPNI used)"
        )
    return None


def _criteria_problems(criteria: AudienceCriteria, fields: frozenset[str]) -> list[FieldProblem]:
    return [
        *_criteria_choice_problems(criteria),
        *_service_criteria_problems(criteria, fields),
        *_call_criteria_problems(criteria, fields),
    ]


def _criteria_choice_problems(criteria: AudienceCriteria) -> list[FieldProblem]:
    sets: list[tuple[str, Iterable[object], type[StrEnum], str]] = [
        ("account_kinds", criteria.account_kinds, AccountKind, "account kind"),
        ("languages", criteria.languages, Language, "language"),
        ("subscribes_to_any", criteria.subscribes_to_any, ServiceCategory, "category of service"),
        ("subscribes_to_none_of", criteria.subscribes_to_none_of, ServiceCategory, "category of service"),
    ]
    found = (
        _choice_problem(f"criteria.{name}", kind, value, what)
        for name, values, kind, what in sets
        for value in sorted(values, key=str)
    )
    return [problem for problem in found if problem is not None]


def _service_criteria_problems(criteria: AudienceCriteria, fields: frozenset[str]) -> list[FieldProblem]:
    undeclared = (
        f"reads the services the customer takes, which is CPNI: list {SERVICES_FIELD!r} in cpni_fields"
    )
    chosen = {
        "subscribes_to_any": criteria.subscribes_to_any,
        "subscribes_to_none_of": criteria.subscribes_to_none_of,
    }
    problems = [
        FieldProblem(f"criteria.{name}", f"{undeclared} (64.2009(c))")
        for name, categories in chosen.items()
        if categories and SERVICES_FIELD not in fields
    ]
    if both := criteria.subscribes_to_any & criteria.subscribes_to_none_of:
        named = ", ".join(sorted(both))
        contradiction = f"{named}: also in subscribes_to_any; a customer cannot both take and not take it"
        problems.append(FieldProblem("criteria.subscribes_to_none_of", contradiction))
    return problems


def _call_criteria_problems(criteria: AudienceCriteria, fields: frozenset[str]) -> list[FieldProblem]:
    calls, days = criteria.min_calls, criteria.calls_within_days
    if calls is None and days is None:
        return []
    if days is None:
        return [
            FieldProblem("criteria.calls_within_days", "min_calls counts calls over this many days: give it")
        ]
    if calls is None:
        return [FieldProblem("criteria.min_calls", "calls_within_days needs min_calls, the calls to count")]
    found = [
        _whole_number_problem("criteria.min_calls", calls, MAX_MIN_CALLS),
        _whole_number_problem("criteria.calls_within_days", days, MAX_CALL_WINDOW_DAYS),
    ]
    if CALLS_FIELD not in fields:
        found.append(
            FieldProblem(
                "criteria.min_calls",
                f"counts the customer's calls, which is call detail: list {CALLS_FIELD!r} in cpni_fields "
                "(64.2009(c))",
            )
        )
    return [problem for problem in found if problem is not None]


def _whole_number_problem(location: str, value: object, highest: int) -> FieldProblem | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= highest:
        return FieldProblem(location, f"{value!r} is not a whole number from 1 to {highest}")
    return None


def audience_plan(campaign: Campaign, *, as_of: datetime) -> AudiencePlan:
    """How the store selects the campaign's audience as of `as_of` (64.2005(a), 64.2007(b)).

    The recipient class is the sponsor's (SPONSOR_RECIPIENT); a sponsor that needs opt-in is
    matched by name too (`partner`), since a customer opts in to a named partner.
    - Opt-in (64.2007(b), last sentence): non-communications affiliates, joint-venture partners,
      independent contractors and third parties, or any offer that is not communications-related.
      The total service approach never applies: it covers neither CPNI going to others nor offers
      outside communications (64.2005(a)).
    - Otherwise opt-out or opt-in (64.2007(b)): the carrier, its agents and its communications
      affiliates offering communications-related services. A customer who already takes every
      offered category needs no approval (64.2005(a): `total_service_categories`), unless:
      an offer is in OfferCategory.OTHER, which is no category of service (CATEGORIES_OF_SERVICE,
      as the gate's `marketing_within_subscribed` holds). An affiliate's total service approach
      also needs the customer to take at least two categories of service, since an affiliate
      shares only with a customer who takes more than one (64.2005(a)(1)-(2), as the gate's
      `affiliate_sharing` holds): `total_service_min_categories`.
    """
    if as_of.utcoffset() is None:
        problem = FieldProblem("as_of", f"{as_of.isoformat()} has no UTC offset: it names no single instant")
        raise InvalidInputError("an audience is built as of an instant", (problem,))
    draft = campaign.draft
    sponsor = CampaignSponsor(draft.sponsor)
    offered = _offered_categories(draft.offers)
    need = _approval_need(sponsor, offered)
    return AudiencePlan(
        recipient_class=SPONSOR_RECIPIENT[sponsor],
        partner=draft.sponsor_name if sponsor in OPT_IN_SPONSORS else "",
        total_service_categories=None if need is ApprovalNeed.OPT_IN else _total_service(offered),
        need=need,
        criteria=draft.criteria,
        as_of=as_of,
        total_service_min_categories=AFFILIATE_SHARING_MIN_CATEGORIES
        if sponsor is CampaignSponsor.AFFILIATE
        else 1,
    )


def _offered_categories(offers: tuple[Offer, ...]) -> frozenset[OfferCategory]:
    categories = [_member(OfferCategory, offer.category) for offer in offers]
    problems = tuple(
        FieldProblem(f"offers[{index}].category", f"{offers[index].category!r} is not a known category")
        for index, category in enumerate(categories)
        if category is None
    )
    if problems:
        raise InvalidInputError("the campaign's offers lack a category of service", problems)
    return frozenset(category for category in categories if category is not None)


def _approval_need(sponsor: CampaignSponsor, offered: frozenset[OfferCategory]) -> ApprovalNeed:
    if sponsor in OPT_IN_SPONSORS or OfferCategory.NON_COMMUNICATIONS in offered:
        return ApprovalNeed.OPT_IN
    return ApprovalNeed.OPT_OUT


def _total_service(offered: frozenset[OfferCategory]) -> frozenset[ServiceCategory] | None:
    categories = frozenset(ServiceCategory(category.value) for category in offered)
    if not categories or not categories <= CATEGORIES_OF_SERVICE:
        return None
    return categories


def audience_problem(campaign: Campaign) -> FieldProblem | None:
    """Why no audience may be built for `campaign`, or None: only an approved one (64.2009(d))."""
    return _unapproved_problem(campaign, "an audience is built")


def _unapproved_problem(campaign: Campaign, what: str) -> FieldProblem | None:
    if campaign.status == CampaignStatus.APPROVED:
        return None
    return FieldProblem(
        "campaign_id",
        f"campaign {campaign.id} is {campaign.status}: {what} only for a campaign a supervisor approved "
        "(47 CFR 64.2009(d))",
    )


def export_problem(campaign: Campaign, audience: Audience) -> FieldProblem | None:
    """Why `audience` may not be exported, or None (64.2009(d)).

    The campaign must be approved, and the audience built for the version approved: once a
    campaign changes, audiences of its earlier versions were never approved as it now stands.
    """
    if audience.campaign_id != campaign.id:
        return FieldProblem(
            "audience_id",
            f"audience {audience.id} belongs to campaign {audience.campaign_id}, not {campaign.id}",
        )
    problem = _unapproved_problem(campaign, "an audience is exported")
    if problem is not None:
        return problem
    if audience.campaign_version != campaign.version:
        return FieldProblem(
            "audience_id",
            f"audience {audience.id} was built for version {audience.campaign_version}; the campaign is at "
            f"version {campaign.version}: build a new audience from the approved version (47 CFR 64.2009(d))",
        )
    return None


def member_reason(need: ApprovalNeed, approval: Approval | None) -> tuple[str, str]:
    """The rule id and citation of an audience member's inclusion, for its access-log entry.

    Total service approach: 64.2005(a), whatever approval is on file (none was relied on).
    Opt-out deemed: 64.2007(b) with 64.2003(l) and the waiting period of 64.2008(d)(1); it
    satisfies only OPT_OUT. Opt-in: 64.2007(b), 64.2003(k); it satisfies OPT_OUT and OPT_IN.
    Any other pairing is a member who was never eligible: refused, not logged as lawful.
    """
    if need == ApprovalNeed.TOTAL_SERVICE:
        return TOTAL_SERVICE_RULE
    if approval == Approval.OPT_IN:
        return OPT_IN_RULE
    if approval == Approval.OPT_OUT_DEEMED and need == ApprovalNeed.OPT_OUT:
        return OPT_OUT_DEEMED_RULE
    problem = FieldProblem("approval", f"{approval} approval does not satisfy the need {need} (64.2007(b))")
    raise InvalidInputError("this customer's approval does not let them into the audience", (problem,))
