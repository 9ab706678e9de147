"""Every page passes axe without serious or critical violations; the composer works by keyboard."""

import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect

from campaigns import publishing, review, services
from campaigns.models import Campaign
from tests.publishing_support import PUSH_BODY, email_send_body, profiles_create

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BLOCKING = {"serious", "critical"}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def one_request_at_a_time(live_server):
    """Serve one request at a time (see tests/browser/test_composer.py)."""
    httpd = live_server.thread.httpd
    app = httpd.get_app()
    lock = threading.Lock()

    def serialized(environ, start_response):
        with lock:
            response = app(environ, start_response)
            try:
                content = b"".join(response)
            finally:
                if hasattr(response, "close"):
                    response.close()
        return [content]

    httpd.set_app(serialized)
    yield
    httpd.set_app(app)


@pytest.fixture(autouse=True)
def quiet_pages_at_the_end(context):
    yield
    for open_page in context.pages:
        open_page.wait_for_load_state("networkidle")
        open_page.goto("about:blank")


def blocking_violations(page: Page) -> list[str]:
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5] if node["target"])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def user(name: str):
    return get_user_model().objects.get(username=name)


def test_the_login_page(page, live_server):
    page.goto(f"{live_server.url}/login/")
    assert blocking_violations(page) == []


@pytest.mark.parametrize(
    "name",
    ["campaigns:draft_list", "campaigns:campaign_new", "campaigns:campaign_import"]
    + ["review:queue", "campaigns:published_list", "sandbox:overview"],
)
def test_the_pages_without_a_draft(login, live_server, name):
    services.campaign_create(user=user("composer"), api="targets", channel="push", body=PUSH_BODY)
    page = login("composer")
    page.goto(f"{live_server.url}{reverse(name)}")
    assert blocking_violations(page) == []


@pytest.mark.parametrize(
    ("api", "channel", "body"),
    [
        ("targets", "push", PUSH_BODY),
        ("send", "email", email_send_body(["a@example.com"])),
    ],
    ids=["targets-push", "send-email"],
)
def test_the_composer(login, live_server, api, channel, body):
    campaign = services.campaign_create(user=user("composer"), api=api, channel=channel, body=body)
    page = login("composer")
    page.goto(f"{live_server.url}{reverse('campaigns:composer', args=[campaign.pk])}")
    expect(page.get_by_role("region", name="Payload preview")).to_be_visible()
    assert blocking_violations(page) == []


def test_the_publish_confirmation_and_published_pages(login, live_server, settings):
    settings.CLEVERTAP_CONFIGURED = False
    settings.SANDBOX_ENABLED = True
    settings.SANDBOX_BASE_URL = f"{live_server.url}/sandbox"
    profiles_create(android=3, ios=2)
    campaign = services.campaign_create(
        user=user("composer"), api="targets", channel="push", body=PUSH_BODY
    )
    review.campaign_submit(campaign=campaign, user=user("composer"))
    review.campaign_approve(campaign=Campaign.objects.get(pk=campaign.pk), user=user("reviewer"))
    publishing.campaign_estimate(
        campaign=Campaign.objects.get(pk=campaign.pk), user=user("publisher")
    )

    page = login("publisher")
    page.goto(f"{live_server.url}{reverse('publishing:publish', args=[campaign.pk])}")
    assert blocking_violations(page) == []
    with page.expect_navigation():
        page.locator("#publish-form [type=submit]").first.click()
    page.goto(f"{live_server.url}{reverse('publishing:published', args=[campaign.pk])}")
    assert blocking_violations(page) == []


def test_the_composer_can_be_filled_by_keyboard_alone(login, live_server):
    campaign = services.campaign_create(
        user=user("composer"), api="targets", channel="push", body=PUSH_BODY
    )
    page = login("composer")
    page.goto(f"{live_server.url}{reverse('campaigns:composer', args=[campaign.pk])}")
    expect(page.get_by_role("region", name="Payload preview")).to_be_visible()

    def tab_to(label: str, *, backwards: bool = False, limit: int = 200) -> list[str]:
        """Press Tab until the field labelled `label` has focus; the ids passed on the way."""
        target = page.get_by_label(label, exact=True)
        seen: list[str] = []
        for _ in range(limit):
            page.keyboard.press("Shift+Tab" if backwards else "Tab")
            seen.append(page.evaluate("document.activeElement && document.activeElement.id"))
            if target.evaluate("node => node === document.activeElement"):
                return seen
        raise AssertionError(f"{label!r} was never reached by keyboard; passed {seen[-20:]}")

    def focus_is_visible() -> bool:
        return page.evaluate(
            """() => {
                const node = document.activeElement;
                const style = getComputedStyle(node);
                const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
                return node.matches(":focus-visible") && (ring || style.boxShadow !== "none");
            }"""
        )

    page.locator("body").click(position={"x": 1, "y": 1})
    tab_to("Campaign name")
    assert focus_is_visible()
    page.keyboard.press("Control+A")
    page.keyboard.type("Typed by keyboard")

    forward = tab_to("Message (body)")
    assert focus_is_visible()
    page.keyboard.press("Control+A")
    page.keyboard.type("Hello from the keyboard")
    # Order: going back with Shift+Tab reaches the name again after the body.
    backward = tab_to("Campaign name", backwards=True)
    assert len(backward) >= 1 and len(forward) >= 1

    expect(page.locator("#preview-json")).to_contain_text("Hello from the keyboard", timeout=15_000)
    expect(page.locator("#preview-json")).to_contain_text("Typed by keyboard")

    save = page.get_by_role("button", name="Save", exact=False).first
    for _ in range(300):
        page.keyboard.press("Tab")
        if save.evaluate("node => node === document.activeElement"):
            break
    else:
        raise AssertionError("the save control was never reached by keyboard")
    assert focus_is_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15_000)
    saved = Campaign.objects.get(pk=campaign.pk)
    assert saved.name == "Typed by keyboard"
    assert saved.body["content"]["body"] == "Hello from the keyboard"
