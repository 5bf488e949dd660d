"""Letters to the postal address of record, rendered to PDF into a print queue (issue 4).

A letter is "sent" once its PDF is in the print-queue folder; the message keeps the file's
name as its reference. The file is named after the idempotency key, so a repeat after a
crash replaces the same letter instead of printing a second one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from cpniguard.domain.outbox import DeliveryFailedError
from cpniguard.services.ports import ClaimedMessage

PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
"""Letters name a customer and their address of record: only cpniguard's account reads them."""
_SUBSTITUTES = str.maketrans(
    {
        "\u0153": "oe",
        "\u0152": "OE",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u202f": " ",
    }
)


def printable(text: str) -> str:
    """`text` in the PDF core fonts' Latin-1, with typographic characters spelled plainly."""
    return text.translate(_SUBSTITUTES).encode("latin-1", errors="replace").decode("latin-1")


def letter_file_name(idempotency_key: str) -> str:
    """The print-queue file of a message: the same for every attempt."""
    return f"letter-{hashlib.sha256(idempotency_key.encode('utf-8')).hexdigest()[:32]}.pdf"


def render_letter(message: ClaimedMessage) -> bytes:
    """The letter as PDF: the address block, the title, the text."""
    pdf = FPDF(format="Letter")
    pdf.set_margins(25, 25, 25)
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for line in message.recipient.replace(",", "\n").splitlines():
        pdf.cell(0, 6, printable(line.strip()), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(12)
    if message.subject:
        pdf.set_font("helvetica", style="B", size=13)
        pdf.multi_cell(0, 7, printable(message.subject), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(4)
        pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, printable(message.body), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


class PrintQueue:
    """MessageSender for letters: a PDF per message in the print-queue folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: ClaimedMessage) -> str:
        """Write the letter's PDF to the print queue; return its file name."""
        name = letter_file_name(message.idempotency_key)
        try:
            self.folder.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
            self._write(self.folder / name, render_letter(message))
        except OSError as error:
            raise DeliveryFailedError(f"print queue {self.folder} not writable: {error.strerror}") from error
        return name

    def _write(self, path: Path, content: bytes) -> None:
        # Written whole then renamed: the printer never picks up half a letter.
        descriptor, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
        try:
            with os.fdopen(descriptor, "wb") as part:
                part.write(content)
            Path(temporary).chmod(PRIVATE_FILE_MODE)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
