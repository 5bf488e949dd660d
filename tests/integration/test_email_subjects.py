"""Long headers, ASCII and French, read back exactly from a real SMTP server (RFC 5322 2.2.3 folding)."""

from __future__ import annotations

import email
from email import policy

import pytest
from tests.integration.test_delivery_adapters import claimed, smtp_sender

from cpniguard.adapters.notify.email import MAX_LINE_OCTETS, SmtpSender, message_id, without_fold_after_name
from cpniguard.domain.accounts import Language
from cpniguard.domain.notifications import NoticeChannel

pytest_plugins = ["tests.outbox_servers"]

ENGLISH_WORDS = "Notice of a change to your account: your password and PIN were changed today at 10:42 by a "
FRENCH_WORDS = "Avis : le NIP et le mot de passe de votre compte ont été modifiés à 10 h 42 ; l\u2019équipe "
SUBJECT_LENGTHS = (60, 70, 77, 78, 120, 200)
"""77 is the longest value the folder moves whole to the line after "Subject:"; 78 the first it encodes."""


def subject_of(words: str, length: int) -> str:
    """`words` repeated to exactly `length` characters, ending in a full stop rather than a blank."""
    text = (words * (length // len(words) + 1))[:length]
    return text[:-1] + "." if text.endswith(" ") else text


SUBJECTS = [
    pytest.param(subject_of(words, length), language, id=f"{language}-{length}")
    for words, language in ((ENGLISH_WORDS, Language.EN), (FRENCH_WORDS, Language.FR))
    for length in SUBJECT_LENGTHS
] + [
    pytest.param("", Language.EN, id="en-empty"),
    pytest.param("x" * 200, Language.EN, id="en-200-one-word"),
    pytest.param("é" * 120, Language.FR, id="fr-120-one-word"),
    pytest.param("Mise à jour\u2019" + "a" * 90 + " déjà", Language.FR, id="fr-long-word-between-accents"),
]


def test_the_subjects_under_test_have_the_lengths_named():
    lengths = [len(subject_of(words, n)) for words in (ENGLISH_WORDS, FRENCH_WORDS) for n in SUBJECT_LENGTHS]
    assert lengths == [*SUBJECT_LENGTHS, *SUBJECT_LENGTHS]


@pytest.mark.parametrize(("subject", "language"), SUBJECTS)
def test_a_subject_arrives_exactly_as_written(smtp_server, subject, language):
    message = claimed(NoticeChannel.EMAIL, "ana@customer.example", subject=subject, language=language)
    smtp_sender(smtp_server).send(message)
    [received] = smtp_server.inbox.messages
    assert received["Subject"] == subject


@pytest.mark.parametrize("length", [120, 200])
@pytest.mark.parametrize("words", [ENGLISH_WORDS, FRENCH_WORDS], ids=["en", "fr"])
def test_a_long_subject_is_still_folded_into_short_lines(smtp_server, words, length):
    smtp_sender(smtp_server).send(
        claimed(NoticeChannel.EMAIL, "ana@customer.example", subject=subject_of(words, length))
    )
    [received] = smtp_server.inbox.messages
    [raw_subject] = [value for name, value in received.raw_items() if name == "Subject"]
    lines = f"Subject: {raw_subject}".splitlines()
    assert len(lines) > 1
    assert max(len(line) for line in lines) <= 78  # RFC 5322 2.1.1 recommended limit


def test_a_message_id_whose_value_just_overflows_the_first_line_arrives_exactly(smtp_server):
    sender_address = "cpni@notices.regional-carrier.example"
    sender = SmtpSender(host=smtp_server.host, port=smtp_server.port, sender=sender_address)
    message = claimed(NoticeChannel.EMAIL, "ana@customer.example")
    reference = sender.send(message)
    [received] = smtp_server.inbox.messages
    assert len(f"Message-ID: {reference}") > 78  # past the line the folder aims for
    assert received["Message-ID"] == reference == message_id(message.idempotency_key, sender_address)


def test_a_message_written_as_text_reads_back_the_same_subject():
    subject = subject_of(ENGLISH_WORDS, 70)
    sender = SmtpSender(host="127.0.0.1", port=25, sender="cpni@carrier.example")
    composed = sender.compose(claimed(NoticeChannel.EMAIL, "ana@customer.example", subject=subject))
    assert email.message_from_string(composed.as_string(), policy=policy.default)["Subject"] == subject


@pytest.mark.parametrize(
    "folded",
    [
        pytest.param(b"Subject: \r\n", id="empty-value"),
        pytest.param(b"Subject:\r\n", id="empty-value-no-blank"),
        pytest.param(b"Subject: short\r\n", id="not-folded"),
        pytest.param(
            b"Subject:\r\n " + b"a" * (MAX_LINE_OCTETS - 8) + b"\r\n", id="unfolded-would-pass-998-octets"
        ),
    ],
)
def test_a_header_is_left_as_folded_when_undoing_the_fold_is_not_safe(folded):
    assert without_fold_after_name(folded, b"Subject:", b"\r\n") == folded


def test_a_fold_after_the_name_is_undone_into_one_line_of_at_most_998_octets():
    value = b"a" * (MAX_LINE_OCTETS - 9)
    folded = b"Subject:\r\n " + value + b"\r\n"
    assert without_fold_after_name(folded, b"Subject:", b"\r\n") == b"Subject: " + value + b"\r\n"
    assert len(b"Subject: " + value) == MAX_LINE_OCTETS
