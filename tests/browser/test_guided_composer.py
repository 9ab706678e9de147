"""The guided composer in Chromium: the steps' states follow the typing, their links jump to the
step, a refused submit says what to fix, the request body is a tab away, and on a phone the
preview opens from "Show preview" with nothing scrolling sideways."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from campaigns import step_summaries, steps
from tests.browser import axe
from tests.drafts import PUSH_BODY, new_draft

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]

# No audience yet: Who has a problem, which refuses a submit for review.
NO_AUDIENCE = {key: value for key, value in PUSH_BODY.items() if key != "where"}


def open_composer(page: Page, live_server, campaign, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + reverse("campaigns:composer", args=[campaign.pk]))
    page.wait_for_load_state("networkidle")


def step(page: Page, prefix: str):
    return page.locator(f'#step-summary [data-step="{prefix}"]')


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def shows_below_the_sticky_bars(page: Page, selector: str) -> None:
    """Wait until the element's top shows under the sticky header and step summary (a jump
    scrolls smoothly)."""
    page.wait_for_function(
        """(selector) => {
            const top = document.querySelector(selector).getBoundingClientRect().top;
            const bar = document.getElementById("composer-steps-bar").getBoundingClientRect();
            return top >= bar.bottom - 1 && top < bar.bottom + 80;
        }""",
        arg=selector,
        timeout=5_000,
    )


def test_the_steps_follow_the_typing_and_submit_says_what_is_missing(login, live_server, people):
    campaign = new_draft(people["composer"], NO_AUDIENCE)
    page = login("composer")
    open_composer(page, live_server, campaign, 1440)

    # A submit with a problem is refused, in words, on the composer, with the step to fix.
    page.get_by_role("button", name="Submit for review").click()
    readiness = page.locator("#submit-readiness")
    expect(readiness).to_contain_text(steps.SUBMIT_REFUSED)
    expect(step(page, "audience")).to_have_attribute("data-state", steps.PROBLEMS)
    expect(step(page, "goal")).to_have_attribute("data-state", steps.UNTOUCHED)
    assert axe.blocking_violations(page) == []
    page.screenshot(path="/tmp/guided-composer-refused-1440.png")
    readiness.get_by_role("link", name="Who (1 problem)").click()
    shows_below_the_sticky_bars(page, "#section-audience-title")

    # Everyone: Who is complete, and the draft is ready.
    page.locator("#section-audience").get_by_role("radio").first.check()
    expect(step(page, "audience")).to_have_attribute("data-state", steps.COMPLETE)
    expect(step(page, "audience")).to_contain_text(step_summaries.EVERYONE)
    expect(readiness).to_have_text(steps.READY)

    # A goal begun has problems until it is whole, then says itself in words.
    goal = page.locator("#section-goal")
    goal.locator('[name="goal-event_name"]').fill("Charged")
    expect(step(page, "goal")).to_have_attribute("data-state", steps.PROBLEMS)
    expect(readiness).to_contain_text(steps.NOT_READY)
    conversion_time = goal.get_by_role("group", name="Conversion time")
    conversion_time.get_by_label("Number").fill("2")
    conversion_time.get_by_label("Unit").select_option("days")
    goal.locator('[name="goal-revenue_property"]').fill("Amount")
    expect(step(page, "goal")).to_have_attribute("data-state", steps.COMPLETE)
    expect(step(page, "goal")).to_contain_text("Charged within 2 days")

    # Each step's link jumps to its section, clear of the sticky bars.
    page.get_by_role("navigation", name="Steps").get_by_role(
        "link", name=re.compile("^When")
    ).click()
    expect(page).to_have_url(re.compile("#section-schedule$"))
    shows_below_the_sticky_bars(page, "#section-schedule-title")

    # The request body is one click away, exact and live.
    device = page.locator("#preview-panel-device")
    body = page.locator("#preview-panel-json")
    expect(device).to_be_visible()
    expect(body).to_be_hidden()
    page.get_by_role("tab", name="Request body").click()
    expect(body).to_be_visible()
    expect(device).to_be_hidden()
    expect(page.locator("#preview-json")).to_contain_text('"revenue_property": "Amount"')
    goal.locator('[name="goal-revenue_property"]').fill("Total")
    expect(page.locator("#preview-json")).to_contain_text('"revenue_property": "Total"')
    expect(page.get_by_role("tab", name="Request body")).to_have_attribute("aria-selected", "true")
    page.get_by_role("tab", name="Request body").press("ArrowLeft")
    expect(page.get_by_role("tab", name="Device preview")).to_be_focused()
    expect(device).to_be_visible()

    page.evaluate("window.scrollTo(0, 0)")
    assert no_sideways_scroll(page)
    assert axe.blocking_violations(page) == []
    page.screenshot(path="/tmp/guided-composer-1440.png")


def test_on_a_phone_the_preview_opens_beside_the_form_and_nothing_scrolls_sideways(
    login, live_server, people
):
    campaign = new_draft(people["composer"], NO_AUDIENCE)
    page = login("composer")
    open_composer(page, live_server, campaign, 390)
    assert no_sideways_scroll(page)
    # Every step is in sight: the steps wrap rather than scroll inside their row.
    for right in page.locator("#step-summary .step-link").evaluate_all(
        "links => links.map((link) => link.getBoundingClientRect().right)"
    ):
        assert right <= 390

    toggle = page.locator("#preview-toggle")
    expect(toggle).to_have_text("Show preview")
    preview = page.locator("#composer-preview")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(preview).to_be_hidden()
    expect(step(page, "audience")).to_have_attribute("data-state", steps.PROBLEMS)
    assert axe.blocking_violations(page) == []
    page.screenshot(path="/tmp/guided-composer-390.png")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_text("Hide preview")
    expect(page.locator("#device-preview")).to_be_visible()
    expect(page.locator("#preview-close")).to_be_focused()
    # The form behind it takes no focus while it is open.
    assert page.locator("#composer-form").evaluate("form => form.closest('[inert]') !== null")
    assert no_sideways_scroll(page)
    assert axe.blocking_violations(page) == []
    page.screenshot(path="/tmp/guided-composer-preview-390.png")

    page.keyboard.press("Escape")
    expect(preview).to_be_hidden()
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    # A problem's link in the open preview goes back to the form, at its field.
    limit = page.locator('[name="delivery-users_limit_overall"]')
    limit.fill("5")
    expect(step(page, "delivery")).to_have_attribute("data-state", steps.PROBLEMS)
    toggle.click()
    page.locator('#preview-errors li[data-field="delivery-users_limit_overall"] a').click()
    expect(preview).to_be_hidden()
    expect(limit).to_be_focused()
    limit.fill("")
    expect(step(page, "delivery")).to_have_attribute("data-state", steps.UNTOUCHED)

    # Typing with the preview closed still refreshes it and the steps.
    page.locator("#section-audience").get_by_role("radio").first.check()
    expect(step(page, "audience")).to_have_attribute("data-state", steps.COMPLETE)
    toggle.click()
    expect(page.locator("#preview-json")).to_contain_text('"where": {}')
    page.locator("#preview-close").click()
    expect(preview).to_be_hidden()
    assert no_sideways_scroll(page)


def test_without_javascript_the_preview_shows_below_the_form(
    browser, live_server, people, demo_users
):
    campaign = new_draft(people["composer"])
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("composer")
    page.get_by_label("Password").fill(demo_users["composer"].password)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + reverse("campaigns:composer", args=[campaign.pk]))

    expect(page.locator("#device-preview")).to_be_visible()
    expect(page.locator("#preview-json")).to_be_visible()
    expect(page.locator("#preview-toggle")).to_be_hidden()
    form = page.locator("#composer-form").bounding_box()
    assert page.locator("#composer-preview").bounding_box()["y"] > form["y"] + form["height"] - 1
    assert no_sideways_scroll(page)
    context.close()
