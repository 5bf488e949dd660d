"""47 CFR 64.2011(a)(1) as amended: the agency report's items from the timeline, missing ones flagged."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from cpniguard.domain.breach import BreachRegime, Hold
from cpniguard.domain.breach_report import (
    REQUIRED_ITEMS,
    FinancialLoss,
    HarmAssessment,
    agency_report,
    agency_report_json,
)
from cpniguard.domain.breach_timeline import Breach, BreachEvent, BreachEventKind
from cpniguard.domain.carrier import CarrierContact
from cpniguard.domain.errors import InvalidInputError

pytestmark = pytest.mark.unit

K = BreachEventKind
DISCOVERY = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
DETERMINATION = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
BREACH = Breach(7, "BR-2026-007", DISCOVERY, "compliance")
CARRIER = CarrierContact(
    carrier_name="Prairie Example Telephone Co.",
    carrier_address="100 Example Way\nSpringfield, IL 62701",
    contact_name="Dana Example",
    contact_email="compliance@prairie.example",
    contact_phone="+1 217 555 0100",
)
DETAILS: dict[BreachEventKind, dict[str, str]] = {
    K.DISCOVERED: {"how": "SOC alert on bulk CDR export"},
    K.DETERMINED: {"basis": "logs show an export by a former contractor's token"},
    K.DESCRIBED: {"description": "call detail of 3,000 accounts exported"},
    K.METHOD_OF_COMPROMISE: {"method": "stolen API token"},
    K.DATE_RANGE: {"from": "2026-11-01", "to": "2026-11-19"},
    K.DATA_TYPES: {"types": "call_detail, name_with_government_id, location"},
    K.CUSTOMERS_AFFECTED: {"count": "3000", "basis": "distinct accounts in the export"},
    K.FINANCIAL_LOSS_ESTIMATED: {"carrier_cents": "0", "customers_cents": "150000"},
}
WHEN = {K.DISCOVERED: DISCOVERY}
ITEM_KINDS = {
    "description": K.DESCRIBED,
    "method_of_compromise": K.METHOD_OF_COMPROMISE,
    "date_range": K.DATE_RANGE,
    "customers_affected": K.CUSTOMERS_AFFECTED,
    "financial_loss": K.FINANCIAL_LOSS_ESTIMATED,
    "data_types": K.DATA_TYPES,
    "discovered_at": K.DISCOVERED,
    "determined_at": K.DETERMINED,
}


def event(kind: BreachEventKind, at: datetime | None = None, **details: str) -> BreachEvent:
    moment = at or WHEN.get(kind, DETERMINATION)
    return BreachEvent(kind, moment, NOW, "compliance", details=details or DETAILS[kind])


def full_timeline() -> list[BreachEvent]:
    return [event(kind) for kind in DETAILS]


def report_of(events, *, regime=BreachRegime.FCC_2023, carrier=CARRIER, affected_accounts=2998):
    return agency_report(BREACH, events, carrier=carrier, regime=regime, affected_accounts=affected_accounts)


def test_a_full_timeline_gives_a_complete_report_with_every_item():
    report = report_of(full_timeline())

    assert report.missing == ()
    content = report.content
    assert (report.reference, report.carrier, report.affected_accounts) == ("BR-2026-007", CARRIER, 2998)
    assert content.description == "call detail of 3,000 accounts exported"
    assert content.method_of_compromise == "stolen API token"
    assert content.date_range == (date(2026, 11, 1), date(2026, 11, 19))
    assert (content.customers_affected, content.customers_affected_basis) == (
        3000,
        "distinct accounts in the export",
    )
    assert content.financial_loss == FinancialLoss(0, 150000, None)
    assert content.cpni_data_types == ("call_detail", "location")
    assert content.pii_data_types == ("name_with_government_id",)
    assert (content.discovered_at, content.determined_at) == (DISCOVERY, DETERMINATION)


@pytest.mark.parametrize(
    ("regime", "recipients"),
    [(BreachRegime.LEGACY, ("USSS", "FBI")), (BreachRegime.FCC_2023, ("FCC", "USSS", "FBI"))],
)
def test_the_recipients_follow_the_regime(regime, recipients):
    assert report_of(full_timeline(), regime=regime).recipients == recipients


@pytest.mark.parametrize(("item", "kind"), ITEM_KINDS.items())
def test_each_required_item_without_an_event_is_flagged_where_it_belongs(item, kind):
    report = report_of([e for e in full_timeline() if e.kind is not kind])

    assert [p.location for p in report.missing] == [item]
    assert f"'{kind}'" in report.missing[0].message


def test_an_empty_timeline_flags_every_item_with_its_citation():
    report = report_of([])

    assert [p.location for p in report.missing] == list(ITEM_KINDS)
    messages = {p.location: p.message for p in report.missing}
    assert "64.2011(a)(1)(v) (as amended by FCC 23-111)" in messages["customers_affected"]
    assert "64.2011(a)(1)(vii)" in messages["data_types"]
    assert "64.2011(d)" in messages["discovered_at"]


@pytest.mark.parametrize(
    "blank", ["carrier_name", "carrier_address", "contact_name", "contact_email", "contact_phone"]
)
def test_a_blank_carrier_item_is_flagged(blank):
    report = report_of(full_timeline(), carrier=replace(CARRIER, **{blank: "  "}))

    assert [p.location for p in report.missing] == [f"carrier.{blank}"]
    assert "64.2011(a)(1)(i)" in report.missing[0].message


def test_a_correction_is_a_later_event_and_the_latest_counts():
    events = [
        *full_timeline(),
        event(K.DESCRIBED, description="call detail and locations of 3,200 accounts exported"),
        event(K.CUSTOMERS_AFFECTED, count="3200"),
        event(K.DATA_TYPES, types="billing"),
        event(K.DETERMINED, DETERMINATION + timedelta(hours=2), basis="re-dated after review"),
    ]
    report = report_of(events)

    assert report.content.description == "call detail and locations of 3,200 accounts exported"
    assert report.content.customers_affected == 3200
    assert report.content.customers_affected_basis is None
    assert (report.content.cpni_data_types, report.content.pii_data_types) == (("billing",), ())
    assert report.content.determined_at == DETERMINATION + timedelta(hours=2)


def test_a_count_recorded_as_unknown_is_not_a_number_and_is_flagged_as_unknown():
    report = report_of([*full_timeline(), event(K.CUSTOMERS_AFFECTED, count="unknown")])

    assert report.content.customers_affected is None
    assert report.content.customers_count_unknown
    assert [p.location for p in report.missing] == ["customers_affected"]
    assert "recorded as unknown" in report.missing[0].message


def test_a_number_recorded_after_unknown_completes_the_report():
    events = [*full_timeline(), event(K.CUSTOMERS_AFFECTED, count="unknown")]
    report = report_of([*events, event(K.CUSTOMERS_AFFECTED, count="120")])

    assert report.content.customers_affected == 120
    assert report.missing == ()


def test_the_urgent_need_is_stated_only_under_the_legacy_rule_once_recorded_with_the_agency_notice():
    notified = event(K.AGENCY_NOTIFIED, agencies="USSS, FBI", reference="CRF-1", urgent_need_consulted="true")
    events = [*full_timeline(), notified]

    assert report_of(events, regime=BreachRegime.LEGACY).urgent_need_stated
    assert not report_of(events, regime=BreachRegime.FCC_2023).urgent_need_stated
    assert not report_of(full_timeline(), regime=BreachRegime.LEGACY).urgent_need_stated


def test_intent_encryption_harm_and_holds_come_from_the_timeline():
    events = [
        *full_timeline(),
        event(K.INTENT, intentional="true"),
        event(K.ENCRYPTION, only_encrypted="false", key_safe="false"),
        event(K.HARM_ASSESSMENT, harm_reasonably_likely="false", analysis="numbers only, no names"),
        event(
            K.HOLD_STARTED,
            agency="FBI",
            written_reference="FBI-1",
            starts_on="2026-11-24",
            ends_on="2026-12-20",
        ),
        event(K.HOLD_EXTENDED, hold="FBI-1", written_reference="FBI-2", ends_on="2027-01-10"),
    ]
    content = report_of(events).content

    assert content.intentional is True
    assert content.encryption is not None
    assert not content.encryption.only_encrypted
    assert content.harm == HarmAssessment(
        harm_reasonably_likely=False,
        analysis="numbers only, no names",
        assessed_at=DETERMINATION,
        assessed_by="compliance",
    )
    assert len(content.holds) == 1
    hold = content.holds[0]
    assert isinstance(hold, Hold)
    assert (hold.agency, hold.ends_on, hold.extensions[0].ends_on) == (
        "FBI",
        date(2026, 12, 20),
        date(2027, 1, 10),
    )


@pytest.mark.parametrize("accounts", [-1, True, 2.5])
def test_a_bad_number_of_affected_accounts_is_refused_saying_where(accounts):
    with pytest.raises(InvalidInputError) as raised:
        report_of(full_timeline(), affected_accounts=accounts)

    assert [p.location for p in raised.value.problems] == ["affected_accounts"]


def test_the_json_is_ready_for_an_encoder_with_each_items_citation_and_the_missing_list():
    report = report_of([e for e in full_timeline() if e.kind is not K.METHOD_OF_COMPROMISE])
    found = agency_report_json(report)

    assert json.loads(json.dumps(found)) == found
    assert found["regime"] == "2023"
    assert found["recipients"] == ["FCC", "USSS", "FBI"]
    assert found["citation"] == "47 CFR 64.2011(a) (as amended by FCC 23-111)"
    assert found["complete"] is False
    required = found["required"]
    assert list(required) == list(REQUIRED_ITEMS)
    assert required["method_of_compromise"]["value"] is None
    assert required["date_range"]["value"] == {"from": "2026-11-01", "to": "2026-11-19"}
    assert required["customers_affected"]["value"] == {
        "approximate": 3000,
        "basis": "distinct accounts in the export",
    }
    assert required["financial_loss"]["value"] == {
        "carrier_cents": 0,
        "customers_cents": 150000,
        "basis": None,
    }
    assert required["data_types"] == {
        "label": "Types of data breached",
        "value": {"cpni": ["call_detail", "location"], "pii": ["name_with_government_id"]},
        "citation": "47 CFR 64.2011(a)(1)(vii) (as amended by FCC 23-111)",
    }
    assert required["carrier"]["value"]["contact_email"] == "compliance@prairie.example"
    assert found["record"]["determined_at"]["value"] == "2026-11-23T15:00:00+00:00"
    assert found["record"]["affected_accounts_recorded"] == {"value": 2998, "citation": "47 CFR 64.2011(d)"}
    assert found["missing"] == [{"location": "method_of_compromise", "message": report.missing[0].message}]


def test_the_json_of_a_legacy_report_cites_the_legacy_rule_and_its_holds():
    found = agency_report_json(report_of(full_timeline(), regime=BreachRegime.LEGACY))

    assert found["citation"] == "47 CFR 64.2011(b)"
    assert found["record"]["holds"] == {"value": [], "citation": "47 CFR 64.2011(b)(3)"}
    assert found["record"]["urgent_need_stated"] == {"value": False, "citation": "47 CFR 64.2011(b)(2)"}
    assert found["complete"] is True
