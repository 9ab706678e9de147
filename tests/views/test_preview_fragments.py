"""The live preview's parts rendered once and reused (the week of quiet hours): the same HTML as
rendered afresh, and new HTML as soon as what it shows changes."""

from django.urls import reverse

from campaigns import services
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
    url = reverse("campaigns:composer_preview", args=[campaign.pk])

    composer_views._DND_WEEKS_RENDERED.clear()
    fresh = composer_client.post(url, data).content.decode()
    assert len(composer_views._DND_WEEKS_RENDERED) == 1
    kept = composer_client.post(url, data | {"content-body": ["Another body"]}).content.decode()
    assert week(kept) == week(fresh)
    assert 'class="dnd-block"' in week(fresh) and "Mon: quiet from 21:00 to 24:00" in fresh

    # Other hours: the figure shows them, rendered anew.
    starts = [key for key in data if key.startswith("schedule-dnd_info-0-") and "start" in key]
    assert starts, sorted(key for key in data if "dnd" in key)
    changed = composer_client.post(url, data | {starts[0]: ["22:00"]}).content.decode()
    assert "Mon: quiet from 22:00 to 24:00" in changed
    assert week(changed) != week(fresh)
    assert len(composer_views._DND_WEEKS_RENDERED) == 2
