"""Consent administration over HTTP (47 CFR 64.2008, 64.2009(f)).

Notice versions, customers due a notice, the mailbox review queue, and opt-out failure
incidents with their FCC letter.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from cpniguard.adapters.pdf.opt_out_failure_letter import render_letter_pdf
from cpniguard.bootstrap import Container
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.domain.opt_out_failures import OptOutFailureLetter, letter_text
from cpniguard.services.consent_notices import (
    MAX_DUE_PAGE,
    add_notice_version,
    customers_due,
    notice_versions,
)
from cpniguard.services.mailbox import MAX_REVIEW_PAGE, resolve_review, review_queue, stored_mail
from cpniguard.services.opt_out_monitor import (
    MAX_INCIDENTS_PAGE,
    IncidentUpdate,
    failure_incidents,
    failure_letter,
    update_incident,
)
from cpniguard.web.api.consent_schemas import (
    AsOf,
    IncidentOut,
    IncidentUpdateIn,
    MailOut,
    NoticeDueOut,
    NoticeVersionIn,
    NoticeVersionOut,
    ReviewResolutionIn,
)
from cpniguard.web.api.disclosure import asker_of
from cpniguard.web.deps import ConsentManagerDep, ConsentReaderDep, ContainerDep
from cpniguard.web.problems import problem_responses

router = APIRouter(prefix="/consent", tags=["consent administration"])
RESPONSES = problem_responses(403, 404, 422)
Key = Annotated[int, Path(ge=1, le=2**62)]
INCIDENT_FIELDS = {"state_commissions": "state_commission_notice"}
"""The letter's names for facts staff give under another name when they PATCH the incident."""


@router.get("/notice-versions", responses=problem_responses(403))
def get_notice_versions(container: ContainerDep, _reader: ConsentReaderDep) -> list[NoticeVersionOut]:
    """Every CPNI notice version, newest first."""
    return [NoticeVersionOut.of(v) for v in notice_versions(uow_factory=container.unit_of_work)]


@router.post("/notice-versions", status_code=HTTPStatus.CREATED, responses=problem_responses(403, 422))
def post_notice_version(
    container: ContainerDep, manager: ConsentManagerDep, body: NoticeVersionIn
) -> NoticeVersionOut:
    """Add a notice version; refused (422, clause by clause) unless it meets 64.2008(c) in EN and FR."""
    stored = add_notice_version(
        container.notice_terms(),
        version=body.version,
        waiting_period_days=body.waiting_period_days,
        texts=body.texts,
        by=manager.label,
    )
    return NoticeVersionOut.of(stored)


@router.get("/renotice-due", responses=problem_responses(403, 422))
def get_renotice_due(
    container: ContainerDep,
    _reader: ConsentReaderDep,
    as_of: Annotated[AsOf | None, Query(description="ISO 8601 instant with offset; default now.")] = None,
    after_account_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_DUE_PAGE)] = 100,
) -> list[NoticeDueOut]:
    """Customers due a CPNI notice: none that counts yet, or the last nears two years (64.2008(d)(2))."""
    due = customers_due(
        container.notice_terms(),
        as_of=as_of or container.clock.now(),
        after_account_id=after_account_id,
        limit=limit,
    )
    return [NoticeDueOut.of(r) for r in due]


@router.get("/review-queue", responses=problem_responses(403, 422))
def get_review_queue(
    container: ContainerDep,
    _manager: ConsentManagerDep,
    limit: Annotated[int, Query(ge=1, le=MAX_REVIEW_PAGE)] = 100,
) -> list[MailOut]:
    """Emails to the marketing mailbox that staff must decide, oldest first."""
    return [MailOut.of(m) for m in review_queue(container.mailbox_terms(), limit=limit)]


@router.get("/mailbox/{message_id}", responses=RESPONSES)
def get_mail(container: ContainerDep, _manager: ConsentManagerDep, message_id: Key) -> MailOut:
    """One stored email, with the sender, subject, text and warnings cpniguard read in it."""
    mail, read = stored_mail(container.mailbox_terms(), message_id=message_id)
    return MailOut.of(mail, read)


@router.post("/review-queue/{message_id}/resolution", responses=RESPONSES)
def post_resolution(
    container: ContainerDep, manager: ConsentManagerDep, message_id: Key, body: ReviewResolutionIn
) -> MailOut:
    """Record what a message in review asks on the account named, or dismiss it."""
    mail = resolve_review(
        container.mailbox_terms(),
        message_id=message_id,
        decision=body.decision,
        account_number=body.account_number,
        asker=asker_of(manager),
    )
    return MailOut.of(mail)


@router.get("/opt-out-failures", responses=problem_responses(403, 422))
def get_failures(
    container: ContainerDep,
    _manager: ConsentManagerDep,
    limit: Annotated[int, Query(ge=1, le=MAX_INCIDENTS_PAGE)] = 50,
) -> list[IncidentOut]:
    """Opt-out failure incidents, newest first, with the letter's due date (64.2009(f))."""
    return [IncidentOut.of(i) for i in failure_incidents(container.monitor_terms(), limit=limit)]


@router.patch("/opt-out-failures/{incident_id}", responses=RESPONSES)
def patch_failure(
    container: ContainerDep, _manager: ConsentManagerDep, incident_id: Key, body: IncidentUpdateIn
) -> IncidentOut:
    """Add the remedy and its date, state-commission and customer-notice facts, letter or closing dates."""
    update = IncidentUpdate(**body.model_dump())
    return IncidentOut.of(update_incident(container.monitor_terms(), incident_id=incident_id, update=update))


@router.get(
    "/opt-out-failures/{incident_id}/letter",
    responses={**RESPONSES, 200: {"content": {"application/pdf": {}, "text/plain": {}}}},
    response_class=Response,
)
def get_failure_letter(
    container: ContainerDep,
    _manager: ConsentManagerDep,
    incident_id: Key,
    format: Annotated[str, Query(pattern="^(pdf|text)$")] = "pdf",  # noqa: A002 - the query parameter's name
) -> Response:
    """The letter to the FCC (64.2009(f)); 422 lists what staff must add to the incident first."""
    letter = _letter(container, incident_id)
    if format == "text":
        return Response(letter_text(letter), media_type="text/plain; charset=utf-8")
    return Response(render_letter_pdf(letter), media_type="application/pdf")


def _letter(container: Container, incident_id: int) -> OptOutFailureLetter:
    """The incident's letter; its missing facts named as the incident's fields, which staff PATCH."""
    try:
        return failure_letter(
            container.monitor_terms(), incident_id=incident_id, carrier=container.carrier_contact()
        )
    except InvalidInputError as error:
        problems = tuple(
            FieldProblem(INCIDENT_FIELDS.get(p.location, p.location), p.message) for p in error.problems
        )
        raise InvalidInputError(error.message, problems) from error
