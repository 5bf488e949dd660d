"""Bad input to the campaign API (issue 7): a 4xx naming where, and nothing written.

47 CFR 64.2009(c): the CPNI used is named from the classification and each offer has its
category of service; 47 U.S.C. 222(b): carrier-change data is never used; 64.2009(d): nobody
approves their own campaign, and no audience is built for a campaign not approved. Dates are
days, instants carry their offset, and neither is a number. Each refusal leaves the campaign
tables and the access log as they were (their rows are counted).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, status_code_conformance
from tests.e2e.conftest import bearer
from tests.e2e.test_http_breach import problem_locations
from tests.e2e.test_http_campaigns import (
    AUDIENCES,
    CAMPAIGNS,
    DISCLOSURES,
    NOW,
    REGISTER,
    WIRELESS_OFFER,
    approved,
    built,
    consent_world,
    created,
    review,
    stored,
    submitted,
)

from cpniguard.domain.employees import Role
from cpniguard.web.app import create_app

pytestmark = pytest.mark.e2e

CAMPAIGN_PATHS = (CAMPAIGNS, AUDIENCES, REGISTER, DISCLOSURES)


@pytest.fixture
def as_analyst(tokens) -> dict[str, str]:
    return bearer(tokens[Role.MARKETING_ANALYST])


@pytest.fixture
def as_supervisor(tokens) -> dict[str, str]:
    return bearer(tokens[Role.SUPERVISOR])


@pytest.fixture
def as_compliance(tokens) -> dict[str, str]:
    return bearer(tokens[Role.COMPLIANCE_OFFICER])


def refused(container, request, *, status: int = 422) -> list[str]:
    """Send `request()`; assert it is refused with `status` and wrote nothing; the problem's locations."""
    before = stored(container)
    answer = request()
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert stored(container) == before
    return problem_locations(answer)


def draft(**changes: object) -> dict[str, object]:
    return WIRELESS_OFFER | changes


BAD_DRAFTS = [
    pytest.param(
        draft(cpni_fields=["services.category", "services.colour"]),
        ["cpni_fields[1]"],
        "not a classified field",
        id="unknown-cpni-field",
    ),
    pytest.param(
        draft(cpni_fields=["services.category", "carrier_change_notices.kind"]),
        ["cpni_fields[1]"],
        "222(b)",
        id="carrier-change-field",
    ),
    pytest.param(
        draft(offers=[{"product": "Wireless", "category": "wireless"}, {"product": "Alarm"}]),
        ["body.offers.1.category"],
        "Field required",
        id="offer-without-category",
    ),
    pytest.param(
        draft(offers=[{"product": "Alarm", "category": "security"}]),
        ["body.offers.0.category"],
        "non_communications",
        id="offer-in-an-unknown-category",
    ),
    pytest.param(draft(offers=[]), ["offers"], "64.2009(c)", id="no-offer"),
    pytest.param(draft(cpni_fields=[], criteria={}), ["cpni_fields"], "64.2009(c)", id="no-cpni-listed"),
    pytest.param(
        draft(cpni_fields=["accounts.language"]),
        ["cpni_fields[0]", "criteria.subscribes_to_any"],
        "not CPNI",
        id="criteria-reading-undeclared-cpni",
    ),
    pytest.param(
        draft(sponsor="third_party", sponsor_name=""),
        ["sponsor_name"],
        "name the third party",
        id="unnamed-third-party",
    ),
    pytest.param(draft(name="  "), ["name"], "give the campaign a name", id="blank-name"),
    pytest.param(
        draft(starts_on="2027-02-01", ends_on="2027-01-31"), ["ends_on"], "before starts_on", id="ends-first"
    ),
    pytest.param(draft(starts_on=20261201), ["body.starts_on"], "YYYY-MM-DD", id="number-as-a-day"),
    pytest.param(draft(ends_on=0), ["body.ends_on"], "YYYY-MM-DD", id="zero-as-a-day"),
    pytest.param(
        draft(starts_on="2026-12-01T00:00:00Z"), ["body.starts_on"], "YYYY-MM-DD", id="instant-as-a-day"
    ),
    pytest.param(draft(colour="red"), ["body.colour"], "Extra inputs", id="extra-field"),
    pytest.param(
        draft(offers=[{"product": "Wireless", "category": "wireless", "price": 10}]),
        ["body.offers.0.price"],
        "Extra inputs",
        id="extra-offer-field",
    ),
    pytest.param(
        draft(criteria={"min_calls": True, "calls_within_days": "30"}),
        ["body.criteria.min_calls", "body.criteria.calls_within_days"],
        "integer",
        id="calls-not-whole-numbers",
    ),
    pytest.param(
        draft(criteria={"min_calls": 5}), ["criteria.calls_within_days"], "give it", id="calls-without-window"
    ),
    pytest.param(draft(sponsor="cousin"), ["body.sponsor"], "carrier", id="unknown-sponsor"),
    pytest.param(draft(name="nul\x00"), ["body.name"], "pattern", id="control-character"),
]


@pytest.mark.parametrize(("body", "locations", "words"), BAD_DRAFTS)
def test_a_bad_draft_is_refused_naming_where_and_nothing_is_written(
    api, container, as_analyst, body, locations, words
):
    answer_locations = refused(container, lambda: api.post(CAMPAIGNS, json=body, headers=as_analyst))

    assert sorted(answer_locations) == sorted(locations)
    answer = api.post(CAMPAIGNS, json=body, headers=as_analyst)
    assert words in " ".join(error["message"] for error in answer.json()["errors"])


@pytest.mark.parametrize(("body", "locations", "words"), BAD_DRAFTS[:3])
def test_a_bad_edit_leaves_the_campaign_as_it_was(api, container, as_analyst, body, locations, words):
    campaign_id = created(api, as_analyst)
    path = f"{CAMPAIGNS}/{campaign_id}"
    before = api.get(path, headers=as_analyst).json()

    assert sorted(refused(container, lambda: api.put(path, json=body, headers=as_analyst))) == sorted(
        locations
    )
    assert api.get(path, headers=as_analyst).json() == before


def test_a_supervisor_approving_their_own_campaign_is_refused_and_nothing_is_written(
    api, container, as_supervisor
):
    campaign_id = submitted(api, as_supervisor)
    assert refused(container, lambda: review(api, as_supervisor, campaign_id)) == ["actor"]


@pytest.mark.parametrize(
    ("body", "locations"),
    [
        ({"action": "submitted", "note": ""}, ["body.action"]),
        ({"action": "approved", "note": "", "by": "me"}, ["body.by"]),
        ({"action": "rejected"}, ["note"]),
        ({"action": "approved", "note": "x" * 2001}, ["body.note"]),
        ({}, ["body.action"]),
    ],
)
def test_a_bad_review_is_refused_saying_where(api, container, as_analyst, as_supervisor, body, locations):
    campaign_id = submitted(api, as_analyst)
    path = f"{CAMPAIGNS}/{campaign_id}/review"
    assert refused(container, lambda: api.post(path, json=body, headers=as_supervisor)) == locations


def test_a_draft_is_not_reviewed_before_it_is_submitted(api, container, as_analyst, as_supervisor):
    campaign_id = created(api, as_analyst)
    assert refused(container, lambda: review(api, as_supervisor, campaign_id)) == ["action"]


@pytest.mark.parametrize("stage", ["draft", "submitted", "returned", "rejected"])
def test_no_audience_is_built_for_a_campaign_not_approved(api, container, as_analyst, as_supervisor, stage):
    campaign_id = created(api, as_analyst) if stage == "draft" else submitted(api, as_analyst)
    if stage in {"returned", "rejected"}:
        assert review(api, as_supervisor, campaign_id, stage, "not yet").status_code == 200
    consent_world(container)
    path = f"{CAMPAIGNS}/{campaign_id}/audiences"

    assert refused(container, lambda: api.post(path, headers=as_analyst)) == ["campaign_id"]
    answer = api.post(path, headers=as_analyst)
    assert f"is {stage}" in answer.json()["errors"][0]["message"]
    assert "64.2009(d)" in answer.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "locations"),
    [
        ({"as_of": "2026-11-01T10:00:00"}, ["body.as_of"]),
        ({"as_of": 1_700_000_000}, ["body.as_of"]),
        ({"as_of": "2026-11-01"}, ["body.as_of"]),
        ({"as_of": "1990-01-01T00:00:00Z"}, ["body.as_of"]),
        ({"as_of": (NOW + timedelta(hours=1)).isoformat()}, ["as_of"]),
        ({"as_of": NOW.isoformat(), "members": 5}, ["body.members"]),
    ],
)
def test_a_bad_audience_request_is_refused_saying_where(
    api, container, as_analyst, as_supervisor, body, locations
):
    campaign_id = approved(api, as_analyst, as_supervisor)
    path = f"{CAMPAIGNS}/{campaign_id}/audiences"
    assert refused(container, lambda: api.post(path, json=body, headers=as_analyst)) == locations


def test_an_export_of_a_campaign_sent_back_to_review_is_refused(api, container, as_analyst, as_supervisor):
    consent_world(container)
    campaign_id = approved(api, as_analyst, as_supervisor)
    audience = built(api, as_analyst, campaign_id)
    edit = api.put(f"{CAMPAIGNS}/{campaign_id}", json=WIRELESS_OFFER | {"name": "v2"}, headers=as_analyst)
    assert edit.status_code == 200, edit.text

    path = f"{AUDIENCES}/{audience['id']}/export"
    assert refused(container, lambda: api.get(path, headers=as_analyst)) == ["campaign_id"]


MOMENT = "2026-11-01T00:00:00%2B00:00"


@pytest.mark.parametrize(
    ("path", "locations"),
    [
        (f"{CAMPAIGNS}?status=pending", ["query.status"]),
        (f"{CAMPAIGNS}?limit=0", ["query.limit"]),
        (f"{CAMPAIGNS}?limit=1001", ["query.limit"]),
        (f"{CAMPAIGNS}?after_id=-1", ["query.after_id"]),
        (f"{CAMPAIGNS}/0", ["path.campaign_id"]),
        (f"{CAMPAIGNS}/abc/audiences", ["path.campaign_id"]),
        (f"{AUDIENCES}/1/members?limit=10001", ["query.limit"]),
        (f"{AUDIENCES}/1/members?after_account_id=x", ["query.after_account_id"]),
        (f"{REGISTER}?first={MOMENT}", ["query.last"]),
        (f"{REGISTER}?first=2026-11-01T00:00:00&last={MOMENT}", ["query.first"]),
        (f"{REGISTER}?first=0&last={MOMENT}", ["query.first"]),
        (f"{REGISTER}?first=2026-11-02T00:00:00%2B00:00&last={MOMENT}", ["query.last"]),
        (f"{DISCLOSURES}?first={MOMENT}&last=1700000000", ["query.last"]),
        (f"{DISCLOSURES}?first=2026-12-01T00:00:00Z&last={MOMENT}", ["query.last"]),
    ],
)
def test_bad_queries_are_field_level_422s(api, container, as_compliance, path, locations):
    assert refused(container, lambda: api.get(path, headers=as_compliance)) == locations


def test_a_period_that_ends_before_it_starts_says_so(api, as_compliance):
    answer = api.get(f"{REGISTER}?first=2026-11-02T00:00:00%2B00:00&last={MOMENT}", headers=as_compliance)
    assert "is before first" in answer.json()["errors"][0]["message"]


# --- generated input


def test_no_generated_campaign_request_gets_a_server_error(api, container, as_compliance, as_supervisor):
    """Schemathesis, as a compliance officer (who may use every campaign route), on a built audience."""
    consent_world(container)
    campaign_id = approved(api, as_compliance, as_supervisor)
    audience_id = built(api, as_compliance, campaign_id)["id"]
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(container))
    operations = [result.ok() for result in schema.get_all_operations()]
    campaign = [o for o in operations if o.path.startswith(CAMPAIGN_PATHS)]
    assert len(campaign) == 14
    ids = {"campaign_id": campaign_id, "audience_id": audience_id}
    for operation in campaign:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, as_compliance, ids)


def _fuzz(operation, mode, headers, ids):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case):
        case.headers = {**(case.headers or {}), **headers}
        if mode is GenerationMode.POSITIVE:
            for name in set(ids) & set(case.path_parameters or {}):
                case.path_parameters[name] = ids[name]
        response = case.call()
        case.validate_response(response, checks=[status_code_conformance, negative_data_rejection])
        assert response.status_code < 500, (operation.label, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"][0].startswith("application/problem+json"), operation.label

    run()
