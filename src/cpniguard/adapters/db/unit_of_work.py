"""The unit of work: one SQLAlchemy session, one transaction, every repository."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from cpniguard.adapters.db.access_log import AccessLogSigner, SqlAccessLog
from cpniguard.adapters.db.breach import SqlBreachStore, SqlCommissionClosures
from cpniguard.adapters.db.call_detail import SqlCallDetailStore
from cpniguard.adapters.db.campaigns import SqlCampaignStore
from cpniguard.adapters.db.consent import SqlConsentLedger
from cpniguard.adapters.db.consent_notices import SqlConsentNotices
from cpniguard.adapters.db.contacts import SqlContactRepository
from cpniguard.adapters.db.cpni import SqlCpniStore
from cpniguard.adapters.db.credentials import SqlCredentialRepository
from cpniguard.adapters.db.interactions import SqlInteractionRepository
from cpniguard.adapters.db.mailbox import SqlMailboxStore
from cpniguard.adapters.db.opt_out_monitor import SqlOptOutMonitorStore
from cpniguard.adapters.db.outbox import SqlOutbox
from cpniguard.adapters.db.repositories import (
    SqlAccountRepository,
    SqlApiTokenRepository,
    SqlEmployeeRepository,
)
from cpniguard.adapters.db.third_party_access import SqlThirdPartyAccessLog
from cpniguard.adapters.db.training import SqlTrainingRepository


class SessionTransaction:
    """One session, one transaction; leaving the block without commit() rolls it back."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        """Commit the transaction."""
        self.session.commit()


class SqlUnitOfWork(SessionTransaction):
    """The unit of work: every repository over one transaction.

    Without an access-log signer the unit of work can read the access log but not append to it.
    """

    def __init__(
        self, session_factory: sessionmaker[Session], access_log_signer: AccessLogSigner | None = None
    ) -> None:
        super().__init__(session_factory)
        self._access_log_signer = access_log_signer

    def __enter__(self) -> Self:
        super().__enter__()
        self.access_log = SqlAccessLog(self.session, self._access_log_signer)
        self.accounts = SqlAccountRepository(self.session)
        self.call_detail = SqlCallDetailStore(self.session)
        self.api_tokens = SqlApiTokenRepository(self.session)
        self.employees = SqlEmployeeRepository(self.session)
        self.interactions = SqlInteractionRepository(self.session)
        self.training = SqlTrainingRepository(self.session)
        self.cpni = SqlCpniStore(self.session)
        self.contacts = SqlContactRepository(self.session)
        self.outbox = SqlOutbox(self.session)
        self.credentials = SqlCredentialRepository(self.session)
        self.consent = SqlConsentLedger(self.session)
        self.consent_notices = SqlConsentNotices(self.session)
        self.breaches = SqlBreachStore(self.session)
        self.commission_closures = SqlCommissionClosures(self.session)
        self.mailbox = SqlMailboxStore(self.session)
        self.opt_out_monitor = SqlOptOutMonitorStore(self.session)
        self.campaigns = SqlCampaignStore(self.session)
        self.third_party_access = SqlThirdPartyAccessLog(self.session)
        return self

    def ping(self) -> None:
        """Run a trivial query (readiness)."""
        self.session.execute(text("SELECT 1"))


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (services return them)."""
    return sessionmaker(engine, expire_on_commit=False)
