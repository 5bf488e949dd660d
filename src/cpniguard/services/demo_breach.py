"""A breach for the demo carrier, recorded through the real breach service (issue 6).

A contractor's revoked token exported call detail of a dozen customers three days ago; the
agency notice is not sent yet, so the demo shows its deadline running on the business-day
clock, the affected accounts, and an agency report with nothing missing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from cpniguard.domain.breach_timeline import BreachEvent, BreachEventKind
from cpniguard.domain.disclosure_request import ActorKind
from cpniguard.domain.employees import Role
from cpniguard.services.breach import BreachContext, open_breach, record_breach_event
from cpniguard.services.breach_accounts import add_affected_accounts
from cpniguard.services.disclosure import Asker

DEMO_BREACH_REFERENCE = "DEMO-BR-1"
DEMO_AFFECTED_ACCOUNTS = 12
RECORDER = Asker(kind=ActorKind.EMPLOYEE, role=Role.COMPLIANCE_OFFICER, label="demo compliance")


def seed_demo_breach(context: BreachContext, *, account_numbers: Sequence[str], seed: int) -> int:
    """Record the demo breach with its facts and affected accounts; returns its id."""
    chooser = random.Random(seed)  # noqa: S311 - synthetic data, not security
    now = context.clock.now()
    affected = chooser.sample(list(account_numbers), min(DEMO_AFFECTED_ACCOUNTS, len(account_numbers)))
    breach = open_breach(context, reference=DEMO_BREACH_REFERENCE, asker=RECORDER)
    for event in _timeline(now, len(affected)):
        record_breach_event(context, breach_id=breach.id, event=event, asker=RECORDER)
    if affected:
        add_affected_accounts(context, breach_id=breach.id, account_numbers=affected, asker=RECORDER)
    return breach.id


def _timeline(now: datetime, customers: int) -> list[BreachEvent]:
    discovered, determined = now - timedelta(days=4), now - timedelta(days=3)
    started = (now - timedelta(days=9)).date().isoformat()
    facts: list[tuple[BreachEventKind, datetime, dict[str, str]]] = [
        (BreachEventKind.DISCOVERED, discovered, {"how": "SIEM alert: bulk call-detail export at 02:00"}),
        (
            BreachEventKind.DETERMINED,
            determined,
            {"basis": "the export used a contractor token revoked a week before"},
        ),
        (
            BreachEventKind.DESCRIBED,
            determined,
            {"description": "A former contractor's unexpired API token exported call detail records."},
        ),
        (
            BreachEventKind.METHOD_OF_COMPROMISE,
            determined,
            {"method": "reuse of a revoked contractor credential"},
        ),
        (BreachEventKind.DATE_RANGE, determined, {"from": started, "to": discovered.date().isoformat()}),
        (BreachEventKind.DATA_TYPES, determined, {"types": "call_detail, account_information"}),
        (BreachEventKind.CUSTOMERS_AFFECTED, determined, {"count": str(customers), "basis": "export log"}),
        (
            BreachEventKind.FINANCIAL_LOSS_ESTIMATED,
            determined,
            {"carrier_cents": "250000", "customers_cents": "0"},
        ),
        (BreachEventKind.INTENT, determined, {"intentional": "true"}),
        (
            BreachEventKind.HARM_ASSESSMENT,
            determined,
            {"harm_reasonably_likely": "true", "analysis": "call patterns reveal contacts; pretexting risk"},
        ),
    ]
    return [BreachEvent(kind, at, now, RECORDER.label, details=details) for kind, at, details in facts]
