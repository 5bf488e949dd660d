"""Bad input to the interaction and training routes: a field-level 422, and nothing written.

47 CFR 64.2010(a) (interactions), 64.2009(b) (training and discipline).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.e2e.conftest import bearer

from cpniguard.adapters.db.tables import DisciplinaryActionRecord, EmployeeTraining, Interaction
from cpniguard.domain.employees import Role

PROBLEM = "application/problem+json"
TRAINING = {
    "course": "CPNI 2026",
    "completed_at": "2026-10-01T00:00:00Z",
    "expires_at": "2027-10-01T00:00:00Z",
}
ACTION = {"action": "warning", "reason": "looked up a neighbour's calls", "taken_at": "2026-10-02T00:00:00Z"}
EMPLOYEE_PATH = "/api/v1/employees/rep-untrained"


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
        ({"caller_number": "+1999"}, "caller_number"),
        ({"caller_number": "2125550199"}, "body.caller_number"),
        ({"account_number": ""}, "body.account_number"),
        ({"account_number": "A\x00B"}, "body.account_number"),
        ({"channel": ""}, "body.channel"),
        ({"pin": "4739"}, "body.pin"),
    ],
    ids=["short-number", "not-e164", "empty-account", "nul-account", "empty-channel", "extra-field"],
)
def test_a_bad_interaction_body_is_a_field_level_422_and_opens_no_interaction(
    api, container, scenario, change, location
):
    before = _rows(container, Interaction)
    body = {"account_number": scenario.account, "channel": "store", **change}

    answer = api.post("/api/v1/interactions", json=body, headers=scenario.representative)

    _is_field_problem(answer, location)
    assert _rows(container, Interaction) == before


def test_an_unknown_channel_opens_no_interaction(api, container, scenario):
    before = _rows(container, Interaction)
    body = {"account_number": scenario.account, "channel": "telegraph"}

    answer = api.post("/api/v1/interactions", json=body, headers=scenario.representative)

    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM
    assert _rows(container, Interaction) == before


@pytest.mark.parametrize("interaction_id", ["0", "-1", "abc", str(2**63)])
def test_a_bad_interaction_id_is_a_field_level_422_when_read_or_ended(api, scenario, interaction_id):
    path = f"/api/v1/interactions/{interaction_id}"

    read = api.get(path, headers=scenario.representative)
    ended = api.post(f"{path}/end", headers=scenario.representative)

    _is_field_problem(read, "path.interaction_id")
    _is_field_problem(ended, "path.interaction_id")


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"expires_at": "2026-09-01T00:00:00Z"}, "expires_at"),
        ({"completed_at": "2026-10-01T00:00:00"}, "body.completed_at"),
        ({"course": ""}, "body.course"),
        ({"course": "CPNI\n2026"}, "body.course"),
        ({"recorded_by": "someone else"}, "body.recorded_by"),
    ],
    ids=["expires-before-completed", "no-utc-offset", "empty-course", "control-character", "extra-field"],
)
def test_a_bad_training_is_a_field_level_422_and_records_nothing(
    api, container, scenario, tokens, change, location
):
    officer = bearer(tokens[Role.COMPLIANCE_OFFICER])
    before = _rows(container, EmployeeTraining)

    answer = api.post(f"{EMPLOYEE_PATH}/trainings", json={**TRAINING, **change}, headers=officer)

    _is_field_problem(answer, location)
    assert _rows(container, EmployeeTraining) == before
    assert api.get(f"{EMPLOYEE_PATH}/training", headers=officer).json()["status"] == "missing"


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"action": "flogging"}, "body.action"),
        ({"reason": ""}, "body.reason"),
        ({"reason": "x" * 1001}, "body.reason"),
        ({"taken_at": "yesterday"}, "body.taken_at"),
        ({"recorded_by": "someone else"}, "body.recorded_by"),
    ],
    ids=["unknown-action", "empty-reason", "overlong-reason", "not-an-instant", "extra-field"],
)
def test_a_bad_disciplinary_action_is_a_field_level_422_and_records_nothing(
    api, container, scenario, tokens, change, location
):
    officer = bearer(tokens[Role.COMPLIANCE_OFFICER])
    before = _rows(container, DisciplinaryActionRecord)

    answer = api.post(f"{EMPLOYEE_PATH}/disciplinary-actions", json={**ACTION, **change}, headers=officer)

    _is_field_problem(answer, location)
    assert _rows(container, DisciplinaryActionRecord) == before


@pytest.mark.parametrize("username", ["a%00b", "x" * 65])
def test_a_username_that_cannot_be_one_is_a_field_level_422(api, scenario, tokens, username):
    officer = bearer(tokens[Role.COMPLIANCE_OFFICER])

    read = api.get(f"/api/v1/employees/{username}/training", headers=officer)
    recorded = api.post(f"/api/v1/employees/{username}/trainings", json=TRAINING, headers=officer)

    _is_field_problem(read, "path.username")
    _is_field_problem(recorded, "path.username")
