"""The web application: JSON API under /api/v1, probes, the landing page, OpenAPI at /docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.templating import Jinja2Templates

from cpniguard import __version__
from cpniguard.bootstrap import Container
from cpniguard.web.api import (
    access_log,
    accounts,
    breach,
    call_detail,
    caller_auth,
    campaigns,
    classification,
    clock,
    consent,
    consent_admin,
    contacts,
    credentials,
    disclosure,
    health,
    interactions,
    me,
    messages,
    training,
)
from cpniguard.web.deps import token_holder
from cpniguard.web.pages import landing
from cpniguard.web.problems import install_problem_handlers, problem_responses, with_problem_media_type

TEMPLATES_DIR = Path(__file__).parent / "templates"
DESCRIPTION = (
    "The CPNI compliance engine for US carriers (47 CFR 64.2001-64.2011). Every `/api/v1` route "
    "needs `Authorization: Bearer <token>` (issue one with `cpniguard tokens issue`). Errors are "
    "RFC 9457 problem details (`application/problem+json`)."
)


class CpniguardApi(FastAPI):
    """FastAPI, with problem responses published as application/problem+json."""

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI document, built once."""
        return with_problem_media_type(super().openapi())


def create_app(
    container: Container, *, max_call_detail_batch_bytes: int = call_detail.MAX_BATCH_BYTES
) -> FastAPI:
    """The application over `container`; nothing happens until it serves a request."""
    app = CpniguardApi(title="cpniguard", version=__version__, description=DESCRIPTION, redoc_url=None)
    app.state.container = container
    app.state.templates = Jinja2Templates(directory=TEMPLATES_DIR)
    app.state.max_call_detail_batch_bytes = max_call_detail_batch_bytes
    install_problem_handlers(app)
    access_log.install_access_log_problem_handlers(app)
    disclosure.install_gate_problem_handlers(app)
    app.include_router(landing.router)
    app.include_router(health.router)
    app.include_router(_api_v1(container))
    return app


def _api_v1(container: Container) -> APIRouter:
    # The token check sits on the router, so no /api/v1 route can forget it.
    api = APIRouter(
        prefix="/api/v1", dependencies=[Depends(token_holder)], responses=problem_responses(400, 401)
    )
    api.include_router(me.router)
    api.include_router(classification.router)
    api.include_router(call_detail.router)
    api.include_router(accounts.router)
    api.include_router(access_log.router)
    api.include_router(disclosure.router)
    api.include_router(interactions.router)
    api.include_router(training.router)
    api.include_router(caller_auth.router)
    api.include_router(credentials.router)
    api.include_router(messages.router)
    api.include_router(contacts.router)
    api.include_router(consent.router)
    api.include_router(consent_admin.router)
    api.include_router(breach.router)
    api.include_router(campaigns.router)
    if clock.is_clock_adjustable(container):
        api.include_router(clock.router)
    return api
