from pathlib import Path

from tests.conftest import make_settings

from cpniguard.adapters.db import migrate
from cpniguard.bootstrap import build_container


def test_health_answers_without_a_token(api):
    response = api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_says_ready_on_a_migrated_database(api):
    response = api.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database_revision": migrate.head_revision()}


def test_readiness_is_503_on_a_database_that_was_never_migrated(client_for, tmp_path):
    container = build_container(make_settings(f"sqlite:///{tmp_path / 'empty.sqlite3'}"))
    try:
        response = client_for(container).get("/health/ready")
    finally:
        container.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 503
    assert "none (empty)" in problem["detail"]
    assert "cpniguard db upgrade" in problem["detail"]


def test_readiness_is_503_when_the_database_does_not_answer(client_for, tmp_path):
    missing = Path(tmp_path / "no-such-folder" / "db.sqlite3")
    container = build_container(make_settings(f"sqlite:///{missing}"))
    try:
        response = client_for(container).get("/health/ready")
    finally:
        container.dispose()
    assert response.status_code == 503
    assert response.json()["detail"] == "The database does not answer."
    assert str(missing) not in response.text
