"""The gate over HTTP: ask for a decision, or read CPNI through one (DESIGN.md invariants 1-3).

A deny of a read answers 403 with the reasons and the alternatives; an unknown value or a
missing interaction answers 422 naming each field; an unknown account answers 404. Every
one of them is in the access log, and the answer says which entry.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from cpniguard.domain.actors import actor_kind_of
from cpniguard.domain.disclosure_request import Channel, Destination, Purpose, RecipientClass
from cpniguard.domain.errors import FieldProblem
from cpniguard.services.disclosure import (
    Asker,
    CallDetailWindow,
    DisclosureAsk,
    DisclosureDeniedError,
    InvalidAskError,
    UnknownAccountError,
    decide_disclosure,
    read_call_detail,
    read_invoices,
    read_services,
)
from cpniguard.services.ports import TokenHolder
from cpniguard.web.api.disclosure_schemas import (
    E164_PATTERN,
    AccountNumberPath,
    CallDetailPageOut,
    DecisionAskIn,
    DecisionOut,
    InvoicesOut,
    ServicesOut,
    Value,
    decision_members,
    one_of,
)
from cpniguard.web.deps import ContainerDep, TokenHolderDep
from cpniguard.web.problems import ProblemError, problem_response, problem_responses

router = APIRouter(tags=["disclosure"])
MAX_DECISION_BODY_BYTES = 16 * 1024
MAX_CALL_DETAIL_PAGE = 5000
DEFAULT_CALL_DETAIL_DAYS = 31
MAX_INVOICES = 120


def asker_of(holder: TokenHolder) -> Asker:
    """The actor a bearer token speaks for: an integration, or an employee."""
    kind = actor_kind_of(holder.role)
    return Asker(kind=kind, role=holder.role, label=holder.label, employee_id=holder.employee_id)


def _small_body(request: Request) -> None:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_DECISION_BODY_BYTES:
        detail = f"A decision request is at most {MAX_DECISION_BODY_BYTES} bytes; this one is {length}."
        raise ProblemError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, detail)


@router.post(
    "/decisions",
    responses=problem_responses(404, 413, 422),
    dependencies=[Depends(_small_body)],
)
def ask_for_decision(container: ContainerDep, holder: TokenHolderDep, body: DecisionAskIn) -> DecisionOut:
    """Decide whether a use or disclosure of CPNI is allowed, without reading any data.

    The answer (permit or deny) carries conditions, reasons with citations, alternatives,
    the rule set, and the access-log entry that records it.
    """
    values = body.model_dump(
        include={"data_category", "purpose", "channel", "recipient", "destination", "offering_category"}
    )
    ask = DisclosureAsk(
        account_number=body.account_number,
        values=values,
        interaction_id=body.interaction_id,
        legal_process_reference=body.legal_process_reference,
        written_request_reference=body.written_request_reference,
        stated_call_number=body.stated_call_number,
    )
    answer = decide_disclosure(
        uow_factory=container.unit_of_work, clock=container.clock, asker=asker_of(holder), ask=ask
    )
    return DecisionOut.of(answer)


class ReadQuery(BaseModel):
    """The query parameters every CPNI read takes: why, how, for whom, in which interaction."""

    model_config = ConfigDict(extra="forbid")

    purpose: Value = Field(description=one_of(Purpose))
    channel: Value = Field(description=one_of(Channel))
    recipient: Value = Field(description=one_of(RecipientClass))
    interaction_id: int | None = Field(default=None, ge=1, description="Required on contact channels.")
    destination: Value | None = Field(default=None, description=one_of(Destination))
    stated_call_number: str | None = Field(
        default=None, pattern=E164_PATTERN, description="A number the customer named unaided (64.2010(b))."
    )

    def ask(self, account_number: str) -> DisclosureAsk:
        """The gate's request for this account."""
        values = {"purpose": self.purpose, "channel": self.channel, "recipient": self.recipient}
        return DisclosureAsk(
            account_number=account_number,
            values={**values, "destination": self.destination},
            interaction_id=self.interaction_id,
            stated_call_number=self.stated_call_number,
        )


class CallDetailQuery(ReadQuery):
    """A read of call detail: the gate's parameters and the window of calls."""

    start: AwareDatetime | None = Field(
        default=None, description="From (inclusive); default 31 days before end."
    )
    end: AwareDatetime | None = Field(default=None, description="Until (exclusive); default now.")
    limit: int = Field(default=500, ge=1, le=MAX_CALL_DETAIL_PAGE)


class InvoiceQuery(ReadQuery):
    """A read of bills."""

    limit: int = Field(default=12, ge=1, le=MAX_INVOICES)


READ_RESPONSES = problem_responses(403, 404, 422)


def default_window_start(until: datetime) -> datetime:
    """The default window's start, clamped to the first representable instant for an `end` near year 1."""
    earliest = datetime.min.replace(tzinfo=UTC)
    if until - earliest <= timedelta(days=DEFAULT_CALL_DETAIL_DAYS):
        return earliest
    return until - timedelta(days=DEFAULT_CALL_DETAIL_DAYS)


@router.get("/accounts/{account_number}/call-detail-records", responses=READ_RESPONSES)
def call_detail_records(
    container: ContainerDep,
    holder: TokenHolderDep,
    account_number: AccountNumberPath,
    query: Annotated[CallDetailQuery, Query()],
) -> CallDetailPageOut:
    """The account's calls, through the gate (47 CFR 64.2010(b)): a deny is 403 with alternatives."""
    until = query.end or container.clock.now()
    since = query.start or default_window_start(until)
    if since >= until:
        problem = FieldProblem("query.start", "must be before end")
        raise ProblemError(HTTPStatus.UNPROCESSABLE_ENTITY, "`start` must be before `end`.", errors=[problem])
    disclosed = read_call_detail(
        uow_factory=container.unit_of_work,
        clock=container.clock,
        asker=asker_of(holder),
        ask=query.ask(account_number),
        window=CallDetailWindow(since, until, query.limit),
    )
    return CallDetailPageOut.of(disclosed)


@router.get("/accounts/{account_number}/invoices", responses=READ_RESPONSES)
def invoices(
    container: ContainerDep,
    holder: TokenHolderDep,
    account_number: AccountNumberPath,
    query: Annotated[InvoiceQuery, Query()],
) -> InvoicesOut:
    """The account's bills, newest first, through the gate (222(h)(1)(B))."""
    disclosed = read_invoices(
        uow_factory=container.unit_of_work,
        clock=container.clock,
        asker=asker_of(holder),
        ask=query.ask(account_number),
        limit=query.limit,
    )
    return InvoicesOut.of(disclosed)


@router.get("/accounts/{account_number}/services", responses=READ_RESPONSES)
def services(
    container: ContainerDep,
    holder: TokenHolderDep,
    account_number: AccountNumberPath,
    query: Annotated[ReadQuery, Query()],
) -> ServicesOut:
    """The account's services, through the gate (222(h)(1)(A))."""
    disclosed = read_services(
        uow_factory=container.unit_of_work,
        clock=container.clock,
        asker=asker_of(holder),
        ask=query.ask(account_number),
    )
    return ServicesOut.of(disclosed)


async def _denied(request: Request, error: DisclosureDeniedError) -> JSONResponse:
    answer = error.answer
    extensions = {**decision_members(answer.decision), "access_log_sequence": answer.access_log_sequence}
    detail = "The gate denied this disclosure: " + str(error)
    return problem_response(request, ProblemError(HTTPStatus.FORBIDDEN, detail, extensions=extensions))


async def _invalid_ask(request: Request, error: InvalidAskError) -> JSONResponse:
    answer = error.answer
    extensions = {**decision_members(answer.decision), "access_log_sequence": answer.access_log_sequence}
    problem = ProblemError(
        HTTPStatus.UNPROCESSABLE_ENTITY, error.message, errors=error.problems, extensions=extensions
    )
    return problem_response(request, problem)


async def _unknown_account(request: Request, error: UnknownAccountError) -> JSONResponse:
    extensions = {"access_log_sequence": error.answer.access_log_sequence}
    return problem_response(request, ProblemError(HTTPStatus.NOT_FOUND, str(error), extensions=extensions))


def install_gate_problem_handlers(app: FastAPI) -> None:
    """Answer the gate's refusals with problem details that carry the logged decision."""
    app.add_exception_handler(DisclosureDeniedError, _denied)  # type: ignore[arg-type]
    app.add_exception_handler(InvalidAskError, _invalid_ask)  # type: ignore[arg-type]
    app.add_exception_handler(UnknownAccountError, _unknown_account)  # type: ignore[arg-type]
