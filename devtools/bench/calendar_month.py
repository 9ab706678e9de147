"""The calendar's month over HTTP, with few and with many scheduled campaigns: its queries must not
grow with them (each campaign's sends are expanded in Python, from the one query's rows)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Api, Campaign, Channel, Status
from devtools.bench import stats
from devtools.bench.report import Reference, Row
from devtools.bench.web import Browser, _in_process_client, _ok_in_process, health_url

NAME = "Bench calendar {number}"
STATUSES = (Status.DRAFT, Status.APPROVED, Status.PUBLISHED)


def calendar_fill(user, *, total: int, month: datetime.date) -> int:
    """Add scheduled campaigns until `total` are on the month's calendar (weekly recurring pushes,
    one-off sends, in turn drafts, approved and published); how many were added."""
    existing = Campaign.objects.filter(name__startswith=NAME.format(number="")).count()
    channels = Channel.values
    added = []
    for number in range(existing + 1, total + 1):
        day = month.replace(day=1 + number % 28)
        if number % 2:
            when = {
                "type": "recurring",
                "repeat_type": "week",
                "repeats_every": 1,
                "repeat_on_days_of_week": [1 + number % 7],
                "start_time": f"{month.replace(day=1):%Y%m%d} {number % 24:02d}:00",
            }
        else:
            when = {"type": "later", "delivery_date_time": [f"{day:%Y%m%d} {number % 24:02d}:30"]}
        name = NAME.format(number=number)
        channel = channels[number % len(channels)]
        added.append(
            Campaign(
                name=name,
                owner=user,
                updated_by=user,
                api=Api.TARGETS,
                channel=channel,
                status=STATUSES[number % len(STATUSES)],
                body={"name": name, "target_mode": channel, "where": {}, "when": when},
            )
        )
    Campaign.objects.bulk_create(added, batch_size=1000)
    return len(added)


def calendar_clear() -> None:
    """Remove the calendar's campaigns, so that the rows measured after it start as before."""
    Campaign.objects.filter(name__startswith=NAME.format(number="")).delete()


def calendar_month(browser: Browser, user, *, campaigns: int, month: datetime.date, repeat: int):
    url = f"{reverse('campaigns:calendar')}?view=month&date={month:%Y-%m-%d}"
    health = health_url()
    client = _in_process_client(user)
    _ok_in_process(client.get(url), url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    _ok_in_process(response, url)
    browser.get(url)
    pages, references = stats.interleaved(
        lambda: browser.get(url), lambda: browser.get(health), repeat=repeat
    )
    return Row(
        key=f"calendar_month_{campaigns}",
        label=f"calendar month, {campaigns:,} campaigns",
        timing=stats.summary(pages),
        queries=len(queries),
        reference=Reference("health", stats.summary(references)),
        details={"campaigns": campaigns, "sends": response.content.count(b'class="cal-entry ')},
    )


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)
