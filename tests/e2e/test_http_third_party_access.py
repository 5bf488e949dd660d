"""The third-party access log over HTTP: every time the gate lets CPNI go outside the carrier.

47 CFR 64.2009(c) (RULES 5.3): a record of every instance CPNI was disclosed or provided to third
parties, or third parties were given access. Through the real app and database (SQLite, and
PostgreSQL with CPNIGUARD_TEST_DATABASE_URL): decisions go through `POST /api/v1/decisions`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.conftest import TEST_NOW
from tests.e2e.conftest import bearer
from tests.e2e.gate_scenario import employee_token

from cpniguard.domain.employees import Role

pytestmark = pytest.mark.e2e

ACCESS = "/api/v1/third-party-access"
SUBPOENA = {
    "data_category": "call_detail",
    "purpose": "legal_process",
    "channel": "api",
    "recipient": "government",
    "legal_process_reference": "Subpoena 2026-GJ-0117",
}
PERIOD = {
    "first": (TEST_NOW - timedelta(days=1)).isoformat(),
    "last": (TEST_NOW + timedelta(days=1)).isoformat(),
}


@pytest.fixture
def officer(container) -> dict[str, str]:
    return employee_token(container, "carla.compliance", trained=True, role=Role.COMPLIANCE_OFFICER)


def decide(api, headers, account: str, **ask: object) -> dict:
    answer = api.post("/api/v1/decisions", json={"account_number": account, **ask}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_subpoenaed_disclosure_to_the_government_is_logged_with_its_basis_and_decision(
    api, scenario, officer, tokens
):
    decision = decide(api, officer, scenario.account, **SUBPOENA)

    answer = api.get(ACCESS, params=PERIOD, headers=bearer(tokens[Role.AUDITOR]))

    assert decision["decision"] == "permit", decision
    assert answer.status_code == 200, answer.text
    [logged] = answer.json()
    assert (logged["account_number"], logged["recipient_class"], logged["data_category"]) == (
        scenario.account,
        "government",
        "call_detail",
    )
    assert (logged["purpose"], logged["disclosed_by"]) == ("legal_process", "carla.compliance")
    assert logged["access_log_sequence"] == decision["access_log_sequence"]


def test_denials_and_the_carriers_own_uses_are_not_third_party_access(api, scenario, officer, tokens):
    denied = decide(api, officer, scenario.account, **(SUBPOENA | {"legal_process_reference": None}))
    own = decide(
        api,
        scenario.representative,
        scenario.account,
        data_category="call_detail",
        purpose="provide_service",
        channel="postal_mail",
        recipient="customer",
        destination="postal_address_of_record",
    )

    answer = api.get(ACCESS, params=PERIOD, headers=bearer(tokens[Role.COMPLIANCE_OFFICER]))

    assert (denied["decision"], own["decision"]) == ("deny", "permit")
    assert answer.json() == []


def test_the_period_pages_and_later_periods_leave_the_record_out(api, scenario, officer, tokens):
    for _ in range(3):
        decide(api, officer, scenario.account, **SUBPOENA)
    auditor = bearer(tokens[Role.AUDITOR])

    first_page = api.get(ACCESS, params=PERIOD | {"limit": 2}, headers=auditor).json()
    rest = api.get(ACCESS, params=PERIOD | {"after_id": first_page[-1]["id"]}, headers=auditor).json()
    later = {
        "first": (TEST_NOW + timedelta(days=2)).isoformat(),
        "last": (TEST_NOW + timedelta(days=3)).isoformat(),
    }

    assert [len(first_page), len(rest)] == [2, 1]
    assert api.get(ACCESS, params=later, headers=auditor).json() == []


@pytest.mark.parametrize(
    ("params", "location"),
    [
        (PERIOD | {"last": (TEST_NOW - timedelta(days=2)).isoformat()}, "query.last"),
        (PERIOD | {"first": "2026-11-20T10:00:00"}, "query.first"),
        (PERIOD | {"limit": 0}, "query.limit"),
        (PERIOD | {"after_id": -1}, "query.after_id"),
        (PERIOD | {"after_id": 10**20}, "query.after_id"),
        ({"first": PERIOD["first"]}, "query.last"),
    ],
)
def test_a_bad_period_or_page_is_a_422_naming_the_parameter(api, tokens, params, location):
    answer = api.get(ACCESS, params=params, headers=bearer(tokens[Role.AUDITOR]))

    assert answer.status_code == 422, answer.text
    assert location in [error["location"] for error in answer.json()["errors"]]


def test_a_representative_may_not_read_the_log(api, scenario):
    assert api.get(ACCESS, params=PERIOD, headers=scenario.representative).status_code == 403
