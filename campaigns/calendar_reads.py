"""Reads for the calendar: the campaigns of this app and CleverTap's stored reports, as the
calendar's `Source`s, in two queries whatever their number (the database only: CleverTap is
never called on a page load; its reports are fetched by the background task)."""

import dataclasses
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTransform
from django.urls import reverse
from django.utils.http import urlencode

from campaigns import calendar, clevertap, reports
from campaigns.models import Api, Campaign, Channel, PublishAttempt, Status

# The status filter's choices: where a send stands, in a marketer's words.
STATUS_DRAFT = "draft"
STATUS_APPROVED = "approved"
STATUS_PUBLISHED = "published"
STATUS_ELSEWHERE = "elsewhere"
STATUS_CHOICES = [
    ("", "Any status"),
    (STATUS_DRAFT, "Drafts (not approved yet)"),
    (STATUS_APPROVED, "Approved"),
    (STATUS_PUBLISHED, "Published from here"),
    (STATUS_ELSEWHERE, "Made in CleverTap"),
]
_LOCAL_STATUSES = {
    STATUS_DRAFT: [Status.DRAFT, Status.IN_REVIEW],
    STATUS_APPROVED: [Status.APPROVED],
    STATUS_PUBLISHED: [Status.PUBLISHED, Status.STOPPED],
}
_KINDS = {
    Status.DRAFT: calendar.KIND_DRAFT,
    Status.IN_REVIEW: calendar.KIND_DRAFT,
    Status.APPROVED: calendar.KIND_APPROVED,
    Status.PUBLISHED: calendar.KIND_PUBLISHED,
    Status.STOPPED: calendar.KIND_PUBLISHED,
}
# Our channels as CleverTap's reports spell them.
REPORT_CHANNELS = {
    Channel.PUSH: "push",
    Channel.WEBPUSH: "browser",
    Channel.EMAIL: "email",
    Channel.SMS: "sms",
    Channel.WHATSAPP: "whatsapp",
    Channel.WEBHOOK: "webhooks",
    Channel.NOTIFICATIONINBOX: "app_inbox",
}
MADE_IN_CLEVERTAP = "Made in CleverTap"


@dataclasses.dataclass(frozen=True)
class CalendarFilters:
    channel: str = ""
    status: str = ""
    label: str = ""
    owner_id: int | None = None


def calendar_sources(
    *, first_day: date, last_day: date, filters: CalendarFilters
) -> list[calendar.Source]:
    """Every campaign that may send in the range: this app's (one query) and, unless the filters
    leave them out, CleverTap's reported ones that started in it and were not published from
    here (two queries)."""
    sources = _local_sources(filters)
    if filters.owner_id is None and filters.status in ("", STATUS_ELSEWHERE):
        sources += _reported_sources(first_day=first_day, last_day=last_day, filters=filters)
    return sources


def _local_sources(filters: CalendarFilters) -> list[calendar.Source]:
    statuses = _LOCAL_STATUSES.get(filters.status)
    if filters.status == STATUS_ELSEWHERE:
        return []
    live = PublishAttempt.objects.filter(campaign=OuterRef("pk"), live=True).order_by(
        "-created_at", "-id"
    )
    campaigns = (
        Campaign.objects.exclude(status=Status.ARCHIVED)
        # Drafts place only what has a schedule; what is published also when it went out.
        .filter(Q(stored_body__has_key="when") | Q(status__in=Campaign.IN_CLEVERTAP))
        .select_related("owner")
        .only("pk", "name", "api", "channel", "status", "labels_text", "owner")
        .annotate(
            when=KeyTransform("when", "stored_body"),
            sent_at=Subquery(live.values("created_at")[:1]),
            clevertap_id=Subquery(live.values("clevertap_id")[:1]),
        )
        .order_by("pk")
    )
    if statuses is not None:
        campaigns = campaigns.filter(status__in=statuses)
    if filters.channel:
        campaigns = campaigns.filter(channel=filters.channel)
    if filters.label:
        campaigns = campaigns.filter(labels_text__icontains=f",{filters.label},")
    if filters.owner_id is not None:
        campaigns = campaigns.filter(owner_id=filters.owner_id)
    return [_local_source(campaign) for campaign in campaigns]


def _local_source(campaign: Campaign) -> calendar.Source:
    kind = _KINDS[campaign.status]
    if kind == calendar.KIND_PUBLISHED:
        url = reverse("campaigns:published", args=[campaign.pk])
    else:
        url = reverse("campaigns:composer", args=[campaign.pk])
    channel = campaign.get_channel_display()
    # An identity send goes out when it is published, whatever `when` it holds.
    when = "now" if campaign.api == Api.SEND else campaign.when
    return calendar.Source(
        key=f"campaign-{campaign.pk}",
        name=campaign.name,
        kind=kind,
        channel=channel,
        status=campaign.get_status_display(),
        url=url,
        owner=campaign.owner.get_username(),
        when=when,
        sent_at=campaign.sent_at if kind == calendar.KIND_PUBLISHED else None,
        clevertap_id="" if campaign.clevertap_id is None else str(campaign.clevertap_id),
    )


def _reported_sources(
    *, first_day: date, last_day: date, filters: CalendarFilters
) -> list[calendar.Source]:
    try:
        account_id = clevertap.account_current().account_id
    except clevertap.CleverTapError:
        return []
    rows = reports.report_rows(
        account_id=account_id, date_from=first_day, date_to=last_day, label=filters.label
    ).filter(started_at__isnull=False)
    if filters.channel:
        rows = rows.filter(channel__iexact=REPORT_CHANNELS.get(filters.channel, filters.channel))
    rows = list(rows.only("message_id", "name", "channel", "status", "started_at"))
    # Published from here: the local record stands for it (and its status filter).
    made_here = reports.made_here(message_ids=[row.message_id for row in rows])
    listing = reverse("campaigns:clevertap_campaigns")
    sources = []
    for row in rows:
        if row.message_id in made_here:
            continue
        day = row.started_at.astimezone(account_tz()).date()
        query = urlencode({"date_from": day.isoformat(), "date_to": day.isoformat()})
        sources.append(
            calendar.Source(
                key=f"report-{row.message_id}",
                name=row.name or row.message_id,
                kind=calendar.KIND_ELSEWHERE,
                channel=reports.channel_name(row.channel),
                status=reports.status_name(row.status) or MADE_IN_CLEVERTAP,
                url=f"{listing}?{query}",
                sent_at=row.started_at,
                clevertap_id=row.message_id,
            )
        )
    return sources


def account_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)
