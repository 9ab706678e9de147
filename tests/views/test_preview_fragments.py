"""The live preview's parts rendered once and reused (the schedule, the week of quiet hours): the
same HTML as rendered afresh, and new HTML as soon as what it shows changes."""

import datetime

from django.urls import reverse

from campaigns import services
from campaigns.forms import schedule as schedule_forms
from campaigns.models import Api
from campaigns.views import composer as composer_views
from devtools.bench.formdata import submitted_data
from tests.drafts import PUSH_BODY

WHEN = {
    "type": "recurring",
    "repeat_type": "week",
    "repeats_every": 1,
    "repeat_on_days_of_week": [2],
    "start_time": "20990105 10:00",
    "dnd": {
        "message_state": "delay",
        "dnd_timezone": "user",
        "dnd_info": {"2": ["21:00", "06:00"]},
    },
}


def week(html: str) -> str:
    figure = html[html.index('<figure class="dnd-week"') :]
    return figure[: figure.index("</figure>")]


def test_the_week_of_quiet_hours_is_rendered_once_and_follows_each_change(
    composer_client, composer_user
):
    campaign = services.campaign_create(
        user=composer_user, api=Api.TARGETS, channel="push", body={**PUSH_BODY, "when": WHEN}
    )
    page = composer_client.get(reverse("campaigns:composer", args=[campaign.pk]))
    data = dict(submitted_data(page.content.decode()).lists())
    # As from a page that shows no schedule yet: every answer carries it.
    data.pop(composer_views.SCHEDULE_SHOWN_INPUT)
    url = reverse("campaigns:composer_preview", args=[campaign.pk])

    composer_views._SCHEDULES_RENDERED.clear()
    composer_views._DND_WEEKS_RENDERED.clear()
    fresh = composer_client.post(url, data).content.decode()
    assert len(composer_views._SCHEDULES_RENDERED) == 1
    assert len(composer_views._DND_WEEKS_RENDERED) == 1
    kept = composer_client.post(url, data | {"content-body": ["Another body"]}).content.decode()
    assert week(kept) == week(fresh)
    assert len(composer_views._SCHEDULES_RENDERED) == 1
    # Another start: the send times drawn again, the same week of quiet hours reused.
    assert data["schedule-start_time"] == ["2099-01-05T10:00"], data["schedule-start_time"]
    later = composer_client.post(url, data | {"schedule-start_time": ["2099-01-05T11:00"]})
    times = later.content.decode().split('id="schedule-preview"')[1].split("</ol>")[0]
    assert "Jan 2099, 11:00" in times and "10:00" not in times
    assert len(composer_views._SCHEDULES_RENDERED) == 2
    assert len(composer_views._DND_WEEKS_RENDERED) == 1
    assert 'class="dnd-block"' in week(fresh) and "Mon: quiet from 21:00 to 24:00" in fresh

    # Other hours: the figure shows them, rendered anew.
    starts = [key for key in data if key.startswith("schedule-dnd_info-0-") and "start" in key]
    assert starts, sorted(key for key in data if "dnd" in key)
    changed = composer_client.post(url, data | {starts[0]: ["22:00"]}).content.decode()
    assert "Mon: quiet from 22:00 to 24:00" in changed
    assert week(changed) != week(fresh)
    assert len(composer_views._DND_WEEKS_RENDERED) == 2


def test_the_schedule_is_rendered_again_when_the_minute_changes(
    composer_client, composer_user, monkeypatch
):
    """Kept by its minute: a send "now" shows the minute of each preview, not the first one's."""
    campaign = services.campaign_create(
        user=composer_user, api=Api.TARGETS, channel="push", body={**PUSH_BODY, "when": "now"}
    )
    page = composer_client.get(reverse("campaigns:composer", args=[campaign.pk]))
    data = dict(submitted_data(page.content.decode()).lists())
    data.pop(composer_views.SCHEDULE_SHOWN_INPUT)
    url = reverse("campaigns:composer_preview", args=[campaign.pk])
    composer_views._SCHEDULES_RENDERED.clear()
    shown = []
    for minute in (10, 11):
        at = datetime.datetime(2099, 12, 31, 9, minute, 30, tzinfo=datetime.UTC)
        monkeypatch.setattr(schedule_forms, "current_time", lambda at=at: at)
        html = composer_client.post(url, data).content.decode()
        shown.append(html[html.index('id="schedule-preview"') :][:600])
    assert "Thu 31 Dec 2099" in shown[0]
    assert shown[0] != shown[1]
    assert len(composer_views._SCHEDULES_RENDERED) == 2


def test_the_schedule_is_sent_only_when_it_shows_something_else(composer_client, composer_user):
    """The page posts the digest of the schedule it shows; a preview that leaves the schedule
    as it was answers without it (the page keeps its own), another schedule swaps it."""
    campaign = services.campaign_create(
        user=composer_user, api=Api.TARGETS, channel="push", body={**PUSH_BODY, "when": WHEN}
    )
    page = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    data = dict(submitted_data(page).lists())
    url = reverse("campaigns:composer_preview", args=[campaign.pk])
    shown = page.split('id="schedule-shown"')[1].split('value="')[1].split('"')[0]
    assert len(shown) == 16
    same = {**data, "content-body": ["Another body"], composer_views.SCHEDULE_SHOWN_INPUT: shown}
    kept = composer_client.post(url, same).content.decode()
    assert 'id="preview"' in kept and "schedule-panel" not in kept
    assert 'class="dnd-week"' not in kept

    other = same | {"schedule-start_time": ["2099-01-05T11:00"]}
    swapped = composer_client.post(url, other).content.decode()
    assert '<div id="schedule-panel" hx-swap-oob="true">' in swapped
    assert "Jan 2099, 11:00" in swapped
    assert swapped.split('id="schedule-shown"')[1].split('value="')[1].split('"')[0] != shown

    # A page that posts no digest (or an old one) gets the schedule.
    data.pop(composer_views.SCHEDULE_SHOWN_INPUT)
    fresh = composer_client.post(url, data).content.decode()
    assert '<div id="schedule-panel" hx-swap-oob="true">' in fresh
