"""`cpniguard breach deadlines --determined`: the what-if deadlines count the recorded FCC closures.

47 CFR 1.4(e)(1) (RULES 10.4): a day the Commission's offices were closed is no business day,
whether it is listed in the settings or recorded with `cpniguard breach closures add`. The
what-if calculator counts on the same calendar as `--breach`. Each test runs on a fresh migrated
database (SQLite, or PostgreSQL when CPNIGUARD_TEST_DATABASE_URL is set). Bad input exits 2
naming the option, prints no deadlines and writes nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cpniguard import bootstrap
from cpniguard.adapters.clock import AdjustableClock
from cpniguard.adapters.db.tables import AccessLogRecord, CommissionClosureRecord
from cpniguard.cli import context
from cpniguard.cli.main import app

pytestmark = pytest.mark.e2e

DETERMINATION = "2026-11-19T14:00:00-05:00"
"""Thursday before Thanksgiving: the legacy agency notice is due Tuesday 2026-12-01 (RULES 10)."""
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
def environment(cli_environment, monkeypatch):
    for console in (context.stdout, context.stderr):
        monkeypatch.setattr(console, "_width", None)
    monkeypatch.setattr(bootstrap, "AdjustableClock", lambda: AdjustableClock(pinned=NOW))
    return cli_environment | {"COLUMNS": "250"}


def run(environment, *arguments):
    result = CliRunner().invoke(app, ["breach", *arguments], env=environment)
    assert "Traceback" not in result.output, result.output
    return result


def ok(environment, *arguments):
    result = run(environment, *arguments)
    assert result.exit_code == 0, result.output
    return result


def deadlines(environment, *arguments) -> dict[str, dict[str, object]]:
    document = json.loads(ok(environment, "deadlines", *arguments).stdout)
    return {deadline["name"]: deadline for deadline in document["deadlines"]}


def agency_due_on(environment, determined=DETERMINATION) -> str:
    return deadlines(environment, "--determined", determined)["agency_notice"]["due_on"]


def add_closure(environment, day: str) -> None:
    added = ok(environment, "closures", "add", day, "--reason", "Executive order: day off")
    assert f"{day} (" in added.stderr


def test_a_closure_recorded_through_the_cli_moves_the_what_if_agency_deadline(environment):
    assert agency_due_on(environment) == "2026-12-01"

    add_closure(environment, "2026-11-30")
    assert agency_due_on(environment) == "2026-12-02"

    ok(environment, "closures", "remove", "2026-11-30")
    assert agency_due_on(environment) == "2026-12-01"


def test_the_closures_of_the_settings_and_of_the_database_both_count(environment):
    add_closure(environment, "2026-11-30")
    environment |= {"CPNIGUARD_CONSENT__FCC_CLOSED_DAYS": '["2026-11-27"]'}

    assert agency_due_on(environment) == "2026-12-03"


def test_the_what_if_and_the_recorded_breach_give_the_same_deadlines(environment):
    add_closure(environment, "2026-11-30")
    opened = json.loads(ok(environment, "open", "BR-2026-017", "--json").stdout)
    breach = str(opened["id"])
    ok(environment, "record", breach, "discovered", "--at", DETERMINATION, "--detail=how=SOC alert")
    ok(environment, "record", breach, "determined", "--at", DETERMINATION, "--detail=basis=a token was used")

    recorded = deadlines(environment, "--breach", breach)
    what_if = deadlines(environment, "--determined", DETERMINATION)

    assert what_if == recorded
    assert what_if["agency_notice"]["due_on"] == "2026-12-02"


def test_a_recorded_closure_counts_for_a_determination_years_ahead(environment):
    # The recorded breaches' calendar ends two years after now; the what-if's follows the determination.
    determined = "2030-06-03T14:00:00-04:00"
    assert agency_due_on(environment, determined) == "2030-06-12"

    add_closure(environment, "2030-06-07")
    assert agency_due_on(environment, determined) == "2030-06-13"


def test_on_a_database_without_tables_the_settings_closures_count_and_a_note_says_why(environment):
    environment = {k: v for k, v in environment.items() if k != "CPNIGUARD_DATABASE__URL"}
    environment |= {"CPNIGUARD_CONSENT__FCC_CLOSED_DAYS": '["2026-11-27"]'}

    result = ok(environment, "deadlines", "--determined", DETERMINATION)

    agency = {d["name"]: d for d in json.loads(result.stdout)["deadlines"]}["agency_notice"]
    assert agency["due_on"] == "2026-12-02"
    assert "the database has no tables yet (`cpniguard db upgrade`)" in result.stderr


def test_an_unreachable_database_exits_3_naming_it(environment):
    environment |= {"CPNIGUARD_DATABASE__URL": "postgresql+psycopg://nobody@127.0.0.1:1/cpniguard"}

    result = run(environment, "deadlines", "--determined", DETERMINATION)

    assert result.exit_code == 3, result.output
    assert "cannot reach the database at postgresql+psycopg://nobody@127.0.0.1:1/cpniguard" in result.stderr
    assert result.stdout == ""


def rows(database: Engine) -> tuple[int, int]:
    with Session(database) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table))
            for table in (CommissionClosureRecord, AccessLogRecord)
        )


@pytest.mark.parametrize(
    ("arguments", "option", "words"),
    [
        (
            ["--determined", "2026-11-19T14:00:00"],
            "--determined",
            "not an ISO 8601 instant with a UTC offset",
        ),
        (["--determined", "2026-13-45T14:00:00-05:00"], "--determined", "not an ISO 8601 instant"),
        (["--determined", "the Thursday before Thanksgiving"], "--determined", "not an ISO 8601 instant"),
        ([], "--determined", "give the determination (ISO 8601 with offset), or --breach ID"),
        (["--determined", "2020-06-03T10:00:00-04:00"], "--determined", "2020 is before 2021"),
    ],
)
def test_bad_input_exits_2_naming_the_option_and_prints_no_deadlines(
    environment, database, arguments, option, words
):
    add_closure(environment, "2026-11-30")
    before = rows(database)

    result = run(environment, "deadlines", *arguments)

    assert result.exit_code == 2, result.output
    assert f"error: {option}: " in result.stderr
    assert words in result.stderr
    assert result.stdout == ""
    assert rows(database) == before
