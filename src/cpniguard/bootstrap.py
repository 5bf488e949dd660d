"""The composition root: settings, engine, unit of work and adapters, built on request."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cpniguard.adapters.calendar import FIRST_SUPPORTED_YEAR, federal_calendar
from cpniguard.adapters.clock import AdjustableClock, SystemClock
from cpniguard.adapters.db import migrate
from cpniguard.adapters.db.access_log import AccessLogSigner
from cpniguard.adapters.db.access_log_chain import SqlAccessLogChain
from cpniguard.adapters.db.classification import TableClassificationCatalog
from cpniguard.adapters.db.engine import build_engine
from cpniguard.adapters.db.outbox import SqlOutboxQueue
from cpniguard.adapters.db.unit_of_work import SqlUnitOfWork, session_factory
from cpniguard.adapters.ingest.cdr_csv import CsvCallDetailSource
from cpniguard.adapters.notify.email import SmtpSender
from cpniguard.adapters.notify.letters import PrintQueue
from cpniguard.adapters.notify.notice_files import DEFAULT_NOTICE_FILE, load_notice_file
from cpniguard.adapters.notify.sms import GatewaySender
from cpniguard.adapters.notify.templates import JinjaMessageRenderer
from cpniguard.adapters.passwords import Argon2PasswordHasher
from cpniguard.adapters.probes import ApiProbeSender, SmtpProbeSender
from cpniguard.config import SQLITE_FILE_NAME, Environment, Settings
from cpniguard.domain.business_days import BusinessCalendar
from cpniguard.domain.carrier import CarrierContact
from cpniguard.domain.consent_events import ConsentSource
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services.breach import BreachContext
from cpniguard.services.breach_notices import BreachNoticeTerms
from cpniguard.services.breach_reminders import ReminderTerms
from cpniguard.services.campaigns import CampaignContext
from cpniguard.services.consent_notices import NoticeTerms
from cpniguard.services.consent_ports import NoticeVersion
from cpniguard.services.dead_letter_alerts import DeadLetterTerms
from cpniguard.services.mailbox import MailboxTerms
from cpniguard.services.opt_out_monitor import MonitorTerms, ProbeSender
from cpniguard.services.ports import (
    AccessLogChain,
    CallDetailSource,
    ClassificationCatalog,
    Clock,
    MessageRenderer,
    MessageSender,
    OutboxQueue,
    PasswordHasher,
    UnitOfWork,
)

PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
"""The data directory and the SQLite file hold CPNI: only the account cpniguard runs as may read them."""


@dataclass
class Container:
    """Everything an entry point needs, built once per process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    classification: ClassificationCatalog = field(default_factory=TableClassificationCatalog)
    passwords: PasswordHasher = field(default_factory=Argon2PasswordHasher)
    renderer: MessageRenderer = field(default_factory=JinjaMessageRenderer)

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work (UnitOfWorkFactory)."""
        return SqlUnitOfWork(self.sessions, self._access_log_signer())

    def _access_log_signer(self) -> AccessLogSigner:
        interval = self.settings.access_log.checkpoint_interval
        return AccessLogSigner(self.access_log_keys()[0], interval, self.clock)

    def access_log_keys(self) -> list[bytes]:
        """The keys that sign the access log's head and checkpoints; the first signs new ones."""
        return [self.settings.security.signing_key.get_secret_value().encode("utf-8")]

    def access_log_chain(self, *, workers: int = 1) -> AccessLogChain:
        """The access log read back for verification, by `workers` processes when it is long."""
        return SqlAccessLogChain(self.sessions, workers=workers)

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()

    def call_detail_body(self, name: str, content: bytes, *, max_decompressed_bytes: int) -> CallDetailSource:
        """Call detail in cpniguard's CSV layout from a request body (gzip allowed, within the limit)."""
        return CsvCallDetailSource(name, content=content, max_decompressed_bytes=max_decompressed_bytes)

    def schema_revisions(self) -> tuple[str | None, str | None]:
        """The database's migration revision, and the newest this release ships."""
        return migrate.current_revision(self.engine), _newest_revision()

    def outbox_queue(self) -> OutboxQueue:
        """The worker's side of the outbox (claims, leases, delivery state)."""
        return SqlOutboxQueue(self.sessions)

    def message_senders(self) -> dict[NoticeChannel, MessageSender]:
        """A sender per channel: SMTP, the SMS and voice gateway, the letters' print queue."""
        smtp, gateway, outbox = self.settings.smtp, self.settings.gateway, self.settings.outbox
        password = smtp.password.get_secret_value() if smtp.password else None
        email = SmtpSender(
            host=smtp.host,
            port=smtp.port,
            sender=smtp.sender,
            username=smtp.username,
            password=password,
            timeout_seconds=outbox.send_timeout_seconds,
        )
        phone = GatewaySender(
            base_url=gateway.base_url,
            account_id=gateway.account_id,
            auth_token=gateway.auth_token.get_secret_value(),
            sender_number=outbox.sender_number,
            timeout_seconds=outbox.send_timeout_seconds,
        )
        letters = PrintQueue(outbox.print_queue_dir or self.settings.data_dir / "print-queue")
        return {
            NoticeChannel.EMAIL: email,
            NoticeChannel.SMS: phone,
            NoticeChannel.VOICE: phone,
            NoticeChannel.LETTER: letters,
        }

    def default_notice(self) -> NoticeVersion:
        """The CPNI notice shipped with cpniguard, filled with the carrier's name and opt-out address."""
        consent = self.settings.consent
        version, days, texts = load_notice_file(
            DEFAULT_NOTICE_FILE, opt_out_address=consent.opt_out_address, carrier_name=consent.carrier_name
        )
        return NoticeVersion(version, days, texts, self.clock.now(), "cpniguard")

    def business_calendar(self, years: tuple[int, int] | None = None) -> BusinessCalendar:
        """The FCC's business days (47 CFR 1.4(e)) around now, or from the first to the last of `years`.

        Weekends, federal holidays, and the closures recorded by an administrator
        (`cpniguard breach closures`) or listed in the settings.
        """
        # By default from the first year the holiday list is complete: an auditor reads old breaches too.
        first_year, last_year = years or (FIRST_SUPPORTED_YEAR, self.clock.now().year + 2)
        with self.unit_of_work() as uow:
            recorded = [closure.day for closure in uow.commission_closures.listing()]
        closures = [*self.settings.consent.fcc_closed_days, *recorded]
        return federal_calendar(first_year, last_year, closures)

    def breach_context(self) -> BreachContext:
        """What recording a breach needs (issue 6)."""
        return BreachContext(uow_factory=self.unit_of_work, clock=self.clock)

    def campaign_context(self) -> CampaignContext:
        """What keeping the campaign register needs, with every stored field's class (issue 7)."""
        known = {f"{c.table}.{c.field}": c.data_class for c in self.classification.fields()}
        return CampaignContext(uow_factory=self.unit_of_work, clock=self.clock, known_fields=known)

    def annual_summary_due(self) -> tuple[int, int]:
        """The (month, day) the 2023 rule's annual summary is due in the year after (64.2011(a)(3))."""
        breach = self.settings.breach
        return breach.annual_summary_month, breach.annual_summary_day

    def breach_notice_terms(self) -> BreachNoticeTerms:
        """What customer breach notices need (64.2011(c); (b) as amended)."""
        return BreachNoticeTerms(
            uow_factory=self.unit_of_work,
            clock=self.clock,
            renderer=self.renderer,
            calendar=self.business_calendar(),
            amendments_effective_on=self.settings.breach.amendments_effective_on,
            annual_summary_due=self.annual_summary_due(),
            carrier=self.carrier_contact(),
            state_regulator_contact=self.settings.breach.state_regulator_contact,
            credit_monitoring_offer=self.settings.breach.credit_monitoring_offer,
        )

    def breach_reminder_terms(self) -> ReminderTerms:
        """What reminders of breach deadlines to the compliance officer need (issue 6)."""
        breach = self.settings.breach
        return ReminderTerms(
            uow_factory=self.unit_of_work,
            clock=self.clock,
            calendar=self.business_calendar(),
            amendments_effective_on=breach.amendments_effective_on,
            annual_summary_due=self.annual_summary_due(),
            officer_email=breach.compliance_officer_email,
            lead_business_days=breach.reminder_lead_business_days,
        )

    def dead_letter_terms(self) -> DeadLetterTerms:
        """What digests of dead letters to the compliance officer need."""
        return DeadLetterTerms(
            uow_factory=self.unit_of_work,
            clock=self.clock,
            officer_email=self.settings.breach.compliance_officer_email,
        )

    def notice_terms(self) -> NoticeTerms:
        """What CPNI notice mailings and consent confirmations need (issue 5)."""
        consent = self.settings.consent
        return NoticeTerms(
            uow_factory=self.unit_of_work,
            clock=self.clock,
            renderer=self.renderer,
            opt_out_address=consent.opt_out_address,
            renotice_lead_days=consent.renotice_lead_days,
        )

    def mailbox_terms(self) -> MailboxTerms:
        """What the marketing mailbox's processing needs."""
        return MailboxTerms(self.notice_terms(), self.settings.consent.mailbox_retry_seconds)

    def monitor_terms(self) -> MonitorTerms:
        """What the opt-out probes need (64.2009(f))."""
        consent = self.settings.consent
        return MonitorTerms(
            uow_factory=self.unit_of_work,
            clock=self.clock,
            calendar=self.business_calendar(),
            grace=timedelta(seconds=consent.probe_grace_seconds),
            failure_threshold=consent.probe_failure_threshold,
        )

    def carrier_contact(self) -> CarrierContact:
        """Who the carrier's letters are from."""
        consent = self.settings.consent
        return CarrierContact(
            consent.carrier_name,
            consent.carrier_address,
            consent.contact_name,
            consent.contact_email,
            consent.contact_phone,
        )

    def probe_senders(self) -> dict[ConsentSource, ProbeSender]:
        """A test opt-out sender per channel; none without a probe account (64.2009(f))."""
        consent = self.settings.consent
        if consent.probe_account_number is None:
            return {}
        timeout = self.settings.outbox.send_timeout_seconds
        senders: dict[ConsentSource, ProbeSender] = {
            ConsentSource.MARKETING_MAILBOX: SmtpProbeSender(
                host=consent.mailbox_host,
                port=consent.mailbox_port,
                sender=consent.probe_sender,
                mailbox=consent.opt_out_address,
                timeout_seconds=timeout,
            )
        }
        if consent.probe_api_token is not None:
            for source in (ConsentSource.PORTAL, ConsentSource.REPRESENTATIVE, ConsentSource.MAILED_FORM):
                senders[source] = ApiProbeSender(
                    base_url=consent.probe_api_url,
                    token=consent.probe_api_token.get_secret_value(),
                    account_number=consent.probe_account_number,
                    source=source,
                    timeout_seconds=timeout,
                )
        return senders


@cache
def _newest_revision() -> str | None:
    # The migrations ship inside the package: they cannot change while the process runs.
    return migrate.head_revision()


def build_container(settings: Settings | None = None) -> Container:
    """Build the container from `settings`, or from the environment."""
    settings = settings or Settings()
    if settings.database.url is None:
        _prepare_private_database_file(settings.data_dir / SQLITE_FILE_NAME)
    engine = build_engine(settings.database_url, echo=settings.database.echo)
    clock: Clock = SystemClock() if settings.environment is Environment.PRODUCTION else AdjustableClock()
    return Container(settings=settings, engine=engine, sessions=session_factory(engine), clock=clock)


def _prepare_private_database_file(path: Path) -> None:
    """Create the data directory and the empty SQLite file, private, if they are not there yet.

    CPNI must be guarded against unauthorized access (47 CFR 64.2010(a)); SQLite would
    create the file with the umask's permissions (often world-readable), and gives its
    -wal and -shm files the database file's own. Existing ones are left as the operator set them.
    """
    path.parent.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    os.close(descriptor)
