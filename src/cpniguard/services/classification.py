"""Publishing the classification of every stored field (DESIGN.md invariant 4)."""

from __future__ import annotations

from cpniguard.domain.classification import FieldClassification
from cpniguard.services.ports import ClassificationCatalog


def published_classification(*, catalog: ClassificationCatalog) -> list[FieldClassification]:
    """Every stored field with its data class, sorted by table and field.

    47 U.S.C. 222(h)(1) and 64.2003(d), (g), (n): what is CPNI, call detail, or
    subscriber list information decides who may read it.
    """
    return sorted(catalog.fields(), key=lambda f: (f.table, f.field))
