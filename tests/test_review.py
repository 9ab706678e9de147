"""Team review services: submit, approve, request changes, comments, revisions, the guards and
the audit log (campaigns/review.py and its hooks in services.py)."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from campaigns import audit, payloads, review, selectors, services
from campaigns.models import (
    Approval,
    AuditAction,
    AuditEvent,
    Comment,
    Provider,
    Revision,
    Status,
)
from campaigns.review import approvals, comments, guards
from tests.publishing_support import PUSH_BODY, people_fixture  # noqa: F401 - `people`
from tests.review_support import approved, edit, estimated, fresh, new_draft, submitted

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


# Comments


def test_a_comment_can_be_on_the_draft_a_section_or_a_field(people):
    campaign = new_draft(people["composer"])

    whole = comments.comment_add(campaign=campaign, user=people["reviewer"], text=" Looks good ")
    on_field = comments.comment_add(
        campaign=campaign, user=people["composer"], text="Fixed", path='content["title"]'
    )

    assert (whole.text, whole.section, whole.path, whole.version) == ("Looks good", "", "", 1)
    assert on_field.path == 'content["title"]'
    assert list(selectors.comment_list(campaign=campaign)) == [whole, on_field]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": ""}, comments.COMMENT_EMPTY),
        ({"text": "x" * 5001}, comments.COMMENT_TOO_LONG.format(limit=5000)),
        ({"path": "content..title"}, comments.COMMENT_PATH_INVALID.format(path="content..title")),
        ({"section": "nowhere"}, comments.COMMENT_SECTION_UNKNOWN.format(section="nowhere")),
    ],
)
def test_a_comment_is_refused_with_a_reason(people, changes, message):
    campaign = new_draft(people["composer"])

    with pytest.raises(review.ReviewError) as refused:
        comments.comment_add(
            campaign=campaign, user=people["reviewer"], **{"text": "Hi", **changes}
        )

    assert str(refused.value) == message
    assert not Comment.objects.exists()


def test_publishers_do_not_comment(people):
    with pytest.raises(PermissionDenied):
        comments.comment_add(
            campaign=new_draft(people["composer"]), user=people["publisher"], text="Hi"
        )


# Revisions


def test_every_save_is_a_revision_and_the_version_before_the_first_save_is_kept(people):
    campaign = new_draft(people["composer"])

    edit(campaign, people["composer"], name="Second")
    edit(campaign, people["admin"], name="Third")

    revisions = list(Revision.objects.filter(campaign=campaign).order_by("version"))
    assert [(r.version, r.body["name"], r.author.username) for r in revisions] == [
        (1, PUSH_BODY["name"], "composer"),
        (2, "Second", "composer"),
        (3, "Third", "admin"),
    ]
    assert all(r.body_hash == payloads.body_hash(r.body) for r in revisions)


def test_restoring_a_revision_saves_it_as_a_new_version(people):
    campaign = new_draft(people["composer"])
    edit(campaign, people["composer"], name="Second")
    first = Revision.objects.get(campaign=campaign, version=1)

    saved = services.revision_restore(revision=first, user=people["composer"], base_version=2)

    assert saved.version == 3 and saved.body == first.body
    newest = Revision.objects.get(campaign=campaign, version=3)
    assert newest.note == services.RESTORED_NOTE.format(version=1)
    assert AuditEvent.objects.get(action=AuditAction.REVISION_RESTORED).details == {
        "restored": 1,
        "version": 3,
    }


def test_restoring_over_a_newer_save_is_refused(people):
    campaign = new_draft(people["composer"])
    edit(campaign, people["composer"], name="Second")
    first = Revision.objects.get(campaign=campaign, version=1)

    with pytest.raises(services.StaleVersion):
        services.revision_restore(revision=first, user=people["composer"], base_version=1)

    assert fresh(campaign).version == 2


def test_the_current_version_is_not_restored(people):
    campaign = new_draft(people["composer"])
    edit(campaign, people["composer"], name="Second")

    with pytest.raises(services.NothingToRestore) as refused:
        services.revision_restore(
            revision=Revision.objects.get(campaign=campaign, version=2), user=people["composer"]
        )

    assert str(refused.value) == services.REVISION_CURRENT.format(version=2)


def test_restoring_needs_the_composer_role(people):
    campaign = new_draft(people["composer"])
    edit(campaign, people["composer"], name="Second")

    with pytest.raises(PermissionDenied):
        services.revision_restore(
            revision=Revision.objects.get(campaign=campaign, version=1), user=people["reviewer"]
        )

    assert fresh(campaign).version == 2


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


# The audit log


def test_a_settings_change_in_the_admin_is_audited_without_its_values(people):
    provider = Provider.objects.create(channel="sms", nick_name="Gateway", provider_id="42")

    LogEntry.objects.log_actions(
        people["admin"].pk,
        [provider],
        CHANGE,
        change_message=[{"changed": {"fields": ["Nick name"]}}],
    )

    event = AuditEvent.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert event.actor == people["admin"] and event.campaign is None
    assert event.details == {
        "model": "campaigns.provider",
        "object_id": str(provider.pk),
        "object": str(provider),
        "change": "changed",
        "message": "Changed Nick name.",
    }
    assert ContentType.objects.get_for_model(Provider).model == "provider"


def test_the_audit_log_filters_by_draft_user_and_action(people):
    one = approved(new_draft(people["composer"]), people)
    two = submitted(new_draft(people["composer"]), people)

    assert set(audit.audit_list(campaign_id=two.pk).values_list("action", flat=True)) == {
        AuditAction.SUBMITTED
    }
    assert list(audit.audit_list(actor_id=people["reviewer"].pk)) == list(
        AuditEvent.objects.filter(action=AuditAction.APPROVED)
    )
    assert audit.audit_list(action=AuditAction.SUBMITTED).count() == 2
    assert audit.audit_list(campaign_id=one.pk, action=AuditAction.APPROVED).count() == 1
