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


# Resolving


def test_a_resolved_comment_says_who_resolved_it_in_the_audit_log(people):
    campaign = new_draft(people["composer"])
    comment = comments.comment_add(campaign=campaign, user=people["reviewer"], text="Shorter?")

    resolved = comments.comment_resolve(comment=comment, user=people["composer"])

    assert resolved.resolved_by == people["composer"] and resolved.resolved_at is not None
    event = AuditEvent.objects.get(action=AuditAction.COMMENT_RESOLVED)
    assert (event.actor, event.campaign_id) == (people["composer"], campaign.pk)
    assert event.details == {
        "comment": comment.pk,
        "version": 1,
        "section": "",
        "path": "",
        "text": "Shorter?",
    }


def test_publishers_do_not_resolve_comments(people):
    comment = comments.comment_add(
        campaign=new_draft(people["composer"]), user=people["reviewer"], text="Hi"
    )

    with pytest.raises(PermissionDenied):
        comments.comment_resolve(comment=comment, user=people["publisher"])

    comment.refresh_from_db()
    assert comment.resolved_at is None


# Where the composer shows them


def test_the_composer_places_each_open_comment_at_its_field_else_its_section_else_the_top(people):
    campaign = submitted(new_draft(people["composer"]), people)
    reviewer = people["reviewer"]
    on_field = comments.comment_add(
        campaign=campaign, user=reviewer, text="a", path="content.title"
    )
    on_section = comments.comment_add(campaign=campaign, user=reviewer, text="b", section="goal")
    stale = comments.comment_add(
        campaign=campaign, user=reviewer, text="c", section="content", path="content.gone"
    )
    on_draft = comments.comment_add(campaign=campaign, user=reviewer, text="d")
    done = comments.comment_add(campaign=campaign, user=reviewer, text="e", path="content.title")
    comments.comment_resolve(comment=done, user=people["composer"])
    note = approvals.campaign_request_changes(campaign=campaign, user=reviewer, text="f")
    places = {("content", "title"): ("content", "content-title")}

    found = comments.composer_comments(
        campaign=campaign, places=places, sections=["content", "goal"]
    )

    assert [p.comment for p in found.at_field("content-title")] == [on_field]
    assert [(p.comment, p.anchor) for p in found.at_section("goal")] == [
        (on_section, "section-goal")
    ]
    assert [(p.comment, p.stale_path) for p in found.at_section("content")] == [
        (stale, "content.gone")
    ]
    assert [(p.comment, p.anchor) for p in found.top] == [(on_draft, comments.TOP)]
    assert [c.pk for c in found.resolved] == [done.pk]
    assert found.note is not None and found.note.by == "reviewer"
    assert found.note.comment == note and found.note.placed.comment == note
    assert {p.comment for p in found.open} == {on_field, on_section, stale, on_draft, note}


def test_there_is_no_note_while_the_draft_was_not_sent_back(people):
    campaign = submitted(new_draft(people["composer"]), people)

    found = comments.composer_comments(campaign=campaign, places={}, sections=[])

    assert found.note is None
