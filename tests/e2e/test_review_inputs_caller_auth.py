"""Bad input to the caller-authentication routes: a field-level 422, and nothing written.

A malformed attempt is no attempt: it must not count towards the lockout (47 CFR 64.2010(a)),
open a challenge, or send anything to a contact of record (64.2010(b)-(e)).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.e2e.caller_auth_scenario import CALLER, PIN, Customer

from cpniguard.adapters.db.tables import AuthenticationAttempt, Interaction, VerificationChallenge
from cpniguard.domain.credentials import PASSWORD_MAX_CHARS

PROBLEM = "application/problem+json"
LOCKOUT_FAILURES = 5
PHOTO_ID = {"government_issued": True, "name_on_id": "Pat Example", "expires_on": "2030-01-01"}


def _rows(customer: Customer, table) -> int:
    with customer.container.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(table)))  # type: ignore[attr-defined]


def _written(customer: Customer) -> tuple[int, int, int, int]:
    return (
        _rows(customer, AuthenticationAttempt),
        _rows(customer, VerificationChallenge),
        _rows(customer, Interaction),
        len(customer.outbox()),
    )


def _is_field_problem(answer, location: str) -> None:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert location in [error["location"] for error in answer.json()["errors"]]


@pytest.mark.parametrize(
    ("route", "body", "location"),
    [
        ("authentication/password", {}, "body.secret"),
        ("authentication/password", {"secret": ""}, "body.secret"),
        ("authentication/password", {"secret": "9" * (PASSWORD_MAX_CHARS + 1)}, "body.secret"),
        ("authentication/password", {"secret": PIN, "account_number": "x"}, "body.account_number"),
        ("authentication/backup-answer", {"answer": ""}, "body.answer"),
        ("authentication/backup-answer", {"secret": "blue"}, "body.answer"),
        ("authentication/photo-id", {**PHOTO_ID, "expires_on": "soon"}, "body.expires_on"),
        ("authentication/photo-id", {**PHOTO_ID, "name_on_id": ""}, "body.name_on_id"),
        ("authentication/photo-id", {"government_issued": True}, "body.name_on_id"),
        ("challenges", {"kind": "email_code", "destination": "x@example.test"}, "body.destination"),
        ("challenges", {}, "body.kind"),
        ("challenges/1/answer", {"code": "12ab56"}, "body.code"),
        ("challenges/1/answer", {"code": "1" * 17}, "body.code"),
        ("challenges/0/answer", {"code": "123456"}, "path.challenge_id"),
    ],
)
def test_a_malformed_attempt_is_a_field_level_422_and_writes_nothing(
    customer: Customer, route: str, body: dict[str, object], location: str
):
    interaction_id = customer.interaction("inbound_call")
    before = _written(customer)

    answer = customer.post(f"/interactions/{interaction_id}/{route}", body)

    _is_field_problem(answer, location)
    assert _written(customer) == before
    shown = customer.api.get(f"/api/v1/interactions/{interaction_id}", headers=customer.headers)
    assert shown.json()["authentication"] == []


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"secret": ""}, "body.secret"),
        ({"account_number": "A\x00B"}, "body.account_number"),
        ({"caller_number": "3125550177"}, "body.caller_number"),
        ({"channel": ""}, "body.channel"),
        ({"interaction_id": 1}, "body.interaction_id"),
    ],
    ids=["empty-secret", "nul-account", "not-e164", "empty-channel", "extra-field"],
)
def test_a_malformed_sign_in_is_a_field_level_422_and_writes_nothing(
    customer: Customer, change: dict[str, object], location: str
):
    customer.set_pin()
    before = _written(customer)
    body = {
        "account_number": customer.account,
        "channel": "inbound_call",
        "secret": PIN,
        "caller_number": CALLER,
    }

    answer = customer.post("/sign-in", {**body, **change})

    _is_field_problem(answer, location)
    assert _written(customer) == before


def test_malformed_attempts_do_not_count_towards_the_lockout(customer: Customer):
    customer.set_pin()
    interaction_id = customer.interaction("inbound_call")

    refused = [
        customer.post(f"/interactions/{interaction_id}/authentication/password", {"secret": ""})
        for _ in range(LOCKOUT_FAILURES + 1)
    ]
    answer = customer.try_pin(interaction_id, PIN)

    assert {response.status_code for response in refused} == {422}
    assert answer["authenticated"] is True
    assert answer["locked_until"] is None
