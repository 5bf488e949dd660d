"""What a digest of dead letters says to the compliance officer (domain/dead_letters.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cpniguard.domain.dead_letters import (
    DEAD_LETTER_DIGEST_TEMPLATE,
    NOT_ALERTED,
    DeadLetter,
    consequence,
    digest_key,
    digest_text,
)
from cpniguard.domain.notices import ACCOUNT_CHANGE_TEMPLATE, MESSAGE_FIELDS
from cpniguard.domain.outbox import TEMPLATES_CARRYING_A_CODE

QUEUED = datetime(2026, 11, 20, 15, 4, 59, tzinfo=UTC)


def letter(message_id: int, template: str = ACCOUNT_CHANGE_TEMPLATE) -> DeadLetter:
    return DeadLetter(message_id, template, "email", QUEUED, 8)


@pytest.mark.parametrize("template", sorted(set(MESSAGE_FIELDS) - TEMPLATES_CARRYING_A_CODE))
def test_every_customer_message_but_codes_is_alerted_with_what_its_loss_means(template):
    assert template not in NOT_ALERTED
    assert consequence(template) != consequence("some_future_template"), "each kind says its own"


@pytest.mark.parametrize(
    "template", [*sorted(TEMPLATES_CARRYING_A_CODE), "breach_reminder", DEAD_LETTER_DIGEST_TEMPLATE]
)
def test_codes_reminders_and_digests_are_never_alerted(template):
    assert template in NOT_ALERTED


def test_the_digest_names_each_letter_by_id_kind_and_channel_with_its_consequence_and_citation():
    subject, body = digest_text([letter(7), letter(9, "breach_notice")], waiting=0)

    assert subject == "cpniguard: 2 message(s) could not be delivered"
    assert "- message 7 (account_change, by email, queued 2026-11-20T15:04+00:00, 8 attempt(s)): " in body
    assert "47 CFR 64.2010(f)" in body
    assert "- message 9 (breach_notice, by email" in body
    assert "47 CFR 64.2011" in body
    assert "more dead letter" not in body
    assert "`cpniguard outbox dead-letters`" in body


def test_the_digest_says_how_many_more_follow():
    _, body = digest_text([letter(1)], waiting=41)

    assert "41 more dead letter(s) will follow in the next digest." in body


def test_a_digest_of_nothing_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        digest_text([], waiting=0)


def test_the_same_letters_give_the_same_key_and_other_letters_another():
    key = digest_key([letter(3), letter(5)])

    assert key == digest_key([letter(5), letter(3)])
    assert key.startswith("dead-letters:3-5:2:")
    assert digest_key([letter(3), letter(4), letter(5)]) != key
    assert digest_key([letter(3), letter(6), letter(5)]) != digest_key([letter(3), letter(4), letter(5)])
