"""Senders deliver to real servers: SMTP on loopback, an HTTP gateway, a print-queue folder."""

from __future__ import annotations

import io
import stat
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from tests.processes import free_port

from cpniguard.adapters.notify.email import SmtpSender, message_id
from cpniguard.adapters.notify.letters import PrintQueue, letter_file_name
from cpniguard.adapters.notify.sms import GatewaySender
from cpniguard.domain.accounts import Language
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.domain.outbox import DeliveryFailedError
from cpniguard.services.ports import ClaimedMessage

pytest_plugins = ["tests.outbox_servers"]
LEASED_UNTIL = datetime(2026, 11, 2, 15, 5, tzinfo=UTC)


def claimed(channel: NoticeChannel, recipient: str, **overrides: object) -> ClaimedMessage:
    values: dict[str, object] = {
        "message_id": 1,
        "idempotency_key": f"account_change:7:password:{channel}",
        "channel": channel,
        "recipient": recipient,
        "language": Language.EN,
        "subject": "Your password was changed",
        "body": "Your password was changed on 2 November 2026. Not you? Call 611.",
        "attempt": 1,
        "leased_until": LEASED_UNTIL,
    }
    values.update(overrides)
    return ClaimedMessage(**values)  # type: ignore[arg-type]


def smtp_sender(server, **options) -> SmtpSender:
    return SmtpSender(host=server.host, port=server.port, sender="cpni@carrier.example", **options)


def gateway_sender(server) -> GatewaySender:
    return GatewaySender(
        base_url=server.base_url,
        account_id="AC123",
        auth_token="gateway-token",
        sender_number="+15555550100",
        timeout_seconds=5,
    )


def test_an_email_reaches_the_smtp_server_with_its_idempotent_message_id(smtp_server):
    message = claimed(NoticeChannel.EMAIL, "ana@customer.example")
    reference = smtp_sender(smtp_server).send(message)
    [received] = smtp_server.inbox.messages
    assert received["To"] == "ana@customer.example"
    assert received["From"] == "cpni@carrier.example"
    assert received["Subject"] == "Your password was changed"
    assert received["Message-ID"] == reference == message_id(message.idempotency_key, "cpni@carrier.example")
    assert "Not you? Call 611." in received.get_payload(decode=True).decode()


def test_a_french_email_keeps_its_accents_and_says_its_language(smtp_server):
    message = claimed(
        NoticeChannel.EMAIL,
        "luc@client.example",
        language=Language.FR,
        subject="Votre mot de passe a été modifié",
        body="Signalez toute fraude au 611 ; l\u2019équipe vous répondra.",
    )
    smtp_sender(smtp_server).send(message)
    [received] = smtp_server.inbox.messages
    assert received["Content-Language"] == "fr"
    assert str(received["Subject"]) == "Votre mot de passe a été modifié"
    assert "l\u2019équipe" in received.get_payload(decode=True).decode()


def test_a_refused_mailbox_is_a_permanent_failure(smtp_server):
    smtp_server.inbox.refused.add("gone@customer.example")
    with pytest.raises(DeliveryFailedError) as failure:
        smtp_sender(smtp_server).send(claimed(NoticeChannel.EMAIL, "gone@customer.example"))
    assert failure.value.permanent
    assert "550" in failure.value.reason
    assert smtp_server.inbox.messages == []


def test_an_unreachable_smtp_server_is_a_failure_worth_retrying():
    sender = SmtpSender(host="127.0.0.1", port=free_port(), sender="cpni@carrier.example", timeout_seconds=2)
    with pytest.raises(DeliveryFailedError) as failure:
        sender.send(claimed(NoticeChannel.EMAIL, "ana@customer.example"))
    assert not failure.value.permanent


def test_an_sms_is_posted_to_the_gateway_with_the_idempotency_key(gateway):
    message = claimed(NoticeChannel.SMS, "+12025550143", subject=None)
    reference = gateway_sender(gateway).send(message)
    [request] = gateway.requests
    assert request.path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request.fields == {"To": "+12025550143", "From": "+15555550100", "Body": message.body}
    assert request.headers["idempotency-key"] == message.idempotency_key
    assert request.headers["authorization"].startswith("Basic ")
    assert reference.startswith("SM")


def test_a_voice_call_reads_the_text_in_the_customers_language(gateway):
    body = "Votre NIP a été modifié. Fraude <ici> & là : 611."
    message = claimed(NoticeChannel.VOICE, "+15145550143", language=Language.FR, body=body)
    gateway_sender(gateway).send(message)
    [request] = gateway.requests
    assert request.path == "/2010-04-01/Accounts/AC123/Calls.json"
    assert request.fields["To"] == "+15145550143"
    assert request.fields["Twiml"] == (
        '<Response><Say language="fr-CA">Votre NIP a été modifié. Fraude &lt;ici&gt; &amp; là : 611.'
        "</Say></Response>"
    )


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (404, True), (429, False), (503, False)])
def test_gateway_refusals_are_permanent_and_outages_are_retried(gateway, status, permanent):
    gateway.status = status
    with pytest.raises(DeliveryFailedError) as failure:
        gateway_sender(gateway).send(claimed(NoticeChannel.SMS, "+12025550143"))
    assert failure.value.permanent is permanent
    assert str(status) in failure.value.reason


def test_an_unreachable_gateway_is_a_failure_worth_retrying():
    sender = GatewaySender(
        base_url=f"http://127.0.0.1:{free_port()}",
        account_id="AC123",
        auth_token="t",
        sender_number="+15555550100",
        timeout_seconds=2,
    )
    with pytest.raises(DeliveryFailedError) as failure:
        sender.send(claimed(NoticeChannel.SMS, "+12025550143"))
    assert not failure.value.permanent


def test_the_gateway_refuses_to_carry_a_letter(gateway):
    with pytest.raises(DeliveryFailedError) as failure:
        gateway_sender(gateway).send(claimed(NoticeChannel.LETTER, "1 Main St"))
    assert failure.value.permanent
    assert gateway.requests == []


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_a_letter_is_a_private_pdf_in_the_print_queue_that_reads_back_as_text(tmp_path):
    queue = PrintQueue(tmp_path / "print-queue")
    message = claimed(
        NoticeChannel.LETTER,
        "Luc Tremblay, 12 rue des Érables, Burlington VT 05401",
        language=Language.FR,
        subject="Votre NIP a été modifié",
        body="Le 2 novembre 2026, votre NIP a été modifié. Fraude ? Appelez le 611 \u2013 œuvre.",
    )
    reference = queue.send(message)
    path = tmp_path / "print-queue" / reference
    assert reference == letter_file_name(message.idempotency_key)
    text = pdf_text(path)
    assert "12 rue des Érables" in text
    assert "Votre NIP a été modifié" in text
    assert "Fraude ? Appelez le 611 - oeuvre." in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_repeated_letter_replaces_its_own_file_instead_of_printing_twice(tmp_path):
    queue = PrintQueue(tmp_path)
    first = queue.send(claimed(NoticeChannel.LETTER, "1 Main St, Springfield IL 62701"))
    second = queue.send(claimed(NoticeChannel.LETTER, "1 Main St, Springfield IL 62701", attempt=2))
    assert first == second
    assert [p.name for p in tmp_path.iterdir()] == [first]


def test_a_print_queue_that_cannot_be_written_is_a_failure_worth_retrying(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(DeliveryFailedError) as failure:
        PrintQueue(blocker / "queue").send(claimed(NoticeChannel.LETTER, "1 Main St"))
    assert not failure.value.permanent
