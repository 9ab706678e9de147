"""What estimating and publishing do when CleverTap misbehaves: timeouts, 429, 500/503, garbage,
dropped connections. Faults come from a local fault-injecting HTTP server (tests.fault_server)
and, for an answer no server would send, httpx.MockTransport."""

import json

import httpx
import pytest
from django.urls import reverse

from campaigns import clevertap, publishing
from campaigns.models import (
    ApiCall,
    AttemptState,
    BatchState,
    CallOutcome,
    Campaign,
    EstimateState,
    PublishAttempt,
    Status,
)
from campaigns.publishing import attempts, confirm, estimates, followup, sends
from tests import fault_server
from tests.drafts import PUSH_BODY, draft, email_send_body, published
from tests.fault_server import Answer

pytestmark = pytest.mark.django_db

CREATED = {"status": "success", "id": 1457432766, "estimates": {"android": 3}}


@pytest.fixture
def server(server):
    server.default = Answer(body=CREATED)
    return server


def draft_state(campaign) -> tuple:
    row = Campaign.objects.get(pk=campaign.pk)
    return (row.status, row.version, row.body, row.updated_at)


# A create whose outcome is unknown


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (Answer(delay=1.0), clevertap.KIND_TIMEOUT),
        (Answer(hang_up=True), clevertap.KIND_CONNECTION),
        (Answer(body=b"\x00\xffnot json"), clevertap.KIND_BAD_RESPONSE),
        (Answer(status=500, body=b"oops"), clevertap.KIND_SERVER),
        (Answer(status=503, body=b"<html>busy</html>"), clevertap.KIND_SERVER),
    ],
    ids=["read-timeout", "dropped", "garbage", "500", "503"],
)
def test_a_create_whose_answer_is_lost_is_unknown_and_not_retried(
    server, configured, people, answer, kind
):
    configured.CLEVERTAP_READ_TIMEOUT = 0.3
    server.answer(answer)
    campaign = draft(people["composer"])
    before = draft_state(campaign)

    attempt = published(campaign, people["publisher"])

    assert len(server.seen) == 1
    assert attempt.state == AttemptState.UNKNOWN and attempt.live
    assert attempt.error.startswith(clevertap.MESSAGE_OUTCOME_UNKNOWN)
    assert "Check CleverTap's campaign list" in attempt.error
    assert followup.attempt_needs_check(attempt=attempt)
    assert draft_state(campaign) == before
    call = ApiCall.objects.get(attempt=attempt)
    assert (call.outcome, call.error_kind, call.attempts) == (CallOutcome.UNKNOWN, kind, 1)


def test_after_an_unknown_create_publishing_again_is_refused_until_checked(
    server, configured, people
):
    configured.CLEVERTAP_READ_TIMEOUT = 0.3
    server.answer(Answer(delay=1.0))
    campaign = draft(people["composer"])
    published(campaign, people["publisher"])

    with pytest.raises(confirm.AlreadyPublishing) as refused:
        published(campaign, people["publisher"])

    assert str(refused.value) == confirm.ALREADY_UNKNOWN
    assert len(server.seen) == 1


def test_the_page_of_an_unknown_publish_offers_to_check_the_campaign_list(
    server, configured, people, client
):
    configured.CLEVERTAP_READ_TIMEOUT = 0.3
    server.answer(Answer(delay=1.0))
    campaign = draft(people["composer"])
    client.force_login(people["publisher"])
    token = confirm.publish_confirmation(campaign=campaign, user=people["publisher"]).token

    response = client.post(
        reverse("campaigns:publish", args=[campaign.pk]),
        {"confirmation_token": token},
        follow=True,
    )

    html = response.content.decode()
    assert "Outcome unknown." in html
    assert "Check CleverTap&#x27;s campaign list" in html
    assert fault_server.PASSCODE not in html


# A create that is retried, or surely refused


def test_a_create_answered_429_is_retried_and_succeeds(server, people):
    server.answer(
        Answer(status=429, body={"status": "fail", "error": "Too many requests"}),
        Answer(status=429, body=b""),
    )
    campaign = draft(people["composer"])

    attempt = published(campaign, people["publisher"])

    assert len(server.seen) == 3
    assert (attempt.state, attempt.clevertap_id) == (AttemptState.SUCCEEDED, CREATED["id"])
    assert ApiCall.objects.get(attempt=attempt).attempts == 3
    assert Campaign.objects.get(pk=campaign.pk).status == Status.PUBLISHED


def test_a_create_still_refused_with_429_after_the_retries_fails_cleanly(server, people):
    server.default = Answer(status=429, body={"status": "fail", "error": "Too many requests"})
    campaign = draft(people["composer"])
    before = draft_state(campaign)

    attempt = published(campaign, people["publisher"])

    assert len(server.seen) == 4
    assert (attempt.state, attempt.live) == (AttemptState.FAILED, False)
    assert attempt.error.startswith(
        attempts.PUBLISH_FAILED.format(error=clevertap.MESSAGE_RATE_LIMITED)
    )
    assert draft_state(campaign) == before


@pytest.mark.parametrize("status", [200, 400])
def test_a_refused_create_fails_keeps_its_record_and_the_draft_can_be_published_again(
    server, people, status
):
    refusal = {"status": "fail", "error": "Invalid when: date in the past", "code": 400}
    server.answer(Answer(status=status, body=refusal))
    campaign = draft(people["composer"])
    before = draft_state(campaign)

    failed = published(campaign, people["publisher"])

    assert (failed.state, failed.live) == (AttemptState.FAILED, False)
    assert failed.error == attempts.PUBLISH_FAILED.format(
        error=(
            f"{clevertap.MESSAGE_API_ERROR} CleverTap said: Invalid when: date in the past "
            f"(code 400). [HTTP {status}]"
        )
    )
    assert failed.response == refusal
    assert draft_state(campaign) == before

    again = published(campaign, people["publisher"])

    assert again.state == AttemptState.SUCCEEDED
    assert again.idempotency_key == f"{campaign.pk}:1:1"
    assert list(PublishAttempt.objects.order_by("id")) == [failed, again]
    assert len(server.seen) == 2


# Estimates


def test_an_estimate_retries_server_errors_and_dropped_connections(server, people):
    server.answer(Answer(status=503, body=b""), Answer(hang_up=True), Answer(status=500, body=b""))
    server.default = Answer(body={"status": "success", "estimates": {"android": 4, "ios": 1}})
    campaign = draft(people["composer"])

    made = estimates.campaign_estimate(campaign=campaign, user=people["composer"])

    assert len(server.seen) == 4
    assert (made.state, made.total) == (EstimateState.READY, 5)
    assert ApiCall.objects.get(estimate=made).attempts == 4


def test_an_estimate_that_times_out_is_retried(server, configured, people):
    configured.CLEVERTAP_READ_TIMEOUT = 0.3
    server.answer(Answer(delay=1.0))
    server.default = Answer(body={"status": "success", "estimates": {"android": 4}})

    made = estimates.campaign_estimate(campaign=draft(people["composer"]), user=people["composer"])

    assert len(server.seen) == 2
    assert made.state == EstimateState.READY


@pytest.mark.parametrize(
    ("answer", "message", "tries"),
    [
        (Answer(status=429, body=b""), clevertap.MESSAGE_RATE_LIMITED, 4),
        (Answer(status=503, body=b""), clevertap.MESSAGE_SERVER, 4),
        (Answer(body=b"<html>"), clevertap.MESSAGE_BAD_RESPONSE, 1),
    ],
    ids=["429", "503", "garbage"],
)
def test_an_estimate_that_keeps_failing_says_why(server, people, answer, message, tries):
    server.default = answer
    campaign = draft(people["composer"])
    before = draft_state(campaign)

    made = estimates.campaign_estimate(campaign=campaign, user=people["composer"])

    assert len(server.seen) == tries
    assert made.state == EstimateState.FAILED
    assert made.error.startswith(estimates.ESTIMATE_FAILED.format(error=message))
    assert draft_state(campaign) == before


# Identity sends


def test_a_batch_whose_answer_is_lost_is_unknown_and_never_sent_again(
    server, configured, people, django_capture_on_commit_callbacks
):
    configured.CLEVERTAP_READ_TIMEOUT = 0.3
    server.default = Answer(body={"status": "success", "message": "Added to queue"})
    server.answer(Answer(delay=1.0))
    addresses = [f"user{n}@example.com" for n in range(1500)]
    campaign = draft(people["composer"], email_send_body(addresses), api="send", channel="email")
    with django_capture_on_commit_callbacks() as queued:
        attempt = published(campaign, people["publisher"])
    assert len(queued) == 1

    sends.send_attempt_run(attempt=attempt)
    sends.send_attempt_run(attempt=attempt)

    assert len(server.seen) == 2
    states = dict(attempt.batches.values_list("number", "state"))
    assert states == {1: BatchState.UNKNOWN, 2: BatchState.SENT}
    assert attempt.batches.get(number=1).error.startswith(clevertap.MESSAGE_OUTCOME_UNKNOWN)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.UNKNOWN
    assert [json.loads(seen.body)["to"] for seen in server.seen] == [
        {"Email": addresses[:1000]},
        {"Email": addresses[1000:]},
    ]


def test_a_batch_answered_503_is_unknown_and_one_refused_is_failed(server, people):
    server.answer(
        Answer(status=503, body=b""),
        Answer(status=400, body={"status": "fail", "error": "Invalid recipients", "code": 84}),
    )
    addresses = [f"user{n}@example.com" for n in range(1500)]
    campaign = draft(people["composer"], email_send_body(addresses), api="send", channel="email")
    attempt = published(campaign, people["publisher"])

    sends.send_attempt_run(attempt=attempt)

    assert len(server.seen) == 2
    states = dict(attempt.batches.values_list("number", "state"))
    assert states == {1: BatchState.UNKNOWN, 2: BatchState.FAILED}
    assert "Invalid recipients" in attempt.batches.get(number=2).error
    assert Campaign.objects.get(pk=campaign.pk).status == Status.DRAFT


# The passcode


def test_a_passcode_echoed_back_is_stored_and_shown_nowhere(
    configured, monkeypatch, people, client
):
    echo = {
        "status": "fail",
        "error": f"Bad passcode {fault_server.PASSCODE}",
        "code": 401,
        "got": fault_server.PASSCODE,
    }
    monkeypatch.setattr(
        clevertap.account,
        "http_transport",
        lambda: httpx.MockTransport(lambda request: httpx.Response(401, json=echo)),
    )
    campaign = draft(people["composer"], {**PUSH_BODY, "name": "Echo"})

    made = estimates.campaign_estimate(campaign=campaign, user=people["publisher"])
    attempt = published(campaign, people["publisher"])
    client.force_login(people["publisher"])
    page = client.get(reverse("campaigns:published", args=[campaign.pk])).content.decode()
    region = client.get(reverse("campaigns:estimate", args=[campaign.pk])).content.decode()

    stored = json.dumps(
        [list(ApiCall.objects.values()), list(PublishAttempt.objects.values())], default=str
    )
    assert ApiCall.objects.count() == 2
    assert fault_server.PASSCODE not in stored
    assert "Bad passcode ***" in stored
    for text in (made.error, json.dumps(made.errors), attempt.error, page, region):
        assert fault_server.PASSCODE not in text
    assert "Bad passcode ***" in attempt.error


def test_a_failed_stop_changes_nothing(server, people):
    campaign = draft(people["composer"])
    attempt = published(campaign, people["publisher"])
    server.default = Answer(status=409, body={"status": "fail", "error": "Completed", "code": 409})

    with pytest.raises(publishing.PublishingError) as failed:
        followup.campaign_stop(campaign=campaign, user=people["publisher"])

    assert str(failed.value).startswith("Not stopped: ")
    attempt.refresh_from_db()
    assert attempt.stopped_at is None
    assert Campaign.objects.get(pk=campaign.pk).status == Status.PUBLISHED
