import gzip

import pytest
from sqlalchemy import func, select
from tests.factories import add_account, cdr_row, many_cdr_rows, write_cdr_csv

from cpniguard.adapters.db.tables import CallDetailRecord, IngestBatch

BATCHES = "/api/v1/call-detail-records/batches"
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def account_number(container):
    with container.unit_of_work() as uow:
        _, number = add_account(uow.session)
        uow.commit()
    return number


@pytest.fixture
def csv_body(tmp_path):
    def make(rows, **options):
        return write_cdr_csv(tmp_path / "body.csv", rows, **options).read_bytes()

    return make


@pytest.fixture
def valid_body(csv_body, account_number):
    """A body of `count` valid records of one account."""

    def make(count, *, compress=False):
        return csv_body(many_cdr_rows(account_number, count), compress=compress)

    return make


def stored(connection):
    records = connection.execute(select(func.count()).select_from(CallDetailRecord)).scalar_one()
    batches = connection.execute(select(func.count()).select_from(IngestBatch)).scalar_one()
    return records, batches


def post(api, body, headers, *, content_type="text/csv", **params):
    return api.post(BATCHES, content=body, headers={**headers, "Content-Type": content_type}, params=params)


def assert_problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["instance"] == BATCHES
    return problem


def test_a_valid_batch_is_loaded_and_counted(api, as_integration, account_number, csv_body, connection):
    response = post(
        api, csv_body(many_cdr_rows(account_number, 25)), as_integration, source_name="switch-a.csv"
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {
        "batch_id": body["batch_id"],
        "source_name": "switch-a.csv",
        "rows_read": 25,
        "rows_loaded": 25,
        "duplicates_skipped": 0,
        "rows_rejected": 0,
        "rejections": [],
    }
    assert stored(connection) == (25, 1)
    batch = connection.execute(
        select(IngestBatch.source_name, IngestBatch.loaded_by).where(IngestBatch.id == body["batch_id"])
    ).one()
    assert batch.source_name == "switch-a.csv"
    assert batch.loaded_by.startswith("api token ")
    assert batch.loaded_by.endswith("(test integration)")


def test_reloading_the_same_body_adds_nothing(api, as_integration, account_number, csv_body, connection):
    body = csv_body(many_cdr_rows(account_number, 10))
    assert post(api, body, as_integration).status_code == 201
    again = post(api, body, as_integration)
    assert again.status_code == 201
    assert again.json()["rows_loaded"] == 0
    assert again.json()["duplicates_skipped"] == 10
    assert stored(connection)[0] == 10


def test_an_administrator_may_load_call_detail(api, as_administrator, account_number, csv_body):
    assert post(api, csv_body(many_cdr_rows(account_number, 1)), as_administrator).status_code == 201


def test_a_role_that_may_not_load_call_detail_gets_403(
    api, as_representative, account_number, csv_body, connection
):
    response = post(api, csv_body(many_cdr_rows(account_number, 3)), as_representative)
    problem = assert_problem(response, 403)
    assert "representative" in problem["detail"]
    assert stored(connection) == (0, 0)


def bad_rows(account_number):
    rows = many_cdr_rows(account_number, 4)
    rows[1] = cdr_row("T999999999", "bad-account")
    rows[3] = cdr_row(account_number, "bad-number", called_number="555-0100")
    return rows


def test_a_batch_with_bad_rows_is_refused_whole_listing_every_bad_line(
    api, as_integration, account_number, csv_body, connection
):
    response = post(api, csv_body(bad_rows(account_number)), as_integration)
    problem = assert_problem(response, 422)
    assert "nothing was loaded" in problem["detail"]
    assert [r["line_number"] for r in problem["rejections"]] == [3, 5]
    assert {e["location"].split(":")[0] for e in problem["errors"]} == {"line 3", "line 5"}
    assert any("called_number" in e["location"] for e in problem["errors"])
    assert stored(connection) == (0, 0)


def test_skip_invalid_loads_the_good_rows_and_returns_the_rejects(
    api, as_integration, account_number, csv_body, connection
):
    response = post(api, csv_body(bad_rows(account_number)), as_integration, skip_invalid="true")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["rows_read"], body["rows_loaded"], body["rows_rejected"]) == (4, 2, 2)
    assert [r["line_number"] for r in body["rejections"]] == [3, 5]
    assert all(r["problems"] and r["problems"][0]["message"] for r in body["rejections"])
    assert stored(connection) == (2, 1)


@pytest.mark.parametrize(
    ("content_type", "extra_headers"),
    [("application/gzip", {}), ("text/csv", {"Content-Encoding": "gzip"})],
)
def test_a_gzipped_body_is_loaded(api, as_integration, valid_body, content_type, extra_headers):
    body = valid_body(12, compress=True)
    assert body[:2] == b"\x1f\x8b"
    response = post(api, body, {**as_integration, **extra_headers}, content_type=content_type)
    assert response.status_code == 201, response.text
    assert response.json()["rows_loaded"] == 12


def test_a_damaged_gzip_body_is_refused(api, as_integration, account_number, csv_body, connection):
    body = csv_body(many_cdr_rows(account_number, 200), compress=True)
    problem = assert_problem(
        post(api, body[: len(body) // 2], as_integration, content_type="application/gzip"), 422
    )
    assert "gzip" in problem["detail"]
    assert stored(connection) == (0, 0)


def test_an_empty_body_is_refused(api, as_integration, connection):
    problem = assert_problem(post(api, b"", as_integration), 422)
    assert problem["errors"][0]["location"] == "line 1"
    assert stored(connection) == (0, 0)


def test_a_body_with_only_a_header_is_refused(api, as_integration, csv_body, connection):
    problem = assert_problem(post(api, csv_body([]), as_integration), 422)
    assert "no call detail records" in problem["detail"]
    assert stored(connection) == (0, 0)


def test_a_body_that_is_not_utf8_is_refused_naming_the_line(
    api, as_integration, account_number, csv_body, connection
):
    body = csv_body(many_cdr_rows(account_number, 3)).replace(b"switch-a", b"switch-\xe9", 2)
    problem = assert_problem(post(api, body, as_integration), 422)
    assert problem["errors"][0]["location"] == "line 2"
    assert "not UTF-8" in problem["errors"][0]["message"]
    assert stored(connection) == (0, 0)


def test_a_wrong_header_is_refused_naming_the_columns(api, as_integration, connection):
    problem = assert_problem(post(api, b"when,who\n1,2\n", as_integration), 422)
    messages = [e["message"] for e in problem["errors"]]
    assert "unknown column 'when'" in messages
    assert "missing column 'record_id'" in messages


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "", "text/csv; charset=latin-1"])
def test_a_body_of_another_media_type_gets_415(api, as_integration, valid_body, content_type, connection):
    response = post(api, valid_body(2), as_integration, content_type=content_type)
    assert_problem(response, 415)
    assert stored(connection) == (0, 0)


def test_a_utf8_charset_parameter_is_accepted(api, as_integration, account_number, csv_body):
    body = csv_body(many_cdr_rows(account_number, 2))
    response = post(api, body, as_integration, content_type='text/csv; header=present; charset="UTF-8"')
    assert response.status_code == 201, response.text


def test_a_body_over_the_size_cap_gets_413(client_for, container, as_integration, valid_body, connection):
    small_cap = client_for(container, max_call_detail_batch_bytes=1_000)
    body = valid_body(20)
    assert len(body) > 1_000
    problem = assert_problem(post(small_cap, body, as_integration), 413)
    assert "1,000 bytes" in problem["detail"]
    assert stored(connection) == (0, 0)


def test_a_streamed_body_over_the_size_cap_gets_413(
    client_for, container, as_integration, account_number, csv_body
):
    small_cap = client_for(container, max_call_detail_batch_bytes=1_000)
    body = csv_body(many_cdr_rows(account_number, 20))
    chunks = iter([body[i : i + 256] for i in range(0, len(body), 256)])
    response = small_cap.post(BATCHES, content=chunks, headers={**as_integration, **CSV})
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)


def test_a_body_at_the_size_cap_is_accepted(client_for, container, as_integration, account_number, csv_body):
    body = csv_body(many_cdr_rows(account_number, 5))
    exact_cap = client_for(container, max_call_detail_batch_bytes=len(body))
    assert post(exact_cap, body, as_integration).status_code == 201


def test_an_unreadable_query_parameter_is_a_field_level_422(api, as_integration, account_number, csv_body):
    response = post(api, csv_body(many_cdr_rows(account_number, 1)), as_integration, skip_invalid="maybe")
    problem = assert_problem(response, 422)
    assert [e["location"] for e in problem["errors"]] == ["query.skip_invalid"]
    assert "boolean" in problem["errors"][0]["message"]


@pytest.mark.parametrize("source_name", ["x" * 201, "switch\x00a", "line\nbreak"])
def test_an_overlong_or_control_character_source_name_is_a_field_level_422(
    api, as_integration, account_number, csv_body, connection, source_name
):
    response = post(api, csv_body(many_cdr_rows(account_number, 1)), as_integration, source_name=source_name)
    problem = assert_problem(response, 422)
    assert [e["location"] for e in problem["errors"]] == ["query.source_name"]
    assert stored(connection) == (0, 0)


def test_a_row_holding_a_nul_byte_is_rejected_by_line(
    api, as_integration, account_number, csv_body, connection
):
    rows = many_cdr_rows(account_number, 3)
    rows[2]["cell_site"] = "cell\x00site"
    problem = assert_problem(post(api, csv_body(rows), as_integration), 422)
    assert [r["line_number"] for r in problem["rejections"]] == [4]
    assert stored(connection) == (0, 0)


def test_a_timestamp_that_cannot_be_expressed_in_utc_is_a_422_not_a_500(
    api, as_integration, account_number, csv_body
):
    row = cdr_row(account_number, "edge", started_at="0001-01-01T00:00:00+01:00", answered_at="")
    assert_problem(post(api, csv_body([row]), as_integration), 422)


def test_a_gzipped_body_that_expands_past_the_size_cap_gets_413_and_nothing_is_written(
    client_for, container, as_integration, valid_body, connection
):
    small_cap = client_for(container, max_call_detail_batch_bytes=4_000)
    body = valid_body(200, compress=True)
    assert len(body) < 4_000 < len(gzip.decompress(body))
    problem = assert_problem(post(small_cap, body, as_integration, content_type="application/gzip"), 413)
    assert "expands past" in problem["detail"]
    assert "MiB" in problem["detail"]
    assert stored(connection) == (0, 0)


def test_a_gzipped_body_that_expands_to_the_size_cap_is_accepted(
    client_for, container, as_integration, valid_body
):
    body = valid_body(20, compress=True)
    exact_cap = client_for(container, max_call_detail_batch_bytes=len(gzip.decompress(body)))
    response = post(exact_cap, body, as_integration, content_type="application/gzip")
    assert response.status_code == 201, response.text
