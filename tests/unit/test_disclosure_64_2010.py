"""47 CFR 64.2010: safeguards on disclosure to the customer, by channel (RULES.md section 6)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, cast

import pytest
from tests.unit.disclosure_builders import (
    RULES_2007,
    TRAINED,
    alternative_codes,
    business_facts,
    condition_codes,
    decided,
    facts,
    outside_request,
    request,
    rule_ids,
)

from cpniguard.domain.channels import channel_verdict
from cpniguard.domain.classification import DataClass
from cpniguard.domain.decisions import Outcome
from cpniguard.domain.disclosure_request import (
    ActorKind,
    AuthenticationMethod,
    Channel,
    Destination,
    DisclosureFacts,
    Purpose,
    RecipientClass,
)

M = AuthenticationMethod
CALL_DETAIL, CPNI = DataClass.CALL_DETAIL, DataClass.CPNI
PROVIDE_SERVICE = "222(c)(1).provide-service"
ASK_ALTERNATIVES_FOR_CALL_DETAIL = (
    "ask_for_password",
    "send_to_postal_address_of_record",
    "send_to_email_address_of_record",
    "call_back_number_of_record",
)
SEND_TO_RECORD = ("send_to_postal_address_of_record", "send_to_email_address_of_record")


@dataclass(frozen=True)
class ChannelCase:
    """A representative's disclosure to the customer, and what 64.2010 answers."""

    channel: Channel
    data: DataClass
    authentication: tuple[M, ...] = ()
    stated_unaided: bool = False
    destination: Destination | None = None
    outcome: Outcome = Outcome.DENY
    channel_rules: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()


def permits(channel: Channel, data: DataClass, rule: str, **others: Any) -> ChannelCase:
    return ChannelCase(channel, data, outcome=Outcome.PERMIT, channel_rules=(rule,), **others)


def denies(channel: Channel, data: DataClass, rule: str, **others: Any) -> ChannelCase:
    return ChannelCase(channel, data, outcome=Outcome.DENY, channel_rules=(rule,), **others)


IN, OUT, STORE, POSTAL, EMAIL = (
    Channel.INBOUND_CALL,
    Channel.OUTBOUND_CALL,
    Channel.STORE,
    Channel.POSTAL_MAIL,
    Channel.EMAIL,
)
D = Destination
CHANNEL_CASES = [
    # 64.2010(b): call detail on a call the customer made
    pytest.param(
        permits(IN, CALL_DETAIL, "64.2010(b).password", authentication=(M.PASSWORD,)),
        id="inbound-call-password-permits-call-detail",
    ),
    pytest.param(
        denies(IN, CALL_DETAIL, "64.2010(b).no-password", alternatives=ASK_ALTERNATIVES_FOR_CALL_DETAIL),
        id="inbound-call-without-password-denies-call-detail",
    ),
    pytest.param(
        denies(
            IN,
            CALL_DETAIL,
            "64.2010(b).no-password",
            authentication=(M.CODE_TO_EMAIL_OF_RECORD, M.PHOTO_ID, M.CALLBACK_TO_NUMBER_OF_RECORD),
            alternatives=ASK_ALTERNATIVES_FOR_CALL_DETAIL,
        ),
        id="inbound-call-other-methods-do-not-unlock-call-detail",
    ),
    pytest.param(
        permits(
            IN,
            CALL_DETAIL,
            "64.2010(b).customer-stated",
            stated_unaided=True,
            conditions=("only_the_stated_call_detail",),
        ),
        id="inbound-call-customer-stated-call-detail-permits-only-that-call",
    ),
    # 64.2010(a): other CPNI on a call the customer made
    pytest.param(
        permits(IN, CPNI, "64.2010(a).authenticated", authentication=(M.PASSWORD,)),
        id="inbound-call-password-permits-other-cpni",
    ),
    pytest.param(
        permits(IN, CPNI, "64.2010(a).authenticated", authentication=(M.CODE_TO_EMAIL_OF_RECORD,)),
        id="inbound-call-code-to-email-of-record-permits-other-cpni",
    ),
    pytest.param(
        denies(
            IN,
            CPNI,
            "64.2010(a).unauthenticated",
            alternatives=("ask_for_password", "send_code_to_email_of_record", "call_back_number_of_record"),
        ),
        id="inbound-call-unauthenticated-denies-other-cpni",
    ),
    pytest.param(
        denies(
            IN,
            DataClass.ACCOUNT_INFORMATION,
            "64.2010(a).unauthenticated",
            stated_unaided=True,
            alternatives=("ask_for_password", "send_code_to_email_of_record", "call_back_number_of_record"),
        ),
        id="inbound-call-stated-call-detail-does-not-unlock-account-information",
    ),
    # 64.2010(b): a call we placed
    pytest.param(
        permits(OUT, CALL_DETAIL, "64.2010(b).callback", authentication=(M.CALLBACK_TO_NUMBER_OF_RECORD,)),
        id="outbound-callback-to-number-of-record-permits-call-detail",
    ),
    pytest.param(
        denies(
            OUT,
            CPNI,
            "64.2010(b).outbound-not-of-record",
            authentication=(M.PASSWORD,),
            alternatives=("call_back_number_of_record",),
        ),
        id="outbound-call-not-to-number-of-record-denies-even-with-password",
    ),
    # 64.2010(d): a store visit
    pytest.param(
        permits(STORE, CALL_DETAIL, "64.2010(d).photo-id", authentication=(M.PHOTO_ID,)),
        id="store-photo-id-permits-call-detail",
    ),
    pytest.param(
        denies(
            STORE,
            CPNI,
            "64.2010(d).no-photo-id",
            authentication=(M.PASSWORD,),
            alternatives=("check_photo_id",),
        ),
        id="store-without-photo-id-denies-even-with-password",
    ),
    # 64.2010(b), 64.2003(b): sending to an address of record
    pytest.param(
        permits(
            POSTAL,
            CALL_DETAIL,
            "64.2010(b).address-of-record",
            destination=D.POSTAL_ADDRESS_OF_RECORD,
            conditions=("deliver_to_postal_address_of_record",),
        ),
        id="postal-to-address-of-record-permits-call-detail",
    ),
    pytest.param(
        denies(
            POSTAL,
            CALL_DETAIL,
            "64.2010(b).not-of-record",
            destination=D.NOT_OF_RECORD,
            alternatives=SEND_TO_RECORD,
        ),
        id="postal-to-address-not-of-record-denies",
    ),
    pytest.param(
        denies(
            POSTAL,
            CPNI,
            "64.2010(b).not-of-record",
            destination=D.EMAIL_ADDRESS_OF_RECORD,
            alternatives=SEND_TO_RECORD,
        ),
        id="postal-to-an-email-of-record-denies",
    ),
    pytest.param(
        denies(POSTAL, CPNI, "64.2010(b).not-of-record", alternatives=SEND_TO_RECORD),
        id="postal-without-destination-denies",
    ),
    pytest.param(
        permits(
            EMAIL,
            CALL_DETAIL,
            "64.2010(b).address-of-record",
            destination=D.EMAIL_ADDRESS_OF_RECORD,
            conditions=("deliver_to_email_address_of_record",),
        ),
        id="email-to-address-of-record-permits-call-detail",
    ),
    pytest.param(
        denies(
            EMAIL,
            CALL_DETAIL,
            "64.2010(b).not-of-record",
            destination=D.NOT_OF_RECORD,
            alternatives=SEND_TO_RECORD,
        ),
        id="email-to-address-not-of-record-denies",
    ),
    pytest.param(
        denies(
            EMAIL,
            CPNI,
            "64.2010(b).not-of-record",
            destination=D.POSTAL_ADDRESS_OF_RECORD,
            alternatives=SEND_TO_RECORD,
        ),
        id="email-to-a-postal-address-of-record-denies",
    ),
]


@pytest.mark.parametrize("case", CHANNEL_CASES)
def test_disclosure_to_the_customer_follows_the_channel_safeguards(case: ChannelCase) -> None:
    decision = decided(
        request(data=case.data, channel=case.channel, destination=case.destination),
        facts(authentication=case.authentication, stated_unaided=case.stated_unaided),
    )

    permitted_by = (TRAINED, PROVIDE_SERVICE) if case.outcome is Outcome.PERMIT else ()
    assert decision.outcome is case.outcome
    assert rule_ids(decision) == (*permitted_by, *case.channel_rules)
    assert condition_codes(decision) == case.conditions
    assert alternative_codes(decision) == case.alternatives
    assert decision.rule_set == RULES_2007


@pytest.mark.parametrize("channel", [Channel.ONLINE, Channel.API])
@pytest.mark.parametrize("data", [CALL_DETAIL, CPNI, DataClass.ACCOUNT_INFORMATION])
def test_online_access_to_any_cpni_is_permitted_after_the_password(channel: Channel, data: DataClass) -> None:
    decision = decided(
        outside_request(
            ActorKind.CUSTOMER, Purpose.BILLING, RecipientClass.CUSTOMER, data=data, channel=channel
        ),
        facts(authentication=(M.PASSWORD,)),
    )

    assert decision.outcome is Outcome.PERMIT
    assert rule_ids(decision) == ("222.requester", "222(d)(1).billing", "64.2010(c).password")


@pytest.mark.parametrize("channel", [Channel.ONLINE, Channel.API])
@pytest.mark.parametrize("data", [CALL_DETAIL, CPNI, DataClass.ACCOUNT_INFORMATION])
def test_online_access_to_any_cpni_is_denied_without_the_password(channel: Channel, data: DataClass) -> None:
    decision = decided(
        outside_request(
            ActorKind.CUSTOMER, Purpose.BILLING, RecipientClass.CUSTOMER, data=data, channel=channel
        ),
        facts(authentication=(M.CODE_TO_EMAIL_OF_RECORD, M.PHOTO_ID), stated_unaided=True),
    )

    assert decision.outcome is Outcome.DENY
    assert rule_ids(decision) == ("64.2010(c).no-password",)
    assert alternative_codes(decision) == ("sign_in_with_password",)


# ------------------------------------------------------------------ 64.2010(g) business customers


@pytest.mark.parametrize(
    "channel",
    [Channel.INBOUND_CALL, Channel.OUTBOUND_CALL, Channel.STORE, Channel.ONLINE, Channel.API],
)
def test_a_business_contract_with_both_conditions_replaces_the_default_authentication(
    channel: Channel,
) -> None:
    decision = decided(request(data=CALL_DETAIL, channel=channel), business_facts())

    assert decision.outcome is Outcome.PERMIT
    assert rule_ids(decision) == (TRAINED, PROVIDE_SERVICE, "64.2010(g).contract")


@pytest.mark.parametrize(
    ("business", "dedicated_representative", "cpni_contract"),
    [
        pytest.param(True, False, True, id="no-dedicated-representative"),
        pytest.param(True, True, False, id="no-cpni-contract"),
        pytest.param(True, False, False, id="neither-condition"),
        pytest.param(False, True, True, id="not-a-business-account"),
    ],
)
def test_a_business_contract_without_both_conditions_falls_back_to_the_default_rules(
    business: bool, dedicated_representative: bool, cpni_contract: bool
) -> None:
    decision = decided(
        request(data=CALL_DETAIL, channel=Channel.INBOUND_CALL),
        business_facts(
            business=business, dedicated_representative=dedicated_representative, cpni_contract=cpni_contract
        ),
    )

    assert decision.outcome is Outcome.DENY
    assert rule_ids(decision) == ("64.2010(g).incomplete", "64.2010(b).no-password")
    assert alternative_codes(decision) == ASK_ALTERNATIVES_FOR_CALL_DETAIL


def test_an_incomplete_business_contract_does_not_stop_a_password_from_permitting() -> None:
    decision = decided(
        request(data=CALL_DETAIL, channel=Channel.INBOUND_CALL),
        business_facts(cpni_contract=False, authentication=(M.BUSINESS_CONTRACT, M.PASSWORD)),
    )

    assert decision.outcome is Outcome.PERMIT
    assert rule_ids(decision) == (TRAINED, PROVIDE_SERVICE, "64.2010(b).password")


def test_business_conditions_count_only_when_the_contract_method_was_used() -> None:
    decision = decided(
        request(data=CALL_DETAIL, channel=Channel.INBOUND_CALL), business_facts(authentication=())
    )

    assert decision.outcome is Outcome.DENY
    assert rule_ids(decision) == ("64.2010(b).no-password",)


@pytest.mark.parametrize("channel", [Channel.POSTAL_MAIL, Channel.EMAIL])
def test_a_business_contract_never_sends_to_an_address_not_of_record(channel: Channel) -> None:
    decision = decided(
        request(data=CALL_DETAIL, channel=channel, destination=Destination.NOT_OF_RECORD), business_facts()
    )

    assert decision.outcome is Outcome.DENY
    assert rule_ids(decision) == ("64.2010(b).not-of-record",)


# ------------------------------------------------------------------ scope of 64.2010


@pytest.mark.parametrize("recipient", [RecipientClass.CARRIER, RecipientClass.AGENT])
def test_use_inside_the_carrier_is_not_governed_by_the_channel_safeguards(recipient: RecipientClass) -> None:
    decision = decided(request(data=CALL_DETAIL, channel=Channel.INBOUND_CALL, recipient=recipient))

    assert decision.outcome is Outcome.PERMIT
    assert rule_ids(decision) == (TRAINED, PROVIDE_SERVICE)


def test_a_channel_without_safeguards_is_denied_by_default() -> None:
    verdict = channel_verdict(
        request(channel=cast("Channel", "carrier_pigeon")), facts(authentication=(M.PASSWORD,))
    )

    assert not verdict.allows
    assert tuple(reason.rule_id for reason in verdict.reasons) == ("deny-by-default.channel",)


@pytest.mark.parametrize(
    ("as_text", "known"),
    [
        pytest.param({"recipient": "customer"}, facts(), id="recipient-as-text"),
        pytest.param(
            {"data_category": "call_detail"},
            facts(authentication=(M.CODE_TO_EMAIL_OF_RECORD,)),
            id="data-as-text",
        ),
    ],
)
def test_call_detail_given_as_plain_text_is_still_denied_on_an_inbound_call_without_password(
    as_text: dict[str, Any], known: DisclosureFacts
) -> None:
    decision = decided(replace(request(data=CALL_DETAIL, channel=Channel.INBOUND_CALL), **as_text), known)

    assert decision.outcome is Outcome.DENY
    assert rule_ids(decision) == ("64.2010(b).no-password",)
