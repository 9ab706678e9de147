"""'Insert personalization' in Chromium, by keyboard only: the tag lands at the cursor of the
field, the preview's request body and the saved draft carry it, and focus comes back."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from campaigns import services
from campaigns.models import AccountSettings, Api, Campaign, ProfileProperty
from tests.browser.test_composer import wait_for_preview, wait_until_saved

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]

BODY = {
    "name": "Welcome back",
    "where": {},
    "when": "now",
    "content": {"title": "Hi  !", "body": "Glad you are back"},
}
TAG = '{{Profile.Name | default: "there"}}'


def push_draft(*, beta: bool) -> Campaign:
    AccountSettings.objects.update_or_create(pk=1, defaults={"liquid_api_beta": beta})
    ProfileProperty.objects.create(name="Name", source="sample")
    ProfileProperty.objects.create(name="Customer Type", label="Tier", source="admin")
    user = get_user_model().objects.get(username="composer")
    return services.campaign_create(user=user, api=Api.TARGETS, channel="push", body=BODY)


def test_a_tag_is_inserted_at_the_cursor_by_keyboard_alone(login, live_server):
    campaign = push_draft(beta=True)
    page = login("composer")
    page.goto(f"{live_server.url}/drafts/{campaign.pk}/")
    title = page.locator("#id_content-title")
    expect(title).to_have_value("Hi  !")
    # The cursor after "Hi ", by keyboard.
    title.focus()
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")

    # Escape closes the dialog and gives the field its focus back, unchanged.
    page.keyboard.press("Tab")
    button = page.get_by_role("button", name="Insert personalization in Title")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Insert personalization")
    expect(dialog).to_be_visible()
    expect(page.get_by_label("Profile property")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(title).to_be_focused()
    expect(title).to_have_value("Hi  !")

    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Profile property")).to_be_focused()
    expect(page.locator("#personalization-property option")).to_have_text(
        ["Tier (Customer Type)", "Name", "Campaign id (the campaign's CleverTap id)"]
    )
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Profile property")).to_have_value("Profile:Name")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Default value")).to_be_focused()
    # No default: refused, in words, and nothing inserted.
    expect(page.locator("#personalization-default-error")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.locator("#personalization-default-error")).to_be_visible()
    page.keyboard.type("there")
    expect(page.locator("#personalization-tag")).to_have_text(TAG)
    page.keyboard.press("Enter")

    expect(dialog).to_be_hidden()
    expect(title).to_be_focused()
    expect(title).to_have_value(f"Hi {TAG} !")
    expected = {**BODY, "content": {**BODY["content"], "title": f"Hi {TAG} !"}}
    wait_for_preview(page, expected)
    wait_until_saved(page)
    campaign.refresh_from_db()
    assert campaign.body["content"]["title"] == f"Hi {TAG} !"
    # The tag has a default: no problem is reported for it.
    expect(page.locator("#preview-errors")).to_contain_text("No problems found.")


def test_without_the_beta_there_is_no_control(login, live_server):
    campaign = push_draft(beta=False)
    page = login("composer")
    page.goto(f"{live_server.url}/drafts/{campaign.pk}/")

    expect(page.locator("#id_content-title")).to_be_visible()
    expect(page.get_by_role("button", name="Insert personalization in Title")).to_have_count(0)
    assert page.locator("[data-personalize]").count() == 0


def test_a_warning_about_liquid_sent_as_typed_shows_at_its_field(login, live_server):
    campaign = push_draft(beta=False)
    page = login("composer")
    page.goto(f"{live_server.url}/drafts/{campaign.pk}/")
    message = page.locator("#id_content-body")
    warning = page.locator("#live-warning-content-body")
    expect(warning).to_have_count(0)

    message.fill("Sale for @Profile.City")

    expect(warning).to_contain_text("CleverTap will send “@Profile.City” as typed")
    described = re.compile(r"\blive-warning-content-body\b")
    expect(message).to_have_attribute("aria-describedby", described)
    message.fill("Sale for everyone")
    expect(warning).to_have_count(0)
    expect(message).not_to_have_attribute("aria-describedby", described)
