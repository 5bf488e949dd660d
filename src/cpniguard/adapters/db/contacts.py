"""Contact points of record as ledgers: a change closes the old span and opens a new one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from cpniguard.adapters.db.tables import Account, ContactPoint, NoticePreference, ServiceNumber
from cpniguard.domain.accounts import ContactKind, Language
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services.ports import NoticeProfile


class SqlContactRepository:
    """ContactRepository over the contact_points, service_numbers and notice_preferences tables."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def notice_profile(self, account_id: int) -> NoticeProfile | None:
        """The account's language, start of service and preferred notice channel."""
        row = self._session.execute(
            select(Account.language, Account.opened_at, NoticePreference.channel)
            .outerjoin(NoticePreference, NoticePreference.account_id == Account.id)
            .where(Account.id == account_id)
        ).one_or_none()
        if row is None:
            return None
        channel = None if row.channel is None else NoticeChannel(row.channel)
        return NoticeProfile(Language(row.language), row.opened_at, channel)

    def set_notice_preference(self, account_id: int, channel: NoticeChannel, *, at: datetime) -> None:
        """Update the preference, or add it (one row per account)."""
        changed = self._session.execute(
            update(NoticePreference)
            .where(NoticePreference.account_id == account_id)
            .values(channel=channel, updated_at=at)
            .returning(NoticePreference.account_id)
        ).first()
        if changed is None:
            self._session.execute(
                insert(NoticePreference).values(account_id=account_id, channel=channel, updated_at=at)
            )

    def replace_contact_point(self, account_id: int, kind: ContactKind, value: str, *, at: datetime) -> None:
        """Close the current points of `kind` at `at` (history kept) and open `value` from `at`."""
        self._session.execute(
            update(ContactPoint)
            .where(
                ContactPoint.account_id == account_id,
                ContactPoint.kind == kind,
                ContactPoint.dissociated_at.is_(None),
                ContactPoint.associated_at <= at,
            )
            .values(dissociated_at=at)
        )
        self._session.execute(
            insert(ContactPoint).values(account_id=account_id, kind=kind, value=value, associated_at=at)
        )

    def replace_service_number(
        self, account_id: int, old_number: str, new_number: str, *, at: datetime
    ) -> bool:
        """Close `old_number`'s open span at `at` and give its service `new_number` from `at`."""
        service_id = (
            self._session.execute(
                update(ServiceNumber)
                .where(
                    ServiceNumber.account_id == account_id,
                    ServiceNumber.telephone_number == old_number,
                    ServiceNumber.dissociated_at.is_(None),
                    ServiceNumber.associated_at <= at,
                )
                .values(dissociated_at=at)
                .returning(ServiceNumber.service_id)
            )
            .scalars()
            .first()
        )
        if service_id is None:
            return False
        self._session.execute(
            insert(ServiceNumber).values(
                account_id=account_id, service_id=service_id, telephone_number=new_number, associated_at=at
            )
        )
        return True
