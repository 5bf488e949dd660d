"""CPNI breaches over HTTP (issue 6; 47 CFR 64.2011, 47 CFR 1.4(e)).

Compliance officers open a breach, append what they learn to its timeline, list the accounts it
affected, read its deadlines, send its customer notices, close, reopen and, past the 2-year floor
of 64.2011(d), purge it. Supervisors and auditors read the record, its deadlines and documents.
The days the Commission was closed, which move every business-day deadline, are kept here too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse, Response

from cpniguard.adapters.pdf.breach_documents import agency_report_pdf, annual_summary_pdf
from cpniguard.bootstrap import Container
from cpniguard.domain.accounts import Language
from cpniguard.domain.breach_report import agency_report_json
from cpniguard.domain.breach_roles import can_keep_calendar, can_read_breaches
from cpniguard.domain.breach_summary import FIRST_YEAR, LAST_YEAR, annual_summary_json
from cpniguard.domain.breach_timeline import BreachEvent, BreachEventKind, BreachStatus, breach_facts_from
from cpniguard.domain.consent_retention import RetentionFloorError
from cpniguard.domain.errors import CalendarRangeError, FieldProblem, InvalidInputError
from cpniguard.services.breach import (
    MAX_LISTING,
    BreachDeadlines,
    breach_deadlines_for,
    breach_record,
    breach_status,
    breach_timeline,
    close_breach,
    list_breaches,
    open_breach,
    purge_breach,
    record_breach_event,
    reopen_breach,
)
from cpniguard.services.breach_accounts import add_affected_accounts, affected_account_count
from cpniguard.services.breach_documents import agency_report_for, annual_summary_for
from cpniguard.services.breach_notices import preview_customer_notice, send_customer_notices
from cpniguard.services.commission_closures import add_closure, list_closures, remove_closure
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import TokenHolder
from cpniguard.web.api.breach_schemas import (
    AffectedAccountsIn,
    AffectedAccountsOut,
    BreachDetailOut,
    BreachEventIn,
    BreachEventOut,
    BreachIn,
    BreachOut,
    ClosureIn,
    ClosureOut,
    CustomerNoticePreviewOut,
    CustomerNoticeRunOut,
    Day,
    DeadlinesOut,
    PurgedOut,
    StatusChangeIn,
)
from cpniguard.web.api.disclosure import asker_of
from cpniguard.web.deps import (
    BreachKeeperDep,
    BreachReaderDep,
    CalendarKeeperDep,
    ContainerDep,
    TokenHolderDep,
)
from cpniguard.web.problems import FieldError, ProblemError, problem_responses

router = APIRouter(tags=["breaches"])
RESPONSES = problem_responses(403, 404, 422)
BreachId = Annotated[int, Path(ge=1, le=2**62)]
Format = Annotated[Literal["json", "pdf"], Query(description="json (default) or pdf.")]
DOCUMENT_RESPONSES = {**RESPONSES, 200: {"content": {"application/json": {}, "application/pdf": {}}}}
STATUS_FIELDS = {"details.status": "status", "details.reason": "reason"}
"""The status event's details, named as the PATCH body's fields."""
T = TypeVar("T")


def _calendar_reader(holder: TokenHolderDep) -> TokenHolder:
    """Breach readers see the closures their deadlines skip; calendar keepers see what they keep."""
    if not (can_read_breaches(holder.role) or can_keep_calendar(holder.role)):
        raise ProblemError(
            HTTPStatus.FORBIDDEN, f"The role '{holder.role}' may not read the FCC's closed days."
        )
    return holder


CalendarReaderDep = Annotated[TokenHolder, Depends(_calendar_reader)]


# --- the record


@router.post("/breaches", status_code=HTTPStatus.CREATED, responses=problem_responses(403, 422))
def post_breach(container: ContainerDep, keeper: BreachKeeperDep, body: BreachIn) -> BreachOut:
    """Open a breach's record under the carrier's reference, never reused (64.2011(d))."""
    breach = open_breach(container.breach_context(), reference=body.reference, asker=asker_of(keeper))
    return BreachOut.of(breach)


@router.get("/breaches", responses=problem_responses(403, 422))
def get_breaches(
    container: ContainerDep,
    _reader: BreachReaderDep,
    status: Annotated[Literal["open", "closed", "all"], Query(description="Which breaches.")] = "all",
    after_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LISTING)] = 100,
) -> list[BreachOut]:
    """Breaches in id order after `after_id`: open ones, closed ones, or all."""
    closed = {"open": False, "closed": True, "all": None}[status]
    listed = list_breaches(uow_factory=container.unit_of_work, closed=closed, after_id=after_id, limit=limit)
    return [BreachOut.of(b) for b in listed]


@router.get("/breaches/{breach_id}", responses=RESPONSES)
def get_breach(container: ContainerDep, _reader: BreachReaderDep, breach_id: BreachId) -> BreachDetailOut:
    """The breach, where its handling stands, how many accounts it lists, and its facts so far."""
    return _detail(container, breach_id)


@router.patch("/breaches/{breach_id}", responses=RESPONSES)
def patch_breach(
    container: ContainerDep, keeper: BreachKeeperDep, breach_id: BreachId, body: StatusChangeIn
) -> BreachDetailOut:
    """Move the handling on: `closed` closes (the 2-year retention starts), `open` reopens a closed one.

    Other statuses are recorded on the timeline (64.2011(d)); a closed breach takes none of them.
    """
    context, asker = container.breach_context(), asker_of(keeper)
    if body.status is BreachStatus.CLOSED:
        _named(STATUS_FIELDS, close_breach, context, breach_id=breach_id, reason=body.reason, asker=asker)
    elif body.status is BreachStatus.OPEN and _is_closed(container, breach_id):
        _named(STATUS_FIELDS, reopen_breach, context, breach_id=breach_id, reason=body.reason, asker=asker)
    else:
        _record_status(container, breach_id, body, asker)
    return _detail(container, breach_id)


@router.delete("/breaches/{breach_id}", responses=problem_responses(403, 404, 409, 422))
def delete_breach(container: ContainerDep, keeper: BreachKeeperDep, breach_id: BreachId) -> PurgedOut:
    """Purge a breach closed more than 2 years ago; 409 inside the floor of 64.2011(d), nothing deleted."""
    try:
        removed = purge_breach(container.breach_context(), breach_id=breach_id, asker=asker_of(keeper))
    except RetentionFloorError as error:
        raise ProblemError(
            HTTPStatus.CONFLICT,
            f"The breach's record must be kept: {error}.",
            errors=(FieldProblem("breach_id", str(error)),),
        ) from error
    return PurgedOut(breach_id=breach_id, events_removed=removed)


def _detail(container: Container, breach_id: int) -> BreachDetailOut:
    events = breach_timeline(uow_factory=container.unit_of_work, breach_id=breach_id)
    breach = breach_record(uow_factory=container.unit_of_work, breach_id=breach_id)
    affected = affected_account_count(container.breach_context(), breach_id=breach_id)
    return BreachDetailOut.with_record(
        breach,
        status=breach_status(events, breach),
        affected_accounts=affected,
        events=events,
        facts=breach_facts_from(events),
    )


def _is_closed(container: Container, breach_id: int) -> bool:
    return breach_record(uow_factory=container.unit_of_work, breach_id=breach_id).closed_at is not None


def _record_status(container: Container, breach_id: int, body: StatusChangeIn, asker: Asker) -> None:
    now = container.clock.now()
    details = {"status": str(body.status), "reason": body.reason}
    event = BreachEvent(BreachEventKind.STATUS_CHANGED, now, now, asker.label, details=details)
    context = container.breach_context()
    _named(STATUS_FIELDS, record_breach_event, context, breach_id=breach_id, event=event, asker=asker)


def _named(names: Mapping[str, str], use_case: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Run `use_case`, its refusal's locations named as the request names them."""
    try:
        return use_case(*args, **kwargs)
    except InvalidInputError as error:
        problems = tuple(FieldProblem(names.get(p.location, p.location), p.message) for p in error.problems)
        raise InvalidInputError(error.message, problems) from error


# --- the timeline and the affected accounts


@router.post("/breaches/{breach_id}/events", status_code=HTTPStatus.CREATED, responses=RESPONSES)
def post_event(
    container: ContainerDep, keeper: BreachKeeperDep, breach_id: BreachId, body: BreachEventIn
) -> BreachEventOut:
    """Append a fact or a step to the timeline; checked against it first, so bad input writes nothing."""
    recorded = record_breach_event(
        container.breach_context(), breach_id=breach_id, event=body.to_event(), asker=asker_of(keeper)
    )
    return BreachEventOut.of(recorded)


@router.get("/breaches/{breach_id}/events", responses=RESPONSES)
def get_events(
    container: ContainerDep, _reader: BreachReaderDep, breach_id: BreachId
) -> list[BreachEventOut]:
    """The timeline in the order it was recorded (the 64.2011(d) record)."""
    return [
        BreachEventOut.of(e) for e in breach_timeline(uow_factory=container.unit_of_work, breach_id=breach_id)
    ]


@router.post("/breaches/{breach_id}/affected-accounts", responses=RESPONSES)
def post_affected_accounts(
    container: ContainerDep, keeper: BreachKeeperDep, breach_id: BreachId, body: AffectedAccountsIn
) -> AffectedAccountsOut:
    """Record accounts the breach affected; one the carrier does not hold refuses the whole batch."""
    affected = add_affected_accounts(
        container.breach_context(),
        breach_id=breach_id,
        account_numbers=body.account_numbers,
        asker=asker_of(keeper),
    )
    return AffectedAccountsOut.of(affected)


@router.get("/breaches/{breach_id}/deadlines", responses=RESPONSES)
def get_deadlines(container: ContainerDep, _reader: BreachReaderDep, breach_id: BreachId) -> DeadlinesOut:
    """Every notice deadline, how it was computed and its rule (64.2011); 422 until determined."""
    return DeadlinesOut.of(_deadlines(container, breach_id))


def _deadlines(container: Container, breach_id: int) -> BreachDeadlines:
    return _in_calendar(
        "timeline",
        lambda: breach_deadlines_for(
            uow_factory=container.unit_of_work,
            breach_id=breach_id,
            calendar=container.business_calendar(),
            amendments_effective_on=container.settings.breach.amendments_effective_on,
            annual_summary_due=container.annual_summary_due(),
        ),
    )


def _in_calendar(location: str, compute: Callable[[], T]) -> T:
    """`compute()`; a date outside the business-day calendar's years is the request's problem, not ours."""
    try:
        return compute()
    except CalendarRangeError as error:
        problem = FieldProblem(location, str(error))
        raise InvalidInputError("the deadlines cannot be counted in FCC business days", (problem,)) from error


# --- documents


@router.get("/breaches/{breach_id}/agency-report", responses=DOCUMENT_RESPONSES, response_class=Response)
def get_agency_report(
    container: ContainerDep,
    _reader: BreachReaderDep,
    breach_id: BreachId,
    format: Format = "json",  # noqa: A002 - the query parameter's name
) -> Response:
    """The agency report with the 64.2011(a)(1) items, each cited; `missing` names what is still absent."""
    report = agency_report_for(
        uow_factory=container.unit_of_work,
        breach_id=breach_id,
        carrier=container.carrier_contact(),
        amendments_effective_on=container.settings.breach.amendments_effective_on,
    )
    if format == "pdf":
        return Response(agency_report_pdf(report), media_type="application/pdf")
    return JSONResponse(agency_report_json(report))


@router.get("/breach-annual-summaries/{year}", responses=DOCUMENT_RESPONSES, response_class=Response)
def get_annual_summary(
    container: ContainerDep,
    _reader: BreachReaderDep,
    year: Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR)],
    format: Format = "json",  # noqa: A002 - the query parameter's name
) -> Response:
    """The summary of `year`'s small breaches, due the configured day of the next year (64.2011(a)(3))."""
    summary = _in_calendar(
        "year",
        lambda: annual_summary_for(
            uow_factory=container.unit_of_work,
            year=year,
            carrier=container.carrier_contact(),
            calendar=container.business_calendar(),
            amendments_effective_on=container.settings.breach.amendments_effective_on,
            annual_summary_due=container.annual_summary_due(),
        ),
    )
    if format == "pdf":
        return Response(annual_summary_pdf(summary), media_type="application/pdf")
    return JSONResponse(annual_summary_json(summary))


@router.get("/breaches/{breach_id}/customer-notice", responses=RESPONSES)
def get_customer_notice(
    container: ContainerDep,
    _reader: BreachReaderDep,
    breach_id: BreachId,
    language: Language = Language.EN,
    by_mail: bool = False,
) -> CustomerNoticePreviewOut:
    """The customer notice as it would go out now, by email or letter, for review (RULES 8.6)."""
    rendered = preview_customer_notice(
        container.breach_notice_terms(), breach_id=breach_id, language=language, by_mail=by_mail
    )
    return CustomerNoticePreviewOut(
        language=str(language),
        by_mail=by_mail,
        subject=rendered.subject,
        body=rendered.body,
        missing=[FieldError.of(problem) for problem in rendered.missing],
    )


@router.post("/breaches/{breach_id}/customer-notices", status_code=HTTPStatus.ACCEPTED, responses=RESPONSES)
def post_customer_notices(
    container: ContainerDep, keeper: BreachKeeperDep, breach_id: BreachId
) -> CustomerNoticeRunOut:
    """Queue the notice for every affected account in the outbox; 422 while customers may not be told."""
    terms = container.breach_notice_terms()
    run = _in_calendar(
        "timeline", lambda: send_customer_notices(terms, breach_id=breach_id, asker=asker_of(keeper))
    )
    return CustomerNoticeRunOut.of(run)


# --- the Commission's closed days


@router.get("/calendar/commission-closures", responses=problem_responses(403, 422))
def get_closures(
    container: ContainerDep,
    _reader: CalendarReaderDep,
    first: Annotated[Day | None, Query(description="From this day (YYYY-MM-DD), inclusive.")] = None,
    last: Annotated[Day | None, Query(description="To this day (YYYY-MM-DD), inclusive.")] = None,
) -> list[ClosureOut]:
    """The days recorded as Commission closures beyond the federal holidays, in date order."""
    return [
        ClosureOut.of(c) for c in list_closures(uow_factory=container.unit_of_work, first=first, last=last)
    ]


@router.post(
    "/calendar/commission-closures", status_code=HTTPStatus.CREATED, responses=problem_responses(403, 422)
)
def post_closure(container: ContainerDep, keeper: CalendarKeeperDep, body: ClosureIn) -> ClosureOut:
    """Record a weekday the Commission was closed: every business-day count after it skips it (1.4(e)(1))."""
    closure = add_closure(
        container.breach_context(), day=body.day, reason=body.reason, asker=asker_of(keeper)
    )
    return ClosureOut.of(closure)


@router.delete("/calendar/commission-closures/{day}", status_code=HTTPStatus.NO_CONTENT, responses=RESPONSES)
def delete_closure(
    container: ContainerDep, keeper: CalendarKeeperDep, day: Annotated[Day, Path(description="YYYY-MM-DD.")]
) -> Response:
    """Take a day recorded in error off the list."""
    remove_closure(container.breach_context(), day=day, asker=asker_of(keeper))
    return Response(status_code=HTTPStatus.NO_CONTENT)
