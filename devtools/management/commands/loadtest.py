import argparse
import contextlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from devtools import load
from devtools.bench import scratch


class Command(BaseCommand):
    help = (
        "Play many people composing with live previews, autosaving one draft from two browsers, "
        "estimating and publishing, against gunicorn on a scratch database with the sandbox's "
        "faults on (loopback only); then check that no answer was a 500, no save was lost or "
        "silently overwritten, no campaign was created twice and every failed publish says why. "
        "Leaves nothing behind."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=50, help="Concurrent users (default 50).")
        parser.add_argument(
            "--seconds", type=float, default=60.0, help="How long they work (default 60)."
        )
        parser.add_argument(
            "--postgres",
            metavar="URL",
            default="",
            help=(
                "Run on PostgreSQL: a scratch database made on the server this URL names (its "
                "user may create databases), dropped afterwards. Default: a scratch SQLite file."
            ),
        )
        # The child process, run by this command on the scratch environment.
        parser.add_argument("--scratch", dest="scratch_dir", type=Path, help=argparse.SUPPRESS)
        parser.add_argument("--port", type=int, help=argparse.SUPPRESS)

    def handle(
        self,
        *args,
        users: int,
        seconds: float,
        postgres: str,
        scratch_dir: Path | None,
        port,
        **options,
    ):
        if not 1 <= users <= 500 or not 0 < seconds <= 3600:
            raise CommandError("Use 1 to 500 users and at most 3600 seconds.")
        if scratch_dir is not None:
            problems = load.load_run(scratch_dir, port=port, users=users, seconds=seconds)
            if problems:
                raise CommandError(f"{len(problems)} check(s) failed.", returncode=1)
            return
        database = scratch.postgres_database(postgres) if postgres else contextlib.nullcontext("")
        with scratch.scratch_dir() as directory, database as database_url:
            port = scratch.free_port()
            command = scratch.manage(
                "loadtest",
                f"--scratch={directory}",
                f"--port={port}",
                f"--users={users}",
                f"--seconds={seconds}",
            )
            status = scratch.child_run(
                command,
                directory,
                port=port,
                out=self.stdout,
                wait_seconds=seconds + 600,
                database_url=database_url,
            )
            if status != 0:
                raise CommandError(f"The load test failed (exit status {status}).")
