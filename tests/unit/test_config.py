"""Settings from CPNIGUARD_* variables; placeholder secrets refused outside development."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from cpniguard.config import MIN_SECRET_LENGTH, PLACEHOLDER_SECRET, Environment, Settings

SECRET_VARIABLES = (
    "CPNIGUARD_SECURITY__SIGNING_KEY",
    "CPNIGUARD_SECURITY__ENCRYPTION_KEY",
    "CPNIGUARD_GATEWAY__AUTH_TOKEN",
)
STRONG = "s" * MIN_SECRET_LENGTH
OTHER_STRONG = "t" * MIN_SECRET_LENGTH


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test sees only the CPNIGUARD_ variables it sets, from an empty folder."""
    for name in list(os.environ):
        if name.startswith("CPNIGUARD_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def set_secrets(
    monkeypatch: pytest.MonkeyPatch, value: str, names: tuple[str, ...] = SECRET_VARIABLES
) -> None:
    for name in names:
        monkeypatch.setenv(name, value)


def refusal(monkeypatch: pytest.MonkeyPatch, environment: str) -> str:
    monkeypatch.setenv("CPNIGUARD_ENVIRONMENT", environment)
    with pytest.raises(ValidationError) as raised:
        Settings()
    return str(raised.value)


def test_the_default_environment_is_development_and_accepts_placeholder_secrets():
    settings = Settings()
    assert settings.environment is Environment.DEVELOPMENT
    assert settings.security.signing_key.get_secret_value() == PLACEHOLDER_SECRET


@pytest.mark.parametrize("environment", ["test", "production"])
def test_placeholder_secrets_are_refused_outside_development_naming_every_variable(monkeypatch, environment):
    message = refusal(monkeypatch, environment)
    assert f"placeholder or short secrets are refused in {environment}" in message
    for name in SECRET_VARIABLES:
        assert name in message


@pytest.mark.parametrize("environment", ["test", "production"])
def test_the_placeholder_given_explicitly_is_refused(monkeypatch, environment):
    set_secrets(monkeypatch, PLACEHOLDER_SECRET)
    message = refusal(monkeypatch, environment)
    assert all(name in message for name in SECRET_VARIABLES)


@pytest.mark.parametrize("weak_variable", SECRET_VARIABLES)
def test_one_short_secret_is_refused_and_only_it_is_named(monkeypatch, weak_variable):
    set_secrets(monkeypatch, STRONG)
    monkeypatch.setenv(weak_variable, "s" * (MIN_SECRET_LENGTH - 1))
    message = refusal(monkeypatch, "production")
    assert weak_variable in message
    assert [name for name in SECRET_VARIABLES if name in message] == [weak_variable]


def test_the_secret_values_never_appear_in_the_refusal(monkeypatch):
    short = "hunter2-short-secret"
    set_secrets(monkeypatch, short)
    assert short not in refusal(monkeypatch, "production")


@pytest.mark.parametrize("environment", ["test", "production"])
def test_secrets_of_the_minimum_length_are_accepted_outside_development(monkeypatch, environment):
    set_secrets(monkeypatch, STRONG)
    monkeypatch.setenv("CPNIGUARD_SECURITY__SIGNING_KEY", OTHER_STRONG)
    monkeypatch.setenv("CPNIGUARD_ENVIRONMENT", environment)
    settings = Settings()
    assert settings.environment == environment
    assert settings.gateway.auth_token.get_secret_value() == STRONG


@pytest.mark.parametrize("encryption_key", [STRONG, f"{OTHER_STRONG}, {STRONG}"])
def test_a_signing_key_equal_to_an_encryption_key_is_refused_in_production_naming_both(
    monkeypatch, encryption_key
):
    set_secrets(monkeypatch, STRONG)
    monkeypatch.setenv("CPNIGUARD_SECURITY__ENCRYPTION_KEY", encryption_key)
    message = refusal(monkeypatch, "production")
    assert "CPNIGUARD_SECURITY__SIGNING_KEY must differ from CPNIGUARD_SECURITY__ENCRYPTION_KEY" in message
    assert STRONG not in message


def test_one_key_for_signing_and_encryption_is_tolerated_in_development(monkeypatch):
    set_secrets(monkeypatch, STRONG)
    assert Settings().security.signing_key.get_secret_value() == STRONG


def test_short_secrets_are_accepted_in_development(monkeypatch):
    set_secrets(monkeypatch, "short")
    assert Settings().security.encryption_key.get_secret_value() == "short"


def test_secrets_do_not_show_in_the_settings_repr(monkeypatch):
    set_secrets(monkeypatch, STRONG)
    assert STRONG not in repr(Settings())


def test_the_default_database_is_an_sqlite_file_in_the_data_directory(tmp_path):
    settings = Settings()
    assert settings.database.url is None
    assert settings.database_url == f"sqlite:///{(tmp_path / 'data' / 'cpniguard.sqlite3').resolve()}"


def test_the_sqlite_file_follows_the_data_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("CPNIGUARD_DATA_DIR", str(tmp_path / "elsewhere"))
    assert Settings().database_url == f"sqlite:///{tmp_path / 'elsewhere' / 'cpniguard.sqlite3'}"


def test_a_configured_database_url_wins_over_the_default(monkeypatch):
    url = "postgresql+psycopg://cpniguard@db.example.test/cpniguard"
    monkeypatch.setenv("CPNIGUARD_DATABASE__URL", url)
    assert Settings().database_url == url


def test_nested_settings_are_read_with_a_double_underscore(monkeypatch):
    monkeypatch.setenv("CPNIGUARD_SMTP__HOST", "smtp.example.test")
    monkeypatch.setenv("CPNIGUARD_SMTP__PORT", "2525")
    monkeypatch.setenv("CPNIGUARD_DATABASE__ECHO", "true")
    settings = Settings()
    assert (settings.smtp.host, settings.smtp.port) == ("smtp.example.test", 2525)
    assert settings.database.echo is True


def test_variables_without_the_prefix_are_ignored(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("DATABASE__URL", "postgresql+psycopg://elsewhere/db")
    settings = Settings()
    assert settings.environment is Environment.DEVELOPMENT
    assert settings.database.url is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [("CPNIGUARD_ENVIRONMENT", "staging"), ("CPNIGUARD_SMTP__PORT", "70000"), ("CPNIGUARD_SMTP__PORT", "x")],
)
def test_invalid_values_are_refused_naming_the_setting(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as raised:
        Settings()
    setting = variable.removeprefix("CPNIGUARD_").lower().replace("__", ".")
    assert setting in {".".join(str(part) for part in error["loc"]) for error in raised.value.errors()}
