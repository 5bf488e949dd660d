"""Verifying the access log (DESIGN.md invariant 2; 47 CFR 64.2009(c)): every kind of tampering
is named by its first bad entry, including across the joins between stretches read apart."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.factories import access_log_entry
from tests.fakes import FAKE_ACCESS_LOG_KEY, FakeAccessLog, FakeTables

from cpniguard.domain.audit import GENESIS_HASH, ChainedEntry, SignedKind, chain_entries, key_id, sign_point
from cpniguard.domain.audit_verification import (
    ChainReport,
    ChainVerification,
    FaultKind,
    check_segment,
    signing_keys,
)

KEYS = signing_keys([FAKE_ACCESS_LOG_KEY])


def logged(count: int, *, checkpoint_interval: int = 4) -> tuple[FakeTables, FakeAccessLog]:
    """A log of `count` entries (accounts 1, 2, 3, ...), checkpoints every 4, read 3 at a time."""
    tables = FakeTables()
    log = FakeAccessLog(tables, checkpoint_interval=checkpoint_interval)
    log.append([access_log_entry(account_id=n, interaction_id=n) for n in range(1, count + 1)])
    return tables, log


def verify(log: FakeAccessLog, keys: dict[str, bytes] = KEYS) -> ChainReport:
    state = log.state()
    verification = ChainVerification(state, keys)
    for segment in log.check_segments(
        lambda links: check_segment(links, state.watched), through_sequence=state.last_stored_sequence
    ):
        verification.add(segment)
    return verification.report()


def fault_of(log: FakeAccessLog) -> tuple[FaultKind, int, str]:
    report = verify(log)
    assert report.fault is not None, "tampering went unnoticed"
    return report.fault.kind, report.fault.sequence, report.fault.message


def rechained(entries: list[ChainedEntry], *, from_index: int) -> list[ChainedEntry]:
    """The entries with hashes recomputed from `from_index` on, as a forger without the key would."""
    kept = entries[:from_index]
    previous = kept[-1].entry_hash if kept else GENESIS_HASH
    rest = [c.entry for c in entries[from_index:]]
    return kept + list(chain_entries(rest, first_sequence=from_index + 1, previous_hash=previous))


def test_an_untouched_log_is_intact_and_every_entry_is_checked():
    _, log = logged(10)
    report = verify(log)
    assert report.is_intact
    assert (report.entries_checked, report.signed_head_sequence, report.checkpoints_checked) == (10, 10, 2)


def test_an_empty_log_is_intact():
    report = verify(FakeAccessLog(FakeTables()))
    assert report.is_intact
    assert report.entries_checked == 0


@pytest.mark.parametrize("edited", range(1, 11))
def test_an_edited_entry_is_named_as_not_matching_its_hash(edited):
    tables, log = logged(10)
    stored = tables.access_log[edited - 1]
    tables.access_log[edited - 1] = stored._replace(payload=stored.payload.replace(b"permit", b"deny!"))
    assert fault_of(log) == (FaultKind.ENTRY_ALTERED, edited, f"entry {edited} does not match its hash")


def test_an_edited_queryable_column_is_named_even_though_the_payload_is_untouched():
    tables, log = logged(10)
    stored = tables.access_log[5]
    tables.access_log[5] = stored._replace(entry=dataclasses.replace(stored.entry, account_id=999))
    kind, sequence, message = fault_of(log)
    assert (kind, sequence) == (FaultKind.COLUMNS_ALTERED, 6)
    assert message.startswith("entry 6 does not match its hash")


@pytest.mark.parametrize("deleted", range(1, 10))
def test_a_deleted_entry_is_named_by_the_entry_that_no_longer_follows(deleted):
    tables, log = logged(10)
    del tables.access_log[deleted - 1]
    kind, sequence, message = fault_of(log)
    assert (kind, sequence) == (FaultKind.ENTRY_OUT_OF_PLACE, deleted + 1)
    after = "the start of the chain" if deleted == 1 else f"entry {deleted - 1}"
    assert message == f"entry {deleted + 1} does not follow {after}: entry {deleted} is missing"


def test_an_entry_deleted_and_the_rest_renumbered_is_named_where_the_chain_breaks():
    tables, log = logged(10)
    del tables.access_log[4]
    tables.access_log[4:] = [c._replace(sequence=c.sequence - 1) for c in tables.access_log[4:]]
    kind, sequence, _ = fault_of(log)
    assert (kind, sequence) == (FaultKind.ENTRY_OUT_OF_PLACE, 5)


def test_an_inserted_entry_is_named():
    tables, log = logged(10)
    forged = next(chain_entries([access_log_entry(account_id=5)], first_sequence=5, previous_hash=b"x" * 32))
    tables.access_log[4:] = [forged] + [c._replace(sequence=c.sequence + 1) for c in tables.access_log[4:]]
    assert fault_of(log)[:2] == (FaultKind.ENTRY_OUT_OF_PLACE, 5)


def test_an_inserted_entry_chained_correctly_is_named_by_the_entry_it_displaced():
    tables, log = logged(10)
    previous = tables.access_log[3].entry_hash
    forged = next(chain_entries([access_log_entry(account_id=5)], first_sequence=5, previous_hash=previous))
    tables.access_log[4:] = [forged] + [c._replace(sequence=c.sequence + 1) for c in tables.access_log[4:]]
    kind, sequence, message = fault_of(log)
    assert (kind, sequence) == (FaultKind.ENTRY_OUT_OF_PLACE, 6)
    assert message == "entry 6 does not follow entry 5"


@pytest.mark.parametrize("first", range(1, 10))
def test_two_swapped_entries_are_named_at_the_first_of_them(first):
    tables, log = logged(10)
    a, b = tables.access_log[first - 1], tables.access_log[first]
    tables.access_log[first - 1], tables.access_log[first] = (
        b._replace(sequence=first),
        a._replace(sequence=first + 1),
    )
    assert fault_of(log)[:2] == (FaultKind.ENTRY_OUT_OF_PLACE, first)


@pytest.mark.parametrize("kept", [0, 3, 7, 9])
def test_a_truncated_tail_is_named_by_what_the_signed_head_still_says(kept):
    tables, log = logged(10)
    del tables.access_log[kept:]
    assert fault_of(log) == (
        FaultKind.TAIL_MISSING,
        kept + 1,
        f"entries after {kept} are missing: the signed head says 10",
    )


def test_a_tail_cut_with_its_checkpoints_and_a_head_set_back_unsigned_is_still_caught():
    tables, log = logged(10)
    del tables.access_log[5:]
    tables.access_log_checkpoints = [p for p in tables.access_log_checkpoints if p.sequence <= 5]
    head = tables.access_log_head
    assert head is not None
    tables.access_log_head = dataclasses.replace(head, sequence=5, entry_hash=tables.access_log[4].entry_hash)
    assert fault_of(log)[:2] == (FaultKind.BAD_SIGNATURE, 5)


def test_a_forged_checkpoint_signature_is_named():
    tables, log = logged(10)
    checkpoint = tables.access_log_checkpoints[0]
    tables.access_log_checkpoints[0] = dataclasses.replace(checkpoint, signature=b"\0" * 32)
    assert fault_of(log) == (FaultKind.BAD_SIGNATURE, 4, "checkpoint 4 has no valid signature")


def test_a_checkpoint_signed_with_another_key_names_that_key():
    tables, log = logged(10)
    other = b"someone else's key" * 3
    tables.access_log_checkpoints[1] = sign_point(
        SignedKind.CHECKPOINT, other, 8, tables.access_log[7].entry_hash
    )
    kind, sequence, message = fault_of(log)
    assert (kind, sequence) == (FaultKind.BAD_SIGNATURE, 8)
    assert key_id(other) in message


def test_a_chain_rewritten_by_someone_without_the_key_is_caught_at_the_next_checkpoint():
    tables, log = logged(10)
    edited = dataclasses.replace(tables.access_log[5].entry, outcome="deny")
    tables.access_log[5] = tables.access_log[5]._replace(entry=edited)
    tables.access_log = rechained(tables.access_log, from_index=5)
    kind, sequence, message = fault_of(log)
    assert (kind, sequence) == (FaultKind.SIGNED_HASH_MISMATCH, 8)
    assert message.startswith("entry 8 does not match checkpoint 8")


def test_entries_appended_without_the_head_are_named():
    tables, log = logged(10)
    last = tables.access_log[-1]
    tables.access_log.extend(
        chain_entries([access_log_entry()], first_sequence=11, previous_hash=last.entry_hash)
    )
    assert fault_of(log) == (
        FaultKind.UNSIGNED_ENTRIES,
        11,
        "entries after 10 are not covered by the signed head",
    )


def test_a_forged_head_signature_is_named():
    tables, log = logged(10)
    head = tables.access_log_head
    assert head is not None
    tables.access_log_head = dataclasses.replace(head, signature=b"\1" * 32)
    assert fault_of(log)[:2] == (FaultKind.BAD_SIGNATURE, 10)


def test_a_missing_head_is_named():
    tables, log = logged(10)
    tables.access_log_head = None
    assert fault_of(log)[:2] == (FaultKind.HEAD_MISSING, 11)


def test_the_first_fault_is_named_when_there_are_several():
    tables, log = logged(10)
    del tables.access_log[8:]
    stored = tables.access_log[2]
    tables.access_log[2] = stored._replace(payload=stored.payload + b" ")
    assert fault_of(log)[:2] == (FaultKind.ENTRY_ALTERED, 3)


def test_a_segment_checked_on_its_own_reports_its_first_and_last_entry():
    tables, _ = logged(5)
    links = [(c.sequence, c.payload[: c.payload.index(b"\n") + 1], *c[3:]) for c in tables.access_log]
    result = check_segment(links[1:4], frozenset({3}))
    assert (result.entries, result.first_sequence, result.last_sequence) == (3, 2, 4)
    assert set(result.hashes_at) == {3}
    assert result.fault is None


@given(count=st.integers(min_value=1, max_value=40), data=st.data())
def test_deleting_any_one_entry_names_the_entry_after_it_or_the_cut_tail(count, data):
    tables, log = logged(count, checkpoint_interval=5)
    deleted = data.draw(st.integers(min_value=1, max_value=count))
    del tables.access_log[deleted - 1]
    kind, sequence, _ = fault_of(log)
    if deleted == count:
        assert (kind, sequence) == (FaultKind.TAIL_MISSING, count)
    else:
        assert (kind, sequence) == (FaultKind.ENTRY_OUT_OF_PLACE, deleted + 1)


def test_a_run_of_deleted_entries_is_named_with_the_whole_run():
    tables, log = logged(10)
    del tables.access_log[3:6]
    assert fault_of(log) == (
        FaultKind.ENTRY_OUT_OF_PLACE,
        7,
        "entry 7 does not follow entry 3: entries 4 to 6 are missing",
    )
