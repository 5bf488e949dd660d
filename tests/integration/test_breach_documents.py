"""The breach agency report and annual summary from stored timelines, as JSON and PDF (47 CFR 64.2011)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from tests.factories import add_account

from cpniguard.adapters.calendar import federal_calendar
from cpniguard.adapters.pdf.breach_documents import agency_report_pdf, annual_summary_pdf
from cpniguard.bootstrap import Container
from cpniguard.domain.breach import BreachRegime
from cpniguard.domain.breach_report import agency_report_json
from cpniguard.domain.breach_summary import annual_summary_json
from cpniguard.domain.breach_timeline import BreachEvent, BreachEventKind
from cpniguard.domain.carrier import CarrierContact
from cpniguard.domain.disclosure_request import ActorKind
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.services import breach_documents
from cpniguard.services.breach import BreachContext, close_breach, open_breach, record_breach_event
from cpniguard.services.breach_accounts import add_affected_accounts
from cpniguard.services.breach_documents import agency_report_for, annual_summary_for
from cpniguard.services.disclosure import Asker

pytestmark = pytest.mark.integration

STAFF = Asker(kind=ActorKind.EMPLOYEE, role=Role.COMPLIANCE_OFFICER, label="compliance")
K = BreachEventKind
CALENDAR = federal_calendar(2025, 2028)
NOW = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
MARCH = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
CARRIER = CarrierContact(
    carrier_name="Prairie Example Telephone Co.",
    carrier_address="100 Example Way, Springfield, IL 62701",
    contact_name="Dana Example",
    contact_email="compliance@prairie.example",
    contact_phone="+1 217 555 0100",
)
ITEMS: dict[BreachEventKind, dict[str, str]] = {
    K.DESCRIBED: {"description": "one billing run mailed to stale addresses"},
    K.METHOD_OF_COMPROMISE: {"method": "an address-change defect"},
    K.DATE_RANGE: {"from": "2026-03-01", "to": "2026-03-05"},
    K.FINANCIAL_LOSS_ESTIMATED: {"carrier_cents": "125050", "customers_cents": "0"},
    K.DATA_TYPES: {"types": "billing, name_with_government_id"},
}


@pytest.fixture
def context(container: Container) -> BreachContext:
    container.clock.pin(NOW)
    return BreachContext(container.unit_of_work, container.clock)


def record(
    context: BreachContext, breach_id: int, kind: BreachEventKind, at: datetime, **details: str
) -> None:
    event = BreachEvent(kind, at, at, "compliance", details=details)
    record_breach_event(context, breach_id=breach_id, event=event, asker=STAFF)


def stored_breach(
    context: BreachContext,
    reference: str,
    *,
    determined_at: datetime,
    count: str = "120",
    harm: str = "false",
    complete: bool = True,
) -> int:
    breach_id = open_breach(context, reference=reference, asker=STAFF).id
    record(context, breach_id, K.DISCOVERED, determined_at - timedelta(hours=3), how="a customer called")
    record(context, breach_id, K.DETERMINED, determined_at, basis="the bill reached another customer")
    record(context, breach_id, K.CUSTOMERS_AFFECTED, determined_at, count=count)
    record(
        context, breach_id, K.HARM_ASSESSMENT, determined_at, harm_reasonably_likely=harm, analysis="totals"
    )
    for kind, details in ITEMS.items() if complete else ():
        record(context, breach_id, kind, determined_at, **details)
    return breach_id


def report(container: Container, breach_id: int, amendments_effective_on: date | None = None):
    return agency_report_for(
        uow_factory=container.unit_of_work,
        breach_id=breach_id,
        carrier=CARRIER,
        amendments_effective_on=amendments_effective_on,
    )


def summary(container: Container, year: int, amendments_effective_on: date | None = date(2026, 1, 1)):
    return annual_summary_for(
        uow_factory=container.unit_of_work,
        year=year,
        carrier=CARRIER,
        calendar=CALENDAR,
        amendments_effective_on=amendments_effective_on,
        annual_summary_due=(2, 1),
    )


def read_back(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_agency_report_of_a_stored_timeline_is_complete_with_the_accounts_recorded(container, context):
    breach_id = stored_breach(context, "BR-2026-100", determined_at=NOVEMBER)
    with container.unit_of_work() as uow:
        numbers = [add_account(uow.session)[1] for _ in range(3)]
        uow.commit()
    add_affected_accounts(context, breach_id=breach_id, account_numbers=numbers, asker=STAFF)

    found = report(container, breach_id)

    assert (found.regime, found.recipients, found.missing) == (BreachRegime.LEGACY, ("USSS", "FBI"), ())
    assert (found.affected_accounts, found.content.customers_affected) == (3, 120)
    assert found.content.determined_at == NOVEMBER
    assert agency_report_json(found)["record"]["affected_accounts_recorded"]["value"] == 3
    text = read_back(agency_report_pdf(found))
    assert "Notice to USSS, FBI through the central reporting facility under 47 CFR 64.2011(b)." in text
    assert "The legacy rule prescribes no content for this notice" in text
    assert "Affected accounts named in the record: 3" in text


def test_the_regime_follows_the_determination_and_the_effective_date(container, context):
    breach_id = stored_breach(context, "BR-2026-101", determined_at=NOVEMBER)

    assert report(container, breach_id, date(2026, 11, 23)).recipients == ("FCC", "USSS", "FBI")
    assert report(container, breach_id, date(2026, 11, 24)).regime is BreachRegime.LEGACY


def test_a_correction_recorded_later_is_what_the_report_says(container, context):
    breach_id = stored_breach(context, "BR-2026-102", determined_at=NOVEMBER)
    record(context, breach_id, K.DESCRIBED, NOVEMBER, description="two billing runs, not one")
    record(context, breach_id, K.CUSTOMERS_AFFECTED, NOVEMBER, count="unknown")

    found = report(container, breach_id)

    assert found.content.description == "two billing runs, not one"
    assert found.content.customers_affected is None
    assert [p.location for p in found.missing] == ["customers_affected"]
    text = read_back(agency_report_pdf(found))
    assert "MISSING: the number of customers affected is recorded as unknown" in text
    assert "two billing runs, not one" in text


def test_a_breach_not_yet_determined_is_reported_under_the_legacy_rule_with_everything_missing(
    container, context
):
    breach_id = open_breach(context, reference="BR-2026-103", asker=STAFF).id
    record(context, breach_id, K.DISCOVERED, NOVEMBER, how="a customer called")

    found = report(container, breach_id, date(2026, 1, 1))

    assert found.regime is BreachRegime.LEGACY
    assert [p.location for p in found.missing] == [
        "description",
        "method_of_compromise",
        "date_range",
        "customers_affected",
        "financial_loss",
        "data_types",
        "determined_at",
    ]
    text = read_back(agency_report_pdf(found))
    assert "INCOMPLETE: 7 required item(s) have no value yet." in text
    for problem in found.missing:
        assert f"MISSING: {problem.location}: {problem.message}" in text
    assert text.count("MISSING:") == 7 + 6  # the overview, then each item (i)-(vii) in its place


def test_an_unknown_breach_is_not_found(container, context):
    with pytest.raises(NotFoundError):
        report(container, 999_999)


def test_the_agency_report_pdf_shows_each_item_under_its_citation(container, context):
    breach_id = stored_breach(context, "BR-2026-104", determined_at=NOVEMBER)
    found = report(container, breach_id, date(2026, 1, 1))
    pdf = agency_report_pdf(found)
    text = read_back(pdf)

    assert PdfReader(io.BytesIO(pdf)).metadata.title == "CPNI breach report BR-2026-104"
    assert "MISSING" not in text
    assert "legacy rule" not in text
    for expected in [
        "Notice to FCC, USSS, FBI through the central reporting facility under 47 CFR 64.2011(a)",
        "(i) Carrier's address and contact information 47 CFR 64.2011(a)(1)(i) (as amended by FCC 23-111)",
        "Name: Prairie Example Telephone Co.",
        "Contact email: compliance@prairie.example",
        "(ii) Description of the breach 47 CFR 64.2011(a)(1)(ii)",
        "one billing run mailed to stale addresses",
        "(iii) Method of compromise",
        "an address-change defect",
        "(iv) Date range of the incident 47 CFR 64.2011(a)(1)(iv) (as amended by FCC 23-111)",
        "from 2026-03-01 to 2026-03-05",
        "(v) Approximate number of customers affected",
        "About 120 customers",
        "To the carrier: $1,250.50; to customers: $0.00",
        "CPNI: billing. Personally identifiable information: name_with_government_id.",
        "Reasonably determined: 2026-11-23T15:00:00+00:00 (in Washington, DC: 2026-11-23)",
        "Harm assessment (47 CFR 64.2011(a)(3) (as amended by FCC 23-111)): no harm reasonably likely",
        "Affected accounts named in the record: 0",
    ]:
        assert expected in text, expected


def test_a_blank_carrier_item_prints_as_missing_in_the_report(container, context):
    breach_id = stored_breach(context, "BR-2026-105", determined_at=NOVEMBER)
    found = agency_report_for(
        uow_factory=container.unit_of_work,
        breach_id=breach_id,
        carrier=replace(CARRIER, contact_phone=" "),
        amendments_effective_on=None,
    )

    text = read_back(agency_report_pdf(found))
    assert "MISSING: the carrier's contact telephone number is not configured" in text


def test_the_annual_summary_gathers_the_years_small_breaches_open_or_closed(container, context, monkeypatch):
    monkeypatch.setattr(breach_documents, "LISTING_PAGE", 1)  # every page boundary is crossed
    stored_breach(context, "BR-A", determined_at=MARCH + timedelta(days=40))
    closed = stored_breach(context, "BR-B", determined_at=MARCH)
    close_breach(context, breach_id=closed, reason="remediated", asker=STAFF)
    stored_breach(context, "BR-C", determined_at=MARCH, count="800")
    stored_breach(context, "BR-D", determined_at=MARCH, harm="true")
    stored_breach(context, "BR-E", determined_at=datetime(2027, 1, 5, 15, tzinfo=UTC))
    stored_breach(context, "BR-F", determined_at=MARCH, count="unknown")

    found = summary(container, 2026)

    assert [e.reference for e in found.entries] == ["BR-B", "BR-A"]
    assert (found.due_on, found.recipients, found.missing) == (date(2027, 2, 1), ("FCC", "USSS", "FBI"), ())
    assert [e.reference for e in summary(container, 2027).entries] == ["BR-E"]
    assert summary(container, 2026, amendments_effective_on=None).entries == ()


def test_the_annual_summary_pdf_lists_each_entry_and_flags_what_it_lacks(container, context):
    stored_breach(context, "BR-G", determined_at=MARCH)
    stored_breach(context, "BR-H", determined_at=MARCH + timedelta(days=1), complete=False)

    found = summary(container, 2026)
    json_missing = [m["location"] for m in annual_summary_json(found)["missing"]]
    text = read_back(annual_summary_pdf(found))

    assert json_missing == [
        "entries[1].description",
        "entries[1].method_of_compromise",
        "entries[1].date_range",
        "entries[1].financial_loss",
        "entries[1].data_types",
    ]
    assert "Annual summary of small CPNI breaches, 2026" in text
    assert "under 47 CFR 64.2011(a)(3) (as amended by FCC 23-111), due 2027-02-01" in text
    assert "2 breaches determined in 2026" in text
    assert "1. Breach BR-G, determined 2026-03-10" in text
    assert "2. Breach BR-H, determined 2026-03-11" in text
    assert "MISSING: entries[1].description: no description of the breach is recorded" in text
    assert text.count("MISSING:") == 5 + 5


def test_a_year_without_small_breaches_is_an_empty_summary_that_says_so(container, context):
    stored_breach(context, "BR-I", determined_at=MARCH, count="800")

    found = summary(container, 2026)
    text = read_back(annual_summary_pdf(found))

    assert found.entries == ()
    assert "No breach determined in 2026 qualifies for the annual summary" in text
    assert "nothing to report for 2026" in text
    assert "MISSING" not in text


def test_a_due_day_not_in_every_year_is_refused_saying_where(container, context):
    with pytest.raises(InvalidInputError) as raised:
        annual_summary_for(
            uow_factory=container.unit_of_work,
            year=2026,
            carrier=CARRIER,
            calendar=CALENDAR,
            amendments_effective_on=None,
            annual_summary_due=(2, 29),
        )

    assert [p.location for p in raised.value.problems] == ["annual_summary_due"]


def test_the_report_pdf_states_the_urgent_need_the_encryption_and_each_written_hold(container, context):
    breach_id = stored_breach(context, "BR-2026-106", determined_at=NOVEMBER)
    later = NOVEMBER + timedelta(days=1)
    record(
        context, breach_id, K.ENCRYPTION, NOVEMBER, only_encrypted="true", key_safe="true", evidence="HSM log"
    )
    hold = {"agency": "FBI", "written_reference": "FBI-1", "starts_on": "2026-11-24", "ends_on": "2026-12-20"}
    record(context, breach_id, K.HOLD_STARTED, later, **hold)
    record(
        context,
        breach_id,
        K.HOLD_EXTENDED,
        later,
        hold="FBI-1",
        written_reference="FBI-2",
        ends_on="2027-01-10",
    )
    record(
        context,
        breach_id,
        K.HOLD_RELEASED,
        later,
        hold="FBI-1",
        written_reference="FBI-3",
        released_on="2027-01-04",
    )
    record(
        context,
        breach_id,
        K.AGENCY_NOTIFIED,
        later,
        agencies="USSS, FBI",
        reference="CRF-9",
        urgent_need_consulted="true",
    )

    found = report(container, breach_id)
    text = read_back(agency_report_pdf(found))

    assert found.urgent_need_stated
    assert "Urgent need to notify customers (47 CFR 64.2011(b)(2)): STATED: the carrier believes" in text
    assert "only encrypted data taken: yes; key safe: yes (evidence: HSM log)" in text
    assert (
        "Written holds (47 CFR 64.2011(b)(3)): FBI FBI-1 from 2026-11-24 to 2026-12-20, extended by FBI-2 "
        "to 2027-01-10, released on 2027-01-04"
    ) in text


def test_a_breach_determined_but_not_yet_discovered_has_no_deadline_and_stays_out_of_the_summary(
    container, context
):
    breach_id = open_breach(context, reference="BR-J", asker=STAFF).id
    record(context, breach_id, K.DETERMINED, MARCH, basis="the bill reached another customer")
    record(context, breach_id, K.CUSTOMERS_AFFECTED, MARCH, count="3")
    record(context, breach_id, K.HARM_ASSESSMENT, MARCH, harm_reasonably_likely="false", analysis="totals")

    assert summary(container, 2026).entries == ()
