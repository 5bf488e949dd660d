from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpniguard.cli.main import app

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "asterisk-master-pseudonymised.csv"


def ingest(environment, *arguments):
    result = CliRunner().invoke(
        app, ["ingest", "cdr", str(SAMPLE), *arguments], env={**environment, "COLUMNS": "200"}
    )
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--format", "asterisk"], "--source-system: is required with --format asterisk"),
        (
            ["--format", "asterisk", "--source-system", "pbx"],
            "--time-zone: is required with --format asterisk",
        ),
        (
            ["--format", "asterisk", "--source-system", "pbx", "--time-zone", "Mars/Olympus"],
            "'Mars/Olympus' is not an IANA time zone",
        ),
        (
            ["--format", "asterisk", "--source-system", "pbx", "--time-zone", "UTC", "--region", "ZZ"],
            "'ZZ' is not a two-letter region",
        ),
        (["--time-zone", "UTC"], "--time-zone: applies to --format asterisk only"),
        (["--inbound-context", "from-pstn"], "--inbound-context: applies to --format asterisk only"),
    ],
)
def test_asterisk_options_are_checked_before_anything_is_read(cli_environment, arguments, expected):
    result = ingest(cli_environment, *arguments)
    assert result.exit_code == 2
    assert expected in result.output


def test_an_unknown_format_is_refused(cli_environment):
    result = ingest(cli_environment, "--format", "freeswitch")
    assert result.exit_code == 2
    assert "'freeswitch' is not one of" in result.output
