"""A customer's consent over HTTP (issue 5): approvals as of any instant, the ledger, recording events.

47 CFR 64.2007-64.2009. Through the real app and database: a notice starts the waiting period
(30 days from an email, 33 from a mailing), opt-out approval is then deemed and the gate permits
marketing outside the customer's categories; an opt-out, a bounce or a lapse takes it away; opt-in
needs proof; one-time consent lives and dies with its call. Every refused request writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests.conftest import TEST_NOW, make_settings
from tests.e2e.conftest import bearer
from tests.e2e.gate_scenario import Scenario
from tests.factories import OPENED, add_account, add_contact_point

from cpniguard.adapters.db.tables import (
    AccessLogRecord,
    ConsentEventRecord,
    ConsentState,
    NoticePreference,
    OutboxMessage,
)
from cpniguard.adapters.notify.notice_files import DEFAULT_NOTICE_FILE, load_notice_file
from cpniguard.bootstrap import Container
from cpniguard.domain.accounts import ContactKind
from cpniguard.domain.employees import Role, TrainingRecord
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services.api_tokens import issue_api_token
from cpniguard.worker import deliver_once

pytestmark = pytest.mark.e2e
pytest_plugins = ["tests.outbox_servers"]

CLOCK = "/api/v1/admin/clock"
DAY = timedelta(days=1)
EMAIL_OF_RECORD = "holder@customer.example"
POSTAL_OF_RECORD = "12 Elm St, Springfield, IL 62701"
CONFIRMATION = "consent_confirmation"
MARKETING = {
    "data_category": "cpni",
    "purpose": "marketing_communications_related",
    "channel": "api",
    "recipient": "carrier",
    "offering_category": "wireless",
}
"""The gate's question: may the carrier use CPNI to market wireless to a customer who takes only local?"""


# --- helpers


def notice_version_body(container: Container) -> dict[str, object]:
    """The notice cpniguard ships, filled with the test settings' opt-out address and carrier name."""
    consent = container.settings.consent
    version, days, texts = load_notice_file(
        DEFAULT_NOTICE_FILE, opt_out_address=consent.opt_out_address, carrier_name=consent.carrier_name
    )
    return {"version": version, "waiting_period_days": days, "texts": texts}


def add_notice_version(api, container: Container, headers: dict[str, str]) -> str:
    body = notice_version_body(container)
    response = api.post("/api/v1/consent/notice-versions", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(body["version"])


def record(api, number: str, headers: dict[str, str], **body: object):
    return api.post(f"/api/v1/accounts/{number}/consent/events", json=body, headers=headers)


def recorded(api, number: str, headers: dict[str, str], **body: object) -> dict:
    response = record(api, number, headers, **body)
    assert response.status_code == 201, response.text
    return response.json()["event"]


def send_notice(
    api, number: str, headers: dict[str, str], version: str, medium: str, at: datetime, **extra: object
) -> dict:
    """Record that notice `version` went to the customer by `medium` at `at` (64.2008(d))."""
    return recorded(
        api,
        number,
        headers,
        kind="notice_sent",
        notice_version=version,
        notice_medium=medium,
        occurred_at=at.isoformat(),
        **extra,
    )


def report(api, number: str, headers: dict[str, str], as_of: datetime | None = None) -> dict:
    params = {} if as_of is None else {"as_of": as_of.isoformat()}
    response = api.get(f"/api/v1/accounts/{number}/consent", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def standing(body: dict, recipient: str, partner: str = "") -> dict:
    [found] = [s for s in body["standings"] if s["scope"] == {"recipient": recipient, "partner": partner}]
    return found


def carrier_at(api, number: str, headers: dict[str, str], as_of: datetime | None = None) -> tuple[str, str]:
    found = standing(report(api, number, headers, as_of), "carrier")
    return found["approval"], found["reason"]


def ledger(api, number: str, headers: dict[str, str]) -> list[dict]:
    response = api.get(f"/api/v1/accounts/{number}/consent/events", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def decide(api, scenario: Scenario, headers: dict[str, str] | None = None, **body: object) -> str:
    ask = {"account_number": scenario.account, **MARKETING, **body}
    response = api.post("/api/v1/decisions", json=ask, headers=headers or scenario.representative)
    assert response.status_code in {200, 403}, response.text
    return str(response.json()["decision"])


def move_clock(api, administrator: dict[str, str], **change: object) -> datetime:
    response = api.post(CLOCK, json=change, headers=administrator)
    assert response.status_code == 200, response.text
    return datetime.fromisoformat(response.json()["now"])


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def written(container: Container) -> tuple[int, ...]:
    """How many ledger events, projection rows, outbox messages and access-log entries there are."""
    with container.unit_of_work() as uow:
        return tuple(
            uow.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (ConsentEventRecord, ConsentState, OutboxMessage, AccessLogRecord)
        )


def messages(api, number: str, headers: dict[str, str]) -> list[dict]:
    response = api.get(f"/api/v1/accounts/{number}/messages", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def add_customer(container: Container, *, email_notices: bool = False) -> tuple[int, str]:
    """An account with an email and a postal address of record (on it long before TEST_NOW)."""
    with container.unit_of_work() as uow:
        key, number = add_account(uow.session)
        add_contact_point(uow.session, key, ContactKind.EMAIL_ADDRESS, EMAIL_OF_RECORD, associated_at=OPENED)
        add_contact_point(
            uow.session, key, ContactKind.POSTAL_ADDRESS, POSTAL_OF_RECORD, associated_at=OPENED
        )
        if email_notices:
            uow.session.add(NoticePreference(account_id=key, channel=NoticeChannel.EMAIL, updated_at=OPENED))
        uow.commit()
    return key, number


@pytest.fixture
def as_compliance(tokens) -> dict[str, str]:
    return bearer(tokens[Role.COMPLIANCE_OFFICER])


@pytest.fixture
def as_auditor(tokens) -> dict[str, str]:
    return bearer(tokens[Role.AUDITOR])


@pytest.fixture
def customer_number(container) -> str:
    return add_customer(container)[1]


@pytest.fixture
def notice(api, container, as_compliance) -> str:
    return add_notice_version(api, container, as_compliance)


# --- the life of an approval


def test_an_email_notice_is_deemed_on_day_30_and_the_gate_follows_until_the_customer_opts_out(
    api, scenario, container, notice, as_compliance, as_administrator, as_auditor
):
    number = scenario.account
    sent_at = TEST_NOW - 29 * DAY
    notice_event = send_notice(api, number, as_compliance, notice, "email", sent_at)
    waiting = standing(report(api, number, as_auditor), "carrier")
    assert (waiting["approval"], waiting["reason"]) == ("none", "waiting")
    assert moment(waiting["deemed_from"]) == sent_at + 30 * DAY
    assert waiting["basis_event_id"] == notice_event["id"]
    assert decide(api, scenario) == "deny"

    now = move_clock(api, as_administrator, advance_by="P1DT1H")
    assert now == sent_at + 30 * DAY + timedelta(hours=1)
    deemed = standing(report(api, number, as_auditor), "carrier")
    assert (deemed["approval"], deemed["reason"]) == ("opt_out_deemed", "deemed")
    assert moment(deemed["since"]) == sent_at + 30 * DAY
    assert decide(api, scenario) == "permit"

    opt_out = recorded(api, number, scenario.representative, kind="opted_out", source="representative")
    assert moment(opt_out["occurred_at"]) == now
    assert carrier_at(api, number, as_auditor) == ("opted_out", "opted_out")
    assert decide(api, scenario) == "deny"

    history = [
        (sent_at - DAY, ("none", "no_notice")),
        (sent_at, ("none", "waiting")),
        (sent_at + 30 * DAY - timedelta(seconds=1), ("none", "waiting")),
        (sent_at + 30 * DAY, ("opt_out_deemed", "deemed")),
        (now - timedelta(seconds=1), ("opt_out_deemed", "deemed")),
        (now, ("opted_out", "opted_out")),
        (now + 800 * DAY, ("opted_out", "opted_out")),
    ]
    assert [carrier_at(api, number, as_auditor, at) for at, _ in history] == [answer for _, answer in history]
    events = ledger(api, number, as_auditor)
    assert [(e["id"], e["kind"]) for e in events] == [
        (notice_event["id"], "notice_sent"),
        (opt_out["id"], "opted_out"),
    ]
    assert [e["recorded_by"] for e in events] == ["test compliance_officer", "rep-trained"]


def test_a_mailed_notice_counts_from_the_third_day_after_mailing(
    api, customer_number, notice, as_compliance, as_administrator
):
    mailed_at = TEST_NOW - 32 * DAY
    send_notice(api, customer_number, as_compliance, notice, "mail", mailed_at)
    waiting = standing(report(api, customer_number, as_compliance), "carrier")
    assert (waiting["approval"], waiting["reason"]) == ("none", "waiting")
    assert moment(waiting["deemed_from"]) == mailed_at + 33 * DAY
    assert carrier_at(api, customer_number, as_compliance, mailed_at + 33 * DAY) == (
        "opt_out_deemed",
        "deemed",
    )
    move_clock(api, as_administrator, advance_by="P1D")
    assert carrier_at(api, customer_number, as_compliance) == ("opt_out_deemed", "deemed")


def test_a_notice_stating_a_longer_waiting_period_is_deemed_only_when_it_has_run(
    api, customer_number, notice, as_compliance
):
    sent_at = TEST_NOW - 40 * DAY
    send_notice(api, customer_number, as_compliance, notice, "email", sent_at, waiting_period_days=45)
    assert moment(standing(report(api, customer_number, as_compliance), "agent")["deemed_from"]) == (
        sent_at + 45 * DAY
    )


def test_a_bounced_email_notice_never_counted_even_before_the_bounce_was_reported(
    api, customer_number, notice, as_compliance, container
):
    sent_at = TEST_NOW - 40 * DAY
    email_notice = send_notice(api, customer_number, as_compliance, notice, "email", sent_at)
    assert carrier_at(api, customer_number, as_compliance) == ("opt_out_deemed", "deemed")
    bounce = recorded(
        api, customer_number, as_compliance, kind="notice_bounced", refers_to=email_notice["id"]
    )
    assert bounce["refers_to"] == email_notice["id"]
    assert carrier_at(api, customer_number, as_compliance) == ("none", "no_notice")
    assert carrier_at(api, customer_number, as_compliance, sent_at + 35 * DAY) == ("none", "no_notice")


def test_deemed_approval_lapses_two_years_after_the_last_notice_and_the_customer_is_due_a_renotice(
    api, customer_number, notice, as_compliance, as_administrator
):
    sent_at = TEST_NOW - 31 * DAY
    send_notice(api, customer_number, as_compliance, notice, "email", sent_at)
    assert carrier_at(api, customer_number, as_compliance) == ("opt_out_deemed", "deemed")
    assert customer_number not in due_accounts(api, as_compliance)

    lapses_at = sent_at.replace(year=2028)
    assert move_clock(api, as_administrator, pin_at=lapses_at.isoformat()) == lapses_at
    lapsed = standing(report(api, customer_number, as_compliance), "carrier")
    assert (lapsed["approval"], lapsed["reason"], moment(lapsed["since"])) == ("none", "lapsed", lapses_at)
    just_before = lapses_at - timedelta(seconds=1)
    assert carrier_at(api, customer_number, as_compliance, just_before) == ("opt_out_deemed", "deemed")
    due = due_accounts(api, as_compliance)
    assert moment(due[customer_number]["last_notice_at"]) == sent_at
    assert due[customer_number]["has_email_of_record"] is True
    assert due[customer_number]["has_postal_address_of_record"] is True


def due_accounts(api, headers: dict[str, str]) -> dict[str, dict]:
    response = api.get("/api/v1/consent/renotice-due", headers=headers)
    assert response.status_code == 200, response.text
    return {row["account_number"]: row for row in response.json()}


def test_an_oral_notice_never_starts_the_waiting_period(api, customer_number, notice, as_compliance):
    send_notice(api, customer_number, as_compliance, notice, "oral", TEST_NOW - 60 * DAY)
    assert carrier_at(api, customer_number, as_compliance) == ("none", "no_notice")


# --- opt-in, partners, revocation


def test_a_third_party_opt_in_needs_proof_and_oral_proof_needs_its_recording(
    api, container, customer_number, as_compliance
):
    before = written(container)
    third_party = [{"recipient": "third_party"}]
    unproven = record(
        api, customer_number, as_compliance, kind="opted_in", source="portal", scope=third_party
    )
    assert unproven.status_code == 422
    assert [e["location"] for e in unproven.json()["errors"]] == ["proof"]
    oral = record(
        api,
        customer_number,
        as_compliance,
        kind="opted_in",
        source="representative",
        scope=third_party,
        proof="oral",
    )
    assert oral.status_code == 422
    assert [e["location"] for e in oral.json()["errors"]] == ["recording_reference"]
    assert "64.2007(a)(1)" in oral.json()["errors"][0]["message"]
    assert written(container) == before

    recorded(
        api,
        customer_number,
        as_compliance,
        kind="opted_in",
        source="representative",
        scope=third_party,
        proof="oral",
        recording_reference="calls/2026/11/02/4711.wav",
    )
    found = standing(report(api, customer_number, as_compliance), "third_party")
    assert (found["approval"], found["reason"]) == ("opt_in", "opted_in")
    assert standing(report(api, customer_number, as_compliance), "joint_venture_partner")["reason"] == (
        "opt_in_required"
    )


def test_an_opt_in_to_a_named_partner_is_its_own_scope_and_a_revocation_applies_at_once(
    api, customer_number, as_compliance
):
    partner = {"recipient": "joint_venture_partner", "partner": "Acme Devices"}
    opt_in = recorded(
        api,
        customer_number,
        as_compliance,
        kind="opted_in",
        source="mailed_form",
        scope=[partner],
        proof="written",
        evidence="scan 2026-11-02/17",
    )
    body = report(api, customer_number, as_compliance)
    named = standing(body, "joint_venture_partner", "Acme Devices")
    assert (named["approval"], named["reason"], named["basis_event_id"]) == (
        "opt_in",
        "opted_in",
        opt_in["id"],
    )
    assert standing(body, "joint_venture_partner")["approval"] == "none"

    revoked = recorded(
        api,
        customer_number,
        as_compliance,
        kind="revoked",
        source="portal",
        scope=[partner],
    )
    named = standing(report(api, customer_number, as_compliance), "joint_venture_partner", "Acme Devices")
    assert (named["approval"], named["reason"], named["since"]) == (
        "opted_out",
        "revoked",
        revoked["occurred_at"],
    )
    before = standing(
        report(api, customer_number, as_compliance, TEST_NOW - timedelta(microseconds=1)), *partner.values()
    )
    assert before["approval"] == "none"


def trained_analyst(container: Container) -> dict[str, str]:
    """A marketing analyst's token, trained in CPNI this year (64.2009(b))."""
    with container.unit_of_work() as uow:
        employee_id = uow.employees.add(
            username="analyst",
            display_name="Analyst",
            role=Role.MARKETING_ANALYST,
            password_hash="not-used-by-bearer-tokens",
            created_at=OPENED,
        )
        record = TrainingRecord(TEST_NOW - 30 * DAY, TEST_NOW + 335 * DAY)
        uow.training.add_training(employee_id, course="CPNI 2026", record=record, recorded_by="test")
        uow.commit()
    issued = issue_api_token(
        role=Role.MARKETING_ANALYST,
        label="analyst",
        employee_id=employee_id,
        uow_factory=container.unit_of_work,
        clock=container.clock,
    )
    return bearer(issued.secret)


def test_the_gate_lets_a_third_party_market_only_with_the_customers_opt_in(
    api, scenario, container, as_compliance
):
    analyst = trained_analyst(container)
    ask = {"purpose": "marketing_by_partners", "recipient": "third_party"}
    assert decide(api, scenario, analyst, **ask) == "deny"
    recorded(
        api,
        scenario.account,
        as_compliance,
        kind="opted_in",
        source="portal",
        scope=[{"recipient": "third_party"}],
        proof="electronic",
    )
    assert decide(api, scenario, analyst, **ask) == "permit"
    recorded(
        api,
        scenario.account,
        as_compliance,
        kind="revoked",
        source="portal",
        scope=[{"recipient": "third_party"}],
    )
    assert decide(api, scenario, analyst, **ask) == "deny"


# --- one-time consent


def test_one_time_consent_lets_the_carrier_market_on_that_call_only(api, scenario, container):
    call = scenario.interaction(api, "inbound_call")
    other_call = scenario.interaction(api, "inbound_call")
    on_call = {"channel": "inbound_call", "interaction_id": call}
    assert decide(api, scenario, **on_call) == "deny"
    consent = recorded(
        api,
        scenario.account,
        scenario.representative,
        kind="one_time_consent",
        source="representative",
        interaction_id=call,
        scope=[{"recipient": "carrier"}],
    )
    assert consent["interaction_id"] == call
    assert decide(api, scenario, **on_call) == "permit"
    assert decide(api, scenario, channel="inbound_call", interaction_id=other_call) == "deny"
    assert carrier_at(api, scenario.account, scenario.representative) == ("none", "no_notice")

    ended = api.post(f"/api/v1/interactions/{call}/end", headers=scenario.representative)
    assert ended.status_code == 200, ended.text
    after = api.post(
        "/api/v1/decisions",
        json={"account_number": scenario.account, **MARKETING, **on_call},
        headers=scenario.representative,
    )
    assert after.status_code == 422
    assert [e["location"] for e in after.json()["errors"]] == ["interaction_id"]


def test_one_time_consent_on_an_ended_call_or_another_accounts_call_is_refused(api, scenario, container):
    ended = scenario.interaction(api, "inbound_call")
    api.post(f"/api/v1/interactions/{ended}/end", headers=scenario.representative)
    _, stranger = add_customer(container)
    strangers_call = api.post(
        "/api/v1/interactions",
        json={"account_number": stranger, "channel": "inbound_call"},
        headers=scenario.representative,
    ).json()["interaction_id"]
    before = written(container)
    for interaction_id in (ended, strangers_call):
        refused = record(
            api,
            scenario.account,
            scenario.representative,
            kind="one_time_consent",
            source="representative",
            interaction_id=interaction_id,
            scope=[{"recipient": "carrier"}],
        )
        assert refused.status_code == 422, refused.text
        assert [e["location"] for e in refused.json()["errors"]] == ["interaction_id"]
    assert written(container) == before


# --- confirmations


def test_a_decision_writes_its_confirmation_to_the_outbox(api, container, as_compliance, as_auditor):
    _, number = add_customer(container)
    assert messages(api, number, as_auditor) == []
    recorded(api, number, as_compliance, kind="opted_out", source="mailed_form")
    [confirmation] = messages(api, number, as_auditor)
    assert (confirmation["template"], confirmation["channel"], confirmation["status"]) == (
        CONFIRMATION,
        "email",
        "pending",
    )
    assert confirmation["recipient"] == EMAIL_OF_RECORD


def test_a_confirmation_goes_to_the_number_of_record_while_the_email_is_too_new(api, scenario, as_auditor):
    recorded(api, scenario.account, scenario.representative, kind="opted_out", source="representative")
    [confirmation] = messages(api, scenario.account, as_auditor)
    assert (confirmation["template"], confirmation["channel"], confirmation["recipient"]) == (
        CONFIRMATION,
        "sms",
        "+12125550100",
    )


def test_a_notice_is_not_a_decision_and_writes_no_confirmation(api, customer_number, notice, as_compliance):
    recorded(
        api, customer_number, as_compliance, kind="notice_sent", notice_version=notice, notice_medium="email"
    )
    assert messages(api, customer_number, as_compliance) == []


def test_the_worker_delivers_the_confirmation_to_the_email_of_record(
    api, container, database_url, smtp_server, as_compliance
):
    _, number = add_customer(container, email_notices=True)
    answer = record(api, number, as_compliance, kind="opted_out", source="portal")
    assert answer.json()["confirmation_channel"] == "email"
    smtp = {"host": smtp_server.host, "port": smtp_server.port, "sender": "cpni@carrier.example"}
    worker = Container(
        settings=make_settings(database_url, smtp=smtp),
        engine=container.engine,
        sessions=container.sessions,
        clock=container.clock,
    )
    assert deliver_once(worker).sent == 1
    [received] = smtp_server.inbox.messages
    assert received["To"] == EMAIL_OF_RECORD
    assert "CPNI" in received["Subject"]
    [shown] = messages(api, number, as_compliance)
    assert (shown["template"], shown["status"]) == (CONFIRMATION, "sent")


# --- roles


@pytest.mark.parametrize(
    "role",
    [Role.REPRESENTATIVE, Role.MARKETING_ANALYST, Role.SUPERVISOR, Role.COMPLIANCE_OFFICER, Role.AUDITOR],
)
def test_people_who_use_or_audit_cpni_read_approvals_and_the_ledger(api, tokens, customer_number, role):
    headers = bearer(tokens[role])
    assert api.get(f"/api/v1/accounts/{customer_number}/consent", headers=headers).status_code == 200
    assert api.get(f"/api/v1/accounts/{customer_number}/consent/events", headers=headers).status_code == 200


def test_an_administrator_may_not_read_consent(api, tokens, customer_number):
    headers = bearer(tokens[Role.ADMINISTRATOR])
    for path in ("consent", "consent/events"):
        refused = api.get(f"/api/v1/accounts/{customer_number}/{path}", headers=headers)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("role", "source", "allowed"),
    [
        (Role.MARKETING_ANALYST, "portal", False),
        (Role.AUDITOR, "representative", False),
        (Role.ADMINISTRATOR, "representative", False),
        (Role.REPRESENTATIVE, "representative", True),
        (Role.REPRESENTATIVE, "mailed_form", True),
        (Role.REPRESENTATIVE, "portal", False),
        (Role.REPRESENTATIVE, "marketing_mailbox", False),
        (Role.INTEGRATION, "portal", True),
        (Role.INTEGRATION, "representative", False),
        (Role.INTEGRATION, "mailed_form", False),
        (Role.SUPERVISOR, "marketing_mailbox", True),
        (Role.COMPLIANCE_OFFICER, "portal", True),
    ],
)
def test_each_role_records_only_what_arrives_through_its_own_channel(
    api, tokens, container, customer_number, role, source, allowed
):
    before = written(container)
    answer = record(api, customer_number, bearer(tokens[role]), kind="opted_out", source=source)
    if allowed:
        assert answer.status_code == 201, answer.text
        assert answer.json()["event"]["source"] == source
        return
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert written(container) == before


def test_a_representative_is_told_it_may_not_record_from_the_portal(api, scenario, container):
    answer = record(api, scenario.account, scenario.representative, kind="opted_out", source="portal")
    assert answer.status_code == 403
    assert answer.json()["detail"] == "The role 'representative' may not record events from portal."


@pytest.mark.parametrize("role", [Role.REPRESENTATIVE, Role.MARKETING_ANALYST])
def test_only_compliance_staff_and_the_system_record_notices(
    api, tokens, container, customer_number, notice, role
):
    before = written(container)
    answer = record(
        api,
        customer_number,
        bearer(tokens[role]),
        kind="notice_sent",
        notice_version=notice,
        notice_medium="email",
    )
    assert answer.status_code == 403
    assert written(container) == before


# --- idempotency


def test_the_same_reference_twice_records_once(api, container, customer_number, tokens, as_compliance):
    portal = bearer(tokens[Role.INTEGRATION])
    body = {"kind": "opted_out", "source": "portal", "reference": "portal-request-81f2"}
    first = record(api, customer_number, portal, **body)
    assert first.status_code == 201, first.text
    assert first.json()["already_recorded"] is False
    counts = written(container)
    again = record(api, customer_number, portal, **body)
    assert again.status_code == 201, again.text
    assert again.json()["already_recorded"] is True
    assert again.json()["event"]["id"] == first.json()["event"]["id"]
    assert written(container) == counts
    assert [e["reference"] for e in ledger(api, customer_number, as_compliance)] == ["portal-request-81f2"]
    assert len(messages(api, customer_number, as_compliance)) == 1


def test_a_replayed_reference_answers_with_the_event_the_ledger_holds(api, customer_number, tokens):
    portal = bearer(tokens[Role.INTEGRATION])
    first = recorded(api, customer_number, portal, kind="opted_out", source="portal", reference="r-1")
    replay = record(
        api,
        customer_number,
        portal,
        kind="opted_in",
        source="portal",
        reference="r-1",
        proof="electronic",
        scope=[{"recipient": "carrier"}],
    )
    assert replay.json()["event"]["id"] == first["id"]
    assert replay.json()["event"]["kind"] == "opted_out"
    assert replay.json()["already_recorded"] is True


def test_a_reference_another_account_holds_is_refused_and_never_swallows_this_customers_opt_out(
    api, container, customer_number, tokens, as_compliance
):
    portal = bearer(tokens[Role.INTEGRATION])
    _, neighbour = add_customer(container)
    recorded(api, neighbour, portal, kind="opted_out", source="portal", reference="form-2026-0001")
    before = written(container)
    answer = record(
        api, customer_number, portal, kind="opted_out", source="portal", reference="form-2026-0001"
    )
    assert answer.status_code == 422, answer.text
    assert [e["location"] for e in answer.json()["errors"]] == ["reference"]
    assert written(container) == before


# --- bad input


BAD_EVENTS = [
    pytest.param({"kind": "opted_sideways", "source": "portal"}, "body.kind", id="unknown kind"),
    pytest.param({"source": "portal"}, "body.kind", id="no kind"),
    pytest.param({"kind": 7, "source": "portal"}, "body.kind", id="kind not a string"),
    pytest.param({"kind": "opted_out", "source": "fax"}, "body.source", id="unknown source"),
    pytest.param(
        {"kind": "opted_in", "source": "portal", "proof": "written", "scope": [{"recipient": "martians"}]},
        "body.scope.0.recipient",
        id="unknown recipient class",
    ),
    pytest.param(
        {"kind": "opted_in", "source": "portal", "proof": "written", "scope": [{"recipient": "customer"}]},
        "scope",
        id="customer cannot be approved",
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "scope": [{"recipient": "government"}]},
        "scope",
        id="government cannot be approved",
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "scope": [{"recipient": "agent"}, {"recipient": "agent"}]},
        "body.scope",
        id="a recipient twice",
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "scope": "carrier"}, "body.scope", id="scope a string"
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "scope": [{"recipient": "agent", "partner": " Acme"}]},
        "scope",
        id="partner with spaces around",
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "scope": [{"recipient": "agent", "partner": "A" * 201}]},
        "body.scope.0.partner",
        id="partner too long",
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "scope": [{"recipient": "agent", "partner": "Ac\x00me"}]},
        "body.scope.0.partner",
        id="partner with NUL",
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "occurred_at": "2026-11-01T10:00:00"},
        "body.occurred_at",
        id="naive occurred_at",
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "occurred_at": "2026-11-02T15:00:01+00:00"},
        "occurred_at",
        id="occurred_at in the future",
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "occurred_at": "0001-01-01T00:00:00+01:00"},
        "body.occurred_at",
        id="occurred_at before the calendar in UTC",
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "occurred_at": "1996-02-07T23:59:59+00:00"},
        "body.occurred_at",
        id="occurred_at before 47 USC 222",
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "occurred_at": "next tuesday"},
        "body.occurred_at",
        id="occurred_at not a time",
    ),
    pytest.param(
        {
            "kind": "notice_sent",
            "notice_version": "cpni-2026-11",
            "notice_medium": "email",
            "waiting_period_days": 29,
        },
        "body.waiting_period_days",
        id="waiting period 29 days",
    ),
    pytest.param(
        {
            "kind": "notice_sent",
            "notice_version": "cpni-2026-11",
            "notice_medium": "email",
            "waiting_period_days": "thirty",
        },
        "body.waiting_period_days",
        id="waiting period a string",
    ),
    pytest.param(
        {"kind": "notice_sent", "notice_version": "cpni-1999-01", "notice_medium": "email"},
        "notice_version",
        id="unknown notice version",
    ),
    pytest.param(
        {"kind": "notice_sent", "notice_version": "cpni\x00", "notice_medium": "email"},
        "body.notice_version",
        id="notice version with NUL",
    ),
    pytest.param({"kind": "notice_sent", "notice_version": "cpni-2026-11"}, "notice_medium", id="no medium"),
    pytest.param({"kind": "notice_bounced"}, "refers_to", id="bounce naming no notice"),
    pytest.param({"kind": "notice_bounced", "refers_to": 987_654}, "refers_to", id="bounce of no notice"),
    pytest.param({"kind": "notice_bounced", "refers_to": -1}, "body.refers_to", id="negative refers_to"),
    pytest.param({"kind": "notice_bounced", "refers_to": 2**63}, "body.refers_to", id="huge refers_to"),
    pytest.param({"kind": "opted_out"}, "source", id="opt-out without its channel"),
    pytest.param(
        {"kind": "opted_in", "source": "portal", "proof": "written"}, "scope", id="opt-in for nobody"
    ),
    pytest.param({"kind": "revoked", "source": "portal"}, "scope", id="revocation of nothing"),
    pytest.param(
        {"kind": "one_time_consent", "source": "representative", "scope": [{"recipient": "carrier"}]},
        "interaction_id",
        id="one-time consent on no call",
    ),
    pytest.param(
        {"kind": "one_time_consent", "source": "representative", "interaction_id": 0, "scope": []},
        "body.interaction_id",
        id="interaction id 0",
    ),
    pytest.param(
        {"kind": "one_time_consent", "source": "representative", "interaction_id": 2**62 + 1},
        "body.interaction_id",
        id="huge interaction id",
    ),
    pytest.param(
        {
            "kind": "one_time_consent",
            "source": "representative",
            "interaction_id": 999_999_999,
            "scope": [{"recipient": "carrier"}],
        },
        "interaction_id",
        id="unknown interaction",
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "evidence": "x" * 10_001},
        "body.evidence",
        id="huge evidence",
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "evidence": "a\x00b"}, "body.evidence", id="NUL in evidence"
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "evidence": 42}, "body.evidence", id="evidence a number"
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "reference": ""}, "body.reference", id="empty reference"
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "reference": "r" * 129},
        "body.reference",
        id="long reference",
    ),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "reference": "r\x00"}, "body.reference", id="NUL reference"
    ),
    pytest.param(
        {
            "kind": "opted_in",
            "source": "portal",
            "proof": "oral",
            "recording_reference": "r\x00",
            "scope": [{"recipient": "third_party"}],
        },
        "body.recording_reference",
        id="NUL recording reference",
    ),
    pytest.param(
        {"kind": "opted_in", "source": "portal", "proof": "telepathy"}, "body.proof", id="unknown proof"
    ),
    pytest.param({"kind": "opted_out", "source": "portal", "colour": "red"}, "body.colour", id="extra field"),
    pytest.param(
        {"kind": "opted_out", "source": "portal", "scope": [{"recipient": "agent", "share": True}]},
        "body.scope.0.share",
        id="extra scope field",
    ),
]


@pytest.mark.parametrize(("body", "location"), BAD_EVENTS)
def test_a_bad_event_is_a_field_level_422_and_writes_nothing(
    api, container, customer_number, notice, as_compliance, body, location
):
    before = written(container)
    answer = record(api, customer_number, as_compliance, **body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert location in [e["location"] for e in answer.json()["errors"]]
    assert written(container) == before


@pytest.mark.parametrize("content", [b"{not json", b"[]", b'"opted_out"', b""])
def test_a_body_that_is_not_an_event_object_is_a_422(api, container, customer_number, as_compliance, content):
    before = written(container)
    answer = api.post(
        f"/api/v1/accounts/{customer_number}/consent/events",
        content=content,
        headers={**as_compliance, "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["location"].startswith("body")
    assert written(container) == before


def test_a_bounce_must_name_a_notice_sent_to_this_account(
    api, container, customer_number, notice, as_compliance
):
    opt_out = recorded(api, customer_number, as_compliance, kind="opted_out", source="portal")
    _, neighbour = add_customer(container)
    neighbours_notice = recorded(
        api, neighbour, as_compliance, kind="notice_sent", notice_version=notice, notice_medium="email"
    )
    before = written(container)
    for refers_to in (opt_out["id"], neighbours_notice["id"]):
        answer = record(api, customer_number, as_compliance, kind="notice_bounced", refers_to=refers_to)
        assert answer.status_code == 422, answer.text
        assert [e["location"] for e in answer.json()["errors"]] == ["refers_to"]
    assert written(container) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_account_is_404_and_nothing_is_written(api, container, as_compliance, method):
    before = written(container)
    path = "/api/v1/accounts/NOPE0001/consent/events"
    answer = (
        api.post(path, json={"kind": "opted_out", "source": "portal"}, headers=as_compliance)
        if (method == "post")
        else api.get("/api/v1/accounts/NOPE0001/consent", headers=as_compliance)
    )
    assert answer.status_code == 404
    assert answer.json()["detail"] == "no account NOPE0001"
    assert written(container) == before


@pytest.mark.parametrize(
    ("path", "location"),
    [("A" * 33, "path.account_number"), ("T%00001", "path.account_number")],
)
def test_a_malformed_account_number_is_a_422(api, as_compliance, path, location):
    for suffix in ("consent", "consent/events"):
        answer = api.get(f"/api/v1/accounts/{path}/{suffix}", headers=as_compliance)
        assert answer.status_code == 422, answer.text
        assert [e["location"] for e in answer.json()["errors"]] == [location]


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2026-11-01T10:00:00", "timezone"),
        ("yesterday", "ISO 8601 date and time"),
        ("0001-01-01T00:00:00+01:00", "1996-02-08"),
        ("1990-01-01T00:00:00Z", "1996-02-08"),
        ("9999-12-31T23:59:59-01:00", "9998-01-01"),
    ],
)
def test_a_bad_as_of_is_a_field_level_422(api, customer_number, as_compliance, as_of, message):
    answer = api.get(
        f"/api/v1/accounts/{customer_number}/consent", params={"as_of": as_of}, headers=as_compliance
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["location"] == "query.as_of"
    assert message in error["message"]


def test_without_a_token_nothing_is_read_or_recorded(api, customer_number):
    assert api.get(f"/api/v1/accounts/{customer_number}/consent").status_code == 401
    answer = api.post(f"/api/v1/accounts/{customer_number}/consent/events", json={"kind": "opted_out"})
    assert answer.status_code == 401


def test_an_old_event_may_be_recorded_with_its_own_time(api, customer_number, as_compliance):
    received = datetime(2026, 10, 26, 9, 30, tzinfo=UTC)
    event = recorded(
        api,
        customer_number,
        as_compliance,
        kind="opted_out",
        source="mailed_form",
        occurred_at=received.isoformat(),
    )
    assert moment(event["occurred_at"]) == received
    assert moment(event["recorded_at"]) == TEST_NOW
    assert carrier_at(api, customer_number, as_compliance, received - timedelta(seconds=1)) == (
        "none",
        "no_notice",
    )
    assert carrier_at(api, customer_number, as_compliance, received) == ("opted_out", "opted_out")
