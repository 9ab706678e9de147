"""The review's hooks in publishing, against the sandbox over real HTTP: publishers publish
approved drafts only, the reach guards, the undo window, and the audit of every attempt."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from campaigns import publishing
from campaigns.models import (
    AttemptState,
    AuditAction,
    AuditEvent,
    BatchState,
    PublishAttempt,
    PublishHold,
    SendBatch,
    Status,
)
from campaigns.publishing import attempts, confirm, estimates, followup
from campaigns.review import approvals, guards
from campaigns.views import publishing as publishing_views
from tests.publishing_support import (
    creates_received,
    email_send_body,
    in_threads,
    people_fixture,  # noqa: F401 - the `people` fixture
    profiles_create,
    received,
    sandbox_campaigns,
    sandbox_fixture,  # noqa: F401 - the `sandbox` fixture
    worker_run,
)
from tests.review_support import approved, edit, estimated, fresh, new_draft

pytestmark = pytest.mark.django_db(transaction=True)


def publish(campaign, user):
    token = confirm.publish_confirmation(campaign=campaign, user=user).token
    return attempts.campaign_publish(campaign=campaign, user=user, confirmation_token=token)


def due_now(hold: PublishHold) -> None:
    """As if the undo window had passed (for the hold and its queued task)."""
    past = timezone.now() - datetime.timedelta(seconds=1)
    PublishHold.objects.filter(pk=hold.pk).update(due_at=past)
    DBTaskResult.objects.update(run_after=past)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# Approval before publishing


def test_an_unapproved_draft_is_not_published_and_the_refusal_is_audited(sandbox, people):
    campaign = new_draft(people["composer"])

    with pytest.raises(confirm.NotPublishable) as refused:
        publish(campaign, people["publisher"])

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

    attempt = publish(campaign, people["publisher"])

    assert attempt.state == AttemptState.SUCCEEDED
    assert fresh(campaign).status == Status.PUBLISHED
    assert actions() == [
        AuditAction.SUBMITTED,
        AuditAction.APPROVED,
        AuditAction.PUBLISH_REQUESTED,
        AuditAction.PUBLISHED,
        AuditAction.PUBLISH_SENT,
    ]
    published = AuditEvent.objects.get(action=AuditAction.PUBLISHED)
    assert published.details == {
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


def test_an_edit_after_approval_blocks_publishing_until_approved_again(sandbox, people):
    campaign = approved(new_draft(people["composer"]), people)
    edit(campaign, people["composer"], name="Edited")

    with pytest.raises(confirm.NotPublishable) as refused:
        publish(fresh(campaign), people["publisher"])

    assert str(refused.value) == guards.NOT_APPROVED.format(version=2)
    approved(campaign, people)
    assert publish(fresh(campaign), people["publisher"]).state == AttemptState.SUCCEEDED


def test_a_reach_that_moved_since_approval_blocks_publishing(sandbox, people):
    campaign = new_draft(people["composer"])
    estimated(campaign, 100)
    approved(campaign, people)
    # CleverTap's estimate now: 19 users (the sandbox's audience).
    estimates.campaign_estimate(campaign=campaign, user=people["publisher"])

    with pytest.raises(confirm.NotPublishable) as refused:
        publish(fresh(campaign), people["publisher"])

    assert str(refused.value) == guards.REACH_DRIFTED.format(
        approved="100", now="19", change="-81%", share="20%"
    )
    approvals.campaign_approve(campaign=campaign, user=people["reviewer"])
    assert publish(fresh(campaign), people["publisher"]).state == AttemptState.SUCCEEDED


def test_a_large_reach_needs_a_second_approval_before_publishing(sandbox, people, settings):
    settings.REVIEW_SECOND_APPROVAL_REACH = 10
    campaign = new_draft(people["composer"])
    estimates.campaign_estimate(campaign=campaign, user=people["reviewer"])
    approved(campaign, people)

    with pytest.raises(confirm.NotPublishable) as refused:
        publish(fresh(campaign), people["publisher"])

    assert str(refused.value) == guards.NEEDS_SECOND_APPROVAL.format(
        reach="19", threshold="10", count=1
    )
    approvals.campaign_approve(campaign=campaign, user=people["admin"])
    assert publish(fresh(campaign), people["publisher"]).state == AttemptState.SUCCEEDED


# The undo window


@pytest.fixture
def undo(settings):
    settings.PUBLISH_UNDO_SECONDS = 30
    return settings


def test_within_the_undo_window_nothing_is_sent(sandbox, people, undo):
    campaign = approved(new_draft(people["composer"]), people)

    attempt = publish(campaign, people["publisher"])

    assert attempt.state == AttemptState.PENDING
    hold = PublishHold.objects.get(attempt=attempt)
    assert 29 <= (hold.due_at - timezone.now()).total_seconds() <= 30
    assert creates_received() == [] and sandbox_campaigns() == []
    [task] = DBTaskResult.objects.all()
    assert task.task_path == attempts.release_when_due.module_path
    assert task.args_kwargs["args"] == [hold.pk] and task.run_after == hold.due_at
    assert attempts.publish_release(hold=hold) is None  # not due yet
    assert creates_received() == []
    with pytest.raises(confirm.AlreadyPublishing):
        publish(campaign, people["publisher"])


def test_undo_within_the_window_sends_nothing_and_the_draft_can_be_published_again(
    sandbox, people, undo
):
    campaign = approved(new_draft(people["composer"]), people)
    attempt = publish(campaign, people["publisher"])
    hold = PublishHold.objects.get(attempt=attempt)

    cancelled = attempts.publish_cancel(hold=hold, user=people["publisher"])

    assert (cancelled.state, cancelled.live) == (AttemptState.FAILED, False)
    assert cancelled.error == attempts.PUBLISH_CANCELLED.format(user="publisher")
    due_now(hold)
    worker_run()
    assert creates_received() == [] and fresh(campaign).status == Status.APPROVED
    with pytest.raises(publishing.PublishingError) as refused:
        attempts.publish_cancel(hold=hold, user=people["publisher"])
    assert str(refused.value) == attempts.CANCEL_ALREADY

    again = publish(campaign, people["publisher"])
    assert again.idempotency_key == f"{campaign.pk}:1:1"
    due_now(PublishHold.objects.get(attempt=again))
    worker_run()
    again.refresh_from_db()
    assert again.state == AttemptState.SUCCEEDED and len(creates_received()) == 1
    assert fresh(campaign).status == Status.PUBLISHED
    assert AuditAction.PUBLISH_CANCELLED in actions()


def test_the_worker_sends_a_held_publish_once_its_window_is_over(sandbox, people, undo):
    campaign = approved(new_draft(people["composer"]), people)
    attempt = publish(campaign, people["publisher"])
    hold = PublishHold.objects.get(attempt=attempt)

    worker_run()  # not due: the task waits
    assert creates_received() == []
    due_now(hold)
    worker_run()

    attempt.refresh_from_db()
    hold.refresh_from_db()
    assert attempt.state == AttemptState.SUCCEEDED and hold.released_at is not None
    [created] = creates_received()
    assert created.body == campaign.body
    with pytest.raises(publishing.PublishingError) as refused:
        attempts.publish_cancel(hold=hold, user=people["publisher"])
    assert str(refused.value) == attempts.CANCEL_TOO_LATE


def test_undo_and_release_at_once_never_both_win(sandbox, people, undo):
    campaign = approved(new_draft(people["composer"]), people)
    hold = PublishHold.objects.get(attempt=publish(campaign, people["publisher"]))
    due_now(hold)

    outcomes = in_threads(
        2,
        lambda i: (
            attempts.publish_release(hold=hold)
            if i == 0
            else attempts.publish_cancel(hold=hold, user=people["publisher"])
        ),
    )

    hold.refresh_from_db()
    assert (hold.released_at is None) != (hold.cancelled_at is None), outcomes
    assert len(creates_received()) == (1 if hold.released_at else 0)


def test_an_edit_during_the_window_cancels_the_publish(sandbox, people, undo):
    campaign = approved(new_draft(people["composer"]), people)
    attempt = publish(campaign, people["publisher"])
    hold = PublishHold.objects.get(attempt=attempt)
    edit(campaign, people["composer"], name="Edited in the window")
    due_now(hold)

    worker_run()

    attempt.refresh_from_db()
    hold.refresh_from_db()
    assert hold.cancelled_at is not None and hold.released_at is None
    assert attempt.error == attempts.PUBLISH_NOT_RELEASED.format(
        reason=guards.NOT_APPROVED.format(version=2)
    )
    assert (attempt.state, attempt.live) == (AttemptState.FAILED, False)
    assert creates_received() == []


def test_a_held_identity_send_queues_its_batches_only_when_released(sandbox, people, undo):
    addresses = [f"user{n}@example.com" for n in range(3)]
    profiles_create(emails=addresses)
    campaign = approved(
        new_draft(people["composer"], email_send_body(addresses), api="send", channel="email"),
        people,
    )
    attempt = publish(campaign, people["publisher"])
    hold = PublishHold.objects.get(attempt=attempt)

    assert [t.task_path for t in DBTaskResult.objects.all()] == [
        attempts.release_when_due.module_path
    ]
    due_now(hold)
    worker_run()  # releases: queues the batches' task
    worker_run()  # sends the batches

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUCCEEDED
    assert [r.body["to"] for r in received("send/email.json")] == [{"Email": addresses}]


def test_undoing_an_identity_send_fails_its_batches_unsent(sandbox, people, undo):
    addresses = [f"user{n}@example.com" for n in range(3)]
    campaign = approved(
        new_draft(people["composer"], email_send_body(addresses), api="send", channel="email"),
        people,
    )
    attempt = publish(campaign, people["publisher"])

    attempts.publish_cancel(hold=PublishHold.objects.get(attempt=attempt), user=people["publisher"])

    assert list(SendBatch.objects.values_list("state", flat=True)) == [BatchState.FAILED]
    assert received("send/email.json") == []


# The pages of the undo window


def test_publish_through_the_pages_undo_then_publish_again(sandbox, people, client, undo):
    campaign = approved(new_draft(people["composer"]), people)
    client.force_login(people["publisher"])
    confirm = client.get(reverse("campaigns:publish", args=[campaign.pk]))
    token = confirm.context["confirmation"].token

    response = client.post(
        reverse("campaigns:publish", args=[campaign.pk]), {"confirmation_token": token}
    )

    attempt = PublishAttempt.objects.get()
    pending_url = reverse("campaigns:publish_pending", args=[campaign.pk, attempt.pk])
    assert response.status_code == 302 and response.url == pending_url
    page = client.get(pending_url).content.decode()
    assert 'id="undo-button"' in page and 'data-state="waiting"' in page
    release_url = reverse("campaigns:publish_release", args=[campaign.pk, attempt.pk])
    poll = client.post(release_url, headers={"HX-Request": "true"})
    assert poll.status_code == 200 and 'id="pending"' in poll.content.decode()

    response = client.post(
        reverse("campaigns:publish_cancel", args=[campaign.pk, attempt.pk]), follow=True
    )
    assert 'data-state="cancelled"' in response.content.decode()
    assert publishing_views.CANCELLED in [str(m) for m in response.context["messages"]]

    token = (
        client.get(reverse("campaigns:publish", args=[campaign.pk])).context["confirmation"].token
    )
    client.post(reverse("campaigns:publish", args=[campaign.pk]), {"confirmation_token": token})
    again = PublishAttempt.objects.exclude(pk=attempt.pk).get()
    due_now(PublishHold.objects.get(attempt=again))
    poll = client.post(
        reverse("campaigns:publish_release", args=[campaign.pk, again.pk]),
        headers={"HX-Request": "true"},
    )
    assert poll.headers["HX-Redirect"] == reverse("campaigns:published", args=[campaign.pk])
    assert len(creates_received()) == 1 and fresh(campaign).status == Status.PUBLISHED
