"""Customer breach notices through the real outbox and breach record (47 CFR 64.2011; RULES 7, 8.5, 8.6).

Real SQLite and PostgreSQL (CPNIGUARD_TEST_DATABASE_URL), a savepoint per unit of work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests.conftest import make_settings
from tests.factories import add_account, add_contact_point

from cpniguard.adapters.calendar import federal_calendar
from cpniguard.adapters.db.tables import AccessLogRecord, OutboxMessage
from cpniguard.bootstrap import Container
from cpniguard.domain.accounts import ContactKind, Language
from cpniguard.domain.breach_timeline import BreachEvent, BreachEventKind
from cpniguard.domain.carrier import CarrierContact
from cpniguard.domain.disclosure_request import ActorKind
from cpniguard.domain.employees import Role
from cpniguard.domain.errors import InvalidInputError, NotFoundError
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.services import breach_notices
from cpniguard.services.breach import (
    BreachContext,
    breach_timeline,
    close_breach,
    open_breach,
    record_breach_event,
)
from cpniguard.services.breach_notices import (
    BreachNoticeTerms,
    CustomerNoticeRun,
    preview_customer_notice,
    send_customer_notices,
)
from cpniguard.services.disclosure import Asker
from cpniguard.services.ports import OutboundMessage, UnitOfWork

STAFF = Asker(kind=ActorKind.EMPLOYEE, role=Role.COMPLIANCE_OFFICER, label="compliance")
K = BreachEventKind
DISCOVERY = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
DETERMINATION = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
"""Monday 10:00 in Washington, the week of Thanksgiving (Thursday 2026-11-26)."""
AGENCY_NOTICE = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
RECORDING = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
LAST_DAY_OF_THE_WAIT = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
"""Friday: the 7th full business day after the notice of Tuesday 2026-11-24, Thanksgiving skipped."""
AFTER_THE_WAIT = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
OF_RECORD_SINCE = DISCOVERY - timedelta(days=90)
POSTAL = "1 Main Street, Springfield, IL 62701"
CARRIER = CarrierContact(
    "Example Carrier",
    "1 Example Street, Springfield, IL 62701",
    "Privacy Office",
    "privacy@example-carrier.test",
    "1-800-555-0100",
)
EFFECTIVE_2023 = date(2026, 6, 1)


def terms(container: Container, amendments_effective_on: date | None = None) -> BreachNoticeTerms:
    return BreachNoticeTerms(
        uow_factory=container.unit_of_work,
        clock=container.clock,
        renderer=container.renderer,
        calendar=federal_calendar(2026, 2027, []),
        amendments_effective_on=amendments_effective_on,
        annual_summary_due=(2, 1),
        carrier=CARRIER,
        state_regulator_contact="Illinois Commerce Commission: 1-800-524-0795",
        credit_monitoring_offer="",
    )


def customer(
    container: Container, *, email: str | None, postal: str | None, language: Language = Language.EN
) -> int:
    """Commit an account with these addresses of record (on it 90 days: 64.2003(b))."""
    with container.unit_of_work() as uow:
        key, _ = add_account(uow.session, language=language, opened_at=OF_RECORD_SINCE)
        for kind, value in ((ContactKind.EMAIL_ADDRESS, email), (ContactKind.POSTAL_ADDRESS, postal)):
            if value is not None:
                add_contact_point(uow.session, key, kind, value, associated_at=OF_RECORD_SINCE)
        uow.commit()
    return key


def event(kind: BreachEventKind, at: datetime = AGENCY_NOTICE, **details: str) -> BreachEvent:
    return BreachEvent(kind, at, at, "compliance", details=details)


def agency_notice(agencies: str = "USSS,FBI", **more: str) -> BreachEvent:
    return event(K.AGENCY_NOTIFIED, agencies=agencies, reference="CRF-2026-0042", **more)


def breach(container: Container, *events: BreachEvent, reference: str = "BR-2026-100") -> int:
    """Open a breach, discovered and determined, with its date range, data types and `events`."""
    container.clock.pin(RECORDING)
    context = BreachContext(container.unit_of_work, container.clock)
    breach_id = open_breach(context, reference=reference, asker=STAFF).id
    for recorded in (
        event(K.DISCOVERED, DISCOVERY, how="SOC alert on a bulk call-detail export"),
        event(K.DETERMINED, DETERMINATION, basis="the export used a revoked contractor's token"),
        event(K.DATE_RANGE, **{"from": "2026-11-01", "to": "2026-11-18"}),
        event(K.DATA_TYPES, types="call_detail, location"),
        *events,
    ):
        record_breach_event(context, breach_id=breach_id, event=recorded, asker=STAFF)
    return breach_id


def affect(container: Container, breach_id: int, *account_ids: int) -> None:
    with container.unit_of_work() as uow:
        uow.breaches.add_affected(breach_id, list(account_ids), RECORDING, "compliance")
        uow.commit()


def notices(container: Container, breach_id: int) -> list[OutboxMessage]:
    with container.sessions() as session:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like(f"breach-notice:{breach_id}:%"))
            .order_by(OutboxMessage.account_id)
        )
        return list(session.scalars(query))


def queue_by_hand(container: Container, breach_id: int, account_id: int, email: str) -> None:
    """Queue one account's notice as a send that stopped before recording it would have."""
    with container.unit_of_work() as uow:
        uow.outbox.enqueue(
            OutboundMessage(
                f"breach-notice:{breach_id}:{account_id}",
                account_id,
                NoticeChannel.EMAIL,
                email,
                Language.EN,
                "breach_notice",
                "Important: a breach of your customer information",
                "...",
            ),
            at=AFTER_THE_WAIT,
        )
        uow.commit()


def logged(container: Container) -> int:
    with container.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AccessLogRecord)) or 0)


def notified_events(container: Container, breach_id: int) -> list[dict[str, str]]:
    """The customer notice events' count and method (`through_message` is checked on its own)."""
    return [
        {k: v for k, v in details.items() if k != "through_message"}
        for details in notified_details(container, breach_id)
    ]


def notified_details(container: Container, breach_id: int) -> list[dict[str, str]]:
    timeline = breach_timeline(uow_factory=container.unit_of_work, breach_id=breach_id)
    return [dict(e.details) for e in timeline if e.kind is K.CUSTOMERS_NOTIFIED]


# ---------------------------------------------------------------- sending


def test_each_affected_account_gets_one_notice_by_email_or_letter_in_its_language(container):
    emailed = customer(container, email="ana@customer.example", postal=POSTAL)
    lettered = customer(
        container, email=None, postal="2 Rue Principale, Burlington, VT 05401", language=Language.FR
    )
    unreachable = customer(container, email=None, postal=None)
    breach_id = breach(container, agency_notice())
    affect(container, breach_id, emailed, lettered, unreachable)
    container.clock.pin(AFTER_THE_WAIT)

    run = send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)

    assert run == CustomerNoticeRun(queued=2, by_email=1, by_letter=1, without_address=1, already_queued=0)
    email, letter = notices(container, breach_id)
    assert (email.account_id, email.channel, email.recipient, email.language, email.template) == (
        emailed,
        NoticeChannel.EMAIL,
        "ana@customer.example",
        Language.EN,
        "breach_notice",
    )
    assert email.idempotency_key == f"breach-notice:{breach_id}:{emailed}"
    assert "When it happened: between November 1, 2026 and November 18, 2026." in email.body
    assert "the location of your device while it was in use" in email.body
    assert (letter.account_id, letter.channel, letter.recipient, letter.language, letter.template) == (
        lettered,
        NoticeChannel.LETTER,
        "2 Rue Principale, Burlington, VT 05401",
        Language.FR,
        "breach_notice_letter",
    )
    assert letter.body.startswith("Chère cliente, cher client,")
    assert "entre le 1er novembre 2026 et le 18 novembre 2026" in letter.body
    assert letter.subject == "Important : atteinte à la sécurité de vos renseignements de client"
    assert notified_events(container, breach_id) == [
        {
            "count": "2",
            "method": "outbox: 1 email, 1 letter; not notified, no address of record: 1",
        }
    ]


def test_a_second_send_queues_nothing_twice_and_a_later_account_alone(container):
    first = customer(container, email="one@customer.example", postal=None)
    second = customer(container, email=None, postal=POSTAL)
    breach_id = breach(container, agency_notice())
    affect(container, breach_id, first, second)
    container.clock.pin(AFTER_THE_WAIT)
    send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)
    queued = [(m.id, m.body) for m in notices(container, breach_id)]

    again = send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)

    assert again == CustomerNoticeRun(queued=0, by_email=0, by_letter=0, without_address=0, already_queued=2)
    assert [(m.id, m.body) for m in notices(container, breach_id)] == queued
    assert [e["count"] for e in notified_events(container, breach_id)] == ["2"]

    later = customer(container, email="late@customer.example", postal=None)
    affect(container, breach_id, later)
    third = send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)
    assert (third.queued, third.by_email, third.already_queued) == (1, 1, 2)
    assert [m.account_id for m in notices(container, breach_id)] == [first, second, later]
    assert [e["count"] for e in notified_events(container, breach_id)] == ["2", "1"]


def test_pages_of_accounts_are_queued_one_transaction_each_and_recorded_once(container, monkeypatch):
    monkeypatch.setattr(breach_notices, "NOTICE_PAGE_SIZE", 2)
    accounts = [customer(container, email=f"c{n}@customer.example", postal=None) for n in range(4)]
    breach_id = breach(container, agency_notice())
    affect(container, breach_id, *accounts)
    container.clock.pin(AFTER_THE_WAIT)
    logged_before = logged(container)

    run = send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)

    assert (run.queued, run.by_email) == (4, 4)
    assert [m.account_id for m in notices(container, breach_id)] == accounts
    assert [e["count"] for e in notified_events(container, breach_id)] == ["4"]
    assert logged(container) == logged_before + 3  # a page of 2, a page of 2, the recorded notice


def test_notices_an_interrupted_send_queued_are_recorded_by_the_next_send(container):
    first = customer(container, email="one@customer.example", postal=None)
    second = customer(container, email="two@customer.example", postal=None)
    breach_id = breach(container, agency_notice())
    affect(container, breach_id, first, second)
    container.clock.pin(AFTER_THE_WAIT)
    queue_by_hand(container, breach_id, first, "one@customer.example")  # a send stopped after it

    run = send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)

    assert (run.queued, run.already_queued) == (1, 1)
    assert notified_events(container, breach_id) == [
        {
            "count": "2",
            "method": "outbox: 1 email, 0 letter; queued by other sends and not recorded before: 1",
        }
    ]


def test_two_sends_finishing_together_record_each_notice_once(container, monkeypatch):
    # Deterministic interleaving instead of racing threads: the second send runs whole between the
    # first one's last page and its record, the window in which both have queued and neither recorded.
    first, second, later = (customer(container, email=f"{n}@customer.example", postal=None) for n in "abc")
    breach_id = breach(container, agency_notice())
    affect(container, breach_id, first, second)
    container.clock.pin(AFTER_THE_WAIT)
    record = breach_notices._record_notified
    other_runs: list[CustomerNoticeRun] = []

    def another_send_records_first(*args: object) -> None:
        monkeypatch.setattr(breach_notices, "_record_notified", record)
        affect(container, breach_id, later)
        other_runs.append(send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF))
        record(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(breach_notices, "_record_notified", another_send_records_first)
    run = send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)

    assert (run.queued, other_runs[0].queued, other_runs[0].already_queued) == (2, 1, 2)
    assert len(notices(container, breach_id)) == 3
    assert notified_events(container, breach_id) == [
        {
            "count": "3",
            "method": "outbox: 1 email, 0 letter; queued by other sends and not recorded before: 2",
        }
    ]


def test_a_send_whose_notices_another_recorded_counts_only_the_rest(container, monkeypatch):
    first, second, interrupted = (
        customer(container, email=f"{n}@customer.example", postal=None) for n in "abc"
    )
    breach_id = breach(container, agency_notice())
    affect(container, breach_id, first, second)
    container.clock.pin(AFTER_THE_WAIT)
    record = breach_notices._record_notified

    def others_record_and_queue_first(*args: object) -> None:
        monkeypatch.setattr(breach_notices, "_record_notified", record)
        send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)  # records both
        affect(container, breach_id, interrupted)
        queue_by_hand(container, breach_id, interrupted, "c@customer.example")
        record(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(breach_notices, "_record_notified", others_record_and_queue_first)
    send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)

    assert [e["count"] for e in notified_events(container, breach_id)] == ["2", "1"]
    assert notified_events(container, breach_id)[1]["method"] == (
        "outbox: 2 email, 0 letter; recorded already by another send: 1"
    )


def test_a_send_finding_every_notice_recorded_adds_no_event(container, monkeypatch):
    account = customer(container, email="a@customer.example", postal=None)
    breach_id = breach(container, agency_notice())
    affect(container, breach_id, account)
    container.clock.pin(AFTER_THE_WAIT)
    record = breach_notices._record_notified

    def another_send_records_first(*args: object) -> None:
        monkeypatch.setattr(breach_notices, "_record_notified", record)
        send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)
        record(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(breach_notices, "_record_notified", another_send_records_first)
    logged_before = logged(container)
    run = send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)

    assert run.queued == 1
    assert [e["count"] for e in notified_events(container, breach_id)] == ["1"]
    assert logged(container) == logged_before + 2  # the first send's page and the one record


def test_a_timeline_that_over_counted_before_still_records_this_sends_notices(container):
    account = customer(container, email="ana@customer.example", postal=None)
    over_count = event(K.CUSTOMERS_NOTIFIED, AGENCY_NOTICE, count="5", method="outbox: 5 email, 0 letter")
    breach_id = breach(container, agency_notice(), over_count)
    affect(container, breach_id, account)
    container.clock.pin(AFTER_THE_WAIT)

    run = send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)

    assert run.queued == 1
    assert notified_events(container, breach_id)[-1] == {
        "count": "1",
        "method": "outbox: 1 email, 0 letter; the timeline counted 5 notices where the outbox holds 1",
    }


def test_each_record_names_its_last_notice_and_the_next_counts_only_later_ones(container):
    first, second = (customer(container, email=f"{n}@customer.example", postal=None) for n in "ab")
    breach_id = breach(container, agency_notice())
    affect(container, breach_id, first, second)
    container.clock.pin(AFTER_THE_WAIT)
    send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)
    [counted] = notified_details(container, breach_id)
    ids = [m.id for m in notices(container, breach_id)]
    # A record that counted the same notices twice: totals would now swallow the next ones.
    duplicate = event(
        K.CUSTOMERS_NOTIFIED,
        AFTER_THE_WAIT,
        count="2",
        method="outbox: 2 email, 0 letter",
        through_message=counted["through_message"],
    )
    record_breach_event(
        BreachContext(container.unit_of_work, container.clock),
        breach_id=breach_id,
        event=duplicate,
        asker=STAFF,
    )
    later = [customer(container, email=f"{n}@customer.example", postal=None) for n in "cde"]
    affect(container, breach_id, *later)

    send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)

    assert counted["through_message"] == str(max(ids))
    *_, last = notified_details(container, breach_id)
    assert last["count"] == "3"
    assert last["through_message"] == str(max(m.id for m in notices(container, breach_id)))


def test_the_legacy_urgent_need_lets_customers_be_told_the_day_of_the_agency_notice(container):
    account = customer(container, email="ana@customer.example", postal=None)
    breach_id = breach(container, agency_notice(urgent_need_consulted="true"))
    affect(container, breach_id, account)
    run = send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)
    assert run.queued == 1


def test_a_2023_breach_for_the_annual_summary_is_told_without_an_agency_notice(container):
    account = customer(container, email="ana@customer.example", postal=None)
    breach_id = breach(
        container,
        event(K.CUSTOMERS_AFFECTED, count="1"),
        event(K.HARM_ASSESSMENT, harm_reasonably_likely="false", analysis="hashed data, no key taken"),
    )
    affect(container, breach_id, account)
    assert (
        send_customer_notices(terms(container, EFFECTIVE_2023), breach_id=breach_id, asker=STAFF).queued == 1
    )
    with pytest.raises(InvalidInputError) as refused:  # the same breach under the legacy rule
        send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)
    assert [p.location for p in refused.value.problems] == ["timeline.agency_notified"]


# ---------------------------------------------------------------- refusals write nothing


def not_yet_notified(container: Container) -> int:
    return breach(container)


def legacy_wait(container: Container) -> int:
    breach_id = breach(container, agency_notice())
    container.clock.pin(LAST_DAY_OF_THE_WAIT)
    return breach_id


def held(container: Container) -> int:
    hold = event(
        K.HOLD_STARTED, agency="FBI", written_reference="FBI-77", starts_on="2026-11-24", ends_on="2026-12-18"
    )
    breach_id = breach(container, agency_notice(), hold)
    container.clock.pin(datetime(2026, 12, 18, 20, 0, tzinfo=UTC))
    return breach_id


def missing_facts(container: Container) -> int:
    container.clock.pin(RECORDING)
    context = BreachContext(container.unit_of_work, container.clock)
    breach_id = open_breach(context, reference="BR-2026-101", asker=STAFF).id
    for recorded in (
        event(K.DISCOVERED, DISCOVERY, how="SOC alert"),
        event(K.DETERMINED, DETERMINATION, basis="token misuse"),
        agency_notice(urgent_need_consulted="true"),
    ):
        record_breach_event(context, breach_id=breach_id, event=recorded, asker=STAFF)
    return breach_id


def closed(container: Container) -> int:
    breach_id = breach(container, agency_notice(urgent_need_consulted="true"))
    close_breach(
        BreachContext(container.unit_of_work, container.clock),
        breach_id=breach_id,
        reason="done",
        asker=STAFF,
    )
    return breach_id


def no_affected_accounts(container: Container) -> int:
    return breach(container, agency_notice(urgent_need_consulted="true"))


def without_the_fcc_under_2023(container: Container) -> int:
    return breach(container, event(K.CUSTOMERS_AFFECTED, count="3000"), agency_notice())


@pytest.mark.parametrize(
    ("setup", "locations", "regime_2023"),
    [
        (not_yet_notified, ["timeline.agency_notified"], False),
        (legacy_wait, ["customer_notice_earliest"], False),
        (held, ["holds"], False),
        (held, ["holds"], True),
        (missing_facts, ["timeline.date_range", "timeline.data_types"], False),
        (closed, ["breach_id"], False),
        (no_affected_accounts, ["affected_accounts"], False),
        (without_the_fcc_under_2023, ["timeline.agency_notified"], True),
    ],
)
def test_a_refused_send_says_why_and_writes_nothing(
    container, setup: Callable[[Container], int], locations: list[str], regime_2023: bool
):
    account = customer(container, email="ana@customer.example", postal=POSTAL)
    breach_id = setup(container)
    if setup is not no_affected_accounts:
        with container.unit_of_work() as uow:
            uow.breaches.add_affected(breach_id, [account], RECORDING, "compliance")
            uow.commit()
    timeline_before = breach_timeline(uow_factory=container.unit_of_work, breach_id=breach_id)
    logged_before = logged(container)

    with pytest.raises(InvalidInputError) as refused:
        send_customer_notices(
            terms(container, EFFECTIVE_2023 if regime_2023 else None), breach_id=breach_id, asker=STAFF
        )

    assert [p.location for p in refused.value.problems] == locations
    assert all(p.message for p in refused.value.problems)
    assert notices(container, breach_id) == []
    assert breach_timeline(uow_factory=container.unit_of_work, breach_id=breach_id) == timeline_before
    assert logged(container) == logged_before


def test_an_unknown_breach_is_not_found(container):
    with pytest.raises(NotFoundError):
        send_customer_notices(terms(container), breach_id=999_999, asker=STAFF)
    with pytest.raises(NotFoundError):
        preview_customer_notice(terms(container), breach_id=999_999, language=Language.EN)


def test_a_hold_recorded_once_the_send_is_checked_stops_it_before_any_notice(container):
    account = customer(container, email="ana@customer.example", postal=None)
    breach_id = breach(container, agency_notice(urgent_need_consulted="true"))
    affect(container, breach_id, account)
    context = BreachContext(container.unit_of_work, container.clock)
    hold = event(
        K.HOLD_STARTED,
        RECORDING,
        agency="FBI",
        written_reference="FBI-80",
        starts_on="2026-11-24",
        ends_on="2026-12-20",
    )
    opened = 0

    def units_of_work() -> UnitOfWork:
        """The real ones; the hold arrives as the first page's transaction opens (the 4th)."""
        nonlocal opened
        opened += 1
        if opened == 4:
            record_breach_event(context, breach_id=breach_id, event=hold, asker=STAFF)
        return container.unit_of_work()

    racing = replace(terms(container), uow_factory=units_of_work)
    with pytest.raises(InvalidInputError) as refused:
        send_customer_notices(racing, breach_id=breach_id, asker=STAFF)
    assert [p.location for p in refused.value.problems] == ["timeline"]
    assert notices(container, breach_id) == []
    assert notified_events(container, breach_id) == []
    with pytest.raises(InvalidInputError) as again:
        send_customer_notices(terms(container), breach_id=breach_id, asker=STAFF)
    assert [p.location for p in again.value.problems] == ["holds"]


# ---------------------------------------------------------------- preview


def test_staff_preview_the_notice_by_email_or_letter_in_either_language_before_it_may_go(container):
    breach_id = breach(container)  # no agency notice yet: the send would be refused
    english = preview_customer_notice(terms(container), breach_id=breach_id, language=Language.EN)
    french = preview_customer_notice(
        terms(container), breach_id=breach_id, language=Language.FR, by_mail=True
    )
    assert english.body.startswith("Hello,")
    assert "This email asks you for nothing" in english.body
    assert "Illinois Commerce Commission: 1-800-524-0795" in english.body
    assert french.body.startswith("Chère cliente, cher client,")
    assert "Conservez cette lettre" in french.body
    assert notices(container, breach_id) == []


def test_a_preview_lists_a_blank_state_regulator_as_a_setting_to_configure_and_still_renders(container):
    breach_id = breach(container)
    assert preview_customer_notice(terms(container), breach_id=breach_id, language=Language.EN).missing == ()

    # The container's settings leave the state regulator blank by default.
    preview = preview_customer_notice(
        container.breach_notice_terms(), breach_id=breach_id, language=Language.FR, by_mail=True
    )

    assert [problem.location for problem in preview.missing] == ["state_regulator_contact"]
    assert "RULES 8.6 (iv)" in preview.missing[0].message
    assert preview.body.startswith("Chère cliente, cher client,")
    assert "Illinois Commerce Commission" not in preview.body
    assert notices(container, breach_id) == []


def test_the_settings_credit_monitoring_offer_reaches_a_notice_at_risk_of_identity_theft(container):
    offer = "Two years of free credit monitoring by ExampleWatch: call 1-800-555-0199 with code BR17."
    settings = make_settings(str(container.settings.database.url), breach={"credit_monitoring_offer": offer})
    offering = Container(
        settings=settings, engine=container.engine, sessions=container.sessions, clock=container.clock
    )
    breach_id = breach(container, event(K.DATA_TYPES, types="call_detail, financial_account"))

    preview = preview_customer_notice(
        offering.breach_notice_terms(), breach_id=breach_id, language=Language.EN
    )

    assert f"What we offer to help protect your credit:\n{offer}" in preview.body


def test_a_preview_is_refused_while_the_notice_lacks_a_fact(container):
    breach_id = missing_facts(container)
    with pytest.raises(InvalidInputError) as refused:
        preview_customer_notice(terms(container), breach_id=breach_id, language=Language.EN)
    assert [p.location for p in refused.value.problems] == ["timeline.date_range", "timeline.data_types"]
