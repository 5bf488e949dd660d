"""`cpniguard worker`: deliver the outbox (email, SMS, voice, letters), once or until stopped."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import typer

from cpniguard.cli.context import container, stdout
from cpniguard.worker import deliver_once, deliver_until_stopped

app = typer.Typer(help="Deliver the outbox.", add_completion=False)


@app.callback(invoke_without_command=True)
def worker(
    once: bool = typer.Option(False, "--once", help="Deliver what is due now, then exit."),
) -> None:
    """Deliver pending messages with retries and backoff; dead letters keep their reason.

    Without --once, runs until SIGINT or SIGTERM, finishing the message in hand first.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with container() as built:
        if once:
            run = deliver_once(built)
            stdout.print(f"sent {run.sent}, to retry {run.retried}, dead {run.dead}, left {run.skipped}")
            return
        stop = threading.Event()
        _stop_on_signals(stop)
        deliver_until_stopped(built, stop)


def _stop_on_signals(stop: threading.Event) -> None:
    def request_stop(_signal: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)


if __name__ == "__main__":
    app(prog_name="cpniguard worker")
