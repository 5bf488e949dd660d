"""The gate over HTTP (issue 3): CPNI reads decided, logged, and answered with reasons.

47 CFR 64.2010(b) (call detail on a customer-initiated call), 64.2010(c) (online),
64.2009(b) (training), 64.2003(b) (address of record), DESIGN.md invariants 1-3.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.e2e.conftest import bearer
from tests.e2e.gate_scenario import CALLED, OTHER_CALLED, calls, logged

from cpniguard.domain.disclosure_request import AuthenticationMethod
from cpniguard.domain.employees import Role


def test_call_detail_is_read_after_an_unprompted_password_and_the_permit_is_logged(api, scenario):
    interaction = scenario.interaction(api, "inbound_call", AuthenticationMethod.PASSWORD)
    answer = calls(api, scenario, interaction_id=interaction)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [r["called_number"] for r in body["records"]] == [CALLED, OTHER_CALLED]
    assert body["decision"]["decision"] == "permit"
    assert "64.2010(b).password" in [r["rule_id"] for r in body["decision"]["reasons"]]
    (entry,) = logged(scenario)
    assert entry.sequence == body["decision"]["access_log_sequence"]
    assert (entry.entry.outcome, entry.entry.purpose, entry.entry.data_category) == (
        "permit",
        "provide_service",
        "call_detail",
    )
    assert entry.entry.authentication == ("password",)


def test_call_detail_without_a_password_is_denied_with_alternatives_and_logged(api, scenario):
    interaction = scenario.interaction(api, "inbound_call")
    answer = calls(api, scenario, interaction_id=interaction)
    assert answer.status_code == 403
    problem = answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    assert [r["rule_id"] for r in problem["reasons"]] == ["64.2010(b).no-password"]
    assert problem["reasons"][0]["citation"] == "47 CFR 64.2010(b)"
    assert {"send_to_postal_address_of_record", "call_back_number_of_record"} <= {
        a["code"] for a in problem["alternatives"]
    }
    assert "records" not in problem
    (entry,) = logged(scenario)
    assert (entry.sequence, entry.entry.outcome) == (problem["access_log_sequence"], "deny")


def test_a_customer_stating_a_call_unaided_hears_only_about_that_number(api, scenario):
    interaction = scenario.interaction(api, "inbound_call")
    answer = calls(api, scenario, interaction_id=interaction, stated_call_number=OTHER_CALLED)
    assert answer.status_code == 200, answer.text
    assert [r["called_number"] for r in answer.json()["records"]] == [OTHER_CALLED]
    assert [c["code"] for c in answer.json()["decision"]["conditions"]] == ["only_the_stated_call_detail"]


def test_an_untrained_representative_is_denied_under_64_2009_b(api, scenario):
    interaction = scenario.interaction(api, "inbound_call", AuthenticationMethod.PASSWORD)
    answer = calls(api, scenario, scenario.untrained, interaction_id=interaction)
    assert answer.status_code == 403
    assert [r["rule_id"] for r in answer.json()["reasons"]] == ["64.2009(b).training-missing"]


def test_an_ended_interaction_proves_nothing_any_more(api, scenario):
    interaction = scenario.interaction(api, "inbound_call", AuthenticationMethod.PASSWORD)
    ended = api.post(f"/api/v1/interactions/{interaction}/end", headers=scenario.representative)
    assert ended.status_code == 200
    assert ended.json()["ended_at"] is not None
    answer = calls(api, scenario, interaction_id=interaction)
    assert answer.status_code == 422
    assert [e["location"] for e in answer.json()["errors"]] == ["interaction_id"]
    assert answer.json()["decision"] == "deny"


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ({"purpose": "curiosity"}, "purpose"),
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"recipient": "neighbour"}, "recipient"),
        ({"destination": "somewhere"}, "destination"),
        ({"interaction_id": None}, "interaction_id"),
    ],
    ids=[
        "unknown-purpose",
        "unknown-channel",
        "unknown-recipient",
        "unknown-destination",
        "missing-interaction",
    ],
)
def test_unknown_values_are_refused_by_field_and_logged_as_denies(api, scenario, query, location):
    interaction = scenario.interaction(api, "inbound_call", AuthenticationMethod.PASSWORD)
    params = {"interaction_id": interaction, **query}
    answer = calls(api, scenario, **{k: v for k, v in params.items() if v is not None})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert location in [e["location"] for e in problem["errors"]]
    assert problem["decision"] == "deny"
    (entry,) = logged(scenario)
    assert (entry.sequence, entry.entry.outcome) == (problem["access_log_sequence"], "deny")


def test_an_unknown_account_is_404_and_still_logged(api, scenario):
    answer = api.get(
        "/api/v1/accounts/NOPE-1/services",
        params={"purpose": "provide_service", "channel": "api", "recipient": "carrier"},
        headers=scenario.representative,
    )
    assert answer.status_code == 404
    assert answer.json()["access_log_sequence"] >= 1


def test_bills_and_services_go_through_the_gate_too(api, scenario):
    interaction = scenario.interaction(api, "inbound_call", AuthenticationMethod.CODE_TO_EMAIL_OF_RECORD)
    params = {"purpose": "billing_and_collection", "channel": "inbound_call", "recipient": "customer"}
    services = api.get(
        f"/api/v1/accounts/{scenario.account}/services",
        params={**params, "interaction_id": interaction},
        headers=scenario.representative,
    )
    assert services.status_code == 200, services.text
    assert [s["category"] for s in services.json()["services"]] == ["local"]
    invoices = api.get(
        f"/api/v1/accounts/{scenario.account}/invoices",
        params={**params, "interaction_id": interaction},
        headers=scenario.representative,
    )
    assert invoices.status_code == 200, invoices.text
    assert invoices.json()["invoices"] == []
    assert [e.entry.outcome for e in logged(scenario)] == ["permit", "permit"]


def test_call_detail_by_post_goes_only_to_a_postal_address_of_record(api, scenario):
    body = {
        "account_number": scenario.account,
        "data_category": "call_detail",
        "purpose": "provide_service",
        "channel": "postal_mail",
        "recipient": "customer",
        "destination": "postal_address_of_record",
    }
    permitted = api.post("/api/v1/decisions", json=body, headers=scenario.representative)
    assert permitted.status_code == 200, permitted.text
    assert permitted.json()["decision"] == "permit"
    assert [c["code"] for c in permitted.json()["conditions"]] == ["deliver_to_postal_address_of_record"]
    # The only email on the account is three days old: not yet an address of record (64.2003(b)).
    by_email = {**body, "channel": "email", "destination": "email_address_of_record"}
    denied = api.post("/api/v1/decisions", json=by_email, headers=scenario.representative)
    assert denied.status_code == 200
    assert denied.json()["decision"] == "deny"
    assert [r["rule_id"] for r in denied.json()["reasons"]] == ["64.2010(b).not-of-record"]
    assert [e.entry.destination for e in logged(scenario)] == ["not_of_record", "postal_address_of_record"]


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"{not json", 422),
        (b'{"account_number": "x", "purpose": 3}', 422),
        (b"[" + b"1," * 10_000 + b"1]", 413),
    ],
    ids=["malformed", "wrong-types", "oversized"],
)
def test_bad_decision_bodies_are_problems(api, scenario, content, status):
    answer = api.post(
        "/api/v1/decisions",
        content=content,
        headers={**scenario.representative, "content-type": "application/json"},
    )
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"


def test_opening_an_interaction_checks_channel_number_and_account(api, scenario):
    def post(**body):
        return api.post(
            "/api/v1/interactions",
            json={"account_number": scenario.account, "channel": "store", **body},
            headers=scenario.representative,
        )

    assert post(channel="telegraph").status_code == 422
    assert post(caller_number="+1999").status_code == 422
    assert post(account_number="NOPE-2").status_code == 404
    assert api.get("/api/v1/interactions/999999", headers=scenario.representative).status_code == 404
    assert post().status_code == 201


def test_training_is_recorded_and_read_by_compliance(api, container, scenario, tokens):
    officer = bearer(tokens[Role.COMPLIANCE_OFFICER])
    path = "/api/v1/employees/rep-untrained"
    training = {
        "course": "CPNI 2026",
        "completed_at": "2026-10-01T00:00:00Z",
        "expires_at": "2027-10-01T00:00:00Z",
    }
    assert api.post(f"{path}/trainings", json=training, headers=scenario.representative).status_code == 403
    backwards = {**training, "expires_at": "2026-09-01T00:00:00Z"}
    assert api.post(f"{path}/trainings", json=backwards, headers=officer).status_code == 422
    assert api.post("/api/v1/employees/nobody/trainings", json=training, headers=officer).status_code == 404
    assert api.post(f"{path}/trainings", json=training, headers=officer).status_code == 201
    action = {
        "action": "warning",
        "reason": "looked up a neighbour's calls",
        "taken_at": "2026-10-02T00:00:00Z",
    }
    assert api.post(f"{path}/disciplinary-actions", json=action, headers=officer).status_code == 201
    bad_action = {**action, "action": "flogging"}
    assert api.post(f"{path}/disciplinary-actions", json=bad_action, headers=officer).status_code == 422
    summary = api.get(f"{path}/training", headers=officer).json()
    assert summary["status"] == "current"
    assert [a["action"] for a in summary["disciplinary_actions"]] == ["warning"]
    interaction = scenario.interaction(api, "inbound_call", AuthenticationMethod.PASSWORD)
    assert calls(api, scenario, scenario.untrained, interaction_id=interaction).status_code == 200


def test_an_interaction_nobody_ended_times_out_and_proves_nothing_after(api, scenario, container):
    interaction = scenario.interaction(api, "inbound_call", AuthenticationMethod.PASSWORD)
    shown = api.get(f"/api/v1/interactions/{interaction}", headers=scenario.representative).json()
    assert shown["ended_at"] is None
    assert calls(api, scenario, interaction_id=interaction).status_code == 200
    container.clock.advance(timedelta(minutes=121))  # the default timeout is 120 minutes
    late = calls(api, scenario, interaction_id=interaction)
    assert late.status_code == 422
    assert late.json()["decision"] == "deny"
