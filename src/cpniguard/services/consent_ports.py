"""Ports of the consent ledger, the marketing mailbox and the opt-out monitor (issue 5).

Kept apart from ports.py, which holds the rest of the unit of work, so each stays readable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from cpniguard.domain.accounts import Language
from cpniguard.domain.consent import ConsentSegment
from cpniguard.domain.consent_events import ConsentEvent, ConsentScope, ConsentSource
from cpniguard.domain.disclosure_request import Approval, RecipientClass
from cpniguard.domain.mailbox import MailboxStatus


@dataclass(frozen=True, slots=True)
class NoticeVersion:
    """A CPNI notice text per language: its subject and its clauses (64.2008(c))."""

    version: str
    waiting_period_days: int
    texts: Mapping[str, Mapping[str, str]]
    """language -> {"subject": ..., clause name: text}."""
    created_at: datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class NoticeRecipient:
    """An account due for a CPNI notice, with where a notice can go (addresses of record)."""

    account_id: int
    account_number: str
    language: Language
    last_notice_at: datetime | None
    email_of_record: str | None
    postal_address_of_record: str | None
    accepts_email_notices: bool
    """The customer chose email for notices: the express prior consent of 64.2008(d)(3)(i)."""


@dataclass(frozen=True, slots=True)
class NoticeBatchState:
    """A notice mailing and how far it got (resumable)."""

    id: int
    kind: str
    notice_version: str
    as_of: datetime
    started_at: datetime
    started_by: str
    finished_at: datetime | None
    cursor_account_id: int
    queued: int
    skipped: int


class ConsentLedger(Protocol):
    """The append-only consent ledger and its projection (DESIGN.md invariant 6)."""

    def lock_account(self, account_id: int) -> None:
        """Serialize ledger writes for one account until the transaction ends."""
        ...

    def append(self, account_id: int, event: ConsentEvent) -> int | None:
        """Append `event`; its id, or None (nothing written) when its reference is already there."""
        ...

    def events(self, account_id: int) -> list[ConsentEvent]:
        """The account's events with their ids, oldest first."""
        ...

    def event(self, event_id: int) -> tuple[int, ConsentEvent] | None:
        """The event with this id and its account."""
        ...

    def event_with_reference(self, reference: str) -> ConsentEvent | None:
        """The event recorded with this reference (a notice's outbox key), with its id."""
        ...

    def replace_projection(self, account_id: int, segments: Sequence[ConsentSegment]) -> None:
        """Make the account's projection exactly `segments`."""
        ...

    def projection(self, account_id: int) -> list[ConsentSegment]:
        """The account's stored projection."""
        ...

    def accounts_with_events(self, *, after_account_id: int, limit: int) -> list[int]:
        """Keys of accounts holding events, ascending, after `after_account_id` (rebuilds)."""
        ...

    def eligible_accounts(
        self, scope: ConsentScope, approvals: frozenset[Approval], at: datetime
    ) -> Iterator[int]:
        """Keys of accounts whose approval for `scope` at `at` is one of `approvals`."""
        ...

    def one_time_consent(self, interaction_id: int) -> frozenset[RecipientClass]:
        """Recipients the customer consented to for this call only (64.2008(f))."""
        ...

    def delete_events(self, account_id: int, event_ids: Sequence[int]) -> int:
        """Purge these events of the account (retention is checked by the caller); how many went."""
        ...


class ConsentNotices(Protocol):
    """Notice versions and notice mailings."""

    def add_version(self, version: NoticeVersion) -> bool:
        """Store a new version; False when the name is taken (versions never change)."""
        ...

    def version(self, name: str) -> NoticeVersion | None:
        """The version with this name."""
        ...

    def versions(self) -> list[NoticeVersion]:
        """Every version, newest first."""
        ...

    def due(
        self, *, last_notice_before: datetime, as_of: datetime, after_account_id: int, limit: int
    ) -> list[NoticeRecipient]:
        """Active accounts whose last valid notice is before the cutoff, or who never had one.

        Addresses are those of record at `as_of` (on the account 30 days, 64.2003(b)).
        """
        ...

    def notice_recipient(self, account_id: int, *, as_of: datetime) -> NoticeRecipient | None:
        """Where a notice to this account can go at `as_of`; None for an unknown account."""
        ...

    def start_batch(self, *, kind: str, notice_version: str, as_of: datetime, at: datetime, by: str) -> int:
        """Record a new mailing; return its key."""
        ...

    def batch(self, batch_id: int) -> NoticeBatchState | None:
        """The mailing with this key."""
        ...

    def lock_mailings(self, batch_id: int) -> None:
        """Hold the mailings' lock until the transaction ends, before it reads anything.

        One page of one mailing at a time: two mailings reading who is due at once would both
        find a customer due and write them a notice each, under their own keys.
        """
        ...

    def advance_batch(self, batch_id: int, *, cursor_account_id: int, queued: int, skipped: int) -> None:
        """Move the mailing's resume point forward and add to its counts."""
        ...

    def finish_batch(self, batch_id: int, *, at: datetime) -> None:
        """Mark the mailing done."""
        ...

    def delivered_notices(self, *, limit: int) -> list[DeliveredNotice]:
        """Notice messages the outbox delivered that the ledger does not hold yet."""
        ...


@dataclass(frozen=True, slots=True)
class DeliveredNotice:
    """A notice message the worker delivered: the ledger records it as sent then."""

    account_id: int
    outbox_key: str
    channel: str
    sent_at: datetime
    notice_version: str


@dataclass(frozen=True, slots=True)
class StoredMail:
    """An email to the marketing mailbox as stored."""

    id: int
    received_at: datetime
    envelope_sender: str
    recipients: str
    raw: bytes
    status: MailboxStatus
    attempts: int
    review_reason: str | None
    account_id: int | None
    consent_event_id: int | None


@dataclass(frozen=True, slots=True)
class MatchedAccount:
    """An account that has an address as a current email contact."""

    account_id: int
    account_number: str
    language: Language
    associated_at: datetime


class MailboxStore(Protocol):
    """The marketing mailbox's stored messages and review queue."""

    def store(self, *, raw: bytes, envelope_sender: str, recipients: str, peer: str, at: datetime) -> int:
        """Keep the raw message before anything else is done with it; return its key."""
        ...

    def claim_due(self, *, at: datetime, limit: int) -> list[StoredMail]:
        """Received messages whose next attempt is due, locked for this transaction."""
        ...

    def get(self, message_id: int, *, for_update: bool = False) -> StoredMail | None:
        """The stored message with this key; with `for_update`, locked until the transaction ends.

        Two staff resolving one message: the second sees the first's outcome.
        """
        ...

    def settle(  # noqa: PLR0913 - one outcome's fields, all keyword-only
        self,
        message_id: int,
        *,
        status: MailboxStatus,
        account_id: int | None = None,
        consent_event_id: int | None = None,
        review_reason: str | None = None,
        resolved_by: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Record the outcome of processing or of a review."""
        ...

    def fail(self, message_id: int, *, error: str, retry_at: datetime) -> None:
        """Count a failed attempt; the message is tried again at `retry_at`."""
        ...

    def review_queue(self, *, limit: int) -> list[StoredMail]:
        """Messages waiting for staff, oldest first."""
        ...

    def accounts_with_email(self, address: str, *, at: datetime) -> list[MatchedAccount]:
        """Accounts that have `address` as a current email contact point at `at` (case-insensitive)."""
        ...

    def notice_sent_to(self, message_ids: Sequence[str]) -> tuple[int, str] | None:
        """The account and outbox key of the notice email that had one of these Message-IDs."""
        ...


@dataclass(frozen=True, slots=True)
class ProbeRecord:
    """One test opt-out (64.2009(f))."""

    id: int
    channel: ConsentSource
    nonce: str
    sent_at: datetime
    succeeded: bool | None
    error: str | None


@dataclass(frozen=True, slots=True)
class FailureIncident:
    """An opt-out failure beyond an anomaly, with what its FCC letter needs (64.2009(f))."""

    id: int
    channels: tuple[ConsentSource, ...]
    determined_at: datetime
    letter_due_on: date
    problem: str
    remedy: str | None
    remedy_date: date | None
    state_commission_notice: str | None
    customer_notice: str | None
    letter_sent_at: datetime | None
    closed_at: datetime | None


class OptOutMonitorStore(Protocol):
    """Probes of the opt-out channels and the failure incidents they open."""

    def add_probe(self, channel: ConsentSource, nonce: str, *, at: datetime) -> int:
        """Record a probe as sent."""
        ...

    def pending_probes(self, *, sent_before: datetime) -> list[ProbeRecord]:
        """Probes not settled yet that were sent before `sent_before`."""
        ...

    def settle_probe(self, probe_id: int, *, succeeded: bool, error: str | None, at: datetime) -> None:
        """Record a probe's outcome."""
        ...

    def recent_probes(self, channel: ConsentSource, *, limit: int) -> list[ProbeRecord]:
        """The channel's settled probes, newest first."""
        ...

    def open_incident(self, channel: ConsentSource) -> FailureIncident | None:
        """The channel's incident that is not closed, if any."""
        ...

    def add_incident(self, incident: FailureIncident) -> int:
        """Open an incident (its id field is ignored); return its key."""
        ...

    def incident(self, incident_id: int) -> FailureIncident | None:
        """The incident with this key."""
        ...

    def incidents(self, *, limit: int) -> list[FailureIncident]:
        """Incidents, newest first."""
        ...

    def update_incident(self, incident: FailureIncident) -> None:
        """Store the incident's remedy, notices, letter and closing fields."""
        ...

    def consent_event_marked(self, mark: str, *, since: datetime) -> bool:
        """Whether an opt-out recorded since then carries `mark` as its reference or in its evidence."""
        ...
