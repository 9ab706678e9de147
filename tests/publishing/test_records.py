"""Every CleverTap call in the audit log (`records.api_call`), and identity sends summarised once
per send when they settle or resume (`sends`): against the sandbox over real HTTP, and a refused
call against the scripted fault server. The passcode is never in the log, its page or its CSV."""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns import audit, clevertap, publishing
from campaigns.models import (
    ApiCall,
    AuditAction,
    AuditEvent,
    BatchState,
    CallOutcome,
    PublishAttempt,
    SendBatch,
)
from campaigns.publishing import estimates, followup, records, sends
from sandbox import services as sandbox_services
from tests import fault_server, sandbox_records
from tests.drafts import PUSH_BODY, draft, emails, identity_send, later, published
from tests.fault_server import Answer
from tests.processes import worker_run
from tests.sandbox_records import profiles_create

pytestmark = pytest.mark.django_db(transaction=True)

CALLS = [
    AuditAction.CALL_ESTIMATE,
    AuditAction.CALL_CREATE,
    AuditAction.CALL_SEND,
    AuditAction.CALL_STOP,
    AuditAction.CALL_REPORT,
    AuditAction.CALL_LIST,
    AuditAction.CALL_OTHER,
]


def call_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__in=CALLS).order_by("id"))


def audit_exports(client, reviewer) -> str:
    """The audit page and its CSV, as a reviewer gets them."""
    client.force_login(reviewer)
    page = client.get(reverse("campaigns:audit")).content.decode()
    csv = client.get(reverse("campaigns:audit_csv"))
    return page + b"".join(csv.streaming_content).decode()


# Every call


def test_every_call_of_a_publish_and_its_followup_is_an_audit_event(sandbox, people, monkeypatch):
    monkeypatch.setattr(sandbox_services, "ASYNC_ESTIMATE_SECONDS", 0.3)
    composer, publisher = people["composer"], people["publisher"]
    campaign = draft(composer, {**PUSH_BODY, "when": later()})

    made = estimates.campaign_estimate(campaign=campaign, user=composer, async_estimate=True)
    time.sleep(0.4)
    made = estimates.estimate_refresh(estimate=made, user=composer)
    attempt = published(campaign, publisher)
    followup.campaign_stop(campaign=campaign, user=publisher)
    followup.campaign_report(campaign=campaign, user=people["admin"])

    events = call_events()
    assert [event.action for event in events] == [
        AuditAction.CALL_ESTIMATE,
        AuditAction.CALL_ESTIMATE,
        AuditAction.CALL_CREATE,
        AuditAction.CALL_STOP,
        AuditAction.CALL_REPORT,
        # Stopped before it ran, it has no report: its status is read from the list.
        AuditAction.CALL_LIST,
    ]
    calls = list(ApiCall.objects.order_by("id"))
    assert [event.details["api_call"] for event in events] == [call.pk for call in calls]
    assert [event.actor for event in events] == [composer, composer, publisher, publisher] + [
        people["admin"]
    ] * 2
    assert {event.campaign_id for event in events} == {campaign.pk}
    asked, polled, created, stopped, report, listed = (event.details for event in events)
    assert asked == {
        "api_call": calls[0].pk,
        "endpoint": "targets/create.json",
        "outcome": CallOutcome.SUCCEEDED,
        "http_status": 200,
        "duration_ms": calls[0].duration_ms,
        "attempts": 1,
        "estimate": made.pk,
    }
    assert polled["request_id"] == made.request_id and polled["estimate"] == made.pk
    assert (created["attempt"], created["clevertap_id"]) == (attempt.pk, attempt.clevertap_id)
    assert (stopped["endpoint"], stopped["clevertap_id"]) == (
        "targets/stop.json",
        attempt.clevertap_id,
    )
    assert (report["endpoint"], report["outcome"]) == ("targets/result.json", CallOutcome.FAILED)
    assert (listed["endpoint"], listed["outcome"]) == ("targets/list.json", CallOutcome.SUCCEEDED)
    assert sandbox_records.PASSCODE not in str([event.details for event in events])


def test_the_campaign_list_asked_for_an_unknown_outcome_is_an_audit_event(sandbox, people):
    publisher = people["publisher"]
    campaign = draft(people["composer"])
    attempt = published(campaign, publisher)
    PublishAttempt.objects.filter(pk=attempt.pk).update(state="unknown", clevertap_id=None)

    followup.publish_attempt_check(attempt=attempt, user=publisher)

    event = call_events()[-1]
    assert (event.action, event.actor, event.campaign_id) == (
        AuditAction.CALL_LIST,
        publisher,
        campaign.pk,
    )
    assert event.details["endpoint"] == "targets/list.json"
    assert event.details["attempt"] == attempt.pk


def test_a_refused_call_is_audited_without_the_passcode(server, people, client):
    # An answer that repeats the passcode, as a careless proxy might.
    server.default = Answer(
        status=400,
        body={"status": "fail", "error": f"bad key {fault_server.PASSCODE}", "code": 400},
    )
    campaign = draft(people["composer"])

    made = estimates.campaign_estimate(campaign=campaign, user=people["composer"])

    [event] = call_events()
    assert event.action == AuditAction.CALL_ESTIMATE
    assert (event.details["outcome"], event.details["http_status"]) == (CallOutcome.FAILED, 400)
    assert event.details["estimate"] == made.pk and event.details["error"]
    # It came back, and the client scrubbed it from what is stored.
    assert "bad key ***" in str(ApiCall.objects.get().response)
    exported = audit_exports(client, people["reviewer"])
    assert "call_estimate" in exported and "CleverTap: estimate" in exported
    assert fault_server.PASSCODE not in exported
    assert fault_server.PASSCODE not in str(event.details)


def test_an_operation_without_its_own_action_is_still_audited(people):
    campaign = draft(people["composer"])
    record = clevertap.RequestRecord("POST", "https://example.test/1/targets/new.json", {}, {})

    records.api_call(
        lambda: clevertap.CleverTapResult(
            operation="new", data={}, http_status=200, duration_ms=5, attempts=1, request=record
        ),
        campaign=campaign,
        user=people["publisher"],
    )

    [event] = call_events()
    assert (event.action, event.details["endpoint"]) == (AuditAction.CALL_OTHER, "targets/new.json")


# Identity sends: one event per send, not one per batch


def test_an_identity_send_is_one_audit_event_when_it_settles(sandbox, people, client):
    addresses = emails(2500)
    profiles_create(emails=addresses)
    campaign, attempt = identity_send(people, addresses)

    worker_run()

    assert ApiCall.objects.filter(operation="send").count() == 3
    [event] = call_events()
    assert (event.action, event.actor, event.campaign_id) == (
        AuditAction.CALL_SEND,
        people["publisher"],
        campaign.pk,
    )
    assert event.details == {
        "attempt": attempt.pk,
        "stage": "settled",
        "state": "succeeded",
        "batches": 3,
        "identities": 2500,
        "batches_sent": 3,
        "identities_sent": 2500,
        "batches_failed": 0,
        "identities_failed": 0,
        "batches_unknown": 0,
        "identities_unknown": 0,
        "batches_waiting": 0,
    }
    summary = audit.SEND_SUMMARY.format(
        stage="settled",
        sent=3,
        batches=3,
        batches_plural="es",
        identities_sent="2,500",
        identities="2,500",
        failed=0,
        unknown=0,
        waiting=0,
    )
    assert summary in audit_exports(client, people["reviewer"])


def test_a_resumed_send_is_audited_when_it_resumes_and_when_it_settles(sandbox, people, settings):
    settings.SEND_BATCH_STALE_SECONDS = 60
    addresses = emails(2500)
    profiles_create(emails=addresses)
    _, attempt = identity_send(people, addresses)
    # The worker died while sending batch 2: batch 1 went out, batch 3 waits.
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    SendBatch.objects.filter(attempt=attempt, number=1).update(
        state=BatchState.SENT, claimed_at=long_ago, finished_at=long_ago, sends=1
    )
    SendBatch.objects.filter(attempt=attempt, number=2).update(
        state=BatchState.SENDING, claimed_at=long_ago, sends=1
    )

    sends.send_attempt_run(attempt=attempt)

    resumed, settled = (event.details for event in call_events())
    assert (resumed["stage"], resumed["batches_sent"], resumed["batches_unknown"]) == (
        "resumed",
        1,
        1,
    )
    assert (resumed["batches_waiting"], resumed["identities_sent"]) == (1, 1000)
    assert (settled["stage"], settled["state"]) == ("settled", "unknown")
    assert (settled["batches_sent"], settled["batches_unknown"]) == (2, 1)
    assert (settled["identities_sent"], settled["identities_unknown"]) == (1500, 1000)


def test_a_settled_send_settled_again_is_not_audited_twice(sandbox, people):
    profiles_create(emails=emails(5))
    _, attempt = identity_send(people, emails(5))
    worker_run()

    with pytest.raises(publishing.PublishingError, match=sends.RESUME_NOTHING):
        sends.send_attempt_resume(attempt=attempt, user=people["publisher"])

    assert [event.details["stage"] for event in call_events()] == ["settled"]
