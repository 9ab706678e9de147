"""Submitting, approving and requesting changes, and what a save or an archive does to the
approvals."""

import pytest
from django.core.exceptions import PermissionDenied

from campaigns import payloads, review, selectors, services
from campaigns.models import (
    Approval,
    AuditAction,
    AuditEvent,
    Comment,
    Revision,
    Status,
)
from campaigns.review import approvals, guards
from tests.drafts import PUSH_BODY, approved, edit, fresh, new_draft, submitted

pytestmark = pytest.mark.django_db


def actions(campaign) -> list[str]:
    return list(
        AuditEvent.objects.filter(campaign=campaign).order_by("id").values_list("action", flat=True)
    )


# Submitting


def test_submitting_puts_a_draft_in_review_and_says_who_asked(people):
    campaign = new_draft(people["composer"])

    approvals.campaign_submit(campaign=campaign, user=people["composer"])

    assert fresh(campaign).status == Status.IN_REVIEW
    [event] = AuditEvent.objects.filter(action=AuditAction.SUBMITTED)
    assert event.actor == people["composer"] and event.campaign_id == campaign.pk
    assert event.details == {"version": 1, "from": "draft", "to": "in_review"}
    [queued] = selectors.review_queue()
    assert (queued.asked_by, queued.asked_at) == ("composer", event.created_at)
    assert selectors.review_count() == 1


def test_submitting_keeps_the_reviewed_body_as_a_revision(people):
    campaign = new_draft(people["composer"])

    submitted(campaign, people)

    [revision] = Revision.objects.filter(campaign=campaign)
    assert (revision.version, revision.body) == (1, campaign.body)
    assert revision.body_hash == payloads.body_hash(campaign.body)


def test_a_draft_with_problems_is_not_submitted(people):
    campaign = new_draft(people["composer"], {**PUSH_BODY, "users_limit_overall": 5})

    with pytest.raises(review.ReviewError) as refused:
        approvals.campaign_submit(campaign=campaign, user=people["composer"])

    assert str(refused.value) == approvals.SUBMIT_HAS_ERRORS.format(count=1, plural="", them="it")
    assert fresh(campaign).status == Status.DRAFT


def test_only_a_draft_can_be_submitted(people):
    campaign = submitted(new_draft(people["composer"]), people)

    with pytest.raises(review.ReviewError) as refused:
        approvals.campaign_submit(campaign=campaign, user=people["composer"])

    assert str(refused.value) == approvals.NOT_SUBMITTABLE.format(status="in review")


@pytest.mark.parametrize("name", ["reviewer", "publisher"])
def test_submitting_needs_the_composer_role(people, name):
    campaign = new_draft(people["composer"])

    with pytest.raises(PermissionDenied):
        approvals.campaign_submit(campaign=campaign, user=people[name])

    assert fresh(campaign).status == Status.DRAFT
    assert not AuditEvent.objects.exists()


# Approving


def test_an_approval_is_bound_to_the_exact_body_and_approves_the_draft(people):
    campaign = submitted(new_draft(people["composer"]), people)

    approval = approvals.campaign_approve(
        campaign=campaign, user=people["reviewer"], shown_version=1
    )

    assert approval.body_hash == payloads.body_hash(campaign.body)
    assert (approval.version, approval.reviewer, approval.voided_at) == (
        1,
        people["reviewer"],
        None,
    )
    assert fresh(campaign).status == Status.APPROVED
    assert guards.publish_refusal(campaign=fresh(campaign)) == ""
    assert actions(campaign) == [AuditAction.SUBMITTED, AuditAction.APPROVED]


def test_the_author_cannot_approve_their_own_draft(people):
    campaign = submitted(new_draft(people["admin"]), people)

    with pytest.raises(review.ReviewError) as refused:
        approvals.campaign_approve(campaign=campaign, user=people["admin"])

    assert str(refused.value) == approvals.AUTHOR_CANNOT_APPROVE
    assert not Approval.objects.exists()
    assert fresh(campaign).status == Status.IN_REVIEW


def test_someone_who_edited_the_draft_cannot_approve_it_either(people):
    campaign = new_draft(people["composer"])
    edit(campaign, people["admin"], name="Edited by the admin")
    submitted(campaign, people)

    with pytest.raises(review.ReviewError) as refused:
        approvals.campaign_approve(campaign=campaign, user=people["admin"])

    assert str(refused.value) == approvals.AUTHOR_CANNOT_APPROVE


def test_four_eyes_can_be_turned_off_for_small_teams(people, settings):
    settings.REVIEW_FOUR_EYES = False
    campaign = submitted(new_draft(people["admin"]), people)

    approvals.campaign_approve(campaign=campaign, user=people["admin"])

    assert fresh(campaign).status == Status.APPROVED


def test_a_version_other_than_the_one_shown_is_not_approved(people):
    campaign = submitted(new_draft(people["composer"]), people)
    edit(campaign, people["composer"], name="Changed meanwhile")

    with pytest.raises(review.ReviewError) as refused:
        approvals.campaign_approve(campaign=campaign, user=people["reviewer"], shown_version=1)

    assert str(refused.value) == approvals.CHANGED_SINCE_SHOWN.format(shown=1, current=2)
    assert not Approval.objects.exists()


def test_a_version_with_problems_is_not_approved(people):
    # Problems can come after the submission: a save while in review, or a rule of the account.
    campaign = submitted(new_draft(people["composer"]), people)
    campaign = edit(campaign, people["composer"], users_limit_overall=5)
    problems = selectors.campaign_errors(campaign)
    assert len(problems) == 1 and fresh(campaign).status == Status.IN_REVIEW

    with pytest.raises(review.ReviewError) as refused:
        approvals.campaign_approve(campaign=campaign, user=people["reviewer"], shown_version=2)

    assert str(refused.value) == guards.APPROVE_HAS_PROBLEMS.format(
        version=2, count=1, plural="", them="it"
    )
    assert not Approval.objects.filter(campaign=campaign).exists()
    assert AuditAction.APPROVED not in actions(campaign)
    assert fresh(campaign).status == Status.IN_REVIEW


def test_only_a_draft_in_review_can_be_approved(people):
    campaign = new_draft(people["composer"])

    with pytest.raises(review.ReviewError) as refused:
        approvals.campaign_approve(campaign=campaign, user=people["reviewer"])

    assert str(refused.value) == approvals.NOT_IN_REVIEW.format(status="draft")


@pytest.mark.parametrize("name", ["composer", "publisher"])
def test_approving_needs_the_reviewer_role(people, name):
    campaign = submitted(new_draft(people["composer"]), people)

    with pytest.raises(PermissionDenied):
        approvals.campaign_approve(campaign=campaign, user=people[name])

    assert not Approval.objects.exists()


def test_an_edit_voids_the_approval_visibly_and_the_draft_returns_to_draft(people):
    campaign = approved(new_draft(people["composer"]), people)

    edit(campaign, people["composer"], name="Edited after approval")

    approval = Approval.objects.get()
    assert approval.voided_at is not None
    assert approval.voided_reason == approvals.VOIDED_BY_EDIT.format(user="composer", version=2)
    assert fresh(campaign).status == Status.DRAFT
    assert guards.publish_refusal(campaign=fresh(campaign)) == guards.NOT_APPROVED.format(version=2)
    voided = AuditEvent.objects.get(action=AuditAction.APPROVAL_VOIDED)
    assert voided.actor == people["composer"]
    assert voided.details["from"] == "approved" and voided.details["to"] == "draft"


def test_saving_the_same_body_again_keeps_the_approval(people):
    campaign = approved(new_draft(people["composer"]), people)

    edit(campaign, people["composer"])

    assert Approval.objects.get().voided_at is None
    assert fresh(campaign).status == Status.APPROVED
    assert guards.publish_refusal(campaign=fresh(campaign)) == ""


def test_moving_a_send_draft_to_another_channel_voids_the_approval(people):
    body = {"to": {"Email": ["a@example.com"]}, "content": {"body": "Hello"}}
    campaign = new_draft(people["composer"], body, api="send", channel="sms")
    Approval.objects.create(
        campaign=campaign,
        version=1,
        body_hash=payloads.body_hash(body),
        reviewer=people["reviewer"],
    )

    services.campaign_save(
        campaign=fresh(campaign),
        user=people["composer"],
        body=body,
        base_version=1,
        channel="whatsapp",
    )

    assert Approval.objects.get().voided_reason == approvals.VOIDED_BY_TARGET.format(
        user="composer", version=2, endpoint="send/whatsapp.json"
    )


def test_approving_again_replaces_the_reviewers_own_approval(people):
    campaign = approved(new_draft(people["composer"]), people)

    approvals.campaign_approve(campaign=campaign, user=people["reviewer"])

    first, second = Approval.objects.order_by("id")
    assert first.voided_reason == approvals.VOIDED_BY_NEW_APPROVAL.format(
        user="reviewer", version=1
    )
    assert second.voided_at is None
    assert fresh(campaign).status == Status.APPROVED


# Requesting changes


def test_requesting_changes_sends_the_draft_back_with_a_comment(people):
    campaign = approved(new_draft(people["composer"]), people)

    comment = approvals.campaign_request_changes(
        campaign=campaign,
        user=people["reviewer"],
        text="Shorter title, please.",
        section="content",
        path="content.title",
    )

    assert (comment.text, comment.section, comment.path) == (
        "Shorter title, please.",
        "content",
        "content.title",
    )
    assert fresh(campaign).status == Status.DRAFT
    assert Approval.objects.get().voided_reason == approvals.VOIDED_BY_CHANGES.format(
        user="reviewer"
    )
    event = AuditEvent.objects.get(action=AuditAction.CHANGES_REQUESTED)
    assert event.details["comment"] == comment.pk and event.details["approvals_voided"] == 1


def test_requesting_changes_says_what_should_change(people):
    campaign = submitted(new_draft(people["composer"]), people)

    with pytest.raises(review.ReviewError) as refused:
        approvals.campaign_request_changes(campaign=campaign, user=people["reviewer"], text="  ")

    assert str(refused.value) == approvals.CHANGES_TEXT_REQUIRED
    assert fresh(campaign).status == Status.IN_REVIEW


def test_requesting_changes_needs_the_reviewer_role(people):
    campaign = submitted(new_draft(people["composer"]), people)

    with pytest.raises(PermissionDenied):
        approvals.campaign_request_changes(campaign=campaign, user=people["publisher"], text="No")

    assert fresh(campaign).status == Status.IN_REVIEW
    assert not Comment.objects.exists()


# Archiving


def test_archiving_voids_the_approvals_and_is_audited(people):
    campaign = approved(new_draft(people["composer"]), people)

    services.campaign_set_archived(campaign=fresh(campaign), user=people["composer"], archived=True)
    services.campaign_set_archived(
        campaign=fresh(campaign), user=people["composer"], archived=False
    )

    assert fresh(campaign).status == Status.DRAFT
    assert Approval.objects.get().voided_reason == approvals.VOIDED_BY_ARCHIVE.format(
        user="composer"
    )
    assert guards.publish_refusal(campaign=fresh(campaign)) == guards.NOT_APPROVED.format(version=1)
    assert actions(campaign)[-2:] == [AuditAction.ARCHIVED, AuditAction.UNARCHIVED]
    archived = AuditEvent.objects.get(action=AuditAction.ARCHIVED)
    assert archived.details == {"from": "approved", "to": "archived", "approvals_voided": 1}
