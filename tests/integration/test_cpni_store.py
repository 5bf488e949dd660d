"""The gate's store reads CPNI only for what a permit covers (DESIGN.md invariant 1)."""

from datetime import timedelta

import pytest
from sqlalchemy import insert
from tests.conftest import TEST_NOW
from tests.factories import add_account, add_service

from cpniguard.adapters.db.cpni import PermitMismatchError
from cpniguard.adapters.db.tables import ConsentState
from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.classification import DataClass
from cpniguard.domain.disclosure import Permit
from cpniguard.domain.disclosure_request import Approval, Purpose, RecipientClass
from cpniguard.domain.errors import NotFoundError


def test_a_permit_for_one_class_of_data_reads_no_other(container):
    with container.unit_of_work() as uow:
        key, _ = add_account(uow.session)
        permit = Permit(key, DataClass.CPNI, Purpose.BILLING, access_log_sequence=1)
        with pytest.raises(PermitMismatchError, match="is for cpni, not call_detail"):
            uow.cpni.call_detail(permit, start=TEST_NOW - timedelta(days=1), end=TEST_NOW, limit=10)
        call_detail_permit = Permit(key, DataClass.CALL_DETAIL, Purpose.BILLING, access_log_sequence=2)
        with pytest.raises(PermitMismatchError):
            uow.cpni.invoices(call_detail_permit, limit=10)
        with pytest.raises(PermitMismatchError):
            uow.cpni.services(call_detail_permit)


def test_the_disclosure_profile_counts_services_and_approvals_in_force(container):
    with container.unit_of_work() as uow:
        key, _ = add_account(uow.session)
        add_service(uow.session, key, category=ServiceCategory.LOCAL)
        add_service(
            uow.session, key, category=ServiceCategory.WIRELESS, started_at=TEST_NOW + timedelta(days=1)
        )
        for recipient, days in ((RecipientClass.CARRIER, 40), (RecipientClass.AFFILIATE, -1)):
            uow.session.execute(
                insert(ConsentState).values(
                    account_id=key,
                    recipient_class=recipient,
                    approval=Approval.OPT_IN,
                    effective_at=TEST_NOW - timedelta(days=days),
                )
            )
        profile = uow.cpni.disclosure_profile(key, at=TEST_NOW)
        with pytest.raises(NotFoundError):
            uow.cpni.disclosure_profile(key + 1000, at=TEST_NOW)
    assert profile.subscribed_categories == {ServiceCategory.LOCAL}
    assert dict(profile.approvals) == {RecipientClass.CARRIER: Approval.OPT_IN}
    assert not profile.is_business_account
