"""47 CFR 64.2011(a)(3) as amended: the annual summary gathers a year's small, no-harm breaches."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from cpniguard.adapters.calendar import federal_calendar
from cpniguard.domain.breach import BreachRegime
from cpniguard.domain.breach_deadlines import breach_deadlines
from cpniguard.domain.breach_summary import annual_summary, annual_summary_json, summary_due_on
from cpniguard.domain.breach_timeline import Breach, BreachEvent, BreachEventKind, breach_facts_from
from cpniguard.domain.carrier import CarrierContact
from cpniguard.domain.errors import InvalidInputError

pytestmark = pytest.mark.unit

K = BreachEventKind
CALENDAR = federal_calendar(2025, 2028)
DUE = date(2027, 2, 1)
CARRIER = CarrierContact(
    carrier_name="Prairie Example Telephone Co.",
    carrier_address="100 Example Way\nSpringfield, IL 62701",
    contact_name="Dana Example",
    contact_email="compliance@prairie.example",
    contact_phone="+1 217 555 0100",
)
MARCH = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def event(kind: BreachEventKind, at: datetime, **details: str) -> BreachEvent:
    return BreachEvent(kind, at, at + timedelta(days=1), "compliance", details=details)


def timeline(
    determined_at: datetime = MARCH, *, count: str = "120", harm: str = "false", complete: bool = True
) -> list[BreachEvent]:
    events = [
        event(K.DISCOVERED, determined_at - timedelta(hours=3), how="a misdirected bill"),
        event(K.DETERMINED, determined_at, basis="the bill reached another customer"),
        event(K.CUSTOMERS_AFFECTED, determined_at, count=count),
        event(
            K.HARM_ASSESSMENT, determined_at, harm_reasonably_likely=harm, analysis="totals only, no names"
        ),
    ]
    if complete:
        events += [
            event(K.DESCRIBED, determined_at, description="one billing run mailed to old addresses"),
            event(K.METHOD_OF_COMPROMISE, determined_at, method="an address-change bug"),
            event(K.DATE_RANGE, determined_at, **{"from": "2026-03-01", "to": "2026-03-05"}),
            event(K.FINANCIAL_LOSS_ESTIMATED, determined_at, carrier_cents="0", customers_cents="0"),
            event(K.DATA_TYPES, determined_at, types="billing, name_with_government_id"),
        ]
    return events


def item(breach_id: int, events: list[BreachEvent], regime: BreachRegime = BreachRegime.FCC_2023):
    facts = breach_facts_from(events)
    assert facts is not None
    deadlines = breach_deadlines(facts, regime=regime, calendar=CALENDAR)
    return Breach(breach_id, f"BR-{breach_id}", MARCH, "compliance"), events, deadlines


def summary_of(*items, year: int = 2026, carrier: CarrierContact = CARRIER):
    return annual_summary(year, list(items), carrier=carrier, due_on=DUE)


def test_a_small_breach_with_no_harm_likely_is_in_the_summary_of_its_year():
    summary = summary_of(item(1, timeline()))

    assert (summary.year, summary.due_on, summary.recipients) == (2026, DUE, ("FCC", "USSS", "FBI"))
    assert [entry.reference for entry in summary.entries] == ["BR-1"]
    entry = summary.entries[0]
    assert entry.determined_on == date(2026, 3, 10)
    assert entry.content.customers_affected == 120
    assert entry.content.cpni_data_types == ("billing",)
    assert entry.content.pii_data_types == ("name_with_government_id",)
    assert entry.content.harm is not None
    assert entry.content.harm.analysis == "totals only, no names"
    assert entry.missing == summary.missing == ()
    assert summary.statement.startswith("1 breach determined in 2026")


@pytest.mark.parametrize(
    ("why", "events", "regime"),
    [
        ("500 customers or more", timeline(count="500"), BreachRegime.FCC_2023),
        ("harm reasonably likely", timeline(harm="true"), BreachRegime.FCC_2023),
        ("the count recorded as unknown", timeline(count="unknown"), BreachRegime.FCC_2023),
        ("the legacy rule has no annual summary", timeline(), BreachRegime.LEGACY),
    ],
)
def test_a_breach_not_routed_to_the_summary_is_left_out(why, events, regime):
    summary = summary_of(item(1, events, regime))

    assert summary.entries == (), why


def test_a_later_assessment_of_likely_harm_takes_a_breach_out_of_the_summary():
    events = timeline()
    corrected = [
        *events,
        event(K.HARM_ASSESSMENT, MARCH, harm_reasonably_likely="true", analysis="names too"),
    ]

    assert len(summary_of(item(1, events)).entries) == 1
    assert summary_of(item(1, corrected)).entries == ()


def test_the_year_is_the_washington_date_of_the_determination():
    new_years_eve = datetime(2027, 1, 1, 4, 30, tzinfo=UTC)  # 23:30 on 31 December in Washington
    new_years_day = datetime(2027, 1, 1, 5, 30, tzinfo=UTC)
    items = [item(1, timeline(new_years_eve)), item(2, timeline(new_years_day))]

    assert [e.reference for e in summary_of(*items).entries] == ["BR-1"]
    assert summary_of(*items).entries[0].determined_on == date(2026, 12, 31)
    following = annual_summary(2027, items, carrier=CARRIER, due_on=date(2028, 2, 1))
    assert [e.reference for e in following.entries] == ["BR-2"]


def test_entries_are_in_order_of_determination():
    items = [item(1, timeline(MARCH + timedelta(days=30))), item(2, timeline(MARCH))]

    assert [e.reference for e in summary_of(*items).entries] == ["BR-2", "BR-1"]


def test_a_year_without_a_qualifying_breach_is_an_empty_summary_that_says_so():
    summary = summary_of(item(1, timeline(count="900")))

    assert summary.entries == ()
    assert "No breach determined in 2026 qualifies" in summary.statement
    assert "nothing to report for 2026" in summary.statement
    found = annual_summary_json(summary)
    assert found["entries"] == []
    assert found["statement"] == summary.statement


def test_missing_items_are_flagged_per_entry_and_gathered_with_the_carriers():
    summary = summary_of(
        item(1, timeline()),
        item(2, timeline(MARCH + timedelta(days=1), complete=False)),
        carrier=replace(CARRIER, contact_phone=""),
    )

    assert summary.entries[0].missing == ()
    assert [p.location for p in summary.entries[1].missing] == [
        "description",
        "method_of_compromise",
        "date_range",
        "financial_loss",
        "data_types",
    ]
    assert [p.location for p in summary.missing] == [
        "carrier.contact_phone",
        "entries[1].description",
        "entries[1].method_of_compromise",
        "entries[1].date_range",
        "entries[1].financial_loss",
        "entries[1].data_types",
    ]


def test_the_json_is_ready_for_an_encoder_with_citations_and_missing_items():
    summary = summary_of(item(1, timeline(complete=False)))
    found = annual_summary_json(summary)

    assert json.loads(json.dumps(found)) == found
    assert found["citation"] == "47 CFR 64.2011(a)(3) (as amended by FCC 23-111)"
    assert (found["year"], found["due_on"], found["complete"]) == (2026, "2027-02-01", False)
    entry = found["entries"][0]
    assert entry["determined_on"] == "2026-03-10"
    assert entry["required"]["customers_affected"]["value"] == {"approximate": 120, "basis": None}
    assert entry["required"]["customers_affected"]["citation"].startswith("47 CFR 64.2011(a)(1)(v)")
    assert entry["harm_assessment"]["harm_reasonably_likely"] is False
    assert found["missing"][0] == {
        "location": "entries[0].description",
        "message": summary.missing[0].message,
    }


@pytest.mark.parametrize(
    ("year", "due_on", "location"),
    [(1999, date(2000, 2, 1), "year"), (True, DUE, "year"), (2026, date(2026, 12, 31), "due_on")],
)
def test_a_bad_year_or_due_date_is_refused_saying_where(year, due_on, location):
    with pytest.raises(InvalidInputError) as raised:
        annual_summary(year, [], carrier=CARRIER, due_on=due_on)

    assert [p.location for p in raised.value.problems] == [location]


def test_the_summary_is_due_on_the_configured_day_of_the_next_year():
    assert summary_due_on(2026, (2, 1)) == date(2027, 2, 1)
    assert summary_due_on(2026, (3, 31)) == date(2027, 3, 31)


@pytest.mark.parametrize(
    ("year", "due", "locations"),
    [
        (2026, (2, 29), ["annual_summary_due"]),
        (2026, (13, 1), ["annual_summary_due"]),
        (2101, (2, 1), ["year"]),
        (1999, (2, 30), ["year", "annual_summary_due"]),
    ],
)
def test_a_due_day_not_in_every_year_or_a_year_out_of_range_is_refused(year, due, locations):
    with pytest.raises(InvalidInputError) as raised:
        summary_due_on(year, due)

    assert [p.location for p in raised.value.problems] == locations
