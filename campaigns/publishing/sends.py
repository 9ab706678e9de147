"""Identity sends, in the background: batches of at most 1000 identities, recorded with the attempt
and sent one after another by the task worker (`send_batches`).

A batch is claimed by one conditional UPDATE before it is sent, so no batch is ever sent twice by
two workers or after a restart; a batch whose answer was lost is "unknown" and only a person can
send it again. Workers queue again the sends whose worker stopped or died (`sends_stalled_resume`).
"""

import datetime
import functools
import logging
import threading
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.tasks import TaskResult, TaskResultStatus, task
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from campaigns import audit, clevertap, models, publishing, roles
from campaigns.publishing import records

logger = logging.getLogger(__name__)

# Messages people see.
BATCH_NOT_RETRYABLE = "Only a failed batch can be sent again; batch {number} is {state}."
BATCH_UNKNOWN_CONFIRM = (
    "Batch {number} may already have been delivered (its answer was lost): confirm that it "
    "should be sent again."
)
BATCH_RETRY_BLOCKED = (
    "The campaign was published again since this send: its batches can no longer be retried."
)
BATCH_QUEUED = "Batch {number} will be sent again."
RESUME_NOTHING = "Nothing is waiting to be sent."
RESUMED = "Sending resumes: {count} batch{plural} waiting."
BATCHES_FAILED = "{failed} of {total} batches failed: retry them one by one below."
BATCHES_UNKNOWN = (
    "{unknown} of {total} batches have an unknown outcome (their answer was lost, or the worker "
    "stopped while sending them): they are not sent again unless you ask."
)
BATCH_LEFT_SENDING = (
    "The worker stopped while sending this batch, so it may or may not have been delivered."
)

# Set by the worker when it is asked to stop (`manage.py worker`): the running send finishes the
# batch in flight and claims no more; the rest wait for the next worker.
stop_between_batches = threading.Event()

_DONE_STATES = (models.BatchState.SENT, models.BatchState.FAILED, models.BatchState.UNKNOWN)
_BUSY_STATES = (models.BatchState.PENDING, models.BatchState.SENDING)


@task()
def send_batches(attempt_id: int) -> None:
    """The background task: send the waiting batches of an identity send."""
    attempt = models.PublishAttempt.objects.select_related("campaign", "user").get(pk=attempt_id)
    send_attempt_run(attempt=attempt)


def send_enqueue(*, attempt_id: int) -> None:
    """Queue the sending of an attempt's batches (call it in `transaction.on_commit`)."""
    result = send_batches.enqueue(attempt_id)
    models.PublishAttempt.objects.filter(pk=attempt_id).update(task_id=str(result.id))


def send_attempt_run(*, attempt: models.PublishAttempt) -> models.PublishAttempt:
    """Send every waiting batch of an identity send, one claim at a time, then settle the attempt.

    Safe to run twice at once or again after a crash: a batch is sent only by the run that
    claimed it, and a batch left "sending" by a run that died becomes unknown, never resent.
    Stops between batches once `stop_between_batches` is set.
    """
    records.retrying_when_locked(lambda: _stale_batches_unknown(attempt))
    records.retrying_when_locked(
        lambda: models.PublishAttempt.objects.filter(
            pk=attempt.pk, state=models.AttemptState.PENDING
        ).update(state=models.AttemptState.SENT, updated_at=timezone.now())
    )
    _send_summary_record(attempt, stage="resumed")
    while (
        not stop_between_batches.is_set()
        and (batch := records.retrying_when_locked(lambda: _batch_claim(attempt))) is not None
    ):
        _batch_send(attempt, batch)
    return records.retrying_when_locked(lambda: _attempt_settle(attempt))


def _stale_batches_unknown(attempt: models.PublishAttempt) -> int:
    stale_after = settings.SEND_BATCH_STALE_SECONDS
    before = timezone.now() - datetime.timedelta(seconds=stale_after)
    return models.SendBatch.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lte=before),
        attempt=attempt,
        state=models.BatchState.SENDING,
    ).update(state=models.BatchState.UNKNOWN, error=BATCH_LEFT_SENDING, finished_at=timezone.now())


def _batch_claim(attempt: models.PublishAttempt) -> models.SendBatch | None:
    waiting = models.SendBatch.objects.filter(attempt=attempt, state=models.BatchState.PENDING)
    for pk in waiting.order_by("number").values_list("pk", flat=True)[:20]:
        claimed = models.SendBatch.objects.filter(pk=pk, state=models.BatchState.PENDING).update(
            state=models.BatchState.SENDING, claimed_at=timezone.now(), sends=F("sends") + 1
        )
        if claimed:
            return models.SendBatch.objects.get(pk=pk)
    return None


def _batch_send(attempt: models.PublishAttempt, batch: models.SendBatch) -> None:
    body = {**attempt.body, "to": batch.to}
    try:
        result = records.api_call(
            lambda: clevertap.send(channel=attempt.channel, body=body),
            campaign=attempt.campaign,
            user=attempt.user,
            attempt=attempt,
            batch=batch,
        )
    except clevertap.CleverTapError as error:
        batch.state = (
            models.BatchState.UNKNOWN if error.outcome_unknown else models.BatchState.FAILED
        )
        batch.error = str(error)
        batch.response = error.data
    else:
        batch.state = models.BatchState.SENT
        batch.error = ""
        batch.response = result.data
    batch.finished_at = timezone.now()
    records.retrying_when_locked(
        lambda: batch.save(update_fields=["state", "error", "response", "finished_at"])
    )
    if batch.state == models.BatchState.SENT:
        records.campaign_mark_published(attempt)


def _attempt_settle(attempt: models.PublishAttempt) -> models.PublishAttempt:
    """The attempt's state from its batches' states."""
    attempt.refresh_from_db()
    counts = dict(
        models.SendBatch.objects.filter(attempt=attempt)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    total = sum(counts.values())
    sent = counts.get(models.BatchState.SENT, 0)
    failed = counts.get(models.BatchState.FAILED, 0)
    unknown = counts.get(models.BatchState.UNKNOWN, 0)
    busy = counts.get(models.BatchState.PENDING, 0) + counts.get(models.BatchState.SENDING, 0)
    if busy:
        return attempt
    # Settled once: a settled attempt settled again (a resume with nothing waiting) is not news.
    settling = attempt.state in (models.AttemptState.PENDING, models.AttemptState.SENT)
    errors = []
    if failed:
        errors.append(BATCHES_FAILED.format(failed=failed, total=total))
    if unknown:
        errors.append(BATCHES_UNKNOWN.format(unknown=unknown, total=total))
    attempt.error = " ".join(errors)
    attempt.finished_at = timezone.now()
    if sent == total:
        attempt.state = models.AttemptState.SUCCEEDED
    elif unknown:
        attempt.state = models.AttemptState.UNKNOWN
    else:
        attempt.state = models.AttemptState.FAILED
        # Nothing reached anyone: the draft may be published again (and these batches not).
        attempt.live = sent > 0
    attempt.save(update_fields=["state", "error", "finished_at", "live", "updated_at"])
    if settling:
        _send_summary_record(attempt, stage="settled")
    return attempt


def _send_summary_record(attempt: models.PublishAttempt, *, stage: str) -> None:
    """The send so far in the audit log, when it settles or resumes: one event per send, where
    its batches' calls are not audited one by one. A run that starts with no batch done yet is
    the send's start, not a resumption."""
    progress = send_progress(attempt=attempt)
    if stage == "resumed" and not progress["done"]:
        return
    records.retrying_when_locked(
        lambda: audit.send_summary_record(
            attempt=attempt,
            stage=stage,
            batches=progress["batches"],
            identities=progress["identities"],
        )
    )


def send_progress(*, attempt: models.PublishAttempt) -> dict[str, Any]:
    """Batches and identities per state, for the progress bar."""
    rows = (
        models.SendBatch.objects.filter(attempt=attempt)
        .values("state")
        .annotate(batches=Count("pk"), identities=Sum("identities"))
    )
    batches = {row["state"]: row["batches"] for row in rows}
    people = {row["state"]: row["identities"] or 0 for row in rows}
    total = sum(batches.values())
    done = sum(batches.get(state, 0) for state in _DONE_STATES)
    last = models.SendBatch.objects.filter(attempt=attempt).aggregate(
        claimed=Max("claimed_at"), finished=Max("finished_at")
    )
    moments = [m for m in (last["claimed"], last["finished"], attempt.created_at) if m]
    busy = batches.get(models.BatchState.PENDING, 0) + batches.get(models.BatchState.SENDING, 0)
    return {
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else 100,
        "batches": batches,
        "identities": people,
        "identities_total": sum(people.values()),
        "identities_sent": people.get(models.BatchState.SENT, 0),
        "busy": bool(busy),
        "stalled": bool(busy) and records.stale(max(moments)),
    }


def send_batch_retry(
    *, batch: models.SendBatch, user, resend_unknown: bool = False
) -> models.SendBatch:
    """Queue one failed batch to be sent again (an unknown one only when confirmed)."""
    roles.require_any(user, roles.PUBLISH_PERMISSION)
    batch = models.SendBatch.objects.select_related("attempt").get(pk=batch.pk)
    retryable = [models.BatchState.FAILED]
    if resend_unknown:
        retryable.append(models.BatchState.UNKNOWN)
    if batch.state == models.BatchState.UNKNOWN and not resend_unknown:
        raise publishing.PublishingError(BATCH_UNKNOWN_CONFIRM.format(number=batch.number))
    attempt = batch.attempt
    try:
        with transaction.atomic():
            if not attempt.live:
                # Live again: refused if the campaign was published again in the meantime.
                models.PublishAttempt.objects.filter(pk=attempt.pk).update(live=True)
            claimed = models.SendBatch.objects.filter(pk=batch.pk, state__in=retryable).update(
                state=models.BatchState.PENDING, error="", claimed_at=None, finished_at=None
            )
            if not claimed:
                raise publishing.PublishingError(
                    BATCH_NOT_RETRYABLE.format(
                        number=batch.number, state=batch.get_state_display().lower()
                    )
                )
            models.PublishAttempt.objects.filter(pk=attempt.pk).update(
                state=models.AttemptState.SENT, finished_at=None, updated_at=timezone.now()
            )
            transaction.on_commit(functools.partial(send_enqueue, attempt_id=attempt.pk))
    except IntegrityError:
        raise publishing.PublishingError(BATCH_RETRY_BLOCKED) from None
    batch.refresh_from_db()
    return batch


def send_attempt_resume(*, attempt: models.PublishAttempt, user) -> int:
    """Queue the sending of the waiting batches again, after the worker stopped or restarted.

    Batches left "sending" by a worker that stopped become unknown (never resent by this).
    Returns how many batches are waiting.
    """
    roles.require_any(user, roles.PUBLISH_PERMISSION)
    _stale_batches_unknown(attempt)
    waiting = models.SendBatch.objects.filter(
        attempt=attempt, state=models.BatchState.PENDING
    ).count()
    if not waiting:
        _attempt_settle(attempt)
        raise publishing.PublishingError(RESUME_NOTHING)
    with transaction.atomic():
        transaction.on_commit(functools.partial(send_enqueue, attempt_id=attempt.pk))
    return waiting


def send_task_status(*, attempt: models.PublishAttempt) -> str:
    """The background task's status (READY: waiting for a worker, RUNNING...), or ""."""
    found = _send_task(attempt)
    return str(found.status) if found else ""


def _send_task(attempt: models.PublishAttempt) -> TaskResult | None:
    if not attempt.task_id:
        return None
    try:
        return send_batches.get_result(attempt.task_id)
    except TaskResultDoesNotExist:
        return None


def sends_stalled_resume() -> list[int]:
    """Queue again the identity sends nobody works on any more; the ids of their attempts.

    Stalled: batches wait, the send's task is not queued, and either its run ended with batches
    still waiting (its worker stopped between batches) or nothing has happened for
    SEND_BATCH_STALE_SECONDS (its worker died, or its run failed). The next run turns a batch
    left "sending" into unknown, never resends it. Workers call this at start and every few
    seconds; of several that find the same send at once, one queues it.
    """
    unfinished = (
        # Only these states have batches waiting (`_attempt_settle`), and a send held for its
        # undo window has no task yet: it is not due. Not the body: it holds every identity.
        models.PublishAttempt.objects.filter(
            state__in=(models.AttemptState.PENDING, models.AttemptState.SENT)
        )
        .exclude(task_id="")
        .only("task_id", "idempotency_key", "updated_at")
        .annotate(
            busy=Count("batches", filter=Q(batches__state__in=_BUSY_STATES)),
            waiting=Count("batches", filter=Q(batches__state=models.BatchState.PENDING)),
            last_claimed=Max("batches__claimed_at"),
            last_finished=Max("batches__finished_at"),
        )
        .filter(busy__gt=0)
    )
    return [
        attempt.pk for attempt in unfinished if _send_stalled(attempt) and _send_requeue(attempt)
    ]


def _send_stalled(attempt: models.PublishAttempt) -> bool:
    found = _send_task(attempt)
    if found is not None and found.status == TaskResultStatus.READY:
        return False
    if found is not None and found.status == TaskResultStatus.SUCCESSFUL and attempt.waiting:
        return True  # its run ended with batches waiting: its worker stopped between batches
    moments = [attempt.last_claimed, attempt.last_finished, attempt.updated_at]
    if found is not None:
        moments += [found.started_at, found.finished_at]
    return records.stale(max(moment for moment in moments if moment))


def _send_requeue(attempt: models.PublishAttempt) -> bool:
    """Queue the send again, unless another worker has just done so (it changed the task id)."""

    def requeue() -> bool:
        with transaction.atomic():
            # The database backend writes the task in this transaction: it goes if the claim does.
            queued = send_batches.enqueue(attempt.pk)
            claimed = models.PublishAttempt.objects.filter(
                pk=attempt.pk, task_id=attempt.task_id
            ).update(task_id=str(queued.id), updated_at=timezone.now())
            if not claimed:
                transaction.set_rollback(True)
        return bool(claimed)

    requeued = records.retrying_when_locked(requeue)
    if requeued:
        logger.info("Sending resumes for %s: its worker stopped.", attempt.idempotency_key)
    return requeued
