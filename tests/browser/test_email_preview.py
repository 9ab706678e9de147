"""An email's HTML runs no script and loads nothing remote in the composer's preview, by default."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect

from campaigns import services

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time"),
]

# Port 9 (discard) on loopback: nothing answers, but the browser's attempt is seen all the same.
TRACKER = "http://127.0.0.1:9/x.png"
TRACKER_HTTPS = "https://127.0.0.1:9/y.png"
TRACKERS = ("http://127.0.0.1:9/", "https://127.0.0.1:9/")
HOSTILE_HTML = (
    "<p>Hello</p><script>alert(1)</script>"
    f'<img src="{TRACKER}"><img src="{TRACKER_HTTPS}"><img src=x onerror="alert(2)">'
)
EMAIL_BODY = {
    "name": "Hostile email",
    "target_mode": "email",
    "where": {},
    "when": "now",
    "content": {"subject": "Welcome", "body": HOSTILE_HTML, "sender_name": "Shop"},
}


class Watch:
    """Every dialog (dismissed) and every request to the tracker that leaves the page.

    Chromium reports a request the page's policy blocks too, then fails it with "csp" before it
    leaves: those are counted apart.
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self._requests: list = []
        self._blocked: set[int] = set()
        page.on("dialog", self._dialog)
        page.on("request", self._request)
        page.on("requestfailed", self._failed)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request) -> None:
        if request.url.startswith(TRACKERS):
            self._requests.append(request)

    def _failed(self, request) -> None:
        if "csp" in (request.failure or "").lower():
            self._blocked.add(id(request))

    @property
    def tracked(self) -> list[str]:
        """The tracker requests that went out, once the page is quiet."""
        self.page.wait_for_load_state("networkidle")
        return [r.url for r in self._requests if id(r) not in self._blocked]


def email_draft():
    user = get_user_model().objects.get(username="composer")
    return services.campaign_create(user=user, api="targets", channel="email", body=EMAIL_BODY)


def test_the_composer_preview_runs_no_script_and_loads_no_remote_image(login, live_server):
    campaign = email_draft()
    page = login("composer")
    watch = Watch(page)

    page.goto(f"{live_server.url}{reverse('campaigns:composer', args=[campaign.pk])}")
    frame = page.locator("iframe.email-frame")
    expect(frame).to_be_visible()
    expect(frame.content_frame.locator("p")).to_have_text("Hello")
    # Typing re-renders the preview: the new HTML must be as inert as the first.
    page.locator("#section-content").get_by_label("Subject", exact=False).first.fill("Again")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)
    page.wait_for_load_state("networkidle")

    assert watch.dialogs == []
    assert watch.tracked == []


def test_the_saved_email_opened_on_its_own_runs_no_script_and_loads_no_remote_image(
    login, live_server
):
    campaign = email_draft()
    page = login("composer")
    watch = Watch(page)

    page.goto(f"{live_server.url}{reverse('campaigns:email_preview', args=[campaign.pk])}")
    expect(page.locator("p")).to_have_text("Hello")
    page.wait_for_load_state("networkidle")

    assert watch.dialogs == []
    assert watch.tracked == []


def test_remote_images_are_allowed_only_when_asked_and_scripts_never_run(login, live_server):
    """The switch the tests above rely on being off: it changes the frame's policy, not more."""
    campaign = email_draft()
    page = login("composer")
    watch = Watch(page)
    page.goto(f"{live_server.url}{reverse('campaigns:composer', args=[campaign.pk])}")
    frame = page.locator("iframe.email-frame")
    expect(frame).to_have_attribute("srcdoc", re.compile(r"img-src data:"))
    expect(frame).to_have_attribute("sandbox", "")

    remote_images = page.get_by_label("Load remote images")
    # The preview column sticks and scrolls on its own: with the box at its bottom edge, the
    # click Playwright aims after its own scrolling lands in the email's frame above it.
    remote_images.evaluate("box => box.scrollIntoView({block: 'center'})")
    remote_images.check()

    expect(page.locator("iframe.email-frame")).to_have_attribute(
        "srcdoc", re.compile(r"img-src https: data:")
    )
    expect(page.locator("iframe.email-frame")).to_have_attribute("sandbox", "")
    assert TRACKER not in watch.tracked  # plain http stays blocked
    assert watch.dialogs == []
