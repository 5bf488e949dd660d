"""Review of the consent-ledger services (issue 5): each test failed before its fix.

Real SQLite and PostgreSQL (CPNIGUARD_TEST_DATABASE_URL). Most tests use the shared database
with a savepoint per unit of work; the races use a fresh database and two threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

import pytest
from sqlalchemy import delete, insert, select
from tests.conftest import TEST_NOW, make_settings
from tests.factories import add_account, add_contact_point

from cpniguard.adapters.db.tables import ConsentState, ContactPoint, NoticePreference, OutboxMessage
from cpniguard.adapters.probes import ApiProbeSender
from cpniguard.bootstrap import Container, build_container
from cpniguard.domain.accounts import ContactKind, Language
from cpniguard.domain.consent import add_years, consent_timeline, valid_notices
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
from cpniguard.domain.errors import InvalidInputError
from cpniguard.domain.mailbox import MailboxStatus
from cpniguard.domain.notices import CPNI_NOTICE_EMAIL_TEMPLATE, CPNI_NOTICE_LETTER_TEMPLATE
from cpniguard.domain.notifications import DeliveryStatus, NoticeChannel
from cpniguard.services.consent import ConsentContext, consent_events, consent_report, record_consent
from cpniguard.services.consent_maintenance import check_projection, purge_consent_records
from cpniguard.services.consent_notices import (
    NoticeBatchKind,
    record_delivered_notices,
    run_notice_batch,
    start_notice_batch,
)
from cpniguard.services.consent_ports import NoticeVersion
from cpniguard.services.demo_consent import seed_demo_consent
from cpniguard.services.disclosure import Asker
from cpniguard.services.mailbox import MailboxTerms, process_due_mail, store_mail
from cpniguard.services.opt_out_monitor import (
    IncidentUpdate,
    ProbeSendError,
    run_probe_round,
    update_incident,
)
from cpniguard.services.ports import RenderedMessage, UnitOfWork

STAFF = Asker(kind=ActorKind.EMPLOYEE, role=Role.COMPLIANCE_OFFICER, label="compliance")
OF_RECORD_SINCE = TEST_NOW - timedelta(days=60)
POSTAL = "1 Main Street, Springfield, IL 62701"
CARRIER = ConsentScope(RecipientClass.CARRIER)
JOIN_SECONDS = 2.0
"""How long the first transaction lets the second one run before going on: long enough for a
second one that is not held back to finish, short of SQLite's 30-second busy timeout."""


# ---------------------------------------------------------------- data


def customer(
    container: Container, email: str | None, *, email_notices: bool = False, postal: str | None = POSTAL
) -> tuple[int, str]:
    """Commit an account with the addresses given, on it for 60 days (of record, 64.2003(b))."""
    with container.unit_of_work() as uow:
        key, number = add_account(uow.session, opened_at=OF_RECORD_SINCE)
        for kind, value in ((ContactKind.EMAIL_ADDRESS, email), (ContactKind.POSTAL_ADDRESS, postal)):
            if value is not None:
                add_contact_point(uow.session, key, kind, value, associated_at=OF_RECORD_SINCE)
        if email_notices:
            uow.session.add(
                NoticePreference(account_id=key, channel=NoticeChannel.EMAIL, updated_at=OF_RECORD_SINCE)
            )
        uow.commit()
    return key, number


def stored_notice(container: Container) -> NoticeVersion:
    """The shipped notice version, stored."""
    version = container.default_notice()
    with container.unit_of_work() as uow:
        uow.consent_notices.add_version(version)
        uow.commit()
    return version


def context(container: Container) -> ConsentContext:
    return ConsentContext(container.unit_of_work, container.clock, container.renderer)


def opt_out(at: datetime, **overrides: Any) -> ConsentEvent:
    values: dict[str, Any] = {"source": ConsentSource.MAILED_FORM, **overrides}
    return ConsentEvent(ConsentEventKind.OPTED_OUT, at, at, "", **values)


def delivered(
    container: Container,
    account_id: int,
    key: str,
    *,
    sent_at: datetime,
    letter: bool = False,
    message_id: str | None = None,
) -> None:
    """Commit a CPNI notice the worker delivered (status sent), as the outbox leaves it."""
    values = {
        "idempotency_key": key,
        "account_id": account_id,
        "channel": NoticeChannel.LETTER if letter else NoticeChannel.EMAIL,
        "recipient": POSTAL if letter else "notices@customer.example",
        "language": Language.EN,
        "template": CPNI_NOTICE_LETTER_TEMPLATE if letter else CPNI_NOTICE_EMAIL_TEMPLATE,
        "subject": "Your CPNI notice",
        "body": "notice",
        "status": DeliveryStatus.SENT,
        "attempts": 1,
        "next_attempt_at": sent_at,
        "created_at": sent_at - timedelta(minutes=5),
        "sent_at": sent_at,
        "provider_reference": message_id,
    }
    with container.unit_of_work() as uow:
        uow.session.execute(insert(OutboxMessage).values(**values))
        uow.commit()


def outbox_of(container: Container, account_id: int) -> list[OutboxMessage]:
    with container.sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.account_id == account_id).order_by(OutboxMessage.id)
        return list(session.scalars(query))


def take_off_account(container: Container, account_id: int, email: str, *, at: datetime) -> None:
    """The customer replaced `email` at `at` (the history is kept)."""
    with container.unit_of_work() as uow:
        uow.contacts.replace_contact_point(
            account_id, ContactKind.EMAIL_ADDRESS, "new@customer.example", at=at
        )
        uow.commit()
    with container.sessions() as session:
        row = session.scalars(select(ContactPoint).where(ContactPoint.value == email)).one()
        assert row.dissociated_at == at


def mail(sender: str, subject: str, body: str) -> bytes:
    return f"From: {sender}\r\nTo: marketing@localhost\r\nSubject: {subject}\r\n\r\n{body}\r\n".encode()


def bounce_report(original_message_id: str, report_id: str) -> bytes:
    """An RFC 3464 delivery status report for the notice email `original_message_id`."""
    return f"""\
From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>
To: notices@carrier.example
Subject: Delivery Status Notification (Failure)
Message-ID: <{report_id}@mx.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; notices@customer.example
Action: failed
Status: 5.1.1

--B
Content-Type: message/rfc822

From: CPNI Notices <notices@carrier.example>
To: notices@customer.example
Subject: Your CPNI notice
Message-ID: {original_message_id}

Your privacy choices.

--B--
""".replace("\n", "\r\n").encode()


# ---------------------------------------------------------------- interleaving two transactions


class _Interleaved(AbstractContextManager[UnitOfWork]):
    """A unit of work whose `repository.method` runs `hook` once, before or after the real call."""

    def __init__(self, real: UnitOfWork, where: tuple[str, str, bool], hook: Callable[[], None]) -> None:
        self._real, self._where, self._hook = real, where, hook

    def __enter__(self) -> UnitOfWork:
        uow = self._real.__enter__()
        repository_name, method_name, before = self._where
        repository = getattr(uow, repository_name)
        original = getattr(repository, method_name)
        hook, fired = self._hook, threading.Event()

        def interleaved(*args: Any, **kwargs: Any) -> Any:
            if before and not fired.is_set():
                fired.set()
                hook()
            result = original(*args, **kwargs)
            if not before and not fired.is_set():
                fired.set()
                hook()
            return result

        setattr(repository, method_name, interleaved)
        return uow

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._real.__exit__(kind, error, trace)


def interleaving(
    factory: Callable[[], UnitOfWork], where: str, hook: Callable[[], None], *, before: bool = False
) -> Callable[[], Any]:
    """A unit-of-work factory that runs `hook` at `where` ("repository.method"), once in all."""
    repository, method = where.split(".")
    done = threading.Event()

    def once() -> None:
        if not done.is_set():
            done.set()
            hook()

    return lambda: _Interleaved(factory(), (repository, method, before), once)


def in_another_thread(work: Callable[[], object], errors: list[BaseException]) -> Callable[[], None]:
    """A hook that starts `work` in a thread and lets it run up to JOIN_SECONDS (or until it waits)."""

    def run() -> None:
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    def hook() -> None:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(JOIN_SECONDS)
        threads.append(thread)

    threads: list[threading.Thread] = []
    hook.threads = threads  # type: ignore[attr-defined]
    return hook


@pytest.fixture
def own_database(fresh_database_url: str) -> Iterator[Container]:
    """A container over a database of its own, committed for real (races between connections)."""
    built = build_container(make_settings(fresh_database_url))
    yield built
    built.dispose()


def finish(hook: Callable[[], None]) -> None:
    for thread in hook.threads:  # type: ignore[attr-defined]
        thread.join(60)


# ---------------------------------------------------------------- services/consent.py


def test_a_reference_another_account_used_is_refused_and_never_swallows_this_customers_opt_out(container):
    _, neighbour = customer(container, "neighbour@customer.example")
    _, number = customer(container, "ana@customer.example")
    record_consent(
        context(container), account_number=neighbour, event=opt_out(TEST_NOW, reference="form-1"), asker=STAFF
    )
    with pytest.raises(InvalidInputError) as refused:
        record_consent(
            context(container),
            account_number=number,
            event=opt_out(TEST_NOW, reference="form-1"),
            asker=STAFF,
        )
    assert [p.location for p in refused.value.problems] == ["reference"]
    assert "another account" in refused.value.problems[0].message
    assert consent_events(uow_factory=container.unit_of_work, account_number=number) == []
    replay = record_consent(
        context(container), account_number=neighbour, event=opt_out(TEST_NOW, reference="form-1"), asker=STAFF
    )
    assert (replay.already_recorded, replay.confirmation) == (True, None)
    assert replay.event.id is not None


def test_two_decisions_recorded_at_once_both_land_without_the_database_being_locked(own_database):
    container = own_database
    _, first = customer(container, "one@customer.example")
    _, second = customer(container, "two@customer.example")
    now = datetime.now(UTC) - timedelta(minutes=1)
    errors: list[BaseException] = []
    other = in_another_thread(
        lambda: record_consent(context(container), account_number=second, event=opt_out(now), asker=STAFF),
        errors,
    )
    hooked = replace(
        context(container), uow_factory=interleaving(container.unit_of_work, "accounts.key_of", other)
    )
    record_consent(hooked, account_number=first, event=opt_out(now), asker=STAFF)
    finish(other)
    assert errors == []
    for number in (first, second):
        assert [
            e.kind for e in consent_events(uow_factory=container.unit_of_work, account_number=number)
        ] == [ConsentEventKind.OPTED_OUT]


def test_the_renotice_date_as_of_an_instant_ignores_a_notice_whose_bounce_came_later(container):
    version = stored_notice(container)
    _, number = customer(container, "ana@customer.example")
    sent = TEST_NOW - timedelta(days=1)
    notice = ConsentEvent(
        ConsentEventKind.NOTICE_SENT,
        sent,
        sent,
        "",
        notice_version=version.version,
        notice_medium=NoticeMedium.EMAIL,
    )
    recorded = record_consent(context(container), account_number=number, event=notice, asker=STAFF).event
    bounce = ConsentEvent(
        ConsentEventKind.NOTICE_BOUNCED, sent + timedelta(hours=1), sent, "", refers_to=recorded.id
    )
    record_consent(context(container), account_number=number, event=bounce, asker=STAFF)
    report = consent_report(
        uow_factory=container.unit_of_work, account_number=number, as_of=sent + timedelta(minutes=30)
    )
    carrier = next(s for s in report.standings if s.scope == CARRIER)
    assert carrier.reason == "no_notice"
    assert report.renotice_due_at is None


# ---------------------------------------------------------------- services/consent_notices.py


def test_a_resumed_mailing_never_writes_to_an_address_taken_off_the_account_since_it_started(
    container, clock
):
    version = stored_notice(container)
    account_id, _ = customer(container, "old@customer.example", email_notices=True)
    terms = container.notice_terms()
    batch_id = start_notice_batch(
        terms, kind=NoticeBatchKind.INITIAL, notice_version=version.version, by="staff"
    )
    take_off_account(container, account_id, "old@customer.example", at=TEST_NOW + timedelta(days=1))
    clock.pin(TEST_NOW + timedelta(days=2))
    run_notice_batch(terms, batch_id=batch_id)
    [notice] = outbox_of(container, account_id)
    assert (notice.channel, notice.recipient) == (NoticeChannel.LETTER, POSTAL)


def test_two_mailings_run_at_once_write_each_due_customer_one_notice_without_a_locked_database(
    own_database,
):
    container = own_database
    version = stored_notice(container)
    accounts = [customer(container, f"{n}@customer.example", email_notices=True)[0] for n in "ab"]
    terms = container.notice_terms()
    first, second = (
        start_notice_batch(terms, kind=NoticeBatchKind.INITIAL, notice_version=version.version, by="staff")
        for _ in range(2)
    )
    errors: list[BaseException] = []
    other = in_another_thread(lambda: run_notice_batch(terms, batch_id=second), errors)
    hooked = replace(terms, uow_factory=interleaving(container.unit_of_work, "consent_notices.due", other))
    run_notice_batch(hooked, batch_id=first)
    finish(other)
    assert errors == []
    assert [len(outbox_of(container, account_id)) for account_id in accounts] == [1, 1]
    with container.unit_of_work() as uow:
        batches = [uow.consent_notices.batch(batch_id) for batch_id in (first, second)]
    assert [(b.queued, b.finished_at is not None) for b in batches if b] == [(2, True), (0, True)]


def test_two_workers_recording_delivered_notices_at_once_record_each_once_without_a_locked_database(
    own_database,
):
    container = own_database
    version = stored_notice(container)
    account_id, _ = customer(container, "ana@customer.example", email_notices=True)
    key = f"cpni-notice:{version.version}:1:{account_id}"
    delivered(container, account_id, key, sent_at=datetime.now(UTC) - timedelta(minutes=1))
    errors: list[BaseException] = []
    other = in_another_thread(
        lambda: record_delivered_notices(uow_factory=container.unit_of_work, clock=container.clock), errors
    )
    factory = interleaving(container.unit_of_work, "consent_notices.delivered_notices", other)
    record_delivered_notices(uow_factory=factory, clock=container.clock)
    finish(other)
    assert errors == []
    with container.unit_of_work() as uow:
        assert uow.consent.event_with_reference(key) is not None
        assert [e.reference for e in uow.consent.events(account_id)] == [key]


# ---------------------------------------------------------------- services/consent_maintenance.py, domain


def test_a_purge_never_lets_the_worker_record_a_notice_again_nor_a_bounced_one_as_counting(container, clock):
    version = stored_notice(container)
    account_id, number = customer(container, "ana@customer.example", email_notices=True)
    start = TEST_NOW - timedelta(days=3 * 365)
    emailed = f"cpni-notice:{version.version}:1:{account_id}"
    delivered(container, account_id, emailed, sent_at=start, message_id="<n-1@carrier.example>")
    clock.pin(start + timedelta(hours=1))
    assert record_delivered_notices(uow_factory=container.unit_of_work, clock=clock) == 1
    with container.unit_of_work() as uow:
        first = uow.consent.event_with_reference(emailed)
    assert first is not None
    bounce = ConsentEvent(ConsentEventKind.NOTICE_BOUNCED, clock.now(), clock.now(), "", refers_to=first.id)
    record_consent(context(container), account_number=number, event=bounce, asker=STAFF)
    for days, key in ((2, f"resend-{first.id}"), (365, "2")):
        delivered(
            container,
            account_id,
            f"cpni-notice:{version.version}:{key}:{account_id}",
            sent_at=start + timedelta(days=days),
            letter=True,
        )
        clock.pin(start + timedelta(days=days, hours=1))
        assert record_delivered_notices(uow_factory=container.unit_of_work, clock=clock) == 1
    clock.pin(TEST_NOW)
    purge_consent_records(
        uow_factory=container.unit_of_work,
        clock=clock,
        superseded_before=add_years(TEST_NOW, -1),
        dry_run=False,
    )
    assert record_delivered_notices(uow_factory=container.unit_of_work, clock=clock) == 0
    events = consent_events(uow_factory=container.unit_of_work, account_number=number)
    assert first.id not in {n.id for n in valid_notices(events)}
    references = [e.reference for e in events if e.reference]
    assert len(references) == len(set(references))


def test_a_record_superseded_by_a_back_dated_form_entered_yesterday_is_kept_a_year_from_yesterday(
    container, clock
):
    _, number = customer(container, "ana@customer.example")
    clock.pin(TEST_NOW - timedelta(days=3 * 365))
    opt_in = ConsentEvent(
        ConsentEventKind.OPTED_IN, clock.now(), clock.now(), "", scope=(CARRIER,),
        source=ConsentSource.MAILED_FORM, proof=ConsentProof.WRITTEN,
    )  # fmt: skip
    record_consent(context(container), account_number=number, event=opt_in, asker=STAFF)
    clock.pin(TEST_NOW - timedelta(days=1))
    revocation = ConsentEvent(
        ConsentEventKind.REVOKED, TEST_NOW - timedelta(days=2 * 365), clock.now(), "", scope=(CARRIER,),
        source=ConsentSource.MAILED_FORM,
    )  # fmt: skip
    record_consent(context(container), account_number=number, event=revocation, asker=STAFF)
    clock.pin(TEST_NOW)
    purged = purge_consent_records(
        uow_factory=container.unit_of_work,
        clock=clock,
        superseded_before=add_years(TEST_NOW, -1),
        dry_run=False,
    )
    assert purged.events == 0
    kinds = [e.kind for e in consent_events(uow_factory=container.unit_of_work, account_number=number)]
    assert kinds == [ConsentEventKind.OPTED_IN, ConsentEventKind.REVOKED]


def test_a_purge_cutoff_without_a_utc_offset_is_refused_naming_the_field(container, clock):
    with pytest.raises(InvalidInputError) as refused:
        purge_consent_records(
            uow_factory=container.unit_of_work,
            clock=clock,
            superseded_before=datetime(2020, 1, 1),  # noqa: DTZ001 - the bad input under test
            dry_run=True,
        )
    assert [(p.location, p.message) for p in refused.value.problems] == [
        ("superseded_before", "must carry a UTC offset")
    ]


def test_a_repair_never_overwrites_an_event_recorded_while_it_reads_the_ledger(own_database):
    container = own_database
    account_id, number = customer(container, "ana@customer.example")
    now = datetime.now(UTC) - timedelta(minutes=1)
    record_consent(
        context(container), account_number=number, event=opt_out(now, scope=(CARRIER,)), asker=STAFF
    )
    with container.unit_of_work() as uow:
        uow.session.execute(delete(ConsentState).where(ConsentState.account_id == account_id))
        uow.commit()
    errors: list[BaseException] = []
    later = opt_out(now + timedelta(seconds=1))
    other = in_another_thread(
        lambda: record_consent(context(container), account_number=number, event=later, asker=STAFF), errors
    )
    check_projection(uow_factory=interleaving(container.unit_of_work, "consent.events", other), repair=True)
    finish(other)
    assert errors == []
    with container.unit_of_work() as uow:
        assert uow.consent.projection(account_id) == consent_timeline(uow.consent.events(account_id))
        assert len(uow.consent.events(account_id)) == 2


# ---------------------------------------------------------------- services/mailbox.py


def test_two_bounce_reports_of_one_notice_email_resend_it_by_mail_once(container, clock):
    version = stored_notice(container)
    account_id, _ = customer(container, "ana@customer.example", email_notices=True)
    delivered(
        container, account_id, f"cpni-notice:{version.version}:1:{account_id}",
        sent_at=TEST_NOW - timedelta(hours=2), message_id="<notice-77@carrier.example>",
    )  # fmt: skip
    record_delivered_notices(uow_factory=container.unit_of_work, clock=clock)
    terms = container.mailbox_terms()
    for report in ("dsn-1", "dsn-2"):
        raw = bounce_report("<notice-77@carrier.example>", report)
        store_mail(terms, raw=raw, envelope_sender="", recipients="notices@carrier.example", peer="192.0.2.9")
    assert process_due_mail(terms).processed == 2
    letters = [m for m in outbox_of(container, account_id) if m.template == CPNI_NOTICE_LETTER_TEMPLATE]
    assert [m.recipient for m in letters] == [POSTAL]


def test_a_confirmation_never_goes_to_a_sender_taken_off_the_account_before_the_message_was_processed(
    container, clock
):
    account_id, _ = customer(container, "ana@customer.example")
    terms = container.mailbox_terms()
    raw = mail("ana@customer.example", "STOP", "Please opt me out.")
    store_mail(
        terms, raw=raw, envelope_sender="ana@customer.example", recipients="marketing@localhost", peer="x"
    )
    take_off_account(container, account_id, "ana@customer.example", at=TEST_NOW + timedelta(minutes=1))
    clock.pin(TEST_NOW + timedelta(minutes=2))
    assert process_due_mail(terms).processed == 1
    sent = outbox_of(container, account_id)
    assert sent, "the opt-out is confirmed to the contact of record"
    assert "ana@customer.example" not in {m.recipient for m in sent}


class _FailingRenderer:
    def render(self, template: str, language: Language, context: Any) -> RenderedMessage:  # noqa: ARG002
        raise RuntimeError("the template store is down")


def test_a_message_another_processor_settled_after_this_one_failed_does_not_end_the_pass(container):
    customer(container, "ana@customer.example")
    healthy = container.mailbox_terms()
    raw = mail("ana@customer.example", "STOP", "Please opt me out.")
    key = store_mail(
        healthy, raw=raw, envelope_sender="ana@customer.example", recipients="marketing@localhost", peer="x"
    )
    settle_elsewhere = lambda: process_due_mail(healthy)  # noqa: E731
    notices = replace(
        healthy.notices,
        renderer=_FailingRenderer(),
        uow_factory=interleaving(container.unit_of_work, "mailbox.fail", settle_elsewhere, before=True),
    )
    run = process_due_mail(MailboxTerms(notices, healthy.retry_seconds))
    assert run.failed == 1
    with container.unit_of_work() as uow:
        stored = uow.mailbox.get(key)
    assert stored is not None
    assert (stored.status, stored.attempts) == (MailboxStatus.PROCESSED, 0)


# ---------------------------------------------------------------- services/opt_out_monitor.py


class _Sender:
    def __init__(self) -> None:
        self.fails = True

    def send(self, nonce: str) -> None:  # noqa: ARG002
        if self.fails:
            raise ProbeSendError("the consent API answered 503")


def test_closing_an_incident_does_not_open_another_on_the_failures_it_reported(container, clock):
    terms = container.monitor_terms()
    sender = _Sender()
    opened: list[int] = []
    for _ in range(terms.failure_threshold):
        opened += run_probe_round(terms, {ConsentSource.PORTAL: sender}).incidents_opened
        clock.advance(timedelta(minutes=15))
    [incident] = opened
    update_incident(terms, incident_id=incident, update=IncidentUpdate(closed_at=clock.now()))
    sender.fails = False  # repaired: the next probe gets through and is checked on the next round
    clock.advance(timedelta(minutes=15))
    assert run_probe_round(terms, {ConsentSource.PORTAL: sender}).incidents_opened == ()


def test_a_probe_another_monitor_settled_meanwhile_does_not_end_the_round(container, clock):
    terms = container.monitor_terms()
    with container.unit_of_work() as uow:
        uow.opt_out_monitor.add_probe(ConsentSource.PORTAL, "abc123", at=TEST_NOW - timedelta(hours=1))
        uow.commit()
    other = lambda: run_probe_round(terms, {})  # noqa: E731
    racing = replace(
        terms, uow_factory=interleaving(container.unit_of_work, "opt_out_monitor.pending_probes", other)
    )
    assert (run_probe_round(racing, {}).failed, run_probe_round(terms, {}).failed) == (0, 0)
    with container.unit_of_work() as uow:
        [probe] = uow.opt_out_monitor.recent_probes(ConsentSource.PORTAL, limit=5)
    assert probe.succeeded is False


# ---------------------------------------------------------------- services/demo_consent.py


def test_demo_notices_go_by_email_only_to_customers_with_an_email_who_chose_email_notices_first(container):
    version = stored_notice(container)
    with_email = [customer(container, f"c{n}@customer.example")[1] for n in range(15)]
    without = [customer(container, None)[1] for _ in range(15)]
    seed_demo_consent(
        uow_factory=container.unit_of_work,
        notice=replace(version, version="demo-review"),
        account_numbers=[*with_email, *without],
        now=TEST_NOW,
        seed=5,
    )
    emailed = 0
    with container.unit_of_work() as uow:
        for number in [*with_email, *without]:
            account_id = uow.accounts.key_of(number)
            assert account_id is not None
            sent = [e for e in uow.consent.events(account_id) if e.notice_medium is NoticeMedium.EMAIL]
            if not sent:
                continue
            emailed += 1
            chosen = uow.session.scalars(
                select(NoticePreference).where(NoticePreference.account_id == account_id)
            ).one_or_none()
            assert number in with_email
            assert chosen is not None
            assert chosen.channel == NoticeChannel.EMAIL
            assert chosen.updated_at < min(e.occurred_at for e in sent)
    assert emailed > 0


# ---------------------------------------------------------------- adapters/probes.py


def test_an_api_probe_with_a_malformed_url_fails_as_a_probe_and_the_round_opens_its_incident(
    container, clock
):
    terms = replace(container.monitor_terms(), failure_threshold=1)
    sender = ApiProbeSender(
        base_url="http://[::1", token="t", account_number="T1", source=ConsentSource.PORTAL, timeout_seconds=1
    )
    with pytest.raises(ProbeSendError, match="could not be reached"):
        sender.send("abc")
    assert len(run_probe_round(terms, {ConsentSource.PORTAL: sender}).incidents_opened) == 1
