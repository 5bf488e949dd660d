"""Contact points a customer changes: what makes a postal address complete enough to mail.

A letter to the postal address of record carries call detail and account-change notices
(47 CFR 64.2010(b), (f)); an address that cannot be delivered to defeats both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cpniguard.domain.errors import FieldProblem

US_STATE_CODES = frozenset(
    {
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "DC",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
    }
)
"""The states, the District of Columbia and the territories the USPS delivers to."""

ZIP_CODE = re.compile(r"\d{5}(-\d{4})?")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
MAX_LINE_CHARACTERS = 100
MAX_CITY_CHARACTERS = 60


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """A US postal address, one field per part."""

    line1: str
    city: str
    state: str
    postal_code: str
    line2: str | None = None

    def formatted(self) -> str:
        """The address on one line, as contact points store it: '12 Elm St, Apt 3, Springfield, IL 62701'."""
        street = ", ".join(part.strip() for part in (self.line1, self.line2) if part and part.strip())
        return f"{street}, {self.city.strip()}, {self.state.strip().upper()} {self.postal_code.strip()}"


def postal_address_problems(address: PostalAddress) -> tuple[FieldProblem, ...]:
    """Say every part of `address` that is missing, too long or not deliverable in form.

    47 CFR 64.2010(b), (f): call detail and account-change notices are mailed to the postal
    address of record, so one that cannot be delivered to is refused when it is given.
    """
    problems = [
        *_text_problems("line1", address.line1, MAX_LINE_CHARACTERS, required=True),
        *_text_problems("line2", address.line2 or "", MAX_LINE_CHARACTERS, required=False),
        *_text_problems("city", address.city, MAX_CITY_CHARACTERS, required=True),
    ]
    if address.state.strip().upper() not in US_STATE_CODES:
        problems.append(FieldProblem("state", f"{address.state[:8]!r} is not a two-letter US state code"))
    if not ZIP_CODE.fullmatch(address.postal_code.strip()):
        problems.append(FieldProblem("postal_code", "a ZIP code is 5 digits, or ZIP+4 as 12345-6789"))
    return tuple(problems)


def _text_problems(location: str, value: str, limit: int, *, required: bool) -> list[FieldProblem]:
    if required and not value.strip():
        return [FieldProblem(location, "is required for the address to be complete")]
    if len(value) > limit:
        return [FieldProblem(location, f"is {len(value)} characters long; at most {limit}")]
    if CONTROL_CHARACTERS.search(value):
        return [FieldProblem(location, "holds a control character (a line break or a tab, for example)")]
    return []
