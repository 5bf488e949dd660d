"""CPNI notice versions, due accounts and mailings in the database (64.2003(b), 64.2008(b)-(d))."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, update
from sqlalchemy.orm import Session
from tests.factories import add_account, add_contact_point

from cpniguard.adapters.db import consent_notices
from cpniguard.adapters.db.consent import SqlConsentLedger
from cpniguard.adapters.db.consent_notices import SqlConsentNotices, notice_version_of
from cpniguard.adapters.db.tables import Account, NoticePreference, OutboxMessage
from cpniguard.domain.accounts import AccountStatus, ContactKind, Language
from cpniguard.domain.consent_events import ConsentEvent, ConsentEventKind, NoticeMedium
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.domain.notices import CPNI_NOTICE_EMAIL_TEMPLATE, CPNI_NOTICE_LETTER_TEMPLATE
from cpniguard.domain.notifications import DeliveryStatus, NoticeChannel
from cpniguard.services.consent_ports import DeliveredNotice, NoticeRecipient, NoticeVersion

CUTOFF = datetime(2024, 11, 2, 15, 0, tzinfo=UTC)
AS_OF = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
"""The mailing's instant, two years after the cutoff."""
OF_RECORD = AS_OF - timedelta(days=30)
VERSION = "2026-01"
TEXTS = {
    "en": {"subject": "Your privacy choices", "rights_and_duty": "Federal law..."},
    "fr": {"subject": "Vos"},
}


@pytest.fixture
def session(connection):
    with Session(bind=connection, join_transaction_mode="create_savepoint") as opened:
        yield opened


@pytest.fixture
def notices(session: Session) -> SqlConsentNotices:
    store = SqlConsentNotices(session)
    assert store.add_version(NoticeVersion(VERSION, 30, TEXTS, CUTOFF, "legal"))
    return store


@pytest.fixture
def ledger(session: Session) -> SqlConsentLedger:
    return SqlConsentLedger(session)


def notice(
    at: datetime, medium: NoticeMedium = NoticeMedium.EMAIL, reference: str | None = None
) -> ConsentEvent:
    return ConsentEvent(
        ConsentEventKind.NOTICE_SENT,
        at,
        at,
        "notice-worker",
        notice_version=VERSION,
        notice_medium=medium,
        reference=reference,
    )


def add_outbox(
    session: Session,
    account_id: int,
    key: str,
    status: DeliveryStatus,
    *,
    template: str = CPNI_NOTICE_EMAIL_TEMPLATE,
    sent_at: datetime | None = None,
    channel: NoticeChannel = NoticeChannel.EMAIL,
) -> None:
    session.execute(
        insert(OutboxMessage).values(
            idempotency_key=key,
            account_id=account_id,
            channel=channel,
            recipient="ana@customer.example",
            language=Language.EN,
            template=template,
            subject="Your privacy choices",
            body="...",
            status=status,
            attempts=1,
            next_attempt_at=CUTOFF,
            created_at=CUTOFF,
            sent_at=sent_at,
        )
    )


def due(notices: SqlConsentNotices, accounts: list[int], *, limit: int = 100) -> list[NoticeRecipient]:
    return notices.due(
        last_notice_before=CUTOFF, as_of=AS_OF, after_account_id=min(accounts) - 1, limit=limit
    )


def due_ids(notices: SqlConsentNotices, accounts: list[int]) -> list[int]:
    return [r.account_id for r in due(notices, accounts)]


# ---------------------------------------------------------------- due accounts


def test_accounts_never_noticed_or_last_noticed_before_the_cutoff_are_due(session, notices, ledger):
    never, old, recent, mailed, oral_only, bounced_recent = (add_account(session)[0] for _ in range(6))
    ledger.append(old, notice(CUTOFF - timedelta(days=1)))
    ledger.append(old, notice(CUTOFF - timedelta(days=400), NoticeMedium.MAIL))
    ledger.append(recent, notice(CUTOFF))
    ledger.append(mailed, notice(CUTOFF + timedelta(days=3), NoticeMedium.MAIL))
    ledger.append(oral_only, notice(CUTOFF + timedelta(days=3), NoticeMedium.ORAL))
    ledger.append(bounced_recent, notice(CUTOFF - timedelta(days=10), NoticeMedium.MAIL))
    bounced = ledger.append(bounced_recent, notice(CUTOFF + timedelta(days=10)))
    assert bounced is not None
    ledger.append(
        bounced_recent,
        ConsentEvent(
            ConsentEventKind.NOTICE_BOUNCED, CUTOFF + timedelta(days=11), AS_OF, "mailbox", refers_to=bounced
        ),
    )

    found = {r.account_id: r.last_notice_at for r in due(notices, [never, bounced_recent])}

    assert found == {
        never: None,
        old: CUTOFF - timedelta(days=1),
        oral_only: None,
        bounced_recent: CUTOFF - timedelta(days=10),
    }


def test_only_active_accounts_are_due(session, notices):
    active, suspended, closed = (add_account(session)[0] for _ in range(3))
    for account, status in ((suspended, AccountStatus.SUSPENDED), (closed, AccountStatus.CLOSED)):
        session.execute(update(Account).where(Account.id == account).values(status=status))

    assert due_ids(notices, [active, suspended, closed]) == [active]


def test_an_account_with_a_notice_already_on_its_way_is_not_due(session, notices, ledger):
    pending, letter, sending, sent_unrecorded, sent_recorded, dead, other_template = (
        add_account(session)[0] for _ in range(7)
    )
    add_outbox(session, pending, "cpni-notice:2026-01:1:a", DeliveryStatus.PENDING)
    add_outbox(
        session,
        letter,
        "cpni-notice:2026-01:bounce-3:a",
        DeliveryStatus.PENDING,
        template=CPNI_NOTICE_LETTER_TEMPLATE,
        channel=NoticeChannel.LETTER,
    )
    add_outbox(session, sending, "cpni-notice:2026-01:1:b", DeliveryStatus.SENDING)
    add_outbox(session, sent_unrecorded, "cpni-notice:2026-01:1:c", DeliveryStatus.SENT, sent_at=CUTOFF)
    add_outbox(session, sent_recorded, "cpni-notice:2026-01:1:d", DeliveryStatus.SENT, sent_at=CUTOFF)
    ledger.append(sent_recorded, notice(CUTOFF - timedelta(days=2), reference="cpni-notice:2026-01:1:d"))
    add_outbox(session, dead, "cpni-notice:2026-01:1:e", DeliveryStatus.DEAD)
    add_outbox(session, other_template, "account_change:f", DeliveryStatus.PENDING, template="account_change")

    assert due_ids(notices, [pending, other_template]) == [sent_recorded, dead, other_template]


def test_a_due_account_gets_its_newest_addresses_of_record_at_the_mailings_instant(session, notices):
    account, number = add_account(session, language=Language.FR)
    email, postal = ContactKind.EMAIL_ADDRESS, ContactKind.POSTAL_ADDRESS
    add_contact_point(
        session, account, email, "old@customer.example", associated_at=OF_RECORD - timedelta(days=90)
    )
    add_contact_point(session, account, email, "held@customer.example", associated_at=OF_RECORD)
    add_contact_point(
        session, account, email, "new@customer.example", associated_at=OF_RECORD + timedelta(days=1)
    )
    add_contact_point(
        session,
        account,
        postal,
        "1 Main St, Springfield, IL 62701",
        associated_at=OF_RECORD - timedelta(days=90),
    )
    add_contact_point(
        session,
        account,
        postal,
        "9 Gone Rd, Springfield, IL 62701",
        associated_at=OF_RECORD - timedelta(days=10),
        dissociated_at=AS_OF,
    )
    session.execute(
        insert(NoticePreference).values(account_id=account, channel=NoticeChannel.EMAIL, updated_at=CUTOFF)
    )

    assert due(notices, [account]) == [
        NoticeRecipient(
            account_id=account,
            account_number=number,
            language=Language.FR,
            last_notice_at=None,
            email_of_record="held@customer.example",
            postal_address_of_record="1 Main St, Springfield, IL 62701",
            accepts_email_notices=True,
        )
    ]


def test_a_due_account_without_addresses_of_record_or_email_preference_gets_none(session, notices):
    letter, nothing = add_account(session)[0], add_account(session)[0]
    add_contact_point(
        session,
        letter,
        ContactKind.EMAIL_ADDRESS,
        "fresh@customer.example",
        associated_at=AS_OF - timedelta(days=29),
    )
    add_contact_point(
        session,
        letter,
        ContactKind.POSTAL_ADDRESS,
        "2 Left St, Springfield, IL 62701",
        associated_at=CUTOFF,
        dissociated_at=AS_OF - timedelta(seconds=1),
    )
    add_contact_point(session, letter, ContactKind.CONTACT_TELEPHONE, "+12125550111", associated_at=CUTOFF)
    session.execute(
        insert(NoticePreference).values(account_id=letter, channel=NoticeChannel.LETTER, updated_at=CUTOFF)
    )

    found = due(notices, [letter, nothing])

    assert [(r.email_of_record, r.postal_address_of_record, r.accepts_email_notices) for r in found] == [
        (None, None, False),
        (None, None, False),
    ]


def test_addresses_of_record_are_read_for_a_page_in_slices(session, notices, monkeypatch):
    monkeypatch.setattr(consent_notices, "ADDRESS_QUERY_ACCOUNTS", 2)
    accounts = [add_account(session)[0] for _ in range(5)]
    for account in accounts:
        add_contact_point(
            session, account, ContactKind.EMAIL_ADDRESS, f"{account}@customer.example", associated_at=CUTOFF
        )

    found = due(notices, accounts)

    assert [(r.account_id, r.email_of_record) for r in found] == [
        (a, f"{a}@customer.example") for a in accounts
    ]


def test_due_accounts_are_paged_by_key(session, notices):
    accounts = [add_account(session)[0] for _ in range(5)]

    first = notices.due(last_notice_before=CUTOFF, as_of=AS_OF, after_account_id=accounts[0] - 1, limit=2)
    second = notices.due(
        last_notice_before=CUTOFF, as_of=AS_OF, after_account_id=first[-1].account_id, limit=2
    )
    last = notices.due(
        last_notice_before=CUTOFF, as_of=AS_OF, after_account_id=second[-1].account_id, limit=2
    )

    assert [[r.account_id for r in page] for page in (first, second, last)] == [
        accounts[:2],
        accounts[2:4],
        accounts[4:],
    ]
    assert notices.due(last_notice_before=CUTOFF, as_of=AS_OF, after_account_id=accounts[-1], limit=2) == []


def test_a_due_list_is_refused_for_naive_instants_or_an_empty_page(notices):
    with pytest.raises(InvalidInputError) as refused:
        notices.due(
            last_notice_before=CUTOFF.replace(tzinfo=None),
            as_of=AS_OF.replace(tzinfo=None),
            after_account_id=0,
            limit=0,
        )

    assert [p.location for p in refused.value.problems] == ["last_notice_before", "as_of", "limit"]


def test_one_accounts_recipient_has_its_addresses_of_record_at_the_instant_asked(session, notices, ledger):
    account, number = add_account(session)
    session.execute(update(Account).where(Account.id == account).values(status=AccountStatus.SUSPENDED))
    add_contact_point(
        session, account, ContactKind.EMAIL_ADDRESS, "ana@customer.example", associated_at=OF_RECORD
    )
    ledger.append(account, notice(AS_OF - timedelta(days=1)))

    recipient = notices.notice_recipient(account, as_of=AS_OF)
    earlier = notices.notice_recipient(account, as_of=AS_OF - timedelta(seconds=1))

    assert recipient == NoticeRecipient(
        account_id=account,
        account_number=number,
        language=Language.EN,
        last_notice_at=AS_OF - timedelta(days=1),
        email_of_record="ana@customer.example",
        postal_address_of_record=None,
        accepts_email_notices=False,
    )
    assert earlier is not None
    assert earlier.email_of_record is None
    assert notices.notice_recipient(account + 1000, as_of=AS_OF) is None
    with pytest.raises(InvalidInputError, match="cannot be read"):
        notices.notice_recipient(account, as_of=AS_OF.replace(tzinfo=None))


# ---------------------------------------------------------------- notice versions


def test_a_notice_version_reads_back_and_is_never_replaced(notices):
    changed = NoticeVersion(VERSION, 60, {"en": {"subject": "Other"}}, AS_OF, "someone")
    newer = NoticeVersion("2026-06", 45, TEXTS, AS_OF, "legal")

    assert not notices.add_version(changed)
    assert notices.add_version(newer)

    assert notices.version(VERSION) == NoticeVersion(VERSION, 30, TEXTS, CUTOFF, "legal")
    assert notices.version("1999-01") is None
    assert [v.version for v in notices.versions()][:2] == ["2026-06", VERSION]


@pytest.mark.parametrize(
    ("field", "value", "location"),
    [
        ("waiting_period_days", 29, "waiting_period_days"),
        ("version", " ", "version"),
        ("version", "v" * 65, "version"),
        ("created_by", "c" * 201, "created_by"),
        ("created_at", datetime(2026, 1, 1), "created_at"),  # noqa: DTZ001  (the naive instant is the point)
        ("texts", {}, "texts"),
    ],
)
def test_a_notice_version_the_table_cannot_hold_is_refused(notices, field, value, location):
    version = dataclasses.replace(NoticeVersion("2027-01", 30, TEXTS, AS_OF, "legal"), **{field: value})

    with pytest.raises(InvalidInputError) as refused:
        notices.add_version(version)

    assert [p.location for p in refused.value.problems] == [location]
    assert notices.version("2027-01") is None


# ---------------------------------------------------------------- mailings


def test_a_mailing_moves_forward_adds_up_and_finishes_once(notices):
    batch = notices.start_batch(kind="biennial", notice_version=VERSION, as_of=AS_OF, at=AS_OF, by="ops")

    notices.advance_batch(batch, cursor_account_id=100, queued=90, skipped=10)
    notices.advance_batch(batch, cursor_account_id=100, queued=0, skipped=0)
    notices.advance_batch(batch, cursor_account_id=250, queued=140, skipped=5)
    notices.finish_batch(batch, at=AS_OF + timedelta(hours=2))
    notices.finish_batch(batch, at=AS_OF + timedelta(hours=3))

    state = notices.batch(batch)
    assert state is not None
    assert (state.kind, state.notice_version, state.as_of, state.started_by) == (
        "biennial",
        VERSION,
        AS_OF,
        "ops",
    )
    assert (state.cursor_account_id, state.queued, state.skipped) == (250, 230, 15)
    assert state.finished_at == AS_OF + timedelta(hours=2)
    with pytest.raises(InvalidInputError, match="is finished"):
        notices.advance_batch(batch, cursor_account_id=300, queued=1, skipped=0)


def test_a_mailing_never_moves_back_nor_counts_down(notices):
    batch = notices.start_batch(kind="initial", notice_version=VERSION, as_of=AS_OF, at=AS_OF, by="ops")
    notices.advance_batch(batch, cursor_account_id=100, queued=1, skipped=0)

    with pytest.raises(InvalidInputError) as refused:
        notices.advance_batch(batch, cursor_account_id=99, queued=-1, skipped=-2)

    assert [p.location for p in refused.value.problems] == ["queued", "skipped", "cursor_account_id"]
    state = notices.batch(batch)
    assert state is not None
    assert (state.cursor_account_id, state.queued, state.skipped, state.finished_at) == (100, 1, 0, None)


def test_an_unknown_mailing_is_not_found(notices):
    batch = notices.start_batch(kind="initial", notice_version=VERSION, as_of=AS_OF, at=AS_OF, by="ops")

    assert notices.batch(batch + 1000) is None
    with pytest.raises(NotFoundError):
        notices.advance_batch(batch + 1000, cursor_account_id=1, queued=0, skipped=0)
    with pytest.raises(NotFoundError):
        notices.finish_batch(batch + 1000, at=AS_OF)


def test_a_mailing_is_refused_for_an_unknown_version_or_bad_fields(notices):
    with pytest.raises(InvalidInputError) as refused:
        notices.start_batch(
            kind="", notice_version="1999-01", as_of=AS_OF.replace(tzinfo=None), at=AS_OF, by="b" * 201
        )

    assert [p.location for p in refused.value.problems] == ["kind", "by", "as_of", "notice_version"]


# ---------------------------------------------------------------- delivered notices


def test_delivered_notices_are_those_sent_and_not_yet_in_the_ledger_oldest_first(session, notices, ledger):
    account, other = add_account(session)[0], add_account(session)[0]
    later, recorded = (f"cpni-notice:{VERSION}:7:{n}" for n in (account, 99))
    earlier = f"cpni-notice:{VERSION}:bounce-4:{other}"
    add_outbox(session, account, later, DeliveryStatus.SENT, sent_at=AS_OF + timedelta(hours=1))
    add_outbox(
        session,
        other,
        earlier,
        DeliveryStatus.SENT,
        sent_at=AS_OF,
        channel=NoticeChannel.LETTER,
        template=CPNI_NOTICE_LETTER_TEMPLATE,
    )
    add_outbox(session, account, recorded, DeliveryStatus.SENT, sent_at=AS_OF)
    ledger.append(account, notice(AS_OF, reference=recorded))
    add_outbox(session, account, f"cpni-notice:{VERSION}:7:pending", DeliveryStatus.PENDING)
    add_outbox(
        session, account, "account_change:1", DeliveryStatus.SENT, template="account_change", sent_at=AS_OF
    )

    found = notices.delivered_notices(limit=10)

    assert found == [
        DeliveredNotice(other, earlier, "letter", AS_OF, VERSION),
        DeliveredNotice(account, later, "email", AS_OF + timedelta(hours=1), VERSION),
    ]
    assert notices.delivered_notices(limit=1) == found[:1]
    with pytest.raises(InvalidInputError):
        notices.delivered_notices(limit=0)


@pytest.mark.parametrize(
    ("key", "version"),
    [("cpni-notice:2026-01:3:41", "2026-01"), ("cpni-notice:v:2:b:3:41", "v:2:b")],
)
def test_the_notice_version_is_read_from_the_outbox_key(key, version):
    assert notice_version_of(key) == version


@pytest.mark.parametrize("key", ["cpni-notice:2026-01:3", "account_change:2026-01:3:4", "cpni-notice::3:4"])
def test_a_key_that_is_not_a_notices_is_refused(key):
    with pytest.raises(ValueError, match="is not a notice's outbox key"):
        notice_version_of(key)
