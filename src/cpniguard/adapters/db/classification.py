"""The classification of every column, read from the table definitions."""

from __future__ import annotations

from sqlalchemy import MetaData

from cpniguard.adapters.db.tables import Base
from cpniguard.domain.classification import DataClass, FieldClassification


class UnclassifiedColumnError(LookupError):
    """A column was defined without a data class."""


class TableClassificationCatalog:
    """ClassificationCatalog over SQLAlchemy metadata."""

    def __init__(self, metadata: MetaData = Base.metadata) -> None:
        self._metadata = metadata

    def fields(self) -> list[FieldClassification]:
        """Every column of every table, with its class; raises on an unclassified one."""
        found: list[FieldClassification] = []
        for table in sorted(self._metadata.tables.values(), key=lambda t: t.name):
            for column in table.columns:
                data_class = column.info.get("data_class")
                if not isinstance(data_class, DataClass):
                    raise UnclassifiedColumnError(f"{table.name}.{column.name} has no data class")
                found.append(
                    FieldClassification(
                        table.name, column.name, data_class, str(column.info.get("description", ""))
                    )
                )
        return found
