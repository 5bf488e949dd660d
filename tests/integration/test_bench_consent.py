"""bench/consent.py on a tiny population: its figures, and the checks that make them worth reading (issue 5).

The benchmark stops unless cpniguard's audience equals the raw query's and the projection agrees
with the ledger; these tests run it small on the engine under test and show both checks bite.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.conftest import POSTGRES_URL_VARIABLE, is_postgres

from cpniguard.adapters.db.engine import build_engine
from cpniguard.domain.consent import StandingReason, standing_at
from cpniguard.domain.consent_events import ConsentEventKind, event_problems

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import consent as bench  # noqa: E402

CUSTOMERS = 2_000
SEED = 2026
ENGINE_FIGURES = {
    "cpniguard_eligibility_s",
    "raw_eligibility_s",
    "eligibility_ratio",
    "partner_cpniguard_eligibility_s",
    "partner_raw_eligibility_s",
    "partner_eligibility_ratio",
    "meets_target",
    "events",
    "projection_rows",
    "sampled_accounts_checked",
    "load_s",
}


@pytest.fixture
def loaded_url(fresh_database_url: str) -> str:
    bench.load_customers(fresh_database_url, CUSTOMERS, SEED, workers=1)
    return fresh_database_url


def engine_arguments() -> list[str]:
    if is_postgres():
        return ["--postgres-url", os.environ[POSTGRES_URL_VARIABLE], "--sqlite-customers", "0"]
    return ["--no-postgres", "--sqlite-customers", str(CUSTOMERS)]


def test_the_benchmark_prints_its_figures_last_as_one_json_line(capsys):
    arguments = ["--customers", str(CUSTOMERS), "--rounds", "1", "--workers", "1", *engine_arguments()]

    bench.main(arguments)

    figures = json.loads(capsys.readouterr().out.splitlines()[-1])
    engine = "postgresql" if is_postgres() else "sqlite"
    eligible = figures["eligible"][engine]
    assert figures[engine].keys() == ENGINE_FIGURES
    assert figures["postgresql" if engine == "sqlite" else "sqlite"] is None
    assert figures[engine]["meets_target"] is None  # the target is set at a million customers
    assert figures[engine]["sampled_accounts_checked"] == 1_000
    assert 0.5 * CUSTOMERS < eligible["carrier"] < 0.8 * CUSTOMERS
    assert 0 < eligible["partner"] < 0.1 * CUSTOMERS
    assert figures["derivation"]["events"] == 1_000
    assert figures["derivation"]["timeline_vs_sort_ratio"] > 1
    assert {"customers", "seed", "statistic"} <= figures.keys()


def test_cpniguard_and_the_raw_query_return_the_same_audience_the_ledger_gives(loaded_url):
    with bench.raw_connection(loaded_url) as connection:
        raw = {name: bench.raw_eligibility(connection, name)[1] for name in bench.AUDIENCES}
    engine = build_engine(loaded_url)
    ours = {name: bench.cpniguard_eligibility(engine, name)[1] for name in bench.AUDIENCES}
    engine.dispose()
    audiences = bench.measure_eligibility(loaded_url, rounds=2)

    assert ours == raw == {name: audience.keys for name, audience in audiences.items()}
    assert all(keys == sorted(keys) and keys for keys in ours.values())
    assert bench.check_sample(loaded_url, CUSTOMERS, SEED, audiences) == 1_000


def test_a_raw_query_that_drifts_from_the_projection_stops_the_benchmark(loaded_url, monkeypatch):
    exact = bench.raw_sql

    def ignoring_the_end_of_spans(name: str, marker: str):
        sql, parameters = exact(name, marker)
        return sql.replace("valid_until > ", "valid_until <> "), parameters

    monkeypatch.setattr(bench, "raw_sql", ignoring_the_end_of_spans)

    with pytest.raises(
        AssertionError, match=r"carrier: raw disagrees with the first answer: 0 accounts missing"
    ):
        bench.measure_eligibility(loaded_url, rounds=1)


def test_a_projection_that_drifts_from_its_ledger_stops_the_benchmark(loaded_url):
    engine = build_engine(loaded_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM consent_states WHERE recipient_class = 'carrier'"))
    engine.dispose()
    audiences = bench.measure_eligibility(loaded_url, rounds=1)

    with pytest.raises(
        AssertionError, match=r"sampled accounts disagree with their ledger: \['account \d+, carrier"
    ):
        bench.check_sample(loaded_url, CUSTOMERS, SEED, audiences)


def test_the_same_seed_draws_the_same_customers_and_another_seed_others():
    job = ("sqlite", SEED, 3, 30_001, 30_501)

    assert bench.derive_chunk(job) == bench.derive_chunk(job)
    assert (
        bench.derive_chunk(job).events != bench.derive_chunk(("sqlite", SEED + 1, 3, 30_001, 30_501)).events
    )


def test_the_customers_hold_every_kind_of_carrier_standing():
    rng = bench.chunk_rng(SEED, 0)
    ledgers = [bench.customer_history(account, rng) for account in range(1, CUSTOMERS + 1)]

    reasons = Counter(standing_at(ledger, bench.CARRIER, bench.AT).reason for ledger in ledgers)
    kinds = {event.kind for ledger in ledgers for event in ledger}

    assert set(reasons) == set(StandingReason) - {StandingReason.OPT_IN_REQUIRED}
    assert reasons[StandingReason.DEEMED] > 0.5 * CUSTOMERS
    assert kinds == set(ConsentEventKind) - {ConsentEventKind.ONE_TIME_CONSENT}


def test_the_long_history_is_admissible_and_mixes_every_kind_of_event():
    events = bench.long_history(SEED)

    assert len(events) == 1_000
    assert [problem for event in events for problem in event_problems(event)] == []
    assert {event.kind for event in events} == set(ConsentEventKind)
    assert [event.id for event in events] == sorted(event.id for event in events)


BAD_ARGUMENTS = [
    (["--customers", "0"], "--customers and --rounds must be at least 1"),
    (["--rounds", "0"], "--customers and --rounds must be at least 1"),
    (["--sqlite-customers", "-1"], "--sqlite-customers at least 0"),
    (["--customers", "many"], "argument --customers: invalid int value: 'many'"),
]
"""Command lines both population benchmarks refuse (bench/audience.py shares the parser), and why."""


@pytest.mark.parametrize(("arguments", "message"), BAD_ARGUMENTS)
def test_bad_arguments_are_refused_with_what_is_wrong(arguments, message, capsys):
    with pytest.raises(SystemExit):
        bench.parse_arguments(arguments)

    assert message in capsys.readouterr().err
