"""`cpniguard demo`: a synthetic carrier seeded through the real stores, the CLI and the server."""

from __future__ import annotations

import hashlib
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import argon2
import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.conftest import TEST_NOW, TEST_SECRET, TEST_SIGNING_KEY, make_settings
from tests.processes import free_port, wait_until_healthy
from typer.testing import CliRunner

from cpniguard.adapters.clock import AdjustableClock
from cpniguard.adapters.db.demo import SqlDemoCarrierStore
from cpniguard.adapters.db.engine import build_engine
from cpniguard.adapters.db.tables import (
    Account,
    ApiToken,
    Base,
    CallDetailRecord,
    ContactPoint,
    Employee,
    IngestBatch,
    Invoice,
    InvoiceLine,
    Service,
    ServiceConfiguration,
    SubscriberListEntry,
)
from cpniguard.adapters.db.unit_of_work import session_factory
from cpniguard.bootstrap import Container
from cpniguard.cli import demo as demo_cli
from cpniguard.domain.accounts import ContactKind, is_address_of_record
from cpniguard.domain.accounts import ContactPoint as DomainContactPoint
from cpniguard.domain.employees import Role
from cpniguard.services.api_tokens import authenticate_api_token
from cpniguard.services.demo import DemoDataPresentError, DemoSummary, seed_demo_carrier
from cpniguard.services.demo_carrier import DemoScale

SMALL = DemoScale(accounts=40, call_detail_records=2_000)
FULL_SCALE_LIMIT_SECONDS = 60
TOKEN = re.compile(r"cpg_[A-Za-z0-9_-]{40,}")
SECRET_COLUMNS = {"password_hash", "token_hash"}
"""Salted or random by design, so left out when comparing two seedings."""


class CheapArgon2:
    """Real argon2id at test cost: the production parameters take 0.3 s a hash."""

    def __init__(self) -> None:
        self._hasher = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

    def hash(self, secret: str) -> str:
        return self._hasher.hash(secret)

    def verify(self, stored_hash: str, secret: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, secret)
        except argon2.exceptions.VerificationError:
            return False


def seed(container: Container, *, seed: int = 11, scale: DemoScale = SMALL) -> DemoSummary:
    return seed_demo_carrier(
        uow_factory=container.unit_of_work,
        store_factory=lambda: SqlDemoCarrierStore(container.sessions),
        clock=container.clock,
        passwords=CheapArgon2(),
        scale=scale,
        seed=seed,
        notice=container.default_notice(),
        campaigns=container.campaign_context(),
    )


@pytest.fixture
def seeded(container: Container) -> DemoSummary:
    return seed(container)


@pytest.fixture
def session(container: Container, seeded: DemoSummary):
    with container.sessions() as opened:
        yield opened


def count(session: Session, table: type[Base]) -> int:
    return session.scalar(select(func.count()).select_from(table)) or 0


def test_the_demo_seeds_both_kinds_of_account_in_both_languages(session, seeded):
    kinds = Counter(session.execute(select(Account.kind, Account.language)).all())
    assert set(kinds) == {(k, lang) for k in ("residential", "business") for lang in ("en", "fr")}
    assert sum(kinds.values()) == SMALL.accounts == seeded.accounts
    exempt = select(Account.id).where(Account.has_dedicated_representative, Account.has_cpni_contract)
    assert session.execute(exempt).first() is not None


def test_the_demo_seeds_services_in_several_categories_with_their_configuration(session, seeded):
    categories = set(session.scalars(select(Service.category).distinct()))
    assert {"local", "interexchange", "wireless", "interconnected_voip", "international"} <= categories
    assert len(seeded.categories) >= 5
    mismatched = (
        select(func.count())
        .select_from(ServiceConfiguration)
        .join(Service, Service.id == ServiceConfiguration.service_id)
        .where(Service.account_id != ServiceConfiguration.account_id)
    )
    assert session.scalar(mismatched) == 0
    assert count(session, ServiceConfiguration) > 0


def test_contact_histories_hold_addresses_of_record_and_addresses_too_young_to_be(session):
    rows = session.execute(
        select(ContactPoint).where(ContactPoint.kind != ContactKind.CONTACT_TELEPHONE)
    ).scalars()
    points = [DomainContactPoint(p.kind, p.value, p.associated_at, p.dissociated_at) for p in rows]
    current = [p for p in points if p.is_on_account_at(TEST_NOW)]
    assert any(is_address_of_record(p, TEST_NOW) for p in current)
    assert any(not is_address_of_record(p, TEST_NOW) for p in current)
    assert any(p.dissociated_at is not None for p in points)


def test_invoices_carry_directory_assistance_lines_for_the_411_calls_of_their_period(session):
    charged = session.execute(
        select(Invoice.account_id, Invoice.period_start, Invoice.period_end, InvoiceLine.quantity)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .where(InvoiceLine.charge_type == "directory_assistance")
    ).all()
    assert charged
    for account_id, start, end, quantity in charged:
        calls = select(func.count()).where(
            CallDetailRecord.account_id == account_id,
            CallDetailRecord.call_type == "directory_assistance",
            CallDetailRecord.called_number == "411",
            CallDetailRecord.started_at >= start,
            CallDetailRecord.started_at < end,
        )
        assert session.scalar(calls) == quantity
    totals = (
        select(Invoice.total_cents, func.sum(InvoiceLine.amount_cents)).join(InvoiceLine).group_by(Invoice.id)
    )
    assert all(total == lines for total, lines in session.execute(totals))


def test_call_detail_went_through_the_ingest_and_covers_three_months(session, seeded):
    batch = session.execute(select(IngestBatch)).scalar_one()
    assert (batch.loaded_by, batch.rows_loaded, batch.rows_rejected) == ("cpniguard demo", 2_000, 0)
    assert seeded.call_detail_records == count(session, CallDetailRecord) == SMALL.call_detail_records
    first, last = session.execute(
        select(func.min(CallDetailRecord.started_at), func.max(CallDetailRecord.started_at))
    ).one()
    assert TEST_NOW - timedelta(days=90) <= first < last <= TEST_NOW
    wireless = select(func.count()).where(
        CallDetailRecord.source_system == "wireless-core", CallDetailRecord.cell_site.is_(None)
    )
    assert session.scalar(wireless) == 0


def test_listings_and_employees_of_every_role_are_seeded(session, container, seeded):
    assert set(session.scalars(select(Account.listing_status).distinct())) == {
        "listed", "unlisted", "non_published",
    }  # fmt: skip
    # 222(h)(3): only published listings are subscriber list information, and only they are stored.
    published = select(SubscriberListEntry.account_id).join(
        Account, Account.id == SubscriberListEntry.account_id
    )
    assert session.scalars(published.where(Account.listing_status != "listed")).all() == []
    assert (
        len(session.scalars(published.where(Account.listing_status == "listed")).all()) == seeded.listings > 0
    )
    employees = {e.username: e for e in session.scalars(select(Employee))}
    assert {e.role for e in employees.values()} == set(Role) - {Role.INTEGRATION}
    for credential in seeded.credentials:
        if credential.username is not None:
            assert container.passwords.verify(
                employees[credential.username].password_hash, credential.password
            )


def test_the_demo_runs_a_breach_and_an_approved_campaign_through_the_real_services(container, seeded):
    with container.unit_of_work() as uow:
        [breach] = uow.breaches.listing()
        [campaign] = uow.campaigns.listing()
        [audience] = uow.campaigns.audiences(campaign.id)
        steps = [(step.action, step.actor) for step in uow.campaigns.review_steps(campaign.id)]
        affected = uow.breaches.affected_count(breach.id)
        grounds = {(str(m.need), str(m.approval)) for m in uow.campaigns.audience_members(audience.id)}

    assert (breach.reference, affected) == (seeded.breach_reference, 12)
    assert str(campaign.status) == "approved"
    assert steps[-1] == ("approved", "demo revenue director")
    assert {actor for _, actor in steps[:-1]} == {"demo marketing analyst"}
    assert audience.selected == seeded.campaign_audience > 0
    # 64.2005(a) or approval past its waiting period: never an opted-out customer.
    assert grounds <= {
        ("total_service_approach", "None"),
        ("opt_out_or_opt_in", "opt_out_deemed"),
        ("opt_out_or_opt_in", "opt_in"),
    }


def test_every_printed_token_authenticates_with_its_role(container, seeded):
    assert {c.role for c in seeded.credentials} == set(Role)
    for credential in seeded.credentials:
        holder = authenticate_api_token(token=credential.token, uow_factory=container.unit_of_work)
        assert holder is not None
        assert holder.role is credential.role
        assert (holder.employee_id is None) == (credential.role is Role.INTEGRATION)


def test_seeding_refuses_a_database_that_already_holds_accounts(container, session, seeded):
    tokens_before = count(session, ApiToken)
    with pytest.raises(DemoDataPresentError, match="already holds accounts"):
        seed(container, seed=12)
    assert count(session, Account) == SMALL.accounts
    assert count(session, ApiToken) == tokens_before


def database_digest(url: str) -> str:
    """SHA-256 over every row of every table, secrets left out, in key order."""
    engine = build_engine(url)
    digest = hashlib.sha256()
    try:
        with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                columns = [c for c in table.columns if c.name not in SECRET_COLUMNS]
                for row in connection.execute(select(*columns).order_by(*table.primary_key.columns)):
                    digest.update(repr(tuple(row)).encode())
    finally:
        engine.dispose()
    return digest.hexdigest()


def seed_fresh(url: str, seed_value: int) -> str:
    engine = build_engine(url)
    container = Container(
        settings=make_settings(url),
        engine=engine,
        sessions=session_factory(engine),
        clock=AdjustableClock(TEST_NOW),
    )
    try:
        seed(container, seed=seed_value)
    finally:
        container.dispose()
    return database_digest(url)


def test_the_same_seed_gives_identical_databases(databases):
    first, second, third = databases.create(), databases.create(), databases.create()
    assert seed_fresh(first, 2026) == seed_fresh(second, 2026)
    assert seed_fresh(third, 2027) != database_digest(first)


def run_demo(
    environment: dict[str, str], *arguments: str, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from cpniguard.cli.demo import app; app()", *arguments]
    return subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=timeout, check=False
    )


def printed_tokens(output: str) -> dict[str, str]:
    """Role -> token, read from the credentials table as printed."""
    found = {}
    for line in output.splitlines():
        if (token := TOKEN.search(line)) is not None and "Bearer" not in line:
            role = next(r for r in sorted(Role, key=len, reverse=True) if f" {r.value} " in line)
            found[role.value] = token.group()
    return found


def test_the_demo_seeds_a_full_carrier_through_the_cli_then_serves_it(
    cli_environment, fresh_database_url, tmp_path
):
    started = time.perf_counter()
    result = run_demo(cli_environment, "--no-serve", "--data-dir", str(tmp_path / "data"))
    elapsed = time.perf_counter() - started
    print(f"full-scale demo seed through the CLI: {elapsed:.1f} s")  # noqa: T201  (reported by the task)
    assert result.returncode == 0, result.stderr
    assert elapsed < FULL_SCALE_LIMIT_SECONDS
    engine = build_engine(fresh_database_url)
    with engine.connect() as connection:
        accounts = connection.scalar(select(func.count()).select_from(Account))
        records = connection.scalar(select(func.count()).select_from(CallDetailRecord))
    engine.dispose()
    assert accounts >= 1_000
    assert records >= 100_000
    tokens = printed_tokens(result.stdout)
    assert set(tokens) == {r.value for r in Role}
    again = run_demo(cli_environment, "--no-serve")
    assert again.returncode == 0, again.stderr
    assert "already there" in again.stdout
    serve_the_seeded_demo(cli_environment, tokens, tmp_path / "server.log")


def serve_the_seeded_demo(environment: dict[str, str], tokens: dict[str, str], log_path: Path) -> None:
    """Without --no-serve, an already seeded database is served as it is."""
    port = free_port()
    command = [sys.executable, "-c", "from cpniguard.cli.demo import app; app()", "--port", str(port)]
    with (
        log_path.open("w") as log,
        subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT) as server,
    ):
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_healthy(base_url, server, log_path)
            answer = httpx.get(
                f"{base_url}/api/v1/me", headers={"Authorization": f"Bearer {tokens['auditor']}"}
            )
            assert answer.status_code == 200
            assert answer.json()["role"] == "auditor"
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    assert "already there" in log_path.read_text()


@pytest.fixture
def small_demo(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI in this process, seeding a small carrier."""
    monkeypatch.setattr(demo_cli, "DEMO_SCALE", SMALL)
    return CliRunner()


def embedded_environment(data_dir: Path | None = None) -> dict[str, str | None]:
    """No database URL: the demo makes its SQLite file in the data folder."""
    return {
        "CPNIGUARD_DATABASE__URL": None,
        "CPNIGUARD_DATA_DIR": None if data_dir is None else str(data_dir),
        "CPNIGUARD_ENVIRONMENT": "test",
        "CPNIGUARD_SECURITY__SIGNING_KEY": TEST_SIGNING_KEY,
        "CPNIGUARD_SECURITY__ENCRYPTION_KEY": TEST_SECRET,
        "CPNIGUARD_GATEWAY__AUTH_TOKEN": TEST_SECRET,
        "COLUMNS": "300",  # so that Rich does not break a long path across lines
    }


def test_the_demo_makes_its_sqlite_file_in_the_data_folder_and_prints_how_to_sign_in(small_demo, tmp_path):
    data_dir = tmp_path / "nested" / "data"
    arguments = ["--no-serve", "--data-dir", str(data_dir), "--host", "localhost"]
    result = small_demo.invoke(demo_cli.app, arguments, env=embedded_environment())
    assert result.exit_code == 0, result.output
    assert (data_dir / "cpniguard.sqlite3").is_file()
    assert "40 accounts" in result.stdout
    assert len(printed_tokens(result.stdout)) == len(Role)
    assert 'curl -H "Authorization: Bearer cpg_' in result.stdout
    again = small_demo.invoke(demo_cli.app, ["--no-serve"], env=embedded_environment(data_dir))
    assert again.exit_code == 0, again.output
    assert "already there" in again.stdout


def plain(output: str) -> str:
    """The words of `output`, without the box Rich draws around errors."""
    return " ".join(output.replace("│", " ").split())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--seed", "many"], "Invalid value for '--seed': Input should be a valid integer"),
        (["--seed", "-1"], "Invalid value for '--seed': Input should be greater than or equal to 0"),
        (["--port", "0"], "Invalid value for '--port': Input should be greater than or equal to 1"),
        (["--host", "not a host!"], "'not a host!' is neither an IP address nor a host name"),
    ],
)
def test_the_demo_refuses_bad_options_before_touching_anything(small_demo, tmp_path, arguments, message):
    data_dir = tmp_path / "data"
    result = small_demo.invoke(
        demo_cli.app, ["--no-serve", "--data-dir", str(data_dir), *arguments], env=embedded_environment()
    )
    assert result.exit_code == 2
    assert message in plain(result.output)
    assert not data_dir.exists()


def test_the_demo_refuses_a_data_dir_that_is_a_file(small_demo, tmp_path):
    afile = tmp_path / "not-a-folder"
    afile.write_text("x")
    result = small_demo.invoke(
        demo_cli.app, ["--no-serve", "--data-dir", str(afile)], env=embedded_environment()
    )
    assert result.exit_code == 2
    assert (
        f"Invalid value for '--data-dir' (env var: 'CPNIGUARD_DATA_DIR'): dir '{afile}' is a file"
        in plain(result.output)
    )
    beneath = small_demo.invoke(
        demo_cli.app, ["--no-serve", "--data-dir", str(afile / "data")], env=embedded_environment()
    )
    assert beneath.exit_code == 2
    assert f"--data-dir: cannot create {afile / 'data'}: Not a directory" in plain(beneath.output)
    assert afile.read_text() == "x"


def test_the_demo_never_runs_against_a_production_configuration(
    small_demo, cli_environment, fresh_database_url
):
    environment = {**cli_environment, "CPNIGUARD_ENVIRONMENT": "production"}
    result = small_demo.invoke(demo_cli.app, ["--no-serve"], env=environment)
    assert result.exit_code == 3
    assert "never runs in production" in result.output
    engine = build_engine(fresh_database_url)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Account)) == 0
    engine.dispose()


def test_the_demo_says_so_when_the_database_cannot_be_reached(small_demo, cli_environment):
    environment = {
        **cli_environment,
        "CPNIGUARD_DATABASE__URL": "postgresql+psycopg://demo@127.0.0.1:1/nowhere",
    }
    result = small_demo.invoke(demo_cli.app, ["--no-serve"], env=environment)
    assert result.exit_code == 3
    assert "cannot reach the database at postgresql+psycopg://demo@127.0.0.1:1/nowhere" in result.output


def test_the_demo_explains_a_bad_setting(small_demo, cli_environment):
    result = small_demo.invoke(
        demo_cli.app, ["--no-serve"], env={**cli_environment, "CPNIGUARD_ENVIRONMENT": "staging"}
    )
    assert result.exit_code == 3
    assert "configuration error environment: Input should be 'development', 'test' or 'production'" in plain(
        result.output
    )
