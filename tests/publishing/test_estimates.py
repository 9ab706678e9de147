"""Estimates against the sandbox, over real HTTP (pytest-django's live_server)."""

import time

import pytest
from django.core.exceptions import PermissionDenied

from campaigns import payloads, services
from campaigns.forms import delivery
from campaigns.models import (
    ApiCall,
    CallOutcome,
    EstimateState,
)
from campaigns.publishing import estimates
from sandbox import services as sandbox_services
from tests.drafts import PUSH_BODY, draft, email_send_body, fresh
from tests.sandbox_records import (
    ANDROID_USERS,
    IOS_USERS,
    profiles_create,
    received,
)

pytestmark = pytest.mark.django_db(transaction=True)


# Estimates


def test_estimate_sends_the_draft_with_estimate_only_and_keeps_the_counts(sandbox, people):
    campaign = draft(people["composer"])

    made = estimates.campaign_estimate(campaign=campaign, user=people["composer"])

    assert made.state == EstimateState.READY
    assert made.result == {"android": ANDROID_USERS, "ios": IOS_USERS, "windows": 0}
    assert made.total == ANDROID_USERS + IOS_USERS
    assert made.version == campaign.version
    assert made.body_hash == payloads.body_hash(campaign.body)
    [request] = received("targets/create.json")
    assert request.body == {**campaign.body, "estimate_only": True}
    [call] = ApiCall.objects.all()
    assert (call.operation, call.endpoint, call.outcome) == (
        "estimate",
        "targets/create.json",
        CallOutcome.SUCCEEDED,
    )
    assert call.estimate == made and call.campaign_id == campaign.pk
    assert call.request["headers"]["X-CleverTap-Passcode"] == "***"
    assert call.http_status == 200 and call.attempts == 1


def test_a_background_estimate_keeps_its_request_id_and_is_polled_until_ready(
    sandbox, people, monkeypatch
):
    monkeypatch.setattr(sandbox_services, "ASYNC_ESTIMATE_SECONDS", 0.5)
    campaign = draft(people["composer"])

    made = estimates.campaign_estimate(
        campaign=campaign, user=people["composer"], async_estimate=True
    )

    assert made.state == EstimateState.PENDING
    assert made.request_id
    assert "async_estimate" not in fresh(campaign).body
    made = estimates.estimate_refresh(estimate=made, user=people["composer"])
    assert made.state == EstimateState.PENDING and made.polls == 1
    time.sleep(0.6)
    made = estimates.estimate_refresh(estimate=made, user=people["composer"])
    assert made.state == EstimateState.READY
    assert made.result == {"android": ANDROID_USERS, "ios": IOS_USERS, "windows": 0}
    first, *polls = received("targets/create.json")
    assert first.body == {**campaign.body, "estimate_only": True, "async_estimate": True}
    assert [poll.body for poll in polls] == [
        {"request_id": made.request_id, "estimate_only": True}
    ] * 2


def test_a_background_estimate_that_takes_too_long_says_so(sandbox, people, settings):
    settings.ESTIMATE_ASYNC_TIMEOUT_SECONDS = 0
    campaign = draft(people["composer"])
    made = estimates.campaign_estimate(
        campaign=campaign, user=people["composer"], async_estimate=True
    )

    made = estimates.estimate_refresh(estimate=made, user=people["composer"])

    assert made.state == EstimateState.TIMED_OUT
    assert made.error == estimates.ESTIMATE_TIMED_OUT.format(
        seconds=0, polls=0, request_id=made.request_id
    )


def test_an_estimate_belongs_to_its_version_and_tells_when_the_draft_changed(sandbox, people):
    user = people["composer"]
    campaign = draft(user)
    made = estimates.campaign_estimate(campaign=campaign, user=user)
    assert estimates.estimate_stale_message(estimate=made, campaign=campaign) == ""

    saved = services.campaign_save(
        campaign=campaign,
        user=user,
        body={**campaign.body, "name": "Renamed"},
        base_version=campaign.version,
    )

    assert estimates.estimate_stale_message(
        estimate=made, campaign=saved
    ) == estimates.ESTIMATE_CHANGED.format(estimated=1, current=2)


def test_an_identity_draft_estimates_as_unique_identities_and_requests(sandbox, people):
    emails = [f"user{n}@example.com" for n in range(2300)]
    body = email_send_body(emails + emails[:50])
    body["to"]["Identity"] = ["crm-1", "crm-2", "crm-1"]
    campaign = draft(people["composer"], body, api="send", channel="email")

    made = estimates.campaign_estimate(campaign=campaign, user=people["composer"])

    assert made.state == EstimateState.READY
    assert made.result == {"Email": 2300, "Identity": 2}
    assert made.total == 2302
    assert made.requests == 3
    assert received("send/email.json") == []


def test_a_draft_with_problems_is_not_sent_and_its_errors_name_their_fields(sandbox, people):
    campaign = draft(people["composer"], {**PUSH_BODY, "users_limit_overall": 5})

    made = estimates.campaign_estimate(campaign=campaign, user=people["composer"])

    assert made.state == EstimateState.FAILED
    assert made.error == estimates.ESTIMATE_HAS_ERRORS.format(count=1, plural="", their="its")
    assert made.errors == [
        {
            "path": "users_limit_overall",
            "message": delivery.LIMIT_TOO_LOW,
            "field": "delivery-users_limit_overall",
        }
    ]
    assert received("targets/create.json") == []


def test_an_error_clevertap_names_is_shown_at_its_field(sandbox, people):
    profiles_create(android=100)
    campaign = draft(people["composer"], {**PUSH_BODY, "upper_cap_for_target_segment": 100})

    made = estimates.campaign_estimate(campaign=campaign, user=people["composer"])

    assert made.state == EstimateState.FAILED
    assert "upper_cap_for_target_segment" in made.error
    assert [(e["path"], e["field"]) for e in made.errors] == [
        ("upper_cap_for_target_segment", "delivery-upper_cap_for_target_segment")
    ]


def test_estimating_needs_change_review_or_publish_permission(sandbox, people):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password="x")
    campaign = draft(people["composer"])

    for name in ("composer", "reviewer", "publisher"):
        made = estimates.campaign_estimate(campaign=campaign, user=people[name])
        assert made.state == EstimateState.READY
    with pytest.raises(PermissionDenied):
        estimates.campaign_estimate(campaign=campaign, user=nobody)
