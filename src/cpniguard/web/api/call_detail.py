"""Bulk loading of call detail records over HTTP, with the CLI's semantics.

47 CFR 64.2003(d): call detail is the strictest CPNI. A load stores every valid row of
the body in one transaction or nothing; reloading the same records adds nothing.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from cpniguard.bootstrap import Container
from cpniguard.domain.call_detail import MAX_LOADED_BY_CHARACTERS
from cpniguard.domain.errors import InputTooLargeError
from cpniguard.services.call_detail import IngestRejectedError, IngestReport, ingest_call_detail
from cpniguard.services.ports import CallDetailSource, TokenHolder
from cpniguard.web.api.schemas import NO_CONTROL_CHARACTERS, IngestBatchOut, RowRejectionOut
from cpniguard.web.deps import CallDetailLoaderDep, ContainerDep
from cpniguard.web.problems import ProblemError, problem_responses

MAX_BATCH_BYTES = 256 * 1024 * 1024
"""Largest body accepted, and the most a gzipped body may expand to: the whole body is held
in memory, and a gzipped one may hold no more records than a plain one could."""
CSV_MEDIA_TYPES = frozenset({"text/csv", "application/gzip", "application/x-gzip"})
DEFAULT_SOURCE_NAME = "http request body"

router = APIRouter(tags=["call detail"])

_BODY_DOCUMENTATION = {
    "requestBody": {
        "required": True,
        "description": "CSV with a header row naming call detail columns; gzipped CSV is accepted too.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/gzip": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post(
    "/call-detail-records/batches",
    status_code=HTTPStatus.CREATED,
    openapi_extra=_BODY_DOCUMENTATION,
    responses=problem_responses(403, 413, 415, 422),
)
async def load_call_detail_batch(
    request: Request,
    loader: CallDetailLoaderDep,
    container: ContainerDep,
    skip_invalid: Annotated[
        bool, Query(description="Load the valid rows and return the rejected ones instead of refusing.")
    ] = False,
    source_name: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=NO_CONTROL_CHARACTERS,
            description="Recorded with the batch.",
        ),
    ] = None,
) -> IngestBatchOut:
    """Load call detail records from the body; all or nothing unless `skip_invalid`.

    An invalid row refuses the whole body with 422, listing every bad row by line; with
    `skip_invalid` the valid rows are stored and the rejects returned. Records already
    stored (same source_system and record_id) are counted in `duplicates_skipped`.
    """
    _refuse_unless_csv(request.headers.get("content-type"))
    limit = int(request.app.state.max_call_detail_batch_bytes)
    body = await _read_body(request, limit=limit)
    source = container.call_detail_body(
        source_name or DEFAULT_SOURCE_NAME, body, max_decompressed_bytes=limit
    )
    return await run_in_threadpool(_load, source, loader, container, skip_invalid=skip_invalid)


def _refuse_unless_csv(content_type: str | None) -> None:
    media_type, *parameters = (part.strip() for part in (content_type or "").split(";"))
    if media_type.lower() not in CSV_MEDIA_TYPES:
        detail = f"Send the records as text/csv or application/gzip, not {media_type or 'nothing'}."
        raise ProblemError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, detail)
    charsets = [
        p.partition("=")[2].strip('"').lower() for p in parameters if p.lower().startswith("charset=")
    ]
    if any(charset not in {"utf-8", "utf8"} for charset in charsets):
        raise ProblemError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "The records must be UTF-8 text.")


async def _read_body(request: Request, *, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> ProblemError:
    return ProblemError(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        f"The body is larger than {limit:,} bytes; split the records into several batches.",
    )


def _expands_too_far(error: InputTooLargeError) -> ProblemError:
    return ProblemError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, error.message, errors=error.problems)


def _load(
    source: CallDetailSource, loader: TokenHolder, container: Container, *, skip_invalid: bool
) -> IngestBatchOut:
    try:
        report = ingest_call_detail(
            source=source,
            loaded_by=_loader_name(loader),
            skip_invalid=skip_invalid,
            uow_factory=container.unit_of_work,
            clock=container.clock,
        )
    except IngestRejectedError as error:
        raise _rejected(error) from None
    except InputTooLargeError as error:
        raise _expands_too_far(error) from None
    return IngestBatchOut.of(report, _batch_id(report))


def _loader_name(loader: TokenHolder) -> str:
    # Labels are printable (token_label); a long one is cut to fit the batch record.
    return f"api token {loader.token_id} ({loader.label})"[:MAX_LOADED_BY_CHARACTERS]


def _rejected(error: IngestRejectedError) -> ProblemError:
    rejections = [RowRejectionOut.of(r).model_dump() for r in error.report.rejections]
    return ProblemError(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        error.message,
        errors=error.problems,
        extensions={"rejections": rejections},
    )


def _batch_id(report: IngestReport) -> int:
    if report.batch_id is None:
        raise RuntimeError("a committed load has a batch id")
    return report.batch_id
