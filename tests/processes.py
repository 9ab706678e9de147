"""Concurrency in tests: threads released together, and the task worker in or out of process."""

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from tests import sandbox_records


def in_threads(count: int, call: Callable[[int], Any]) -> list[Any]:
    """Run `call(i)` in `count` threads released together; their results or exceptions."""
    outcomes: list[Any] = [None] * count
    start = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            start.wait()
            outcomes[index] = call(index)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def database_url() -> str:
    """The test database, for another process (a file on SQLite, a server on PostgreSQL)."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}"
    )


def worker_environment() -> dict[str, str]:
    """The environment of a task worker in its own process: the test database, the sandbox."""
    return {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "SANDBOX_BASE_URL": settings.SANDBOX_BASE_URL,
        "SANDBOX_PASSCODE": sandbox_records.PASSCODE,
        "CLEVERTAP_ACCOUNT_ID": "",
        "CLEVERTAP_PASSCODE": "",
    }


def worker_run() -> None:
    """The real worker command, in this process: process the queue, then exit."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0
        )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def python_printed(script: str) -> str:
    """What `script` prints, run by a fresh Python in the project with the app's settings
    (DEBUG on): for what must not touch this test process (`config.wsgi` freezes the
    collector and connects its receiver)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = os.environ | {"DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()
