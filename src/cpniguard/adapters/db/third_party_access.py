"""The third-party access log in the database (47 CFR 64.2009(c); domain/third_party_access.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import Account, ThirdPartyAccessRecord
from cpniguard.domain.disclosure_request import RecipientClass
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.domain.third_party_access import ThirdPartyAccess

_ACCESS = ThirdPartyAccessRecord.__table__.c
MAX_PAGE = 10_000
TEXT_LIMITS = {"destination": 200, "disclosed_by": 200, "purpose": 64, "data_category": 64}


class SqlThirdPartyAccessLog:
    """ThirdPartyAccessLog over an SQLAlchemy session: every call joins the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, access: ThirdPartyAccess) -> int:
        """Append `access`, its texts cut to their columns' widths; its id."""
        values = {
            "access_log_sequence": access.access_log_sequence,
            "account_id": access.account_id,
            "recipient_class": access.recipient_class,
            "disclosed_at": access.disclosed_at,
            **{
                name: None if value is None else value[: TEXT_LIMITS[name]]
                for name, value in (
                    ("destination", access.destination),
                    ("purpose", access.purpose),
                    ("data_category", access.data_category),
                    ("disclosed_by", access.disclosed_by),
                )
            },
        }
        statement = insert(ThirdPartyAccessRecord).values(**values).returning(_ACCESS.id)
        return int(self._session.execute(statement).scalar_one())

    def between(
        self, first: datetime, last: datetime, *, after_id: int = 0, limit: int = 1000
    ) -> list[ThirdPartyAccess]:
        """Records from `first` to `last` inclusive after `after_id`, in the order recorded, with numbers."""
        if not 1 <= limit <= MAX_PAGE:
            problem = FieldProblem("limit", f"must be from 1 to {MAX_PAGE}, not {limit}")
            raise InvalidInputError("the third-party access log cannot be read", (problem,))
        query = (
            select(ThirdPartyAccessRecord.__table__, Account.account_number)
            .join(Account, Account.id == _ACCESS.account_id)
            .where(_ACCESS.disclosed_at >= first, _ACCESS.disclosed_at <= last, _ACCESS.id > after_id)
            # In the order recorded: ids follow the access log's lock, so `after_id` pages cleanly
            # even when two decisions' clocks read the other way round.
            .order_by(_ACCESS.id)
            .limit(limit)
        )
        return [
            ThirdPartyAccess(
                access_log_sequence=row.access_log_sequence,
                account_id=row.account_id,
                recipient_class=RecipientClass(row.recipient_class),
                destination=row.destination,
                purpose=row.purpose,
                data_category=row.data_category,
                disclosed_at=row.disclosed_at,
                disclosed_by=row.disclosed_by,
                id=row.id,
                account_number=row.account_number,
            )
            for row in self._session.execute(query)
        ]
