"""The CleverTap request limiter, shared through the database by every thread and process.

CleverTap allows at most 3 requests in flight per account to the campaign endpoints and at most 3
creates per second. Several app servers and task workers share one database, so both limits are
kept as a few rows (slots) per account, each busy until a time. A slot is claimed with a
conditional UPDATE (... WHERE busy_until IS NULL OR busy_until <= now): one affected row is a claim
that no other process can also win, on SQLite (which serialises writers) and PostgreSQL (whose row
locks make a second UPDATE re-check the WHERE) alike.

A request holds its slot for a lease longer than any request, so that a process dying mid-request
loses its slot when the lease runs out, and frees it when it ends:

- in flight: the slot is free again at once;
- create rate: the slot stays busy for one window after the answer came back. Its request reached
  CleverTap before that answer, and the next create on the slot is sent after the window, so no
  window can see more creates arrive than there are slots.

The times compared are the app servers' clocks (`timezone.now()`), assumed to be kept in step by
NTP far more closely than the one-second window.
"""

import datetime
import random
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ApiSlotPool(models.TextChoices):
    IN_FLIGHT = "in_flight", "Requests in flight"
    CREATE_RATE = "create_rate", "Creates per window"


class ApiSlotQuerySet(models.QuerySet):
    def claim(self, *, account_id: str, pool: str, size: int, busy_seconds: float) -> str | None:
        """Claim a free slot, busy for `busy_seconds`: return its holder token, or None."""
        now = timezone.now()
        free = Q(busy_until__isnull=True) | Q(busy_until__lte=now)
        slots = self.filter(account_id=account_id, pool=pool, number__lt=size)
        numbers = list(slots.filter(free).values_list("number", flat=True))
        if not numbers and slots.count() < size:
            self.bulk_create(
                [ApiSlot(account_id=account_id, pool=pool, number=n) for n in range(size)],
                ignore_conflicts=True,
            )
            numbers = list(slots.filter(free).values_list("number", flat=True))
        random.shuffle(numbers)
        holder = uuid.uuid4().hex
        busy_until = now + datetime.timedelta(seconds=busy_seconds)
        for number in numbers:
            if slots.filter(free, number=number).update(holder=holder, busy_until=busy_until):
                return holder
        return None

    def release(self, *, holder: str, rest_seconds: float = 0.0) -> None:
        """Free the slot `holder` claimed, after `rest_seconds` from now.

        If the lease ran out, someone else may hold the slot now: it is theirs, and stays untouched.
        """
        busy_until = timezone.now() + datetime.timedelta(seconds=rest_seconds)
        self.filter(holder=holder).update(
            holder="", busy_until=busy_until if rest_seconds > 0 else None
        )


class ApiSlot(models.Model):
    """One of an account's slots for CleverTap requests, busy until `busy_until`."""

    account_id = models.CharField(max_length=100)
    pool = models.CharField(max_length=20, choices=ApiSlotPool.choices)
    number = models.PositiveSmallIntegerField()
    holder = models.CharField(max_length=32, blank=True, default="", db_index=True)
    busy_until = models.DateTimeField(null=True, blank=True)

    objects = ApiSlotQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account_id", "pool", "number"], name="api_slot_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.pool} {self.number}"
