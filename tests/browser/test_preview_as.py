"""Preview as a person in Chromium: a push titled with the person's name, previewed as someone who
has one and as someone who has none; the length counters follow what each would get."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect

from campaigns import services
from campaigns.models import AccountSettings
from sandbox.models import Profile
from tests.browser.axe import blocking_violations
from tests.drafts import PUSH_BODY

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]

TITLE = 'Hi {{Profile.Name | default: "there"}}'


def screenshots(page: Page, name: str) -> None:
    """The control and the device previews at a desktop's and a phone's width (in /tmp)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#preview-as").scroll_into_view_if_needed()
    page.screenshot(path=f"/tmp/preview-as-{name}-1280.png")
    page.set_viewport_size({"width": 390, "height": 844})
    toggle = page.locator("#preview-toggle")
    toggle.click()
    page.locator("#preview-as").scroll_into_view_if_needed()
    page.screenshot(path=f"/tmp/preview-as-{name}-390.png")
    page.locator("#preview-close").click()
    page.set_viewport_size({"width": 1280, "height": 900})


def previewed_titles(page: Page, text: str) -> None:
    expect(page.locator(".device-ios .notification-title")).to_have_text(text, timeout=15_000)
    expect(page.locator(".device-android .notification-title")).to_have_text(text)


def test_a_push_previewed_as_a_person_with_a_name_then_one_without(sandbox, login, live_server):
    AccountSettings.objects.update_or_create(pk=1, defaults={"liquid_api_beta": True})
    Profile.objects.create(identity="maya-1", name="Maya", object_id="o-maya", has_ios=True)
    Profile.objects.create(identity="anon-2", object_id="o-anon", has_android=True)
    user = get_user_model().objects.get(username="composer")
    campaign = services.campaign_create(user=user, api="targets", channel="push", body=PUSH_BODY)
    page = login("composer")
    page.goto(f"{live_server.url}{reverse('campaigns:composer', args=[campaign.pk])}")
    counter = page.locator("#counter-title")

    page.get_by_label("Title", exact=True).fill(TITLE)
    # No one chosen: the tag shows its default; the request body keeps the tag.
    previewed_titles(page, "Hi there")
    expect(counter).to_contain_text("8 / 50 characters")
    expect(page.locator("#preview-json")).to_contain_text("{{Profile.Name")

    who = page.get_by_label("Identity or email")
    who.fill("maya-1")
    who.press("Enter")
    expect(page.locator("#preview-as-person")).to_contain_text("Maya (identity maya-1)")
    previewed_titles(page, "Hi Maya")
    expect(counter).to_contain_text("7 / 50 characters")
    expect(counter).to_contain_text("Counted as Maya gets it.")
    expect(page.locator("#preview-json")).to_contain_text("{{Profile.Name")
    assert blocking_violations(page) == []
    screenshots(page, "named")

    # Typing on keeps the person, and what the box holds stays through the live previews.
    who.fill("anon-")
    page.get_by_label("Title", exact=True).fill('Hello {{Profile.Name | default: "there"}}!')
    previewed_titles(page, "Hello Maya!")
    expect(counter).to_contain_text("11 / 50 characters")
    expect(who).to_have_value("anon-")

    who.press("End")
    who.press_sequentially("2")
    page.get_by_role("button", name="Look up").click()
    expect(page.locator("#preview-as-person")).to_contain_text("anon-2")
    previewed_titles(page, "Hello there!")
    expect(counter).to_contain_text("12 / 50 characters")
    expect(page.locator("#preview-person-notes")).to_contain_text(
        "Has no Name: shows the default in the title."
    )
    screenshots(page, "nameless")

    who.fill("nobody-here")
    who.press("Enter")
    expect(page.locator("#preview-as-problem")).to_contain_text(
        "No one has the identity or email “nobody-here”"
    )
    previewed_titles(page, "Hello there!")
    screenshots(page, "not-found")
    # Back to the defaults, by keyboard: the control stays put, focus with it.
    defaults = page.get_by_role("button", name="Show the defaults")
    defaults.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#preview-as-status")).to_contain_text("No person chosen")
    expect(counter).to_contain_text("Counted with each tag’s default.")
    previewed_titles(page, "Hello there!")
    expect(defaults).to_be_focused()

    # The control is not part of the draft: the composer saves what was typed and stays saved.
    expect(page.locator("#save-pill")).to_have_text("All changes saved", timeout=15_000)
