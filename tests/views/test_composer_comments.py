"""The reviewers' words in the composer: the latest "request changes" note at the top, each open
comment at its field or section, and resolving one (review.comments,
views.review.comment_resolve)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import AuditAction, AuditEvent, Comment
from campaigns.review import approvals, comments
from campaigns.views import review as review_views
from tests.drafts import PUSH_BODY, fresh, new_draft, submitted
from tests.views.test_composer import page_data

pytestmark = pytest.mark.django_db

NOTE = "Put the discount in the title."


@pytest.fixture
def sent_back(people):
    """A push draft a reviewer sent back with a note on content.title."""
    campaign = submitted(new_draft(people["composer"]), people)
    approvals.campaign_request_changes(
        campaign=campaign, user=people["reviewer"], text=NOTE, path="content.title"
    )
    return fresh(campaign)


def composer_html(client, campaign) -> str:
    response = client.get(reverse("campaigns:composer", args=[campaign.pk]))
    assert response.status_code == 200
    return response.content.decode()


def between(html: str, start: str, end: str) -> str:
    """The page from `start` to the first `end` after it."""
    begin = html.index(start)
    return html[begin : html.index(end, begin + len(start))]


def box(comment: Comment) -> str:
    return f'id="comment-{comment.pk}"'


def add(campaign, user, text: str, **where) -> Comment:
    return comments.comment_add(campaign=campaign, user=user, text=text, **where)


def resolve_url(comment: Comment) -> str:
    return reverse("campaigns:comment_resolve", args=[comment.campaign_id, comment.pk])


# Where the composer shows them


def test_the_latest_request_changes_note_shows_at_the_top(as_user, sent_back):
    html = composer_html(as_user("composer"), sent_back)

    top = between(html, 'id="composer-comments"', 'id="composer-form"')
    note = between(top, 'id="changes-note"', "</section>")
    assert "Changes requested by reviewer" in note and NOTE in note
    assert reverse("campaigns:review", args=[sent_back.pk]) in note
    [comment] = Comment.objects.all()
    assert f'href="#comment-{comment.pk}"' in note


def test_the_note_goes_once_the_draft_is_submitted_again(as_user, people, sent_back):
    submitted(sent_back, people)

    html = composer_html(as_user("composer"), sent_back)

    assert 'id="changes-note"' not in html
    assert NOTE in between(html, 'id="div_id_content-title"', 'id="div_id_content-body"')


def test_a_comment_shows_under_its_field_and_one_on_a_section_in_it(as_user, people, sent_back):
    [on_title] = Comment.objects.all()
    on_schedule = add(sent_back, people["reviewer"], "Send it on Monday.", section="schedule")
    on_draft = add(sent_back, people["reviewer"], "Nice one overall.")

    html = composer_html(as_user("composer"), sent_back)

    under_title = between(html, 'id="div_id_content-title"', 'id="div_id_content-body"')
    assert box(on_title) in under_title and NOTE in under_title
    assert under_title.index('id="counter-title"') < under_title.index(box(on_title))
    assert "Resolve" in under_title
    schedule = between(html, 'id="section-schedule"', "</section>")
    assert box(on_schedule) in schedule and "Send it on Monday." in schedule
    assert box(on_draft) in between(html, 'id="composer-comments"', 'id="composer-form"')
    assert html.count(box(on_title)) == html.count(box(on_draft)) == 1


def test_a_comment_on_a_field_of_a_row_shows_under_that_field(as_user, people):
    rows = [
        {"name": "Customer Type", "operator": "equals", "value": "Gold"},
        {"name": "City", "operator": "equals", "value": "Pune"},
    ]
    body = {**PUSH_BODY, "where": {"common_profile_properties": {"profile_fields": rows}}}
    campaign = new_draft(people["composer"], body)
    comment = add(
        campaign,
        people["reviewer"],
        "Mumbai, surely.",
        path="where.common_profile_properties.profile_fields[1].value",
    )

    html = composer_html(as_user("composer"), campaign)

    second_row = between(html, 'id="div_id_audience-profile_fields-1-value"', 'name="remove_row"')
    assert box(comment) in second_row and "Mumbai, surely." in second_row


def test_a_comment_whose_path_is_gone_shows_at_its_section(as_user, people, sent_back):
    stale = add(
        sent_back,
        people["reviewer"],
        "Was the subtitle right?",
        section="content",
        path="content.x",
    )
    nowhere = add(sent_back, people["reviewer"], "And this?", path="content.y")

    html = composer_html(as_user("composer"), sent_back)

    content = between(html, 'id="section-content"', 'id="div_id_content-title"')
    assert box(stale) in content and "content.x</code> (no longer in this form)" in content
    assert box(nowhere) in between(html, 'id="composer-comments"', 'id="composer-form"')


def test_a_comment_on_the_whole_draft_that_sent_it_back_shows_once_in_the_note(as_user, people):
    campaign = submitted(new_draft(people["composer"]), people)
    approvals.campaign_request_changes(campaign=campaign, user=people["reviewer"], text=NOTE)
    [comment] = Comment.objects.all()

    html = composer_html(as_user("composer"), campaign)

    assert html.count(NOTE) == 1
    assert box(comment) in between(html, 'id="changes-note"', "</section>")


def test_resolved_comments_are_hidden_in_the_composer_and_marked_on_the_review_page(
    as_user, people, sent_back
):
    [comment] = Comment.objects.all()
    comments.comment_resolve(comment=comment, user=people["composer"])

    html = composer_html(as_user("composer"), sent_back)
    review = as_user("reviewer").get(reverse("campaigns:review", args=[sent_back.pk]))

    assert box(comment) not in html
    assert "Show resolved (1)" in html
    assert "Resolved by composer" in between(html, 'id="changes-note"', "</section>")
    article = between(review.content.decode(), f'data-comment="{comment.pk}"', "</article>")
    assert 'data-resolved="true"' in article and "Resolved</span> by composer" in article


def test_a_reader_without_a_role_to_comment_sees_no_resolve_button(client, people, sent_back):
    client.force_login(people["publisher"])

    html = composer_html(client, sent_back)

    assert NOTE in html
    assert "Resolve" not in html and "comment-resolve-" not in html


# Resolving


@pytest.mark.parametrize("role", ["composer", "reviewer"])
def test_a_composer_or_a_reviewer_resolves_a_comment_in_the_audit_log(
    as_user, people, role, sent_back
):
    [comment] = Comment.objects.all()

    response = as_user(role).post(resolve_url(comment), {"anchor": "section-content"})

    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("campaigns:composer", args=[sent_back.pk]) + "#section-content"
    )
    comment.refresh_from_db()
    assert comment.resolved_by == people[role] and comment.resolved_at is not None
    event = AuditEvent.objects.get(action=AuditAction.COMMENT_RESOLVED)
    assert (event.actor, event.campaign_id) == (people[role], sent_back.pk)
    assert event.details["comment"] == comment.pk and event.details["text"] == NOTE
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [review_views.COMMENT_RESOLVED]


def test_a_publisher_may_not_resolve_a_comment(as_user, sent_back):
    [comment] = Comment.objects.all()

    response = as_user("publisher").post(resolve_url(comment))

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.resolved_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.COMMENT_RESOLVED).exists()


def test_resolving_again_changes_nothing(as_user, sent_back):
    [comment] = Comment.objects.all()
    client = as_user("composer")
    client.post(resolve_url(comment))
    first = Comment.objects.get().resolved_at

    client.post(resolve_url(comment))

    assert Comment.objects.get().resolved_at == first
    assert AuditEvent.objects.filter(action=AuditAction.COMMENT_RESOLVED).count() == 1


def test_an_anchor_that_is_not_an_id_goes_back_to_the_composer_top(as_user, sent_back):
    [comment] = Comment.objects.all()

    response = as_user("composer").post(resolve_url(comment), {"anchor": 'x"><script>'})

    assert response["Location"] == reverse("campaigns:composer", args=[sent_back.pk])


def test_with_htmx_the_box_says_resolved_and_the_resolved_list_is_counted_again(as_user, sent_back):
    [comment] = Comment.objects.all()

    response = as_user("composer").post(resolve_url(comment), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    resolved_box = between(html, box(comment), "</p>")
    assert review_views.COMMENT_RESOLVED in resolved_box and NOTE not in resolved_box
    assert 'id="resolved-comments" hx-swap-oob="true"' in html and "Show resolved (1)" in html


# Queries


def comment_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if '"campaigns_comment"' in q["sql"]]


def review_step_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if '"campaigns_auditevent"' in q["sql"]]


def test_the_composer_reads_comments_in_one_query_and_the_note_in_another(
    as_user, people, sent_back
):
    client = as_user("composer")
    composer_html(client, sent_back)  # Sessions, permissions and caches warmed.
    with CaptureQueriesContext(connection) as one:
        composer_html(client, sent_back)
    for index in range(29):
        path = "content.body" if index % 2 else ""
        add(sent_back, people["reviewer"], f"Comment {index}", section="schedule", path=path)
    with CaptureQueriesContext(connection) as thirty:
        html = composer_html(client, sent_back)

    assert html.count('class="comment-box"') == 30
    assert len(thirty) == len(one)
    assert len(comment_queries(thirty)) == 1 and len(review_step_queries(thirty)) == 1


def test_the_live_preview_reads_no_comment(as_user, people, sent_back):
    client = as_user("composer")
    data = page_data(client, sent_back)
    add(sent_back, people["reviewer"], "Another one.", section="content")

    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("campaigns:composer_preview", args=[sent_back.pk]), data)

    assert response.status_code == 200
    assert comment_queries(captured) == [] and review_step_queries(captured) == []


def test_a_section_swapped_again_keeps_its_comments(as_user, sent_back):
    client = as_user("composer")
    data = page_data(client, sent_back)
    [comment] = Comment.objects.all()

    response = client.post(
        reverse("campaigns:composer_section", args=[sent_back.pk, "content"]),
        data,
        HTTP_HX_REQUEST="true",
    )

    assert box(comment) in response.content.decode()
