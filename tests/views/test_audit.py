"""The audit log's page and its CSV export."""

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from campaigns import audit
from campaigns.models import AuditAction, AuditEvent
from campaigns.review import comments
from tests.drafts import PUSH_BODY, approved, new_draft, submitted

pytestmark = pytest.mark.django_db


# The audit log


def test_the_audit_log_filters_and_exports_csv(people, as_user):
    one = approved(new_draft(people["composer"], {**PUSH_BODY, "name": "=HYPERLINK(1)"}), people)
    submitted(new_draft(people["composer"]), people)
    client = as_user("reviewer")

    page = client.get(reverse("campaigns:audit"), {"campaign": one.pk})
    by_action = client.get(reverse("campaigns:audit"), {"action": AuditAction.SUBMITTED})
    exported = client.get(reverse("campaigns:audit_csv"), {"campaign": one.pk})

    assert [e.action for e in page.context["page"]] == [
        AuditAction.APPROVED,
        AuditAction.SUBMITTED,
    ]
    assert by_action.context["page"].paginator.count == 2
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert rows[0] == ["time", "who", "action", "draft_id", "draft", "details"]
    assert [(r[1], r[2], r[3], r[4]) for r in rows[1:]] == [
        ("reviewer", "approved", str(one.pk), "'=HYPERLINK(1)"),
        ("composer", "submitted", str(one.pk), "'=HYPERLINK(1)"),
    ]


def test_the_audit_log_offers_calls_and_comments_and_says_them_in_words(people, as_user):
    campaign = new_draft(people["composer"])
    comments.comment_add(
        campaign=campaign, user=people["reviewer"], text="Shorter?", section="content"
    )
    audit.audit_record(
        actor=people["publisher"],
        action=AuditAction.CALL_CREATE,
        campaign=campaign,
        details={
            "api_call": 1,
            "endpoint": "targets/create.json",
            "outcome": "failed",
            "http_status": 400,
            "duration_ms": 12,
            "attempts": 1,
            "error_kind": "api",
            "error": "CleverTap refused the request.",
        },
    )
    client = as_user("reviewer")

    page = client.get(reverse("campaigns:audit"))
    calls = client.get(reverse("campaigns:audit"), {"action": AuditAction.CALL_CREATE})
    exported = client.get(reverse("campaigns:audit_csv"), {"action": AuditAction.COMMENTED})

    offered = dict(page.context["form"].fields["action"].choices)
    for action in (AuditAction.COMMENTED, AuditAction.CALL_ESTIMATE, AuditAction.CALL_SEND):
        assert offered[action] == action.label
    html = page.content.decode()
    assert "<td>CleverTap: create campaign</td>" in html and "<td>Comment added</td>" in html
    call_words = audit.CALL_SUMMARY.format(
        endpoint="targets/create.json",
        outcome="failed",
        status=" (HTTP 400)",
        duration_ms=12,
        attempts=1,
        plural="",
    )
    assert f"{call_words} CleverTap refused the request." in html
    comment_words = audit.COMMENT_SUMMARY.format(text="Shorter?") + audit.COMMENT_ON.format(
        where=audit.COMMENT_SECTION.format(section="content")
    )
    assert escape(comment_words) in html
    assert [e.action for e in calls.context["page"]] == [AuditAction.CALL_CREATE]
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert [(r[1], r[2]) for r in rows[1:]] == [("reviewer", "commented")]
    assert json.loads(rows[1][5])["text"] == "Shorter?"


def test_a_resolved_comment_is_in_the_audit_log_with_its_words(people, as_user):
    campaign = new_draft(people["composer"])
    comment = comments.comment_add(
        campaign=campaign, user=people["reviewer"], text="Shorter?", path="content.title"
    )
    comments.comment_resolve(comment=comment, user=people["composer"])

    page = as_user("reviewer").get(
        reverse("campaigns:audit"), {"action": AuditAction.COMMENT_RESOLVED}
    )

    [event] = page.context["page"]
    assert (event.actor, event.campaign_id) == (people["composer"], campaign.pk)
    html = page.content.decode()
    assert "<td>Comment resolved</td>" in html
    words = audit.COMMENT_SUMMARY.format(text="Shorter?") + audit.COMMENT_ON.format(
        where="content.title"
    )
    assert escape(words) in html


def test_the_audit_log_is_read_only(people, as_user):
    response = as_user("admin").post(reverse("campaigns:audit"))

    assert response.status_code == 405
    assert AuditEvent.objects.count() == 0


def test_hostile_text_is_escaped_on_every_review_page(people, as_user):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    campaign = new_draft(
        people["composer"],
        {**PUSH_BODY, "name": hostile, "content": {"title": hostile, "body": "b"}},
    )
    submitted(campaign, people)
    comments.comment_add(campaign=campaign, user=people["reviewer"], text=hostile, path="a.b")
    client = as_user("reviewer")

    for url in (
        reverse("campaigns:review_queue"),
        reverse("campaigns:review", args=[campaign.pk]),
        reverse("campaigns:history", args=[campaign.pk]),
        reverse("campaigns:audit"),
    ):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;" in html, url
