"""`cpniguard ingest cdr` as a real process against a fresh database (SQLite or PostgreSQL).

The kill test is the proof of issue 2's promise: a load killed part way leaves the
database exactly as it was before that file.
"""

from __future__ import annotations

import csv
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from tests.factories import cdr_row, many_cdr_rows, write_cdr_csv

from cpniguard.adapters.db.tables import CallDetailRecord, IngestBatch
from cpniguard.domain.call_detail import CALL_DETAIL_COLUMNS

EXIT_BAD_INPUT = 2
EXIT_CONFIGURATION = 3
CLI_TIMEOUT_SECONDS = 120
KILL_TEST_ROWS = 400_000
PROGRESS_DEADLINE_SECONDS = 90
PROGRESS = re.compile(rb"loading \S+ ([\d,]+) rows(?!/)")


def cpniguard(environment: dict[str, str], *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cpniguard", *map(str, args)],
        env=environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
        check=False,
    )


def counts(engine: Engine) -> tuple[int, int]:
    """(call detail records, ingest batches) as committed."""
    with engine.connect() as connection:
        records = connection.execute(select(func.count()).select_from(CallDetailRecord)).scalar_one()
        batches = connection.execute(select(func.count()).select_from(IngestBatch)).scalar_one()
    return records, batches


def words(output: str) -> str:
    """Output with runs of whitespace folded (Rich wraps long lines when not on a terminal)."""
    return " ".join(output.split())


def test_a_good_file_loads_and_the_summary_is_printed(cli_environment, database, account, tmp_path):
    path = write_cdr_csv(tmp_path / "october.csv", many_cdr_rows(account, 12))
    result = cpniguard(cli_environment, "ingest", "cdr", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "october.csv: 12 rows read, 12 loaded, 0 already stored, 0 rejected (ingest batch 1)" in words(
        result.stdout
    )
    assert counts(database) == (12, 1)


def test_loading_the_same_file_again_reports_the_records_already_stored(
    cli_environment, database, account, tmp_path
):
    path = write_cdr_csv(tmp_path / "october.csv", many_cdr_rows(account, 5))
    cpniguard(cli_environment, "ingest", "cdr", path, cwd=tmp_path)
    result = cpniguard(cli_environment, "ingest", "cdr", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "5 rows read, 0 loaded, 5 already stored, 0 rejected" in words(result.stdout)
    assert counts(database) == (5, 2)


def test_bad_rows_exit_2_listing_every_bad_line_and_nothing_is_written(
    cli_environment, database, account, tmp_path
):
    rows = many_cdr_rows(account, 60)
    bad_lines = list(range(3, 62, 2))
    for line_number in bad_lines:
        rows[line_number - 2]["direction"] = "sideways"
    path = write_cdr_csv(tmp_path / "bad.csv", rows)
    result = cpniguard(cli_environment, "ingest", "cdr", path, cwd=tmp_path)
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    assert f"{len(bad_lines)} of 60 rows in bad.csv are invalid; nothing was loaded" in result.stderr
    for line_number in bad_lines:
        assert f"line {line_number}: direction: 'sideways' is not one of inbound, outbound" in result.stderr
    assert "Traceback" not in result.stderr
    assert counts(database) == (0, 0)
    assert not (tmp_path / "bad.csv.rejects.csv").exists()


def test_an_unreadable_file_exits_2_saying_where(cli_environment, database, account, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"{','.join(CALL_DETAIL_COLUMNS)}\n".encode() + b"switch-a,r\xe9,x\n")
    result = cpniguard(cli_environment, "ingest", "cdr", path, cwd=tmp_path)
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    assert "line 2: is not UTF-8 (byte 0xe9 at column 11)" in result.stderr
    assert counts(database) == (0, 0)


def read_rejects(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def mixed_file(path: Path, account: str) -> tuple[Path, dict[str, str]]:
    bad = cdr_row(account, "r-bad", calling_number="2125550100")
    rows = [cdr_row(account, "r1"), bad, cdr_row(account, "r2")]
    return write_cdr_csv(path, rows), bad


def test_skip_invalid_loads_the_good_rows_and_writes_the_rejects_beside_the_file(
    cli_environment, database, account, tmp_path
):
    path, bad = mixed_file(tmp_path / "mixed.csv", account)
    result = cpniguard(cli_environment, "ingest", "cdr", path, "--skip-invalid", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3 rows read, 2 loaded, 0 already stored, 1 rejected" in words(result.stdout)
    header, *rejected = read_rejects(tmp_path / "mixed.csv.rejects.csv")
    assert header == ["line_number", "reasons", *CALL_DETAIL_COLUMNS]
    assert len(rejected) == 1
    assert rejected[0][0] == "3"
    assert rejected[0][1].startswith("calling_number: '2125550100' is not in E.164 form")
    assert rejected[0][2:] == [bad[c] for c in CALL_DETAIL_COLUMNS]
    assert "1 rejected rows written to" in words(result.stderr)
    assert counts(database) == (2, 1)


def test_skip_invalid_writes_the_rejects_where_asked(cli_environment, database, account, tmp_path):
    path, _ = mixed_file(tmp_path / "mixed.csv", account)
    target = tmp_path / "out" / "rejected.csv"
    target.parent.mkdir()
    result = cpniguard(
        cli_environment, "ingest", "cdr", path, "--skip-invalid", "--rejects", target, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert [row[0] for row in read_rejects(target)[1:]] == ["3"]
    assert not (tmp_path / "mixed.csv.rejects.csv").exists()


def test_a_missing_file_exits_2_naming_it(cli_environment, database, tmp_path):
    missing = tmp_path / "nowhere.csv"
    result = cpniguard(cli_environment, "ingest", "cdr", missing, cwd=tmp_path)
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    assert f"{missing}: no such file" in words(result.stderr)
    assert "Traceback" not in result.stderr


def test_placeholder_secrets_in_production_exit_3_naming_the_variables(
    cli_environment, database, account, tmp_path
):
    path = write_cdr_csv(tmp_path / "october.csv", many_cdr_rows(account, 2))
    environment = cli_environment | {
        "CPNIGUARD_ENVIRONMENT": "production",
        "CPNIGUARD_SECURITY__SIGNING_KEY": "change-me",
        "CPNIGUARD_SECURITY__ENCRYPTION_KEY": "change-me",
        "CPNIGUARD_GATEWAY__AUTH_TOKEN": "too-short-token",
    }
    result = cpniguard(environment, "ingest", "cdr", path, cwd=tmp_path)
    assert result.returncode == EXIT_CONFIGURATION, result.stderr
    assert "configuration error" in result.stderr
    for name in (
        "CPNIGUARD_SECURITY__SIGNING_KEY",
        "CPNIGUARD_SECURITY__ENCRYPTION_KEY",
        "CPNIGUARD_GATEWAY__AUTH_TOKEN",
    ):
        assert name in result.stderr
    assert "too-short-token" not in result.stderr + result.stdout
    assert counts(database) == (0, 0)


# ------------------------------------------------------------------ the kill test


def write_large_file(path: Path, account: str, rows: int) -> Path:
    """A call detail file with distinct numbers on every row, as a real switch export has."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(CALL_DETAIL_COLUMNS) + "\n")
        for start in range(0, rows, 10_000):
            handle.writelines(
                f"switch-k,k{i},{account},outbound,local,"
                f"+1212{200 + i // 10_000}{i % 10_000:04d},+1312{200 + i // 10_000}{i % 10_000:04d},"
                f"2026-09-01T08:00:00-04:00,,60,60,\n"
                for i in range(start, min(start + 10_000, rows))
            )
    return path


def wait_for_rows_loaded(process: subprocess.Popen[bytes], stderr_path: Path) -> int:
    """Poll the Rich progress on stderr until it shows rows loaded; return how many."""
    deadline = time.monotonic() + PROGRESS_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        shown = [int(n.replace(b",", b"")) for n in PROGRESS.findall(stderr_path.read_bytes())]
        loaded = max(shown, default=0)
        if process.poll() is not None:
            pytest.fail(
                f"the load ended (exit {process.returncode}) before it could be killed; "
                f"raise KILL_TEST_ROWS. stderr: {stderr_path.read_bytes()[-2000:]!r}"
            )
        if loaded >= KILL_TEST_ROWS:
            pytest.fail("every row was loaded before the kill; raise KILL_TEST_ROWS")
        if loaded > 0:
            return loaded
        time.sleep(0.02)
    pytest.fail(f"no progress on stderr within {PROGRESS_DEADLINE_SECONDS} s")


def rows_copied_so_far(database: Engine) -> int:
    """On PostgreSQL, rows the server has taken in by COPY but not committed yet."""
    with database.connect() as connection:
        copied = connection.execute(
            text(
                "SELECT coalesce(sum(tuples_processed), 0) FROM pg_stat_progress_copy "
                "WHERE datname = current_database()"
            )
        ).scalar_one()
    return int(copied)


def wait_for_rows_in_the_open_transaction(database: Engine) -> None:
    """Make sure the kill lands while rows sit in the server's open transaction."""
    if database.dialect.name != "postgresql":
        return
    deadline = time.monotonic() + PROGRESS_DEADLINE_SECONDS
    while rows_copied_so_far(database) == 0:
        if time.monotonic() > deadline:
            pytest.fail("PostgreSQL never showed rows arriving by COPY")
        time.sleep(0.02)


def kill_mid_load(environment: dict[str, str], path: Path, workdir: Path, database: Engine) -> int:
    """Start the load, SIGKILL it once rows are loaded; return the rows shown loaded."""
    stderr_path = workdir / "kill.stderr"
    # Rich draws live progress only on a terminal; these make it draw on the pipe too.
    live = environment | {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"}
    command = [sys.executable, "-m", "cpniguard", "ingest", "cdr", str(path)]
    with (
        stderr_path.open("wb") as stderr,
        subprocess.Popen(command, env=live, cwd=workdir, stdout=subprocess.DEVNULL, stderr=stderr) as process,
    ):
        try:
            loaded = wait_for_rows_loaded(process, stderr_path)
            wait_for_rows_in_the_open_transaction(database)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=CLI_TIMEOUT_SECONDS)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == -signal.SIGKILL, "the load must have been killed, not have finished"
    return loaded


def test_killing_the_load_part_way_leaves_the_database_as_it_was_before_the_file(
    cli_environment, database, account, tmp_path
):
    earlier = write_cdr_csv(tmp_path / "earlier.csv", many_cdr_rows(account, 7))
    assert cpniguard(cli_environment, "ingest", "cdr", earlier, cwd=tmp_path).returncode == 0
    before = counts(database)
    assert before == (7, 1)
    large = write_large_file(tmp_path / "large.csv", account, KILL_TEST_ROWS)

    loaded = kill_mid_load(cli_environment, large, tmp_path, database)

    assert 0 < loaded < KILL_TEST_ROWS
    assert counts(database) == before
    if database.dialect.name == "sqlite":
        with database.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    # The killed rows were never committed, so loading them again stores them as new.
    with large.open(encoding="utf-8") as handle:
        first_lines = [handle.readline() for _ in range(11)]
    head = tmp_path / "head.csv"
    head.write_text("".join(first_lines), encoding="utf-8")
    result = cpniguard(cli_environment, "ingest", "cdr", head, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "10 rows read, 10 loaded, 0 already stored" in words(result.stdout)
