"""Every save is a revision; an old one is restored as a new version."""

import pytest
from django.core.exceptions import PermissionDenied

from campaigns import payloads, services
from campaigns.models import (
    AuditAction,
    AuditEvent,
    Revision,
)
from campaigns.review import approvals, revisions
from tests.drafts import PUSH_BODY, approved, edit, fresh, new_draft, submitted

pytestmark = pytest.mark.django_db


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


# What a review compares the draft with


def test_a_first_submission_is_compared_with_nothing(people):
    campaign = submitted(new_draft(people["composer"]), people)

    base = revisions.diff_base(campaign=fresh(campaign))

    assert (base.label, base.version, base.body) == (revisions.NOTHING_TO_COMPARE, None, None)


def test_a_resubmission_is_compared_with_the_version_submitted_before(people):
    campaign = submitted(new_draft(people["composer"]), people)
    approvals.campaign_request_changes(campaign=campaign, user=people["reviewer"], text="Rename")
    edit(campaign, people["composer"], name="Renamed")
    # Back in draft, the composer sees what changed since the submission.
    base = revisions.diff_base(campaign=fresh(campaign))
    assert (base.label, base.version) == (revisions.SUBMITTED_BASE.format(version=1), 1)

    submitted(fresh(campaign), people)

    base = revisions.diff_base(campaign=fresh(campaign))
    assert (base.label, base.version, base.body) == (
        revisions.SUBMITTED_BASE.format(version=1),
        1,
        PUSH_BODY,
    )
    assert revisions.body_diff(base.body, fresh(campaign).body).changed_paths == ["name"]


def test_an_approval_is_compared_with_before_any_submission(people):
    campaign = approved(new_draft(people["composer"]), people)
    edit(campaign, people["composer"], name="Renamed")
    submitted(fresh(campaign), people)

    base = revisions.diff_base(campaign=fresh(campaign))

    assert base.version == 1 and base.label.startswith("Approved version 1")
