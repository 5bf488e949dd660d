"""An interaction counts from its start until it is ended or times out (64.2010(a))."""

from datetime import UTC, datetime, timedelta

from cpniguard.domain.disclosure_request import AuthenticationMethod, Channel
from cpniguard.domain.interactions import Interaction

START = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def interaction(ended_at=None, lifetime=timedelta(hours=2)):
    return Interaction(
        1,
        7,
        Channel.INBOUND_CALL,
        START,
        ended_at,
        frozenset({AuthenticationMethod.PASSWORD}),
        START + lifetime,
    )


def test_authentication_counts_only_between_start_and_timeout():
    open_one = interaction()
    assert open_one.authentication_at(START + timedelta(minutes=119)) == {AuthenticationMethod.PASSWORD}
    assert open_one.authentication_at(START + timedelta(hours=2)) == frozenset()
    assert open_one.authentication_at(START - timedelta(seconds=1)) == frozenset()


def test_ending_before_the_timeout_ends_it_then():
    ended = interaction(ended_at=START + timedelta(minutes=5))
    assert ended.is_open_at(START + timedelta(minutes=4))
    assert not ended.is_open_at(START + timedelta(minutes=5))
