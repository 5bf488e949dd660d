"""The access log on a real database (SQLite, or PostgreSQL with CPNIGUARD_TEST_DATABASE_URL).

Appends and reads, concurrent appenders extending one chain, the append-only guards, and
tampering by raw SQL of every kind, each named by `verify_access_log` (DESIGN.md invariant 2).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Connection, Engine, exc, text
from sqlalchemy.orm import sessionmaker
from tests.conftest import is_postgres, make_settings
from tests.factories import access_log_entry

from cpniguard.adapters.clock import AdjustableClock
from cpniguard.adapters.db.access_log_chain import SqlAccessLogChain
from cpniguard.adapters.db.unit_of_work import SqlUnitOfWork
from cpniguard.bootstrap import Container, build_container
from cpniguard.domain.audit import GENESIS_HASH, SignedKind, TamperedLogError, chain_entries, sign_point
from cpniguard.domain.audit_verification import ChainReport, FaultKind
from cpniguard.services.audit import verify_access_log

INTERVAL = 4
SQLITE_GUARDS = (
    "access_log_no_update",
    "access_log_no_delete",
    "access_log_checkpoints_no_update",
    "access_log_checkpoints_no_delete",
    "access_log_head_no_delete",
)


@pytest.fixture
def logged(connection: Connection, engine: Engine, database_url: str, clock: AdjustableClock) -> Container:
    """The container over the test's rolled-back transaction, with a checkpoint every 4 entries."""
    sessions = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    settings = make_settings(database_url, access_log={"checkpoint_interval": INTERVAL})
    return Container(settings=settings, engine=engine, sessions=sessions, clock=clock)


def append(container: Container, count: int, *, account_id: int | None = 1, start: int = 1) -> list[int]:
    entries = [access_log_entry(account_id=account_id, interaction_id=n) for n in range(start, start + count)]
    with container.unit_of_work() as uow:
        sequences = uow.access_log.append(entries)
        uow.commit()
    return sequences


def verify(container: Container, **options: int) -> ChainReport:
    chain = SqlAccessLogChain(container.sessions, **options) if options else container.access_log_chain()
    return verify_access_log(chain=chain, keys=container.access_log_keys())


def unguarded(connection: Connection) -> None:
    """Switch off the append-only guards for this transaction, as someone tampering would."""
    if is_postgres():
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        return
    for trigger in SQLITE_GUARDS:
        connection.exec_driver_sql(f"DROP TRIGGER {trigger}")


def fault(container: Container) -> tuple[FaultKind, int, str]:
    report = verify(container)
    assert report.fault is not None, "the tampering went unnoticed"
    return report.fault.kind, report.fault.sequence, report.fault.message


# ------------------------------------------------------------------ appending and reading


def test_appends_number_the_entries_from_one_without_gaps_across_transactions(logged):
    assert append(logged, 3) == [1, 2, 3]
    assert append(logged, 1) == [4]
    assert append(logged, 70) == list(range(5, 75)), "a batch large enough for COPY on PostgreSQL"
    report = verify(logged)
    assert report.is_intact, report.fault
    assert (report.entries_checked, report.signed_head_sequence, report.checkpoints_checked) == (74, 74, 18)


def test_an_account_reads_back_exactly_its_entries_newest_first(logged):
    append(logged, 3, account_id=7)
    append(logged, 2, account_id=8)
    append(logged, 2, account_id=7, start=10)
    with logged.unit_of_work() as uow:
        found = uow.access_log.entries_for_account(7, limit=10)
        older = uow.access_log.entries_for_account(7, limit=2, before_sequence=found[1].sequence)
    assert [logged.sequence for logged in found] == [7, 6, 3, 2, 1]
    assert found[0].entry == access_log_entry(account_id=7, interaction_id=11)
    assert [logged.sequence for logged in older] == [3, 2]
    assert found[-1].previous_hash == GENESIS_HASH
    assert found[-2].previous_hash == found[-1].entry_hash


def test_a_request_about_no_known_account_is_logged_too(logged):
    append(logged, 1, account_id=None)
    assert verify(logged).is_intact


def test_entries_of_a_unit_of_work_left_without_commit_are_gone_and_their_numbers_reused(logged):
    append(logged, 2)
    with logged.unit_of_work() as uow:
        uow.access_log.append([access_log_entry()])
    assert append(logged, 1) == [3]
    assert verify(logged).is_intact


def test_a_checkpoint_can_be_signed_at_any_time(logged):
    with logged.unit_of_work() as uow:
        assert uow.access_log.write_checkpoint() is None, "nothing to sign in an empty log"
    append(logged, 6)
    with logged.unit_of_work() as uow:
        point = uow.access_log.write_checkpoint()
        uow.commit()
    assert point is not None
    assert point.sequence == 6
    assert verify(logged).checkpoints_checked == 2


def test_a_unit_of_work_without_a_signing_key_reads_but_does_not_append(logged):
    append(logged, 1)
    with SqlUnitOfWork(logged.sessions) as uow:
        assert len(uow.access_log.entries_for_account(1, limit=5)) == 1
        with pytest.raises(RuntimeError, match="no access-log signing key"):
            uow.access_log.append([access_log_entry()])


# ------------------------------------------------------------------ append-only


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log SET account_id = 2",
        "DELETE FROM access_log",
        "UPDATE access_log_checkpoints SET signature = entry_hash",
        "DELETE FROM access_log_checkpoints",
        "DELETE FROM access_log_head",
    ],
)
def test_the_database_refuses_to_change_or_remove_entries(logged, connection, statement):
    append(logged, 5)
    with pytest.raises(exc.DatabaseError, match="append-only"), connection.begin_nested():
        connection.exec_driver_sql(statement)


@pytest.mark.skipif(not is_postgres(), reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_to_truncate_the_log(logged, connection):
    append(logged, 1)
    with pytest.raises(exc.DatabaseError, match="append-only"), connection.begin_nested():
        connection.exec_driver_sql("TRUNCATE access_log")


# ------------------------------------------------------------------ tampering by raw SQL


def test_an_edited_entry_is_named(logged, connection):
    append(logged, 10)
    unguarded(connection)
    payload = connection.execute(text("SELECT payload FROM access_log WHERE sequence = 6")).scalar_one()
    edited = bytes(payload).replace(b'"permit"', b'"deny"')
    connection.execute(text("UPDATE access_log SET payload = :p WHERE sequence = 6"), {"p": edited})
    assert fault(logged) == (FaultKind.ENTRY_ALTERED, 6, "entry 6 does not match its hash")


def test_an_edited_account_column_is_named(logged, connection):
    append(logged, 10)
    unguarded(connection)
    connection.exec_driver_sql("UPDATE access_log SET account_id = 999 WHERE sequence = 4")
    assert fault(logged)[:2] == (FaultKind.COLUMNS_ALTERED, 4)


def test_an_edited_time_column_is_named(logged, connection):
    append(logged, 10)
    unguarded(connection)
    connection.execute(
        text("UPDATE access_log SET occurred_at = :t WHERE sequence = 3"),
        {"t": "2026-11-01 00:00:00.000000" if not is_postgres() else "2026-11-01T00:00:00Z"},
    )
    assert fault(logged)[:2] == (FaultKind.COLUMNS_ALTERED, 3)


@pytest.mark.skipif(is_postgres(), reason="only SQLite stores text in a binary column")
def test_text_stored_where_bytes_belong_is_named_not_a_crash(logged, connection):
    append(logged, 5)
    unguarded(connection)
    connection.exec_driver_sql("UPDATE access_log SET payload = CAST(payload AS TEXT) WHERE sequence = 2")
    assert fault(logged)[:2] == (FaultKind.ENTRY_ALTERED, 2)


def test_a_deleted_entry_is_named(logged, connection):
    append(logged, 10)
    unguarded(connection)
    connection.exec_driver_sql("DELETE FROM access_log WHERE sequence = 5")
    assert fault(logged) == (
        FaultKind.ENTRY_OUT_OF_PLACE,
        6,
        "entry 6 does not follow entry 4: entry 5 is missing",
    )


def test_an_inserted_entry_is_named(logged, connection):
    append(logged, 10)
    unguarded(connection)
    shift_from(connection, 5)
    previous = connection.execute(text("SELECT entry_hash FROM access_log WHERE sequence = 4")).scalar_one()
    forged = next(
        chain_entries([access_log_entry(outcome="deny")], first_sequence=5, previous_hash=bytes(previous))
    )
    connection.execute(
        text(
            "INSERT INTO access_log (sequence, occurred_at, event, account_id, payload, previous_hash, "
            "entry_hash) VALUES (5, :at, 'disclosure.permitted', 1, :payload, :previous, :hash)"
        ),
        {
            "at": forged.entry.occurred_at if is_postgres() else forged.occurred_at_utc,
            "payload": forged.payload,
            "previous": previous,
            "hash": forged.entry_hash,
        },
    )
    assert fault(logged) == (FaultKind.ENTRY_OUT_OF_PLACE, 6, "entry 6 does not follow entry 5")


def shift_from(connection: Connection, sequence: int) -> None:
    """Renumber entries `sequence`.. one up, in two steps so that no key collides on the way."""
    connection.execute(
        text("UPDATE access_log SET sequence = -sequence WHERE sequence >= :s"), {"s": sequence}
    )
    connection.exec_driver_sql("UPDATE access_log SET sequence = 1 - sequence WHERE sequence < 0")


def test_two_swapped_entries_are_named_at_the_first(logged, connection):
    append(logged, 10)
    unguarded(connection)
    connection.exec_driver_sql("UPDATE access_log SET sequence = -1 WHERE sequence = 7")
    connection.exec_driver_sql("UPDATE access_log SET sequence = 7 WHERE sequence = 8")
    connection.exec_driver_sql("UPDATE access_log SET sequence = 8 WHERE sequence = -1")
    assert fault(logged)[:2] == (FaultKind.ENTRY_OUT_OF_PLACE, 7)


def test_a_truncated_tail_is_named(logged, connection):
    append(logged, 10)
    unguarded(connection)
    connection.exec_driver_sql("DELETE FROM access_log WHERE sequence > 6")
    assert fault(logged) == (
        FaultKind.TAIL_MISSING,
        7,
        "entries after 6 are missing: the signed head says 10",
    )


def test_a_truncated_tail_with_its_checkpoints_is_still_named(logged, connection):
    append(logged, 10)
    unguarded(connection)
    connection.exec_driver_sql("DELETE FROM access_log WHERE sequence > 2")
    connection.exec_driver_sql("DELETE FROM access_log_checkpoints")
    assert fault(logged)[:2] == (FaultKind.TAIL_MISSING, 3)


def test_a_forged_checkpoint_is_named(logged, connection):
    append(logged, 10)
    unguarded(connection)
    connection.execute(
        text("UPDATE access_log_checkpoints SET signature = :s WHERE sequence = 8"), {"s": bytes(32)}
    )
    assert fault(logged) == (FaultKind.BAD_SIGNATURE, 8, "checkpoint 8 has no valid signature")


def test_an_edited_head_is_named_and_nothing_more_is_appended_to_it(logged, connection):
    append(logged, 10)
    unguarded(connection)
    connection.execute(text("UPDATE access_log_head SET last_hash = :h"), {"h": b"\x07" * 32})
    assert fault(logged)[:2] == (FaultKind.BAD_SIGNATURE, 10)
    with (
        pytest.raises(TamperedLogError, match="not signed by the configured key"),
        logged.unit_of_work() as uow,
    ):
        uow.access_log.append([access_log_entry()])


def test_an_entry_rewritten_with_the_head_resigned_by_another_key_is_refused(logged, connection):
    append(logged, 3)
    last = connection.execute(text("SELECT entry_hash FROM access_log WHERE sequence = 3")).scalar_one()
    forged = sign_point(SignedKind.HEAD, b"a stolen key, not ours" * 2, 3, bytes(last))
    connection.execute(
        text("UPDATE access_log_head SET signature = :s, key_id = :k"),
        {"s": forged.signature, "k": forged.key_id},
    )
    with pytest.raises(TamperedLogError), logged.unit_of_work() as uow:
        uow.access_log.append([access_log_entry()])


def test_reading_an_edited_entry_for_an_account_says_so(logged, connection):
    append(logged, 3, account_id=5)
    unguarded(connection)
    connection.execute(text("UPDATE access_log SET payload = :p WHERE sequence = 2"), {"p": b"2|garbage"})
    with (
        pytest.raises(TamperedLogError, match="entry 2 does not match its hash"),
        logged.unit_of_work() as uow,
    ):
        uow.access_log.entries_for_account(5, limit=10)


# ------------------------------------------------------------------ committed databases


@pytest.fixture
def committed(fresh_database_url: str) -> Iterator[Container]:
    built = build_container(make_settings(fresh_database_url, access_log={"checkpoint_interval": 50}))
    yield built
    built.dispose()


def test_parallel_writers_extend_one_gapless_chain(committed):
    """Writers on their own connections, batches of 1 (INSERT), 7 and 70 (COPY on PostgreSQL)."""
    sizes, rounds = (1, 7, 70, 1), 12
    start = threading.Barrier(len(sizes))

    def writer(size: int) -> list[int]:
        start.wait(timeout=30)
        return [s for _ in range(rounds) for s in append(committed, size)]

    with ThreadPoolExecutor(max_workers=len(sizes)) as pool:
        written = [s for sequences in pool.map(writer, sizes) for s in sequences]
    total = sum(sizes) * rounds
    assert sorted(written) == list(range(1, total + 1))
    report = verify(committed)
    assert report.is_intact, report.fault
    assert (report.entries_checked, report.signed_head_sequence, report.checkpoints_checked) == (
        total,
        total,
        total // 50,
    )


def test_worker_processes_verify_a_committed_log_and_name_the_first_bad_entry(committed):
    append(committed, 400)
    options = {"workers": 2, "stretch_entries": 37, "parallel_from_entries": 0}
    assert verify(committed, **options).is_intact
    with committed.engine.begin() as connection:
        unguarded(connection)
        connection.exec_driver_sql("DELETE FROM access_log WHERE sequence = 222")
    report = verify(committed, **options)
    assert report.fault is not None
    assert (report.fault.kind, report.fault.sequence) == (FaultKind.ENTRY_OUT_OF_PLACE, 223)
    assert report.entries_checked == 221
