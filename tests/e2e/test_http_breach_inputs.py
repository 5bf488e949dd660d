"""Bad input to the breach API (issue 6): a field-level 422 naming where, and nothing written.

47 CFR 64.2011: a determination never before the discovery, holds only in writing and at most
30 days at first ((b)(3); (a)(2) as amended), counts of zero or more, known data types, known
accounts, instants with an offset; a closed breach's record takes nothing more (64.2011(d)); the
Commission's closures are weekdays (47 CFR 1.4(e)(1)). Each refusal leaves the breach tables,
the closures, the outbox and the access log as they were (their rows are counted).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, status_code_conformance
from tests.e2e.conftest import bearer
from tests.e2e.test_http_breach import (
    API,
    BREACHES,
    CLOSURES,
    DISCOVERY,
    FRIDAY_AFTER,
    customers,
    determined_breach,
    open_breach,
    patch_status,
    pin_clock,
    problem_locations,
    recorded,
    stored,
)

from cpniguard.domain.employees import Role
from cpniguard.web.app import create_app

pytestmark = pytest.mark.e2e

FBI_HOLD = {
    "agency": "FBI",
    "written_reference": "FBI-LTR-1",
    "starts_on": "2026-11-20",
    "ends_on": "2026-12-19",
}


@pytest.fixture
def as_compliance(tokens) -> dict[str, str]:
    return bearer(tokens[Role.COMPLIANCE_OFFICER])


@pytest.fixture
def breach_id(api, as_compliance, as_administrator) -> int:
    """An open breach, discovered and determined in Thanksgiving week, held by the FBI in writing."""
    pin_clock(api, as_administrator, FRIDAY_AFTER)
    found = determined_breach(api, as_compliance)
    recorded(api, as_compliance, found, "hold_started", **FBI_HOLD)
    return found


@pytest.fixture
def closed_breach_id(api, breach_id, as_compliance) -> int:
    assert patch_status(api, as_compliance, breach_id, "closed").status_code == 200
    return breach_id


def refused(api, container, request, *, status: int = 422) -> list[str]:
    """Send `request()`; assert it is refused with `status` and wrote nothing; the problem's locations."""
    before = stored(container)
    answer = request()
    assert answer.status_code == status, answer.text
    assert stored(container) == before
    return problem_locations(answer)


def event(kind: str, occurred_at: str = FRIDAY_AFTER, **details: str) -> dict[str, object]:
    return {"kind": kind, "occurred_at": occurred_at, "details": details}


BAD_EVENTS = [
    pytest.param(
        event("determined", "2026-11-18T20:00:00+00:00", basis="re-dated"),
        ["occurred_at"],
        id="determination-before-discovery",
    ),
    pytest.param(
        event("discovered", "2026-11-19T16:00:00+00:00", how="a later alert"),
        ["occurred_at"],
        id="discovery-after-the-determination",
    ),
    pytest.param(
        event("hold_started", agency="USSS", starts_on="2026-11-20", ends_on="2026-12-01"),
        ["details.written_reference"],
        id="hold-without-written-reference",
    ),
    pytest.param(
        event(
            "hold_started",
            agency="USSS",
            written_reference="  ",
            starts_on="2026-11-20",
            ends_on="2026-12-01",
        ),
        ["details.written_reference"],
        id="hold-with-blank-written-reference",
    ),
    pytest.param(
        event(
            "hold_started",
            agency="USSS",
            written_reference="USSS-1",
            starts_on="2026-11-20",
            ends_on="2026-12-21",
        ),
        ["details.ends_on"],
        id="initial-hold-over-30-days",
    ),
    pytest.param(
        event("hold_started", **FBI_HOLD),
        ["details.written_reference"],
        id="hold-reference-already-used",
    ),
    pytest.param(
        event("hold_extended", hold="FBI-LTR-1", written_reference="FBI-LTR-2", ends_on="2026-12-10"),
        ["details.ends_on"],
        id="extension-that-does-not-extend",
    ),
    pytest.param(
        event("hold_released", hold="FBI-LTR-9", written_reference="FBI-LTR-2", released_on="2026-12-10"),
        ["details.hold"],
        id="release-of-an-unknown-hold",
    ),
    pytest.param(event("customers_affected", count="-5"), ["details.count"], id="negative-customer-count"),
    pytest.param(
        event("financial_loss_estimated", carrier_cents="-100", customers_cents="0"),
        ["details.carrier_cents"],
        id="negative-financial-loss",
    ),
    pytest.param(
        event("customers_notified", count="-1", method="email"), ["details.count"], id="negative-notice-count"
    ),
    pytest.param(event("data_types", types="call_detail, dna"), ["details.types"], id="unknown-data-type"),
    pytest.param(event("data_types", types=" , "), ["details.types"], id="no-data-type"),
    pytest.param(
        event("described", description="x", severity="high"), ["details.severity"], id="unknown-detail"
    ),
    pytest.param(event("determined"), ["details.basis"], id="missing-detail"),
    pytest.param(
        event("date_range", **{"from": "2026-11-18", "to": "2026-11-01"}),
        ["details.to"],
        id="range-backwards",
    ),
    pytest.param(
        event("intent", intentional="maybe"), ["details.intentional"], id="flag-neither-true-nor-false"
    ),
    pytest.param(
        event("status_changed", status="closed", reason="done"),
        ["details.status"],
        id="closing-through-events",
    ),
    pytest.param(
        event("described", "2026-11-20T15:00:01+00:00", description="x"), ["occurred_at"], id="in-the-future"
    ),
    pytest.param(
        event("described", "2026-11-20T15:00:00", description="x"), ["body.occurred_at"], id="naive"
    ),
    pytest.param(
        event("described", "1995-12-31T00:00:00+00:00", description="x"),
        ["body.occurred_at"],
        id="before-47-usc-222",
    ),
    pytest.param(
        {**event("described", description="x"), "occurred_at": 1_700_000_000},
        ["body.occurred_at"],
        id="seconds-since-1970",
    ),
    pytest.param(
        event("described", "1700000000", description="x"), ["body.occurred_at"], id="seconds-as-text"
    ),
    pytest.param(event("guessed", description="x"), ["body.kind"], id="unknown-kind"),
    pytest.param({**event("described", description="x"), "notes": "x"}, ["body.notes"], id="extra-field"),
    pytest.param({"kind": "described", "details": {"description": "x"}}, ["body.occurred_at"], id="no-time"),
    pytest.param(
        event("described", description="a\x00b"), ["body.details.description"], id="nul-in-a-detail"
    ),
]


@pytest.mark.parametrize(("body", "locations"), BAD_EVENTS)
def test_a_bad_event_is_a_field_level_422_and_the_timeline_and_log_stay_unchanged(
    api, container, as_compliance, breach_id, body, locations
):
    path = f"{BREACHES}/{breach_id}/events"
    assert refused(api, container, lambda: api.post(path, json=body, headers=as_compliance)) == locations


def test_a_determination_before_the_discovery_is_explained(api, container, as_compliance, breach_id):
    body = event("determined", "2026-11-18T20:00:00+00:00", basis="re-dated")
    answer = api.post(f"{BREACHES}/{breach_id}/events", json=body, headers=as_compliance)
    assert "a breach is determined only once it is discovered" in answer.json()["errors"][0]["message"]
    assert DISCOVERY in answer.json()["errors"][0]["message"]


def test_an_initial_hold_over_30_days_says_to_extend_it_in_writing(api, as_compliance, breach_id):
    body = event(
        "hold_started",
        agency="USSS",
        written_reference="USSS-1",
        starts_on="2026-11-20",
        ends_on="2026-12-21",
    )
    answer = api.post(f"{BREACHES}/{breach_id}/events", json=body, headers=as_compliance)
    assert "runs 31 days; at most 30, then extend it in writing" in answer.json()["errors"][0]["message"]


def test_unknown_account_numbers_refuse_the_whole_batch_naming_them(api, container, as_compliance, breach_id):
    [known] = customers(container, 1)
    path = f"{BREACHES}/{breach_id}/affected-accounts"
    body = {"account_numbers": [known, "NOPE-1", "NOPE-2"]}
    before = stored(container)
    answer = api.post(path, json=body, headers=as_compliance)
    assert answer.status_code == 422, answer.text
    assert problem_locations(answer) == ["account_numbers"]
    assert "2 are not accounts of the carrier: 'NOPE-1', 'NOPE-2'" in answer.json()["errors"][0]["message"]
    assert stored(container) == before


@pytest.mark.parametrize(
    ("body", "locations"),
    [
        ({"account_numbers": []}, ["body.account_numbers"]),
        ({"account_numbers": [""]}, ["body.account_numbers.0"]),
        ({"account_numbers": ["A" * 33]}, ["body.account_numbers.0"]),
        ({"account_numbers": [" A1"]}, ["account_numbers[0]"]),
        ({"account_numbers": ["A1"], "source": "crm"}, ["body.source"]),
        ({"accounts": ["A1"]}, ["body.account_numbers", "body.accounts"]),
    ],
)
def test_a_bad_batch_of_accounts_is_refused_saying_where(
    api, container, as_compliance, breach_id, body, locations
):
    path = f"{BREACHES}/{breach_id}/affected-accounts"
    assert refused(api, container, lambda: api.post(path, json=body, headers=as_compliance)) == locations


@pytest.mark.parametrize(
    ("body", "locations"),
    [
        ({"reference": "BR-2026-001"}, ["reference"]),
        ({"reference": " BR-2 "}, ["reference"]),
        ({"reference": ""}, ["body.reference"]),
        ({"reference": "B" * 129}, ["body.reference"]),
        ({"reference": "BR\n2"}, ["body.reference"]),
        ({"reference": "BR-2", "status": "open"}, ["body.status"]),
        ({}, ["body.reference"]),
    ],
)
def test_a_bad_reference_opens_no_breach(api, container, as_compliance, breach_id, body, locations):
    assert refused(api, container, lambda: api.post(BREACHES, json=body, headers=as_compliance)) == locations


@pytest.mark.parametrize(
    ("body", "locations"),
    [
        ({"status": "archived", "reason": "x"}, ["body.status"]),
        ({"status": "contained"}, ["body.reason"]),
        ({"status": "contained", "reason": "   "}, ["reason"]),
        ({"status": "closed", "reason": "   "}, ["reason"]),
        ({"status": "contained", "reason": "x", "closed_at": "2026-11-20T15:00:00Z"}, ["body.closed_at"]),
        ({"status": "open", "reason": "x", "by": "me"}, ["body.by"]),
    ],
)
def test_a_bad_status_change_is_refused_saying_where(
    api, container, as_compliance, breach_id, body, locations
):
    path = f"{BREACHES}/{breach_id}"
    assert refused(api, container, lambda: api.patch(path, json=body, headers=as_compliance)) == locations


def test_a_closed_breach_takes_no_event_account_or_status_and_closes_once(
    api, container, as_compliance, closed_breach_id
):
    [number] = customers(container, 1)
    path = f"{BREACHES}/{closed_breach_id}"
    writes = [
        lambda: api.post(
            f"{path}/events", json=event("described", description="late"), headers=as_compliance
        ),
        lambda: api.post(
            f"{path}/affected-accounts", json={"account_numbers": [number]}, headers=as_compliance
        ),
        lambda: api.patch(path, json={"status": "contained", "reason": "x"}, headers=as_compliance),
        lambda: api.patch(path, json={"status": "notified", "reason": "x"}, headers=as_compliance),
        lambda: api.patch(path, json={"status": "closed", "reason": "again"}, headers=as_compliance),
        lambda: api.post(f"{path}/customer-notices", headers=as_compliance),
    ]
    for write in writes:
        assert "breach_id" in refused(api, container, write)
    message = api.post(f"{path}/events", json=event("described", description="late"), headers=as_compliance)
    assert "was closed at" in message.json()["errors"][0]["message"]


def test_open_on_an_open_breach_records_the_status_without_reopening_it(api, as_compliance, breach_id):
    assert patch_status(api, as_compliance, breach_id, "contained", "token revoked").status_code == 200
    again = patch_status(api, as_compliance, breach_id, "open", "the attacker is back")
    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["closed_at"]) == ("open", None)
    events = api.get(f"{BREACHES}/{breach_id}/events", headers=as_compliance).json()
    assert [e["details"]["status"] for e in events if e["kind"] == "status_changed"] == ["contained", "open"]


@pytest.mark.parametrize(
    ("body", "locations"),
    [
        ({"day": "2026-11-28", "reason": "Saturday"}, ["day"]),
        ({"day": "2026-11-29", "reason": "Sunday"}, ["day"]),
        ({"day": "2026-11-30", "reason": "   "}, ["reason"]),
        ({"day": "2026-11-30", "reason": ""}, ["body.reason"]),
        ({"day": "1999-11-30", "reason": "too early"}, ["day"]),
        ({"day": "2026-11-30T00:00:00Z", "reason": "a time"}, ["body.day"]),
        ({"day": "2026-02-30", "reason": "no such day"}, ["body.day"]),
        ({"day": 1_780_000_000, "reason": "seconds"}, ["body.day"]),
        ({"day": 0, "reason": "midnight 1970 in seconds"}, ["body.day"]),
        ({"day": "2026-11-30", "reason": "x", "by": "me"}, ["body.by"]),
    ],
)
def test_a_bad_commission_closure_is_refused_saying_where(api, container, as_compliance, body, locations):
    assert refused(api, container, lambda: api.post(CLOSURES, json=body, headers=as_compliance)) == locations


def test_a_day_is_recorded_as_a_closure_once(api, container, as_compliance):
    body = {"day": "2026-11-30", "reason": "Executive order"}
    assert api.post(CLOSURES, json=body, headers=as_compliance).status_code == 201
    assert refused(api, container, lambda: api.post(CLOSURES, json=body, headers=as_compliance)) == ["day"]


@pytest.mark.parametrize(
    ("path", "locations"),
    [
        (f"{BREACHES}?status=pending", ["query.status"]),
        (f"{BREACHES}?limit=0", ["query.limit"]),
        (f"{BREACHES}?limit=1001", ["query.limit"]),
        (f"{BREACHES}?after_id=-1", ["query.after_id"]),
        (f"{BREACHES}/0", ["path.breach_id"]),
        (f"{BREACHES}/abc/events", ["path.breach_id"]),
        (f"{BREACHES}/1/agency-report?format=docx", ["query.format"]),
        (f"{BREACHES}/1/customer-notice?language=de", ["query.language"]),
        (f"{BREACHES}/1/customer-notice?by_mail=perhaps", ["query.by_mail"]),
        (f"{API}/breach-annual-summaries/1999", ["path.year"]),
        (f"{CLOSURES}?first=2026-12-01&last=2026-11-01", ["last"]),
        (f"{CLOSURES}?first=tomorrow", ["query.first"]),
        (f"{CLOSURES}?first=0.0&last=2026-12-01", ["query.first"]),
    ],
)
def test_bad_queries_are_field_level_422s(api, container, as_compliance, path, locations):
    assert refused(api, container, lambda: api.get(path, headers=as_compliance)) == locations


def test_a_bad_day_to_remove_is_a_422_and_an_unrecorded_one_a_404(api, container, as_compliance):
    for day in ("monday", "0", "2026-11-30T00:00:00Z"):
        assert refused(
            api, container, lambda d=day: api.delete(f"{CLOSURES}/{d}", headers=as_compliance)
        ) == ["path.day"]
    before = stored(container)
    assert api.delete(f"{CLOSURES}/2026-11-30", headers=as_compliance).status_code == 404
    assert stored(container) == before


def test_a_breach_determined_outside_the_business_day_calendar_says_so_rather_than_failing(
    api, container, as_compliance, as_administrator
):
    pin_clock(api, as_administrator, FRIDAY_AFTER)
    old = open_breach(api, as_compliance, "BR-2019")
    recorded(api, as_compliance, old, "discovered", "2019-03-01T15:00:00+00:00", how="audit")
    recorded(api, as_compliance, old, "determined", "2019-03-02T15:00:00+00:00", basis="audit")
    answer = api.get(f"{BREACHES}/{old}/deadlines", headers=as_compliance)
    assert answer.status_code == 422, answer.text
    assert problem_locations(answer) == ["timeline"]
    assert "outside the business-day calendar's years" in answer.json()["errors"][0]["message"]
    summary = api.get(f"{API}/breach-annual-summaries/2019", headers=as_compliance)
    assert summary.status_code == 422, summary.text
    assert problem_locations(summary) == ["year"]


# --- generated input


BREACH_PATHS = (f"{API}/breaches", f"{API}/breach-annual-summaries", f"{API}/calendar/")


def test_no_generated_breach_request_gets_a_server_error(api, container, as_compliance, breach_id):
    """Schemathesis, as a compliance officer (who may use every breach route), on a determined breach."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(container))
    operations = [result.ok() for result in schema.get_all_operations()]
    breach = [o for o in operations if o.path.startswith(BREACH_PATHS)]
    assert len(breach) == 16
    for operation in breach:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, as_compliance, breach_id)


def _fuzz(operation, mode, headers, breach_id):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case):
        case.headers = {**(case.headers or {}), **headers}
        if mode is GenerationMode.POSITIVE and "breach_id" in (case.path_parameters or {}):
            case.path_parameters["breach_id"] = breach_id
        response = case.call()
        case.validate_response(response, checks=[status_code_conformance, negative_data_rejection])
        assert response.status_code < 500, (operation.label, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"][0].startswith("application/problem+json"), operation.label

    run()
