"""parse_call_detail, field by field (47 CFR 64.2003(d): call detail enters only well formed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.factories import cdr_row

from cpniguard.domain.call_detail import (
    CALL_DETAIL_COLUMNS,
    MAX_CELL_SITE_LENGTH,
    MAX_DURATION_SECONDS,
    MAX_LOADED_BY_CHARACTERS,
    MAX_RECORD_ID_LENGTH,
    MAX_SOURCE_NAME_CHARACTERS,
    CallDetail,
    CallType,
    Direction,
    ingest_actor,
    ingest_source_name,
    parse_call_detail,
)
from cpniguard.domain.errors import FieldProblem, InvalidInputError

ACCOUNT_NUMBER = "A-100"
ACCOUNT_ID = 7
ACCOUNTS = {ACCOUNT_NUMBER: ACCOUNT_ID, "A-200": 8}
VALID = cdr_row(ACCOUNT_NUMBER, "r-1")


def row(**overrides: str) -> list[str]:
    values = VALID | overrides
    return [values[column] for column in CALL_DETAIL_COLUMNS]


def parse(**overrides: str) -> CallDetail:
    return parse_call_detail(row(**overrides), ACCOUNTS)


def problems(**overrides: str) -> list[FieldProblem]:
    with pytest.raises(InvalidInputError) as raised:
        parse(**overrides)
    assert raised.value.problems, "a refusal must say what is wrong"
    return list(raised.value.problems)


def locations(**overrides: str) -> set[str]:
    return {p.location for p in problems(**overrides)}


def test_a_valid_row_is_parsed_with_its_times_in_utc():
    record = parse()
    assert record == CallDetail(
        account_id=ACCOUNT_ID,
        source_system="switch-a",
        record_id="r-1",
        direction="outbound",
        call_type="local",
        calling_number="+12125550100",
        called_number="+13125557890",
        started_at=datetime(2026, 10, 1, 13, 30, tzinfo=UTC),
        answered_at=datetime(2026, 10, 1, 13, 30, 5, tzinfo=UTC),
        duration_seconds=125,
        billable_seconds=120,
        cell_site=None,
    )
    assert record.started_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("calling_number", "12125550100", "E.164"),
        ("calling_number", "+1 212 555 0100", "E.164"),
        ("calling_number", "+1-212-555-0100", "E.164"),
        ("calling_number", "+1212555010a", "E.164"),
        ("calling_number", "+1212CALLNOW", "E.164"),
        ("calling_number", "+", "cannot be read"),
        ("calling_number", "", "E.164"),
        ("calling_number", "+12125550", "not a valid telephone number"),
        ("calling_number", "+10005550100", "not a valid telephone number"),
        ("called_number", "3125557890", "E.164"),
        ("called_number", "+1 312 555 7890", "E.164"),
        ("called_number", "+1312555789O", "E.164"),
        ("called_number", "+999123456789", "cannot be read"),
    ],
)
def test_64_2003_d_numbers_must_be_valid_e164(column, value, fragment):
    found = problems(**{column: value})
    assert [p.location for p in found] == [column]
    assert fragment in found[0].message


@pytest.mark.parametrize(
    "number", ["+12125550100", "+442079460958", "+33612345678", "+61291234567", "+81312345678"]
)
def test_valid_e164_numbers_from_several_countries_are_accepted(number):
    assert parse(calling_number=number, called_number=number).calling_number == number


@pytest.mark.parametrize(
    ("call_type", "called_number"),
    [("directory_assistance", "411"), ("emergency", "911"), ("directory_assistance", "+18005551212")],
)
def test_short_codes_are_accepted_for_directory_assistance_and_emergency_calls(call_type, called_number):
    assert parse(call_type=call_type, called_number=called_number).called_number == called_number


@pytest.mark.parametrize(
    ("call_type", "called_number", "column"),
    [
        ("local", "411", "called_number"),
        ("long_distance", "911", "called_number"),
        ("toll_free", "611", "called_number"),
        ("directory_assistance", "41", "called_number"),
        ("emergency", "9111111", "called_number"),
        ("emergency", "91a", "called_number"),
    ],
)
def test_short_codes_are_refused_for_other_call_types_and_other_shapes(call_type, called_number, column):
    assert locations(call_type=call_type, called_number=called_number) == {column}


def test_the_calling_number_is_never_a_short_code():
    assert locations(call_type="emergency", calling_number="911", called_number="911") == {"calling_number"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10-01T09:30:00-04:00", datetime(2026, 10, 1, 13, 30, tzinfo=UTC)),
        ("2026-10-01T09:30:00+05:30", datetime(2026, 10, 1, 4, 0, tzinfo=UTC)),
        ("2026-10-01T09:30:00+00:00", datetime(2026, 10, 1, 9, 30, tzinfo=UTC)),
        ("2026-10-01T09:30:00Z", datetime(2026, 10, 1, 9, 30, tzinfo=UTC)),
        ("2026-10-01 09:30:00.250-04:00", datetime(2026, 10, 1, 13, 30, 0, 250_000, tzinfo=UTC)),
        ("2026-10-31T23:30:00-02:00", datetime(2026, 11, 1, 1, 30, tzinfo=UTC)),
    ],
)
def test_timestamps_with_an_offset_are_normalised_to_utc(value, expected):
    record = parse(started_at=value, answered_at="")
    assert record.started_at == expected
    assert record.started_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2026-10-01T09:30:00", "no UTC offset"),
        ("2026-10-01", "no UTC offset"),
        ("yesterday", "not an ISO 8601 timestamp"),
        ("2026-13-01T09:30:00Z", "not an ISO 8601 timestamp"),
        ("01/10/2026 09:30 -0400", "not an ISO 8601 timestamp"),
        ("", "not an ISO 8601 timestamp"),
    ],
)
def test_timestamps_without_an_offset_or_not_iso_8601_are_refused(value, fragment):
    found = problems(started_at=value, answered_at="")
    assert [p.location for p in found] == ["started_at"]
    assert fragment in found[0].message


def test_answered_at_without_an_offset_is_refused():
    assert locations(answered_at="2026-10-01T09:30:05") == {"answered_at"}


def test_answered_at_is_optional():
    assert parse(answered_at="").answered_at is None


def test_a_call_answered_before_it_started_is_refused():
    found = problems(answered_at="2026-10-01T09:29:59-04:00")
    assert [(p.location, p.message) for p in found] == [("answered_at", "is before started_at")]


def test_a_call_answered_the_instant_it_started_in_another_offset_is_accepted():
    record = parse(started_at="2026-10-01T09:30:00-04:00", answered_at="2026-10-01T13:30:00Z")
    assert record.answered_at == record.started_at


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("duration_seconds", "-1", "outside"),
        ("duration_seconds", "12.5", "not a whole number"),
        ("duration_seconds", "2m", "not a whole number"),
        ("duration_seconds", "", "not a whole number"),
        ("duration_seconds", str(MAX_DURATION_SECONDS + 1), "outside"),
        ("billable_seconds", "-5", "outside"),
        ("billable_seconds", "1e2", "not a whole number"),
    ],
)
def test_durations_must_be_whole_seconds_within_the_cap(column, value, fragment):
    found = problems(**{column: value})
    assert column in {p.location for p in found}
    assert any(fragment in p.message for p in found if p.location == column)


@pytest.mark.parametrize("duration", ["0", "1", str(MAX_DURATION_SECONDS)])
def test_durations_from_zero_to_the_cap_are_accepted(duration):
    assert parse(duration_seconds=duration, billable_seconds="0").duration_seconds == int(duration)


def test_billable_seconds_default_to_zero():
    assert parse(billable_seconds="").billable_seconds == 0


def test_billable_seconds_longer_than_the_call_are_refused():
    found = problems(duration_seconds="60", billable_seconds="61")
    assert [(p.location, p.message) for p in found] == [
        ("billable_seconds", "is longer than duration_seconds")
    ]


def test_billable_seconds_equal_to_the_duration_are_accepted():
    assert parse(duration_seconds="60", billable_seconds="60").billable_seconds == 60


@pytest.mark.parametrize("value", ["1_000", "\u0661\u0662\u0663", " 125 ", "+5", "12.0", "0x10"])
def test_durations_written_other_than_as_ascii_digits_are_refused(value):
    assert locations(duration_seconds=value, billable_seconds="0") == {"duration_seconds"}


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_timestamps_that_cannot_be_expressed_in_utc_are_refused(value):
    assert locations(started_at=value, answered_at="") == {"started_at"}


@pytest.mark.parametrize("value", ["rec\x00ord", "rec\nord", "rec\tord", "rec\x7ford"])
def test_a_record_id_holding_a_control_character_is_refused(value):
    found = problems(record_id=value)
    assert [(p.location, p.message) for p in found] == [("record_id", "holds a control character")]


@pytest.mark.parametrize("value", ["cell\x00a", "cell\r"])
def test_a_cell_site_holding_a_control_character_is_refused(value):
    found = problems(cell_site=value)
    assert [(p.location, p.message) for p in found] == [("cell_site", "holds a control character")]


@pytest.mark.parametrize("value", ["INBOUND", "in", "", "sideways", "outbound "])
def test_an_unknown_direction_is_refused_naming_the_allowed_values(value):
    found = problems(direction=value)
    assert [p.location for p in found] == ["direction"]
    assert "inbound, outbound" in found[0].message


@pytest.mark.parametrize("value", ["Local", "collect", "", "long-distance"])
def test_an_unknown_call_type_is_refused_naming_the_allowed_values(value):
    found = problems(call_type=value)
    assert [p.location for p in found] == ["call_type"]
    assert "directory_assistance" in found[0].message


@pytest.mark.parametrize("call_type", list(CallType))
def test_every_listed_call_type_is_accepted(call_type):
    assert parse(call_type=call_type.value).call_type == call_type.value


@pytest.mark.parametrize("direction", list(Direction))
def test_every_listed_direction_is_accepted(direction):
    assert parse(direction=direction.value).direction == direction.value


def test_an_unknown_account_is_refused_and_named():
    found = problems(account_number="A-999")
    assert [(p.location, p.message) for p in found] == [("account_number", "no account 'A-999'")]


def test_the_account_number_resolves_to_its_key():
    assert parse(account_number="A-200").account_id == 8


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("record_id", ""),
        ("record_id", "r" * (MAX_RECORD_ID_LENGTH + 1)),
        ("cell_site", "c" * (MAX_CELL_SITE_LENGTH + 1)),
        ("source_system", ""),
        ("source_system", "switch a"),
        ("source_system", "-switch"),
        ("source_system", "s" * 65),
    ],
)
def test_identifiers_that_are_empty_over_long_or_badly_formed_are_refused(column, value):
    assert locations(**{column: value}) == {column}


def test_identifiers_at_their_length_limits_are_accepted():
    record = parse(record_id="r" * MAX_RECORD_ID_LENGTH, cell_site="c" * MAX_CELL_SITE_LENGTH)
    assert len(record.record_id) == MAX_RECORD_ID_LENGTH
    assert record.cell_site is not None
    assert len(record.cell_site) == MAX_CELL_SITE_LENGTH


def test_an_empty_cell_site_is_stored_as_none():
    assert parse(cell_site="").cell_site is None


def test_every_problem_of_a_row_is_reported_together():
    found = locations(
        account_number="nobody",
        direction="sideways",
        call_type="collect",
        calling_number="12125550100",
        called_number="+1 312",
        started_at="2026-10-01T09:30:00",
        duration_seconds="-3",
        record_id="",
    )
    assert found >= {
        "account_number",
        "direction",
        "call_type",
        "calling_number",
        "called_number",
        "started_at",
        "duration_seconds",
        "record_id",
    }


def test_a_refusal_quotes_only_the_start_of_an_enormous_value():
    found = problems(calling_number="9" * 5_000, direction="x" * 5_000)
    assert all(len(p.message) < 200 for p in found)


# ------------------------------------------------------------------ properties

VALID_NUMBERS = sorted(
    {
        phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        for region in phonenumbers.SUPPORTED_REGIONS
        for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE)
        if (example := phonenumbers.example_number_for_type(region, kind)) is not None
        and phonenumbers.is_valid_number(example)
    }
)
OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
INSTANTS = st.datetimes(
    min_value=datetime(1990, 1, 1),  # noqa: DTZ001  (hypothesis bounds are naive; a zone is added)
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=OFFSETS,
)
# Printable text (str.isprintable): no control, format, surrogate, unassigned or separator
# characters other than the plain space.
PRINTABLE = st.characters(exclude_categories=["Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"]) | st.just(" ")
RECORD_IDS = st.text(PRINTABLE, min_size=1, max_size=MAX_RECORD_ID_LENGTH)
CELL_SITES = st.text(PRINTABLE, max_size=MAX_CELL_SITE_LENGTH)


@st.composite
def valid_rows(draw: st.DrawFn) -> dict[str, str]:
    started = draw(INSTANTS)
    duration = draw(st.integers(0, MAX_DURATION_SECONDS))
    answered = draw(st.none() | st.timedeltas(timedelta(0), timedelta(minutes=5)).map(lambda d: started + d))
    return {
        "source_system": draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", fullmatch=True)),
        "record_id": draw(RECORD_IDS),
        "account_number": draw(st.sampled_from(sorted(ACCOUNTS))),
        "direction": draw(st.sampled_from([d.value for d in Direction])),
        "call_type": draw(st.sampled_from([c.value for c in CallType])),
        "calling_number": draw(st.sampled_from(VALID_NUMBERS)),
        "called_number": draw(st.sampled_from(VALID_NUMBERS)),
        "started_at": started.isoformat(),
        "answered_at": "" if answered is None else answered.isoformat(),
        "duration_seconds": str(duration),
        "billable_seconds": str(draw(st.integers(0, duration))),
        "cell_site": draw(CELL_SITES),
    }


@settings(deadline=None)  # phonenumbers loads region metadata on first use; a busy CI machine is slow
@given(valid_rows())
def test_any_valid_row_round_trips(values):
    record = parse(**values)
    started = datetime.fromisoformat(values["started_at"])
    assert record.account_id == ACCOUNTS[values["account_number"]]
    assert (record.source_system, record.record_id) == (values["source_system"], values["record_id"])
    assert (record.direction, record.call_type) == (values["direction"], values["call_type"])
    assert (record.calling_number, record.called_number) == (
        values["calling_number"],
        values["called_number"],
    )
    assert record.started_at == started
    assert record.started_at.tzinfo is UTC
    if values["answered_at"]:
        assert record.answered_at == datetime.fromisoformat(values["answered_at"])
    else:
        assert record.answered_at is None
    assert record.duration_seconds == int(values["duration_seconds"])
    assert record.billable_seconds == int(values["billable_seconds"])
    assert record.cell_site == (values["cell_site"] or None)


@given(st.text().filter(lambda s: s not in {d.value for d in Direction}))
def test_any_string_outside_the_direction_list_is_refused(direction):
    assert locations(direction=direction) == {"direction"}


@given(st.integers(min_value=0, max_value=MAX_DURATION_SECONDS))
def test_any_duration_in_range_is_accepted(duration):
    assert parse(duration_seconds=str(duration), billable_seconds="").duration_seconds == duration


@given(st.integers().filter(lambda n: not 0 <= n <= MAX_DURATION_SECONDS))
def test_any_duration_out_of_range_is_refused(duration):
    assert "duration_seconds" in locations(duration_seconds=str(duration), billable_seconds="0")


# ------------------------------------------------------------------ who loads, and from where


@pytest.mark.parametrize(
    ("given_name", "recorded"),
    [
        ("cli:ops", "cli:ops"),
        ("  jane.doe  ", "jane.doe"),
        ("x" * 120, "x" * 120),
        ("Zoë Ångström", "Zoë Ångström"),
    ],
)
def test_the_loader_is_recorded_trimmed(given_name, recorded):
    assert ingest_actor(given_name) == recorded


@pytest.mark.parametrize(
    ("given_name", "message"),
    [
        ("", "must be 1-120 characters (got 0)"),
        ("   ", "must be 1-120 characters (got 0)"),
        ("x" * 121, "must be 1-120 characters (got 121)"),
        ("ops\nforged log line", "holds a control or other non-printing character"),
        ("ops\x00", "holds a control or other non-printing character"),
        ("ops\x1b[31m", "holds a control or other non-printing character"),
        ("ops\u2028x", "holds a control or other non-printing character"),
    ],
)
def test_a_loader_name_that_does_not_fit_its_record_is_refused_at_loaded_by(given_name, message):
    with pytest.raises(InvalidInputError) as raised:
        ingest_actor(given_name)
    assert raised.value.problems == (FieldProblem("loaded_by", message),)


def test_a_source_name_is_recorded_up_to_500_characters():
    assert ingest_source_name("october.csv") == "october.csv"
    assert ingest_source_name("x" * MAX_SOURCE_NAME_CHARACTERS) == "x" * MAX_SOURCE_NAME_CHARACTERS


@pytest.mark.parametrize("given_name", ["", "x" * (MAX_SOURCE_NAME_CHARACTERS + 1), "oct\tober.csv"])
def test_a_source_name_that_does_not_fit_its_record_is_refused_at_source_name(given_name):
    with pytest.raises(InvalidInputError) as raised:
        ingest_source_name(given_name)
    assert [p.location for p in raised.value.problems] == ["source_name"]


@given(st.text(max_size=200))
def test_any_accepted_loader_name_fits_its_column_and_holds_no_control_character(name):
    try:
        recorded = ingest_actor(name)
    except InvalidInputError:
        return
    assert 1 <= len(recorded) <= MAX_LOADED_BY_CHARACTERS
    assert recorded.isprintable()
