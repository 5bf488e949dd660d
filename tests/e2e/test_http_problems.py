import logging

from fastapi import APIRouter

from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.web.problems import PROBLEM_MEDIA_TYPE


def test_an_unknown_route_is_a_404_problem(api):
    response = api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Nothing is at /api/v1/no-such-thing; the API is described at /docs.",
        "instance": "/api/v1/no-such-thing",
    }


def test_a_wrong_method_is_a_405_problem_saying_what_is_allowed(api, as_integration):
    response = api.put("/api/v1/classification", headers=as_integration)
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["allow"] == "GET"
    assert response.json()["detail"] == "PUT is not allowed on /api/v1/classification; allowed: GET."


def test_an_unexpected_failure_is_a_500_problem_without_internals(api, caplog):
    failing = APIRouter()

    @failing.get("/explode")
    def explode() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    api.app.include_router(failing)
    with caplog.at_level(logging.ERROR, logger="cpniguard.web.problems"):
        response = api.get("/explode")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = response.json()
    assert problem["title"] == "Internal Server Error"
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert problem["incident"] in problem["detail"]
    logged = [r for r in caplog.records if r.name == "cpniguard.web.problems"]
    assert problem["incident"] in logged[0].getMessage()
    assert logged[0].exc_info is not None


def test_domain_errors_become_404_and_422_problems(api):
    domain = APIRouter()

    @domain.get("/missing")
    def missing() -> None:
        raise NotFoundError("no account 'T000000042'")

    @domain.get("/invalid")
    def invalid() -> None:
        raise InvalidInputError("the number is not valid", (FieldProblem("called_number", "not E.164"),))

    api.app.include_router(domain)
    missing_answer = api.get("/missing")
    assert missing_answer.status_code == 404
    assert missing_answer.json()["detail"] == "no account 'T000000042'"
    invalid_answer = api.get("/invalid")
    assert invalid_answer.status_code == 422
    assert invalid_answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert invalid_answer.json()["errors"] == [{"location": "called_number", "message": "not E.164"}]


def test_the_openapi_document_describes_errors_as_problem_details(api):
    document = api.get("/openapi.json").json()
    batches = document["paths"]["/api/v1/call-detail-records/batches"]["post"]
    for status in ("401", "403", "413", "415", "422"):
        assert list(batches["responses"][status]["content"]) == [PROBLEM_MEDIA_TYPE]
    assert "text/csv" in batches["requestBody"]["content"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_the_openapi_document_leaves_health_open_and_guards_the_api(api):
    paths = api.get("/openapi.json").json()["paths"]
    assert "security" not in paths["/health"]["get"]
    assert "security" not in paths["/health/ready"]["get"]
    assert paths["/api/v1/me"]["get"]["security"] == [{"HTTPBearer": []}]


def test_the_docs_page_is_served(api):
    response = api.get("/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text


def test_the_landing_page_says_what_to_try(api):
    response = api.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert 'href="/docs"' in page
    assert 'href="/openapi.json"' in page
    assert "cpniguard tokens issue" in page
    assert 'curl -H "Authorization: Bearer $TOKEN" http://testserver/api/v1/me' in page


def test_the_landing_page_never_echoes_markup_from_the_host_header(api):
    page = api.get("/", headers={"Host": "x<script>y"}).text
    assert "<script>" not in page
