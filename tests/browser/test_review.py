"""Team review in Chromium: a composer, a reviewer and a publisher, each in their own browser
context (their own cookies), against the sandbox served by the same live server."""

import re

import pytest
from playwright.sync_api import Page, expect

from campaigns.models import AttemptState, Comment, PublishAttempt, Status
from devtools import demo
from sandbox.models import SandboxCampaign
from tests.browser import axe
from tests.drafts import fresh, new_draft, submitted
from tests.sandbox_records import creates_received

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]

UNDO_SECONDS = 4
PASSWORDS = {user.username: user.password for user in demo.DEMO_USERS}


@pytest.fixture
def actors(browser, live_server, people):
    """Log in demo users, each in a browser context of their own: `actors("reviewer")`."""
    contexts = []

    def _as(username: str) -> Page:
        context = browser.new_context(base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORDS[username])
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name=username)).to_be_visible()
        return page

    yield _as
    for context in contexts:
        for page in context.pages:
            page.goto("about:blank")
        context.close()


def edit_title(page: Page, campaign, title: str) -> None:
    """Change the push title in the composer and wait for the autosave."""
    page.goto(f"/drafts/{campaign.pk}/")
    page.locator("#section-content").get_by_label("Title", exact=True).fill(title)
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15_000)


def test_compose_review_and_publish_with_an_undo(actors, people, sandbox, settings):
    settings.PUBLISH_UNDO_SECONDS = UNDO_SECONDS
    campaign = new_draft(people["composer"])
    review_url = f"/drafts/{campaign.pk}/review/"
    status = "#review-status"

    # The composer asks for a review.
    composer = actors("composer")
    composer.goto(review_url)
    composer.get_by_role("button", name="Submit for review").click()
    expect(composer.locator(status)).to_have_text("In review")

    # The reviewer finds it in the queue (the top bar counts it) and comments on a field.
    reviewer = actors("reviewer")
    expect(reviewer.locator("#review-badge")).to_contain_text("1")
    reviewer.get_by_role("link", name="Review").first.click()
    expect(reviewer.locator("#review-queue")).to_contain_text("composer")
    reviewer.get_by_role("link", name=campaign.name).click()
    expect(reviewer.locator("#diff-table")).to_contain_text('"target_mode": "push"')
    aside = reviewer.get_by_role("complementary", name="Comments")
    aside.get_by_role("textbox", name="Comment").fill("The title could say how much is off.")
    aside.get_by_label("On the field (JSON path)").fill("content.title")
    aside.get_by_role("button", name="Add comment").click()
    expect(reviewer.locator("#comments")).to_contain_text("how much is off")
    expect(aside.get_by_role("textbox", name="Comment")).to_have_value("")

    # The composer sees it appear beside the draft without reloading.
    expect(composer.locator("#comments")).to_contain_text("how much is off", timeout=15_000)

    # The reviewer asks for changes; the composer fixes the title and submits again.
    reviewer.locator("summary", has_text="Request changes").click()
    reviewer.get_by_label("What should change").fill("Put the discount in the title.")
    reviewer.get_by_role("button", name="Send back to the composer").click()
    expect(reviewer.locator(status)).to_have_text("Draft")
    edit_title(composer, campaign, "Spring sale: 40% off")
    composer.goto(review_url)
    expect(composer.locator("#comments")).to_contain_text("Put the discount in the title.")
    composer.get_by_role("button", name="Submit for review").click()
    expect(composer.locator(status)).to_have_text("In review")

    # The reviewer approves the fixed version.
    reviewer.goto(review_url)
    version = fresh(campaign).version
    reviewer.get_by_role("button", name=f"Approve version {version}").click()
    expect(reviewer.locator(status)).to_have_text("Approved")
    expect(reviewer.locator("#publish-guard")).to_contain_text("publishers can publish")

    # An edit voids the approval, visibly; the draft is back to draft.
    edit_title(composer, campaign, "Spring sale: 45% off")
    reviewer.goto(review_url)
    expect(reviewer.locator(status)).to_have_text("Draft")
    expect(reviewer.locator("#approvals tr[data-voided='true']")).to_contain_text(
        "composer saved version"
    )
    expect(reviewer.locator("#publish-guard")).to_contain_text("Not approved")
    expect(reviewer.locator("#diff-table tr[data-kind='changed']")).to_contain_text("45% off")

    # Submitted again and approved again.
    composer.goto(review_url)
    composer.get_by_role("button", name="Submit for review").click()
    expect(composer.locator(status)).to_have_text("In review")
    reviewer.goto(review_url)
    version = fresh(campaign).version
    reviewer.get_by_role("button", name=f"Approve version {version}").click()
    expect(reviewer.locator(status)).to_have_text("Approved")

    # The publisher publishes, undoes it within the window: nothing reaches CleverTap.
    publisher = actors("publisher")
    publisher.goto(review_url)
    publisher.get_by_role("link", name="Publish…").first.click()
    publisher.get_by_role("button", name=f"Publish version {version} now").click()
    expect(publisher.locator("#pending-state")).to_have_attribute("data-state", "waiting")
    publisher.get_by_role("button", name="Undo: don't publish").click()
    expect(publisher.locator("#pending-state")).to_have_attribute("data-state", "cancelled")
    assert creates_received() == [] and SandboxCampaign.objects.count() == 0
    assert fresh(campaign).status == Status.APPROVED

    # And publishes again: once the window is over, it is sent.
    publisher.get_by_role("link", name="Publish again…").click()
    publisher.get_by_role("button", name=f"Publish version {version} now").click()
    expect(publisher.locator("#seconds-left")).to_be_visible()
    created_id = publisher.locator("#clevertap-id")
    expect(created_id).to_be_visible(timeout=(UNDO_SECONDS + 10) * 1000)
    created = SandboxCampaign.objects.get()
    expect(created_id).to_have_text(str(created.id))
    assert len(creates_received()) == 1
    assert fresh(campaign).status == Status.PUBLISHED
    states = list(PublishAttempt.objects.order_by("id").values_list("state", flat=True))
    assert states == [AttemptState.FAILED, AttemptState.SUCCEEDED]
    assert creates_received()[0].body["content"]["title"] == "Spring sale: 45% off"


def test_the_reviewers_words_reach_the_composer_who_resolves_them(actors, people):
    campaign = submitted(new_draft(people["composer"]), people)

    # The reviewer sends the draft back with a note on the title.
    reviewer = actors("reviewer")
    reviewer.goto(f"/drafts/{campaign.pk}/review/")
    reviewer.locator("summary", has_text="Request changes").click()
    changes = reviewer.locator("#changes-form")
    changes.get_by_label("What should change").fill("Put the discount in the title.")
    changes.get_by_label("On the field (JSON path)").fill("content.title")
    changes.get_by_role("button", name="Send back to the composer").click()
    expect(reviewer.locator("#review-status")).to_have_text("Draft")

    # The composer finds the note at the top and the comment under the title field.
    composer = actors("composer")
    composer.goto(f"/drafts/{campaign.pk}/")
    note = composer.get_by_role("region", name=re.compile("Changes requested by reviewer"))
    expect(note).to_contain_text("Put the discount in the title.")
    expect(note.get_by_role("link", name="Open the review page")).to_be_visible()
    # Under the field and its length counter.
    under_title = composer.locator("#div_id_content-title + #counter-title + .field-comments")
    expect(under_title).to_contain_text("Put the discount in the title.")
    expect(under_title).to_contain_text("Comment by reviewer")
    assert axe.blocking_violations(composer) == []

    # Resolved, it leaves the field; the page counts it among the resolved.
    under_title.get_by_role("button", name="Resolve").click()
    expect(under_title).to_have_text("Comment resolved.")
    assert axe.blocking_violations(composer) == []
    composer.reload()
    expect(composer.locator("#section-content .field-comments")).to_have_count(0)
    composer.get_by_text("Show resolved (1)").click()
    expect(composer.locator("#resolved-comments")).to_contain_text("resolved by composer")
    assert axe.blocking_violations(composer) == []
    assert Comment.objects.get().resolved_by == people["composer"]
