"""After publishing: stop, report, and settling an unknown outcome from CleverTap's campaign
list."""

import pytest
from django.core.exceptions import PermissionDenied

from campaigns import publishing
from campaigns.models import (
    ApiCall,
    AttemptState,
    CallOutcome,
    PublishAttempt,
    Status,
)
from campaigns.publishing import attempts, confirm, followup
from sandbox.models import SandboxCampaign
from tests.drafts import PUSH_BODY, confirmed, draft, fresh, later
from tests.sandbox_records import (
    creates_received,
    received,
)

pytestmark = pytest.mark.django_db(transaction=True)


# After publishing


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
