"""Breaches over HTTP (issue 6): the record, its timeline and accounts, deadlines, documents, closures.

47 CFR 64.2011 (both regimes), 64.2011(d) (the 2-year record) and 47 CFR 1.4(e) (business days).
Through the real app and database, SQLite and PostgreSQL; the clock is moved through the
administrator's clock endpoint, as a black-box test of a running server would.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdf
import pytest
from sqlalchemy import func, select
from tests.conftest import make_settings
from tests.e2e.conftest import bearer
from tests.factories import add_account, add_contact_point

from cpniguard.adapters.db.tables import (
    AccessLogRecord,
    BreachAffectedAccountRecord,
    BreachEventRecord,
    BreachRecord,
    CommissionClosureRecord,
    OutboxMessage,
)
from cpniguard.bootstrap import Container
from cpniguard.domain.accounts import ContactKind, Language
from cpniguard.domain.employees import Role

pytestmark = pytest.mark.e2e

API = "/api/v1"
BREACHES = f"{API}/breaches"
CLOSURES = f"{API}/calendar/commission-closures"
CLOCK = f"{API}/admin/clock"
DISCOVERY = "2026-11-18T21:30:00+00:00"
THANKSGIVING_WEEK_THURSDAY = "2026-11-19T15:00:00+00:00"
"""10:00 in Washington on Thursday 2026-11-19: the issue's example, due Tue 2026-12-01."""
FRIDAY_AFTER = "2026-11-20T15:00:00+00:00"
READERS = [Role.COMPLIANCE_OFFICER, Role.SUPERVISOR, Role.AUDITOR]
KEEPERS = [Role.COMPLIANCE_OFFICER]
CALENDAR_KEEPERS = [Role.COMPLIANCE_OFFICER, Role.ADMINISTRATOR]
OF_RECORD_SINCE = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def as_compliance(tokens) -> dict[str, str]:
    return bearer(tokens[Role.COMPLIANCE_OFFICER])


@pytest.fixture
def as_auditor(tokens) -> dict[str, str]:
    return bearer(tokens[Role.AUDITOR])


@pytest.fixture
def thanksgiving_week(api, as_administrator) -> datetime:
    """The server's clock on the Friday after the determination of the issue's example."""
    return pin_clock(api, as_administrator, FRIDAY_AFTER)


def pin_clock(api, administrator: dict[str, str], at: str) -> datetime:
    response = api.post(CLOCK, json={"pin_at": at}, headers=administrator)
    assert response.status_code == 200, response.text
    return datetime.fromisoformat(response.json()["now"])


def stored(container: Container) -> tuple[int, ...]:
    """Rows of everything a breach request could write, the access log included."""
    tables = (
        BreachRecord,
        BreachEventRecord,
        BreachAffectedAccountRecord,
        CommissionClosureRecord,
        AccessLogRecord,
        OutboxMessage,
    )
    with container.unit_of_work() as uow:
        return tuple(uow.session.scalar(select(func.count()).select_from(t)) or 0 for t in tables)


def open_breach(api, headers: dict[str, str], reference: str = "BR-2026-001") -> int:
    response = api.post(BREACHES, json={"reference": reference}, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def record(api, headers, breach_id: int, kind: str, occurred_at: str = FRIDAY_AFTER, **details: str):
    body = {"kind": kind, "occurred_at": occurred_at, "details": details}
    return api.post(f"{BREACHES}/{breach_id}/events", json=body, headers=headers)


def recorded(
    api, headers, breach_id: int, kind: str, occurred_at: str = FRIDAY_AFTER, **details: str
) -> dict:
    response = record(api, headers, breach_id, kind, occurred_at, **details)
    assert response.status_code == 201, response.text
    return response.json()


def determined_breach(api, headers, reference: str = "BR-2026-001") -> int:
    """A breach discovered on Wednesday evening and determined on Thursday 2026-11-19."""
    breach_id = open_breach(api, headers, reference)
    recorded(api, headers, breach_id, "discovered", DISCOVERY, how="SOC alert on a bulk call-detail export")
    recorded(
        api, headers, breach_id, "determined", THANKSGIVING_WEEK_THURSDAY, basis="a revoked token was used"
    )
    return breach_id


def deadlines(api, headers, breach_id: int) -> dict[str, dict]:
    response = api.get(f"{BREACHES}/{breach_id}/deadlines", headers=headers)
    assert response.status_code == 200, response.text
    return {d["name"]: d for d in response.json()["deadlines"]}


def shown(api, headers, breach_id: int) -> dict:
    response = api.get(f"{BREACHES}/{breach_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def patch_status(api, headers, breach_id: int, status: str, reason: str = "as the response moved on"):
    return api.patch(f"{BREACHES}/{breach_id}", json={"status": status, "reason": reason}, headers=headers)


def customers(container: Container, count: int, *, email: bool = True) -> list[str]:
    """Commit accounts, with an email of record (since June: 64.2003(b)) unless `email` is False."""
    numbers = []
    with container.unit_of_work() as uow:
        for index in range(count):
            key, number = add_account(uow.session, language=Language.EN, opened_at=OF_RECORD_SINCE)
            if email:
                address = f"customer{index}@example.test"
                add_contact_point(
                    uow.session, key, ContactKind.EMAIL_ADDRESS, address, associated_at=OF_RECORD_SINCE
                )
            numbers.append(number)
        uow.commit()
    return numbers


def problem_locations(response) -> list[str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [error["location"] for error in response.json()["errors"]]


# --- the whole record, as the issue tells it


def test_a_breach_is_opened_then_shows_no_facts_and_no_deadlines_until_determined(
    api, container, as_compliance, as_auditor, thanksgiving_week
):
    opened = api.post(BREACHES, json={"reference": "BR-2026-001"}, headers=as_compliance)
    assert opened.status_code == 201, opened.text
    body = opened.json()
    assert (body["reference"], body["opened_by"], body["closed_at"]) == (
        "BR-2026-001",
        "test compliance_officer",
        None,
    )
    assert datetime.fromisoformat(body["opened_at"]) == thanksgiving_week
    view = shown(api, as_auditor, body["id"])
    assert (view["status"], view["affected_accounts"], view["events_recorded"], view["facts"]) == (
        "open",
        0,
        0,
        None,
    )
    before = stored(container)
    early = api.get(f"{BREACHES}/{body['id']}/deadlines", headers=as_auditor)
    assert early.status_code == 422
    assert problem_locations(early) == ["timeline"]
    assert "discovery and the determination" in early.json()["errors"][0]["message"]
    assert stored(container) == before


def test_the_thanksgiving_example_is_due_tuesday_and_a_commission_closure_moves_it_to_wednesday(
    api, container, as_compliance, as_auditor, as_administrator, thanksgiving_week
):
    breach_id = determined_breach(api, as_compliance)
    answer = api.get(f"{BREACHES}/{breach_id}/deadlines", headers=as_auditor).json()
    assert answer["regime"] == "legacy"
    assert answer["facts"]["determined_at"] == THANKSGIVING_WEEK_THURSDAY.replace("+00:00", "Z")
    agency = {d["name"]: d for d in answer["deadlines"]}["agency_notice"]
    assert (agency["due_on"], agency["required"], agency["recipients"], agency["citation"]) == (
        "2026-12-01",
        True,
        ["USSS", "FBI"],
        "47 CFR 64.2011(b)",
    )
    assert "Thu 2026-11-26" in agency["explanation"]  # Thanksgiving, skipped

    added = api.post(
        CLOSURES,
        json={"day": "2026-11-30", "reason": "Executive order: offices closed"},
        headers=as_administrator,
    )
    assert added.status_code == 201, added.text
    assert added.json()["added_by"] == "test administrator"
    moved = deadlines(api, as_auditor, breach_id)["agency_notice"]
    assert moved["due_on"] == "2026-12-02"
    assert "Mon 2026-11-30" in moved["explanation"]
    listed = api.get(CLOSURES, headers=as_auditor).json()
    assert [(c["day"], c["reason"]) for c in listed] == [("2026-11-30", "Executive order: offices closed")]

    removed = api.delete(f"{CLOSURES}/2026-11-30", headers=as_compliance)
    assert removed.status_code == 204, removed.text
    assert deadlines(api, as_auditor, breach_id)["agency_notice"]["due_on"] == "2026-12-01"
    assert api.get(CLOSURES, headers=as_auditor).json() == []


def test_a_written_hold_its_extension_and_its_release_set_when_customers_may_be_told(
    api, as_compliance, as_auditor, thanksgiving_week
):
    breach_id = determined_breach(api, as_compliance)
    hold = {
        "agency": "FBI",
        "written_reference": "FBI-LTR-1",
        "starts_on": "2026-11-20",
        "ends_on": "2026-12-19",
    }
    recorded(api, as_compliance, breach_id, "hold_started", **hold)
    earliest = deadlines(api, as_auditor, breach_id)["customer_notice_earliest"]
    assert (earliest["held_until"], earliest["not_before"]) == ("2026-12-19", "2026-12-20")
    assert earliest["citation"] == "47 CFR 64.2011(b)(1), (b)(3)"
    assert "FBI FBI-LTR-1" in earliest["explanation"]

    recorded(
        api,
        as_compliance,
        breach_id,
        "hold_extended",
        hold="FBI-LTR-1",
        written_reference="FBI-LTR-2",
        ends_on="2027-01-15",
    )
    assert deadlines(api, as_auditor, breach_id)["customer_notice_latest"]["held_until"] == "2027-01-15"
    recorded(
        api,
        as_compliance,
        breach_id,
        "hold_released",
        hold="FBI-LTR-1",
        written_reference="FBI-LTR-3",
        released_on="2027-01-05",
    )
    found = deadlines(api, as_auditor, breach_id)
    assert found["customer_notice_earliest"]["held_until"] == "2027-01-04"
    assert found["customer_notice_earliest"]["not_before"] == "2027-01-05"
    [shown_hold] = shown(api, as_auditor, breach_id)["facts"]["holds"]
    assert shown_hold["extensions"] == [{"written_reference": "FBI-LTR-2", "ends_on": "2027-01-15"}]
    assert (shown_hold["released_on"], shown_hold["last_day_in_force"]) == ("2027-01-05", "2027-01-04")


def test_the_timeline_lists_each_event_as_recorded_with_who_and_when(
    api, as_compliance, tokens, thanksgiving_week
):
    breach_id = determined_breach(api, as_compliance)
    recorded(api, as_compliance, breach_id, "data_types", types="call_detail, location")
    recorded(api, as_compliance, breach_id, "customers_affected", count="1200", basis="export log rows")
    events = api.get(f"{BREACHES}/{breach_id}/events", headers=bearer(tokens[Role.SUPERVISOR]))
    assert events.status_code == 200, events.text
    listed = events.json()
    assert [e["kind"] for e in listed] == ["discovered", "determined", "data_types", "customers_affected"]
    assert listed[3]["details"] == {"count": "1200", "basis": "export log rows"}
    assert {e["recorded_by"] for e in listed} == {"test compliance_officer"}
    assert {datetime.fromisoformat(e["recorded_at"]) for e in listed} == {thanksgiving_week}
    assert datetime.fromisoformat(listed[0]["occurred_at"]) == datetime.fromisoformat(DISCOVERY)
    assert shown(api, as_compliance, breach_id)["facts"]["customers_affected"] == 1200


def test_affected_accounts_are_added_in_batches_and_each_counts_once(
    api, container, as_compliance, as_auditor, thanksgiving_week
):
    first, second, third = customers(container, 3)
    breach_id = open_breach(api, as_compliance)
    path = f"{BREACHES}/{breach_id}/affected-accounts"
    added = api.post(path, json={"account_numbers": [first, second]}, headers=as_compliance)
    assert added.status_code == 200, added.text
    assert added.json() == {"added": 2, "total": 2}
    again = api.post(path, json={"account_numbers": [second, third, third]}, headers=as_compliance)
    assert again.json() == {"added": 1, "total": 3}
    assert shown(api, as_auditor, breach_id)["affected_accounts"] == 3


def test_the_status_moves_on_then_closing_reopening_and_the_purge_keep_the_two_year_floor(
    api, container, as_compliance, as_auditor, as_administrator, thanksgiving_week
):
    breach_id = determined_breach(api, as_compliance)
    contained = patch_status(api, as_compliance, breach_id, "contained", "the token was revoked")
    assert contained.status_code == 200, contained.text
    assert (contained.json()["status"], contained.json()["closed_at"]) == ("contained", None)

    closed = patch_status(api, as_compliance, breach_id, "closed", "notices done, investigation over")
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert datetime.fromisoformat(closed.json()["closed_at"]) == thanksgiving_week

    reopened = patch_status(api, as_compliance, breach_id, "open", "more accounts came to light")
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["status"], reopened.json()["closed_at"]) == ("open", None)
    statuses = [
        (e["details"]["status"], e["details"]["reason"])
        for e in api.get(f"{BREACHES}/{breach_id}/events", headers=as_auditor).json()
        if e["kind"] == "status_changed"
    ]
    assert statuses == [
        ("contained", "the token was revoked"),
        ("closed", "notices done, investigation over"),
        ("open", "more accounts came to light"),
    ]

    assert patch_status(api, as_compliance, breach_id, "closed", "done again").status_code == 200
    before = stored(container)
    refused = api.delete(f"{BREACHES}/{breach_id}", headers=as_compliance)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "64.2011(d)" in refused.json()["detail"]
    assert "2028-11-20" in refused.json()["detail"]
    assert problem_locations(refused) == ["breach_id"]
    assert stored(container) == before

    pin_clock(api, as_administrator, "2028-11-20T15:00:00+00:00")
    assert api.delete(f"{BREACHES}/{breach_id}", headers=as_compliance).status_code == 409
    pin_clock(api, as_administrator, "2028-11-21T15:00:00+00:00")
    purged = api.delete(f"{BREACHES}/{breach_id}", headers=as_compliance)
    assert purged.status_code == 200, purged.text
    assert purged.json() == {"breach_id": breach_id, "events_removed": 6}
    assert api.get(f"{BREACHES}/{breach_id}", headers=as_auditor).status_code == 404


def test_an_open_breach_is_never_purged(api, container, as_compliance, thanksgiving_week):
    breach_id = open_breach(api, as_compliance)
    before = stored(container)
    refused = api.delete(f"{BREACHES}/{breach_id}", headers=as_compliance)
    assert refused.status_code == 409
    assert "still open" in refused.json()["detail"]
    assert stored(container) == before


def test_breaches_are_listed_open_closed_or_all_a_page_at_a_time(
    api, as_compliance, as_auditor, thanksgiving_week
):
    ids = [open_breach(api, as_compliance, f"BR-{n}") for n in range(3)]
    assert patch_status(api, as_compliance, ids[1], "closed").status_code == 200

    def listed(query: str) -> list[int]:
        response = api.get(f"{BREACHES}?{query}", headers=as_auditor)
        assert response.status_code == 200, response.text
        return [b["id"] for b in response.json()]

    assert listed("") == ids
    assert listed("status=open") == [ids[0], ids[2]]
    assert listed("status=closed") == [ids[1]]
    assert listed("limit=2") == ids[:2]
    assert listed(f"after_id={ids[1]}") == [ids[2]]


def test_an_unknown_breach_is_a_404_problem_on_every_route(api, container, as_compliance):
    before = stored(container)
    path = f"{BREACHES}/987654"
    answers = [
        api.get(path, headers=as_compliance),
        api.patch(path, json={"status": "contained", "reason": "x"}, headers=as_compliance),
        api.patch(path, json={"status": "closed", "reason": "x"}, headers=as_compliance),
        api.patch(path, json={"status": "open", "reason": "x"}, headers=as_compliance),
        api.delete(path, headers=as_compliance),
        api.get(f"{path}/events", headers=as_compliance),
        api.post(
            f"{path}/events",
            json={
                "kind": "described",
                "occurred_at": "2026-11-01T00:00:00Z",
                "details": {"description": "x"},
            },
            headers=as_compliance,
        ),
        api.post(f"{path}/affected-accounts", json={"account_numbers": ["A1"]}, headers=as_compliance),
        api.get(f"{path}/deadlines", headers=as_compliance),
        api.get(f"{path}/agency-report", headers=as_compliance),
        api.get(f"{path}/customer-notice", headers=as_compliance),
        api.post(f"{path}/customer-notices", headers=as_compliance),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers), [a.text for a in answers]
    assert {a.headers["content-type"] for a in answers} == {"application/problem+json"}
    assert "no breach 987654" in answers[0].json()["detail"]
    assert api.delete(f"{CLOSURES}/2026-11-30", headers=as_compliance).status_code == 404
    assert stored(container) == before


# --- the 2023 regime


@pytest.fixture
def amended(container: Container) -> Container:
    """The same database and clock, with the FCC 23-111 amendments in effect since 2026-06-01."""
    settings = make_settings(
        str(container.settings.database.url), breach={"amendments_effective_on": "2026-06-01"}
    )
    return Container(
        settings=settings, engine=container.engine, sessions=container.sessions, clock=container.clock
    )


def test_under_the_2023_rule_the_fcc_is_told_too_and_customers_within_30_days(
    client_for, amended, tokens, thanksgiving_week
):
    api = client_for(amended)
    headers = bearer(tokens[Role.COMPLIANCE_OFFICER])
    breach_id = determined_breach(api, headers)
    answer = api.get(f"{BREACHES}/{breach_id}/deadlines", headers=headers).json()
    assert answer["regime"] == "2023"
    found = {d["name"]: d for d in answer["deadlines"]}
    assert (found["agency_notice"]["due_on"], found["agency_notice"]["recipients"]) == (
        "2026-12-01",
        ["FCC", "USSS", "FBI"],
    )
    assert found["customer_notice_latest"]["due_on"] == "2026-12-19"
    assert found["annual_summary"]["required"] is False


# --- documents


def test_the_agency_report_names_what_is_missing_then_reads_back_as_a_pdf(
    api, as_compliance, as_auditor, thanksgiving_week
):
    breach_id = determined_breach(api, as_compliance)
    report = api.get(f"{BREACHES}/{breach_id}/agency-report", headers=as_auditor)
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["reference"], body["regime"], body["complete"]) == ("BR-2026-001", "legacy", False)
    assert [m["location"] for m in body["missing"]] == [
        "description",
        "method_of_compromise",
        "date_range",
        "customers_affected",
        "financial_loss",
        "data_types",
    ]
    assert body["record"]["determined_at"]["value"] == "2026-11-19T15:00:00+00:00"
    pdf = api.get(f"{BREACHES}/{breach_id}/agency-report?format=pdf", headers=as_auditor)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "BR-2026-001" in text


def test_the_annual_summary_of_a_year_is_json_or_pdf(client_for, amended, tokens, thanksgiving_week):
    api = client_for(amended)
    headers = bearer(tokens[Role.COMPLIANCE_OFFICER])
    breach_id = determined_breach(api, headers, "BR-SMALL")
    recorded(api, headers, breach_id, "customers_affected", count="12")
    recorded(
        api,
        headers,
        breach_id,
        "harm_assessment",
        harm_reasonably_likely="false",
        analysis="hashed data only",
    )
    summary = api.get(f"{API}/breach-annual-summaries/2026", headers=bearer(tokens[Role.AUDITOR]))
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert (body["year"], body["due_on"]) == (2026, "2027-02-01")
    assert [e["reference"] for e in body["entries"]] == ["BR-SMALL"]
    pdf = api.get(f"{API}/breach-annual-summaries/2026?format=pdf", headers=headers)
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF")
    empty = api.get(f"{API}/breach-annual-summaries/2025", headers=headers).json()
    assert empty["entries"] == []


def notifiable_breach(api, headers) -> int:
    """Determined, with its date range and data types, USSS and FBI told with the urgent need stated."""
    breach_id = determined_breach(api, headers)
    recorded(api, headers, breach_id, "date_range", **{"from": "2026-11-01", "to": "2026-11-18"})
    recorded(api, headers, breach_id, "data_types", types="call_detail")
    return breach_id


def test_the_customer_notice_is_previewed_in_english_and_french_by_email_or_letter(
    api, as_compliance, as_auditor, thanksgiving_week
):
    breach_id = notifiable_breach(api, as_compliance)
    path = f"{BREACHES}/{breach_id}/customer-notice"
    english = api.get(path, headers=as_auditor)
    assert english.status_code == 200, english.text
    french = api.get(f"{path}?language=fr&by_mail=true", headers=as_auditor)
    assert french.status_code == 200, french.text
    assert (english.json()["language"], english.json()["by_mail"]) == ("en", False)
    assert (french.json()["language"], french.json()["by_mail"]) == ("fr", True)
    assert "between November 1, 2026 and November 18, 2026" in english.json()["body"]
    assert "entre le 1er novembre 2026 et le 18 novembre 2026" in french.json()["body"]
    assert "Conservez cette lettre" in french.json()["body"]
    # The test settings leave the state regulator blank: a warning, the notice still renders.
    assert [item["location"] for item in english.json()["missing"]] == ["state_regulator_contact"]
    assert "RULES 8.6 (iv)" in french.json()["missing"][0]["message"]


def test_a_customer_notice_cannot_be_previewed_without_the_date_range_and_data_types(
    api, container, as_compliance, thanksgiving_week
):
    breach_id = determined_breach(api, as_compliance)
    refused = api.get(f"{BREACHES}/{breach_id}/customer-notice", headers=as_compliance)
    assert refused.status_code == 422
    assert problem_locations(refused) == ["timeline.date_range", "timeline.data_types"]


def test_customer_notices_wait_for_law_enforcement_then_go_to_the_outbox(
    api, container, as_compliance, as_auditor, thanksgiving_week
):
    numbers = customers(container, 2) + customers(container, 1, email=False)
    breach_id = notifiable_breach(api, as_compliance)
    path = f"{BREACHES}/{breach_id}/affected-accounts"
    assert api.post(path, json={"account_numbers": numbers}, headers=as_compliance).status_code == 200
    before = stored(container)
    early = api.post(f"{BREACHES}/{breach_id}/customer-notices", headers=as_compliance)
    assert early.status_code == 422, early.text
    assert problem_locations(early) == ["timeline.agency_notified"]
    assert stored(container) == before

    recorded(
        api,
        as_compliance,
        breach_id,
        "agency_notified",
        agencies="USSS,FBI",
        reference="CRF-1",
        urgent_need_consulted="true",
    )
    sent = api.post(f"{BREACHES}/{breach_id}/customer-notices", headers=as_compliance)
    assert sent.status_code == 202, sent.text
    assert sent.json() == {
        "queued": 2,
        "by_email": 2,
        "by_letter": 0,
        "without_address": 1,
        "already_queued": 0,
    }
    kinds = [e["kind"] for e in api.get(f"{BREACHES}/{breach_id}/events", headers=as_auditor).json()]
    assert kinds[-1] == "customers_notified"


# --- roles


READER_ROUTES = [
    ("get", "{breaches}"),
    ("get", "{breaches}/{id}"),
    ("get", "{breaches}/{id}/events"),
    ("get", "{breaches}/{id}/deadlines"),
    ("get", "{breaches}/{id}/agency-report"),
    ("get", "{api}/breach-annual-summaries/2026"),
]


@pytest.mark.parametrize("role", list(Role))
def test_only_compliance_officers_supervisors_and_auditors_read_breaches(
    api, container, tokens, as_compliance, role, thanksgiving_week
):
    breach_id = determined_breach(api, as_compliance)
    before = stored(container)
    for method, template in READER_ROUTES:
        path = template.format(breaches=BREACHES, id=breach_id, api=API)
        answer = getattr(api, method)(path, headers=bearer(tokens[role]))
        if role in READERS:
            assert answer.status_code == 200, (path, answer.text)
        else:
            assert answer.status_code == 403, (path, answer.text)
            assert f"The role '{role}' may not" in answer.json()["detail"]
    assert stored(container) == before


@pytest.mark.parametrize("role", [r for r in Role if r not in KEEPERS])
def test_only_compliance_officers_keep_breaches_and_a_refusal_writes_nothing(
    api, container, tokens, as_compliance, role, thanksgiving_week
):
    breach_id = determined_breach(api, as_compliance)
    [number] = customers(container, 1)
    headers = bearer(tokens[role])
    before = stored(container)
    path = f"{BREACHES}/{breach_id}"
    answers = [
        api.post(BREACHES, json={"reference": "BR-OTHER"}, headers=headers),
        api.patch(path, json={"status": "closed", "reason": "done"}, headers=headers),
        api.post(
            f"{path}/events",
            json={"kind": "described", "occurred_at": FRIDAY_AFTER, "details": {"description": "x"}},
            headers=headers,
        ),
        api.post(f"{path}/affected-accounts", json={"account_numbers": [number]}, headers=headers),
        api.post(f"{path}/customer-notices", headers=headers),
        api.delete(path, headers=headers),
    ]
    assert [a.status_code for a in answers] == [403] * len(answers)
    assert stored(container) == before


@pytest.mark.parametrize("role", list(Role))
def test_compliance_officers_and_administrators_keep_the_commission_closures(
    api, container, tokens, role, thanksgiving_week
):
    headers = bearer(tokens[role])
    before = stored(container)
    added = api.post(CLOSURES, json={"day": "2026-11-30", "reason": "Executive order"}, headers=headers)
    listed = api.get(CLOSURES, headers=headers)
    if role in CALENDAR_KEEPERS:
        assert added.status_code == 201, added.text
        assert api.delete(f"{CLOSURES}/2026-11-30", headers=headers).status_code == 204
    else:
        assert added.status_code == 403
        assert api.delete(f"{CLOSURES}/2026-11-30", headers=headers).status_code == 403
        assert stored(container) == before
    assert listed.status_code == (200 if role in [*READERS, Role.ADMINISTRATOR] else 403)
