"""A customer's access-log entries: who used or disclosed their CPNI, when, how and why."""

from __future__ import annotations

import logging
from dataclasses import replace
from http import HTTPStatus
from typing import Annotated, cast

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from starlette.types import ExceptionHandler

from cpniguard.domain.audit import TamperedLogError
from cpniguard.domain.errors import InvalidInputError
from cpniguard.services.audit import DEFAULT_PAGE_ENTRIES, MAX_PAGE_ENTRIES, list_account_access
from cpniguard.services.third_party_access import MAX_ID as MAX_THIRD_PARTY_ID
from cpniguard.services.third_party_access import MAX_PAGE as MAX_THIRD_PARTY_PAGE
from cpniguard.services.third_party_access import third_party_access_log
from cpniguard.web.api.access_log_schemas import AccessLogPageOut, ThirdPartyAccessOut
from cpniguard.web.api.consent_schemas import AsOf
from cpniguard.web.api.disclosure_schemas import AccountNumberPath
from cpniguard.web.deps import AccessLogReaderDep, ContainerDep
from cpniguard.web.problems import ProblemError, problem_response, problem_responses

router = APIRouter(tags=["access log"])
logger = logging.getLogger(__name__)


@router.get("/accounts/{account_number}/access-log", responses=problem_responses(403, 404, 422))
def access_log(
    container: ContainerDep,
    _reader: AccessLogReaderDep,
    account_number: AccountNumberPath,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_ENTRIES, description="Entries per page, newest first.")
    ] = DEFAULT_PAGE_ENTRIES,
    before: Annotated[
        int | None, Query(ge=1, description="Only entries older than this sequence (`next_before`).")
    ] = None,
) -> AccessLogPageOut:
    """Every decision about the customer's CPNI, permit or deny, from the hash-chained log.

    47 CFR 64.2009(c): the record of each use or disclosure is kept; auditors read it here
    now, the customer's own view will read the same entries. Page with `before`.
    """
    page = list_account_access(
        account_number=account_number, limit=limit, before_sequence=before, uow_factory=container.unit_of_work
    )
    return AccessLogPageOut.of(page)


@router.get("/third-party-access", responses=problem_responses(403, 422))
def third_party_access(
    container: ContainerDep,
    _reader: AccessLogReaderDep,
    first: Annotated[AsOf, Query(description="From this instant (ISO 8601 with offset), inclusive.")],
    last: Annotated[AsOf, Query(description="To this instant (ISO 8601 with offset), inclusive.")],
    limit: Annotated[int, Query(ge=1, le=MAX_THIRD_PARTY_PAGE, description="Records per page.")] = 100,
    after_id: Annotated[
        int, Query(ge=0, le=MAX_THIRD_PARTY_ID, description="Only records after this id (paging).")
    ] = 0,
) -> list[ThirdPartyAccessOut]:
    """Every permitted gate decision that gave a customer's CPNI outside the carrier, in the period.

    47 CFR 64.2009(c) (RULES 5.3): with the campaign register's `/third-party-disclosures`
    (campaign exports), the record of every instance CPNI was disclosed to, or access was given
    to, anyone but the customer and the carrier itself. Each record is a permit the gate gave at
    that moment (`POST /api/v1/decisions` included), in the order recorded; page with `after_id`.
    """
    try:
        found = third_party_access_log(
            uow_factory=container.unit_of_work, first=first, last=last, after_id=after_id, limit=limit
        )
    except InvalidInputError as error:
        named = tuple(replace(p, location=f"query.{p.location}") for p in error.problems)
        raise InvalidInputError(error.message, named) from error
    return [ThirdPartyAccessOut.of(access) for access in found]


async def _tampered(request: Request, error: TamperedLogError) -> JSONResponse:
    logger.error("access log does not hold on %s %s: %s", request.method, request.url.path, error)
    detail = f"The access log does not hold: {error}. Nothing was disclosed or changed."
    return problem_response(request, ProblemError(HTTPStatus.INTERNAL_SERVER_ERROR, detail))


def install_access_log_problem_handlers(app: FastAPI) -> None:
    """Answer a log that does not match its hashes with a problem that says so (DESIGN.md invariant 2)."""
    app.add_exception_handler(TamperedLogError, cast("ExceptionHandler", _tampered))
