"""`cpniguard breach`: a breach's record, deadlines and documents from the command line (47 CFR 64.2011).

Each command runs for real on a fresh migrated database (SQLite, or PostgreSQL when
CPNIGUARD_TEST_DATABASE_URL is set), with the clock pinned as an administrator could pin it
outside production. Bad input exits 2 naming the option or argument, and writes nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from tests.factories import add_account, add_contact_point
from typer.testing import CliRunner

from cpniguard import bootstrap
from cpniguard.adapters.clock import AdjustableClock
from cpniguard.adapters.db.tables import (
    AccessLogRecord,
    BreachAffectedAccountRecord,
    BreachEventRecord,
    BreachRecord,
    CommissionClosureRecord,
    OutboxMessage,
)
from cpniguard.cli import context
from cpniguard.cli.main import app
from cpniguard.domain.accounts import ContactKind, Language

pytestmark = pytest.mark.e2e

DISCOVERY = "2026-11-18T09:00:00-05:00"
DETERMINATION = "2026-11-19T14:00:00-05:00"
"""Thursday before Thanksgiving: the agency notice is due Tuesday 2026-12-01 (RULES 10)."""
RECORDING = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
AGENCY_NOTICE = "2026-11-20T09:30:00-05:00"
AFTER_THE_WAIT = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
"""7 full business days after the agency notice (Thanksgiving skipped): customers may be told from Dec 3."""
ON_RECORD_SINCE = datetime(2026, 6, 1, tzinfo=UTC)
AT = "2026-11-20T09:00:00-05:00"
"""When the facts were learned, before the clock's pinned instant."""
TABLES = (
    BreachRecord,
    BreachEventRecord,
    BreachAffectedAccountRecord,
    CommissionClosureRecord,
    AccessLogRecord,
    OutboxMessage,
)


@pytest.fixture
def clock(monkeypatch) -> dict[str, datetime]:
    """The instant every command's clock is pinned to; a test moves it by assigning `clock["now"]`."""
    pinned = {"now": RECORDING}
    monkeypatch.setattr(bootstrap, "AdjustableClock", lambda: AdjustableClock(pinned=pinned["now"]))
    return pinned


@pytest.fixture
def environment(cli_environment, clock, monkeypatch):
    for console in (context.stdout, context.stderr):
        monkeypatch.setattr(console, "_width", None)
    return cli_environment | {"COLUMNS": "250"}


def run(environment, *arguments, stdin=None):
    result = CliRunner().invoke(app, ["breach", *map(str, arguments)], env=environment, input=stdin)
    assert "Traceback" not in result.output, result.output
    return result


def ok(environment, *arguments, stdin=None):
    result = run(environment, *arguments, stdin=stdin)
    assert result.exit_code == 0, result.output
    return result


def as_json(environment, *arguments):
    return json.loads(ok(environment, *arguments).stdout)


def rows(database: Engine) -> dict[str, int]:
    with Session(database) as session:
        return {
            table.__tablename__: session.scalar(select(func.count()).select_from(table)) for table in TABLES
        }


def record(environment, breach, kind, at, **details):
    pairs = [f"--detail={key}={value}" for key, value in details.items()]
    return ok(environment, "record", breach, kind, "--at", at, *pairs)


def agency_due_on(environment, breach) -> str:
    document = as_json(environment, "deadlines", "--breach", breach)
    return {d["name"]: d for d in document["deadlines"]}["agency_notice"]["due_on"]


@pytest.fixture
def breach(environment) -> int:
    """A breach opened through the CLI, discovered and determined before Thanksgiving 2026."""
    opened = as_json(environment, "open", "BR-2026-017", "--json")
    record(environment, opened["id"], "discovered", DISCOVERY, how="SOC alert on a bulk export")
    record(environment, opened["id"], "determined", DETERMINATION, basis="a revoked token was used")
    return opened["id"]


@pytest.fixture
def customers(database) -> list[str]:
    """Two accounts with an email of record, one written to in French."""
    numbers = []
    with Session(database) as session:
        for email, language in (("ana@customer.example", Language.EN), ("luc@client.example", Language.FR)):
            key, number = add_account(session, language=language, opened_at=ON_RECORD_SINCE)
            add_contact_point(session, key, ContactKind.EMAIL_ADDRESS, email, associated_at=ON_RECORD_SINCE)
            numbers.append(number)
        session.commit()
    return numbers


def record_the_agency_report_items(environment, breach, tmp_path):
    at = AT
    record(environment, breach, "described", at, description="call detail exported by a former contractor")
    record(environment, breach, "method_of_compromise", at, method="an API token not revoked")
    record(environment, breach, "date_range", at, **{"from": "2026-11-10", "to": "2026-11-17"})
    record(environment, breach, "data_types", at, types="call_detail,billing")
    record(environment, breach, "customers_affected", at, count=2, basis="export log")
    loss = tmp_path / "loss.json"
    loss.write_text(json.dumps({"carrier_cents": 120000, "customers_cents": 0, "basis": "staff hours"}))
    ok(environment, "record", breach, "financial_loss_estimated", "--at", at, "--details-file", loss)


@pytest.fixture
def reported(environment, breach, customers, tmp_path) -> int:
    """The breach with every agency report item recorded and its two accounts listed."""
    record_the_agency_report_items(environment, breach, tmp_path)
    accounts = tmp_path / "affected.txt"
    accounts.write_text(f"# from the export log\n{customers[0]}\n\n  {customers[1]}  \n{customers[0]}\n")
    added = ok(environment, "accounts", breach, accounts)
    assert "2 accounts added to breach" in added.stderr
    assert "it lists 2 affected accounts" in added.stderr
    return breach


def test_show_gives_the_status_the_affected_accounts_and_the_timeline(environment, reported):
    shown = as_json(environment, "show", reported, "--json")

    assert (shown["reference"], shown["status"], shown["affected_accounts"]) == ("BR-2026-017", "open", 2)
    assert [event["kind"] for event in shown["timeline"]] == [
        "discovered",
        "determined",
        "described",
        "method_of_compromise",
        "date_range",
        "data_types",
        "customers_affected",
        "financial_loss_estimated",
    ]
    assert shown["timeline"][1]["occurred_at"] == "2026-11-19T19:00:00+00:00"
    assert shown["timeline"][7]["details"]["carrier_cents"] == "120000"
    assert {event["recorded_by"] for event in shown["timeline"]} == {"cli"}
    human = ok(environment, "show", reported).stdout
    assert "breach 1: BR-2026-017" in human
    assert "affected accounts: 2" in human
    assert "basis=a revoked token was used" in human


def test_a_complete_record_makes_a_complete_agency_report_in_json_and_pdf(environment, reported, tmp_path):
    report = as_json(environment, "report", reported)

    assert (report["regime"], report["recipients"], report["complete"]) == ("legacy", ["USSS", "FBI"], True)
    assert report["required"]["customers_affected"]["value"]["approximate"] == 2
    assert report["missing"] == []
    pdf = tmp_path / "report.pdf"
    written = ok(environment, "report", reported, "--pdf", pdf)
    assert (written.stdout, pdf.read_bytes()[:5]) == ("", b"%PDF-")
    assert "MISSING" not in written.stderr


def test_customers_are_notified_through_the_outbox_once_the_legacy_wait_is_over(
    environment, reported, clock, database
):
    record(
        environment, reported, "agency_notified", AGENCY_NOTICE, agencies="USSS,FBI", reference="CRF-88231"
    )
    too_soon = run(environment, "notify", reported)
    assert too_soon.exit_code == 2
    assert "customers may not be told before 2026-12-03" in too_soon.stderr
    assert rows(database)["outbox_messages"] == 0

    clock["now"] = AFTER_THE_WAIT
    preview = ok(environment, "notify", reported, "--preview", "--language", "fr")
    assert "Subject: Important : atteinte" in preview.stdout
    assert "entre le 10 novembre 2026 et le 17 novembre 2026" in preview.stdout
    assert "MISSING from the customer notice: 1 settings to configure before it is sent" in preview.stderr
    assert "state_regulator_contact: no state regulatory agency is configured" in preview.stderr
    assert rows(database)["outbox_messages"] == 0
    sent = ok(environment, "notify", reported)
    assert "2 customer notices queued (2 by email, 0 by letter)" in sent.stdout
    with Session(database) as session:
        notices = session.scalars(select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
    assert [(m.recipient, m.language) for m in notices] == [
        ("ana@customer.example", Language.EN),
        ("luc@client.example", Language.FR),
    ]
    assert as_json(environment, "show", reported, "--json")["timeline"][-1]["kind"] == "customers_notified"


def test_a_closed_breach_takes_no_events_reopens_and_is_purged_after_two_years(
    environment, reported, clock, database
):
    ok(environment, "close", reported, "--reason", "investigation over")
    assert [b["id"] for b in as_json(environment, "list", "--status", "closed", "--json")] == [reported]
    assert as_json(environment, "list", "--status", "open", "--json") == []
    late = run(environment, "record", reported, "described", "--at", AT, "--detail", "description=x")
    assert (late.exit_code, "a closed breach's record takes no more events" in late.stderr) == (2, True)
    ok(environment, "reopen", reported, "--reason", "a second export found")
    assert as_json(environment, "show", reported, "--json")["status"] == "open"
    clock["now"] = AFTER_THE_WAIT
    ok(environment, "close", reported, "--reason", "second export contained")

    refused = run(environment, "purge", reported, "--yes")
    assert refused.exit_code == 2
    assert "ID: breach 1 cannot be purged: breach records are kept at least 2 years" in refused.stderr
    assert rows(database)["breach_events"] == 11
    clock["now"] = datetime(2028, 12, 5, 15, 0, tzinfo=UTC)
    purged = ok(environment, "purge", reported, "--yes")
    assert "breach 1 purged: 11 timeline events deleted" in purged.stderr
    gone = run(environment, "show", reported)
    assert (gone.exit_code, "no breach 1" in gone.stderr) == (2, True)


def test_thanksgiving_and_a_recorded_fcc_closure_move_the_recorded_breach_agency_deadline(
    environment, breach
):
    assert agency_due_on(environment, breach) == "2026-12-01"

    added = ok(environment, "closures", "add", "2026-11-30", "--reason", "Executive order: day off")
    assert "2026-11-30 (Monday) recorded as an FCC closure" in added.stderr
    assert agency_due_on(environment, breach) == "2026-12-02"
    listed = as_json(environment, "closures", "list", "--from", "2026-11-01", "--to", "2026-11-30", "--json")
    assert [(c["day"], c["reason"], c["added_by"]) for c in listed] == [
        ("2026-11-30", "Executive order: day off", "cli")
    ]
    assert as_json(environment, "closures", "list", "--to", "2026-11-29", "--json") == []

    ok(environment, "closures", "remove", "2026-11-30")
    assert agency_due_on(environment, breach) == "2026-12-01"


def test_recorded_deadlines_say_where_they_come_from(environment, breach):
    document = as_json(environment, "deadlines", "--breach", breach)

    assert (document["breach_id"], document["reference"], document["regime"]) == (
        breach,
        "BR-2026-017",
        "legacy",
    )
    assert document["determined_at"] == "2026-11-19T19:00:00+00:00"
    agency = document["deadlines"][0]
    assert (agency["name"], agency["citation"]) == ("agency_notice", "47 CFR 64.2011(b)")
    assert "Thu 2026-11-26" in agency["explanation"]


def test_a_hold_keeps_customers_from_being_told_until_it_ends(environment, breach):
    record(
        environment,
        breach,
        "hold_started",
        AGENCY_NOTICE,
        agency="FBI",
        written_reference="FBI letter 2026-114",
        starts_on="2026-11-20",
        ends_on="2026-12-18",
    )
    by_name = {d["name"]: d for d in as_json(environment, "deadlines", "--breach", breach)["deadlines"]}

    assert by_name["customer_notice_earliest"]["held_until"] == "2026-12-18"


def test_the_report_lists_what_is_missing_on_stderr_and_still_prints(environment, breach, tmp_path):
    result = ok(environment, "report", breach)

    report = json.loads(result.stdout)
    assert report["complete"] is False
    assert {item["location"] for item in report["missing"]} >= {"description", "data_types"}
    assert "MISSING from the agency report: 6 items" in result.stderr
    assert "  description: no description of the breach is recorded" in result.stderr
    pdf = tmp_path / "report.pdf"
    written = ok(environment, "report", breach, "--pdf", pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert "MISSING from the agency report: 6 items" in written.stderr


def test_the_annual_summary_holds_a_small_harmless_2023_breach(environment, breach, tmp_path):
    environment |= {"CPNIGUARD_BREACH__AMENDMENTS_EFFECTIVE_ON": "2026-01-01"}
    at = "2026-11-20T09:00:00-05:00"
    record(environment, breach, "customers_affected", at, count=12)
    record(environment, breach, "harm_assessment", at, harm_reasonably_likely="false", analysis="hashed data")

    summary = as_json(environment, "summary", 2026)

    assert (summary["year"], summary["due_on"]) == (2026, "2027-02-01")
    assert [entry["reference"] for entry in summary["entries"]] == ["BR-2026-017"]
    assert as_json(environment, "summary", 2025)["entries"] == []
    pdf = tmp_path / "summary.pdf"
    written = ok(environment, "summary", 2026, "--pdf", pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert "1 breaches in the summary of 2026, due 2027-02-01" in written.stderr


def test_reminders_list_the_agency_notice_three_business_days_ahead(environment, breach, clock):
    clock["now"] = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)

    due = as_json(environment, "reminders", "--json")

    assert [(r["reference"], r["deadline"], r["due_on"], r["business_days_left"]) for r in due] == [
        ("BR-2026-017", "agency_notice", "2026-12-01", 3)
    ]
    table = ok(environment, "reminders").stdout
    assert "BR-2026-017" in table
    assert "agency_notice" in table


HOLD_DAYS = ("--detail=starts_on=2026-11-20", "--detail=ends_on=2026-12-10")
THIRTY_ONE_DAYS = ("--detail=agency=FBI", "--detail=starts_on=2026-11-20", "--detail=ends_on=2026-12-21")


@pytest.mark.parametrize(
    ("arguments", "where", "words"),
    [
        (["record", "{id}", "bogus", "--at", AT], "KIND", "'bogus' is not one of"),
        (
            ["record", "{id}", "described", "--at", AT, "--detail", "description"],
            "--detail",
            "is not key=value",
        ),
        (
            [
                "record",
                "{id}",
                "described",
                "--at",
                AT,
                "--detail",
                "description=a",
                "--detail",
                "description=b",
            ],
            "--detail",
            "given twice",
        ),
        (
            ["record", "{id}", "described", "--at", "2026-11-20T09:00", "--detail", "description=a"],
            "--at",
            "UTC offset",
        ),
        (
            ["record", "{id}", "determined", "--at", "2026-11-17T09:00:00-05:00", "--detail", "basis=x"],
            "--at",
            "would be before the discovery",
        ),
        (
            ["record", "{id}", "described", "--at", "2026-11-21T09:00:00-05:00", "--detail", "description=a"],
            "--at",
            "is later than now",
        ),
        (
            ["record", "{id}", "hold_started", "--at", AT, "--detail=agency=FBI", *HOLD_DAYS],
            "--detail written_reference",
            "a hold_started event needs it",
        ),
        (
            [
                "record",
                "{id}",
                "hold_started",
                "--at",
                AT,
                "--detail=written_reference=L-1",
                *THIRTY_ONE_DAYS,
            ],
            "--detail ends_on",
            "the initial hold runs 31 days; at most 30",
        ),
        (
            ["record", "{id}", "customers_affected", "--at", AT, "--detail", "count=-3"],
            "--detail count",
            "'-3' is not a whole number",
        ),
        (
            ["record", "{id}", "data_types", "--at", AT, "--detail", "types=call_detail,dna"],
            "--detail types",
            "unknown data types 'dna'",
        ),
        (
            ["record", "{id}", "described", "--at", AT, "--detail", "colour=red"],
            "--detail colour",
            "takes only",
        ),
        (["record", "99", "described", "--at", AT, "--detail", "description=a"], "error", "no breach 99"),
        (["closures", "add", "2026-11-28", "--reason", "storm"], "DATE", "2026-11-28 is a weekend day"),
        (["closures", "add", "2026-11-27", "--reason", " "], "--reason", "say why the Commission was closed"),
        (["closures", "add", "27/11/2026", "--reason", "storm"], "DATE", "is not a date"),
        (["closures", "list", "--from", "2026-12-01", "--to", "2026-11-01"], "--to", "is before 2026-12-01"),
        (["closures", "remove", "2026-11-27"], "error", "not recorded as a closure"),
        (["open", "BR-2026-017"], "REFERENCE", "already names a breach"),
        (["open", " BR-9"], "REFERENCE", "without spaces around it"),
        (["purge", "{id}"], "--yes", "confirm with --yes"),
        (["purge", "{id}", "--yes"], "ID", "the breach is still open"),
        (["reopen", "{id}", "--reason", "x"], "ID", "only a closed breach reopens"),
        (["close", "{id}", "--reason", " "], "--reason", "must not be blank"),
        (["deadlines", "--breach", "{id}", "--customers", "0"], "--customers", "leave out --customers"),
        (["deadlines"], "--determined", "or --breach ID"),
        (["notify", "{id}", "--language", "fr"], "--language", "only with --preview"),
        (["notify", "{id}"], "affected_accounts", "record the accounts the breach affected first"),
        (["summary", "1800"], "YEAR", "must be a year"),
    ],
)
def test_bad_input_exits_2_naming_what_is_wrong_and_writes_nothing(
    environment, breach, database, arguments, where, words
):
    before = rows(database)

    result = run(environment, *(argument.format(id=breach) for argument in arguments))

    assert result.exit_code == 2, result.output
    assert where in result.stderr
    assert words in result.stderr
    assert result.stdout == ""
    assert rows(database) == before


def test_a_details_file_that_is_not_a_json_object_is_refused(environment, breach, database, tmp_path):
    before = rows(database)
    for content, words in (
        ("{not json", "is not JSON"),
        ('["how"]', "holds no JSON object"),
        ('{"count": 1.5}', "give text, a whole number or true/false"),
    ):
        details = tmp_path / "details.json"
        details.write_text(content)
        result = run(
            environment, "record", breach, "customers_affected", "--at", AT, "--details-file", details
        )
        assert (result.exit_code, "--details-file" in result.stderr, words in result.stderr) == (
            2,
            True,
            True,
        )
    both = tmp_path / "both.json"
    both.write_text('{"count": 3}')
    result = run(
        environment,
        "record",
        breach,
        "customers_affected",
        "--at",
        AT,
        "--details-file",
        both,
        "--detail",
        "count=4",
    )
    assert (result.exit_code, "given both here and in --details-file" in result.stderr) == (2, True)
    missing = run(
        environment, "record", breach, "described", "--at", AT, "--details-file", tmp_path / "none.json"
    )
    assert (missing.exit_code, "cannot read" in missing.stderr) == (2, True)
    assert rows(database) == before


def test_an_unknown_account_number_refuses_the_whole_file(environment, breach, customers, database):
    before = rows(database)

    result = run(environment, "accounts", breach, "-", stdin=f"{customers[0]}\n# checked\nT-NOT-OURS\n")

    assert result.exit_code == 2
    assert "FILE standard input: 1 are not accounts of the carrier: 'T-NOT-OURS'" in result.stderr
    assert rows(database) == before
    assert as_json(environment, "show", breach, "--json")["affected_accounts"] == 0


def test_a_malformed_account_number_is_refused_by_its_line(environment, breach, database, tmp_path):
    listing = tmp_path / "accounts.txt"
    listing.write_text("# header\n\n" + "9" * 40 + "\n")
    before = rows(database)

    result = run(environment, "accounts", breach, listing)

    assert result.exit_code == 2
    assert f"FILE {listing} line 3: must be an account number" in result.stderr
    empty = run(environment, "accounts", breach, "-", stdin="# nothing here\n\n")
    assert (empty.exit_code, "give 1 to 10000 account numbers, not 0" in empty.stderr) == (2, True)
    assert rows(database) == before


def test_purge_inside_two_years_of_closing_is_refused_and_keeps_the_record(
    environment, breach, clock, database
):
    ok(environment, "close", breach, "--reason", "contained")
    clock["now"] = datetime(2028, 11, 20, 14, 0, tzinfo=UTC)
    before = rows(database)

    result = run(environment, "purge", breach, "--yes")

    assert result.exit_code == 2
    assert "may be purged after 2028-11-20T15:00:00+00:00" in result.stderr
    assert rows(database) == before


def test_lists_show_open_and_closed_breaches_as_tables(environment, breach):
    second = as_json(environment, "open", "BR-2026-018", "--json")["id"]
    ok(environment, "close", second, "--reason", "not a breach after all")

    every = ok(environment, "list")
    opened = ok(environment, "list", "--status", "open")

    assert "BR-2026-017" in every.stdout
    assert "BR-2026-018" in every.stdout
    assert "2 breaches (all)" in every.stderr
    assert ("BR-2026-017" in opened.stdout, "BR-2026-018" in opened.stdout) == (True, False)
