"""A synthetic carrier for `cpniguard demo`: customers, services and staff, as plain values.

Pure: one random.Random(seed), no clock, no I/O, so the same seed and `now` always give
the same carrier (the catalog in demo_catalog.py says what it is made of).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from cpniguard.domain.accounts import AccountKind, AccountStatus, ContactKind, Language, ServiceCategory
from cpniguard.domain.errors import FieldProblem, InvalidInputError
from cpniguard.domain.subscriber_list import ListingStatus
from cpniguard.services import demo_catalog as catalog
from cpniguard.services.demo_catalog import Kind, Region, Story
from cpniguard.services.ports import (
    DemoAccount,
    DemoContactPoint,
    DemoEmployee,
    DemoFeature,
    DemoListing,
    DemoService,
)

MIN_ACCOUNTS, MAX_ACCOUNTS = 20, 2_000
"""Fewer accounts cannot show every kind of customer; more would run out of fictional numbers."""
MIN_CALL_DETAIL_RECORDS, MAX_CALL_DETAIL_RECORDS = 1_000, 2_000_000
RECENT_CLOSURE_DAYS = 90
"""Closed accounts closed within this many days, so that their last calls are in the demo."""
MIN_CALLS_PER_ACCOUNT = 5
"""Room for the planned directory assistance calls (at most four per account) and more."""
SHARES = {
    "french": 0.25,
    "email": 0.85,
    "contact_telephone": 0.35,
    "apartment": 0.3,
    "late_line": 0.3,
    "cancelled_line": 0.04,
    "representative_only": 0.2,
    "contract_only": 0.1,
}
"""How common each trait is among the customers it can apply to."""
_STATUS = {Story.SUSPENDED: AccountStatus.SUSPENDED, Story.CLOSED: AccountStatus.CLOSED}


@dataclass(frozen=True, slots=True)
class DemoScale:
    """How big the synthetic carrier is."""

    accounts: int
    call_detail_records: int

    def __post_init__(self) -> None:
        problems = []
        if not MIN_ACCOUNTS <= self.accounts <= MAX_ACCOUNTS:
            problems.append(FieldProblem("accounts", f"must be {MIN_ACCOUNTS}..{MAX_ACCOUNTS}"))
        if not MIN_CALL_DETAIL_RECORDS <= self.call_detail_records <= MAX_CALL_DETAIL_RECORDS:
            limits = f"{MIN_CALL_DETAIL_RECORDS}..{MAX_CALL_DETAIL_RECORDS}"
            problems.append(FieldProblem("call_detail_records", f"must be {limits}"))
        elif self.call_detail_records < MIN_CALLS_PER_ACCOUNT * self.accounts:
            message = f"must be at least {MIN_CALLS_PER_ACCOUNT} per account"
            problems.append(FieldProblem("call_detail_records", message))
        if problems:
            raise InvalidInputError("invalid demo scale", tuple(problems))


FULL_SCALE = DemoScale(accounts=1_200, call_detail_records=120_000)
"""What `cpniguard demo` seeds (issue 2: 1,000+ accounts, 100,000+ call detail records)."""


@dataclass(frozen=True, slots=True)
class DemoCarrier:
    """The customers, their services and the staff; bills and calls follow from them (demo_usage.py)."""

    now: datetime
    accounts: tuple[DemoAccount, ...]
    contact_points: tuple[DemoContactPoint, ...]
    services: tuple[DemoService, ...]
    listings: tuple[DemoListing, ...]
    employees: tuple[DemoEmployee, ...]
    regions: Mapping[str, int]
    """Each account number's region (an index into demo_catalog.REGIONS)."""


def generate_demo_carrier(*, scale: DemoScale, seed: int, now: datetime) -> DemoCarrier:
    """Build a synthetic carrier of `scale` whose history ends at `now`, from `seed` alone."""
    rng = random.Random(seed)  # noqa: S311  (synthetic data, not secrets)
    return _CarrierBuilder(rng, now.replace(microsecond=0)).build(scale)


class _Customer(NamedTuple):
    account: DemoAccount
    region: int
    story: Story
    classification: str | None


class _CarrierBuilder:
    """Builds the carrier customer by customer; every draw comes from one generator, in order."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.numbers = catalog.NumberPool(rng)
        self.contact_points: list[DemoContactPoint] = []
        self.services: list[DemoService] = []
        self.listings: list[DemoListing] = []

    def build(self, scale: DemoScale) -> DemoCarrier:
        customers = self._customers(scale.accounts)
        for customer in customers:
            self._furnish(customer)
        return DemoCarrier(
            now=self.now,
            accounts=tuple(c.account for c in customers),
            contact_points=tuple(self.contact_points),
            services=tuple(self.services),
            listings=tuple(self.listings),
            employees=self._employees(),
            regions={c.account.account_number: c.region for c in customers},
        )

    def _customers(self, count: int) -> list[_Customer]:
        rng = self.rng
        numbers = [str(n) for n in rng.sample(range(10**9, 10**10), count)]
        kinds = catalog.quota(rng, count, catalog.KIND_SHARES, Kind.RESIDENTIAL)
        languages = catalog.quota(rng, count, {Language.FR: SHARES["french"]}, Language.EN)
        stories = catalog.quota(rng, count, catalog.STORY_SHARES, Story.SETTLED)
        rows = zip(numbers, kinds, languages, stories, strict=True)
        return [self._customer(*row) for row in rows]

    def _customer(self, number: str, kind: Kind, language: Language, story: Story) -> _Customer:
        region = self.rng.choice(
            catalog.FRENCH_REGIONS if language is Language.FR else catalog.ENGLISH_REGIONS
        )
        opened = self._opened_at(story)
        holder, classification = self._holder(language, region, business=kind is not Kind.RESIDENTIAL)
        represented = kind is Kind.REPRESENTED_BUSINESS
        account = DemoAccount(
            account_number=number,
            kind=AccountKind.RESIDENTIAL if kind is Kind.RESIDENTIAL else AccountKind.BUSINESS,
            language=language,
            status=_STATUS.get(story, AccountStatus.ACTIVE),
            holder_name=holder,
            has_dedicated_representative=represented or self._business_trait(kind, "representative_only"),
            has_cpni_contract=represented or self._business_trait(kind, "contract_only"),
            opened_at=opened,
            closed_at=self._closed_at(opened) if story is Story.CLOSED else None,
        )
        return _Customer(account, catalog.REGIONS.index(region), story, classification)

    def _business_trait(self, kind: Kind, trait: str) -> bool:
        return kind is Kind.BUSINESS and self.rng.random() < SHARES[trait]

    def _holder(self, language: Language, region: Region, *, business: bool) -> tuple[str, str | None]:
        first, last = self._person(language)
        if not business:
            return f"{first} {last}", None
        pattern, classification = self.rng.choice(catalog.BUSINESSES[language])
        other = self.rng.choice(catalog.NAMES[language][1])
        return pattern.format(first=first, last=last, other=other, city=region.city), classification

    def _person(self, language: Language) -> tuple[str, str]:
        firsts, lasts = catalog.NAMES[language]
        return self.rng.choice(firsts), self.rng.choice(lasts)

    def _opened_at(self, story: Story) -> datetime:
        if story is Story.NEW_CUSTOMER:
            return self._days_ago(2, 80)
        return self._days_ago(120, 12 * 365)

    def _closed_at(self, opened: datetime) -> datetime:
        span = min(self.now - opened, timedelta(days=RECENT_CLOSURE_DAYS))
        return self.now - span * self.rng.uniform(0.1, 0.6)

    def _days_ago(self, least: int, most: int) -> datetime:
        return self.now - timedelta(seconds=self.rng.randrange(least * 86_400, most * 86_400))

    def _between(self, start: datetime, end: datetime) -> datetime:
        return start + timedelta(seconds=self.rng.randrange(max(1, int((end - start).total_seconds()))))

    def _chance(self, trait: str) -> bool:
        return self.rng.random() < SHARES[trait]

    def _furnish(self, customer: _Customer) -> None:
        self._add_contact_points(customer)
        services = self._add_services(customer)
        self._add_listing(customer, services)

    def _add_contact_points(self, customer: _Customer) -> None:
        account, story = customer.account, customer.story
        region = catalog.REGIONS[customer.region]
        postal = [self._postal_address(region, account.language)]
        emails = [self._email(account)]
        changed_at = None
        if story in {Story.MOVED_RECENTLY, Story.MOVED_LONG_AGO}:
            postal.append(self._postal_address(region, account.language))
            changed_at = self._days_ago(31, 110) if story is Story.MOVED_LONG_AGO else self._days_ago(1, 29)
        elif story is Story.NEW_EMAIL:
            emails.append(self._email(account))
            changed_at = self._days_ago(1, 29)
        self._add_history(account, ContactKind.POSTAL_ADDRESS, postal, changed_at)
        if len(emails) > 1 or self._chance("email"):
            self._add_history(account, ContactKind.EMAIL_ADDRESS, emails, changed_at)
        if self._chance("contact_telephone"):
            contact = self.numbers.take(region.area_codes)
            self._add_history(account, ContactKind.CONTACT_TELEPHONE, [contact], None)

    def _postal_address(self, region: Region, language: Language) -> str:
        number, street = self.rng.randint(1, 9999), self.rng.choice(catalog.STREETS[language])
        if language is Language.FR:
            line = f"{number}, {street}"  # Québec style: '1203, rue Saint-Jean'
        elif self._chance("apartment"):
            line = f"{number} {street}, Apt {self.rng.randint(1, 30)}{self.rng.choice('ABCD')}"
        else:
            line = f"{number} {street}"
        return f"{line}, {region.city}, {region.state} {region.zip_code}"

    def _email(self, account: DemoAccount) -> str:
        domain = self.rng.choice(catalog.EMAIL_DOMAINS)
        if account.kind is AccountKind.BUSINESS:
            mailbox = self.rng.choice(catalog.BUSINESS_MAILBOXES)
            return f"{mailbox}@{catalog.ascii_slug(account.holder_name, '-')[:40]}.{domain}"
        return f"{catalog.ascii_slug(account.holder_name)}{self.rng.randint(1, 99)}@{domain}"

    def _add_history(
        self, account: DemoAccount, kind: ContactKind, values: list[str], changed_at: datetime | None
    ) -> None:
        """One value on the account since opening, or the old one until `changed_at` and the new one since."""
        spans = [(account.opened_at, None)] if len(values) == 1 else [(account.opened_at, changed_at)]
        if changed_at is not None and len(values) > 1:
            spans.append((changed_at, None))
        for value, (start, end) in zip(values, spans, strict=True):
            self.contact_points.append(DemoContactPoint(account.account_number, kind, value, start, end))

    def _subscriptions(self, account: DemoAccount) -> list[tuple[ServiceCategory, bool]]:
        """(category, rides on the first line) for each service the account takes."""
        rng, business = self.rng, account.kind is AccountKind.BUSINESS
        plan: list[tuple[ServiceCategory, bool]] = []
        if rng.random() < (0.55 if business else 0.45):
            plan += [(catalog.LOCAL, False)] * (rng.randint(1, 3) if business else 1)
            if rng.random() < 0.7:  # noqa: PLR2004  (most home and business lines add long distance)
                plan.append((catalog.INTEREXCHANGE, True))
        if rng.random() < (0.6 if business else 0.2):
            plan += [(catalog.VOIP, False)] * (rng.randint(1, 4) if business else 1)
        if not plan or rng.random() < (0.55 if business else 0.75):
            plan += [(catalog.WIRELESS, False)] * rng.choice((1, 2, 2, 3, 6) if business else (1, 1, 2, 3, 4))
        abroad = 0.3 if business else 0.25 if account.language is Language.FR else 0.1
        if rng.random() < abroad:
            plan.append((catalog.INTERNATIONAL, True))
        return plan

    def _add_services(self, customer: _Customer) -> list[DemoService]:
        account = customer.account
        area_codes = catalog.REGIONS[customer.region].area_codes
        added: list[DemoService] = []
        for category, rides in self._subscriptions(account):
            number = added[0].telephone_number if rides else self.numbers.take(area_codes)
            late = bool(added) and self._chance("late_line")
            started = self._between(account.opened_at, self.now) if late else account.opened_at
            ended = account.closed_at or self._cancelled_at(category, started)
            product, _ = self.rng.choice(catalog.PRODUCTS[category, account.kind is AccountKind.BUSINESS])
            features = self._features(category, started, ended or self.now)
            added.append(
                DemoService(account.account_number, category, product, number, started, ended, features)
            )
        self.services += added
        return added

    def _cancelled_at(self, category: ServiceCategory, started: datetime) -> datetime | None:
        old_enough = self.now - started > timedelta(days=61)
        if category is catalog.WIRELESS and old_enough and self._chance("cancelled_line"):
            return self._days_ago(1, 60)
        return None

    def _features(self, category: ServiceCategory, start: datetime, end: datetime) -> tuple[DemoFeature, ...]:
        options = catalog.FEATURES[category]
        chosen = self.rng.sample(options, self.rng.randint(1, min(3, len(options))))
        return tuple(
            DemoFeature(name, self.rng.choice(values), self._between(start, end)) for name, values in chosen
        )

    def _add_listing(self, customer: _Customer, services: list[DemoService]) -> None:
        account = customer.account
        wired = [s for s in services if s.category in {catalog.LOCAL, catalog.VOIP}]
        if not wired or account.status is AccountStatus.CLOSED:
            return
        weights = (85, 10, 5) if customer.classification else (55, 25, 20)
        status = self.rng.choices(tuple(ListingStatus), weights)[0]
        postal = next(
            p.value
            for p in reversed(self.contact_points)
            if p.account_number == account.account_number and p.kind is ContactKind.POSTAL_ADDRESS
        )
        address = postal if status is ListingStatus.LISTED else None
        listing = (account.holder_name, wired[0].telephone_number, address, customer.classification, status)
        self.listings.append(DemoListing(account.account_number, *listing))

    def _employees(self) -> tuple[DemoEmployee, ...]:
        staff: list[DemoEmployee] = []
        for role, language in catalog.STAFF_ROLES:
            first, last = self._person(language)
            username = f"{catalog.ascii_slug(first)}.{catalog.ascii_slug(last)}"
            while any(e.username == username for e in staff):
                username += "2"
            staff.append(DemoEmployee(username, f"{first} {last}", role, self.now))
        return tuple(staff)
