"""Authenticating the caller over HTTP: each method, recorded on the interaction for the gate (64.2010)."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from sqlalchemy import delete, update
from tests.conftest import TEST_NOW
from tests.e2e.caller_auth_scenario import (
    CALLER,
    EMAIL_OF_RECORD,
    NEW_EMAIL,
    NUMBER_OF_RECORD,
    PIN,
    POSTAL_OF_RECORD,
    Customer,
    add_customer,
    code_in,
)

from cpniguard.adapters.db.tables import ContactPoint, ServiceNumber

GATE_CALLS = {"purpose": "provide_service", "channel": "inbound_call", "recipient": "customer"}


def test_the_right_pin_records_the_password_method_and_the_gate_sees_it(customer: Customer):
    customer.set_pin()
    interaction_id = customer.interaction("inbound_call")

    answer = customer.try_pin(interaction_id, PIN)

    assert answer["authenticated"] is True
    assert answer["interaction"]["authentication"] == ["password"]
    decision = customer.post(
        "/decisions",
        {
            "account_number": customer.account,
            "data_category": "call_detail",
            **GATE_CALLS,
            "interaction_id": interaction_id,
        },
    )
    assert decision.status_code == 200, decision.text
    assert "authentication.succeeded" in customer.events()
    with customer.container.unit_of_work() as uow:
        logged = uow.access_log.entries_for_account(customer.account_id, limit=1)
    assert logged[0].entry.event.startswith("disclosure.")
    assert logged[0].entry.authentication == ("password",)


def test_five_failures_lock_the_pin_even_the_right_one_until_the_lock_ends(customer: Customer):
    customer.set_pin()
    interaction_id = customer.interaction("inbound_call")

    failures = [customer.try_pin(interaction_id, "8362") for _ in range(5)]
    locked = customer.try_pin(interaction_id, PIN)

    assert [f["locked_until"] is not None for f in failures] == [False] * 4 + [True]
    assert locked["authenticated"] is False
    assert locked["interaction"]["authentication"] == []
    events = customer.events()
    assert events.count("authentication.failed") == 6
    assert events.count("authentication.locked") == 1
    customer.container.clock.advance(timedelta(minutes=16))  # type: ignore[attr-defined]
    later = customer.interaction("inbound_call")
    assert customer.try_pin(later, PIN)["authenticated"] is True


def test_the_backup_answer_allows_a_new_pin_but_is_not_the_password_for_call_detail(customer: Customer):
    proven = customer.interaction("inbound_call", "callback_to_number_of_record")  # type: ignore[arg-type]
    customer.set_credential(
        "backup_answer", {"secret": "Blue Heron!", "question": "Favourite bird?", "interaction_id": proven}
    )
    interaction_id = customer.interaction("inbound_call")

    wrong = customer.post(
        f"/interactions/{interaction_id}/authentication/backup-answer", {"answer": "sparrow"}
    )
    right = customer.post(
        f"/interactions/{interaction_id}/authentication/backup-answer", {"answer": "blue heron"}
    )

    assert wrong.json()["authenticated"] is False
    assert right.json()["authenticated"] is True
    # 64.2010(b), (e): the backup answer only lets a new secret be set; it is not the password.
    shown = customer.api.get(f"/api/v1/interactions/{interaction_id}", headers=customer.headers)
    assert shown.json()["authentication"] == []
    renewed = customer.set_credential("pin", {"secret": "8362", "interaction_id": interaction_id})
    assert renewed.status_code == 200, renewed.text


def _sign_in(customer: Customer, account: str, secret: str):
    body = {"account_number": account, "channel": "inbound_call", "secret": secret, "caller_number": CALLER}
    return customer.post("/sign-in", body)


def test_sign_in_answers_alike_for_an_unknown_account_a_wrong_pin_and_a_lock(customer: Customer):
    customer.set_pin()

    unknown = _sign_in(customer, "NO-SUCH-ACCOUNT", PIN)
    wrong = _sign_in(customer, customer.account, "8362")
    for _ in range(5):
        _sign_in(customer, customer.account, "8362")
    locked = _sign_in(customer, customer.account, PIN)

    assert unknown.status_code == wrong.status_code == locked.status_code == 401
    bodies = [{k: v for k, v in r.json().items() if k != "instance"} for r in (unknown, wrong, locked)]
    assert bodies[0] == bodies[1] == bodies[2]


def test_sign_in_takes_comparable_time_for_unknown_and_known_accounts(customer: Customer):
    customer.set_pin()

    def median_seconds(account: str) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            _sign_in(customer, account, "8362")
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    known, unknown = median_seconds(customer.account), median_seconds("NO-SUCH-ACCOUNT")

    assert 0.5 < unknown / known < 2, (known, unknown)


def test_sign_in_with_the_right_pin_opens_an_authenticated_interaction(customer: Customer):
    customer.set_pin()

    answer = _sign_in(customer, customer.account, PIN)

    assert answer.status_code == 200, answer.text
    assert answer.json()["interaction"]["authentication"] == ["password"]


def test_failures_from_one_caller_number_across_accounts_raise_a_pretexting_alert(customer: Customer):
    _, second = add_customer(customer.container)
    _, third = add_customer(customer.container)
    answers = []
    for account in (customer.account, second, third):
        interaction_id = customer.interaction("inbound_call", account=account)
        answers.append(customer.try_pin(interaction_id, "8362"))

    assert [a["pretexting_alert"] for a in answers] == [False, False, True]
    with customer.container.unit_of_work() as uow:
        third_id = uow.accounts.key_of(third)
        assert third_id is not None
        logged = uow.access_log.entries_for_account(third_id, limit=10)
    assert "authentication.pretexting_suspected" in [e.entry.event for e in logged]


def test_a_matching_unexpired_photo_id_authenticates_in_a_store_only(customer: Customer):
    store = customer.interaction("store")
    call = customer.interaction("inbound_call")
    good = {"government_issued": True, "name_on_id": "TEST  holder", "expires_on": "2030-01-01"}

    expired = customer.post(
        f"/interactions/{store}/authentication/photo-id", {**good, "expires_on": "2026-01-01"}
    )
    other = customer.post(
        f"/interactions/{store}/authentication/photo-id", {**good, "name_on_id": "Someone Else"}
    )
    on_call = customer.post(f"/interactions/{call}/authentication/photo-id", good)
    shown = customer.post(f"/interactions/{store}/authentication/photo-id", good)

    assert expired.json()["authenticated"] is False
    assert expired.json()["problems"][0]["location"] == "expires_on"
    assert other.json()["problems"][0]["location"] == "name_on_id"
    assert on_call.status_code == 422
    assert shown.json()["authenticated"] is True
    assert shown.json()["interaction"]["authentication"] == ["photo_id"]


def test_the_business_contract_method_needs_both_64_2010_g_conditions(customer: Customer):
    interaction_id = customer.interaction("inbound_call")

    refused = customer.post(f"/interactions/{interaction_id}/authentication/business-contract")
    customer.make_business()
    reached = customer.post(f"/interactions/{interaction_id}/authentication/business-contract")

    assert refused.status_code == 422
    assert len(refused.json()["errors"]) == 3
    assert reached.json()["interaction"]["authentication"] == ["business_contract"]


def test_a_callback_goes_to_the_number_of_record_and_counts_once_confirmed(customer: Customer):
    interaction_id = customer.interaction("inbound_call")

    offered = customer.post(
        f"/interactions/{interaction_id}/challenges", {"kind": "callback", "number": CALLER}
    )
    task = customer.post(f"/interactions/{interaction_id}/challenges", {"kind": "callback"})
    confirmed = customer.post(
        f"/interactions/{interaction_id}/challenges/{task.json()['challenge_id']}/answer"
    )

    assert offered.status_code == 422
    assert task.status_code == 201, task.text
    assert task.json()["destination"] == NUMBER_OF_RECORD
    assert confirmed.json()["interaction"]["authentication"] == ["callback_to_number_of_record"]


def test_a_code_goes_to_the_email_of_record_through_the_outbox_and_counts_when_said_back(customer: Customer):
    interaction_id = customer.interaction("inbound_call")

    sent = customer.post(f"/interactions/{interaction_id}/challenges", {"kind": "email_code"})
    (message,) = customer.outbox()
    answer_path = f"/interactions/{interaction_id}/challenges/{sent.json()['challenge_id']}/answer"
    wrong = customer.post(answer_path, {"code": "000000" if code_in(message.body) != "000000" else "111111"})
    right = customer.post(answer_path, {"code": code_in(message.body)})
    again = customer.post(answer_path, {"code": code_in(message.body)})

    assert message.recipient == EMAIL_OF_RECORD != NEW_EMAIL
    assert message.template == "authentication_code"
    assert wrong.json()["authenticated"] is False
    assert right.json()["interaction"]["authentication"] == ["code_to_email_of_record"]
    assert again.status_code == 422


def test_an_expired_code_does_not_authenticate(customer: Customer):
    interaction_id = customer.interaction("inbound_call")
    sent = customer.post(f"/interactions/{interaction_id}/challenges", {"kind": "email_code"})
    (message,) = customer.outbox()
    customer.container.clock.advance(timedelta(minutes=20))  # type: ignore[attr-defined]

    late = customer.post(
        f"/interactions/{interaction_id}/challenges/{sent.json()['challenge_id']}/answer",
        {"code": code_in(message.body)},
    )

    assert late.json()["authenticated"] is False
    assert "expired" in late.json()["problems"][0]["message"]


def test_a_letter_goes_to_the_postal_address_of_record_and_the_interaction_waits(customer: Customer):
    interaction_id = customer.interaction("inbound_call")

    sent = customer.post(f"/interactions/{interaction_id}/challenges", {"kind": "letter"})
    (letter,) = customer.outbox()
    customer.container.clock.advance(timedelta(days=5))  # type: ignore[attr-defined]
    answered = customer.post(
        f"/interactions/{interaction_id}/challenges/{sent.json()['challenge_id']}/answer",
        {"code": code_in(letter.body)},
    )

    assert letter.channel == "letter"
    assert letter.recipient == POSTAL_OF_RECORD
    assert answered.json()["interaction"]["authentication"] == ["letter_to_address_of_record"]


def test_a_lost_pin_is_reset_through_a_code_to_the_email_of_record(customer: Customer):
    customer.set_pin()
    interaction_id = customer.interaction("inbound_call")

    sent = customer.post(f"/interactions/{interaction_id}/challenges", {"kind": "password_reset"})
    reset = next(m for m in customer.outbox() if m.template == "password_reset")
    customer.post(
        f"/interactions/{interaction_id}/challenges/{sent.json()['challenge_id']}/answer",
        {"code": code_in(reset.body)},
    )
    renewed = customer.set_credential("pin", {"secret": "8362", "interaction_id": interaction_id})

    assert reset.recipient == EMAIL_OF_RECORD
    assert renewed.status_code == 200, renewed.text


def test_bad_input_gets_clear_errors(customer: Customer):
    interaction_id = customer.interaction("inbound_call")

    unknown = customer.post("/interactions/999999999/authentication/password", {"secret": PIN})
    kind = customer.post(f"/interactions/{interaction_id}/challenges", {"kind": "sms_to_any_number"})
    channel = customer.post(
        "/sign-in", {"account_number": customer.account, "channel": "store", "secret": PIN}
    )
    ended = customer.interaction("inbound_call")
    customer.post(f"/interactions/{ended}/end")
    after_end = customer.post(f"/interactions/{ended}/authentication/password", {"secret": PIN})
    no_challenge = customer.post(
        f"/interactions/{interaction_id}/challenges/424242/answer", {"code": "123456"}
    )

    assert unknown.status_code == 404
    assert kind.status_code == 422
    assert channel.status_code == 422
    assert after_end.status_code == 422
    assert no_challenge.status_code == 404


def test_no_code_is_sent_when_the_account_has_no_email_or_number_of_record(customer: Customer):
    key, number = add_customer(customer.container)
    with customer.container.unit_of_work() as uow:
        uow.session.execute(  # type: ignore[attr-defined]
            delete(ContactPoint).where(ContactPoint.account_id == key)
        )
        uow.session.execute(
            update(ServiceNumber)
            .where(ServiceNumber.account_id == key)
            .values(  # type: ignore[attr-defined]
                associated_at=TEST_NOW - timedelta(days=2)
            )
        )
        uow.commit()
    interaction_id = customer.interaction("inbound_call", account=number)

    email = customer.post(f"/interactions/{interaction_id}/challenges", {"kind": "email_code"})
    callback = customer.post(f"/interactions/{interaction_id}/challenges", {"kind": "callback"})

    assert email.status_code == callback.status_code == 422
    assert "of record" in email.json()["errors"][0]["message"]
    assert customer.outbox() == []
