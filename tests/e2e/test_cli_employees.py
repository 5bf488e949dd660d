"""`cpniguard employees` and `tokens issue --employee` (47 CFR 64.2009(b))."""

from tests.conftest import make_settings
from typer.testing import CliRunner

from cpniguard.bootstrap import build_container
from cpniguard.cli import employees, tokens
from cpniguard.domain.employees import Role
from cpniguard.services.api_tokens import authenticate_api_token


def run(cli_environment, *arguments, app=employees.app):
    return CliRunner().invoke(app, list(arguments), env={**cli_environment, "COLUMNS": "200"})


def test_an_added_employee_is_untrained_until_training_is_recorded(cli_environment):
    added = run(cli_environment, "add", "ana.rep", "--name", "Ana Rep", "--role", "representative")
    assert added.exit_code == 0, added.output
    assert len(added.stdout.strip()) >= 20  # the generated password, shown once
    assert "missing" in run(cli_environment, "show", "ana.rep").stdout
    trained = run(
        cli_environment,
        "train",
        "ana.rep",
        "--completed",
        "2026-10-01T00:00:00+00:00",
        "--expires",
        "2027-10-01T00:00:00+00:00",
    )
    assert trained.exit_code == 0, trained.output
    disciplined = run(
        cli_environment,
        "discipline",
        "ana.rep",
        "--action",
        "retraining",
        "--reason",
        "read call detail without a password",
        "--taken-at",
        "2026-10-15T00:00:00+00:00",
    )
    assert disciplined.exit_code == 0, disciplined.output
    shown = run(cli_environment, "show", "ana.rep").stdout
    assert "CPNI training current" in shown
    assert "retraining: read call detail without a password" in shown


def test_bad_employee_input_exits_2_naming_the_field(cli_environment):
    bad_name = run(cli_environment, "add", "Not A Name!", "--name", "X", "--role", "representative")
    assert bad_name.exit_code == 2
    assert "username" in bad_name.output
    integration = run(cli_environment, "add", "feed", "--name", "Feed", "--role", "integration")
    assert integration.exit_code == 2
    assert "role" in integration.output
    run(cli_environment, "add", "bo", "--name", "Bo", "--role", "auditor")
    taken = run(cli_environment, "add", "bo", "--name", "Bo", "--role", "auditor")
    assert taken.exit_code == 2
    assert "'bo' is taken" in taken.output
    naive = run(
        cli_environment, "train", "bo", "--completed", "2026-10-01", "--expires", "2027-10-01T00:00:00Z"
    )
    assert naive.exit_code == 2
    assert "--completed" in naive.output
    backwards = run(
        cli_environment,
        "train",
        "bo",
        "--completed",
        "2026-10-01T00:00:00Z",
        "--expires",
        "2026-09-01T00:00:00Z",
    )
    assert backwards.exit_code == 2
    assert "expires_at" in backwards.output
    assert run(cli_environment, "show", "nobody").exit_code == 2
    unknown = run(
        cli_environment,
        "discipline",
        "nobody",
        "--action",
        "warning",
        "--reason",
        "x",
        "--taken-at",
        "2026-10-01T00:00:00Z",
    )
    assert unknown.exit_code == 2


def test_a_token_issued_for_an_employee_carries_the_employee(cli_environment, fresh_database_url):
    run(cli_environment, "add", "cy", "--name", "Cy", "--role", "representative")
    wrong_role = run(
        cli_environment, "issue", "--role", "auditor", "--label", "cy", "--employee", "cy", app=tokens.app
    )
    assert wrong_role.exit_code == 2
    assert "--employee" in wrong_role.output
    issued = run(
        cli_environment,
        "issue",
        "--role",
        "representative",
        "--label",
        "cy",
        "--employee",
        "cy",
        app=tokens.app,
    )
    assert issued.exit_code == 0, issued.output
    container = build_container(make_settings(fresh_database_url))
    try:
        holder = authenticate_api_token(token=issued.stdout.strip(), uow_factory=container.unit_of_work)
    finally:
        container.dispose()
    assert holder is not None
    assert holder.role is Role.REPRESENTATIVE
    assert holder.employee_id is not None
