"""What an interaction reached is stored once, against the interaction's own account (64.2010(a))."""

from datetime import timedelta

from sqlalchemy import func, select
from tests.conftest import TEST_NOW
from tests.factories import add_account

from cpniguard.adapters.db.tables import InteractionAuthentication
from cpniguard.domain.disclosure_request import AuthenticationMethod, Channel
from cpniguard.services.ports import InteractionRecord

PASSWORD = AuthenticationMethod.PASSWORD
PHOTO_ID = AuthenticationMethod.PHOTO_ID


def open_interaction(uow) -> tuple[int, int]:
    account_id, _ = add_account(uow.session)
    opening = InteractionRecord(
        account_id, Channel.INBOUND_CALL, None, "+12025550143", TEST_NOW, TEST_NOW + timedelta(hours=2)
    )
    return account_id, uow.interactions.open(opening)


def stored(connection):
    reached = InteractionAuthentication
    query = select(reached.account_id, reached.interaction_id, reached.method, reached.reached_at)
    return connection.execute(query.order_by(reached.id)).all()


def test_a_method_reached_is_stored_with_the_interactions_account_and_time(container, connection):
    with container.unit_of_work() as uow:
        account_id, interaction_id = open_interaction(uow)
        uow.interactions.record_authentication(interaction_id, PASSWORD, at=TEST_NOW)
        assert uow.interactions.get(interaction_id).authentication == frozenset({PASSWORD})
        uow.commit()
    assert stored(connection) == [(account_id, interaction_id, PASSWORD, TEST_NOW)]


def test_a_method_reached_again_is_kept_once_with_its_first_time(container, connection):
    later = TEST_NOW + timedelta(minutes=5)
    with container.unit_of_work() as uow:
        account_id, interaction_id = open_interaction(uow)
        uow.interactions.record_authentication(interaction_id, PASSWORD, at=TEST_NOW)
        uow.interactions.record_authentication(interaction_id, PASSWORD, at=later)
        uow.interactions.record_authentication(interaction_id, PHOTO_ID, at=later)
        uow.commit()
    assert stored(connection) == [
        (account_id, interaction_id, PASSWORD, TEST_NOW),
        (account_id, interaction_id, PHOTO_ID, later),
    ]


def test_a_method_for_an_unknown_interaction_writes_nothing(container, connection):
    with container.unit_of_work() as uow:
        _, interaction_id = open_interaction(uow)
        uow.interactions.record_authentication(interaction_id + 1000, PASSWORD, at=TEST_NOW)
        uow.commit()
    assert connection.scalar(select(func.count()).select_from(InteractionAuthentication)) == 0
