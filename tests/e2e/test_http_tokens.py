from tests.conftest import make_settings
from typer.testing import CliRunner

from cpniguard.bootstrap import build_container
from cpniguard.cli import tokens
from cpniguard.domain.api_tokens import TOKEN_PREFIX
from cpniguard.domain.employees import Role
from cpniguard.services.api_tokens import authenticate_api_token


def issue(cli_environment, *arguments):
    return CliRunner().invoke(tokens.app, ["issue", *arguments], env=cli_environment)


def test_tokens_issue_prints_a_secret_that_authenticates(cli_environment, fresh_database_url):
    result = issue(cli_environment, "--role", "INTEGRATION", "--label", "billing feed")
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith(TOKEN_PREFIX)
    container = build_container(make_settings(fresh_database_url))
    try:
        holder = authenticate_api_token(token=secret, uow_factory=container.unit_of_work)
    finally:
        container.dispose()
    assert holder is not None
    assert (holder.role, holder.label) == (Role.INTEGRATION, "billing feed")


def test_tokens_issue_refuses_an_unknown_role(cli_environment):
    result = issue(cli_environment, "--role", "wizard", "--label", "x")
    assert result.exit_code == 2
    assert "--role" in result.output
    assert "integration" in result.output


def test_tokens_issue_refuses_an_empty_or_overlong_label(cli_environment):
    for label in ("  ", "x" * 121):
        result = issue(cli_environment, "--role", "auditor", "--label", label)
        assert result.exit_code == 2
        assert "label: give 1 to 120 printable characters" in result.output


def test_tokens_revoke_refuses_the_token_from_then_on(cli_environment, fresh_database_url):
    secret = issue(cli_environment, "--role", "auditor", "--label", "audit").stdout.strip()
    container = build_container(make_settings(fresh_database_url))
    try:
        holder = authenticate_api_token(token=secret, uow_factory=container.unit_of_work)
        assert holder is not None
        result = CliRunner().invoke(tokens.app, ["revoke", str(holder.token_id)], env=cli_environment)
        assert result.exit_code == 0, result.output
        assert authenticate_api_token(token=secret, uow_factory=container.unit_of_work) is None
        again = CliRunner().invoke(tokens.app, ["revoke", str(holder.token_id)], env=cli_environment)
    finally:
        container.dispose()
    assert again.exit_code == 2
    assert f"no unrevoked token {holder.token_id}" in again.output


def test_tokens_revoke_refuses_a_token_number_that_is_not_a_number(cli_environment):
    result = CliRunner().invoke(tokens.app, ["revoke", "abc"], env={**cli_environment, "COLUMNS": "200"})
    assert result.exit_code == 2
    assert "unable to parse string as an integer" in result.output
