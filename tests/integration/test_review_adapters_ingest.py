"""A Master.csv body read as Asterisk keeps the decompression limit of the body it came from."""

import gzip
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from tests.factories import add_account

from cpniguard.adapters.db.tables import CallDetailRecord, IngestBatch
from cpniguard.adapters.ingest.asterisk_csv import AsteriskCallDetailSource, AsteriskOptions
from cpniguard.adapters.ingest.csv_input import CsvInput, DecompressedTooLargeError
from cpniguard.services.call_detail import ingest_call_detail

ROW = (
    '"","+12125550123","+12125550188","hq","","","","Dial","","2017-06-20 09:49:22",'
    '"2017-06-20 09:49:32","2017-06-20 09:58:06",524,514,"ANSWERED","DOCUMENTATION","{uid}",""\n'
)


def test_a_gzipped_body_past_its_limit_is_refused_as_asterisk_and_nothing_is_written(container, connection):
    with container.unit_of_work() as uow:
        _, account_number = add_account(uow.session)
        uow.commit()
    text = "".join(ROW.format(uid=f"1497952162.{n}") for n in range(200)).encode()
    body = CsvInput("master.csv.gz", content=gzip.compress(text), max_decompressed_bytes=len(text) - 1)
    options = AsteriskOptions("pbx-hq", ZoneInfo("America/New_York"), account_number)
    source = AsteriskCallDetailSource.with_options(body, options)

    with pytest.raises(DecompressedTooLargeError):
        ingest_call_detail(
            source=source,
            loaded_by="test",
            skip_invalid=True,
            uow_factory=container.unit_of_work,
            clock=container.clock,
        )
    for table in (CallDetailRecord, IngestBatch):
        assert connection.scalar(select(func.count()).select_from(table)) == 0
