from tests.conftest import make_settings

from cpniguard.bootstrap import build_container

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"


def test_a_request_while_the_database_is_down_is_a_503_problem_with_retry_after(client_for):
    container = build_container(make_settings(UNREACHABLE))
    try:
        client = client_for(container)
        response = client.get("/api/v1/me", headers={"Authorization": "Bearer cpg_" + "a" * 43})
        ready = client.get("/health/ready")
    finally:
        container.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert "nobody" not in response.text
    assert ready.status_code == 503
