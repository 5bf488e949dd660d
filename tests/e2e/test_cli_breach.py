"""`cpniguard breach deadlines`: a breach's notice deadlines as JSON (47 CFR 64.2011).

The command needs no database: only settings. Bad input exits 2 naming the option, bad
settings exit 3, and nothing is printed on stdout either way.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.conftest import TEST_SECRET, TEST_SIGNING_KEY
from typer.testing import CliRunner

from cpniguard.cli import context
from cpniguard.cli.main import app

pytestmark = pytest.mark.e2e

EXAMPLE = "2026-11-19T14:00:00-05:00"
FIELDS = {"name", "due_on", "not_before", "required", "recipients", "explanation", "citation", "held_until"}


@pytest.fixture
def environment(tmp_path, monkeypatch):
    for console in (context.stdout, context.stderr):
        monkeypatch.setattr(console, "_width", None)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPNIGUARD_")}
    env.update(
        CPNIGUARD_ENVIRONMENT="test",
        CPNIGUARD_DATA_DIR=str(tmp_path / "data"),
        CPNIGUARD_SECURITY__SIGNING_KEY=TEST_SIGNING_KEY,
        CPNIGUARD_SECURITY__ENCRYPTION_KEY=TEST_SECRET,
        CPNIGUARD_GATEWAY__AUTH_TOKEN=TEST_SECRET,
        COLUMNS="250",
    )
    return env


def run(environment, *arguments):
    result = CliRunner().invoke(app, ["breach", "deadlines", *arguments], env=environment)
    assert "Traceback" not in result.output, result.output
    return result


def deadlines(environment, *arguments):
    result = run(environment, *arguments)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    return document, {deadline["name"]: deadline for deadline in document["deadlines"]}


def test_the_example_determination_makes_agency_notice_due_on_december_1(environment):
    document, by_name = deadlines(environment, "--determined", EXAMPLE)

    assert document["regime"] == "legacy"
    assert document["determined_at"] == EXAMPLE
    assert by_name["agency_notice"]["due_on"] == "2026-12-01"
    assert by_name["agency_notice"]["recipients"] == ["USSS", "FBI"]
    assert "Thu 2026-11-26" in by_name["agency_notice"]["explanation"]
    assert by_name["customer_notice_earliest"]["not_before"] == "2026-12-11"


def test_every_deadline_carries_every_field_with_iso_dates(environment):
    document, _ = deadlines(environment, "--determined", EXAMPLE, "--regime", "2023")

    assert set(document) == {"regime", "determined_at", "deadlines"}
    assert [d["name"] for d in document["deadlines"]] == [
        "agency_notice",
        "annual_summary",
        "customer_notice_earliest",
        "customer_notice_latest",
    ]
    for deadline in document["deadlines"]:
        assert set(deadline) == FIELDS
        assert deadline["citation"].startswith("47 CFR 64.2011")
    latest = document["deadlines"][3]
    assert latest["due_on"] == "2026-12-19"
    assert latest["required"] is True


def test_a_small_harmless_breach_goes_in_the_annual_summary(environment):
    _, by_name = deadlines(
        environment, "--determined", EXAMPLE, "--regime", "2023", "--customers", "499", "--no-harm"
    )

    assert by_name["agency_notice"]["required"] is False
    assert by_name["annual_summary"]["due_on"] == "2027-02-01"
    assert by_name["customer_notice_latest"]["required"] is False


def test_500_customers_need_agency_notice_even_without_likely_harm(environment):
    _, by_name = deadlines(
        environment, "--determined", EXAMPLE, "--regime", "2023", "--customers", "500", "--no-harm"
    )

    assert by_name["agency_notice"]["due_on"] == "2026-12-01"
    assert by_name["annual_summary"]["required"] is False


def test_the_annual_summary_date_comes_from_the_settings(environment):
    environment |= {
        "CPNIGUARD_BREACH__ANNUAL_SUMMARY_MONTH": "3",
        "CPNIGUARD_BREACH__ANNUAL_SUMMARY_DAY": "15",
    }
    _, by_name = deadlines(
        environment, "--determined", EXAMPLE, "--regime", "2023", "--customers", "3", "--no-harm"
    )

    assert by_name["annual_summary"]["due_on"] == "2027-03-15"


def test_encrypted_data_with_a_safe_key_needs_no_2023_customer_notice(environment):
    _, by_name = deadlines(environment, "--determined", EXAMPLE, "--regime", "2023", "--encrypted-key-safe")

    assert by_name["customer_notice_latest"]["required"] is False
    assert by_name["agency_notice"]["required"] is True


def test_the_urgent_need_lifts_the_legacy_wait(environment):
    _, by_name = deadlines(environment, "--determined", EXAMPLE, "--urgent-need")

    assert by_name["customer_notice_earliest"]["not_before"] is None
    assert by_name["customer_notice_earliest"]["citation"] == "47 CFR 64.2011(b)(2)"


@pytest.mark.parametrize(
    ("effective_on", "regime"),
    [("2026-11-19", "2023"), ("2026-11-20", "legacy")],
)
def test_without_regime_the_setting_decides_by_the_determination_date(environment, effective_on, regime):
    environment |= {"CPNIGUARD_BREACH__AMENDMENTS_EFFECTIVE_ON": effective_on}
    document, by_name = deadlines(environment, "--determined", EXAMPLE)

    assert document["regime"] == regime
    assert ("annual_summary" in by_name) is (regime == "2023")


def test_the_regime_option_overrides_the_setting(environment):
    environment |= {"CPNIGUARD_BREACH__AMENDMENTS_EFFECTIVE_ON": "2026-01-01"}
    document, _ = deadlines(environment, "--determined", EXAMPLE, "--regime", "legacy")

    assert document["regime"] == "legacy"


def test_an_fcc_closure_in_the_settings_moves_the_deadline(environment):
    environment |= {"CPNIGUARD_CONSENT__FCC_CLOSED_DAYS": '["2026-11-27"]'}
    _, by_name = deadlines(environment, "--determined", EXAMPLE)

    assert by_name["agency_notice"]["due_on"] == "2026-12-02"


@pytest.mark.parametrize(
    ("arguments", "option", "words"),
    [
        (["--determined", "2026-11-19T14:00:00"], "--determined", "UTC offset"),
        (["--determined", "next thursday"], "--determined", "ISO 8601"),
        (["--determined", EXAMPLE, "--discovered", "2026-11-18T09:00"], "--discovered", "UTC offset"),
        (
            ["--determined", EXAMPLE, "--discovered", "2026-11-19T14:01:00-05:00"],
            "--determined",
            "before the discovery",
        ),
        (["--determined", EXAMPLE, "--customers", "-1"], "--customers", "negative"),
        (["--determined", EXAMPLE, "--no-harm"], "--customers", "number affected"),
        (["--determined", EXAMPLE, "--regime", "2024"], "--regime", "2024"),
        (["--determined", "2019-06-03T10:00:00-04:00"], "--determined", "2021"),
    ],
)
def test_bad_input_exits_2_naming_the_option_and_prints_no_deadlines(environment, arguments, option, words):
    result = run(environment, *arguments)

    assert result.exit_code == 2, result.output
    assert option in result.stderr
    assert words in result.stderr
    assert result.stdout == ""
    assert not Path(environment["CPNIGUARD_DATA_DIR"]).exists()


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ({"CPNIGUARD_BREACH__ANNUAL_SUMMARY_DAY": "30"}, "not a date of every year"),
        ({"CPNIGUARD_BREACH__AMENDMENTS_EFFECTIVE_ON": "soon"}, "breach.amendments_effective_on"),
    ],
)
def test_bad_breach_settings_exit_3_saying_which(environment, variables, words):
    result = run(environment | variables, "--determined", EXAMPLE)

    assert result.exit_code == 3, result.output
    assert words in result.stderr
    assert result.stdout == ""
