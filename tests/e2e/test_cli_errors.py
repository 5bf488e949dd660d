"""The CLI answers bad settings and bad arguments with a sentence and an exit code, never a traceback."""

import pytest
from typer.testing import CliRunner

from cpniguard.cli.main import app
from cpniguard.config import Settings


def run(environment, *arguments):
    result = CliRunner().invoke(app, list(arguments), env={**environment, "COLUMNS": "200"})
    assert "Traceback" not in result.output
    return result


def test_db_upgrade_to_an_unknown_revision_exits_2_naming_it(cli_environment):
    result = run(cli_environment, "db", "upgrade", "nonsense")
    assert result.exit_code == 2
    assert "REVISION: Can't locate revision identified by 'nonsense'" in result.output


def test_an_unreachable_database_exits_3_naming_the_address_without_password(cli_environment):
    environment = {**cli_environment, "CPNIGUARD_DATABASE__URL": "postgresql://someone:s3cret@127.0.0.1:1/x"}
    result = run(environment, "db", "status")
    assert result.exit_code == 3
    assert "cannot reach the database at postgresql+psycopg://someone:***@127.0.0.1:1/x" in result.output
    assert "s3cret" not in result.output


def test_a_database_url_that_cannot_be_parsed_exits_3(cli_environment):
    result = run({**cli_environment, "CPNIGUARD_DATABASE__URL": "not a url"}, "db", "status")
    assert result.exit_code == 3
    assert "CPNIGUARD_DATABASE__URL: Could not parse SQLAlchemy URL" in result.output


def test_a_data_directory_that_cannot_be_made_exits_3(cli_environment, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    environment = {k: v for k, v in cli_environment.items() if k != "CPNIGUARD_DATABASE__URL"}
    result = run({**environment, "CPNIGUARD_DATA_DIR": str(blocker / "data")}, "db", "status")
    assert result.exit_code == 3
    assert "data directory" in result.output


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.sqlite3", "sqlite:////tmp/x.sqlite3"),
    ],
)
def test_a_bare_postgresql_url_uses_psycopg_3(given, used):
    assert Settings(database={"url": given}).database_url == used
