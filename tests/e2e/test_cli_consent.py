"""`cpniguard consent`: the consent ledger, notices and opt-out monitoring from the command line.

47 CFR 64.2007-64.2009. Each command on a migrated database with synthetic customers, and bad
input for each: exit 2 (3 for configuration) saying what is wrong, and nothing written.
"""

from __future__ import annotations

import io
import json
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from tests.conftest import make_settings
from tests.e2e.consent_scenario import add_customer, ledger, outbox
from tests.processes import free_port
from typer.testing import CliRunner

from cpniguard import bootstrap
from cpniguard.adapters.clock import AdjustableClock
from cpniguard.adapters.db.tables import ConsentNoticeVersion, ConsentState, OptOutFailureIncident
from cpniguard.adapters.notify.notice_files import DEFAULT_NOTICE_FILE
from cpniguard.bootstrap import build_container
from cpniguard.cli import context
from cpniguard.cli.main import app
from cpniguard.domain.consent import add_years
from cpniguard.domain.consent_events import ConsentEventKind, ConsentSource
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services.consent_notices import NoticeBatchKind, start_notice_batch

pytestmark = pytest.mark.e2e

NOTICE = "cpni-2026-11"


@pytest.fixture
def environment(cli_environment, monkeypatch):
    # pytest-xdist workers start with COLUMNS=80, which Rich keeps as the fixed width of the
    # consoles cli.context builds at import; unfixed, they follow COLUMNS at each invocation.
    for console in (context.stdout, context.stderr):
        monkeypatch.setattr(console, "_width", None)
    return cli_environment | {"COLUMNS": "250"}


def run(environment, *arguments):
    result = CliRunner().invoke(app, ["consent", *arguments], env=environment)
    assert "Traceback" not in result.output, result.output
    return result


def cells(output: str, first: str) -> list[str]:
    """The cells of the table row whose first cell is `first`."""
    for line in output.splitlines():
        found = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if found[0] == first:
            return found
    raise AssertionError(f"no row {first!r} in:\n{output}")


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


@pytest.fixture
def customer(database) -> str:
    return add_customer(database, "ana@customer.example")[1]


def test_a_mailed_opt_out_form_enters_the_ledger_changes_the_approvals_and_is_confirmed(
    environment, customer, fresh_database_url, database
):
    opt_in = run(
        environment,
        *("record", customer, "--kind", "opted_in", "--scope", "third_party:Acme Insurance"),
        *("--proof", "written", "--occurred-at", ago(3)),
    )
    assert opt_in.exit_code == 0, opt_in.output
    form = run(
        environment,
        *("record", customer, "--kind", "opted_out", "--source", "mailed_form", "--occurred-at", ago(1)),
        *("--evidence", "scan of form 114", "--reference", "form-114"),
    )
    assert form.exit_code == 0, form.output
    assert f"opted_out recorded on {customer} as event" in form.stderr
    assert "confirmation by email" in form.stderr
    again = run(
        environment,
        "record",
        customer,
        "--kind",
        "opted_out",
        "--source",
        "mailed_form",
        "--reference",
        "form-114",
    )
    assert again.exit_code == 0, again.output
    assert "reference 'form-114' is in the ledger already: nothing written (event " in again.stderr

    opted_in, opted_out = ledger(fresh_database_url, customer)
    assert (opted_out.kind, opted_out.source, opted_out.recorded_by) == (
        ConsentEventKind.OPTED_OUT,
        ConsentSource.MAILED_FORM,
        "cli",
    )
    events = run(environment, "events", customer)
    assert events.exit_code == 0, events.output
    assert cells(events.stdout, str(opted_out.id))[1:] == [
        "opted_out",
        opted_out.occurred_at.isoformat(timespec="seconds"),
        opted_out.recorded_at.isoformat(timespec="seconds"),
        "cli",
        "every recipient",
        "mailed_form",
        "evidence scan of form 114",
        "form-114",
    ]
    assert cells(events.stdout, str(opted_in.id))[5:8] == ["third_party:Acme Insurance", "", "proof written"]

    now = run(environment, "show", customer)
    assert now.exit_code == 0, now.output
    assert cells(now.stdout, "carrier")[1:3] == ["opted_out", "opted_out"]
    assert cells(now.stdout, "third_party:Acme Insurance")[1:3] == ["opted_out", "opted_out"]
    between = run(environment, "show", customer, "--as-of", ago(2))
    assert cells(between.stdout, "third_party:Acme Insurance")[1:4] == [
        "opt_in",
        "opted_in",
        opted_in.occurred_at.isoformat(timespec="seconds"),
    ]
    assert cells(between.stdout, "carrier")[1:3] == ["none", "no_notice"]
    assert "renotice due: no notice yet" in between.stdout
    confirmations = [m for m in outbox(database) if m.template == "consent_confirmation"]
    assert [(m.channel, m.recipient) for m in confirmations] == [
        (NoticeChannel.EMAIL, "ana@customer.example")
    ] * 2


def test_a_mailed_notice_shows_when_approval_is_deemed_and_when_the_renotice_is_due(environment, customer):
    assert run(environment, "notices", "add", "--default").exit_code == 0
    mailed = datetime.now(UTC).replace(microsecond=0) - timedelta(days=40)
    notice = run(
        environment,
        *("record", customer, "--kind", "notice_sent", "--notice-version", NOTICE, "--notice-medium", "mail"),
        *("--waiting-period-days", "30", "--occurred-at", mailed.isoformat()),
    )
    assert notice.exit_code == 0, notice.output
    assert re.fullmatch(rf"notice_sent recorded on {customer} as event \d+", notice.stderr.strip())
    deemed_from = mailed + timedelta(days=33)  # the third day after mailing, then 30 days (64.2008(d)(1))
    waiting = run(environment, "show", customer, "--as-of", (mailed + timedelta(days=10)).isoformat())
    assert cells(waiting.stdout, "carrier")[1:3] == ["none", "waiting"]
    assert cells(waiting.stdout, "carrier")[5] == deemed_from.isoformat()
    deemed = run(environment, "show", customer)
    lapse = add_years(mailed, 2)
    assert cells(deemed.stdout, "agent")[1:5] == [
        "opt_out_deemed",
        "deemed",
        deemed_from.isoformat(),
        lapse.isoformat(),
    ]
    assert cells(deemed.stdout, "third_party")[1:3] == ["none", "opt_in_required"]
    assert f"renotice due: {lapse.isoformat()}" in deemed.stdout


BAD_ENTRIES = [
    (["--kind", "opted_sideways"], ["--kind"]),
    (["--kind", "opted_in", "--scope", "neighbours"], ["--scope: 'neighbours' is not a recipient class"]),
    (["--kind", "opted_out", "--source", "pigeon"], ["--source"]),
    (
        ["--kind", "opted_out", "--source", "mailed_form", "--occurred-at", "2026-11-01T10:00"],
        ["--occurred-at"],
    ),
    (["--kind", "opted_out", "--waiting-period-days", "0"], ["--waiting-period-days"]),
    (
        ["--kind", "opted_in", "--scope", "customer", "--occurred-at", "2999-01-01T00:00:00+00:00"],
        [
            "occurred_at: is later than now",
            "proof: say whether it was written, electronic or oral",
            "scope: customer cannot be given or denied approval",
        ],
    ),
    (["--kind", "opted_out"], ["source: say how the opt-out arrived"]),
    (["--kind", "opted_in", "--scope", "carrier", "--proof", "oral"], ["recording_reference: oral approval"]),
    (
        ["--kind", "notice_sent", "--notice-version", "none-such", "--notice-medium", "email"],
        ["notice_version: no notice version 'none-such'"],
    ),
    (
        ["--kind", "notice_sent", "--notice-version", NOTICE, "--waiting-period-days", "29"],
        ["notice_medium: say whether", "waiting_period_days: must be"],
    ),
    (["--kind", "notice_bounced", "--refers-to", "999"], ["refers_to: no notice with this id"]),
    (
        ["--kind", "one_time_consent", "--scope", "third_party", "--interaction-id", "999"],
        ["interaction_id: no such interaction on this account"],
    ),
]


def test_bad_consent_entries_exit_2_naming_every_problem_and_write_nothing(
    environment, customer, fresh_database_url, database
):
    assert run(environment, "notices", "add", "--default").exit_code == 0
    for options, expected in BAD_ENTRIES:
        result = run(environment, "record", customer, *options)
        assert result.exit_code == 2, (options, result.output)
        for words in expected:
            assert words in result.output, (options, result.output)
    unknown = run(environment, "record", "NOPE", "--kind", "opted_out", "--source", "mailed_form")
    assert (unknown.exit_code, unknown.stderr.strip()) == (2, "error: no account NOPE")
    assert ledger(fresh_database_url, customer) == []
    assert outbox(database) == []


def test_reading_consent_refuses_an_unknown_account_and_a_time_without_offset(environment, customer):
    naive = run(environment, "show", customer, "--as-of", "2026-11-01T00:00:00")
    assert naive.exit_code == 2
    assert "--as-of: '2026-11-01T00:00:00' is not an ISO 8601 instant with a UTC offset" in naive.stderr
    for command in ("show", "events"):
        missing = run(environment, command, "NOPE")
        assert (missing.exit_code, missing.stderr.strip()) == (2, "error: no account NOPE")


def test_check_finds_a_projection_that_differs_from_the_ledger_and_repairs_it(
    environment, database, customer
):
    other = add_customer(database, "bo@customer.example")[1]
    for number in (customer, other):
        assert (
            run(environment, "record", number, "--kind", "opted_out", "--source", "mailed_form").exit_code
            == 0
        )
    clean = run(environment, "check")
    assert (clean.exit_code, clean.stdout.strip()) == (
        0,
        "the projection matches the ledger: 2 accounts checked",
    )
    with Session(database) as session:
        tampered = session.scalars(select(ConsentState.account_id).limit(1)).one()
        session.execute(delete(ConsentState).where(ConsentState.account_id == tampered))
        session.commit()
    differs = run(environment, "check")
    assert differs.exit_code == 1, differs.output
    assert cells(differs.stdout, str(tampered))[1:] == ["7", "0"]
    assert "1 of 2 accounts differ from their ledger; run with --repair" in differs.stdout
    repaired = run(environment, "check", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "1 of 2 accounts repaired" in repaired.stdout
    assert run(environment, "check").exit_code == 0


def record_an_opt_in_then_its_revocation(environment, customer):
    for options in (
        [
            "--kind",
            "opted_in",
            "--scope",
            "carrier",
            "--proof",
            "written",
            "--occurred-at",
            "2023-01-10T09:00:00-05:00",
        ],
        ["--kind", "revoked", "--scope", "carrier", "--occurred-at", "2023-03-01T09:00:00-05:00"],
    ):
        assert run(environment, "record", customer, *options).exit_code == 0


def test_purge_deletes_only_records_superseded_over_a_year_ago_and_refuses_a_later_cutoff(
    environment, customer, fresh_database_url, monkeypatch
):
    # The year runs from when the ledger held the superseding record: enter both in early 2023.
    entered = datetime(2023, 3, 2, tzinfo=UTC)
    with monkeypatch.context() as patch:
        patch.setattr(bootstrap, "AdjustableClock", lambda: AdjustableClock(pinned=entered))
        record_an_opt_in_then_its_revocation(environment, customer)
    opt_in, revocation = ledger(fresh_database_url, customer)
    too_late = run(environment, "purge", "--superseded-before", ago(180))
    assert too_late.exit_code == 2
    assert "--superseded-before: records must be kept 1 year after they are superseded" in too_late.stderr
    naive = run(environment, "purge", "--superseded-before", "2024-01-01")
    assert (naive.exit_code, "--superseded-before" in naive.stderr) == (2, True)
    dry = run(environment, "purge", "--superseded-before", "2024-01-01T00:00:00+00:00", "--dry-run")
    assert (dry.exit_code, dry.stdout.strip()) == (0, "would purge 1 records from 1 accounts")
    assert ledger(fresh_database_url, customer) == [opt_in, revocation]
    purged = run(environment, "purge", "--superseded-before", "2024-01-01T00:00:00+00:00")
    assert (purged.exit_code, purged.stdout.strip()) == (0, "purged 1 records from 1 accounts")
    assert ledger(fresh_database_url, customer) == [revocation]
    assert run(environment, "check").exit_code == 0


def notice_versions(database) -> int:
    with Session(database) as session:
        return session.scalar(select(func.count()).select_from(ConsentNoticeVersion)) or 0


def test_a_notice_version_is_added_once_and_only_when_it_meets_64_2008_c(environment, database, tmp_path):
    neither = run(environment, "notices", "add")
    assert (neither.exit_code, "FILE: give a notice file, or --default" in neither.stderr) == (2, True)
    both = run(environment, "notices", "add", str(DEFAULT_NOTICE_FILE), "--default")
    assert both.exit_code == 2
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": "x",\n  "texts": }')
    not_json = run(environment, "notices", "add", str(broken))
    assert not_json.exit_code == 2
    assert "line 2, column 12: is not valid JSON" in not_json.stderr
    short = json.loads(DEFAULT_NOTICE_FILE.read_text())
    short |= {"version": "short-wait", "waiting_period_days": 20}
    del short["texts"]["fr"]["right_to_deny"]
    unlawful = tmp_path / "unlawful.json"
    unlawful.write_text(json.dumps(short))
    refused = run(environment, "notices", "add", str(unlawful))
    assert refused.exit_code == 2
    assert "waiting_period_days: must be" in refused.stderr
    assert "texts.fr.right_to_deny: is missing" in refused.stderr
    assert notice_versions(database) == 0

    added = run(environment, "notices", "add", "--default")
    assert added.exit_code == 0, added.output
    assert f"notice version {NOTICE} added: waiting period 30 days, in en, fr" in added.stderr
    twice = run(environment, "notices", "add", str(DEFAULT_NOTICE_FILE))
    assert twice.exit_code == 2
    assert f"version: '{NOTICE}' exists already" in twice.stderr
    listed = run(environment, "notices", "list")
    assert cells(listed.stdout, NOTICE)[1:3] == ["30", "en, fr"]
    assert notice_versions(database) == 1


def test_a_notice_mailing_reaches_each_due_customer_once_and_resumes_where_it_stopped(
    environment, database, fresh_database_url
):
    by_email = add_customer(database, "em@customer.example", email_notices=True)[1]
    by_letter = add_customer(database, "le@customer.example", postal="1 Main St, Springfield, IL 62701")[1]
    unreachable = add_customer(database, "un@customer.example")[1]  # email not chosen for notices, no postal
    assert run(environment, "notices", "add", "--default").exit_code == 0
    due = run(environment, "due")
    assert due.exit_code == 0, due.output
    assert cells(due.stdout, by_email)[1:] == ["en", "never", "yes", "yes", "no"]
    assert cells(due.stdout, by_letter)[4:] == ["no", "yes"]
    assert cells(due.stdout, unreachable)[4:] == ["no", "no"]

    # A mailing that was started and stopped before any page was written, as after a crash.
    container = build_container(make_settings(fresh_database_url))
    try:
        batch = start_notice_batch(
            container.notice_terms(), kind=NoticeBatchKind.INITIAL, notice_version=NOTICE, by="test"
        )
    finally:
        container.dispose()
    resumed = run(environment, "notices", "resume", str(batch))
    assert resumed.exit_code == 0, resumed.output
    assert f"notice batch {batch} (initial, version {NOTICE}) finished: 2 queued, 1 skipped" in resumed.stdout
    notices = {m.account_id: m for m in outbox(database) if m.template.startswith("cpni_notice")}
    assert sorted((m.channel, m.recipient) for m in notices.values()) == [
        (NoticeChannel.EMAIL, "em@customer.example"),
        (NoticeChannel.LETTER, "1 Main St, Springfield, IL 62701"),
    ]
    again = run(environment, "notices", "send", "--kind", "initial", "--version", NOTICE)
    assert again.exit_code == 0, again.output
    assert "finished: 0 queued, 1 skipped" in again.stdout
    assert f"resume it with: cpniguard consent notices resume {batch + 1}" in again.stderr
    assert len([m for m in outbox(database) if m.template.startswith("cpni_notice")]) == 2
    still_due = run(environment, "due")
    assert unreachable in still_due.stdout
    assert by_email not in still_due.stdout


def test_bad_notice_mailings_and_due_lists_exit_2(environment, database):
    add_customer(database, "em@customer.example", email_notices=True)
    assert run(environment, "notices", "add", "--default").exit_code == 0
    for arguments, expected in (
        (["notices", "send", "--kind", "yearly", "--version", NOTICE], "--kind"),
        (["notices", "send", "--kind", "initial", "--version", "none-such"], "no notice version 'none-such'"),
        (["notices", "resume", "999"], "no notice batch 999"),
        (["notices", "resume", "0"], "batch_id"),
        (["due", "--limit", "0"], "--limit"),
        (["due", "--as-of", "tomorrow"], "--as-of: 'tomorrow' is not an ISO 8601 instant"),
    ):
        result = run(environment, *arguments)
        assert result.exit_code == 2, (arguments, result.output)
        assert expected in result.output, (arguments, result.output)
    assert outbox(database) == []


def test_probes_without_a_probe_account_are_a_configuration_error(environment):
    result = run(environment, "probe", "--once")
    assert result.exit_code == 3
    assert "no probe account is configured: set CPNIGUARD_CONSENT__PROBE_ACCOUNT_NUMBER" in result.stderr


@pytest.fixture
def failing_channel(environment, customer):
    """Probes of a mailbox nobody listens on; one failure is beyond an anomaly here."""
    return environment | {
        "CPNIGUARD_CONSENT__PROBE_ACCOUNT_NUMBER": customer,
        "CPNIGUARD_CONSENT__MAILBOX_PORT": str(free_port()),
        "CPNIGUARD_CONSENT__PROBE_FAILURE_THRESHOLD": "1",
        "CPNIGUARD_OUTBOX__SEND_TIMEOUT_SECONDS": "2",
    }


def incident_fields(database) -> tuple[int, str | None]:
    with Session(database) as session:
        incident = session.scalars(select(OptOutFailureIncident)).one()
        return incident.id, incident.remedy


def test_a_failed_probe_opens_an_incident_whose_letter_is_written_once_staff_fill_it_in(
    failing_channel, database, tmp_path
):
    probed = run(failing_channel, "probe", "--once")
    assert probed.exit_code == 0, probed.output
    assert "probes sent 1; earlier probes succeeded 0, failed 1; incidents opened: 1" in probed.stdout
    incident, _ = incident_fields(database)
    listed = run(failing_channel, "failures", "list")
    assert cells(listed.stdout, str(incident))[1] == "marketing_mailbox"
    assert cells(listed.stdout, str(incident))[4] == "missing"

    pdf = tmp_path / "letter.pdf"
    early = run(failing_channel, "failures", "letter", str(incident), "--out", str(pdf))
    assert early.exit_code == 2
    for field in ("remedy: state the proposed remedy", "state_commissions:", "remedy_date:"):
        assert field in early.stderr
    assert not pdf.exists()
    for arguments, expected in (
        (["--remedy-date", "2026-13-01"], "--remedy-date: '2026-13-01' is not a date (YYYY-MM-DD)"),
        ([], "nothing to update"),
        (["--closed-at", "2999-01-01T00:00:00+00:00"], "closed_at: cannot be later than now"),
        (["--letter-sent-at", "2026-11-01"], "--letter-sent-at"),
    ):
        refused = run(failing_channel, "failures", "update", str(incident), *arguments)
        assert (refused.exit_code, expected in refused.stderr) == (2, True), refused.output
    unknown = run(failing_channel, "failures", "update", "999", "--remedy", "x")
    assert (unknown.exit_code, unknown.stderr.strip()) == (2, "error: no opt-out failure incident 999")
    assert incident_fields(database) == (incident, None)

    updated = run(
        failing_channel,
        *("failures", "update", str(incident), "--remedy", "The mailbox was restarted and is now monitored."),
        *("--remedy-date", "2026-11-20", "--state-commissions", "No state commission was told; none acted."),
    )
    assert updated.exit_code == 0, updated.output
    assert run(failing_channel, "failures", "letter", str(incident), "--out", str(pdf)).exit_code == 0
    printed = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "Proposed remedy" in printed
    assert "The mailbox was restarted and is now monitored." in printed
    text = tmp_path / "letter.txt"
    assert run(failing_channel, "failures", "letter", str(incident), "--out", str(text)).exit_code == 0
    assert "No state commission was told; none acted." in text.read_text()
    nowhere = run(
        failing_channel, "failures", "letter", str(incident), "--out", str(tmp_path / "no" / "x.txt")
    )
    assert (nowhere.exit_code, "--out: cannot write" in nowhere.stderr) == (2, True)


def test_the_probe_runs_a_round_every_interval_until_it_is_stopped(failing_channel, tmp_path):
    log = tmp_path / "probe.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "cpniguard", "consent", "probe"],
            env=failing_channel | {"CPNIGUARD_CONSENT__PROBE_INTERVAL_SECONDS": "0.2"},
            stdout=output,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while log.read_text().count("probes sent 1") < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            process.send_signal(signal.SIGTERM)
            assert process.wait(30) == 0
        finally:
            process.kill()
    rounds = log.read_text().splitlines()
    assert len(rounds) >= 2, rounds
    assert "incidents opened: 1" in rounds[0]
    assert "incidents opened: none" in rounds[1]  # the channel's incident is open already
