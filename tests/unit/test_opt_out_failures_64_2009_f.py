"""47 CFR 64.2009(f): an opt-out failure that is more than an anomaly is reported to the FCC by letter."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cpniguard.domain.errors import InvalidInputError
from cpniguard.domain.opt_out_failures import (
    OPT_OUT_FAILURE_REPORT_BUSINESS_DAYS,
    OptOutFailureLetter,
    is_channel_failing,
    letter_problems,
    letter_text,
)

pytestmark = pytest.mark.unit

LETTER = OptOutFailureLetter(
    carrier_name="Prairie Example Telephone Co.",
    carrier_address="100 Example Way\nSpringfield, IL 62701",
    mechanisms=(
        "Toll-free number 1-800-555-0199",
        "Email to optout@prairie.example",
        "Web form",
    ),
    failed_mechanisms=("Toll-free number 1-800-555-0199",),
    problem="The IVR dropped every opt-out call from November 17 to November 19, 2026.",
    remedy="A second IVR provider now answers the toll-free number.",
    remedy_date=date(2026, 11, 20),
    state_commissions="The Illinois Commerce Commission was told on November 20, 2026; it took no action.",
    customer_notice="Our opt-out line was down from November 17 to 19. Please call again to opt out.",
    contact_name="Dana Example",
    contact_email="compliance@prairie.example",
    contact_phone="+1 217 555 0100",
    determined_on=date(2026, 11, 19),
    due_on=date(2026, 11, 27),
    letter_date=date(2026, 11, 23),
)


def test_the_report_is_due_within_5_business_days():
    assert OPT_OUT_FAILURE_REPORT_BUSINESS_DAYS == 5


@pytest.mark.parametrize(
    ("outcomes", "threshold", "failing"),
    [
        ([], 1, False),
        ([False], 1, True),
        ([True], 1, False),
        ([False, False], 3, False),
        ([False, False, False], 3, True),
        ([False, False, False, True], 3, True),
        ([True, False, False, False], 3, False),
        ([False, True, False, False], 3, False),
        ([False, False, True], 3, False),
        ((False,) * 10, 10, True),
    ],
)
def test_a_channel_fails_when_its_newest_probes_all_failed(outcomes, threshold, failing):
    assert is_channel_failing(outcomes, threshold=threshold) is failing


@pytest.mark.parametrize("threshold", [0, -2])
def test_a_threshold_below_one_probe_is_refused(threshold):
    with pytest.raises(InvalidInputError, match="at least 1 failed probe") as raised:
        is_channel_failing([False], threshold=threshold)

    assert raised.value.problems[0].location == "threshold"


def test_a_complete_letter_has_no_problems():
    assert letter_problems(LETTER) == []


def test_a_letter_without_a_customer_notice_may_be_sent_and_says_none_was_given():
    letter = replace(LETTER, customer_notice=None)

    assert letter_problems(letter) == []
    assert "No notice was given to customers about this failure." in letter_text(letter)


@pytest.mark.parametrize(
    ("field", "value", "location"),
    [
        ("carrier_name", "  ", "carrier_name"),
        ("mechanisms", (), "mechanisms"),
        ("failed_mechanisms", (), "failed_mechanisms"),
        ("problem", "", "problem"),
        ("remedy", None, "remedy"),
        ("remedy", " ", "remedy"),
        ("remedy_date", None, "remedy_date"),
        ("state_commissions", None, "state_commissions"),
        ("state_commissions", "\n", "state_commissions"),
        ("customer_notice", "  ", "customer_notice"),
        ("contact_name", "", "contact_name"),
        ("contact_email", "", "contact_email"),
        ("contact_phone", "", "contact_phone"),
        ("due_on", date(2026, 11, 19), "due_on"),
        ("letter_date", date(2026, 11, 18), "letter_date"),
    ],
)
def test_each_missing_element_is_a_problem_named_by_its_field(field, value, location):
    letter = replace(LETTER, **{field: value})

    problems = letter_problems(letter)

    assert [problem.location for problem in problems] == [location]
    with pytest.raises(InvalidInputError, match="letter is incomplete") as raised:
        letter_text(letter)
    assert raised.value.problems == tuple(problems)


def test_blank_mechanisms_are_named_by_position():
    letter = replace(LETTER, mechanisms=("Web form", " "), failed_mechanisms=("Web form", ""))

    assert [problem.location for problem in letter_problems(letter)] == [
        "mechanisms[1]",
        "failed_mechanisms[1]",
    ]


def test_a_failed_mechanism_the_carrier_does_not_offer_is_a_problem():
    letter = replace(LETTER, failed_mechanisms=("Carrier pigeon",))

    [problem] = letter_problems(letter)

    assert (problem.location, problem.message) == (
        "failed_mechanisms",
        "'Carrier pigeon' is not among the mechanisms offered",
    )


def test_an_empty_letter_lists_every_missing_element_at_once():
    empty = replace(
        LETTER,
        carrier_name="",
        mechanisms=(),
        failed_mechanisms=(),
        problem="",
        remedy=None,
        remedy_date=None,
        state_commissions=None,
        contact_name="",
        contact_email="",
        contact_phone="",
    )

    assert {problem.location for problem in letter_problems(empty)} == {
        "carrier_name",
        "mechanisms",
        "failed_mechanisms",
        "problem",
        "remedy",
        "remedy_date",
        "state_commissions",
        "contact_name",
        "contact_email",
        "contact_phone",
    }


def test_the_letter_is_addressed_to_the_secretary_of_the_fcc_under_the_rule():
    text = letter_text(LETTER)

    assert text.startswith(
        "Prairie Example Telephone Co.\n100 Example Way\nSpringfield, IL 62701\n\nNovember 23, 2026\n"
    )
    assert (
        "Federal Communications Commission\nOffice of the Secretary\n45 L Street NE\nWashington, DC 20554"
        in text
    )
    assert "Subject: Notice of opt-out mechanism failure under 47 C.F.R. § 64.2009(f)" in text


@pytest.mark.parametrize(
    "element",
    [
        "Prairie Example Telephone Co., 100 Example Way, Springfield, IL 62701",
        "- Toll-free number 1-800-555-0199 (failed)\n- Email to optout@prairie.example\n- Web form",
        "The IVR dropped every opt-out call from November 17 to November 19, 2026.",
        "A second IVR provider now answers the toll-free number.",
        "The remedy was put in place on November 20, 2026.",
        "The Illinois Commerce Commission was told on November 20, 2026; it took no action.",
        "A copy of the notice given to customers follows.\n\nOur opt-out line was down from November 17",
        "Dana Example\nEmail: compliance@prairie.example\nTelephone: +1 217 555 0100",
        "on November 19, 2026 it determined that its opt-out mechanisms did not work properly",
        "more than an anomaly",
        "within 5 business days of that determination, by November 27, 2026",
        "It is sent even though other opt-out methods may have worked.",
    ],
)
def test_the_letter_states_every_element_the_rule_requires(element):
    assert element in letter_text(LETTER)


def test_the_letter_has_a_section_per_required_element_in_the_rules_order():
    text = letter_text(LETTER)
    headings = [
        "\n\nCarrier\n\n",
        "\n\nOpt-out mechanisms\n\n",
        "\n\nThe problem\n\n",
        "\n\nProposed remedy\n\n",
        "\n\nState commissions\n\n",
        "\n\nNotice to customers\n\n",
        "\n\nContact\n\n",
    ]

    positions = [text.index(heading) for heading in headings]

    assert positions == sorted(positions)


def test_a_remedy_still_to_come_is_said_in_the_future():
    letter = replace(LETTER, remedy_date=date(2026, 12, 4))

    assert "The remedy will be put in place by December 4, 2026." in letter_text(letter)
