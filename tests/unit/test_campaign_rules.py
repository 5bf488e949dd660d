"""Campaign rules: the register's record (64.2009(c)), whose CPNI an audience may use (64.2005(a),
64.2007(b)), approved audiences only (64.2009(d)), retention, and never 222(b) data."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import product
from types import MappingProxyType

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cpniguard.adapters.db.classification import TableClassificationCatalog
from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.campaign_rules import (
    CALLS_FIELD,
    SERVICES_FIELD,
    audience_plan,
    audience_problem,
    campaign_problems,
    export_problem,
    member_reason,
)
from cpniguard.domain.campaigns import (
    ApprovalNeed,
    Audience,
    AudienceCriteria,
    Campaign,
    CampaignChannel,
    CampaignDraft,
    CampaignSponsor,
    CampaignStatus,
    Offer,
    OfferCategory,
)
from cpniguard.domain.classification import CPNI_CLASSES, DataClass
from cpniguard.domain.disclosure_request import (
    ActorKind,
    Approval,
    Channel,
    DisclosureFacts,
    DisclosureRequest,
    Purpose,
    RecipientClass,
)
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.domain.purpose_checks import CATEGORIES_OF_SERVICE
from cpniguard.domain.purposes import purpose_verdict

pytestmark = pytest.mark.unit

C = OfferCategory
Sponsor = CampaignSponsor
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KNOWN_FIELDS = MappingProxyType(
    {
        SERVICES_FIELD: DataClass.CPNI,
        CALLS_FIELD: DataClass.CALL_DETAIL,
        "invoices.total_cents": DataClass.CPNI,
        "carrier_change_notices.from_carrier": DataClass.CARRIER_INFORMATION,
        "accounts.language": DataClass.PERSONAL,
        "accounts.account_number": DataClass.ACCOUNT_INFORMATION,
        "credentials.secret_hash": DataClass.CREDENTIAL,
        "directory_listings.name": DataClass.SUBSCRIBER_LIST,
    }
)
FIBER = Offer("Fiber 1 Gbit/s", C.LOCAL)
GOOD = CampaignDraft(
    name="Spring fiber upgrade",
    description="Offer fiber to wireless customers who call a lot.",
    sponsor=Sponsor.CARRIER,
    channel=CampaignChannel.EMAIL,
    offers=(FIBER,),
    cpni_fields=(SERVICES_FIELD, CALLS_FIELD),
    criteria=AudienceCriteria(
        subscribes_to_any=frozenset({ServiceCategory.WIRELESS}), min_calls=5, calls_within_days=30
    ),
    starts_on=date(2027, 3, 1),
    ends_on=date(2027, 4, 30),
)
OPT_IN_SPONSORS = [
    Sponsor.NON_COMMUNICATIONS_AFFILIATE,
    Sponsor.JOINT_VENTURE_PARTNER,
    Sponsor.INDEPENDENT_CONTRACTOR,
    Sponsor.THIRD_PARTY,
]


def criteria(**changes) -> AudienceCriteria:
    return replace(GOOD.criteria, **changes)


def campaign(draft: CampaignDraft = GOOD, status: CampaignStatus = CampaignStatus.APPROVED, version: int = 3):
    return Campaign(7, draft, status, version, "alice", NOW - timedelta(days=9), NOW - timedelta(days=1))


def locations(draft: CampaignDraft) -> list[str]:
    return [problem.location for problem in campaign_problems(draft, known_fields=KNOWN_FIELDS)]


def test_a_complete_campaign_has_no_problems():
    assert campaign_problems(GOOD, known_fields=KNOWN_FIELDS) == []


BAD_DRAFTS = [
    ({"name": " "}, "name", "give the campaign a name"),
    ({"name": "n" * 201}, "name", "longer than 200"),
    ({"description": ""}, "description", "describe the campaign (64.2009(c))"),
    ({"description": "d" * 10_001}, "description", "longer than 10000"),
    ({"offers": ()}, "offers", "at least one product or service"),
    ({"offers": (Offer("  ", C.LOCAL),)}, "offers[0].product", "name the product"),
    ({"offers": (FIBER, FIBER, Offer("p" * 201, C.LOCAL))}, "offers[2].product", "longer than 200"),
    ({"offers": (FIBER, Offer("TV", None))}, "offers[1].category", "say the offer's category of service"),
    ({"offers": (Offer("TV", " "),)}, "offers[0].category", "known: local, interexchange"),
    ({"offers": (Offer("TV", 5),)}, "offers[0].category", "5 is not a known category of service"),
    (
        {"offers": (Offer("TV", "television"),)},
        "offers[0].category",
        (
            "'television' is not a known category of service; known: local, interexchange, wireless, "
            "interconnected_voip, international, other, non_communications"
        ),
    ),
    (
        {"cpni_fields": (), "criteria": AudienceCriteria()},
        "cpni_fields",
        "the specific CPNI the campaign uses (47 CFR 64.2009(c))",
    ),
    (
        {"cpni_fields": (SERVICES_FIELD, CALLS_FIELD, SERVICES_FIELD)},
        "cpni_fields[2]",
        "'services.category' is already listed at cpni_fields[0]",
    ),
    ({"cpni_fields": (SERVICES_FIELD, CALLS_FIELD, "accounts.mood")}, "cpni_fields[2]", "not a classified"),
    (
        {"cpni_fields": (SERVICES_FIELD, CALLS_FIELD, "carrier_change_notices.from_carrier")},
        "cpni_fields[2]",
        (
            "another carrier's information, given only to provision its service: it may never be used for "
            "marketing (47 U.S.C. 222(b))"
        ),
    ),
    ({"cpni_fields": ("accounts.language", SERVICES_FIELD, CALLS_FIELD)}, "cpni_fields[0]", "not CPNI"),
    ({"cpni_fields": (SERVICES_FIELD, "accounts.account_number", CALLS_FIELD)}, "cpni_fields[1]", "not CPNI"),
    ({"cpni_fields": (SERVICES_FIELD, CALLS_FIELD, "directory_listings.name")}, "cpni_fields[2]", "not CPNI"),
    (
        {"cpni_fields": (SERVICES_FIELD, CALLS_FIELD, "credentials.secret_hash")},
        "cpni_fields[2]",
        "credential",
    ),
    (
        {"cpni_fields": (CALLS_FIELD,)},
        "criteria.subscribes_to_any",
        "list 'services.category' in cpni_fields",
    ),
    (
        {
            "cpni_fields": (CALLS_FIELD,),
            "criteria": criteria(
                subscribes_to_any=frozenset(), subscribes_to_none_of=frozenset({ServiceCategory.LOCAL})
            ),
        },
        "criteria.subscribes_to_none_of",
        "list 'services.category' in cpni_fields",
    ),
    ({"cpni_fields": (SERVICES_FIELD,)}, "criteria.min_calls", "list 'call_detail_records.started_at'"),
    ({"criteria": criteria(calls_within_days=None)}, "criteria.calls_within_days", "give it"),
    ({"criteria": criteria(min_calls=None)}, "criteria.min_calls", "needs min_calls"),
    ({"criteria": criteria(min_calls=0)}, "criteria.min_calls", "0 is not a whole number from 1 to 1000000"),
    ({"criteria": criteria(min_calls=10**30)}, "criteria.min_calls", "from 1 to 1000000"),
    ({"criteria": criteria(calls_within_days=0)}, "criteria.calls_within_days", "from 1 to 366"),
    ({"criteria": criteria(calls_within_days=367)}, "criteria.calls_within_days", "from 1 to 366"),
    (
        {"criteria": criteria(subscribes_to_none_of=frozenset({ServiceCategory.WIRELESS}))},
        "criteria.subscribes_to_none_of",
        "wireless: also in subscribes_to_any",
    ),
    (
        {"criteria": criteria(languages=frozenset({"de"}))},
        "criteria.languages",
        "'de' is not a known language",
    ),
    (
        {"criteria": criteria(account_kinds=frozenset({"government"}))},
        "criteria.account_kinds",
        "residential",
    ),
    (
        {"criteria": criteria(subscribes_to_any=frozenset({"cable"}))},
        "criteria.subscribes_to_any",
        "'cable' is not a known category of service",
    ),
    ({"ends_on": date(2027, 2, 28)}, "ends_on", "2027-02-28 is before starts_on 2027-03-01"),
    ({"sponsor_name": "s" * 201}, "sponsor_name", "longer than 200"),
    (
        {"sponsor": "telemarketer"},
        "sponsor",
        "'telemarketer' is not a known sponsor; known: carrier, affiliate, non_communications_affiliate",
    ),
    ({"channel": "fax"}, "channel", "'fax' is not a known channel; known: email, postal_mail"),
]


@pytest.mark.parametrize(("changes", "location", "message"), BAD_DRAFTS)
def test_each_problem_of_a_draft_is_reported_at_its_location(changes, location, message):
    problems = campaign_problems(replace(GOOD, **changes), known_fields=KNOWN_FIELDS)

    assert [problem.location for problem in problems] == [location]
    assert message in problems[0].message


@pytest.mark.parametrize("sponsor", OPT_IN_SPONSORS)
@pytest.mark.parametrize("name", ["", "   ", "n" * 201])
def test_a_partner_that_needs_opt_in_must_be_named(sponsor, name):
    problems = campaign_problems(replace(GOOD, sponsor=sponsor, sponsor_name=name), known_fields=KNOWN_FIELDS)

    assert [problem.location for problem in problems] == ["sponsor_name"]
    assert locations(replace(GOOD, sponsor=sponsor, sponsor_name="Acme Home Security")) == []


@pytest.mark.parametrize("sponsor", [Sponsor.CARRIER, Sponsor.AFFILIATE, Sponsor.AGENT])
def test_the_carrier_its_affiliates_and_agents_need_no_name(sponsor):
    assert locations(replace(GOOD, sponsor=sponsor, sponsor_name="")) == []


def test_values_that_arrive_as_their_plain_strings_are_accepted():
    draft = replace(
        GOOD,
        sponsor="agent",
        channel="sms",
        offers=(Offer("Roaming pack", "wireless"),),
        criteria=criteria(subscribes_to_any=frozenset({"local"}), languages=frozenset({"fr"})),
    )

    assert locations(draft) == []


def test_every_problem_of_a_draft_is_reported_at_once():
    draft = replace(
        GOOD,
        name="",
        description="",
        sponsor=Sponsor.THIRD_PARTY,
        offers=(Offer("", None),),
        cpni_fields=("carrier_change_notices.from_carrier",),
        criteria=criteria(calls_within_days=400),
        ends_on=date(2027, 1, 1),
    )

    assert locations(draft) == [
        "name",
        "description",
        "sponsor_name",
        "offers[0].product",
        "offers[0].category",
        "cpni_fields[0]",
        "criteria.subscribes_to_any",
        "criteria.calls_within_days",
        "criteria.min_calls",
        "ends_on",
    ]


def test_the_real_classification_knows_the_fields_criteria_read_and_fences_off_222b_data():
    known = {f"{f.table}.{f.field}": f.data_class for f in TableClassificationCatalog().fields()}
    carrier_fields = [
        name for name, data_class in known.items() if data_class is DataClass.CARRIER_INFORMATION
    ]

    assert known[SERVICES_FIELD] in CPNI_CLASSES
    assert known[CALLS_FIELD] in CPNI_CLASSES
    assert campaign_problems(GOOD, known_fields=known) == []
    assert "carrier_change_notices.from_carrier" in carrier_fields
    for name in carrier_fields:
        problems = campaign_problems(replace(GOOD, cpni_fields=(*GOOD.cpni_fields, name)), known_fields=known)
        assert [(p.location, "47 U.S.C. 222(b)" in p.message) for p in problems] == [("cpni_fields[2]", True)]


# Offer mixes: (offers, need for the carrier side, total service categories)
L, W = ServiceCategory.LOCAL, ServiceCategory.WIRELESS
MIXES = {
    "one category": ((C.LOCAL,), ApprovalNeed.OPT_OUT, frozenset({L})),
    "two categories": ((C.LOCAL, C.WIRELESS), ApprovalNeed.OPT_OUT, frozenset({L, W})),
    "same category twice": ((C.WIRELESS, C.WIRELESS), ApprovalNeed.OPT_OUT, frozenset({W})),
    "other communications": ((C.OTHER,), ApprovalNeed.OPT_OUT, None),
    "a category and other": ((C.WIRELESS, C.LOCAL, C.OTHER), ApprovalNeed.OPT_OUT, None),
    "not communications": ((C.NON_COMMUNICATIONS,), ApprovalNeed.OPT_IN, None),
    "mixed with non-communications": ((C.LOCAL, C.NON_COMMUNICATIONS), ApprovalNeed.OPT_IN, None),
}


@pytest.mark.parametrize(("sponsor", "mix"), list(product(Sponsor, MIXES)))
def test_the_plan_for_every_sponsor_and_offer_mix(sponsor, mix):
    categories, need, total = MIXES[mix]
    offers = tuple(Offer(f"product {i}", category) for i, category in enumerate(categories))
    draft = replace(GOOD, sponsor=sponsor, sponsor_name="Acme", offers=offers)

    plan = audience_plan(campaign(draft), as_of=NOW)

    assert plan.recipient_class is RecipientClass(sponsor.value)
    assert (plan.criteria, plan.as_of) == (GOOD.criteria, NOW)
    assert plan.total_service_min_categories == (2 if sponsor is Sponsor.AFFILIATE else 1)
    if sponsor in OPT_IN_SPONSORS:
        assert (plan.need, plan.total_service_categories, plan.partner) == (ApprovalNeed.OPT_IN, None, "Acme")
    else:
        assert (plan.need, plan.total_service_categories, plan.partner) == (need, total, "")


def test_a_plan_needs_an_instant_with_an_offset():
    with pytest.raises(InvalidInputError) as raised:
        audience_plan(campaign(), as_of=datetime(2026, 12, 1, 9, 0))  # noqa: DTZ001 - the naive input refused

    assert [p.location for p in raised.value.problems] == ["as_of"]


def test_a_stored_offer_without_a_known_category_stops_the_plan():
    draft = replace(GOOD, offers=(FIBER, Offer("TV", "television")))

    with pytest.raises(InvalidInputError) as raised:
        audience_plan(campaign(draft), as_of=NOW)

    assert [p.location for p in raised.value.problems] == ["offers[1].category"]


def _allows(
    recipient: RecipientClass, purpose: Purpose, facts: DisclosureFacts, offered: ServiceCategory
) -> bool:
    request = DisclosureRequest(
        actor_kind=ActorKind.EMPLOYEE,
        actor_role=Role.MARKETING_ANALYST,
        data_category=DataClass.CPNI,
        purpose=purpose,
        channel=Channel.EMAIL,
        recipient=recipient,
        offering_category=offered,
    )
    return purpose_verdict(request, facts).allows


@given(
    sponsor=st.sampled_from(Sponsor),
    categories=st.lists(st.sampled_from(C), min_size=1, max_size=6),
    subscribed=st.frozensets(st.sampled_from(ServiceCategory)),
)
@example(sponsor=Sponsor.AFFILIATE, categories=[C.LOCAL], subscribed=frozenset({ServiceCategory.LOCAL}))
@example(
    sponsor=Sponsor.AFFILIATE,
    categories=[C.LOCAL],
    subscribed=frozenset({ServiceCategory.LOCAL, ServiceCategory.OTHER}),
)
@example(
    sponsor=Sponsor.AFFILIATE,
    categories=[C.LOCAL],
    subscribed=frozenset({ServiceCategory.LOCAL, ServiceCategory.WIRELESS}),
)
def test_the_plan_lets_in_without_approval_exactly_whom_the_gate_would(sponsor, categories, subscribed):
    offers = tuple(Offer(f"product {i}", category) for i, category in enumerate(categories))
    plan = audience_plan(
        campaign(replace(GOOD, sponsor=sponsor, sponsor_name="Acme", offers=offers)), as_of=NOW
    )

    if sponsor in OPT_IN_SPONSORS or C.NON_COMMUNICATIONS in categories:
        assert plan.need is ApprovalNeed.OPT_IN
        assert plan.total_service_categories is None
        return
    assert plan.need is ApprovalNeed.OPT_OUT
    total = plan.total_service_categories
    taken = len(subscribed & CATEGORIES_OF_SERVICE)
    plan_admits = total is not None and total <= subscribed and taken >= plan.total_service_min_categories
    facts = DisclosureFacts(decided_at=NOW, subscribed_categories=subscribed)
    offered = {ServiceCategory(category.value) for category in categories if category is not C.OTHER}
    gate_admits = C.OTHER not in categories and all(
        _allows(plan.recipient_class, Purpose.MARKETING_WITHIN_SUBSCRIBED, facts, category)
        for category in offered
    )
    assert plan_admits == gate_admits


@pytest.mark.parametrize("sponsor", OPT_IN_SPONSORS)
def test_the_gate_agrees_that_opt_out_is_not_enough_for_an_opt_in_sponsor(sponsor):
    plan = audience_plan(campaign(replace(GOOD, sponsor=sponsor, sponsor_name="Acme")), as_of=NOW)
    recipient = plan.recipient_class

    def facts(approval: Approval) -> DisclosureFacts:
        return DisclosureFacts(decided_at=NOW, approvals={recipient: approval})

    purpose = Purpose.MARKETING_BY_PARTNERS
    assert not _allows(recipient, purpose, facts(Approval.OPT_OUT_DEEMED), ServiceCategory.LOCAL)
    assert _allows(recipient, purpose, facts(Approval.OPT_IN), ServiceCategory.LOCAL)


@pytest.mark.parametrize("status", [s for s in CampaignStatus if s is not CampaignStatus.APPROVED])
def test_an_audience_is_built_only_for_an_approved_campaign(status):
    problem = audience_problem(campaign(status=status))

    assert problem is not None
    assert problem.location == "campaign_id"
    assert f"campaign 7 is {status}" in problem.message
    assert "64.2009(d)" in problem.message
    assert audience_problem(campaign(status=CampaignStatus.APPROVED)) is None


def audience(campaign_id: int = 7, version: int = 3) -> Audience:
    return Audience(11, campaign_id, version, NOW, NOW, "bob", 120)


def test_an_audience_of_the_approved_version_may_be_exported():
    assert export_problem(campaign(), audience()) is None


@pytest.mark.parametrize(
    ("status", "built", "location", "message"),
    [
        (
            CampaignStatus.APPROVED,
            audience(version=2),
            "audience_id",
            "built for version 2; the campaign is at version 3",
        ),
        (
            CampaignStatus.SUBMITTED,
            audience(),
            "campaign_id",
            "campaign 7 is submitted: an audience is exported",
        ),
        (CampaignStatus.REJECTED, audience(), "campaign_id", "64.2009(d)"),
        (CampaignStatus.APPROVED, audience(campaign_id=8), "audience_id", "belongs to campaign 8, not 7"),
    ],
)
def test_an_audience_is_exported_only_for_the_version_approved(status, built, location, message):
    problem = export_problem(campaign(status=status), built)

    assert problem is not None
    assert problem.location == location
    assert message in problem.message


@pytest.mark.parametrize(
    ("need", "approval", "rule"),
    [
        (ApprovalNeed.TOTAL_SERVICE, None, ("64.2005(a).total-service", "47 CFR 64.2005(a)")),
        (
            ApprovalNeed.OPT_OUT,
            Approval.OPT_OUT_DEEMED,
            ("64.2007(b).opt-out-deemed", "47 CFR 64.2007(b); 64.2003(l); 64.2008(d)(1)"),
        ),
        (ApprovalNeed.OPT_OUT, Approval.OPT_IN, ("64.2007(b).opt-in", "47 CFR 64.2007(b); 64.2003(k)")),
        (ApprovalNeed.OPT_IN, Approval.OPT_IN, ("64.2007(b).opt-in", "47 CFR 64.2007(b); 64.2003(k)")),
    ],
)
def test_each_member_is_logged_with_the_rule_that_let_them_in(need, approval, rule):
    assert member_reason(need, approval) == rule


@pytest.mark.parametrize(
    ("need", "approval"),
    [
        (ApprovalNeed.OPT_IN, Approval.OPT_OUT_DEEMED),
        (ApprovalNeed.OPT_OUT, None),
        (ApprovalNeed.OPT_OUT, Approval.NONE),
        (ApprovalNeed.OPT_OUT, Approval.OPTED_OUT),
        (ApprovalNeed.OPT_IN, Approval.ONE_TIME_ORAL),
    ],
)
def test_a_member_whose_approval_does_not_satisfy_the_need_is_refused(need, approval):
    with pytest.raises(InvalidInputError) as raised:
        member_reason(need, approval)

    assert raised.value.problems == (
        FieldProblem("approval", f"{approval} approval does not satisfy the need {need} (64.2007(b))"),
    )
