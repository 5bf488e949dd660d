"""A customer's consent over HTTP: approvals as of any instant, the ledger, recording events.

47 CFR 64.2007-64.2009. The portal's backend records what the customer did online, a
representative what the customer said on a call or sent on a form; each channel is free and
open around the clock (64.2008(d)(3)).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Query

from cpniguard.bootstrap import Container
from cpniguard.domain.consent_roles import may_record_through
from cpniguard.services.consent import ConsentContext, consent_events, consent_report, record_consent
from cpniguard.web.api.consent_schemas import (
    AsOf,
    ConsentEventIn,
    ConsentEventOut,
    ConsentReportOut,
    RecordedConsentOut,
)
from cpniguard.web.api.disclosure import asker_of
from cpniguard.web.api.disclosure_schemas import AccountNumberPath
from cpniguard.web.deps import ConsentReaderDep, ConsentRecorderDep, ContainerDep
from cpniguard.web.problems import ProblemError, problem_responses

router = APIRouter(tags=["consent"])
RESPONSES = problem_responses(403, 404, 422)


def consent_context(container: Container) -> ConsentContext:
    """The store, clock and templates recording consent needs."""
    return ConsentContext(container.unit_of_work, container.clock, container.renderer)


@router.get("/accounts/{account_number}/consent", responses=RESPONSES)
def get_consent(
    container: ContainerDep,
    _reader: ConsentReaderDep,
    account_number: AccountNumberPath,
    as_of: Annotated[AsOf | None, Query(description="ISO 8601 instant with offset; default now.")] = None,
) -> ConsentReportOut:
    """The customer's approval per recipient as of `as_of`, and why (47 CFR 64.2009(a))."""
    report = consent_report(
        uow_factory=container.unit_of_work,
        account_number=account_number,
        as_of=as_of or container.clock.now(),
    )
    return ConsentReportOut.of(report)


@router.get("/accounts/{account_number}/consent/events", responses=RESPONSES)
def get_consent_events(
    container: ContainerDep, _reader: ConsentReaderDep, account_number: AccountNumberPath
) -> list[ConsentEventOut]:
    """The customer's consent ledger, oldest first (64.2007(a)(3), 64.2008(a)(2) records)."""
    events = consent_events(uow_factory=container.unit_of_work, account_number=account_number)
    return [ConsentEventOut.of(e) for e in events]


@router.post(
    "/accounts/{account_number}/consent/events",
    status_code=HTTPStatus.CREATED,
    responses=problem_responses(403, 404, 422),
)
def post_consent_event(
    container: ContainerDep,
    recorder: ConsentRecorderDep,
    account_number: AccountNumberPath,
    body: ConsentEventIn,
) -> RecordedConsentOut:
    """Record a notice, opt-out, opt-in, revocation or one-time consent (64.2007, 64.2008).

    A decision is confirmed to the customer through the outbox. Each role records only what
    arrives through its own channel; resending an event with the same `reference` records nothing.
    """
    if not may_record_through(recorder.role, body.source):
        channel = body.source or "no channel (notices and bounces)"
        raise ProblemError(
            HTTPStatus.FORBIDDEN, f"The role '{recorder.role}' may not record events from {channel}."
        )
    event = body.to_event(container.clock.now())
    recorded = record_consent(
        consent_context(container), account_number=account_number, event=event, asker=asker_of(recorder)
    )
    return RecordedConsentOut.of(recorded)
