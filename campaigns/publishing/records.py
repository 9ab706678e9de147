"""What publishing writes down, whatever the operation: every CleverTap call as an `ApiCall` (the
client's redacted record, answer and outcome), and a campaign's move to published.

Writes made while a task worker and app servers share one SQLite file may meet another
connection's lock; they are retried (`retrying_when_locked`).
"""

import datetime
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from campaigns import audit, clevertap, models


def api_call(
    call: Callable[[], clevertap.CleverTapResult],
    *,
    campaign: models.Campaign | None,
    user=None,
    attempt: models.PublishAttempt | None = None,
    batch: models.SendBatch | None = None,
    estimate: models.Estimate | None = None,
) -> clevertap.CleverTapResult:
    """Make one CleverTap call and store it as an ApiCall, whatever its outcome, and in the audit
    log (an identity send's batches are audited once per send, by `sends`)."""
    links = {
        "campaign": campaign,
        "user": user,
        "attempt": attempt,
        "batch": batch,
        "estimate": estimate,
    }
    try:
        result = call()
    except clevertap.CleverTapError as error:
        stored = _api_call_store(
            request=error.request,
            operation=error.operation,
            response=error.data,
            http_status=error.http_status,
            duration_ms=error.duration_ms,
            attempts=error.attempts,
            outcome=(
                models.CallOutcome.UNKNOWN if error.outcome_unknown else models.CallOutcome.FAILED
            ),
            error_kind=error.kind,
            error=str(error),
            **links,
        )
        _api_call_audited(stored, user=user)
        raise
    stored = _api_call_store(
        request=result.request,
        operation=result.operation,
        response=result.data,
        http_status=result.http_status,
        duration_ms=result.duration_ms,
        attempts=result.attempts,
        outcome=models.CallOutcome.SUCCEEDED,
        **links,
    )
    _api_call_audited(stored, user=user)
    return result


def _api_call_audited(call: models.ApiCall, *, user) -> None:
    if call.batch_id is None:
        retrying_when_locked(lambda: audit.call_record(call=call, actor=user))


def _api_call_store(
    *,
    request: clevertap.RequestRecord | None,
    operation: str,
    response: Any,
    http_status: int | None,
    duration_ms: int,
    attempts: int,
    outcome: str,
    error_kind: str = "",
    error: str = "",
    **links: Any,
) -> models.ApiCall:
    # The client scrubbed the passcode from the record, the answer and the error already.
    record = request.as_dict() if request is not None else {}
    url = record.get("url", "")
    endpoint = url.split("/1/", 1)[1] if "/1/" in url else ""
    return retrying_when_locked(
        lambda: models.ApiCall.objects.create(
            operation=operation,
            endpoint=endpoint,
            request=record,
            response=response,
            http_status=http_status,
            duration_ms=duration_ms,
            attempts=attempts,
            outcome=outcome,
            error_kind=error_kind,
            error=error,
            **links,
        )
    )


def retrying_when_locked[T](write: Callable[[], T]) -> T:
    """Run a write again while SQLite reports another connection's lock.

    A file database waits for its busy timeout first; the tests' shared-cache memory database
    fails at once. PostgreSQL never raises this.
    """
    deadline = time.monotonic() + 20.0
    while True:
        try:
            return write()
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(0.02)


def stale(moment: datetime.datetime | None) -> bool:
    """Older than any CleverTap call can last: whoever was working on it has stopped."""
    return moment is None or (timezone.now() - moment).total_seconds() >= call_seconds_longest()


def call_seconds_longest() -> float:
    """The longest one CleverTap call can last, as the client's settings bound it.

    Each try waits for an in-flight slot and, for a create, a rate slot (the limiter's wait each),
    then takes a pooled connection, connects, writes and reads the answer (a timeout each); tries
    are spaced by at most the longest backoff.
    """
    tries = max(1, settings.CLEVERTAP_MAX_ATTEMPTS)
    slots = 2 * settings.CLEVERTAP_LIMIT_WAIT_SECONDS
    exchange = 2 * settings.CLEVERTAP_CONNECT_TIMEOUT + 2 * settings.CLEVERTAP_READ_TIMEOUT
    return tries * (slots + exchange) + (tries - 1) * settings.CLEVERTAP_RETRY_MAX_DELAY


def campaign_mark_published(attempt: models.PublishAttempt) -> None:
    """The campaign is published (a create succeeded, or a batch was sent), in the audit log."""
    before = models.Campaign.objects.filter(pk=attempt.campaign_id).values_list("status").first()
    updated = retrying_when_locked(
        lambda: models.Campaign.objects.filter(
            pk=attempt.campaign_id, status__in=models.Campaign.PUBLISHABLE
        ).update(status=models.Status.PUBLISHED, updated_at=timezone.now())
    )
    if updated:
        retrying_when_locked(
            lambda: audit.status_change_record(
                campaign_id=attempt.campaign_id,
                user=attempt.user,
                action=models.AuditAction.PUBLISHED,
                before=before[0] if before else "",
                after=models.Status.PUBLISHED,
                attempt=attempt.pk,
                clevertap_id=attempt.clevertap_id,
            )
        )
