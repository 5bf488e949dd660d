"""The relational schema. Every column is classified (DESIGN.md invariant 4).

`classified(...)` attaches a DataClass and a description to each column's `info`;
tests/integration/test_classification.py fails when any column lacks one, and the
API publishes the result (GET /api/v1/classification).

One module for the whole schema, past the 400-line guide on purpose: a reviewer checks
every column's classification in one place.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column

from cpniguard.adapters.db.types import Id, UtcDateTime
from cpniguard.domain.accounts import AccountKind, AccountStatus, ContactKind, Language, ServiceCategory
from cpniguard.domain.breach_timeline import BreachEventKind
from cpniguard.domain.call_detail import CallType, Direction
from cpniguard.domain.campaigns import (
    ApprovalNeed,
    CampaignChannel,
    CampaignSponsor,
    CampaignStatus,
    ReviewAction,
)
from cpniguard.domain.classification import DataClass
from cpniguard.domain.consent_events import ConsentEventKind, ConsentProof, ConsentSource, NoticeMedium
from cpniguard.domain.credentials import ChallengeKind, CredentialKind
from cpniguard.domain.disclosure_request import Approval, AuthenticationMethod, Channel, RecipientClass
from cpniguard.domain.employees import DisciplinaryAction, Role
from cpniguard.domain.invoices import ChargeType
from cpniguard.domain.mailbox import MailboxStatus
from cpniguard.domain.notifications import DeliveryStatus, NoticeChannel
from cpniguard.domain.subscriber_list import ListingStatus

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CALL_DETAIL = DataClass.CALL_DETAIL
CPNI = DataClass.CPNI
ACCOUNT = DataClass.ACCOUNT_INFORMATION
PERSONAL = DataClass.PERSONAL
SLI = DataClass.SUBSCRIBER_LIST
CREDENTIAL = DataClass.CREDENTIAL
OPERATIONAL = DataClass.OPERATIONAL


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention Alembic can rely on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def classified(data_class: DataClass, description: str, *args: Any, **kwargs: Any) -> MappedColumn[Any]:  # noqa: ANN401
    """A mapped column that carries its data class and what it holds."""
    info = {"data_class": data_class, "description": description}
    return mapped_column(*args, info=info, **kwargs)


def _enum(enum: type[Any], name: str) -> Enum:
    return Enum(
        enum,
        name=name,
        native_enum=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        create_constraint=True,  # bulk loads bypass the ORM; the database refuses unknown values
    )


def _key(description: str = "surrogate key") -> MappedColumn[int]:
    return classified(OPERATIONAL, description, Id, primary_key=True, autoincrement=True)


def _account_key() -> MappedColumn[int]:
    return classified(
        OPERATIONAL,
        "the account this row belongs to",
        Id,
        ForeignKey("accounts.id", ondelete="RESTRICT"),
        nullable=False,
    )


POSTGRESQL_ONLY_INDEXES = frozenset({"ix_accounts_audience"})
"""Indexes made only on PostgreSQL (SQLite has no INCLUDE, and its own plans do not need them)."""


class Account(Base):
    """A customer account; 'customer' means one currently served (64.2003(f))."""

    __tablename__ = "accounts"
    __table_args__ = (
        # Every column an audience asks of an account, beside its key: PostgreSQL checks the
        # accounts a criterion's key list names from the index alone (bench/audience.py).
        Index(
            "ix_accounts_audience",
            "id",
            postgresql_include=["status", "kind", "language", "opened_at", "closed_at"],
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = _key()
    account_number: Mapped[str] = classified(
        ACCOUNT, "account number (64.2003(a)); never an authenticator", String(32), unique=True
    )
    kind: Mapped[AccountKind] = classified(
        ACCOUNT, "residential or business", _enum(AccountKind, "account_kind")
    )
    language: Mapped[Language] = classified(
        ACCOUNT, "language the customer is written to in", _enum(Language, "language")
    )
    status: Mapped[AccountStatus] = classified(
        ACCOUNT, "active, suspended or closed", _enum(AccountStatus, "account_status")
    )
    account_holder_name: Mapped[str] = classified(
        PERSONAL, "name of the account holder (billing name)", String(200)
    )
    has_dedicated_representative: Mapped[bool] = classified(
        ACCOUNT, "business account with a dedicated representative (64.2010(g))", Boolean, default=False
    )
    has_cpni_contract: Mapped[bool] = classified(
        ACCOUNT, "contract that addresses CPNI authentication (64.2010(g))", Boolean, default=False
    )
    opened_at: Mapped[datetime] = classified(ACCOUNT, "when service began", UtcDateTime())
    closed_at: Mapped[datetime | None] = classified(ACCOUNT, "when service ended", UtcDateTime())
    listing_status: Mapped[ListingStatus] = classified(
        ACCOUNT,
        "the customer's directory choice; only a listed entry is subscriber list information (222(h)(3))",
        _enum(ListingStatus, "listing_status"),
        default=ListingStatus.NON_PUBLISHED,
    )


class ContactPoint(Base):
    """A postal address, email or contact number with the span it was on the account (64.2003(b))."""

    __tablename__ = "contact_points"
    __table_args__ = (
        Index("ix_contact_points_account_kind", "account_id", "kind", "associated_at"),
        CheckConstraint("dissociated_at IS NULL OR dissociated_at >= associated_at", name="span_ordered"),
    )

    id: Mapped[int] = _key()
    account_id: Mapped[int] = _account_key()
    kind: Mapped[ContactKind] = classified(
        OPERATIONAL, "postal address, email address or contact telephone", _enum(ContactKind, "contact_kind")
    )
    value: Mapped[str] = classified(PERSONAL, "the address or number, normalised", String(500))
    associated_at: Mapped[datetime] = classified(
        PERSONAL, "when it was put on the account; starts the 30-day clock", UtcDateTime()
    )
    dissociated_at: Mapped[datetime | None] = classified(
        PERSONAL, "when it was taken off the account", UtcDateTime()
    )


class Service(Base):
    """A subscribed service, by category of service (64.2005(a))."""

    __tablename__ = "services"
    __table_args__ = (
        Index("ix_services_account", "account_id", "category", "started_at", "ended_at"),
        # Who takes a category, in account order: an audience reads one category's range, not
        # every service (bench/audience.py).
        Index("ix_services_category", "category", "account_id", "started_at", "ended_at"),
    )

    id: Mapped[int] = _key()
    account_id: Mapped[int] = _account_key()
    category: Mapped[ServiceCategory] = classified(
        CPNI,
        "category of service (64.2005(a)); type of service is CPNI",
        _enum(ServiceCategory, "service_category"),
    )
    product_name: Mapped[str] = classified(CPNI, "the product subscribed to", String(120))
    started_at: Mapped[datetime] = classified(CPNI, "when the subscription began", UtcDateTime())
    ended_at: Mapped[datetime | None] = classified(CPNI, "when it ended", UtcDateTime())


class ServiceNumber(Base):
    """A number of the underlying service, with the span it was on it.

    It is the telephone number of record (64.2003(q)), kept apart from contact numbers the
    customer gives; a number change closes one row and opens another.
    """

    __tablename__ = "service_numbers"
    __table_args__ = (
        Index("ix_service_numbers_telephone_number", "telephone_number"),
        Index("ix_service_numbers_account_associated", "account_id", "associated_at"),
        CheckConstraint("dissociated_at IS NULL OR dissociated_at >= associated_at", name="span_ordered"),
    )

    id: Mapped[int] = _key()
    account_id: Mapped[int] = _account_key()
    service_id: Mapped[int] = classified(
        OPERATIONAL, "the service the number belongs to", Id, ForeignKey("services.id", ondelete="RESTRICT")
    )
    telephone_number: Mapped[str] = classified(
        ACCOUNT, "the service's number, E.164 (the telephone number on the account, 64.2003(a))", String(16)
    )
    associated_at: Mapped[datetime] = classified(
        ACCOUNT, "when the number was put on the service", UtcDateTime()
    )
    dissociated_at: Mapped[datetime | None] = classified(
        ACCOUNT, "when it was taken off (number change, port-out, disconnection)", UtcDateTime()
    )


class ServiceConfiguration(Base):
    """A feature setting on a service (technical configuration is CPNI, 222(h)(1)(A))."""

    __tablename__ = "service_configurations"

    id: Mapped[int] = _key()
    account_id: Mapped[int] = _account_key()
    service_id: Mapped[int] = classified(
        OPERATIONAL, "the service configured", Id, ForeignKey("services.id", ondelete="RESTRICT")
    )
    feature: Mapped[str] = classified(CPNI, "feature name, e.g. call_forwarding", String(64))
    setting: Mapped[str] = classified(CPNI, "its setting", String(200))
    configured_at: Mapped[datetime] = classified(CPNI, "when it was set", UtcDateTime())


class CallDetailRecord(Base):
    """One call. Every field about the call itself is call detail (64.2003(d))."""

    __tablename__ = "call_detail_records"
    __table_args__ = (
        UniqueConstraint("source_system", "record_id", name="uq_call_detail_records_natural_key"),
        Index("ix_call_detail_records_account_started", "account_id", "started_at"),
        CheckConstraint("duration_seconds >= 0", name="duration_not_negative"),
        CheckConstraint(
            "billable_seconds >= 0 AND billable_seconds <= duration_seconds", name="billable_within_duration"
        ),
    )

    id: Mapped[int] = _key()
    account_id: Mapped[int] = _account_key()
    source_system: Mapped[str] = classified(
        OPERATIONAL, "switch or billing system the record came from", String(64)
    )
    record_id: Mapped[str] = classified(OPERATIONAL, "the record's id in its source system", String(128))
    direction: Mapped[str] = classified(
        CALL_DETAIL, "inbound or outbound", _enum(Direction, "call_direction")
    )
    call_type: Mapped[str] = classified(
        CALL_DETAIL, "local, long distance, directory assistance...", _enum(CallType, "call_type")
    )
    calling_number: Mapped[str] = classified(CALL_DETAIL, "number the call came from", String(16))
    called_number: Mapped[str] = classified(CALL_DETAIL, "number called", String(16))
    started_at: Mapped[datetime] = classified(CALL_DETAIL, "time of the call", UtcDateTime())
    answered_at: Mapped[datetime | None] = classified(CALL_DETAIL, "when it was answered", UtcDateTime())
    duration_seconds: Mapped[int] = classified(CALL_DETAIL, "duration of the call", Integer)
    billable_seconds: Mapped[int] = classified(CALL_DETAIL, "billed duration", Integer)
    cell_site: Mapped[str | None] = classified(CALL_DETAIL, "location of the device (cell site)", String(64))
    ingest_batch_id: Mapped[int] = classified(
        OPERATIONAL, "the load that brought it", Id, ForeignKey("ingest_batches.id", ondelete="RESTRICT")
    )


class IngestBatch(Base):
    """One load of call detail: who, from what, and what came of each row."""

    __tablename__ = "ingest_batches"

    id: Mapped[int] = _key()
    source_name: Mapped[str] = classified(OPERATIONAL, "file name or 'http'", String(500))
    content_sha256: Mapped[str] = classified(OPERATIONAL, "digest of the bytes loaded", String(64))
    loaded_by: Mapped[str] = classified(OPERATIONAL, "employee, integration or CLI user", String(120))
    started_at: Mapped[datetime] = classified(OPERATIONAL, "when the load began", UtcDateTime())
    finished_at: Mapped[datetime] = classified(OPERATIONAL, "when it committed", UtcDateTime())
    rows_read: Mapped[int] = classified(OPERATIONAL, "data rows in the input", Integer)
    rows_loaded: Mapped[int] = classified(OPERATIONAL, "new records stored", Integer)
    duplicates_skipped: Mapped[int] = classified(OPERATIONAL, "records already stored", Integer)
    rows_rejected: Mapped[int] = classified(OPERATIONAL, "invalid rows left out", Integer)


class Invoice(Base):
    """A bill: information in bills is CPNI (222(h)(1)(B))."""

    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("account_id", "invoice_number"),)

    id: Mapped[int] = _key()
    account_id: Mapped[int] = _account_key()
    invoice_number: Mapped[str] = classified(ACCOUNT, "invoice number", String(32))
    period_start: Mapped[datetime] = classified(CPNI, "start of the billing period", UtcDateTime())
    period_end: Mapped[datetime] = classified(CPNI, "end of the billing period", UtcDateTime())
    issued_at: Mapped[datetime] = classified(CPNI, "when the bill was issued", UtcDateTime())
    total_cents: Mapped[int] = classified(CPNI, "bill amount (also account information, 64.2003(a))", Integer)
    currency: Mapped[str] = classified(CPNI, "ISO 4217 currency", String(3))


class InvoiceLine(Base):
    """A line of a bill, directory assistance charges among them."""

    __tablename__ = "invoice_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "line_number"),)

    id: Mapped[int] = _key()
    account_id: Mapped[int] = _account_key()
    invoice_id: Mapped[int] = classified(
        OPERATIONAL, "the invoice", Id, ForeignKey("invoices.id", ondelete="RESTRICT")
    )
    line_number: Mapped[int] = classified(OPERATIONAL, "position on the invoice", Integer)
    charge_type: Mapped[ChargeType] = classified(
        CPNI, "recurring, usage, directory assistance...", _enum(ChargeType, "charge_type")
    )
    description: Mapped[str] = classified(CPNI, "what was charged", String(200))
    quantity: Mapped[int] = classified(CPNI, "how many", Integer)
    amount_cents: Mapped[int] = classified(CPNI, "amount charged", Integer)


class SubscriberListEntry(Base):
    """A published directory listing: subscriber list information, not CPNI (222(h)(3)), kept apart.

    Only accounts whose listing status is 'listed' have one; unlisted and non-published
    data is not subscriber list information and is never stored here.
    """

    __tablename__ = "subscriber_list_entries"

    id: Mapped[int] = _key()
    account_id: Mapped[int] = _account_key()
    listed_name: Mapped[str] = classified(SLI, "name as listed", String(200))
    listed_number: Mapped[str] = classified(SLI, "number as listed", String(16))
    listed_address: Mapped[str | None] = classified(SLI, "address as listed", String(500))
    advertising_classification: Mapped[str | None] = classified(
        SLI, "primary advertising classification", String(120)
    )


class Interaction(Base):
    """One contact with a customer; the authentication it reached counts only within it (64.2010(a))."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_account_started", "account_id", "started_at"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="span_ordered"),
    )

    id: Mapped[int] = _key()
    account_id: Mapped[int] = _account_key()
    channel: Mapped[Channel] = classified(
        OPERATIONAL, "inbound call, outbound call, online, store...", _enum(Channel, "channel")
    )
    employee_id: Mapped[int | None] = classified(
        OPERATIONAL, "the employee handling it", Id, ForeignKey("employees.id", ondelete="RESTRICT")
    )
    caller_number: Mapped[str | None] = classified(
        PERSONAL, "number an inbound call came from (never used for a callback)", String(16)
    )
    started_at: Mapped[datetime] = classified(OPERATIONAL, "when the contact began", UtcDateTime())
    ended_at: Mapped[datetime | None] = classified(OPERATIONAL, "when it ended", UtcDateTime())
    expires_at: Mapped[datetime] = classified(
        OPERATIONAL, "when it ends by itself if nobody ends it (timeout)", UtcDateTime()
    )


class InteractionAuthentication(Base):
    """A method of authentication reached within an interaction (64.2010(a)-(e), (g))."""

    __tablename__ = "interaction_authentications"
    __table_args__ = (UniqueConstraint("interaction_id", "method"),)

    id: Mapped[int] = _key()
    account_id: Mapped[int] = _account_key()
    interaction_id: Mapped[int] = classified(
        OPERATIONAL, "the interaction", Id, ForeignKey("interactions.id", ondelete="RESTRICT")
    )
    method: Mapped[AuthenticationMethod] = classified(
        OPERATIONAL,
        "password, callback to number of record, photo ID...",
        _enum(AuthenticationMethod, "method"),
    )
    reached_at: Mapped[datetime] = classified(OPERATIONAL, "when it was reached", UtcDateTime())


class ConsentState(Base):
    """One span of a customer's approval for one scope (64.2003(k), (l); 64.2007(b)).

    A projection of the consent ledger (DESIGN.md invariant 6), rewritten for an account
    whenever its ledger changes: `cpniguard consent check` rebuilds it and reports any
    difference. Spans with no approval are not stored. The gate reads the class-wide rows.
    """

    __tablename__ = "consent_states"
    __table_args__ = (
        # Every column an audience query reads, in account order: PostgreSQL answers from the
        # index alone, already sorted (bench/consent.py: about 0.3 s less at 1,000,000 customers).
        Index(
            "ix_consent_states_eligibility",
            "recipient_class",
            "partner",
            "account_id",
            "approval",
            "valid_from",
            "valid_until",
        ),
        CheckConstraint("valid_until IS NULL OR valid_until > valid_from", name="span_ordered"),
    )

    account_id: Mapped[int] = classified(
        OPERATIONAL, "the account", Id, ForeignKey("accounts.id", ondelete="RESTRICT"), primary_key=True
    )
    recipient_class: Mapped[RecipientClass] = classified(
        OPERATIONAL, "who the approval is for", _enum(RecipientClass, "recipient_class"), primary_key=True
    )
    partner: Mapped[str] = classified(
        OPERATIONAL, "a named partner, or empty for the whole class", String(200), primary_key=True
    )
    valid_from: Mapped[datetime] = classified(ACCOUNT, "since when it holds", UtcDateTime(), primary_key=True)
    valid_until: Mapped[datetime | None] = classified(
        ACCOUNT, "when it ends by itself (a deemed approval's lapse) or was changed", UtcDateTime()
    )
    approval: Mapped[Approval] = classified(
        ACCOUNT, "opt-out deemed, opt-in, opted out", _enum(Approval, "approval")
    )
    basis_event_id: Mapped[int | None] = classified(
        OPERATIONAL, "the ledger event it rests on", Id, ForeignKey("consent_events.id", ondelete="RESTRICT")
    )


class ConsentEventRecord(Base):
    """One entry of the consent ledger: append-only (a trigger refuses UPDATE).

    Only `cpniguard consent purge` deletes, and only records superseded more than a year
    before (64.2007(a)(3), 64.2008(a)(2)).
    """

    __tablename__ = "consent_events"
    __table_args__ = (
        Index("ix_consent_events_account", "account_id", "occurred_at"),
        Index("ix_consent_events_kind", "kind", "account_id", "occurred_at"),
        Index("ix_consent_events_interaction", "interaction_id"),
        Index("ix_consent_events_recorded", "kind", "recorded_at"),
        CheckConstraint("waiting_period_days IS NULL OR waiting_period_days >= 30", name="waiting_period"),
    )

    id: Mapped[int] = _key("ledger sequence")
    account_id: Mapped[int] = _account_key()
    kind: Mapped[ConsentEventKind] = classified(
        ACCOUNT,
        "notice sent or bounced, opt-out, opt-in, revocation, one-time consent",
        _enum(ConsentEventKind, "consent_event_kind"),
    )
    occurred_at: Mapped[datetime] = classified(
        ACCOUNT, "when it happened: notice sent or mailed, decision received", UtcDateTime()
    )
    recorded_at: Mapped[datetime] = classified(OPERATIONAL, "when cpniguard recorded it", UtcDateTime())
    recorded_by: Mapped[str] = classified(OPERATIONAL, "who or what recorded it", String(200))
    scope: Mapped[list[list[str]]] = classified(
        ACCOUNT, "recipient classes and named partners it applies to ([] = every recipient)", JSON
    )
    notice_version: Mapped[str | None] = classified(
        OPERATIONAL, "the notice text sent", String(64), ForeignKey("consent_notice_versions.version")
    )
    notice_medium: Mapped[NoticeMedium | None] = classified(
        ACCOUNT, "email, mail or oral", _enum(NoticeMedium, "notice_medium")
    )
    waiting_period_days: Mapped[int | None] = classified(
        OPERATIONAL, "the waiting period the notice states", Integer
    )
    source: Mapped[ConsentSource | None] = classified(
        ACCOUNT,
        "marketing mailbox, portal, representative, mailed form",
        _enum(ConsentSource, "consent_source"),
    )
    proof: Mapped[ConsentProof | None] = classified(
        ACCOUNT, "written, electronic or oral (64.2007(a))", _enum(ConsentProof, "consent_proof")
    )
    recording_reference: Mapped[str | None] = classified(
        PERSONAL, "where an oral approval's recording is kept (64.2007(a)(1))", String(500)
    )
    refers_to: Mapped[int | None] = classified(
        OPERATIONAL, "the notice a bounce refers to", Id, ForeignKey("consent_events.id", ondelete="RESTRICT")
    )
    interaction_id: Mapped[int | None] = classified(
        OPERATIONAL,
        "the call one-time consent is bound to",
        Id,
        ForeignKey("interactions.id", ondelete="RESTRICT"),
    )
    evidence: Mapped[str | None] = classified(PERSONAL, "the raw evidence or a note", Text)
    reference: Mapped[str | None] = classified(
        OPERATIONAL, "idempotency key: outbox key, stored email, probe nonce", String(128), unique=True
    )


class ConsentNoticeVersion(Base):
    """A CPNI notice text, in English and French, checked against 64.2008(c) before use."""

    __tablename__ = "consent_notice_versions"

    version: Mapped[str] = classified(OPERATIONAL, "the version's name", String(64), primary_key=True)
    waiting_period_days: Mapped[int] = classified(
        OPERATIONAL, "the opt-out waiting period the notice states (at least 30)", Integer
    )
    texts: Mapped[dict[str, dict[str, str]]] = classified(
        OPERATIONAL, "subject and clauses per language", JSON
    )
    created_at: Mapped[datetime] = classified(OPERATIONAL, "when it was added", UtcDateTime())
    created_by: Mapped[str] = classified(OPERATIONAL, "who added it", String(200))


class NoticeBatch(Base):
    """A resumable mailing of initial or biennial CPNI notices (64.2008(b), (d)(2))."""

    __tablename__ = "notice_batches"

    id: Mapped[int] = _key()
    kind: Mapped[str] = classified(OPERATIONAL, "initial or biennial", String(16))
    notice_version: Mapped[str] = classified(
        OPERATIONAL, "the notice sent", String(64), ForeignKey("consent_notice_versions.version")
    )
    as_of: Mapped[datetime] = classified(OPERATIONAL, "the instant dues are computed at", UtcDateTime())
    started_at: Mapped[datetime] = classified(OPERATIONAL, "when it started", UtcDateTime())
    started_by: Mapped[str] = classified(OPERATIONAL, "who started it", String(200))
    finished_at: Mapped[datetime | None] = classified(
        OPERATIONAL, "when the last account was done", UtcDateTime()
    )
    cursor_account_id: Mapped[int] = classified(
        OPERATIONAL, "every account up to this key is done (resume point)", Id, default=0
    )
    queued: Mapped[int] = classified(OPERATIONAL, "notices written to the outbox", Integer, default=0)
    skipped: Mapped[int] = classified(
        OPERATIONAL, "due accounts with no contact of record", Integer, default=0
    )


class MailboxMessage(Base):
    """An email to the marketing (opt-out) mailbox, stored raw before it is processed."""

    __tablename__ = "mailbox_messages"
    __table_args__ = (Index("ix_mailbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = _key()
    received_at: Mapped[datetime] = classified(OPERATIONAL, "when the mailbox accepted it", UtcDateTime())
    envelope_sender: Mapped[str] = classified(PERSONAL, "SMTP MAIL FROM", String(500))
    recipients: Mapped[str] = classified(OPERATIONAL, "SMTP RCPT TO, comma separated", String(2000))
    peer: Mapped[str] = classified(OPERATIONAL, "the sending host", String(200))
    raw: Mapped[bytes] = classified(PERSONAL, "the message exactly as received", LargeBinary)
    status: Mapped[MailboxStatus] = classified(
        OPERATIONAL,
        "received, processed, needs review, resolved, dismissed",
        _enum(MailboxStatus, "mailbox_status"),
    )
    attempts: Mapped[int] = classified(OPERATIONAL, "processing attempts so far", Integer, default=0)
    next_attempt_at: Mapped[datetime] = classified(
        OPERATIONAL, "when processing is tried next", UtcDateTime()
    )
    last_error: Mapped[str | None] = classified(OPERATIONAL, "why processing last failed", String(1000))
    review_reason: Mapped[str | None] = classified(OPERATIONAL, "why staff must decide", String(500))
    account_id: Mapped[int | None] = classified(
        OPERATIONAL, "the account it was matched to", Id, ForeignKey("accounts.id", ondelete="RESTRICT")
    )
    consent_event_id: Mapped[int | None] = classified(
        OPERATIONAL, "the ledger event it produced", Id, ForeignKey("consent_events.id", ondelete="RESTRICT")
    )
    resolved_by: Mapped[str | None] = classified(OPERATIONAL, "who resolved the review", String(200))
    resolved_at: Mapped[datetime | None] = classified(OPERATIONAL, "when it was resolved", UtcDateTime())


class OptOutProbe(Base):
    """A test opt-out sent through one channel to check that it is processed (64.2009(f))."""

    __tablename__ = "opt_out_probes"
    __table_args__ = (Index("ix_opt_out_probes_channel", "channel", "sent_at"),)

    id: Mapped[int] = _key()
    channel: Mapped[ConsentSource] = classified(
        OPERATIONAL, "the opt-out channel probed", _enum(ConsentSource, "probe_channel")
    )
    nonce: Mapped[str] = classified(OPERATIONAL, "marks the test opt-out", String(64), unique=True)
    sent_at: Mapped[datetime] = classified(OPERATIONAL, "when it was sent", UtcDateTime())
    checked_at: Mapped[datetime | None] = classified(
        OPERATIONAL, "when its outcome was settled", UtcDateTime()
    )
    succeeded: Mapped[bool | None] = classified(OPERATIONAL, "processed in time; None while pending", Boolean)
    error: Mapped[str | None] = classified(OPERATIONAL, "what went wrong", String(1000))


class OptOutFailureIncident(Base):
    """An opt-out failure beyond an anomaly; the FCC letter is due in 5 business days (64.2009(f))."""

    __tablename__ = "opt_out_failure_incidents"

    id: Mapped[int] = _key()
    channels: Mapped[str] = classified(
        OPERATIONAL, "the failing opt-out channels, comma separated", String(200)
    )
    determined_at: Mapped[datetime] = classified(
        OPERATIONAL, "when the failure was found beyond an anomaly", UtcDateTime()
    )
    letter_due_on: Mapped[date] = classified(OPERATIONAL, "5 business days after (US Eastern date)", Date)
    problem: Mapped[str] = classified(OPERATIONAL, "what failed", Text)
    remedy: Mapped[str | None] = classified(OPERATIONAL, "the proposed remedy", Text)
    remedy_date: Mapped[date | None] = classified(OPERATIONAL, "when it will be or was put in place", Date)
    state_commission_notice: Mapped[str | None] = classified(
        OPERATIONAL, "whether state commissions were told and whether they acted", Text
    )
    customer_notice: Mapped[str | None] = classified(
        OPERATIONAL, "a copy of any notice given to customers", Text
    )
    letter_sent_at: Mapped[datetime | None] = classified(
        OPERATIONAL, "when the letter went to the FCC", UtcDateTime()
    )
    closed_at: Mapped[datetime | None] = classified(
        OPERATIONAL, "when the channel was working again", UtcDateTime()
    )


class Employee(Base):
    """A person who works with CPNI, with one role."""

    __tablename__ = "employees"

    id: Mapped[int] = _key()
    username: Mapped[str] = classified(OPERATIONAL, "sign-in name", String(64), unique=True)
    display_name: Mapped[str] = classified(OPERATIONAL, "name shown in logs and pages", String(200))
    role: Mapped[Role] = classified(OPERATIONAL, "what the employee may ask for", _enum(Role, "role"))
    password_hash: Mapped[str] = classified(CREDENTIAL, "argon2id hash of the sign-in password", String(200))
    is_active: Mapped[bool] = classified(OPERATIONAL, "may sign in", Boolean, default=True)
    created_at: Mapped[datetime] = classified(OPERATIONAL, "when the employee was added", UtcDateTime())


class EmployeeTraining(Base):
    """A completed CPNI training with its expiry (64.2009(b))."""

    __tablename__ = "employee_trainings"
    __table_args__ = (
        Index("ix_employee_trainings_employee", "employee_id", "completed_at"),
        CheckConstraint("expires_at > completed_at", name="expires_after_completion"),
    )

    id: Mapped[int] = _key()
    employee_id: Mapped[int] = classified(
        OPERATIONAL,
        "the employee trained",
        Id,
        ForeignKey("employees.id", ondelete="RESTRICT"),
        nullable=False,
    )
    course: Mapped[str] = classified(OPERATIONAL, "the training course", String(200))
    completed_at: Mapped[datetime] = classified(OPERATIONAL, "when it was completed", UtcDateTime())
    expires_at: Mapped[datetime] = classified(OPERATIONAL, "when it must be renewed", UtcDateTime())
    recorded_by: Mapped[str] = classified(OPERATIONAL, "who recorded it", String(120))


class DisciplinaryActionRecord(Base):
    """An action under the express disciplinary process for CPNI misuse (64.2009(b))."""

    __tablename__ = "disciplinary_actions"
    __table_args__ = (Index("ix_disciplinary_actions_employee", "employee_id", "taken_at"),)

    id: Mapped[int] = _key()
    employee_id: Mapped[int] = classified(
        OPERATIONAL, "the employee", Id, ForeignKey("employees.id", ondelete="RESTRICT"), nullable=False
    )
    action: Mapped[DisciplinaryAction] = classified(
        OPERATIONAL, "warning, retraining, suspension, termination", _enum(DisciplinaryAction, "action")
    )
    reason: Mapped[str] = classified(OPERATIONAL, "what it was for", String(1000))
    taken_at: Mapped[datetime] = classified(OPERATIONAL, "when it was taken", UtcDateTime())
    recorded_by: Mapped[str] = classified(OPERATIONAL, "who recorded it", String(120))


class ApiToken(Base):
    """A bearer token for an employee or an integration; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = _key()
    token_hash: Mapped[str] = classified(
        CREDENTIAL, "SHA-256 of the token (tokens are 256-bit random)", String(64), unique=True
    )
    label: Mapped[str] = classified(OPERATIONAL, "what the token is for", String(120))
    role: Mapped[Role] = classified(OPERATIONAL, "role the token acts with", _enum(Role, "role"))
    employee_id: Mapped[int | None] = classified(
        OPERATIONAL, "the employee it belongs to, if any", Id, ForeignKey("employees.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = classified(OPERATIONAL, "when it was issued", UtcDateTime())
    revoked_at: Mapped[datetime | None] = classified(OPERATIONAL, "when it was revoked", UtcDateTime())


class AccessLogRecord(Base):
    """One decision about a use or disclosure of CPNI, permit or deny (64.2009(c); DESIGN.md invariant 2).

    Append-only and hash-chained; the payload is what is hashed, and the columns before it
    repeat its header so that the log can be queried. No foreign key to accounts: a request
    about an unknown account is logged too, and the log is never sharded with the accounts.
    """

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_account_sequence", "account_id", "sequence"),)

    sequence: Mapped[int] = classified(
        OPERATIONAL, "place in the chain, from 1 without gaps", Id, primary_key=True, autoincrement=False
    )
    occurred_at: Mapped[datetime] = classified(
        OPERATIONAL, "when the decision was made (repeats the payload)", UtcDateTime()
    )
    event: Mapped[str] = classified(
        OPERATIONAL, "what happened, e.g. disclosure.denied (repeats the payload)", String(64)
    )
    account_id: Mapped[int | None] = classified(
        OPERATIONAL, "the customer's account; none when the request named no known account", Id
    )
    payload: Mapped[bytes] = classified(
        ACCOUNT,
        "canonical encoding of the entry, as hashed: who asked for which customer's CPNI, how and why",
        LargeBinary,
    )
    previous_hash: Mapped[bytes] = classified(OPERATIONAL, "chain hash of the entry before", LargeBinary)
    entry_hash: Mapped[bytes] = classified(
        OPERATIONAL, "SHA-256 of the previous hash and the payload", LargeBinary
    )


class AccessLogCheckpoint(Base):
    """A signed statement of the chain hash at one entry: a truncated chain no longer reaches it."""

    __tablename__ = "access_log_checkpoints"

    sequence: Mapped[int] = classified(
        OPERATIONAL, "the entry vouched for", Id, primary_key=True, autoincrement=False
    )
    entry_hash: Mapped[bytes] = classified(OPERATIONAL, "the chain hash at that entry", LargeBinary)
    signed_at: Mapped[datetime] = classified(OPERATIONAL, "when it was signed", UtcDateTime())
    signature: Mapped[bytes] = classified(
        OPERATIONAL, "HMAC-SHA256 of sequence and hash with the signing key", LargeBinary
    )
    key_id: Mapped[str] = classified(OPERATIONAL, "which signing key (a digest, not the key)", String(32))


class AccessLogHead(Base):
    """The one row that says how long the chain is, signed; appenders lock it, one at a time."""

    __tablename__ = "access_log_head"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = classified(OPERATIONAL, "always 1", Integer, primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = classified(OPERATIONAL, "the last entry's sequence; 0 when empty", Id)
    last_hash: Mapped[bytes] = classified(OPERATIONAL, "the last entry's chain hash", LargeBinary)
    signature: Mapped[bytes | None] = classified(
        OPERATIONAL, "HMAC-SHA256 of last sequence and hash; none before the first entry", LargeBinary
    )
    key_id: Mapped[str | None] = classified(OPERATIONAL, "which signing key signed it", String(32))


class Credential(Base):
    """A password, PIN, backup answer or online account, as an argon2id hash (64.2010(e)).

    A history: setting a new one closes the current row (replaced_at), so "which secret was
    current when" stays a query and a change can be notified (64.2010(f)).
    """

    __tablename__ = "credentials"
    __table_args__ = (
        Index("ix_credentials_account_kind", "account_id", "kind", "replaced_at"),
        # Sign-in looks a current login up; two current online accounts may not share one.
        Index(
            "uq_credentials_current_login",
            "login",
            unique=True,
            sqlite_where=text("replaced_at IS NULL"),
            postgresql_where=text("replaced_at IS NULL"),
        ),
    )

    id: Mapped[int] = _key()
    account_id: Mapped[int] = _account_key()
    kind: Mapped[CredentialKind] = classified(
        OPERATIONAL,
        "password, pin, backup_answer or online_account",
        _enum(CredentialKind, "credential_kind"),
    )
    secret_hash: Mapped[str] = classified(
        CREDENTIAL, "argon2id hash of the secret (answers normalized)", String(200)
    )
    login: Mapped[str | None] = classified(PERSONAL, "the online account's sign-in name", String(120))
    backup_question: Mapped[str | None] = classified(
        PERSONAL, "the backup question the customer chose (never biographical)", String(200)
    )
    set_at: Mapped[datetime] = classified(OPERATIONAL, "when it was set", UtcDateTime())
    set_by: Mapped[str] = classified(
        OPERATIONAL, "the customer, a representative, or activation", String(120)
    )
    replaced_at: Mapped[datetime | None] = classified(
        OPERATIONAL, "when a newer one replaced it", UtcDateTime()
    )


class AuthenticationAttempt(Base):
    """One attempt to authenticate, for lockout and pretexting alerts (64.2010(a))."""

    __tablename__ = "authentication_attempts"
    __table_args__ = (
        Index("ix_authentication_attempts_account", "account_id", "attempted_at"),
        Index("ix_authentication_attempts_caller", "caller_number", "attempted_at"),
    )

    id: Mapped[int] = _key()
    account_id: Mapped[int | None] = classified(
        OPERATIONAL,
        "the account tried (none when no account matched)",
        Id,
        ForeignKey("accounts.id", ondelete="RESTRICT"),
    )
    interaction_id: Mapped[int | None] = classified(
        OPERATIONAL, "the interaction it was made in", Id, ForeignKey("interactions.id", ondelete="RESTRICT")
    )
    method: Mapped[AuthenticationMethod] = classified(
        OPERATIONAL, "password, callback, code...", _enum(AuthenticationMethod, "method")
    )
    succeeded: Mapped[bool] = classified(OPERATIONAL, "whether it succeeded", Boolean)
    caller_number: Mapped[str | None] = classified(PERSONAL, "the number the attempt came from", String(16))
    attempted_at: Mapped[datetime] = classified(OPERATIONAL, "when", UtcDateTime())


class VerificationChallenge(Base):
    """A one-time code, reset, callback or letter sent to a contact of record (64.2010(b), (e))."""

    __tablename__ = "verification_challenges"
    __table_args__ = (Index("ix_verification_challenges_account", "account_id", "created_at"),)

    id: Mapped[int] = _key()
    account_id: Mapped[int] = _account_key()
    interaction_id: Mapped[int | None] = classified(
        OPERATIONAL, "the interaction waiting on it", Id, ForeignKey("interactions.id", ondelete="RESTRICT")
    )
    kind: Mapped[ChallengeKind] = classified(
        OPERATIONAL, "email_code, password_reset, callback, letter", _enum(ChallengeKind, "challenge_kind")
    )
    destination: Mapped[str] = classified(
        PERSONAL, "the contact of record it went to (never one given during the contact)", String(320)
    )
    secret_hash: Mapped[str | None] = classified(CREDENTIAL, "hash of the one-time code, if any", String(200))
    created_at: Mapped[datetime] = classified(OPERATIONAL, "when it was issued", UtcDateTime())
    expires_at: Mapped[datetime] = classified(OPERATIONAL, "when it stops counting", UtcDateTime())
    completed_at: Mapped[datetime | None] = classified(OPERATIONAL, "when it was answered", UtcDateTime())
    failed_attempts: Mapped[int] = classified(OPERATIONAL, "wrong answers so far", Integer, default=0)


class NoticePreference(Base):
    """How the customer prefers to be told of account changes (64.2010(f))."""

    __tablename__ = "notice_preferences"

    account_id: Mapped[int] = classified(
        OPERATIONAL, "the account", Id, ForeignKey("accounts.id", ondelete="RESTRICT"), primary_key=True
    )
    channel: Mapped[NoticeChannel] = classified(
        ACCOUNT, "email, sms, voice or letter", _enum(NoticeChannel, "notice_channel")
    )
    updated_at: Mapped[datetime] = classified(OPERATIONAL, "when it was chosen", UtcDateTime())


class OutboxMessage(Base):
    """A message written with the change that causes it, delivered by the worker (DESIGN.md 5)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        Index("ix_outbox_messages_account", "account_id", "created_at"),
        Index("ix_outbox_messages_provider_reference", "provider_reference"),
    )

    id: Mapped[int] = _key()
    idempotency_key: Mapped[str] = classified(
        OPERATIONAL, "sent with the message so a provider can drop a repeat", String(128), unique=True
    )
    account_id: Mapped[int | None] = classified(
        OPERATIONAL, "the customer it is for", Id, ForeignKey("accounts.id", ondelete="RESTRICT")
    )
    channel: Mapped[NoticeChannel] = classified(
        OPERATIONAL, "email, sms, voice or letter", _enum(NoticeChannel, "notice_channel")
    )
    recipient: Mapped[str] = classified(
        PERSONAL, "email address, number of record or postal address", String(500)
    )
    language: Mapped[Language] = classified(OPERATIONAL, "en or fr", _enum(Language, "language"))
    template: Mapped[str] = classified(OPERATIONAL, "the template it was rendered from", String(64))
    subject: Mapped[str | None] = classified(PERSONAL, "email subject or letter title", String(200))
    body: Mapped[str] = classified(PERSONAL, "the rendered message (never a new value or a secret)", Text)
    status: Mapped[DeliveryStatus] = classified(
        OPERATIONAL, "pending, sending, sent or dead", _enum(DeliveryStatus, "delivery_status")
    )
    attempts: Mapped[int] = classified(OPERATIONAL, "delivery attempts so far", Integer, default=0)
    next_attempt_at: Mapped[datetime] = classified(OPERATIONAL, "when it may be tried next", UtcDateTime())
    leased_until: Mapped[datetime | None] = classified(
        OPERATIONAL, "a worker holds it until then", UtcDateTime()
    )
    last_error: Mapped[str | None] = classified(OPERATIONAL, "why the last attempt failed", String(1000))
    provider_reference: Mapped[str | None] = classified(
        OPERATIONAL, "the provider's id, or the letter's file in the print queue", String(500)
    )
    created_at: Mapped[datetime] = classified(OPERATIONAL, "when it was written", UtcDateTime())
    sent_at: Mapped[datetime | None] = classified(OPERATIONAL, "when it was delivered", UtcDateTime())


class DeadLetterAlertRecord(Base):
    """A dead letter the compliance officer was sent a digest about (domain/dead_letters.py).

    One row per dead message listed, so each is listed once, in the digest named by its key.
    """

    __tablename__ = "dead_letter_alerts"

    message_id: Mapped[int] = classified(
        OPERATIONAL,
        "the dead message",
        Id,
        ForeignKey("outbox_messages.id", ondelete="RESTRICT"),
        primary_key=True,
        autoincrement=False,
    )
    digest_key: Mapped[str] = classified(OPERATIONAL, "the outbox key of the digest listing it", String(128))
    alerted_at: Mapped[datetime] = classified(OPERATIONAL, "when the digest was queued", UtcDateTime())


class BreachRecord(Base):
    """A CPNI breach the carrier found (47 CFR 64.2011(d)): kept at least 2 years after it closes."""

    __tablename__ = "breaches"

    id: Mapped[int] = _key()
    reference: Mapped[str] = classified(
        OPERATIONAL, "the carrier's reference for the breach", String(128), unique=True
    )
    opened_at: Mapped[datetime] = classified(OPERATIONAL, "when the record was opened", UtcDateTime())
    opened_by: Mapped[str] = classified(OPERATIONAL, "who opened it", String(200))
    closed_at: Mapped[datetime | None] = classified(
        OPERATIONAL, "when it was closed; the 2-year retention runs from here", UtcDateTime()
    )


class BreachEventRecord(Base):
    """One entry of a breach's timeline: append-only (a trigger refuses UPDATE).

    Only the purge of a whole breach closed more than 2 years before deletes (64.2011(d)).
    """

    __tablename__ = "breach_events"
    __table_args__ = (Index("ix_breach_events_breach", "breach_id", "id"),)

    id: Mapped[int] = _key("timeline sequence")
    breach_id: Mapped[int] = classified(
        OPERATIONAL, "the breach", Id, ForeignKey("breaches.id", ondelete="RESTRICT"), nullable=False
    )
    kind: Mapped[BreachEventKind] = classified(
        OPERATIONAL,
        "discovery, determination, description, hold, notice, status and the other facts of 64.2011",
        _enum(BreachEventKind, "breach_event_kind"),
    )
    occurred_at: Mapped[datetime] = classified(OPERATIONAL, "when it happened", UtcDateTime())
    recorded_at: Mapped[datetime] = classified(OPERATIONAL, "when cpniguard recorded it", UtcDateTime())
    recorded_by: Mapped[str] = classified(OPERATIONAL, "who recorded it", String(200))
    details: Mapped[dict[str, str]] = classified(
        PERSONAL,
        "the kind's details as text: descriptions and circumstances may name customers or their data",
        JSON,
    )


class BreachAffectedAccountRecord(Base):
    """An account a breach affected (64.2011(d): the record of who was involved, and whom to notify).

    Deleted only with its breach, by the purge past the 2-year floor.
    """

    __tablename__ = "breach_affected_accounts"

    breach_id: Mapped[int] = classified(
        OPERATIONAL, "the breach", Id, ForeignKey("breaches.id", ondelete="RESTRICT"), primary_key=True
    )
    account_id: Mapped[int] = classified(
        OPERATIONAL,
        "the affected account",
        Id,
        ForeignKey("accounts.id", ondelete="RESTRICT"),
        primary_key=True,
    )
    added_at: Mapped[datetime] = classified(OPERATIONAL, "when it was recorded as affected", UtcDateTime())
    added_by: Mapped[str] = classified(OPERATIONAL, "who recorded it", String(200))


class CommissionClosureRecord(Base):
    """A day the FCC's offices were closed beyond the federal holidays (47 CFR 1.4(e)(1); RULES 10.4)."""

    __tablename__ = "commission_closures"

    day: Mapped[date] = classified(OPERATIONAL, "the closed day (a weekday)", Date, primary_key=True)
    reason: Mapped[str] = classified(OPERATIONAL, "why: an executive order, an emergency", String(500))
    added_at: Mapped[datetime] = classified(OPERATIONAL, "when it was recorded", UtcDateTime())
    added_by: Mapped[str] = classified(OPERATIONAL, "who recorded it", String(200))


CARRIER = DataClass.CARRIER_INFORMATION


class CarrierChangeNotice(Base):
    """A port-out or carrier-change request another carrier sent (47 U.S.C. 222(b)).

    Used only to provision the change: its class keeps it out of every campaign (issue 7).
    """

    __tablename__ = "carrier_change_notices"

    id: Mapped[int] = _key()
    account_id: Mapped[int] = _account_key()
    kind: Mapped[str] = classified(CARRIER, "port_out or carrier_change", String(32))
    received_at: Mapped[datetime] = classified(
        CARRIER, "when the other carrier's request arrived", UtcDateTime()
    )
    from_carrier: Mapped[str] = classified(CARRIER, "the carrier that asked", String(200))
    reference: Mapped[str] = classified(CARRIER, "the other carrier's order reference", String(128))


class CampaignRecord(Base):
    """A marketing campaign that uses CPNI: the register of 64.2009(c), kept at least 1 year."""

    __tablename__ = "campaigns"

    id: Mapped[int] = _key()
    name: Mapped[str] = classified(OPERATIONAL, "the campaign's name", String(200))
    description: Mapped[str] = classified(OPERATIONAL, "what the campaign is (64.2009(c))", String(10_000))
    sponsor: Mapped[CampaignSponsor] = classified(
        OPERATIONAL,
        "who runs it: carrier, affiliate, agent, partner, third party",
        _enum(CampaignSponsor, "campaign_sponsor"),
    )
    sponsor_name: Mapped[str] = classified(OPERATIONAL, "the named partner, or empty", String(200))
    channel: Mapped[CampaignChannel] = classified(
        OPERATIONAL, "how it reaches customers", _enum(CampaignChannel, "campaign_channel")
    )
    offers: Mapped[list[dict[str, str]]] = classified(
        OPERATIONAL, "products and services offered, each with its category (64.2009(c))", JSON
    )
    cpni_fields: Mapped[list[str]] = classified(OPERATIONAL, "the specific CPNI used (64.2009(c))", JSON)
    criteria: Mapped[dict[str, Any]] = classified(OPERATIONAL, "the audience criteria", JSON)
    starts_on: Mapped[date] = classified(OPERATIONAL, "first day", Date)
    ends_on: Mapped[date] = classified(OPERATIONAL, "last day", Date)
    status: Mapped[CampaignStatus] = classified(
        OPERATIONAL,
        "draft, submitted, approved, returned, rejected (64.2009(d))",
        _enum(CampaignStatus, "campaign_status"),
    )
    version: Mapped[int] = classified(
        OPERATIONAL, "bumped by every edit; an approval covers one version", Integer
    )
    author: Mapped[str] = classified(OPERATIONAL, "who drafted it", String(200))
    created_at: Mapped[datetime] = classified(OPERATIONAL, "when it was drafted", UtcDateTime())
    updated_at: Mapped[datetime] = classified(OPERATIONAL, "when it last changed", UtcDateTime())


class ThirdPartyAccessRecord(Base):
    """A customer's CPNI the gate let go outside the carrier (64.2009(c): kept at least 1 year).

    Append-only (a trigger refuses UPDATE), written in the transaction of the decision's
    access-log entry; campaign exports are logged in `third_party_disclosures` instead.
    """

    __tablename__ = "third_party_access"
    __table_args__ = (Index("ix_third_party_access_at", "disclosed_at"),)

    id: Mapped[int] = _key()
    access_log_sequence: Mapped[int] = classified(
        OPERATIONAL, "the gate's decision in the access log", Id, unique=True
    )
    account_id: Mapped[int] = classified(
        OPERATIONAL, "whose CPNI", Id, ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False
    )
    recipient_class: Mapped[RecipientClass] = classified(
        OPERATIONAL, "who received it (64.2007(b))", _enum(RecipientClass, "recipient_class")
    )
    destination: Mapped[str | None] = classified(
        OPERATIONAL, "where it went, as the gate was told", String(200)
    )
    purpose: Mapped[str] = classified(OPERATIONAL, "the purpose permitted: its legal basis", String(64))
    data_category: Mapped[str] = classified(OPERATIONAL, "which CPNI", String(64))
    disclosed_at: Mapped[datetime] = classified(OPERATIONAL, "when", UtcDateTime())
    disclosed_by: Mapped[str] = classified(OPERATIONAL, "who asked the gate", String(200))


class CampaignVersionRecord(Base):
    """Each version of a campaign's draft as saved (64.2009(c): the CPNI used, the offers).

    Append-only (a trigger refuses UPDATE): an edit adds the next version instead of overwriting
    what an approved version used and offered.
    """

    __tablename__ = "campaign_versions"

    campaign_id: Mapped[int] = classified(
        OPERATIONAL, "the campaign", Id, ForeignKey("campaigns.id", ondelete="RESTRICT"), primary_key=True
    )
    version: Mapped[int] = classified(OPERATIONAL, "the version", Integer, primary_key=True)
    draft: Mapped[dict[str, Any]] = classified(
        OPERATIONAL, "the draft as saved: description, offers, CPNI used, criteria, dates", JSON
    )
    saved_at: Mapped[datetime] = classified(OPERATIONAL, "when it was saved", UtcDateTime())
    saved_by: Mapped[str] = classified(OPERATIONAL, "who drafted or edited it", String(200))


class CampaignReviewRecord(Base):
    """A step of a campaign's record: created, edited, submitted, approved, returned, rejected.

    Append-only (a trigger refuses UPDATE): the supervisory review's record (64.2009(d)).
    """

    __tablename__ = "campaign_reviews"
    __table_args__ = (
        Index("ix_campaign_reviews_campaign", "campaign_id", "id"),
        Index("ix_campaign_reviews_at", "at"),
    )

    id: Mapped[int] = _key("record sequence")
    campaign_id: Mapped[int] = classified(
        OPERATIONAL, "the campaign", Id, ForeignKey("campaigns.id", ondelete="RESTRICT"), nullable=False
    )
    action: Mapped[ReviewAction] = classified(
        OPERATIONAL, "what was done", _enum(ReviewAction, "review_action")
    )
    actor: Mapped[str] = classified(OPERATIONAL, "who did it", String(200))
    actor_role: Mapped[str] = classified(OPERATIONAL, "their role", String(32))
    at: Mapped[datetime] = classified(OPERATIONAL, "when", UtcDateTime())
    version: Mapped[int] = classified(OPERATIONAL, "the campaign version it concerns", Integer)
    note: Mapped[str] = classified(OPERATIONAL, "the reviewer's or author's note", String(2000))


class CampaignAudienceRecord(Base):
    """An audience built for an approved campaign: as of when, by whom, and who was left out why."""

    __tablename__ = "campaign_audiences"
    __table_args__ = (Index("ix_campaign_audiences_campaign", "campaign_id", "id"),)

    id: Mapped[int] = _key()
    campaign_id: Mapped[int] = classified(
        OPERATIONAL, "the campaign", Id, ForeignKey("campaigns.id", ondelete="RESTRICT"), nullable=False
    )
    campaign_version: Mapped[int] = classified(OPERATIONAL, "the approved version it was built for", Integer)
    as_of: Mapped[datetime] = classified(
        OPERATIONAL, "the instant consent and services were read at", UtcDateTime()
    )
    built_at: Mapped[datetime] = classified(OPERATIONAL, "when it was built", UtcDateTime())
    built_by: Mapped[str] = classified(OPERATIONAL, "who built it", String(200))
    selected: Mapped[int] = classified(OPERATIONAL, "how many customers were selected", Integer)
    excluded: Mapped[dict[str, int]] = classified(OPERATIONAL, "how many were left out, by reason", JSON)


class CampaignAudienceMember(Base):
    """A customer selected for an audience, and the ground of the selection.

    No foreign keys, for speed: only `fill_audience`'s INSERT ... SELECT over `accounts` writes
    members, under the audience it has just inserted (why: the campaigns migration's docstring).
    """

    __tablename__ = "campaign_audience_members"

    audience_id: Mapped[int] = classified(OPERATIONAL, "the audience", Id, primary_key=True)
    account_id: Mapped[int] = classified(OPERATIONAL, "the customer", Id, primary_key=True)
    need: Mapped[ApprovalNeed] = classified(
        CPNI,
        "the approval the selection needed, read from the customer's services",
        _enum(ApprovalNeed, "approval_need"),
    )
    approval: Mapped[Approval | None] = classified(
        ACCOUNT,
        "the approval that let them in; none under the total service approach",
        _enum(Approval, "approval"),
    )


class ThirdPartyDisclosureRecord(Base):
    """A disclosure of CPNI to a third party, or access given to one (64.2009(c): kept 1 year)."""

    __tablename__ = "third_party_disclosures"
    __table_args__ = (Index("ix_third_party_disclosures_at", "disclosed_at"),)

    id: Mapped[int] = _key()
    campaign_id: Mapped[int] = classified(
        OPERATIONAL, "the campaign", Id, ForeignKey("campaigns.id", ondelete="RESTRICT"), nullable=False
    )
    audience_id: Mapped[int] = classified(
        OPERATIONAL,
        "the audience disclosed",
        Id,
        ForeignKey("campaign_audiences.id", ondelete="RESTRICT"),
        nullable=False,
    )
    recipient: Mapped[str] = classified(OPERATIONAL, "who received it", String(200))
    recipient_class: Mapped[RecipientClass] = classified(
        OPERATIONAL, "their class (64.2007(b))", _enum(RecipientClass, "recipient_class")
    )
    disclosed_at: Mapped[datetime] = classified(OPERATIONAL, "when", UtcDateTime())
    disclosed_by: Mapped[str] = classified(OPERATIONAL, "who disclosed it", String(200))
    customers: Mapped[int] = classified(OPERATIONAL, "how many customers' CPNI", Integer)
    cpni_fields: Mapped[list[str]] = classified(OPERATIONAL, "which CPNI", JSON)
