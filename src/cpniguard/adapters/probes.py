"""Test opt-outs sent through the real channels, as a customer would (47 CFR 64.2009(f)).

The mailbox probe writes to the marketing mailbox over SMTP from the probe account's email of
record; the API probes post an opt-out for the probe account as the portal, a representative
or a mailed form would be entered. Each carries the probe's nonce so the monitor can find it
in the ledger.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import httpx

from cpniguard.domain.consent_events import ConsentSource
from cpniguard.services.opt_out_monitor import ProbeSendError, probe_reference

HTTP_CREATED = 201


class SmtpProbeSender:
    """Emails "STOP" to the marketing mailbox, as a customer opting out would."""

    def __init__(self, *, host: str, port: int, sender: str, mailbox: str, timeout_seconds: float) -> None:
        self._host, self._port, self._timeout = host, port, timeout_seconds
        self._sender, self._mailbox = sender, mailbox

    def send(self, nonce: str) -> None:
        """Hand the test opt-out to the mailbox; ProbeSendError when it does not take it."""
        email = EmailMessage()
        email["From"] = self._sender
        email["To"] = self._mailbox
        email["Subject"] = "STOP"
        email["Message-ID"] = make_msgid(idstring=probe_reference(nonce))
        email.set_content(f"Please opt me out. {probe_reference(nonce)}\n")
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as error:
            raise ProbeSendError(f"the marketing mailbox did not take the test opt-out: {error}") from error


class ApiProbeSender:
    """Posts a test opt-out for the probe account through the consent API."""

    def __init__(
        self, *, base_url: str, token: str, account_number: str, source: ConsentSource, timeout_seconds: float
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/api/v1/accounts/{account_number}/consent/events"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._source, self._timeout = source, timeout_seconds

    def send(self, nonce: str) -> None:
        """Record the test opt-out; ProbeSendError on any answer but 201 Created."""
        body = {
            "kind": "opted_out",
            "source": self._source.value,
            "evidence": f"opt-out probe through {self._source}",
            "reference": probe_reference(nonce),
        }
        try:
            answer = httpx.post(self._url, json=body, headers=self._headers, timeout=self._timeout)
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            # InvalidURL is no HTTPError: left to escape, a mistyped URL would end every round
            # before its incidents are opened (64.2009(f)).
            raise ProbeSendError(f"the consent API could not be reached: {error}") from error
        if answer.status_code != HTTP_CREATED:
            raise ProbeSendError(f"the consent API answered {answer.status_code}: {answer.text[:300]}")
