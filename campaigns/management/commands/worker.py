"""The background task worker: django_tasks_db's `db_worker`, with identity sends that survive a
restart. Run as many as needed, on any machines sharing the database.

- Asked to stop (SIGTERM, SIGINT), it lets a running identity send finish the batch in flight and
  claim no more; the other batches wait for the next worker. A second signal stops at once, as
  db_worker does.
- At start, then every `--recovery-interval` seconds, it queues again the identity sends nobody
  works on any more: their worker stopped or died (`sends.sends_stalled_resume`).
"""

import functools
import logging
import threading
import time
from argparse import ArgumentParser, ArgumentTypeError
from types import FrameType
from typing import Any

from django.db import connections
from django_tasks_db.management.commands import db_worker

from campaigns.publishing import sends

logger = logging.getLogger(__name__)


class SendingWorker(db_worker.Worker):
    def __init__(self, *, recovery_interval: float, **options: Any) -> None:
        super().__init__(**options)
        self.recovery_interval = recovery_interval

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        sends.stop_between_batches.set()
        super().shutdown(signum, frame)

    def run(self) -> None:
        sends.stop_between_batches.clear()
        self.stalled_sends_resume()
        if not self.batch:
            threading.Thread(target=self.recovery_loop, name="send-recovery", daemon=True).start()
        super().run()

    def recovery_loop(self) -> None:
        while self.running:
            time.sleep(self.recovery_interval)
            self.stalled_sends_resume()
            # This thread's own connection, not held open between rounds.
            connections.close_all()

    def stalled_sends_resume(self) -> None:
        try:
            sends.sends_stalled_resume()
        except Exception:
            # Whatever went wrong (the database away for a moment...), the next round tries again.
            logger.exception("Could not look for stalled identity sends.")


def positive_seconds(value: str) -> float:
    seconds = db_worker.valid_interval(value)
    if not seconds:
        raise ArgumentTypeError("Must be greater than zero")
    return seconds


class Command(db_worker.Command):
    help = "Run the background task worker (identity sends stop between batches and resume)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--recovery-interval",
            default=5.0,
            type=positive_seconds,
            help="Seconds between two looks for stalled identity sends (default: %(default)r)",
        )

    def handle(self, *args: Any, recovery_interval: float, **options: Any) -> None:
        # db_worker's handle() builds its worker from the module's `Worker`: ours, for this call.
        plain_worker = db_worker.Worker
        db_worker.Worker = functools.partial(SendingWorker, recovery_interval=recovery_interval)
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = plain_worker
