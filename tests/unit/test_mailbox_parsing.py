"""Reading raw email for the marketing mailbox: malformed MIME, charsets, bounces (RFC 3464), spoofing.

47 CFR 64.2008(d)(3)(ii), (iii): the mailbox must read whatever arrives, never crash, and say what it
could not read.
"""

from __future__ import annotations

import base64
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpniguard.domain.mailbox import (
    MAX_TEXT_CHARS,
    InboundMail,
    MailboxMatch,
    read_inbound,
    route_inbound,
)

pytestmark = pytest.mark.unit

CUSTOMER = "jane.doe@example.com"


def raw_mail(*headers: str, body: bytes = b"Please unsubscribe me.\r\n", sender: str = CUSTOMER) -> bytes:
    lines = [f"From: Jane Doe <{sender}>", "To: marketing@carrier.example", *headers]
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + body


def raw_part(part: bytes, *headers: str) -> bytes:
    """A message whose top-level entity is `part` (its own headers, a blank line, its body)."""
    lines = [f"From: Jane Doe <{CUSTOMER}>", "To: marketing@carrier.example", *headers]
    return "\r\n".join(lines).encode() + b"\r\n" + part


def read(raw: bytes, envelope_sender: str = CUSTOMER) -> InboundMail:
    return read_inbound(raw, envelope_sender=envelope_sender)


def multipart(subtype: str, boundary: str, *parts: bytes, close: bool = True) -> bytes:
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    return (
        f"Content-Type: multipart/{subtype}; boundary={boundary}\r\n\r\n".encode()
        + body
        + (b"--" + boundary.encode() + b"--\r\n" if close else b"")
    )


# ---------------------------------------------------------------- well-formed replies

REPLY = (
    b"From: Jane Doe <Jane.Doe@Example.COM>\r\n"
    b"To: CPNI Notices <notices@carrier.example>\r\n"
    b"Subject: Re: Your CPNI privacy notice\r\n"
    b"Message-ID: <reply-1@mail.example.com>\r\n"
    b"In-Reply-To: <notice-42@carrier.example>\r\n"
    b"References: <notice-41@carrier.example>\r\n <notice-42@carrier.example>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"STOP\r\n\r\nOn Mon, 2 Nov 2026 at 10:00, CPNI Notices <notices@carrier.example> wrote:\r\n> notice\r\n"
)


def test_a_plain_reply_gives_the_sender_lower_cased_and_the_notice_it_answers() -> None:
    mail = read(REPLY)

    assert mail.sender == CUSTOMER
    assert mail.display_name == "Jane Doe"
    assert mail.subject == "Re: Your CPNI privacy notice"
    assert mail.message_id == "<reply-1@mail.example.com>"
    assert mail.replied_to == ("<notice-42@carrier.example>", "<notice-41@carrier.example>")
    assert mail.text.startswith("STOP\n")
    assert (mail.is_bounce, mail.suspicious, mail.problems) == (False, (), ())


def test_message_ids_without_angle_brackets_are_kept_as_written_and_whitespace_is_removed() -> None:
    mail = read(raw_mail("In-Reply-To: notice-7@carrier.example", "References: <a@b.example> , <>"))

    assert mail.replied_to == ("notice-7@carrier.example", "<a@b.example>")


def test_text_plain_is_preferred_to_html_in_an_alternative() -> None:
    raw = raw_part(
        multipart(
            "alternative",
            "alt",
            b"Content-Type: text/html\r\n\r\n<p>html words</p>",
            b"Content-Type: text/plain\r\n\r\nplain words",
        ),
    )

    assert read(raw).text == "plain words"


def test_an_html_only_body_is_read_without_tags_scripts_or_entities_and_quotes_blockquotes() -> None:
    html = (
        b"<html><head><title>t</title><style>p {color: red}</style></head><body>"
        b"<div>Je souhaite me d&eacute;sabonner&nbsp;!</div><script>alert(1)</script>"
        b"<blockquote><p>R&eacute;pondez STOP</p></blockquote></body></html>"
    )
    mail = read(raw_mail("Content-Type: text/html; charset=utf-8", body=html))

    assert mail.text == "Je souhaite me désabonner !\n> Répondez STOP"


def test_a_text_attachment_is_not_taken_for_the_body() -> None:
    raw = raw_part(
        multipart(
            "mixed",
            "mix",
            b"Content-Type: text/html\r\n\r\n<p>I agree</p>",
            b'Content-Type: text/plain\r\nContent-Disposition: attachment; filename="a.txt"\r\n\r\nSTOP',
        )
    )

    assert read(raw).text == "I agree"


def test_a_message_with_no_text_part_has_empty_text() -> None:
    raw = raw_part(multipart("mixed", "m", b"Content-Type: image/png\r\n\r\nPNG"))

    assert read(raw).text == ""


# ---------------------------------------------------------------- malformed MIME


def test_a_multipart_whose_boundary_never_appears_is_read_as_raw_text() -> None:
    raw = raw_mail("Content-Type: multipart/mixed; boundary=nowhere", body=b"Please unsubscribe me.\r\n")

    mail = read(raw)

    assert mail.text == "Please unsubscribe me.\n"
    assert mail.problems == ("the message: the MIME structure could not be read; the raw text was used",)


def test_a_multipart_without_a_boundary_parameter_is_read_as_raw_text() -> None:
    mail = read(raw_mail("Content-Type: multipart/mixed", body=b"STOP\r\n"))

    assert mail.text == "STOP\n"
    assert "the message: the MIME structure could not be read; the raw text was used" in mail.problems


def test_a_missing_closing_boundary_is_reported_and_the_parts_still_read() -> None:
    raw = raw_part(multipart("mixed", "b", b"Content-Type: text/plain\r\n\r\nSTOP", close=False))

    mail = read(raw)

    assert mail.text.strip() == "STOP"
    assert "the message: the closing MIME boundary is missing" in mail.problems


def test_a_message_without_headers_has_no_sender_subject_or_ids() -> None:
    mail = read(b"\r\nSTOP\r\n")

    assert (mail.sender, mail.display_name, mail.subject, mail.message_id) == (None, "", "", None)
    assert mail.text == "STOP\n"


def test_a_body_without_a_blank_line_after_the_headers_is_reported() -> None:
    mail = read(b"From: a@example.com\r\nthis line is not a header\r\nSTOP\r\n")

    assert mail.sender == "a@example.com"
    assert "STOP" in mail.text
    assert "the message: a header line is malformed; the rest was read as the body" in mail.problems


def test_nul_and_carriage_returns_never_reach_header_values() -> None:
    raw = b"From: Ja\x00ne <jane@example.com>\r\nSubject: one\rtwo\x00\r\n\r\nSTOP\r\n"

    mail = read(raw)

    assert mail.sender == "jane@example.com"
    assert "\x00" not in mail.display_name + mail.subject
    assert "\r" not in mail.subject
    assert "the From header is malformed: it contains control characters" in mail.problems


def test_nul_in_the_body_is_dropped_from_the_text() -> None:
    assert read(raw_mail(body=b"ST\x00OP\r\n")).text == "STOP\n"


@pytest.mark.parametrize(
    "subject",
    ["=?utf-8?q?bad=ZZ?=", "=?x-unknown?b?AAAA?=", "=?utf-8?b?!!!?=", "=?utf-8?q?unterminated", "=?=?=?"],
)
def test_invalid_encoded_words_in_the_subject_do_not_stop_the_message_being_read(subject: str) -> None:
    mail = read(raw_mail(f"Subject: {subject}"))

    assert mail.sender == CUSTOMER
    assert mail.text == "Please unsubscribe me.\n"


def test_an_invalid_encoded_word_in_the_display_name_keeps_the_address() -> None:
    raw = raw_mail(body=b"STOP").replace(b"Jane Doe", b"=?utf-8?b?!!!?=")

    assert read(raw).sender == CUSTOMER


def test_an_unknown_charset_is_reported_and_the_text_still_read() -> None:
    mail = read(raw_mail("Content-Type: text/plain; charset=x-martian", body=b"d\xc3\xa9sabonner"))

    assert mail.text == "désabonner"
    assert mail.problems == ("the message: unknown charset 'x-martian'; the text was read as utf-8",)


def test_a_charset_that_names_a_bytes_transform_is_treated_as_unknown() -> None:
    mail = read(raw_mail("Content-Type: text/plain; charset=base64", body=b"STOP"))

    assert mail.text == "STOP"
    assert mail.problems == ("the message: unknown charset 'base64'; the text was read as utf-8",)


def test_a_latin_1_body_without_a_charset_is_read_as_windows_1252() -> None:
    mail = read(raw_mail(body="Je veux me désabonner, merci à vous".encode("latin-1")))

    assert mail.text == "Je veux me désabonner, merci à vous"
    assert mail.problems == ("the message: the text declares no charset; it was read as cp1252",)


def test_a_cp1252_body_without_a_charset_keeps_its_curly_quotes() -> None:
    mail = read(raw_mail(body="I don\u2019t want \u201coffers\u201d \u2013 remove me".encode("cp1252")))

    assert mail.text == "I don\u2019t want \u201coffers\u201d \u2013 remove me"


def test_bytes_undefined_in_windows_1252_fall_back_to_latin_1() -> None:
    mail = read(raw_mail(body=b"STOP \x81\x8d"))

    assert mail.text == "STOP "  # the two latin-1 C1 controls are dropped as control characters
    assert mail.problems == ("the message: the text declares no charset; it was read as latin-1",)


def test_a_body_declared_utf_8_that_is_not_keeps_its_valid_characters() -> None:
    mail = read(
        raw_mail("Content-Type: text/plain; charset=utf-8", body="désabonner \xff".encode() + b"\xff")
    )

    assert mail.text.startswith("désabonner")
    assert "\ufffd" in mail.text
    assert mail.problems == ("the message: the text is not valid UTF-8",)


def test_a_body_declared_ascii_with_8_bit_utf_8_is_read_as_utf_8() -> None:
    mail = read(raw_mail("Content-Type: text/plain; charset=us-ascii", body="désabonner".encode()))

    assert mail.text == "désabonner"
    assert mail.problems == ("the message: the text is not valid ascii; it was read as utf-8",)


def test_a_declared_latin_1_body_is_read_without_a_problem() -> None:
    mail = read(raw_mail("Content-Type: text/plain; charset=ISO-8859-1", body="révoque".encode("latin-1")))

    assert (mail.text, mail.problems) == ("révoque", ())


def test_quoted_printable_and_base64_bodies_are_decoded() -> None:
    qp = read(
        raw_mail(
            "Content-Transfer-Encoding: quoted-printable",
            "Content-Type: text/plain; charset=utf-8",
            body=b"d=C3=A9sabonner",
        )
    )
    b64 = read(raw_mail("Content-Transfer-Encoding: base64", body=base64.b64encode(b"STOP")))

    assert (qp.text, b64.text) == ("désabonner", "STOP")


def test_base64_that_does_not_decode_is_reported() -> None:
    mail = read(raw_mail("Content-Transfer-Encoding: base64", body=b"!!!not base64@@@\r\n"))

    assert mail.problems == (
        "the message: the base64 body has an impossible length and could not be decoded",
    )


def test_base64_with_stray_characters_is_decoded_and_reported() -> None:
    mail = read(raw_mail("Content-Transfer-Encoding: base64", body=b"U1RP*UA==\r\n"))

    assert mail.text == "STOP"
    assert "the message: the base64 body has characters outside base64; they were skipped" in mail.problems


def test_a_five_megabyte_body_is_cut_to_the_maximum_text() -> None:
    mail = read(raw_mail(body=b"STOP " * 1_000_000))

    assert len(mail.text) == MAX_TEXT_CHARS
    assert mail.problems == (f"the message: the text was cut to {MAX_TEXT_CHARS} characters from 5000000",)


def test_a_message_over_ten_megabytes_is_read_from_its_start() -> None:
    mail = read(raw_mail(body=b"x" * (11 * 1024 * 1024)))

    assert mail.sender == CUSTOMER
    size = 11 * 1024 * 1024 + len(raw_mail(body=b""))
    assert mail.problems[0] == f"the message is {size} bytes; only the first {10 * 1024 * 1024} were read"


def nested(depth: int, leaf: bytes) -> bytes:
    part = b"Content-Type: text/plain\r\n\r\n" + leaf
    for level in range(depth):
        part = multipart("mixed", f"level{level}", part)
    return part


def test_fifty_nested_multiparts_are_read_down_to_the_text() -> None:
    mail = read(raw_part(nested(50, b"STOP")))

    assert mail.text.strip() == "STOP"
    assert mail.problems == ()


def test_parts_nested_over_a_hundred_deep_are_not_read_and_that_is_said() -> None:
    mail = read(raw_part(nested(105, b"STOP")))

    assert mail.text == ""
    assert any("parts nested more than 100 deep were not read" in problem for problem in mail.problems)


def test_a_message_with_thousands_of_parts_is_read_up_to_a_limit() -> None:
    parts = [b"Content-Type: image/png\r\n\r\nx"] * 1_200
    mail = read(raw_part(multipart("mixed", "many", *parts)))

    assert "the message has more than 1000 parts; the rest were not read" in mail.problems


def test_bytes_that_are_not_a_message_are_kept_as_text() -> None:
    mail = read(b"\x00\xff\xfe binary")

    assert mail.sender is None
    assert "binary" in mail.text


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("From: ? <", "From"),  # IndexError inside the stdlib's address parser
        ("From: dc\t=@[ (b.a(?ct", "From"),  # UnboundLocalError
        ('From: -:;"e=[\\(@te8;;?[', "From"),  # AttributeError on a group
        ("Reply-To: b,.?dd,\t . \t[", "Reply-To"),  # TypeError
        ("Message-ID: <):", "Message-ID"),  # IndexError in the Message-ID parser
    ],
)
def test_a_header_the_stdlib_cannot_parse_is_read_raw_and_reported(header: str, name: str) -> None:
    raw = f"{header}\r\nSubject: hello\r\n\r\nSTOP\r\n".encode()
    if name == "Reply-To":
        raw = b"From: jane@example.com\r\n" + raw

    mail = read(raw)

    assert mail.subject == "hello"
    assert mail.text == "STOP\n"
    assert f"the {name} header could not be parsed; its raw value was used" in mail.problems


def test_a_from_header_the_stdlib_cannot_parse_is_still_split_into_its_addresses() -> None:
    mail = read(b"From: Jane <jane@example.com>, ? <\r\n\r\nSTOP\r\n")

    assert mail.sender is None
    assert mail.suspicious == ("the From field names 2 addresses",)
    assert mail.problems == ("the From header could not be parsed; its raw value was used",)


def test_a_less_than_sign_that_opens_no_tag_is_text() -> None:
    mail = read(raw_mail("Content-Type: text/html", body=b"<p>STOP</p><![;##! ]x 3 < 4"))

    assert mail.text == "STOP\n<![;##! ]x 3 < 4"


@pytest.mark.parametrize("snippet", ["<!--x>", "<a ", "<![CDATA[>", "<"])
def test_html_built_to_make_the_parser_quadratic_is_read_quickly(snippet: str) -> None:
    body = (snippet * 100_000).encode()
    started = time.perf_counter()

    read(raw_mail("Content-Type: text/html", body=body))

    assert time.perf_counter() - started < 5  # the same input takes minutes through html.parser alone


def test_a_parser_crash_still_gives_the_raw_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(raw: bytes, *, headers_only: bool) -> None:
        raise RecursionError

    monkeypatch.setattr("cpniguard.domain.mailbox._parsed", crash)

    mail = read(raw_mail(body=b"STOP"))

    assert mail.sender is None
    assert mail.text.endswith("STOP")
    assert mail.problems == ("the message could not be read (RecursionError); the raw text was used",)


# ---------------------------------------------------------------- senders


@pytest.mark.parametrize(
    "from_header",
    [
        "From: not an address",
        "From: <>",
        "From: jane@",
        "From: @example.com",
        "From: undisclosed-recipients:;",
    ],
)
def test_an_unreadable_from_gives_no_sender(from_header: str) -> None:
    mail = read(b"%s\r\n\r\nSTOP\r\n" % from_header.encode())

    assert mail.sender is None
    assert mail.suspicious == ()


def test_an_address_longer_than_smtp_allows_gives_no_sender() -> None:
    assert read(raw_mail(sender="a" * 250 + "@example.com")).sender is None


def test_several_from_addresses_give_no_sender_and_are_suspicious() -> None:
    mail = read(b"From: jane@example.com, boss@example.com\r\n\r\nSTOP\r\n")

    assert mail.sender is None
    assert mail.suspicious == ("the From field names 2 addresses",)


def test_two_from_fields_are_suspicious() -> None:
    mail = read(b"From: jane@example.com\r\nFrom: mallory@example.net\r\n\r\nSTOP\r\n")

    assert mail.sender is None
    assert mail.suspicious == ("the From field names 2 addresses",)


# ---------------------------------------------------------------- spoofing


def test_a_from_domain_other_than_the_envelope_senders_is_suspicious() -> None:
    mail = read(raw_mail(), envelope_sender="bounce@mallory.example")

    assert mail.suspicious == (
        "the From domain example.com differs from the envelope sender's domain mallory.example",
    )


@pytest.mark.parametrize("envelope", ["<jane.doe@example.com>", "bounces@mail.example.com", "", "<>"])
def test_an_aligned_or_empty_envelope_sender_is_not_suspicious(envelope: str) -> None:
    assert read(raw_mail(), envelope_sender=envelope).suspicious == ()


@pytest.mark.parametrize("check", ["dmarc", "spf", "dkim"])
def test_a_failed_authentication_result_is_suspicious(check: str) -> None:
    result = f"Authentication-Results: mx.carrier.example; {check}=fail (not allowed) header.from=example.com"

    assert read(raw_mail(result)).suspicious == (f"an Authentication-Results header reports {check}=fail",)


def test_passing_and_soft_failing_authentication_is_not_suspicious() -> None:
    result = "Authentication-Results: mx; spf=softfail; dkim=pass; dmarc=pass"

    assert read(raw_mail(result)).suspicious == ()


def test_a_reply_to_on_another_domain_is_suspicious() -> None:
    mail = read(raw_mail("Reply-To: Jane <Jane@Mallory.example>"))

    assert mail.suspicious == (
        "the Reply-To address jane@mallory.example is on another domain than From (example.com)",
    )


def test_a_reply_to_on_the_same_domain_is_not_suspicious() -> None:
    assert read(raw_mail("Reply-To: jane.home@example.com")).suspicious == ()


def test_a_display_name_showing_another_address_is_suspicious() -> None:
    raw = raw_mail(body=b"STOP").replace(b"Jane Doe", b'"ceo@carrier.example"')

    assert read(raw).suspicious == ("the display name shows another address (ceo@carrier.example)",)


def test_a_display_name_showing_the_from_address_is_not_suspicious() -> None:
    raw = raw_mail(body=b"STOP").replace(b"Jane Doe", b'"Jane.Doe@example.com"')

    assert read(raw).suspicious == ()


# ---------------------------------------------------------------- bounce reports (RFC 3464)

DSN = b"""\
Return-Path: <>
From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>
To: notices@carrier.example
Subject: Delivery Status Notification (Failure)
Message-ID: <dsn-1@mx.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
    boundary="RAA14128.773615765/mx.example.com"

--RAA14128.773615765/mx.example.com
Content-Type: text/plain; charset=us-ascii

This is a MIME-encapsulated message.
The original message was received at Mon, 2 Nov 2026 10:00:00 -0500.

   ----- The following addresses had permanent fatal errors -----
<jane.doe@example.com>
    (reason: 550 5.1.1 User unknown)

--RAA14128.773615765/mx.example.com
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com
Arrival-Date: Mon, 2 Nov 2026 10:00:00 -0500

Original-Recipient: rfc822;jane.doe@example.com
Final-Recipient: RFC822; jane.doe@example.com
Action: failed
Status: 5.1.1
Remote-MTA: DNS; mail.example.com
Diagnostic-Code: SMTP; 550 5.1.1 User unknown
Last-Attempt-Date: Mon, 2 Nov 2026 10:00:05 -0500

--RAA14128.773615765/mx.example.com
Content-Type: message/rfc822

From: CPNI Notices <notices@carrier.example>
To: jane.doe@example.com
Subject: Your CPNI privacy notice
Message-ID: <notice-42@carrier.example>

Your privacy choices.

--RAA14128.773615765/mx.example.com--
""".replace(b"\n", b"\r\n")


def test_a_delivery_status_report_is_a_bounce_that_names_the_original_message() -> None:
    mail = read(DSN, envelope_sender="")

    assert mail.is_bounce
    assert mail.bounced_message_ids == ("<notice-42@carrier.example>",)
    assert mail.text.startswith("This is a MIME-encapsulated message.")


def test_a_report_with_only_the_original_headers_names_the_original_message() -> None:
    raw = DSN.replace(b"Content-Type: message/rfc822", b"Content-Type: text/rfc822-headers")

    assert read(raw, envelope_sender="").bounced_message_ids == ("<notice-42@carrier.example>",)


def test_an_original_message_id_field_in_the_status_names_the_original_message() -> None:
    raw = DSN.replace(
        b"Action: failed", b"Action: failed\r\nOriginal-Message-ID: <notice-43@carrier.example>"
    )
    raw = raw.replace(b"Message-ID: <notice-42@carrier.example>\r\n", b"")

    assert read(raw, envelope_sender="").bounced_message_ids == ("<notice-43@carrier.example>",)


def test_a_mailer_daemon_message_with_a_delivery_status_part_is_a_bounce() -> None:
    raw = DSN.replace(b"multipart/report; report-type=delivery-status;", b"multipart/mixed;")

    assert read(raw, envelope_sender="MAILER-DAEMON@mx.example.com").is_bounce
    assert not read(raw, envelope_sender="jane.doe@example.com").is_bounce


def test_a_delivery_status_part_that_is_not_parsed_is_still_read() -> None:
    raw = DSN.replace(
        b"Content-Type: message/delivery-status",
        b"Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64",
    )
    mail = read(raw, envelope_sender="")

    assert mail.is_bounce
    assert mail.bounced_message_ids == ("<notice-42@carrier.example>",)


def test_a_delay_report_is_not_a_bounce() -> None:
    mail = read(DSN.replace(b"Action: failed", b"Action: delayed"), envelope_sender="")

    assert not mail.is_bounce
    assert mail.bounced_message_ids == ()
    assert "a delivery status report that reports no failure (delayed)" in mail.problems


def test_a_bounce_without_the_original_message_names_none() -> None:
    end = DSN.index(b"--RAA14128.773615765/mx.example.com\r\nContent-Type: message/rfc822")
    mail = read(DSN[:end] + b"--RAA14128.773615765/mx.example.com--\r\n", envelope_sender="")

    assert mail.is_bounce
    assert mail.bounced_message_ids == ()


# ---------------------------------------------------------------- nothing ever raises

SAMPLES = (REPLY, DSN, raw_part(nested(3, b"STOP")), raw_mail("Content-Type: text/html", body=b"<p>x</p>"))


def assert_well_formed(mail: InboundMail) -> None:
    assert len(mail.text) <= MAX_TEXT_CHARS
    assert mail.sender is None or mail.sender == mail.sender.lower()
    values = [
        mail.text,
        mail.display_name,
        mail.subject,
        mail.message_id or "",
        *mail.replied_to,
        *mail.bounced_message_ids,
        *mail.suspicious,
        *mail.problems,
    ]
    for value in values:
        value.encode("utf-8")  # no lone surrogates: every value can be stored
        assert "\x00" not in value
    route_inbound(mail, matches=[MailboxMatch(1, is_of_record=True)], replied_notice_account=None)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4_000), st.text(max_size=40))
def test_any_bytes_are_read_without_raising(raw: bytes, envelope_sender: str) -> None:
    assert_well_formed(read_inbound(raw, envelope_sender=envelope_sender))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(SAMPLES),
    st.lists(st.tuples(st.integers(0, 3_000), st.integers(0, 40), st.binary(max_size=12)), max_size=6),
)
def test_mutated_real_messages_are_read_without_raising(
    sample: bytes, edits: list[tuple[int, int, bytes]]
) -> None:
    raw = bytearray(sample)
    for position, length, replacement in edits:
        start = position % (len(raw) + 1)
        raw[start : start + length] = replacement

    assert_well_formed(read(bytes(raw)))
