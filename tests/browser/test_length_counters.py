"""The push title's length counter in Chromium: it follows the typing, from fitting to long."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect

from campaigns import previews, services
from tests.browser.axe import blocking_violations
from tests.drafts import PUSH_BODY

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]


def screenshots(page: Page, name: str) -> None:
    """The page at a desktop's and a phone's width, the title field in view (in /tmp)."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#counter-title").scroll_into_view_if_needed()
        page.screenshot(path=f"/tmp/counters-{name}-{width}.png")


def test_the_title_counter_turns_long_as_a_long_title_is_typed(login, live_server):
    user = get_user_model().objects.get(username="composer")
    campaign = services.campaign_create(user=user, api="targets", channel="push", body=PUSH_BODY)
    page = login("composer")
    page.goto(f"{live_server.url}{reverse('campaigns:composer', args=[campaign.pk])}")
    title = page.get_by_label("Title", exact=True)
    counter = page.locator("#counter-title")
    expect(title).to_have_attribute("aria-describedby", "counter-title")
    expect(counter).to_have_attribute("data-state", previews.FITS)
    expect(counter).to_contain_text("11 / 50 characters: fits a collapsed notification")
    screenshots(page, "fits")

    title.press("End")
    title.press_sequentially(": everything in the spring collection, now at half price", delay=5)
    expect(counter).to_have_attribute("data-state", previews.LONG, timeout=15_000)
    expect(counter).to_contain_text(
        "Long: 67 / 50 characters: iOS cuts the title after about 50 characters "
        "in a collapsed notification, Android after about 65."
    )
    expect(page.locator(".device-ios .notification-title")).to_have_text(
        "Spring sale: everything in the spring collection,…"
    )
    assert blocking_violations(page) == []
    screenshots(page, "long")
