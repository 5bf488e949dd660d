"""Which authentication a representative may reach on which channel, and when it counts.

47 CFR 64.2010(a)-(e), (g); RULES.md section 6. A password or PIN is asked for without a
biographical or account prompt; a callback goes only to the telephone number of record; a
code only to the email address of record; a letter only to the postal address of record;
a photo ID only in a store, valid, unexpired and matching the account; the contract method
only for a business customer with both 64.2010(g) conditions. These functions only judge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType

from cpniguard.domain.credentials import normalized
from cpniguard.domain.disclosure_request import AuthenticationMethod, Channel
from cpniguard.domain.errors import FieldProblem
from cpniguard.domain.interactions import DEFAULT_INTERACTION_LIFETIME
from cpniguard.domain.lockout import LockoutPolicy

_CALLS_AND_ONLINE = frozenset({Channel.INBOUND_CALL, Channel.OUTBOUND_CALL, Channel.ONLINE})
METHOD_CHANNELS: Mapping[AuthenticationMethod, frozenset[Channel]] = MappingProxyType(
    {
        AuthenticationMethod.PASSWORD: _CALLS_AND_ONLINE | {Channel.STORE},
        AuthenticationMethod.CALLBACK_TO_NUMBER_OF_RECORD: frozenset({Channel.INBOUND_CALL}),
        AuthenticationMethod.CODE_TO_EMAIL_OF_RECORD: _CALLS_AND_ONLINE,
        AuthenticationMethod.LETTER_TO_POSTAL_ADDRESS_OF_RECORD: _CALLS_AND_ONLINE
        | {Channel.STORE, Channel.POSTAL_MAIL},
        AuthenticationMethod.PHOTO_ID: frozenset({Channel.STORE}),
        AuthenticationMethod.BUSINESS_CONTRACT: _CALLS_AND_ONLINE | {Channel.STORE, Channel.EMAIL},
    }
)
"""Where each method can be reached: a photo ID is shown in a store (64.2010(d)); a callback
answers an inbound call (64.2010(b)); the others wherever the customer can say a secret back."""

ACTIVATION_PERIOD = timedelta(days=1)
"""A credential first set within this time of the account's opening is set at activation:
no account-change notice goes out for it (64.2010(f))."""


@dataclass(frozen=True, slots=True)
class CallerAuthPolicy:
    """The carrier's numbers for lockout, pretexting alerts and one-time codes (64.2010(a))."""

    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    pretexting_accounts: int = 3
    """Failures on this many different accounts from one caller number raise an alert."""
    pretexting_window: timedelta = timedelta(hours=1)
    code_lifetime: timedelta = timedelta(minutes=15)
    letter_lifetime: timedelta = timedelta(days=30)
    code_max_failures: int = 5
    """Wrong answers after which a one-time code is spent."""
    interaction_lifetime: timedelta = DEFAULT_INTERACTION_LIFETIME
    """An interaction nobody ended stops counting after this long."""


def method_channel_problem(method: AuthenticationMethod, channel: Channel) -> FieldProblem | None:
    """Why `method` cannot be reached on `channel`, or None when it can (64.2010(b)-(d))."""
    allowed = METHOD_CHANNELS[method]
    if channel in allowed:
        return None
    return FieldProblem(
        "method",
        f"{method} authentication is not allowed on the {channel} channel; "
        f"allowed on: {', '.join(sorted(allowed))}",
    )


def is_set_at_activation(*, opened_at: datetime, had_one_before: bool, at: datetime) -> bool:
    """Whether a credential is set at activation, which sends no notice (64.2010(f))."""
    return not had_one_before and at - opened_at <= ACTIVATION_PERIOD


@dataclass(frozen=True, slots=True)
class PhotoId:
    """What the representative reads off the ID the customer shows in a store (64.2010(d))."""

    government_issued: bool
    name_on_id: str
    expires_on: date


def photo_id_problems(photo_id: PhotoId, *, holder_name: str, today: date) -> list[FieldProblem]:
    """Why the photo ID does not authenticate the customer, or nothing when it does (64.2010(d)).

    It must be government-issued, not expired, and bear the account holder's name
    (compared without case, accents or punctuation).
    """
    problems = []
    if not photo_id.government_issued:
        problems.append(FieldProblem("government_issued", "the photo ID must be government-issued"))
    if photo_id.expires_on < today:
        problems.append(FieldProblem("expires_on", "the photo ID has expired"))
    if normalized(photo_id.name_on_id) != normalized(holder_name):
        problems.append(FieldProblem("name_on_id", "the name on the photo ID does not match the account"))
    return problems


def business_contract_problems(
    *, is_business_account: bool, has_dedicated_representative: bool, has_cpni_contract: bool
) -> list[FieldProblem]:
    """Why the contract method is not open to this account, or nothing when it is (64.2010(g)).

    Both conditions are needed: a dedicated account representative and a contract that
    specifically addresses the carrier's protection of CPNI.
    """
    problems = []
    if not is_business_account:
        problems.append(FieldProblem("account", "the contract method is only for business customers"))
    if not has_dedicated_representative:
        problems.append(FieldProblem("account", "the account has no dedicated account representative"))
    if not has_cpni_contract:
        problems.append(FieldProblem("account", "the account has no contract that addresses CPNI"))
    return problems


def is_pretexting_suspected(failing_accounts: int, policy: CallerAuthPolicy) -> bool:
    """Whether failures from one caller number on many accounts look like pretexting (64.2010(a))."""
    return failing_accounts >= policy.pretexting_accounts
