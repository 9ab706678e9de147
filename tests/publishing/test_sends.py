"""Identity sends in the background: the real database-backed task backend and its worker
(`manage.py worker`), sending to the sandbox over real HTTP."""

import datetime
import html
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from campaigns import identities, publishing
from campaigns.models import (
    ApiCall,
    AttemptState,
    BatchState,
    SendBatch,
    Status,
)
from campaigns.publishing import attempts, sends
from tests.drafts import confirmed, draft, email_send_body, emails, fresh, identity_send
from tests.processes import in_threads, worker_environment, worker_run
from tests.sandbox_records import log_is_exact, profiles_create, received, sent_batches

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]


def test_the_task_loads_the_attempt_and_calls_the_service(people, monkeypatch):
    profiles_create(emails=emails(3))
    called = []
    monkeypatch.setattr(sends, "send_attempt_run", lambda *, attempt: called.append(attempt))
    monkeypatch.setattr(sends, "send_enqueue", lambda *, attempt_id: None)
    _, attempt = identity_send(people, emails(3))

    sends.send_batches.call(attempt.pk)

    assert called == [attempt]


def test_publishing_an_identity_send_queues_one_task_after_commit(sandbox, people):
    profiles_create(emails=emails(3))

    _, attempt = identity_send(people, emails(3))

    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == sends.send_batches.module_path
    assert queued.args_kwargs["args"] == [attempt.pk]
    attempt.refresh_from_db()
    assert attempt.task_id == str(queued.id)


def test_the_worker_sends_an_identity_send_in_requests_of_at_most_1000(sandbox, people):
    addresses = emails(2500)
    profiles_create(emails=addresses)
    campaign, attempt = identity_send(people, addresses)

    worker_run()

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUCCEEDED
    assert [b.state for b in attempt.batches.order_by("number")] == [BatchState.SENT] * 3
    assert sent_batches() == [
        {"Email": addresses[:1000]},
        {"Email": addresses[1000:2000]},
        {"Email": addresses[2000:]},
    ]
    body = fresh(campaign).body
    [first, *_] = received("send/email.json")
    assert first.body == {**body, "to": {"Email": addresses[:1000]}}
    assert fresh(campaign).status == Status.PUBLISHED
    calls = ApiCall.objects.filter(operation="send").order_by("batch__number")
    assert [call.batch.number for call in calls] == [1, 2, 3]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_sending_resumes_after_a_crash_without_sending_any_batch_twice(sandbox, people):
    addresses = emails(2500)
    profiles_create(emails=addresses)
    campaign, attempt = identity_send(people, addresses)
    # The worker died while sending batch 2: batch 1 went out, batch 3 waits, its task hangs.
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    SendBatch.objects.filter(attempt=attempt, number=1).update(
        state=BatchState.SENT, claimed_at=long_ago, finished_at=long_ago, sends=1
    )
    SendBatch.objects.filter(attempt=attempt, number=2).update(
        state=BatchState.SENDING, claimed_at=long_ago, claimed_by="dead-worker", sends=1
    )
    DBTaskResult.objects.update(status="RUNNING", worker_ids=["dead-worker"])

    waiting = sends.send_attempt_resume(attempt=attempt, user=people["publisher"])
    worker_run()
    worker_run()

    assert waiting == 1
    states = dict(attempt.batches.values_list("number", "state"))
    assert states == {1: BatchState.SENT, 2: BatchState.UNKNOWN, 3: BatchState.SENT}
    assert attempt.batches.get(number=2).error == sends.BATCH_LEFT_SENDING
    assert sent_batches() == [{"Email": addresses[2000:]}]
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.UNKNOWN
    assert attempt.error == sends.BATCHES_UNKNOWN.format(unknown=1, total=3)
    assert attempt.live


def test_two_workers_on_one_send_send_each_batch_once(sandbox, people):
    addresses = emails(3500)
    profiles_create(emails=addresses)
    _, attempt = identity_send(people, addresses)

    outcomes = in_threads(3, lambda i: sends.send_attempt_run(attempt=attempt))

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert set(attempt.batches.values_list("sends", flat=True)) == {1}
    assert ApiCall.objects.filter(operation="send").count() == 4
    logged = sorted(len(to["Email"]) for to in sent_batches())
    if log_is_exact():
        assert logged == [500, 1000, 1000, 1000]
    else:
        assert set(logged) <= {500, 1000} and len(logged) <= 4
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUCCEEDED


def test_a_failed_batch_is_sent_again_on_its_own(sandbox, people):
    known, unknown_yet = emails(1000), emails(300, start=1000)
    profiles_create(emails=known)
    campaign, attempt = identity_send(people, known + unknown_yet)
    worker_run()
    failed = attempt.batches.get(number=2)
    assert failed.state == BatchState.FAILED
    assert "Invalid recipients" in failed.error
    attempt.refresh_from_db()
    assert (attempt.state, attempt.live) == (AttemptState.FAILED, True)
    assert attempt.error == sends.BATCHES_FAILED.format(failed=1, total=2)
    assert fresh(campaign).status == Status.PUBLISHED

    profiles_create(emails=unknown_yet)
    sends.send_batch_retry(batch=failed, user=people["publisher"])
    worker_run()

    failed.refresh_from_db()
    attempt.refresh_from_db()
    assert (failed.state, failed.sends) == (BatchState.SENT, 2)
    assert attempt.state == AttemptState.SUCCEEDED
    assert sent_batches() == [{"Email": known}, {"Email": unknown_yet}, {"Email": unknown_yet}]


def test_a_send_that_reached_nobody_leaves_the_draft_free_to_publish_again(sandbox, people):
    campaign, attempt = identity_send(people, emails(5))

    worker_run()

    attempt.refresh_from_db()
    assert (attempt.state, attempt.live) == (AttemptState.FAILED, False)
    assert fresh(campaign).status == Status.DRAFT


def test_an_unknown_batch_is_sent_again_only_when_asked_explicitly(sandbox, people):
    profiles_create(emails=emails(5))
    _, attempt = identity_send(people, emails(5))
    batch = attempt.batches.get()
    SendBatch.objects.filter(pk=batch.pk).update(state=BatchState.UNKNOWN)

    with pytest.raises(publishing.PublishingError) as refused:
        sends.send_batch_retry(batch=batch, user=people["publisher"])
    assert str(refused.value) == sends.BATCH_UNKNOWN_CONFIRM.format(number=1)
    worker_run()
    assert sent_batches() == []

    sends.send_batch_retry(batch=batch, user=people["publisher"], resend_unknown=True)
    worker_run()
    assert sent_batches() == [{"Email": emails(5)}]


def test_retrying_and_resuming_need_the_publish_permission(sandbox, people):
    profiles_create(emails=emails(5))
    _, attempt = identity_send(people, emails(5))
    batch = attempt.batches.get()
    SendBatch.objects.filter(pk=batch.pk).update(state=BatchState.FAILED)

    with pytest.raises(PermissionDenied):
        sends.send_batch_retry(batch=batch, user=people["composer"])
    with pytest.raises(PermissionDenied):
        sends.send_attempt_resume(attempt=attempt, user=people["composer"])
    assert attempt.batches.get().state == BatchState.FAILED


def test_the_progress_fragment_polls_while_sending_and_stops_when_done(sandbox, people, client):
    profiles_create(emails=emails(1200))
    campaign, attempt = identity_send(people, emails(1200))
    client.force_login(people["publisher"])
    url = reverse("campaigns:send_progress", args=[campaign.pk, attempt.pk])

    waiting = client.get(url, headers={"HX-Request": "true"}).content.decode()
    worker_run()
    done = client.get(url, headers={"HX-Request": "true"})
    page = client.get(reverse("campaigns:published", args=[campaign.pk])).content.decode()

    assert 'hx-trigger="every 1s"' in waiting
    assert "0 of 2 requests done" in waiting
    assert "Waiting for the background worker" in waiting
    assert html.escape(sends.SEND_NO_WORKER) in waiting
    assert done["HX-Refresh"] == "true"
    assert 'hx-trigger="every 1s"' not in page
    assert "2 of 2 requests done; 1200 identities sent." in page
    assert 'max="100" value="100"' in page
    assert page.count('data-operation="send"') == 2


def test_the_worker_command_in_its_own_process_sends_the_batches(sandbox, people):
    addresses = emails(1500)
    profiles_create(emails=addresses)
    _, attempt = identity_send(people, addresses)

    finished = subprocess.run(
        [sys.executable, "manage.py", "worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=BASE_DIR,
        env=worker_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert finished.returncode == 0, finished.stderr
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUCCEEDED
    assert sent_batches() == [{"Email": addresses[:1000]}, {"Email": addresses[1000:]}]


# Identity sends


def test_a_list_stored_once_is_sent_and_exported_whole(sandbox, people, client):
    addresses = emails(2500)
    profiles_create(emails=addresses)
    campaign, _ = identity_send(people, addresses)
    stored = fresh(campaign)
    # The draft's row holds a reference; the list is in its own table, once.
    assert stored.stored_body["to"] == {"identity_list": stored.identity_list.sha256}

    worker_run()

    assert sent_batches() == [
        {"Email": addresses[:1000]},
        {"Email": addresses[1000:2000]},
        {"Email": addresses[2000:]},
    ]
    client.force_login(people["composer"])
    exported = client.get(reverse("campaigns:campaign_export", args=[campaign.pk]))
    assert exported.json() == email_send_body(addresses)


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
    assert DBTaskResult.objects.get(id=attempt.task_id).status == "READY"
    assert received("send/email.json") == []
    assert fresh(campaign).status == Status.DRAFT


def test_identity_batches_hold_at_most_1000_identities_across_types(db):
    to = {"Email": [f"e{n}@x.io" for n in range(700)], "Identity": [f"i{n}" for n in range(700)]}

    batches = list(identities.identity_batches(identities.unique_identities(to)))

    assert [identities.count(batch) for batch in batches] == [1000, 400]
