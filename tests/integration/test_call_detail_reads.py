from datetime import UTC, datetime, timedelta

from tests.factories import add_account, cdr_row, write_cdr_csv

from cpniguard.adapters.ingest.cdr_csv import CsvCallDetailSource
from cpniguard.domain.call_detail import CallType, Direction
from cpniguard.domain.classification import DataClass
from cpniguard.domain.disclosure import Permit
from cpniguard.domain.disclosure_request import Purpose
from cpniguard.services.call_detail import ingest_call_detail

OCTOBER = datetime(2026, 10, 1, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)


def permit_for(account_id):
    """A permit as the gate would issue it; the gate itself is tested in test_gate.py."""
    return Permit(account_id, DataClass.CALL_DETAIL, Purpose.PROVIDE_SERVICE, access_log_sequence=1)


def load(container, tmp_path, rows):
    path = write_cdr_csv(tmp_path / "calls.csv", rows)
    ingest_call_detail(
        source=CsvCallDetailSource.from_path(path),
        loaded_by="test",
        skip_invalid=False,
        uow_factory=container.unit_of_work,
        clock=container.clock,
    )


def test_records_for_an_account_cover_start_to_just_before_end_in_call_order(container, tmp_path):
    with container.unit_of_work() as uow:
        key, number = add_account(uow.session)
        other_key, other = add_account(uow.session)
        uow.commit()
    rows = [
        cdr_row(number, "last-of-september", started_at="2026-09-30T23:59:59.999999+00:00", answered_at=""),
        cdr_row(number, "first-of-october", started_at="2026-10-01T00:00:00+00:00", answered_at=""),
        cdr_row(
            number,
            "mid-october",
            started_at="2026-10-15T08:00:00.250000-04:00",
            answered_at="",
            cell_site="CS-1",
            call_type="directory_assistance",
            called_number="411",
        ),
        cdr_row(number, "first-of-november", started_at="2026-11-01T00:00:00+00:00", answered_at=""),
        cdr_row(other, "someone-else", started_at="2026-10-10T00:00:00+00:00", answered_at=""),
    ]
    load(container, tmp_path, rows)

    with container.unit_of_work() as uow:
        found = uow.cpni.call_detail(permit_for(key), start=OCTOBER, end=NOVEMBER, limit=100)
        nothing = uow.cpni.call_detail(
            permit_for(other_key), start=NOVEMBER, end=NOVEMBER + timedelta(days=30), limit=100
        )

    assert [r.record_id for r in found] == ["first-of-october", "mid-october"]
    middle = found[1]
    assert middle.account_id == key
    assert middle.started_at == datetime(2026, 10, 15, 12, 0, 0, 250000, tzinfo=UTC)
    assert middle.started_at.tzinfo is UTC
    assert (middle.call_type, middle.called_number, middle.cell_site) == (
        CallType.DIRECTORY_ASSISTANCE,
        "411",
        "CS-1",
    )
    assert middle.direction == Direction.OUTBOUND
    assert nothing == []
