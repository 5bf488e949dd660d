"""Every data element cpniguard holds carries one data class; access rules key off it.

47 U.S.C. 222(h)(1) and 47 CFR 64.2003(g) define CPNI; 64.2003(d) carves call detail
out of it with stricter disclosure rules (64.2010(b)); 222(h)(3) and 64.2003(n) define
subscriber list information, which is not CPNI; 222(h)(2) defines aggregate customer
information; 64.2003(a) defines account information. See RULES.md section 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DataClass(StrEnum):
    """The class of a data element, from the strictest to the least protected."""

    CALL_DETAIL = "call_detail"
    CPNI = "cpni"
    CREDENTIAL = "credential"
    ACCOUNT_INFORMATION = "account_information"
    PERSONAL = "personal"
    SUBSCRIBER_LIST = "subscriber_list"
    AGGREGATE = "aggregate"
    CARRIER_INFORMATION = "carrier_information"
    OPERATIONAL = "operational"


DATA_CLASS_MEANINGS: dict[DataClass, str] = {
    DataClass.CALL_DETAIL: "Call detail (47 CFR 64.2003(d)): the number called or calling, and the time, "
    "location or duration of a specific call. The strictest CPNI (64.2010(b)).",
    DataClass.CPNI: "Other CPNI (47 U.S.C. 222(h)(1), 64.2003(g)): services subscribed, their "
    "configuration and use, and information in bills.",
    DataClass.CREDENTIAL: "Passwords, PINs, backup answers and tokens (64.2010), kept only as hashes.",
    DataClass.ACCOUNT_INFORMATION: "Account information (64.2003(a)): account number, telephone number "
    "on the account, bill amount; never an authenticator.",
    DataClass.PERSONAL: "Unpublished personal details: names and contact points of record; PII under "
    "the 2023 breach rule.",
    DataClass.SUBSCRIBER_LIST: "Subscriber list information (222(h)(3), 64.2003(n)): published "
    "listings. Not CPNI, kept apart from it.",
    DataClass.AGGREGATE: "Aggregate customer information (222(h)(2)): collective data with "
    "individual identities removed.",
    DataClass.CARRIER_INFORMATION: "Proprietary information another carrier gave to provision a "
    "service, such as a port-out or carrier-change request (47 U.S.C. 222(b)): used only for that, "
    "never for marketing.",
    DataClass.OPERATIONAL: "Keys, timestamps and bookkeeping that reveal nothing about a customer "
    "by themselves.",
}
"""What each class holds, with its citation, as published in the API and the docs."""


CPNI_CLASSES = frozenset({DataClass.CALL_DETAIL, DataClass.CPNI})
"""The classes that only the gate may read (DESIGN.md invariant 1)."""


@dataclass(frozen=True, slots=True)
class FieldClassification:
    """The class of one stored field, with the reason a reader can check."""

    table: str
    field: str
    data_class: DataClass
    description: str

    @property
    def is_cpni(self) -> bool:
        """Whether reading this field needs a permitted disclosure decision (47 U.S.C. 222(c)(1))."""
        return self.data_class in CPNI_CLASSES
