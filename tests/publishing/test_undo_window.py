"""The undo window of a publish, against the sandbox over real HTTP: nothing is sent within it, a
cancel and a release never both win, and an edit in the window cancels the publish."""

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from campaigns import publishing
from campaigns.models import (
    AttemptState,
    AuditAction,
    AuditEvent,
    BatchState,
    PublishHold,
    SendBatch,
    Status,
)
from campaigns.publishing import attempts, confirm
from campaigns.review import guards
from tests.drafts import approved, due_now, edit, email_send_body, fresh, new_draft, published
from tests.processes import in_threads, worker_run
from tests.sandbox_records import creates_received, profiles_create, received, sandbox_campaigns

pytestmark = pytest.mark.django_db(transaction=True)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# The undo window


def test_within_the_undo_window_nothing_is_sent(sandbox, people, undo):
    campaign = approved(new_draft(people["composer"]), people)

    attempt = published(campaign, people["publisher"])

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
        published(campaign, people["publisher"])


def test_undo_within_the_window_sends_nothing_and_the_draft_can_be_published_again(
    sandbox, people, undo
):
    campaign = approved(new_draft(people["composer"]), people)
    attempt = published(campaign, people["publisher"])
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

    again = published(campaign, people["publisher"])
    assert again.idempotency_key == f"{campaign.pk}:1:1"
    due_now(PublishHold.objects.get(attempt=again))
    worker_run()
    again.refresh_from_db()
    assert again.state == AttemptState.SUCCEEDED and len(creates_received()) == 1
    assert fresh(campaign).status == Status.PUBLISHED
    assert AuditAction.PUBLISH_CANCELLED in actions()


def test_the_worker_sends_a_held_publish_once_its_window_is_over(sandbox, people, undo):
    campaign = approved(new_draft(people["composer"]), people)
    attempt = published(campaign, people["publisher"])
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
    hold = PublishHold.objects.get(attempt=published(campaign, people["publisher"]))
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
    attempt = published(campaign, people["publisher"])
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
    attempt = published(campaign, people["publisher"])
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
    attempt = published(campaign, people["publisher"])

    attempts.publish_cancel(hold=PublishHold.objects.get(attempt=attempt), user=people["publisher"])

    assert list(SendBatch.objects.values_list("state", flat=True)) == [BatchState.FAILED]
    assert received("send/email.json") == []
