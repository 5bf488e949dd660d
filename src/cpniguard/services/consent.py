"""Recording consent events and reading approvals as of any instant (47 CFR 64.2007-64.2008).

Every event is appended to the ledger and the account's projection is rewritten from the
whole ledger in the same transaction (DESIGN.md invariant 6), with an access-log entry; a
decision also writes its confirmation to the outbox. Bad input is refused before anything is
written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from cpniguard.domain.audit import AccessLogEntry, AuditEvent, LoggedReason
from cpniguard.domain.consent import (
    ConsentStanding,
    consent_timeline,
    renotice_due_at,
    scopes_of,
    standing_at,
)
from cpniguard.domain.consent_events import ConsentEvent, ConsentEventKind, event_problems
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.domain.mailbox import MAILBOX_REFERENCE_PREFIX
from cpniguard.domain.notices import CPNI_NOTICE_KEY_PREFIX
from cpniguard.services.accounts import account_key
from cpniguard.services.consent_confirmation import confirm_decision
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import Clock, MessageRenderer, OutboundMessage, UnitOfWork, UnitOfWorkFactory

RULE_SET = "cpni-2007"
SYSTEM_REFERENCE_PREFIXES = (MAILBOX_REFERENCE_PREFIX, CPNI_NOTICE_KEY_PREFIX)
"""References cpniguard gives the events it records itself (a stored email, a delivered notice):
an event entered by staff or the portal may not take one, or the real event would be dropped."""
MAX_EVENTS_PAGE = 1000
DECISION_CITATION = "47 CFR 64.2007(a)"
NOTICE_CITATION = "47 CFR 64.2008"


@dataclass(frozen=True, slots=True)
class ConsentContext:
    """What recording consent needs: the store, the time, and the message templates."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    renderer: MessageRenderer


@dataclass(frozen=True, slots=True)
class RecordedConsent:
    """An event as the ledger holds it, whether this request recorded it, and its confirmation."""

    account_number: str
    event: ConsentEvent
    confirmation: OutboundMessage | None
    already_recorded: bool = False
    """Its reference was in the ledger already: `event` is the one recorded then, nothing was written."""


@dataclass(frozen=True, slots=True)
class Appended:
    """What `record_in` did: the event as the ledger holds it, and whether this call wrote it."""

    event: ConsentEvent
    is_new: bool


@dataclass(frozen=True, slots=True)
class ConsentReport:
    """A customer's approvals as of an instant, per scope, with the next renotice date."""

    account_number: str
    as_of: datetime
    standings: tuple[ConsentStanding, ...]
    renotice_due_at: datetime | None


def record_consent(
    context: ConsentContext, *, account_number: str, event: ConsentEvent, asker: Asker
) -> RecordedConsent:
    """Append `event` to the customer's ledger and bring the projection in step (64.2007, 64.2008).

    The event's own time may be earlier than now (a mailed form received last week) but not
    later. A decision (opt-out, opt-in, revocation) is confirmed to the customer through the outbox.
    """
    now = context.clock.now()
    event = replace(event, recorded_at=now, recorded_by=asker.label, id=None)
    if event.reference is not None and event.reference.startswith(SYSTEM_REFERENCE_PREFIXES):
        problem = FieldProblem("reference", f"may not start with {' or '.join(SYSTEM_REFERENCE_PREFIXES)}")
        raise InvalidInputError("the reference is cpniguard's own", (problem,))
    with context.uow_factory() as uow:
        # The write lock before the first read: on SQLite a read then a write fails at once.
        uow.access_log.prepare_to_append()
        account_id = account_key(uow, account_number)
        appended = record_in(uow, account_id=account_id, event=event, asker=asker)
        confirmation = None
        if appended.is_new:
            confirmation = confirm_decision(
                uow, account_id=account_id, event=appended.event, renderer=context.renderer, reply_to=None
            )
        uow.commit()
    return RecordedConsent(account_number, appended.event, confirmation, already_recorded=not appended.is_new)


def record_in(uow: UnitOfWork, *, account_id: int, event: ConsentEvent, asker: Asker) -> Appended:
    """Check, append and project one event inside the caller's transaction; returns it with its id.

    When the event's reference is already in the ledger nothing is written and the event recorded
    then is returned (a replay); a reference another account's event holds is refused, so no
    customer's decision is dropped.
    """
    uow.access_log.prepare_to_append()
    problems = event_problems(event) + _reference_problems(uow, account_id, event)
    if problems:
        raise InvalidInputError("the consent event cannot be recorded", tuple(problems))
    uow.consent.lock_account(account_id)
    event_id = uow.consent.append(account_id, event)
    if event_id is None:
        return Appended(_replayed(uow, account_id, event.reference or ""), is_new=False)
    recorded = replace(event, id=event_id)
    uow.consent.replace_projection(account_id, consent_timeline(uow.consent.events(account_id)))
    uow.access_log.append([_log_entry(account_id, recorded, asker)])
    return Appended(recorded, is_new=True)


def _replayed(uow: UnitOfWork, account_id: int, reference: str) -> ConsentEvent:
    """The event the ledger holds under `reference`; refused when it is another account's."""
    held = uow.consent.event_with_reference(reference)
    holder = None if held is None or held.id is None else uow.consent.event(held.id)
    if held is None or holder is None or holder[0] != account_id:
        problem = FieldProblem("reference", f"{reference!r} already names an event of another account")
        raise InvalidInputError("the consent event cannot be recorded", (problem,))
    return held


def _reference_problems(uow: UnitOfWork, account_id: int, event: ConsentEvent) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if event.notice_version is not None and uow.consent_notices.version(event.notice_version) is None:
        problems.append(FieldProblem("notice_version", f"no notice version {event.notice_version!r}"))
    if event.refers_to is not None:
        problems += _bounce_problems(uow, account_id, event.refers_to)
    if event.interaction_id is not None:
        problems += _interaction_problems(uow, account_id, event)
    return problems


def _bounce_problems(uow: UnitOfWork, account_id: int, notice_id: int) -> list[FieldProblem]:
    found = uow.consent.event(notice_id)
    if found is None or found[0] != account_id or found[1].kind is not ConsentEventKind.NOTICE_SENT:
        return [FieldProblem("refers_to", "no notice with this id was sent to this account")]
    return []


def _interaction_problems(uow: UnitOfWork, account_id: int, event: ConsentEvent) -> list[FieldProblem]:
    interaction = uow.interactions.get(event.interaction_id or 0)
    if interaction is None or interaction.account_id != account_id:
        return [FieldProblem("interaction_id", "no such interaction on this account")]
    if event.kind is ConsentEventKind.ONE_TIME_CONSENT and not interaction.is_open_at(event.recorded_at):
        return [FieldProblem("interaction_id", "the call has ended: one-time consent is recorded during it")]
    if not interaction.is_open_at(event.occurred_at):
        return [
            FieldProblem("interaction_id", "the interaction was not open then: one-time consent ends with it")
        ]
    return []


def _log_entry(account_id: int, event: ConsentEvent, asker: Asker) -> AccessLogEntry:
    is_notice = event.kind in {ConsentEventKind.NOTICE_SENT, ConsentEventKind.NOTICE_BOUNCED}
    citation = NOTICE_CITATION if is_notice else DECISION_CITATION
    explanation = f"{event.kind} recorded" + (
        f" for {', '.join(map(str, event.scope))}" if event.scope else ""
    )
    return AccessLogEntry(
        event=AuditEvent.CONSENT_RECORDED,
        occurred_at=event.recorded_at,
        actor_kind=asker.kind,
        actor_id=asker.label,
        actor_role=asker.role,
        account_id=account_id,
        data_category="consent",
        purpose="consent_record",
        channel=str(event.source or event.notice_medium or ""),
        recipient="customer",
        destination=None,
        interaction_id=event.interaction_id,
        authentication=(),
        outcome=str(event.kind),
        reasons=(LoggedReason(f"consent.{event.kind}", citation, explanation),),
        conditions=(),
        rule_set=RULE_SET,
    )


def consent_report(*, uow_factory: UnitOfWorkFactory, account_number: str, as_of: datetime) -> ConsentReport:
    """Every scope's approval at `as_of`, derived from the ledger (64.2009(a): status shown before use).

    Any instant may be asked, past or future: the ledger holds what was known, and the
    waiting periods and lapses are computed, so "what was the approval on 2026-03-01?" has an answer.
    """
    if as_of.tzinfo is None:
        raise InvalidInputError(
            "as_of needs a UTC offset", (FieldProblem("as_of", "must carry a UTC offset"),)
        )
    with uow_factory() as uow:
        account_id = account_key(uow, account_number)
        events = uow.consent.events(account_id)
    standings = tuple(standing_at(events, scope, as_of) for scope in scopes_of(events))
    # As in standing_at: a bounce counts whenever it was reported, since the notice never did.
    known = [e for e in events if e.occurred_at <= as_of or e.kind is ConsentEventKind.NOTICE_BOUNCED]
    return ConsentReport(account_number, as_of, standings, renotice_due_at(known))


def consent_events(*, uow_factory: UnitOfWorkFactory, account_number: str) -> list[ConsentEvent]:
    """The customer's ledger, oldest first (what an auditor reads)."""
    with uow_factory() as uow:
        return uow.consent.events(account_key(uow, account_number))
