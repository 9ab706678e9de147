"""Publishing a draft: the attempt is recorded before anything is sent, held for the undo window,
then sent (a targets create now, an identity send's batches to the worker).

Publishing is safe to ask for more than once. The attempt is recorded under an idempotency key
derived from the draft version, and at most one attempt per campaign is "live" (not surely failed):
both are unique in the database, so of any number of simultaneous requests one is recorded and
only that one is sent. An attempt whose outcome is unknown (the answer was lost) blocks publishing
again until CleverTap's campaign list has been checked (`followup`).

The undo window: with PUBLISH_UNDO_SECONDS, a recorded attempt waits in a `PublishHold` and nothing
is sent until it is released, by its task or by the pending page, whichever comes first; a cancel
in the window claims the same row, so exactly one of them wins.
"""

import datetime
import functools
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from campaigns import audit, clevertap, identities, models, payloads, publishing, roles, selectors
from campaigns.publishing import confirm, records, sends
from campaigns.review import guards

logger = logging.getLogger(__name__)

# Messages people see.
PUBLISH_FAILED = "Not published: the draft is unchanged. {error}"
PUBLISH_UNKNOWN = (
    "{error} Use “Check CleverTap's campaign list” on this page: it records the campaign if it "
    "was created, or lets you publish again if it was not."
)
PUBLISH_NO_ID = "CleverTap said the campaign was created but sent no campaign id."
PUBLISH_CANCELLED = "Cancelled by {user} within the undo window: nothing was sent."
PUBLISH_NOT_RELEASED = "Not sent when the undo window ended: {reason}"
CANCEL_TOO_LATE = "Too late to undo: the publish was already sent to CleverTap."
CANCEL_ALREADY = "This publish was already cancelled."


def campaign_publish(
    *, campaign: models.Campaign, user, confirmation_token: str
) -> models.PublishAttempt:
    """Publish the version of the draft that was confirmed, exactly as it was shown.

    The one place where a campaign is published: every check that must hold first is made here.
    Returns the attempt: held (its undo window), succeeded, failed (the draft is unchanged),
    unknown (the answer was lost: check the campaign list), or, for identity sends, pending (the
    batches are queued). Raises PermissionDenied, ConfirmationRefused, NotPublishable or
    AlreadyPublishing without sending anything; refusals go to the audit log too.
    """
    roles.require_any(user, roles.PUBLISH_PERMISSION)
    try:
        found = confirm.confirmed(confirmation_token, campaign=campaign, user=user)
        attempt = records.retrying_when_locked(
            lambda: _attempt_record(
                campaign=selectors.campaign_with_people(campaign.pk), user=user, confirmed=found
            )
        )
    except publishing.PublishingError as refused:
        message = str(refused)
        records.retrying_when_locked(
            lambda: audit.publish_refused_record(campaign=campaign, user=user, message=message)
        )
        raise
    if publish_held(attempt=attempt):
        return attempt
    if attempt.api == models.Api.TARGETS:
        publish_send(attempt=attempt)
    return attempt


def publish_send(*, attempt: models.PublishAttempt) -> None:
    """Send a recorded attempt: a targets create now, an identity send's batches to the queue."""
    if attempt.api == models.Api.TARGETS:
        _create_send(attempt)
    else:
        sends.send_enqueue(attempt_id=attempt.pk)
    audit.publish_sent_record(attempt=attempt)


def _attempt_record(
    *, campaign: models.Campaign, user, confirmed: dict[str, Any]
) -> models.PublishAttempt:
    """Check the draft and record the attempt (and its batches) before anything is sent.

    Of simultaneous calls one records its attempt; the others raise AlreadyPublishing.
    """
    holder = models.PublishAttempt.objects.select_related("user").filter(
        campaign=campaign, live=True
    )
    if holder := holder.first():
        raise confirm.AlreadyPublishing(confirm.already_message(holder), holder)
    digest = payloads.body_hash(campaign.body)
    if confirmed["version"] != campaign.version or confirmed["body"] != digest:
        raise confirm.ConfirmationRefused(
            confirm.DRAFT_CHANGED.format(confirmed=confirmed["version"], current=campaign.version)
        )
    if campaign.status not in models.Campaign.PUBLISHABLE:
        raise confirm.NotPublishable(
            confirm.NOT_PUBLISHABLE.format(status=campaign.get_status_display().lower())
        )
    errors = selectors.campaign_errors(campaign)
    if errors:
        raise confirm.NotPublishable(confirm.blocked(campaign, errors))
    # Publishers publish approved drafts, within the reach guards.
    refusal = guards.publish_refusal(campaign=campaign)
    if refusal:
        raise confirm.NotPublishable(refusal)
    failed_before = models.PublishAttempt.objects.filter(
        campaign=campaign, version=campaign.version, live=False
    ).count()
    key = f"{campaign.pk}:{campaign.version}"
    if failed_before:
        key += f":{failed_before}"
    estimate = (
        models.Estimate.objects.filter(
            campaign=campaign, version=campaign.version, state=models.EstimateState.READY
        )
        .order_by("-created_at", "-id")
        .first()
    )
    batches = []
    if campaign.api == models.Api.SEND:
        to = identities.unique_identities(campaign.body.get("to"))
        batches = list(identities.identity_batches(to))

    def record() -> models.PublishAttempt:
        with transaction.atomic():
            attempt = models.PublishAttempt.objects.create(
                campaign=campaign,
                version=campaign.version,
                idempotency_key=key,
                api=campaign.api,
                channel=campaign.channel,
                endpoint=payloads.endpoint(campaign.api, campaign.channel),
                body=campaign.body,
                body_hash=digest,
                estimate=estimate,
                user=user,
            )
            models.SendBatch.objects.bulk_create(
                models.SendBatch(
                    attempt=attempt, number=number, identities=identities.count(to), to=to
                )
                for number, to in enumerate(batches, 1)
            )
            held = _publish_recorded(attempt=attempt)
            if batches and held is None:
                transaction.on_commit(functools.partial(sends.send_enqueue, attempt_id=attempt.pk))
            return attempt

    try:
        return record()
    except IntegrityError:
        holder = (
            models.PublishAttempt.objects.select_related("user")
            .filter(Q(idempotency_key=key) | Q(campaign=campaign, live=True))
            .order_by("-live", "-id")
            .first()
        )
        message = confirm.already_message(holder) if holder else confirm.ALREADY_UNKNOWN
        raise confirm.AlreadyPublishing(message, holder) from None


def _create_send(attempt: models.PublishAttempt) -> None:
    """Send a targets campaign's create request and record what came of it."""
    attempt.state = models.AttemptState.SENT
    records.retrying_when_locked(lambda: attempt.save(update_fields=["state", "updated_at"]))
    try:
        result = records.api_call(
            lambda: clevertap.create(body=attempt.body),
            campaign=attempt.campaign,
            user=attempt.user,
            attempt=attempt,
        )
    except clevertap.CleverTapError as error:
        attempt.response = error.data
        attempt.finished_at = timezone.now()
        if error.outcome_unknown:
            attempt.state = models.AttemptState.UNKNOWN
            attempt.error = PUBLISH_UNKNOWN.format(error=str(error))
        else:
            attempt.state = models.AttemptState.FAILED
            attempt.live = False
            attempt.error = PUBLISH_FAILED.format(error=str(error))
        records.retrying_when_locked(attempt.save)
        logger.warning("Publishing %s failed: %s", attempt.idempotency_key, error.kind)
        return
    attempt_succeeded(attempt, result.data)


def attempt_succeeded(attempt: models.PublishAttempt, data: dict[str, Any]) -> None:
    """Record CleverTap's campaign (`data` as create answers it) and mark the draft published."""
    clevertap_id = data.get("id")
    attempt.clevertap_id = clevertap_id if isinstance(clevertap_id, int) else None
    if attempt.clevertap_id is None and isinstance(clevertap_id, str) and clevertap_id.isdigit():
        attempt.clevertap_id = int(clevertap_id)
    attempt.clevertap_status = str(data.get("campaign_status") or data.get("state") or "")
    attempt.response = data
    attempt.state = models.AttemptState.SUCCEEDED
    attempt.error = "" if attempt.clevertap_id is not None else PUBLISH_NO_ID
    attempt.finished_at = timezone.now()
    records.retrying_when_locked(attempt.save)
    records.campaign_mark_published(attempt)


# The undo window


def _publish_recorded(*, attempt: models.PublishAttempt) -> models.PublishHold | None:
    """A publish attempt was recorded (called in its transaction): audit it, and hold it for the
    undo window when there is one. Returns the hold, or None when it is sent at once."""
    seconds = settings.PUBLISH_UNDO_SECONDS
    hold = None
    if seconds > 0:
        hold = models.PublishHold.objects.create(
            attempt=attempt,
            campaign_id=attempt.campaign_id,
            due_at=timezone.now() + datetime.timedelta(seconds=seconds),
        )
        transaction.on_commit(functools.partial(_hold_enqueue, hold_id=hold.pk))
    audit.audit_record(
        actor=attempt.user,
        action=models.AuditAction.PUBLISH_REQUESTED,
        campaign_id=attempt.campaign_id,
        details={
            "attempt": attempt.pk,
            "idempotency_key": attempt.idempotency_key,
            "version": attempt.version,
            "body_hash": attempt.body_hash,
            "undo_until": hold.due_at.isoformat() if hold else None,
        },
    )
    return hold


def _hold_enqueue(*, hold_id: int) -> None:
    """Queue the release for when the window ends; without a backend that can wait, the pending
    page releases it (it asks every second)."""
    if not release_when_due.get_backend().supports_defer:
        return
    hold = models.PublishHold.objects.get(pk=hold_id)
    result = release_when_due.using(run_after=hold.due_at).enqueue(hold_id)
    models.PublishHold.objects.filter(pk=hold_id).update(task_id=str(result.id))


@task()
def release_when_due(hold_id: int) -> None:
    """The background task: send a held publish once its undo window is over."""
    publish_release(hold=models.PublishHold.objects.get(pk=hold_id))


def publish_held(*, attempt: models.PublishAttempt) -> bool:
    """Whether the attempt waits in its undo window (nothing sent yet)."""
    return models.PublishHold.objects.filter(
        attempt=attempt, released_at__isnull=True, cancelled_at__isnull=True
    ).exists()


def publish_release(*, hold: models.PublishHold) -> models.PublishAttempt | None:
    """Send a held publish once its window is over (the task, or the pending page, calls this).

    The release claims the hold with one conditional UPDATE, as a cancel does: whichever comes
    first wins, and the other changes nothing. A hold whose approval no longer stands (the draft
    was edited during the window) is cancelled instead: nothing is sent. Returns the attempt, or
    None when there was nothing to do (not due, already released or cancelled).
    """
    hold = models.PublishHold.objects.select_related("attempt", "attempt__user").get(pk=hold.pk)
    now = timezone.now()
    if hold.released_at or hold.cancelled_at or hold.due_at > now:
        return None
    attempt = hold.attempt
    campaign = models.Campaign.objects.get(pk=hold.campaign_id)
    refusal = guards.publish_refusal(campaign=campaign)
    if not refusal and payloads.body_hash(campaign.body) != attempt.body_hash:
        refusal = guards.NOT_APPROVED.format(version=campaign.version)
    if refusal:
        _hold_cancel(hold, user=None, reason=PUBLISH_NOT_RELEASED.format(reason=refusal))
        attempt.refresh_from_db()
        return attempt
    claimed = models.PublishHold.objects.filter(
        pk=hold.pk, released_at__isnull=True, cancelled_at__isnull=True
    ).update(released_at=now)
    if not claimed:
        return None
    publish_send(attempt=attempt)
    attempt.refresh_from_db()
    return attempt


def publish_cancel(*, hold: models.PublishHold, user) -> models.PublishAttempt:
    """Undo a publish within its window: nothing is sent, and the draft can be published again."""
    roles.require_any(user, roles.PUBLISH_PERMISSION)
    hold = models.PublishHold.objects.select_related("attempt").get(pk=hold.pk)
    if hold.cancelled_at:
        raise publishing.PublishingError(CANCEL_ALREADY)
    name = user.get_username() if user is not None else "Someone"
    if not _hold_cancel(hold, user=user, reason=PUBLISH_CANCELLED.format(user=name)):
        hold.refresh_from_db()
        raise publishing.PublishingError(CANCEL_ALREADY if hold.cancelled_at else CANCEL_TOO_LATE)
    hold.attempt.refresh_from_db()
    return hold.attempt


def _hold_cancel(hold: models.PublishHold, *, user, reason: str) -> bool:
    """Claim the hold for a cancel; the attempt surely reached nobody, so it stops being live."""
    now = timezone.now()
    with transaction.atomic():
        claimed = models.PublishHold.objects.filter(
            pk=hold.pk, released_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=now, cancelled_by=user, cancelled_reason=reason)
        if not claimed:
            return False
        models.PublishAttempt.objects.filter(pk=hold.attempt_id).update(
            state=models.AttemptState.FAILED,
            live=False,
            error=reason,
            finished_at=now,
            updated_at=now,
        )
        models.SendBatch.objects.filter(
            attempt_id=hold.attempt_id, state=models.BatchState.PENDING
        ).update(state=models.BatchState.FAILED, error=reason, finished_at=now)
        audit.audit_record(
            actor=user,
            action=models.AuditAction.PUBLISH_CANCELLED,
            campaign_id=hold.campaign_id,
            details={"attempt": hold.attempt_id, "reason": reason},
        )
    return True
