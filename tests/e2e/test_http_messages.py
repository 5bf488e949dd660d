"""GET /api/v1/accounts/{account_number}/messages: where a customer's messages stand."""

from __future__ import annotations

import pytest
from tests.conftest import TEST_NOW
from tests.e2e.conftest import bearer
from tests.factories import add_account

from cpniguard.domain.accounts import Language
from cpniguard.domain.employees import Role
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services.ports import OutboundMessage

READERS = [Role.REPRESENTATIVE, Role.SUPERVISOR, Role.COMPLIANCE_OFFICER, Role.AUDITOR]


@pytest.fixture
def account_number(container):
    with container.sessions() as session:
        account_id, number = add_account(session)
        session.commit()
    with container.unit_of_work() as uow:
        uow.outbox.enqueue(
            OutboundMessage(
                idempotency_key=f"authentication_code:{account_id}:1",
                account_id=account_id,
                channel=NoticeChannel.EMAIL,
                recipient="ana@customer.example",
                language=Language.EN,
                template="authentication_code",
                subject="Your code",
                body="Your one-time code is 493817.",
            ),
            at=TEST_NOW,
        )
        uow.commit()
    return number


@pytest.mark.parametrize("role", READERS)
def test_people_who_serve_or_audit_the_customer_see_the_delivery_state_without_the_body(
    api, tokens, account_number, role
):
    response = api.get(f"/api/v1/accounts/{account_number}/messages", headers=bearer(tokens[role]))
    assert response.status_code == 200, response.text
    [message] = response.json()["messages"]
    assert message["status"] == "pending"
    assert message["channel"] == "email"
    assert message["recipient"] == "ana@customer.example"
    assert message["template"] == "authentication_code"
    assert message["attempts"] == 0
    assert "493817" not in response.text


@pytest.mark.parametrize("role", [Role.MARKETING_ANALYST, Role.INTEGRATION, Role.ADMINISTRATOR])
def test_other_roles_are_refused(api, tokens, account_number, role):
    response = api.get(f"/api/v1/accounts/{account_number}/messages", headers=bearer(tokens[role]))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_an_unknown_account_is_not_found(api, tokens):
    response = api.get("/api/v1/accounts/NOPE0001/messages", headers=bearer(tokens[Role.AUDITOR]))
    assert response.status_code == 404
    assert response.json()["detail"] == "no account NOPE0001"


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=ten"])
def test_a_bad_page_size_is_a_validation_problem(api, tokens, account_number, query):
    response = api.get(
        f"/api/v1/accounts/{account_number}/messages?{query}", headers=bearer(tokens[Role.AUDITOR])
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_without_a_token_nothing_is_shown(api, account_number):
    assert api.get(f"/api/v1/accounts/{account_number}/messages").status_code == 401
