"""Safeguards on disclosure to the customer, by channel (47 CFR 64.2010; RULES.md section 6).

Only disclosure to the customer is governed here: a customer-initiated call, online
access, a store visit, or sending to the customer. Call detail on an inbound call needs a
password that was not prompted by biographical or account information, or the specific
call detail the customer states unaided (64.2010(b)); otherwise it may only be sent to an
address of record or given by calling back the telephone number of record. Online access
to any CPNI needs a password (64.2010(c)); a store needs a valid photo ID (64.2010(d)); a
business customer's contract method counts only with both 64.2010(g) conditions.
"""

from __future__ import annotations

from collections.abc import Callable

from cpniguard.domain.classification import DataClass
from cpniguard.domain.decisions import Alternative, Condition, Reason, Verdict, allow, refuse
from cpniguard.domain.disclosure_request import (
    AuthenticationMethod,
    Channel,
    Destination,
    DisclosureFacts,
    DisclosureRequest,
    RecipientClass,
)

Method = AuthenticationMethod

SEND_TO_POSTAL = Alternative(
    "send_to_postal_address_of_record", "Mail it to the postal address of record (on the account 30+ days)."
)
SEND_TO_EMAIL = Alternative(
    "send_to_email_address_of_record", "Email it to the email address of record (on the account 30+ days)."
)
CALL_BACK = Alternative(
    "call_back_number_of_record", "Call the customer back at the telephone number of record."
)
ASK_PASSWORD = Alternative("ask_for_password", "Ask for the account password or PIN, without hinting.")
SEND_CODE = Alternative(
    "send_code_to_email_of_record", "Send a one-time code to the email address of record."
)
CHECK_PHOTO_ID = Alternative("check_photo_id", "Check a valid, unexpired government photo ID.")
SIGN_IN = Alternative("sign_in_with_password", "Sign in with the online password.")

PASSWORD_FOR_CALL_DETAIL = Reason(
    "64.2010(b).password",
    "47 CFR 64.2010(b)",
    "The caller gave the account password without being prompted, so call detail may be discussed.",
)
STATED_CALL_DETAIL = Reason(
    "64.2010(b).customer-stated",
    "47 CFR 64.2010(b)",
    "The caller stated this call detail without help, so that specific call may be discussed.",
)
NO_PASSWORD_FOR_CALL_DETAIL = Reason(
    "64.2010(b).no-password",
    "47 CFR 64.2010(b)",
    "Call detail cannot be given on a call the customer made unless the customer first gives the "
    "password. It can be mailed to an address of record, or given by calling back the number of record.",
)
CALLBACK_REACHED = Reason(
    "64.2010(b).callback",
    "47 CFR 64.2010(b)",
    "This is a call back to the telephone number of record, so the customer may be told about the account.",
)
NO_CALLBACK = Reason(
    "64.2010(b).outbound-not-of-record",
    "47 CFR 64.2010(b)",
    "On a call we placed, account details are given only when we called the telephone number of record.",
)
AUTHENTICATED_CALLER = Reason(
    "64.2010(a).authenticated",
    "47 CFR 64.2010(a)",
    "The caller was authenticated in this call, so account information other than call detail may be given.",
)
UNAUTHENTICATED_CALLER = Reason(
    "64.2010(a).unauthenticated",
    "47 CFR 64.2010(a)",
    "The caller has not been authenticated yet, so no account information may be given on this call.",
)
ONLINE_PASSWORD = Reason(
    "64.2010(c).password",
    "47 CFR 64.2010(c)",
    "The customer signed in with the online password, so account information may be shown.",
)
ONLINE_NO_PASSWORD = Reason(
    "64.2010(c).no-password",
    "47 CFR 64.2010(c)",
    "Online access to any account information needs the customer's password first.",
)
STORE_PHOTO_ID = Reason(
    "64.2010(d).photo-id",
    "47 CFR 64.2010(d)",
    "The customer showed a valid photo ID that matches the account.",
)
STORE_NO_PHOTO_ID = Reason(
    "64.2010(d).no-photo-id",
    "47 CFR 64.2010(d)",
    "In a store, account information is given only after a valid, unexpired photo ID that matches "
    "the account.",
)
BUSINESS_CONTRACT = Reason(
    "64.2010(g).contract",
    "47 CFR 64.2010(g)",
    "This business customer has a dedicated representative and a contract that sets how it is authenticated.",
)
BUSINESS_CONTRACT_INCOMPLETE = Reason(
    "64.2010(g).incomplete",
    "47 CFR 64.2010(g)",
    "The business contract method counts only when the account has both a dedicated representative "
    "and a contract that covers CPNI; this account does not have both.",
)
SENT_TO_RECORD = Reason(
    "64.2010(b).address-of-record",
    "47 CFR 64.2010(b), 64.2003(b)",
    "It is sent only to an address of record, one on the account for at least 30 days.",
)
NOT_TO_RECORD = Reason(
    "64.2010(b).not-of-record",
    "47 CFR 64.2010(b), 64.2003(b)",
    "Account information is sent only to an address of record (on the account for at least 30 days), "
    "never to an address given during the contact.",
)
DELIVER_TO_POSTAL = Condition(
    "deliver_to_postal_address_of_record", "Deliver only to the postal address of record."
)
DELIVER_TO_EMAIL = Condition(
    "deliver_to_email_address_of_record", "Deliver only to the email address of record."
)
ONLY_STATED_CALL = Condition(
    "only_the_stated_call_detail", "Discuss only the call the customer described; reveal no other record."
)

ALLOW_PASSWORD_CALL_DETAIL = allow(PASSWORD_FOR_CALL_DETAIL)
ALLOW_STATED = allow(STATED_CALL_DETAIL, ONLY_STATED_CALL)
REFUSE_CALL_DETAIL = refuse(
    NO_PASSWORD_FOR_CALL_DETAIL, ASK_PASSWORD, SEND_TO_POSTAL, SEND_TO_EMAIL, CALL_BACK
)
ALLOW_AUTHENTICATED = allow(AUTHENTICATED_CALLER)
REFUSE_UNAUTHENTICATED = refuse(UNAUTHENTICATED_CALLER, ASK_PASSWORD, SEND_CODE, CALL_BACK)
ALLOW_CALLBACK = allow(CALLBACK_REACHED)
REFUSE_OUTBOUND = refuse(NO_CALLBACK, CALL_BACK)
ALLOW_ONLINE = allow(ONLINE_PASSWORD)
REFUSE_ONLINE = refuse(ONLINE_NO_PASSWORD, SIGN_IN)
ALLOW_STORE = allow(STORE_PHOTO_ID)
REFUSE_STORE = refuse(STORE_NO_PHOTO_ID, CHECK_PHOTO_ID)
ALLOW_BUSINESS = allow(BUSINESS_CONTRACT)
ALLOW_POSTAL = allow(SENT_TO_RECORD, DELIVER_TO_POSTAL)
ALLOW_EMAIL = allow(SENT_TO_RECORD, DELIVER_TO_EMAIL)
REFUSE_NOT_OF_RECORD = refuse(NOT_TO_RECORD, SEND_TO_POSTAL, SEND_TO_EMAIL)
NOT_GOVERNED = Verdict(allows=True, reasons=())
"""Use by the carrier or disclosure to others: 64.2010 does not apply; the purpose rules do."""

REFUSE_BUSINESS_INCOMPLETE = refuse(BUSINESS_CONTRACT_INCOMPLETE, ASK_PASSWORD, CALL_BACK)
METHODS_FOR_CALLER = frozenset({Method.PASSWORD, Method.CODE_TO_EMAIL_OF_RECORD})
"""Methods that authenticate a caller for CPNI other than call detail (64.2010(a))."""
SENDING_CHANNELS = frozenset({Channel.POSTAL_MAIL, Channel.EMAIL})
"""Channels that send to an address of record (64.2010(b)): the destination decides, not the
64.2010(g) contract method."""


def _business_verdict(facts: DisclosureFacts) -> Verdict | None:
    """The 64.2010(g) outcome when the contract method was used; None when it was not."""
    if Method.BUSINESS_CONTRACT not in facts.authentication:
        return None
    if facts.has_business_exemption:
        return ALLOW_BUSINESS
    return REFUSE_BUSINESS_INCOMPLETE


def _inbound_call(request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """64.2010(a), (b): a customer-initiated call."""
    methods = facts.authentication
    if request.data_category is DataClass.CALL_DETAIL:
        if Method.PASSWORD in methods:
            return ALLOW_PASSWORD_CALL_DETAIL
        if facts.call_detail_stated_unaided:
            return ALLOW_STATED
        return REFUSE_CALL_DETAIL
    if methods & METHODS_FOR_CALLER:
        return ALLOW_AUTHENTICATED
    return REFUSE_UNAUTHENTICATED


def _outbound_call(_request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """64.2010(b): a call we placed counts only when it went to the number of record."""
    if Method.CALLBACK_TO_NUMBER_OF_RECORD in facts.authentication:
        return ALLOW_CALLBACK
    return REFUSE_OUTBOUND


def _online(_request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """64.2010(c): online (and API on the customer's behalf) needs the password, for any CPNI."""
    return ALLOW_ONLINE if Method.PASSWORD in facts.authentication else REFUSE_ONLINE


def _store(_request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """64.2010(d): a valid photo ID that matches."""
    return ALLOW_STORE if Method.PHOTO_ID in facts.authentication else REFUSE_STORE


def _postal(request: DisclosureRequest, _facts: DisclosureFacts) -> Verdict:
    """64.2010(b), 64.2003(b): mail only to the postal address of record."""
    if request.destination is Destination.POSTAL_ADDRESS_OF_RECORD:
        return ALLOW_POSTAL
    return REFUSE_NOT_OF_RECORD


def _email(request: DisclosureRequest, _facts: DisclosureFacts) -> Verdict:
    """64.2010(b), 64.2003(b): email only to the email address of record."""
    if request.destination is Destination.EMAIL_ADDRESS_OF_RECORD:
        return ALLOW_EMAIL
    return REFUSE_NOT_OF_RECORD


ChannelRule = Callable[[DisclosureRequest, DisclosureFacts], Verdict]

CHANNEL_RULES: dict[Channel, ChannelRule] = {
    Channel.INBOUND_CALL: _inbound_call,
    Channel.OUTBOUND_CALL: _outbound_call,
    Channel.ONLINE: _online,
    Channel.API: _online,
    Channel.STORE: _store,
    Channel.POSTAL_MAIL: _postal,
    Channel.EMAIL: _email,
}

UNKNOWN_CHANNEL = Reason(
    "deny-by-default.channel",
    "47 CFR 64.2010(a)",
    "The channel is not one cpniguard knows, so nothing may be disclosed through it.",
)


REFUSE_UNKNOWN_CHANNEL = refuse(UNKNOWN_CHANNEL)


def channel_verdict(request: DisclosureRequest, facts: DisclosureFacts) -> Verdict:
    """Whether the channel's safeguards allow disclosure to the customer (47 CFR 64.2010)."""
    if request.recipient is not RecipientClass.CUSTOMER:
        return NOT_GOVERNED
    rule = CHANNEL_RULES.get(request.channel)
    if rule is None:
        return REFUSE_UNKNOWN_CHANNEL
    business = None if request.channel in SENDING_CHANNELS else _business_verdict(facts)
    if business is not None and business.allows:
        return business
    verdict = rule(request, facts)
    if business is not None and not verdict.allows:
        return Verdict(
            allows=False, reasons=business.reasons + verdict.reasons, alternatives=verdict.alternatives
        )
    return verdict
