"""The device previews in Chromium: an image that is not a whole https:// address is never
requested (a relative one would be asked of the app itself), and the preview says why it is not
shown; the field says what is wrong with it."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, Request, expect

from campaigns import previews, services
from campaigns.forms import links
from campaigns.models import Api
from tests.reference_examples import reference_example

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]

PUSH = {
    "name": "Images everywhere",
    "target_mode": "push",
    "where": {},
    "when": "now",
    "content": {
        "title": "Spring sale",
        "body": "Up to 40% off",
        "platform_specific": {
            "ios": {"ct_mediaUrl": "example.com"},
            "android": {"wzrk_cid": "general", "large_icon": "img/icon.png"},
        },
    },
}


def requests_of(page: Page) -> list[str]:
    """Every URL the page asks for from now on, as Chromium sends them."""
    seen: list[str] = []

    def record(request: Request) -> None:
        seen.append(request.url)

    page.on("request", record)
    return seen


def open_composer(page: Page, live_server, body: dict, channel: str) -> None:
    user = get_user_model().objects.get(username="composer")
    campaign = services.campaign_create(user=user, api=Api.TARGETS, channel=channel, body=body)
    page.goto(live_server.url + reverse("campaigns:composer", args=[campaign.pk]))
    expect(page.get_by_role("region", name="Payload preview")).to_be_visible()


def show_device(page: Page) -> None:
    # One step in the page: a preview swap between finding the device and scrolling to it
    # (a Locator's scroll) would detach it.
    page.evaluate("document.getElementById('device-preview').scrollIntoView({block: 'nearest'})")


def asked_for(seen: list[str], *values: str) -> list[str]:
    return [url for url in seen if any(urlsplit(url).path.endswith(value) for value in values)]


def test_a_push_with_relative_images_asks_the_app_for_none_of_them(login, live_server):
    page = login("composer")
    seen = requests_of(page)
    open_composer(page, live_server, PUSH, "push")
    device = page.locator("#device-preview")
    expect(device).to_contain_text(previews.IMAGE_NOT_LOADED.format(url="example.com"))
    expect(device).to_contain_text(previews.IMAGE_NOT_LOADED.format(url="img/icon.png"))
    expect(device.locator("img")).to_have_count(0)

    # Typed into a field, a relative address is refused there and still not fetched.
    content = page.locator("#section-content")
    content.locator("#id_content-android_background_image").fill("banner.png")
    expect(device).to_contain_text(
        previews.IMAGE_NOT_LOADED.format(url="banner.png"), timeout=10_000
    )
    message = links.MEDIA_URL_NOT_WHOLE.format(value="banner.png")
    expect(page.locator("#preview-errors")).to_contain_text(message)
    expect(page.locator("#id_content-android_background_image")).to_have_attribute(
        "aria-invalid", "true"
    )
    # The autosave and its refresh of the preview settle first: a swap replaces the device.
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15_000)
    expect(page.locator(".htmx-request")).to_have_count(0)
    page.set_viewport_size({"width": 1280, "height": 900})
    show_device(page)
    page.screenshot(path="/tmp/truth-push-bad-image-1280.png", full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    # Narrow screens show the preview from its toggle, over the form.
    page.get_by_role("button", name="Show preview").click()
    show_device(page)
    page.screenshot(path="/tmp/truth-push-bad-image-390.png", full_page=False)

    assert asked_for(seen, "example.com", "icon.png", "banner.png") == []


def test_the_inbox_example_with_a_relative_media_link_asks_the_app_for_nothing(login, live_server):
    # CleverTap's page writes "example.com" where the media link goes: the 404s the issue saw.
    page = login("composer")
    seen = requests_of(page)
    example = reference_example("06_targets_app_inbox_simple.json")
    body = {key: value for key, value in example.body.items() if key != "estimate_only"}
    open_composer(page, live_server, body, "notificationinbox")
    note = previews.IMAGE_NOT_LOADED.format(url="example.com")
    expect(page.locator("#device-preview")).to_contain_text(note)
    page.wait_for_load_state("networkidle")

    assert asked_for(seen, "example.com") == []
