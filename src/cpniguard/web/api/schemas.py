"""Request and response bodies of the JSON API, apart from tables and domain types."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import WithJsonSchema

from cpniguard.domain.accounts import ContactKind
from cpniguard.domain.classification import (
    CPNI_CLASSES,
    DATA_CLASS_MEANINGS,
    DataClass,
    FieldClassification,
)
from cpniguard.domain.employees import Role
from cpniguard.services.accounts import ContactsOfRecord
from cpniguard.services.call_detail import IngestReport
from cpniguard.services.ports import RowRejection, TokenHolder
from cpniguard.web.problems import FieldError

NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"
"""Pattern for identifiers from URLs: PostgreSQL text cannot hold NUL, and no name needs a control."""


class HealthOut(BaseModel):
    """The process answers."""

    status: Literal["ok"] = "ok"


class ReadinessOut(BaseModel):
    """The process can serve: the database answers and is at the newest migration."""

    status: Literal["ready"] = "ready"
    database_revision: str | None = Field(description="The migration the database is at.")


class TokenHolderOut(BaseModel):
    """Who the bearer token speaks for."""

    token_id: int
    label: str = Field(description="What the token was issued for.")
    role: Role
    employee_id: int | None = Field(description="The employee it belongs to; null for an integration.")

    @classmethod
    def of(cls, holder: TokenHolder) -> Self:
        """The body for `holder`."""
        return cls(
            token_id=holder.token_id, label=holder.label, role=holder.role, employee_id=holder.employee_id
        )


class DataClassOut(BaseModel):
    """A data class and what it covers."""

    data_class: DataClass
    meaning: str
    is_cpni: bool = Field(description="Whether reading it needs a permitted disclosure decision.")


class FieldClassificationOut(BaseModel):
    """The data class of one stored field."""

    table: str
    field: str
    data_class: DataClass
    description: str
    is_cpni: bool


class ClassificationOut(BaseModel):
    """Every data class, and every stored field with its class (DESIGN.md invariant 4)."""

    classes: list[DataClassOut]
    fields: list[FieldClassificationOut]

    @classmethod
    def of(cls, fields: list[FieldClassification]) -> Self:
        """The published classification of `fields`."""
        return cls(
            classes=[
                DataClassOut(data_class=c, meaning=DATA_CLASS_MEANINGS[c], is_cpni=c in CPNI_CLASSES)
                for c in DataClass
            ],
            fields=[
                FieldClassificationOut(
                    table=f.table,
                    field=f.field,
                    data_class=f.data_class,
                    description=f.description,
                    is_cpni=f.is_cpni,
                )
                for f in fields
            ],
        )


class RowRejectionOut(BaseModel):
    """A row left out of a load, with every reason."""

    line_number: int = Field(description="Line in the CSV, the header being line 1.")
    problems: list[FieldError]

    @classmethod
    def of(cls, rejection: RowRejection) -> Self:
        """The body for `rejection`."""
        problems = [FieldError.of(problem) for problem in rejection.problems]
        return cls(line_number=rejection.line_number, problems=problems)


class IngestBatchOut(BaseModel):
    """What a load of call detail did."""

    batch_id: int
    source_name: str
    rows_read: int
    rows_loaded: int = Field(description="New records stored.")
    duplicates_skipped: int = Field(description="Records already stored (same source system and id).")
    rows_rejected: int
    rejections: list[RowRejectionOut] = Field(description="Invalid rows left out (skip_invalid only).")

    @classmethod
    def of(cls, report: IngestReport, batch_id: int) -> Self:
        """The body for a committed load."""
        return cls(
            batch_id=batch_id,
            source_name=report.source_name,
            rows_read=report.rows_read,
            rows_loaded=report.rows_loaded,
            duplicates_skipped=report.duplicates_skipped,
            rows_rejected=report.rows_rejected,
            rejections=[RowRejectionOut.of(r) for r in report.rejections],
        )


class ClockOut(BaseModel):
    """The server's clock (development and test only)."""

    now: datetime


class ClockChange(BaseModel):
    """Pin the clock at an instant, or move it by a duration; exactly one of the two."""

    model_config = ConfigDict(extra="forbid")

    pin_at: AwareDatetime | None = Field(
        default=None, description="Stop the clock at this instant (with a UTC offset)."
    )
    advance_by: Annotated[
        timedelta | None,
        WithJsonSchema(
            {"anyOf": [{"type": "number"}, {"type": "string", "format": "duration"}, {"type": "null"}]}
        ),
    ] = Field(
        default=None,
        description="Move the clock by this much: seconds, or an ISO 8601 duration (P30D); may be negative.",
    )

    @field_validator("advance_by", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("give seconds or an ISO 8601 duration, not true or false")  # noqa: TRY004
        return value

    @field_validator("pin_at", mode="before")
    @classmethod
    def _written_out(cls, value: object) -> object:
        if value is not None and not isinstance(value, str):
            raise ValueError("give an ISO 8601 instant with a UTC offset, not a number")
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.pin_at is None) == (self.advance_by is None):
            raise ValueError("give exactly one of pin_at or advance_by")
        return self


class ContactPointOut(BaseModel):
    """A contact point on the account at the instant asked about."""

    kind: ContactKind
    value: str
    associated_at: datetime
    dissociated_at: datetime | None
    is_of_record: bool = Field(description="On the account at least 30 days at that instant (64.2003(b)).")
    of_record_from: datetime | None = Field(
        description="When it becomes of record; null for contact telephones."
    )


class TelephoneNumberOfRecordOut(BaseModel):
    """A service number on the account at the instant asked about (64.2003(q))."""

    telephone_number: str
    associated_at: datetime
    dissociated_at: datetime | None


class ContactPointsOut(BaseModel):
    """An account's contact points and telephone numbers of record as of an instant."""

    account_number: str
    as_of: datetime
    contact_points: list[ContactPointOut]
    telephone_numbers_of_record: list[TelephoneNumberOfRecordOut] = Field(
        description="The service's numbers; callbacks go only to these, never to a contact telephone."
    )

    @classmethod
    def of(cls, account_number: str, as_of: datetime, found: ContactsOfRecord) -> Self:
        """The answer for `found`."""
        return cls(
            account_number=account_number,
            as_of=as_of,
            telephone_numbers_of_record=[
                TelephoneNumberOfRecordOut(
                    telephone_number=n.telephone_number,
                    associated_at=n.associated_at,
                    dissociated_at=n.dissociated_at,
                )
                for n in found.telephone_numbers_of_record
            ],
            contact_points=[
                ContactPointOut(
                    kind=f.point.kind,
                    value=f.point.value,
                    associated_at=f.point.associated_at,
                    dissociated_at=f.point.dissociated_at,
                    is_of_record=f.is_of_record,
                    of_record_from=f.of_record_from,
                )
                for f in found.contact_points
            ],
        )
