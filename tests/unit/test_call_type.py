import pytest

from cpniguard.domain.call_detail import CallType, call_type_between

CALLER = "+12125550123"


@pytest.mark.parametrize(
    ("called", "expected"),
    [
        ("+12125550188", CallType.LOCAL),
        ("+13125557890", CallType.LONG_DISTANCE),
        ("+18005550199", CallType.TOLL_FREE),
        ("+18885550199", CallType.TOLL_FREE),
        ("+442079460000", CallType.INTERNATIONAL),
        ("+14165550123", CallType.LONG_DISTANCE),  # Canada shares the North American plan
        ("411", CallType.DIRECTORY_ASSISTANCE),
        ("911", CallType.EMERGENCY),
        ("112", CallType.EMERGENCY),
    ],
)
def test_the_call_type_follows_from_the_numbers(called, expected):
    assert call_type_between(CALLER, called) is expected


def test_outside_north_america_the_same_country_is_long_distance():
    assert call_type_between("+442079460000", "+442079460001") is CallType.LONG_DISTANCE


@pytest.mark.parametrize(("calling", "called"), [("not a number", "+12125550188"), (CALLER, "12345678")])
def test_numbers_that_cannot_be_read_give_no_call_type_rather_than_a_guess(calling, called):
    assert call_type_between(calling, called) is None
