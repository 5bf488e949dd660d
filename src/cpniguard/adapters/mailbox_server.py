"""The SMTP side of `cpniguard mailbox`: accepts email to the marketing addresses and stores it.

47 CFR 64.2008(d)(3)(ii): customers opt out by replying to a notice email, and the mailbox is a
free opt-out channel open around the clock (RULES.md 4.9). "250" is answered only once the
message is stored; when it cannot be, "451" makes the sending server try again, so no opt-out
is lost silently.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

logger = logging.getLogger(__name__)

Store = Callable[[bytes, str, str, str], int]
"""Keeps (raw message, envelope sender, recipients comma-separated, peer host); returns its key."""
OnStored = Callable[[int], None]
"""Told the key of each stored message (to wake the processor)."""

NO_SUCH_MAILBOX = "550 5.1.1 no such mailbox here"
TRY_AGAIN_LATER = "451 4.3.0 could not store the message; try again later"
NULL_SENDER = "<>"
"""How aiosmtpd records MAIL FROM:<> (bounces, RFC 5321 4.5.5)."""


def peer_host(peer: object) -> str:
    """The sending host of an aiosmtpd session's peer ((host, port, ...) for TCP)."""
    if isinstance(peer, tuple) and peer:
        return str(peer[0])
    return str(peer)


class MailboxHandler:
    """aiosmtpd handler: the marketing addresses only, each message stored before "250"."""

    def __init__(self, *, addresses: Sequence[str], store: Store, on_stored: OnStored | None = None) -> None:
        self._addresses = frozenset(address.strip().casefold() for address in addresses if address.strip())
        if not self._addresses:
            raise ValueError("the mailbox needs at least one address to accept email for")
        self._store = store
        self._on_stored = on_stored

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,  # noqa: ARG002
        session: Session,  # noqa: ARG002
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],  # noqa: ARG002
    ) -> str:
        """Accept a marketing address (any case), once per envelope; refuse every other one."""
        folded = address.casefold()
        if folded not in self._addresses:
            return NO_SUCH_MAILBOX
        if folded not in {accepted.casefold() for accepted in envelope.rcpt_tos}:
            envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802, ARG002
        """Store the message exactly as received in a worker thread; answer once it is stored."""
        sender = "" if envelope.mail_from in {None, NULL_SENDER} else str(envelope.mail_from)
        raw = envelope.original_content or b""
        peer, loop = peer_host(session.peer), asyncio.get_running_loop()
        try:
            message_id = await loop.run_in_executor(
                None, self._store, raw, sender, ",".join(envelope.rcpt_tos), peer
            )
        except Exception:
            # The sender address is personal data: the log names the sending host only.
            logger.exception("could not store an email from host %s; answered 451", peer)
            return TRY_AGAIN_LATER
        if self._on_stored is not None:
            await loop.run_in_executor(None, _tell_stored, self._on_stored, message_id)
        return f"250 2.0.0 stored as {message_id}"


def _tell_stored(on_stored: OnStored, message_id: int) -> None:
    try:
        on_stored(message_id)
    except Exception:
        # The message is stored: the processor's next pass finds it anyway.
        logger.exception("on_stored failed for mailbox message %s", message_id)


def start_mailbox(  # noqa: PLR0913 - the settings of one server, keyword-only
    *,
    host: str,
    port: int,
    addresses: Sequence[str],
    store: Store,
    on_stored: OnStored | None = None,
    data_size_limit: int,
) -> Controller:
    """Start the SMTP server on `host`:`port` and return it ready; the caller stops it.

    Messages over `data_size_limit` bytes get aiosmtpd's 552 and the server goes on. Content is
    kept as bytes (decode_data=False) so the stored message is exactly what was sent.
    """
    handler = MailboxHandler(addresses=addresses, store=store, on_stored=on_stored)
    controller = Controller(
        handler,
        hostname=host,
        port=port,
        data_size_limit=data_size_limit,
        decode_data=False,
        enable_SMTPUTF8=True,
    )
    controller.start()
    return controller
