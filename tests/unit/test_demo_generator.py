"""The demo carrier generator: pure, deterministic, synthetic, and valid by the real rules."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime, timedelta

import phonenumbers
import pytest

from cpniguard.domain.accounts import (
    AccountKind,
    AccountStatus,
    ContactKind,
    ContactPoint,
    Language,
    ServiceCategory,
    is_address_of_record,
)
from cpniguard.domain.call_detail import CALL_DETAIL_COLUMNS, SHORT_CODE_CALL_TYPES, parse_call_detail
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import InvalidInputError
from cpniguard.domain.invoices import ChargeType
from cpniguard.services import demo_catalog
from cpniguard.services.demo import (
    DemoStage,
    GeneratedCallDetailSource,
    billed_invoices,
    billing_periods,
)
from cpniguard.services.demo_carrier import FULL_SCALE, DemoCarrier, DemoScale, generate_demo_carrier
from cpniguard.services.demo_usage import DemoUsage, call_detail_rows, plan_usage
from cpniguard.services.ports import DemoAccount, DemoInvoice

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
SMALL = DemoScale(accounts=80, call_detail_records=4_000)
THREE_MONTHS = timedelta(days=90)
DAY = timedelta(days=1)


def generate(seed: int = 7, scale: DemoScale = SMALL, now: datetime = NOW) -> tuple[DemoCarrier, DemoUsage]:
    carrier = generate_demo_carrier(scale=scale, seed=seed, now=now)
    return carrier, plan_usage(carrier, call_detail_records=scale.call_detail_records, seed=seed)


@pytest.fixture(scope="module")
def carrier() -> DemoCarrier:
    return generate()[0]


@pytest.fixture(scope="module")
def usage() -> DemoUsage:
    return generate()[1]


@pytest.fixture(scope="module")
def rows(usage: DemoUsage) -> list[list[str]]:
    return list(call_detail_rows(usage, seed=7))


@pytest.fixture(scope="module")
def invoices(carrier: DemoCarrier, usage: DemoUsage) -> tuple[DemoInvoice, ...]:
    return billed_invoices(carrier, usage, seed=7)


def digest(rows: list[list[str]]) -> str:
    return hashlib.sha256("\n".join("\x1f".join(row) for row in rows).encode()).hexdigest()


def test_the_same_seed_and_instant_give_the_same_carrier_calls_and_bills(carrier, usage, rows, invoices):
    again_carrier, again_usage = generate()
    assert again_carrier == carrier
    assert again_usage == usage
    assert billed_invoices(again_carrier, again_usage, seed=7) == invoices
    assert digest(list(call_detail_rows(again_usage, seed=7))) == digest(rows)


def test_another_seed_gives_another_carrier(carrier, rows):
    other_carrier, other_usage = generate(seed=8)
    assert other_carrier.accounts != carrier.accounts
    assert digest(list(call_detail_rows(other_usage, seed=8))) != digest(rows)


def test_the_carrier_has_both_kinds_of_account_in_both_languages(carrier):
    kinds_and_languages = Counter((a.kind, a.language) for a in carrier.accounts)
    assert set(kinds_and_languages) == {(k, lang) for k in AccountKind for lang in Language}
    business = [a for a in carrier.accounts if a.kind is AccountKind.BUSINESS]
    assert any(a.has_dedicated_representative and a.has_cpni_contract for a in business)
    assert not any(
        a.has_dedicated_representative for a in carrier.accounts if a.kind is AccountKind.RESIDENTIAL
    )


def test_french_accounts_have_french_names_and_addresses(carrier):
    french = {a.account_number for a in carrier.accounts if a.language is Language.FR}
    streets = {
        p.value for p in carrier.contact_points if p.account_number in french and p.kind == "postal_address"
    }
    assert all(any(s in value for s in demo_catalog.STREETS[Language.FR]) for value in streets)
    assert all(value.split(",")[0].isdigit() for value in streets)  # '1203, rue Saint-Jean, ...'


def test_services_cover_every_category_that_carries_calls_and_the_plans_on_top(carrier):
    categories = {s.category for s in carrier.services}
    assert categories == set(ServiceCategory) - {ServiceCategory.OTHER}


def test_every_telephone_number_is_a_valid_e164_number(carrier, usage):
    numbers = {s.telephone_number for s in carrier.services}
    numbers |= {p.value for p in carrier.contact_points if p.kind is ContactKind.CONTACT_TELEPHONE}
    numbers |= {entry.listed_number for entry in carrier.listings}
    numbers |= set(usage.called.national + usage.called.toll_free + demo_catalog.INTERNATIONAL_NUMBERS)
    numbers |= set(usage.called.voicemail.values())
    invalid = [n for n in numbers if not phonenumbers.is_valid_number(phonenumbers.parse(n, None))]
    assert not invalid
    assert all(n.startswith("+1") and n[5:10] == "55501" for n in numbers if n.startswith("+1"))


def test_no_telephone_number_belongs_to_two_services_except_plans_riding_on_a_line(carrier):
    lines = [s.telephone_number for s in carrier.services if s.category in demo_catalog.ACCESS_CATEGORIES]
    assert len(lines) == len(set(lines))


def test_some_addresses_are_of_record_and_some_are_younger_than_30_days(carrier):
    points = [
        ContactPoint(p.kind, p.value, p.associated_at, p.dissociated_at)
        for p in carrier.contact_points
        if p.kind is not ContactKind.CONTACT_TELEPHONE
    ]
    on_account = [p for p in points if p.is_on_account_at(NOW)]
    assert any(is_address_of_record(p, NOW) for p in on_account)
    young = [p for p in on_account if not is_address_of_record(p, NOW)]
    assert young
    assert all(NOW - p.associated_at < timedelta(days=30) for p in young)
    assert any(p.dissociated_at is not None and NOW - p.dissociated_at < timedelta(days=30) for p in points)


def test_every_call_detail_row_passes_the_real_validation(carrier, rows):
    account_ids = {a.account_number: index for index, a in enumerate(carrier.accounts, start=1)}
    records = [parse_call_detail(row, account_ids) for row in rows]
    assert len(records) == SMALL.call_detail_records
    assert all(len(row) == len(CALL_DETAIL_COLUMNS) for row in rows)
    assert len({(r.source_system, r.record_id) for r in records}) == len(records)


def test_calls_fall_within_the_three_months_before_now_and_on_an_active_line(carrier, rows):
    started = [datetime.fromisoformat(row[7]) for row in rows]
    assert min(started) >= NOW - THREE_MONTHS
    assert max(started) <= NOW
    answered = [(datetime.fromisoformat(row[8]), s) for row, s in zip(rows, started, strict=True) if row[8]]
    assert all(a >= s for a, s in answered)
    closed = {a.account_number: a.closed_at for a in carrier.accounts if a.closed_at}
    assert all(s <= closed[row[2]] for row, s in zip(rows, started, strict=True) if row[2] in closed)


def test_the_call_mix_is_realistic_and_called_numbers_repeat(rows):
    types = Counter(row[4] for row in rows)
    assert types["local"] > types["long_distance"] > types["international"] > 0
    assert types["sms"] > 0
    assert types["directory_assistance"] > 0
    assert {row[6] for row in rows if row[4] in SHORT_CODE_CALL_TYPES} <= {"411", "911"}
    directions = Counter(row[3] for row in rows)
    assert directions["outbound"] > directions["inbound"] > 0
    remote = Counter(row[6] if row[3] == "outbound" else row[5] for row in rows)
    assert remote.most_common(1)[0][1] > 20
    assert all(row[11] for row in rows if row[0] == "wireless-core")
    assert not any(row[11] for row in rows if row[0] != "wireless-core")


def test_directory_assistance_calls_are_charged_on_the_bill_of_their_period(rows, invoices):
    dialled = [(row[2], datetime.fromisoformat(row[7])) for row in rows if row[4] == "directory_assistance"]
    charged = 0
    for invoice in invoices:
        calls = sum(
            1
            for number, at in dialled
            if number == invoice.account_number and invoice.period_start <= at < invoice.period_end
        )
        lines = [line for line in invoice.lines if line.charge_type is ChargeType.DIRECTORY_ASSISTANCE]
        assert [line.quantity for line in lines] == ([calls] if calls else [])
        charged += calls
    assert charged > 0


def test_bills_are_issued_by_now_with_taxes_and_lines_in_the_account_language(carrier, invoices):
    languages = {a.account_number: a.language for a in carrier.accounts}
    assert all(i.issued_at <= NOW and i.period_start < i.period_end for i in invoices)
    assert all(i.lines[-1].charge_type is ChargeType.TAXES_AND_FEES for i in invoices)
    french_bills = [i for i in invoices if languages[i.account_number] is Language.FR]
    assert french_bills
    assert all(i.lines[-1].description == "Taxes, surtaxes et frais" for i in french_bills)
    assert len({(i.account_number, i.invoice_number) for i in invoices}) == len(invoices)


def test_listings_are_listed_unlisted_and_non_published(carrier):
    statuses = Counter(entry.listing_status for entry in carrier.listings)
    assert len(statuses) == 3
    assert all(entry.listed_address is None for entry in carrier.listings if entry.listing_status != "listed")


def test_there_is_an_employee_in_every_role_a_person_holds(carrier):
    assert {e.role for e in carrier.employees} == set(Role) - {Role.INTEGRATION}
    assert len({e.username for e in carrier.employees}) == len(carrier.employees)
    assert all(e.username.isascii() for e in carrier.employees)


def test_billing_periods_end_on_the_cycle_day_and_cross_the_new_year():
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    opened = DemoAccount(
        account_number="1",
        kind=AccountKind.RESIDENTIAL,
        language=Language.EN,
        status=AccountStatus.ACTIVE,
        holder_name="A",
        has_dedicated_representative=False,
        has_cpni_contract=False,
        opened_at=now - 400 * DAY,
        closed_at=None,
    )
    ends = [end for _, end in billing_periods(now, 22, opened)]
    assert ends == [datetime(2025, m, 22, tzinfo=UTC) for m in (10, 11, 12)]
    assert billing_periods(now, 1, opened)[-1][1] == datetime(2026, 1, 1, tzinfo=UTC)


def test_the_full_scale_meets_the_issue_and_the_scale_refuses_nonsense():
    assert FULL_SCALE.accounts >= 1_000
    assert FULL_SCALE.call_detail_records >= 100_000
    with pytest.raises(InvalidInputError) as refused:
        DemoScale(accounts=5, call_detail_records=10)
    assert [p.location for p in refused.value.problems] == ["accounts", "call_detail_records"]
    with pytest.raises(InvalidInputError, match="invalid demo scale"):
        DemoScale(accounts=1_000, call_detail_records=1_000)


def test_the_generated_source_numbers_rows_from_1_and_digests_each_pass_alike(usage):
    source = GeneratedCallDetailSource("demo", lambda: call_detail_rows(usage, seed=7))
    first = list(source.rows())
    first_digest = source.content_sha256()
    assert [row[0] for row in first[:3]] == [1, 2, 3]
    assert list(source.rows()) == first
    assert source.content_sha256() == first_digest
    assert DemoStage.CALL_DETAIL.value == "call detail records"
