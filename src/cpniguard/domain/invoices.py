"""Bills and their lines: information in bills is CPNI (47 U.S.C. 222(h)(1)(B))."""

from __future__ import annotations

from enum import StrEnum


class ChargeType(StrEnum):
    """Kinds of invoice line; directory assistance charges are named in the seed policy."""

    RECURRING = "recurring"
    USAGE = "usage"
    DIRECTORY_ASSISTANCE = "directory_assistance"
    ONE_TIME = "one_time"
    TAXES_AND_FEES = "taxes_and_fees"
    CREDIT = "credit"
