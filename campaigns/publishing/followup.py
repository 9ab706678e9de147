"""After publishing: settle a publish whose outcome is unknown from CleverTap's campaign list, stop
a published campaign, and fetch its report.

A publish whose app server died during the create (after the attempt was recorded, before
CleverTap's answer was stored) is settled the same way, by itself, as soon as that request cannot
still be running: its page and the task workers look (`attempts_orphaned_settle`). It is never
created again: found in the list, it is recorded; not found, the draft may be published again.
"""

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from campaigns import audit, clevertap, models, publishing, roles, schedule, selectors
from campaigns.publishing import attempts, records

logger = logging.getLogger(__name__)

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
ORPHAN_SETTLED = (
    "The publish of version {version} was interrupted before CleverTap's answer was stored, so "
    "CleverTap's campaign list was checked. {found}"
)
NOT_STOPPABLE = "Only a campaign CleverTap created can be stopped: this one has no CleverTap id."
STOP_FAILED = "Not stopped: {error}"
STOPPED = "Stopped CleverTap campaign {clevertap_id}."
REPORT_FAILED = "No report: {error}"
# CleverTap answers `fail` to a report until the campaign has completed (CLEVERTAP-READS §3):
# that is "no report yet", never an error, said with the status CleverTap's list gives.
NO_REPORT_YET = (
    "No report yet: CleverTap reports on a campaign once it has completed, and lists this one "
    "as {status}."
)
NO_REPORT_YET_UNLISTED = (
    "No report yet: CleverTap reports on a campaign once it has completed. It said: {said}"
)
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
    return _attempt_resolve(attempt, user=user)


def attempts_orphaned_settle(*, campaign: models.Campaign | None = None) -> list[str]:
    """Resolve from CleverTap's campaign list the creates whose request died (of one campaign,
    or all); what was found for each (a message), in words.

    Orphaned: recorded, or sent without an answer stored, longer ago than a CleverTap call can
    last (`records.stale`), so the request that held it cannot still be running.
    """
    candidates = models.PublishAttempt.objects.select_related("campaign", "hold").filter(
        _unsettled_create()
    )
    if campaign is not None:
        candidates = candidates.filter(campaign=campaign)
    settled = []
    for attempt in candidates:
        if not _orphaned(attempt):
            continue
        try:
            found = _attempt_resolve(attempt, user=None)
        except publishing.PublishingError as error:
            logger.warning("Could not settle %s: %s", attempt.idempotency_key, error)
            continue
        settled.append(ORPHAN_SETTLED.format(version=attempt.version, found=found))
    return settled


def attempt_needs_check(*, attempt: models.PublishAttempt) -> bool:
    """Whether "Check CleverTap's campaign list" can settle this attempt."""
    return attempt.api == models.Api.TARGETS and _outcome_unknown(attempt)


def _outcome_unknown(attempt: models.PublishAttempt) -> bool:
    """Unknown, or left by a process that died before CleverTap's answer was stored."""
    return attempt.state == models.AttemptState.UNKNOWN or _orphaned(attempt)


def _unsettled_create() -> Q:
    """Creates recorded or sent, with no answer stored, not waiting out an undo window."""
    not_held = Q(hold__isnull=True) | Q(hold__released_at__isnull=False)
    return Q(api=models.Api.TARGETS) & (
        Q(state=models.AttemptState.SENT) | Q(state=models.AttemptState.PENDING) & not_held
    )


def _orphaned(attempt: models.PublishAttempt) -> bool:
    """A create whose request cannot still be running, with no answer stored."""
    if attempt.api != models.Api.TARGETS:
        return False
    if attempt.state == models.AttemptState.SENT:
        return records.stale(attempt.updated_at)
    if attempt.state != models.AttemptState.PENDING:
        return False
    hold = getattr(attempt, "hold", None)
    if hold is not None and hold.released_at is None:
        return False  # waiting out its undo window, or cancelled in it
    moments = [attempt.updated_at] + ([hold.released_at] if hold is not None else [])
    return records.stale(max(moments))


def _attempt_resolve(attempt: models.PublishAttempt, *, user) -> str:
    """Look for the attempt's campaign in CleverTap's list and record what was found.

    The outcome is written only over a state still unsettled: of several looks at once (a page
    and a worker), one records it; the others raise CHECK_NOT_NEEDED.
    """
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
    unsettled = models.PublishAttempt.objects.filter(
        pk=attempt.pk,
        state__in=(
            models.AttemptState.PENDING,
            models.AttemptState.SENT,
            models.AttemptState.UNKNOWN,
        ),
    )
    now = timezone.now()
    if found:
        newest = max(found, key=lambda item: _int_or_none(item.get("id")) or 0)
        clevertap_id = _int_or_none(newest.get("id"))
        status = str(newest.get("status") or "")
        if not unsettled.update(state=models.AttemptState.SUCCEEDED, updated_at=now):
            raise publishing.PublishingError(CHECK_NOT_NEEDED)
        attempts.attempt_succeeded(
            attempt, {"id": clevertap_id, "campaign_status": status, "found_in_list": newest}
        )
        return CHECK_FOUND.format(name=name, clevertap_id=clevertap_id, status=status or "listed")
    message = CHECK_NOT_FOUND.format(
        name=name, date_from=date_from.isoformat(), date_to=date_to.isoformat()
    )
    failed = unsettled.update(
        state=models.AttemptState.FAILED,
        live=False,
        error=message,
        finished_at=now,
        updated_at=now,
    )
    if not failed:
        raise publishing.PublishingError(CHECK_NOT_NEEDED)
    attempt.refresh_from_db()
    return message


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


@dataclass(frozen=True)
class Report:
    """What asking for a report gave: the attempt (its report kept, when there was one), and
    why there is none yet, in words ("" when there is one)."""

    attempt: models.PublishAttempt
    not_yet: str = ""


def campaign_report(*, campaign: models.Campaign, user) -> Report:
    """Fetch CleverTap's report of the published campaign and keep it with the attempt.

    CleverTap fails the report of a campaign that has not completed (scheduled, running, or
    stopped before it ran: not documented, so any `fail` it answers; a refused passcode or a
    server error is still an error): then there is no report yet, and the
    campaign's status is read from CleverTap's list and kept with the attempt.
    """
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
        answered_fail = isinstance(error.data, dict) and error.data.get("status") == "fail"
        if error.kind != clevertap.KIND_API or not answered_fail:
            raise publishing.PublishingError(REPORT_FAILED.format(error=str(error))) from error
        return Report(attempt, _not_yet(attempt, user=user, said=error.clevertap_error))
    attempt.report = result.data
    attempt.report_at = timezone.now()
    attempt.save(update_fields=["report", "report_at", "updated_at"])
    return Report(attempt)


def _not_yet(attempt: models.PublishAttempt, *, user, said: str) -> str:
    """Why there is no report yet: the status CleverTap's list gives the campaign (kept with the
    attempt), or what CleverTap said when the list does not give one."""
    scheduled = _scheduled_day(attempt.body)
    date_from = timezone.localdate(attempt.created_at) - datetime.timedelta(days=1)
    date_to = max([timezone.localdate() + datetime.timedelta(days=1)] + [scheduled or date_from])
    try:
        listed = records.api_call(
            lambda: clevertap.campaign_list(date_from=date_from, date_to=date_to),
            campaign=attempt.campaign,
            user=user,
            attempt=attempt,
        )
    except clevertap.CleverTapError:
        listed = None
    items = _listed_campaigns(listed.data) if listed is not None else []
    status = next(
        (
            str(item.get("status") or "")
            for item in items
            if _int_or_none(item.get("id")) == attempt.clevertap_id
        ),
        "",
    )
    if not status:
        return NO_REPORT_YET_UNLISTED.format(said=said or "no details")
    attempt.clevertap_status = status[:30]
    attempt.save(update_fields=["clevertap_status", "updated_at"])
    return NO_REPORT_YET.format(status=status)


def _scheduled_day(body: dict[str, Any]) -> datetime.date | None:
    """The day a body's `when` first sends on, when it names one ("YYYYMMDD HH:MM")."""
    when = body.get("when")
    if isinstance(when, dict):
        times = when.get("delivery_date_time")
        when = times[0] if isinstance(times, list) and times else when.get("start_time")
    moment = schedule.parse_date_time(when) if isinstance(when, str) else None
    return moment.date() if moment else None
