"""Watching the opt-out channels, and the FCC letter when they fail (47 CFR 64.2009(f)).

A probe sends a test opt-out through each channel at an interval, for a test account, and
checks on the next round that the ledger recorded it. When the newest probes of a channel
have all failed (a failure more than an anomaly), an incident opens with its letter due to
the Commission in 5 business days; staff add the remedy and the state-commission and
customer-notice facts, and cpniguard writes the letter.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar

from cpniguard.domain.business_days import BusinessCalendar, business_deadline, eastern_date
from cpniguard.domain.carrier import CarrierContact
from cpniguard.domain.consent_events import ConsentSource
from cpniguard.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from cpniguard.domain.opt_out_failures import (
    OPT_OUT_FAILURE_REPORT_BUSINESS_DAYS,
    OptOutFailureLetter,
    is_channel_failing,
    letter_problems,
)
from cpniguard.services.consent_ports import FailureIncident, OptOutMonitorStore, ProbeRecord
from cpniguard.services.ports import Clock, UnitOfWorkFactory

MAX_INCIDENTS_PAGE = 200
_T = TypeVar("_T")
MECHANISMS = {
    ConsentSource.MARKETING_MAILBOX: "email to the marketing mailbox, or a reply to a notice email",
    ConsentSource.PORTAL: "the customer portal and its API",
    ConsentSource.REPRESENTATIVE: "a customer service representative, by telephone",
    ConsentSource.MAILED_FORM: "a mailed opt-out form, entered by staff",
}


class ProbeSendError(Exception):
    """The test opt-out could not be handed to its channel."""


class ProbeSender(Protocol):
    """Sends one test opt-out through one channel, marked with `nonce`."""

    def send(self, nonce: str) -> None:
        """Send it; raise ProbeSendError when the channel refuses or cannot be reached."""
        ...


@dataclass(frozen=True, slots=True)
class MonitorTerms:
    """The store, the clock, the calendar, and when a failure is more than an anomaly."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    calendar: BusinessCalendar
    grace: timedelta
    failure_threshold: int


@dataclass(frozen=True, slots=True)
class ProbeRound:
    """What one round did."""

    sent: int
    succeeded: int
    failed: int
    incidents_opened: tuple[int, ...]


def probe_reference(nonce: str) -> str:
    """The mark a probe's opt-out carries into the ledger: its reference, or in its evidence.

    No colon: it also sits in the mailbox probe's Message-ID, whose left part is an atom.
    """
    return f"probe-{nonce}"


def run_probe_round(terms: MonitorTerms, senders: Mapping[ConsentSource, ProbeSender]) -> ProbeRound:
    """Settle the probes whose time is up, send a new one per channel, open incidents (64.2009(f))."""
    succeeded, failed = _settle_pending(terms)
    sent = 0
    for channel, sender in senders.items():
        sent += 1
        failed += _send_probe(terms, channel, sender)
    opened = tuple(i for channel in senders if (i := _open_incident_if_failing(terms, channel)) is not None)
    return ProbeRound(sent, succeeded, failed, opened)


def _settle_pending(terms: MonitorTerms) -> tuple[int, int]:
    now = terms.clock.now()
    succeeded = failed = 0
    with terms.uow_factory() as uow:
        for probe in uow.opt_out_monitor.pending_probes(sent_before=now):
            processed = uow.opt_out_monitor.consent_event_marked(
                probe_reference(probe.nonce), since=probe.sent_at
            )
            if processed or probe.sent_at <= now - terms.grace:
                error = None if processed else f"not processed within {terms.grace.total_seconds():.0f} s"
                try:
                    uow.opt_out_monitor.settle_probe(probe.id, succeeded=processed, error=error, at=now)
                except NotFoundError:
                    continue  # another monitor settled it since it was listed
                succeeded, failed = succeeded + processed, failed + (not processed)
        uow.commit()
    return succeeded, failed


def _send_probe(terms: MonitorTerms, channel: ConsentSource, sender: ProbeSender) -> int:
    """Record the probe before sending it, so a crash mid-send still leaves it to fail on time."""
    nonce = secrets.token_hex(12)
    with terms.uow_factory() as uow:
        probe_id = uow.opt_out_monitor.add_probe(channel, nonce, at=terms.clock.now())
        uow.commit()
    try:
        sender.send(nonce)
    except ProbeSendError as error:
        with terms.uow_factory() as uow:
            uow.opt_out_monitor.settle_probe(
                probe_id, succeeded=False, error=str(error)[:1000], at=terms.clock.now()
            )
            uow.commit()
        return 1
    return 0


def _open_incident_if_failing(terms: MonitorTerms, channel: ConsentSource) -> int | None:
    with terms.uow_factory() as uow:
        monitor = uow.opt_out_monitor
        recent = _since_last_closed(
            monitor, channel, monitor.recent_probes(channel, limit=terms.failure_threshold)
        )
        if not is_channel_failing([p.succeeded is True for p in recent], threshold=terms.failure_threshold):
            return None
        if monitor.open_incident(channel) is not None:
            return None
        now = terms.clock.now()
        incident = FailureIncident(
            id=0,
            channels=(channel,),
            determined_at=now,
            letter_due_on=business_deadline(terms.calendar, now, OPT_OUT_FAILURE_REPORT_BUSINESS_DAYS),
            problem=_problem(channel, recent),
            remedy=None,
            remedy_date=None,
            state_commission_notice=None,
            customer_notice=None,
            letter_sent_at=None,
            closed_at=None,
        )
        incident_id = monitor.add_incident(incident)
        uow.commit()
    return incident_id


def _since_last_closed(
    monitor: OptOutMonitorStore, channel: ConsentSource, recent: list[ProbeRecord]
) -> list[ProbeRecord]:
    """The probes sent after the channel's last incident was closed (64.2009(f)).

    Probes that incident already reported must not open a second one, with a second FCC
    letter, as soon as staff close the first.
    """
    incidents = [i for i in monitor.incidents(limit=MAX_INCIDENTS_PAGE) if channel in i.channels]
    closed_at = incidents[0].closed_at if incidents else None
    return recent if closed_at is None else [p for p in recent if p.sent_at > closed_at]


def _problem(channel: ConsentSource, recent: list[ProbeRecord]) -> str:
    errors = "; ".join(sorted({p.error or "not processed" for p in recent}))
    since = min(p.sent_at for p in recent).isoformat()
    return (
        f"{len(recent)} test opt-outs in a row through {MECHANISMS[channel]} failed since {since}: {errors}"
    )


def failure_incidents(terms: MonitorTerms, *, limit: int) -> list[FailureIncident]:
    """Opt-out failure incidents, newest first."""
    if not 1 <= limit <= MAX_INCIDENTS_PAGE:
        raise InvalidInputError(
            "the page size is not valid", (FieldProblem("limit", f"1 to {MAX_INCIDENTS_PAGE}"),)
        )
    with terms.uow_factory() as uow:
        return uow.opt_out_monitor.incidents(limit=limit)


@dataclass(frozen=True, slots=True)
class IncidentUpdate:
    """What staff add to an incident; None leaves a field as it is."""

    remedy: str | None = None
    remedy_date: date | None = None
    state_commission_notice: str | None = None
    customer_notice: str | None = None
    letter_sent_at: datetime | None = None
    closed_at: datetime | None = None


def update_incident(terms: MonitorTerms, *, incident_id: int, update: IncidentUpdate) -> FailureIncident:
    """Add the remedy, notices, letter date or closing time to an incident."""
    now = terms.clock.now()
    problems = [
        FieldProblem(name, "cannot be later than now")
        for name, value in (("letter_sent_at", update.letter_sent_at), ("closed_at", update.closed_at))
        if value is not None and value > now
    ]
    if problems:
        raise InvalidInputError("the incident update is not valid", tuple(problems))
    with terms.uow_factory() as uow:
        incident = _incident(uow.opt_out_monitor.incident(incident_id), incident_id)
        updated = replace(
            incident,
            remedy=_new(update.remedy, incident.remedy),
            remedy_date=_new(update.remedy_date, incident.remedy_date),
            state_commission_notice=_new(update.state_commission_notice, incident.state_commission_notice),
            customer_notice=_new(update.customer_notice, incident.customer_notice),
            letter_sent_at=_new(update.letter_sent_at, incident.letter_sent_at),
            closed_at=_new(update.closed_at, incident.closed_at),
        )
        uow.opt_out_monitor.update_incident(updated)
        uow.commit()
    return updated


def _new(given: _T | None, current: _T | None) -> _T | None:
    return current if given is None else given


def _incident(found: FailureIncident | None, incident_id: int) -> FailureIncident:
    if found is None:
        raise NotFoundError(f"no opt-out failure incident {incident_id}")
    return found


def failure_letter(terms: MonitorTerms, *, incident_id: int, carrier: CarrierContact) -> OptOutFailureLetter:
    """The 64.2009(f) letter for an incident; InvalidInputError lists what staff must add first."""
    with terms.uow_factory() as uow:
        incident = _incident(uow.opt_out_monitor.incident(incident_id), incident_id)
    letter = OptOutFailureLetter(
        carrier_name=carrier.carrier_name,
        carrier_address=carrier.carrier_address,
        mechanisms=tuple(MECHANISMS.values()),
        failed_mechanisms=tuple(MECHANISMS[c] for c in incident.channels),
        problem=incident.problem,
        remedy=incident.remedy,
        remedy_date=incident.remedy_date,
        state_commissions=incident.state_commission_notice,
        customer_notice=incident.customer_notice,
        contact_name=carrier.contact_name,
        contact_email=carrier.contact_email,
        contact_phone=carrier.contact_phone,
        determined_on=eastern_date(incident.determined_at),
        due_on=incident.letter_due_on,
        letter_date=eastern_date(terms.clock.now()),
    )
    if problems := letter_problems(letter):
        raise InvalidInputError("the letter cannot be written yet (47 CFR 64.2009(f))", tuple(problems))
    return letter
