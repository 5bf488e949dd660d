"""Addresses and telephone numbers of record, and categories of service (47 CFR 64.2003, 64.2005)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpniguard.domain.accounts import (
    ADDRESS_KINDS,
    ContactKind,
    ContactPoint,
    ServiceCategory,
    ServiceLine,
    ServiceNumber,
    addresses_of_record,
    is_address_of_record,
    of_record_from,
    subscribed_categories,
    telephone_numbers_of_record,
)

ADDED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
THIRTY_DAYS = timedelta(days=30)
ONE_SECOND = timedelta(seconds=1)


def postal(associated_at: datetime = ADDED, dissociated_at: datetime | None = None) -> ContactPoint:
    return ContactPoint(
        ContactKind.POSTAL_ADDRESS, "1 Test Street, Springfield", associated_at, dissociated_at
    )


def line(
    *,
    category: ServiceCategory = ServiceCategory.LOCAL,
    started_at: datetime = ADDED,
    ended_at: datetime | None = None,
) -> ServiceLine:
    return ServiceLine(category, started_at, ended_at)


def number(
    value: str, *, associated_at: datetime = ADDED, dissociated_at: datetime | None = None
) -> ServiceNumber:
    return ServiceNumber(value, associated_at, dissociated_at)


@pytest.mark.parametrize("kind", sorted(ADDRESS_KINDS))
def test_64_2003_b_address_is_not_of_record_one_second_before_30_days(kind):
    point = ContactPoint(kind, "someone@example.test", ADDED)
    assert not is_address_of_record(point, ADDED + THIRTY_DAYS - ONE_SECOND)


@pytest.mark.parametrize("kind", sorted(ADDRESS_KINDS))
def test_64_2003_b_address_is_of_record_at_exactly_30_days(kind):
    point = ContactPoint(kind, "someone@example.test", ADDED)
    assert is_address_of_record(point, ADDED + THIRTY_DAYS)


def test_64_2003_b_address_is_of_record_after_30_days():
    assert is_address_of_record(postal(), ADDED + timedelta(days=400))


def test_64_2003_b_address_is_not_of_record_on_the_day_it_is_added():
    assert not is_address_of_record(postal(), ADDED)


def test_64_2003_b_address_is_not_of_record_before_it_was_added():
    assert not is_address_of_record(postal(), ADDED - timedelta(days=60))


def test_64_2003_b_address_is_not_of_record_once_dissociated():
    point = postal(dissociated_at=ADDED + timedelta(days=90))
    assert is_address_of_record(point, ADDED + timedelta(days=90) - ONE_SECOND)
    assert not is_address_of_record(point, ADDED + timedelta(days=90))
    assert not is_address_of_record(point, ADDED + timedelta(days=365))


def test_64_2003_b_age_counts_in_any_time_zone():
    added_in_new_york = datetime.fromisoformat("2026-03-01T07:00:00-05:00")  # 12:00 UTC
    point = postal(associated_at=added_in_new_york)
    assert not is_address_of_record(point, ADDED + THIRTY_DAYS - ONE_SECOND)
    assert is_address_of_record(point, ADDED + THIRTY_DAYS)


def test_64_2003_b_contact_telephones_never_count_as_addresses_of_record():
    point = ContactPoint(ContactKind.CONTACT_TELEPHONE, "+12125550199", ADDED - timedelta(days=3650))
    assert not is_address_of_record(point, ADDED)
    assert addresses_of_record([point], ContactKind.CONTACT_TELEPHONE, ADDED) == []


def test_64_2003_b_addresses_of_record_are_of_the_kind_asked_oldest_first():
    at = ADDED + timedelta(days=100)
    old = postal(associated_at=ADDED - timedelta(days=200))
    newer = postal(associated_at=ADDED)
    too_new = postal(associated_at=at - timedelta(days=29))
    gone = postal(associated_at=ADDED - timedelta(days=300), dissociated_at=ADDED)
    email = ContactPoint(ContactKind.EMAIL_ADDRESS, "someone@example.test", ADDED - timedelta(days=300))
    points = [newer, email, too_new, gone, old]
    assert addresses_of_record(points, ContactKind.POSTAL_ADDRESS, at) == [old, newer]
    assert addresses_of_record(points, ContactKind.EMAIL_ADDRESS, at) == [email]


def test_64_2003_q_telephone_numbers_of_record_are_the_service_numbers_on_the_account_then():
    at = ADDED + timedelta(days=10)
    numbers = [
        number("+12125550100"),
        number("+12125550101", dissociated_at=at),
        number("+12125550102", associated_at=at + ONE_SECOND),
        number("+12125550100"),
        number("+13125557890", dissociated_at=at + ONE_SECOND),
    ]
    assert telephone_numbers_of_record(numbers, at) == ["+12125550100", "+13125557890"]


def test_64_2003_q_a_number_change_moves_the_number_of_record_at_that_instant():
    changed = ADDED + timedelta(days=100)
    numbers = [number("+12125550100", dissociated_at=changed), number("+12125550177", associated_at=changed)]
    assert telephone_numbers_of_record(numbers, changed - ONE_SECOND) == ["+12125550100"]
    assert telephone_numbers_of_record(numbers, changed) == ["+12125550177"]


def test_64_2003_q_a_contact_telephone_is_never_a_telephone_number_of_record():
    contact = ContactPoint(ContactKind.CONTACT_TELEPHONE, "+12125550199", ADDED - timedelta(days=3650))
    numbers = telephone_numbers_of_record([number("+12125550100")], ADDED + THIRTY_DAYS)
    assert contact.value not in numbers
    assert numbers == ["+12125550100"]


def test_64_2003_q_no_number_on_the_account_means_no_telephone_number_of_record():
    assert telephone_numbers_of_record([number("+12125550100", dissociated_at=ADDED)], ADDED) == []


@pytest.mark.parametrize("kind", sorted(ADDRESS_KINDS))
def test_64_2003_b_an_address_removed_before_its_30th_day_never_becomes_of_record(kind):
    removed = ContactPoint(kind, "x", ADDED, ADDED + timedelta(days=5))
    assert of_record_from(removed) is None
    kept = ContactPoint(kind, "x", ADDED, ADDED + timedelta(days=31))
    assert of_record_from(kept) == ADDED + THIRTY_DAYS


def test_64_2005_a_subscribed_categories_are_those_of_active_services():
    at = ADDED + timedelta(days=10)
    services = [
        line(category=ServiceCategory.LOCAL),
        line(category=ServiceCategory.INTEREXCHANGE),
        line(category=ServiceCategory.WIRELESS, ended_at=at),
        line(category=ServiceCategory.INTERCONNECTED_VOIP, started_at=at + ONE_SECOND),
        line(category=ServiceCategory.LOCAL),
    ]
    assert subscribed_categories(services, at) == {ServiceCategory.LOCAL, ServiceCategory.INTEREXCHANGE}


def test_64_2005_a_no_services_means_no_categories():
    assert subscribed_categories([], ADDED) == frozenset()


INSTANT_OFFSETS = st.integers(min_value=-400 * 86_400, max_value=400 * 86_400).map(
    lambda s: timedelta(seconds=s)
)


@given(
    kind=st.sampled_from(list(ContactKind)),
    asked=INSTANT_OFFSETS,
    dissociated=st.none() | INSTANT_OFFSETS.filter(lambda d: d >= timedelta(0)),
)
def test_64_2003_b_an_address_is_of_record_iff_on_the_account_and_at_least_30_days_old(
    kind, asked, dissociated
):
    point = ContactPoint(kind, "value", ADDED, None if dissociated is None else ADDED + dissociated)
    at = ADDED + asked
    on_account = asked >= timedelta(0) and (dissociated is None or asked < dissociated)
    expected = kind in ADDRESS_KINDS and on_account and asked >= THIRTY_DAYS
    assert is_address_of_record(point, at) is expected
