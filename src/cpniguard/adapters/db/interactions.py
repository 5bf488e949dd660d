"""Interactions and the authentication each reached (64.2010(a))."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, literal, select, update
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import Interaction, InteractionAuthentication
from cpniguard.domain.disclosure_request import AuthenticationMethod, Channel
from cpniguard.domain.interactions import Interaction as InteractionValue
from cpniguard.services.ports import InteractionRecord


class SqlInteractionRepository:
    """InteractionRepository over an SQLAlchemy session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def open(self, opening: InteractionRecord) -> int:
        """Insert an open interaction."""
        statement = insert(Interaction).values(
            account_id=opening.account_id,
            channel=opening.channel,
            employee_id=opening.employee_id,
            caller_number=opening.caller_number,
            started_at=opening.started_at,
            expires_at=opening.expires_at,
        )
        return int(self._session.execute(statement.returning(Interaction.id)).scalar_one())

    def get(self, interaction_id: int) -> InteractionValue | None:
        """The interaction and every method it reached."""
        row = self._session.get(Interaction, interaction_id)
        if row is None:
            return None
        methods = self._session.scalars(
            select(InteractionAuthentication.method).where(
                InteractionAuthentication.interaction_id == interaction_id
            )
        )
        return InteractionValue(
            id=row.id,
            account_id=row.account_id,
            channel=Channel(row.channel),
            started_at=row.started_at,
            ended_at=row.ended_at,
            authentication=frozenset(AuthenticationMethod(m) for m in methods),
            expires_at=row.expires_at,
        )

    def extend(self, interaction_id: int, *, until: datetime) -> None:
        """Move expires_at out to `until` on an open interaction; never shorten it."""
        self._session.execute(
            update(Interaction)
            .where(
                Interaction.id == interaction_id,
                Interaction.ended_at.is_(None),
                Interaction.expires_at < until,
            )
            .values(expires_at=until)
        )

    def end(self, interaction_id: int, *, at: datetime) -> bool:
        """Set ended_at on an open interaction."""
        statement = (
            update(Interaction)
            .where(Interaction.id == interaction_id, Interaction.ended_at.is_(None))
            .values(ended_at=at)
            .returning(Interaction.id)
        )
        return self._session.execute(statement).scalar_one_or_none() is not None

    def record_authentication(
        self, interaction_id: int, method: AuthenticationMethod, *, at: datetime
    ) -> None:
        """Insert the method reached, once per interaction (one statement: no read of the interaction)."""
        reached = InteractionAuthentication
        already = select(reached.id).where(reached.interaction_id == interaction_id, reached.method == method)
        row = select(
            Interaction.account_id,
            Interaction.id,
            literal(method, reached.method.type),
            literal(at, reached.reached_at.type),
        ).where(Interaction.id == interaction_id, ~already.exists())
        columns = ["account_id", "interaction_id", "method", "reached_at"]
        self._session.execute(insert(reached).from_select(columns, row))
