"""Customers with email addresses of record, and reading back the consent ledger, for the CLI tests.

The CLI runs on the real clock (outside production an unpinned AdjustableClock), so ages of
record are counted back from the real now.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session
from tests.conftest import make_settings
from tests.factories import add_account, add_contact_point

from cpniguard.adapters.db.tables import (
    Account,
    ConsentState,
    MailboxMessage,
    NoticePreference,
    OutboxMessage,
)
from cpniguard.bootstrap import build_container
from cpniguard.domain.accounts import ContactKind, Language
from cpniguard.domain.consent_events import ConsentEvent
from cpniguard.domain.disclosure_request import Approval
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services.consent import ConsentReport, consent_events, consent_report

OF_RECORD_DAYS = 60
"""Older than the 30 days that make an address one of record (47 CFR 64.2003(b))."""


def add_customer(
    engine: Engine,
    email: str,
    *,
    language: Language = Language.EN,
    email_notices: bool = False,
    postal: str | None = None,
) -> tuple[int, str]:
    """Commit an account whose email (and postal address) has been on it OF_RECORD_DAYS."""
    on_account_since = datetime.now(UTC) - timedelta(days=OF_RECORD_DAYS)
    with Session(engine) as session:
        account_id, number = add_account(session, language=language, opened_at=on_account_since)
        add_contact_point(
            session, account_id, ContactKind.EMAIL_ADDRESS, email, associated_at=on_account_since
        )
        if postal is not None:
            add_contact_point(
                session, account_id, ContactKind.POSTAL_ADDRESS, postal, associated_at=on_account_since
            )
        if email_notices:
            session.execute(
                insert(NoticePreference).values(
                    account_id=account_id, channel=NoticeChannel.EMAIL, updated_at=on_account_since
                )
            )
        session.commit()
    return account_id, number


def ledger(url: str, account_number: str) -> list[ConsentEvent]:
    """The account's consent ledger, read through the service."""
    container = build_container(make_settings(url))
    try:
        return consent_events(uow_factory=container.unit_of_work, account_number=account_number)
    finally:
        container.dispose()


def report_now(url: str, account_number: str) -> ConsentReport:
    """The account's approvals now, read through the service."""
    container = build_container(make_settings(url))
    try:
        return consent_report(
            uow_factory=container.unit_of_work, account_number=account_number, as_of=datetime.now(UTC)
        )
    finally:
        container.dispose()


def projection(engine: Engine, account_number: str) -> dict[str, list[tuple[Approval, int | None, bool]]]:
    """The stored projection (what the gate reads): per scope, (approval, basis event, open-ended)."""
    query = (
        select(ConsentState)
        .join(Account, Account.id == ConsentState.account_id)
        .where(Account.account_number == account_number)
        .order_by(ConsentState.valid_from)
    )
    found: dict[str, list[tuple[Approval, int | None, bool]]] = {}
    with Session(engine) as session:
        for row in session.scalars(query):
            scope = f"{row.recipient_class}:{row.partner}" if row.partner else str(row.recipient_class)
            found.setdefault(scope, []).append((row.approval, row.basis_event_id, row.valid_until is None))
    return found


def outbox(engine: Engine) -> list[OutboxMessage]:
    """Every message the outbox holds, oldest first."""
    with Session(engine) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def mailbox_messages(engine: Engine) -> list[MailboxMessage]:
    """Every email the marketing mailbox stored, oldest first."""
    with Session(engine) as session:
        return list(session.scalars(select(MailboxMessage).order_by(MailboxMessage.id)))
