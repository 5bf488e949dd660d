"""The data directory and the embedded SQLite database hold CPNI: private to cpniguard's account.

47 CFR 64.2010(a): reasonable measures against unauthorized access. SQLite gives its -wal
and -shm files the database file's permissions, so a private file keeps them private too.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.conftest import make_settings

from cpniguard.bootstrap import Container, build_container
from cpniguard.config import Settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def embedded(data_dir: Path) -> Settings:
    """Settings with no database URL: the SQLite file in `data_dir`."""
    return make_settings("unused", data_dir=data_dir, database={"url": None})


@pytest.fixture
def built(tmp_path: Path) -> Iterator[Container]:
    container = build_container(embedded(tmp_path / "var" / "data"))
    yield container
    container.dispose()


def test_the_data_directory_and_the_database_files_cpniguard_creates_are_private(built, tmp_path):
    with built.engine.begin() as connection:
        connection.execute(text("CREATE TABLE probe (id INTEGER PRIMARY KEY)"))
        connection.execute(text("INSERT INTO probe DEFAULT VALUES"))
        data_dir = tmp_path / "var" / "data"
        assert mode(data_dir) == 0o700
        database = data_dir / "cpniguard.sqlite3"
        assert mode(database) == 0o600
        for companion in ("cpniguard.sqlite3-wal", "cpniguard.sqlite3-shm"):
            assert mode(data_dir / companion) == 0o600, companion
    assert mode(database) == 0o600


def test_an_existing_data_directory_and_database_keep_the_permissions_the_operator_gave(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o750)
    data_dir.chmod(0o750)
    database = data_dir / "cpniguard.sqlite3"
    database.touch()
    database.chmod(0o640)
    container = build_container(embedded(data_dir))
    try:
        with container.engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        container.dispose()
    assert (mode(data_dir), mode(database)) == (0o750, 0o640)
