"""The live preview's parts rendered once and reused (the schedule, the week of quiet hours, the
device preview, the length counters): the same HTML as rendered afresh, and new HTML as soon as
what it shows changes."""

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


def opened(client, user, body: dict, *, api: str = Api.TARGETS, channel: str = "push"):
    """A new draft, its composer page, the form data it posts and where its live preview posts."""
    campaign = services.campaign_create(user=user, api=api, channel=channel, body=body)
    page = client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    url = reverse("campaigns:composer_preview", args=[campaign.pk])
    return campaign, page, dict(submitted_data(page).lists()), url


def drawn(kind: str) -> int:
    """How many fragments of a kind are kept: "schedule", or a template's name ("#dnd-week")."""
    return sum(key[0] == kind or key[0].endswith(kind) for key in composer_views._DRAWN.drawn)


def week(html: str) -> str:
    figure = html[html.index('<figure class="dnd-week"') :]
    return figure[: figure.index("</figure>")]


def test_the_week_of_quiet_hours_is_rendered_once_and_follows_each_change(
    composer_client, composer_user
):
    _, _, data, url = opened(composer_client, composer_user, {**PUSH_BODY, "when": WHEN})
    # As from a page that shows no schedule yet: every answer carries it.
    data.pop(composer_views.SCHEDULE_SHOWN_INPUT)

    composer_views._DRAWN.drawn.clear()
    fresh = composer_client.post(url, data).content.decode()
    assert drawn("schedule") == 1
    assert drawn("#dnd-week") == 1
    kept = composer_client.post(url, data | {"content-body": ["Another body"]}).content.decode()
    assert week(kept) == week(fresh)
    assert drawn("schedule") == 1
    # Another start: the send times drawn again, the same week of quiet hours reused.
    assert data["schedule-start_time"] == ["2099-01-05T10:00"], data["schedule-start_time"]
    later = composer_client.post(url, data | {"schedule-start_time": ["2099-01-05T11:00"]})
    times = later.content.decode().split('id="schedule-preview"')[1].split("</ol>")[0]
    assert "Jan 2099, 11:00" in times and "10:00" not in times
    assert drawn("schedule") == 2
    assert drawn("#dnd-week") == 1
    assert 'class="dnd-block"' in week(fresh) and "Mon: quiet from 21:00 to 24:00" in fresh

    # Other hours: the figure shows them, rendered anew.
    starts = [key for key in data if key.startswith("schedule-dnd_info-0-") and "start" in key]
    assert starts, sorted(key for key in data if "dnd" in key)
    changed = composer_client.post(url, data | {starts[0]: ["22:00"]}).content.decode()
    assert "Mon: quiet from 22:00 to 24:00" in changed
    assert week(changed) != week(fresh)
    assert drawn("#dnd-week") == 2


def test_the_schedule_is_rendered_again_when_the_minute_changes(
    composer_client, composer_user, monkeypatch
):
    """Kept by its minute: a send "now" shows the minute of each preview, not the first one's."""
    _, _, data, url = opened(composer_client, composer_user, {**PUSH_BODY, "when": "now"})
    data.pop(composer_views.SCHEDULE_SHOWN_INPUT)
    composer_views._DRAWN.drawn.clear()
    shown = []
    for minute in (10, 11):
        at = datetime.datetime(2099, 12, 31, 9, minute, 30, tzinfo=datetime.UTC)
        monkeypatch.setattr(schedule_forms, "current_time", lambda at=at: at)
        html = composer_client.post(url, data).content.decode()
        shown.append(html[html.index('id="schedule-preview"') :][:600])
    assert "Thu 31 Dec 2099" in shown[0]
    assert shown[0] != shown[1]
    assert drawn("schedule") == 2


def test_the_schedule_is_sent_only_when_it_shows_something_else(composer_client, composer_user):
    """The page posts the digest of the schedule it shows; a preview that leaves the schedule
    as it was answers without it (the page keeps its own), another schedule swaps it."""
    _, page, data, url = opened(composer_client, composer_user, {**PUSH_BODY, "when": WHEN})
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


def device(html: str) -> str:
    figure = html[html.index('id="device-preview"') :]
    return figure[: figure.index("</figure>")]


def test_the_device_preview_and_counters_are_rendered_once_and_follow_each_change(
    composer_client, composer_user
):
    _, page, data, url = opened(composer_client, composer_user, PUSH_BODY)

    composer_views._DRAWN.drawn.clear()
    fresh = composer_client.post(url, data).content.decode()
    assert drawn("#push") == 1 and drawn("#counters-drawn") == 1
    # A keystroke elsewhere (the campaign's name) shows the same device: it is reused, as drawn.
    elsewhere = composer_client.post(url, data | {"campaign-name": ["Renamed"]}).content.decode()
    assert device(elsewhere) == device(fresh)
    assert drawn("#push") == 1 and drawn("#counters-drawn") == 1
    assert device(fresh) in page

    # A new title: the device and the title's counter show it.
    title = composer_client.post(url, data | {"content-title": ["A much newer title"]})
    html = title.content.decode()
    assert "A much newer title" in device(html) and "A much newer title" not in device(fresh)
    assert 'id="counter-title"' in html and "18 / 50 characters" in html
    assert drawn("#push") == 2 and drawn("#counters-drawn") == 2


def test_the_email_preview_links_to_the_saved_email(composer_client, composer_user):
    body = {
        "to": {"Email": ["user@example.com"]},
        "content": {"subject": "Welcome", "body": "<p>Hello</p>", "sender_name": "Shop"},
    }
    campaign, page, data, url = opened(
        composer_client, composer_user, body, api=Api.SEND, channel="email"
    )
    html = composer_client.post(url, data).content.decode()
    link = f'<a href="{reverse("campaigns:email_preview", args=[campaign.pk])}" target="_blank"'
    assert link in page and link in html
    assert f'hx-post="{url}"' in html
