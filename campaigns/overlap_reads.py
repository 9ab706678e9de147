"""Reads for the overlap warnings: a campaign's plan against the others on its channel, and the
overlaps of the sends a calendar shows, in a fixed number of queries whatever their number (the
database only: CleverTap is never called)."""

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from campaigns import calendar, calendar_reads, overlaps
from campaigns.models import AccountSettings, Api, Campaign, Status

# How far ahead a composer or a review looks for another campaign's sends.
HORIZON = timedelta(weeks=6)
# What can still send: drafts (a plan), approved and published campaigns.
CANDIDATES = [Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.PUBLISHED]


def overlap_window() -> timedelta:
    return timedelta(hours=AccountSettings.current().overlap_window_hours)


def campaign_overlaps(campaign: Campaign, *, now: datetime | None = None) -> list[overlaps.Overlap]:
    """The campaigns on `campaign`'s channel that can reach the same people within the account's
    window of one of its sends in the next weeks, nearest first (two queries)."""
    now = now or timezone.now()
    end = now + HORIZON
    plan = _plan(campaign, start=now, end=end)
    if not plan.sends or plan.audience.kind == overlaps.OTHER:
        return []
    window = overlap_window()
    others = (
        Campaign.objects.filter(channel=campaign.channel, status__in=CANDIDATES)
        .filter(stored_body__has_key="when")
        .exclude(pk=campaign.pk)
        .select_related("identity_list")
        .only("pk", "name", "api", "channel", "status", "stored_body", "identity_list")
        .order_by("pk")
    )
    plans = (_plan(other, start=now - window, end=end + window) for other in others)
    return overlaps.overlaps_of(plan, plans, window=window)


def calendar_overlaps(
    days: Sequence[calendar.Day],
) -> dict[tuple[str, datetime], list[overlaps.Overlap]]:
    """The overlaps of the campaigns of this app among the sends of the days shown, keyed by
    (source key, send time) as the calendar's entries are (two queries)."""
    sends: dict[str, list[datetime]] = {}
    for day in days:
        for entry in day.entries:
            if entry.source.key.startswith("campaign-"):
                sends.setdefault(entry.source.key, []).append(entry.at)
    if not sends:
        return {}
    pks = [int(key.removeprefix("campaign-")) for key in sends]
    campaigns = (
        Campaign.objects.filter(pk__in=pks)
        .select_related("identity_list")
        .only("pk", "name", "api", "channel", "stored_body", "identity_list")
    )
    plans = [_plan(campaign, sends=sends[f"campaign-{campaign.pk}"]) for campaign in campaigns]
    return overlaps.overlaps_by_send(plans, window=overlap_window())


def days_with_overlaps(days: Sequence[calendar.Day]) -> list[calendar.Day]:
    """The calendar's days, each entry with the overlaps of its send (two queries)."""
    marked = calendar_overlaps(days)
    if not marked:
        return list(days)
    return [
        dataclasses.replace(
            day,
            entries=tuple(
                dataclasses.replace(
                    entry, overlaps=tuple(marked.get((entry.source.key, entry.at), ()))
                )
                for entry in day.entries
            ),
        )
        for day in days
    ]


def _plan(
    campaign: Campaign,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    sends: Iterable[datetime] = (),
) -> overlaps.Plan:
    body = campaign.body
    if start is not None and end is not None:
        sends = _sends(campaign, body, start=start, end=end)
    return overlaps.Plan(
        key=f"campaign-{campaign.pk}",
        name=campaign.name,
        channel=campaign.channel,
        audience=overlaps.audience_of(body),
        sends=tuple(sends),
        url=reverse("campaigns:composer", args=[campaign.pk]),
    )


def _sends(campaign: Campaign, body: dict, *, start: datetime, end: datetime) -> list[datetime]:
    """Its scheduled sends from `start` to `end`, as the calendar places them."""
    # An identity send goes out when it is published, whatever `when` it holds.
    when = "now" if campaign.api == Api.SEND else body.get("when")
    source = calendar.Source(
        key=f"campaign-{campaign.pk}",
        name=campaign.name,
        kind=calendar.KIND_DRAFT,
        channel=campaign.channel,
        status="",
        url="",
        when=when,
    )
    tz = calendar_reads.account_tz()
    try:
        entries = calendar.source_entries(source, start=start, end=end, account_tz=tz)
    except (TypeError, ValueError):
        return []  # a schedule not read: the composer says what is wrong with it
    return [entry.at for entry in entries]
