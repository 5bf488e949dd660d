"""Request and response bodies of the consent API (issue 5)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)

from cpniguard.domain.consent import ConsentStanding, StandingReason
from cpniguard.domain.consent_events import (
    MAX_PARTNER_LENGTH,
    ConsentEvent,
    ConsentEventKind,
    ConsentProof,
    ConsentScope,
    ConsentSource,
    NoticeMedium,
)
from cpniguard.domain.disclosure_request import Approval, RecipientClass
from cpniguard.domain.mailbox import InboundMail, MailboxStatus
from cpniguard.services.consent import ConsentReport, RecordedConsent
from cpniguard.services.consent_ports import FailureIncident, NoticeRecipient, NoticeVersion, StoredMail
from cpniguard.web.api.disclosure_schemas import AccountNumber
from cpniguard.web.api.schemas import NO_CONTROL_CHARACTERS

MAX_TEXT = 10_000
MAX_REFERENCE = 128
MAX_NOTICE_LANGUAGES = 8
MAX_NOTICE_CLAUSES = 32

NO_CONTROL_BUT_LINE_BREAKS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""Pattern for free text: tabs and line breaks, no NUL (PostgreSQL text cannot hold it) nor other controls."""
Line = Annotated[str, Field(pattern=NO_CONTROL_CHARACTERS)]
Text = Annotated[str, Field(pattern=NO_CONTROL_BUT_LINE_BREAKS)]

STATUTE_ENACTED = datetime(1996, 2, 8, tzinfo=UTC)
"""47 U.S.C. 222 was enacted on 8 February 1996 (Telecommunications Act of 1996): no CPNI notice,
approval or opt-out failure is older. The bound also keeps the rules' day and year arithmetic
inside the calendar."""
LATEST_AS_OF = datetime(9998, 1, 1, tzinfo=UTC)
"""The latest instant asked about: renotice cutoffs add lead days to it and count years back."""
ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
"""How an ISO 8601 date and time begins; pydantic reads the rest, and AwareDatetime wants the offset."""


def _written_out(value: object) -> object:
    # Pydantic reads a number, or a string of digits, as seconds since 1970: "occurred_at": 0 is 1970.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not ISO_DATE_TIME.match(value):
        raise ValueError("give an ISO 8601 date and time with its UTC offset, e.g. 2026-11-19T10:00:00-05:00")
    return value


def _since_the_statute(moment: datetime) -> datetime:
    if moment < STATUTE_ENACTED:
        raise ValueError(f"must not be before {STATUTE_ENACTED.date()}, when 47 U.S.C. 222 was enacted")
    return moment


def _within_the_calendar(moment: datetime) -> datetime:
    if moment >= LATEST_AS_OF:
        raise ValueError(f"must be before {LATEST_AS_OF.date()}")
    return _since_the_statute(moment)


EventTime = Annotated[AwareDatetime, BeforeValidator(_written_out), AfterValidator(_since_the_statute)]
"""When something happened: written out with a UTC offset, never a number; not before 47 U.S.C. 222
(the service refuses the future)."""
AsOf = Annotated[AwareDatetime, BeforeValidator(_written_out), AfterValidator(_within_the_calendar)]
"""An instant asked about, past or future: written out with a UTC offset, never a number; from
1996-02-08 to before 9998."""


class ScopeIn(BaseModel):
    """Who a decision is for: a recipient class, or one named partner in it."""

    model_config = ConfigDict(extra="forbid")

    recipient: RecipientClass
    partner: Line = Field(default="", max_length=MAX_PARTNER_LENGTH, description="Empty for the whole class.")


class ScopeOut(BaseModel):
    """A recipient class, or a named partner in it."""

    recipient: RecipientClass
    partner: str

    @classmethod
    def of(cls, scope: ConsentScope) -> Self:
        """The body for `scope`."""
        return cls(recipient=scope.recipient, partner=scope.partner)


class ConsentEventIn(BaseModel):
    """A consent event to record; `occurred_at` is the event's own time (default: now)."""

    model_config = ConfigDict(extra="forbid")

    kind: ConsentEventKind
    occurred_at: EventTime | None = Field(
        default=None, description="When it happened: a notice's mailing, a form's receipt. Not in the future."
    )
    scope: list[ScopeIn] = Field(
        default_factory=list, max_length=50, description="Each recipient once. Empty opt-out: everyone."
    )
    notice_version: Line | None = Field(default=None, max_length=64)
    notice_medium: NoticeMedium | None = None
    waiting_period_days: int | None = Field(default=None, ge=30, le=726)
    source: ConsentSource | None = None
    proof: ConsentProof | None = None
    recording_reference: Line | None = Field(default=None, max_length=500)
    refers_to: int | None = Field(default=None, ge=1, le=2**62)
    interaction_id: int | None = Field(default=None, ge=1, le=2**62)
    evidence: Text | None = Field(default=None, max_length=MAX_TEXT)
    reference: Line | None = Field(default=None, min_length=1, max_length=MAX_REFERENCE)

    @field_validator("scope")
    @classmethod
    def _each_recipient_once(cls, scope: list[ScopeIn]) -> list[ScopeIn]:
        named = [(s.recipient, s.partner) for s in scope]
        if len(set(named)) != len(named):
            raise ValueError("names the same recipient more than once")
        return scope

    def to_event(self, now: datetime) -> ConsentEvent:
        """The domain event (recorded_at and recorded_by are set by the service)."""
        return ConsentEvent(
            kind=self.kind,
            occurred_at=self.occurred_at or now,
            recorded_at=now,
            recorded_by="",
            scope=tuple(ConsentScope(s.recipient, s.partner) for s in self.scope),
            notice_version=self.notice_version,
            notice_medium=self.notice_medium,
            waiting_period_days=self.waiting_period_days,
            source=self.source,
            proof=self.proof,
            recording_reference=self.recording_reference,
            refers_to=self.refers_to,
            interaction_id=self.interaction_id,
            evidence=self.evidence,
            reference=self.reference,
        )


class ConsentEventOut(BaseModel):
    """One entry of the consent ledger."""

    id: int | None
    kind: ConsentEventKind
    occurred_at: datetime
    recorded_at: datetime
    recorded_by: str
    scope: list[ScopeOut]
    notice_version: str | None
    notice_medium: NoticeMedium | None
    waiting_period_days: int | None
    source: ConsentSource | None
    proof: ConsentProof | None
    recording_reference: str | None
    refers_to: int | None
    interaction_id: int | None
    evidence: str | None
    reference: str | None

    @classmethod
    def of(cls, event: ConsentEvent) -> Self:
        """The body for `event`."""
        return cls(
            id=event.id,
            kind=event.kind,
            occurred_at=event.occurred_at,
            recorded_at=event.recorded_at,
            recorded_by=event.recorded_by,
            scope=[ScopeOut.of(s) for s in event.scope],
            notice_version=event.notice_version,
            notice_medium=event.notice_medium,
            waiting_period_days=event.waiting_period_days,
            source=event.source,
            proof=event.proof,
            recording_reference=event.recording_reference,
            refers_to=event.refers_to,
            interaction_id=event.interaction_id,
            evidence=event.evidence,
            reference=event.reference,
        )


class RecordedConsentOut(BaseModel):
    """The event as recorded (id null: its reference was recorded before) and its confirmation."""

    account_number: str
    event: ConsentEventOut
    confirmation_channel: str | None
    already_recorded: bool

    @classmethod
    def of(cls, recorded: RecordedConsent) -> Self:
        """The body for `recorded`."""
        confirmation = recorded.confirmation
        return cls(
            account_number=recorded.account_number,
            event=ConsentEventOut.of(recorded.event),
            confirmation_channel=None if confirmation is None else str(confirmation.channel),
            already_recorded=recorded.already_recorded,
        )


class StandingOut(BaseModel):
    """One scope's approval at the instant asked, and why."""

    scope: ScopeOut
    approval: Approval
    reason: StandingReason
    since: datetime | None
    until: datetime | None
    deemed_from: datetime | None
    basis_event_id: int | None

    @classmethod
    def of(cls, standing: ConsentStanding) -> Self:
        """The body for `standing`."""
        return cls(
            scope=ScopeOut.of(standing.scope),
            approval=standing.approval,
            reason=standing.reason,
            since=standing.since,
            until=standing.until,
            deemed_from=standing.deemed_from,
            basis_event_id=standing.basis_event_id,
        )


class ConsentReportOut(BaseModel):
    """A customer's approvals per recipient as of an instant (47 CFR 64.2009(a))."""

    account_number: str
    as_of: datetime
    renotice_due_at: datetime | None
    standings: list[StandingOut]

    @classmethod
    def of(cls, report: ConsentReport) -> Self:
        """The body for `report`."""
        return cls(
            account_number=report.account_number,
            as_of=report.as_of,
            renotice_due_at=report.renotice_due_at,
            standings=[StandingOut.of(s) for s in report.standings],
        )


class NoticeVersionIn(BaseModel):
    """A CPNI notice text in English and French, checked against 64.2008(c)."""

    model_config = ConfigDict(extra="forbid")

    version: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    waiting_period_days: int = Field(ge=30, le=726)
    texts: dict[
        Annotated[Line, Field(max_length=64)],
        Annotated[
            dict[Annotated[Line, Field(max_length=64)], Annotated[Text, Field(max_length=MAX_TEXT)]],
            Field(max_length=MAX_NOTICE_CLAUSES),
        ],
    ] = Field(max_length=MAX_NOTICE_LANGUAGES, description="language -> {subject, clause: text}.")


class NoticeVersionOut(BaseModel):
    """A stored notice version."""

    version: str
    waiting_period_days: int
    texts: dict[str, dict[str, str]]
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, version: NoticeVersion) -> Self:
        """The body for `version`."""
        return cls(
            version=version.version,
            waiting_period_days=version.waiting_period_days,
            texts={lang: dict(texts) for lang, texts in version.texts.items()},
            created_at=version.created_at,
            created_by=version.created_by,
        )


class NoticeDueOut(BaseModel):
    """A customer due a CPNI notice, and where it can go."""

    account_number: str
    last_notice_at: datetime | None
    has_email_of_record: bool
    accepts_email_notices: bool
    has_postal_address_of_record: bool

    @classmethod
    def of(cls, recipient: NoticeRecipient) -> Self:
        """The body for `recipient` (addresses are not shown, only whether they exist)."""
        return cls(
            account_number=recipient.account_number,
            last_notice_at=recipient.last_notice_at,
            has_email_of_record=recipient.email_of_record is not None,
            accepts_email_notices=recipient.accepts_email_notices,
            has_postal_address_of_record=recipient.postal_address_of_record is not None,
        )


class MailOut(BaseModel):
    """A stored email to the marketing mailbox and what cpniguard read in it."""

    message_id: int
    received_at: datetime
    envelope_sender: str
    status: MailboxStatus
    attempts: int
    review_reason: str | None
    account_id: int | None
    consent_event_id: int | None
    size_bytes: int
    sender: str | None = None
    subject: str | None = None
    text: str | None = None
    suspicious: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, mail: StoredMail, read: InboundMail | None = None) -> Self:
        """The body for `mail`, with what was read in it when given."""
        return cls(
            message_id=mail.id,
            received_at=mail.received_at,
            envelope_sender=mail.envelope_sender,
            status=mail.status,
            attempts=mail.attempts,
            review_reason=mail.review_reason,
            account_id=mail.account_id,
            consent_event_id=mail.consent_event_id,
            size_bytes=len(mail.raw),
            sender=None if read is None else read.sender,
            subject=None if read is None else read.subject,
            text=None if read is None else read.text,
            suspicious=[] if read is None else list(read.suspicious),
        )


class ReviewResolutionIn(BaseModel):
    """Staff's decision on a message in review: what it asks, on which account, or dismiss it."""

    model_config = ConfigDict(extra="forbid")

    decision: Line = Field(min_length=1, max_length=32, description="opt_out, opt_in, revocation or dismiss.")
    account_number: AccountNumber | None = None


class IncidentOut(BaseModel):
    """An opt-out failure incident and its FCC letter's facts (64.2009(f))."""

    id: int
    channels: list[ConsentSource]
    determined_at: datetime
    letter_due_on: date
    problem: str
    remedy: str | None
    remedy_date: date | None
    state_commission_notice: str | None
    customer_notice: str | None
    letter_sent_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, incident: FailureIncident) -> Self:
        """The body for `incident`."""
        return cls(
            id=incident.id,
            channels=list(incident.channels),
            determined_at=incident.determined_at,
            letter_due_on=incident.letter_due_on,
            problem=incident.problem,
            remedy=incident.remedy,
            remedy_date=incident.remedy_date,
            state_commission_notice=incident.state_commission_notice,
            customer_notice=incident.customer_notice,
            letter_sent_at=incident.letter_sent_at,
            closed_at=incident.closed_at,
        )


class IncidentUpdateIn(BaseModel):
    """What staff add to an incident; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    remedy: Text | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    remedy_date: date | None = None
    state_commission_notice: Text | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    customer_notice: Text | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    letter_sent_at: EventTime | None = None
    closed_at: EventTime | None = None
