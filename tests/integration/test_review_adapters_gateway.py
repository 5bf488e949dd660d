"""A gateway that answers with something other than its JSON (a proxy's error page, an empty
body) still gives the worker a clear outcome (47 CFR 64.2010(f) notices must go out or be retried)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cpniguard.adapters.notify.sms import MAX_REASON_CHARACTERS, GatewaySender
from cpniguard.domain.accounts import Language
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.domain.outbox import DeliveryFailedError
from cpniguard.services.ports import ClaimedMessage

SMS = ClaimedMessage(
    1,
    "account_change:7:pin:sms",
    NoticeChannel.SMS,
    "+12025550143",
    Language.EN,
    None,
    "Your PIN was changed. Not you? Call 611.",
    1,
    datetime(2026, 11, 2, 15, 5, tzinfo=UTC),
)


@dataclass
class Answer:
    status: int = 200
    content_type: str = "text/html"
    body: bytes = b""


def _handler(answer: Answer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            del format, args

    return Handler


@pytest.fixture
def odd_gateway() -> Iterator[tuple[Answer, GatewaySender]]:
    """A local HTTP server whose answer each test sets."""
    answer = Answer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(answer))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sender = GatewaySender(
        base_url=f"http://127.0.0.1:{server.server_address[1]}",
        account_id="AC123",
        auth_token="gateway-token",
        sender_number="+15555550100",
        timeout_seconds=5,
    )
    yield answer, sender
    server.shutdown()
    server.server_close()


def test_a_proxy_error_page_is_retried_and_its_text_kept_short_in_the_reason(odd_gateway):
    answer, sender = odd_gateway
    answer.status, answer.body = 502, b"<html>" + b"Bad Gateway " * 100 + b"</html>"
    with pytest.raises(DeliveryFailedError) as failure:
        sender.send(SMS)
    assert not failure.value.permanent
    assert failure.value.reason.startswith("gateway answered 502: <html>Bad Gateway")
    assert len(failure.value.reason) == MAX_REASON_CHARACTERS


def test_a_refusal_whose_json_is_not_an_object_is_permanent_and_quotes_the_body(odd_gateway):
    answer, sender = odd_gateway
    answer.status, answer.content_type, answer.body = 400, "application/json", b'["no"]'
    with pytest.raises(DeliveryFailedError) as failure:
        sender.send(SMS)
    assert failure.value.permanent
    assert failure.value.reason == 'gateway answered 400: ["no"]'


def test_an_acceptance_without_a_sid_is_referenced_by_its_status(odd_gateway):
    answer, sender = odd_gateway
    answer.status, answer.body = 202, b"accepted"
    assert sender.send(SMS) == "HTTP 202"
