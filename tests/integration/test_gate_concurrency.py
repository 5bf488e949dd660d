"""Parallel requests through the gate each read, decide and log, and the chain still verifies.

DESIGN.md invariant 2. On SQLite a transaction that reads and then writes cannot wait for
the write lock, so the gate takes it first (AccessLog.prepare_to_append); this test fails
with "database is locked" without that.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from tests.conftest import make_settings
from tests.factories import add_account, add_service

from cpniguard.bootstrap import Container, build_container
from cpniguard.domain.disclosure_request import ActorKind
from cpniguard.domain.employees import Role
from cpniguard.services.audit import verify_access_log
from cpniguard.services.disclosure import Asker, DisclosureAsk, read_services

WRITERS, ROUNDS = 4, 15


@pytest.fixture
def committed(fresh_database_url: str) -> Iterator[Container]:
    built = build_container(make_settings(fresh_database_url, access_log={"checkpoint_interval": 20}))
    yield built
    built.dispose()


def test_parallel_gate_reads_are_all_logged_in_one_chain(committed):
    with committed.unit_of_work() as uow:
        key, number = add_account(uow.session)
        add_service(uow.session, key)
        uow.commit()
    asker = Asker(kind=ActorKind.INTEGRATION, role=Role.INTEGRATION, label="switch")
    ask = DisclosureAsk(
        number, {"purpose": "billing_and_collection", "channel": "api", "recipient": "carrier"}
    )
    start = threading.Barrier(WRITERS)

    def reader(_: int) -> list[int]:
        start.wait(timeout=30)
        sequences = []
        for _round in range(ROUNDS):
            disclosed = read_services(
                uow_factory=committed.unit_of_work, clock=committed.clock, asker=asker, ask=ask
            )
            assert len(disclosed.data) == 1
            sequences.append(disclosed.answer.access_log_sequence)
        return sequences

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        logged = [s for sequences in pool.map(reader, range(WRITERS)) for s in sequences]
    assert sorted(logged) == list(range(1, WRITERS * ROUNDS + 1))
    report = verify_access_log(chain=committed.access_log_chain(), keys=committed.access_log_keys())
    assert report.is_intact, report.fault
    assert report.entries_checked == WRITERS * ROUNDS
