"""The opt-out failure letter to the FCC as a printable PDF (47 CFR 64.2009(f)).

The words come from the domain's `letter_contents`; this module only lays them out: carrier
letterhead, date, the Commission's address, the subject line, then one headed section per
element the rule requires.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from cpniguard.adapters.notify.letters import printable
from cpniguard.domain.opt_out_failures import LetterContents, OptOutFailureLetter, letter_contents

MARGIN_MM = 25
LINE_MM = 5.5
BODY_POINTS = 11


def render_letter_pdf(letter: OptOutFailureLetter) -> bytes:
    """The letter to the Commission as a US Letter PDF, ready to sign and file.

    47 CFR 64.2009(f): a written notice; an incomplete letter raises `InvalidInputError`
    from the domain before anything is drawn.
    """
    contents = letter_contents(letter)
    pdf = FPDF(format="Letter")
    pdf.set_title(printable(contents.subject))
    pdf.set_author(printable(letter.carrier_name))
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.add_page()
    _letterhead(pdf, contents)
    _heading_block(pdf, contents)
    _sections(pdf, contents)
    _lines(pdf, contents.closing)
    return bytes(pdf.output())


def _letterhead(pdf: FPDF, contents: LetterContents) -> None:
    name, *address = contents.letterhead
    pdf.set_font("helvetica", style="B", size=15)
    pdf.multi_cell(0, 8, printable(name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("helvetica", size=9)
    _lines(pdf, address, height=4.5)
    pdf.line(MARGIN_MM, pdf.get_y() + 2, pdf.w - MARGIN_MM, pdf.get_y() + 2)
    pdf.ln(10)


def _heading_block(pdf: FPDF, contents: LetterContents) -> None:
    pdf.set_font("helvetica", size=BODY_POINTS)
    _lines(pdf, [contents.dated])
    pdf.ln(LINE_MM)
    _lines(pdf, contents.addressee)
    pdf.ln(LINE_MM)
    pdf.set_font("helvetica", style="B", size=BODY_POINTS)
    _paragraph(pdf, f"Subject: {contents.subject}")
    pdf.set_font("helvetica", size=BODY_POINTS)
    _paragraph(pdf, contents.salutation)
    _paragraph(pdf, contents.introduction)


def _sections(pdf: FPDF, contents: LetterContents) -> None:
    for number, section in enumerate(contents.sections, start=1):
        pdf.set_font("helvetica", style="B", size=BODY_POINTS)
        pdf.cell(
            0, LINE_MM + 1, printable(f"{number}. {section.heading}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.set_font("helvetica", size=BODY_POINTS)
        _paragraph(pdf, section.body)


def _paragraph(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, LINE_MM, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(LINE_MM / 2)


def _lines(pdf: FPDF, lines: tuple[str, ...] | list[str], height: float = LINE_MM) -> None:
    for line in lines:
        pdf.multi_cell(0, height, printable(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
