"""Reach that follows the audience: the composer posts what is typed after an audience edit, and
CleverTap (the sandbox, over HTTP) is asked only for an audience it has not answered for; the
panel's age, match and chart; the review page's estimate of the exact version."""

import html

import pytest
from django.core.cache import cache
from django.urls import reverse

from campaigns import clevertap, clevertap_limits, services
from campaigns.models import Estimate
from campaigns.publishing import audience_keys, estimates, reach, reach_chart
from devtools.bench.formdata import submitted_data
from sandbox import faults as sandbox_faults
from tests import sandbox_records
from tests.drafts import email_send_body, emails, estimated, fresh, new_draft


def estimate_calls() -> list:
    """The estimates the sandbox received (create.json with estimate_only)."""
    return [
        request
        for request in sandbox_records.received("targets/create.json")
        if isinstance(request.body, dict) and request.body.get("estimate_only") is True
    ]


def typed(client, campaign, **changes):
    """The composer form as the page posts it, with `changes` typed in it."""
    page = client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    data = submitted_data(page, form_id="composer-form")
    for name, value in changes.items():
        data[name] = value
    return data


def reach_of(client, campaign, data):
    response = client.post(
        reverse("campaigns:estimate_live", args=[campaign.pk]), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    return html.unescape(response.content.decode())


AUDIENCE_A = {"audience-who": "filtered", "audience-event_name": "Viewed shoes"}
AUDIENCE_B = {"audience-who": "filtered", "audience-event_name": "Viewed hats"}


@pytest.fixture
def composer(sandbox, people, client):
    client.force_login(people["composer"])
    return client


def test_an_audience_is_asked_of_clevertap_once_then_answered_from_the_cache(composer, people):
    campaign = new_draft(people["composer"])

    first = reach_of(composer, campaign, typed(composer, campaign, **AUDIENCE_A))
    again = reach_of(composer, campaign, typed(composer, campaign, **AUDIENCE_A))

    assert len(estimate_calls()) == 1
    assert estimate_calls()[0].body["where"] == {"event_name": "Viewed shoes"}
    assert reach.MATCHES_TYPED in first and reach.MATCHES_TYPED in again
    assert "estimated just now" in again


def test_another_draft_with_the_same_audience_is_answered_from_the_cache(composer, people):
    first = new_draft(people["composer"])
    second = new_draft(people["composer"], {**first.body, "name": "Another"})
    reach_of(composer, first, typed(composer, first, **AUDIENCE_A))

    shown = reach_of(composer, second, typed(composer, second, **AUDIENCE_A))

    assert len(estimate_calls()) == 1
    copied = Estimate.objects.filter(campaign=second).get()
    assert copied.answered_at is not None and copied.total == 0
    assert reach.MATCHES_TYPED in shown


def test_a_new_audience_is_asked_and_an_expired_cache_asks_again(composer, people):
    campaign = new_draft(people["composer"])
    reach_of(composer, campaign, typed(composer, campaign, **AUDIENCE_A))
    reach_of(composer, campaign, typed(composer, campaign, **AUDIENCE_B))
    assert len(estimate_calls()) == 2

    cache.clear()
    Estimate.objects.all().delete()
    reach_of(composer, campaign, typed(composer, campaign, **AUDIENCE_A))

    assert len(estimate_calls()) == 3


def test_a_content_only_edit_asks_nothing(composer, people):
    campaign = new_draft(people["composer"])
    reach_of(composer, campaign, typed(composer, campaign, **AUDIENCE_A))

    shown = reach_of(
        composer,
        campaign,
        typed(composer, campaign, **AUDIENCE_A, **{"content-title": "Other title"}),
    )

    assert len(estimate_calls()) == 1
    assert reach.MATCHES_TYPED in shown


def test_a_busy_limiter_asks_nothing_keeps_the_last_reach_and_says_so(composer, people, settings):
    campaign = new_draft(people["composer"])
    reach_of(composer, campaign, typed(composer, campaign, **AUDIENCE_A))
    settings.CLEVERTAP_MAX_IN_FLIGHT = 1
    settings.CLEVERTAP_LIMIT_WAIT_SECONDS = 5  # a queued call would wait: this one must not
    account = clevertap.account_current().account_id

    with clevertap_limits.request_slots(account_id=account, counts_as_create=False):
        shown = reach_of(composer, campaign, typed(composer, campaign, **AUDIENCE_B))

    assert len(estimate_calls()) == 1
    assert reach.BUSY in shown
    # The last reach stays, said to be of another audience; the panel asks again by itself.
    assert reach.AUDIENCE_CHANGED.format(version=1) in shown
    assert 'data-retry="true"' in shown
    assert Estimate.objects.filter(campaign=campaign).count() == 1


def test_a_draft_with_problems_is_not_estimated_and_says_why(composer, people):
    campaign = new_draft(people["composer"])

    shown = reach_of(composer, campaign, typed(composer, campaign, **{"content-body": ""}))

    assert estimate_calls() == []
    assert "Cannot be estimated until 1 problem is fixed" in shown
    assert 'data-blocked="true"' in shown  # the script asks again after the next edit
    assert not Estimate.objects.filter(campaign=campaign).exists()


def test_an_identity_send_is_counted_here(composer, people):
    campaign = new_draft(
        people["composer"], email_send_body(emails(3)), api="send", channel="email"
    )

    shown = reach_of(
        composer, campaign, typed(composer, campaign, **{"audience-email": "\n".join(emails(5))})
    )

    assert sandbox_records.received("send/email.json") == []
    assert sandbox_records.received("profile.json") == []
    assert Estimate.objects.get(campaign=campaign).total == 5
    assert reach.MATCHES_TYPED in shown


def test_the_panel_says_the_age_and_whether_the_saved_version_matches(composer, people):
    campaign = new_draft(people["composer"])
    estimates.campaign_estimate(campaign=campaign, user=people["composer"])
    url = reverse("campaigns:estimate", args=[campaign.pk])

    shown = html.unescape(composer.get(url, headers={"HX-Request": "true"}).content.decode())
    assert "estimated just now" in shown
    assert reach.MATCHES_SAVED.format(version=1) in shown

    services.campaign_save(
        campaign=campaign,
        user=people["composer"],
        body={**campaign.body, "content": {"title": "New", "body": "Text"}},
        base_version=1,
    )
    shown = html.unescape(composer.get(url, headers={"HX-Request": "true"}).content.decode())
    assert reach.SAME_AUDIENCE.format(version=1) in shown
    assert 'id="estimate-stale"' not in shown

    campaign = fresh(campaign)
    services.campaign_save(
        campaign=campaign,
        user=people["composer"],
        body={**campaign.body, "where": {"event_name": "Viewed hats"}},
        base_version=2,
    )
    shown = html.unescape(composer.get(url, headers={"HX-Request": "true"}).content.decode())
    assert reach.AUDIENCE_CHANGED.format(version=1) in shown


def test_the_chart_draws_the_reach_of_each_version(composer, people):
    campaign = new_draft(people["composer"])
    for version, total in ((1, 120), (2, 80), (3, 240)):
        if version > 1:
            services.campaign_save(
                campaign=fresh(campaign),
                user=people["composer"],
                body={**campaign.body, "where": {"event_name": f"Event {version}"}},
                base_version=version - 1,
            )
        estimated(campaign, total)

    shown = composer.get(
        reverse("campaigns:estimate", args=[campaign.pk]), headers={"HX-Request": "true"}
    ).content.decode()

    assert shown.count('class="reach-point"') == 3
    for version, total in ((1, 120), (2, 80), (3, 240)):
        row = f'<tr data-version="{version}"><td>{version}</td><td class="text-end">{total}'
        assert row in shown
        assert f">v{version}</text>" in shown
    # The highest reach is drawn at the top, the lowest lowest.
    points = reach_chart.chart(reach_chart.history(campaign, reach.saved_versions(campaign))).points
    assert points[2].y == reach_chart.TOP
    assert points[1].y > points[0].y > points[2].y


def test_one_version_is_listed_without_a_line(composer, people):
    campaign = new_draft(people["composer"])
    estimated(campaign, 50)

    shown = composer.get(
        reverse("campaigns:estimate", args=[campaign.pk]), headers={"HX-Request": "true"}
    ).content.decode()

    assert "<svg" not in shown
    assert "Only one version estimated so far" in shown


def test_the_review_page_shows_the_estimate_of_the_version_under_review(as_user, people, sandbox):
    campaign = new_draft(people["composer"])
    estimated(campaign, 321)
    services.campaign_save(
        campaign=campaign,
        user=people["composer"],
        body={**campaign.body, "where": {"event_name": "Viewed hats"}},
        base_version=1,
    )
    counted = estimated(campaign, 77)
    campaign = fresh(campaign)
    counted.audience_key = audience_keys.audience_key(campaign.body, endpoint=counted.endpoint)
    counted.save()
    services.campaign_save(
        campaign=campaign,
        user=people["composer"],
        body={**campaign.body, "name": "Renamed"},
        base_version=2,
    )
    # An estimate of another body made later (typed, never saved) is not the one under review.
    Estimate.objects.create(
        campaign=campaign,
        version=3,
        body_hash="0" * 64,
        endpoint="targets/create.json",
        state="ready",
        total=999,
        result={"android": 999},
    )
    client = as_user("reviewer")
    url = reverse("campaigns:review", args=[campaign.pk])

    page = html.unescape(client.get(url).content.decode())
    assert reach.REVIEW_NONE.format(version=3) in page
    # Only the name changed since version 2: its reach is said, as another version's.
    assert reach.REVIEW_SAME_AUDIENCE.format(earlier=2, total=77, plural="s") in page
    assert 'id="estimate-total"' not in page
    assert "Estimate reach" in page

    estimates.campaign_estimate(campaign=campaign, user=people["reviewer"])
    page = html.unescape(client.get(url).content.decode())
    assert reach.REVIEW_EXACT.format(version=3) in page
    assert reach.MATCHES_SAVED.format(version=3) in page


def test_a_failed_answer_is_tried_once_said_in_words_and_not_cached(composer, people):
    campaign = new_draft(people["composer"])
    sandbox_faults.faults_configure(error_rate=1.0, error_status=503)

    shown = reach_of(composer, campaign, typed(composer, campaign, **AUDIENCE_A))

    assert len(estimate_calls()) == 1  # one try: the next audience edit asks again
    assert "CleverTap could not estimate this draft" in shown
    sandbox_faults.faults_reset()
    reach_of(composer, campaign, typed(composer, campaign, **AUDIENCE_A))
    assert len(estimate_calls()) == 2
