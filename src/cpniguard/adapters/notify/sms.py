"""SMS and voice calls through an HTTP gateway with a Twilio-style REST interface (issue 4).

Messages go to the telephone number of record (47 CFR 64.2010(f)); voice calls read the
text aloud in the customer's language.
"""

from __future__ import annotations

from http import HTTPStatus
from xml.sax.saxutils import escape

import httpx

from cpniguard.domain.accounts import Language
from cpniguard.domain.notifications import NoticeChannel
from cpniguard.domain.outbox import DeliveryFailedError
from cpniguard.services.ports import ClaimedMessage

API_VERSION = "2010-04-01"
VOICE_LANGUAGES = {Language.EN: "en-US", Language.FR: "fr-CA"}
IDEMPOTENCY_HEADER = "Idempotency-Key"
"""Carries the message's idempotency key, so the gateway drops a repeat after a crash."""
MAX_REASON_CHARACTERS = 300


def twiml(body: str, language: Language) -> str:
    """The call script: say `body` in `language`."""
    say = escape(body)
    return f'<Response><Say language="{VOICE_LANGUAGES[language]}">{say}</Say></Response>'


class GatewaySender:
    """MessageSender for SMS and voice: POSTs to Messages.json or Calls.json under the account."""

    def __init__(  # noqa: PLR0913 - the settings of one gateway account
        self,
        *,
        base_url: str,
        account_id: str,
        auth_token: str,
        sender_number: str,
        timeout_seconds: float = 30,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._root = f"{base_url.rstrip('/')}/{API_VERSION}/Accounts/{account_id}"
        self._auth = httpx.BasicAuth(account_id, auth_token)
        self._sender_number = sender_number
        self._timeout_seconds = timeout_seconds
        self._transport = transport

    def request(self, message: ClaimedMessage) -> tuple[str, dict[str, str]]:
        """The resource and the form fields that deliver `message`."""
        fields = {"To": message.recipient, "From": self._sender_number}
        if message.channel is NoticeChannel.VOICE:
            return f"{self._root}/Calls.json", fields | {"Twiml": twiml(message.body, message.language)}
        if message.channel is NoticeChannel.SMS:
            return f"{self._root}/Messages.json", fields | {"Body": message.body}
        raise DeliveryFailedError(f"the gateway does not carry {message.channel}", permanent=True)

    def send(self, message: ClaimedMessage) -> str:
        """Ask the gateway to deliver; return the gateway's sid for the message or call."""
        url, fields = self.request(message)
        headers = {IDEMPOTENCY_HEADER: message.idempotency_key}
        try:
            with httpx.Client(
                auth=self._auth, timeout=self._timeout_seconds, transport=self._transport
            ) as http:
                response = http.post(url, data=fields, headers=headers)
        except httpx.HTTPError as error:
            raise DeliveryFailedError(f"gateway unreachable: {error!r}"[:MAX_REASON_CHARACTERS]) from error
        return _reference(response)


def _reference(response: httpx.Response) -> str:
    if response.is_success:
        sid = _json_field(response, "sid")
        return sid or f"HTTP {response.status_code}"
    status = response.status_code
    reason = f"gateway answered {status}: {_json_field(response, 'message') or response.text}"
    # 429 and 5xx pass; any other refusal (a number the gateway rejects) will not change.
    transient = status == HTTPStatus.TOO_MANY_REQUESTS or status >= HTTPStatus.INTERNAL_SERVER_ERROR
    raise DeliveryFailedError(reason[:MAX_REASON_CHARACTERS], permanent=not transient)


def _json_field(response: httpx.Response, name: str) -> str | None:
    try:
        document = response.json()
    except ValueError:
        return None
    value = document.get(name) if isinstance(document, dict) else None
    return str(value) if value is not None else None
