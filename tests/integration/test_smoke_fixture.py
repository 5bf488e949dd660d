from cpniguard.adapters.ingest.cdr_csv import CsvCallDetailSource
from cpniguard.services.call_detail import ingest_call_detail
from tests.factories import add_account, many_cdr_rows, write_cdr_csv


def test_fixture_loads(container, tmp_path):
    with container.unit_of_work() as uow:
        _, number = add_account(uow.session)
        uow.commit()
    path = write_cdr_csv(tmp_path / "a.csv", many_cdr_rows(number, 10))
    report = ingest_call_detail(source=CsvCallDetailSource.from_path(path), loaded_by="t", skip_invalid=False,
                                uow_factory=container.unit_of_work, clock=container.clock)
    assert report.rows_loaded == 10
    report = ingest_call_detail(source=CsvCallDetailSource.from_path(path), loaded_by="t", skip_invalid=False,
                                uow_factory=container.unit_of_work, clock=container.clock)
    assert report.duplicates_skipped == 10
