"""Asterisk Master.csv rows that nobody on this team wrote (tests/data/README.md), loaded
through the same validation as cpniguard's own layout."""

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from sqlalchemy import func, select
from tests.factories import add_account

from cpniguard.adapters.db.tables import CallDetailRecord
from cpniguard.adapters.ingest.asterisk_csv import AsteriskCallDetailSource, AsteriskOptions
from cpniguard.domain.errors import InvalidInputError
from cpniguard.services.call_detail import ingest_call_detail

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "asterisk-master-pseudonymised.csv"
SAMPLE_ROWS = 218
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def account(container):
    with container.unit_of_work() as uow:
        _, number = add_account(uow.session)
        uow.commit()
    return number


def options(account_number, **overrides):
    values = {"source_system": "pbx-hq", "time_zone": NEW_YORK, "account_number": account_number}
    return AsteriskOptions(**{**values, **overrides})


def load(container, source, *, skip_invalid=True):
    return ingest_call_detail(
        source=source,
        loaded_by="test",
        skip_invalid=skip_invalid,
        uow_factory=container.unit_of_work,
        clock=container.clock,
    )


def stored(connection):
    return connection.execute(select(CallDetailRecord.__table__)).all()


def test_the_sample_loads_its_valid_rows_and_refuses_the_others_by_line(container, connection, account):
    report = load(container, AsteriskCallDetailSource.from_file(SAMPLE, options(account)))

    assert report.rows_read == SAMPLE_ROWS
    assert report.rows_loaded + report.rows_rejected == SAMPLE_ROWS
    assert report.rows_loaded > 0
    reasons = {(p.location, p.message.split(" (")[0]) for r in report.rejections for p in r.problems}
    assert {location for location, _ in reasons} <= {"calling_number", "called_number", "record_id"}
    # The pseudonymised sample holds byte-identical rows (its channels were blanked): the
    # same row twice is the same record, reported against the line that first held it.
    assert {m for loc, m in reasons if loc == "record_id"} <= {
        f"duplicate of line {n}" for n in range(1, 219)
    }
    records = stored(connection)
    assert len(records) == report.rows_loaded
    for record in records:
        for number in (record.calling_number, record.called_number):
            assert phonenumbers.is_valid_number(phonenumbers.parse(number))


def test_loading_the_sample_again_adds_nothing(container, connection, account):
    first = load(container, AsteriskCallDetailSource.from_file(SAMPLE, options(account)))
    again = load(container, AsteriskCallDetailSource.from_file(SAMPLE, options(account)))
    assert again.rows_loaded == 0
    assert again.duplicates_skipped == first.rows_loaded
    assert len(stored(connection)) == first.rows_loaded


def test_legs_that_share_a_uniqueid_are_distinct_records(container, connection, account):
    load(container, AsteriskCallDetailSource.from_file(SAMPLE, options(account)))
    uniqueids = Counter(r.record_id.rsplit("-", 1)[0] for r in stored(connection))
    assert max(uniqueids.values()) == 2, "the sample has 44 uniqueids on two rows each"


def test_local_times_are_read_in_the_switch_zone_and_stored_in_utc(container, connection, account):
    row = (
        '"","+12125550123","+12125550188","hq","","","","Dial","","2017-06-20 09:49:22",'
        '"2017-06-20 09:49:32","2017-06-20 09:58:06",524,514,"ANSWERED","DOCUMENTATION","1497952162.0",""\n'
    )
    report = load(
        container,
        AsteriskCallDetailSource.with_options(
            AsteriskCallDetailSource("one.csv", content=row.encode()), options(account)
        ),
        skip_invalid=False,
    )
    assert report.rows_loaded == 1
    (record,) = stored(connection)
    assert record.started_at == datetime(2017, 6, 20, 13, 49, 22, tzinfo=UTC)
    assert record.answered_at == datetime(2017, 6, 20, 13, 49, 32, tzinfo=UTC)
    assert (record.duration_seconds, record.billable_seconds) == (524, 514)
    assert (record.direction, record.call_type) == ("outbound", "local")


def test_a_listed_context_makes_the_call_inbound(container, connection, account):
    row = (
        '"","+13125557890","+12125550123","from-pstn","","","","Dial","","2017-06-20 09:49:22","",'
        '"2017-06-20 09:49:30",8,0,"NO ANSWER","","u1",""\n'
    )
    source = AsteriskCallDetailSource.with_options(
        AsteriskCallDetailSource("in.csv", content=row.encode()),
        options(account, inbound_contexts=frozenset({"from-pstn"})),
    )
    load(container, source, skip_invalid=False)
    ((direction, call_type),) = connection.execute(
        select(CallDetailRecord.direction, CallDetailRecord.call_type)
    )
    assert (direction, call_type) == ("inbound", "long_distance")


def test_rows_without_accountcode_need_an_account_option_and_nothing_is_written(container, connection):
    source = AsteriskCallDetailSource.from_file(SAMPLE, options(None))
    with pytest.raises(InvalidInputError) as caught:
        load(container, source, skip_invalid=False)
    locations = {p.location for p in caught.value.problems}
    assert "line 1: accountcode" in locations
    assert connection.scalar(select(func.count()).select_from(CallDetailRecord)) == 0


def test_a_row_with_the_wrong_number_of_columns_is_refused_by_line(container, account):
    body = b'"","+12125550123","+12125550188"\n'
    source = AsteriskCallDetailSource.with_options(
        AsteriskCallDetailSource("short.csv", content=body), options(account)
    )
    with pytest.raises(InvalidInputError) as caught:
        load(container, source, skip_invalid=False)
    assert [(p.location, p.message) for p in caught.value.problems] == [
        ("line 1: row", "has 3 fields; Asterisk Master.csv has 18")
    ]
