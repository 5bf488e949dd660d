"""Email out by SMTP to the configured server (DESIGN.md invariant 5; 47 CFR 64.2010(f) notices)."""

from __future__ import annotations

import hashlib
import smtplib
from email.message import EmailMessage
from email.policy import EmailPolicy
from typing import AnyStr

from cpniguard.domain.outbox import DeliveryFailedError
from cpniguard.services.ports import ClaimedMessage

PERMANENT_SMTP_CODE = 500
"""SMTP replies from 500 up say that trying again will not help (RFC 5321 4.2.1)."""

MAX_LINE_OCTETS = 998
"""No header line may be longer, CRLF excluded (RFC 5322 2.1.1)."""


def without_fold_after_name(folded: AnyStr, name_and_colon: AnyStr, linesep: AnyStr) -> AnyStr:
    """`folded` with a fold right after the header's name undone (RFC 5322 2.2.3 unfolding).

    The standard folder moves a value that fits on a line of its own, but not after the
    name (a Subject of 70 to 77 characters), to a continuation line: "Subject:" CRLF SP
    value. That is valid, yet the parser of Python 3.11 (gh-124452, fixed only in later
    releases) and others read the value back with a leading space. Removing that CRLF
    gives the same header.
    """
    fold = name_and_colon + linesep
    rest = folded[len(fold) :]
    first_line = rest.split(linesep, 1)[0]
    is_fold = folded.startswith(fold) and rest[:1].isspace()
    if not is_fold or len(name_and_colon) + len(first_line) > MAX_LINE_OCTETS:
        return folded
    return name_and_colon + rest


class SmtpPolicy(EmailPolicy):
    """`email.policy.SMTP`, except that no header is folded right after its name."""

    def fold(self, name: str, value: str) -> str:
        """The header as folded text, for `str` generators."""
        folded: str = super().fold(name, value)
        return without_fold_after_name(folded, f"{name}:", self.linesep)

    def fold_binary(self, name: str, value: str) -> bytes:
        """The header as folded bytes, as smtplib sends it."""
        folded = super().fold_binary(name, value)
        return without_fold_after_name(folded, f"{name}:".encode("ascii"), self.linesep.encode("ascii"))


SMTP_POLICY = SmtpPolicy(linesep="\r\n")


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
        email = EmailMessage(policy=SMTP_POLICY)
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
