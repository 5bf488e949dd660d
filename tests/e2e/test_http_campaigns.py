"""Marketing campaigns over HTTP (issue 7): drafting, supervisory review, audiences, records.

47 CFR 64.2005(a), 64.2007(b), 64.2008(d), 64.2009(c), (d). Through the real app and database,
SQLite and PostgreSQL. The world of customers (accounts, services, the consent ledger) is
committed through the container, as the integrations and the consent service would write it;
everything about campaigns goes through the API. The clock moves through the administrator's
clock endpoint, as a black-box test of a running server would.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests import campaign_world
from tests.campaign_world import Customers
from tests.conftest import TEST_NOW
from tests.e2e.conftest import bearer, issue
from tests.e2e.test_http_breach import pin_clock, problem_locations

from cpniguard.adapters.db.tables import (
    AccessLogRecord,
    CampaignAudienceMember,
    CampaignAudienceRecord,
    CampaignRecord,
    CampaignReviewRecord,
    ThirdPartyDisclosureRecord,
)
from cpniguard.bootstrap import Container
from cpniguard.domain.consent_events import ConsentEventKind
from cpniguard.domain.disclosure_request import ActorKind
from cpniguard.domain.employees import Role
from cpniguard.services.consent import ConsentContext, record_consent
from cpniguard.services.disclosure import Asker

pytestmark = pytest.mark.e2e

API = "/api/v1"
CAMPAIGNS = f"{API}/campaigns"
AUDIENCES = f"{API}/campaign-audiences"
REGISTER = f"{API}/campaign-register"
DISCLOSURES = f"{API}/third-party-disclosures"
NOW = TEST_NOW
PARTNER = "Acme Alarm"
ANALYST_LABEL = "test marketing_analyst"
SUPERVISOR_LABEL = "test supervisor"
CONSENT_STAFF = Asker(kind=ActorKind.EMPLOYEE, role=Role.COMPLIANCE_OFFICER, label="consent desk")
WIRELESS_OFFER = {
    "name": "Wireless for landline customers",
    "description": "Offer our wireless plan to customers who take local service",
    "sponsor": "carrier",
    "channel": "email",
    "offers": [{"product": "Unlimited wireless", "category": "wireless"}],
    "cpni_fields": ["services.category"],
    "criteria": {"subscribes_to_any": ["local"]},
    "starts_on": "2026-12-01",
    "ends_on": "2027-01-31",
}
ALARM_OFFER = WIRELESS_OFFER | {
    "name": "Home alarms from our partner",
    "sponsor": "third_party",
    "sponsor_name": PARTNER,
    "offers": [{"product": "Home alarm", "category": "non_communications"}],
}
TABLES = (
    CampaignRecord,
    CampaignReviewRecord,
    CampaignAudienceRecord,
    CampaignAudienceMember,
    ThirdPartyDisclosureRecord,
    AccessLogRecord,
)


def consent_world(container: Container, now: datetime = NOW) -> Customers:
    """Commit one customer per consent state (tests/campaign_world.py)."""
    return campaign_world.consent_world(container, now=now, partner=PARTNER, asker=CONSENT_STAFF)


def stored(container: Container) -> tuple[int, ...]:
    """Rows of everything a campaign request could write, the access log included."""
    with container.unit_of_work() as uow:
        return tuple(uow.session.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES)


@pytest.fixture
def as_analyst(tokens) -> dict[str, str]:
    return bearer(tokens[Role.MARKETING_ANALYST])


@pytest.fixture
def as_supervisor(tokens) -> dict[str, str]:
    return bearer(tokens[Role.SUPERVISOR])


@pytest.fixture
def as_other_supervisor(container) -> dict[str, str]:
    return bearer(issue(container, Role.SUPERVISOR, "sue.supervisor").secret)


@pytest.fixture
def as_compliance(tokens) -> dict[str, str]:
    return bearer(tokens[Role.COMPLIANCE_OFFICER])


@pytest.fixture
def as_auditor(tokens) -> dict[str, str]:
    return bearer(tokens[Role.AUDITOR])


@pytest.fixture
def world(container) -> Customers:
    return consent_world(container)


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def created(api, headers, body: dict = WIRELESS_OFFER) -> int:
    return int(ok(api.post(CAMPAIGNS, json=body, headers=headers), 201)["id"])


def submitted(api, author, body: dict = WIRELESS_OFFER) -> int:
    campaign_id = created(api, author, body)
    ok(api.post(f"{CAMPAIGNS}/{campaign_id}/submission", headers=author))
    return campaign_id


def review(api, headers, campaign_id: int, action: str = "approved", note: str = "checked against 64.2007"):
    return api.post(
        f"{CAMPAIGNS}/{campaign_id}/review", json={"action": action, "note": note}, headers=headers
    )


def approved(api, author, reviewer, body: dict = WIRELESS_OFFER) -> int:
    campaign_id = submitted(api, author, body)
    ok(review(api, reviewer, campaign_id))
    return campaign_id


def built(api, headers, campaign_id: int, body: dict | None = None) -> dict:
    return ok(api.post(f"{CAMPAIGNS}/{campaign_id}/audiences", json=body, headers=headers), 201)


def members(api, headers, audience_id: int) -> dict[str, tuple[str, str | None]]:
    found = ok(api.get(f"{AUDIENCES}/{audience_id}/members", headers=headers))
    return {m["account_number"]: (m["need"], m["approval"]) for m in found}


def exported(api, headers, audience_id: int, withheld: int = 0) -> list[dict[str, str]]:
    response = api.get(f"{AUDIENCES}/{audience_id}/export", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert response.headers["x-audience-rows"] == str(len(rows))
    assert response.headers["x-audience-withheld"] == str(withheld)
    return rows


def period(path: str, first: datetime = NOW - timedelta(days=1), last: datetime = NOW + timedelta(days=1)):
    return f"{path}?first={first.isoformat().replace('+', '%2B')}&last={last.isoformat().replace('+', '%2B')}"


# --- the whole flow, as the issue tells it


def test_an_analysts_campaign_is_approved_by_a_supervisor_and_reaches_exactly_the_customers_allowed(
    api, world, as_analyst, as_supervisor
):
    draft = ok(api.post(CAMPAIGNS, json=WIRELESS_OFFER, headers=as_analyst), 201)
    assert (draft["status"], draft["version"], draft["author"]) == ("draft", 1, ANALYST_LABEL)
    campaign_id = draft["id"]
    assert ok(api.post(f"{CAMPAIGNS}/{campaign_id}/submission", headers=as_analyst))["status"] == "submitted"
    assert ok(review(api, as_supervisor, campaign_id))["status"] == "approved"

    audience = built(api, as_analyst, campaign_id)

    assert (audience["campaign_id"], audience["campaign_version"], audience["built_by"]) == (
        campaign_id,
        1,
        ANALYST_LABEL,
    )
    assert audience["selected"] == 3
    assert audience["excluded"] == {"opted_out": 1, "no_approval": 3, "opt_in_required": 0}, (
        "waiting, lapsed and the partner-only opt-in have no carrier approval in force"
    )
    assert members(api, as_analyst, audience["id"]) == {
        world.deemed: ("opt_out_or_opt_in", "opt_out_deemed"),
        world.opted_in: ("opt_out_or_opt_in", "opt_in"),
        world.bundle: ("total_service_approach", None),
    }


def test_the_review_record_says_who_did_what_in_which_role_and_when(api, world, as_analyst, as_supervisor):
    campaign_id = approved(api, as_analyst, as_supervisor)

    shown = ok(api.get(f"{CAMPAIGNS}/{campaign_id}", headers=as_supervisor))

    steps = [(s["action"], s["actor"], s["actor_role"], s["version"]) for s in shown["reviews"]]
    assert steps == [
        ("created", ANALYST_LABEL, "marketing_analyst", 1),
        ("submitted", ANALYST_LABEL, "marketing_analyst", 1),
        ("approved", SUPERVISOR_LABEL, "supervisor", 1),
    ]
    assert {datetime.fromisoformat(s["at"]) for s in shown["reviews"]} == {NOW}
    assert shown["reviews"][-1]["note"] == "checked against 64.2007"
    assert shown["cpni_fields"] == ["services.category"]
    assert shown["criteria"]["subscribes_to_any"] == ["local"]


def test_the_export_is_the_audience_as_csv_and_the_carriers_own_use_is_no_disclosure(
    api, container, world, as_analyst, as_supervisor
):
    audience = built(api, as_analyst, approved(api, as_analyst, as_supervisor))

    rows = exported(api, as_analyst, audience["id"])

    assert {row["account_number"]: (row["need"], row["approval"]) for row in rows} == {
        world.deemed: ("opt_out_or_opt_in", "opt_out_deemed"),
        world.opted_in: ("opt_out_or_opt_in", "opt_in"),
        world.bundle: ("total_service_approach", ""),
    }
    assert ok(api.get(period(DISCLOSURES), headers=as_analyst)) == []


def test_a_customer_who_opted_out_after_the_build_is_withheld_from_the_export(
    api, container, world, as_analyst, as_supervisor
):
    audience = built(api, as_analyst, approved(api, as_analyst, as_supervisor))
    opt_out = campaign_world.decision(ConsentEventKind.OPTED_OUT, container.clock.now())
    consent = ConsentContext(container.unit_of_work, container.clock, container.renderer)
    record_consent(consent, account_number=world.deemed, event=opt_out, asker=CONSENT_STAFF)

    rows = exported(api, as_analyst, audience["id"], withheld=1)

    assert sorted(row["account_number"] for row in rows) == sorted([world.opted_in, world.bundle])
    assert len(members(api, as_analyst, audience["id"])) == 3


def test_a_third_partys_audience_is_only_its_opt_ins_and_its_export_enters_the_disclosure_log(
    api, world, as_analyst, as_supervisor, as_auditor
):
    audience = built(api, as_analyst, approved(api, as_analyst, as_supervisor, ALARM_OFFER))
    assert members(api, as_analyst, audience["id"]) == {world.partner_opt_in: ("opt_in", "opt_in")}

    rows = exported(api, as_analyst, audience["id"])

    assert [row["account_number"] for row in rows] == [world.partner_opt_in]
    [disclosure] = ok(api.get(period(DISCLOSURES), headers=as_auditor))
    assert (disclosure["recipient"], disclosure["recipient_class"], disclosure["customers"]) == (
        PARTNER,
        "third_party",
        1,
    )
    assert (disclosure["audience_id"], disclosure["disclosed_by"]) == (audience["id"], ANALYST_LABEL)
    assert disclosure["cpni_fields"] == ["services.category"]


def test_the_register_lists_the_periods_campaigns_with_the_cpni_used_offers_and_approvals(
    api, world, as_analyst, as_supervisor, as_auditor, as_administrator
):
    campaign_id = approved(api, as_analyst, as_supervisor)
    built(api, as_analyst, campaign_id)

    [entry] = ok(api.get(period(REGISTER), headers=as_auditor))

    assert (entry["campaign_id"], entry["name"], entry["status"]) == (
        campaign_id,
        WIRELESS_OFFER["name"],
        "approved",
    )
    assert entry["cpni_fields"] == ["services.category"]
    assert entry["offers"] == [{"product": "Unlimited wireless", "category": "wireless"}]
    assert [(a["actor"], a["version"]) for a in entry["approvals"]] == [(SUPERVISOR_LABEL, 1)]
    assert [a["selected"] for a in entry["audiences"]] == [3]
    later = period(REGISTER, NOW + timedelta(days=2), NOW + timedelta(days=3))
    assert ok(api.get(later, headers=as_auditor)) == [], "nothing was recorded in that period"


def test_the_register_shows_what_the_approved_version_used_after_the_campaign_was_edited(
    api, world, as_analyst, as_supervisor, as_auditor
):
    campaign_id = approved(api, as_analyst, as_supervisor)
    built(api, as_analyst, campaign_id)
    edit = WIRELESS_OFFER | {
        "cpni_fields": ["services.category", "call_detail_records.started_at"],
        "offers": [{"product": "Unlimited long distance", "category": "interexchange"}],
        "note": "aimed at heavy callers",
    }
    ok(api.put(f"{CAMPAIGNS}/{campaign_id}", json=edit, headers=as_analyst))

    [entry] = ok(api.get(period(REGISTER), headers=as_auditor))

    assert (entry["version"], entry["status"], entry["cpni_fields"]) == (2, "submitted", edit["cpni_fields"])
    [used] = entry["approved_versions"]
    assert (used["version"], used["cpni_fields"], used["offers"]) == (
        1,
        ["services.category"],
        [{"product": "Unlimited wireless", "category": "wireless"}],
    )
    assert (used["description"], used["saved_by"]) == (WIRELESS_OFFER["description"], ANALYST_LABEL)
    assert (used["sponsor"], used["sponsor_name"]) == ("carrier", "")


def test_an_audience_as_of_an_earlier_instant_reads_the_consent_of_then(
    api, world, as_analyst, as_supervisor
):
    campaign_id = approved(api, as_analyst, as_supervisor)

    earlier = built(api, as_analyst, campaign_id, {"as_of": (NOW - timedelta(days=40)).isoformat()})

    assert datetime.fromisoformat(earlier["as_of"]) == NOW - timedelta(days=40)
    assert set(members(api, as_analyst, earlier["id"])) == {world.bundle}, "before the wait and the opt-in"
    listed = ok(api.get(f"{CAMPAIGNS}/{campaign_id}/audiences", headers=as_analyst))
    assert [a["id"] for a in listed] == [earlier["id"]]
    assert ok(api.get(f"{AUDIENCES}/{earlier['id']}", headers=as_analyst)) == earlier


# --- who may do what


@pytest.mark.parametrize(
    "role", [Role.MARKETING_ANALYST, Role.REPRESENTATIVE, Role.AUDITOR, Role.ADMINISTRATOR]
)
def test_only_supervisors_and_compliance_officers_review(api, container, tokens, as_analyst, role):
    campaign_id = submitted(api, as_analyst)
    before = stored(container)

    answer = review(api, bearer(tokens[role]), campaign_id)

    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert stored(container) == before


@pytest.mark.parametrize("reviewer", ["as_supervisor", "as_compliance"])
def test_a_supervisor_or_compliance_officer_who_did_not_write_it_approves(api, as_analyst, reviewer, request):
    campaign_id = submitted(api, as_analyst)
    assert ok(review(api, request.getfixturevalue(reviewer), campaign_id))["status"] == "approved"


def test_a_supervisor_never_approves_their_own_campaign_but_another_supervisor_may(
    api, container, as_supervisor, as_other_supervisor
):
    campaign_id = submitted(api, as_supervisor)
    before = stored(container)

    own = review(api, as_supervisor, campaign_id)

    assert own.status_code == 422, own.text
    assert problem_locations(own) == ["actor"]
    assert "64.2009(d)" in own.json()["errors"][0]["message"]
    assert stored(container) == before
    assert ok(review(api, as_other_supervisor, campaign_id))["status"] == "approved"


def test_a_supervisor_who_edited_someone_elses_campaign_may_not_approve_it(
    api, as_analyst, as_supervisor, as_other_supervisor
):
    campaign_id = created(api, as_analyst)
    edit = WIRELESS_OFFER | {"description": "Now with a first month free", "note": "tightened the offer"}
    ok(api.put(f"{CAMPAIGNS}/{campaign_id}", json=edit, headers=as_supervisor))
    ok(api.post(f"{CAMPAIGNS}/{campaign_id}/submission", headers=as_analyst))

    assert problem_locations(review(api, as_supervisor, campaign_id)) == ["actor"]
    assert ok(review(api, as_other_supervisor, campaign_id))["status"] == "approved"


def test_auditors_read_the_register_but_write_nothing(
    api, container, world, as_analyst, as_supervisor, as_auditor
):
    campaign_id = approved(api, as_analyst, as_supervisor)
    audience = built(api, as_analyst, campaign_id)
    before = stored(container)

    writes = [
        api.post(CAMPAIGNS, json=WIRELESS_OFFER, headers=as_auditor),
        api.put(f"{CAMPAIGNS}/{campaign_id}", json=WIRELESS_OFFER, headers=as_auditor),
        api.post(f"{CAMPAIGNS}/{campaign_id}/audiences", headers=as_auditor),
        api.get(f"{AUDIENCES}/{audience['id']}/export", headers=as_auditor),
        api.delete(f"{CAMPAIGNS}/{campaign_id}", headers=as_auditor),
    ]

    assert [w.status_code for w in writes] == [403] * len(writes)
    assert stored(container) == before
    assert ok(api.get(f"{CAMPAIGNS}/{campaign_id}", headers=as_auditor))["status"] == "approved"
    assert len(ok(api.get(f"{AUDIENCES}/{audience['id']}/members", headers=as_auditor))) == 3


def test_representatives_may_not_even_read_campaigns(api, as_representative, as_analyst):
    campaign_id = created(api, as_analyst)
    for path in (CAMPAIGNS, f"{CAMPAIGNS}/{campaign_id}", period(REGISTER), period(DISCLOSURES)):
        assert api.get(path, headers=as_representative).status_code == 403, path


# --- changes, listing, purge


def test_editing_an_approved_campaign_sends_it_back_to_review_and_its_old_audience_cannot_go_out(
    api, container, world, as_analyst, as_supervisor
):
    campaign_id = approved(api, as_analyst, as_supervisor)
    audience = built(api, as_analyst, campaign_id)

    edited = ok(
        api.put(
            f"{CAMPAIGNS}/{campaign_id}",
            json=WIRELESS_OFFER | {"name": "Wireless, winter"},
            headers=as_analyst,
        )
    )

    assert (edited["status"], edited["version"], edited["name"]) == ("submitted", 2, "Wireless, winter")
    before = stored(container)
    in_review = api.get(f"{AUDIENCES}/{audience['id']}/export", headers=as_analyst)
    assert in_review.status_code == 422, in_review.text
    assert problem_locations(in_review) == ["campaign_id"]
    assert "is submitted" in in_review.json()["errors"][0]["message"]
    assert stored(container) == before
    ok(review(api, as_supervisor, campaign_id))
    before = stored(container)
    stale = api.get(f"{AUDIENCES}/{audience['id']}/export", headers=as_analyst)
    assert stale.status_code == 422, stale.text
    assert problem_locations(stale) == ["audience_id"]
    assert "built for version 1" in stale.json()["errors"][0]["message"]
    assert stored(container) == before


def test_a_returned_campaign_says_why_and_goes_back_to_its_author(api, as_analyst, as_supervisor):
    campaign_id = submitted(api, as_analyst)

    without_reason = review(api, as_supervisor, campaign_id, "returned", "")
    returned = ok(review(api, as_supervisor, campaign_id, "returned", "name the partner's offer"))

    assert problem_locations(without_reason) == ["note"]
    assert returned["status"] == "returned"
    assert (
        ok(api.post(f"{CAMPAIGNS}/{campaign_id}/submission", json={"note": "fixed"}, headers=as_analyst))[
            "status"
        ]
        == "submitted"
    )


def test_a_rejected_campaign_is_final(api, as_analyst, as_supervisor):
    campaign_id = submitted(api, as_analyst)
    ok(review(api, as_supervisor, campaign_id, "rejected", "uses call detail it does not need"))

    again = api.post(f"{CAMPAIGNS}/{campaign_id}/submission", headers=as_analyst)

    assert again.status_code == 422, again.text
    assert "rejected" in again.json()["errors"][0]["message"]


def test_campaigns_are_listed_by_status_page_by_page(api, as_analyst, as_supervisor):
    first = created(api, as_analyst)
    second = submitted(api, as_analyst)
    third = created(api, as_analyst)

    def ids(query: str) -> list[int]:
        return [c["id"] for c in ok(api.get(f"{CAMPAIGNS}{query}", headers=as_supervisor))]

    assert ids("") == [first, second, third]
    assert ids("?status=draft") == [first, third]
    assert ids("?status=submitted") == [second]
    assert ids(f"?after_id={first}&limit=1") == [second]


def test_a_campaign_is_purged_only_a_year_after_its_last_activity_and_its_approved_run(
    api, container, world, as_analyst, as_supervisor, as_compliance, as_administrator
):
    campaign_id = approved(api, as_analyst, as_supervisor)
    built(api, as_analyst, campaign_id)
    before = stored(container)

    kept = api.delete(f"{CAMPAIGNS}/{campaign_id}", headers=as_compliance)

    assert kept.status_code == 409, kept.text
    assert problem_locations(kept) == ["campaign_id"]
    assert "64.2009" in kept.json()["detail"]
    assert stored(container) == before
    pin_clock(api, as_administrator, (NOW + timedelta(days=366)).isoformat())
    run_kept = api.delete(f"{CAMPAIGNS}/{campaign_id}", headers=as_compliance)
    assert run_kept.status_code == 409, "the approved run ends 2027-01-31: kept a year after it"
    assert "may be purged after 2028-02-01T12:00:00+00:00" in run_kept.json()["detail"]
    pin_clock(api, as_administrator, "2028-02-01T12:00:01+00:00")
    purged = ok(api.delete(f"{CAMPAIGNS}/{campaign_id}", headers=as_compliance))
    assert purged["campaign_id"] == campaign_id
    assert purged["rows_removed"] > 0
    assert api.get(f"{CAMPAIGNS}/{campaign_id}", headers=as_compliance).status_code == 404


def test_unknown_campaigns_and_audiences_are_404_problems(api, as_analyst):
    for path in (
        f"{CAMPAIGNS}/999999",
        f"{CAMPAIGNS}/999999/audiences",
        f"{AUDIENCES}/999999",
        f"{AUDIENCES}/999999/members",
    ):
        answer = api.get(path, headers=as_analyst)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "application/problem+json"
    assert api.get(f"{AUDIENCES}/999999/export", headers=as_analyst).status_code == 404
