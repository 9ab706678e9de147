"""Comments on a draft, a section or a field path."""

import pytest
from django.core.exceptions import PermissionDenied

from campaigns import review, selectors
from campaigns.models import (
    AuditAction,
    AuditEvent,
    Comment,
)
from campaigns.review import approvals, comments
from tests.drafts import new_draft, submitted

pytestmark = pytest.mark.django_db


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
    assert not AuditEvent.objects.filter(action=AuditAction.COMMENTED).exists()


def test_every_comment_is_an_audit_event(people):
    campaign = submitted(new_draft(people["composer"]), people)

    plain = comments.comment_add(
        campaign=campaign, user=people["reviewer"], text="Shorter?", section="content"
    )
    sent_back = approvals.campaign_request_changes(
        campaign=campaign, user=people["reviewer"], text="Add a subtitle", path="content.title"
    )

    events = AuditEvent.objects.filter(action=AuditAction.COMMENTED).order_by("id")
    assert [(e.actor, e.campaign_id) for e in events] == [(people["reviewer"], campaign.pk)] * 2
    assert [e.details for e in events] == [
        {"comment": plain.pk, "version": 1, "section": "content", "path": "", "text": "Shorter?"},
        {
            "comment": sent_back.pk,
            "version": 1,
            "section": "",
            "path": "content.title",
            "text": "Add a subtitle",
        },
    ]


def test_publishers_do_not_comment(people):
    with pytest.raises(PermissionDenied):
        comments.comment_add(
            campaign=new_draft(people["composer"]), user=people["publisher"], text="Hi"
        )
