"""The throwaway environment a benchmark runs in, and the production server it measures.

`manage.py bench` (the parent) makes a temp dir and picks a free loopback port, then runs the
measurements in a child process whose environment points Django at that dir: a scratch SQLite
file, its own STATIC_ROOT, production settings (DEBUG off, a generated SECRET_KEY) and the
sandbox on the bench server with its limits off. The child starts gunicorn with the same
environment. The parent removes the dir, and stops a server the child left behind, whatever
happened.
"""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
import httpx
import psycopg
from django.conf import settings
from django.urls import reverse

DATABASE_FILE = "bench.sqlite3"
STATIC_DIR = "static"
SERVER_PID_FILE = "gunicorn.pid"
SERVER_LOG_FILE = "gunicorn.log"
WORKERS = 4
# Secrets read from files would win over the generated ones; real CleverTap credentials would
# send the benchmark's requests to CleverTap: neither reaches the child.
_DROPPED = (
    "SECRET_KEY_FILE",
    "CLEVERTAP_PASSCODE_FILE",
    "SANDBOX_PASSCODE_FILE",
    "CLEVERTAP_API_HOST",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(directory: Path, *, port: int, database_url: str = "") -> dict[str, str]:
    """The child's and the server's environment: production settings on scratch resources (a
    SQLite file in `directory`, or the scratch database `database_url` names)."""
    env = {key: value for key, value in os.environ.items() if key not in _DROPPED}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url or f"sqlite:///{directory / DATABASE_FILE}",
        STATIC_ROOT=str(directory / STATIC_DIR),
        SANDBOX_ENABLED="true",
        SANDBOX_BASE_URL=f"http://127.0.0.1:{port}/sandbox",
        SANDBOX_MAX_CONCURRENT="0",
        SANDBOX_CREATE_PER_SECOND="0",
        CLEVERTAP_ACCOUNT_ID="",
        CLEVERTAP_PASSCODE="",
        # Plain HTTP on the loopback: Secure cookies would never be sent back.
        SECURE_COOKIES="false",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


@contextlib.contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A scratch database made on the PostgreSQL server `server_url` names (its user may create
    databases), as a URL; dropped afterwards, however the run ends."""
    server = dj_database_url.parse(server_url)
    name = f"campaign_studio_scratch_{secrets.token_hex(6)}"
    maintenance = dict(
        host=server["HOST"],
        port=server["PORT"] or 5432,
        user=server["USER"],
        password=server["PASSWORD"],
        dbname=server["NAME"] or "postgres",
        autocommit=True,
    )
    with psycopg.connect(**maintenance) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (
            f"postgres://{server['USER']}:{server['PASSWORD']}@{server['HOST']}:"
            f"{maintenance['port']}/{name}"
        )
    finally:
        with psycopg.connect(**maintenance) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def scratch_dir() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="campaign-studio-bench-"))
    try:
        yield directory
    finally:
        server_stop_leftover(directory)
        shutil.rmtree(directory, ignore_errors=True)


def manage_py() -> Path:
    return Path(settings.BASE_DIR) / "manage.py"


def manage(*args: str) -> list[str]:
    return [sys.executable, str(manage_py()), *args]


class Server:
    """gunicorn serving config.wsgi on the loopback, in its own process group."""

    def __init__(self, directory: Path, *, port: int, workers: int = WORKERS) -> None:
        self.directory = directory
        self.port = port
        self.workers = workers
        self.base_url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self, *, timeout: float = 60.0) -> None:
        log = (self.directory / SERVER_LOG_FILE).open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                # The default control socket is one path per user: another server owns it.
                "--no-control-socket",
            ],
            cwd=settings.BASE_DIR,
            env=os.environ.copy(),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        (self.directory / SERVER_PID_FILE).write_text(str(self.process.pid))
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        # Until ours listens, whatever answers on the port is another server (a lost race).
        listening = f"Listening at: {self.base_url}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log_tail()}")
            if listening not in self.log_tail(lines=50):
                time.sleep(0.2)
                continue
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.base_url}{reverse('health')}", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        path = self.directory / SERVER_LOG_FILE
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def worker_peak_rss(self) -> list[int]:
        """Each worker's peak resident memory so far, in bytes (Linux /proc)."""
        return [_peak_rss(pid) for pid in self._worker_pids()]

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the workers have used so far (Linux /proc)."""
        return sum(_cpu_seconds(pid) for pid in self._worker_pids())

    def _worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError):
            return [int(pid) for pid in path.read_text().split()]
        return []

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # SIGTERM: gunicorn finishes the requests in flight and stops its workers.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        (self.directory / SERVER_PID_FILE).unlink(missing_ok=True)


def child_run(
    command: list[str],
    directory: Path,
    *,
    port: int,
    out,
    wait_seconds: float,
    database_url: str = "",
) -> int:
    """Run a command's measuring child on the scratch environment, its output passed to `out`
    line by line; its exit status. Interrupted, the child (interrupted too) stops its server
    before the directory goes, within `wait_seconds`."""
    process = subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=environment(directory, port=port, database_url=database_url),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for line in process.stdout:
            out.write(line, ending="")
    finally:
        try:
            process.wait(timeout=wait_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def server_stop_leftover(directory: Path) -> None:
    """Stop the server a child left running (it was killed before it could stop it)."""
    path = directory / SERVER_PID_FILE
    with contextlib.suppress(OSError, ValueError):
        os.killpg(int(path.read_text()), signal.SIGKILL)


def _cpu_seconds(pid: int) -> float:
    with contextlib.suppress(OSError):
        # Fields after the command name: utime and stime are the 12th and 13th, in clock ticks.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def _peak_rss(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def run_measured(script: Path, *args: str) -> tuple[str, float, int]:
    """Run a Python script to its end in a process of its own: (its output, the wall seconds,
    its peak resident bytes)."""
    with tempfile.NamedTemporaryFile(suffix=".peak") as peak:
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-m", "devtools.bench.peak", peak.name, str(script), *args],
            cwd=settings.BASE_DIR,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        if completed.returncode != 0:
            raise RuntimeError(f"{script} {' '.join(args)} failed:\n{completed.stderr}")
        return completed.stdout, seconds, int(Path(peak.name).read_text() or 0)
