"""Liveness and readiness probes; they need no token."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import APIRouter

from cpniguard.web.api.schemas import HealthOut, ReadinessOut
from cpniguard.web.deps import ContainerDep
from cpniguard.web.problems import ProblemError, problem_responses

router = APIRouter(prefix="/health", tags=["health"])
logger = logging.getLogger(__name__)


@router.get("")
def health() -> HealthOut:
    """The process is alive (liveness); says nothing about the database."""
    return HealthOut()


@router.get("/ready", responses=problem_responses(HTTPStatus.SERVICE_UNAVAILABLE))
def readiness(container: ContainerDep) -> ReadinessOut:
    """The process can serve: the database answers and is at the newest migration."""
    try:
        with container.unit_of_work() as uow:
            uow.ping()
        current, newest = container.schema_revisions()
    except Exception as error:  # noqa: BLE001  (any failure to reach the store means "not ready")
        logger.warning("readiness: the database does not answer: %s", error)
        raise ProblemError(HTTPStatus.SERVICE_UNAVAILABLE, "The database does not answer.") from None
    if current != newest:
        detail = (
            f"The database is at migration {current or 'none (empty)'}; this release needs {newest}: "
            "run `cpniguard db upgrade`."
        )
        raise ProblemError(HTTPStatus.SERVICE_UNAVAILABLE, detail)
    return ReadinessOut(database_revision=current)
