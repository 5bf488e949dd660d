from datetime import UTC, datetime, timedelta

import pytest
from tests.conftest import TEST_NOW, TEST_SECRET, make_settings
from tests.e2e.conftest import bearer

from cpniguard.adapters.clock import SystemClock
from cpniguard.bootstrap import Container
from cpniguard.config import Environment, SecuritySettings
from cpniguard.domain.employees import Role
from cpniguard.services.api_tokens import issue_api_token

CLOCK = "/api/v1/admin/clock"
PRODUCTION_SIGNING_KEY = "production-signing-key-" + "s" * 40


def test_an_administrator_reads_the_clock(api, as_administrator):
    response = api.get(CLOCK, headers=as_administrator)
    assert response.status_code == 200
    assert datetime.fromisoformat(response.json()["now"]) == TEST_NOW


def test_an_administrator_pins_the_clock_and_it_answers_in_utc(api, as_administrator, container):
    response = api.post(CLOCK, json={"pin_at": "2027-03-01T09:00:00-05:00"}, headers=as_administrator)
    assert response.status_code == 200, response.text
    assert datetime.fromisoformat(response.json()["now"]) == datetime(2027, 3, 1, 14, 0, tzinfo=UTC)
    assert container.clock.now() == datetime(2027, 3, 1, 14, 0, tzinfo=UTC)
    assert container.clock.now().utcoffset() == timedelta(0)


@pytest.mark.parametrize("advance_by", ["P30D", "PT720H", 30 * 86_400])
def test_an_administrator_moves_the_clock_across_a_30_day_waiting_period(
    api, as_administrator, container, advance_by
):
    response = api.post(CLOCK, json={"advance_by": advance_by}, headers=as_administrator)
    assert response.status_code == 200, response.text
    assert container.clock.now() == TEST_NOW + timedelta(days=30)


def test_the_clock_refuses_to_leave_the_calendar(api, as_administrator, container):
    response = api.post(CLOCK, json={"advance_by": "P3650000D"}, headers=as_administrator)
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "body.advance_by"
    assert container.clock.now() == TEST_NOW


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({}, "body"),
        ({"pin_at": "2027-03-01T09:00:00Z", "advance_by": 60}, "body"),
        ({"pin_at": "2027-03-01T09:00:00"}, "body.pin_at"),
        ({"pin_at": "next tuesday"}, "body.pin_at"),
        ({"advance_by": "a while"}, "body.advance_by"),
        ({"advance_by": True}, "body.advance_by"),
        ({"pin_at": 1630}, "body.pin_at"),
        ({"advance_by": 60, "rewind": True}, "body.rewind"),
    ],
)
def test_a_bad_clock_change_is_a_field_level_422(api, as_administrator, container, body, location):
    response = api.post(CLOCK, json=body, headers=as_administrator)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["location"] for e in response.json()["errors"]] == [location]
    assert container.clock.now() == TEST_NOW


def test_a_body_that_is_not_json_is_a_422(api, as_administrator):
    response = api.post(
        CLOCK, content=b"{not json", headers={**as_administrator, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"].startswith("body")


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
def test_only_an_administrator_may_touch_the_clock(api, tokens, container, role):
    assert api.get(CLOCK, headers=bearer(tokens[role])).status_code == 403
    response = api.post(CLOCK, json={"advance_by": "P30D"}, headers=bearer(tokens[role]))
    assert response.status_code == 403
    assert container.clock.now() == TEST_NOW


def test_a_production_server_has_no_clock_endpoint(client_for, connection, engine, database_url, container):
    keys = SecuritySettings(signing_key=PRODUCTION_SIGNING_KEY, encryption_key=TEST_SECRET)  # type: ignore[arg-type]
    settings = make_settings(database_url, environment=Environment.PRODUCTION, security=keys)
    production = Container(settings=settings, engine=engine, sessions=container.sessions, clock=SystemClock())
    secret = issue_api_token(
        role=Role.ADMINISTRATOR,
        label="prod admin",
        employee_id=None,
        uow_factory=production.unit_of_work,
        clock=production.clock,
    ).secret
    api = client_for(production)
    assert api.get(CLOCK, headers=bearer(secret)).status_code == 404
    assert api.post(CLOCK, json={"advance_by": "P30D"}, headers=bearer(secret)).status_code == 404
    assert CLOCK not in api.get("/openapi.json").json()["paths"]
    assert api.get("/api/v1/me", headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize("pin_at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_pinning_the_clock_outside_the_calendar_in_utc_is_a_field_level_422(
    api, as_administrator, container, pin_at
):
    response = api.post(CLOCK, json={"pin_at": pin_at}, headers=as_administrator)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["location"] for e in response.json()["errors"]] == ["body.pin_at"]
    assert "years 1 to 9999" in response.json()["errors"][0]["message"]
    assert container.clock.now() == TEST_NOW


@pytest.mark.parametrize(
    ("pin_at", "pinned"),
    [
        ("0001-01-01T00:00:00-01:00", datetime(1, 1, 1, 1, 0, tzinfo=UTC)),
        ("9999-12-31T23:59:59+01:00", datetime(9999, 12, 31, 22, 59, 59, tzinfo=UTC)),
    ],
)
def test_the_clock_may_be_pinned_at_the_edges_of_the_calendar(
    api, as_administrator, container, pin_at, pinned
):
    response = api.post(CLOCK, json={"pin_at": pin_at}, headers=as_administrator)
    assert response.status_code == 200, response.text
    assert container.clock.now() == pinned
