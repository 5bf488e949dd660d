"""47 CFR 64.2011: what a customer breach notice says (RULES 8.6) and when customers may be told
(legacy (a), (b)(1)-(3); as amended by FCC 23-111: (a), (a)(2), (a)(3); RULES 7.1-7.6, 8.5)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cpniguard.adapters.notify.templates import JinjaMessageRenderer
from cpniguard.domain.accounts import Language
from cpniguard.domain.breach import BreachRegime, Deadline
from cpniguard.domain.breach_customer_notice import (
    BREACH_NOTICE_EMAIL_TEMPLATE,
    BREACH_NOTICE_LETTER_TEMPLATE,
    CREDIT_REPORTING_AGENCIES,
    DATA_TYPE_DESCRIPTIONS,
    FCC,
    FTC,
    IDENTITY_THEFT_DATA_TYPES,
    customer_notice_content,
    customer_notice_fields,
    customer_notice_gaps,
    customer_notice_problems,
    customer_notice_refusal,
)
from cpniguard.domain.breach_deadlines import breach_deadlines
from cpniguard.domain.breach_timeline import (
    CPNI_DATA_TYPES,
    DATA_TYPES,
    BreachEvent,
    BreachEventKind,
    breach_facts_from,
)
from cpniguard.domain.business_days import BusinessCalendar
from cpniguard.domain.carrier import CarrierContact
from cpniguard.domain.errors import InvalidInputError
from cpniguard.domain.notices import MESSAGE_FIELDS

pytestmark = pytest.mark.unit

K = BreachEventKind
CLOSED_DAYS = {
    date(2026, 11, 11),
    date(2026, 11, 26),  # Thanksgiving
    date(2026, 12, 25),
    date(2027, 1, 1),
    date(2027, 1, 18),
    date(2027, 2, 15),
}
CALENDAR = BusinessCalendar(frozenset(CLOSED_DAYS), 2026, 2027)
DISCOVERY = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
DETERMINATION = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
"""Monday, the week of Thanksgiving."""
AGENCY_NOTICE = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
"""Tuesday: 7 full business days after it (Thanksgiving skipped) end Friday 2026-12-04."""
WAIT_ENDS = date(2026, 12, 4)
CARRIER = CarrierContact(
    "Example Carrier",
    "1 Example Street, Springfield, IL 62701",
    "Privacy Office",
    "privacy@example-carrier.test",
    "1-800-555-0100",
)
STATE = "Illinois Commerce Commission: 1-800-524-0795"
OFFER = "Two years of free credit monitoring by ExampleWatch: enroll at https://watch.example with code BR17."
OFFERED = "What we offer to help protect your credit:"
NONE_OFFERED = "We do not offer credit monitoring, credit reporting or credit freeze services for this breach"


def event(kind: BreachEventKind, at: datetime = AGENCY_NOTICE, **details: str) -> BreachEvent:
    return BreachEvent(kind, at, at, "compliance", details=details)


def facts_events(*more: BreachEvent) -> list[BreachEvent]:
    return [
        event(K.DISCOVERED, DISCOVERY, how="SOC alert"),
        event(K.DETERMINED, DETERMINATION, basis="a revoked token was used"),
        *more,
    ]


def content_events(types: str = "call_detail, location", **date_range: str) -> list[BreachEvent]:
    return [
        event(K.DATE_RANGE, **({"from": "2026-10-01", "to": "2026-10-14"} | date_range)),
        event(K.DATA_TYPES, types=types),
    ]


def agency(agencies: str = "USSS,FBI", at: datetime = AGENCY_NOTICE, **more: str) -> BreachEvent:
    return event(K.AGENCY_NOTIFIED, at, agencies=agencies, reference="CRF-2026-1", **more)


def hold(ends_on: str = "2026-12-10", **more: str) -> BreachEvent:
    details = {"agency": "FBI", "written_reference": "FBI-77", "starts_on": "2026-11-24", "ends_on": ends_on}
    return event(K.HOLD_STARTED, **details, **more)


def refusal(events: list[BreachEvent], today: date, regime: BreachRegime = BreachRegime.LEGACY):
    facts = breach_facts_from(events)
    assert facts is not None
    deadlines = breach_deadlines(facts, regime=regime, calendar=CALENDAR)
    return customer_notice_refusal(deadlines, events=events, regime=regime, today=today)


def content(types: str = "call_detail, location", state: str = STATE, offer: str = ""):
    return customer_notice_content(
        content_events(types), carrier=CARRIER, state_regulator_contact=state, credit_monitoring_offer=offer
    )


# ---------------------------------------------------------------- content (RULES 8.6)


def test_the_content_gives_the_date_range_and_the_data_types_in_words():
    found = content("call_detail, location, call_detail")
    assert (found.breach_from, found.breach_to) == (date(2026, 10, 1), date(2026, 10, 14))
    assert found.data_types == ("call_detail", "location")
    assert found.described == (
        DATA_TYPE_DESCRIPTIONS["call_detail"],
        "the location of your device while it was in use",
    )
    assert found.regulators == (FCC, FTC)
    assert found.carrier == CARRIER
    assert found.state_regulator_contact == STATE


def test_the_latest_date_range_and_data_types_recorded_count():
    events = [*content_events(), *content_events("billing", to="2026-10-20")]
    found = customer_notice_content(
        events, carrier=CARRIER, state_regulator_contact="", credit_monitoring_offer=""
    )
    assert (found.breach_to, found.data_types) == (date(2026, 10, 20), ("billing",))


def test_every_data_type_the_timeline_knows_is_described():
    assert set(DATA_TYPE_DESCRIPTIONS) == DATA_TYPES


@pytest.mark.parametrize("risky", sorted(IDENTITY_THEFT_DATA_TYPES))
def test_pii_that_risks_identity_theft_brings_the_credit_reporting_agencies(risky):
    found = content(f"call_detail, {risky}")
    assert found.identity_theft_risk
    assert [a.name for a in found.credit_reporting_agencies] == ["Equifax", "Experian", "TransUnion"]


@pytest.mark.parametrize("types", [*sorted(CPNI_DATA_TYPES), "other_pii", ",".join(sorted(CPNI_DATA_TYPES))])
def test_cpni_alone_brings_no_credit_reporting_agencies(types):
    found = content(types, offer=OFFER)
    assert not found.identity_theft_risk
    assert found.credit_reporting_agencies == ()
    assert customer_notice_fields(found)["credit_reporting_agencies"] == ""
    assert customer_notice_fields(found)["credit_monitoring_offer"] == ""


@pytest.mark.parametrize("offer", [OFFER, f"  {OFFER}\n"])
def test_identity_theft_risk_brings_the_carriers_credit_monitoring_offer(offer):
    found = content("billing, financial_account", offer=offer)
    assert found.credit_monitoring_offer == OFFER
    assert customer_notice_fields(found)["credit_monitoring_offer"] == OFFER


@pytest.mark.parametrize(
    ("types", "steps"),
    [
        ("call_detail, billing", ("account_security", "phishing")),
        ("account_information", ("account_security", "number_lock", "phishing")),
        ("location", ("location", "phishing")),
        ("username_with_password, financial_account", ("passwords", "financial_accounts", "phishing")),
        ("name_with_government_id, biometric", ("government_id", "biometric", "phishing")),
        ("other_pii", ("phishing",)),
    ],
)
def test_the_other_steps_follow_the_data_types_exposed(types, steps):
    assert content(types).steps == steps


@pytest.mark.parametrize(
    ("events", "locations"),
    [
        ([], ["timeline.date_range", "timeline.data_types"]),
        ([event(K.DATA_TYPES, types="billing")], ["timeline.date_range"]),
        ([event(K.DATE_RANGE, **{"from": "2026-10-01", "to": "2026-10-01"})], ["timeline.data_types"]),
    ],
)
def test_a_notice_missing_the_date_range_or_the_data_types_is_refused(events, locations):
    assert [p.location for p in customer_notice_problems(events)] == locations
    assert all("64.2011" in p.message for p in customer_notice_problems(events))
    with pytest.raises(InvalidInputError) as refused:
        customer_notice_content(
            events, carrier=CARRIER, state_regulator_contact=STATE, credit_monitoring_offer=OFFER
        )
    assert [p.location for p in refused.value.problems] == locations


@pytest.mark.parametrize("blank", ["", "  \n "])
def test_a_blank_state_regulator_is_a_gap_to_configure_not_a_refusal(blank):
    found = content(state=blank)

    assert found.state_regulator_contact == ""
    gaps = customer_notice_gaps(found)
    assert [gap.location for gap in gaps] == ["state_regulator_contact"]
    assert "64.2011(b)" in gaps[0].message
    assert "RULES 8.6 (iv)" in gaps[0].message


def test_a_configured_state_regulator_leaves_no_gap():
    assert customer_notice_gaps(content(state=STATE)) == []


# ---------------------------------------------------------------- the templates, EN and FR


@pytest.mark.parametrize("template", [BREACH_NOTICE_EMAIL_TEMPLATE, BREACH_NOTICE_LETTER_TEMPLATE])
def test_the_fields_are_those_the_templates_declare(template):
    assert set(customer_notice_fields(content())) == MESSAGE_FIELDS[template]


@pytest.mark.parametrize("template", [BREACH_NOTICE_EMAIL_TEMPLATE, BREACH_NOTICE_LETTER_TEMPLATE])
@pytest.mark.parametrize("language", list(Language))
def test_every_data_type_and_step_renders_with_every_text_translated(template, language):
    renderer = JinjaMessageRenderer()
    every_type = ", ".join(sorted(DATA_TYPES))
    variants = (content(every_type), content(every_type, offer=OFFER), content("billing", state=""))
    for found in variants:
        rendered = renderer.render(template, language, customer_notice_fields(found))
        assert rendered.subject
        assert "Example Carrier" in rendered.body
    assert renderer.untranslated() == {}


def test_the_english_notice_describes_each_data_type_in_the_domains_words_and_gives_every_contact():
    body = (
        JinjaMessageRenderer()
        .render(
            BREACH_NOTICE_EMAIL_TEMPLATE,
            Language.EN,
            customer_notice_fields(content(",".join(sorted(DATA_TYPES)))),
        )
        .body
    )
    for description in DATA_TYPE_DESCRIPTIONS.values():
        assert f"- {description}\n" in body
    assert "When it happened: between October 1, 2026 and October 14, 2026." in body
    for contact in (FCC, FTC, *CREDIT_REPORTING_AGENCIES):
        assert contact.line() in body
    assert f"Your state regulator: {STATE}" in body
    assert "privacy@example-carrier.test" in body


def test_a_notice_without_identity_theft_risk_or_state_regulator_leaves_those_parts_out():
    body = (
        JinjaMessageRenderer()
        .render(
            BREACH_NOTICE_LETTER_TEMPLATE, Language.EN, customer_notice_fields(content("billing", state=""))
        )
        .body
    )
    assert "Equifax" not in body
    assert "steal your identity" not in body
    assert "state regulator" not in body
    assert FCC.line() in body


@pytest.mark.parametrize("template", [BREACH_NOTICE_EMAIL_TEMPLATE, BREACH_NOTICE_LETTER_TEMPLATE])
def test_a_notice_at_risk_of_identity_theft_gives_the_credit_monitoring_offer_in_either_language(template):
    fields = customer_notice_fields(content("name_with_government_id", offer=OFFER))
    english = JinjaMessageRenderer().render(template, Language.EN, fields).body
    french = JinjaMessageRenderer().render(template, Language.FR, fields).body

    assert f"{OFFERED}\n{OFFER}\n" in english
    assert NONE_OFFERED not in english
    assert f"Ce que nous vous offrons pour protéger votre crédit :\n{OFFER}\n" in french


def test_a_notice_at_risk_without_an_offer_says_none_is_offered_beyond_the_free_steps():
    fields = customer_notice_fields(content("username_with_password", offer=""))
    english = JinjaMessageRenderer().render(BREACH_NOTICE_EMAIL_TEMPLATE, Language.EN, fields).body
    french = JinjaMessageRenderer().render(BREACH_NOTICE_LETTER_TEMPLATE, Language.FR, fields).body

    assert f"{NONE_OFFERED}, beyond the free steps above that you can take yourself." in english
    assert OFFERED not in english
    assert "Nous n'offrons aucun service de surveillance du crédit" in french


def test_a_notice_without_identity_theft_risk_says_nothing_of_credit_monitoring():
    fields = customer_notice_fields(content("call_detail, billing", offer=OFFER))
    body = JinjaMessageRenderer().render(BREACH_NOTICE_EMAIL_TEMPLATE, Language.EN, fields).body

    assert OFFER not in body
    assert OFFERED not in body
    assert NONE_OFFERED not in body


def test_the_french_notice_is_in_french_with_french_dates():
    found = customer_notice_content(
        content_events("call_detail, financial_account", to="2026-10-01"),
        carrier=CARRIER,
        state_regulator_contact=STATE,
        credit_monitoring_offer="",
    )
    english = JinjaMessageRenderer().render(
        BREACH_NOTICE_EMAIL_TEMPLATE, Language.EN, customer_notice_fields(found)
    )
    french = JinjaMessageRenderer().render(
        BREACH_NOTICE_EMAIL_TEMPLATE, Language.FR, customer_notice_fields(found)
    )
    assert "Date de l'incident : le 1er octobre 2026." in french.body
    assert "When it happened: on October 1, 2026." in english.body
    assert french.subject == "Important : atteinte à la sécurité de vos renseignements de client"
    english_lines = [line for line in english.body.splitlines() if len(line.split()) > 3]
    french_lines = set(french.body.splitlines())
    shared = [line for line in english_lines if line in french_lines]
    assert all(
        line.startswith(("Equifax", "Experian", "TransUnion", "Federal", "1 Example")) for line in shared
    )


def test_a_date_range_within_one_month_writes_each_day():
    found = customer_notice_content(
        content_events(**{"from": "2026-02-01", "to": "2026-02-28"}),
        carrier=CARRIER,
        state_regulator_contact="",
        credit_monitoring_offer="",
    )
    fields = customer_notice_fields(found)
    french = JinjaMessageRenderer().render(BREACH_NOTICE_LETTER_TEMPLATE, Language.FR, fields).body
    assert "entre le 1er février 2026 et le 28 février 2026" in french


# ---------------------------------------------------------------- legacy timing (64.2011(a), (b))


def test_legacy_customers_are_not_told_before_the_agency_notice_is_recorded():
    problem = refusal(facts_events(), date(2027, 1, 4))
    assert problem is not None
    assert problem.location == "timeline.agency_notified"
    assert "USSS, FBI" in problem.message
    assert "64.2011(a), (b)(1)" in problem.message


def test_a_notice_to_one_agency_alone_is_not_the_law_enforcement_notice():
    problem = refusal(facts_events(agency("FBI")), date(2027, 1, 4))
    assert problem is not None
    assert problem.location == "timeline.agency_notified"
    assert "to USSS through" in problem.message


@pytest.mark.parametrize(
    ("today", "refused"),
    [
        (AGENCY_NOTICE.date(), True),
        (WAIT_ENDS - timedelta(days=1), True),
        (WAIT_ENDS, True),
        (WAIT_ENDS + timedelta(days=1), False),
        (date(2027, 1, 4), False),
    ],
)
def test_legacy_customers_wait_7_full_business_days_after_the_agency_notice(today, refused):
    problem = refusal(facts_events(agency()), today)
    assert (problem is not None) is refused
    if problem is not None:
        assert problem.location == "customer_notice_earliest"
        assert "2026-12-05" in problem.message
        assert "64.2011(b)(1)" in problem.message


def test_the_urgent_need_lets_legacy_customers_be_told_the_day_of_the_agency_notice():
    events = facts_events(agency(urgent_need_consulted="true"))
    assert refusal(events, AGENCY_NOTICE.date()) is None


def test_the_urgent_need_still_waits_for_the_agency_notice():
    assert refusal(facts_events(), AGENCY_NOTICE.date()) is not None


@pytest.mark.parametrize("regime", list(BreachRegime))
def test_a_hold_in_force_refuses_under_both_regimes_through_its_last_day(regime):
    events = facts_events(
        event(K.CUSTOMERS_AFFECTED, count="3000"),
        agency("FCC,USSS,FBI", urgent_need_consulted="true"),
        hold("2026-12-10"),
    )
    problem = refusal(events, date(2026, 12, 10), regime)
    assert problem is not None
    assert problem.location == "holds"
    assert "through 2026-12-10" in problem.message
    citation = "64.2011(b)(3)" if regime is BreachRegime.LEGACY else "64.2011(a)(2) as amended"
    assert citation in problem.message
    assert refusal(events, date(2026, 12, 11), regime) is None


def test_an_extended_hold_refuses_until_its_extension_ends_and_a_release_ends_it_early():
    extended = event(K.HOLD_EXTENDED, hold="FBI-77", written_reference="FBI-78", ends_on="2027-01-08")
    events = facts_events(agency(urgent_need_consulted="true"), hold(), extended)
    assert refusal(events, date(2027, 1, 8)) is not None
    released = event(K.HOLD_RELEASED, hold="FBI-77", written_reference="FBI-79", released_on="2026-12-01")
    assert refusal([*events, released], date(2026, 12, 1)) is None


def test_a_hold_refuses_before_the_missing_agency_notice_is_named():
    problem = refusal(facts_events(hold()), date(2026, 12, 1))
    assert problem is not None
    assert problem.location == "holds"


# ---------------------------------------------------------------- 2023 timing (as amended)

LARGE = event(K.CUSTOMERS_AFFECTED, count="3000")
SMALL_WITHOUT_HARM = (
    event(K.CUSTOMERS_AFFECTED, count="12"),
    event(K.HARM_ASSESSMENT, harm_reasonably_likely="false", analysis="hashed data, no key taken"),
)


def test_2023_customers_are_told_after_the_fcc_usss_and_fbi_notice():
    problem = refusal(facts_events(LARGE), DETERMINATION.date(), BreachRegime.FCC_2023)
    assert problem is not None
    assert problem.location == "timeline.agency_notified"
    assert "FCC, USSS, FBI" in problem.message
    assert "as amended by FCC 23-111" in problem.message
    legacy_notice = refusal(
        facts_events(LARGE, agency("USSS,FBI")), AGENCY_NOTICE.date(), BreachRegime.FCC_2023
    )
    assert legacy_notice is not None
    assert "to FCC through" in legacy_notice.message


def test_2023_has_no_wait_after_the_agency_notice():
    events = facts_events(LARGE, agency("FCC,USSS,FBI"))
    assert refusal(events, AGENCY_NOTICE.date(), BreachRegime.FCC_2023) is None


def test_a_2023_breach_for_the_annual_summary_needs_no_agency_notice_before_customers():
    events = facts_events(*SMALL_WITHOUT_HARM)
    assert refusal(events, DETERMINATION.date(), BreachRegime.FCC_2023) is None
    assert refusal(events, DETERMINATION.date(), BreachRegime.LEGACY) is not None


def test_deadlines_without_an_agency_notice_deadline_still_need_the_agency_notice():
    earliest = Deadline(
        "customer_notice_earliest", None, None, required=True, recipients=(), explanation="", citation=""
    )
    problem = customer_notice_refusal(
        [earliest], events=[], regime=BreachRegime.FCC_2023, today=date(2026, 12, 1)
    )
    assert problem is not None
    assert "FCC, USSS, FBI" in problem.message
