"""The calendar in Chromium: sends on their days and times, by keyboard, at 390 px, with axe."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from campaigns import services
from tests.browser import axe
from tests.browser.test_styles import violations_reported

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]

# Monday 11 March 2030 holds the weekly push at 18:00 and the follow-up push at 20:00.
WEEKLY_PUSH = {
    "name": "Weekly push",
    "target_mode": "push",
    "where": {},
    "when": {
        "type": "recurring",
        "repeat_type": "week",
        "repeats_every": 1,
        "repeat_on_days_of_week": [2],
        "start_time": "20300304 18:00",
        "dnd": {
            "message_state": "delay",
            "dnd_timezone": "account",
            "dnd_info": {"2": ["22:00", "07:00"]},
        },
    },
    "content": {"title": "This week", "body": "New in store"},
}
FOLLOW_UP_PUSH = {
    "name": "Follow-up push",
    "target_mode": "push",
    "where": {},
    "when": {"type": "later", "delivery_date_time": ["20300311 20:00"]},
    "content": {"title": "Still there?", "body": "Last hours"},
}
ONE_OFF_EMAIL = {
    "name": "March email",
    "target_mode": "email",
    "where": {},
    "when": {"type": "later", "delivery_date_time": ["20300312 09:30"]},
    "content": {"subject": "March news", "body": "<p>Hello</p>", "sender_name": "Shop"},
}


@pytest.fixture
def plan():
    owner = get_user_model().objects.get(username="composer")
    return {
        body["name"]: services.campaign_create(
            user=owner, api="targets", channel=body["target_mode"], body=body
        )
        for body in (WEEKLY_PUSH, FOLLOW_UP_PUSH, ONE_OFF_EMAIL)
    }


def day_cell(page: Page, day: str):
    return page.locator(f'#calendar-grid td[data-day="{day}"]')


def entries_in(page: Page, day: str) -> list[str]:
    return [text.strip() for text in day_cell(page, day).locator(".cal-entry").all_inner_texts()]


def test_the_sends_are_on_their_days_and_times_in_month_and_week(login, live_server, plan):
    page = login("composer")
    page.set_viewport_size({"width": 1280, "height": 900})
    csp_violations = violations_reported(page)
    page.goto(f"{live_server.url}/calendar/?view=month&date=2030-03-01")

    expect(page.get_by_role("heading", name="Calendar: March 2030")).to_be_visible()
    for monday in ("2030-03-04", "2030-03-11", "2030-03-18", "2030-03-25"):
        expect(day_cell(page, monday).get_by_role("link", name="18:00 Weekly push")).to_be_visible()
    assert [text.split("\n")[0] for text in entries_in(page, "2030-03-11")] == [
        "18:00 Weekly push Push · draft · repeats",
        "20:00 Follow-up push Push · draft",
    ]
    expect(day_cell(page, "2030-03-12").get_by_role("link")).to_have_text(
        "09:30 March email Email · draft"
    )
    expect(day_cell(page, "2030-03-13").locator(".cal-entry")).to_have_count(0)
    # The weekly push's quiet hours are shaded on its days only.
    expect(day_cell(page, "2030-03-11").locator(".cal-quiet-block")).to_have_count(1)
    expect(day_cell(page, "2030-03-12").locator(".cal-quiet-block")).to_have_count(0)
    assert axe.blocking_violations(page) == []

    page.get_by_role("link", name="Week", exact=True).click()
    page.get_by_label("Around the day").fill("2030-03-12")
    page.get_by_role("button", name="Show").click()

    expect(page.get_by_role("heading", name="Calendar: week of 11 March 2030")).to_be_visible()
    expect(page.locator("#calendar-grid .cal-entry")).to_have_count(3)
    expect(day_cell(page, "2030-03-11").locator(".cal-entry").first).to_contain_text(
        "18:00 Weekly push"
    )
    expect(day_cell(page, "2030-03-11").locator(".cal-entry").nth(1)).to_contain_text(
        "20:00 Follow-up push"
    )
    expect(day_cell(page, "2030-03-12")).to_contain_text("09:30 March email")
    expect(day_cell(page, "2030-03-11")).to_contain_text("Quiet 22:00–24:00 (Weekly push)")
    assert axe.blocking_violations(page) == []

    assert csp_violations == []

    page.get_by_role("link", name="18:00 Weekly push").click()
    expect(page).to_have_url(f"{live_server.url}/drafts/{plan['Weekly push'].pk}/")


FOCUSED = """() => {
    const el = document.activeElement;
    const cell = el.closest("#calendar-grid td");
    return cell ? `${cell.dataset.day} ${el.dataset.entry}` : el.id || el.tagName;
}"""


def test_the_keyboard_reaches_every_entry_link(login, live_server, plan):
    page = login("composer")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/calendar/?view=month&date=2030-03-01")
    expected = page.locator("#calendar-grid .cal-entry").evaluate_all(
        "links => links.map(link => `${link.closest('td').dataset.day} ${link.dataset.entry}`)"
    )
    assert len(expected) == 6

    page.get_by_role("button", name="Show").focus()
    reached: list[str] = []
    for _ in range(len(expected) + 1):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(FOCUSED))
    # Every entry in page order, one Tab each, and then out of the calendar.
    assert reached[:-1] == expected
    assert reached[-1] == "BODY" or not reached[-1].startswith("2030-")

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/drafts/{plan['Weekly push'].pk}/")


def test_at_390_px_the_agenda_list_shows_instead_of_the_grid(login, live_server, plan):
    page = login("composer")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/calendar/?view=month&date=2030-03-01")

    expect(page.locator("#calendar-grid")).to_be_hidden()
    agenda = page.locator("#calendar-agenda")
    expect(agenda).to_be_visible()
    expect(agenda.get_by_role("heading", name="Monday 11 March")).to_be_visible()
    expect(agenda.get_by_role("link")).to_have_count(6)
    expect(agenda.locator(".cal-agenda-item").nth(1)).to_contain_text("18:00 Weekly push")
    expect(agenda).to_contain_text("Quiet hours 22:00–24:00 (Weekly push)")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390
    assert axe.blocking_violations(page) == []


def test_without_javascript_the_filters_and_the_list_work(browser, live_server, demo_users, plan):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill("composer")
        page.get_by_label("Password").fill(demo_users["composer"].password)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"{live_server.url}/calendar/?date=2030-03-01")

        page.get_by_label("Channel").select_option("email")
        page.get_by_role("button", name="Show").click()

        agenda = page.locator("#calendar-agenda")
        expect(agenda.get_by_role("link")).to_have_count(1)
        expect(agenda.get_by_role("link")).to_have_text("March email")
        expect(page).to_have_url(re.compile(r"channel=email"))
    finally:
        context.close()
