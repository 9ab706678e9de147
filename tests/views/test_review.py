"""Team review pages through the Django test client: the queue and its badge, a draft's review,
comments and the history."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from campaigns import payloads, roles, selectors
from campaigns.models import Approval, Comment, Revision, Status
from campaigns.review import approvals, comments, guards
from campaigns.views import review as review_views
from tests.drafts import (
    PUSH_BODY,
    approved,
    edit,
    email_send_body,
    estimated,
    fresh,
    new_draft,
    submitted,
)
from tests.fault_server import Answer

pytestmark = pytest.mark.django_db


def texts(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


# The queue and the badge


def test_the_queue_lists_drafts_in_review_with_who_asked_and_when(people, as_user):
    waiting = submitted(new_draft(people["composer"], {**PUSH_BODY, "name": "Waiting"}), people)
    new_draft(people["composer"], {**PUSH_BODY, "name": "Not asked"})

    response = as_user("reviewer").get(reverse("campaigns:review_queue"))

    assert response.status_code == 200
    [row] = response.context["campaigns"]
    assert row == waiting and row.asked_by == "composer"
    html = response.content.decode()
    assert "Waiting" in html and "Not asked" not in html
    assert reverse("campaigns:review", args=[waiting.pk]) in html


def test_the_top_bar_counts_drafts_in_review_for_reviewers_only(people, as_user):
    submitted(new_draft(people["composer"]), people)
    submitted(new_draft(people["composer"]), people)

    for_reviewer = as_user("reviewer").get(reverse("campaigns:draft_list")).content.decode()
    for_composer = as_user("composer").get(reverse("campaigns:draft_list")).content.decode()

    assert 'id="review-badge"' in for_reviewer and ">2<" in for_reviewer
    assert 'id="review-badge"' not in for_composer
    assert reverse("campaigns:review_queue") in for_composer


def test_the_badge_costs_one_count_query(people, as_user):
    submitted(new_draft(people["composer"]), people)
    client = as_user("reviewer")
    client.get(reverse("campaigns:draft_list"))  # sessions and permissions warmed up

    with_badge = _counts(client, reverse("campaigns:draft_list"))
    # A role that can look but not review: no badge.
    people["reviewer"].groups.set([Group.objects.get(name=roles.COMPOSERS)])
    without_badge = _counts(client, reverse("campaigns:draft_list"))

    assert len(with_badge) - len(without_badge) == 1


def _counts(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


# A draft's review


def test_the_review_page_diffs_the_draft_against_its_last_approved_version(people, as_user):
    campaign = approved(new_draft(people["composer"]), people)
    edit(campaign, people["composer"], name="Renamed")
    estimated(campaign, 19)

    response = as_user("reviewer").get(reverse("campaigns:review", args=[campaign.pk]))

    assert response.status_code == 200
    context = response.context
    assert context["base"].version == 1
    assert context["diff"].changed_paths == ["name"]
    html = response.content.decode()
    assert 'data-kind="changed" data-path="name"' in html
    assert "Voided" in html and approvals.VOIDED_BY_EDIT.format(user="composer", version=2) in html
    assert guards.NOT_APPROVED.format(version=2) in html
    assert 'id="estimate-total">19<' in html


def test_a_resubmission_shows_what_changed_since_it_was_last_submitted(people, as_user):
    campaign = submitted(new_draft(people["composer"]), people)
    as_user("reviewer").post(
        reverse("campaigns:request_changes", args=[campaign.pk]), {"changes-text": "Rename it"}
    )
    edit(campaign, people["composer"], name="Renamed")
    as_user("composer").post(reverse("campaigns:submit", args=[campaign.pk]))

    response = as_user("reviewer").get(reverse("campaigns:review", args=[campaign.pk]))

    assert fresh(campaign).status == Status.IN_REVIEW
    assert response.context["diff"].changed_paths == ["name"]
    html = response.content.decode()
    assert "Request body, compared with submitted version 1" in html
    assert 'data-kind="changed" data-path="name"' in html


def test_the_review_page_shows_the_next_send_times(people, as_user):
    campaign = new_draft(people["composer"], {**PUSH_BODY, "when": "20991231 10:00"})

    html = as_user("reviewer").get(reverse("campaigns:review", args=[campaign.pk])).content.decode()

    assert 'id="review-send-times"' in html and "Thu 31 Dec 2099, 10:00" in html


def test_the_review_page_shows_the_send_times_in_user_time(people, as_user, settings):
    settings.SANDBOX_ENABLED = False  # CleverTap does not say where the audience lives
    when = {"type": "later", "delivery_date_time": ["20991231 10:00"], "delivery_timezone": "user"}
    campaign = new_draft(people["composer"], {**PUSH_BODY, "when": when})

    html = as_user("reviewer").get(reverse("campaigns:review", args=[campaign.pk])).content.decode()

    assert 'id="review-send-times"' in html and "Thu 31 Dec 2099, 10:00 local time" in html
    assert "from 10:00 in Pacific/Kiritimati" in html and "to 10:00 in Pacific/Pago_Pago" in html
    assert f"Times in {settings.TIME_ZONE}." not in html


def test_a_first_review_shows_the_whole_body_as_new(people, as_user):
    campaign = new_draft(people["composer"])

    response = as_user("reviewer").get(reverse("campaigns:review", args=[campaign.pk]))

    assert response.context["base"].body is None
    assert set(response.context["diff"].changed_paths) == set(PUSH_BODY)


def test_the_author_sees_the_approve_button_disabled(people, as_user):
    campaign = submitted(new_draft(people["admin"]), people)

    html = as_user("admin").get(reverse("campaigns:review", args=[campaign.pk])).content.decode()

    assert 'id="approve-button" disabled' in html


def test_a_version_with_problems_shows_the_approve_button_disabled_with_the_reason(people, as_user):
    campaign = submitted(new_draft(people["composer"]), people)
    campaign = edit(campaign, people["composer"], users_limit_overall=5, when="yesterday")
    problems = selectors.campaign_errors(campaign)
    assert len(problems) == 2

    html = as_user("reviewer").get(reverse("campaigns:review", args=[campaign.pk])).content.decode()

    assert 'id="approve-button" disabled aria-describedby="approve-problems"' in html
    reason = guards.APPROVE_HAS_PROBLEMS.format(version=2, count=2, plural="s", them="them")
    assert reason in html
    for problem in problems:
        assert f"<li><code>{problem.where}</code>: {escape(problem.message)}</li>" in html


def test_identities_that_do_not_look_right_are_shown_as_warnings_and_block_no_approval(
    people, as_user
):
    body = email_send_body(["a@example.com", "no-at-sign"])
    campaign = submitted(new_draft(people["composer"], body, api="send", channel="email"), people)
    errors, warnings = selectors.campaign_problems(campaign)
    assert errors == [] and [w.where for w in warnings] == ["to.Email"]

    html = as_user("reviewer").get(reverse("campaigns:review", args=[campaign.pk])).content.decode()

    assert 'id="approve-button" disabled' not in html and 'id="review-warnings"' in html
    assert escape(payloads.WARNINGS_NOTE) in html
    assert f"<li><code>to.Email</code>: {escape(warnings[0].message)}</li>" in html
    approvals.campaign_approve(campaign=campaign, user=people["reviewer"], shown_version=1)
    assert fresh(campaign).status == Status.APPROVED


def test_a_forced_approval_of_a_version_with_problems_is_refused(people, as_user):
    campaign = submitted(new_draft(people["composer"]), people)
    campaign = edit(campaign, people["composer"], users_limit_overall=5)

    response = as_user("reviewer").post(
        reverse("campaigns:approve", args=[campaign.pk]), {"version": "2"}, follow=True
    )

    reason = guards.APPROVE_HAS_PROBLEMS.format(version=2, count=1, plural="", them="it")
    assert reason in texts(response)
    assert not Approval.objects.filter(campaign=campaign).exists()
    assert fresh(campaign).status == Status.IN_REVIEW


def test_submit_approve_and_request_changes_through_the_page(people, as_user):
    campaign = new_draft(people["composer"])
    url = reverse("campaigns:review", args=[campaign.pk])

    response = as_user("composer").post(reverse("campaigns:submit", args=[campaign.pk]))
    assert response.status_code == 302 and response.url == url
    assert fresh(campaign).status == Status.IN_REVIEW

    client = as_user("reviewer")
    response = client.post(
        reverse("campaigns:request_changes", args=[campaign.pk]),
        {"changes-text": "Add a subtitle", "changes-section": "content"},
    )
    assert response.status_code == 302
    assert fresh(campaign).status == Status.DRAFT
    assert Comment.objects.get().section == "content"

    as_user("composer").post(reverse("campaigns:submit", args=[campaign.pk]))
    response = as_user("reviewer").post(
        reverse("campaigns:approve", args=[campaign.pk]), {"version": "1"}, follow=True
    )
    assert fresh(campaign).status == Status.APPROVED
    assert review_views.APPROVED.format(version=1, name=campaign.name) in texts(response)


def test_approving_a_version_not_shown_says_so_and_changes_nothing(people, as_user):
    campaign = submitted(new_draft(people["composer"]), people)

    response = as_user("reviewer").post(
        reverse("campaigns:approve", args=[campaign.pk]), {"version": "7"}, follow=True
    )

    assert approvals.CHANGED_SINCE_SHOWN.format(shown=7, current=1) in texts(response)
    assert not Approval.objects.exists()


def test_requesting_changes_without_saying_what_shows_the_form_again(people, as_user):
    campaign = submitted(new_draft(people["composer"]), people)

    response = as_user("reviewer").post(
        reverse("campaigns:request_changes", args=[campaign.pk]), {"changes-text": ""}
    )

    assert response.status_code == 400
    assert response.context["changes_form"].errors
    assert fresh(campaign).status == Status.IN_REVIEW


# Comments


def test_a_comment_posted_with_htmx_comes_back_in_the_list_and_the_form_is_emptied(people, as_user):
    campaign = new_draft(people["composer"])

    response = as_user("reviewer").post(
        reverse("campaigns:comments", args=[campaign.pk]),
        {"comment-text": "Is the deep link right?", "comment-path": "content.title"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('\n<div id="comments"') or html.lstrip().startswith('<div id="comments"')
    assert "Is the deep link right?" in html and "<code>content.title</code>" in html
    assert 'id="comment-form" hx-swap-oob="true"' in html
    assert Comment.objects.get().author == people["reviewer"]


def test_a_refused_comment_keeps_its_form_with_the_reason(people, as_user):
    campaign = new_draft(people["composer"])

    response = as_user("reviewer").post(
        reverse("campaigns:comments", args=[campaign.pk]),
        {"comment-text": "Hi", "comment-path": "a..b"},
        headers={"HX-Request": "true"},
    )

    assert comments.COMMENT_PATH_INVALID.format(path="a..b") in response.content.decode()
    assert not Comment.objects.exists()


def test_the_comments_are_polled_as_a_fragment(people, as_user):
    campaign = new_draft(people["composer"])
    comments.comment_add(campaign=campaign, user=people["reviewer"], text="From the reviewer")

    response = as_user("composer").get(
        reverse("campaigns:comments", args=[campaign.pk]), headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "From the reviewer" in html and "<html" not in html


def test_without_javascript_a_comment_redirects_to_the_review(people, as_user):
    campaign = new_draft(people["composer"])

    response = as_user("composer").post(
        reverse("campaigns:comments", args=[campaign.pk]), {"comment-text": "Plain post"}
    )

    assert response.status_code == 302
    assert response.url == reverse("campaigns:review", args=[campaign.pk])


# History


def test_the_history_lists_revisions_and_diffs_any_two(people, as_user):
    campaign = new_draft(people["composer"])
    edit(campaign, people["composer"], name="Second")
    edit(campaign, people["composer"], name="Third")
    url = reverse("campaigns:history", args=[campaign.pk])

    default = as_user("reviewer").get(url)
    chosen = as_user("reviewer").get(url, {"a": "1", "b": "3"})

    assert [r.version for r in default.context["revisions"]] == [3, 2, 1]
    assert (default.context["a"], default.context["b"]) == (2, 3)
    assert default.context["diff"].changed_paths == ["name"]
    assert (chosen.context["left"].body["name"], chosen.context["right"].body["name"]) == (
        PUSH_BODY["name"],
        "Third",
    )


def test_a_revision_is_restored_from_the_history(people, as_user):
    campaign = new_draft(people["composer"])
    edit(campaign, people["composer"], name="Second")
    first = Revision.objects.get(campaign=campaign, version=1)

    response = as_user("composer").post(
        reverse("campaigns:revision_restore", args=[campaign.pk, first.pk]),
        {"base_version": "2"},
        follow=True,
    )

    assert fresh(campaign).body == first.body and fresh(campaign).version == 3
    assert review_views.RESTORED.format(restored=1, version=3) in texts(response)


# The guards, end to end through the pages: CleverTap (a scripted server over real HTTP) answers
# the estimates and the create.


def estimate_answer(server, total: int) -> None:
    server.default = Answer(body={"status": "success", "estimates": {"android": total}})


def estimate_through_the_page(client, campaign) -> None:
    response = client.post(reverse("campaigns:estimate", args=[campaign.pk]))
    assert response.status_code == 200


def approve_through_the_page(client, campaign):
    return client.post(
        reverse("campaigns:approve", args=[campaign.pk]),
        {"version": str(fresh(campaign).version)},
        follow=True,
    )


def publish_page(client, campaign) -> tuple[str, str]:
    """The confirmation page's HTML and its token."""
    html = client.get(reverse("campaigns:publish", args=[campaign.pk])).content.decode()
    return html, html.split('name="confirmation_token" value="')[1].split('"')[0]


def creates_sent(server) -> int:
    return sum(b'"estimate_only"' not in seen.body for seen in server.seen)


def test_a_reach_above_100000_needs_a_second_approval_through_the_pages(people, client, server):
    campaign = new_draft(people["composer"])
    client.force_login(people["composer"])
    client.post(reverse("campaigns:submit", args=[campaign.pk]))
    estimate_answer(server, 150_000)
    client.force_login(people["publisher"])
    estimate_through_the_page(client, campaign)

    client.force_login(people["reviewer"])
    response = approve_through_the_page(client, campaign)

    assert review_views.APPROVED_NEEDS_MORE.format(
        version=1, name=campaign.name, needed=2, count=1
    ) in texts(response)
    needs_second = guards.NEEDS_SECOND_APPROVAL.format(
        reach="150,000", threshold="100,000", count=1
    )
    html = response.content.decode()
    assert f'id="publish-guard">{needs_second}<' in html
    assert "Needs 2 approvals (estimated reach 150000)" in html
    assert fresh(campaign).status == Status.IN_REVIEW

    client.force_login(people["publisher"])
    html, token = publish_page(client, campaign)
    assert f'id="publish-blocked">{needs_second}<' in html
    assert 'id="publish-button" disabled' in html
    forced = client.post(
        reverse("campaigns:publish", args=[campaign.pk]), {"confirmation_token": token}
    )
    assert forced.status_code == 409 and needs_second in forced.content.decode()
    assert creates_sent(server) == 0

    client.force_login(people["admin"])
    response = approve_through_the_page(client, campaign)
    assert review_views.APPROVED.format(version=1, name=campaign.name) in texts(response)
    assert fresh(campaign).status == Status.APPROVED

    client.force_login(people["publisher"])
    html, token = publish_page(client, campaign)
    assert 'id="publish-blocked"' not in html
    server.answer(Answer(body={"status": "success", "id": 4242, "estimates": {}}))
    response = client.post(
        reverse("campaigns:publish", args=[campaign.pk]), {"confirmation_token": token}
    )
    assert response.status_code == 302
    assert creates_sent(server) == 1
    assert fresh(campaign).status == Status.PUBLISHED


def test_a_reach_that_moved_more_than_20_percent_since_approval_blocks_publishing_through_the_pages(
    people, client, server
):
    campaign = new_draft(people["composer"])
    client.force_login(people["composer"])
    client.post(reverse("campaigns:submit", args=[campaign.pk]))
    client.force_login(people["publisher"])
    estimate_answer(server, 1000)
    estimate_through_the_page(client, campaign)
    client.force_login(people["reviewer"])
    approve_through_the_page(client, campaign)
    assert fresh(campaign).status == Status.APPROVED
    client.force_login(people["publisher"])
    # Within 20%: still publishable.
    estimate_answer(server, 1150)
    estimate_through_the_page(client, campaign)
    assert 'id="publish-blocked"' not in publish_page(client, campaign)[0]

    estimate_answer(server, 1300)
    estimate_through_the_page(client, campaign)

    drifted = guards.REACH_DRIFTED.format(approved="1,000", now="1,300", change="+30%", share="20%")
    html, token = publish_page(client, campaign)
    assert f'id="publish-blocked">{drifted}<' in html
    assert 'id="publish-button" disabled' in html
    forced = client.post(
        reverse("campaigns:publish", args=[campaign.pk]), {"confirmation_token": token}
    )
    assert forced.status_code == 409 and drifted in forced.content.decode()
    assert creates_sent(server) == 0
    client.force_login(people["reviewer"])
    review_html = client.get(reverse("campaigns:review", args=[campaign.pk])).content.decode()
    assert f'id="publish-guard">{drifted}<' in review_html

    approve_through_the_page(client, campaign)

    client.force_login(people["publisher"])
    html, token = publish_page(client, campaign)
    assert 'id="publish-blocked"' not in html
    server.answer(Answer(body={"status": "success", "id": 4243, "estimates": {}}))
    client.post(reverse("campaigns:publish", args=[campaign.pk]), {"confirmation_token": token})
    assert creates_sent(server) == 1
    assert fresh(campaign).status == Status.PUBLISHED
