"""A small world of local-service customers, one per consent state, for campaign audience tests.

Accounts and services are committed through the container; consent goes through the consent
service, so audiences read the projection the ledger keeps (64.2005(a), 64.2007(b), 64.2008(d)).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from cpniguard.bootstrap import Container
from cpniguard.domain.accounts import ServiceCategory
from cpniguard.domain.consent_events import (
    ConsentEvent,
    ConsentEventKind,
    ConsentProof,
    ConsentScope,
    ConsentSource,
    NoticeMedium,
)
from cpniguard.domain.disclosure_request import RecipientClass
from cpniguard.services.consent import ConsentContext, record_consent
from cpniguard.services.disclosure import Asker
from tests.factories import add_account, add_service


@dataclass(frozen=True)
class Customers:
    """Local-service customers in every consent state, by account number."""

    deemed: str
    """Notice 60 days ago: opt-out approval deemed past the 30-day wait (64.2008(d)(1))."""
    waiting: str
    """Notice 10 days ago: still in the waiting period."""
    opted_out: str
    opted_in: str
    """Opted in for the carrier 5 days ago."""
    lapsed: str
    """Last notice more than 2 years ago (64.2008(d)(2))."""
    bundle: str
    """Takes local and wireless: the total service approach needs no approval (64.2005(a))."""
    partner_opt_in: str
    """Opted in to the named third party only."""
    wireless_only: str
    """Deemed approval, but takes no local service: outside the criteria."""


def consent_world(container: Container, *, now: datetime, partner: str, asker: Asker) -> Customers:
    """Commit one customer per consent state, with services since long ago and the ledger's events."""
    version = container.default_notice()
    with container.unit_of_work() as uow:
        uow.consent_notices.add_version(version)
        uow.commit()
    numbers = {field.name: _customer(container, field.name, now) for field in fields(Customers)}
    consent = ConsentContext(container.unit_of_work, container.clock, container.renderer)

    def record(name: str, event: ConsentEvent) -> None:
        record_consent(consent, account_number=numbers[name], event=event, asker=asker)

    for name, days in (
        ("deemed", 60),
        ("waiting", 10),
        ("opted_out", 60),
        ("lapsed", 800),
        ("wireless_only", 60),
    ):
        record(name, _notice(now - timedelta(days=days), version.version))
    record("opted_out", decision(ConsentEventKind.OPTED_OUT, now - timedelta(days=20)))
    record(
        "opted_in",
        decision(ConsentEventKind.OPTED_IN, now - timedelta(days=5), ConsentScope(RecipientClass.CARRIER)),
    )
    third_party = ConsentScope(RecipientClass.THIRD_PARTY, partner)
    record("partner_opt_in", decision(ConsentEventKind.OPTED_IN, now - timedelta(days=5), third_party))
    return Customers(**numbers)


def _customer(container: Container, name: str, now: datetime) -> str:
    categories = {
        "bundle": (ServiceCategory.LOCAL, ServiceCategory.WIRELESS),
        "wireless_only": (ServiceCategory.WIRELESS,),
    }.get(name, (ServiceCategory.LOCAL,))
    opened = now - timedelta(days=1000)
    with container.unit_of_work() as uow:
        key, number = add_account(uow.session, opened_at=opened)
        for category in categories:
            add_service(uow.session, key, category=category, telephone_number=None, started_at=opened)
        uow.commit()
    return number


def _notice(at: datetime, version: str) -> ConsentEvent:
    return ConsentEvent(
        ConsentEventKind.NOTICE_SENT,
        at,
        at,
        "",
        notice_version=version,
        notice_medium=NoticeMedium.EMAIL,
        waiting_period_days=30,
    )


def decision(kind: ConsentEventKind, at: datetime, scope: ConsentScope | None = None) -> ConsentEvent:
    """An opt-in (in writing) or opt-out by mailed form at `at`, for `scope` or every scope."""
    proof = ConsentProof.WRITTEN if kind is ConsentEventKind.OPTED_IN else None
    scopes = () if scope is None else (scope,)
    return ConsentEvent(kind, at, at, "", scope=scopes, source=ConsentSource.MAILED_FORM, proof=proof)
