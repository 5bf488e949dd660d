"""Who the bearer token speaks for."""

from __future__ import annotations

from fastapi import APIRouter

from cpniguard.web.api.schemas import TokenHolderOut
from cpniguard.web.deps import TokenHolderDep

router = APIRouter(tags=["tokens"])


@router.get("/me")
def me(holder: TokenHolderDep) -> TokenHolderOut:
    """The token's id, label, role and employee, if any."""
    return TokenHolderOut.of(holder)
