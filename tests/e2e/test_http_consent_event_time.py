"""An event's time over HTTP is an ISO 8601 date and time with its offset, never a number.

Pydantic reads a JSON number (or a string of digits) as seconds since 1970, so `"occurred_at": 0`
would be 1970 and `1793000000` a time in October 2026 that no one wrote. Consent records
(47 CFR 64.2007(a)(3), 64.2008(a)(2)) and the opt-out failure letter's dates (64.2009(f)) must
carry the time as written: a number is a field-level 422 and nothing is written.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.conftest import TEST_NOW
from tests.e2e.conftest import bearer
from tests.e2e.test_http_consent import add_customer, ledger, record, recorded, written
from tests.e2e.test_http_consent_admin import failing_portal_incident, stored

from cpniguard.domain.employees import Role

pytestmark = pytest.mark.e2e

SECONDS = 1_793_000_000
"""2026-10-26T07:33:20Z, after 47 U.S.C. 222 and before TEST_NOW: pydantic alone would take it."""
NUMBERS = [
    pytest.param(SECONDS, id="integer"),
    pytest.param(SECONDS + 0.5, id="float"),
    pytest.param(0, id="zero"),
    pytest.param(0.0, id="zero-float"),
    pytest.param(str(SECONDS), id="digits-as-text"),
]
OPT_OUT = {"kind": "opted_out", "source": "mailed_form"}
"""An event a compliance officer may record with its own time: a mailed opt-out form's receipt."""


@pytest.fixture
def as_compliance(tokens) -> dict[str, str]:
    return bearer(tokens[Role.COMPLIANCE_OFFICER])


@pytest.fixture
def customer_number(container) -> str:
    return add_customer(container)[1]


def assert_refused_as_a_number(answer, location: str) -> None:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    [error] = answer.json()["errors"]
    assert error["location"] == location
    assert "ISO 8601 date and time with its UTC offset" in error["message"]


def test_the_time_as_seconds_names_an_instant_an_iso_event_time_records(api, customer_number, as_compliance):
    written_out = datetime.fromtimestamp(SECONDS, tz=UTC)
    assert written_out < TEST_NOW
    event = recorded(api, customer_number, as_compliance, **OPT_OUT, occurred_at=written_out.isoformat())
    assert datetime.fromisoformat(event["occurred_at"]) == written_out


@pytest.mark.parametrize("number", NUMBERS)
def test_an_occurred_at_given_as_a_number_is_a_422_and_the_ledger_is_unchanged(
    api, container, customer_number, as_compliance, number
):
    recorded(api, customer_number, as_compliance, kind="opted_out", source="mailed_form")
    events_before, rows_before = ledger(api, customer_number, as_compliance), written(container)
    answer = record(api, customer_number, as_compliance, **OPT_OUT, occurred_at=number)
    assert_refused_as_a_number(answer, "body.occurred_at")
    assert ledger(api, customer_number, as_compliance) == events_before
    assert written(container) == rows_before


@pytest.mark.parametrize("field", ["letter_sent_at", "closed_at"])
@pytest.mark.parametrize("number", NUMBERS[:2])
def test_an_incident_date_given_as_a_number_is_a_422_and_the_incident_is_unchanged(
    api, container, as_administrator, as_compliance, field, number
):
    incident = failing_portal_incident(api, container, as_administrator)
    before = stored(container)
    answer = api.patch(
        f"/api/v1/consent/opt-out-failures/{incident}", json={field: number}, headers=as_compliance
    )
    assert_refused_as_a_number(answer, f"body.{field}")
    assert stored(container) == before


@pytest.mark.parametrize("number", [str(SECONDS), "0", "1793000000.5"])
def test_an_as_of_given_as_seconds_is_a_422_naming_the_query_parameter(
    api, customer_number, as_compliance, number
):
    answer = api.get(
        f"/api/v1/accounts/{customer_number}/consent", params={"as_of": number}, headers=as_compliance
    )

    assert_refused_as_a_number(answer, "query.as_of")


def test_an_as_of_written_out_is_answered(api, customer_number, as_compliance):
    as_of = datetime.fromtimestamp(SECONDS, tz=UTC).isoformat()

    answer = api.get(
        f"/api/v1/accounts/{customer_number}/consent", params={"as_of": as_of}, headers=as_compliance
    )

    assert answer.status_code == 200, answer.text
