"""After publishing: settle a publish whose outcome is unknown from CleverTap's campaign list, stop
a published campaign, and fetch its report."""

import datetime
from typing import Any

from django.utils import timezone

from campaigns import audit, clevertap, models, publishing, roles, selectors
from campaigns.publishing import attempts, records

# Messages people see.
CHECK_NOT_NEEDED = "Only a publish whose outcome is unknown needs checking."
CHECK_NOT_FOR_SENDS = (
    "Sends by identity do not appear in CleverTap's campaign list: look at the batches instead."
)
CHECK_FOUND = (
    "Found “{name}” in CleverTap's campaign list (id {clevertap_id}, {status}): the publish "
    "went through, and is now recorded."
)
CHECK_NOT_FOUND = (
    "No campaign named “{name}” was created in CleverTap from {date_from} to {date_to}: the "
    "publish did not go through, and the draft can be published again."
)
CHECK_FAILED = "Could not read CleverTap's campaign list: nothing was changed. {error}"
NOT_STOPPABLE = "Only a campaign CleverTap created can be stopped: this one has no CleverTap id."
STOP_FAILED = "Not stopped: {error}"
STOPPED = "Stopped CleverTap campaign {clevertap_id}."
REPORT_FAILED = "No report: {error}"
NO_CAMPAIGN = "This campaign has not been published: there is nothing to stop or report on."


def publish_attempt_check(*, attempt: models.PublishAttempt, user) -> str:
    """Resolve an attempt of unknown outcome from CleverTap's campaign list; return what was found.

    Found (a campaign with the draft's name, not recorded by another attempt): the attempt
    succeeded. Not found: it surely failed, and the draft may be published again.
    """
    roles.require_any(user, roles.PUBLISH_PERMISSION)
    attempt = models.PublishAttempt.objects.select_related("campaign").get(pk=attempt.pk)
    if attempt.api != models.Api.TARGETS:
        raise publishing.PublishingError(CHECK_NOT_FOR_SENDS)
    if not _outcome_unknown(attempt):
        raise publishing.PublishingError(CHECK_NOT_NEEDED)
    name = str(attempt.body.get("name") or attempt.campaign.name)
    date_from = timezone.localdate(attempt.created_at) - datetime.timedelta(days=1)
    date_to = timezone.localdate() + datetime.timedelta(days=1)
    try:
        result = records.api_call(
            lambda: clevertap.campaign_list(date_from=date_from, date_to=date_to),
            campaign=attempt.campaign,
            user=user,
            attempt=attempt,
        )
    except clevertap.CleverTapError as error:
        raise publishing.PublishingError(CHECK_FAILED.format(error=str(error))) from error
    recorded = set(
        models.PublishAttempt.objects.exclude(pk=attempt.pk)
        .filter(clevertap_id__isnull=False)
        .values_list("clevertap_id", flat=True)
    )
    found = [
        item
        for item in _listed_campaigns(result.data)
        if item.get("name") == name and _int_or_none(item.get("id")) not in recorded
    ]
    if found:
        newest = max(found, key=lambda item: _int_or_none(item.get("id")) or 0)
        clevertap_id = _int_or_none(newest.get("id"))
        status = str(newest.get("status") or "")
        attempts.attempt_succeeded(
            attempt, {"id": clevertap_id, "campaign_status": status, "found_in_list": newest}
        )
        return CHECK_FOUND.format(name=name, clevertap_id=clevertap_id, status=status or "listed")
    attempt.state = models.AttemptState.FAILED
    attempt.live = False
    message = CHECK_NOT_FOUND.format(
        name=name, date_from=date_from.isoformat(), date_to=date_to.isoformat()
    )
    attempt.error = message
    attempt.finished_at = timezone.now()
    attempt.save()
    return message


def attempt_needs_check(*, attempt: models.PublishAttempt) -> bool:
    """Whether "Check CleverTap's campaign list" can settle this attempt."""
    return attempt.api == models.Api.TARGETS and _outcome_unknown(attempt)


def _outcome_unknown(attempt: models.PublishAttempt) -> bool:
    """Unknown, or left "sent" by a process that died waiting for CleverTap's answer."""
    if attempt.state == models.AttemptState.UNKNOWN:
        return True
    return attempt.state == models.AttemptState.SENT and records.stale(attempt.updated_at)


def _listed_campaigns(data: dict[str, Any]) -> list[dict[str, Any]]:
    for key in ("targets", "campaigns", "data", "list"):
        value = data.get(key)
        if isinstance(value, list):
            return [item for item in value if isinstance(item, dict)]
    return []


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def campaign_stop(*, campaign: models.Campaign, user) -> models.PublishAttempt:
    """Stop the published campaign in CleverTap (stopping a stopped one changes nothing)."""
    roles.require_any(user, roles.PUBLISH_PERMISSION)
    attempt = selectors.attempt_published(campaign=campaign)
    if attempt is None:
        raise publishing.PublishingError(NOT_STOPPABLE)
    try:
        result = records.api_call(
            lambda: clevertap.stop(campaign_id=attempt.clevertap_id),
            campaign=campaign,
            user=user,
            attempt=attempt,
        )
    except clevertap.CleverTapError as error:
        raise publishing.PublishingError(STOP_FAILED.format(error=str(error))) from error
    attempt.clevertap_status = str(result.data.get("campaign_status") or "stopped")
    attempt.stopped_at = timezone.now()
    attempt.save(update_fields=["clevertap_status", "stopped_at", "updated_at"])
    before = models.Campaign.objects.filter(pk=campaign.pk).values_list("status").first()
    models.Campaign.objects.filter(pk=campaign.pk).update(
        status=models.Status.STOPPED, updated_at=timezone.now()
    )
    audit.status_change_record(
        campaign_id=campaign.pk,
        user=user,
        action=models.AuditAction.STOPPED,
        before=before[0] if before else "",
        after=models.Status.STOPPED,
        clevertap_id=attempt.clevertap_id,
    )
    return attempt


def campaign_report(*, campaign: models.Campaign, user) -> models.PublishAttempt:
    """Fetch CleverTap's report of the published campaign and keep it with the attempt."""
    roles.require_any(user, roles.VIEW_PERMISSION, roles.PUBLISH_PERMISSION)
    attempt = selectors.attempt_published(campaign=campaign)
    if attempt is None:
        raise publishing.PublishingError(NO_CAMPAIGN)
    try:
        result = records.api_call(
            lambda: clevertap.result(campaign_id=attempt.clevertap_id),
            campaign=campaign,
            user=user,
            attempt=attempt,
        )
    except clevertap.CleverTapError as error:
        raise publishing.PublishingError(REPORT_FAILED.format(error=str(error))) from error
    attempt.report = result.data
    attempt.report_at = timezone.now()
    attempt.save(update_fields=["report", "report_at", "updated_at"])
    return attempt
