"""Slices of account keys for a PostgreSQL audience count (campaign_audience.key_slices; issue 7)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpniguard.adapters.db.campaign_audience import EVERY_ACCOUNT, MOST_SLICES, KeySlice, key_slices
from cpniguard.adapters.db.tables import Account


def holding(slices: list[KeySlice], key: int) -> list[KeySlice]:
    return [s for s in slices if (s.low is None or key >= s.low) and (s.high is None or key < s.high)]


def test_keys_are_cut_every_size_keys_and_both_ends_stay_open():
    assert key_slices(1, 10, 3) == [
        KeySlice(None, 4),
        KeySlice(4, 7),
        KeySlice(7, 10),
        KeySlice(10, None),
    ]


def test_fewer_keys_than_a_slice_or_no_accounts_make_one_slice_of_every_account():
    assert key_slices(5, 9, 40_000) == [EVERY_ACCOUNT]
    assert key_slices(None, None, 3) == [EVERY_ACCOUNT]
    assert EVERY_ACCOUNT.bounds(Account.__table__.c.id) == []


@pytest.mark.parametrize("size", [0, -1])
def test_a_slice_of_no_keys_is_refused(size):
    with pytest.raises(ValueError, match="at least one account key"):
        key_slices(1, 10, size)
    with pytest.raises(ValueError, match="at least one slice"):
        key_slices(1, 10, 3, most=size)


def test_wide_keys_make_wider_slices_not_more_of_them():
    assert len(key_slices(1, 1_000_000, 40_000)) == 25
    assert len(key_slices(1, 100_000_000, 40_000)) == MOST_SLICES
    assert key_slices(1, 100, 10, most=4) == [
        KeySlice(None, 26),
        KeySlice(26, 51),
        KeySlice(51, 76),
        KeySlice(76, None),
    ]


@given(
    lowest=st.integers(min_value=1, max_value=10_000),
    span=st.integers(min_value=0, max_value=5_000),
    size=st.integers(min_value=1, max_value=700),
    most=st.integers(min_value=1, max_value=40),
    beyond=st.integers(min_value=0, max_value=50),
)
def test_every_key_falls_in_exactly_one_slice_even_outside_the_bounds_read(lowest, span, size, most, beyond):
    slices = key_slices(lowest, lowest + span, size, most)

    for key in (lowest - beyond - 1, lowest, lowest + span // 2, lowest + span, lowest + span + beyond + 1):
        assert len(holding(slices, key)) == 1, key
    assert len(slices) <= min(span // size + 2, most)
