"""Identity sends, in the background: batches of at most 1000 identities, recorded with the attempt
and sent one after another by the task worker (`send_batches`).

A batch is claimed by one conditional UPDATE before it is sent, so no batch is ever sent twice by
two workers or after a restart; a batch whose answer was lost is "unknown" and only a person can
send it again. Workers queue again the sends whose worker stopped or died (`sends_stalled_resume`).

Liveness: every worker writes a heartbeat (`WorkerHeartbeat`) every WORKER_HEARTBEAT_SECONDS, and a
batch records the worker that claimed it. A worker that missed WORKER_MISSED_BEATS beats in a row
is dead: the batch it was sending becomes unknown, and a live worker resumes its send.
"""

import datetime
import functools
import logging
import os
import socket
import threading
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Max, Q, Sum
from django.db.models.functions import Now
from django.tasks import TaskResult, TaskResultStatus, task
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import dateformat, timezone

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
# What the progress of a send says about who is sending it, live.
SEND_WAITING = "Waiting for the background worker to start sending."
SEND_NO_WORKER = (
    "Waiting for the background worker, but no worker is running: start one with "
    "“uv run manage.py worker”."
)
SEND_WORKER_DIED = "The worker sending this stopped responding at {time}; {then}"
SEND_WORKER_STOPPED = "The worker sending this stopped at {time}; {then}"
SEND_RUN_FAILED = "Sending stopped on an error at {time}; {then}"
THEN_RESUMING = "another worker is resuming."
THEN_NO_WORKER = "no worker is running: start one with “uv run manage.py worker”."

# Set by the worker when it is asked to stop (`manage.py worker`): the running send finishes the
# batch in flight and claims no more; the rest wait for the next worker.
stop_between_batches = threading.Event()

_DONE_STATES = (models.BatchState.SENT, models.BatchState.FAILED, models.BatchState.UNKNOWN)
# How long the heartbeat of a worker that died is kept, for pages to say when it stopped.
_DEAD_WORKERS_KEPT = datetime.timedelta(days=1)

# The worker this process runs as (`worker_register`): the batches it claims name it. "" outside
# a worker: a send run by another task backend, or called directly.
_worker_id = ""


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
    # This worker sends one batch at a time and none now: one it left "sending" is orphaned too.
    records.retrying_when_locked(lambda: _orphaned_batches_unknown(attempt, mine_too=True))
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


def _orphaned_batches_unknown(attempt: models.PublishAttempt, *, mine_too: bool = False) -> int:
    """Batches left "sending" by whoever stopped sending them become unknown (never resent)."""
    alive = workers_alive()
    if mine_too:
        alive.pop(_worker_id, None)
    return models.SendBatch.objects.filter(
        _orphaned(alive), attempt=attempt, state=models.BatchState.SENDING
    ).update(state=models.BatchState.UNKNOWN, error=BATCH_LEFT_SENDING, finished_at=timezone.now())


def _orphaned(alive: dict[str, datetime.datetime], prefix: str = "") -> Q:
    """Batches (being sent) that nobody is sending any more: claimed by a worker that is not
    alive, or was since started again under the same id; claimed outside a worker longer ago than
    a CleverTap call can last, when there is no heartbeat to follow."""
    by, at = f"{prefix}claimed_by", f"{prefix}claimed_at"
    call_longest = datetime.timedelta(seconds=records.call_seconds_longest())
    outside = Q(**{by: ""}) & (
        Q(**{f"{at}__isnull": True}) | Q(**{f"{at}__lte": timezone.now() - call_longest})
    )
    live = Q(pk__in=[])
    for worker_id, started_at in alive.items():
        live |= Q(**{by: worker_id, f"{at}__gte": started_at})
    return outside | (~Q(**{by: ""}) & ~live)


def _batch_claim(attempt: models.PublishAttempt) -> models.SendBatch | None:
    waiting = models.SendBatch.objects.filter(attempt=attempt, state=models.BatchState.PENDING)
    for pk in waiting.order_by("number").values_list("pk", flat=True)[:20]:
        claimed = models.SendBatch.objects.filter(pk=pk, state=models.BatchState.PENDING).update(
            state=models.BatchState.SENDING,
            claimed_at=timezone.now(),
            claimed_by=_worker_id,
            sends=F("sends") + 1,
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
    except BaseException:
        # The run ends here (a forced stop, the database gone...) with the batch's answer lost:
        # say so now, if the database lets us, rather than leave it "sending".
        _batch_left_unknown(batch)
        raise
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


def _batch_left_unknown(batch: models.SendBatch) -> None:
    try:
        models.SendBatch.objects.filter(pk=batch.pk, state=models.BatchState.SENDING).update(
            state=models.BatchState.UNKNOWN, error=BATCH_LEFT_SENDING, finished_at=timezone.now()
        )
    except Exception:
        logger.exception("Batch %s is left sending: the next run marks it unknown.", batch.pk)


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
    """Batches and identities per state, for the progress bar, and who is sending them."""
    rows = (
        models.SendBatch.objects.filter(attempt=attempt)
        .values("state")
        .annotate(batches=Count("pk"), identities=Sum("identities"))
    )
    batches = {row["state"]: row["batches"] for row in rows}
    people = {row["state"]: row["identities"] or 0 for row in rows}
    total = sum(batches.values())
    done = sum(batches.get(state, 0) for state in _DONE_STATES)
    busy = batches.get(models.BatchState.PENDING, 0) + batches.get(models.BatchState.SENDING, 0)
    status, stalled = _send_status(attempt) if busy else ("", False)
    return {
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else 100,
        "batches": batches,
        "identities": people,
        "identities_total": sum(people.values()),
        "identities_sent": people.get(models.BatchState.SENT, 0),
        "busy": bool(busy),
        # In words: who is (not) sending the batches; "" while a live worker is.
        "status": status,
        # Anything said but "waiting for the worker" warns: nobody is sending the batches.
        "warning": bool(status) and status != SEND_WAITING,
        # Nobody sends it and it waits in no queue: resuming queues it again.
        "stalled": stalled,
    }


def _send_status(attempt: models.PublishAttempt) -> tuple[str, bool]:
    """What the page says of a send with batches waiting, and whether it is stalled."""
    found = _send_task(attempt)
    if found is None:
        return "", False  # held for its undo window: not queued yet
    beats = dict(models.WorkerHeartbeat.objects.values_list("worker_id", "beat_at"))
    alive = workers_alive()
    then = THEN_RESUMING if alive else THEN_NO_WORKER
    left = models.SendBatch.objects.filter(attempt=attempt, state=models.BatchState.SENDING)
    orphan = left.filter(_orphaned(alive)).values_list("claimed_by", "claimed_at").first()
    if found.status == TaskResultStatus.READY:
        if orphan is not None:
            # Queued again after its worker died; the next run marks that batch unknown.
            moment = beats.get(orphan[0]) or orphan[1]
            return SEND_WORKER_DIED.format(time=_moment_text(moment), then=then), False
        return (SEND_WAITING if alive else SEND_NO_WORKER), False
    if found.status == TaskResultStatus.RUNNING:
        runner = _task_worker(found)
        if _task_runner_alive(found, alive):
            return "", False
        moment = beats.get(runner) or _task_last_moment(attempt, found)
        return SEND_WORKER_DIED.format(time=_moment_text(moment), then=then), True
    moment = found.finished_at or _task_last_moment(attempt, found)
    cause = SEND_RUN_FAILED if found.status == TaskResultStatus.FAILED else SEND_WORKER_STOPPED
    return cause.format(time=_moment_text(moment), then=then), True


def _moment_text(moment: datetime.datetime | None) -> str:
    if moment is None:
        return "an unknown time"
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return dateformat.format(local, "H:i:s")
    return dateformat.format(local, "j M Y, H:i:s")


def _task_last_moment(
    attempt: models.PublishAttempt, found: TaskResult
) -> datetime.datetime | None:
    """When the send last showed a sign of life, for a worker whose heartbeat is gone."""
    last = models.SendBatch.objects.filter(attempt=attempt).aggregate(
        claimed=Max("claimed_at"), finished=Max("finished_at")
    )
    moments = [last["claimed"], last["finished"], found.started_at, found.enqueued_at]
    return max((moment for moment in moments if moment), default=None)


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
    _orphaned_batches_unknown(attempt)
    waiting = models.SendBatch.objects.filter(
        attempt=attempt, state=models.BatchState.PENDING
    ).count()
    if not waiting:
        _attempt_settle(attempt)
        raise publishing.PublishingError(RESUME_NOTHING)
    with transaction.atomic():
        transaction.on_commit(functools.partial(send_enqueue, attempt_id=attempt.pk))
    return waiting


def _send_task(attempt: models.PublishAttempt) -> TaskResult | None:
    if not attempt.task_id:
        return None
    try:
        return send_batches.get_result(attempt.task_id)
    except TaskResultDoesNotExist:
        return None


def _task_worker(found: TaskResult) -> str:
    """The worker that runs (or ran) the task."""
    return found.worker_ids[-1] if found.worker_ids else ""


def _task_runner_alive(found: TaskResult, alive: dict[str, datetime.datetime]) -> bool:
    """Whether a live worker runs the task (started since that worker was, not by an earlier
    worker of the same id)."""
    started_at = alive.get(_task_worker(found))
    return (
        found.status == TaskResultStatus.RUNNING
        and started_at is not None
        and (found.started_at is None or found.started_at >= started_at)
    )


def sends_stalled_resume() -> list[int]:
    """Queue again the identity sends nobody works on any more; the ids of their attempts.

    Stalled: its task is not waiting in the queue, no live worker runs it, and batches wait (or
    one is left "sending" by a worker that stopped): its worker died (its heartbeat stopped), or
    its run ended with batches still waiting (its worker stopped between batches), or failed. A
    run that failed is queued again only once a worker would count as dead, so that a send that
    fails every time does not go round in a loop. The next run turns a batch left "sending" into
    unknown, never resends it. Workers call this at start and every few seconds; of several that
    find the same send at once, one queues it.
    """
    alive = workers_alive()
    unfinished = (
        # Only these states have batches waiting (`_attempt_settle`), and a send held for its
        # undo window has no task yet: it is not due. Not the body: it holds every identity.
        models.PublishAttempt.objects.filter(
            state__in=(models.AttemptState.PENDING, models.AttemptState.SENT)
        )
        .exclude(task_id="")
        .only("task_id", "idempotency_key", "updated_at")
        .annotate(
            waiting=Count("batches", filter=Q(batches__state=models.BatchState.PENDING)),
            orphaned=Count(
                "batches",
                filter=Q(batches__state=models.BatchState.SENDING)
                & _orphaned(alive, prefix="batches__"),
            ),
        )
        .filter(Q(waiting__gt=0) | Q(orphaned__gt=0))
    )
    return [
        attempt.pk
        for attempt in unfinished
        if _send_stalled(attempt, alive) and _send_requeue(attempt)
    ]


def _send_stalled(attempt: models.PublishAttempt, alive: dict[str, datetime.datetime]) -> bool:
    found = _send_task(attempt)
    if found is None:
        return True
    if found.status == TaskResultStatus.READY or _task_runner_alive(found, alive):
        return False
    if found.status == TaskResultStatus.FAILED:
        ended = found.finished_at or found.started_at or found.enqueued_at
        return ended is None or timezone.now() - ended >= worker_dead_after()
    return True


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


# Worker liveness: heartbeats in the database, written with its clock.


def worker_register(*, worker_id: str) -> None:
    """This process is the task worker `worker_id`: its heartbeat starts, its claims name it."""
    global _worker_id
    records.retrying_when_locked(
        lambda: models.WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                # This machine's clock, as the tasks and batches this worker claims are stamped.
                "started_at": timezone.now(),
                "beat_at": Now(),
            },
        )
    )
    _worker_id = worker_id


def worker_beat(*, worker_id: str) -> None:
    """The worker is alive (its heartbeat thread calls this every WORKER_HEARTBEAT_SECONDS)."""
    beaten = records.retrying_when_locked(
        lambda: models.WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=Now())
    )
    if not beaten:
        # Forgotten as dead (it was paused longer than `_DEAD_WORKERS_KEPT`): alive again.
        worker_register(worker_id=worker_id)


def worker_unregister(*, worker_id: str) -> None:
    """The worker stops: it is no longer alive, and a batch it left "sending" is orphaned."""
    global _worker_id
    _worker_id = ""
    records.retrying_when_locked(
        lambda: models.WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
    )


def worker_dead_after() -> datetime.timedelta:
    """How long a worker's heartbeat may be silent before it counts as dead."""
    return datetime.timedelta(
        seconds=settings.WORKER_HEARTBEAT_SECONDS * settings.WORKER_MISSED_BEATS
    )


def workers_alive() -> dict[str, datetime.datetime]:
    """The workers alive now (their last beat is recent, by the database's clock), with the time
    each started."""
    return dict(
        models.WorkerHeartbeat.objects.filter(
            beat_at__gte=_database_now_minus(worker_dead_after())
        ).values_list("worker_id", "started_at")
    )


def workers_dead_forget() -> int:
    """Forget the heartbeats of workers dead for long; how many."""
    return models.WorkerHeartbeat.objects.filter(
        beat_at__lt=_database_now_minus(_DEAD_WORKERS_KEPT)
    ).delete()[0]


def _database_now_minus(delta: datetime.timedelta) -> ExpressionWrapper:
    return ExpressionWrapper(Now() - delta, output_field=DateTimeField())
