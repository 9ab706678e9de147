"""CleverTap's request limits, as the sandbox enforces them: PER PROCESS.

- At most `SANDBOX_MAX_CONCURRENT` API requests in flight (default 3); one more answers HTTP 429.
- At most `SANDBOX_CREATE_PER_SECOND` calls to `targets/create.json` in any one-second window
  (default 3, estimates included, as CleverTap counts them); one more answers HTTP 429.

0 disables a limit. The counters live in this process's memory, guarded by a lock: a server with
several worker processes (gunicorn -w 4) allows that many times the limit. That is enough for a
sandbox; the app's own client limits itself across processes through the database.

The sandbox also records what it saw, whatever it answered, so that a test can check the client's
own limits from the other side: `in_flight.peak`, the most API requests it had at once (one
refused for the limit included); `create_rate.seen.peak`, the most `targets/create.json` calls
(estimates included) in any one-second window; and `creates_seen.peak`, the same for the calls
that create a campaign. `limits_reset` forgets them too.

Settings are read on every call, so tests can change them with pytest-django's `settings`.
"""

import collections
import threading
import time

from django.conf import settings

CREATE_WINDOW_SECONDS = 1.0


def monotonic() -> float:
    """The clock of the create window; tests replace it to step time deterministically."""
    return time.monotonic()


class InFlight:
    """Counts requests in flight; `enter` refuses one over the limit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._peak = 0

    def enter(self) -> bool:
        limit = settings.SANDBOX_MAX_CONCURRENT
        with self._lock:
            self._peak = max(self._peak, self._count + 1)
            if limit > 0 and self._count >= limit:
                return False
            self._count += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._count = max(0, self._count - 1)

    @property
    def count(self) -> int:
        return self._count

    @property
    def peak(self) -> int:
        """The most requests in flight at once, counting one that arrived over the limit."""
        return self._peak

    def reset(self) -> None:
        with self._lock:
            self._count = 0
            self._peak = 0


class WindowPeak:
    """The most arrivals seen in any one-second window (sliding), whatever they were answered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamps: collections.deque[float] = collections.deque()
        self._peak = 0

    def arrived(self) -> None:
        now = monotonic()
        with self._lock:
            while self._stamps and now - self._stamps[0] >= CREATE_WINDOW_SECONDS:
                self._stamps.popleft()
            self._stamps.append(now)
            self._peak = max(self._peak, len(self._stamps))

    @property
    def peak(self) -> int:
        return self._peak

    def reset(self) -> None:
        with self._lock:
            self._stamps.clear()
            self._peak = 0


class CreateRate:
    """A sliding one-second window of accepted creates; `allow` refuses one over the limit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamps: collections.deque[float] = collections.deque()
        # Every create call that came this far, refused or not.
        self.seen = WindowPeak()

    def allow(self) -> bool:
        self.seen.arrived()
        limit = settings.SANDBOX_CREATE_PER_SECOND
        if limit <= 0:
            return True
        now = monotonic()
        with self._lock:
            while self._stamps and now - self._stamps[0] >= CREATE_WINDOW_SECONDS:
                self._stamps.popleft()
            if len(self._stamps) >= limit:
                return False
            self._stamps.append(now)
            return True

    def reset(self) -> None:
        with self._lock:
            self._stamps.clear()
        self.seen.reset()


in_flight = InFlight()
create_rate = CreateRate()
creates_seen = WindowPeak()


def limits_reset() -> None:
    """Forget every request counted and seen so far (tests call it between tests)."""
    in_flight.reset()
    create_rate.reset()
    creates_seen.reset()
