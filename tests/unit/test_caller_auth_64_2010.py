"""The pure rules of caller authentication: channels, photo ID, the business method, activation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cpniguard.domain.caller_auth import (
    CallerAuthPolicy,
    PhotoId,
    business_contract_problems,
    is_pretexting_suspected,
    is_set_at_activation,
    method_channel_problem,
    photo_id_problems,
)
from cpniguard.domain.disclosure_request import AuthenticationMethod, Channel

OPENED = datetime(2026, 1, 1, tzinfo=UTC)
TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("method", "channel", "allowed"),
    [
        (AuthenticationMethod.PHOTO_ID, Channel.STORE, True),
        (AuthenticationMethod.PHOTO_ID, Channel.INBOUND_CALL, False),
        (AuthenticationMethod.PHOTO_ID, Channel.ONLINE, False),
        (AuthenticationMethod.CALLBACK_TO_NUMBER_OF_RECORD, Channel.INBOUND_CALL, True),
        (AuthenticationMethod.CALLBACK_TO_NUMBER_OF_RECORD, Channel.STORE, False),
        (AuthenticationMethod.PASSWORD, Channel.ONLINE, True),
        (AuthenticationMethod.PASSWORD, Channel.API, False),
        (AuthenticationMethod.CODE_TO_EMAIL_OF_RECORD, Channel.EMAIL, False),
        (AuthenticationMethod.LETTER_TO_POSTAL_ADDRESS_OF_RECORD, Channel.POSTAL_MAIL, True),
    ],
)
def test_each_method_is_allowed_only_on_its_channels(method, channel, allowed):
    problem = method_channel_problem(method, channel)

    assert (problem is None) is allowed
    if problem is not None:
        assert channel in problem.message


def test_a_government_photo_id_that_is_unexpired_and_bears_the_holders_name_authenticates():
    photo_id = PhotoId(government_issued=True, name_on_id="ÉLODIE  d'Arcy", expires_on=TODAY)

    assert photo_id_problems(photo_id, holder_name="Elodie d Arcy", today=TODAY) == []


def test_a_photo_id_that_is_not_governmental_expired_and_of_someone_else_fails_on_each_count():
    photo_id = PhotoId(government_issued=False, name_on_id="Someone", expires_on=TODAY - timedelta(days=1))

    problems = photo_id_problems(photo_id, holder_name="Test Holder", today=TODAY)

    assert [p.location for p in problems] == ["government_issued", "expires_on", "name_on_id"]


@pytest.mark.parametrize(
    ("business", "representative", "contract", "count"),
    [
        (True, True, True, 0),
        (True, True, False, 1),
        (True, False, True, 1),
        (False, True, True, 1),
        (False, False, False, 3),
    ],
)
def test_the_business_method_needs_both_conditions_on_a_business_account(
    business, representative, contract, count
):
    problems = business_contract_problems(
        is_business_account=business, has_dedicated_representative=representative, has_cpni_contract=contract
    )

    assert len(problems) == count


def test_only_a_first_credential_set_when_service_starts_is_at_activation():
    assert is_set_at_activation(opened_at=OPENED, had_one_before=False, at=OPENED + timedelta(hours=3))
    assert not is_set_at_activation(opened_at=OPENED, had_one_before=True, at=OPENED + timedelta(hours=3))
    assert not is_set_at_activation(opened_at=OPENED, had_one_before=False, at=OPENED + timedelta(days=2))


def test_failures_on_as_many_accounts_as_the_policy_says_suggest_pretexting():
    policy = CallerAuthPolicy(pretexting_accounts=3)

    assert [is_pretexting_suspected(n, policy) for n in (1, 2, 3, 4)] == [False, False, True, True]
