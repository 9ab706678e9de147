"""The guards a publish must pass: approvals of the exact body, a second approval above the reach
threshold, and the reach drift since approval."""

import pytest

from campaigns.models import (
    Approval,
    Status,
)
from campaigns.review import approvals, guards
from tests.drafts import approved, estimated, fresh, new_draft, submitted

pytestmark = pytest.mark.django_db


# The guards


def test_a_draft_reaching_more_than_the_threshold_needs_a_second_approval(people, settings):
    settings.REVIEW_SECOND_APPROVAL_REACH = 1000
    campaign = submitted(new_draft(people["composer"]), people)
    estimated(campaign, 5000)

    approvals.campaign_approve(campaign=campaign, user=people["reviewer"])

    assert fresh(campaign).status == Status.IN_REVIEW
    assert guards.publish_refusal(campaign=fresh(campaign)) == (
        guards.NEEDS_SECOND_APPROVAL.format(reach="5,000", threshold="1,000", count=1)
    )

    approvals.campaign_approve(campaign=campaign, user=people["admin"])

    assert fresh(campaign).status == Status.APPROVED
    assert guards.publish_refusal(campaign=fresh(campaign)) == ""


def test_a_draft_below_the_threshold_needs_one_approval(people, settings):
    settings.REVIEW_SECOND_APPROVAL_REACH = 1000
    campaign = submitted(new_draft(people["composer"]), people)
    estimated(campaign, 1000)

    approvals.campaign_approve(campaign=campaign, user=people["reviewer"])

    assert fresh(campaign).status == Status.APPROVED


def test_an_estimate_above_the_threshold_after_approval_asks_for_a_second_one(people, settings):
    settings.REVIEW_SECOND_APPROVAL_REACH = 1000
    campaign = approved(new_draft(people["composer"]), people)
    estimated(campaign, 1100)

    assert guards.publish_refusal(campaign=fresh(campaign)) == (
        guards.NEEDS_SECOND_APPROVAL.format(reach="1,100", threshold="1,000", count=1)
    )


def test_a_reach_that_moved_too_far_since_approval_is_refused_until_approved_again(
    people, settings
):
    settings.REVIEW_REACH_DRIFT = 0.2
    campaign = submitted(new_draft(people["composer"]), people)
    estimated(campaign, 1000)
    approvals.campaign_approve(campaign=campaign, user=people["reviewer"])
    estimated(campaign, 1200)
    assert guards.publish_refusal(campaign=fresh(campaign)) == ""

    estimated(campaign, 1300)

    assert guards.publish_refusal(campaign=fresh(campaign)) == guards.REACH_DRIFTED.format(
        approved="1,000", now="1,300", change="+30%", share="20%"
    )
    approvals.campaign_approve(campaign=campaign, user=people["reviewer"])
    assert guards.publish_refusal(campaign=fresh(campaign)) == ""


def test_a_reach_that_shrank_too_far_is_refused_as_well(people):
    campaign = submitted(new_draft(people["composer"]), people)
    estimated(campaign, 1000)
    approvals.campaign_approve(campaign=campaign, user=people["reviewer"])

    estimated(campaign, 500)

    assert guards.publish_refusal(campaign=fresh(campaign)) == guards.REACH_DRIFTED.format(
        approved="1,000", now="500", change="-50%", share="20%"
    )


def test_without_an_estimate_the_guards_say_they_wait_for_one(people):
    campaign = approved(new_draft(people["composer"]), people)

    found = guards.guards(campaign=fresh(campaign))

    assert found.refusal == "" and found.reach is None and found.needed == 1
    assert found.notes == [guards.NO_ESTIMATE.format(threshold="100,000", share="20%")]


def test_an_approval_of_another_body_never_counts(people):
    campaign = approved(new_draft(people["composer"]), people)
    # As if the approval had not been voided: publishing compares the hash, not the status.
    Approval.objects.update(body_hash="0" * 64)

    assert guards.publish_refusal(campaign=fresh(campaign)) == guards.NOT_APPROVED.format(version=1)
