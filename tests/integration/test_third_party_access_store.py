"""The third-party access log's store (47 CFR 64.2009(c)): append-only, read by period and page.

Real SQLite, and PostgreSQL with CPNIGUARD_TEST_DATABASE_URL; each test's writes are rolled back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from tests.factories import add_account

from cpniguard.adapters.db.third_party_access import SqlThirdPartyAccessLog
from cpniguard.domain.campaigns import CampaignSponsor
from cpniguard.domain.disclosure_request import RecipientClass
from cpniguard.domain.errors import InvalidInputError
from cpniguard.domain.third_party_access import ThirdPartyAccess, is_third_party, is_third_party_access
from cpniguard.services.campaign_audiences import is_disclosed_to_third_party

AT = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
def session(connection):
    with Session(bind=connection, join_transaction_mode="create_savepoint") as opened:
        yield opened


def access(account_id: int, sequence: int, at: datetime = AT, **changes: object) -> ThirdPartyAccess:
    recorded = ThirdPartyAccess(
        access_log_sequence=sequence,
        account_id=account_id,
        recipient_class=RecipientClass.JOINT_VENTURE_PARTNER,
        destination="partner SFTP drop",
        purpose="marketing_by_partners",
        data_category="cpni",
        disclosed_at=at,
        disclosed_by="pat.partnerships",
    )
    return replace(recorded, **changes)  # type: ignore[arg-type]


def test_records_read_back_by_period_in_order_with_account_numbers_and_pages(session):
    account_id, number = add_account(session)
    store = SqlThirdPartyAccessLog(session)
    ids = [store.record(access(account_id, n, AT + timedelta(minutes=n))) for n in (1, 2, 3)]
    store.record(access(account_id, 4, AT + timedelta(days=2)))

    found = store.between(AT, AT + timedelta(hours=1))

    assert [(a.id, a.access_log_sequence, a.account_number) for a in found] == [
        (ids[0], 1, number),
        (ids[1], 2, number),
        (ids[2], 3, number),
    ]
    assert found[0] == replace(
        access(account_id, 1, AT + timedelta(minutes=1)), id=ids[0], account_number=number
    )
    assert [a.id for a in store.between(AT, AT + timedelta(hours=1), after_id=ids[0], limit=1)] == [ids[1]]


def test_pages_follow_the_order_recorded_even_when_clocks_read_the_other_way(session):
    account_id, _ = add_account(session)
    store = SqlThirdPartyAccessLog(session)
    later_clock = store.record(access(account_id, 1, AT + timedelta(seconds=2)))
    earlier_clock = store.record(access(account_id, 2, AT + timedelta(seconds=1)))

    first_page = store.between(AT, AT + timedelta(minutes=1), limit=1)
    second_page = store.between(AT, AT + timedelta(minutes=1), after_id=first_page[-1].id or 0, limit=1)

    assert [a.id for a in (*first_page, *second_page)] == [later_clock, earlier_clock]


def test_a_long_destination_is_cut_to_its_column_not_refused(session):
    account_id, _ = add_account(session)
    store = SqlThirdPartyAccessLog(session)
    store.record(access(account_id, 7, destination="x" * 500))

    [found] = store.between(AT, AT)

    assert found.destination == "x" * 200


def test_a_record_cannot_be_rewritten(session):
    account_id, _ = add_account(session)
    record_id = SqlThirdPartyAccessLog(session).record(access(account_id, 9))

    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text("UPDATE third_party_access SET purpose = 'x' WHERE id = :id"), {"id": record_id})


@pytest.mark.parametrize("limit", [0, 10_001])
def test_a_page_out_of_bounds_is_refused(session, limit):
    with pytest.raises(InvalidInputError):
        SqlThirdPartyAccessLog(session).between(AT, AT, limit=limit)


@pytest.mark.parametrize(
    ("recipient", "data", "logged"),
    [
        ("third_party", "cpni", True),
        ("joint_venture_partner", "call_detail", True),
        ("government", "call_detail", True),
        ("other_carrier", "cpni", True),
        ("non_communications_affiliate", "cpni", True),
        ("affiliate", "cpni", True),
        ("agent", "call_detail", True),
        ("joint_venture_partner", "account_information", True),
        ("other_carrier", "account_information", True),
        ("customer", "call_detail", False),
        ("carrier", "cpni", False),
        ("third_party", "subscriber_list", False),
    ],
)
def test_which_permits_are_third_party_access(recipient, data, logged):
    assert is_third_party_access(recipient, data) is logged


@pytest.mark.parametrize("sponsor", list(CampaignSponsor))
def test_an_export_to_any_sponsor_but_the_carrier_itself_is_a_third_party_disclosure(sponsor):
    assert is_disclosed_to_third_party(sponsor) is (sponsor is not CampaignSponsor.CARRIER)


@pytest.mark.parametrize("recipient", list(RecipientClass))
def test_only_the_customer_and_the_carrier_are_not_third_parties(recipient):
    inside = {RecipientClass.CUSTOMER, RecipientClass.CARRIER}
    assert is_third_party(recipient) is (recipient not in inside)
