"""Review of services/caller_auth.py: the dummy hash spent on missing secrets never authenticates."""

from __future__ import annotations

from tests.e2e.caller_auth_scenario import CALLER, Customer

from cpniguard.services.caller_auth import _DUMMY_SECRET


def _sign_in(customer: Customer, account: str, secret: str):
    body = {"account_number": account, "channel": "inbound_call", "secret": secret, "caller_number": CALLER}
    return customer.post("/sign-in", body)


def test_the_dummy_secret_does_not_sign_in_to_an_account_missing_a_credential(customer: Customer):
    customer.set_pin()

    answer = _sign_in(customer, customer.account, _DUMMY_SECRET)

    assert answer.status_code == 401, answer.text
    assert "authentication.failed" in customer.events()


def test_the_dummy_secret_does_not_sign_in_to_an_unknown_account(customer: Customer):
    answer = _sign_in(customer, "NO-SUCH-ACCOUNT", _DUMMY_SECRET)

    assert answer.status_code == 401, answer.text


def test_the_dummy_secret_does_not_authenticate_an_interaction(customer: Customer):
    customer.set_pin()
    interaction_id = customer.interaction("inbound_call")

    answer = customer.try_pin(interaction_id, _DUMMY_SECRET)

    assert answer["authenticated"] is False
    assert answer["interaction"]["authentication"] == []
