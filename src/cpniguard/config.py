"""Settings, read from CPNIGUARD_* environment variables by bootstrap only."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
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


class CallerAuthSettings(BaseModel):
    """Lockout, pretexting alerts and one-time codes for caller authentication (47 CFR 64.2010(a))."""

    max_failures: int = Field(default=5, ge=1, le=100, description="Failed attempts that lock.")
    failure_window_minutes: int = Field(
        default=15, ge=1, le=10_080, description="Failures count toward a lock within this many minutes."
    )
    first_lock_minutes: int = Field(
        default=15, ge=1, le=10_080, description="The first lock's length; each next lock doubles it."
    )
    longest_lock_minutes: int = Field(
        default=1440, ge=1, le=525_600, description="No lock lasts longer than this many minutes."
    )
    pretexting_accounts: int = Field(
        default=3, ge=2, le=1000, description="Failures on this many accounts from one caller number alert."
    )
    pretexting_window_minutes: int = Field(
        default=60, ge=1, le=10_080, description="The window the pretexting count looks back over."
    )
    code_lifetime_minutes: int = Field(
        default=15, ge=1, le=1440, description="How long an emailed one-time code counts."
    )
    interaction_timeout_minutes: int = Field(
        default=120,
        ge=1,
        le=1440,
        description="An interaction nobody ended stops counting (and its authentication) after this long.",
    )


class OutboxSettings(BaseModel):
    """The worker that delivers the outbox: retries, backoff, leases, the print queue (issue 4)."""

    max_attempts: int = Field(
        default=8, ge=1, le=100, description="Attempts before a message is dead-lettered with its reason."
    )
    first_retry_seconds: float = Field(
        default=30, ge=0, le=86_400, description="Wait after the first failed attempt."
    )
    backoff_factor: float = Field(
        default=2, ge=1, le=10, description="Each further wait is this much longer."
    )
    max_retry_seconds: float = Field(
        default=21_600, ge=0, le=604_800, description="No wait between attempts is longer than this."
    )
    lease_seconds: float = Field(
        default=300,
        ge=1,
        le=86_400,
        description="A claimed message is another worker's to retry once this has passed without news "
        "(a worker that died mid-delivery). Must exceed twice send_timeout_seconds.",
    )
    send_timeout_seconds: float = Field(
        default=30, gt=0, le=3600, description="The longest one SMTP or gateway exchange may take."
    )
    batch_size: int = Field(default=20, ge=1, le=1000, description="Messages claimed at once by a worker.")
    poll_seconds: float = Field(
        default=5, gt=0, le=3600, description="How long `cpniguard worker` waits when nothing is due."
    )
    print_queue_dir: Path | None = Field(
        default=None, description="Where letters go as PDF files. Default: print-queue in the data directory."
    )
    sender_number: str = Field(
        default="+15555550100",
        pattern=r"^\+[1-9][0-9]{1,14}$",
        description="E.164 number SMS and calls come from.",
    )

    @model_validator(mode="after")
    def _lease_outlasts_sends(self) -> Self:
        # A send that could outlast the lease could overlap another worker's retry of it.
        if self.lease_seconds <= 2 * self.send_timeout_seconds:
            raise ValueError("lease_seconds must exceed twice send_timeout_seconds")
        return self


class ConsentSettings(BaseModel):
    """The consent ledger: the carrier's notices, the marketing mailbox, opt-out probes (issue 5)."""

    carrier_name: str = Field(
        default="Example Carrier",
        min_length=1,
        max_length=200,
        description="Carrier name in notices and letters.",
    )
    carrier_address: str = Field(
        default="1 Example Street, Springfield, IL 62701",
        min_length=1,
        max_length=500,
        description="The carrier's postal address, on the FCC letter's letterhead.",
    )
    opt_out_address: str = Field(
        default="marketing@localhost",
        min_length=3,
        max_length=254,
        description="The marketing mailbox: customers write to it, free and at any time, to opt out.",
    )
    mailbox_host: str = Field(default="127.0.0.1", description="Interface `cpniguard mailbox` listens on.")
    mailbox_port: int = Field(default=2525, ge=1, le=65535, description="SMTP port of `cpniguard mailbox`.")
    mailbox_max_bytes: int = Field(
        default=10_000_000,
        ge=10_000,
        le=100_000_000,
        description="Largest message the mailbox accepts; bigger ones are refused with SMTP 552.",
    )
    mailbox_retry_seconds: float = Field(
        default=60,
        gt=0,
        le=86_400,
        description="Wait before processing a stored message again after a failure.",
    )
    renotice_lead_days: int = Field(
        default=60,
        ge=0,
        le=300,
        description="Biennial notices go out this long before the last one turns two (64.2008(d)(2)).",
    )
    probe_account_number: str | None = Field(
        default=None, description="The test account opt-out probes write to; probes are off without one."
    )
    probe_sender: str = Field(default="probe@localhost", description="The probe account's email of record.")
    probe_api_url: str = Field(
        default="http://127.0.0.1:8000", description="Where the probe reaches the API."
    )
    probe_api_token: SecretStr | None = Field(
        default=None, description="Bearer token the probe uses on the API."
    )
    probe_interval_seconds: float = Field(
        default=900, gt=0, le=86_400, description="Time between probe rounds."
    )
    probe_grace_seconds: float = Field(
        default=300, gt=0, le=86_400, description="A probe not processed after this long has failed."
    )
    probe_failure_threshold: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Failed probes in a row that make a channel failure more than an anomaly (64.2009(f)).",
    )
    contact_name: str = Field(
        default="CPNI Compliance Officer", description="Contact named in the FCC letter."
    )
    contact_email: str = Field(default="cpni@localhost", description="Contact email in the FCC letter.")
    contact_phone: str = Field(default="+15555550100", description="Contact telephone in the FCC letter.")
    fcc_closed_days: list[date] = Field(
        default_factory=list,
        description="Extra days the FCC's offices were closed (47 CFR 1.4(e)(1)); not business days.",
    )


MAX_REMINDER_LEAD_DAYS = 30


class BreachSettings(BaseModel):
    """Breach notification under 47 CFR 64.2011 (issue 6)."""

    amendments_effective_on: date | None = Field(
        default=None,
        description="The day the FCC 23-111 amendments to 47 CFR 64.2011 take effect, once the Wireline "
        "Competition Bureau announces it: breaches determined from that day (Eastern) follow the 2023 rule. "
        "Unset: the amendments are not in effect and the legacy rule applies (RULES.md section 0).",
    )
    annual_summary_month: int = Field(
        default=2,
        ge=1,
        le=12,
        description="Month the 2023 rule's annual summary of small breaches is due, in the year after "
        "(47 CFR 64.2011(a)(3) as amended; February 1 is recalled, not confirmed: RULES.md 12.2).",
    )
    annual_summary_day: int = Field(
        default=1, ge=1, le=31, description="Day of `annual_summary_month` the annual summary is due."
    )
    compliance_officer_email: str | None = Field(
        default=None,
        max_length=254,
        description="Where reminders of approaching breach deadlines and digests of messages the "
        "outbox gave up on go, through the outbox. Unset: the worker sends neither (`cpniguard breach "
        "reminders` and `cpniguard outbox dead-letters` still list them).",
    )
    reminder_lead_business_days: tuple[int, ...] = Field(
        default=(3, 1, 0),
        description="Business days before a breach deadline that the compliance officer is reminded "
        "(0: on the day); an overdue duty is reminded every business day until it is recorded as done.",
    )
    state_regulator_contact: str = Field(
        default="",
        max_length=1000,
        description="How customers reach the relevant state regulatory agencies, printed in customer "
        "breach notices (47 CFR 64.2011(b) as amended, content: RULES.md 8.6 (iv)). No default: which "
        "agencies depends on the states served; while blank the notice names none and its preview says so.",
    )
    credit_monitoring_offer: str = Field(
        default="",
        max_length=1000,
        description="The credit monitoring, credit reporting or credit freeze help the carrier offers "
        "customers whose personal information a breach put at risk of identity theft, and how to take it "
        "up; printed in those customers' breach notices only (47 CFR 64.2011(b) as amended, content: "
        "RULES.md 8.6 (v)). Blank: the notice says the carrier offers none beyond the free fraud alert, "
        "security freeze and credit reports it tells customers how to get themselves.",
    )

    @field_validator("reminder_lead_business_days")
    @classmethod
    def _lead_days_are_small_and_not_negative(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if not days or any(not 0 <= day <= MAX_REMINDER_LEAD_DAYS for day in days):
            msg = f"give one or more whole numbers of business days from 0 to {MAX_REMINDER_LEAD_DAYS}"
            raise ValueError(msg)
        return tuple(sorted(set(days), reverse=True))

    @model_validator(mode="after")
    def _refuse_a_due_date_missing_from_some_years(self) -> Self:
        try:
            date(2023, self.annual_summary_month, self.annual_summary_day)  # 2023: no February 29
        except ValueError:
            msg = (
                f"annual_summary_month {self.annual_summary_month} and annual_summary_day "
                f"{self.annual_summary_day} are not a date of every year"
            )
            raise ValueError(msg) from None
        return self


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
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    caller_auth: CallerAuthSettings = Field(default_factory=CallerAuthSettings)
    consent: ConsentSettings = Field(default_factory=ConsentSettings)
    breach: BreachSettings = Field(default_factory=BreachSettings)

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
