"""The access log's chain (DESIGN.md invariant 2; 47 CFR 64.2009(c)): the canonical encoding,
the hashes, the signatures and the checkpoints' places. Verification: test_audit_verification.py."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.factories import access_log_entry
from tests.fakes import FAKE_ACCESS_LOG_KEY

from cpniguard.domain.audit import (
    GENESIS_HASH,
    AccessLogEntry,
    AuditEvent,
    LoggedReason,
    SignedKind,
    canonical_entry,
    chain_entries,
    chain_hash,
    checkpoints_due,
    decode_entry,
    is_signed_by,
    key_id,
    sign_point,
    utc_text,
)
from cpniguard.domain.audit_verification import signing_keys
from cpniguard.domain.employees import Role

KEYS = signing_keys([FAKE_ACCESS_LOG_KEY])
EARLIEST = datetime(1970, 1, 2)  # noqa: DTZ001  (Hypothesis bounds are naive; the zone comes apart)
LATEST = datetime(9998, 12, 30)  # noqa: DTZ001
ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=12)
"""Any code points, lone surrogates, '|', newlines and quotes included."""


def entries_strategy() -> st.SearchStrategy[AccessLogEntry]:
    optional_text = st.none() | ANY_TEXT
    return st.builds(
        AccessLogEntry,
        event=st.sampled_from(AuditEvent),
        occurred_at=st.datetimes(min_value=EARLIEST, max_value=LATEST, timezones=st.just(UTC)),
        actor_kind=ANY_TEXT,
        actor_id=ANY_TEXT,
        actor_role=optional_text,
        account_id=st.none() | st.integers(min_value=-(2**63), max_value=2**63 - 1),
        data_category=ANY_TEXT,
        purpose=ANY_TEXT,
        channel=ANY_TEXT,
        recipient=ANY_TEXT,
        destination=optional_text,
        interaction_id=st.none() | st.integers(min_value=-(2**63), max_value=2**63 - 1),
        authentication=st.lists(ANY_TEXT, max_size=3).map(tuple),
        outcome=ANY_TEXT,
        reasons=st.lists(st.builds(LoggedReason, ANY_TEXT, ANY_TEXT, ANY_TEXT), max_size=3).map(tuple),
        conditions=st.lists(ANY_TEXT, max_size=3).map(tuple),
        rule_set=ANY_TEXT,
    )


# ------------------------------------------------------------------ the canonical encoding


def test_the_encoding_is_a_header_line_then_a_json_array_in_ascii():
    payload = canonical_entry(7, access_log_entry(account_id=42))
    header, body = payload.split(b"\n", 1)
    assert header == b"7|2026-11-02 15:00:00.000000|disclosure.permitted|42"
    assert body.startswith(b'[1,"employee","rep-0012","representative","call_detail"')
    assert payload.isascii()


def test_the_same_entry_encodes_to_the_same_bytes_every_time():
    assert canonical_entry(3, access_log_entry()) == canonical_entry(3, access_log_entry())


def test_the_sequence_number_is_part_of_the_encoding():
    assert canonical_entry(3, access_log_entry()) != canonical_entry(4, access_log_entry())


def test_times_are_encoded_in_utc_whatever_zone_they_come_in():
    eastern = timezone(timedelta(hours=-5))
    local = access_log_entry(occurred_at=datetime(2026, 11, 2, 10, 0, tzinfo=eastern))
    assert canonical_entry(1, local) == canonical_entry(1, access_log_entry())
    assert utc_text(datetime(2026, 11, 2, 10, 0, 0, 5, tzinfo=eastern)) == "2026-11-02 15:00:00.000005"


def test_a_time_without_a_zone_is_refused():
    with pytest.raises(ValueError, match="naive"):
        canonical_entry(1, access_log_entry(occurred_at=datetime(2026, 11, 2, 15, 0)))  # noqa: DTZ001


def test_an_unknown_account_is_logged_with_an_empty_account_field():
    assert canonical_entry(1, access_log_entry(account_id=None)).split(b"\n")[0].endswith(b"|")


@given(sequence=st.integers(min_value=1, max_value=2**63 - 1), entry=entries_strategy())
def test_decoding_an_encoding_gives_back_the_sequence_and_the_entry(sequence, entry):
    assert decode_entry(canonical_entry(sequence, entry)) == (sequence, entry)


@given(first=entries_strategy(), second=entries_strategy())
def test_distinct_entries_never_share_an_encoding(first, second):
    if first != second:
        assert canonical_entry(1, first) != canonical_entry(1, second)


@given(entry=entries_strategy())
def test_the_body_is_exactly_what_json_dumps_writes_for_the_fields_in_order(entry):
    fields = [
        1,
        entry.actor_kind,
        entry.actor_id,
        entry.actor_role,
        entry.data_category,
        entry.purpose,
        entry.channel,
        entry.recipient,
        entry.destination,
        entry.interaction_id,
        entry.authentication,
        entry.outcome,
        [(r.rule_id, r.citation, r.explanation) for r in entry.reasons],
        entry.conditions,
        entry.rule_set,
    ]
    body = canonical_entry(1, entry).split(b"\n", 1)[1]
    assert body == json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode("ascii")


@pytest.mark.parametrize(
    "payload",
    [
        b"not an entry",
        b"1|2026-11-02 15:00:00.000000|disclosure.permitted|\n[2]",
        b"1|2026-11-02 15:00:00.000000|no.such.event|\n"
        + canonical_entry(1, access_log_entry()).split(b"\n")[1],
        b"1|2026|disclosure.permitted\n[]",
        "1|é|x|\n[]".encode(),
    ],
)
def test_decoding_something_that_is_not_an_entry_is_a_value_error(payload):
    with pytest.raises(ValueError, match="not an access-log entry"):
        decode_entry(payload)


# ------------------------------------------------------------------ hashes and signatures


def test_each_hash_binds_the_previous_one():
    first, second = chain_entries(
        [access_log_entry(), access_log_entry()], first_sequence=1, previous_hash=GENESIS_HASH
    )
    assert first.previous_hash == GENESIS_HASH == bytes(32)
    assert second.previous_hash == first.entry_hash
    assert second.entry_hash == chain_hash(first.entry_hash, second.payload)


def test_a_signature_holds_for_its_key_only_and_for_its_kind_only():
    point = sign_point(SignedKind.CHECKPOINT, FAKE_ACCESS_LOG_KEY, 5, b"h" * 32)
    assert is_signed_by(point, KEYS)
    assert not is_signed_by(point, signing_keys([b"another key" * 4]))
    as_head = dataclasses.replace(point, kind=SignedKind.HEAD)
    assert not is_signed_by(as_head, KEYS), "a checkpoint's signature must not pass for a head"
    assert not is_signed_by(dataclasses.replace(point, sequence=6), KEYS)


def test_a_key_id_names_a_key_without_revealing_it():
    assert key_id(FAKE_ACCESS_LOG_KEY) == key_id(FAKE_ACCESS_LOG_KEY) != key_id(b"other")
    assert len(key_id(FAKE_ACCESS_LOG_KEY)) == 16


@pytest.mark.parametrize(
    ("before", "after", "interval", "due"),
    [
        (0, 3, 4, []),
        (0, 4, 4, [4]),
        (3, 9, 4, [4, 8]),
        (4, 7, 4, []),
        (0, 5, 1, [1, 2, 3, 4, 5]),
        (7, 8, 8, [8]),
    ],
)
def test_checkpoints_fall_on_every_multiple_of_the_interval_crossed(before, after, interval, due):
    assert list(checkpoints_due(before, after, interval)) == due


def test_only_auditors_compliance_officers_and_supervisors_read_the_access_log():
    from cpniguard.domain.audit import can_read_access_log  # noqa: PLC0415

    assert {role for role in Role if can_read_access_log(role)} == {
        Role.AUDITOR,
        Role.COMPLIANCE_OFFICER,
        Role.SUPERVISOR,
    }
