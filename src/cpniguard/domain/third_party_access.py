"""The third-party access log: every time the gate lets CPNI go outside the carrier (64.2009(c)).

64.2009(c) (RULES 5.3): the carrier keeps, at least one year, a record of every instance where
CPNI was disclosed or provided to third parties, or third parties were given access. Campaign
exports are recorded in the campaign register's disclosure log; everything else goes through
the gate, which records each permitted decision of that kind here, beside its access-log entry.

Outside the carrier is every recipient but the customer and the carrier itself: affiliates,
agents, partners, contractors, other carriers, agencies and anyone else. 64.2007(b) sets which
approval each of them needs; it does not make any of them the carrier, so each permitted access
is kept (a record too many costs a row; one too few is a gap in the 64.2009(c) record). The
record is of access given: the gate permitted the use or disclosure at that moment.
CPNI here is the gate's CPNI data: call detail, other CPNI, and the account information (the bill)
that travels with it (47 U.S.C. 222(h)(1)(B)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cpniguard.domain.disclosure_request import RecipientClass
from cpniguard.domain.purposes import CPNI_DATA

NOT_THIRD_PARTIES = frozenset({RecipientClass.CUSTOMER, RecipientClass.CARRIER})
THIRD_PARTIES = frozenset(RecipientClass) - NOT_THIRD_PARTIES


@dataclass(frozen=True, slots=True)
class ThirdPartyAccess:
    """One permitted disclosure of a customer's CPNI outside the carrier, with its legal basis."""

    access_log_sequence: int
    """The gate's decision in the access log, which holds its reasons and conditions."""
    account_id: int
    recipient_class: RecipientClass
    destination: str | None
    purpose: str
    """The purpose the gate permitted it for: its legal basis (47 CFR 64.2005-64.2007, 222(d))."""
    data_category: str
    disclosed_at: datetime
    disclosed_by: str
    id: int | None = None
    account_number: str | None = None
    """Filled in when read back for the log's reader."""


_THIRD_PARTY_NAMES = frozenset(str(recipient) for recipient in THIRD_PARTIES)
_CPNI_NAMES = frozenset(str(data_class) for data_class in CPNI_DATA)


def is_third_party(recipient: RecipientClass) -> bool:
    """Whether `recipient` is outside the carrier: anyone but the customer and the carrier (64.2009(c))."""
    return recipient in THIRD_PARTIES


def is_third_party_access(recipient: str, data_category: str) -> bool:
    """Whether giving `data_category` to `recipient` puts CPNI outside the carrier (64.2009(c))."""
    return recipient in _THIRD_PARTY_NAMES and data_category in _CPNI_NAMES
