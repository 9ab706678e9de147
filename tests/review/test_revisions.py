"""Every save is a revision; an old one is restored as a new version."""

import pytest
from django.core.exceptions import PermissionDenied

from campaigns import payloads, services
from campaigns.models import (
    AuditAction,
    AuditEvent,
    Revision,
)
from tests.drafts import PUSH_BODY, edit, fresh, new_draft

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
