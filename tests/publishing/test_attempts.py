"""Publishing against the sandbox, over real HTTP: the confirmation, the attempt recorded before
anything is sent, at most one campaign whatever the number of requests, and the approval a
publish needs."""

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from campaigns import services
from campaigns.models import (
    ApiCall,
    AttemptState,
    AuditAction,
    AuditEvent,
    CallOutcome,
    PublishAttempt,
    Status,
)
from campaigns.publishing import attempts, confirm, estimates, followup
from campaigns.review import approvals, guards
from tests.drafts import (
    PUSH_BODY,
    approved,
    confirmed,
    draft,
    edit,
    estimated,
    fresh,
    new_draft,
    published,
)
from tests.processes import in_threads
from tests.sandbox_records import (
    creates_received,
    log_is_exact,
    sandbox_campaigns,
)

pytestmark = pytest.mark.django_db(transaction=True)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


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


# Approval before publishing


def test_an_unapproved_draft_is_not_published_and_the_refusal_is_audited(sandbox, people):
    campaign = new_draft(people["composer"])

    with pytest.raises(confirm.NotPublishable) as refused:
        published(campaign, people["publisher"])

    assert str(refused.value) == guards.NOT_APPROVED.format(version=1)
    assert not PublishAttempt.objects.exists() and creates_received() == []
    [event] = AuditEvent.objects.filter(action=AuditAction.PUBLISH_REFUSED)
    assert event.actor == people["publisher"]
    assert event.details == {"version": 1, "message": str(refused.value)}


def test_the_confirmation_shows_why_publishing_is_blocked(sandbox, people, client):
    campaign = new_draft(people["composer"])
    client.force_login(people["publisher"])

    html = client.get(reverse("campaigns:publish", args=[campaign.pk])).content.decode()

    assert 'id="publish-blocked"' in html and guards.NOT_APPROVED.format(version=1) in html
    assert 'id="publish-button" disabled' in html


def test_an_approved_draft_is_published_and_every_step_is_audited(sandbox, people):
    campaign = approved(new_draft(people["composer"]), people)

    attempt = published(campaign, people["publisher"])

    assert attempt.state == AttemptState.SUCCEEDED
    assert fresh(campaign).status == Status.PUBLISHED
    assert actions() == [
        AuditAction.SUBMITTED,
        AuditAction.APPROVED,
        AuditAction.PUBLISH_REQUESTED,
        AuditAction.CALL_CREATE,
        AuditAction.PUBLISHED,
        AuditAction.PUBLISH_SENT,
    ]
    published_event = AuditEvent.objects.get(action=AuditAction.PUBLISHED)
    assert published_event.details == {
        "from": "approved",
        "to": "published",
        "attempt": attempt.pk,
        "clevertap_id": attempt.clevertap_id,
    }

    followup.campaign_stop(campaign=campaign, user=people["publisher"])

    stopped = AuditEvent.objects.get(action=AuditAction.STOPPED)
    assert (stopped.actor, stopped.details["from"], stopped.details["to"]) == (
        people["publisher"],
        "published",
        "stopped",
    )
    assert actions()[-2:] == [AuditAction.CALL_STOP, AuditAction.STOPPED]


def test_an_edit_after_approval_blocks_publishing_until_approved_again(sandbox, people):
    campaign = approved(new_draft(people["composer"]), people)
    edit(campaign, people["composer"], name="Edited")

    with pytest.raises(confirm.NotPublishable) as refused:
        published(fresh(campaign), people["publisher"])

    assert str(refused.value) == guards.NOT_APPROVED.format(version=2)
    approved(campaign, people)
    assert published(fresh(campaign), people["publisher"]).state == AttemptState.SUCCEEDED


def test_a_reach_that_moved_since_approval_blocks_publishing(sandbox, people):
    campaign = new_draft(people["composer"])
    estimated(campaign, 100)
    approved(campaign, people)
    # CleverTap's estimate now: 19 users (the sandbox's audience).
    estimates.campaign_estimate(campaign=campaign, user=people["publisher"])

    with pytest.raises(confirm.NotPublishable) as refused:
        published(fresh(campaign), people["publisher"])

    assert str(refused.value) == guards.REACH_DRIFTED.format(
        approved="100", now="19", change="-81%", share="20%"
    )
    approvals.campaign_approve(campaign=campaign, user=people["reviewer"])
    assert published(fresh(campaign), people["publisher"]).state == AttemptState.SUCCEEDED


def test_a_large_reach_needs_a_second_approval_before_publishing(sandbox, people, settings):
    settings.REVIEW_SECOND_APPROVAL_REACH = 10
    campaign = new_draft(people["composer"])
    estimates.campaign_estimate(campaign=campaign, user=people["reviewer"])
    approved(campaign, people)

    with pytest.raises(confirm.NotPublishable) as refused:
        published(fresh(campaign), people["publisher"])

    assert str(refused.value) == guards.NEEDS_SECOND_APPROVAL.format(
        reach="19", threshold="10", count=1
    )
    approvals.campaign_approve(campaign=campaign, user=people["admin"])
    assert published(fresh(campaign), people["publisher"]).state == AttemptState.SUCCEEDED
