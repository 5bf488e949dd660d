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
    """64.2003(d): number called or calling, time, location or duration of a specific call."""
    CPNI = "cpni"
    """222(h)(1), 64.2003(g): services, configuration, usage and bills, other than call detail."""
    CREDENTIAL = "credential"
    """64.2010: passwords, PINs and backup answers; stored only as argon2id hashes."""
    ACCOUNT_INFORMATION = "account_information"
    """64.2003(a): account number, telephone number on the account; never an authenticator."""
    PERSONAL = "personal"
    """Contact details of record that are not published: PII under the 2023 breach rule."""
    SUBSCRIBER_LIST = "subscriber_list"
    """222(h)(3), 64.2003(n): published listings; not CPNI, kept apart from it."""
    AGGREGATE = "aggregate"
    """222(h)(2): collective data with individual identities removed."""
    OPERATIONAL = "operational"
    """Keys, timestamps and bookkeeping that reveal nothing about a customer by themselves."""


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
        """Whether reading this field needs a permitted disclosure decision."""
        return self.data_class in CPNI_CLASSES
