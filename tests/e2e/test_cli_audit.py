"""`cpniguard audit verify` and `cpniguard audit checkpoint` as real processes on a fresh database."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.conftest import is_postgres, make_settings
from tests.factories import access_log_entry

from cpniguard.bootstrap import Container, build_container

CLI_TIMEOUT_SECONDS = 120
EXIT_NOT_INTACT = 1
EXIT_BAD_INPUT = 2
EXIT_CONFIGURATION = 3


def cpniguard(environment: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cpniguard", *args],
        env=environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
        check=False,
    )


def words(output: str) -> str:
    """Output with runs of whitespace folded (Rich wraps long lines when not on a terminal)."""
    return " ".join(output.split())


@pytest.fixture
def committed(fresh_database_url: str) -> Iterator[Container]:
    """A container on the CLI's database, signing with the same key as the CLI's environment."""
    built = build_container(make_settings(fresh_database_url, access_log={"checkpoint_interval": 5}))
    yield built
    built.dispose()


def append(container: Container, count: int) -> None:
    with container.unit_of_work() as uow:
        uow.access_log.append([access_log_entry(interaction_id=n) for n in range(count)])
        uow.commit()


def tamper(engine: Engine, statement: str) -> None:
    with engine.begin() as connection:
        if is_postgres():
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            connection.exec_driver_sql("DROP TRIGGER access_log_no_delete")
        connection.exec_driver_sql(statement)


def test_an_intact_log_verifies_with_exit_0(cli_environment, committed, tmp_path):
    append(committed, 12)
    result = cpniguard(cli_environment, "audit", "verify", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "the access log is intact: 12 entries, 2 checkpoints, signed head at entry 12" in words(
        result.stdout
    )
    assert "verifying the access log" in result.stderr


def test_an_empty_log_verifies(cli_environment, committed, tmp_path):
    result = cpniguard(cli_environment, "audit", "verify", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "intact: 0 entries" in words(result.stdout)


def test_a_deleted_entry_exits_1_naming_it(cli_environment, committed, database, tmp_path):
    append(committed, 12)
    tamper(database, "DELETE FROM access_log WHERE sequence = 9")
    result = cpniguard(cli_environment, "audit", "verify", cwd=tmp_path)
    assert result.returncode == EXIT_NOT_INTACT, result.stderr
    output = words(result.stdout)
    assert "NOT intact: entry 10 does not follow entry 8: entry 9 is missing" in output
    assert "first bad entry: 10" in output


def test_a_truncated_tail_exits_1_naming_where_it_was_cut(cli_environment, committed, database, tmp_path):
    append(committed, 12)
    tamper(database, "DELETE FROM access_log WHERE sequence > 7")
    result = cpniguard(cli_environment, "audit", "verify", cwd=tmp_path)
    assert result.returncode == EXIT_NOT_INTACT
    assert "entries after 7 are missing: the signed head says 12" in words(result.stdout)


def test_verifying_with_another_signing_key_names_the_key_it_does_not_know(
    cli_environment, committed, tmp_path
):
    append(committed, 3)
    environment = {**cli_environment, "CPNIGUARD_SECURITY__SIGNING_KEY": "another-signing-key-" + "z" * 40}
    result = cpniguard(environment, "audit", "verify", cwd=tmp_path)
    assert result.returncode == EXIT_NOT_INTACT
    assert "not configured" in words(result.stdout)


def test_a_checkpoint_is_printed_to_keep_and_then_verified(cli_environment, committed, tmp_path):
    empty = cpniguard(cli_environment, "audit", "checkpoint", cwd=tmp_path)
    assert empty.returncode == 0, empty.stderr
    assert "nothing to sign yet" in empty.stdout
    append(committed, 3)
    signed = cpniguard(cli_environment, "audit", "checkpoint", cwd=tmp_path)
    assert signed.returncode == 0, signed.stderr
    assert words(signed.stdout).startswith("checkpoint at entry 3: hash ")
    result = cpniguard(cli_environment, "audit", "verify", cwd=tmp_path)
    assert "1 checkpoints" in words(result.stdout)


def test_a_checkpoint_of_a_head_that_is_not_ours_is_refused(cli_environment, committed, tmp_path):
    append(committed, 3)
    environment = {**cli_environment, "CPNIGUARD_SECURITY__SIGNING_KEY": "another-signing-key-" + "z" * 40}
    result = cpniguard(environment, "audit", "checkpoint", cwd=tmp_path)
    assert result.returncode == EXIT_NOT_INTACT
    assert "not signed by the configured key" in words(result.stderr)


def test_zero_workers_is_bad_input(cli_environment, tmp_path):
    result = cpniguard(cli_environment, "audit", "verify", "--workers", "0", cwd=tmp_path)
    assert result.returncode == EXIT_BAD_INPUT
    assert "--workers" in result.stderr


def test_a_placeholder_signing_key_in_production_is_a_configuration_error(cli_environment, tmp_path):
    environment = {
        **cli_environment,
        "CPNIGUARD_ENVIRONMENT": "production",
        "CPNIGUARD_SECURITY__SIGNING_KEY": "change-me",
    }
    result = cpniguard(environment, "audit", "verify", cwd=tmp_path)
    assert result.returncode == EXIT_CONFIGURATION
    assert "CPNIGUARD_SECURITY__SIGNING_KEY" in result.stderr
