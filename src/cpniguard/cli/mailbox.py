"""`cpniguard mailbox`: the marketing mailbox's SMTP server and its processing loop (64.2008(d)(3)).

Customers opt out by writing to the marketing address or replying to a notice email, free and
at any time. Each message is stored raw before the client is told "250"; the main thread then
processes what is stored. A pass that fails is logged and the loop goes on: a stored message is
tried again, so a crash loses nothing (`--once` processes what a dead server left).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

import typer
from rich.markup import escape

from cpniguard.adapters.mailbox_server import start_mailbox
from cpniguard.cli.context import EXIT_CONFIGURATION, container, stderr, stdout
from cpniguard.services.mailbox import MailboxRun, MailboxTerms, process_due_mail, store_mail

PASS_LIMIT = 100
"""Messages processed per call; a pass goes on while calls come back full."""

SMTP_LOGGER = "mail.log"
"""aiosmtpd's logger."""

logger = logging.getLogger(__name__)

app = typer.Typer(help="The marketing (opt-out) mailbox.", add_completion=False)


@app.callback(invoke_without_command=True)
def mailbox(
    host: str | None = typer.Option(None, "--host", help="Interface to listen on (default: settings)."),
    port: int | None = typer.Option(None, "--port", min=1, max=65535, help="SMTP port (default: settings)."),
    once: bool = typer.Option(False, "--once", help="Process the stored messages, then exit; no server."),
) -> None:
    """Accept email to the marketing address, store it, and record the opt-outs it holds.

    Without --once, serves until SIGINT or SIGTERM. Unknown senders, ambiguous text and
    spoofed-looking messages wait in the review queue for staff.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # aiosmtpd logs every SMTP command, customers' addresses included, at INFO.
    logging.getLogger(SMTP_LOGGER).setLevel(logging.WARNING)
    with container() as built:
        terms = built.mailbox_terms()
        if once:
            done = process_stored(terms)
            stdout.print(f"processed {done.processed}, to review {done.to_review}, failed {done.failed}")
            return
        consent = built.settings.consent
        _serve(
            terms,
            host=host or consent.mailbox_host,
            port=port or consent.mailbox_port,
            address=consent.opt_out_address,
            max_bytes=consent.mailbox_max_bytes,
        )


def process_stored(terms: MailboxTerms) -> MailboxRun:
    """Process every stored message that is due, a page at a time."""
    total = MailboxRun()
    while True:
        run = process_due_mail(terms, limit=PASS_LIMIT)
        total = MailboxRun(
            total.processed + run.processed, total.to_review + run.to_review, total.failed + run.failed
        )
        if run.processed + run.to_review + run.failed < PASS_LIMIT:
            return total


def _serve(terms: MailboxTerms, *, host: str, port: int, address: str, max_bytes: int) -> None:
    stop, wake = threading.Event(), threading.Event()
    try:
        controller = start_mailbox(
            host=host,
            port=port,
            addresses=[address],
            store=lambda raw, sender, recipients, peer: store_mail(
                terms, raw=raw, envelope_sender=sender, recipients=recipients, peer=peer
            ),
            on_stored=lambda _message_id: wake.set(),
            data_size_limit=max_bytes,
        )
    except OSError as error:
        stderr.print(
            f"[red]configuration error[/] cannot listen on {escape(host)}:{port}: {escape(str(error))}"
        )
        raise typer.Exit(EXIT_CONFIGURATION) from None
    stop_on_signals(stop, wake)
    stderr.print(f"listening on {escape(host)}:{port} for {escape(address)}")
    sys.stderr.flush()
    try:
        process_until_stopped(terms, stop, wake)
    finally:
        controller.stop()


def process_until_stopped(terms: MailboxTerms, stop: threading.Event, wake: threading.Event) -> None:
    """Process what is stored, then wait for a new message or the retry interval."""
    while not stop.is_set():
        # Cleared before the pass: a message stored during it wakes the next one at once.
        wake.clear()
        try:
            done = process_stored(terms)
        except Exception:
            logger.exception("processing the mailbox failed; the stored messages are tried again")
        else:
            if done.processed or done.to_review or done.failed:
                logger.info(
                    "mailbox: %d processed, %d to review, %d failed",
                    done.processed,
                    done.to_review,
                    done.failed,
                )
        wake.wait(terms.retry_seconds)


def stop_on_signals(*events: threading.Event) -> None:
    """Set every one of `events` on SIGTERM or SIGINT."""

    def request_stop(_signal: int, _frame: FrameType | None) -> None:
        for event in events:
            event.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)


if __name__ == "__main__":
    app(prog_name="cpniguard mailbox")
