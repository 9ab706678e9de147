"""The background task worker: django_tasks_db's `db_worker`, with identity sends that survive a
restart. Run as many as needed, on any machines sharing the database.

- It writes a heartbeat to the database every WORKER_HEARTBEAT_SECONDS, from a thread of its own,
  as long as it runs (a batch in flight included); the batches it claims name it. A worker whose
  heartbeat stopped is dead, and another worker resumes what it was sending.
- Asked to stop (SIGTERM, SIGINT), it lets a running identity send finish the batch in flight and
  claim no more; the other batches wait for the next worker. A second signal stops at once, as
  db_worker does.
- At start, then every `--recovery-interval` seconds, it queues again the identity sends nobody
  works on any more: their worker stopped or died (`sends.sends_stalled_resume`); and it settles
  the publishes whose app server died before CleverTap's answer was stored
  (`followup.attempts_orphaned_settle`).
"""

import functools
import logging
import threading
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections
from django_tasks_db.management.commands import db_worker

from campaigns.publishing import followup, sends

logger = logging.getLogger(__name__)


class SendingWorker(db_worker.Worker):
    def __init__(self, *, recovery_interval: float, **options: Any) -> None:
        super().__init__(**options)
        self.recovery_interval = recovery_interval
        self.stopped = threading.Event()

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        sends.stop_between_batches.set()
        super().shutdown(signum, frame)

    def run(self) -> None:
        sends.stop_between_batches.clear()
        self.stopped.clear()
        sends.worker_register(worker_id=self.worker_id)
        heart = threading.Thread(target=self.heartbeat_loop, name="heartbeat", daemon=True)
        heart.start()
        try:
            self.recovery_round()
            if not self.batch:
                threading.Thread(
                    target=self.recovery_loop, name="send-recovery", daemon=True
                ).start()
            super().run()
        finally:
            self.stopped.set()
            heart.join()
            sends.worker_unregister(worker_id=self.worker_id)

    def heartbeat_loop(self) -> None:
        while not self.stopped.wait(settings.WORKER_HEARTBEAT_SECONDS):
            # This thread's own connection, kept between beats unless it broke or aged.
            close_old_connections()
            self.attempt("write the heartbeat", lambda: sends.worker_beat(worker_id=self.worker_id))
        connections.close_all()

    def recovery_loop(self) -> None:
        while not self.stopped.wait(self.recovery_interval):
            self.recovery_round()
            # This thread's own connection, not held open between rounds.
            connections.close_all()

    def recovery_round(self) -> None:
        self.attempt("look for stalled identity sends", sends.sends_stalled_resume)
        self.attempt("settle interrupted publishes", followup.attempts_orphaned_settle)
        self.attempt("forget long-dead workers", sends.workers_dead_forget)

    def attempt(self, what: str, action: Callable[[], Any]) -> None:
        try:
            action()
        except Exception:
            # Whatever went wrong (the database away for a moment...), the next round tries again.
            logger.exception("Could not %s.", what)


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
