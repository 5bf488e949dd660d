"""The landing page: what cpniguard is and what to try first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cpniguard import __version__
from cpniguard.web.deps import TemplatesDep

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def landing(request: Request, templates: TemplatesDep) -> HTMLResponse:
    """Say what cpniguard is, where the API is described, and what to try with curl."""
    base_url = str(request.base_url).rstrip("/")
    return templates.TemplateResponse(request, "landing.html", {"base_url": base_url, "version": __version__})
