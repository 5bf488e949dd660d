"""The access-log services over fakes: a customer's page of entries, verify, checkpoints (64.2009(c))."""

from __future__ import annotations

import pytest
from tests.factories import access_log_entry
from tests.fakes import FAKE_ACCESS_LOG_KEY, FakeAccessLog, FakeDatabase, FakeUnitOfWorkFactory

from cpniguard.domain.audit_verification import FaultKind
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.services.audit import (
    MAX_PAGE_ENTRIES,
    checkpoint_access_log,
    list_account_access,
    verify_access_log,
)


@pytest.fixture
def database() -> FakeDatabase:
    database = FakeDatabase()
    database.add_account("A-1")
    database.add_account("A-2")
    return database


@pytest.fixture
def uow_factory(database) -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory(database)


def append(uow_factory, *account_ids: int | None) -> list[int]:
    with uow_factory() as uow:
        sequences = uow.access_log.append([access_log_entry(account_id=a) for a in account_ids])
        uow.commit()
    return sequences


def test_a_customers_entries_are_listed_newest_first_and_only_theirs(database, uow_factory):
    one, two = database.tables.accounts["A-1"], database.tables.accounts["A-2"]
    append(uow_factory, one, two, one, None, one)
    page = list_account_access(account_number="A-1", uow_factory=uow_factory)
    assert [logged.sequence for logged in page.entries] == [5, 3, 1]
    assert {logged.entry.account_id for logged in page.entries} == {one}
    assert page.next_before is None


def test_pages_follow_each_other_with_next_before(database, uow_factory):
    one = database.tables.accounts["A-1"]
    append(uow_factory, *[one] * 7)
    seen, before = [], None
    while True:
        page = list_account_access(
            account_number="A-1", limit=3, before_sequence=before, uow_factory=uow_factory
        )
        seen.append([logged.sequence for logged in page.entries])
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == [[7, 6, 5], [4, 3, 2], [1]]


def test_an_account_with_no_entries_has_an_empty_page(uow_factory):
    page = list_account_access(account_number="A-2", uow_factory=uow_factory)
    assert (page.entries, page.next_before) == ([], None)


def test_an_unknown_account_is_not_found(uow_factory):
    with pytest.raises(NotFoundError, match="no account NOPE"):
        list_account_access(account_number="NOPE", uow_factory=uow_factory)


@pytest.mark.parametrize(
    ("limit", "before", "locations"),
    [
        (0, None, ["limit"]),
        (MAX_PAGE_ENTRIES + 1, None, ["limit"]),
        (10, 0, ["before"]),
        (-1, -1, ["limit", "before"]),
    ],
)
def test_a_page_out_of_range_is_invalid_input_naming_each_field(uow_factory, limit, before, locations):
    with pytest.raises(InvalidInputError) as raised:
        list_account_access(
            account_number="A-1", limit=limit, before_sequence=before, uow_factory=uow_factory
        )
    assert [problem.location for problem in raised.value.problems] == locations


def test_entries_appended_in_a_unit_of_work_left_without_commit_are_not_kept(database, uow_factory):
    with uow_factory() as uow:
        uow.access_log.append([access_log_entry()])
    assert database.tables.access_log == []


def test_verify_reports_progress_and_an_intact_log(database, uow_factory):
    append(uow_factory, *range(1, 11))
    calls = []
    report = verify_access_log(
        chain=FakeAccessLog(database.tables),
        keys=[FAKE_ACCESS_LOG_KEY],
        progress=lambda done, total: calls.append((done, total)),
    )
    assert report.is_intact
    assert report.entries_checked == 10
    assert calls[-1] == (10, 10)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_verify_names_the_first_bad_entry(database, uow_factory):
    append(uow_factory, *range(1, 11))
    stored = database.tables.access_log[6]
    database.tables.access_log[6] = stored._replace(payload=stored.payload.replace(b"permit", b"deny!!"))
    report = verify_access_log(chain=FakeAccessLog(database.tables), keys=[FAKE_ACCESS_LOG_KEY])
    assert report.fault is not None
    assert (report.fault.kind, report.fault.sequence) == (FaultKind.ENTRY_ALTERED, 7)


def test_verify_with_a_retired_key_among_the_keys_still_accepts_what_it_signed(database, uow_factory):
    append(uow_factory, 1, 2, 3, 4, 5)
    report = verify_access_log(
        chain=FakeAccessLog(database.tables), keys=[b"the new key" * 4, FAKE_ACCESS_LOG_KEY]
    )
    assert report.is_intact


def test_verify_without_the_signing_key_names_the_unknown_key(database, uow_factory):
    append(uow_factory, 1, 2, 3, 4, 5)
    report = verify_access_log(chain=FakeAccessLog(database.tables), keys=[b"not the key" * 4])
    assert report.fault is not None
    assert report.fault.kind is FaultKind.BAD_SIGNATURE
    assert "not configured" in report.fault.message


def test_a_checkpoint_signs_the_last_entry_and_is_kept(database, uow_factory):
    append(uow_factory, 1, 2, 3)
    point = checkpoint_access_log(uow_factory=uow_factory)
    assert point is not None
    assert point.sequence == 3
    assert point.entry_hash == database.tables.access_log[-1].entry_hash
    assert point in database.tables.access_log_checkpoints


def test_there_is_no_checkpoint_of_an_empty_log(database, uow_factory):
    assert checkpoint_access_log(uow_factory=uow_factory) is None
    assert database.tables.access_log_checkpoints == []
