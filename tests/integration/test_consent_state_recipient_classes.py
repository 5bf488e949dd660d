"""The consent projection stores an approval for every recipient class the gate knows (64.2007(b)).

The gate_facts migration lists the recipient classes in a CHECK constraint, so a class added
to the domain and not to the migration would be refused by the database.
"""

from datetime import timedelta

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError
from tests.conftest import TEST_NOW
from tests.factories import add_account

from cpniguard.adapters.db.tables import ConsentState
from cpniguard.domain.disclosure_request import Approval, RecipientClass


def test_an_approval_is_stored_and_read_back_for_every_recipient_class(container):
    with container.unit_of_work() as uow:
        key, _ = add_account(uow.session)
        for recipient in RecipientClass:
            uow.session.execute(
                insert(ConsentState).values(
                    account_id=key,
                    recipient_class=recipient,
                    approval=Approval.OPT_IN,
                    partner="",
                    valid_from=TEST_NOW - timedelta(days=1),
                )
            )
        profile = uow.cpni.disclosure_profile(key, at=TEST_NOW)

    assert dict(profile.approvals) == dict.fromkeys(RecipientClass, Approval.OPT_IN)
    assert profile.approvals[RecipientClass.NON_COMMUNICATIONS_AFFILIATE] is Approval.OPT_IN


def test_the_database_refuses_a_recipient_class_the_gate_does_not_know(container):
    with container.unit_of_work() as uow:
        key, _ = add_account(uow.session)
        with pytest.raises(IntegrityError, match="recipient_class"):
            uow.session.execute(
                text(
                    "INSERT INTO consent_states (account_id, recipient_class, partner, approval, valid_from) "
                    "VALUES (:account, 'data_broker', '', 'opt_in', :at)"
                ),
                {"account": key, "at": TEST_NOW},
            )
