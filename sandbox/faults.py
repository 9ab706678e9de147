"""The fault switch: latency, server errors, dropped connections and malformed answers on demand.

The configuration is one `SandboxFaults` row, edited on the sandbox page, with
`manage.py sandbox_faults`, or in tests with `faults_configure(...)` / `faults_reset()`.

Each API request draws one number from a per-process `random.Random` seeded with the row's `seed`
(drawn again from the start whenever the row is saved): below `error_rate` it is answered with a
500 or 503, then below `error_rate + drop_rate` its connection is closed without an answer, then
below `error_rate + drop_rate + malformed_rate` it is answered HTTP 200 with a body that is not
JSON. `latency_ms` is added to every request first, while it holds its in-flight slot.

Dropping: Django cannot refuse to answer, so the sandbox shuts the client's socket down itself
(found through gunicorn's `gunicorn.socket`, or under runserver and the test server through
`wsgi.input`); an httpx client then sees `RemoteProtocolError: Server disconnected without sending
a response`. When no socket can be found (another server, e.g. ASGI), the nearest thing is sent
instead: an HTTP 200 answer with an empty body (WSGI forbids setting `Connection` itself).
"""

import dataclasses
import logging
import random
import socket
import threading
from typing import Any

from django.core.exceptions import ValidationError

from sandbox.models import SandboxFaults

logger = logging.getLogger(__name__)

FAULT_ERROR = "error"
FAULT_DROP = "drop"
FAULT_MALFORMED = "malformed"
FAULT_LATENCY = "latency"

ERROR_SHARES_OVER_ONE = "error_rate, drop_rate and malformed_rate together cannot exceed 1."
# What a malformed answer looks like: a JSON answer cut short, served as JSON with HTTP 200.
MALFORMED_BODY = '{"status": "success", "estimates": {"android": 1'
SERVER_ERRORS = {500: "Internal server error", 503: "Service temporarily unavailable"}


@dataclasses.dataclass(frozen=True)
class Draw:
    """What to do to one request: wait `latency_ms`, then `fault` ("" for none)."""

    latency_ms: int
    fault: str = ""
    error_status: int = 0


def faults_get() -> SandboxFaults:
    faults, _ = SandboxFaults.objects.get_or_create(pk=SandboxFaults.SINGLETON_ID)
    return faults


def faults_configure(
    *,
    latency_ms: int | None = None,
    error_rate: float | None = None,
    error_status: int | None = None,
    drop_rate: float | None = None,
    malformed_rate: float | None = None,
    seed: int | None = None,
) -> SandboxFaults:
    """Change the given settings (the others stay); raises ValidationError on bad values."""
    faults = faults_get()
    changes: dict[str, Any] = {
        "latency_ms": latency_ms,
        "error_rate": error_rate,
        "error_status": error_status,
        "drop_rate": drop_rate,
        "malformed_rate": malformed_rate,
        "seed": seed,
    }
    for name, value in changes.items():
        if value is not None:
            setattr(faults, name, value)
    faults_validate(faults)
    faults.save()
    return faults


def faults_reset() -> SandboxFaults:
    """No faults at all."""
    return faults_configure(
        latency_ms=0, error_rate=0.0, error_status=0, drop_rate=0.0, malformed_rate=0.0, seed=0
    )


def faults_validate(faults: SandboxFaults) -> None:
    faults.full_clean()
    if faults.error_rate + faults.drop_rate + faults.malformed_rate > 1.0 + 1e-9:
        raise ValidationError(ERROR_SHARES_OVER_ONE)


class _Dice:
    """The per-process draw, started again from the seed whenever the configuration changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._rng = random.Random(0)

    def draw(self, faults: SandboxFaults) -> tuple[float, float]:
        key = (faults.seed, faults.updated_at)
        with self._lock:
            if key != self._key:
                self._key = key
                self._rng = random.Random(faults.seed)
            return self._rng.random(), self._rng.random()


_dice = _Dice()


def fault_draw(*, faults: SandboxFaults) -> Draw:
    """Decide what happens to one request."""
    if not faults.active:
        return Draw(latency_ms=0)
    which, status_coin = _dice.draw(faults)
    if which < faults.error_rate:
        status = faults.error_status or (503 if status_coin < 0.5 else 500)
        return Draw(latency_ms=faults.latency_ms, fault=FAULT_ERROR, error_status=status)
    if which < faults.error_rate + faults.drop_rate:
        return Draw(latency_ms=faults.latency_ms, fault=FAULT_DROP)
    if which < faults.error_rate + faults.drop_rate + faults.malformed_rate:
        return Draw(latency_ms=faults.latency_ms, fault=FAULT_MALFORMED)
    return Draw(latency_ms=faults.latency_ms)


def client_socket(meta: dict[str, Any]) -> socket.socket | None:
    """The socket of the client's connection, when the server lets it be found."""
    return _client_socket(meta)


def connection_drop(sock: socket.socket) -> None:
    """Shut the client's connection down: it gets no answer at all."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        logger.debug("The client's socket was already closed")


def _client_socket(meta: dict[str, Any]) -> socket.socket | None:
    found = meta.get("gunicorn.socket")
    if isinstance(found, socket.socket):
        return found
    # runserver / LiveServerThread: LimitedStream -> BufferedReader -> SocketIO -> socket.
    stream: Any = meta.get("wsgi.input")
    for _ in range(5):
        if stream is None or isinstance(stream, socket.socket):
            return stream
        inner = getattr(stream, "_sock", None) or getattr(stream, "raw", None)
        if inner is None:
            inner = getattr(getattr(stream, "_read", None), "__self__", None)
        stream = inner
    return None
