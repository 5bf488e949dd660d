"""Protocols the services depend on; adapters implement them, tests fake them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from cpniguard.domain.accounts import (
    AccountKind,
    AccountStatus,
    ContactKind,
    ContactPoint,
    Language,
    ServiceCategory,
    ServiceNumber,
)
from cpniguard.domain.audit import AccessLogEntry, LoggedAccess, SignedPoint
from cpniguard.domain.audit_verification import ChainLink, ChainState, SegmentCheck
from cpniguard.domain.call_detail import CallDetail
from cpniguard.domain.classification import FieldClassification
from cpniguard.domain.credentials import ChallengeKind, CredentialKind
from cpniguard.domain.dead_letters import DeadLetter
from cpniguard.domain.disclosure import Permit
from cpniguard.domain.disclosure_request import Approval, AuthenticationMethod, Channel, RecipientClass
from cpniguard.domain.employees import DisciplinaryAction, Role, TrainingRecord
from cpniguard.domain.errors import FieldProblem
from cpniguard.domain.interactions import Interaction
from cpniguard.domain.invoices import ChargeType
from cpniguard.domain.lockout import Attempt
from cpniguard.domain.notifications import DeliveryStatus, NoticeChannel
from cpniguard.domain.subscriber_list import ListingStatus
from cpniguard.domain.third_party_access import ThirdPartyAccess
from cpniguard.services.breach_ports import BreachStore, CommissionClosureStore
from cpniguard.services.campaign_ports import CampaignStore
from cpniguard.services.consent_ports import ConsentLedger, ConsentNotices, MailboxStore, OptOutMonitorStore


class Clock(Protocol):
    """The time source; tests pin it (DESIGN.md invariant 9)."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


@dataclass(frozen=True, slots=True)
class RowRejection:
    """A row left out of a load, with every reason."""

    line_number: int
    problems: tuple[FieldProblem, ...]
    fields: tuple[str, ...] = ()
    """The row as read, in CALL_DETAIL_COLUMNS order, when it could be split."""


@dataclass(frozen=True, slots=True)
class IngestBatchRecord:
    """What one load of call detail did, as it is recorded."""

    source_name: str
    content_sha256: str
    loaded_by: str
    started_at: datetime
    finished_at: datetime
    rows_read: int
    rows_loaded: int
    duplicates_skipped: int
    rows_rejected: int


RawCallDetailRow = tuple[int, list[str]]
"""A line number and the fields of one row, in CALL_DETAIL_COLUMNS order."""


class CallDetailSource(Protocol):
    """Rows of call detail from a file or a request body; each pass starts over."""

    name: str

    def rows(self) -> Iterator[RawCallDetailRow | RowRejection]:
        """Yield every data row, or a rejection for a row that could not be split."""
        ...

    def content_sha256(self) -> str:
        """SHA-256 of the bytes read; complete after a full pass."""
        ...


CallDetailChunks = Callable[[], Iterator[list[CallDetail]]]
"""Starts a fresh pass over validated records, in chunks; a store may replay it once."""


class AccountRepository(Protocol):
    """Looks accounts up by their account number."""

    def ids_by_number(self) -> dict[str, int]:
        """Map every account number to its key (bulk loads resolve accounts from it)."""
        ...

    def key_of(self, account_number: str) -> int | None:
        """The key of the account with this number, if there is one."""
        ...

    def keys_of(self, account_numbers: Sequence[str]) -> dict[str, int]:
        """The keys of those of `account_numbers` that are accounts, by number (one query per slice)."""
        ...

    def contact_points(self, account_id: int) -> list[ContactPoint]:
        """Every contact point the account ever had, with the span it was on the account."""
        ...

    def service_numbers(self, account_id: int) -> list[ServiceNumber]:
        """Every number the account's services ever had, with the span each was on them."""
        ...


class CallDetailStore(Protocol):
    """Writes call detail in bulk (reads go through CpniStore, behind the gate)."""

    def start_batch(self, *, source_name: str, loaded_by: str, started_at: datetime) -> int:
        """Open an ingest batch and return its key."""
        ...

    def load(self, chunks: CallDetailChunks, *, batch_id: int) -> int:
        """Store every record not stored yet (same source system and record id); return how many."""
        ...

    def finish_batch(self, batch_id: int, record: IngestBatchRecord) -> None:
        """Record the outcome of the batch."""
        ...


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """Who a bearer token speaks for."""

    token_id: int
    label: str
    role: Role
    employee_id: int | None


class ApiTokenRepository(Protocol):
    """Bearer tokens, stored as SHA-256 digests."""

    def add(
        self, *, token_hash: str, label: str, role: Role, employee_id: int | None, created_at: datetime
    ) -> int:
        """Store a new token digest; return its key."""
        ...

    def holder_of(self, token_hash: str) -> TokenHolder | None:
        """The unrevoked token with this digest, if any."""
        ...

    def revoke(self, token_id: int, *, at: datetime) -> bool:
        """Revoke an unrevoked token; False when there is none with that key."""
        ...


class EmployeeRepository(Protocol):
    """Employees who sign in and act with a role."""

    def add(
        self, *, username: str, display_name: str, role: Role, password_hash: str, created_at: datetime
    ) -> int:
        """Store a new employee; return the key."""
        ...

    def find(self, username: str) -> tuple[int, Role] | None:
        """The key and role of the employee with this sign-in name."""
        ...


@dataclass(frozen=True, slots=True)
class DisciplinaryRecord:
    """One disciplinary action as recorded (64.2009(b))."""

    action: DisciplinaryAction
    reason: str
    taken_at: datetime
    recorded_by: str


class TrainingRepository(Protocol):
    """CPNI training and the disciplinary process, per employee (64.2009(b))."""

    def employee_id(self, username: str) -> int | None:
        """The key of the employee with this sign-in name."""
        ...

    def trainings(self, employee_id: int) -> list[TrainingRecord]:
        """Every completed training of the employee."""
        ...

    def add_training(self, employee_id: int, *, course: str, record: TrainingRecord, recorded_by: str) -> int:
        """Record a completed training."""
        ...

    def add_disciplinary_action(self, employee_id: int, record: DisciplinaryRecord) -> int:
        """Record a disciplinary action."""
        ...

    def disciplinary_actions(self, employee_id: int) -> list[DisciplinaryRecord]:
        """The employee's disciplinary actions, oldest first."""
        ...


@dataclass(frozen=True, slots=True)
class InteractionRecord:
    """An interaction to open: whose, on what channel, handled by whom, from when until when."""

    account_id: int
    channel: Channel
    employee_id: int | None
    caller_number: str | None
    started_at: datetime
    expires_at: datetime


class InteractionRepository(Protocol):
    """Interactions with customers and the authentication each reached."""

    def open(self, opening: InteractionRecord) -> int:
        """Open an interaction that ends by itself at `opening.expires_at`; return its key."""
        ...

    def get(self, interaction_id: int) -> Interaction | None:
        """The interaction with what it has reached."""
        ...

    def extend(self, interaction_id: int, *, until: datetime) -> None:
        """Keep an open interaction from timing out before `until` (it waits on a letter or code)."""
        ...

    def end(self, interaction_id: int, *, at: datetime) -> bool:
        """End an open interaction; False when it was already ended."""
        ...

    def record_authentication(
        self, interaction_id: int, method: AuthenticationMethod, *, at: datetime
    ) -> None:
        """Record that the interaction reached `method` (issue 4 decides when it has)."""
        ...


@dataclass(frozen=True, slots=True)
class DisclosureProfile:
    """What the gate needs to know about an account (64.2010(g), 222(h)(3), 64.2005(a))."""

    is_business_account: bool
    has_dedicated_representative: bool
    has_cpni_contract: bool
    listing_status: ListingStatus
    subscribed_categories: frozenset[ServiceCategory]
    approvals: Mapping[RecipientClass, Approval]


@dataclass(frozen=True, slots=True)
class InvoiceSummary:
    """A bill as the gate discloses it (222(h)(1)(B))."""

    invoice_number: str
    period_start: datetime
    period_end: datetime
    issued_at: datetime
    total_cents: int
    currency: str


@dataclass(frozen=True, slots=True)
class SubscribedService:
    """A service the customer takes (type of service is CPNI, 222(h)(1)(A))."""

    category: ServiceCategory
    product_name: str
    started_at: datetime
    ended_at: datetime | None


class CpniStore(Protocol):
    """The only reads of CPNI (DESIGN.md invariant 1): each takes a permit from the gate."""

    def disclosure_profile(self, account_id: int, *, at: datetime) -> DisclosureProfile:
        """The facts the gate decides on: account flags, categories subscribed, approvals."""
        ...

    def call_detail(self, permit: Permit, *, start: datetime, end: datetime, limit: int) -> list[CallDetail]:
        """The permitted account's calls with start <= started_at < end, in call order."""
        ...

    def invoices(self, permit: Permit, *, limit: int) -> list[InvoiceSummary]:
        """The permitted account's bills, newest first."""
        ...

    def services(self, permit: Permit) -> list[SubscribedService]:
        """The permitted account's services, current and past."""
        ...


class PasswordHasher(Protocol):
    """Slow, salted hashing of secrets people choose (argon2id)."""

    def hash(self, secret: str) -> str:
        """The stored form of `secret`."""
        ...

    def verify(self, stored_hash: str, secret: str) -> bool:
        """Whether `secret` matches `stored_hash`."""
        ...


class Transaction(Protocol):
    """A block of work that is kept only if committed: leaving without commit() rolls back."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make everything done in this block permanent."""
        ...


class AccessLog(Protocol):
    """The hash-chained access log (DESIGN.md invariant 2); append-only."""

    def append(self, entries: Sequence[AccessLogEntry]) -> list[int]:
        """Chain and append `entries` in this transaction; return their sequence numbers."""
        ...

    def prepare_to_append(self) -> None:
        """Called first in a transaction that will append after reading (SQLite takes its lock)."""
        ...

    def entries_for_account(
        self, account_id: int, *, limit: int, before_sequence: int | None = None
    ) -> list[LoggedAccess]:
        """The account's entries, newest first, `limit` at most, older than `before_sequence`."""
        ...

    def write_checkpoint(self) -> SignedPoint | None:
        """Sign the chain's current last entry as a checkpoint now; None while the log is empty."""
        ...


SegmentChecker = Callable[[Iterable[ChainLink]], SegmentCheck]
"""Checks one stretch of the chain; a module-level function (or a partial of one), so that it
can be sent to another process."""


class AccessLogChain(Protocol):
    """Reads the whole chain back for verification (`cpniguard audit verify`)."""

    def state(self) -> ChainState:
        """The signed head, the checkpoints and the highest stored sequence, as of one instant."""
        ...

    def check_segments(self, check: SegmentChecker, *, through_sequence: int) -> Iterator[SegmentCheck]:
        """Apply `check` to consecutive stretches of entries 1..`through_sequence`; results in order.

        Stretches may be read and checked in other processes at once.
        """
        ...


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """A customer message rendered in the customer's language."""

    subject: str | None
    body: str


class MessageRenderer(Protocol):
    """Renders customer-facing messages from templates, in English or French (issue 4)."""

    def render(self, template: str, language: Language, context: Mapping[str, str]) -> RenderedMessage:
        """The message `template` in `language`, filled from `context` (plain strings only)."""
        ...


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A message to write to the outbox (DESIGN.md invariant 5)."""

    idempotency_key: str
    account_id: int | None
    channel: NoticeChannel
    recipient: str
    language: Language
    template: str
    subject: str | None
    body: str


@dataclass(frozen=True, slots=True)
class DeadLetterDetail:
    """A message the outbox gave up on, for staff: whose it was, where it went, why it failed."""

    message_id: int
    account_number: str | None
    template: str
    channel: NoticeChannel
    recipient: str
    attempts: int
    created_at: datetime
    last_error: str | None
    digest_key: str | None
    """The digest that told the compliance officer of it; None when none has (yet, or ever)."""


class ThirdPartyAccessLog(Protocol):
    """Permitted gate decisions that put a customer's CPNI outside the carrier (64.2009(c))."""

    def record(self, access: ThirdPartyAccess) -> int:
        """Append `access`; its id."""
        ...

    def between(
        self, first: datetime, last: datetime, *, after_id: int = 0, limit: int = 1000
    ) -> list[ThirdPartyAccess]:
        """Records from `first` to `last` inclusive after `after_id`, in the order recorded, with numbers."""
        ...


class Outbox(Protocol):
    """Messages written in the transaction of their cause; the worker delivers them (issue 4)."""

    def enqueue(self, message: OutboundMessage, *, at: datetime) -> bool:
        """Write `message` as pending; False (and nothing written) when its idempotency key exists."""
        ...

    def dead_letters_to_alert(self, *, limit: int) -> tuple[list[DeadLetter], int]:
        """The oldest dead letters of kinds a digest lists that none has listed, and how many in all."""
        ...

    def mark_alerted(self, message_ids: Sequence[int], *, digest_key: str, at: datetime) -> None:
        """Record that the digest keyed `digest_key` lists these dead letters."""
        ...

    def dead_letters(self, *, after_id: int, limit: int) -> list[DeadLetterDetail]:
        """Dead letters in id order after `after_id`, with whose they were and why they failed."""
        ...


@dataclass(frozen=True, slots=True)
class StoredCredential:
    """The current secret of one kind, as an argon2id hash (64.2010(e))."""

    kind: CredentialKind
    secret_hash: str
    set_at: datetime
    login: str | None = None
    backup_question: str | None = None


@dataclass(frozen=True, slots=True)
class CredentialHolder:
    """What credential rules need about an account: its number, holder, language, opening."""

    account_number: str
    holder_name: str
    language: Language
    opened_at: datetime


@dataclass(frozen=True, slots=True)
class NewChallenge:
    """A one-time proof to issue to a contact of record (64.2010(b), (e))."""

    account_id: int
    interaction_id: int | None
    kind: ChallengeKind
    destination: str
    secret_hash: str | None
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class StoredChallenge:
    """An issued challenge and where it stands."""

    id: int
    challenge: NewChallenge
    completed_at: datetime | None
    failed_attempts: int


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """One authentication attempt as it is recorded (64.2010(a))."""

    account_id: int | None
    interaction_id: int | None
    method: AuthenticationMethod
    succeeded: bool
    caller_number: str | None
    at: datetime


class CredentialRepository(Protocol):
    """Passwords, PINs, backup answers, online accounts, attempts and challenges (issue 4)."""

    def holder(self, account_id: int) -> CredentialHolder | None:
        """The account's number, holder name, language and opening."""
        ...

    def current(self, account_id: int, kind: CredentialKind) -> StoredCredential | None:
        """The account's current credential of `kind`."""
        ...

    def has_had(self, account_id: int, kind: CredentialKind) -> bool:
        """Whether the account ever had a credential of `kind`."""
        ...

    def account_of_login(self, login: str) -> int | None:
        """The account whose current online account has this sign-in name."""
        ...

    def replace(self, account_id: int, credential: StoredCredential, *, set_by: str) -> None:
        """Close the current credential of the same kind and store `credential` as current."""
        ...

    def record_attempt(self, attempt: AttemptRecord) -> None:
        """Keep one attempt (lockout and pretexting alerts read them)."""
        ...

    def attempts(self, account_id: int, method: AuthenticationMethod, *, since: datetime) -> list[Attempt]:
        """The account's attempts by `method` at or after `since`."""
        ...

    def failing_accounts_from(self, caller_number: str, *, since: datetime) -> int:
        """How many accounts (unknown ones as one more) had failures from `caller_number` since then."""
        ...

    def caller_number_of(self, interaction_id: int) -> str | None:
        """The number an inbound call came from, for pretexting alerts (never for a callback)."""
        ...

    def has_completed_reset(self, interaction_id: int) -> bool:
        """Whether a password reset (code or backup answer) was completed in this interaction."""
        ...

    def add_challenge(self, challenge: NewChallenge) -> int:
        """Store an issued challenge; return its key."""
        ...

    def challenge(self, challenge_id: int) -> StoredChallenge | None:
        """The challenge with this key."""
        ...

    def complete_challenge(self, challenge_id: int, *, at: datetime) -> None:
        """Mark the challenge answered."""
        ...

    def fail_challenge(self, challenge_id: int) -> None:
        """Count one wrong answer to the challenge."""
        ...


@dataclass(frozen=True, slots=True)
class NoticeProfile:
    """What an account-change notice needs to know of the account (64.2010(f))."""

    language: Language
    opened_at: datetime
    preferred_channel: NoticeChannel | None


class ContactRepository(Protocol):
    """Changes to the contact points of record, and the notice preference (issue 4, 64.2010(f))."""

    def notice_profile(self, account_id: int) -> NoticeProfile | None:
        """The account's language, start of service and preferred notice channel."""
        ...

    def set_notice_preference(self, account_id: int, channel: NoticeChannel, *, at: datetime) -> None:
        """Record how the customer prefers to be told of account changes."""
        ...

    def replace_contact_point(self, account_id: int, kind: ContactKind, value: str, *, at: datetime) -> None:
        """End every current point of `kind` at `at` and put `value` on the account from `at`."""
        ...

    def replace_service_number(
        self, account_id: int, old_number: str, new_number: str, *, at: datetime
    ) -> bool:
        """Move the service that has `old_number` now to `new_number` from `at`; False when none has it."""
        ...


class UnitOfWork(Transaction, Protocol):
    """One transaction over every repository; leaving without commit rolls back."""

    @property
    def accounts(self) -> AccountRepository:
        """Accounts in this transaction."""
        ...

    @property
    def call_detail(self) -> CallDetailStore:
        """Call detail writes in this transaction."""
        ...

    @property
    def employees(self) -> EmployeeRepository:
        """Employees in this transaction."""
        ...

    @property
    def api_tokens(self) -> ApiTokenRepository:
        """Bearer tokens in this transaction."""
        ...

    @property
    def interactions(self) -> InteractionRepository:
        """Interactions in this transaction."""
        ...

    @property
    def training(self) -> TrainingRepository:
        """Training and disciplinary records in this transaction."""
        ...

    @property
    def cpni(self) -> CpniStore:
        """The gated CPNI reads in this transaction."""
        ...

    @property
    def outbox(self) -> Outbox:
        """The outbox, written in this transaction."""
        ...

    @property
    def credentials(self) -> CredentialRepository:
        """Credentials, attempts and challenges in this transaction."""
        ...

    @property
    def consent(self) -> ConsentLedger:
        """The consent ledger and its projection in this transaction."""
        ...

    @property
    def breaches(self) -> BreachStore:
        """Breaches and their timelines in this transaction."""
        ...

    @property
    def campaigns(self) -> CampaignStore:
        """The campaign register, its reviews, audiences and third-party disclosures in this transaction."""
        ...

    @property
    def commission_closures(self) -> CommissionClosureStore:
        """Days the FCC's offices were closed, beyond the federal holidays, in this transaction."""
        ...

    @property
    def consent_notices(self) -> ConsentNotices:
        """CPNI notice versions and mailings in this transaction."""
        ...

    @property
    def mailbox(self) -> MailboxStore:
        """The marketing mailbox's stored messages in this transaction."""
        ...

    @property
    def opt_out_monitor(self) -> OptOutMonitorStore:
        """Opt-out probes and failure incidents in this transaction."""
        ...

    @property
    def contacts(self) -> ContactRepository:
        """Contact changes and the notice preference in this transaction."""
        ...

    @property
    def access_log(self) -> AccessLog:
        """The access log, appended in this transaction."""
        ...

    @property
    def third_party_access(self) -> ThirdPartyAccessLog:
        """The log of CPNI the gate let go outside the carrier, in this transaction."""
        ...

    def ping(self) -> None:
        """Prove the store answers (readiness); raises when it does not."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class ClassificationCatalog(Protocol):
    """Where the classification of every stored field comes from."""

    def fields(self) -> list[FieldClassification]:
        """Every stored field with its data class."""
        ...


# Demo carrier (issue 2): a synthetic carrier written in bulk.


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A synthetic account, named by its account number (64.2003(a))."""

    account_number: str
    kind: AccountKind
    language: Language
    status: AccountStatus
    holder_name: str
    has_dedicated_representative: bool
    has_cpni_contract: bool
    opened_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class DemoContactPoint:
    """A contact point with the span it was on the account (64.2003(b))."""

    account_number: str
    kind: ContactKind
    value: str
    associated_at: datetime
    dissociated_at: datetime | None


@dataclass(frozen=True, slots=True)
class DemoFeature:
    """A feature setting on a service (technical configuration is CPNI, 222(h)(1)(A))."""

    feature: str
    setting: str
    configured_at: datetime


@dataclass(frozen=True, slots=True)
class DemoService:
    """A subscribed service, its telephone number of record (64.2003(q)) and its configuration."""

    account_number: str
    category: ServiceCategory
    product_name: str
    telephone_number: str
    started_at: datetime
    ended_at: datetime | None
    features: tuple[DemoFeature, ...]


@dataclass(frozen=True, slots=True)
class DemoInvoiceLine:
    """One charge on a bill (222(h)(1)(B)), directory assistance among them."""

    charge_type: ChargeType
    description: str
    quantity: int
    amount_cents: int


@dataclass(frozen=True, slots=True)
class DemoInvoice:
    """A bill for one period, with its lines."""

    account_number: str
    invoice_number: str
    period_start: datetime
    period_end: datetime
    issued_at: datetime
    lines: tuple[DemoInvoiceLine, ...]

    @property
    def total_cents(self) -> int:
        """The amount billed: the sum of the lines."""
        return sum(line.amount_cents for line in self.lines)


@dataclass(frozen=True, slots=True)
class DemoListing:
    """A directory listing; only listed entries are subscriber list information (222(h)(3))."""

    account_number: str
    listed_name: str
    listed_number: str
    listed_address: str | None
    advertising_classification: str | None
    listing_status: ListingStatus


@dataclass(frozen=True, slots=True)
class DemoEmployee:
    """An employee who signs in with one role."""

    username: str
    display_name: str
    role: Role
    created_at: datetime


class DemoCarrierStore(Transaction, Protocol):
    """Writes a synthetic carrier in bulk, in one transaction of its own (issue 2).

    Each method writes its rows set-based, never a query per row. Rows name their
    account by account number; `account_ids` (from add_accounts) maps numbers to keys.
    Leaving the block without commit() writes nothing.
    """

    def holds_accounts(self) -> bool:
        """Whether the database already holds any account."""
        ...

    def add_accounts(self, rows: Sequence[DemoAccount]) -> dict[str, int]:
        """Store the accounts; return each account number's key."""
        ...

    def add_contact_points(self, rows: Sequence[DemoContactPoint], *, account_ids: Mapping[str, int]) -> None:
        """Store contact points with their spans."""
        ...

    def add_services(self, rows: Sequence[DemoService], *, account_ids: Mapping[str, int]) -> None:
        """Store services and their feature settings."""
        ...

    def add_invoices(self, rows: Sequence[DemoInvoice], *, account_ids: Mapping[str, int]) -> None:
        """Store invoices and their lines."""
        ...

    def add_listings(self, rows: Sequence[DemoListing], *, account_ids: Mapping[str, int]) -> None:
        """Store directory listings."""
        ...

    def add_employees(
        self, rows: Sequence[DemoEmployee], *, password_hashes: Mapping[str, str]
    ) -> dict[str, int]:
        """Store employees with the hash of each one's password (by username); return their keys."""
        ...


DemoCarrierStoreFactory = Callable[[], DemoCarrierStore]


# Outbox delivery (issue 4): the worker's side of the outbox.


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """A message a worker holds until `leased_until`; `attempt` fences a worker that lost it."""

    message_id: int
    idempotency_key: str
    channel: NoticeChannel
    recipient: str
    language: Language
    subject: str | None
    body: str
    attempt: int
    leased_until: datetime


@dataclass(frozen=True, slots=True)
class MessageDelivery:
    """Where one of a customer's messages stands (its body is never shown: it may hold a code)."""

    message_id: int
    channel: NoticeChannel
    template: str
    recipient: str
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None
    provider_reference: str | None


class OutboxQueue(Protocol):
    """The worker's side of the outbox; each call is a transaction of its own (DESIGN.md 5)."""

    def claim_due(
        self, *, at: datetime, lease_until: datetime, limit: int, max_attempts: int
    ) -> list[ClaimedMessage]:
        """Lease up to `limit` due messages (pending, or abandoned by a worker whose lease ended)."""
        ...

    def bury_abandoned(self, *, at: datetime, max_attempts: int) -> int:
        """Dead-letter messages whose last allowed attempt was abandoned; return how many."""
        ...

    def mark_sent(self, claim: ClaimedMessage, *, at: datetime, provider_reference: str) -> bool:
        """Record the delivery; False when the worker no longer held the message."""
        ...

    def mark_failed(self, claim: ClaimedMessage, *, reason: str, retry_at: datetime | None) -> bool:
        """Schedule a retry at `retry_at`, or dead-letter (None) with `reason`; False as above."""
        ...

    def deliveries(self, account_id: int, *, limit: int) -> list[MessageDelivery]:
        """The account's messages, newest first."""
        ...


class MessageSender(Protocol):
    """Delivers a message on one channel (SMTP, SMS or voice gateway, print queue)."""

    def send(self, message: ClaimedMessage) -> str:
        """Deliver `message` and return the provider's reference; raise DeliveryFailedError.

        The message's idempotency key goes with it, so a repeat after a crash is dropped.
        """
        ...
