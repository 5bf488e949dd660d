from datetime import UTC, datetime, timedelta

import pytest
from tests.fakes import FakeDatabase, FakeUnitOfWorkFactory, FixedClock

from cpniguard.domain.accounts import ContactKind, ContactPoint, ServiceNumber
from cpniguard.domain.api_tokens import TOKEN_PREFIX, token_digest
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.services.accounts import contact_points_as_of
from cpniguard.services.api_tokens import authenticate_api_token, issue_api_token, revoke_api_token

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def database():
    return FakeDatabase()


def test_64_2003_b_contact_points_as_of_say_which_address_is_of_record(database):
    account_id = database.add_account("A-1")
    old_email = ContactPoint(
        ContactKind.EMAIL_ADDRESS, "old@example.test", NOW - timedelta(days=400), NOW - timedelta(days=10)
    )
    new_email = ContactPoint(ContactKind.EMAIL_ADDRESS, "new@example.test", NOW - timedelta(days=10))
    postal = ContactPoint(ContactKind.POSTAL_ADDRESS, "1 Main St", NOW - timedelta(days=30))
    phone = ContactPoint(ContactKind.CONTACT_TELEPHONE, "+12125550100", NOW - timedelta(days=900))
    database.tables.contact_points[account_id] = [old_email, new_email, postal, phone]

    found = contact_points_as_of(account_number="A-1", at=NOW, uow_factory=FakeUnitOfWorkFactory(database))

    by_value = {f.point.value: f for f in found.contact_points}
    assert set(by_value) == {"new@example.test", "1 Main St", "+12125550100"}
    assert by_value["new@example.test"].is_of_record is False
    assert by_value["new@example.test"].of_record_from == NOW + timedelta(days=20)
    assert by_value["1 Main St"].is_of_record is True
    assert by_value["+12125550100"].is_of_record is False
    assert by_value["+12125550100"].of_record_from is None


def test_64_2003_b_contact_points_as_of_an_earlier_instant_show_the_old_address(database):
    account_id = database.add_account("A-1")
    old_email = ContactPoint(
        ContactKind.EMAIL_ADDRESS, "old@example.test", NOW - timedelta(days=400), NOW - timedelta(days=10)
    )
    database.tables.contact_points[account_id] = [old_email]
    at = NOW - timedelta(days=11)

    found = contact_points_as_of(account_number="A-1", at=at, uow_factory=FakeUnitOfWorkFactory(database))

    assert [(f.point.value, f.is_of_record) for f in found.contact_points] == [("old@example.test", True)]


def test_64_2003_q_the_numbers_of_record_are_the_service_numbers_on_the_account_then(database):
    account_id = database.add_account("A-1")
    changed = NOW - timedelta(days=3)
    database.tables.service_numbers[account_id] = [
        ServiceNumber("+12125550100", NOW - timedelta(days=500), changed),
        ServiceNumber("+12125550177", changed),
    ]
    factory = FakeUnitOfWorkFactory(database)
    now = contact_points_as_of(account_number="A-1", at=NOW, uow_factory=factory)
    before = contact_points_as_of(
        account_number="A-1", at=changed - timedelta(seconds=1), uow_factory=factory
    )
    assert [n.telephone_number for n in now.telephone_numbers_of_record] == ["+12125550177"]
    assert [n.telephone_number for n in before.telephone_numbers_of_record] == ["+12125550100"]


def test_contact_points_of_an_unknown_account_are_not_found(database):
    with pytest.raises(NotFoundError, match="no account A-404"):
        contact_points_as_of(account_number="A-404", at=NOW, uow_factory=FakeUnitOfWorkFactory(database))


def test_an_issued_token_authenticates_until_it_is_revoked(database):
    factory = FakeUnitOfWorkFactory(database)
    issued = issue_api_token(
        role=Role.AUDITOR, label="  audit  ", employee_id=None, uow_factory=factory, clock=FixedClock(NOW)
    )
    assert issued.secret.startswith(TOKEN_PREFIX)
    assert issued.label == "audit"
    assert token_digest(issued.secret) in database.tables.tokens
    holder = authenticate_api_token(token=issued.secret, uow_factory=factory)
    assert holder is not None
    assert holder.role is Role.AUDITOR

    revoke_api_token(token_id=issued.token_id, uow_factory=factory, clock=FixedClock(NOW))

    assert authenticate_api_token(token=issued.secret, uow_factory=factory) is None
    with pytest.raises(NotFoundError):
        revoke_api_token(token_id=issued.token_id, uow_factory=factory, clock=FixedClock(NOW))


@pytest.mark.parametrize("label", ["", "   ", "x" * 121, "billing\nfeed", "nul\x00"])
def test_a_token_label_must_be_1_to_120_characters(database, label):
    with pytest.raises(InvalidInputError) as caught:
        issue_api_token(
            role=Role.AUDITOR,
            label=label,
            employee_id=None,
            uow_factory=FakeUnitOfWorkFactory(database),
            clock=FixedClock(NOW),
        )
    assert caught.value.problems[0].location == "label"
    assert database.tables.tokens == {}


@pytest.mark.parametrize("token", ["", "Bearer", "cpg_short", "xyz_" + "a" * 50, TOKEN_PREFIX + "a" * 300])
def test_a_malformed_token_is_refused_without_a_lookup(database, token):
    assert authenticate_api_token(token=token, uow_factory=FakeUnitOfWorkFactory(database)) is None
