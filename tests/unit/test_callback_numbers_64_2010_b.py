"""Callbacks go only to a telephone number of record settled 30 days (64.2010(b), 64.2003(q))."""

from datetime import UTC, datetime, timedelta

from cpniguard.domain.accounts import ServiceNumber, callback_numbers

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def test_only_numbers_on_the_service_thirty_days_or_more_are_called_back():
    numbers = [
        ServiceNumber("+12125550100", NOW - timedelta(days=30), None),
        ServiceNumber("+12125550101", NOW - timedelta(days=29, hours=23), None),
        ServiceNumber("+12125550102", NOW - timedelta(days=90), NOW - timedelta(days=1)),
    ]
    assert callback_numbers(numbers, NOW) == ["+12125550100"]
