"""Benchmark consent: who may be marketed to, over the projection, against raw SQL (issue 5).

    .venv/bin/python bench/consent.py                  # 1,000,000 customers on PostgreSQL, 100,000 on SQLite
    .venv/bin/python bench/consent.py --customers 200000 --no-postgres

Eligibility is `SqlConsentLedger.eligible_accounts` against one raw SQL query of the same
eligibility, measured in the same run on the same rows; derivation is `consent_timeline` for one
customer with 1,000 events against sorting those events. The last line printed is one JSON
object. See bench/README.md.

One module past the 400-line guide on purpose: the data, the load and both sides of every
measurement are read together when judging what the figures mean.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import json
import multiprocessing
import operator
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import make_url
from sqlalchemy.orm import Session

from cpniguard.adapters.db.consent import SqlConsentLedger, segment_problems
from cpniguard.adapters.db.engine import build_engine
from cpniguard.adapters.db.types import sqlite_utc_text
from cpniguard.domain.consent import ConsentSegment, consent_timeline, standing_at
from cpniguard.domain.consent_events import (
    ConsentEvent,
    ConsentEventKind,
    ConsentProof,
    ConsentScope,
    ConsentSource,
    NoticeMedium,
    event_problems,
)
from cpniguard.domain.disclosure_request import Approval, RecipientClass
from scratch_databases import DEFAULT_POSTGRES_URL, SQLITE_PRAGMAS, fresh_database, libpq_url

AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
"""The campaign's instant: every audience is asked for as of then; every event is older."""
TARGET_SECONDS = 1.0
TARGET_CUSTOMERS = 1_000_000
"""Issue 5: eligibility over 1,000,000 customers in under a second on PostgreSQL."""
VERSION = "bench-2024"
PARTNERS = ("Acme Mobile", "Northwind Offers", "Globex Media")
CARRIER = ConsentScope(RecipientClass.CARRIER)
AFFILIATE = ConsentScope(RecipientClass.AFFILIATE)
THIRD_PARTY = ConsentScope(RecipientClass.THIRD_PARTY)
PARTNER = ConsentScope(RecipientClass.THIRD_PARTY, PARTNERS[0])
AUDIENCES = {
    "carrier": (CARRIER, frozenset({Approval.OPT_OUT_DEEMED, Approval.OPT_IN})),
    "partner": (PARTNER, frozenset({Approval.OPT_IN})),
}
"""The measured audiences: the carrier's own marketing, and one named partner's (64.2007(b))."""
EVENT_IDS_PER_ACCOUNT = 8
"""Account n's events take ids from 8n, so every chunk of accounts numbers its events alone."""
CHUNK_ACCOUNTS = 10_000
SAMPLE_ACCOUNTS = 1_000
DERIVATION_EVENTS = 1_000
DERIVATION_RUNS = 50

ACCOUNT_COLUMNS = (
    "id, account_number, kind, language, status, account_holder_name, has_dedicated_representative, "
    "has_cpni_contract, opened_at, listing_status"
)
EVENT_COLUMNS = (
    "id, account_id, kind, occurred_at, recorded_at, recorded_by, scope, notice_version, notice_medium, "
    "waiting_period_days, source, proof, recording_reference, refers_to"
)
STATE_COLUMNS = "account_id, recipient_class, partner, approval, valid_from, valid_until, basis_event_id"

# ------------------------------------------------------------------ the histories


@dataclass
class History:
    """One customer's ledger being written, oldest event first, with ids in ledger order."""

    first_id: int
    rng: random.Random
    events: list[ConsentEvent] = field(default_factory=list)

    def add(self, kind: ConsentEventKind, days_ago: float, **fields: Any) -> int:  # noqa: ANN401
        """Append an event that happened `days_ago` before the campaign's instant; its id."""
        event_id = self.first_id + len(self.events)
        occurred = AT - timedelta(days=days_ago)
        recorded = occurred + timedelta(minutes=self.rng.randrange(1, 180))
        self.events.append(ConsentEvent(kind, occurred, min(recorded, AT), "bench", event_id, **fields))
        return event_id

    def notice(self, days_ago: float, medium: NoticeMedium | None = None) -> int:
        """A CPNI notice (64.2008(d)): by email twice as often as by mail."""
        medium = medium or self.rng.choice((NoticeMedium.EMAIL, NoticeMedium.EMAIL, NoticeMedium.MAIL))
        return self.add(
            ConsentEventKind.NOTICE_SENT,
            days_ago,
            notice_version=VERSION,
            notice_medium=medium,
            waiting_period_days=30,
        )

    def decide(self, kind: ConsentEventKind, days_ago: float, *scope: ConsentScope) -> int:
        """An opt-out, opt-in or revocation, arriving by any of the free paths."""
        source = self.rng.choice(tuple(ConsentSource))
        if kind is not ConsentEventKind.OPTED_IN:
            return self.add(kind, days_ago, scope=scope, source=source)
        if self.rng.random() < 0.1:
            proof, recording = ConsentProof.ORAL, f"rec-{self.first_id}-{len(self.events)}"
        else:
            proof, recording = self.rng.choice((ConsentProof.WRITTEN, ConsentProof.ELECTRONIC)), None
        return self.add(
            kind, days_ago, scope=scope, source=source, proof=proof, recording_reference=recording
        )


def deemed(history: History) -> None:
    """One notice 40-700 days ago; one in five renoticed before the first lapsed."""
    days = history.rng.uniform(40, 700)
    if history.rng.random() < 0.2:
        history.notice(days + history.rng.uniform(600, 725))
    history.notice(days)


def waiting(history: History) -> None:
    """A notice under 30 days old: approval is not deemed yet."""
    history.notice(history.rng.uniform(0.5, 29))


def lapsed(history: History) -> None:
    """A notice over two years old, never renewed."""
    history.notice(history.rng.uniform(731, 1500))


def bounced(history: History) -> None:
    """An email notice that came back; half are resent by mail."""
    days = history.rng.uniform(20, 600)
    sent = history.notice(days, NoticeMedium.EMAIL)
    history.add(ConsentEventKind.NOTICE_BOUNCED, days - history.rng.uniform(0.1, 3), refers_to=sent)
    if history.rng.random() < 0.5:
        history.notice(days - history.rng.uniform(4, 15), NoticeMedium.MAIL)


def opted_out(history: History) -> None:
    """Noticed, then opted out of everything; three in ten opted in again for the carrier."""
    days = history.rng.uniform(40, 900)
    history.notice(days)
    out = history.rng.uniform(2, days - 1)
    history.decide(ConsentEventKind.OPTED_OUT, out)
    if history.rng.random() < 0.3:
        scope = history.rng.choice(((CARRIER,), (CARRIER, AFFILIATE)))
        history.decide(ConsentEventKind.OPTED_IN, history.rng.uniform(0.5, out - 1), *scope)


def opted_in(history: History) -> None:
    """Noticed, then opted in for third parties or named partners; some refuse another partner."""
    days = history.rng.uniform(40, 700)
    history.notice(days)
    scope = history.rng.choice(
        (
            (THIRD_PARTY,),
            (PARTNER,),
            (ConsentScope(RecipientClass.THIRD_PARTY, PARTNERS[1]),),
            (PARTNER, AFFILIATE),
        )
    )
    decided = history.rng.uniform(2, days - 1)
    history.decide(ConsentEventKind.OPTED_IN, decided, *scope)
    if history.rng.random() < 0.2:
        refused = ConsentScope(RecipientClass.THIRD_PARTY, history.rng.choice(PARTNERS))
        history.decide(ConsentEventKind.OPTED_OUT, history.rng.uniform(0.5, decided - 1), refused)


def revoked(history: History) -> None:
    """Noticed, opted in, then revoked the opt-in (64.2007(a)(2))."""
    days = history.rng.uniform(100, 900)
    history.notice(days)
    scope = history.rng.choice((CARRIER, THIRD_PARTY, PARTNER))
    decided = history.rng.uniform(10, days - 1)
    history.decide(ConsentEventKind.OPTED_IN, decided, scope)
    history.decide(ConsentEventKind.REVOKED, history.rng.uniform(1, decided - 1), scope)


def nothing(history: History) -> None:
    """No written notice yet; one in four was told orally, which never starts the waiting period."""
    if history.rng.random() < 0.25:
        history.notice(history.rng.uniform(1, 600), NoticeMedium.ORAL)


PROFILES: tuple[tuple[Callable[[History], None], float], ...] = (
    (deemed, 55),
    (waiting, 10),
    (lapsed, 8),
    (bounced, 5),
    (opted_out, 10),
    (opted_in, 5),
    (revoked, 2),
    (nothing, 5),
)
"""Percent of customers with each kind of history."""


def customer_history(account_id: int, rng: random.Random) -> list[ConsentEvent]:
    """A customer's ledger, drawn from PROFILES."""
    history = History(account_id * EVENT_IDS_PER_ACCOUNT, rng)
    profile = rng.choices([p for p, _ in PROFILES], weights=[w for _, w in PROFILES])[0]
    profile(history)
    return history.events


def chunk_rng(seed: int, chunk: int) -> random.Random:
    """The generator of one chunk of accounts: the same seed gives the same customers, in any process."""
    return random.Random(f"{seed}:{chunk}")


# ------------------------------------------------------------------ derivation and rows


@dataclass(frozen=True)
class Chunk:
    """Rows for one chunk of customers, ready for the driver."""

    customers: int
    events: list[tuple[Any, ...]]
    states: list[tuple[Any, ...]]


def derive_chunk(job: tuple[str, int, int, int, int]) -> Chunk:
    """Draw a chunk's ledgers and derive their projection with cpniguard's own consent_timeline."""
    engine, seed, chunk, first, last = job
    instant = instant_format(engine)
    rng = chunk_rng(seed, chunk)
    events: list[tuple[Any, ...]] = []
    states: list[tuple[Any, ...]] = []
    for account_id in range(first, last):
        ledger = customer_history(account_id, rng)
        segments = consent_timeline(ledger)
        refuse_inadmissible(account_id, ledger, segments)
        events.extend(event_row(account_id, event, instant) for event in ledger)
        states.extend(state_row(account_id, segment, instant) for segment in segments)
    return Chunk(last - first, events, states)


def refuse_inadmissible(account_id: int, ledger: list[ConsentEvent], segments: list[ConsentSegment]) -> None:
    """Stop on any event the ledger would refuse or span the projection could not store."""
    problems = [p for event in ledger for p in event_problems(event)] + segment_problems(segments)
    if problems:
        raise AssertionError(f"account {account_id}: the synthetic history is not admissible: {problems}")


def instant_format(engine: str) -> Callable[[datetime], str]:
    """How an instant is written: UtcDateTime's text on SQLite, ISO 8601 with offset for COPY."""
    return sqlite_utc_text if engine == "sqlite" else datetime.isoformat


def event_row(account_id: int, event: ConsentEvent, instant: Callable[[datetime], str]) -> tuple[Any, ...]:
    """The consent_events row, in EVENT_COLUMNS order."""
    scope = json.dumps([[str(s.recipient), s.partner] for s in event.scope])
    return (
        event.id,
        account_id,
        str(event.kind),
        instant(event.occurred_at),
        instant(event.recorded_at),
        event.recorded_by,
        scope,
        event.notice_version,
        _text(event.notice_medium),
        event.waiting_period_days,
        _text(event.source),
        _text(event.proof),
        event.recording_reference,
        event.refers_to,
    )


def state_row(
    account_id: int, segment: ConsentSegment, instant: Callable[[datetime], str]
) -> tuple[Any, ...]:
    """The consent_states row, in STATE_COLUMNS order."""
    until = None if segment.valid_until is None else instant(segment.valid_until)
    return (
        account_id,
        str(segment.scope.recipient),
        segment.scope.partner,
        str(segment.approval),
        instant(segment.valid_from),
        until,
        segment.basis_event_id,
    )


def _text(value: object | None) -> str | None:
    return None if value is None else str(value)


# ------------------------------------------------------------------ loading


@dataclass(frozen=True)
class Loaded:
    """What a load wrote, and how long it took (not a measured figure)."""

    customers: int
    events: int
    states: int
    seconds: float


Write = Callable[[str, str, Iterable[tuple[Any, ...]]], None]


@contextlib.contextmanager
def raw_connection(url: str) -> Iterator[Any]:
    """The driver's own connection, configured as cpniguard's engine configures SQLite."""
    connection: Any
    if make_url(url).get_backend_name() == "sqlite":
        connection = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        for pragma in SQLITE_PRAGMAS:
            connection.execute(f"PRAGMA {pragma}")
    else:
        connection = psycopg.connect(libpq_url(url))
    try:
        yield connection
    finally:
        connection.close()


@contextlib.contextmanager
def bulk_writer(url: str) -> Iterator[Write]:
    """One transaction of set-based writes (COPY, executemany), then VACUUM ANALYZE on PostgreSQL."""
    with raw_connection(url) as connection:
        if isinstance(connection, sqlite3.Connection):
            connection.execute("BEGIN")
            yield functools.partial(_insert_rows, connection)
            connection.execute("COMMIT")
            return
        yield functools.partial(_copy_rows, connection)
        connection.commit()
        connection.autocommit = True
        for table in ("consent_events", "consent_states"):  # what autovacuum does after a bulk insert
            connection.execute(f"VACUUM ANALYZE {table}")


def _insert_rows(
    connection: sqlite3.Connection, table: str, columns: str, rows: Iterable[tuple[Any, ...]]
) -> None:
    markers = ", ".join("?" * len(columns.split(",")))
    connection.executemany(f"INSERT INTO {table} ({columns}) VALUES ({markers})", rows)


def _copy_rows(
    connection: psycopg.Connection[Any], table: str, columns: str, rows: Iterable[tuple[Any, ...]]
) -> None:
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as stream:
        for row in rows:
            stream.write_row(row)


def load_customers(url: str, customers: int, seed: int, workers: int) -> Loaded:
    """Write the notice version, the accounts, their ledgers and their projections."""
    engine = "sqlite" if make_url(url).get_backend_name() == "sqlite" else "postgresql"
    instant = instant_format(engine)
    jobs = [
        (engine, seed, chunk, first, min(first + CHUNK_ACCOUNTS, customers + 1))
        for chunk, first in enumerate(range(1, customers + 1, CHUNK_ACCOUNTS))
    ]
    started = time.perf_counter()
    events = states = 0
    with bulk_writer(url) as write, derived(jobs, workers) as chunks:
        version = (VERSION, 30, json.dumps({"en": {"subject": "Your privacy choices"}}), instant(AT), "bench")
        write(
            "consent_notice_versions",
            "version, waiting_period_days, texts, created_at, created_by",
            [version],
        )
        write("accounts", ACCOUNT_COLUMNS, account_rows(customers, instant))
        for number, chunk in enumerate(chunks, start=1):
            write("consent_events", EVENT_COLUMNS, chunk.events)
            write("consent_states", STATE_COLUMNS, chunk.states)
            events, states = events + len(chunk.events), states + len(chunk.states)
            if number % max(1, len(jobs) // 10) == 0 or number == len(jobs):
                done = min(number * CHUNK_ACCOUNTS, customers)
                seconds = time.perf_counter() - started
                print(
                    f"  {engine}: {done:,} / {customers:,} customers loaded, {seconds:.0f} s", file=sys.stderr
                )
    return Loaded(customers, events, states, time.perf_counter() - started)


@contextlib.contextmanager
def derived(jobs: Sequence[tuple[str, int, int, int, int]], workers: int) -> Iterator[Iterator[Chunk]]:
    """The chunks in order, derived in `workers` processes (in this one when 1)."""
    if workers <= 1:
        yield map(derive_chunk, jobs)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield pool.imap(derive_chunk, jobs)


def account_rows(customers: int, instant: Callable[[datetime], str]) -> Iterator[tuple[Any, ...]]:
    """The synthetic accounts 1..customers, in ACCOUNT_COLUMNS order."""
    opened = instant(datetime(2020, 1, 1, tzinfo=UTC))
    for number in range(1, customers + 1):
        kind = "business" if number % 10 == 0 else "residential"
        yield (
            number,
            f"C{number:09d}",
            kind,
            "en",
            "active",
            f"Synthetic Customer {number}",
            False,
            False,
            opened,
            "non_published",
        )


# ------------------------------------------------------------------ eligibility: cpniguard and raw


def cpniguard_eligibility(engine: Any, name: str) -> tuple[float, list[int]]:  # noqa: ANN401
    """Seconds and keys of SqlConsentLedger.eligible_accounts, in a session of its own."""
    scope, approvals = AUDIENCES[name]
    started = time.perf_counter()
    with Session(engine) as session:
        keys = list(SqlConsentLedger(session).eligible_accounts(scope, approvals, AT))
    return time.perf_counter() - started, keys


def raw_sql(name: str, marker: str) -> tuple[str, list[Any]]:
    """The same eligibility as one hand-written query, with its parameters (no instant yet)."""
    scope, approvals = AUDIENCES[name]
    approved = ", ".join([marker] * len(approvals))
    holding = (
        f"recipient_class = {marker} AND partner = {marker} AND approval IN ({approved}) "
        f"AND valid_from <= {marker} AND (valid_until IS NULL OR valid_until > {marker})"
    )
    own = [str(scope.recipient), scope.partner, *sorted(approvals), AT, AT]
    if not scope.partner:
        return f"SELECT account_id FROM consent_states WHERE {holding} ORDER BY account_id", own
    class_wide = [str(scope.recipient), "", *sorted(approvals), AT, AT, scope.partner]
    sql = (
        f"SELECT account_id FROM (SELECT account_id FROM consent_states WHERE {holding} "
        f"UNION ALL SELECT account_id FROM consent_states AS s WHERE {holding} AND NOT EXISTS ("
        "SELECT 1 FROM consent_states AS p WHERE p.account_id = s.account_id "
        f"AND p.recipient_class = s.recipient_class AND p.partner = {marker})"
        ") AS audience ORDER BY account_id"
    )
    return sql, own + class_wide


def raw_eligibility(connection: Any, name: str) -> tuple[float, list[int]]:  # noqa: ANN401
    """Seconds and keys of the raw query, fetched whole by the driver and made a list of keys."""
    sqlite = isinstance(connection, sqlite3.Connection)
    sql, parameters = raw_sql(name, "?" if sqlite else "%s")
    if sqlite:
        parameters = [sqlite_utc_text(p) if isinstance(p, datetime) else p for p in parameters]
    started = time.perf_counter()
    keys = [key for (key,) in connection.execute(sql, parameters).fetchall()]
    if not sqlite:
        connection.rollback()
    return time.perf_counter() - started, keys


@dataclass
class Audience:
    """One audience's best time per side, and the keys both sides returned."""

    keys: list[int]
    seconds: dict[str, float]


def measure_eligibility(url: str, rounds: int) -> dict[str, Audience]:
    """Best of `rounds` per side and audience; sides take turns going first; both must agree."""
    engine = build_engine(url)
    audiences: dict[str, Audience] = {}
    try:
        with raw_connection(url) as connection:
            sides = {
                "cpniguard": lambda name: cpniguard_eligibility(engine, name),
                "raw": lambda name: raw_eligibility(connection, name),
            }
            for name in AUDIENCES:
                audiences[name] = best_of(sides, name, rounds)
    finally:
        engine.dispose()
    return audiences


def best_of(sides: dict[str, Callable[[str], tuple[float, list[int]]]], name: str, rounds: int) -> Audience:
    """Run each side `rounds` times in alternating order; stop unless every run returns the same keys."""
    times: dict[str, list[float]] = {side: [] for side in sides}
    first: list[int] | None = None
    for attempt in range(rounds):
        order = list(sides)[attempt % 2 :] + list(sides)[: attempt % 2]
        for side in order:
            seconds, keys = sides[side](name)
            times[side].append(seconds)
            first = keys if first is None else first
            if keys != first:
                missing, extra = len(set(first) - set(keys)), len(set(keys) - set(first))
                raise AssertionError(
                    f"{name}: {side} disagrees with the first answer: {missing:,} accounts missing, "
                    f"{extra:,} extra, {len(keys):,} returned"
                )
    return Audience(first or [], {side: min(seconds) for side, seconds in times.items()})


# ------------------------------------------------------------------ the projection against the ledger


def projected_approval(segments: Sequence[ConsentSegment], scope: ConsentScope, at: datetime) -> Approval:
    """The approval the projection holds for `scope` at `at`: a partner's own spans, else its class's."""
    own = [s for s in segments if s.scope == scope]
    if scope.partner and not own:
        own = [s for s in segments if s.scope == ConsentScope(scope.recipient)]
    return next((s.approval for s in own if s.covers(at)), Approval.NONE)


def check_sample(url: str, customers: int, seed: int, audiences: dict[str, Audience]) -> int:
    """Compare the projection and the audiences with standing_at over the ledger, for sampled accounts."""
    accounts = random.Random(seed).sample(range(1, customers + 1), min(SAMPLE_ACCOUNTS, customers))
    members = {name: set(audience.keys) for name, audience in audiences.items()}
    wrong = []
    engine = build_engine(url)
    with Session(engine) as session:
        ledger = SqlConsentLedger(session)
        for account in accounts:
            events, segments = ledger.events(account), ledger.projection(account)
            for name, (scope, approvals) in AUDIENCES.items():
                standing = standing_at(events, scope, AT).approval
                projected = projected_approval(segments, scope, AT)
                if projected is not standing or (account in members[name]) != (standing in approvals):
                    wrong.append(f"account {account}, {scope}: ledger {standing}, projection {projected}")
    engine.dispose()
    if wrong:
        raise AssertionError(f"{len(wrong)} sampled accounts disagree with their ledger: {wrong[:5]}")
    return len(accounts)


# ------------------------------------------------------------------ derivation of one long history


def long_history(seed: int) -> list[ConsentEvent]:
    """One customer's 1,000 mixed events over about ten years, in ledger order."""
    history = History(1, random.Random(f"{seed}:long"))
    partners = [ConsentScope(RecipientClass.THIRD_PARTY, f"Partner {n}") for n in range(12)]
    scopes = [CARRIER, AFFILIATE, THIRD_PARTY, ConsentScope(RecipientClass.JOINT_VENTURE_PARTNER), *partners]
    emails: list[int] = []
    for days in sorted((history.rng.uniform(1, 3650) for _ in range(DERIVATION_EVENTS)), reverse=True):
        roll = history.rng.random()
        if roll < 0.35 or (roll < 0.43 and not emails):
            medium = history.rng.choice(tuple(NoticeMedium))
            sent = history.notice(days, medium)
            emails += [sent] if medium is NoticeMedium.EMAIL else []
        elif roll < 0.43:
            history.add(ConsentEventKind.NOTICE_BOUNCED, days, refers_to=emails.pop())
        elif roll < 0.85:
            kind = history.rng.choice(
                (ConsentEventKind.OPTED_OUT, ConsentEventKind.OPTED_IN, ConsentEventKind.REVOKED)
            )
            history.decide(kind, days, *history.rng.sample(scopes, history.rng.randrange(1, 3)))
        else:
            scope = history.rng.choice(scopes)
            history.add(
                ConsentEventKind.ONE_TIME_CONSENT, days, scope=(scope,), interaction_id=len(history.events)
            )
    return history.events


def median_ms(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median milliseconds of each call over `repeats` runs, taking turns, the collector paused."""
    times: dict[str, list[int]] = {name: [] for name in runs}
    gc.disable()
    try:
        for attempt in range(repeats):
            names = list(runs)[attempt % len(runs) :] + list(runs)[: attempt % len(runs)]
            for name in names:
                started = time.perf_counter_ns()
                runs[name]()
                times[name].append(time.perf_counter_ns() - started)
    finally:
        gc.enable()
    return {name: round(statistics.median(ns) / 1e6, 3) for name, ns in times.items()}


def measure_derivation(seed: int) -> dict[str, Any]:
    """consent_timeline and standing_at over one long ledger, against sorting it into ledger order."""
    events = long_history(seed)
    if problems := [p for event in events for p in event_problems(event)]:
        raise AssertionError(f"the long history is not admissible: {problems[:3]}")
    ledger_order = operator.attrgetter("occurred_at", "id")
    medians = median_ms(
        {
            "timeline_ms": lambda: consent_timeline(events),
            "standing_ms": lambda: standing_at(events, CARRIER, AT),
            "sort_baseline_ms": lambda: sorted(events, key=ledger_order),
        },
        DERIVATION_RUNS,
    )
    ratio = round(medians["timeline_ms"] / medians["sort_baseline_ms"], 1)
    return {
        "events": len(events),
        **medians,
        "timeline_vs_sort_ratio": ratio,
        "segments": len(consent_timeline(events)),
    }


# ------------------------------------------------------------------ the run


def measure_engine(
    url: str, customers: int, args: argparse.Namespace
) -> tuple[dict[str, Any], dict[str, int]]:
    """Load `customers` into the fresh database at `url`, check them, and time both audiences."""
    loaded = load_customers(url, customers, args.seed, args.workers)
    audiences = measure_eligibility(url, args.rounds)
    sampled = check_sample(url, customers, args.seed, audiences)
    carrier, partner = audiences["carrier"].seconds, audiences["partner"].seconds
    figures = {
        "cpniguard_eligibility_s": round(carrier["cpniguard"], 4),
        "raw_eligibility_s": round(carrier["raw"], 4),
        "eligibility_ratio": round(carrier["cpniguard"] / carrier["raw"], 3),
        "partner_cpniguard_eligibility_s": round(partner["cpniguard"], 4),
        "partner_raw_eligibility_s": round(partner["raw"], 4),
        "partner_eligibility_ratio": round(partner["cpniguard"] / partner["raw"], 3),
        "meets_target": carrier["cpniguard"] < TARGET_SECONDS if customers >= TARGET_CUSTOMERS else None,
        "events": loaded.events,
        "projection_rows": loaded.states,
        "sampled_accounts_checked": sampled,
        "load_s": round(loaded.seconds, 1),
    }
    return figures, {name: len(audience.keys) for name, audience in audiences.items()}


def summary(engine: str, customers: int, figures: dict[str, Any], eligible: dict[str, int]) -> str:
    """One readable line of an engine's figures."""
    return (
        f"{engine}, {customers:,} customers ({figures['events']:,} events, {figures['projection_rows']:,} "
        f"spans, loaded in {figures['load_s']} s): carrier audience {eligible['carrier']:,} accounts, "
        f"cpniguard {figures['cpniguard_eligibility_s']} s, raw {figures['raw_eligibility_s']} s "
        f"(ratio {figures['eligibility_ratio']}); partner audience {eligible['partner']:,}, cpniguard "
        f"{figures['partner_cpniguard_eligibility_s']} s, raw {figures['partner_raw_eligibility_s']} s "
        f"(ratio {figures['partner_eligibility_ratio']}); {figures['sampled_accounts_checked']} sampled "
        "accounts agree with their ledger"
    )


def parse_arguments(
    argv: Sequence[str] | None = None, description: str | None = __doc__
) -> argparse.Namespace:
    """The command line; bench/audience.py takes the same one with its own description."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers on PostgreSQL")
    parser.add_argument("--sqlite-customers", type=int, default=100_000, help="customers on SQLite (0: skip)")
    parser.add_argument(
        "--postgres-url", default=DEFAULT_POSTGRES_URL, help="server for the temporary database"
    )
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the synthetic customers")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per side (the best is kept)")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes deriving consent projections"
    )
    arguments = parser.parse_args(argv)
    if arguments.customers < 1 or arguments.sqlite_customers < 0 or arguments.rounds < 1:
        parser.error("--customers and --rounds must be at least 1, --sqlite-customers at least 0")
    return arguments


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Measure each engine and the derivation, print the figures and then one JSON line."""
    args = parse_arguments(argv)
    engines = {
        "postgresql": None if args.no_postgres else args.customers,
        "sqlite": args.sqlite_customers or None,
    }
    result: dict[str, Any] = {
        "customers": args.customers,
        "sqlite_customers": args.sqlite_customers,
        "seed": args.seed,
    }
    result |= {"at": AT.isoformat(), "eligible": {}}
    with tempfile.TemporaryDirectory(prefix="cpniguard-bench-") as scratch:
        for engine, customers in engines.items():
            if customers is None:
                result[engine] = None
                continue
            with fresh_database(engine, args.postgres_url, Path(scratch)) as url:
                result[engine], result["eligible"][engine] = measure_engine(url, customers, args)
            print(summary(engine, customers, result[engine], result["eligible"][engine]))
    result["derivation"] = measure_derivation(args.seed)
    derivation = result["derivation"]
    print(
        f"derivation of {derivation['events']:,} events: consent_timeline {derivation['timeline_ms']} ms, "
        f"standing_at {derivation['standing_ms']} ms, sort {derivation['sort_baseline_ms']} ms "
        f"(timeline = {derivation['timeline_vs_sort_ratio']} sorts)"
    )
    result["statistic"] = (
        f"eligibility: best of {args.rounds} rounds per side, sides take turns going first; "
        f"derivation: median of {DERIVATION_RUNS} runs"
    )
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    main()
