"""Every write the sandbox API makes: campaigns and their lifecycle, async estimates, the log.

Campaign lifecycle (simple and documented, so that tests and demos can rely on it):
- `when` "now" (or absent, or `{"type": "now"}`): running from creation, completed
  CAMPAIGN_RUN_SECONDS later;
- `when` "YYYYMMDD HH:MM" or `{"type": "later", "delivery_date_time": [...]}` (account time
  zone, settings.TIME_ZONE): scheduled until the first time, completed CAMPAIGN_RUN_SECONDS
  after the last;
- `{"type": "recurring", ...}`: scheduled until `start_time`, running until `end_by_date` (end of
  that day) or the last of `end_by_occurrences`, then completed; with neither it runs until
  stopped.
- stop: a scheduled or running campaign becomes stopped; stopping a stopped one succeeds and does
  nothing; a completed one cannot be stopped (409).
- result: a report for a completed campaign, or one stopped after it started (what it sent
  before it was stopped); scheduled or running ones, and ones stopped before they started, fail
  (409) with CleverTap's "This target hasn't been completed", naming the state.

Statuses follow the clock: `campaign_statuses_advance()` brings them up to date before each read.
"""

import datetime
import logging
import random
import uuid
from collections.abc import Collection
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.channels import registry
from sandbox import audience
from sandbox.errors import ApiError
from sandbox.models import (
    AsyncEstimate,
    CampaignStatus,
    ReceivedRequest,
    SandboxAccount,
    SandboxCampaign,
)

logger = logging.getLogger(__name__)

CAMPAIGN_RUN_SECONDS = 5
ASYNC_ESTIMATE_SECONDS = 2
REQUESTS_KEPT = 5000
TEXT_KEPT = 20_000

CODE_NOT_FOUND = 404
CODE_CONFLICT = 409
ERROR_CAMPAIGN_NOT_FOUND = "Campaign {id} does not exist."
# CleverTap's documented text first (Get Campaign Report); the state after it, as the docs say
# the error indicates it. Its documented body has no code.
ERROR_NOT_COMPLETED = "This target hasn't been completed (it is {state})"
STATE_SCHEDULED = "scheduled"
STATE_RUNNING = "running"
STATE_STOPPED_BEFORE_RUN = "stopped, and never ran"
ERROR_CAMPAIGN_COMPLETED = "Campaign {id} has already completed and cannot be stopped."
ERROR_ESTIMATE_NOT_FOUND = "No estimate was asked for with request_id {request_id}."

ESTIMATE_PENDING = "pending"
ESTIMATE_DONE = "done"
# targets/list.json names a campaign created for later "pending", as CleverTap's QA suite saw
# (CLEVERTAP-READS §3); the sandbox keeps "scheduled" inside, beside running and completed.
LISTED_STATUS = {CampaignStatus.SCHEDULED: "pending"}


# Campaigns


def liquid_api_beta_set(on: bool) -> None:
    """Give the sandbox's account CleverTap's Liquid beta for API campaigns, or take it away."""
    SandboxAccount.objects.update_or_create(
        pk=SandboxAccount.SINGLETON_ID, defaults={"liquid_api_beta": on}
    )


def campaign_create(
    *, body: dict[str, Any], estimates: dict[str, int], now: datetime.datetime | None = None
) -> SandboxCampaign:
    now = now or timezone.now()
    starts_at, completes_at = campaign_schedule(when=body.get("when", "now"), now=now)
    fields = {
        "name": str(body.get("name") or "")[:500],
        "target_mode": str(registry.targets_channel(body) or body.get("target_mode"))[:30],
        "body": body,
        "estimates": estimates,
        "starts_at": starts_at,
        "completes_at": completes_at,
        "status": _status_at(starts_at=starts_at, completes_at=completes_at, now=now),
    }
    # CleverTap's ids are 10-digit numbers that look like epoch seconds (CLEVERTAP-READS §4; that
    # they are timestamps is an inference): the creation second, the next free one when taken.
    campaign_id = int(now.timestamp())
    while True:
        try:
            with transaction.atomic():
                return SandboxCampaign.objects.create(id=campaign_id, **fields)
        except IntegrityError:
            campaign_id += 1


def campaign_schedule(
    *, when: Any, now: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime | None]:
    """When a campaign starts and completes (None: never, until stopped). Anything unreadable
    counts as "now": the payload's format is the validator's business, not the lifecycle's."""
    run = datetime.timedelta(seconds=CAMPAIGN_RUN_SECONDS)
    times: list[datetime.datetime | None] = []
    if isinstance(when, str) and when != "now":
        times = [_moment(when)]
    elif isinstance(when, dict) and when.get("type") == "later":
        moments = when.get("delivery_date_time") or []
        times = [_moment(moment) for moment in moments] if isinstance(moments, list) else []
    elif isinstance(when, dict) and when.get("type") == "recurring":
        start = _moment(when.get("start_time")) or now
        return start, _recurring_end(when, start=start, run=run)
    times = [moment for moment in times if moment is not None]
    if not times:
        return now, now + run
    return min(times), max(times) + run


def _recurring_end(
    when: dict[str, Any], *, start: datetime.datetime, run: datetime.timedelta
) -> datetime.datetime | None:
    end_by_date = _moment(f"{when.get('end_by_date')} 23:59") if when.get("end_by_date") else None
    if end_by_date is not None:
        return end_by_date + run
    occurrences = when.get("end_by_occurrences")
    if isinstance(occurrences, int) and not isinstance(occurrences, bool) and occurrences > 0:
        every = when.get("repeats_every") if isinstance(when.get("repeats_every"), int) else 1
        step = datetime.timedelta(
            days=max(1, every) * (7 if when.get("repeat_type") == "week" else 1)
        )
        return start + step * (occurrences - 1) + run
    return None


def _moment(text: Any) -> datetime.datetime | None:
    """ "YYYYMMDD HH:MM" in the account's time zone."""
    if not isinstance(text, str):
        return None
    try:
        naive = datetime.datetime.strptime(text.strip(), "%Y%m%d %H:%M")
    except ValueError:
        return None
    return timezone.make_aware(naive, timezone.get_default_timezone())


def _status_at(
    *, starts_at: datetime.datetime, completes_at: datetime.datetime | None, now: datetime.datetime
) -> str:
    if now < starts_at:
        return CampaignStatus.SCHEDULED
    if completes_at is None or now < completes_at:
        return CampaignStatus.RUNNING
    return CampaignStatus.COMPLETED


def campaign_statuses_advance(*, now: datetime.datetime | None = None) -> None:
    """Move scheduled campaigns to running and running ones to completed as their times pass."""
    now = now or timezone.now()
    live = SandboxCampaign.objects.exclude(
        status__in=[CampaignStatus.STOPPED, CampaignStatus.COMPLETED]
    )
    live.filter(completes_at__lte=now).update(status=CampaignStatus.COMPLETED)
    live.filter(status=CampaignStatus.SCHEDULED, starts_at__lte=now).filter(
        Q(completes_at__isnull=True) | Q(completes_at__gt=now)
    ).update(status=CampaignStatus.RUNNING)


def campaign_stop(*, campaign_id: int, now: datetime.datetime | None = None) -> SandboxCampaign:
    now = now or timezone.now()
    campaign_statuses_advance(now=now)
    campaign = _campaign(campaign_id)
    if campaign.status == CampaignStatus.COMPLETED:
        raise ApiError(
            ERROR_CAMPAIGN_COMPLETED.format(id=campaign_id), code=CODE_CONFLICT, http_status=409
        )
    if campaign.status != CampaignStatus.STOPPED:
        campaign.status = CampaignStatus.STOPPED
        campaign.stopped_at = now
        campaign.save(update_fields=["status", "stopped_at"])
    return campaign


def campaign_report(*, campaign_id: int) -> dict[str, Any]:
    """The report `targets/result.json` answers (without the envelope's "status")."""
    campaign_statuses_advance()
    campaign = _campaign(campaign_id)
    state = _unreported_state(campaign)
    if state:
        raise ApiError(ERROR_NOT_COMPLETED.format(state=state), code=None, http_status=409)
    platforms = _platform_stats(campaign)
    return {
        "id": campaign.id,
        "name": campaign.name,
        "campaign_status": campaign.status,
        "result": {**_totals(platforms), "platforms": platforms},
    }


def _platform_stats(campaign: SandboxCampaign) -> dict[str, dict[str, int]]:
    """What the campaign sent on each platform and what came of it: drawn from its id, so the
    same every time it is asked."""
    rng = random.Random(campaign.id)
    delivered_share = rng.uniform(0.93, 0.99)
    viewed_share = rng.uniform(0.2, 0.5)
    clicked_share = rng.uniform(0.02, 0.12)
    platforms = {}
    for key, count in _sent(campaign).items():
        delivered = round(count * delivered_share)
        platforms[key] = {
            "sent": count,
            "delivered": delivered,
            "errors": count - delivered,
            "viewed": round(delivered * viewed_share),
            "clicked": round(delivered * clicked_share),
        }
    return platforms


def _totals(platforms: dict[str, dict[str, int]]) -> dict[str, int]:
    return {
        metric: sum(stats[metric] for stats in platforms.values())
        for metric in ("sent", "delivered", "errors", "viewed", "clicked")
    }


def _unreported_state(campaign: SandboxCampaign) -> str:
    """Why a campaign has no report yet, or "" when it has one (completed, or stopped after it
    started: what it sent until then)."""
    if campaign.status == CampaignStatus.SCHEDULED:
        return STATE_SCHEDULED
    if campaign.status == CampaignStatus.RUNNING:
        return STATE_RUNNING
    if campaign.status == CampaignStatus.STOPPED and (
        campaign.stopped_at is None or campaign.stopped_at < campaign.starts_at
    ):
        return STATE_STOPPED_BEFORE_RUN
    return ""


def _sent(campaign: SandboxCampaign) -> dict[str, int]:
    if campaign.estimates:
        return campaign.estimates
    try:  # created with skip_estimate: count now
        return audience.estimate(body=campaign.body, endpoint=audience.ENDPOINT_CREATE)
    except audience.AudienceError:
        return {}


def campaigns_between(*, day_from: int, day_to: int) -> list[dict[str, Any]]:
    """Campaigns whose (first) start falls between two YYYYMMDD days, in the account's zone."""
    campaign_statuses_advance()
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.datetime.strptime(str(day_from), "%Y%m%d"), zone)
    end = timezone.make_aware(datetime.datetime.strptime(str(day_to), "%Y%m%d"), zone)
    campaigns = SandboxCampaign.objects.filter(
        starts_at__gte=start, starts_at__lt=end + datetime.timedelta(days=1)
    ).order_by("starts_at", "id")
    return [
        {
            "id": campaign.id,
            "name": campaign.name,
            "status": LISTED_STATUS.get(campaign.status, campaign.status),
            "scheduled_on": int(
                timezone.localtime(campaign.starts_at, zone).strftime("%Y%m%d%H%M")
            ),
        }
        for campaign in campaigns
    ]


def message_reports(
    *,
    day_from: datetime.date,
    day_to: datetime.date,
    channels: Collection[str] = (),
    statuses: Collection[str] = (),
    labels: Collection[str] = (),
) -> list[dict[str, Any]]:
    """The rows `message/report.json` answers: the campaigns whose (first) start falls between
    two days in the account's zone, as CleverTap matches them (one that started before `from`
    is left out even while it runs), kept to those with any of the given channels, statuses and
    labels (each filter only when given)."""
    campaign_statuses_advance()
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.datetime.combine(day_from, datetime.time()), zone)
    end = timezone.make_aware(datetime.datetime.combine(day_to, datetime.time()), zone)
    campaigns = SandboxCampaign.objects.filter(
        starts_at__gte=start, starts_at__lt=end + datetime.timedelta(days=1)
    ).order_by("starts_at", "id")
    rows = [_report_row(campaign, zone=zone) for campaign in campaigns]
    return [
        row
        for row in rows
        if (not channels or row["channel"] in channels)
        and (not statuses or row["status"] in statuses)
        and (not labels or set(row["labels"]) & set(labels))
    ]


# create's target_mode -> the channel Message Reports names (its documented filter values).
# App inbox and WhatsApp are not among those values: their names here are guesses.
REPORT_CHANNELS = {
    "push": "push",
    "webpush": "browser",
    "email": "email",
    "sms": "sms",
    "whatsapp": "whatsapp",
    "webhook": "webhooks",
    "notificationinbox": "app_inbox",
}
# CleverTap's start_date ("22 Sep, 2024 10:30:00"), spelt out so no locale can change it.
MONTH_ABBREVIATIONS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def _report_row(campaign: SandboxCampaign, *, zone: datetime.tzinfo) -> dict[str, Any]:
    """One row as Message Reports answers it, keys spelt as CleverTap spells them ("message id"
    with a space). Counts once the campaign started, zeros before."""
    started = timezone.localtime(campaign.starts_at, zone)
    month = MONTH_ABBREVIATIONS[started.month - 1]
    labels = campaign.body.get("labels")
    never_ran = _unreported_state(campaign) in (STATE_SCHEDULED, STATE_STOPPED_BEFORE_RUN)
    totals = _totals({} if never_ran else _platform_stats(campaign))
    return {
        "message id": campaign.id,
        "message_name": campaign.name,
        # No target_mode is push, as CleverTap reads such a body (CLEVERTAP-READS.md §4).
        "channel": REPORT_CHANNELS.get(campaign.target_mode or "push", campaign.target_mode),
        "status": campaign.status,
        "start_date": f"{started:%d} {month}, {started:%Y %H:%M:%S}",
        "labels": [str(label) for label in labels] if isinstance(labels, list) else [],
        "sent": totals["sent"],
        "viewed": totals["viewed"],
        "clicked": totals["clicked"],
    }


def _campaign(campaign_id: int) -> SandboxCampaign:
    try:
        return SandboxCampaign.objects.get(pk=campaign_id)
    except SandboxCampaign.DoesNotExist:
        raise ApiError(
            ERROR_CAMPAIGN_NOT_FOUND.format(id=campaign_id), code=CODE_NOT_FOUND, http_status=404
        ) from None


# Async estimates


def async_estimate_create(
    *, body: dict[str, Any], estimates: dict[str, int], now: datetime.datetime | None = None
) -> AsyncEstimate:
    """Keep an estimate (counted now, on the audience as it is) to answer by request id later."""
    now = now or timezone.now()
    return AsyncEstimate.objects.create(
        request_id=uuid.uuid4().hex,
        body=body,
        estimates=estimates,
        ready_at=now + datetime.timedelta(seconds=ASYNC_ESTIMATE_SECONDS),
    )


def async_estimate_answer(
    *, request_id: str, now: datetime.datetime | None = None
) -> dict[str, Any]:
    """What a follow-up call with `request_id` answers (without the envelope's "status")."""
    now = now or timezone.now()
    try:
        asked = AsyncEstimate.objects.get(request_id=request_id)
    except AsyncEstimate.DoesNotExist:
        raise ApiError(
            ERROR_ESTIMATE_NOT_FOUND.format(request_id=request_id),
            code=CODE_NOT_FOUND,
            http_status=404,
        ) from None
    if now < asked.ready_at:
        return {"request_id": request_id, "state": ESTIMATE_PENDING}
    return {"request_id": request_id, "state": ESTIMATE_DONE, "estimates": asked.estimates}


# The request log


def request_record(
    *,
    method: str,
    path: str,
    account_id: str,
    body: Any,
    body_text: str,
    status_code: int,
    response: Any,
    response_text: str,
    fault: str,
    duration_ms: int,
) -> None:
    """Log one API request. Never raises: a failed log line must not change the answer."""
    try:
        entry = ReceivedRequest.objects.create(
            method=method[:10],
            path=path[:300],
            account_id=account_id[:100],
            body=body,
            body_text=body_text[:TEXT_KEPT],
            status_code=status_code,
            response=response,
            response_text=response_text[:TEXT_KEPT],
            fault=fault,
            duration_ms=max(0, duration_ms),
        )
        if entry.pk and entry.pk % 100 == 0:
            ReceivedRequest.objects.filter(id__lte=entry.pk - REQUESTS_KEPT).delete()
    except DatabaseError:
        logger.exception("Could not record a sandbox API request to %s", path)
