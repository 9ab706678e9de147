"""The push and web push title and message counters in the composer: under their fields, with the
page and with each live preview."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from campaigns import previews
from campaigns.models import Api
from tests.drafts import PUSH_BODY, new_draft
from tests.views.test_composer import page_data

pytestmark = pytest.mark.django_db

LONG_TITLE = "x" * 62


def counter(html: str, field: str) -> tuple[str, str]:
    """The state and the words of `field`'s counter in a page or fragment."""
    found = re.search(
        rf'<div class="form-text length-counter" id="counter-{field}" data-state="([a-z]*)"'
        r"[^>]*>(.*?)</div>",
        html,
        re.S,
    )
    assert found, f"no counter for {field}"
    return found[1], found[2]


def test_the_page_shows_the_title_counter_under_the_field_linked_to_it(
    composer_client, composer_user
):
    body = {**PUSH_BODY, "content": {"title": LONG_TITLE, "body": "Up to 40% off"}}
    campaign = new_draft(composer_user, body)
    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    state, words = counter(html, "title")
    assert state == previews.LONG
    assert "Long:" in words
    assert escape("62 / 50 characters: iOS cuts the title after about 50 characters") in words
    title_input = re.search(r'<input[^>]*name="content-title"[^>]*>', html)[0]
    assert 'aria-describedby="counter-title"' in title_input
    assert counter(html, "body")[0] == previews.FITS
    # The device preview cuts the title where iOS does; Android shows all 62.
    assert "x" * 50 + previews.ELLIPSIS in html
    assert f">{LONG_TITLE}</div>" in html


def test_the_live_preview_swaps_the_counters_out_of_band(composer_client, composer_user):
    campaign = new_draft(composer_user)
    data = page_data(composer_client, campaign)
    assert (
        counter(
            composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode(),
            "title",
        )[0]
        == previews.FITS
    )
    data["content-title"] = "Hi {{ Profile.first_name }}, " + "y" * 60
    html = composer_client.post(
        reverse("campaigns:composer_preview", args=[campaign.pk]),
        data,
        headers={"HX-Request": "true"},
    ).content.decode()
    state, words = counter(html, "title")
    assert state == previews.LONG
    assert 'id="counter-title" data-state="long" hx-swap-oob="true"' in html
    assert escape(previews.TAGS_AS_TYPED) in words


def test_a_web_push_title_counter_names_the_browsers_that_cut_it(composer_client, composer_user):
    body = {
        "name": "Web",
        "target_mode": "webpush",
        "where": {},
        "when": "now",
        "content": {"title": "z" * 40, "body": "Short"},
    }
    campaign = new_draft(composer_user, body, api=Api.TARGETS, channel="webpush")
    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    state, words = counter(html, "title")
    assert state == previews.LONG
    assert (
        "40 / 30 characters: Safari on macOS cuts the title after about 30 characters "
        "in a collapsed notification, Chrome on macOS and Android after about 35."
    ) in words
    assert counter(html, "body")[0] == previews.FITS
