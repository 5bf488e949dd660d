"""`cpniguard ingest cdr --skip-invalid`: the rejects file is made ready before anything is loaded.

Rejected rows are call detail (47 CFR 64.2003(d)): the file is private (0600), and a path
that cannot be written stops the load before the good rows are committed.
"""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from tests.factories import cdr_row, many_cdr_rows, write_cdr_csv
from typer.testing import CliRunner

from cpniguard.adapters.db.tables import CallDetailRecord, IngestBatch
from cpniguard.cli.main import app

EXIT_BAD_INPUT = 2


@pytest.fixture
def mixed(account: str, tmp_path: Path) -> Path:
    """Four good rows and one with an unknown account (line 3)."""
    rows = many_cdr_rows(account, 4)
    rows.insert(1, cdr_row("NO-SUCH-ACCOUNT", "bad-1"))
    return write_cdr_csv(tmp_path / "mixed.csv", rows)


def ingest(environment: dict[str, str], *arguments: str | Path):
    result = CliRunner().invoke(
        app, ["ingest", "cdr", *map(str, arguments)], env={**environment, "COLUMNS": "200"}
    )
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def stored(engine: Engine) -> tuple[int, int]:
    """(call detail records, ingest batches) as committed."""
    with engine.connect() as connection:
        records = connection.execute(select(func.count()).select_from(CallDetailRecord)).scalar_one()
        batches = connection.execute(select(func.count()).select_from(IngestBatch)).scalar_one()
    return records, batches


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_rejects_path_that_cannot_be_created_stops_the_load_before_anything_is_stored(
    cli_environment, database, mixed, tmp_path
):
    target = tmp_path / "nonexistent" / "x.csv"
    result = ingest(cli_environment, mixed, "--skip-invalid", "--rejects", target)
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "the rejects file cannot be written" in result.output
    assert f"--rejects: {target} cannot be created: No such file or directory" in result.output
    assert stored(database) == (0, 0)


def test_a_rejects_path_that_is_a_folder_is_refused(cli_environment, database, mixed, tmp_path):
    result = ingest(cli_environment, mixed, "--skip-invalid", "--rejects", tmp_path)
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "--rejects:" in result.output
    assert stored(database) == (0, 0)


@pytest.mark.parametrize("name_for", [lambda p: p, lambda p: p.parent / ".." / p.parent.name / p.name])
def test_the_input_file_itself_is_refused_as_the_rejects_path(cli_environment, database, mixed, name_for):
    before = mixed.read_bytes()
    result = ingest(cli_environment, mixed, "--skip-invalid", "--rejects", name_for(mixed))
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "is the input file itself" in result.output
    assert mixed.read_bytes() == before
    assert stored(database) == (0, 0)


def test_a_hard_link_to_the_input_file_is_refused_as_the_rejects_path(
    cli_environment, database, mixed, tmp_path
):
    link = tmp_path / "other-name.csv"
    link.hardlink_to(mixed)
    result = ingest(cli_environment, mixed, "--skip-invalid", "--rejects", link)
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "is the input file itself" in result.output
    assert stored(database) == (0, 0)


def test_the_rejects_file_is_private_and_holds_the_rejected_rows(cli_environment, database, mixed, tmp_path):
    target = tmp_path / "rejects.csv"
    result = ingest(cli_environment, mixed, "--skip-invalid", "--rejects", target)
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o600
    with target.open(newline="", encoding="utf-8") as handle:
        header, *rejected = list(csv.reader(handle))
    assert header[:2] == ["line_number", "reasons"]
    assert [(row[0], row[4]) for row in rejected] == [("3", "NO-SUCH-ACCOUNT")]
    assert "no account 'NO-SUCH-ACCOUNT'" in rejected[0][1]
    assert stored(database) == (4, 1)


def test_an_existing_rejects_file_is_made_private_and_replaced(cli_environment, database, mixed, tmp_path):
    target = tmp_path / "rejects.csv"
    target.write_text("rejects of an earlier load\n" * 100, encoding="utf-8")
    target.chmod(0o644)
    result = ingest(cli_environment, mixed, "--skip-invalid", "--rejects", target)
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o600
    assert "earlier load" not in target.read_text(encoding="utf-8")
    assert len(target.read_text(encoding="utf-8").splitlines()) == 2


def test_no_rejects_file_is_left_behind_when_every_row_loads(cli_environment, database, account, tmp_path):
    path = write_cdr_csv(tmp_path / "good.csv", many_cdr_rows(account, 3))
    result = ingest(cli_environment, path, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "good.csv.rejects.csv").exists()
    assert stored(database) == (3, 1)


def test_no_rejects_file_is_left_behind_when_the_load_fails(cli_environment, database, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("when,who\n1,2\n", encoding="utf-8")
    result = ingest(cli_environment, path, "--skip-invalid")
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "unknown column 'when'" in result.output
    assert not (tmp_path / "broken.csv.rejects.csv").exists()
    assert stored(database) == (0, 0)
