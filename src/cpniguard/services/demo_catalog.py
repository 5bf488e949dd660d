"""What the demo carrier is made of: places, names, numbers and products, all synthetic.

Telephone numbers come from the fictional NANP range NPA-555-0100..0199 and from the
ranges regulators reserve for drama abroad; email domains are the reserved example.*
(RFC 2606). Names are common given names and surnames drawn at random.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from typing import NamedTuple, TypeVar

from cpniguard.domain.accounts import Language, ServiceCategory
from cpniguard.domain.employees import Role

T = TypeVar("T")

LOCAL, INTEREXCHANGE, WIRELESS, VOIP, INTERNATIONAL = (
    ServiceCategory.LOCAL,
    ServiceCategory.INTEREXCHANGE,
    ServiceCategory.WIRELESS,
    ServiceCategory.INTERCONNECTED_VOIP,
    ServiceCategory.INTERNATIONAL,
)
ACCESS_CATEGORIES = (LOCAL, WIRELESS, VOIP)
"""Categories whose numbers place and receive calls; the others ride on one of their lines."""


class Region(NamedTuple):
    """Where a customer lives: the address and the area codes of its numbers."""

    city: str
    state: str
    zip_code: str
    area_codes: tuple[str, ...]


ENGLISH_REGIONS = (
    Region("New York", "NY", "10001", ("212", "646", "332", "917")),
    Region("Chicago", "IL", "60601", ("312", "872", "773")),
    Region("San Francisco", "CA", "94102", ("415", "628")),
    Region("Boston", "MA", "02108", ("617", "857")),
    Region("Denver", "CO", "80202", ("303", "720")),
    Region("Atlanta", "GA", "30303", ("404", "470", "678")),
    Region("Austin", "TX", "78701", ("512", "737")),
    Region("Seattle", "WA", "98101", ("206", "564")),
)
FRENCH_REGIONS = (
    Region("Lafayette", "LA", "70501", ("337",)),
    Region("Thibodaux", "LA", "70301", ("985",)),
    Region("New Orleans", "LA", "70116", ("504",)),
    Region("Baton Rouge", "LA", "70802", ("225",)),
    Region("Madawaska", "ME", "04756", ("207",)),
    Region("Burlington", "VT", "05401", ("802",)),
    Region("Manchester", "NH", "03101", ("603",)),
)
REGIONS = ENGLISH_REGIONS + FRENCH_REGIONS
_PORTED_IN = """
201 203 205 208 210 213 214 215 216 217 219 224 228 231 234 239 240 248 251 252 253 254 256 260 262 267
269 270 301 302 304 305 307 308 309 310 313 314 315 316 317 319 320 321 323 330 334 336 339 347 351 352
360 361 385 386 401 402 405 406 407 408 409 410 412 413 414 417 419 423 425 430 432 434 435 440 443 458
469 478 479 480 484 501 502 503 505 507 508 509 510 513 515 516 517 518 520 530 540 541 551 559 561 562
563 567 570 571 573 574 575 580 585 586 601 602 605 606 607 608 609 610 612 614 615 616 618 619 620 623
626 630 631 636 641 650 651 657 660 661 662 667 681 682 701 702 703 704 706 707 708 712 713 714 715 716
717 718 719 724 727 731 732 734 740 754 757 760 762 763 765 772 774 775 779 781 785 786 801 803 804 805
806 808 810 812 813 814 815 816 817 818 828 830 831 832 843 845 847 848 850 856 858 859 860 862 863 864
865 870 878 901 903 904 906 907 908 909 910 912 913 914 915 916 918 919 920 925 928 929 931 936 937 940
941 947 949 951 952 954 956 970 971 972 973 978 979 980 989
"""
PORTED_IN_AREA_CODES = tuple(_PORTED_IN.split())
"""Area codes of numbers ported in from elsewhere, used once a region's fictional range runs out."""
TOLL_FREE_AREA_CODES = ("800", "888", "877", "866", "855")
CARRIER_AREA_CODE = "844"
"""Where the carrier's own access numbers (voicemail) come from."""
INTERNATIONAL_NUMBERS = (
    *(f"+442079460{n:03d}" for n in (17, 123, 456, 781, 990)),  # Ofcom drama range, London
    *(f"+3319900{n:04d}" for n in (1234, 4521, 7788, 9001)),  # ARCEP fiction range, Paris
    *(f"+6125550{n:04d}" for n in (1234, 6789)),  # ACMA fiction range, Sydney
    "+525555550142",
    "+525555550177",
    "+50928101234",
    "+50937101234",
    "+3225550142",
    "+41445550142",
)
CANADIAN_NUMBERS = tuple(
    f"+1{area}55501{n:02d}" for area in ("514", "418", "819", "506") for n in (23, 61, 88)
)

_EN_FIRST = """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard
Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Olivia Ethan Grace Noah Ava Liam Emma Mia"""
_EN_LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Wilson Anderson Taylor
Moore Jackson Martin Lee Thompson White Harris Clark Lewis Walker Hall Young Allen King Wright Scott Nguyen"""
_FR_FIRST = """Émilie Étienne Geneviève Jean-Luc Marie-Claude Thérèse Benoît Chloé Josée Rémi Amélie Mathieu
Sylvie François Hélène Luc Nathalie Pierre Céline Denis Léa Gabriel Élodie Antoine Mélanie Jacques Lucie"""
_FR_LAST = """Thibodeaux Boudreaux Landry Broussard Hébert Guidry LeBlanc Arceneaux Tremblay Gagnon Côté
Bouchard Gauthier Morin Lavoie Fortin Gagné Ouellet Pelletier Robichaux Fontenot Doucet Comeaux Savoie
Thériault Cormier Bergeron Babineaux"""
NAMES = {
    Language.EN: (tuple(_EN_FIRST.split()), tuple(_EN_LAST.split())),
    Language.FR: (tuple(_FR_FIRST.split()), tuple(_FR_LAST.split())),
}
"""Given names and surnames, by the language the customer is written to in."""
BUSINESSES = {
    Language.EN: (
        ("{last} Plumbing LLC", "Plumbing Contractors"),
        ("{last} & {other} LLP", "Attorneys"),
        ("{last} Family Dental", "Dentists"),
        ("{city} Auto Repair", "Automobile Repairing & Service"),
        ("{last} Logistics Inc.", "Trucking"),
        ("{first}'s Diner", "Restaurants"),
    ),
    Language.FR: (
        ("Boulangerie {last}", "Boulangeries"),
        ("Garage {last} et Fils", "Garages d'automobiles"),
        ("Cabinet {last} & {other}", "Avocats"),
        ("Épicerie {last}", "Épiceries"),
        ("Quincaillerie {last}", "Quincailleries"),
        ("Restaurant Chez {first}", "Restaurants"),
    ),
}
"""Business name patterns with their advertising classification (a directory heading)."""
_EN_STREETS = """Maple Street|Oak Avenue|Cedar Lane|Elm Street|Washington Avenue|Lake Road|Hillside Drive
|Main Street|Pine Street|River Road|Church Street|Highland Avenue"""
_FR_STREETS = """rue Saint-Jean|rue des Érables|chemin du Bayou|avenue Évangéline|rue Principale|chemin du Lac
|rue Champlain|rue de l'Église|boulevard Acadien|rue Sainte-Marie|chemin des Pins|rue Lafayette"""
STREETS = {
    Language.EN: tuple(_EN_STREETS.replace("\n", "").split("|")),
    Language.FR: tuple(_FR_STREETS.replace("\n", "").split("|")),
}
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
BUSINESS_MAILBOXES = ("accounts", "billing", "office")

PRODUCTS: Mapping[tuple[ServiceCategory, bool], tuple[tuple[str, int], ...]] = {
    (LOCAL, False): (("Home Phone Basic", 2499), ("Home Phone Plus", 3499)),
    (LOCAL, True): (("Business Line", 4499), ("Business Line Hunt Group", 5999)),
    (INTEREXCHANGE, False): (("Long Distance Unlimited", 1500), ("Long Distance 500", 800)),
    (INTEREXCHANGE, True): (("Business Long Distance", 2500),),
    (WIRELESS, False): (
        ("Wireless Unlimited", 6500),
        ("Wireless 15 GB", 4500),
        ("Wireless Talk & Text", 2500),
    ),
    (WIRELESS, True): (("Business Fleet Unlimited", 5500), ("Business Fleet 10 GB", 3900)),
    (VOIP, False): (("Digital Voice", 2000),),
    (VOIP, True): (("Cloud PBX Seat", 2800), ("UCaaS Pro Seat", 3500)),
    (INTERNATIONAL, False): (
        ("World Calling 300", 1000),
        ("Canada & Mexico", 700),
        ("Francophonie Pack", 1200),
    ),
    (INTERNATIONAL, True): (("Business World Calling", 2500),),
}
"""Products with their monthly price in cents, by category and whether the account is a business."""
MONTHLY_PRICE_CENTS = {name: cents for products in PRODUCTS.values() for name, cents in products}
PRICES_CENTS = {"directory_assistance": 249, "activation": 3500, "long_distance_minute": 7}
TAX_RATE, USAGE_SHARE, CREDIT_SHARE = 0.11, 0.35, 0.05
BILL_LABELS = {
    Language.EN: {
        "activation": "Activation fee",
        "directory_assistance": "Directory assistance (411) calls",
        "long_distance": "Long distance minutes",
        "credit": "Courtesy credit",
        "taxes": "Taxes, surcharges and fees",
    },
    Language.FR: {
        "activation": "Frais d'activation",
        "directory_assistance": "Appels à l'assistance-annuaire (411)",
        "long_distance": "Minutes interurbaines",
        "credit": "Crédit de courtoisie",
        "taxes": "Taxes, surtaxes et frais",
    },
}
"""Bill lines are written in the account's language."""
_ON_OFF = ("on", "off")
FEATURES: Mapping[ServiceCategory, tuple[tuple[str, tuple[str, ...]], ...]] = {
    LOCAL: (
        ("call_waiting", _ON_OFF),
        ("caller_id", ("name_and_number", "number_only")),
        ("call_forwarding", ("off", "busy_no_answer", "always")),
        ("voicemail", _ON_OFF),
    ),
    INTEREXCHANGE: (("preferred_carrier_freeze", _ON_OFF), ("calling_plan", ("unlimited", "per_minute"))),
    WIRELESS: (
        ("data_plan", ("unlimited", "15 GB", "5 GB")),
        ("international_roaming", _ON_OFF),
        ("hotspot", _ON_OFF),
        ("voicemail", ("visual", "basic")),
        ("spam_filter", _ON_OFF),
    ),
    VOIP: (
        ("e911_address", ("confirmed", "pending")),
        ("simultaneous_ring", _ON_OFF),
        ("voicemail_to_email", _ON_OFF),
        ("call_recording", _ON_OFF),
    ),
    INTERNATIONAL: (
        ("destination_zone", ("Canada and Mexico", "Europe", "Caribbean", "World")),
        ("monthly_minutes", ("300", "1000", "unlimited")),
    ),
}
"""Feature settings a service may carry (service configuration is CPNI, 222(h)(1)(A))."""

STAFF_ROLES = (
    (Role.REPRESENTATIVE, Language.EN),
    (Role.REPRESENTATIVE, Language.FR),
    (Role.MARKETING_ANALYST, Language.EN),
    (Role.SUPERVISOR, Language.FR),
    (Role.COMPLIANCE_OFFICER, Language.EN),
    (Role.AUDITOR, Language.EN),
    (Role.ADMINISTRATOR, Language.EN),
)
"""Every role a person holds, with the language of their name (integrations get a token instead)."""


class Story(StrEnum):
    """What happened to an account lately; each story puts a rule to work."""

    SETTLED = "settled"
    NEW_CUSTOMER = "new_customer"
    """Opened within three months: its addresses may not be of record yet (64.2003(b))."""
    MOVED_RECENTLY = "moved_recently"
    """A postal address under 30 days old: the old one is gone, the new one not yet of record."""
    MOVED_LONG_AGO = "moved_long_ago"
    NEW_EMAIL = "new_email"
    """An email address under 30 days old replaced the previous one."""
    SUSPENDED = "suspended"
    CLOSED = "closed"
    """A former customer (64.2003(f)): service ended within the last three months."""


STORY_SHARES = {
    Story.NEW_CUSTOMER: 0.04,
    Story.MOVED_RECENTLY: 0.08,
    Story.MOVED_LONG_AGO: 0.12,
    Story.NEW_EMAIL: 0.05,
    Story.SUSPENDED: 0.02,
    Story.CLOSED: 0.02,
}


class Kind(StrEnum):
    """Residential, business, or business with a dedicated representative and a CPNI contract."""

    RESIDENTIAL = "residential"
    BUSINESS = "business"
    REPRESENTED_BUSINESS = "represented_business"
    """Both conditions of the business exemption (64.2010(g))."""


KIND_SHARES = {Kind.REPRESENTED_BUSINESS: 0.07, Kind.BUSINESS: 0.13}


def quota(rng: random.Random, count: int, shares: Mapping[T, float], default: T) -> list[T]:
    """`count` values in random order: each of `shares` at least once, the rest `default`."""
    picks = [value for value, share in shares.items() for _ in range(max(1, round(count * share)))]
    picks += [default] * (count - len(picks))
    rng.shuffle(picks)
    return picks


def ascii_slug(text: str, separator: str = ".") -> str:
    """Lower-case ASCII words of `text` joined by `separator` ('Émilie Côté' -> 'emilie.cote')."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return separator.join("".join(c if c.isalnum() else " " for c in plain).split())


class NumberPool:
    """Hands out fictional NANP numbers (NPA-555-0100..0199), each once."""

    def __init__(self, rng: random.Random, in_use: frozenset[str] = frozenset()) -> None:
        self._rng = rng
        self._in_use = in_use
        self._free: dict[str, list[str]] = {}

    def take(self, area_codes: tuple[str, ...]) -> str:
        """A free number in the first of `area_codes` with one left, else a ported-in one."""
        for area_code in (*area_codes, *PORTED_IN_AREA_CODES):
            if area_code not in self._free:
                numbers = (f"+1{area_code}55501{line:02d}" for line in range(100))
                self._free[area_code] = [n for n in numbers if n not in self._in_use]
                self._rng.shuffle(self._free[area_code])
            if self._free[area_code]:
                return self._free[area_code].pop()
        raise AssertionError("MAX_ACCOUNTS keeps the demo within the fictional numbers")
