"""47 CFR 64.2005: use of CPNI without customer approval (RULES.md section 2)."""

from __future__ import annotations

import pytest
from tests.unit.disclosure_builders import TRAINED, assert_decided, decided, employee_request, facts

from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.classification import DataClass
from cpniguard.domain.decisions import Outcome
from cpniguard.domain.disclosure_request import (
    Approval,
    Channel,
    DisclosureRequest,
    Purpose,
    RecipientClass,
)
from cpniguard.domain.employees import Role

P, R, A = Purpose, RecipientClass, Approval
LOCAL, LONG_DISTANCE, WIRELESS, VOIP = (
    ServiceCategory.LOCAL,
    ServiceCategory.INTEREXCHANGE,
    ServiceCategory.WIRELESS,
    ServiceCategory.INTERCONNECTED_VOIP,
)
PERMIT, DENY = Outcome.PERMIT, Outcome.DENY
ASK_APPROVAL = ("ask_for_approval",)
WITHIN = (TRAINED, "64.2005(a).total-service")


def supervisor(
    purpose: Purpose,
    recipient: RecipientClass = R.CARRIER,
    *,
    offering: ServiceCategory | None = None,
    channel: Channel = Channel.EMAIL,
    data: DataClass = DataClass.CPNI,
) -> DisclosureRequest:
    """A supervisor's request: the role allows every marketing and service purpose."""
    return employee_request(
        Role.SUPERVISOR, purpose, recipient, offering=offering, channel=channel, data=data
    )


# ------------------------------------------------------------------ 64.2005(a) total service approach


@pytest.mark.parametrize(
    ("recipient", "offering", "subscribed", "approvals", "outcome", "rules", "alternatives"),
    [
        pytest.param(
            R.CARRIER, WIRELESS, {WIRELESS}, {}, PERMIT, WITHIN, (),
            id="own-use-within-the-one-category-subscribed-permits",
        ),
        pytest.param(
            R.AGENT, LOCAL, {LOCAL, LONG_DISTANCE}, {}, PERMIT, WITHIN, (),
            id="agent-within-a-category-subscribed-permits",
        ),
        pytest.param(
            R.CARRIER, LOCAL, {LOCAL}, {R.CARRIER: A.OPTED_OUT}, PERMIT, WITHIN, (),
            id="an-opt-out-does-not-stop-marketing-within-the-categories",
        ),
        pytest.param(
            R.CARRIER, LONG_DISTANCE, {LOCAL}, {}, DENY, ("64.2005(b).outside-categories",), ASK_APPROVAL,
            id="offer-outside-the-categories-denies",
        ),
        pytest.param(
            R.CARRIER, WIRELESS, set(), {}, DENY, ("64.2005(b).outside-categories",), ASK_APPROVAL,
            id="customer-with-no-categories-denies",
        ),
        pytest.param(
            R.CARRIER, None, {LOCAL}, {}, DENY, ("64.2005(a).category-missing",), (),
            id="offer-without-a-category-denies",
        ),
        pytest.param(
            R.THIRD_PARTY, LOCAL, {LOCAL}, {}, DENY, ("64.2005(a).total-service.recipient",), (),
            id="third-party-is-never-within-the-total-service-approach",
        ),
    ],
)  # fmt: skip
def test_marketing_within_the_categories_subscribed_needs_no_approval(
    recipient: RecipientClass,
    offering: ServiceCategory | None,
    subscribed: set[ServiceCategory],
    approvals: dict[RecipientClass, Approval],
    outcome: Outcome,
    rules: tuple[str, ...],
    alternatives: tuple[str, ...],
) -> None:
    decision = decided(
        supervisor(P.MARKETING_WITHIN_SUBSCRIBED, recipient, offering=offering),
        facts(subscribed=subscribed, approvals=approvals),
    )

    assert_decided(decision, outcome, rules, alternatives=alternatives)


def test_the_total_service_approach_covers_only_account_data() -> None:
    decision = decided(
        supervisor(P.MARKETING_WITHIN_SUBSCRIBED, offering=LOCAL, data=DataClass.CREDENTIAL),
        facts(subscribed={LOCAL}),
    )

    assert_decided(decision, DENY, ("64.2005(a).total-service.category",))


# ------------------------------------------------------------------ 64.2005(a)(1)-(2) affiliates

AFFILIATE_PURPOSES = [
    pytest.param(P.AFFILIATE_SHARING, id="affiliate-sharing"),
    pytest.param(P.MARKETING_WITHIN_SUBSCRIBED, id="marketing-within-categories"),
]
ONE_CATEGORY = "64.2005(a)(2).affiliate"
SEVERAL_CATEGORIES = "64.2005(a)(1).affiliate"


@pytest.mark.parametrize("purpose", AFFILIATE_PURPOSES)
@pytest.mark.parametrize(
    ("subscribed", "approvals", "channel", "outcome", "rule", "conditions", "alternatives"),
    [
        pytest.param(
            {LOCAL, WIRELESS}, {}, Channel.EMAIL, PERMIT, SEVERAL_CATEGORIES, (), (),
            id="two-categories-permit-without-approval",
        ),
        pytest.param(
            {LOCAL, LONG_DISTANCE, WIRELESS}, {}, Channel.EMAIL, PERMIT, SEVERAL_CATEGORIES, (), (),
            id="three-categories-permit-without-approval",
        ),
        pytest.param(
            {LOCAL, WIRELESS}, {R.AFFILIATE: A.OPTED_OUT}, Channel.EMAIL, PERMIT, SEVERAL_CATEGORIES, (), (),
            id="two-categories-permit-despite-an-opt-out",
        ),
        pytest.param(
            {LOCAL}, {}, Channel.EMAIL, DENY, ONE_CATEGORY, (), ASK_APPROVAL,
            id="one-category-without-approval-denies",
        ),
        pytest.param(
            {LOCAL}, {R.AFFILIATE: A.OPTED_OUT}, Channel.EMAIL, DENY, ONE_CATEGORY, (), ASK_APPROVAL,
            id="one-category-opted-out-denies",
        ),
        pytest.param(
            {LOCAL}, {R.CARRIER: A.OPT_IN}, Channel.EMAIL, DENY, ONE_CATEGORY, (), ASK_APPROVAL,
            id="one-category-approval-for-the-carrier-does-not-cover-affiliates",
        ),
        pytest.param(
            {LOCAL}, {R.AFFILIATE: A.OPT_OUT_DEEMED}, Channel.EMAIL, PERMIT, "64.2007(b).approved", (), (),
            id="one-category-opt-out-deemed-permits",
        ),
        pytest.param(
            {LOCAL}, {R.AFFILIATE: A.OPT_IN}, Channel.EMAIL, PERMIT, "64.2007(b).approved", (), (),
            id="one-category-opt-in-permits",
        ),
        pytest.param(
            {LOCAL}, {R.AFFILIATE: A.ONE_TIME_ORAL}, Channel.INBOUND_CALL, PERMIT, "64.2008(f).one-time",
            ("only_for_this_call",), (),
            id="one-category-one-time-oral-consent-permits-for-the-call",
        ),
        pytest.param(
            {LOCAL}, {R.AFFILIATE: A.ONE_TIME_ORAL}, Channel.EMAIL, DENY, ONE_CATEGORY, (), ASK_APPROVAL,
            id="one-category-one-time-oral-consent-does-not-last-beyond-a-call",
        ),
    ],
)  # fmt: skip
def test_affiliates_share_by_the_number_of_categories_subscribed(
    purpose: Purpose,
    subscribed: set[ServiceCategory],
    approvals: dict[RecipientClass, Approval],
    channel: Channel,
    outcome: Outcome,
    rule: str,
    conditions: tuple[str, ...],
    alternatives: tuple[str, ...],
) -> None:
    decision = decided(
        supervisor(purpose, R.AFFILIATE, offering=LOCAL, channel=channel),
        facts(subscribed=subscribed, approvals=approvals),
    )

    rules = (TRAINED, rule) if outcome is PERMIT else (rule,)
    assert_decided(decision, outcome, rules, conditions, alternatives)


@pytest.mark.parametrize("purpose", AFFILIATE_PURPOSES)
def test_a_service_outside_the_named_categories_does_not_make_a_second_category(purpose: Purpose) -> None:
    decision = decided(
        supervisor(purpose, R.AFFILIATE, offering=LOCAL), facts(subscribed={LOCAL, ServiceCategory.OTHER})
    )

    assert_decided(decision, DENY, (ONE_CATEGORY,), alternatives=ASK_APPROVAL)


NON_COMMUNICATIONS = ("64.2007(b).non-communications-affiliate",)


@pytest.mark.parametrize("purpose", AFFILIATE_PURPOSES)
@pytest.mark.parametrize(
    ("subscribed", "approvals", "outcome", "rules", "alternatives"),
    [
        pytest.param(
            {LOCAL, WIRELESS}, {}, DENY, NON_COMMUNICATIONS, ("ask_for_opt_in",),
            id="a1-two-categories-do-not-let-it-share",
        ),
        pytest.param(
            {LOCAL, LONG_DISTANCE, WIRELESS}, {R.NON_COMMUNICATIONS_AFFILIATE: A.OPT_OUT_DEEMED}, DENY,
            NON_COMMUNICATIONS, ("ask_for_opt_in",),
            id="a1-three-categories-and-opt-out-do-not-let-it-share",
        ),
        pytest.param(
            {LOCAL}, {R.NON_COMMUNICATIONS_AFFILIATE: A.OPT_IN}, PERMIT, (TRAINED, "64.2007(b).opt-in"), (),
            id="a2-one-category-with-opt-in-permits",
        ),
    ],
)  # fmt: skip
def test_a1_shares_only_with_affiliates_that_provide_communications_related_services(
    purpose: Purpose,
    subscribed: set[ServiceCategory],
    approvals: dict[RecipientClass, Approval],
    outcome: Outcome,
    rules: tuple[str, ...],
    alternatives: tuple[str, ...],
) -> None:
    decision = decided(
        supervisor(purpose, R.NON_COMMUNICATIONS_AFFILIATE, offering=LOCAL),
        facts(subscribed=subscribed, approvals=approvals),
    )

    assert_decided(decision, outcome, rules, alternatives=alternatives)


def test_opt_in_does_not_let_a_non_communications_affiliate_market_outside_the_categories() -> None:
    decision = decided(
        supervisor(P.MARKETING_WITHIN_SUBSCRIBED, R.NON_COMMUNICATIONS_AFFILIATE, offering=WIRELESS),
        facts(subscribed={LOCAL}, approvals={R.NON_COMMUNICATIONS_AFFILIATE: A.OPT_IN}),
    )

    assert_decided(decision, DENY, ("64.2005(b).outside-categories",), alternatives=ASK_APPROVAL)


def test_affiliate_sharing_is_only_for_affiliates() -> None:
    decision = decided(supervisor(P.AFFILIATE_SHARING, R.THIRD_PARTY), facts(subscribed={LOCAL, WIRELESS}))

    assert_decided(decision, DENY, ("64.2005(a)(1).affiliate.recipient",))


# ------------------------------------------------------------------ 64.2005(b) outside the categories


@pytest.mark.parametrize(
    ("approvals", "outcome", "rules", "alternatives"),
    [
        pytest.param({}, DENY, ("64.2007(b).not-approved",), ASK_APPROVAL, id="without-approval-denies"),
        pytest.param(
            {R.CARRIER: A.OPT_OUT_DEEMED},
            PERMIT,
            (TRAINED, "64.2007(b).approved"),
            (),
            id="with-approval-permits",
        ),
    ],
)
def test_marketing_outside_the_categories_subscribed_needs_approval(
    approvals: dict[RecipientClass, Approval],
    outcome: Outcome,
    rules: tuple[str, ...],
    alternatives: tuple[str, ...],
) -> None:
    decision = decided(
        supervisor(P.MARKETING_COMMUNICATIONS_RELATED, offering=WIRELESS),
        facts(subscribed={LOCAL}, approvals=approvals),
    )

    assert_decided(decision, outcome, rules, alternatives=alternatives)


CMRS, WIRELINE = ("only_wireless_cpni",), ("only_wireline_exception_products",)


@pytest.mark.parametrize(
    ("subscribed", "outcome", "rule", "conditions"),
    [
        pytest.param({WIRELESS}, PERMIT, "64.2005(b)(1).cmrs", CMRS, id="wireless-permits"),
        pytest.param({LOCAL}, PERMIT, "64.2005(b)(1).wireline", WIRELINE, id="local-permits"),
        pytest.param({LONG_DISTANCE}, PERMIT, "64.2005(b)(1).wireline", WIRELINE, id="interexchange-permits"),
        pytest.param({WIRELESS, LOCAL}, PERMIT, "64.2005(b)(1).cmrs", CMRS, id="wireless-and-local-permits"),
        pytest.param({VOIP}, DENY, "64.2005(b)(1).no-service", (), id="voip-only-denies"),
        pytest.param(set(), DENY, "64.2005(b)(1).no-service", (), id="no-service-denies"),
    ],
)  # fmt: skip
def test_equipment_and_information_services_follow_the_wireless_or_wireline_exception(
    subscribed: set[ServiceCategory], outcome: Outcome, rule: str, conditions: tuple[str, ...]
) -> None:
    decision = decided(supervisor(P.CPE_AND_INFORMATION_SERVICES), facts(subscribed=subscribed))

    assert_decided(decision, outcome, (TRAINED, rule) if outcome is PERMIT else (rule,), conditions)


@pytest.mark.parametrize("recipient", [R.AFFILIATE, R.NON_COMMUNICATIONS_AFFILIATE])
def test_equipment_and_information_services_are_for_the_carrier_side_only(recipient: RecipientClass) -> None:
    decision = decided(supervisor(P.CPE_AND_INFORMATION_SERVICES, recipient), facts(subscribed={WIRELESS}))

    assert_decided(decision, DENY, ("64.2005(b)(1).cmrs.recipient",))


# ------------------------------------------------------------------ 64.2005(c) other uses without approval


WIRING, HEALTH, ADJUNCT = P.INSIDE_WIRING, P.CMRS_HEALTH_RESEARCH, P.ADJUNCT_TO_BASIC_MARKETING
SERVICE_MISSING = "64.2005(c).service-missing"
C1, C3 = "64.2005(c)(1).inside-wiring", "64.2005(c)(3).adjunct-to-basic"


@pytest.mark.parametrize(
    ("purpose", "recipient", "subscribed", "outcome", "rule"),
    [
        pytest.param(WIRING, R.CARRIER, set(), PERMIT, C1, id="c1-inside-wiring"),
        pytest.param(WIRING, R.AGENT, set(), PERMIT, C1, id="c1-inside-wiring-by-agent"),
        pytest.param(WIRING, R.THIRD_PARTY, set(), DENY, "64.2005(c)(1).inside-wiring.recipient",
                     id="c1-inside-wiring-not-to-third-party"),
        pytest.param(WIRING, R.NON_COMMUNICATIONS_AFFILIATE, set(), DENY,
                     "64.2005(c)(1).inside-wiring.recipient",
                     id="c1-inside-wiring-not-to-non-communications-affiliate"),
        pytest.param(HEALTH, R.CARRIER, {WIRELESS}, PERMIT, "64.2005(c)(2).health-research",
                     id="c2-health-research-wireless"),
        pytest.param(HEALTH, R.CARRIER, {LOCAL}, DENY, SERVICE_MISSING,
                     id="c2-health-research-needs-wireless"),
        pytest.param(HEALTH, R.AGENT, {WIRELESS}, DENY, "64.2005(c)(2).health-research.recipient",
                     id="c2-health-research-by-the-carrier-only"),
        pytest.param(ADJUNCT, R.CARRIER, {LOCAL}, PERMIT, C3, id="c3-local"),
        pytest.param(ADJUNCT, R.CARRIER, {WIRELESS}, PERMIT, C3, id="c3-wireless"),
        pytest.param(ADJUNCT, R.AGENT, {VOIP}, PERMIT, C3, id="c3-voip"),
        pytest.param(ADJUNCT, R.CARRIER, {LONG_DISTANCE}, DENY, SERVICE_MISSING,
                     id="c3-interexchange-only-denies"),
    ],
)  # fmt: skip
def test_other_uses_without_approval_follow_64_2005_c(
    purpose: Purpose, recipient: RecipientClass, subscribed: set[ServiceCategory], outcome: Outcome, rule: str
) -> None:
    decision = decided(supervisor(purpose, recipient), facts(subscribed=subscribed))

    assert_decided(decision, outcome, (TRAINED, rule) if outcome is PERMIT else (rule,))


# ------------------------------------------------------------------ 64.2005(d) fraud


@pytest.mark.parametrize(
    ("recipient", "outcome", "rules"),
    [
        pytest.param(R.CARRIER, PERMIT, (TRAINED, "64.2005(d).fraud"), id="carrier"),
        pytest.param(R.AGENT, PERMIT, (TRAINED, "64.2005(d).fraud"), id="agent"),
        pytest.param(R.OTHER_CARRIER, PERMIT, (TRAINED, "64.2005(d).fraud"), id="other-carrier"),
        pytest.param(R.THIRD_PARTY, DENY, ("64.2005(d).fraud.recipient",), id="not-third-party"),
        pytest.param(R.AFFILIATE, DENY, ("64.2005(d).fraud.recipient",), id="not-affiliate"),
        pytest.param(
            R.NON_COMMUNICATIONS_AFFILIATE,
            DENY,
            ("64.2005(d).fraud.recipient",),
            id="not-non-communications-affiliate",
        ),
    ],
)
def test_fraud_protection_uses_cpni_without_approval(
    recipient: RecipientClass, outcome: Outcome, rules: tuple[str, ...]
) -> None:
    decision = decided(supervisor(P.FRAUD_PROTECTION, recipient))

    assert_decided(decision, outcome, rules)
    assert {reason.citation for reason in decision.reasons if "fraud" in reason.rule_id} == {
        "47 CFR 64.2005(d); 47 U.S.C. 222(d)(2)"
    }


@pytest.mark.parametrize(
    ("recipient", "sentence_end"),
    [
        pytest.param(R.AFFILIATE, "may not go to an affiliate.", id="an-affiliate"),
        pytest.param(R.THIRD_PARTY, "may not go to a third party.", id="a-third-party"),
        pytest.param(
            R.NON_COMMUNICATIONS_AFFILIATE,
            "may not go to an affiliate that provides no communications-related services.",
            id="a-non-communications-affiliate",
        ),
    ],
)
def test_a_wrong_recipient_is_named_in_plain_language(recipient: RecipientClass, sentence_end: str) -> None:
    decision = decided(supervisor(P.INSIDE_WIRING, recipient))

    assert decision.reasons[0].explanation == f"For inside wiring, data {sentence_end}"
