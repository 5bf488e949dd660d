"""`cpniguard audit third-party-access`: the 64.2009(c) record of CPNI the gate let go outside.

Runs for real on a fresh migrated database (SQLite, or PostgreSQL with
CPNIGUARD_TEST_DATABASE_URL) holding one record as the gate writes it; bad options exit 2 naming
the option.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from tests.conftest import make_settings
from tests.factories import add_account
from typer.testing import CliRunner

from cpniguard.bootstrap import build_container
from cpniguard.cli.main import app
from cpniguard.domain.disclosure_request import RecipientClass
from cpniguard.domain.third_party_access import ThirdPartyAccess

pytestmark = pytest.mark.e2e

AT = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
PERIOD = ("--from", "2026-11-20T00:00:00+00:00", "--to", "2026-11-20T23:59:59+00:00")


@pytest.fixture
def account_number(fresh_database_url) -> str:
    """An account whose call detail went to an agency under subpoena, recorded as the gate does."""
    container = build_container(make_settings(fresh_database_url))
    try:
        with container.unit_of_work() as uow:
            account_id, number = add_account(uow.session)
            access = ThirdPartyAccess(
                access_log_sequence=41,
                account_id=account_id,
                recipient_class=RecipientClass.GOVERNMENT,
                destination=None,
                purpose="legal_process",
                data_category="call_detail",
                disclosed_at=AT,
                disclosed_by="carla.compliance",
            )
            uow.third_party_access.record(access)
            uow.commit()
        return number
    finally:
        container.dispose()


def run(environment, *arguments):
    result = CliRunner().invoke(app, ["audit", "third-party-access", *arguments], env=environment)
    assert "Traceback" not in result.output, result.output
    return result


def test_the_record_is_listed_as_a_table_and_as_json(cli_environment, account_number):
    environment = cli_environment | {"COLUMNS": "250"}

    table = run(environment, *PERIOD)
    listed = json.loads(run(environment, *PERIOD, "--json").stdout)

    assert table.exit_code == 0, table.output
    assert account_number in table.stdout
    assert "legal_process" in table.stdout
    assert "1 records from" in table.stderr
    assert [(a["account_number"], a["recipient_class"], a["access_log_sequence"]) for a in listed] == [
        (account_number, "government", 41)
    ]


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        (("--from", "2026-11-21T00:00:00+00:00", "--to", "2026-11-20T00:00:00+00:00"), "--to"),
        (("--from", "2026-11-20T00:00:00", "--to", "2026-11-21T00:00:00+00:00"), "--from"),
        ((*PERIOD, "--limit", "0"), "--limit"),
        ((*PERIOD, "--after", "-1"), "--after"),
        ((*PERIOD, "--after", str(10**20)), "--after"),
    ],
)
def test_bad_options_exit_2_naming_the_option(cli_environment, arguments, option):
    result = run(cli_environment, *arguments)

    assert result.exit_code == 2, result.output
    assert option in result.stderr
