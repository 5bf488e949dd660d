import re

import pytest
from tests.e2e.conftest import bearer, issue

from cpniguard.domain.employees import Role
from cpniguard.services.api_tokens import revoke_api_token


def api_v1_requests(app):
    """(method, path) for every /api/v1 operation the app publishes, path parameters filled with 1."""
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/api/v1"):
            for method in operations:
                yield method.upper(), re.sub(r"\{[^}]+\}", "1", path)


def assert_unauthorized(response, *, invalid_token):
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert ('error="invalid_token"' in response.headers["www-authenticate"]) is invalid_token
    problem = response.json()
    assert problem["status"] == 401
    assert problem["title"] == "Unauthorized"


def test_every_api_route_is_listed(api):
    paths = {path for _, path in api_v1_requests(api.app)}
    assert {"/api/v1/me", "/api/v1/classification", "/api/v1/call-detail-records/batches"} <= paths
    assert "/api/v1/admin/clock" in paths
    assert ("POST", "/api/v1/admin/clock") in set(api_v1_requests(api.app))


def test_every_api_route_refuses_a_request_without_a_token(api):
    for method, path in api_v1_requests(api.app):
        assert_unauthorized(api.request(method, path), invalid_token=False)


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer not-a-cpniguard-token",
        "Bearer cpg_short",
        "Basic dXNlcjpwYXNz",
        "cpg_" + "a" * 43,
        "Bearer " + "cpg_" + "a" * 300,
    ],
)
def test_every_api_route_refuses_a_malformed_token(api, authorization):
    invalid_token = authorization.startswith("Bearer ")
    for method, path in api_v1_requests(api.app):
        response = api.request(method, path, headers={"Authorization": authorization})
        assert_unauthorized(response, invalid_token=invalid_token)


def test_every_api_route_refuses_an_unknown_token(api):
    unknown = bearer("cpg_" + "x" * 43)
    for method, path in api_v1_requests(api.app):
        assert_unauthorized(api.request(method, path, headers=unknown), invalid_token=True)


def test_every_api_route_refuses_a_revoked_token(api, container):
    issued = issue(container, Role.ADMINISTRATOR, "revoked")
    assert api.get("/api/v1/me", headers=bearer(issued.secret)).status_code == 200
    revoke_api_token(token_id=issued.token_id, uow_factory=container.unit_of_work, clock=container.clock)
    for method, path in api_v1_requests(api.app):
        assert_unauthorized(api.request(method, path, headers=bearer(issued.secret)), invalid_token=True)


def test_the_401_answer_does_not_say_whether_a_token_exists_or_was_revoked(api, container):
    issued = issue(container, Role.INTEGRATION, "revoked")
    revoke_api_token(token_id=issued.token_id, uow_factory=container.unit_of_work, clock=container.clock)
    revoked = api.get("/api/v1/me", headers=bearer(issued.secret)).json()
    unknown = api.get("/api/v1/me", headers=bearer("cpg_" + "y" * 43)).json()
    assert revoked["detail"] == unknown["detail"]


@pytest.mark.parametrize("role", list(Role))
def test_me_says_who_the_token_speaks_for(api, tokens, role):
    response = api.get("/api/v1/me", headers=bearer(tokens[role]))
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == role.value
    assert body["label"] == f"test {role}"
    assert body["employee_id"] is None
    assert isinstance(body["token_id"], int)


def test_a_token_is_accepted_whatever_the_case_of_the_scheme(api, tokens):
    response = api.get("/api/v1/me", headers={"Authorization": f"bearer {tokens[Role.AUDITOR]}"})
    assert response.status_code == 200
