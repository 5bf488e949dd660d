"""Setting credentials over HTTP: the 64.2010(e) rules, authentication first, argon2id, and notices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.conftest import TEST_NOW
from tests.e2e.caller_auth_scenario import (
    EMAIL_OF_RECORD,
    NEW_EMAIL,
    NUMBER_OF_RECORD,
    PASSWORD,
    PIN,
    Customer,
    add_customer,
)

from cpniguard.adapters.db.tables import Credential
from cpniguard.domain.disclosure_request import AuthenticationMethod

CALLBACK = AuthenticationMethod.CALLBACK_TO_NUMBER_OF_RECORD


def _stored(customer: Customer):
    with customer.container.unit_of_work() as uow:
        query = (
            select(Credential.secret_hash, Credential.login)
            .where(Credential.account_id == customer.account_id)
            .order_by(Credential.id)
        )
        return list(uow.session.execute(query).all())  # type: ignore[attr-defined]


def test_a_pin_is_kept_only_as_an_argon2id_hash(customer: Customer):
    answer = customer.set_pin()

    assert answer.json()["kind"] == "pin"
    (stored,) = _stored(customer)
    assert stored.secret_hash.startswith("$argon2id$")
    assert PIN not in stored.secret_hash


@pytest.mark.parametrize(
    ("pin", "says"),
    [
        ("1234", "run of digits"),
        ("1111", "repeat digits"),
        ("5550", "telephone number"),
        ("12a4", "4 to 8 digits"),
    ],
)
def test_a_pin_built_on_runs_repeats_or_account_digits_is_refused_and_nothing_is_written(
    customer: Customer, pin: str, says: str
):
    proven = customer.interaction("inbound_call", CALLBACK)

    answer = customer.set_credential("pin", {"secret": pin, "interaction_id": proven})

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert any(says in error["message"] for error in answer.json()["errors"])
    assert _stored(customer) == []


def test_a_pin_taken_from_the_account_number_is_refused(customer: Customer):
    proven = customer.interaction("inbound_call", CALLBACK)
    digits = "".join(c for c in customer.account if c.isdigit())[-5:]

    answer = customer.set_credential("pin", {"secret": digits, "interaction_id": proven})

    assert answer.status_code == 422
    assert any("account number" in e["message"] for e in answer.json()["errors"])


@pytest.mark.parametrize(
    "question",
    [
        "What is your mother's maiden name?",
        "Your date of birth?",
        "Last four of your SSN",
        "Quel est votre code postal ?",
    ],
)
def test_a_backup_question_on_biographical_or_account_information_is_refused(
    customer: Customer, question: str
):
    proven = customer.interaction("inbound_call", CALLBACK)

    answer = customer.set_credential(
        "backup_answer", {"secret": "blue heron", "question": question, "interaction_id": proven}
    )

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["location"] == "question"
    assert _stored(customer) == []


def test_a_credential_is_set_only_after_the_customer_authenticated_in_the_interaction(customer: Customer):
    unproven = customer.interaction("inbound_call")

    without = customer.set_credential("pin", {"secret": PIN})
    unauthenticated = customer.set_credential("pin", {"secret": PIN, "interaction_id": unproven})

    assert without.status_code == 422
    assert unauthenticated.status_code == 422
    assert "authenticate" in unauthenticated.json()["errors"][0]["message"]
    assert _stored(customer) == []


def test_a_change_after_activation_writes_a_notice_to_the_old_contact_without_the_secret(customer: Customer):
    customer.set_pin()
    proven = customer.interaction("inbound_call", CALLBACK)

    answer = customer.set_credential("password", {"secret": PASSWORD, "interaction_id": proven})

    assert answer.status_code == 200, answer.text
    assert answer.json()["at_activation"] is False
    assert answer.json()["notice"]["template"] == "account_change"
    notices = [m for m in customer.outbox() if m.template == "account_change"]
    assert len(notices) == 2
    assert all(
        m.recipient in {EMAIL_OF_RECORD, NUMBER_OF_RECORD} and m.recipient != NEW_EMAIL for m in notices
    )
    assert all(PASSWORD not in m.body and PIN not in m.body for m in notices)
    assert "credential.set" in customer.events()
    with customer.container.unit_of_work() as uow:
        logged = uow.access_log.entries_for_account(customer.account_id, limit=500)
    (changed,) = [
        e.entry
        for e in logged
        if e.entry.event.value == "credential.set" and e.entry.interaction_id == proven
    ]
    assert changed.authentication == ("callback_to_number_of_record",)  # what the interaction proved


def test_credentials_set_at_activation_send_no_notice(customer: Customer):
    key, number = add_customer(customer.container, opened_at=TEST_NOW - timedelta(hours=2))

    answer = customer.set_credential("pin", {"secret": PIN}, account=number)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {**answer.json(), "at_activation": True, "notice": None}
    later = customer.set_credential("pin", {"secret": "8362"}, account=number)
    assert later.status_code == 422  # a second PIN is a change: it needs authentication first
    assert key


def test_an_online_account_needs_a_sign_in_name_and_keeps_it(customer: Customer):
    proven = customer.interaction("online", CALLBACK)
    missing = customer.set_credential("online_account", {"secret": PASSWORD, "interaction_id": proven})
    proven = customer.interaction("inbound_call", CALLBACK)

    answer = customer.set_credential(
        "online_account", {"secret": PASSWORD, "login": "holder.test", "interaction_id": proven}
    )

    assert missing.status_code == 422
    assert answer.status_code == 200, answer.text
    assert _stored(customer)[0].login == "holder.test"


def test_an_unknown_account_or_kind_is_a_clear_error(customer: Customer):
    unknown = customer.set_credential("pin", {"secret": PIN}, account="NO-SUCH-1")
    kind = customer.api.put(
        f"/api/v1/accounts/{customer.account}/credentials/ssn", json={"secret": PIN}, headers=customer.headers
    )
    long = customer.set_credential("password", {"secret": "x" * 500})

    assert unknown.status_code == 404
    assert kind.status_code == 422
    assert long.status_code == 422


def test_a_sign_in_name_taken_by_another_account_or_an_interaction_of_another_account_is_refused(
    customer: Customer,
):
    _, other = add_customer(customer.container)
    theirs = customer.interaction("inbound_call", CALLBACK, account=other)
    first = customer.set_credential(
        "online_account", {"secret": PASSWORD, "login": "taken.name", "interaction_id": theirs}, account=other
    )
    assert first.status_code == 200, first.text
    proven = customer.interaction("inbound_call", CALLBACK)

    taken = customer.set_credential(
        "online_account", {"secret": PASSWORD, "login": "taken.name", "interaction_id": proven}
    )
    foreign = customer.set_credential("pin", {"secret": PIN, "interaction_id": theirs})

    assert taken.status_code == 422
    assert taken.json()["errors"][0]["location"] == "login"
    assert foreign.status_code == 404
