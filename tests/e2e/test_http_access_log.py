"""GET /api/v1/accounts/{account_number}/access-log: who used or disclosed CPNI, and why (64.2009(c))."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from tests.conftest import is_postgres
from tests.e2e.conftest import bearer
from tests.factories import access_log_entry, add_account

from cpniguard.domain.audit import AuditEvent
from cpniguard.domain.employees import Role

READERS = (Role.AUDITOR, Role.COMPLIANCE_OFFICER, Role.SUPERVISOR)


@pytest.fixture
def account(container) -> str:
    """An account with five entries, and another account's two interleaved with them."""
    with container.unit_of_work() as uow:
        key, number = add_account(uow.session)
        other, _ = add_account(uow.session)
        uow.commit()
    with container.unit_of_work() as uow:
        for n in range(5):
            uow.access_log.append([access_log_entry(account_id=key, interaction_id=n)])
            if n % 2:
                uow.access_log.append(
                    [access_log_entry(account_id=other, event=AuditEvent.DISCLOSURE_DENIED)]
                )
        uow.commit()
    return number


def url(number: str) -> str:
    return f"/api/v1/accounts/{number}/access-log"


@pytest.mark.parametrize("role", READERS)
def test_auditors_compliance_officers_and_supervisors_read_a_customers_entries(api, tokens, account, role):
    response = api.get(url(account), headers=bearer(tokens[role]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["account_number"] == account
    assert [entry["interaction_id"] for entry in body["entries"]] == [4, 3, 2, 1, 0]
    newest = body["entries"][0]
    assert newest["event"] == "disclosure.permitted"
    assert newest["reasons"][0]["citation"] == "47 CFR 64.2010(b)"
    assert newest["occurred_at"].startswith("2026-11-02T15:00:00")
    assert len(newest["entry_hash"]) == 64
    assert body["next_before"] is None


@pytest.mark.parametrize("role", sorted(set(Role) - set(READERS)))
def test_other_roles_are_refused_with_a_403_problem(api, tokens, account, role):
    response = api.get(url(account), headers=bearer(tokens[role]))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert f"'{role}' may not read the access log" in response.json()["detail"]


def test_pages_are_followed_with_next_before(api, tokens, account):
    headers = bearer(tokens[Role.AUDITOR])
    first = api.get(url(account), params={"limit": 2}, headers=headers).json()
    second = api.get(
        url(account), params={"limit": 2, "before": first["next_before"]}, headers=headers
    ).json()
    third = api.get(
        url(account), params={"limit": 2, "before": second["next_before"]}, headers=headers
    ).json()
    pages = [[entry["interaction_id"] for entry in page["entries"]] for page in (first, second, third)]
    assert pages == [[4, 3], [2, 1], [0]]
    assert third["next_before"] is None


def test_an_unknown_account_is_a_404_problem(api, tokens):
    response = api.get(url("NO-SUCH"), headers=bearer(tokens[Role.AUDITOR]))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "no account NO-SUCH" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"limit": 0}, "query.limit"),
        ({"limit": 201}, "query.limit"),
        ({"limit": "ten"}, "query.limit"),
        ({"before": 0}, "query.before"),
        ({"before": "last"}, "query.before"),
    ],
)
def test_bad_paging_values_are_a_field_level_422(api, tokens, account, params, location):
    response = api.get(url(account), params=params, headers=bearer(tokens[Role.AUDITOR]))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["location"] for error in response.json()["errors"]] == [location]


def test_without_a_token_the_access_log_is_a_401(api, account):
    assert api.get(url(account)).status_code == 401


def test_an_entry_that_no_longer_matches_its_hash_is_a_problem_that_says_so(api, tokens, account, connection):
    if is_postgres():
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
    else:
        connection.exec_driver_sql("DROP TRIGGER access_log_no_update")
    connection.execute(text("UPDATE access_log SET payload = :p WHERE sequence = 2"), {"p": b"2|edited"})
    response = api.get(url(account), headers=bearer(tokens[Role.AUDITOR]))
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "entry 2 does not match its hash" in response.json()["detail"]
