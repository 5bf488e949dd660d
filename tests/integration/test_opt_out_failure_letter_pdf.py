"""The 47 CFR 64.2009(f) letter renders to a PDF that reads back with every required element."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from cpniguard.adapters.pdf.opt_out_failure_letter import render_letter_pdf
from cpniguard.domain.errors import InvalidInputError
from cpniguard.domain.opt_out_failures import OptOutFailureLetter

pytestmark = pytest.mark.integration

LETTER = OptOutFailureLetter(
    carrier_name="Prairie Example Telephone Co.",
    carrier_address="100 Example Way\nSpringfield, IL 62701",
    mechanisms=("Toll-free number 1-800-555-0199", "Email to optout@prairie.example", "Web form"),
    failed_mechanisms=("Toll-free number 1-800-555-0199", "Web form"),
    problem="The IVR dropped every opt-out call from November 17 to November 19, 2026.",
    remedy="A second IVR provider now answers the toll-free number.",
    remedy_date=date(2026, 12, 4),
    state_commissions="The Illinois Commerce Commission was told on November 20, 2026; it took no action.",
    customer_notice=None,
    contact_name="Dana Example",
    contact_email="compliance@prairie.example",
    contact_phone="+1 217 555 0100",
    determined_on=date(2026, 11, 19),
    due_on=date(2026, 11, 27),
    letter_date=date(2026, 11, 23),
)


def read_back(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture(scope="module")
def letter_text_read_back():
    return read_back(render_letter_pdf(LETTER))


def test_the_letter_is_a_pdf_titled_with_its_subject():
    reader = PdfReader(io.BytesIO(render_letter_pdf(LETTER)))

    assert reader.metadata is not None
    assert reader.metadata.title == "Notice of opt-out mechanism failure under 47 C.F.R. § 64.2009(f)"
    assert reader.metadata.author == "Prairie Example Telephone Co."


@pytest.mark.parametrize(
    "element",
    [
        "Prairie Example Telephone Co. 100 Example Way Springfield, IL 62701 November 23, 2026",
        "Federal Communications Commission Office of the Secretary 45 L Street NE Washington, DC 20554",
        "Subject: Notice of opt-out mechanism failure under 47 C.F.R. § 64.2009(f)",
        "1. Carrier Prairie Example Telephone Co., 100 Example Way, Springfield, IL 62701",
        "- Toll-free number 1-800-555-0199 (failed) - Email to optout@prairie.example - Web form (failed)",
        "3. The problem The IVR dropped every opt-out call from November 17 to November 19, 2026.",
        "A second IVR provider now answers the toll-free number.",
        "The remedy will be put in place by December 4, 2026.",
        "5. State commissions The Illinois Commerce Commission was told on November 20, 2026;",
        "6. Notice to customers No notice was given to customers about this failure.",
        "7. Contact Dana Example Email: compliance@prairie.example Telephone: +1 217 555 0100",
        "more than an anomaly",
        "within 5 business days of that determination, by November 27, 2026",
        "It is sent even though other opt-out methods may have worked.",
        "Respectfully submitted, Dana Example on behalf of Prairie Example Telephone Co.",
    ],
)
def test_the_pdf_reads_back_with_every_element_the_rule_requires(letter_text_read_back, element):
    assert element in letter_text_read_back


def test_a_long_customer_notice_flows_onto_further_pages_whole():
    notice = " ".join(f"Paragraph {number} of the notice to customers." for number in range(400))

    pdf = render_letter_pdf(replace(LETTER, customer_notice=notice))

    assert len(PdfReader(io.BytesIO(pdf)).pages) > 1
    assert "Paragraph 399 of the notice to customers." in read_back(pdf)


def test_typographic_characters_are_spelled_plainly_in_the_core_font():
    letter = replace(LETTER, problem="The \u201cpress 3\u201d prompt \u2014 the opt-out one \u2014 hung up.")

    assert 'The "press 3" prompt - the opt-out one - hung up.' in read_back(render_letter_pdf(letter))


def test_an_incomplete_letter_is_refused_before_anything_is_drawn():
    with pytest.raises(InvalidInputError, match="letter is incomplete") as raised:
        render_letter_pdf(replace(LETTER, remedy_date=None, contact_phone=""))

    assert [problem.location for problem in raised.value.problems] == ["contact_phone", "remedy_date"]
