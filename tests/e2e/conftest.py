"""The HTTP API over the test database: a client, and bearer tokens for every role."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from tests.e2e.caller_auth_scenario import customer  # noqa: F401 - a fixture, shared by the caller-auth tests
from tests.e2e.gate_scenario import scenario  # noqa: F401 - a fixture, shared by the gate tests
from tests.factories import add_account

from cpniguard.adapters.db.engine import build_engine
from cpniguard.bootstrap import Container
from cpniguard.domain.employees import Role
from cpniguard.services.api_tokens import IssuedToken, issue_api_token
from cpniguard.web.app import create_app


@pytest.fixture
def client_for() -> Iterator[Callable[..., TestClient]]:
    """Make a client over create_app(container, **options); closed after the test."""
    clients: list[TestClient] = []

    def make(container: Container, **options: int) -> TestClient:
        client = TestClient(create_app(container, **options), raise_server_exceptions=False)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def api(client_for: Callable[..., TestClient], container: Container) -> TestClient:
    """The API over the test database, as a client would see it."""
    return client_for(container)


def issue(container: Container, role: Role, label: str = "test") -> IssuedToken:
    """A new bearer token with `role` in the container's database."""
    return issue_api_token(
        role=role, label=label, employee_id=None, uow_factory=container.unit_of_work, clock=container.clock
    )


@pytest.fixture
def tokens(container: Container) -> dict[Role, str]:
    """A bearer token secret for every role."""
    return {
        role: issue_api_token(
            role=role,
            label=f"test {role}",
            employee_id=None,
            uow_factory=container.unit_of_work,
            clock=container.clock,
        ).secret
        for role in Role
    }


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for `token`."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def as_integration(tokens: dict[Role, str]) -> dict[str, str]:
    return bearer(tokens[Role.INTEGRATION])


@pytest.fixture
def as_administrator(tokens: dict[Role, str]) -> dict[str, str]:
    return bearer(tokens[Role.ADMINISTRATOR])


@pytest.fixture
def as_representative(tokens: dict[Role, str]) -> dict[str, str]:
    return bearer(tokens[Role.REPRESENTATIVE])


@pytest.fixture
def database(fresh_database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database of the test's own, for tests that run the CLI."""
    engine = build_engine(fresh_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def account(database: Engine) -> str:
    """The number of an account committed in that fresh database."""
    with Session(database) as session:
        _, number = add_account(session)
        session.commit()
    return number
