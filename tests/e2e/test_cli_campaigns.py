"""`cpniguard campaigns`: campaigns, their supervisory review, audiences and records from the command line.

47 CFR 64.2005(a), 64.2007(b), 64.2009(c), (d). Each command runs for real on a fresh migrated
database (SQLite, or PostgreSQL when CPNIGUARD_TEST_DATABASE_URL is set), with the clock pinned
as an administrator could pin it outside production; the customers and their consent are
committed beforehand. Bad input exits 2 naming the option, argument or place in the file, and
writes nothing.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from tests import campaign_world
from tests.conftest import make_settings
from tests.e2e.test_http_campaigns import (
    ALARM_OFFER,
    CONSENT_STAFF,
    NOW,
    PARTNER,
    TABLES,
    WIRELESS_OFFER,
    consent_world,
)
from typer.testing import CliRunner

from cpniguard import bootstrap
from cpniguard.adapters.clock import AdjustableClock
from cpniguard.adapters.db.unit_of_work import session_factory
from cpniguard.bootstrap import Container
from cpniguard.cli import context
from cpniguard.cli.main import app
from cpniguard.domain.consent_events import ConsentEventKind
from cpniguard.services.consent import ConsentContext, record_consent

pytestmark = pytest.mark.e2e

ANALYST = ("--actor", "ana.analyst", "--as", "marketing_analyst")
SUPERVISOR = ("--actor", "sam.supervisor", "--as", "supervisor")
FIRST, LAST = (NOW - timedelta(days=1)).isoformat(), (NOW + timedelta(days=1)).isoformat()


@pytest.fixture
def clock(monkeypatch) -> dict[str, datetime]:
    """The instant every command's clock is pinned to; a test moves it by assigning `clock["now"]`."""
    pinned = {"now": NOW}
    monkeypatch.setattr(bootstrap, "AdjustableClock", lambda: AdjustableClock(pinned=pinned["now"]))
    return pinned


@pytest.fixture
def environment(cli_environment, clock, monkeypatch):
    for console in (context.stdout, context.stderr):
        monkeypatch.setattr(console, "_width", None)
    return cli_environment | {"COLUMNS": "250"}


@pytest.fixture
def world_container(database: Engine, fresh_database_url: str) -> Container:
    """A container over the command's database, its clock pinned at NOW."""
    return Container(
        settings=make_settings(fresh_database_url),
        engine=database,
        sessions=session_factory(database),
        clock=AdjustableClock(pinned=NOW),
    )


@pytest.fixture
def world(world_container: Container):
    """Local-service customers in every consent state, committed in the command's database."""
    return consent_world(world_container)


def run(environment, *arguments):
    result = CliRunner().invoke(app, ["campaigns", *map(str, arguments)], env=environment)
    assert "Traceback" not in result.output, result.output
    return result


def ok(environment, *arguments):
    result = run(environment, *arguments)
    assert result.exit_code == 0, result.output
    return result


def as_json(environment, *arguments):
    return json.loads(ok(environment, *arguments, "--json").stdout)


def refused(environment, database: Engine, *arguments) -> str:
    """Run; assert it exits 2 and wrote nothing; what it said."""
    before = rows(database)
    result = run(environment, *arguments)
    assert result.exit_code == 2, result.output
    assert rows(database) == before
    return result.output


def rows(database: Engine) -> dict[str, int]:
    with Session(database) as session:
        return {t.__tablename__: session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def draft_file(tmp_path: Path, body: object, name: str = "campaign.json") -> Path:
    path = tmp_path / name
    path.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    return path


def created(environment, tmp_path, body: dict = WIRELESS_OFFER) -> int:
    return int(as_json(environment, "create", draft_file(tmp_path, body), *ANALYST)["id"])


def approved(environment, tmp_path, body: dict = WIRELESS_OFFER) -> int:
    campaign_id = created(environment, tmp_path, body)
    ok(environment, "submit", campaign_id, *ANALYST)
    ok(environment, "review", campaign_id, "approved", *SUPERVISOR, "--note", "fine")
    return campaign_id


def exported(path: Path) -> dict[str, tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return {row["account_number"]: (row["need"], row["approval"]) for row in csv.DictReader(file)}


# --- the whole flow


def test_a_campaign_is_drafted_approved_by_another_and_its_audience_exported_and_registered(
    environment, database, world, tmp_path
):
    campaign_id = created(environment, tmp_path)
    ok(environment, "submit", campaign_id, *ANALYST)
    own = refused(
        environment,
        database,
        "review",
        campaign_id,
        "approved",
        "--actor",
        "ana.analyst",
        "--as",
        "supervisor",
    )
    assert "--actor: ana.analyst wrote or changed campaign" in own
    ok(environment, "review", campaign_id, "approved", *SUPERVISOR, "--note", "fine")

    audience = as_json(environment, "audience", "build", campaign_id, *ANALYST)
    out = tmp_path / "audience.csv"
    export = ok(environment, "audience", "export", audience["id"], "--out", out, *ANALYST)

    assert audience["selected"] == 3
    assert exported(out) == {
        world.deemed: ("opt_out_or_opt_in", "opt_out_deemed"),
        world.opted_in: ("opt_out_or_opt_in", "opt_in"),
        world.bundle: ("total_service_approach", ""),
    }
    assert f"3 customers of audience {audience['id']} written to {out}" in export.output
    [entry] = as_json(environment, "register", "--from", FIRST, "--to", LAST)
    assert (entry["campaign_id"], entry["cpni_fields"]) == (campaign_id, ["services.category"])
    assert entry["offers"] == [{"product": "Unlimited wireless", "category": "wireless"}]
    assert [a["actor"] for a in entry["approvals"]] == ["sam.supervisor"]
    assert as_json(environment, "disclosures", "--from", FIRST, "--to", LAST) == []


def test_the_export_shows_its_progress_and_withholds_a_customer_who_opted_out_since_the_build(
    environment, world, world_container, tmp_path
):
    audience = as_json(environment, "audience", "build", approved(environment, tmp_path), *ANALYST)
    opt_out = campaign_world.decision(ConsentEventKind.OPTED_OUT, NOW)
    consent = ConsentContext(world_container.unit_of_work, world_container.clock, world_container.renderer)
    record_consent(consent, account_number=world.deemed, event=opt_out, asker=CONSENT_STAFF)
    out = tmp_path / "audience.csv"

    export = ok(environment, "audience", "export", audience["id"], "--out", out, *ANALYST)

    assert set(exported(out)) == {world.opted_in, world.bundle}
    assert f"audience {audience['id']}" in export.stderr
    assert "3 customers" in export.stderr  # the progress, once every member was read
    assert f"2 customers of audience {audience['id']} written to {out}" in export.stderr
    assert "1 withheld: the campaign no longer selects them" in export.stderr


def test_the_register_table_shows_what_an_approved_version_used_when_the_current_one_differs(
    environment, world, tmp_path
):
    campaign_id = approved(environment, tmp_path)
    edited = WIRELESS_OFFER | {"cpni_fields": ["services.category", "call_detail_records.started_at"]}
    ok(environment, "edit", campaign_id, draft_file(tmp_path, edited, "edited.json"), *ANALYST)

    table = ok(environment, "register", "--from", FIRST, "--to", LAST).stdout

    assert "services.category, call_detail_records.started_at | v1: services.category" in table
    assert "Unlimited wireless (wireless) |" not in table, "the offers did not change"


def test_show_and_list_give_the_campaign_and_its_review_record(environment, world, tmp_path):
    campaign_id = approved(environment, tmp_path)

    shown = as_json(environment, "show", campaign_id)
    table = ok(environment, "show", campaign_id).stdout
    listed = ok(environment, "list", "--status", "approved").stdout

    steps = [(s["action"], s["actor"], s["actor_role"]) for s in shown["reviews"]]
    assert steps == [
        ("created", "ana.analyst", "marketing_analyst"),
        ("submitted", "ana.analyst", "marketing_analyst"),
        ("approved", "sam.supervisor", "supervisor"),
    ]
    assert "status: approved, version 1, by ana.analyst" in table
    assert "CPNI used: services.category" in table
    assert WIRELESS_OFFER["name"] in listed
    assert WIRELESS_OFFER["name"] not in ok(environment, "list", "--status", "draft").stdout


def test_a_third_partys_export_enters_the_disclosure_log(environment, world, tmp_path):
    audience = as_json(
        environment, "audience", "build", approved(environment, tmp_path, ALARM_OFFER), *ANALYST
    )
    out = tmp_path / "alarm.csv"
    ok(environment, "audience", "export", audience["id"], "--out", out, *ANALYST)

    [disclosure] = as_json(environment, "disclosures", "--from", FIRST, "--to", LAST)
    table = ok(environment, "disclosures", "--from", FIRST, "--to", LAST).stdout

    assert list(exported(out)) == [world.partner_opt_in]
    assert (disclosure["recipient"], disclosure["customers"], disclosure["disclosed_by"]) == (
        PARTNER,
        1,
        "ana.analyst",
    )
    assert PARTNER in table


def test_the_audience_shows_who_was_left_out_by_reason(environment, world, tmp_path):
    audience = as_json(environment, "audience", "build", approved(environment, tmp_path), *ANALYST)

    shown = ok(environment, "audience", "show", audience["id"]).stdout

    assert "selected: 3" in shown
    assert "opted_out" in shown
    assert as_json(environment, "audience", "show", audience["id"])["excluded"] == {
        "opted_out": 1,
        "no_approval": 3,
        "opt_in_required": 0,
    }


def test_a_campaign_is_purged_only_a_year_after_its_last_activity_and_its_approved_run(
    environment, database, clock, world, tmp_path
):
    campaign_id = approved(environment, tmp_path)

    kept = refused(environment, database, "purge", campaign_id, "--yes")
    clock["now"] = NOW + timedelta(days=366)
    run_kept = refused(environment, database, "purge", campaign_id, "--yes")
    clock["now"] = datetime(2028, 2, 1, 12, 0, 1, tzinfo=UTC)  # a year after the run's last day
    purged = ok(environment, "purge", campaign_id, "--yes")

    assert "ID:" in kept
    assert "64.2009" in kept
    assert "may be purged after 2028-02-01T12:00:00+00:00" in run_kept
    assert f"campaign {campaign_id} purged" in purged.output
    assert run(environment, "show", campaign_id).exit_code == 2


# --- bad input


@pytest.mark.parametrize(
    ("body", "place", "words"),
    [
        (
            WIRELESS_OFFER | {"cpni_fields": ["services.category", "services.colour"]},
            "cpni_fields[1]",
            "classified",
        ),
        (
            WIRELESS_OFFER | {"cpni_fields": ["services.category", "carrier_change_notices.kind"]},
            "cpni_fields[1]",
            "222(b)",
        ),
        (WIRELESS_OFFER | {"offers": [{"product": "Alarm"}]}, "offers[0].category", "Field required"),
        (WIRELESS_OFFER | {"colour": "red"}, "colour", "Extra inputs"),
        (WIRELESS_OFFER | {"starts_on": 20261201}, "starts_on", "YYYY-MM-DD"),
        (WIRELESS_OFFER | {"sponsor": "third_party"}, "sponsor_name", "name the third party"),
        ("{not json", "the whole file", "Invalid JSON"),
    ],
)
def test_a_bad_draft_file_exits_2_naming_the_place_in_it_and_writes_nothing(
    environment, database, tmp_path, body, place, words
):
    path = draft_file(tmp_path, body)

    said = refused(environment, database, "create", path, *ANALYST)

    assert f"FILE {path}: {place}" in said
    assert words in said


def test_a_missing_draft_file_is_named(environment, database, tmp_path):
    assert "FILE: cannot read" in refused(environment, database, "create", tmp_path / "none.json")


def test_a_role_that_may_not_take_the_step_is_named(environment, database, tmp_path, world):
    path = draft_file(tmp_path, WIRELESS_OFFER)
    assert "--as: the role 'representative' may not draft" in refused(
        environment, database, "create", path, "--as", "representative"
    )
    campaign_id = created(environment, tmp_path)
    ok(environment, "submit", campaign_id, *ANALYST)
    said = refused(environment, database, "review", campaign_id, "approved", *ANALYST)
    assert "--as: the role 'marketing_analyst' may not review" in said


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        (("review", "{id}", "rejected", *SUPERVISOR), "--note"),
        (("review", "{id}", "approved"), "--actor"),
        (("audience", "build", "{id}", *ANALYST), "ID"),
        (("purge", "{id}"), "--yes"),
        (("edit", "{id}", "{bad}", *ANALYST), "cpni_fields[0]"),
    ],
)
def test_a_refused_step_on_a_submitted_campaign_names_the_option_at_fault(
    environment, database, tmp_path, world, arguments, option
):
    campaign_id = created(environment, tmp_path)
    ok(environment, "submit", campaign_id, *ANALYST)
    bad = draft_file(tmp_path, WIRELESS_OFFER | {"cpni_fields": ["nope.nope"]}, "bad.json")
    filled = [str(a).format(id=campaign_id, bad=bad) for a in arguments]

    said = refused(environment, database, *filled)

    assert option in said


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        (("register", "--from", "2026-11-01T00:00:00", "--to", LAST), "--from"),
        (("register", "--from", "1700000000", "--to", LAST), "--from"),
        (("register", "--from", LAST, "--to", FIRST), "--to"),
        (("disclosures", "--from", FIRST, "--to", "9999-01-01T00:00:00+00:00"), "--to"),
        (("audience", "build", "1", "--as-of", "2026-11-01"), "--as-of"),
        (("audience", "show", "999999"), "no audience"),
        (("show", "999999"), "no campaign"),
    ],
)
def test_bad_periods_instants_and_unknown_ids_exit_2(environment, database, arguments, option):
    assert option in refused(environment, database, *arguments)


def test_an_audience_as_of_the_future_is_refused(environment, database, tmp_path, world):
    campaign_id = approved(environment, tmp_path)
    later = (NOW + timedelta(hours=1)).isoformat()
    assert "--as-of: is later than now" in refused(
        environment, database, "audience", "build", campaign_id, "--as-of", later, *ANALYST
    )


def test_an_export_never_overwrites_a_file_and_a_refused_one_leaves_none(
    environment, database, tmp_path, world
):
    campaign_id = approved(environment, tmp_path)
    audience = as_json(environment, "audience", "build", campaign_id, *ANALYST)
    taken = tmp_path / "taken.csv"
    taken.write_text("keep me", encoding="utf-8")
    ok(environment, "edit", campaign_id, draft_file(tmp_path, WIRELESS_OFFER | {"name": "v2"}), *ANALYST)
    out = tmp_path / "refused.csv"

    assert "--out:" in refused(environment, database, "audience", "export", audience["id"], "--out", taken)
    assert "AID: campaign" in refused(
        environment, database, "audience", "export", audience["id"], "--out", out
    )
    assert taken.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in {".csv", ".partial"}) == ["taken.csv"]
