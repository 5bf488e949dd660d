"""Subscriber list information: published listings, which are not CPNI.

47 U.S.C. 222(h)(3) and 64.2003(n): names, numbers, addresses or advertising
classifications the carrier published or accepted for publication. Unlisted and
non-published data is therefore not subscriber list information.
"""

from __future__ import annotations

from enum import StrEnum


class ListingStatus(StrEnum):
    """Whether the customer's listing is published."""

    LISTED = "listed"
    UNLISTED = "unlisted"
    NON_PUBLISHED = "non_published"


def is_subscriber_list_information(status: ListingStatus) -> bool:
    """Whether a listing with `status` is subscriber list information (222(h)(3))."""
    return status is ListingStatus.LISTED
