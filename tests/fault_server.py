"""A real HTTP server on 127.0.0.1 that answers with scripted faults and records what it saw.

It proves over real sockets what `httpx.MockTransport` can only imitate: read timeouts, answers
cut off, and how many requests the limiter lets in at once.
"""

import dataclasses
import http.server
import json
import threading
import time
from collections import deque
from typing import Any

SUCCESS = {"status": "success", "estimates": {"android": 10, "ios": 30}}
# The CleverTap account the `configured` fixture sets up (tests/conftest.py).
ACCOUNT_ID = "ACC-TEST-1"
PASSCODE = "Kx4-CONFIGURED-passcode-9052"


@dataclasses.dataclass(frozen=True)
class Answer:
    """What the server does with one request: wait `delay` seconds, then answer or hang up."""

    status: int = 200
    body: bytes | dict[str, Any] = dataclasses.field(default_factory=lambda: SUCCESS)
    delay: float = 0.0
    hang_up: bool = False


@dataclasses.dataclass(frozen=True)
class Seen:
    arrived_at: float  # time.monotonic() when the request had been read
    path: str
    headers: dict[str, str]
    body: bytes
    method: str


class FaultServer:
    def __init__(self) -> None:
        self.default = Answer()
        self.script: deque[Answer] = deque()
        self.seen: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, *answers: Answer) -> None:
        """Answer the next requests with these, then with `default`."""
        self.script.extend(answers)

    def start(self) -> "FaultServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _arrived(self, seen: Seen) -> Answer:
        with self._lock:
            self.seen.append(seen)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.script.popleft() if self.script else self.default

    def _left(self) -> None:
        with self._lock:
            self.in_flight -= 1


def _handler_for(server: FaultServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            answer = server._arrived(
                Seen(time.monotonic(), self.path, dict(self.headers.items()), body, self.command)
            )
            try:
                time.sleep(answer.delay)
                if answer.hang_up:
                    self.close_connection = True
                    return
                content = (
                    answer.body
                    if isinstance(answer.body, bytes)
                    else json.dumps(answer.body).encode()
                )
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
            except OSError:
                pass  # the client gave up first (its read timeout): nothing to answer
            finally:
                server._left()

        # The profile read is a GET; it is scripted like every other call.
        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
