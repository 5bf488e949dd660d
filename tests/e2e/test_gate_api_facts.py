"""The facts the gate gathers: approvals, actors, interactions, destinations (issue 3)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert
from tests.conftest import TEST_NOW
from tests.e2e.conftest import bearer
from tests.e2e.gate_scenario import Scenario, calls, logged

from cpniguard.adapters.db.tables import ConsentState
from cpniguard.domain.disclosure_request import Approval, AuthenticationMethod, RecipientClass
from cpniguard.domain.employees import Role


def _decide(api, scenario: Scenario, headers=None, **body):
    ask = {"account_number": scenario.account, "data_category": "cpni", "recipient": "carrier", **body}
    return api.post("/api/v1/decisions", json=ask, headers=headers or scenario.representative)


def _approve(scenario: Scenario, recipient: RecipientClass, approval: Approval) -> None:
    with scenario.container.unit_of_work() as uow:
        key = uow.accounts.key_of(scenario.account)
        uow.session.execute(
            insert(ConsentState).values(
                account_id=key,
                recipient_class=recipient,
                approval=approval,
                partner="",
                valid_from=TEST_NOW - timedelta(days=40),
            )
        )
        uow.commit()


def test_marketing_outside_the_categories_follows_the_customers_approval(api, scenario):
    ask = {"purpose": "marketing_communications_related", "channel": "api", "offering_category": "wireless"}
    assert _decide(api, scenario, **ask).json()["decision"] == "deny"
    _approve(scenario, RecipientClass.CARRIER, Approval.OPT_OUT_DEEMED)
    permitted = _decide(api, scenario, **ask).json()
    assert permitted["decision"] == "permit"
    assert "64.2007(b).approved" in [r["rule_id"] for r in permitted["reasons"]]


def test_an_integration_needs_no_training_but_only_its_own_purposes(api, scenario, tokens):
    integration = bearer(tokens[Role.INTEGRATION])
    billing = _decide(api, scenario, integration, purpose="billing_and_collection", channel="api")
    assert billing.json()["decision"] == "permit"
    marketing = _decide(
        api, scenario, integration, purpose="marketing_within_subscribed_categories", channel="api"
    )
    assert marketing.json()["decision"] == "deny"
    assert [r["rule_id"] for r in marketing.json()["reasons"]] == [
        "64.2009(b).role",
        "64.2005(a).category-missing",
    ]
    assert [e.entry.actor_kind for e in logged(scenario)] == ["integration", "integration"]


def test_a_token_that_names_no_employee_has_no_training_on_record(api, scenario, tokens):
    anonymous = bearer(tokens[Role.REPRESENTATIVE])
    answer = _decide(api, scenario, anonymous, purpose="provide_service", channel="api")
    assert [r["rule_id"] for r in answer.json()["reasons"]] == ["64.2009(b).training-missing"]


def test_a_callback_destination_counts_only_when_the_account_has_a_number_of_record(api, scenario):
    answer = _decide(
        api,
        scenario,
        purpose="provide_service",
        channel="api",
        data_category="call_detail",
        destination="telephone_number_of_record",
    )
    assert answer.status_code == 200
    (entry,) = logged(scenario)
    assert entry.entry.destination == "telephone_number_of_record"


def test_an_interaction_counts_only_on_its_own_account_and_channel(api, scenario, container):
    store = scenario.interaction(api, "store", AuthenticationMethod.PHOTO_ID)
    on_call = calls(api, scenario, interaction_id=store)
    assert on_call.status_code == 422
    assert "another channel" in on_call.json()["errors"][0]["message"]
    in_store = calls(api, scenario, channel="store", interaction_id=store)
    assert in_store.status_code == 200, in_store.text
    unknown = calls(api, scenario, interaction_id=999_999)
    assert unknown.status_code == 422
    assert "no such interaction" in unknown.json()["errors"][0]["message"]
    assert [e.entry.outcome for e in logged(scenario)] == ["deny", "permit", "deny"]


def test_ending_an_interaction_twice_is_harmless_and_an_unknown_one_is_404(api, scenario):
    interaction = scenario.interaction(api, "online")
    first = api.post(f"/api/v1/interactions/{interaction}/end", headers=scenario.representative).json()
    second = api.post(f"/api/v1/interactions/{interaction}/end", headers=scenario.representative).json()
    assert first["ended_at"] == second["ended_at"]
    missing = api.post("/api/v1/interactions/999999/end", headers=scenario.representative)
    assert missing.status_code == 404
    shown = api.get(f"/api/v1/interactions/{interaction}", headers=scenario.representative)
    assert shown.json()["ended_at"] == first["ended_at"]


def test_auditors_may_not_open_interactions(api, scenario, tokens):
    answer = api.post(
        "/api/v1/interactions",
        json={"account_number": scenario.account, "channel": "online"},
        headers=bearer(tokens[Role.AUDITOR]),
    )
    assert answer.status_code == 403
