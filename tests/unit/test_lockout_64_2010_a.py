"""Locking out repeated failures, 47 CFR 64.2010(a) (reasonable measures against pretexting)."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cpniguard.domain.lockout import Attempt, LockoutPolicy, lock_state

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
POLICY = LockoutPolicy()


def failures(*minutes: float) -> list[Attempt]:
    return [Attempt(T0 + timedelta(minutes=m), succeeded=False) for m in minutes]


def test_four_failures_do_not_lock_and_the_fifth_within_fifteen_minutes_does():
    assert not lock_state(failures(0, 1, 2, 3), POLICY, T0 + timedelta(minutes=4)).is_locked_at(T0)
    state = lock_state(failures(0, 1, 2, 3, 14), POLICY, T0 + timedelta(minutes=14))
    assert state.locked_until == T0 + timedelta(minutes=29)
    assert state.is_locked_at(T0 + timedelta(minutes=28, seconds=59))
    assert not state.is_locked_at(T0 + timedelta(minutes=29))


def test_failures_spread_over_more_than_the_window_do_not_lock():
    state = lock_state(failures(0, 4, 8, 12, 16), POLICY, T0 + timedelta(minutes=16))
    assert state.locked_until is None
    assert state.failures_in_window == 4


def test_each_lock_in_a_series_lasts_twice_as_long_up_to_the_ceiling():
    first = failures(0, 1, 2, 3, 4)  # locked 4 -> 19
    second = failures(20, 21, 22, 23, 24)  # locked 24 -> 54
    state = lock_state(first + second, POLICY, T0 + timedelta(minutes=25))
    assert state.locked_until == T0 + timedelta(minutes=54)
    assert state.locks_in_series == 2
    assert POLICY.lock_length(10) == timedelta(hours=24)
    assert POLICY.lock_length(10_000) == timedelta(hours=24)


def test_attempts_during_a_lock_are_refused_and_do_not_extend_it():
    state = lock_state(failures(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), POLICY, T0 + timedelta(minutes=10))
    assert state.locked_until == T0 + timedelta(minutes=19)


def test_a_success_ends_the_series():
    attempts = [*failures(0, 1, 2, 3), Attempt(T0 + timedelta(minutes=3.5), succeeded=True), *failures(4)]
    state = lock_state(attempts, POLICY, T0 + timedelta(minutes=5))
    assert (state.locked_until, state.failures_in_window, state.locks_in_series) == (None, 1, 0)


def test_attempts_after_now_are_not_counted():
    assert lock_state(failures(0, 1, 2, 3, 4), POLICY, T0 + timedelta(minutes=3)).locked_until is None


@given(st.lists(st.tuples(st.integers(0, 600), st.booleans()), max_size=40))
def test_an_account_is_never_locked_without_five_failures_in_a_window(raw):
    attempts = [Attempt(T0 + timedelta(minutes=m), succeeded=ok) for m, ok in raw]
    now = T0 + timedelta(minutes=601)
    state = lock_state(attempts, POLICY, now)
    if state.locked_until is not None:
        failed = sorted(a.at for a in attempts if not a.succeeded)
        assert any(failed[i + 4] - failed[i] < POLICY.window for i in range(len(failed) - 4))
