"""Consent administration over HTTP (issue 5): notice versions, customers due a notice, the
marketing mailbox's review queue, and opt-out failure incidents with their FCC letter.

47 CFR 64.2008(c)-(d), 64.2009(f). Through the real app and database; only compliance officers
and supervisors manage these, every refused request writes nothing.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import SMTP

import pypdf
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, status_code_conformance
from sqlalchemy import func, select
from tests.conftest import TEST_NOW
from tests.e2e.conftest import bearer
from tests.e2e.test_http_consent import (
    add_customer,
    add_notice_version,
    ledger,
    messages,
    move_clock,
    notice_version_body,
    written,
)

from cpniguard.adapters.calendar import federal_calendar
from cpniguard.adapters.db.tables import ConsentNoticeVersion, MailboxMessage, OptOutFailureIncident
from cpniguard.bootstrap import Container
from cpniguard.domain.consent_events import ConsentSource
from cpniguard.domain.employees import Role
from cpniguard.services.mailbox import process_due_mail, store_mail
from cpniguard.services.opt_out_monitor import MECHANISMS, ProbeSendError, run_probe_round
from cpniguard.web.app import create_app

pytestmark = pytest.mark.e2e

MANAGERS = [Role.COMPLIANCE_OFFICER, Role.SUPERVISOR]
OTHERS = [r for r in Role if r not in MANAGERS]
STRANGER = "stranger@elsewhere.example"
THURSDAY_BEFORE_THANKSGIVING = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)
"""10:00 in Washington: the FCC's day is Thursday 19 November 2026, a week before Thanksgiving."""
FACTS = {
    "remedy": "The portal's opt-out endpoint was redeployed behind a health-checked load balancer.",
    "remedy_date": "2026-11-20",
    "state_commission_notice": "The Illinois Commerce Commission was told on 2026-11-20; it took no action.",
    "customer_notice": "Customers who tried to opt out online were asked by email to try again.",
}


@pytest.fixture
def as_compliance(tokens) -> dict[str, str]:
    return bearer(tokens[Role.COMPLIANCE_OFFICER])


def stored(container: Container) -> tuple[object, ...]:
    """Everything an administration request could write: the consent tables, notices, mail, incidents."""
    with container.unit_of_work() as uow:
        counts = tuple(
            uow.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (ConsentNoticeVersion, OptOutFailureIncident)
        )
        mail = tuple(uow.session.execute(select(MailboxMessage.id, MailboxMessage.status)).all())
        incident = OptOutFailureIncident
        facts = (incident.remedy, incident.remedy_date, incident.state_commission_notice)
        dates = (incident.customer_notice, incident.letter_sent_at, incident.closed_at)
        incidents = tuple(uow.session.execute(select(incident.id, *facts, *dates)).all())
    return (*written(container), *counts, mail, incidents)


def problem_locations(response) -> list[str]:
    assert response.headers["content-type"] == "application/problem+json"
    return [error["location"] for error in response.json()["errors"]]


# --- notice versions


def test_the_shipped_notice_is_added_once_and_listed_with_who_added_it(api, container, as_compliance, tokens):
    version = add_notice_version(api, container, as_compliance)
    listed = api.get("/api/v1/consent/notice-versions", headers=bearer(tokens[Role.AUDITOR]))
    assert listed.status_code == 200, listed.text
    [shown] = listed.json()
    assert (shown["version"], shown["waiting_period_days"], shown["created_by"]) == (
        version,
        30,
        "test compliance_officer",
    )
    assert shown["texts"] == notice_version_body(container)["texts"]
    assert datetime.fromisoformat(shown["created_at"]) == TEST_NOW


def test_a_notice_version_name_is_never_reused(api, container, as_compliance):
    add_notice_version(api, container, as_compliance)
    before = stored(container)
    again = api.post(
        "/api/v1/consent/notice-versions", json=notice_version_body(container), headers=as_compliance
    )
    assert again.status_code == 422
    assert problem_locations(again) == ["version"]
    assert "never changes" in again.json()["errors"][0]["message"]
    assert stored(container) == before


def test_a_notice_failing_64_2008_c_is_refused_clause_by_clause(api, container, as_compliance):
    body = notice_version_body(container)
    texts = body["texts"]
    del texts["fr"]["right_to_deny"]
    texts["en"]["waiting_period"] = texts["en"]["waiting_period"].replace("30", "20")
    texts["en"]["purposes"] += " You may also freeze third-party access to your account."
    texts["de"] = {"subject": "CPNI-Hinweis"}
    before = stored(container)
    refused = api.post(
        "/api/v1/consent/notice-versions", json={**body, "version": "bad-1"}, headers=as_compliance
    )
    assert refused.status_code == 422, refused.text
    assert "64.2008(c)" in refused.json()["detail"]
    locations = problem_locations(refused)
    assert {"texts.fr.right_to_deny", "texts.en.waiting_period", "texts.en.purposes", "texts.de"} <= set(
        locations
    )
    assert "64.2008(c)(8)" in " ".join(e["message"] for e in refused.json()["errors"])
    assert stored(container) == before


def test_a_notice_naming_another_opt_out_address_is_refused(api, container, as_compliance):
    body = notice_version_body(container)
    for language in ("en", "fr"):
        clause = body["texts"][language]["how_to_grant_or_deny"]
        body["texts"][language]["how_to_grant_or_deny"] = clause.replace(
            container.settings.consent.opt_out_address, "optout@other.example"
        )
    refused = api.post("/api/v1/consent/notice-versions", json=body, headers=as_compliance)
    assert refused.status_code == 422
    assert {"texts.en.how_to_grant_or_deny", "texts.fr.how_to_grant_or_deny"} <= set(
        problem_locations(refused)
    )


def _texts(container: Container, **changes: object) -> dict:
    return {**notice_version_body(container), "version": "v-bad", **changes}


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"waiting_period_days": 29}, "body.waiting_period_days"),
        ({"waiting_period_days": "a month"}, "body.waiting_period_days"),
        ({"version": "cpni:2026"}, "body.version"),
        ({"version": ""}, "body.version"),
        ({"version": "v" * 65}, "body.version"),
        ({"texts": "the notice"}, "body.texts"),
        ({"texts": {"en": ["subject"]}}, "body.texts.en"),
        ({"texts": {"en": {"subject": 5}}}, "body.texts.en.subject"),
        ({"texts": {"en": {"subject": "CPNI\x00"}}}, "body.texts.en.subject"),
        ({"texts": {"en": {"subject": "x" * 10_001}}}, "body.texts.en.subject"),
        ({"texts": {"en": {"sub\x00ject": "CPNI"}}}, "body.texts.en.sub\x00ject.[key]"),
        ({"texts": {f"l{n}": {} for n in range(9)}}, "body.texts"),
        ({"approved_by": "legal"}, "body.approved_by"),
    ],
)
def test_a_malformed_notice_version_is_a_field_level_422(api, container, as_compliance, change, location):
    before = stored(container)
    refused = api.post(
        "/api/v1/consent/notice-versions", json=_texts(container, **change), headers=as_compliance
    )
    assert refused.status_code == 422, refused.text
    assert location in problem_locations(refused)
    assert stored(container) == before


@pytest.mark.parametrize("role", OTHERS)
def test_only_compliance_officers_and_supervisors_add_notice_versions(api, container, tokens, role):
    before = stored(container)
    refused = api.post(
        "/api/v1/consent/notice-versions", json=notice_version_body(container), headers=bearer(tokens[role])
    )
    assert refused.status_code == 403
    assert stored(container) == before


def test_an_administrator_may_not_read_notice_versions(api, tokens):
    refused = api.get("/api/v1/consent/notice-versions", headers=bearer(tokens[Role.ADMINISTRATOR]))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", MANAGERS)
def test_compliance_officers_and_supervisors_add_notice_versions(api, container, tokens, role):
    assert add_notice_version(api, container, bearer(tokens[role])) == "cpni-2026-11"


# --- customers due a notice


def test_a_customer_never_given_a_notice_is_due_one_and_the_page_is_bounded(api, container, as_compliance):
    numbers = [add_customer(container)[1] for _ in range(3)]
    due = api.get("/api/v1/consent/renotice-due", params={"limit": 2}, headers=as_compliance)
    assert due.status_code == 200, due.text
    assert [row["account_number"] for row in due.json()] == numbers[:2]
    assert due.json()[0]["last_notice_at"] is None
    with container.unit_of_work() as uow:
        after = uow.accounts.key_of(numbers[1])
    rest = api.get("/api/v1/consent/renotice-due", params={"after_account_id": after}, headers=as_compliance)
    assert [row["account_number"] for row in rest.json()] == numbers[2:]


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ({"as_of": "2026-11-02T10:00:00"}, "query.as_of"),
        ({"as_of": "0001-01-01T00:00:00+01:00"}, "query.as_of"),
        ({"as_of": "9999-12-31T23:59:59-01:00"}, "query.as_of"),
        ({"as_of": "soon"}, "query.as_of"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 1001}, "query.limit"),
        ({"after_account_id": -1}, "query.after_account_id"),
        ({"after_account_id": 2**62 + 1}, "query.after_account_id"),
    ],
)
def test_a_bad_renotice_query_is_a_field_level_422(api, as_compliance, query, location):
    refused = api.get("/api/v1/consent/renotice-due", params=query, headers=as_compliance)
    assert refused.status_code == 422, refused.text
    assert problem_locations(refused) == [location]


# --- the mailbox review queue


def mail_from_a_stranger(container: Container) -> int:
    """Store an opt-out from an address on no account, and process it: it waits for staff."""
    message = EmailMessage(policy=SMTP)
    message["From"] = f"Pat Holder <{STRANGER}>"
    message["To"] = container.settings.consent.opt_out_address
    message["Subject"] = "Stop using my records"
    message.set_content("Please opt me out of CPNI marketing. My account is the one for 12 Elm St.")
    terms = container.mailbox_terms()
    message_id = store_mail(
        terms,
        raw=message.as_bytes(),
        envelope_sender=STRANGER,
        recipients=container.settings.consent.opt_out_address,
        peer="127.0.0.1",
    )
    assert process_due_mail(terms).to_review == 1
    return message_id


def review_queue(api, headers: dict[str, str]) -> list[dict]:
    response = api.get("/api/v1/consent/review-queue", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_staff_read_a_message_in_review_and_record_the_opt_out_it_asks(api, container, as_compliance):
    _, number = add_customer(container)
    message_id = mail_from_a_stranger(container)
    [waiting] = review_queue(api, as_compliance)
    assert (waiting["message_id"], waiting["status"], waiting["envelope_sender"]) == (
        message_id,
        "needs_review",
        STRANGER,
    )
    assert "unknown sender" in waiting["review_reason"]

    shown = api.get(f"/api/v1/consent/mailbox/{message_id}", headers=as_compliance)
    assert shown.status_code == 200, shown.text
    assert (shown.json()["sender"], shown.json()["subject"]) == (STRANGER, "Stop using my records")
    assert "Please opt me out of CPNI marketing." in shown.json()["text"]

    resolved = api.post(
        f"/api/v1/consent/review-queue/{message_id}/resolution",
        json={"decision": "opt_out", "account_number": number},
        headers=as_compliance,
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    [opt_out] = ledger(api, number, as_compliance)
    assert (opt_out["kind"], opt_out["source"], opt_out["scope"]) == ("opted_out", "marketing_mailbox", [])
    assert opt_out["id"] == resolved.json()["consent_event_id"]
    assert "reviewed by test compliance_officer" in opt_out["evidence"]
    assert review_queue(api, as_compliance) == []
    assert [m["template"] for m in messages(api, number, as_compliance)] == ["consent_confirmation"]


def test_a_message_in_review_may_be_dismissed_without_a_consent_event(api, container, as_compliance):
    message_id = mail_from_a_stranger(container)
    before = written(container)
    dismissed = api.post(
        f"/api/v1/consent/review-queue/{message_id}/resolution",
        json={"decision": "dismiss"},
        headers=as_compliance,
    )
    assert dismissed.status_code == 200, dismissed.text
    assert (dismissed.json()["status"], dismissed.json()["consent_event_id"]) == ("dismissed", None)
    assert written(container)[0] == before[0]
    assert review_queue(api, as_compliance) == []


@pytest.mark.parametrize(
    ("body", "status", "location"),
    [
        ({"decision": "maybe", "account_number": "ACCOUNT"}, 422, "decision"),
        ({"decision": ""}, 422, "body.decision"),
        ({"decision": "opt_out"}, 422, "account_number"),
        ({"decision": "opt_out", "account_number": "NOPE0001"}, 404, None),
        ({"decision": "opt_out", "account_number": "T\x00001"}, 422, "body.account_number"),
        ({"decision": "opt_out", "account_number": "A" * 33}, 422, "body.account_number"),
        ({"decision": "opt_out", "account_number": "ACCOUNT", "scope": "all"}, 422, "body.scope"),
        ({"decision": ["opt_out"]}, 422, "body.decision"),
        ({}, 422, "body.decision"),
    ],
)
def test_a_bad_resolution_is_refused_and_the_message_stays_in_review(
    api, container, as_compliance, body, status, location
):
    _, number = add_customer(container)
    message_id = mail_from_a_stranger(container)
    before = stored(container)
    answer = {key: number if value == "ACCOUNT" else value for key, value in body.items()}
    refused = api.post(
        f"/api/v1/consent/review-queue/{message_id}/resolution", json=answer, headers=as_compliance
    )
    assert refused.status_code == status, refused.text
    if location is None:
        assert refused.json()["detail"] == "no account NOPE0001"
    else:
        assert location in problem_locations(refused)
    assert stored(container) == before
    assert [m["message_id"] for m in review_queue(api, as_compliance)] == [message_id]


def test_a_message_no_longer_in_review_cannot_be_resolved_again(api, container, as_compliance):
    _, number = add_customer(container)
    message_id = mail_from_a_stranger(container)
    path = f"/api/v1/consent/review-queue/{message_id}/resolution"
    api.post(path, json={"decision": "dismiss"}, headers=as_compliance)
    before = stored(container)
    again = api.post(path, json={"decision": "opt_out", "account_number": number}, headers=as_compliance)
    assert again.status_code == 422
    assert problem_locations(again) == ["message_id"]
    assert "dismissed" in again.json()["errors"][0]["message"]
    assert stored(container) == before


@pytest.mark.parametrize(("message_id", "status"), [(0, 422), (-1, 422), (2**62 + 1, 422), (987_654, 404)])
def test_an_unknown_or_impossible_message_id_is_refused(api, container, as_compliance, message_id, status):
    before = stored(container)
    shown = api.get(f"/api/v1/consent/mailbox/{message_id}", headers=as_compliance)
    resolved = api.post(
        f"/api/v1/consent/review-queue/{message_id}/resolution",
        json={"decision": "dismiss"},
        headers=as_compliance,
    )
    assert (shown.status_code, resolved.status_code) == (status, status)
    if status == 422:
        assert problem_locations(shown) == ["path.message_id"]
    assert stored(container) == before


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=many"])
def test_a_bad_review_queue_page_is_a_422(api, as_compliance, query):
    refused = api.get(f"/api/v1/consent/review-queue?{query}", headers=as_compliance)
    assert refused.status_code == 422
    assert problem_locations(refused) == ["query.limit"]


@pytest.mark.parametrize("role", OTHERS)
def test_only_compliance_officers_and_supervisors_see_the_mailbox(api, container, tokens, role):
    message_id = mail_from_a_stranger(container)
    headers = bearer(tokens[role])
    assert api.get("/api/v1/consent/review-queue", headers=headers).status_code == 403
    assert api.get(f"/api/v1/consent/mailbox/{message_id}", headers=headers).status_code == 403
    refused = api.post(
        f"/api/v1/consent/review-queue/{message_id}/resolution", json={"decision": "dismiss"}, headers=headers
    )
    assert refused.status_code == 403
    assert "may not manage" in refused.json()["detail"]


@pytest.mark.parametrize("role", MANAGERS)
def test_compliance_officers_and_supervisors_see_the_review_queue(api, container, tokens, role):
    message_id = mail_from_a_stranger(container)
    assert [m["message_id"] for m in review_queue(api, bearer(tokens[role]))] == [message_id]


# --- opt-out failures


class UnreachablePortal:
    """A probe sender whose channel refuses the test opt-out.

    A probe observes a failing channel exactly so: the send is refused or cannot connect, and the
    real senders (adapters/probes.py) report it as ProbeSendError. Breaking the portal itself would
    test the network, not the monitor.
    """

    def __init__(self) -> None:
        self.nonces: list[str] = []

    def send(self, nonce: str) -> None:
        self.nonces.append(nonce)
        raise ProbeSendError("the consent API could not be reached: connection refused")


def failing_portal_incident(api, container: Container, administrator: dict[str, str]) -> int:
    """Pin the clock on the Thursday before Thanksgiving; probe the portal until an incident opens."""
    move_clock(api, administrator, pin_at=THURSDAY_BEFORE_THANKSGIVING.isoformat())
    terms = container.monitor_terms()
    portal = UnreachablePortal()
    rounds = [
        run_probe_round(terms, {ConsentSource.PORTAL: portal})
        for _ in range(container.settings.consent.probe_failure_threshold)
    ]
    assert [r.failed for r in rounds] == [1] * len(rounds)
    assert [r.incidents_opened for r in rounds[:-1]] == [()] * (len(rounds) - 1)
    [incident_id] = rounds[-1].incidents_opened
    assert len(set(portal.nonces)) == len(rounds)
    return incident_id


@pytest.fixture
def incident(api, container, as_administrator) -> int:
    return failing_portal_incident(api, container, as_administrator)


def test_a_failing_channel_opens_an_incident_due_five_business_days_later_across_thanksgiving(
    api, incident, as_compliance
):
    calendar = federal_calendar(2026, 2026)
    due = calendar.add_business_days(THURSDAY_BEFORE_THANKSGIVING.date(), 5)
    assert due == date(2026, 11, 27)
    assert due.weekday() == 4  # a Friday: Thanksgiving, Thursday 26 November, is no business day
    assert not calendar.is_business_day(date(2026, 11, 26))
    listed = api.get("/api/v1/consent/opt-out-failures", headers=as_compliance)
    assert listed.status_code == 200, listed.text
    [shown] = listed.json()
    assert shown["id"] == incident
    assert shown["channels"] == ["portal"]
    assert datetime.fromisoformat(shown["determined_at"]) == THURSDAY_BEFORE_THANKSGIVING
    assert date.fromisoformat(shown["letter_due_on"]) == due
    assert "3 test opt-outs in a row" in shown["problem"]
    assert "connection refused" in shown["problem"]
    assert shown["remedy"] is None


def test_the_letter_needs_the_remedy_and_the_state_commission_facts_first(
    api, container, incident, as_compliance
):
    before = stored(container)
    refused = api.get(
        f"/api/v1/consent/opt-out-failures/{incident}/letter?format=text", headers=as_compliance
    )
    assert refused.status_code == 422, refused.text
    assert problem_locations(refused) == ["remedy", "state_commission_notice", "remedy_date"]
    assert stored(container) == before


def complete(api, incident: int, headers: dict[str, str]) -> dict:
    patched = api.patch(f"/api/v1/consent/opt-out-failures/{incident}", json=FACTS, headers=headers)
    assert patched.status_code == 200, patched.text
    return patched.json()


def test_staff_add_the_remedy_and_facts_and_omitted_fields_stay(api, incident, as_compliance):
    shown = complete(api, incident, as_compliance)
    assert {name: shown[name] for name in FACTS} == FACTS
    sent = api.patch(
        f"/api/v1/consent/opt-out-failures/{incident}",
        json={"letter_sent_at": THURSDAY_BEFORE_THANKSGIVING.isoformat()},
        headers=as_compliance,
    )
    assert sent.status_code == 200, sent.text
    assert {name: sent.json()[name] for name in FACTS} == FACTS
    assert datetime.fromisoformat(sent.json()["letter_sent_at"]) == THURSDAY_BEFORE_THANKSGIVING


def test_the_letter_as_text_holds_every_element_64_2009_f_requires(api, container, incident, as_compliance):
    complete(api, incident, as_compliance)
    letter = api.get(f"/api/v1/consent/opt-out-failures/{incident}/letter?format=text", headers=as_compliance)
    assert letter.status_code == 200, letter.text
    assert letter.headers["content-type"] == "text/plain; charset=utf-8"
    for element in letter_elements(container):
        assert element in letter.text
    assert f"- {MECHANISMS[ConsentSource.PORTAL]} (failed)" in letter.text
    assert f"- {MECHANISMS[ConsentSource.MARKETING_MAILBOX]}\n" in letter.text


def test_the_letter_as_pdf_reads_back_with_every_element(api, container, incident, as_compliance):
    complete(api, incident, as_compliance)
    letter = api.get(f"/api/v1/consent/opt-out-failures/{incident}/letter", headers=as_compliance)
    assert letter.status_code == 200, letter.text
    assert letter.headers["content-type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF-")
    text = " ".join(
        " ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(letter.content)).pages
    )
    for element in letter_elements(container):
        assert " ".join(element.split()) in text


def letter_elements(container: Container) -> list[str]:
    """What 47 CFR 64.2009(f) asks the letter to say, as this test's incident and settings give it."""
    consent = container.settings.consent
    return [
        consent.carrier_name,
        consent.carrier_address,
        *MECHANISMS.values(),
        "3 test opt-outs in a row through the customer portal and its API failed",
        FACTS["remedy"],
        "The remedy will be put in place by November 20, 2026.",
        FACTS["state_commission_notice"],
        FACTS["customer_notice"],
        consent.contact_name,
        consent.contact_email,
        consent.contact_phone,
        "on November 19, 2026",
        "by November 27, 2026",
        "64.2009(f)",
    ]


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"letter_sent_at": "2026-11-19T15:00:01+00:00"}, "letter_sent_at"),
        ({"closed_at": "2027-01-01T00:00:00+00:00"}, "closed_at"),
        ({"letter_sent_at": "2026-11-19T10:00:00"}, "body.letter_sent_at"),
        ({"letter_sent_at": "0001-01-01T00:00:00+01:00"}, "body.letter_sent_at"),
        ({"letter_sent_at": "last week"}, "body.letter_sent_at"),
        ({"remedy_date": "soon"}, "body.remedy_date"),
        ({"remedy": ""}, "body.remedy"),
        ({"remedy": 42}, "body.remedy"),
        ({"remedy": "fixed\x00"}, "body.remedy"),
        ({"customer_notice": "x" * 10_001}, "body.customer_notice"),
        ({"state_commission_notice": "\x1b[31m"}, "body.state_commission_notice"),
        ({"problem": "none"}, "body.problem"),
    ],
)
def test_a_bad_incident_update_is_a_field_level_422_and_changes_nothing(
    api, container, incident, as_compliance, body, location
):
    before = stored(container)
    refused = api.patch(f"/api/v1/consent/opt-out-failures/{incident}", json=body, headers=as_compliance)
    assert refused.status_code == 422, refused.text
    assert location in problem_locations(refused)
    assert stored(container) == before


def test_an_unknown_incident_is_404(api, container, as_compliance):
    before = stored(container)
    path = "/api/v1/consent/opt-out-failures/987654"
    assert api.patch(path, json={"remedy": "restarted"}, headers=as_compliance).status_code == 404
    missing = api.get(f"{path}/letter?format=text", headers=as_compliance)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no opt-out failure incident 987654"
    assert stored(container) == before


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/api/v1/consent/opt-out-failures/1/letter?format=docx", "query.format"),
        ("/api/v1/consent/opt-out-failures/0/letter", "path.incident_id"),
        ("/api/v1/consent/opt-out-failures?limit=0", "query.limit"),
        ("/api/v1/consent/opt-out-failures?limit=201", "query.limit"),
    ],
)
def test_bad_incident_queries_are_field_level_422s(api, as_compliance, path, location):
    refused = api.get(path, headers=as_compliance)
    assert refused.status_code == 422, refused.text
    assert problem_locations(refused) == [location]


@pytest.mark.parametrize("role", OTHERS)
def test_only_compliance_officers_and_supervisors_handle_opt_out_failures(
    api, container, incident, tokens, role
):
    before = stored(container)
    headers = bearer(tokens[role])
    assert api.get("/api/v1/consent/opt-out-failures", headers=headers).status_code == 403
    patch = api.patch(f"/api/v1/consent/opt-out-failures/{incident}", json=FACTS, headers=headers)
    assert patch.status_code == 403
    assert api.get(f"/api/v1/consent/opt-out-failures/{incident}/letter", headers=headers).status_code == 403
    assert stored(container) == before


# --- generated input


CONSENT_PATHS = ("/api/v1/accounts/{account_number}/consent", "/api/v1/consent/")


def test_no_generated_consent_request_gets_a_server_error(container, as_compliance):
    """Schemathesis, as a compliance officer (who may use every consent route), on a real account."""
    _, number = add_customer(container)
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(container))
    operations = [result.ok() for result in schema.get_all_operations()]
    consent = [o for o in operations if o.path.startswith(CONSENT_PATHS)]
    assert len(consent) == 12
    for operation in consent:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, as_compliance, number)


def _fuzz(operation, mode, headers, account_number):
    @given(case=operation.as_strategy(generation_mode=mode))
    # Derandomized: the same cases every run, so a failure here reproduces (one unreproduced
    # failure was seen once under -n 2; the randomized schema fuzz in test_http_schema_fuzz runs too).
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case):
        case.headers = {**(case.headers or {}), **headers}
        if mode is GenerationMode.POSITIVE and "account_number" in (case.path_parameters or {}):
            case.path_parameters["account_number"] = account_number
        response = case.call()
        case.validate_response(response, checks=[status_code_conformance, negative_data_rejection])
        assert response.status_code < 500, (operation.label, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"][0].startswith("application/problem+json"), operation.label

    run()
