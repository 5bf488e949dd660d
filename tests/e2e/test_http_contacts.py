"""Contact changes over HTTP: each writes a 64.2010(f) notice to the OLD contact, never the new value."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.conftest import TEST_NOW
from tests.e2e.conftest import bearer
from tests.factories import add_account, add_contact_point, add_service

from cpniguard.adapters.db.tables import ContactPoint, OutboxMessage, ServiceNumber
from cpniguard.domain.accounts import ContactKind, Language
from cpniguard.domain.employees import Role

OPENED = TEST_NOW - timedelta(days=400)
OLD_EMAIL, NEW_EMAIL = "old.holder@example.com", "New.Holder@Example.NET"
OLD_POSTAL = "12 Elm St, Springfield, IL 62701"
NEW_POSTAL = {
    "line1": "99 Oak Ave",
    "line2": "Apt 4B",
    "city": "Chicago",
    "state": "IL",
    "postal_code": "60601",
}
OLD_NUMBER, NEW_NUMBER = "+12125550100", "+13125557890"
MESSAGE_COLUMNS = ("channel", "recipient", "status", "language", "idempotency_key", "subject", "body")


def make_account(container, language=Language.EN):
    with container.unit_of_work() as uow:
        key, number = add_account(uow.session, language=language, opened_at=OPENED)
        add_service(uow.session, key, telephone_number=OLD_NUMBER, started_at=OPENED)
        add_contact_point(uow.session, key, ContactKind.EMAIL_ADDRESS, OLD_EMAIL, associated_at=OPENED)
        add_contact_point(uow.session, key, ContactKind.POSTAL_ADDRESS, OLD_POSTAL, associated_at=OPENED)
        uow.commit()
    return key, number


@pytest.fixture
def account(container):
    return make_account(container)


@pytest.fixture
def as_changer(tokens):
    return bearer(tokens[Role.REPRESENTATIVE])


def outbox(container, account_id):
    with container.unit_of_work() as uow:
        columns = [getattr(OutboxMessage, name) for name in MESSAGE_COLUMNS]
        return uow.session.execute(select(*columns).where(OutboxMessage.account_id == account_id)).all()


def prefer(api, headers, number, channel):
    response = api.put(
        f"/api/v1/accounts/{number}/notice-preference", json={"channel": channel}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"account_number": number, "channel": channel}


def assert_no_new_value(message, *new_values):
    for value in new_values:
        assert value.lower() not in message.body.lower()
        assert value.lower() not in (message.subject or "").lower()
        assert value.lower() != message.recipient.lower()


def test_an_email_change_is_notified_to_the_old_email_and_never_the_new_one(
    api, container, account, as_changer
):
    key, number = account
    prefer(api, as_changer, number, "email")
    response = api.put(
        f"/api/v1/accounts/{number}/email-address", json={"email": NEW_EMAIL}, headers=as_changer
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["change"] == "email_address"
    assert body["notice"]["channel"] == "email"
    [message] = outbox(container, key)
    assert (message.channel, message.recipient, message.status) == ("email", OLD_EMAIL, "pending")
    assert message.idempotency_key == body["notice"]["idempotency_key"]
    assert "your email address" in message.body
    assert_no_new_value(message, NEW_EMAIL, "example.net")


def test_a_postal_address_change_is_notified_by_letter_to_the_old_address(
    api, container, account, as_changer
):
    key, number = account
    prefer(api, as_changer, number, "letter")
    response = api.put(f"/api/v1/accounts/{number}/postal-address", json=NEW_POSTAL, headers=as_changer)
    assert response.status_code == 200, response.text
    [message] = outbox(container, key)
    assert (message.channel, message.recipient) == ("letter", OLD_POSTAL)
    assert_no_new_value(message, "99 Oak Ave", "Chicago", "60601", "Apt 4B")


def test_a_telephone_number_change_is_texted_to_the_old_number_by_default(
    api, container, account, as_changer
):
    key, number = account
    change = {"old_number": OLD_NUMBER, "new_number": NEW_NUMBER}
    response = api.put(
        f"/api/v1/accounts/{number}/telephone-number-of-record", json=change, headers=as_changer
    )
    assert response.status_code == 200, response.text
    [message] = outbox(container, key)
    assert (message.channel, message.recipient) == ("sms", OLD_NUMBER)
    assert_no_new_value(message, NEW_NUMBER, NEW_NUMBER[2:])
    later = (TEST_NOW + timedelta(seconds=1)).isoformat()
    points = api.get(f"/api/v1/accounts/{number}/contact-points", params={"as_of": later}, headers=as_changer)
    assert [n["telephone_number"] for n in points.json()["telephone_numbers_of_record"]] == [NEW_NUMBER]


def test_a_change_closes_the_old_contact_point_and_opens_the_new_one(api, container, account, as_changer):
    key, number = account
    api.put(f"/api/v1/accounts/{number}/email-address", json={"email": NEW_EMAIL}, headers=as_changer)
    with container.unit_of_work() as uow:
        rows = uow.session.execute(
            select(ContactPoint.value, ContactPoint.associated_at, ContactPoint.dissociated_at)
            .where(ContactPoint.account_id == key, ContactPoint.kind == ContactKind.EMAIL_ADDRESS)
            .order_by(ContactPoint.associated_at)
        ).all()
    assert [tuple(r) for r in rows] == [
        (OLD_EMAIL, OPENED, TEST_NOW),
        ("New.Holder@example.net", TEST_NOW, None),
    ]


def test_a_french_account_is_notified_in_french(api, container, as_changer):
    key, number = make_account(container, Language.FR)
    api.put(f"/api/v1/accounts/{number}/postal-address", json=NEW_POSTAL, headers=as_changer)
    [message] = outbox(container, key)
    assert message.language == "fr"
    assert "votre adresse postale" in message.body


@pytest.mark.parametrize(
    ("path", "payload", "location"),
    [
        ("email-address", {"email": "not-an-email"}, "email"),
        ("email-address", {"email": "a@" + "b" * 300 + ".com"}, "body.email"),
        ("postal-address", {**NEW_POSTAL, "line1": " ", "state": "ZZ", "postal_code": "6060"}, "line1"),
        ("postal-address", {**NEW_POSTAL, "city": "x" * 61}, "body.city"),
        ("postal-address", {"line1": "1 Main St"}, "body.city"),
        (
            "telephone-number-of-record",
            {"old_number": OLD_NUMBER, "new_number": "3125557890"},
            "body.new_number",
        ),
        (
            "telephone-number-of-record",
            {"old_number": OLD_NUMBER, "new_number": "+19995550100"},
            "new_number",
        ),
        (
            "telephone-number-of-record",
            {"old_number": "+13125550111", "new_number": NEW_NUMBER},
            "old_number",
        ),
        ("notice-preference", {"channel": "pigeon"}, "channel"),
    ],
)
def test_bad_input_is_refused_with_a_field_error_and_nothing_is_written(
    api, container, account, as_changer, path, payload, location
):
    key, number = account
    response = api.put(f"/api/v1/accounts/{number}/{path}", json=payload, headers=as_changer)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert location in [error["location"] for error in response.json()["errors"]]
    assert outbox(container, key) == []
    with container.unit_of_work() as uow:
        open_points = uow.session.scalars(
            select(ContactPoint.value).where(
                ContactPoint.account_id == key, ContactPoint.dissociated_at.is_(None)
            )
        ).all()
        numbers = uow.session.scalars(
            select(ServiceNumber.telephone_number).where(ServiceNumber.account_id == key)
        )
        assert sorted(open_points) == sorted([OLD_EMAIL, OLD_POSTAL])
        assert list(numbers) == [OLD_NUMBER]


def test_an_unknown_account_is_404(api, as_changer):
    response = api.put(
        "/api/v1/accounts/NOPE0001/email-address", json={"email": NEW_EMAIL}, headers=as_changer
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_a_role_that_may_not_change_contacts_is_403(api, account, tokens):
    _, number = account
    headers = bearer(tokens[Role.MARKETING_ANALYST])
    response = api.put(f"/api/v1/accounts/{number}/email-address", json={"email": NEW_EMAIL}, headers=headers)
    assert response.status_code == 403


def test_an_account_without_contact_of_record_changes_without_notice(api, container, as_changer):
    with container.unit_of_work() as uow:
        key, number = add_account(uow.session, opened_at=OPENED)
        uow.commit()
    response = api.put(
        f"/api/v1/accounts/{number}/email-address", json={"email": NEW_EMAIL}, headers=as_changer
    )
    assert response.status_code == 200
    assert response.json()["notice"] is None
    assert outbox(container, key) == []
