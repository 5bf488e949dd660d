"""47 CFR 64.2010(f): account-change notices go to the old contact of record, never carry the new value."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from tests.conftest import TEST_NOW

from cpniguard.adapters.notify.templates import JinjaMessageRenderer
from cpniguard.domain.accounts import ContactKind, ContactPoint, Language, ServiceNumber
from cpniguard.domain.errors import NotFoundError
from cpniguard.domain.notifications import AccountChange, NoticeChannel
from cpniguard.services.notices import notify_account_change
from cpniguard.services.ports import NoticeProfile, OutboundMessage

OPENED = TEST_NOW - timedelta(days=400)
OLD_EMAIL, NEW_EMAIL = "old.holder@example.com", "new.holder@example.net"
OLD_POSTAL, NEW_POSTAL = "12 Elm St, Springfield, IL 62701", "99 Oak Ave, Chicago, IL 60601"
OLD_NUMBER, NEW_NUMBER = "+12125550100", "+13125557890"
ACCOUNT = 7

CONTACT_CHANGES = {
    AccountChange.EMAIL_ADDRESS: (ContactKind.EMAIL_ADDRESS, OLD_EMAIL, NEW_EMAIL),
    AccountChange.POSTAL_ADDRESS: (ContactKind.POSTAL_ADDRESS, OLD_POSTAL, NEW_POSTAL),
}
OLD_CONTACT = {
    NoticeChannel.EMAIL: OLD_EMAIL,
    NoticeChannel.SMS: OLD_NUMBER,
    NoticeChannel.VOICE: OLD_NUMBER,
    NoticeChannel.LETTER: OLD_POSTAL,
}


@dataclass
class FakeAccounts:
    points: list[ContactPoint] = field(default_factory=list)
    numbers: list[ServiceNumber] = field(default_factory=list)

    def ids_by_number(self) -> dict[str, int]:
        return {}

    def key_of(self, account_number: str) -> int | None:
        del account_number
        return None

    def contact_points(self, account_id: int) -> list[ContactPoint]:
        return list(self.points) if account_id == ACCOUNT else []

    def service_numbers(self, account_id: int) -> list[ServiceNumber]:
        return list(self.numbers) if account_id == ACCOUNT else []


@dataclass
class FakeContacts:
    profile: NoticeProfile

    def notice_profile(self, account_id: int) -> NoticeProfile | None:
        return self.profile if account_id == ACCOUNT else None

    def set_notice_preference(self, account_id: int, channel: NoticeChannel, *, at: datetime) -> None:
        del account_id, at
        self.profile = NoticeProfile(self.profile.language, self.profile.opened_at, channel)

    def replace_contact_point(self, account_id: int, kind: ContactKind, value: str, *, at: datetime) -> None:
        raise NotImplementedError

    def replace_service_number(
        self, account_id: int, old_number: str, new_number: str, *, at: datetime
    ) -> bool:
        raise NotImplementedError


@dataclass
class FakeOutbox:
    written: dict[str, OutboundMessage] = field(default_factory=dict)

    def enqueue(self, message: OutboundMessage, *, at: datetime) -> bool:
        del at
        if message.idempotency_key in self.written:
            return False
        self.written[message.idempotency_key] = message
        return True


@dataclass
class NoticeUow:
    accounts: FakeAccounts
    contacts: FakeContacts
    outbox: FakeOutbox = field(default_factory=FakeOutbox)


def account_with_contacts(
    *, preferred: NoticeChannel | None = None, language: Language = Language.EN
) -> NoticeUow:
    """An account open 400 days with an email, a postal address and a number of record since then."""
    points = [
        ContactPoint(ContactKind.EMAIL_ADDRESS, OLD_EMAIL, OPENED),
        ContactPoint(ContactKind.POSTAL_ADDRESS, OLD_POSTAL, OPENED),
        ContactPoint(ContactKind.CONTACT_TELEPHONE, "+13125550199", OPENED),
    ]
    profile = NoticeProfile(language, OPENED, preferred)
    return NoticeUow(FakeAccounts(points, [ServiceNumber(OLD_NUMBER, OPENED)]), FakeContacts(profile))


def apply_change(uow: NoticeUow, change: AccountChange, at: datetime) -> str | None:
    """Make the change the way services/contacts.py does: old span closes at `at`, new opens."""
    if change is AccountChange.TELEPHONE_NUMBER_OF_RECORD:
        uow.accounts.numbers = [ServiceNumber(OLD_NUMBER, OPENED, at), ServiceNumber(NEW_NUMBER, at)]
        return NEW_NUMBER
    if change not in CONTACT_CHANGES:
        return None
    kind, old, new = CONTACT_CHANGES[change]
    others = [p for p in uow.accounts.points if p.kind is not kind]
    uow.accounts.points = [*others, ContactPoint(kind, old, OPENED, at), ContactPoint(kind, new, at)]
    return new


def notify(uow: NoticeUow, change: AccountChange, at: datetime = TEST_NOW) -> OutboundMessage | None:
    return notify_account_change(
        uow, account_id=ACCOUNT, change=change, at=at, renderer=JinjaMessageRenderer()
    )


@pytest.mark.parametrize("preferred", [None, *NoticeChannel])
@pytest.mark.parametrize("change", list(AccountChange))
def test_each_change_is_notified_to_the_old_contact_without_the_new_value(
    change: AccountChange, preferred: NoticeChannel | None
) -> None:
    uow = account_with_contacts(preferred=preferred)
    new_value = apply_change(uow, change, TEST_NOW)
    message = notify(uow, change)
    assert message is not None
    assert message.channel is (preferred or NoticeChannel.SMS)
    assert message.recipient == OLD_CONTACT[message.channel]
    assert list(uow.outbox.written.values()) == [message]
    if new_value is not None:
        assert new_value not in message.body
        assert new_value not in (message.subject or "")
        assert message.recipient != new_value


def test_the_notice_says_what_changed_and_when_and_how_to_report_fraud() -> None:
    uow = account_with_contacts(preferred=NoticeChannel.EMAIL)
    message = notify(uow, AccountChange.BACKUP_ANSWER)
    assert message is not None
    assert "the answer to your backup question" in message.body
    assert "November 2, 2026" in message.body
    assert "fraud" in message.body
    assert message.template == "account_change"


def test_the_notice_is_in_the_account_language() -> None:
    uow = account_with_contacts(language=Language.FR)
    message = notify(uow, AccountChange.PIN)
    assert message is not None
    assert message.language is Language.FR
    assert "votre NIP" in message.body


def test_an_email_younger_than_30_days_is_not_of_record_so_the_notice_falls_back() -> None:
    uow = account_with_contacts(preferred=NoticeChannel.EMAIL)
    young = TEST_NOW - timedelta(days=29)
    uow.accounts.points = [
        ContactPoint(ContactKind.EMAIL_ADDRESS, OLD_EMAIL, OPENED, young),
        ContactPoint(ContactKind.EMAIL_ADDRESS, NEW_EMAIL, young),
    ]
    message = notify(uow, AccountChange.PASSWORD)
    assert message is not None
    assert (message.channel, message.recipient) == (NoticeChannel.SMS, OLD_NUMBER)


def test_a_contact_telephone_the_customer_gave_never_receives_a_notice() -> None:
    uow = account_with_contacts(preferred=NoticeChannel.SMS)
    uow.accounts.numbers = []
    uow.accounts.points = [p for p in uow.accounts.points if p.kind is ContactKind.CONTACT_TELEPHONE]
    assert notify(uow, AccountChange.PASSWORD) is None
    assert uow.outbox.written == {}


def test_what_is_set_at_activation_sends_no_notice() -> None:
    uow = account_with_contacts()
    assert notify(uow, AccountChange.PASSWORD, at=OPENED) is None
    assert uow.outbox.written == {}


def test_the_same_change_writes_one_message_under_a_deterministic_key() -> None:
    uow = account_with_contacts()
    first = notify(uow, AccountChange.ONLINE_ACCOUNT)
    second = notify(uow, AccountChange.ONLINE_ACCOUNT)
    assert first == second
    assert list(uow.outbox.written) == [f"account_change:{ACCOUNT}:online_account:{TEST_NOW.isoformat()}"]


def test_an_unknown_account_is_refused() -> None:
    uow = account_with_contacts()
    with pytest.raises(NotFoundError):
        notify_account_change(
            uow,
            account_id=ACCOUNT + 1,
            change=AccountChange.PIN,
            at=TEST_NOW,
            renderer=JinjaMessageRenderer(),
        )
