"""A gate scenario: an account with calls and an address of record, trained and untrained staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from tests.conftest import TEST_NOW
from tests.factories import OPENED, add_account, add_contact_point, add_service, cdr_row, write_cdr_csv

from cpniguard.adapters.ingest.cdr_csv import CsvCallDetailSource
from cpniguard.bootstrap import Container
from cpniguard.domain.accounts import ContactKind, ServiceCategory
from cpniguard.domain.disclosure_request import AuthenticationMethod
from cpniguard.domain.employees import Role, TrainingRecord
from cpniguard.services.api_tokens import issue_api_token
from cpniguard.services.call_detail import ingest_call_detail

CALLED = "+13125557890"
OTHER_CALLED = "+14155550123"


@dataclass
class Scenario:
    """An account with calls and a postal address of record, and a trained representative."""

    account: str
    representative: dict[str, str]
    untrained: dict[str, str]
    container: Container

    def interaction(
        self, api: TestClient, channel: str = "inbound_call", *methods: AuthenticationMethod
    ) -> int:
        created = api.post(
            "/api/v1/interactions",
            json={"account_number": self.account, "channel": channel, "caller_number": "+12125550199"},
            headers=self.representative,
        )
        assert created.status_code == 201, created.text
        interaction_id = created.json()["interaction_id"]
        with self.container.unit_of_work() as uow:
            for method in methods:
                uow.interactions.record_authentication(interaction_id, method, at=TEST_NOW)
            uow.commit()
        return int(interaction_id)


def employee_token(
    container: Container, username: str, *, trained: bool, role: Role = Role.REPRESENTATIVE
) -> dict[str, str]:
    """A bearer header for a new employee of `role`, trained in CPNI this year or never."""
    with container.unit_of_work() as uow:
        employee_id = uow.employees.add(
            username=username,
            display_name=username,
            role=role,
            password_hash="not-used-by-bearer-tokens",
            created_at=OPENED,
        )
        if trained:
            record = TrainingRecord(TEST_NOW - timedelta(days=30), TEST_NOW + timedelta(days=335))
            uow.training.add_training(employee_id, course="CPNI 2026", record=record, recorded_by="test")
        uow.commit()
    issued = issue_api_token(
        role=role,
        label=username,
        employee_id=employee_id,
        uow_factory=container.unit_of_work,
        clock=container.clock,
    )
    return {"Authorization": f"Bearer {issued.secret}"}


@pytest.fixture
def scenario(container: Container, tmp_path) -> Scenario:
    with container.unit_of_work() as uow:
        key, number = add_account(uow.session)
        add_service(uow.session, key, category=ServiceCategory.LOCAL)
        add_contact_point(
            uow.session,
            key,
            ContactKind.POSTAL_ADDRESS,
            "1 Main St",
            associated_at=TEST_NOW - timedelta(days=90),
        )
        add_contact_point(
            uow.session,
            key,
            ContactKind.EMAIL_ADDRESS,
            "new@example.test",
            associated_at=TEST_NOW - timedelta(days=3),
        )
        uow.commit()
    rows = [
        cdr_row(number, "c1", started_at="2026-10-20T10:00:00+00:00", answered_at=""),
        cdr_row(
            number, "c2", started_at="2026-10-21T10:00:00+00:00", answered_at="", called_number=OTHER_CALLED
        ),
    ]
    ingest_call_detail(
        source=CsvCallDetailSource.from_path(write_cdr_csv(tmp_path / "calls.csv", rows)),
        loaded_by="test",
        skip_invalid=False,
        uow_factory=container.unit_of_work,
        clock=container.clock,
    )
    return Scenario(
        number,
        employee_token(container, "rep-trained", trained=True),
        employee_token(container, "rep-untrained", trained=False),
        container,
    )


def calls(api: TestClient, scenario: Scenario, headers: dict[str, str] | None = None, **query: object):
    params = {"purpose": "provide_service", "channel": "inbound_call", "recipient": "customer", **query}
    return api.get(
        f"/api/v1/accounts/{scenario.account}/call-detail-records",
        params=params,
        headers=headers or scenario.representative,
    )


def logged(scenario: Scenario):
    with scenario.container.unit_of_work() as uow:
        key = uow.accounts.key_of(scenario.account)
        assert key is not None
        return uow.access_log.entries_for_account(key, limit=100)
