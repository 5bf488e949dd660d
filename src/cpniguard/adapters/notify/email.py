"""Email out by SMTP to the configured server (DESIGN.md invariant 5; 47 CFR 64.2010(f) notices)."""

from __future__ import annotations

import hashlib
import smtplib
from email.message import EmailMessage

from cpniguard.domain.outbox import DeliveryFailedError
from cpniguard.services.ports import ClaimedMessage

PERMANENT_SMTP_CODE = 500
"""SMTP replies from 500 up say that trying again will not help (RFC 5321 4.2.1)."""


def message_id(idempotency_key: str, sender: str) -> str:
    """The Message-ID of every attempt of one message: receivers drop a repeat that carries it."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
    domain = sender.rpartition("@")[2] or "cpniguard"
    return f"<{digest}@{domain}>"


class SmtpSender:
    """MessageSender for email: one SMTP session per message."""

    def __init__(  # noqa: PLR0913 - the settings of one SMTP server
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        timeout_seconds: float = 30,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._login = (username, password or "") if username else None
        self._timeout_seconds = timeout_seconds

    def compose(self, message: ClaimedMessage) -> EmailMessage:
        """The email for `message`, in the customer's language."""
        email = EmailMessage()
        email["From"] = self._sender
        email["To"] = message.recipient
        email["Subject"] = message.subject or ""
        email["Message-ID"] = message_id(message.idempotency_key, self._sender)
        email.set_content(message.body)
        email["Content-Language"] = str(message.language)  # after set_content, which resets Content-*
        return email

    def send(self, message: ClaimedMessage) -> str:
        """Hand the email to the SMTP server; return its Message-ID."""
        email = self.compose(message)
        try:
            self._submit(email)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            permanent = all(code >= PERMANENT_SMTP_CODE for code in codes)
            raise DeliveryFailedError(f"recipient refused: {codes}", permanent=permanent) from error
        except smtplib.SMTPResponseException as error:
            reason = f"SMTP {error.smtp_code}: {error.smtp_error!r}"
            raise DeliveryFailedError(reason, permanent=error.smtp_code >= PERMANENT_SMTP_CODE) from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryFailedError(f"SMTP server unreachable: {error}") from error
        return str(email["Message-ID"])

    def _submit(self, email: EmailMessage) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=self._timeout_seconds) as smtp:
            if self._login is not None:
                smtp.starttls()
                smtp.login(*self._login)
            smtp.send_message(email)
