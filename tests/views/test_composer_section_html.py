"""A page load draws each composer section's form once per content (campaigns/section_html.py):
a page drawn from the cache equals one drawn afresh, and each thing the drawing reads changes it."""

import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from campaigns import composer, section_cache, section_html, selectors
from campaigns.models import Campaign, Comment, WebhookEndpoint
from campaigns.review import comments
from tests.views.test_composer import FIRST_OF_EACH_CHANNEL, imported, page_data

pytestmark = pytest.mark.django_db

SEND = next(e for e in FIRST_OF_EACH_CHANNEL if "send" in e.endpoint)
WEBHOOK = next(e for e in FIRST_OF_EACH_CHANNEL if e.channel == "webhook")
# What differs between two loads of the same page: the tokens and nonces of each response, and
# the schedule preview's "now".
PER_RESPONSE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), "CSRF"),
    (re.compile(r'X-CSRFToken": "[^"]+"'), "CSRF"),
    (re.compile(r'[Nn]once(": "|=")[^"]+"'), "NONCE"),
    (re.compile(r"\d\d:\d\d:\d\d\.\d+\+00:00"), "NOW"),
]


def page(client, campaign: Campaign) -> str:
    response = client.get(reverse("campaigns:composer", args=[campaign.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for pattern, stands_for in PER_RESPONSE:
        html = pattern.sub(stands_for, html)
    return html


@pytest.fixture
def drawings(monkeypatch) -> list[str]:
    """The prefixes of the sections each page load drew rather than took from the cache."""
    drawn: list[str] = []
    draw = section_html.get_template

    def counted(name):
        drawn.append(name)
        return draw(name)

    monkeypatch.setattr(section_html, "get_template", counted)
    return drawn


@pytest.mark.parametrize("example", FIRST_OF_EACH_CHANNEL, ids=lambda e: e.name)
def test_a_page_drawn_from_the_cache_equals_one_drawn_afresh(
    composer_client, composer_user, drawings, example
):
    campaign = imported(composer_user, example)
    caches[section_cache.CACHE_ALIAS].clear()
    afresh = page(composer_client, campaign)
    assert drawings, "the first load draws its sections"
    drawings.clear()
    kept = page(composer_client, campaign)
    assert drawings == []
    assert kept == afresh


def test_the_drawing_follows_the_sections_data(composer_client, composer_user):
    campaign = imported(composer_user, FIRST_OF_EACH_CHANNEL[0])
    data = page_data(composer_client, campaign)
    name = next(key for key, values in data.items() if values == [campaign.body["name"]])
    data[name] = ["A name typed later"]
    saved = composer_client.post(
        reverse("campaigns:composer_save", args=[campaign.pk]), data, headers={"HX-Request": "true"}
    )
    assert saved.status_code == 200
    assert 'value="A name typed later"' in page(composer_client, campaign)


def test_the_drawing_follows_the_account_options(composer_client, composer_user):
    campaign = imported(composer_user, WEBHOOK)
    assert "Zebra endpoint" not in page(composer_client, campaign)
    WebhookEndpoint.objects.create(name="Zebra endpoint")
    assert "Zebra endpoint" in page(composer_client, campaign)


def test_the_drawing_follows_the_comments_on_its_fields(as_user, people):
    campaign = imported(people["composer"], FIRST_OF_EACH_CHANNEL[0])
    client = as_user("composer")
    page(client, campaign)
    comment = comments.comment_add(
        campaign=campaign, user=people["reviewer"], text="Shorter, please.", path="name"
    )
    html = page(client, campaign)
    assert f'id="comment-{comment.pk}"' in html
    assert 'class="field-comments"' in html
    Comment.objects.filter(pk=comment.pk).delete()
    assert 'class="field-comments"' not in page(client, campaign)


def test_the_drawing_follows_the_permission_to_edit(as_user, people):
    campaign = imported(people["composer"], SEND)
    assert "data-identity-drop" in page(as_user("composer"), campaign)
    assert "data-identity-drop" not in page(as_user("reviewer"), campaign)
    assert "data-identity-drop" in page(as_user("composer"), campaign)


def test_the_drawing_follows_the_draft(composer_client, composer_user):
    first = imported(composer_user, SEND)
    second = imported(composer_user, SEND)
    page(composer_client, first)
    html = page(composer_client, second)
    upload = "campaigns:identity_upload"
    assert reverse(upload, args=[second.pk]) in html
    assert reverse(upload, args=[first.pk]) not in html


def kept_keys(campaign, **changed) -> dict[str, str]:
    state = composer.composer_load(campaign, options=selectors.account_options(composing=True))
    found = comments.composer_comments(campaign=campaign, places=state.field_places, sections=[])
    given = {"can_edit": True, "counters": None, "comments": found} | changed
    return section_html.kept_forms(state, **given).keys


def test_each_input_of_a_drawing_changes_its_key(composer_user, monkeypatch):
    campaign = imported(composer_user, FIRST_OF_EACH_CHANNEL[0])
    keys = kept_keys(campaign)
    assert keys and kept_keys(campaign) == keys
    assert set(kept_keys(campaign, can_edit=False).values()).isdisjoint(keys.values())
    counters = {"title": "12 characters"}
    assert set(kept_keys(campaign, counters=counters).values()).isdisjoint(keys.values())
    monkeypatch.setattr(section_cache, "_code_version", lambda: "another deploy")
    assert set(kept_keys(campaign).values()).isdisjoint(keys.values())
