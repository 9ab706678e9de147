"""Test sends in Chromium: a composer saves two test recipients, sends a test of a push draft and
of an email draft to them, and finds both in the audit log and the drafts' history; a webhook
draft and a draft with problems say why they cannot be test-sent. The app's client reaches the
sandbox, served by the same live server, over HTTP."""

import pytest
from playwright.sync_api import Page, expect

from campaigns import test_recipients, test_send_payload
from campaigns.publishing import test_sends
from tests.browser import axe
from tests.drafts import PUSH_BODY, new_draft
from tests.reference_examples import reference_example
from tests.sandbox_records import profiles_create, received

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]

ME = "me@example.com"
PHONE = "android-0"  # one of the sandbox's Android users
RECIPIENTS = {"Email": [ME], "Identity": [PHONE]}


def add_recipient(page: Page, kind: str, value: str, label: str) -> None:
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("Email address or identity").fill(value)
    page.get_by_label("Label").fill(label)
    page.get_by_role("button", name="Add").click()
    expect(page.locator("#test-recipients")).to_contain_text(label)


def send_test(page: Page, live_server, campaign) -> None:
    page.goto(f"{live_server.url}/drafts/{campaign.pk}/")
    page.get_by_role("link", name="Send test").click()
    expect(page.get_by_role("heading", name=f"Send a test of “{campaign.name}”")).to_be_visible()
    page.get_by_label("my inbox").check()
    page.get_by_label("my Pixel").check()
    assert axe.blocking_violations(page) == []
    page.get_by_role("button", name="Send test").click()
    expect(page.locator("#toasts")).to_contain_text("Test sent to 2 recipients")
    expect(page.locator("#sent-tests")).to_contain_text("Test sent to 2 recipients by composer")


def test_two_test_recipients_get_a_test_of_a_push_and_of_an_email_draft(
    people, sandbox, login, live_server
):
    profiles_create(emails=[ME])
    push = new_draft(people["composer"])
    email_body = reference_example("03_targets_email.json").body
    email = new_draft(people["composer"], email_body, channel="email")
    page = login("composer")

    page.get_by_role("button", name="composer").click()
    page.get_by_role("link", name="Test recipients").click()
    add_recipient(page, "Email address", ME, "my inbox")
    add_recipient(page, "Identity", PHONE, "my Pixel")
    assert axe.blocking_violations(page) == []
    send_test(page, live_server, push)
    send_test(page, live_server, email)

    pushes, emails = received("send/push.json"), received("send/email.json")
    assert len(pushes) == len(emails) == 1
    assert pushes[0].body["to"] == emails[0].body["to"] == RECIPIENTS
    assert pushes[0].body["content"] == PUSH_BODY["content"]
    assert emails[0].body["content"] == email_body["content"]
    assert received("targets/create.json") == []

    page.goto(f"{live_server.url}/audit/")
    log = page.locator("main")
    expect(log).to_contain_text("Test sent to 2 recipients by composer (version 1, Push).")
    expect(log).to_contain_text("Test sent to 2 recipients by composer (version 1, Email).")
    for campaign, channel in ((push, "Push"), (email, "Email")):
        page.goto(f"{live_server.url}/drafts/{campaign.pk}/history/")
        history = page.get_by_role("region", name="Test sends")
        expect(history).to_contain_text(
            f"Test sent to 2 recipients by composer (version 1, {channel})."
        )
        expect(history).to_contain_text("my inbox, my Pixel")


def test_a_webhook_draft_and_a_draft_with_problems_say_why_they_cannot_be_test_sent(
    people, sandbox, login, live_server
):
    webhook = new_draft(
        people["composer"], reference_example("05_targets_webhook.json").body, channel="webhook"
    )
    broken = new_draft(people["composer"], {**PUSH_BODY, "content": {"body": "No title"}})
    test_recipients.recipient_add(user=people["composer"], kind="Email", value=ME)
    page = login("composer")

    page.goto(f"{live_server.url}/drafts/{webhook.pk}/")
    page.get_by_role("link", name="Send test").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text(
        test_send_payload.NO_SEND_ENDPOINT.format(channel="Webhook", value="webhook")
    )
    expect(page.get_by_role("button", name="Send test")).to_have_count(0)

    page.goto(f"{live_server.url}/drafts/{broken.pk}/")
    page.get_by_role("link", name="Send test").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text(test_sends.HAS_PROBLEMS.format(count=1, plural="", them="it"))
    assert axe.blocking_violations(page) == []
    expect(page.get_by_role("button", name="Send test")).to_have_count(0)
    page.locator("#test-send-problems").get_by_role("link", name="content.title").click()
    expect(page).to_have_url(f"{live_server.url}/drafts/{broken.pk}/#id_content-title")

    assert received("send/push.json") == [] and received("send/webhook.json") == []
