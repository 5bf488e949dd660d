"""Bad input to the gate's routes and to credentials: a field-level 422, and nothing written.

A request the schema refuses never reaches the gate, so it leaves no access-log entry
(DESIGN.md invariant 2 logs decisions, and none was made); a refused credential leaves no
hash and no 64.2010(f) notice.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.e2e.caller_auth_scenario import PIN, Customer
from tests.e2e.gate_scenario import calls

from cpniguard.adapters.db.tables import AccessLogRecord, Credential
from cpniguard.domain.credentials import PASSWORD_MAX_CHARS
from cpniguard.domain.disclosure_request import AuthenticationMethod

PROBLEM = "application/problem+json"
ASK = {
    "data_category": "call_detail",
    "purpose": "provide_service",
    "channel": "postal_mail",
    "recipient": "customer",
    "destination": "postal_address_of_record",
}


def _rows(container, table) -> int:
    with container.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(table)))


def _is_field_problem(answer, location: str) -> None:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert location in [error["location"] for error in answer.json()["errors"]]


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"purpose": None}, "body.purpose"),
        ({"purpose": 3}, "body.purpose"),
        ({"channel": "x" * 65}, "body.channel"),
        ({"account_number": "A\x00B"}, "body.account_number"),
        ({"interaction_id": 0}, "body.interaction_id"),
        ({"stated_call_number": "555-0100"}, "body.stated_call_number"),
        ({"legal_process_reference": ""}, "body.legal_process_reference"),
        ({"actor_role": "administrator"}, "body.actor_role"),
    ],
    ids=["missing", "not-a-string", "overlong", "nul", "zero-id", "not-e164", "empty-reference", "extra"],
)
def test_a_malformed_decision_request_is_a_field_level_422_and_logs_nothing(
    api, container, scenario, change, location
):
    body = {"account_number": scenario.account, **ASK, **change}
    before = _rows(container, AccessLogRecord)

    answer = api.post(
        "/api/v1/decisions",
        json={k: v for k, v in body.items() if v is not None},
        headers=scenario.representative,
    )

    _is_field_problem(answer, location)
    assert _rows(container, AccessLogRecord) == before


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ({"start": "2026-10-21T00:00:00Z", "end": "2026-10-20T00:00:00Z"}, "query.start"),
        ({"start": "2026-10-21T00:00:00Z", "end": "2026-10-21T00:00:00Z"}, "query.start"),
        ({"start": "2026-10-21T00:00:00"}, "query.start"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 5001}, "query.limit"),
        ({"stated_call_number": "5550100"}, "query.stated_call_number"),
        ({"interaction_id": 0}, "query.interaction_id"),
        ({"purpose": ""}, "query.purpose"),
    ],
    ids=[
        "backwards",
        "empty-window",
        "no-offset",
        "zero-limit",
        "over-limit",
        "not-e164",
        "zero-id",
        "empty",
    ],
)
def test_a_malformed_call_detail_read_is_a_field_level_422_and_logs_nothing(
    api, container, scenario, query, location
):
    before = _rows(container, AccessLogRecord)

    answer = calls(api, scenario, **query)

    _is_field_problem(answer, location)
    assert _rows(container, AccessLogRecord) == before


def test_an_end_in_year_one_clamps_the_default_window_instead_of_crashing(api, scenario):
    # Found by the schema fuzz: `end` minus the default 31 days fell below datetime.min.
    answer = calls(api, scenario, end="0001-01-01T00:00:01Z")

    assert answer.status_code < 500, answer.text


def test_an_end_before_the_first_instant_is_a_field_level_422(api, scenario):
    answer = calls(api, scenario, end="0001-01-01T00:00:00+05:00")

    _is_field_problem(answer, "query.start")


@pytest.mark.parametrize(
    ("route", "query", "location"),
    [
        ("invoices", {"limit": 121}, "query.limit"),
        ("invoices", {"recipient": "x\x07"}, "query.recipient"),
        ("services", {"channel": "x" * 65}, "query.channel"),
    ],
)
def test_a_malformed_bill_or_service_read_is_a_field_level_422_and_logs_nothing(
    api, container, scenario, route, query, location
):
    params = {"purpose": "provide_service", "channel": "inbound_call", "recipient": "customer", **query}
    before = _rows(container, AccessLogRecord)

    answer = api.get(
        f"/api/v1/accounts/{scenario.account}/{route}", params=params, headers=scenario.representative
    )

    _is_field_problem(answer, location)
    assert _rows(container, AccessLogRecord) == before


@pytest.mark.parametrize(
    ("kind", "change", "location"),
    [
        ("ssn", {}, "path.kind"),
        ("password", {"secret": "x" * (PASSWORD_MAX_CHARS + 1)}, "body.secret"),
        ("pin", {"secret": ""}, "body.secret"),
        ("pin", {"interaction_id": 0}, "body.interaction_id"),
        ("backup_answer", {"question": ""}, "body.question"),
        ("online_account", {"login": "x" * 121}, "body.login"),
        ("pin", {"notify": False}, "body.notify"),
    ],
    ids=["unknown-kind", "overlong", "empty", "zero-id", "empty-question", "overlong-login", "extra-field"],
)
def test_a_malformed_credential_is_a_field_level_422_and_stores_nothing(
    customer: Customer, kind: str, change: dict[str, object], location: str
):
    proven = customer.interaction("inbound_call", AuthenticationMethod.CALLBACK_TO_NUMBER_OF_RECORD)

    answer = customer.set_credential(kind, {"secret": PIN, "interaction_id": proven, **change})

    _is_field_problem(answer, location)
    assert _rows(customer.container, Credential) == 0
    assert customer.outbox() == []
