"""Seeding a synthetic carrier for `cpniguard demo`, and what it billed.

The generators (demo_carrier.py, demo_usage.py) are pure; this module writes their output
through the ports: customer data in one bulk transaction, call detail through
ingest_call_detail so that it passes the validation real records pass (47 CFR 64.2003(d)),
and bearer tokens through issue_api_token. Passwords and tokens are the only values not
drawn from the seed: credentials derived from a published seed would be guessable.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cpniguard.domain.accounts import AccountKind, AccountStatus, Language
from cpniguard.domain.employees import Role, TrainingRecord
from cpniguard.domain.errors import DomainError
from cpniguard.domain.invoices import ChargeType
from cpniguard.domain.subscriber_list import is_subscriber_list_information
from cpniguard.services import demo_catalog as catalog
from cpniguard.services.api_tokens import issue_api_token
from cpniguard.services.breach import BreachContext
from cpniguard.services.call_detail import ingest_call_detail
from cpniguard.services.campaigns import CampaignContext
from cpniguard.services.consent_ports import NoticeVersion
from cpniguard.services.demo_breach import DEMO_BREACH_REFERENCE, seed_demo_breach
from cpniguard.services.demo_campaign import seed_demo_campaign
from cpniguard.services.demo_carrier import DemoCarrier, DemoScale, generate_demo_carrier
from cpniguard.services.demo_consent import seed_demo_consent
from cpniguard.services.demo_usage import DemoUsage, call_detail_rows, plan_usage, services_by_account
from cpniguard.services.ports import (
    Clock,
    DemoAccount,
    DemoCarrierStore,
    DemoCarrierStoreFactory,
    DemoInvoice,
    DemoInvoiceLine,
    DemoService,
    PasswordHasher,
    RawCallDetailRow,
    RowRejection,
    UnitOfWorkFactory,
)
from cpniguard.services.training import record_training

LOADED_BY = "cpniguard demo"
PASSWORD_RANDOM_BYTES = 12
CYCLE_DAYS = (1, 8, 15, 22)
BILL_DELAY_DAYS, BILLS_PER_ACCOUNT = 2, 3


class DemoDataPresentError(DomainError):
    """The database already holds accounts; the demo seeds only an empty one."""


class DemoStage(StrEnum):
    """The steps of seeding, for progress displays."""

    CUSTOMERS = "customers, services and bills"
    CALL_DETAIL = "call detail records"
    STAFF = "employees and bearer tokens"
    CONSENT = "CPNI notices and consent histories"


DemoProgress = Callable[[DemoStage, int, int], None]
"""Told (stage, done, total) as seeding goes."""


@dataclass(frozen=True, slots=True)
class DemoCredential:
    """How one employee or integration signs in; shown once, never stored in clear."""

    username: str | None
    role: Role
    password: str | None
    token: str


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo seeded."""

    accounts: int
    business_accounts: int
    french_accounts: int
    contact_points: int
    services: int
    categories: tuple[str, ...]
    invoices: int
    listings: int
    """Published directory listings: the subscriber list information stored (222(h)(3))."""
    call_detail_records: int
    consent_events: int
    """Consent ledger events recorded (notices, bounces, opt-outs, opt-ins)."""
    breach_reference: str
    """The demo breach on record (issue 6)."""
    campaign_audience: int | None
    """How many customers the demo campaign's audience selected (issue 7); None when not seeded."""
    credentials: tuple[DemoCredential, ...]
    sample_account_number: str
    """An account to try the gate on."""


class GeneratedCallDetailSource:
    """A CallDetailSource over generated rows; each pass generates them afresh, identically."""

    def __init__(self, name: str, make_rows: Callable[[], Iterator[list[str]]]) -> None:
        self.name = name
        self._make_rows = make_rows
        self._digest = hashlib.sha256()

    def rows(self) -> Iterator[RawCallDetailRow | RowRejection]:
        """Yield (record number, fields in CALL_DETAIL_COLUMNS order) for every generated call."""
        self._digest = hashlib.sha256()
        for line_number, fields in enumerate(self._make_rows(), start=1):
            self._digest.update("\x1f".join(fields).encode() + b"\n")
            yield line_number, fields

    def content_sha256(self) -> str:
        """SHA-256 of the rows of the last pass (fields joined by US, rows ended by LF)."""
        return self._digest.hexdigest()


@dataclass(frozen=True, slots=True)
class _Written:
    carrier: DemoCarrier
    usage: DemoUsage
    invoices: tuple[DemoInvoice, ...]
    passwords: dict[str, str]
    employee_ids: dict[str, int]


def seed_demo_carrier(  # noqa: PLR0913  (keyword-only wiring of one use case)
    *,
    uow_factory: UnitOfWorkFactory,
    store_factory: DemoCarrierStoreFactory,
    clock: Clock,
    passwords: PasswordHasher,
    scale: DemoScale,
    seed: int,
    notice: NoticeVersion,
    campaigns: CampaignContext | None = None,
    progress: DemoProgress | None = None,
) -> DemoSummary:
    """Seed an empty database with a synthetic carrier of `scale` from `seed` (issue 2).

    Refuses (DemoDataPresentError) when the database holds any account: the demo never
    mixes its customers with real ones. Customer data is one transaction and call detail
    another (ingest_call_detail, all or nothing); employees get generated passwords,
    hashed with `passwords`, and each role gets a bearer token. Active customers get consent
    histories under `notice` through the real consent ledger (issue 5), and one breach is on
    record with its affected accounts and its agency notice still due (issue 6). With `campaigns`,
    an approved campaign's audience is built too (issue 7).
    """
    tell = progress or _silent
    written = _write_customers(
        store_factory, passwords=passwords, scale=scale, seed=seed, now=clock.now(), tell=tell
    )
    report = ingest_call_detail(
        source=GeneratedCallDetailSource("demo carrier", lambda: call_detail_rows(written.usage, seed=seed)),
        loaded_by=LOADED_BY,
        skip_invalid=False,
        uow_factory=uow_factory,
        clock=clock,
        progress=lambda done: tell(DemoStage.CALL_DETAIL, done, written.usage.call_detail_records),
    )
    _train_staff(written, uow_factory=uow_factory, now=clock.now())
    credentials = _issue_credentials(written, uow_factory=uow_factory, clock=clock, tell=tell)
    tell(DemoStage.CONSENT, 0, 1)
    active = [a.account_number for a in written.carrier.accounts if a.status is AccountStatus.ACTIVE]
    consent_events = seed_demo_consent(
        uow_factory=uow_factory, notice=notice, account_numbers=active, now=clock.now(), seed=seed
    )
    tell(DemoStage.CONSENT, 1, 1)
    seed_demo_breach(BreachContext(uow_factory, clock), account_numbers=active, seed=seed)
    audience = None if campaigns is None else seed_demo_campaign(campaigns)
    return _summary(written, report.rows_loaded, credentials, consent_events, audience)


DEMO_TRAINING_COURSE = "CPNI safeguards (demo)"


def _train_staff(written: _Written, *, uow_factory: UnitOfWorkFactory, now: datetime) -> None:
    """Every demo employee completed CPNI training 60 days ago, valid a year (64.2009(b))."""
    completed = now - timedelta(days=60)
    record = TrainingRecord(completed, completed + timedelta(days=365))
    for username in written.employee_ids:
        record_training(
            uow_factory=uow_factory,
            username=username,
            course=DEMO_TRAINING_COURSE,
            record=record,
            recorded_by=LOADED_BY,
        )


def _silent(_stage: DemoStage, _done: int, _total: int) -> None:
    """Progress nobody watches."""


def _write_customers(  # noqa: PLR0913  (keyword-only parts of one step)
    store_factory: DemoCarrierStoreFactory,
    *,
    passwords: PasswordHasher,
    scale: DemoScale,
    seed: int,
    now: datetime,
    tell: DemoProgress,
) -> _Written:
    with store_factory() as store:
        if store.holds_accounts():
            raise DemoDataPresentError(
                "the database already holds accounts; the demo seeds only an empty one"
            )
        tell(DemoStage.CUSTOMERS, 0, 1)
        carrier = generate_demo_carrier(scale=scale, seed=seed, now=now)
        usage = plan_usage(carrier, call_detail_records=scale.call_detail_records, seed=seed)
        invoices = billed_invoices(carrier, usage, seed=seed)
        chosen = {e.username: secrets.token_urlsafe(PASSWORD_RANDOM_BYTES) for e in carrier.employees}
        hashes = {username: passwords.hash(password) for username, password in chosen.items()}
        _add_customers(store, carrier, invoices)
        employee_ids = store.add_employees(carrier.employees, password_hashes=hashes)
        store.commit()
    tell(DemoStage.CUSTOMERS, 1, 1)
    return _Written(carrier, usage, invoices, chosen, employee_ids)


def _add_customers(store: DemoCarrierStore, carrier: DemoCarrier, invoices: Sequence[DemoInvoice]) -> None:
    account_ids = store.add_accounts(carrier.accounts)
    store.add_contact_points(carrier.contact_points, account_ids=account_ids)
    store.add_services(carrier.services, account_ids=account_ids)
    store.add_invoices(invoices, account_ids=account_ids)
    store.add_listings(carrier.listings, account_ids=account_ids)


def _issue_credentials(
    written: _Written, *, uow_factory: UnitOfWorkFactory, clock: Clock, tell: DemoProgress
) -> tuple[DemoCredential, ...]:
    employees = written.carrier.employees
    credentials = []
    for done, employee in enumerate(employees):
        tell(DemoStage.STAFF, done, len(employees) + 1)
        issued = issue_api_token(
            role=employee.role,
            label=f"demo: {employee.username}",
            employee_id=written.employee_ids[employee.username],
            uow_factory=uow_factory,
            clock=clock,
        )
        credentials.append(
            DemoCredential(
                employee.username, employee.role, written.passwords[employee.username], issued.secret
            )
        )
    integration = issue_api_token(
        role=Role.INTEGRATION,
        label="demo: billing and switching",
        employee_id=None,
        uow_factory=uow_factory,
        clock=clock,
    )
    tell(DemoStage.STAFF, len(employees) + 1, len(employees) + 1)
    return (*credentials, DemoCredential(None, Role.INTEGRATION, None, integration.secret))


def _summary(
    written: _Written,
    call_detail_records: int,
    credentials: tuple[DemoCredential, ...],
    consent_events: int,
    campaign_audience: int | None,
) -> DemoSummary:
    carrier = written.carrier
    return DemoSummary(
        accounts=len(carrier.accounts),
        business_accounts=sum(a.kind is AccountKind.BUSINESS for a in carrier.accounts),
        french_accounts=sum(a.language is Language.FR for a in carrier.accounts),
        contact_points=len(carrier.contact_points),
        services=len(carrier.services),
        categories=tuple(sorted({s.category.value for s in carrier.services})),
        invoices=len(written.invoices),
        listings=sum(is_subscriber_list_information(entry.listing_status) for entry in carrier.listings),
        call_detail_records=call_detail_records,
        consent_events=consent_events,
        breach_reference=DEMO_BREACH_REFERENCE,
        campaign_audience=campaign_audience,
        credentials=credentials,
        sample_account_number=carrier.accounts[0].account_number,
    )


def billed_invoices(carrier: DemoCarrier, usage: DemoUsage, *, seed: int) -> tuple[DemoInvoice, ...]:
    """Each account's last monthly bills: its services, its 411 calls, usage, credits and taxes.

    Information in bills is CPNI (47 U.S.C. 222(h)(1)(B)); directory assistance charges
    appear as their own lines, one per bill that has any.
    """
    rng = random.Random(f"{seed}:bills")  # noqa: S311  (synthetic data, not secrets)
    services = services_by_account(carrier.services)
    dialled: dict[str, list[datetime]] = {}
    for line in usage.lines:
        dialled.setdefault(line.account_number, []).extend(line.directory_assistance_calls)
    return tuple(
        _invoice(
            rng,
            account,
            period,
            services=services.get(account.account_number, []),
            dialled=dialled.get(account.account_number, []),
        )
        for account in carrier.accounts
        for period in billing_periods(carrier.now, rng.choice(CYCLE_DAYS), account)
    )


def billing_periods(now: datetime, cycle_day: int, account: DemoAccount) -> list[tuple[datetime, datetime]]:
    """The last BILLS_PER_ACCOUNT monthly periods billed by `now` while `account` was open."""
    latest = now - timedelta(days=BILL_DELAY_DAYS)
    end = latest.replace(day=cycle_day, hour=0, minute=0, second=0, microsecond=0)
    if end > latest:
        end = _months_before(end, 1)
    ends = [_months_before(end, months) for months in range(BILLS_PER_ACCOUNT, -1, -1)]
    until = account.closed_at or now
    return [
        (start, end) for start, end in itertools.pairwise(ends) if end > account.opened_at and start < until
    ]


def _months_before(instant: datetime, months: int) -> datetime:
    index = instant.year * 12 + instant.month - 1 - months
    return instant.replace(year=index // 12, month=index % 12 + 1)


def _invoice(
    rng: random.Random,
    account: DemoAccount,
    period: tuple[datetime, datetime],
    *,
    services: list[DemoService],
    dialled: list[datetime],
) -> DemoInvoice:
    (start, end), label, price = period, catalog.BILL_LABELS[account.language], catalog.PRICES_CENTS
    lines = [
        DemoInvoiceLine(
            ChargeType.RECURRING,
            f"{s.product_name} ({s.telephone_number})",
            1,
            catalog.MONTHLY_PRICE_CENTS[s.product_name],
        )
        for s in services
        if s.started_at < end and (s.ended_at is None or s.ended_at > start)
    ]
    if start <= account.opened_at < end:
        lines.append(DemoInvoiceLine(ChargeType.ONE_TIME, label["activation"], 1, price["activation"]))
    if calls := sum(start <= at < end for at in dialled):
        amount = calls * price["directory_assistance"]
        lines.append(
            DemoInvoiceLine(ChargeType.DIRECTORY_ASSISTANCE, label["directory_assistance"], calls, amount)
        )
    if rng.random() < catalog.USAGE_SHARE:
        minutes = rng.randint(10, 400)
        amount = minutes * price["long_distance_minute"]
        lines.append(DemoInvoiceLine(ChargeType.USAGE, label["long_distance"], minutes, amount))
    if rng.random() < catalog.CREDIT_SHARE:
        lines.append(DemoInvoiceLine(ChargeType.CREDIT, label["credit"], 1, -100 * rng.randint(5, 25)))
    taxes = round(catalog.TAX_RATE * sum(line.amount_cents for line in lines if line.amount_cents > 0))
    lines.append(DemoInvoiceLine(ChargeType.TAXES_AND_FEES, label["taxes"], 1, taxes))
    issued_at = end + timedelta(days=BILL_DELAY_DAYS)
    number = f"{account.account_number}-{end:%Y%m}"
    return DemoInvoice(account.account_number, number, start, end, issued_at, tuple(lines))
