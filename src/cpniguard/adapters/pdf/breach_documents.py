"""The breach agency report and the annual summary as printable PDFs (47 CFR 64.2011).

The domain decides the content (domain/breach_report.py, domain/breach_summary.py); this module
lays it out. An item without a value prints as a "MISSING: ..." line saying what to record, never
as a blank (RULES 8.2: missing values are flagged, not silently left empty).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from cpniguard.adapters.notify.letters import printable
from cpniguard.adapters.pdf.opt_out_failure_letter import BODY_POINTS, LINE_MM, MARGIN_MM
from cpniguard.domain.breach import BreachRegime, Hold
from cpniguard.domain.breach_report import (
    CARRIER_ITEMS,
    CITATIONS,
    ENCRYPTION_CITATION,
    HARM_CITATION,
    REQUIRED_ITEMS,
    AgencyReport,
    BreachContent,
    notice_citation,
)
from cpniguard.domain.breach_summary import SUMMARY_CITATION, AnnualSummary, SummaryEntry
from cpniguard.domain.business_days import eastern_date
from cpniguard.domain.carrier import CarrierContact
from cpniguard.domain.errors import FieldProblem

MISSING_RGB = (170, 0, 0)
SMALL_POINTS = 9
LEGACY_CONTENT_NOTE = (
    "The legacy rule prescribes no content for this notice; the items below are those 47 CFR "
    "64.2011(a)(1) as amended by FCC 23-111 lists, which the reporting facility asks for."
)


def agency_report_pdf(report: AgencyReport) -> bytes:
    """The agency report as a US Letter PDF, to file through the central reporting facility.

    47 CFR 64.2011(b) (legacy) or 64.2011(a) as amended, with the items of 64.2011(a)(1) as
    amended (RULES 8.2); each missing item is printed as a MISSING line.
    """
    title = f"CPNI breach report {report.reference}"
    pdf = _document(title, report.carrier)
    recipients = ", ".join(report.recipients)
    _paragraph(
        pdf,
        f"Notice to {recipients} through the central reporting facility under "
        f"{notice_citation(report.regime)}. Regime: {_regime_text(report.regime)}.",
    )
    if report.regime is BreachRegime.LEGACY:
        _paragraph(pdf, LEGACY_CONTENT_NOTE)
    _missing_overview(pdf, report.missing)
    missing = {problem.location: problem.message for problem in report.missing}
    _carrier_item(pdf, report.carrier, missing)
    _content_items(pdf, report.content, missing)
    _record(pdf, report)
    return bytes(pdf.output())


def annual_summary_pdf(summary: AnnualSummary) -> bytes:
    """The annual summary of small breaches as a US Letter PDF (47 CFR 64.2011(a)(3) as amended).

    An empty year prints its statement that there is nothing to report; missing items print as
    MISSING lines under their entry.
    """
    pdf = _document(f"Annual summary of small CPNI breaches, {summary.year}", summary.carrier)
    _paragraph(
        pdf,
        f"Summary to {', '.join(summary.recipients)} through the central reporting facility under "
        f"{SUMMARY_CITATION}, due {summary.due_on.isoformat()}.",
    )
    _paragraph(pdf, summary.statement)
    _missing_overview(pdf, summary.missing)
    carrier_missing = {p.location: p.message for p in summary.missing if p.location.startswith("carrier.")}
    _carrier_item(pdf, summary.carrier, carrier_missing)
    for number, entry in enumerate(summary.entries, start=1):
        _summary_entry(pdf, number, entry)
    return bytes(pdf.output())


def _document(title: str, carrier: CarrierContact) -> FPDF:
    pdf = FPDF(format="Letter")
    pdf.set_title(printable(title))
    pdf.set_author(printable(carrier.carrier_name))
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.add_page()
    pdf.set_font("helvetica", style="B", size=15)
    pdf.multi_cell(0, 8, printable(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.line(MARGIN_MM, pdf.get_y() + 2, pdf.w - MARGIN_MM, pdf.get_y() + 2)
    pdf.ln(6)
    pdf.set_font("helvetica", size=BODY_POINTS)
    return pdf


def _regime_text(regime: BreachRegime) -> str:
    if regime is BreachRegime.LEGACY:
        return "47 CFR 64.2011 before the FCC 23-111 amendments"
    return "47 CFR 64.2011 as amended by FCC 23-111"


def _missing_overview(pdf: FPDF, missing: Sequence[FieldProblem]) -> None:
    if not missing:
        return
    pdf.set_font("helvetica", style="B", size=BODY_POINTS)
    _paragraph(pdf, f"INCOMPLETE: {len(missing)} required item(s) have no value yet.")
    for problem in missing:
        _missing(pdf, f"{problem.location}: {problem.message}")
    pdf.ln(LINE_MM / 2)


def _carrier_item(pdf: FPDF, carrier: CarrierContact, missing: Mapping[str, str]) -> None:
    _heading(pdf, "carrier")
    for name, label in CARRIER_ITEMS:
        location = f"carrier.{name}"
        if location in missing:
            _missing(pdf, missing[location])
        else:
            _paragraph(pdf, f"{label.capitalize()}: {getattr(carrier, name)}", after=0)
    pdf.ln(LINE_MM / 2)


def _content_items(pdf: FPDF, content: BreachContent, missing: Mapping[str, str]) -> None:
    values = {
        "description": content.description,
        "method_of_compromise": content.method_of_compromise,
        "date_range": None
        if content.date_range is None
        else f"from {content.date_range[0].isoformat()} to {content.date_range[1].isoformat()}",
        "customers_affected": _count_text(content),
        "financial_loss": _loss_text(content),
        "data_types": _types_text(content),
    }
    for name, value in values.items():
        _heading(pdf, name)
        if value is None:
            _missing(pdf, missing.get(name, f"no {name.replace('_', ' ')} is recorded"))
            pdf.ln(LINE_MM / 2)
        else:
            _paragraph(pdf, value)


def _count_text(content: BreachContent) -> str | None:
    if content.customers_affected is None:
        return None
    basis = f" (basis: {content.customers_affected_basis})" if content.customers_affected_basis else ""
    return f"About {content.customers_affected:,} customers{basis}"


def _loss_text(content: BreachContent) -> str | None:
    loss = content.financial_loss
    if loss is None:
        return None
    basis = f" (basis: {loss.basis})" if loss.basis else ""
    carrier, customers = _dollars(loss.carrier_cents), _dollars(loss.customers_cents)
    return f"To the carrier: {carrier}; to customers: {customers}{basis}"


def _types_text(content: BreachContent) -> str | None:
    if not (content.cpni_data_types or content.pii_data_types):
        return None
    cpni = ", ".join(content.cpni_data_types) or "none"
    pii = ", ".join(content.pii_data_types) or "none"
    return f"CPNI: {cpni}. Personally identifiable information: {pii}."


def _record(pdf: FPDF, report: AgencyReport) -> None:
    content = report.content
    _section(pdf, "The breach's record", "47 CFR 64.2011(d)")
    _record_lines(pdf, content)
    legacy = report.regime is BreachRegime.LEGACY
    hold_citation = "47 CFR 64.2011(b)(3)" if legacy else "47 CFR 64.2011(a)(2) as amended"
    holds = [_hold_text(hold) for hold in content.holds] or ["none recorded"]
    _paragraph(pdf, f"Written holds ({hold_citation}): " + "; ".join(holds), after=0)
    if legacy:
        urgent = (
            "STATED: the carrier believes there is an extraordinarily urgent need to notify affected "
            "customers sooner to avoid immediate and irreparable harm, and has consulted the "
            "investigating agency"
            if report.urgent_need_stated
            else "not stated"
        )
        _paragraph(pdf, f"Urgent need to notify customers (47 CFR 64.2011(b)(2)): {urgent}", after=0)
    _paragraph(pdf, f"Affected accounts named in the record: {report.affected_accounts:,}")


def _record_lines(pdf: FPDF, content: BreachContent) -> None:
    lines = [
        f"Discovered: {_instant_text(content.discovered_at)}",
        f"Reasonably determined: {_instant_text(content.determined_at)}",
        f"Intentional (47 CFR 64.2011(e)): {_yes_no(content.intentional)}",
        f"Encryption ({ENCRYPTION_CITATION}): {_encryption_text(content)}",
        f"Harm assessment ({HARM_CITATION}): {_harm_text(content)}",
    ]
    for line in lines:
        _paragraph(pdf, line, after=0)


def _summary_entry(pdf: FPDF, number: int, entry: SummaryEntry) -> None:
    _section(pdf, f"{number}. Breach {entry.reference}, determined {entry.determined_on.isoformat()}", "")
    missing = {problem.location: problem.message for problem in entry.missing}
    _content_items(pdf, entry.content, missing)
    _record_lines(pdf, entry.content)
    pdf.ln(LINE_MM)


def _instant_text(moment: datetime | None) -> str:
    if moment is None:
        return "not recorded"
    return f"{moment.isoformat()} (in Washington, DC: {eastern_date(moment).isoformat()})"


def _yes_no(flag: bool | None) -> str:
    return "not recorded" if flag is None else ("yes" if flag else "no")


def _encryption_text(content: BreachContent) -> str:
    encryption = content.encryption
    if encryption is None:
        return "not recorded"
    only, safe = _yes_no(encryption.only_encrypted), _yes_no(encryption.key_safe)
    text = f"only encrypted data taken: {only}; key safe: {safe}"
    return text + (f" (evidence: {encryption.evidence})" if encryption.evidence else "")


def _harm_text(content: BreachContent) -> str:
    harm = content.harm
    if harm is None:
        return "not recorded (harm is presumed reasonably likely)"
    conclusion = "harm reasonably likely" if harm.harm_reasonably_likely else "no harm reasonably likely"
    return f"{conclusion}, by {harm.assessed_by} at {harm.assessed_at.isoformat()}: {harm.analysis}"


def _hold_text(hold: Hold) -> str:
    text = f"{hold.agency} {hold.written_reference} from {hold.starts_on} to {hold.ends_on}"
    for extension in hold.extensions:
        text += f", extended by {extension.written_reference} to {extension.ends_on}"
    if hold.released_on is not None:
        text += f", released on {hold.released_on}"
    return text


def _dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def _heading(pdf: FPDF, name: str) -> None:
    label, paragraph = REQUIRED_ITEMS[name]
    _section(pdf, f"{paragraph} {label}", CITATIONS[name])


def _section(pdf: FPDF, heading: str, citation: str) -> None:
    pdf.set_font("helvetica", style="B", size=BODY_POINTS)
    pdf.multi_cell(0, LINE_MM + 1, printable(heading), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if citation:
        pdf.set_font("helvetica", style="I", size=SMALL_POINTS)
        pdf.multi_cell(0, LINE_MM - 1, printable(citation), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("helvetica", size=BODY_POINTS)


def _missing(pdf: FPDF, message: str) -> None:
    pdf.set_text_color(*MISSING_RGB)
    pdf.set_font("helvetica", style="B", size=BODY_POINTS)
    pdf.multi_cell(0, LINE_MM, printable(f"MISSING: {message}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("helvetica", size=BODY_POINTS)
    pdf.set_text_color(0, 0, 0)


def _paragraph(pdf: FPDF, text: str, *, after: float = LINE_MM / 2) -> None:
    pdf.multi_cell(0, LINE_MM, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(after)
