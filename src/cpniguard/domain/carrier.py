"""Who the carrier is, as its letters and reports to the FCC and law enforcement name it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CarrierContact:
    """The carrier's name and address, and whom to contact there (settings).

    64.2009(f) letters and 64.2011(a)(1)(i) agency notices (as amended) carry the carrier's
    address and contact information; customer breach notices say how to reach the carrier.
    """

    carrier_name: str
    carrier_address: str
    contact_name: str
    contact_email: str
    contact_phone: str
