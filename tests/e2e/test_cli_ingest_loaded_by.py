"""`cpniguard ingest cdr --loaded-by`: a name that does not fit the batch record exits 2, storing nothing.

The column holds 120 characters: PostgreSQL refused a longer name with a traceback and
SQLite stored it whole; a control character would forge lines in whatever displays it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.factories import add_account, many_cdr_rows, write_cdr_csv
from typer.testing import CliRunner

from cpniguard.adapters.db.tables import CallDetailRecord, IngestBatch
from cpniguard.cli.main import app

EXIT_BAD_INPUT = 2


@pytest.fixture
def october(database, tmp_path):
    with Session(database) as session:
        _, number = add_account(session)
        session.commit()
    return write_cdr_csv(tmp_path / "october.csv", many_cdr_rows(number, 3))


def ingest(environment, *arguments):
    result = CliRunner().invoke(
        app, ["ingest", "cdr", *map(str, arguments)], env={**environment, "COLUMNS": "200"}
    )
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def stored(engine):
    with engine.connect() as connection:
        records = connection.execute(select(func.count()).select_from(CallDetailRecord)).scalar_one()
        batches = connection.execute(select(func.count()).select_from(IngestBatch)).scalar_one()
    return records, batches


@pytest.mark.parametrize(
    ("loaded_by", "message"),
    [
        ("x" * 121, "loaded_by: must be 1-120 characters (got 121)"),
        ("ops\nforged", "loaded_by: holds a control or other non-printing character"),
        ("ops\x00", "loaded_by: holds a control or other non-printing character"),
        ("   ", "loaded_by: must be 1-120 characters (got 0)"),
    ],
)
def test_a_loader_name_that_does_not_fit_exits_2_and_stores_nothing(
    cli_environment, database, october, loaded_by, message
):
    result = ingest(cli_environment, october, "--loaded-by", loaded_by)
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert message in result.output
    assert stored(database) == (0, 0)


def test_a_loader_name_of_120_characters_is_stored_trimmed(cli_environment, database, october):
    result = ingest(cli_environment, october, "--loaded-by", f" {'y' * 120} ")
    assert result.exit_code == 0, result.output
    with database.connect() as connection:
        assert connection.execute(select(IngestBatch.loaded_by)).scalar_one() == "y" * 120
    assert stored(database) == (3, 1)
