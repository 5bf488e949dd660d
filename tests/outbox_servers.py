"""Real servers the outbox delivers to in tests: SMTP (aiosmtpd) and a Twilio-style gateway."""

from __future__ import annotations

import email
import email.policy
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller

from tests.processes import free_port


class SmtpInbox:
    """An aiosmtpd handler keeping what arrives; refuses recipients in `refused` with 550."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802, ARG002
        if address in self.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ARG002
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@dataclass
class RunningSmtp:
    host: str
    port: int
    inbox: SmtpInbox


@pytest.fixture
def smtp_server() -> Iterator[RunningSmtp]:
    """A real SMTP server on loopback; the test reads what it received."""
    inbox = SmtpInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield RunningSmtp("127.0.0.1", port, inbox)
    controller.stop()


@dataclass
class GatewayRequest:
    path: str
    fields: dict[str, str]
    headers: dict[str, str]


@dataclass
class Gateway:
    """A Twilio-style gateway: records requests, drops repeats of an idempotency key."""

    requests: list[GatewayRequest] = field(default_factory=list)
    delivered: dict[str, GatewayRequest] = field(default_factory=dict)
    """What reached the handset or the phone, by idempotency key (each key once, as Twilio does)."""
    status: int = 201
    hold: threading.Event | None = None
    """When set, each request is recorded and then held until the event is set."""
    arrived: threading.Event = field(default_factory=threading.Event)
    base_url: str = ""

    def receive(self, request: GatewayRequest) -> tuple[int, dict[str, str]]:
        self.requests.append(request)
        self.arrived.set()
        if self.hold is not None:
            self.hold.wait(30)
        if self.status >= 300:
            return self.status, {"message": "The 'To' number is not a valid phone number."}
        key = request.headers.get("idempotency-key", "")
        self.delivered.setdefault(key, request)
        return self.status, {"sid": f"SM{len(self.delivered):032d}", "status": "queued"}


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            fields = {name: values[0] for name, values in form.items()}
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, answer = gateway.receive(GatewayRequest(self.path, fields, headers))
            body = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client is gone (killed mid-request)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            del format, args

    return Handler


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    """A local HTTP server answering like an SMS and voice gateway."""
    state = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    if state.hold is not None:
        state.hold.set()
    server.shutdown()
    server.server_close()
