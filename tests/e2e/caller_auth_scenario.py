"""An account with contacts of record, a representative, and helpers for the caller-auth tests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from tests.conftest import TEST_NOW
from tests.factories import add_account, add_contact_point, add_service

from cpniguard.adapters.db.tables import Account, OutboxMessage
from cpniguard.bootstrap import Container
from cpniguard.domain.accounts import AccountKind, ContactKind
from cpniguard.domain.disclosure_request import AuthenticationMethod
from cpniguard.domain.employees import Role
from cpniguard.services.api_tokens import issue_api_token

NUMBER_OF_RECORD = "+12125550100"
EMAIL_OF_RECORD = "holder@example.test"
NEW_EMAIL = "recent@example.test"
POSTAL_OF_RECORD = "1 Main St, Springfield, IL 62701"
CALLER = "+13125550177"
PIN = "4739"
PASSWORD = "correct horse battery"


@dataclass
class Customer:
    """One synthetic account with a number, an email and a postal address of record."""

    api: TestClient
    container: Container
    account: str
    account_id: int
    headers: dict[str, str] = field(default_factory=dict)

    def interaction(
        self, channel: str = "inbound_call", *methods: AuthenticationMethod, account: str = ""
    ) -> int:
        body = {"account_number": account or self.account, "channel": channel, "caller_number": CALLER}
        created = self.api.post("/api/v1/interactions", json=body, headers=self.headers)
        assert created.status_code == 201, created.text
        interaction_id = int(created.json()["interaction_id"])
        with self.container.unit_of_work() as uow:
            for method in methods:
                uow.interactions.record_authentication(interaction_id, method, at=TEST_NOW)
            uow.commit()
        return interaction_id

    def post(self, path: str, body: dict[str, object] | None = None):
        return self.api.post(f"/api/v1{path}", json=body or {}, headers=self.headers)

    def set_credential(self, kind: str, body: dict[str, object], *, account: str = ""):
        path = f"/api/v1/accounts/{account or self.account}/credentials/{kind}"
        return self.api.put(path, json=body, headers=self.headers)

    def set_pin(self, pin: str = PIN):
        proven = self.interaction("inbound_call", AuthenticationMethod.CALLBACK_TO_NUMBER_OF_RECORD)
        answer = self.set_credential("pin", {"secret": pin, "interaction_id": proven})
        assert answer.status_code == 200, answer.text
        return answer

    def try_pin(self, interaction_id: int, secret: str):
        answer = self.post(f"/interactions/{interaction_id}/authentication/password", {"secret": secret})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def outbox(self):
        messages = OutboxMessage.__table__.c
        with self.container.unit_of_work() as uow:
            query = select(messages).where(messages.account_id == self.account_id).order_by(messages.id)
            return list(uow.session.execute(query).all())  # type: ignore[attr-defined]

    def events(self) -> list[str]:
        with self.container.unit_of_work() as uow:
            logged = uow.access_log.entries_for_account(self.account_id, limit=500)
        return [entry.entry.event.value for entry in reversed(logged)]

    def make_business(self) -> None:
        with self.container.unit_of_work() as uow:
            uow.session.execute(  # type: ignore[attr-defined]
                update(Account)
                .where(Account.id == self.account_id)
                .values(kind=AccountKind.BUSINESS, has_dedicated_representative=True, has_cpni_contract=True)
            )
            uow.commit()


def code_in(body: str) -> str:
    """The one-time code a message carries."""
    found = re.search(r"\b(\d{6,8})\b", body)
    assert found, body
    return found.group(1)


def add_customer(container: Container, **options: object) -> tuple[int, str]:
    with container.unit_of_work() as uow:
        session = uow.session  # type: ignore[attr-defined]
        key, number = add_account(session, **options)  # type: ignore[arg-type]
        add_service(session, key, telephone_number=NUMBER_OF_RECORD)
        old = TEST_NOW - timedelta(days=90)
        add_contact_point(session, key, ContactKind.EMAIL_ADDRESS, EMAIL_OF_RECORD, associated_at=old)
        add_contact_point(session, key, ContactKind.POSTAL_ADDRESS, POSTAL_OF_RECORD, associated_at=old)
        recent = TEST_NOW - timedelta(days=3)
        add_contact_point(session, key, ContactKind.EMAIL_ADDRESS, NEW_EMAIL, associated_at=recent)
        uow.commit()
    return key, number


@pytest.fixture
def customer(api: TestClient, container: Container) -> Customer:
    key, number = add_customer(container)
    issued = issue_api_token(
        role=Role.REPRESENTATIVE,
        label="rep-auth",
        employee_id=None,
        uow_factory=container.unit_of_work,
        clock=container.clock,
    )
    headers = {"Authorization": f"Bearer {issued.secret}"}
    return Customer(api, container, number, key, headers)
