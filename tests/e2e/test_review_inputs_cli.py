"""Bad input to the CLI: exit 2 with a sentence naming the option, and nothing written.

`tokens issue`, `employees add/train/discipline` (47 CFR 64.2009(b)), `serve` and `db upgrade`.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cpniguard.adapters.db import migrate
from cpniguard.adapters.db.tables import ApiToken, DisciplinaryActionRecord, Employee, EmployeeTraining
from cpniguard.cli.main import app
from cpniguard.domain.api_tokens import TOKEN_PREFIX

EXIT_BAD_INPUT = 2
INSTANT = "2026-10-01T00:00:00Z"


def run(cli_environment, *arguments):
    result = CliRunner().invoke(app, list(arguments), env={**cli_environment, "COLUMNS": "200"})
    assert "Traceback" not in result.output
    return result


def _rows(database, table) -> int:
    with database.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)))


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (("--role", "auditor", "--label", ""), "label"),
        (("--role", "auditor", "--label", "bad\x07label"), "label"),
        (("--role", "auditor", "--label", "audit", "--employee", "nobody"), "--employee"),
        (("--role", "nobody", "--label", "audit"), "--role"),
    ],
    ids=["empty-label", "control-character", "unknown-employee", "unknown-role"],
)
def test_tokens_issue_with_bad_input_exits_2_and_issues_no_token(cli_environment, database, arguments, says):
    result = run(cli_environment, "tokens", "issue", *arguments)

    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert says in result.output
    assert TOKEN_PREFIX not in result.stdout
    assert _rows(database, ApiToken) == 0


def test_tokens_revoke_of_an_unknown_token_exits_2(cli_environment):
    result = run(cli_environment, "tokens", "revoke", "424242")

    assert result.exit_code == EXIT_BAD_INPUT
    assert "424242" in result.output


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (("add", "Not A Name!", "--name", "X", "--role", "auditor"), "username"),
        (("add", "bo", "--name", "", "--role", "auditor"), "display_name"),
        (("add", "bo", "--name", "Bo", "--role", "wizard"), "--role"),
        (("add", "feed", "--name", "Feed", "--role", "integration"), "role"),
    ],
    ids=["bad-username", "empty-name", "unknown-role", "integration-is-not-staff"],
)
def test_employees_add_with_bad_input_exits_2_and_adds_nobody(cli_environment, database, arguments, says):
    result = run(cli_environment, "employees", *arguments)

    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert says in result.output
    assert _rows(database, Employee) == 0


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (("--completed", "2026-10-01", "--expires", INSTANT), "--completed"),
        (("--completed", INSTANT, "--expires", "next year"), "--expires"),
        (("--completed", INSTANT, "--expires", "2026-09-01T00:00:00Z"), "expires_at"),
    ],
    ids=["no-offset", "not-an-instant", "backwards"],
)
def test_employees_train_with_bad_input_exits_2_and_records_no_training(
    cli_environment, database, arguments, says
):
    assert run(cli_environment, "employees", "add", "bo", "--name", "Bo", "--role", "auditor").exit_code == 0

    result = run(cli_environment, "employees", "train", "bo", *arguments)

    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert says in result.output
    assert _rows(database, EmployeeTraining) == 0
    assert "CPNI training missing" in run(cli_environment, "employees", "show", "bo").stdout


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (("bo", "--action", "flogging", "--reason", "x", "--taken-at", INSTANT), "--action"),
        (("bo", "--action", "warning", "--reason", "x", "--taken-at", "2026-10-01"), "--taken-at"),
        (("nobody", "--action", "warning", "--reason", "x", "--taken-at", INSTANT), "nobody"),
    ],
    ids=["unknown-action", "no-offset", "unknown-employee"],
)
def test_employees_discipline_with_bad_input_exits_2_and_records_nothing(
    cli_environment, database, arguments, says
):
    assert run(cli_environment, "employees", "add", "bo", "--name", "Bo", "--role", "auditor").exit_code == 0

    result = run(cli_environment, "employees", "discipline", *arguments)

    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert says in result.output
    assert _rows(database, DisciplinaryActionRecord) == 0


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_serve_on_a_port_that_cannot_be_one_exits_2_before_serving(cli_environment, port):
    result = run(cli_environment, "serve", "--port", port)

    assert result.exit_code == EXIT_BAD_INPUT
    assert "--port" in result.output


def test_db_upgrade_to_an_unknown_revision_leaves_the_database_at_its_revision(cli_environment, database):
    at = migrate.current_revision(database)

    result = run(cli_environment, "db", "upgrade", "nonsense")

    assert result.exit_code == EXIT_BAD_INPUT
    assert migrate.current_revision(database) == at
