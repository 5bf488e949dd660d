"""Verifying the access log: the first entry that does not hold, and why (DESIGN.md invariant 2).

The chain is checked in stretches (segments) that need not be read in one pass or in one
process: each stored entry carries its previous hash, so a segment is checked on its own
and the joins between segments are checked when the results are put together in order.
Then the signed checkpoints and the signed head are held against the chain: a chain cut
short, or rewritten from some entry on, still looks whole, but no longer reaches or
matches what was signed (47 CFR 64.2009(c): the record of each use must be kept).

The check cannot see a cut back to an earlier state that was itself signed (an old head
and the entries up to it restored together): only a copy of a recent checkpoint kept
outside the database can. `cpniguard audit checkpoint` prints one to keep.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from cpniguard.domain.audit import GENESIS_HASH, SignedPoint, is_signed_by, key_id

ChainLink = tuple[int, bytes, bytes, bytes, bytes]
"""A stored entry as verification reads it: its sequence; the header line its row's columns
make (sequence, occurred_at as utc_text writes it, event, account id or nothing, joined by
'|' and ended by a newline, in ASCII: what its payload must begin with); its payload,
previous hash and entry hash."""


class FaultKind(StrEnum):
    """How the chain fails to hold."""

    ENTRY_ALTERED = "entry_altered"
    COLUMNS_ALTERED = "columns_altered"
    ENTRY_OUT_OF_PLACE = "entry_out_of_place"
    TAIL_MISSING = "tail_missing"
    UNSIGNED_ENTRIES = "unsigned_entries"
    BAD_SIGNATURE = "bad_signature"
    SIGNED_HASH_MISMATCH = "signed_hash_mismatch"
    HEAD_MISSING = "head_missing"


@dataclass(frozen=True, slots=True)
class ChainFault:
    """The first place the chain does not hold: the entry's sequence number and what is wrong."""

    kind: FaultKind
    sequence: int
    message: str


@dataclass(frozen=True, slots=True)
class SegmentCheck:
    """What one stretch of stored entries showed, on its own; empty when it holds no entry."""

    entries: int
    first_sequence: int
    first_previous_hash: bytes
    last_sequence: int
    last_hash: bytes
    hashes_at: dict[int, bytes]
    """The hashes of the watched entries (those a checkpoint or the head signs)."""
    fault: ChainFault | None


EMPTY_SEGMENT = SegmentCheck(0, 0, b"", 0, b"", {}, None)


def check_segment(links: Iterable[ChainLink], watched: frozenset[int] = frozenset()) -> SegmentCheck:
    """Check consecutive stored entries, in sequence order, against their hashes and each other.

    Each entry must match its hash (SHA-256 of the previous hash and its payload), its
    queryable columns must repeat its payload's header, and it must follow the entry before
    it in the segment (next sequence number, previous hash equal to that entry's hash). How
    the first entry joins the segment before it is left to ChainVerification. Stops at the
    first fault. DESIGN.md invariant 2; 47 CFR 64.2009(c).
    """
    sha256 = hashlib.sha256
    hashes_at: dict[int, bytes] = {}
    first: tuple[int, bytes] | None = None
    expected, last_hash, count, fault = 0, b"", 0, None
    for sequence, header, payload, previous_hash, entry_hash in links:
        if first is None:
            first = (sequence, previous_hash)
        elif sequence != expected or previous_hash != last_hash:
            fault = _out_of_place(sequence, expected)
            break
        try:
            digest = sha256(previous_hash + payload).digest()
        except TypeError:  # SQLite keeps any type in any column: text where bytes belong
            digest = b""
        if digest != entry_hash:
            fault = ChainFault(FaultKind.ENTRY_ALTERED, sequence, f"entry {sequence} does not match its hash")
            break
        if not payload.startswith(header):
            fault = _columns_altered(sequence)
            break
        if sequence in watched:
            hashes_at[sequence] = entry_hash
        expected, last_hash, count = sequence + 1, entry_hash, count + 1
    if first is None:
        return EMPTY_SEGMENT
    return SegmentCheck(count, first[0], first[1], expected - 1, last_hash, hashes_at, fault)


def _out_of_place(sequence: int, expected: int) -> ChainFault:
    after = "the start of the chain" if expected == 1 else f"entry {expected - 1}"
    message = f"entry {sequence} does not follow {after}"
    if sequence == expected + 1:
        message += f": entry {expected} is missing"
    elif sequence > expected:
        message += f": entries {expected} to {sequence - 1} are missing"
    return ChainFault(FaultKind.ENTRY_OUT_OF_PLACE, sequence, message)


def _columns_altered(sequence: int) -> ChainFault:
    message = f"entry {sequence} does not match its hash: its time, event or account columns were changed"
    return ChainFault(FaultKind.COLUMNS_ALTERED, sequence, message)


@dataclass(frozen=True, slots=True)
class ChainState:
    """What vouches for the chain, read at one instant: the signed head and checkpoints.

    `head` is None when the head row is missing; a head at sequence 0 is the unsigned
    start, before any entry. `last_stored_sequence` is the highest sequence stored.
    """

    head: SignedPoint | None
    checkpoints: tuple[SignedPoint, ...]
    last_stored_sequence: int

    @property
    def watched(self) -> frozenset[int]:
        """The sequences whose hashes are signed, and so must be collected while checking."""
        signed = {point.sequence for point in self.checkpoints}
        return frozenset(signed | ({self.head.sequence} if self.head else set()))


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of `audit verify`: how much was checked and the first fault, if any."""

    entries_checked: int
    signed_head_sequence: int | None
    checkpoints_checked: int
    fault: ChainFault | None

    @property
    def is_intact(self) -> bool:
        """Whether every entry, checkpoint and the head hold."""
        return self.fault is None


class ChainVerification:
    """Joins segment checks in sequence order, then holds the chain against what was signed."""

    def __init__(self, state: ChainState, keys: Mapping[str, bytes]) -> None:
        self._state = state
        self._keys = keys
        self._last_sequence = 0
        self._last_hash = GENESIS_HASH
        self._hashes_at: dict[int, bytes] = {}
        self._fault: ChainFault | None = None
        self.entries_checked = 0

    def add(self, segment: SegmentCheck) -> None:
        """Take the next segment's check; only the first fault of the chain is kept."""
        if self._fault is not None or segment.first_sequence == 0:
            return
        expected = self._last_sequence + 1
        if segment.first_sequence != expected or segment.first_previous_hash != self._last_hash:
            self._fault = _out_of_place(segment.first_sequence, expected)
            return
        if segment.entries:
            self.entries_checked += segment.entries
            self._hashes_at.update(segment.hashes_at)
            self._last_sequence, self._last_hash = segment.last_sequence, segment.last_hash
        self._fault = segment.fault

    def report(self) -> ChainReport:
        """The report, naming the fault with the lowest sequence number (the chain's own first)."""
        faults = [self._fault] if self._fault else []
        faults += self._head_faults()
        for checkpoint in self._state.checkpoints:
            faults += self._signed_point_faults(checkpoint, f"checkpoint {checkpoint.sequence}")
        first = min(faults, key=lambda fault: fault.sequence, default=None)
        head = self._state.head
        return ChainReport(
            self.entries_checked, head.sequence if head else None, len(self._state.checkpoints), first
        )

    def _head_faults(self) -> list[ChainFault]:
        head = self._state.head
        if head is None:
            message = "the signed head of the chain is missing: nothing vouches for its length"
            return [ChainFault(FaultKind.HEAD_MISSING, self._last_sequence + 1, message)]
        faults = [] if head.sequence == 0 else self._signed_point_faults(head, "the signed head")
        if self._state.last_stored_sequence > head.sequence:
            message = f"entries after {head.sequence} are not covered by the signed head"
            faults.append(ChainFault(FaultKind.UNSIGNED_ENTRIES, head.sequence + 1, message))
        return faults

    def _signed_point_faults(self, point: SignedPoint, name: str) -> list[ChainFault]:
        faults = []
        if not is_signed_by(point, self._keys):
            known = point.key_id in self._keys
            why = "has no valid signature" if known else f"is signed with key {point.key_id}, not configured"
            faults.append(ChainFault(FaultKind.BAD_SIGNATURE, point.sequence, f"{name} {why}"))
        if point.sequence > self._last_sequence:
            if self._fault is not None:  # the walk stopped at the fault: the tail was not read
                return faults
            message = f"entries after {self._last_sequence} are missing: {name} says {point.sequence}"
            faults.append(ChainFault(FaultKind.TAIL_MISSING, self._last_sequence + 1, message))
        elif self._hashes_at.get(point.sequence, point.entry_hash) != point.entry_hash:
            message = f"entry {point.sequence} does not match {name}: the chain was rewritten up to it"
            faults.append(ChainFault(FaultKind.SIGNED_HASH_MISMATCH, point.sequence, message))
        return faults


def signing_keys(keys: Iterable[bytes]) -> dict[str, bytes]:
    """The keys a verification accepts, by key id (the current one and any retired ones)."""
    return {key_id(key): key for key in keys}
