"""The gate's store reads CPNI only for what a permit covers (DESIGN.md invariant 1)."""

from datetime import timedelta

import pytest
from sqlalchemy import insert
from tests.conftest import TEST_NOW
from tests.factories import add_account, add_service, cdr_row, write_cdr_csv

from cpniguard.adapters.db.cpni import PermitMismatchError
from cpniguard.adapters.db.tables import ConsentState
from cpniguard.adapters.ingest.cdr_csv import CsvCallDetailSource
from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.classification import DataClass
from cpniguard.domain.disclosure import Permit
from cpniguard.domain.disclosure_request import Approval, Purpose, RecipientClass
from cpniguard.domain.errors import NotFoundError
from cpniguard.services.call_detail import ingest_call_detail

STATED = "+14155550123"


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
                    partner="",
                    valid_from=TEST_NOW - timedelta(days=days),
                )
            )
        profile = uow.cpni.disclosure_profile(key, at=TEST_NOW)
        with pytest.raises(NotFoundError):
            uow.cpni.disclosure_profile(key + 1000, at=TEST_NOW)
    assert profile.subscribed_categories == {ServiceCategory.LOCAL}
    assert dict(profile.approvals) == {RecipientClass.CARRIER: Approval.OPT_IN}
    assert not profile.is_business_account


def test_a_permit_bound_to_a_stated_call_reads_only_that_numbers_calls_before_the_limit(container, tmp_path):
    with container.unit_of_work() as uow:
        key, number = add_account(uow.session)
        uow.commit()
    rows = [
        cdr_row(number, f"other-{i}", started_at=f"2026-10-0{i + 1}T10:00:00+00:00", answered_at="")
        for i in range(3)
    ]
    rows.append(
        cdr_row(
            number, "stated", started_at="2026-10-09T10:00:00+00:00", answered_at="", called_number=STATED
        )
    )
    ingest_call_detail(
        source=CsvCallDetailSource.from_path(write_cdr_csv(tmp_path / "calls.csv", rows)),
        loaded_by="test",
        skip_invalid=False,
        uow_factory=container.unit_of_work,
        clock=container.clock,
    )
    permit = Permit(key, DataClass.CALL_DETAIL, Purpose.PROVIDE_SERVICE, 1, stated_call_number=STATED)
    with container.unit_of_work() as uow:
        found = uow.cpni.call_detail(permit, start=TEST_NOW - timedelta(days=60), end=TEST_NOW, limit=1)
    assert [r.record_id for r in found] == ["stated"]
