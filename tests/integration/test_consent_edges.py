"""Edges of the consent services found in review: bounces nobody can settle alone, one-time
consent after the call, references that are cpniguard's own, and two staff on one message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.conftest import TEST_NOW
from tests.integration.test_review_consent_services import (
    STAFF,
    bounce_report,
    context,
    customer,
    delivered,
    mail,
    opt_out,
    outbox_of,
    stored_notice,
)

from cpniguard.domain.consent_events import ConsentEvent, ConsentEventKind, ConsentScope
from cpniguard.domain.disclosure_request import Channel, RecipientClass
from cpniguard.domain.errors import InvalidInputError
from cpniguard.domain.mailbox import MailboxStatus
from cpniguard.domain.notices import CPNI_NOTICE_LETTER_TEMPLATE
from cpniguard.services.consent import consent_events, record_consent
from cpniguard.services.consent_notices import record_delivered_notices
from cpniguard.services.interactions import InteractionOpening, end_interaction, open_interaction
from cpniguard.services.mailbox import NO_RESEND, NOT_A_NOTICE, process_due_mail, resolve_review, store_mail


def _store(container, raw: bytes) -> int:
    terms = container.mailbox_terms()
    return store_mail(terms, raw=raw, envelope_sender="", recipients="marketing@localhost", peer="192.0.2.9")


def _status(container, message_id: int):
    with container.unit_of_work() as uow:
        return uow.mailbox.get(message_id)


def test_a_bounce_of_an_email_that_is_not_a_notice_goes_to_review_instead_of_retrying_forever(container):
    message_id = _store(container, bounce_report("<confirmation-9@carrier.example>", "dsn-9"))
    run = process_due_mail(container.mailbox_terms())
    stored = _status(container, message_id)
    assert (run.to_review, run.failed) == (1, 0)
    assert (stored.status, stored.review_reason) == (MailboxStatus.NEEDS_REVIEW, NOT_A_NOTICE)


def test_a_bounced_notice_with_no_postal_address_to_resend_it_to_is_recorded_and_sent_to_staff(
    container, clock
):
    version = stored_notice(container)
    account_id, number = customer(container, "ana@customer.example", email_notices=True, postal=None)
    delivered(
        container, account_id, f"cpni-notice:{version.version}:1:{account_id}",
        sent_at=TEST_NOW - timedelta(hours=2), message_id="<notice-5@carrier.example>",
    )  # fmt: skip
    record_delivered_notices(uow_factory=container.unit_of_work, clock=clock)
    message_id = _store(container, bounce_report("<notice-5@carrier.example>", "dsn-5"))

    process_due_mail(container.mailbox_terms())

    stored = _status(container, message_id)
    kinds = [e.kind for e in consent_events(uow_factory=container.unit_of_work, account_number=number)]
    assert kinds == [ConsentEventKind.NOTICE_SENT, ConsentEventKind.NOTICE_BOUNCED]
    assert (stored.status, stored.review_reason) == (MailboxStatus.NEEDS_REVIEW, NO_RESEND)
    assert stored.consent_event_id is not None
    assert not [m for m in outbox_of(container, account_id) if m.template == CPNI_NOTICE_LETTER_TEMPLATE]


def test_one_time_consent_is_refused_once_its_call_has_ended_even_back_dated_into_the_call(container, clock):
    _account_id, number = customer(container, "ana@customer.example")
    opening = InteractionOpening(number, Channel.INBOUND_CALL, None, None, timedelta(hours=2))
    opened = open_interaction(uow_factory=container.unit_of_work, clock=clock, opening=opening)
    during_call = clock.now()
    clock.advance(timedelta(minutes=10))
    end_interaction(uow_factory=container.unit_of_work, clock=clock, interaction_id=opened.id)
    consent = ConsentEvent(
        ConsentEventKind.ONE_TIME_CONSENT,
        during_call,
        during_call,
        "",
        scope=(ConsentScope(RecipientClass.CARRIER),),
        interaction_id=opened.id,
    )
    with pytest.raises(InvalidInputError) as refused:
        record_consent(context(container), account_number=number, event=consent, asker=STAFF)
    assert [p.location for p in refused.value.problems] == ["interaction_id"]
    assert consent_events(uow_factory=container.unit_of_work, account_number=number) == []


@pytest.mark.parametrize("reference", ["mailbox:1", "cpni-notice:cpni-2026-11:1:1"])
def test_a_reference_cpniguard_gives_its_own_events_is_refused_from_staff(container, reference):
    _account_id, number = customer(container, "ana@customer.example")
    with pytest.raises(InvalidInputError) as refused:
        record_consent(
            context(container),
            account_number=number,
            event=opt_out(TEST_NOW, reference=reference),
            asker=STAFF,
        )
    assert [p.location for p in refused.value.problems] == ["reference"]
    assert consent_events(uow_factory=container.unit_of_work, account_number=number) == []


def test_a_message_already_resolved_by_one_member_of_staff_cannot_be_resolved_again(container):
    _account_id, number = customer(container, "ana@customer.example")
    message_id = _store(container, mail("stranger@elsewhere.example", "hello", "please stop"))
    terms = container.mailbox_terms()
    process_due_mail(terms)
    first = resolve_review(
        terms, message_id=message_id, decision="opt_out", account_number=number, asker=STAFF
    )
    with pytest.raises(InvalidInputError) as refused:
        resolve_review(terms, message_id=message_id, decision="dismiss", account_number=None, asker=STAFF)
    assert first.status is MailboxStatus.RESOLVED
    assert [p.location for p in refused.value.problems] == ["message_id"]
    assert _status(container, message_id).status is MailboxStatus.RESOLVED
