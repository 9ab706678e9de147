"""Estimating and publishing against the sandbox, over real HTTP (pytest-django's live_server)."""

import datetime
import json
import time

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from campaigns import clevertap, identities, payloads, publishing, services
from campaigns.forms import delivery
from campaigns.models import (
    ApiCall,
    AttemptState,
    CallOutcome,
    EstimateState,
    PublishAttempt,
    SendBatch,
    Status,
)
from campaigns.publishing import attempts, confirm, estimates, followup, sends
from sandbox import services as sandbox_services
from sandbox.models import SandboxCampaign
from tests.publishing_support import (
    ANDROID_USERS,
    IOS_USERS,
    PASSCODE,
    PUSH_BODY,
    creates_received,
    draft,
    email_send_body,
    fresh,
    in_threads,
    log_is_exact,
    people_fixture,  # noqa: F401 - the `people` fixture
    profiles_create,
    received,
    sandbox_campaigns,
    sandbox_fixture,  # noqa: F401 - the `sandbox` fixture
)

pytestmark = pytest.mark.django_db(transaction=True)


def confirmed(campaign, user) -> str:
    return confirm.publish_confirmation(campaign=campaign, user=user).token


def later(days: int = 3) -> str:
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.strftime("%Y%m%d %H:%M")


# Estimates


def test_estimate_sends_the_draft_with_estimate_only_and_keeps_the_counts(sandbox, people):
    campaign = draft(people["composer"])

    made = estimates.campaign_estimate(campaign=campaign, user=people["composer"])

    assert made.state == EstimateState.READY
    assert made.result == {"android": ANDROID_USERS, "ios": IOS_USERS}
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
    assert made.result == {"android": ANDROID_USERS, "ios": IOS_USERS}
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


# Publishing


def test_publish_sends_exactly_the_draft_and_keeps_the_campaign_id(sandbox, people):
    campaign = draft(people["composer"])
    estimate = estimates.campaign_estimate(campaign=campaign, user=people["publisher"])

    attempt = attempts.campaign_publish(
        campaign=campaign,
        user=people["publisher"],
        confirmation_token=confirmed(campaign, people["publisher"]),
    )

    [created] = sandbox_campaigns()
    assert attempt.state == AttemptState.SUCCEEDED
    assert attempt.clevertap_id == created.id
    assert attempt.idempotency_key == f"{campaign.pk}:{campaign.version}"
    assert attempt.body == campaign.body
    assert attempt.estimate == estimate
    assert attempt.response == {"status": "success", "id": created.id, "estimates": estimate.result}
    [request] = creates_received()
    assert request.body == campaign.body
    assert fresh(campaign).status == Status.PUBLISHED
    call = ApiCall.objects.get(operation="create")
    assert (call.attempt, call.outcome, call.http_status) == (attempt, CallOutcome.SUCCEEDED, 200)


def test_twenty_simultaneous_publishes_of_one_draft_create_one_campaign(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    token = confirmed(campaign, publisher)

    outcomes = in_threads(
        20,
        lambda i: attempts.campaign_publish(
            campaign=campaign, user=publisher, confirmation_token=token
        ),
    )

    published = [o for o in outcomes if isinstance(o, PublishAttempt)]
    refused = [o for o in outcomes if isinstance(o, confirm.AlreadyPublishing)]
    assert len(published) == 1, outcomes
    assert len(refused) == 19, outcomes
    assert published[0].state == AttemptState.SUCCEEDED
    assert len(sandbox_campaigns()) == 1
    assert len(creates_received()) == 1 if log_is_exact() else len(creates_received()) <= 1
    assert ApiCall.objects.filter(operation="create").count() == 1
    assert PublishAttempt.objects.count() == 1
    assert all(r.attempt.pk == published[0].pk for r in refused)


def test_a_second_publish_of_the_same_version_is_refused(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    token = confirmed(campaign, publisher)
    first = attempts.campaign_publish(campaign=campaign, user=publisher, confirmation_token=token)

    with pytest.raises(confirm.AlreadyPublishing) as refused:
        attempts.campaign_publish(campaign=campaign, user=publisher, confirmation_token=token)

    assert refused.value.attempt == first
    assert str(refused.value) == confirm.ALREADY_PUBLISHED.format(clevertap_id=first.clevertap_id)
    assert len(creates_received()) == 1


def test_an_edit_after_the_confirmation_refuses_the_publish(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    token = confirmed(campaign, publisher)
    services.campaign_save(
        campaign=campaign,
        user=people["composer"],
        body={**campaign.body, "name": "Edited"},
        base_version=campaign.version,
    )

    with pytest.raises(confirm.ConfirmationRefused) as refused:
        attempts.campaign_publish(campaign=campaign, user=publisher, confirmation_token=token)

    assert str(refused.value) == confirm.DRAFT_CHANGED.format(confirmed=1, current=2)
    assert not PublishAttempt.objects.exists()
    assert creates_received() == []


def test_an_expired_or_forged_confirmation_is_refused(sandbox, people, settings):
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    forged = signing.TimestampSigner(salt="another").sign_object(
        {"campaign": campaign.pk, "version": 1, "body": "x", "user": publisher.pk}
    )

    with pytest.raises(confirm.ConfirmationRefused) as refused:
        attempts.campaign_publish(campaign=campaign, user=publisher, confirmation_token=forged)
    assert str(refused.value) == confirm.CONFIRMATION_INVALID

    settings.PUBLISH_CONFIRMATION_MAX_AGE = -1
    with pytest.raises(confirm.ConfirmationRefused) as refused:
        attempts.campaign_publish(
            campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
        )
    assert str(refused.value) == confirm.CONFIRMATION_EXPIRED.format(minutes=-1)
    assert not PublishAttempt.objects.exists()


def test_publishing_needs_the_publish_permission_and_changes_nothing(sandbox, people):
    campaign = draft(people["composer"])

    for name in ("composer", "reviewer"):
        with pytest.raises(PermissionDenied):
            attempts.campaign_publish(
                campaign=campaign, user=people[name], confirmation_token="anything"
            )
        with pytest.raises(PermissionDenied):
            confirm.publish_confirmation(campaign=campaign, user=people[name])

    assert not PublishAttempt.objects.exists()
    assert fresh(campaign).status == Status.DRAFT
    assert creates_received() == []


def test_a_draft_with_problems_cannot_be_published(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"], {**PUSH_BODY, "users_limit_overall": 5})

    with pytest.raises(confirm.NotPublishable) as refused:
        attempts.campaign_publish(
            campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
        )

    assert str(refused.value) == confirm.HAS_ERRORS.format(count=1, plural="", them="it")
    assert creates_received() == []


def test_a_scheduled_campaign_is_stopped_and_reported_on(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"], {**PUSH_BODY, "when": later()})
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )

    followup.campaign_stop(campaign=campaign, user=publisher)
    attempt.refresh_from_db()
    assert attempt.stopped_at is not None and attempt.clevertap_status == "stopped"
    assert SandboxCampaign.objects.get(pk=attempt.clevertap_id).status == "stopped"
    assert fresh(campaign).status == Status.STOPPED
    assert [r.body for r in received("targets/stop.json")] == [{"id": attempt.clevertap_id}]

    reported = followup.campaign_report(campaign=campaign, user=publisher)
    assert reported.report["id"] == attempt.clevertap_id
    assert reported.report["campaign_status"] == "stopped"
    assert [r.body for r in received("targets/result.json")] == [{"id": attempt.clevertap_id}]


def test_a_report_of_a_running_campaign_fails_with_clevertaps_reason(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"], {**PUSH_BODY, "when": later()})
    attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )

    with pytest.raises(publishing.PublishingError) as failed:
        followup.campaign_report(campaign=campaign, user=publisher)

    assert str(failed.value).startswith("No report: ")
    assert "has not completed" in str(failed.value)
    assert ApiCall.objects.get(operation="result").outcome == CallOutcome.FAILED


def test_stopping_needs_the_publish_permission(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"], {**PUSH_BODY, "when": later()})
    attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )

    with pytest.raises(PermissionDenied):
        followup.campaign_stop(campaign=campaign, user=people["composer"])

    assert received("targets/stop.json") == []
    assert fresh(campaign).status == Status.PUBLISHED


def _lost_answer(attempt: PublishAttempt) -> None:
    """As if CleverTap's answer to the create had been lost on the way back."""
    PublishAttempt.objects.filter(pk=attempt.pk).update(
        state=AttemptState.UNKNOWN, clevertap_id=None, response=None
    )
    attempt.campaign.__class__.objects.filter(pk=attempt.campaign_id).update(status=Status.DRAFT)


def test_checking_the_campaign_list_resolves_an_unknown_publish_that_went_through(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    created_id = attempt.clevertap_id
    _lost_answer(attempt)
    with pytest.raises(confirm.AlreadyPublishing) as refused:
        attempts.campaign_publish(
            campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
        )
    assert str(refused.value) == confirm.ALREADY_UNKNOWN

    found = followup.publish_attempt_check(attempt=attempt, user=publisher)

    attempt.refresh_from_db()
    assert found == followup.CHECK_FOUND.format(
        name=PUSH_BODY["name"], clevertap_id=created_id, status="running"
    )
    assert (attempt.state, attempt.clevertap_id) == (AttemptState.SUCCEEDED, created_id)
    assert fresh(campaign).status == Status.PUBLISHED
    assert len(received("targets/list.json")) == 1
    assert len(creates_received()) == 1


def test_checking_the_campaign_list_frees_the_draft_when_nothing_was_created(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    _lost_answer(attempt)
    SandboxCampaign.objects.all().delete()

    message = followup.publish_attempt_check(attempt=attempt, user=publisher)

    attempt.refresh_from_db()
    assert message.startswith(f"No campaign named “{PUSH_BODY['name']}” was created")
    assert (attempt.state, attempt.live) == (AttemptState.FAILED, False)
    again = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    assert again.state == AttemptState.SUCCEEDED
    assert again.idempotency_key == f"{campaign.pk}:{campaign.version}:1"


def test_an_identity_send_is_split_into_batches_and_queued_on_commit(sandbox, people):
    emails = [f"user{n}@example.com" for n in range(2500)]
    campaign = draft(people["composer"], email_send_body(emails), api="send", channel="email")

    attempt = attempts.campaign_publish(
        campaign=campaign,
        user=people["publisher"],
        confirmation_token=confirmed(campaign, people["publisher"]),
    )

    assert attempt.state == AttemptState.PENDING
    batches = list(SendBatch.objects.filter(attempt=attempt).order_by("number"))
    assert [(b.number, b.identities, b.state) for b in batches] == [
        (1, 1000, "pending"),
        (2, 1000, "pending"),
        (3, 500, "pending"),
    ]
    assert [b.to for b in batches] == [
        {"Email": emails[:1000]},
        {"Email": emails[1000:2000]},
        {"Email": emails[2000:]},
    ]
    attempt.refresh_from_db()
    assert attempt.task_id
    assert sends.send_task_status(attempt=attempt) == "READY"
    assert received("send/email.json") == []
    assert fresh(campaign).status == Status.DRAFT


def test_identity_batches_hold_at_most_1000_identities_across_types(db):
    to = {"Email": [f"e{n}@x.io" for n in range(700)], "Identity": [f"i{n}" for n in range(700)]}

    batches = list(identities.identity_batches(identities.unique_identities(to)))

    assert [identities.count(batch) for batch in batches] == [1000, 400]


# Views


def test_the_estimate_button_answers_the_estimate_fragment(sandbox, people, client):
    client.force_login(people["composer"])
    campaign = draft(people["composer"])

    response = client.post(
        reverse("campaigns:estimate", args=[campaign.pk]), headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="estimate" role="region"')
    assert '<td class="text-end">12</td>' in html
    assert f'id="estimate-total">{ANDROID_USERS + IOS_USERS}<' in html
    assert "<html" not in html


def test_without_javascript_the_estimate_answers_a_whole_page(sandbox, people, client):
    client.force_login(people["composer"])
    campaign = draft(people["composer"])

    response = client.post(reverse("campaigns:estimate", args=[campaign.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and 'id="estimate"' in html and "Back to the draft" in html


def test_estimate_errors_are_placed_at_their_fields(sandbox, people, client):
    client.force_login(people["composer"])
    campaign = draft(people["composer"], {**PUSH_BODY, "users_limit_overall": 5})

    response = client.post(
        reverse("campaigns:estimate", args=[campaign.pk]), headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert 'hx-swap-oob="beforeend:#div_id_delivery-users_limit_overall"' in html
    assert delivery.LIMIT_TOO_LOW in html
    assert 'data-field="delivery-users_limit_overall"' in html


def test_the_estimate_region_says_when_the_draft_changed(sandbox, people, client):
    user = people["composer"]
    client.force_login(user)
    campaign = draft(user)
    estimates.campaign_estimate(campaign=campaign, user=user)
    services.campaign_save(
        campaign=campaign, user=user, body={**campaign.body, "name": "New"}, base_version=1
    )

    response = client.get(
        reverse("campaigns:estimate", args=[campaign.pk]), headers={"HX-Request": "true"}
    )

    assert estimates.ESTIMATE_CHANGED.format(estimated=1, current=2) in response.content.decode()


def test_a_user_without_permissions_cannot_estimate(sandbox, people, client):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password="x")
    client.force_login(nobody)
    campaign = draft(people["composer"])

    response = client.post(reverse("campaigns:estimate", args=[campaign.pk]))

    assert response.status_code == 403
    assert received("targets/create.json") == []


def test_the_confirmation_shows_endpoint_body_estimate_and_schedule(sandbox, people, client):
    publisher = people["publisher"]
    client.force_login(publisher)
    campaign = draft(people["composer"], {**PUSH_BODY, "when": later()})
    estimates.campaign_estimate(campaign=campaign, user=publisher)

    response = client.get(reverse("campaigns:publish", args=[campaign.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "POST /1/targets/create.json" in html
    assert 'name="confirmation_token"' in html
    assert f'id="estimate-total">{ANDROID_USERS + IOS_USERS}<' in html
    assert 'id="confirm-send-times"' in html
    assert "Spring sale push" in html and 'id="confirm-json"' in html


def test_publishing_through_the_page_shows_the_campaign_and_its_api_calls(sandbox, people, client):
    publisher = people["publisher"]
    client.force_login(publisher)
    campaign = draft(people["composer"])
    page = client.get(reverse("campaigns:publish", args=[campaign.pk])).content.decode()
    token = page.split('name="confirmation_token" value="')[1].split('"')[0]

    response = client.post(
        reverse("campaigns:publish", args=[campaign.pk]),
        {"confirmation_token": token},
        follow=True,
    )

    html = response.content.decode()
    attempt = PublishAttempt.objects.get()
    assert response.redirect_chain[-1][0] == reverse("campaigns:published", args=[campaign.pk])
    assert f'id="clevertap-id">{attempt.clevertap_id}<' in html
    assert 'data-operation="create" data-outcome="succeeded"' in html
    assert "targets/create.json" in html
    assert PASSCODE not in html


def test_a_double_submitted_publish_creates_one_campaign_and_says_so(sandbox, people, client):
    publisher = people["publisher"]
    client.force_login(publisher)
    campaign = draft(people["composer"])
    token = confirmed(campaign, publisher)
    url = reverse("campaigns:publish", args=[campaign.pk])

    client.post(url, {"confirmation_token": token})
    response = client.post(url, {"confirmation_token": token}, follow=True)

    assert response.status_code == 200
    assert "already published" in response.content.decode()
    assert len(creates_received()) == 1


def test_an_edit_between_confirmation_and_publish_is_explained_on_the_page(sandbox, people, client):
    publisher = people["publisher"]
    client.force_login(publisher)
    campaign = draft(people["composer"])
    token = confirmed(campaign, publisher)
    services.campaign_save(
        campaign=campaign,
        user=people["composer"],
        body={**campaign.body, "name": "Edited"},
        base_version=1,
    )

    response = client.post(
        reverse("campaigns:publish", args=[campaign.pk]), {"confirmation_token": token}
    )

    assert response.status_code == 409
    assert confirm.DRAFT_CHANGED.format(confirmed=1, current=2) in response.content.decode()
    assert creates_received() == []


def test_publish_and_stop_pages_are_forbidden_without_the_permission(sandbox, people, client):
    client.force_login(people["composer"])
    campaign = draft(people["composer"])

    assert client.get(reverse("campaigns:publish", args=[campaign.pk])).status_code == 403
    assert client.post(reverse("campaigns:publish", args=[campaign.pk])).status_code == 403
    assert client.post(reverse("campaigns:stop", args=[campaign.pk])).status_code == 403
    assert not PublishAttempt.objects.exists()


def test_stop_and_report_from_the_published_page(sandbox, people, client):
    publisher = people["publisher"]
    client.force_login(publisher)
    campaign = draft(people["composer"], {**PUSH_BODY, "when": later()})
    attempt = attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )

    client.post(reverse("campaigns:stop", args=[campaign.pk]))
    response = client.post(reverse("campaigns:report", args=[campaign.pk]), follow=True)

    html = response.content.decode()
    assert followup.STOPPED.format(clevertap_id=attempt.clevertap_id) in html
    assert 'id="report-table"' in html
    assert 'data-operation="stop"' in html and 'data-operation="result"' in html


def test_the_passcode_appears_in_no_stored_call_and_no_page(sandbox, people, client):
    publisher = people["publisher"]
    client.force_login(publisher)
    campaign = draft(people["composer"], {**PUSH_BODY, "when": later()})
    estimates.campaign_estimate(campaign=campaign, user=publisher)
    attempts.campaign_publish(
        campaign=campaign, user=publisher, confirmation_token=confirmed(campaign, publisher)
    )
    followup.campaign_stop(campaign=campaign, user=publisher)
    followup.campaign_report(campaign=campaign, user=publisher)

    stored = json.dumps(list(ApiCall.objects.values()), default=str)
    assert ApiCall.objects.count() == 4
    assert PASSCODE not in stored
    assert '"X-CleverTap-Passcode": "***"' in stored
    for url in (
        reverse("campaigns:published", args=[campaign.pk]),
        reverse("campaigns:estimate", args=[campaign.pk]),
    ):
        assert PASSCODE not in client.get(url).content.decode()
    assert clevertap.account_current().passcode == PASSCODE  # the calls really used it


def test_without_javascript_a_background_estimate_is_checked_with_a_button(
    sandbox, people, client, monkeypatch
):
    monkeypatch.setattr(sandbox_services, "ASYNC_ESTIMATE_SECONDS", 0)
    client.force_login(people["composer"])
    campaign = draft(people["composer"])

    waiting = client.post(
        reverse("campaigns:estimate", args=[campaign.pk]), {"async_estimate": "1"}
    ).content.decode()
    made = campaign.estimates.get()
    done = client.post(
        reverse("campaigns:estimate_poll", args=[campaign.pk, made.pk])
    ).content.decode()

    assert "Waiting for CleverTap's estimate" in waiting and "Check again" in waiting
    assert "<html" in done
    assert f'id="estimate-total">{ANDROID_USERS + IOS_USERS}<' in done
