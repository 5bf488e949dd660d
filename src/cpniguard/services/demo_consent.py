"""Consent histories for the demo carrier, recorded through the real ledger (issue 5).

Most customers had a CPNI notice long enough ago for opt-out approval to be deemed; some are
still inside the waiting period, some had a notice bounce and resent by mail, some opted out
(a few of them later opted in again), some opted in to a named partner. Every event goes
through `record_in`, so the projection and the access log are exactly what production writes.
A notice goes by email only to a customer with an email address then, who chose email notices
the day before (64.2008(d)(3)(i): express prior consent); the others were mailed theirs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from cpniguard.domain.accounts import ContactKind
from cpniguard.domain.consent_events import (
    ConsentEvent,
    ConsentEventKind,
    ConsentProof,
    ConsentScope,
    ConsentSource,
    NoticeMedium,
)
from cpniguard.domain.disclosure_request import ActorKind, RecipientClass
from cpniguard.domain.employees import Role
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services.consent import record_in
from cpniguard.services.consent_ports import NoticeVersion
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import UnitOfWork, UnitOfWorkFactory

DEMO_PARTNER = "Northwind Home Security"
SEEDER = Asker(kind=ActorKind.INTEGRATION, role=Role.INTEGRATION, label="demo")
ACCOUNTS_PER_TRANSACTION = 200


def seed_demo_consent(
    *,
    uow_factory: UnitOfWorkFactory,
    notice: NoticeVersion,
    account_numbers: Sequence[str],
    now: datetime,
    seed: int,
) -> int:
    """Store `notice` and record a consent history for each account; returns the events recorded."""
    chooser = random.Random(seed)  # noqa: S311 - synthetic data, not security
    recorded = 0
    with uow_factory() as uow:
        uow.consent_notices.add_version(notice)
        uow.commit()
    for start in range(0, len(account_numbers), ACCOUNTS_PER_TRANSACTION):
        with uow_factory() as uow:
            for number in account_numbers[start : start + ACCOUNTS_PER_TRANSACTION]:
                account_id = uow.accounts.key_of(number)
                if account_id is None:
                    continue
                for event in _as_the_customer_allows(uow, account_id, demo_history(chooser, notice, now)):
                    refers = _bounced_notice_id(uow, account_id, event)
                    record_in(uow, account_id=account_id, event=refers, asker=SEEDER)
                    recorded += 1
            uow.commit()
    return recorded


def _as_the_customer_allows(
    uow: UnitOfWork, account_id: int, history: list[ConsentEvent]
) -> list[ConsentEvent]:
    """The history, its email notices only where an email was on the account and chosen first.

    64.2008(d)(3)(i): a notice goes by email only with the customer's prior consent, so the
    preference is recorded the day before the first email notice; a customer without an email
    address then was mailed the notice instead (a letter does not bounce).
    """
    emailed = [e.occurred_at for e in history if e.notice_medium is NoticeMedium.EMAIL]
    if not emailed:
        return history
    addresses = [p for p in uow.accounts.contact_points(account_id) if p.kind is ContactKind.EMAIL_ADDRESS]
    if all(any(p.is_on_account_at(at) for p in addresses) for at in emailed):
        uow.contacts.set_notice_preference(
            account_id, NoticeChannel.EMAIL, at=min(emailed) - timedelta(days=1)
        )
        return history
    decisions = [e for e in history if e.kind not in NOTICES]
    return [replace(history[0], notice_medium=NoticeMedium.MAIL), *decisions]


NOTICES = frozenset({ConsentEventKind.NOTICE_SENT, ConsentEventKind.NOTICE_BOUNCED})


def _bounced_notice_id(uow: UnitOfWork, account_id: int, event: ConsentEvent) -> ConsentEvent:
    """A demo bounce names the account's first notice, which is recorded just before it."""
    if event.kind is not ConsentEventKind.NOTICE_BOUNCED:
        return event
    first = next(e for e in uow.consent.events(account_id) if e.kind is ConsentEventKind.NOTICE_SENT)
    return replace(event, refers_to=first.id)


EMAIL_NOTICE_SHARE = 0.6
WAITING_SHARE = 0.08
BOUNCED_SHARE = 0.04
OPTED_OUT_SHARE = 0.10
OPTED_BACK_IN_SHARE = 0.2
"""Of the customers who opted out, how many opted in again."""
PARTNER_OPT_IN_SHARE = 0.05


def demo_history(chooser: random.Random, notice: NoticeVersion, now: datetime) -> list[ConsentEvent]:
    """One customer's events, oldest first, drawn from the mix the module docstring describes."""
    roll = chooser.random()
    sent = now - timedelta(days=chooser.randint(40, 650))
    medium = NoticeMedium.EMAIL if chooser.random() < EMAIL_NOTICE_SHARE else NoticeMedium.MAIL
    history = [_notice(notice, sent, now, medium)]
    for share, story in (
        (WAITING_SHARE, _waiting),
        (BOUNCED_SHARE, _bounced),
        (OPTED_OUT_SHARE, _opted_out),
        (PARTNER_OPT_IN_SHARE, _partner_opt_in),
    ):
        if roll < share:
            return story(chooser, history, now)
        roll -= share
    return history


def _waiting(chooser: random.Random, history: list[ConsentEvent], now: datetime) -> list[ConsentEvent]:
    recent = now - timedelta(days=chooser.randint(1, 25))
    return [replace(history[0], occurred_at=recent, notice_medium=NoticeMedium.EMAIL)]


def _bounced(_chooser: random.Random, history: list[ConsentEvent], now: datetime) -> list[ConsentEvent]:
    emailed = replace(history[0], notice_medium=NoticeMedium.EMAIL)
    sent = emailed.occurred_at
    resent = replace(emailed, occurred_at=sent + timedelta(days=2), notice_medium=NoticeMedium.MAIL)
    return [emailed, _event(ConsentEventKind.NOTICE_BOUNCED, sent + timedelta(minutes=5), now), resent]


def _opted_out(chooser: random.Random, history: list[ConsentEvent], now: datetime) -> list[ConsentEvent]:
    sent = history[0].occurred_at
    history = [
        *history,
        _decision(ConsentEventKind.OPTED_OUT, sent + timedelta(days=chooser.randint(1, 30)), now),
    ]
    if chooser.random() < OPTED_BACK_IN_SHARE:
        history.append(
            _decision(ConsentEventKind.OPTED_IN, now - timedelta(days=5), now, RecipientClass.CARRIER)
        )
    return history


def _partner_opt_in(chooser: random.Random, history: list[ConsentEvent], now: datetime) -> list[ConsentEvent]:
    given = now - timedelta(days=chooser.randint(1, 200))
    return [*history, _decision(ConsentEventKind.OPTED_IN, given, now, partner=True)]


def _event(kind: ConsentEventKind, at: datetime, now: datetime) -> ConsentEvent:
    return ConsentEvent(kind=kind, occurred_at=at, recorded_at=now, recorded_by=SEEDER.label, refers_to=0)


def _notice(notice: NoticeVersion, at: datetime, now: datetime, medium: NoticeMedium) -> ConsentEvent:
    return ConsentEvent(
        kind=ConsentEventKind.NOTICE_SENT,
        occurred_at=at,
        recorded_at=now,
        recorded_by=SEEDER.label,
        notice_version=notice.version,
        notice_medium=medium,
        waiting_period_days=notice.waiting_period_days,
    )


def _decision(
    kind: ConsentEventKind,
    at: datetime,
    now: datetime,
    recipient: RecipientClass | None = None,
    *,
    partner: bool = False,
) -> ConsentEvent:
    if partner:
        scope: tuple[ConsentScope, ...] = (ConsentScope(RecipientClass.THIRD_PARTY, DEMO_PARTNER),)
    else:
        scope = () if recipient is None else (ConsentScope(recipient),)
    opt_in = kind is ConsentEventKind.OPTED_IN
    return ConsentEvent(
        kind=kind,
        occurred_at=at,
        recorded_at=now,
        recorded_by=SEEDER.label,
        scope=scope,
        source=ConsentSource.PORTAL if opt_in else ConsentSource.MARKETING_MAILBOX,
        proof=ConsentProof.ELECTRONIC if opt_in else None,
        evidence="demo",
    )
