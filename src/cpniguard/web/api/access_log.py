"""A customer's access-log entries: who used or disclosed their CPNI, when, how and why."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Annotated, cast

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from starlette.types import ExceptionHandler

from cpniguard.domain.audit import TamperedLogError
from cpniguard.services.audit import DEFAULT_PAGE_ENTRIES, MAX_PAGE_ENTRIES, list_account_access
from cpniguard.web.api.access_log_schemas import AccessLogPageOut
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


async def _tampered(request: Request, error: TamperedLogError) -> JSONResponse:
    logger.error("access log does not hold on %s %s: %s", request.method, request.url.path, error)
    detail = f"The access log does not hold: {error}. Nothing was disclosed or changed."
    return problem_response(request, ProblemError(HTTPStatus.INTERNAL_SERVER_ERROR, detail))


def install_access_log_problem_handlers(app: FastAPI) -> None:
    """Answer a log that does not match its hashes with a problem that says so (DESIGN.md invariant 2)."""
    app.add_exception_handler(TamperedLogError, cast("ExceptionHandler", _tampered))
