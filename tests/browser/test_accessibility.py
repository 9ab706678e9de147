"""Every page passes axe without serious or critical violations; the composer works by keyboard."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import resolve, reverse
from playwright.sync_api import Locator, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from campaigns import services
from campaigns.models import Campaign
from campaigns.publishing import estimates
from campaigns.review import approvals
from tests.browser import axe
from tests.drafts import PUSH_BODY, email_send_body
from tests.sandbox_records import profiles_create

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]


def user(name: str):
    return get_user_model().objects.get(username=name)


def test_the_login_page(page, live_server):
    page.goto(f"{live_server.url}/login/")
    assert axe.blocking_violations(page) == []


@pytest.mark.parametrize(
    "name",
    ["campaigns:draft_list", "campaigns:campaign_new", "campaigns:campaign_import"]
    + ["campaigns:review_queue", "campaigns:published_list", "campaigns:clevertap_campaigns"]
    + ["sandbox:overview", "campaigns:test_recipients", "campaigns:calendar"],
)
def test_the_pages_without_a_draft(login, live_server, name):
    services.campaign_create(user=user("composer"), api="targets", channel="push", body=PUSH_BODY)
    # The sandbox page is for sandbox operators, such as the demo admin.
    page = login("admin" if name.startswith("sandbox:") else "composer")
    page.goto(f"{live_server.url}{reverse(name)}")
    assert axe.blocking_violations(page) == []


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
    assert axe.blocking_violations(page) == []


def test_the_publish_confirmation_and_published_pages(login, live_server, settings):
    settings.CLEVERTAP_CONFIGURED = False
    settings.SANDBOX_ENABLED = True
    settings.SANDBOX_BASE_URL = f"{live_server.url}/sandbox"
    profiles_create(android=3, ios=2)
    campaign = services.campaign_create(
        user=user("composer"), api="targets", channel="push", body=PUSH_BODY
    )
    approvals.campaign_submit(campaign=campaign, user=user("composer"))
    approvals.campaign_approve(campaign=Campaign.objects.get(pk=campaign.pk), user=user("reviewer"))
    estimates.campaign_estimate(
        campaign=Campaign.objects.get(pk=campaign.pk), user=user("publisher")
    )

    page = login("publisher")
    page.goto(f"{live_server.url}{reverse('campaigns:publish', args=[campaign.pk])}")
    assert axe.blocking_violations(page) == []
    with page.expect_navigation():
        page.locator("#publish-form [type=submit]").first.click()
    page.goto(f"{live_server.url}{reverse('campaigns:published', args=[campaign.pk])}")
    assert axe.blocking_violations(page) == []


# Where focus is, whether it shows (an outline or Bootstrap's box-shadow) and whether it is on
# the element passed in.
FOCUS_STOP = """target => {
    const node = document.activeElement;
    const style = getComputedStyle(node);
    const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const shown = node.matches(":focus-visible") && (ring || style.boxShadow !== "none");
    return {
        where: node.id || node.name || node.tagName,
        // On a date input's own picker button (not :focus): Chromium draws that ring itself.
        visible: shown || !node.matches(":focus"),
        reached: node === target,
    };
}"""
# The focused control is in the viewport and not covered (by the sticky footer, say).
FOCUS_IN_SIGHT = """() => {
    const node = document.activeElement;
    const box = node.getBoundingClientRect();
    const x = box.left + Math.min(box.width / 2, 8), y = box.top + box.height / 2;
    const top = y >= 0 && y <= innerHeight && document.elementFromPoint(x, y);
    return !!top && (node === top || node.contains(top) || top.control === node);
}"""


@pytest.mark.browser_context_args(locale="en-US")  # date inputs take mm/dd/yyyy segments
def test_a_whole_composition_by_keyboard_alone(login, live_server):
    """From the drafts list to a saved push draft with `page.keyboard` only: no click, no fill."""
    page = login("composer")
    page.goto(f"{live_server.url}{reverse('campaigns:draft_list')}")
    page.wait_for_load_state("networkidle")

    def focus_is_not_hidden() -> bool:
        """Once scrolled (smoothly), the focused control is on screen and not under another
        element such as the sticky footer."""
        try:
            page.wait_for_function(FOCUS_IN_SIGHT, timeout=3_000)
        except PlaywrightTimeoutError:
            return False
        return True

    def tab_to(target: Locator, *, backwards: bool = False, limit: int = 250) -> int:
        """Press Tab (Shift+Tab) until `target` has focus, checking each stop; the presses."""
        handle = target.element_handle()
        for presses in range(1, limit + 1):
            page.keyboard.press("Shift+Tab" if backwards else "Tab")
            stop = handle.evaluate(FOCUS_STOP)
            assert stop["where"] != "BODY", "focus left the page"
            assert stop["visible"], f"no visible focus on {stop['where']}"
            if stop["reached"]:
                assert focus_is_not_hidden(), f"{stop['where']} has focus but is hidden"
                return presses
        raise AssertionError(f"{target} was never reached by keyboard")

    def field(label: str) -> Locator:
        return page.get_by_label(label, exact=True)

    def type_into(label: str, text: str) -> None:
        tab_to(field(label))
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
        expect(field(label)).to_have_value(text)

    def radio(label: str) -> Locator:
        return page.get_by_role("radio", name=label, exact=True)

    def press_enter_on(target: Locator) -> None:
        tab_to(target)
        page.keyboard.press("Enter")

    # The drafts list: New campaign; the new-campaign page: a name, everyone, the push channel.
    press_enter_on(page.get_by_role("link", name="New campaign"))
    expect(page.get_by_role("heading", name="New campaign")).to_be_visible()
    type_into("What do you call this campaign?", "Keyboard campaign")
    tab_to(radio("Everyone"))
    expect(radio("Everyone")).to_be_checked()
    tab_to(radio("Push"))
    page.keyboard.press("ArrowDown")  # arrows move through the channels...
    expect(radio("Push")).not_to_be_checked()
    page.keyboard.press("ArrowUp")  # ...and back to push
    expect(radio("Push")).to_be_checked()
    press_enter_on(page.get_by_role("button", name="Create and open the composer"))
    preview = page.get_by_role("region", name="Payload preview")
    expect(preview).to_be_visible()
    page.wait_for_load_state("networkidle")
    pk = resolve(urlsplit(page.url).path).kwargs["pk"]

    # Campaign and audience: people who did an event between two dates.
    type_into("Campaign name", "Keyboard campaign")
    tab_to(radio("Everyone"))
    page.keyboard.press("ArrowDown")
    expect(radio("People who match the filters below")).to_be_checked()
    type_into("Did the event", "App Launched")
    tab_to(field("Start date"))
    page.keyboard.type("01152026")
    expect(field("Start date")).to_have_value("2026-01-15")
    tab_to(field("End date"))
    page.keyboard.type("02152026")
    expect(field("End date")).to_have_value("2026-02-15")

    # Content.
    type_into("Title", "Keyboard title")
    type_into("Message", "Hello from the keyboard")

    # Schedule: later, at one send time added with the formset's own button.
    tab_to(field("When to send it"))
    page.keyboard.press("ArrowDown")
    expect(field("When to send it")).to_have_value("later")
    press_enter_on(page.get_by_role("button", name="Add a send time"))
    send_at = field("Send at")
    expect(send_at).to_be_focused()  # the new row's first field takes focus
    page.keyboard.type("06152035")
    page.keyboard.press("ArrowRight")  # a year may have more digits: on to the hour
    page.keyboard.type("1030A")
    expect(send_at).to_have_value("2035-06-15T10:30")
    assert send_at.evaluate(FOCUS_STOP)["visible"]

    # Conversion goal.
    type_into("Conversion event", "Charged")
    tab_to(field("Count only the first time they do it"))
    page.keyboard.press("ArrowDown")
    expect(field("Count only the first time they do it")).to_have_value("yes")
    conversion_time = page.get_by_role("group", name="Conversion time")
    tab_to(conversion_time.get_by_label("Number"))
    page.keyboard.type("3")
    unit = conversion_time.get_by_label("Unit")
    tab_to(unit)
    page.keyboard.type("d")  # the first unit that starts with d: days
    expect(unit).to_have_value("D")
    type_into("Revenue property", "Amount")

    # The live preview shows what was typed, and nothing is missing.
    json_preview = page.locator("#preview-json")
    for pair in [
        '"name": "Keyboard campaign"',
        '"event_name": "App Launched"',
        '"from": 20260115',
        '"to": 20260215',
        '"title": "Keyboard title"',
        '"body": "Hello from the keyboard"',
        '"when": "20350615 10:30"',
        '"event_name": "Charged"',
        '"first_time": "yes"',
        '"conversion_time": "3D"',
        '"revenue_property": "Amount"',
    ]:
        expect(json_preview).to_contain_text(pair, timeout=15_000)
    expect(page.locator("#preview-errors")).to_contain_text("No problems found.")
    expect(page.locator("#schedule-preview time").first).to_have_attribute(
        "datetime", re.compile("^2035-06-15T10:30")
    )

    # No trap: from Save, Shift+Tab goes back through the whole form; then Enter saves.
    save = page.locator(".composer-footer").get_by_role("button", name="Save")
    tab_to(save)
    tab_to(field("Campaign name"), backwards=True)
    press_enter_on(save)
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15_000)

    body = Campaign.objects.get(pk=pk).body
    assert body["name"] == "Keyboard campaign"
    assert body["target_mode"] == "push"
    assert body["where"] == {"event_name": "App Launched", "from": 20260115, "to": 20260215}
    assert body["content"]["title"] == "Keyboard title"
    assert body["content"]["body"] == "Hello from the keyboard"
    assert body["when"] == "20350615 10:30"
    assert body["conversion_goal"] == {
        "event_name": "Charged",
        "filter_type": {"first_time": "yes"},
        "conversion_time": "3D",
        "revenue_property": "Amount",
    }
