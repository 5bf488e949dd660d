"""The tamper-evident access log (DESIGN.md invariant 2; 47 CFR 64.2009(a), (c)).

Every decision about CPNI, permit or deny, becomes one entry. Entries are hash-chained:
each entry's hash covers a canonical encoding of the entry and the previous entry's hash,
so an edited, deleted, inserted or reordered entry breaks the chain at that point. Signed
checkpoints (HMAC with a key the database does not hold) make a truncated tail detectable.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from json.encoder import encode_basestring_ascii
from typing import Any, NamedTuple

from cpniguard.domain.employees import Role
from cpniguard.domain.errors import DomainError


class AuditEvent(StrEnum):
    """What an entry records; one enum of dotted names for the one audit table (STYLE.md 2)."""

    DISCLOSURE_PERMITTED = "disclosure.permitted"
    DISCLOSURE_DENIED = "disclosure.denied"
    AUTHENTICATION_SUCCEEDED = "authentication.succeeded"
    AUTHENTICATION_FAILED = "authentication.failed"
    AUTHENTICATION_LOCKED = "authentication.locked"
    PRETEXTING_SUSPECTED = "authentication.pretexting_suspected"
    CREDENTIAL_SET = "credential.set"
    CONSENT_RECORDED = "consent.recorded"
    """A consent ledger event: notice, opt-out, opt-in, revocation, one-time consent (64.2007-64.2008)."""
    BREACH_RECORDED = "breach.recorded"
    """A breach record opened, added to, closed or purged (64.2011(d))."""
    CAMPAIGN_RECORDED = "campaign.recorded"
    """A campaign drafted, edited, submitted, reviewed, exported or purged (64.2009(c), (d))."""
    CAMPAIGN_SELECTED = "campaign.selected"
    """A customer's CPNI used to select them for a campaign audience, and the ground (64.2005, 64.2007)."""


@dataclass(frozen=True, slots=True)
class LoggedReason:
    """One reason of a decision as the log keeps it."""

    rule_id: str
    citation: str
    explanation: str


@dataclass(frozen=True, slots=True)
class AccessLogEntry:
    """One entry as the service hands it to the log.

    Request values are strings, not enums: a request that names an unknown purpose is
    logged as asked, with the deny that answered it (DESIGN.md invariant 3).
    """

    event: AuditEvent
    occurred_at: datetime
    actor_kind: str
    actor_id: str
    actor_role: str | None
    account_id: int | None
    data_category: str
    purpose: str
    channel: str
    recipient: str
    destination: str | None
    interaction_id: int | None
    authentication: tuple[str, ...]
    outcome: str
    reasons: tuple[LoggedReason, ...]
    conditions: tuple[str, ...]
    rule_set: str


@dataclass(frozen=True, slots=True)
class LoggedAccess:
    """An entry as stored: its place in the chain and the hashes that bind it."""

    sequence: int
    entry: AccessLogEntry
    previous_hash: bytes
    entry_hash: bytes


ACCESS_LOG_READERS = frozenset({Role.AUDITOR, Role.COMPLIANCE_OFFICER, Role.SUPERVISOR})
"""Roles that read a customer's access-log entries (47 CFR 64.2009(c): the record is kept for review)."""


def can_read_access_log(role: Role) -> bool:
    """Whether `role` may read who used or disclosed a customer's CPNI, and why (64.2009(c))."""
    return role in ACCESS_LOG_READERS


# The canonical encoding. It is what the chain hashes, and it is stored as is, so that it
# can never change: a later format must add a new version and keep reading this one.

HASH_BYTES = 32
GENESIS_HASH = bytes(HASH_BYTES)
"""The previous hash of entry 1: 32 zero bytes."""
ENCODING_VERSION = 1
_json_string = encode_basestring_ascii
"""A str as a JSON string literal, non-ASCII escaped: exactly what json.dumps writes for it."""
_BODY_FIELDS = 15


def utc_text(instant: datetime) -> str:
    """An aware instant as the log writes it: UTC, microseconds, 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: every logged instant needs a time zone")
    utc = instant.astimezone(UTC)
    fields = (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % fields  # noqa: UP031  (cheaper than strftime)


def canonical_entry(sequence: int, entry: AccessLogEntry, occurred_at_utc: str | None = None) -> bytes:
    """The unambiguous encoding of entry number `sequence` (DESIGN.md invariant 2; 64.2009(c)).

    A header line `sequence|occurred_at (UTC)|event|account id`, then a JSON array (ASCII,
    no spaces) of the encoding version and every other field in a fixed order. The sequence
    number is inside what is hashed, so an entry moved to another place no longer matches.
    """
    q = _json_string
    account = "" if entry.account_id is None else int(entry.account_id)
    reasons = ",".join([f"[{q(r.rule_id)},{q(r.citation)},{q(r.explanation)}]" for r in entry.reasons])
    # Written out: json.dumps of the same list writes the same bytes (the tests hold the two
    # together) but costs a sixth more, and encoding is most of an append's own time.
    text = (
        f"{sequence}|{occurred_at_utc or utc_text(entry.occurred_at)}|{entry.event}|{account}\n"
        f"[{ENCODING_VERSION},{q(entry.actor_kind)},{q(entry.actor_id)},{_json_optional(entry.actor_role)},"
        f"{q(entry.data_category)},{q(entry.purpose)},{q(entry.channel)},{q(entry.recipient)},"
        f"{_json_optional(entry.destination)},{_json_number(entry.interaction_id)},"
        f"[{','.join(map(q, entry.authentication))}],{q(entry.outcome)},[{reasons}],"
        f"[{','.join(map(q, entry.conditions))}],{q(entry.rule_set)}]"
    )
    return text.encode("ascii")


def _json_optional(value: str | None) -> str:
    return "null" if value is None else _json_string(value)


def _json_number(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def decode_entry(payload: bytes) -> tuple[int, AccessLogEntry]:
    """The sequence number and entry a canonical encoding holds; ValueError when it is not one."""
    try:
        header, body = payload.decode("ascii").split("\n", 1)
        sequence, occurred_at, event, account = header.split("|")
        return int(sequence), _entry(json.loads(body), occurred_at, event, account)
    except (TypeError, ValueError) as error:
        raise ValueError(f"not an access-log entry: {error}") from error


def _entry(fields: Any, occurred_at: str, event: str, account: str) -> AccessLogEntry:  # noqa: ANN401  (JSON)
    if not isinstance(fields, list) or len(fields) != _BODY_FIELDS or fields[0] != ENCODING_VERSION:
        raise ValueError("not of encoding version 1")
    return AccessLogEntry(
        event=AuditEvent(event),
        occurred_at=datetime.fromisoformat(occurred_at + "+00:00"),
        account_id=int(account) if account else None,
        actor_kind=fields[1],
        actor_id=fields[2],
        actor_role=fields[3],
        data_category=fields[4],
        purpose=fields[5],
        channel=fields[6],
        recipient=fields[7],
        destination=fields[8],
        interaction_id=fields[9],
        authentication=tuple(fields[10]),
        outcome=fields[11],
        reasons=tuple(LoggedReason(*reason) for reason in fields[12]),
        conditions=tuple(fields[13]),
        rule_set=fields[14],
    )


def chain_hash(previous_hash: bytes, payload: bytes) -> bytes:
    """SHA-256(previous hash || canonical encoding): each entry's hash binds every entry before it."""
    return hashlib.sha256(previous_hash + payload).digest()


class ChainedEntry(NamedTuple):
    """An entry given its place in the chain, as it is stored."""

    sequence: int
    entry: AccessLogEntry
    occurred_at_utc: str
    payload: bytes
    previous_hash: bytes
    entry_hash: bytes


def chain_entries(
    entries: Iterable[AccessLogEntry], *, first_sequence: int, previous_hash: bytes
) -> Iterator[ChainedEntry]:
    """Number `entries` from `first_sequence` and chain them onto `previous_hash` (DESIGN.md invariant 2).

    Lazily, so that a bulk write can store entries while the next ones are hashed.
    """
    sha256 = hashlib.sha256
    last_instant, occurred_at_utc = None, ""
    for sequence, entry in enumerate(entries, start=first_sequence):
        if entry.occurred_at is not last_instant:  # the entries of one request share their instant
            last_instant, occurred_at_utc = entry.occurred_at, utc_text(entry.occurred_at)
        payload = canonical_entry(sequence, entry, occurred_at_utc)
        entry_hash = sha256(previous_hash + payload).digest()
        yield ChainedEntry(sequence, entry, occurred_at_utc, payload, previous_hash, entry_hash)
        previous_hash = entry_hash


class TamperedLogError(DomainError):
    """The stored log does not hold where it was read; `cpniguard audit verify` says where and how."""


def is_intact_entry(payload: bytes, previous_hash: bytes, entry_hash: bytes) -> bool:
    """Whether a stored entry still matches its hash (one entry; `audit verify` checks the chain)."""
    return hmac.compare_digest(chain_hash(previous_hash, payload), entry_hash)


# Signatures. A checkpoint, and the head, sign a sequence number and the chain hash there
# with a key the database does not hold, so that cutting the tail off the chain (which
# leaves a valid chain) is detected: the signed head still names the missing entries.

_CHECKPOINT_LABEL = b"cpniguard access-log checkpoint v1\x00"
_HEAD_LABEL = b"cpniguard access-log head v1\x00"
KEY_ID_CHARS = 16


class SignedKind(StrEnum):
    """What a signature vouches for; the two are signed under different labels."""

    CHECKPOINT = "checkpoint"
    HEAD = "head"


_LABELS = {SignedKind.CHECKPOINT: _CHECKPOINT_LABEL, SignedKind.HEAD: _HEAD_LABEL}


@dataclass(frozen=True, slots=True)
class SignedPoint:
    """A signed statement "entry `sequence` of the chain has hash `entry_hash`"."""

    kind: SignedKind
    sequence: int
    entry_hash: bytes
    signature: bytes
    key_id: str


def key_id(key: bytes) -> str:
    """A short name for a signing key that does not reveal it (keys can be rotated)."""
    return hashlib.sha256(b"cpniguard key id\x00" + key).hexdigest()[:KEY_ID_CHARS]


def sign_point(kind: SignedKind, key: bytes, sequence: int, entry_hash: bytes) -> SignedPoint:
    """HMAC-SHA256 over the kind's label, the sequence number and the hash (DESIGN.md invariant 2)."""
    message = _LABELS[kind] + sequence.to_bytes(8, "big") + entry_hash
    return SignedPoint(kind, sequence, entry_hash, hmac.digest(key, message, "sha256"), key_id(key))


def is_signed_by(point: SignedPoint, keys: Mapping[str, bytes]) -> bool:
    """Whether `point` carries a valid signature by one of `keys` (by key id)."""
    key = keys.get(point.key_id)
    if key is None:
        return False
    expected = sign_point(point.kind, key, point.sequence, point.entry_hash).signature
    return hmac.compare_digest(expected, point.signature)


def checkpoints_due(last_before: int, last_after: int, interval: int) -> range:
    """The sequences at which checkpoints fall when the chain grows from `last_before` to `last_after`."""
    first = (last_before // interval + 1) * interval
    return range(first, last_after + 1, interval)
