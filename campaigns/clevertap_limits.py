"""CleverTap's per-account request limits, kept for the client (`campaigns.clevertap`).

Every request holds one of the account's in-flight slots while it runs; a request that CleverTap
counts as a create also holds a create-rate slot, busy for a window after the answer. The slots are
rows in the database (`campaigns.models.api` says how they are claimed), so every thread and
process shares them. A request that cannot get its slots within the configured wait is not sent:
`SlotsBusy` says so, and the client turns it into its own error.

Use these outside `transaction.atomic()`: a claimed row must be visible to other processes at once.
"""

import contextlib
import logging
import random
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import DatabaseError, OperationalError

from campaigns import models

logger = logging.getLogger(__name__)


class SlotsBusy(Exception):
    """No slot came free within CLEVERTAP_LIMIT_WAIT_SECONDS: the request was not sent."""


@contextlib.contextmanager
def request_slots(
    *, account_id: str, counts_as_create: bool, wait_seconds: float | None = None
) -> Iterator[None]:
    """The slots one request holds while the block runs: one in flight, and when CleverTap
    counts the call as a create, one of the creates the account may send per window.

    `wait_seconds`: how long to wait for them (the configured wait when None; 0 for a request
    that is not worth queueing, such as a reach refreshed while typing)."""
    wait = settings.CLEVERTAP_LIMIT_WAIT_SECONDS if wait_seconds is None else wait_seconds
    with contextlib.ExitStack() as held:
        held.enter_context(_in_flight_slot(account_id=account_id, wait=wait))
        if counts_as_create:
            held.enter_context(_create_rate_slot(account_id=account_id, wait=wait))
        yield


def _in_flight_slot(*, account_id: str, wait: float) -> contextlib.AbstractContextManager[None]:
    """One of the requests the account may have in flight, held while the block runs."""
    return _slot(
        account_id=account_id,
        pool=models.ApiSlotPool.IN_FLIGHT,
        size=settings.CLEVERTAP_MAX_IN_FLIGHT,
        wait=wait,
    )


def _create_rate_slot(*, account_id: str, wait: float) -> contextlib.AbstractContextManager[None]:
    """One of the creates the account may send per window, busy for a window after the block."""
    return _slot(
        account_id=account_id,
        pool=models.ApiSlotPool.CREATE_RATE,
        size=settings.CLEVERTAP_CREATES_PER_WINDOW,
        rest_seconds=settings.CLEVERTAP_CREATE_WINDOW_SECONDS,
        wait=wait,
    )


@contextlib.contextmanager
def _slot(
    *, account_id: str, pool: str, size: int, wait: float, rest_seconds: float = 0.0
) -> Iterator[None]:
    lease = settings.CLEVERTAP_SLOT_LEASE_SECONDS
    holder = _wait_for(
        lambda: models.ApiSlot.objects.claim(
            account_id=account_id, pool=pool, size=size, busy_seconds=lease
        ),
        wait=wait,
    )
    try:
        yield
    finally:
        _slot_release(holder=holder, rest_seconds=rest_seconds)


def _slot_release(*, holder: str, rest_seconds: float) -> None:
    for _ in range(20):
        try:
            models.ApiSlot.objects.release(holder=holder, rest_seconds=rest_seconds)
            return
        except DatabaseError as exc:
            if not _database_busy(exc):
                logger.exception("Could not free a CleverTap slot: its lease will run out")
                return
        time.sleep(_poll_seconds())
    logger.error("Could not free a CleverTap slot: its lease will run out")


def _wait_for[T](claim: Callable[[], T], *, wait: float) -> T:
    """Call `claim` until it returns something truthy, polling for up to `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            claimed = claim()
        except DatabaseError as exc:
            if not _database_busy(exc):
                raise
            claimed = None
        if claimed:
            return claimed
        if time.monotonic() >= deadline:
            raise SlotsBusy
        time.sleep(_poll_seconds())


def _poll_seconds() -> float:
    return settings.CLEVERTAP_LIMIT_POLL_SECONDS * random.uniform(0.5, 1.5)


def _database_busy(exc: DatabaseError) -> bool:
    """Whether SQLite refused for another connection's lock: it then fails instead of waiting
    (always so for the shared-cache memory database of the tests). Worth another try."""
    return isinstance(exc, OperationalError) and "locked" in str(exc)
