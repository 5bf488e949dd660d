import json
from datetime import timedelta
from tests.conftest import TEST_NOW
from tests.e2e.conftest import bearer
from tests.factories import add_account
from cpniguard.domain.employees import Role
from cpniguard.adapters.notify.notice_files import DEFAULT_NOTICE_FILE, load_notice_file

def test_probe(api, container, tokens):
    co = bearer(tokens[Role.COMPLIANCE_OFFICER])
    with container.unit_of_work() as uow:
        key, number = add_account(uow.session)
        uow.commit()
    s = container.settings.consent
    version, days, texts = load_notice_file(DEFAULT_NOTICE_FILE, opt_out_address=s.opt_out_address, carrier_name=s.carrier_name)
    r = api.post("/api/v1/consent/notice-versions", json={"version": version, "waiting_period_days": days, "texts": texts}, headers=co)
    print(r.status_code, r.text[:200])
    u = f"/api/v1/accounts/{number}/consent/events"
    bodies = [
        {"kind": "opted_out", "source": "portal", "evidence": "a\x00b"},
        {"kind": "opted_out", "source": "portal", "reference": "a\x00b"},
        {"kind": "opted_in", "source": "portal", "proof": "oral", "recording_reference": "a\x00b", "scope": [{"recipient": "third_party"}]},
        {"kind": "opted_in", "source": "portal", "proof": "written", "scope": [{"recipient": "third_party", "partner": "A\x00B"}]},
        {"kind": "notice_sent", "notice_version": "x\x00", "notice_medium": "email"},
        {"kind": "opted_out", "source": "portal", "occurred_at": "0001-01-01T00:00:00+01:00"},
        {"kind": "notice_sent", "notice_version": version, "notice_medium": "mail", "occurred_at": "0001-01-01T00:00:00-01:00"},
        {"kind": "notice_sent", "notice_version": version, "notice_medium": "mail", "occurred_at": "0001-01-01T00:00:00+00:00"},
        {"kind": "opted_out", "source": "portal", "occurred_at": "2026-11-02T15:00:00+14:00"},
        {"kind": "opted_out", "source": "portal", "scope": [{"recipient": "carrier", "partner": ""}, {"recipient": "carrier", "partner": ""}]},
        {"kind": "opted_out", "source": "portal", "reference": "dup"},
        {"kind": "opted_in", "source": "portal", "proof": "written", "scope": [{"recipient": "carrier"}], "reference": "dup"},
        {"kind": "opted_out", "source": "portal", "scope": [{"recipient": "carrier", "partner": "\u00a0X"}]},
    ]
    for b in bodies:
        r = api.post(u, json=b, headers=co)
        print(json.dumps(b)[:120], r.status_code, r.text[:300])
    for q in ["as_of=0001-01-01T00:00:00%2B01:00", "as_of=9999-12-31T23:59:59-01:00", "as_of=2026-01-01T00:00:00"]:
        r = api.get(f"/api/v1/accounts/{number}/consent?{q}", headers=co)
        print(q, r.status_code, r.text[:300])
        r = api.get(f"/api/v1/consent/renotice-due?{q}", headers=co)
        print("due", q, r.status_code, r.text[:300])
    r = api.get(f"/api/v1/accounts/{number}/consent/events", headers=co)
    print(r.status_code, r.text[:1500])
    r = api.post("/api/v1/consent/notice-versions", json={"version": "v2", "waiting_period_days": days, "texts": {**texts, "en": {**texts["en"], "subject": "CPNI \x00"}}}, headers=co)
    print("nv nul", r.status_code, r.text[:300])
    r = api.post("/api/v1/consent/review-queue/1/resolution", json={"decision": "opt_out", "account_number": "A\x00"}, headers=co)
    print("res", r.status_code, r.text[:300])
    r = api.patch("/api/v1/consent/opt-out-failures/1", json={"remedy": "A\x00"}, headers=co)
    print("patch", r.status_code, r.text[:300])
    r = api.patch("/api/v1/consent/opt-out-failures/1", json={"letter_sent_at": "0001-01-01T00:00:00+01:00"}, headers=co)
    print("patch", r.status_code, r.text[:300])
    assert False
