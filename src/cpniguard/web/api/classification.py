"""The published classification of every stored field (DESIGN.md invariant 4)."""

from __future__ import annotations

from fastapi import APIRouter

from cpniguard.services.classification import published_classification
from cpniguard.web.api.schemas import ClassificationOut
from cpniguard.web.deps import ContainerDep

router = APIRouter(tags=["classification"])


@router.get("/classification")
def classification(container: ContainerDep) -> ClassificationOut:
    """Every data class with its meaning, and every stored field with its class.

    47 U.S.C. 222(h)(1) and 47 CFR 64.2003(d), (g), (n): whether a field is CPNI, call
    detail or subscriber list information decides who may read it. Any role may ask.
    """
    return ClassificationOut.of(published_classification(catalog=container.classification))
