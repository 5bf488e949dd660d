"""The composition root: settings, engine, unit of work and adapters, built on request."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cpniguard.adapters.clock import AdjustableClock, SystemClock
from cpniguard.adapters.db.classification import TableClassificationCatalog
from cpniguard.adapters.db.engine import build_engine
from cpniguard.adapters.db.unit_of_work import SqlUnitOfWork, session_factory
from cpniguard.adapters.passwords import Argon2PasswordHasher
from cpniguard.config import Environment, Settings
from cpniguard.services.ports import ClassificationCatalog, Clock, PasswordHasher, UnitOfWork


@dataclass
class Container:
    """Everything an entry point needs, built once per process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    classification: ClassificationCatalog = field(default_factory=TableClassificationCatalog)
    passwords: PasswordHasher = field(default_factory=Argon2PasswordHasher)

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work (UnitOfWorkFactory)."""
        return SqlUnitOfWork(self.sessions)

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def build_container(settings: Settings | None = None) -> Container:
    """Build the container from `settings`, or from the environment."""
    settings = settings or Settings()
    if settings.database.url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = build_engine(settings.database_url, echo=settings.database.echo)
    clock: Clock = SystemClock() if settings.environment is Environment.PRODUCTION else AdjustableClock()
    return Container(settings=settings, engine=engine, sessions=session_factory(engine), clock=clock)
