"""47 CFR 64.2007(b): which approval each recipient class needs (RULES.md section 3, 11.7, 11.10)."""

from __future__ import annotations

import pytest
from tests.unit.disclosure_builders import TRAINED, assert_decided, decided, employee_request, facts

from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.decisions import Outcome
from cpniguard.domain.disclosure_request import Approval, Channel, Purpose, RecipientClass
from cpniguard.domain.employees import Role

R, A = RecipientClass, Approval
PERMIT, DENY = Outcome.PERMIT, Outcome.DENY
ON_THIS_CALL = ("only_for_this_call",)
APPROVED = (TRAINED, "64.2007(b).approved")
ONE_TIME = (TRAINED, "64.2008(f).one-time")
OPTED_IN = (TRAINED, "64.2007(b).opt-in")
NOT_APPROVED, NEEDS_OPT_IN = ("64.2007(b).not-approved",), ("64.2007(b).opt-in-required",)
ASK_APPROVAL, ASK_OPT_IN = ("ask_for_approval",), ("ask_for_opt_in",)

OPT_OUT_RECIPIENTS = [
    pytest.param(R.CARRIER, id="own-use"),
    pytest.param(R.AGENT, id="agent"),
    pytest.param(R.AFFILIATE, id="affiliate"),
]
OPT_IN_RECIPIENTS = [
    pytest.param(R.JOINT_VENTURE_PARTNER, id="joint-venture-partner"),
    pytest.param(R.INDEPENDENT_CONTRACTOR, id="independent-contractor"),
    pytest.param(R.THIRD_PARTY, id="third-party"),
]
NON_COMMUNICATIONS_AFFILIATE = R.NON_COMMUNICATIONS_AFFILIATE
PARTNER_PURPOSE_RECIPIENTS = [
    *OPT_IN_RECIPIENTS,
    pytest.param(NON_COMMUNICATIONS_AFFILIATE, id="non-communications-affiliate"),
]


@pytest.mark.parametrize("recipient", OPT_OUT_RECIPIENTS)
@pytest.mark.parametrize(
    ("approval", "channel", "outcome", "rules", "conditions", "alternatives"),
    [
        pytest.param(
            A.OPT_OUT_DEEMED, Channel.EMAIL, PERMIT, APPROVED, (), (),
            id="opt-out-deemed-permits",
        ),
        pytest.param(
            A.OPT_IN, Channel.EMAIL, PERMIT, APPROVED, (), (),
            id="opt-in-permits",
        ),
        pytest.param(
            A.NONE, Channel.EMAIL, DENY, NOT_APPROVED, (), ASK_APPROVAL,
            id="no-approval-denies",
        ),
        pytest.param(
            A.OPTED_OUT, Channel.OUTBOUND_CALL, DENY, NOT_APPROVED, (), ASK_APPROVAL,
            id="opted-out-denies",
        ),
        pytest.param(
            A.ONE_TIME_ORAL, Channel.INBOUND_CALL, PERMIT, ONE_TIME, ON_THIS_CALL, (),
            id="one-time-oral-on-an-inbound-call-permits-for-the-call",
        ),
        pytest.param(
            A.ONE_TIME_ORAL, Channel.OUTBOUND_CALL, PERMIT, ONE_TIME, ON_THIS_CALL, (),
            id="one-time-oral-on-an-outbound-call-permits-for-the-call",
        ),
        pytest.param(
            A.ONE_TIME_ORAL, Channel.EMAIL, DENY, NOT_APPROVED, (), ASK_APPROVAL,
            id="one-time-oral-off-a-call-denies",
        ),
        pytest.param(
            A.ONE_TIME_ORAL, Channel.STORE, DENY, NOT_APPROVED, (), ASK_APPROVAL,
            id="one-time-oral-in-a-store-denies",
        ),
    ],
)  # fmt: skip
def test_own_use_agents_and_affiliates_may_rely_on_opt_out_or_opt_in(
    recipient: RecipientClass,
    approval: Approval,
    channel: Channel,
    outcome: Outcome,
    rules: tuple[str, ...],
    conditions: tuple[str, ...],
    alternatives: tuple[str, ...],
) -> None:
    decision = decided(
        employee_request(
            Role.SUPERVISOR,
            Purpose.MARKETING_COMMUNICATIONS_RELATED,
            recipient,
            channel=channel,
            offering=ServiceCategory.WIRELESS,
        ),
        facts(approvals={recipient: approval}, subscribed={ServiceCategory.LOCAL}),
    )

    assert_decided(decision, outcome, rules, conditions, alternatives)


@pytest.mark.parametrize("recipient", PARTNER_PURPOSE_RECIPIENTS)
@pytest.mark.parametrize(
    ("approval", "channel", "outcome", "rules", "alternatives"),
    [
        pytest.param(A.OPT_IN, Channel.EMAIL, PERMIT, OPTED_IN, (), id="opt-in-permits"),
        pytest.param(
            A.OPT_OUT_DEEMED, Channel.EMAIL, DENY, NEEDS_OPT_IN, ASK_OPT_IN,
            id="opt-out-deemed-is-not-enough",
        ),
        pytest.param(
            A.NONE, Channel.EMAIL, DENY, NEEDS_OPT_IN, ASK_OPT_IN,
            id="no-approval-denies",
        ),
        pytest.param(
            A.OPTED_OUT, Channel.EMAIL, DENY, NEEDS_OPT_IN, ASK_OPT_IN,
            id="opted-out-denies",
        ),
        pytest.param(
            A.ONE_TIME_ORAL, Channel.INBOUND_CALL, DENY, NEEDS_OPT_IN, ASK_OPT_IN,
            id="one-time-oral-on-a-call-is-not-opt-in",
        ),
    ],
)  # fmt: skip
def test_partners_contractors_third_parties_and_non_communications_affiliates_need_opt_in(
    recipient: RecipientClass,
    approval: Approval,
    channel: Channel,
    outcome: Outcome,
    rules: tuple[str, ...],
    alternatives: tuple[str, ...],
) -> None:
    decision = decided(
        employee_request(Role.MARKETING_ANALYST, Purpose.MARKETING_BY_PARTNERS, recipient, channel=channel),
        facts(approvals={recipient: approval}),
    )

    assert_decided(decision, outcome, rules, alternatives=alternatives)


@pytest.mark.parametrize("recipient", OPT_IN_RECIPIENTS)
def test_partners_cannot_receive_cpni_on_the_opt_out_basis(recipient: RecipientClass) -> None:
    decision = decided(
        employee_request(Role.SUPERVISOR, Purpose.MARKETING_COMMUNICATIONS_RELATED, recipient),
        facts(approvals={recipient: A.OPT_OUT_DEEMED}),
    )

    assert_decided(decision, DENY, ("64.2007(b).approved.recipient",))


@pytest.mark.parametrize("recipient", OPT_OUT_RECIPIENTS)
def test_the_partner_purpose_is_not_a_way_around_the_carrier_side_rules(recipient: RecipientClass) -> None:
    decision = decided(
        employee_request(Role.SUPERVISOR, Purpose.MARKETING_BY_PARTNERS, recipient),
        facts(approvals={recipient: A.OPT_IN}),
    )

    assert_decided(decision, DENY, ("64.2007(b).opt-in.recipient",))


@pytest.mark.parametrize(
    ("approvals", "recipient"),
    [
        pytest.param(
            {R.AFFILIATE: A.OPT_IN}, R.THIRD_PARTY, id="affiliate-opt-in-does-not-cover-a-third-party"
        ),
        pytest.param(
            {R.THIRD_PARTY: A.OPT_IN},
            R.JOINT_VENTURE_PARTNER,
            id="third-party-opt-in-does-not-cover-a-partner",
        ),
        pytest.param(
            {R.AFFILIATE: A.OPT_IN},
            NON_COMMUNICATIONS_AFFILIATE,
            id="communications-affiliate-opt-in-does-not-cover-a-non-communications-affiliate",
        ),
    ],
)
def test_approval_is_given_per_recipient_class(
    approvals: dict[RecipientClass, Approval], recipient: RecipientClass
) -> None:
    decision = decided(
        employee_request(Role.MARKETING_ANALYST, Purpose.MARKETING_BY_PARTNERS, recipient),
        facts(approvals=approvals),
    )

    assert_decided(decision, DENY, ("64.2007(b).opt-in-required",), alternatives=("ask_for_opt_in",))


def test_approval_for_the_carrier_does_not_extend_to_its_agents() -> None:
    decision = decided(
        employee_request(Role.SUPERVISOR, Purpose.MARKETING_COMMUNICATIONS_RELATED, R.AGENT),
        facts(approvals={R.CARRIER: A.OPT_IN}),
    )

    assert_decided(decision, DENY, ("64.2007(b).not-approved",), alternatives=("ask_for_approval",))


# ------------------------------------------------------------------ 64.2007(b): non-communications affiliates

NON_COMMUNICATIONS = ("64.2007(b).non-communications-affiliate",)
OPT_OUT_PURPOSES = [
    pytest.param(Purpose.MARKETING_COMMUNICATIONS_RELATED, id="64.2007(b)-communications-related"),
    pytest.param(Purpose.MARKETING_WITHIN_SUBSCRIBED, id="64.2005(a)-within-the-categories"),
    pytest.param(Purpose.AFFILIATE_SHARING, id="64.2005(a)(1)-affiliate-sharing"),
]
SEVERAL_CATEGORIES = {ServiceCategory.LOCAL, ServiceCategory.WIRELESS}


@pytest.mark.parametrize("purpose", OPT_OUT_PURPOSES)
@pytest.mark.parametrize(
    ("approval", "channel", "outcome", "rules", "alternatives"),
    [
        pytest.param(A.OPT_IN, Channel.EMAIL, PERMIT, OPTED_IN, (), id="opt-in-permits"),
        pytest.param(
            A.OPT_OUT_DEEMED, Channel.EMAIL, DENY, NON_COMMUNICATIONS, ASK_OPT_IN,
            id="opt-out-deemed-is-not-enough",
        ),
        pytest.param(A.NONE, Channel.EMAIL, DENY, NON_COMMUNICATIONS, ASK_OPT_IN, id="no-approval-denies"),
        pytest.param(
            A.OPTED_OUT, Channel.OUTBOUND_CALL, DENY, NON_COMMUNICATIONS, ASK_OPT_IN, id="opted-out-denies"
        ),
        pytest.param(
            A.ONE_TIME_ORAL, Channel.INBOUND_CALL, DENY, NON_COMMUNICATIONS, ASK_OPT_IN,
            id="one-time-oral-on-a-call-is-not-opt-in",
        ),
    ],
)  # fmt: skip
def test_an_affiliate_without_communications_related_services_needs_opt_in_where_others_need_opt_out(
    purpose: Purpose,
    approval: Approval,
    channel: Channel,
    outcome: Outcome,
    rules: tuple[str, ...],
    alternatives: tuple[str, ...],
) -> None:
    decision = decided(
        employee_request(
            Role.SUPERVISOR,
            purpose,
            NON_COMMUNICATIONS_AFFILIATE,
            channel=channel,
            offering=ServiceCategory.LOCAL,
        ),
        facts(approvals={NON_COMMUNICATIONS_AFFILIATE: approval}, subscribed=SEVERAL_CATEGORIES),
    )

    assert_decided(decision, outcome, rules, alternatives=alternatives)


@pytest.mark.parametrize("purpose", OPT_OUT_PURPOSES)
def test_opt_out_for_communications_affiliates_does_not_reach_a_non_communications_affiliate(
    purpose: Purpose,
) -> None:
    decision = decided(
        employee_request(
            Role.SUPERVISOR, purpose, NON_COMMUNICATIONS_AFFILIATE, offering=ServiceCategory.LOCAL
        ),
        facts(approvals={R.AFFILIATE: A.OPT_OUT_DEEMED, R.CARRIER: A.OPT_IN}, subscribed=SEVERAL_CATEGORIES),
    )

    assert_decided(decision, DENY, NON_COMMUNICATIONS, alternatives=ASK_OPT_IN)


def test_the_non_communications_affiliate_refusal_names_opt_in_and_its_rule() -> None:
    decision = decided(
        employee_request(
            Role.SUPERVISOR, Purpose.MARKETING_COMMUNICATIONS_RELATED, NON_COMMUNICATIONS_AFFILIATE
        ),
        facts(approvals={NON_COMMUNICATIONS_AFFILIATE: A.OPT_OUT_DEEMED}),
    )

    (reason,) = decision.reasons
    assert reason.citation == "47 CFR 64.2007(b); 64.2005(a)(1)"
    assert reason.explanation == (
        "This affiliate provides no communications-related services, so it needs the customer's opt-in; "
        "opt-out, or the customer buying several categories of service, is not enough."
    )
    assert [alternative.text for alternative in decision.alternatives] == [
        "Ask the customer to opt in to sharing with this kind of recipient."
    ]
