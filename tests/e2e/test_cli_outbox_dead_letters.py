"""A message the outbox gives up on reaches the compliance officer as a digest, and staff's list.

`cpniguard worker --once` against a real SMTP server on loopback that refuses the customer's
address with 550: the account-change notice (64.2010(f)) dies, the officer gets one digest
naming it without customer data, and `cpniguard outbox dead-letters` shows whose it was and why.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from tests.conftest import make_settings
from tests.factories import add_account
from typer.testing import CliRunner

from cpniguard.adapters.db.tables import OutboxMessage
from cpniguard.bootstrap import build_container
from cpniguard.cli.main import app
from cpniguard.domain.accounts import Language
from cpniguard.domain.notices import ACCOUNT_CHANGE_TEMPLATE
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services.ports import OutboundMessage

pytest_plugins = ["tests.outbox_servers"]
pytestmark = pytest.mark.e2e

OFFICER = "privacy-office@carrier.example"
GONE = "gone@customer.example"


@pytest.fixture
def environment(cli_environment, smtp_server):
    smtp_server.inbox.refused.add(GONE)
    return cli_environment | {
        "CPNIGUARD_SMTP__HOST": smtp_server.host,
        "CPNIGUARD_SMTP__PORT": str(smtp_server.port),
        "CPNIGUARD_SMTP__SENDER": "cpni@carrier.example",
        "CPNIGUARD_BREACH__COMPLIANCE_OFFICER_EMAIL": OFFICER,
        "COLUMNS": "250",
    }


@pytest.fixture
def account_change_notice(fresh_database_url) -> tuple[int, str]:
    """An account-change notice queued to an address the mail server refuses; its id and account."""
    container = build_container(make_settings(fresh_database_url))
    try:
        with container.unit_of_work() as uow:
            account_id, number = add_account(uow.session)
            message = OutboundMessage(
                f"account-change:{account_id}:1",
                account_id,
                NoticeChannel.EMAIL,
                GONE,
                Language.EN,
                ACCOUNT_CHANGE_TEMPLATE,
                "Your account was changed",
                "Your password was changed.",
            )
            uow.outbox.enqueue(message, at=container.clock.now())
            uow.commit()
        with container.sessions() as session:
            message_id = session.scalar(
                select(OutboxMessage.id).where(OutboxMessage.account_id == account_id)
            )
        return int(message_id or 0), number
    finally:
        container.dispose()


def run(environment, *arguments):
    result = CliRunner().invoke(app, list(arguments), env=environment)
    assert "Traceback" not in result.output, result.output
    return result


def test_a_dead_notice_reaches_the_officer_once_and_staff_see_whose_it_was(
    environment, account_change_notice, smtp_server
):
    message_id, number = account_change_notice

    first = run(environment, "worker", "--once")
    again = run(environment, "worker", "--once")

    assert "sent 1, to retry 0, dead 1" in first.stdout, first.output
    assert "sent 0, to retry 0, dead 0" in again.stdout, again.output
    [digest] = smtp_server.inbox.messages
    assert digest["To"] == OFFICER
    assert str(digest["Subject"]).strip() == "cpniguard: 1 message(s) could not be delivered"
    body = digest.get_content()
    assert f"- message {message_id} (account_change, by email" in body
    assert "47 CFR 64.2010(f)" in body
    assert GONE not in body, "no customer data in the officer's mailbox"
    assert number not in body

    listed = json.loads(run(environment, "outbox", "dead-letters", "--json").stdout)
    assert [(d["message_id"], d["account_number"], d["recipient"]) for d in listed] == [
        (message_id, number, GONE)
    ]
    assert "550" in listed[0]["last_error"]
    assert listed[0]["digest_key"].startswith(f"dead-letters:{message_id}-{message_id}:1:")
    table = run(environment, "outbox", "dead-letters")
    assert table.exit_code == 0
    assert number in table.stdout
    assert "1 dead letters" in table.stderr


@pytest.mark.parametrize(
    ("arguments", "option"),
    [(["--limit", "0"], "--limit"), (["--after", "-1"], "--after"), (["--after", str(10**20)], "--after")],
)
def test_a_bad_page_of_dead_letters_exits_2_naming_the_option(cli_environment, arguments, option):
    result = run(cli_environment, "outbox", "dead-letters", *arguments)

    assert result.exit_code == 2
    assert f"{option}: must be" in result.stderr
