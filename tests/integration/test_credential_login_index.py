"""The database keeps current online-account logins unique (a replaced one frees its name)."""

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from tests.conftest import TEST_NOW
from tests.factories import add_account

from cpniguard.adapters.db.tables import Credential
from cpniguard.domain.credentials import CredentialKind


def _online_account(session, account_id, *, replaced_at=None):
    session.execute(
        insert(Credential).values(
            account_id=account_id,
            kind=CredentialKind.ONLINE_ACCOUNT,
            secret_hash="$argon2id$placeholder",
            login="same.name",
            set_at=TEST_NOW,
            set_by="test",
            replaced_at=replaced_at,
        )
    )


def test_two_current_online_accounts_cannot_share_a_login_but_a_replaced_one_frees_it(container):
    with container.unit_of_work() as uow:
        first, _ = add_account(uow.session)
        second, _ = add_account(uow.session)
        _online_account(uow.session, first, replaced_at=TEST_NOW)
        _online_account(uow.session, second)
        with pytest.raises(IntegrityError), uow.session.begin_nested():
            _online_account(uow.session, first)
