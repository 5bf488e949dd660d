"""Settings, read from CPNIGUARD_* environment variables by bootstrap only."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SQLITE_FILE_NAME = "cpniguard.sqlite3"
"""The embedded database's file in the data directory, when no database URL is set."""
PLACEHOLDER_SECRET = "change-me"  # noqa: S105  (the well-known placeholder we refuse in production)


class Environment(StrEnum):
    """Where cpniguard runs; only development tolerates placeholder secrets."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class DatabaseSettings(BaseModel):
    """Where the data lives."""

    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db. "
        "Default: an SQLite file cpniguard.sqlite3 in the data directory.",
    )
    echo: bool = Field(default=False, description="Log every SQL statement (debugging only).")


class SecuritySettings(BaseModel):
    """Keys. Both must be real secrets outside development."""

    signing_key: SecretStr = Field(
        default=SecretStr(PLACEHOLDER_SECRET),
        description="Signs access-log checkpoints and session cookies (32+ characters).",
    )
    encryption_key: SecretStr = Field(
        default=SecretStr(PLACEHOLDER_SECRET),
        description="Fernet key(s) for identifiers encrypted at rest, comma-separated, newest first.",
    )


class SmtpSettings(BaseModel):
    """Outgoing mail (account-change notices, confirmations)."""

    host: str = Field(default="127.0.0.1", description="SMTP server host.")
    port: int = Field(default=25, ge=1, le=65535, description="SMTP server port.")
    sender: str = Field(default="cpni@localhost", description="From address of notices.")
    username: str | None = Field(default=None, description="SMTP user, if the server wants one.")
    password: SecretStr | None = Field(default=None, description="SMTP password.")


class GatewaySettings(BaseModel):
    """SMS and voice gateway with a Twilio-style REST interface."""

    base_url: str = Field(default="http://127.0.0.1:8025", description="Gateway base URL.")
    account_id: str = Field(default="cpniguard", description="Gateway account id.")
    auth_token: SecretStr = Field(default=SecretStr(PLACEHOLDER_SECRET), description="Gateway auth token.")


class AccessLogSettings(BaseModel):
    """The hash-chained access log (DESIGN.md invariant 2)."""

    checkpoint_interval: int = Field(
        default=1000,
        ge=1,
        le=10_000_000,
        description="Write a signed checkpoint every this many entries; a chain cut short by more "
        "than this is caught by the checkpoints as well as by the signed head.",
    )


class Settings(BaseSettings):
    """Every setting, with the CPNIGUARD_ prefix and '__' between group and name."""

    model_config = SettingsConfigDict(
        env_prefix="CPNIGUARD_", env_nested_delimiter="__", extra="forbid", hide_input_in_errors=True
    )

    environment: Environment = Field(
        default=Environment.DEVELOPMENT, description="development, test or production."
    )
    data_dir: Path = Field(
        default=Path("data"), description="Folder for the SQLite file and generated files."
    )
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    gateway: GatewaySettings = Field(default_factory=GatewaySettings)
    access_log: AccessLogSettings = Field(default_factory=AccessLogSettings)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        if self.environment is Environment.DEVELOPMENT:
            return self
        secrets = {
            "CPNIGUARD_SECURITY__SIGNING_KEY": self.security.signing_key,
            "CPNIGUARD_SECURITY__ENCRYPTION_KEY": self.security.encryption_key,
            "CPNIGUARD_GATEWAY__AUTH_TOKEN": self.gateway.auth_token,
        }
        weak = [name for name, value in secrets.items() if _is_placeholder(value)]
        if weak:
            msg = f"placeholder or short secrets are refused in {self.environment}: set {', '.join(weak)}"
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _refuse_one_key_for_two_purposes(self) -> Self:
        if self.environment is Environment.DEVELOPMENT:
            return self
        signing = self.security.signing_key.get_secret_value()
        encryption = self.security.encryption_key.get_secret_value()
        if signing == encryption or signing in {key.strip() for key in encryption.split(",")}:
            msg = (
                f"CPNIGUARD_SECURITY__SIGNING_KEY must differ from CPNIGUARD_SECURITY__ENCRYPTION_KEY "
                f"in {self.environment}: a key that leaks from one use must not open the other"
            )
            raise ValueError(msg)
        return self

    @property
    def database_url(self) -> str:
        """The configured URL, or the embedded SQLite file in the data directory."""
        if self.database.url:
            # A bare postgresql:// URL would make SQLAlchemy look for psycopg2; we ship psycopg 3.
            for bare in ("postgresql://", "postgres://"):
                if self.database.url.startswith(bare):
                    return "postgresql+psycopg://" + self.database.url.removeprefix(bare)
            return self.database.url
        return f"sqlite:///{(self.data_dir / SQLITE_FILE_NAME).resolve()}"


MIN_SECRET_LENGTH = 32


def _is_placeholder(secret: SecretStr) -> bool:
    value = secret.get_secret_value()
    return value == PLACEHOLDER_SECRET or len(value) < MIN_SECRET_LENGTH
