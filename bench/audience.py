"""Benchmark campaign audiences: cpniguard's selection and build against raw SQL (issue 7).

    .venv/bin/python bench/audience.py                 # 1,000,000 customers on PostgreSQL, 100,000 on SQLite
    .venv/bin/python bench/audience.py --customers 200000 --no-postgres

Customers and their consent come from bench/consent.py's loader; services, calls and a mix of
account states are added in SQL. Two approved campaigns are built as of bench/consent.py's
instant: the carrier's own (opt-out, total service approach for wireless) and a named partner's
(opt-in, with criteria on services and calls). cpniguard's selection (`count_outcomes`, what
`fill_audience` runs minus storing) and its store build (`SqlCampaignStore.build_audience`) are
measured against hand-written SQL of the same eligibility in the same run, on the same rows;
the service build (one access-log entry per member) is measured on a smaller audience. The last
line printed is one JSON object. See bench/README.md.

One module past the 400-line guide on purpose, like bench/consent.py: the data, both sides of
every measurement and their checks are read together when judging what the figures mean.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import ColumnElement, Engine, String, case, cast, insert, literal, select, update
from sqlalchemy.orm import Session

from consent import AT, load_customers, raw_connection
from consent import parse_arguments as consent_arguments
from cpniguard.adapters.db.campaign_audience import count_outcomes, outcomes_query
from cpniguard.adapters.db.campaigns import SqlCampaignStore
from cpniguard.adapters.db.engine import build_engine
from cpniguard.adapters.db.tables import Account, CallDetailRecord, IngestBatch, Service
from cpniguard.adapters.db.types import UtcDateTime, sqlite_utc_text
from cpniguard.domain.accounts import AccountKind, AccountStatus, Language, ServiceCategory
from cpniguard.domain.campaign_rules import audience_plan
from cpniguard.domain.campaigns import (
    AudienceCriteria,
    Campaign,
    CampaignChannel,
    CampaignDraft,
    CampaignSponsor,
    ExclusionReason,
    Offer,
    OfferCategory,
    ReviewAction,
)
from cpniguard.domain.disclosure_request import ActorKind
from cpniguard.domain.employees import Role
from cpniguard.services.campaign_audiences import build_audience
from cpniguard.services.campaigns import create_campaign, review_campaign, submit_campaign
from cpniguard.services.disclosure import Asker
from raw_baseline import TABLE_COLUMNS as CALL_COLUMNS
from scratch_databases import container_for, fresh_database

TARGET_SECONDS = 1.0
TARGET_CUSTOMERS = 1_000_000
"""Issue 7: an audience over 1,000,000 customers selected in under a second on PostgreSQL; each
audience measured must make it."""
PARTNER = "Acme Mobile"
ANALYST = Asker(kind=ActorKind.EMPLOYEE, role=Role.MARKETING_ANALYST, label="bench.analyst")
SUPERVISOR = Asker(kind=ActorKind.EMPLOYEE, role=Role.SUPERVISOR, label="bench.supervisor")

SERVICE_MIX = (
    (ServiceCategory.LOCAL, "Home phone", 600),
    (ServiceCategory.WIRELESS, "Unlimited wireless", 450),
    (ServiceCategory.INTEREXCHANGE, "Long distance", 300),
    (ServiceCategory.INTERCONNECTED_VOIP, "Business VoIP", 150),
    (ServiceCategory.INTERNATIONAL, "World calling", 60),
)
"""Category, product, and how many accounts in a thousand take it."""
CALL_DAYS_AGO = (2, 9, 23, 41)
"""An account's n-th call was this many days before the campaign's instant; accounts make 0 to 4."""

WIRELESS_OFFER = CampaignDraft(
    name="Wireless for our customers",
    description="Our unlimited wireless plan, offered by email to every customer",
    sponsor=CampaignSponsor.CARRIER,
    channel=CampaignChannel.EMAIL,
    offers=(Offer("Unlimited wireless", OfferCategory.WIRELESS),),
    cpni_fields=("services.category",),
    criteria=AudienceCriteria(),
    starts_on=date(2026, 12, 1),
    ends_on=date(2027, 1, 31),
)
PARTNER_OFFER = CampaignDraft(
    name="Acme handset protection",
    description="Acme Mobile's handset protection, for residential wireless customers who call",
    sponsor=CampaignSponsor.THIRD_PARTY,
    sponsor_name=PARTNER,
    channel=CampaignChannel.EMAIL,
    offers=(Offer("Handset protection", OfferCategory.NON_COMMUNICATIONS),),
    cpni_fields=("services.category", "call_detail_records.started_at"),
    criteria=AudienceCriteria(
        account_kinds=frozenset({AccountKind.RESIDENTIAL}),
        subscribes_to_any=frozenset({ServiceCategory.WIRELESS}),
        subscribes_to_none_of=frozenset({ServiceCategory.INTERNATIONAL}),
        min_calls=2,
        calls_within_days=30,
    ),
    starts_on=date(2026, 12, 1),
    ends_on=date(2027, 1, 31),
)
LOGGED_OFFER = replace(
    WIRELESS_OFFER,
    name="Wireless for business customers",
    criteria=AudienceCriteria(account_kinds=frozenset({AccountKind.BUSINESS})),
)
"""The smaller audience built through the service, which logs each member (a tenth of customers)."""
DRAFTS = {"carrier": WIRELESS_OFFER, "partner": PARTNER_OFFER, "logged": LOGGED_OFFER}

# ------------------------------------------------------------------ the data beyond consent

_ACCOUNTS = Account.__table__.c


def draw(seed: int, salt: int, modulus: int) -> ColumnElement[int]:
    """A number in [0, modulus) fixed by the account key, the seed and `salt`, alike on both engines."""
    return ((_ACCOUNTS.id * 2654435761 + (seed * 1009 + salt) * 40503) % 4294967296) % modulus


def instant(moment: datetime) -> ColumnElement[datetime]:
    """An instant as a typed literal, stored as cpniguard stores instants on either engine."""
    return literal(moment, UtcDateTime())


def vary_accounts(session: Session, seed: int) -> None:
    """2% of accounts closed before the instant, 1% suspended, one in seven written to in French."""
    closed = {"status": AccountStatus.CLOSED, "closed_at": AT - timedelta(days=30)}
    session.execute(update(Account).where(draw(seed, 1, 100) < 2).values(**closed))
    session.execute(update(Account).where(draw(seed, 1, 100) == 2).values(status=AccountStatus.SUSPENDED))
    session.execute(update(Account).where(draw(seed, 2, 7) == 0).values(language=Language.FR))


def add_services(session: Session, seed: int) -> None:
    """SERVICE_MIX's services; of each, 2% start after the instant, 8% ended before it, 3% end after."""
    columns = ["account_id", "category", "product_name", "started_at", "ended_at"]
    for salt, (category, product, per_thousand) in enumerate(SERVICE_MIX, start=10):
        fate = draw(seed, salt + 100, 100)
        started = case((fate < 2, instant(AT + timedelta(days=3))), else_=_ACCOUNTS.opened_at)
        ended = case(
            (fate < 2, literal(None, UtcDateTime())),
            (fate < 10, instant(AT - timedelta(days=40))),
            (fate < 13, instant(AT + timedelta(days=20))),
            else_=literal(None, UtcDateTime()),
        )
        rows = select(_ACCOUNTS.id, literal(str(category)), literal(product), started, ended)
        session.execute(
            insert(Service).from_select(columns, rows.where(draw(seed, salt, 1000) < per_thousand))
        )


def add_calls(session: Session, seed: int) -> None:
    """Half the accounts make no call; the others 1 to 4, the n-th CALL_DAYS_AGO[n-1] days ago."""
    batch = {
        "source_name": "bench",
        "content_sha256": "0" * 64,
        "loaded_by": "bench",
        "started_at": AT,
        "finished_at": AT,
        "rows_read": 0,
        "rows_loaded": 0,
        "duplicates_skipped": 0,
        "rows_rejected": 0,
    }
    batch_id = session.execute(insert(IngestBatch).values(**batch).returning(IngestBatch.id)).scalar_one()
    numbers = select(literal(1).label("n")).cte("numbers", recursive=True)
    numbers = numbers.union_all(select((numbers.c.n + 1).label("n")).where(numbers.c.n < len(CALL_DAYS_AGO)))
    started = case(
        *((numbers.c.n == n, instant(AT - timedelta(days=days))) for n, days in enumerate(CALL_DAYS_AGO, 1))
    )
    record = cast(_ACCOUNTS.id, String) + "-" + cast(numbers.c.n, String)
    rows = select(
        _ACCOUNTS.id,
        literal("bench"),
        record,
        literal("outbound"),
        literal("local"),
        literal("+12025550100"),
        literal("+13125550199"),
        started,
        started,
        literal(60),
        literal(60),
        literal(batch_id),
    ).join_from(Account, numbers, numbers.c.n <= draw(seed, 50, 8) - 3)
    columns = [column for column in CALL_COLUMNS if column != "cell_site"]
    session.execute(insert(CallDetailRecord).from_select(columns, rows))


def add_services_and_calls(url: str, seed: int) -> dict[str, int]:
    """Vary the accounts, add services and calls, then analyze on PostgreSQL; rows written."""
    engine = build_engine(url)
    try:
        with Session(engine) as session:
            vary_accounts(session, seed)
            add_services(session, seed)
            add_calls(session, seed)
            session.commit()
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in ("accounts", "services", "call_detail_records"):  # as autovacuum would
                    connection.exec_driver_sql(f"VACUUM ANALYZE {table}")
        with engine.connect() as connection:
            return {
                table: int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())
                for table in ("services", "call_detail_records")
            }
    finally:
        engine.dispose()


def register_campaigns(url: str, workdir: Path) -> dict[str, Campaign]:
    """Draft, submit and approve DRAFTS through cpniguard's services (64.2009(d)); the approved campaigns."""
    container = container_for(url, workdir)
    context = container.campaign_context()
    try:
        campaigns = {}
        for name, draft in DRAFTS.items():
            created = create_campaign(context, draft=draft, asker=ANALYST)
            submit_campaign(context, campaign_id=created.id, asker=ANALYST)
            approved = review_campaign(
                context, campaign_id=created.id, action=ReviewAction.APPROVED, note="bench", asker=SUPERVISOR
            )
            campaigns[name] = approved
        return campaigns
    finally:
        container.engine.dispose()


# ------------------------------------------------------------------ the raw side: SQL by hand

IN_FORCE = "{t}.valid_from <= :at AND ({t}.valid_until IS NULL OR {t}.valid_until > :at)"
SERVING = "{t}.started_at <= :at AND ({t}.ended_at IS NULL OR {t}.ended_at > :at)"
ACTIVE = "a.status = 'active' AND a.opened_at <= :at AND (a.closed_at IS NULL OR a.closed_at > :at)"

CARRIER_SQL = f"""
SELECT a.id AS account_id,
  CASE WHEN w.account_id IS NULL THEN 'opt_out_or_opt_in' ELSE 'total_service_approach' END AS need,
  CASE WHEN w.account_id IS NULL THEN c.approval END AS approval,
  CASE WHEN w.account_id IS NOT NULL OR c.approval IN ('opt_out_deemed', 'opt_in') THEN NULL
    WHEN c.approval = 'opted_out' THEN 'opted_out' ELSE 'no_approval' END AS reason
FROM accounts AS a
LEFT JOIN (SELECT s.account_id, s.approval FROM consent_states AS s
  WHERE s.recipient_class = 'carrier' AND s.partner = '' AND {IN_FORCE.format(t="s")}) AS c
  ON c.account_id = a.id
LEFT JOIN (SELECT v.account_id FROM services AS v
  WHERE v.category = 'wireless' AND {SERVING.format(t="v")} GROUP BY v.account_id) AS w ON w.account_id = a.id
WHERE {ACTIVE}
"""
"""The carrier's wireless offer: wireless customers need no approval (64.2005(a)), others opt-out."""

PARTNER_SQL = f"""
SELECT account_id, 'opt_in' AS need, approval,
  CASE WHEN approval = 'opt_in' THEN NULL WHEN approval = 'opted_out' THEN 'opted_out'
    WHEN approval = 'opt_out_deemed' THEN 'opt_in_required' ELSE 'no_approval' END AS reason
FROM (SELECT a.id AS account_id,
    CASE WHEN p.account_id IS NULL THEN c.approval ELSE p.approval END AS approval
  FROM accounts AS a
  LEFT JOIN (SELECT s.account_id, max(CASE WHEN {IN_FORCE.format(t="s")} THEN s.approval END) AS approval
    FROM consent_states AS s WHERE s.recipient_class = 'third_party' AND s.partner = :partner
    GROUP BY s.account_id) AS p ON p.account_id = a.id
  LEFT JOIN consent_states AS c ON c.account_id = a.id AND c.recipient_class = 'third_party'
    AND c.partner = '' AND {IN_FORCE.format(t="c")}
  WHERE {ACTIVE} AND a.kind = 'residential'
    AND EXISTS (SELECT 1 FROM services AS v WHERE v.account_id = a.id AND v.category = 'wireless'
      AND {SERVING.format(t="v")})
    AND NOT EXISTS (SELECT 1 FROM services AS v WHERE v.account_id = a.id
      AND v.category = 'international' AND {SERVING.format(t="v")})
    AND a.id IN (SELECT d.account_id FROM call_detail_records AS d
      WHERE d.started_at >= :calls_since AND d.started_at < :at GROUP BY d.account_id HAVING count(*) >= 2)
) AS candidates
"""
"""Acme Mobile's offer (opt-in, 64.2007(b)): the partner's own spans decide when the account has any."""

Driver = sqlite3.Connection | psycopg.Connection[Any]
"""The driver's own connection, as bench/consent.py's raw_connection opens it."""

RAW_SQL = {"carrier": CARRIER_SQL, "partner": PARTNER_SQL}
"""Each audience's candidates as (account_id, need, approval, reason), reason NULL when selected."""


def raw_statement(sql: str, connection: Driver) -> str:
    """`sql` with :name parameters in the driver's style (psycopg: %(name)s)."""
    if isinstance(connection, sqlite3.Connection):
        return sql
    return re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql)


def raw_parameters(connection: Driver, **extra: object) -> dict[str, object]:
    """The instant and the partner, as each driver takes them (UtcDateTime's text on SQLite)."""
    moments: dict[str, object] = {"at": AT, "calls_since": AT - timedelta(days=30)}
    if isinstance(connection, sqlite3.Connection):
        moments = {"at": sqlite_utc_text(AT), "calls_since": sqlite_utc_text(AT - timedelta(days=30))}
    return {**moments, "partner": PARTNER, **extra}


def without_jit(connection: Driver) -> None:
    """No JIT on the raw side's PostgreSQL session either: cpniguard turns it off for audiences."""
    if isinstance(connection, psycopg.Connection):
        connection.execute("SET jit = off")
        connection.commit()


def run_raw(connection: Driver, sql: str, **extra: object) -> list[tuple[Any, ...]]:
    """All rows of one statement through the driver."""
    cursor = connection.execute(raw_statement(sql, connection), raw_parameters(connection, **extra))
    return list(cursor.fetchall()) if cursor.description else []


# ------------------------------------------------------------------ the two sides

Outcome = tuple[int, tuple[tuple[str, int], ...]]
"""Selected, and (reason, count) for every reason, sorted: what both sides must agree on."""


def outcome(selected: int, excluded: Mapping[ExclusionReason, int] | Mapping[str, int]) -> Outcome:
    """The comparable form of a selection's counts; reasons with no one are left out."""
    return selected, tuple(sorted((str(reason), n) for reason, n in excluded.items() if n))


def counted(rows: Sequence[tuple[Any, ...]]) -> Outcome:
    """The outcome of (reason, count) rows, reason NULL for the selected."""
    counts = {reason: int(n) for reason, n in rows}
    return outcome(counts.pop(None, 0), counts)


def cpniguard_selection(engine: Engine, campaign: Campaign) -> tuple[float, Outcome]:
    """Seconds and counts of `count_outcomes`, in a session of its own."""
    plan = audience_plan(campaign, as_of=AT)
    started = time.perf_counter()
    with Session(engine) as session:
        selected, excluded = count_outcomes(session, plan)
    return time.perf_counter() - started, outcome(selected, excluded)


def raw_selection(connection: Driver, name: str) -> tuple[float, Outcome]:
    """Seconds and counts of the hand-written classification, counted by reason."""
    started = time.perf_counter()
    rows = run_raw(
        connection, f"SELECT reason, count(*) FROM ({RAW_SQL[name]}) AS classified GROUP BY reason"
    )
    connection.rollback()
    return time.perf_counter() - started, counted(rows)


Member = tuple[int, str, str | None]
"""(account_id, need, approval) as stored."""


def cpniguard_members(engine: Engine, campaign: Campaign) -> list[Member]:
    """Who `outcomes_query` selects, in account order (not timed)."""
    classified = outcomes_query(audience_plan(campaign, as_of=AT)).subquery()
    query = select(classified.c.account_id, classified.c.need, classified.c.approval)
    with Session(engine) as session:
        rows = session.execute(query.where(classified.c.reason.is_(None)).order_by(classified.c.account_id))
        return [(row[0], row[1], row[2]) for row in rows]


def raw_members(connection: Driver, name: str) -> list[Member]:
    """Who the hand-written SQL selects, in account order (not timed)."""
    sql = f"SELECT account_id, need, approval FROM ({RAW_SQL[name]}) AS c WHERE reason IS NULL ORDER BY 1"
    rows = run_raw(connection, sql)
    connection.rollback()
    return [(row[0], row[1], row[2]) for row in rows]


def cpniguard_build(engine: Engine, campaign: Campaign) -> tuple[float, Outcome, int]:
    """Seconds, counts and audience of `SqlCampaignStore.build_audience`, committed."""
    plan = audience_plan(campaign, as_of=AT)
    started = time.perf_counter()
    with Session(engine) as session:
        built = SqlCampaignStore(session).build_audience(campaign, plan, built_at=AT, built_by="bench")
        session.commit()
    seconds = time.perf_counter() - started
    return seconds, outcome(built.selected, built.excluded), built.audience_id


AUDIENCE_ROW = (
    "INSERT INTO campaign_audiences (campaign_id, campaign_version, as_of, built_at, built_by, selected, "
    "excluded) VALUES (:campaign, :version, :at, :at, 'bench', 0, '{}') RETURNING id"
)
STORE_MEMBERS = (
    "SELECT :audience, account_id, need, approval FROM classified WHERE reason IS NULL ORDER BY account_id"
)
MEMBER_COLUMNS = "campaign_audience_members (audience_id, account_id, need, approval)"


def raw_build(connection: Driver, name: str, campaign: Campaign) -> tuple[float, Outcome, int]:
    """The same build by hand: audience row, members and counts, committed.

    PostgreSQL: one statement, the insert a data-modifying CTE beside the counts (as cpniguard
    does). SQLite: the insert, then the counts.
    """
    started = time.perf_counter()
    sqlite = isinstance(connection, sqlite3.Connection)
    if sqlite:  # the driver's connection is in autocommit mode, as the engine's is before BEGIN
        connection.execute("BEGIN")
    ((audience_id,),) = run_raw(connection, AUDIENCE_ROW, campaign=campaign.id, version=campaign.version)
    classified = f"WITH classified AS ({RAW_SQL[name]}) "
    counts = "SELECT reason, count(*) FROM classified GROUP BY reason"
    if sqlite:
        run_raw(connection, f"{classified}INSERT INTO {MEMBER_COLUMNS} {STORE_MEMBERS}", audience=audience_id)
        rows = run_raw(connection, classified + counts)
    else:
        added = f", added AS (INSERT INTO {MEMBER_COLUMNS} {STORE_MEMBERS}) "
        rows = run_raw(connection, classified[:-1] + added + counts, audience=audience_id)
    selected, excluded = counted(rows)
    totals = {"selected": selected, "excluded": json.dumps(dict(excluded)), "audience": audience_id}
    set_counts = (
        "UPDATE campaign_audiences SET selected = :selected, excluded = :excluded WHERE id = :audience"
    )
    run_raw(connection, set_counts, **totals)
    commit(connection)
    return time.perf_counter() - started, (selected, excluded), audience_id


def commit(connection: Driver) -> None:
    """End the driver's transaction (sqlite3 runs in autocommit mode, with an explicit BEGIN)."""
    if isinstance(connection, sqlite3.Connection):
        connection.execute("COMMIT")
    else:
        connection.commit()


def stored_members(connection: Driver, audience_id: int) -> list[Member]:
    """The members stored for the audience, in account order."""
    sql = (
        "SELECT account_id, need, approval FROM campaign_audience_members "
        "WHERE audience_id = :audience ORDER BY account_id"
    )
    rows = run_raw(connection, sql, audience=audience_id)
    connection.rollback()
    return [(row[0], row[1], row[2]) for row in rows]


def check_stored(connection: Driver, audience_id: int, expected: list[Member], what: str) -> None:
    """Stop unless the audience holds exactly `expected`, need and approval included."""
    stored = stored_members(connection, audience_id)
    if stored != expected:
        missing, extra = len(set(expected) - set(stored)), len(set(stored) - set(expected))
        raise AssertionError(
            f"{what}: audience {audience_id} stored {len(stored):,} members, "
            f"{missing:,} missing, {extra:,} extra"
        )


def clear_members(connection: Driver) -> None:
    """Empty campaign_audience_members, so that every build writes into the same empty table."""
    if isinstance(connection, sqlite3.Connection):
        connection.execute("DELETE FROM campaign_audience_members")
        return
    connection.execute("TRUNCATE campaign_audience_members")
    connection.commit()


def log_entries(connection: Driver) -> int:
    """Entries in the access log."""
    ((count,),) = run_raw(connection, "SELECT count(*) FROM access_log")
    connection.rollback()
    return int(count)


# ------------------------------------------------------------------ measuring

Run = Callable[[], tuple[float, Outcome]]


def alternate(sides: dict[str, Run], rounds: int, what: str) -> tuple[dict[str, float], Outcome]:
    """Best seconds of each side over `rounds`, taking turns going first; every run must agree."""
    times: dict[str, list[float]] = {side: [] for side in sides}
    first: Outcome | None = None
    for attempt in range(rounds):
        order = list(sides)[attempt % 2 :] + list(sides)[: attempt % 2]
        for side in order:
            seconds, result = sides[side]()
            times[side].append(seconds)
            first = result if first is None else first
            if result != first:
                raise AssertionError(
                    f"{what}: {side} disagrees with the first answer: {result} against {first}"
                )
    assert first is not None  # noqa: S101
    return {side: min(seconds) for side, seconds in times.items()}, first


def checked(
    build: Callable[[], tuple[float, Outcome, int]], connection: Driver, expected: list[Member], what: str
) -> Run:
    """`build`, then (not timed) the check of what it stored and the emptying of the members."""

    def run() -> tuple[float, Outcome]:
        seconds, result, audience_id = build()
        check_stored(connection, audience_id, expected, what)
        clear_members(connection)
        return seconds, result

    return run


def measure_audience(
    engine: Engine, connection: Driver, name: str, campaign: Campaign, rounds: int
) -> dict[str, Any]:
    """Selection and store build of one audience, cpniguard against the hand-written SQL."""
    expected = cpniguard_members(engine, campaign)
    raw = raw_members(connection, name)
    if raw != expected:
        missing, extra = len(set(expected) - set(raw)), len(set(raw) - set(expected))
        raise AssertionError(
            f"{name}: the raw SQL selects {len(raw):,} members, {missing:,} missing, {extra:,} extra"
        )
    selections = {
        "cpniguard": lambda: cpniguard_selection(engine, campaign),
        "raw": lambda: raw_selection(connection, name),
    }
    selection, counts = alternate(selections, rounds, f"{name} selection")
    if counts[0] != len(expected):
        raise AssertionError(f"{name}: {counts[0]:,} counted as selected, {len(expected):,} members")
    builds = {
        "cpniguard": checked(
            lambda: cpniguard_build(engine, campaign), connection, expected, f"{name} build"
        ),
        "raw": checked(
            lambda: raw_build(connection, name, campaign), connection, expected, f"{name} raw build"
        ),
    }
    build, built = alternate(builds, rounds, f"{name} build")
    if built != counts:
        raise AssertionError(f"{name}: the builds counted {built}, the selections {counts}")
    return {
        "members": counts[0],
        "excluded": dict(counts[1]),
        "selection_s": round(selection["cpniguard"], 4),
        "raw_selection_s": round(selection["raw"], 4),
        "selection_ratio": round(selection["cpniguard"] / selection["raw"], 3),
        "build_s": round(build["cpniguard"], 4),
        "raw_build_s": round(build["raw"], 4),
        "build_ratio": round(build["cpniguard"] / build["raw"], 3),
    }


def measure_access_log(
    url: str, workdir: Path, campaign: Campaign, connection: Driver, rounds: int
) -> dict[str, Any]:
    """The service's build (members and one access-log entry each) against the store's build alone."""
    container = container_for(url, workdir)
    context = container.campaign_context()

    def through_service() -> tuple[float, Outcome]:
        before = log_entries(connection)
        started = time.perf_counter()
        audience = build_audience(context, campaign_id=campaign.id, asker=ANALYST, as_of=AT)
        seconds = time.perf_counter() - started
        if (appended := log_entries(connection) - before) != audience.selected + 1:
            raise AssertionError(f"the service logged {appended:,} entries for {audience.selected:,} members")
        clear_members(connection)
        return seconds, outcome(audience.selected, audience.excluded)

    def through_store() -> tuple[float, Outcome]:
        seconds, result, _ = cpniguard_build(container.engine, campaign)
        clear_members(connection)
        return seconds, result

    try:
        times, counts = alternate(
            {"service": through_service, "store": through_store}, rounds, "logged build"
        )
    finally:
        container.engine.dispose()
    members = max(counts[0], 1)
    return {
        "members": counts[0],
        "service_build_s": round(times["service"], 4),
        "store_build_s": round(times["store"], 4),
        "access_log_us_per_member": round((times["service"] - times["store"]) / members * 1e6, 1),
        "service_us_per_member": round(times["service"] / members * 1e6, 1),
    }


# ------------------------------------------------------------------ the run


def measure_engine(
    engine_name: str, url: str, customers: int, args: argparse.Namespace, workdir: Path
) -> dict[str, Any]:
    """Load `customers` and the rest into the fresh database at `url`, then measure everything."""
    loaded = load_customers(url, customers, args.seed, args.workers)
    started = time.perf_counter()
    rows = add_services_and_calls(url, args.seed)
    campaigns = register_campaigns(url, workdir)
    load_s = loaded.seconds + time.perf_counter() - started
    engine = build_engine(url)
    try:
        with raw_connection(url) as connection:
            without_jit(connection)
            audiences = {
                name: measure_audience(engine, connection, name, campaigns[name], args.rounds)
                for name in RAW_SQL
            }
            logged = measure_access_log(url, workdir, campaigns["logged"], connection, args.rounds)
    finally:
        engine.dispose()
    target = engine_name == "postgresql" and customers >= TARGET_CUSTOMERS
    return {
        **audiences,
        "meets_target": all(a["selection_s"] < TARGET_SECONDS for a in audiences.values())
        if target
        else None,
        "access_log": logged,
        "events": loaded.events,
        "projection_rows": loaded.states,
        "services": rows["services"],
        "calls": rows["call_detail_records"],
        "load_s": round(load_s, 1),
    }


def summary(engine: str, customers: int, figures: dict[str, Any]) -> str:
    """Readable lines of an engine's figures."""
    head = (
        f"{engine}, {customers:,} customers, {figures['services']:,} services, {figures['calls']:,} calls "
        f"(loaded in {figures['load_s']} s)"
    )
    lines = [head]
    for name in RAW_SQL:
        a = figures[name]
        lines.append(
            f"  {name} audience: {a['members']:,} members, left out {a['excluded']}; selection cpniguard "
            f"{a['selection_s']} s, raw {a['raw_selection_s']} s (ratio {a['selection_ratio']}); build "
            f"cpniguard {a['build_s']} s, raw {a['raw_build_s']} s (ratio {a['build_ratio']})"
        )
    log = figures["access_log"]
    lines.append(
        f"  logged audience: {log['members']:,} members; service {log['service_build_s']} s, store "
        f"{log['store_build_s']} s: {log['access_log_us_per_member']} us a member for the access log"
    )
    return "\n".join(lines)


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line: bench/consent.py's (the same population options), with this description."""
    return consent_arguments(argv, description=__doc__)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Measure each engine, print the figures and then one JSON line."""
    args = parse_arguments(argv)
    engines = {
        "postgresql": None if args.no_postgres else args.customers,
        "sqlite": args.sqlite_customers or None,
    }
    result: dict[str, Any] = {"customers": args.customers, "sqlite_customers": args.sqlite_customers}
    result |= {"seed": args.seed, "at": AT.isoformat()}
    with tempfile.TemporaryDirectory(prefix="cpniguard-bench-") as scratch:
        for engine, customers in engines.items():
            if customers is None:
                result[engine] = None
                continue
            with fresh_database(engine, args.postgres_url, Path(scratch)) as url:
                result[engine] = measure_engine(engine, url, customers, args, Path(scratch))
            print(summary(engine, customers, result[engine]))
    result["statistic"] = f"best of {args.rounds} rounds per side, sides take turns going first"
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    main()
