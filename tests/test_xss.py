"""Hostile text typed anywhere in a draft is shown escaped on every page that shows it.

Every reference example is imported with each of its texts, its free keys (custom key-values,
webhook key-values) and an unmodelled key replaced by script, markup or `javascript:` strings;
then every page that shows the draft is read and the raw strings must not appear in it.
"""

import json
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from campaigns import services
from campaigns.models import Campaign, Status
from campaigns.publishing import confirm
from campaigns.review import approvals, comments
from devtools.bench.formdata import submitted_data
from sandbox import testing
from tests.reference_examples import reference_examples

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
HOSTILE = (SCRIPT, IMG, JS_URL)
# What must never reach a page as markup.
RAW = ("<script>alert(1)", "<img src=x onerror", "onerror=alert(1)>")
# `javascript:` is harmless as text and as an image source (browsers never run it there); it
# must never become a link, a form target or a frame.
JS_ATTRIBUTE = re.compile(
    r"""(href|action|formaction|<i?frame[^>]*\ssrc)\s*=\s*["']?\s*javascript:""", re.I
)
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_IMG = "&lt;img src=x onerror=alert(1)&gt;"
# Keys that say which form reads the body: changing them would test another draft, not escaping.
STRUCTURAL = {"target_mode"}
# Objects whose keys people type (custom key-values, webhook key-values, key-value rows).
FREE_KEYS = {"ios", "android", "webhook_key_value", "header_kvs", "message_kvs", "target_kvs"}

EXAMPLES = reference_examples()


class Poisoner:
    """Replaces texts and free keys by hostile strings, in turn."""

    def __init__(self) -> None:
        self.count = 0

    def next(self) -> str:
        self.count += 1
        return HOSTILE[self.count % len(HOSTILE)]

    def poison(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            poisoned = {k: self.poison(v, k) for k, v in value.items()}
            if key in FREE_KEYS:
                poisoned[self.next() + key] = self.next()
            return poisoned
        if isinstance(value, list):
            return [self.poison(item, key) for item in value]
        if isinstance(value, str) and key not in STRUCTURAL:
            return self.next()
        return value

    def body(self, body: dict) -> dict:
        poisoned = self.poison(body)
        poisoned[SCRIPT] = IMG  # a key no form models: shown under "Additional fields"
        poisoned["labels"] = list(HOSTILE)
        return poisoned


def assert_escaped(html: str, where: str) -> None:
    for raw in RAW:
        assert raw not in html, f"{raw!r} appears unescaped in {where}"
    assert not JS_ATTRIBUTE.search(html), f"a javascript: URL is a link or source in {where}"


def import_poisoned(example, user) -> Campaign:
    body = Poisoner().body(example.body)
    return services.campaign_import(user=user, body=body, endpoint=example.endpoint).campaign


@pytest.mark.django_db
@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_hostile_texts_are_escaped_in_the_composer_and_its_preview(composer_client, example):
    user = get_user_model().objects.get(username="composer")
    campaign = import_poisoned(example, user)

    page = composer_client.get(reverse("campaigns:composer", args=[campaign.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert_escaped(html, "the composer")
    assert ESCAPED_SCRIPT in html

    data = submitted_data(html)
    for name in ("composer_preview", "composer_target"):
        fragment = composer_client.post(reverse(f"campaigns:{name}", args=[campaign.pk]), data)
        assert fragment.status_code == 200
        assert_escaped(fragment.content.decode(), name)
    # A whole-page post (no JavaScript) renders the bound forms again.
    again = composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    assert_escaped(again.content.decode(), "the composer after a post")


@pytest.mark.django_db
def test_hostile_names_and_labels_are_escaped_in_the_lists(composer_client):
    user = get_user_model().objects.get(username="composer")
    campaigns = [import_poisoned(example, user) for example in EXAMPLES[:6]]
    named = services.campaign_import(
        user=user, body={"name": SCRIPT, "target_mode": "push", "labels": [IMG]}, name=None
    ).campaign
    assert named.name == SCRIPT

    lists = composer_client.get(reverse("campaigns:draft_list"))
    assert_escaped(lists.content.decode(), "the drafts list")
    assert ESCAPED_SCRIPT in lists.content.decode()
    fragment = composer_client.get(
        reverse("campaigns:draft_list"), {"q": SCRIPT}, HTTP_HX_REQUEST="true"
    )
    assert_escaped(fragment.content.decode(), "the drafts list fragment")

    Campaign.objects.filter(pk__in=[c.pk for c in campaigns[:3]] + [named.pk]).update(
        status=Status.IN_REVIEW
    )
    Campaign.objects.filter(pk__in=[c.pk for c in campaigns[3:]]).update(status=Status.PUBLISHED)
    for name in ("campaigns:review_queue", "campaigns:published_list"):
        response = composer_client.get(reverse(name))
        assert response.status_code == 200
        html = response.content.decode()
        assert_escaped(html, name)
        assert ESCAPED_SCRIPT in html or ESCAPED_IMG in html


@pytest.mark.django_db
def test_the_email_html_is_served_alone_under_a_sandboxing_policy(composer_client):
    user = get_user_model().objects.get(username="composer")
    body = {
        "name": SCRIPT,
        "target_mode": "email",
        "where": {},
        "when": "now",
        "content": {"subject": IMG, "body": SCRIPT + '<img src="http://127.0.0.1:9/x.png">'},
    }
    campaign = services.campaign_import(user=user, body=body).campaign

    composer_page = composer_client.get(reverse("campaigns:composer", args=[campaign.pk]))
    assert_escaped(composer_page.content.decode(), "the email composer")
    # The HTML is the email itself: it is served as such, but sandboxed and with nothing remote.
    response = composer_client.get(reverse("campaigns:email_preview", args=[campaign.pk]))
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy
    assert "script-src" not in policy or "'unsafe-inline'" not in policy
    assert "http://127.0.0.1:9" not in policy and "img-src *" not in policy


@pytest.mark.django_db
def test_bodies_sent_to_the_sandbox_are_shown_escaped(client, demo_users):
    testing.sandbox_reset()
    for example in EXAMPLES:
        body = Poisoner().body(example.body)
        client.post(
            f"/sandbox/{example.endpoint}",
            data=json.dumps(body),
            content_type="application/json",
            **testing.client_headers(),
        )
    # Not even JSON: shown as the text it was.
    client.post(
        "/sandbox/1/send/email.json",
        data=IMG + SCRIPT,
        content_type="application/json",
        **testing.client_headers(),
    )
    client.login(username="admin", password=demo_users["admin"].password)
    page = client.get(reverse("sandbox:overview"))
    assert page.status_code == 200
    assert_escaped(page.content.decode(), "the sandbox page")
    assert ESCAPED_SCRIPT in page.content.decode()


PUBLISHABLE = {
    "name": SCRIPT,
    "target_mode": "push",
    "labels": [IMG, JS_URL],
    "where": {},
    "when": "now",
    "content": {"title": IMG, "body": SCRIPT},
}


@pytest.mark.django_db(transaction=True)
def test_hostile_texts_are_escaped_on_the_confirmation_and_published_pages(people, sandbox, client):
    publisher = people["publisher"]
    client.force_login(publisher)
    campaign = services.campaign_create(
        user=people["composer"], api="targets", channel="push", body=dict(PUBLISHABLE)
    )
    url = reverse("campaigns:publish", args=[campaign.pk])

    estimate = client.post(reverse("campaigns:estimate", args=[campaign.pk]))
    assert_escaped(estimate.content.decode(), "the estimate")
    confirmation = client.get(url)
    assert confirmation.status_code == 200
    html = confirmation.content.decode()
    assert_escaped(html, "the publish confirmation")
    assert ESCAPED_SCRIPT in html

    # Publishing needs an approval of this exact body first (campaigns/review/).
    approvals.campaign_submit(campaign=campaign, user=people["composer"])
    approvals.campaign_approve(
        campaign=Campaign.objects.get(pk=campaign.pk), user=people["reviewer"]
    )
    campaign = Campaign.objects.get(pk=campaign.pk)
    client.post(reverse("campaigns:estimate", args=[campaign.pk]))
    token = confirm.publish_confirmation(campaign=campaign, user=publisher).token
    posted = client.post(url, {"confirmation_token": token}, follow=True)
    assert_escaped(posted.content.decode(), "the answer to publishing")
    published = client.get(reverse("campaigns:published", args=[campaign.pk]))
    assert published.status_code == 200
    html = published.content.decode()
    assert_escaped(html, "the published page")
    assert ESCAPED_SCRIPT in html


@pytest.mark.django_db
def test_hostile_comments_are_escaped_wherever_the_draft_is_shown(composer_client):
    user = get_user_model().objects.get(username="composer")
    campaign = services.campaign_create(
        user=user, api="targets", channel="push", body=dict(PUBLISHABLE)
    )
    for text in HOSTILE:
        comments.comment_add(campaign=campaign, user=user, text=text)
    for url in (
        reverse("campaigns:composer", args=[campaign.pk]),
        reverse("campaigns:draft_list"),
    ):
        assert_escaped(composer_client.get(url).content.decode(), url)
