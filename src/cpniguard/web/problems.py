"""Every error the API gives is an RFC 9457 problem detail (application/problem+json).

Validation errors carry `errors: [{location, message}]`, one entry per field, so a caller
can fix them all at once. Unexpected failures answer 500 with an incident id and no
internals; the traceback goes to the log under the same id.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any, TypeVar, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ExceptionHandler

from cpniguard.domain.consent_retention import RetentionFloorError
from cpniguard.domain.errors import (
    CalendarRangeError,
    FieldProblem,
    InvalidInputError,
    NotFoundError,
    NotPermittedError,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


class FieldError(BaseModel):
    """One thing wrong with one part of the request."""

    location: str = Field(description="Where: `query.skip_invalid`, `body.pin_at`, `line 7: called_number`.")
    message: str = Field(description="What is wrong, said so that a person can fix it.")

    @classmethod
    def of(cls, problem: FieldProblem) -> FieldError:
        """The domain's problem as the API states it."""
        return cls(location=problem.location, message=problem.message)


class ProblemDetail(BaseModel):
    """An RFC 9457 problem detail; some problems add members (e.g. `rejections`)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="The HTTP status phrase.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request.")
    instance: str = Field(description="The path of the request.")
    errors: list[FieldError] | None = Field(default=None, description="Every field-level problem.")


class ProblemError(Exception):
    """Raised by an endpoint to answer with a problem detail."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: Iterable[FieldProblem] = (),
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = int(status)
        self.detail = detail
        self.errors = tuple(errors)
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})


def problem_response(request: Request, error: ProblemError) -> JSONResponse:
    """The problem+json response for `error`."""
    body: dict[str, object] = {
        "type": "about:blank",
        "title": HTTPStatus(error.status).phrase,
        "status": error.status,
        "detail": error.detail,
        "instance": request.url.path,
    }
    if error.errors:
        body["errors"] = [{"location": p.location, "message": p.message} for p in error.errors]
    body.update(error.extensions)
    return JSONResponse(body, status_code=error.status, headers=error.headers, media_type=PROBLEM_MEDIA_TYPE)


async def _problem(request: Request, error: ProblemError) -> JSONResponse:
    return problem_response(request, error)


async def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    problems = [
        FieldProblem(".".join(str(part) for part in e.get("loc", ())) or "request", str(e.get("msg", "")))
        for e in error.errors()
    ]
    detail = f"The request has {len(problems)} invalid field(s); see `errors`."
    return problem_response(request, ProblemError(HTTPStatus.UNPROCESSABLE_ENTITY, detail, errors=problems))


async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    detail = str(error.detail)
    if error.status_code == HTTPStatus.NOT_FOUND and detail == HTTPStatus.NOT_FOUND.phrase:
        detail = f"Nothing is at {request.url.path}; the API is described at /docs."
    elif error.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        allowed = (error.headers or {}).get("Allow", "")
        detail = f"{request.method} is not allowed on {request.url.path}; allowed: {allowed}."
    problem = ProblemError(error.status_code, detail, headers=error.headers)
    return problem_response(request, problem)


async def _invalid_input(request: Request, error: InvalidInputError) -> JSONResponse:
    problem = ProblemError(HTTPStatus.UNPROCESSABLE_ENTITY, error.message, errors=error.problems)
    return problem_response(request, problem)


async def _not_found(request: Request, error: NotFoundError) -> JSONResponse:
    return problem_response(request, ProblemError(HTTPStatus.NOT_FOUND, str(error)))


async def _not_permitted(request: Request, error: NotPermittedError) -> JSONResponse:
    return problem_response(request, ProblemError(HTTPStatus.FORBIDDEN, str(error)))


async def _retention_floor(request: Request, error: RetentionFloorError) -> JSONResponse:
    return problem_response(request, ProblemError(HTTPStatus.CONFLICT, str(error)))


async def _outside_calendar(request: Request, error: CalendarRangeError) -> JSONResponse:
    return problem_response(request, ProblemError(HTTPStatus.UNPROCESSABLE_ENTITY, str(error)))


async def _database_unavailable(request: Request, error: OperationalError) -> JSONResponse:
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, error.orig)
    detail = "The database is not answering; nothing was changed. Try again shortly."
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return problem_response(request, ProblemError(HTTPStatus.SERVICE_UNAVAILABLE, detail, headers=headers))


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    incident = uuid.uuid4().hex
    logger.error(
        "incident %s: unhandled error on %s %s", incident, request.method, request.url.path, exc_info=error
    )
    detail = f"Something went wrong on our side; it was logged as incident {incident}."
    problem = ProblemError(HTTPStatus.INTERNAL_SERVER_ERROR, detail, extensions={"incident": incident})
    return problem_response(request, problem)


E = TypeVar("E", bound=Exception)


def _on(app: FastAPI, kind: type[E], handler: Callable[[Request, E], Awaitable[JSONResponse]]) -> None:
    # Starlette types handlers as taking any Exception; each of ours only ever gets `kind`.
    app.add_exception_handler(kind, cast("ExceptionHandler", handler))


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of `app` with a problem detail."""
    _on(app, ProblemError, _problem)
    _on(app, RequestValidationError, _invalid_request)
    _on(app, StarletteHTTPException, _http_error)
    _on(app, InvalidInputError, _invalid_input)
    _on(app, NotFoundError, _not_found)
    _on(app, NotPermittedError, _not_permitted)
    _on(app, RetentionFloorError, _retention_floor)
    _on(app, CalendarRangeError, _outside_calendar)
    _on(app, OperationalError, _database_unavailable)
    _on(app, Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` declaring problem details for `statuses`."""
    return {status: {"model": ProblemDetail, "description": HTTPStatus(status).phrase} for status in statuses}


def with_problem_media_type(openapi: dict[str, Any]) -> dict[str, Any]:
    """Declare problem responses in `openapi` as application/problem+json (FastAPI says JSON)."""
    reference = "#/components/schemas/ProblemDetail"
    for path in openapi.get("paths", {}).values():
        for operation in path.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if content.get("application/json", {}).get("schema", {}).get("$ref") == reference:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    return openapi
