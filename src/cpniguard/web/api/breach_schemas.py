"""Request and response bodies of the breach API (issue 6; 47 CFR 64.2011)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from cpniguard.domain.breach import BreachFacts, Deadline, Hold, HoldExtension
from cpniguard.domain.breach_timeline import (
    MAX_DETAIL_LENGTH,
    MAX_REFERENCE_LENGTH,
    Breach,
    BreachEvent,
    BreachEventKind,
    BreachStatus,
)
from cpniguard.domain.business_days import MAX_CLOSURE_REASON_LENGTH, CommissionClosure
from cpniguard.services.breach import BreachDeadlines
from cpniguard.services.breach_accounts import MAX_ACCOUNTS_PER_BATCH, AffectedAccounts
from cpniguard.services.breach_notices import CustomerNoticeRun
from cpniguard.web.api.consent_schemas import EventTime, Line, Text
from cpniguard.web.api.disclosure_schemas import AccountNumber
from cpniguard.web.problems import FieldError

MAX_DETAILS = 16
"""No event kind takes more than 5 details; a few more let the service name every unknown one."""
MAX_DETAIL_KEY_LENGTH = 64
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day_alone(value: object) -> object:
    # Pydantic takes a date and time at midnight, or a number of seconds, for a date; a closure is a day.
    if not isinstance(value, date | str) or (isinstance(value, str) and not ISO_DAY.fullmatch(value)):
        raise ValueError("give the day alone, as YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_day_alone)]
"""A day as YYYY-MM-DD: pydantic would also take a number of seconds, or a midnight date and time."""
Instant = EventTime
"""When something happened, written out with its UTC offset (consent_schemas.EventTime)."""


class BreachIn(BaseModel):
    """A breach to open under the carrier's reference (64.2011(d): every breach is recorded)."""

    model_config = ConfigDict(extra="forbid")

    reference: Line = Field(
        min_length=1, max_length=MAX_REFERENCE_LENGTH, description="The carrier's reference, never reused."
    )


class BreachOut(BaseModel):
    """A breach's record: its reference, who opened it, and when it closed (null while open)."""

    id: int
    reference: str
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None

    @classmethod
    def of(cls, breach: Breach) -> Self:
        """The body for `breach`."""
        return cls(
            id=breach.id,
            reference=breach.reference,
            opened_at=breach.opened_at,
            opened_by=breach.opened_by,
            closed_at=breach.closed_at,
        )


class HoldExtensionOut(BaseModel):
    """A written extension of a hold."""

    written_reference: str
    ends_on: date

    @classmethod
    def of(cls, extension: HoldExtension) -> Self:
        """The body for `extension`."""
        return cls(written_reference=extension.written_reference, ends_on=extension.ends_on)


class HoldOut(BaseModel):
    """An agency's written direction not to notify (64.2011(b)(3); (a)(2) as amended)."""

    agency: str
    written_reference: str
    starts_on: date
    ends_on: date
    extensions: list[HoldExtensionOut]
    released_on: date | None
    last_day_in_force: date | None = Field(description="Null: released before it took effect.")

    @classmethod
    def of(cls, hold: Hold) -> Self:
        """The body for `hold`."""
        return cls(
            agency=hold.agency,
            written_reference=hold.written_reference,
            starts_on=hold.starts_on,
            ends_on=hold.ends_on,
            extensions=[HoldExtensionOut.of(e) for e in hold.extensions],
            released_on=hold.released_on,
            last_day_in_force=hold.last_day_in_force(),
        )


class BreachFactsOut(BaseModel):
    """The facts the deadlines run on, folded from the timeline (the latest event of a kind counts)."""

    determined_at: datetime
    discovered_at: datetime
    customers_affected: int = Field(
        description="0 when no count is recorded or it is 'unknown': harm is then presumed likely."
    )
    harm_reasonably_likely: bool
    only_encrypted_data_and_key_safe: bool
    urgent_need_consulted: bool
    agency_notified_at: datetime | None
    holds: list[HoldOut]

    @classmethod
    def of(cls, facts: BreachFacts) -> Self:
        """The body for `facts`."""
        return cls(
            determined_at=facts.determined_at,
            discovered_at=facts.discovered_at,
            customers_affected=facts.customers_affected,
            harm_reasonably_likely=facts.harm_reasonably_likely,
            only_encrypted_data_and_key_safe=facts.only_encrypted_data_and_key_safe,
            urgent_need_consulted=facts.urgent_need_consulted,
            agency_notified_at=facts.agency_notified_at,
            holds=[HoldOut.of(h) for h in facts.holds],
        )


class BreachDetailOut(BreachOut):
    """A breach with where its handling stands, how many accounts it lists, and its facts so far."""

    status: BreachStatus
    affected_accounts: int
    events_recorded: int
    facts: BreachFactsOut | None = Field(
        description="Null until the discovery and determination are recorded."
    )

    @classmethod
    def with_record(
        cls,
        breach: Breach,
        *,
        status: BreachStatus,
        affected_accounts: int,
        events: Sequence[BreachEvent],
        facts: BreachFacts | None,
    ) -> Self:
        """The body for `breach` and what its record holds."""
        return cls(
            **BreachOut.of(breach).model_dump(),
            status=status,
            affected_accounts=affected_accounts,
            events_recorded=len(events),
            facts=None if facts is None else BreachFactsOut.of(facts),
        )


class StatusChangeIn(BaseModel):
    """Where the breach's handling moves: `closed` closes it, `open` reopens a closed one."""

    model_config = ConfigDict(extra="forbid")

    status: BreachStatus
    reason: Text = Field(min_length=1, max_length=MAX_DETAIL_LENGTH, description="Why, for the record.")


class BreachEventIn(BaseModel):
    """A fact learned or a step taken; `details` are text, checked per kind (see the timeline's kinds)."""

    model_config = ConfigDict(extra="forbid")

    kind: BreachEventKind
    occurred_at: Instant = Field(description="When it happened, with its UTC offset; not in the future.")
    details: dict[
        Annotated[Line, Field(min_length=1, max_length=MAX_DETAIL_KEY_LENGTH)],
        Annotated[Text, Field(max_length=MAX_DETAIL_LENGTH)],
    ] = Field(default_factory=dict, max_length=MAX_DETAILS)

    def to_event(self) -> BreachEvent:
        """The domain event (recorded_at and recorded_by are set by the service)."""
        return BreachEvent(self.kind, self.occurred_at, self.occurred_at, "", details=dict(self.details))


class BreachEventOut(BaseModel):
    """One entry of a breach's timeline."""

    id: int | None
    kind: BreachEventKind
    occurred_at: datetime
    recorded_at: datetime
    recorded_by: str
    details: dict[str, str]

    @classmethod
    def of(cls, event: BreachEvent) -> Self:
        """The body for `event`."""
        return cls(
            id=event.id,
            kind=event.kind,
            occurred_at=event.occurred_at,
            recorded_at=event.recorded_at,
            recorded_by=event.recorded_by,
            details=dict(event.details),
        )


class AffectedAccountsIn(BaseModel):
    """Accounts the breach affected, from the investigation: all recorded, or none."""

    model_config = ConfigDict(extra="forbid")

    account_numbers: list[AccountNumber] = Field(min_length=1, max_length=MAX_ACCOUNTS_PER_BATCH)


class AffectedAccountsOut(BaseModel):
    """How many of the batch were new to the breach, and how many it lists now."""

    added: int
    total: int

    @classmethod
    def of(cls, affected: AffectedAccounts) -> Self:
        """The body for `affected`."""
        return cls(added=affected.added, total=affected.total)


class DeadlineOut(BaseModel):
    """One notice duty: due by `due_on`, allowed from `not_before`, held through `held_until` (DC dates)."""

    name: str
    due_on: date | None
    not_before: date | None
    held_until: date | None
    required: bool
    recipients: list[str]
    explanation: str
    citation: str

    @classmethod
    def of(cls, deadline: Deadline) -> Self:
        """The body for `deadline`."""
        return cls(
            name=deadline.name,
            due_on=deadline.due_on,
            not_before=deadline.not_before,
            held_until=deadline.held_until,
            required=deadline.required,
            recipients=list(deadline.recipients),
            explanation=deadline.explanation,
            citation=deadline.citation,
        )


class DeadlinesOut(BaseModel):
    """A breach's deadlines, the regime of 64.2011 they follow and the facts they were computed from."""

    breach_id: int
    reference: str
    regime: str
    facts: BreachFactsOut
    deadlines: list[DeadlineOut]

    @classmethod
    def of(cls, found: BreachDeadlines) -> Self:
        """The body for `found`."""
        return cls(
            breach_id=found.breach.id,
            reference=found.breach.reference,
            regime=str(found.regime),
            facts=BreachFactsOut.of(found.facts),
            deadlines=[DeadlineOut.of(d) for d in found.deadlines],
        )


class PurgedOut(BaseModel):
    """A breach's record deleted past its 2-year floor (64.2011(d))."""

    breach_id: int
    events_removed: int


class ClosureIn(BaseModel):
    """A weekday the Commission's offices were closed beyond the federal holidays (47 CFR 1.4(e)(1))."""

    model_config = ConfigDict(extra="forbid")

    day: Day = Field(description="YYYY-MM-DD, a weekday.")
    reason: Text = Field(
        min_length=1, max_length=MAX_CLOSURE_REASON_LENGTH, description="The order or event that closed it."
    )


class ClosureOut(BaseModel):
    """A recorded Commission closure."""

    day: date
    reason: str
    added_at: datetime
    added_by: str

    @classmethod
    def of(cls, closure: CommissionClosure) -> Self:
        """The body for `closure`."""
        return cls(
            day=closure.day, reason=closure.reason, added_at=closure.added_at, added_by=closure.added_by
        )


class CustomerNoticePreviewOut(BaseModel):
    """The customer notice as it would go out now (64.2011(b) as amended; RULES 8.6)."""

    language: str
    by_mail: bool
    subject: str | None
    body: str
    missing: list[FieldError] = Field(
        description="Settings the notice needs but lacks, such as the state regulator (RULES 8.6 (iv)): "
        "configure them before sending. A warning: the notice can still be sent."
    )


class CustomerNoticeRunOut(BaseModel):
    """What a send queued in the outbox, by channel, and which accounts it could not reach."""

    queued: int
    by_email: int
    by_letter: int
    without_address: int
    already_queued: int

    @classmethod
    def of(cls, run: CustomerNoticeRun) -> Self:
        """The body for `run`."""
        return cls(
            queued=run.queued,
            by_email=run.by_email,
            by_letter=run.by_letter,
            without_address=run.without_address,
            already_queued=run.already_queued,
        )
