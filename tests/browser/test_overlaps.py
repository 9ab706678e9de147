"""Done-when 1 of issue 24 in Chromium: a weekly push, a one-off email and a push to the same
segment 2 h after one of the weekly sends are on the calendar on their days and times; the two
pushes warn about each other in their composers and in review, the email does not."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tests.overlap_plan import next_monday, overlap_plan

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]


@pytest.fixture
def plan():
    return overlap_plan(get_user_model().objects.get(username="composer"))


def day_cell(page: Page, day: datetime.date):
    return page.locator(f'#calendar-grid td[data-day="{day.isoformat()}"]')


def test_the_two_pushes_warn_about_each_other_and_the_email_does_not(login, live_server, plan):
    monday = next_monday()
    meeting = monday + datetime.timedelta(days=7)
    page = login("composer")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/calendar/?view=week&date={meeting.isoformat()}")
    meeting_day = day_cell(page, meeting)
    expect(meeting_day.locator(".cal-entry")).to_have_count(3)
    expect(meeting_day.locator(".cal-entry").nth(0)).to_contain_text("18:00 Weekly push")
    expect(meeting_day.locator(".cal-entry").nth(1)).to_contain_text("19:00 One-off email")
    expect(meeting_day.locator(".cal-entry").nth(2)).to_contain_text("20:00 Follow-up push")
    marks = meeting_day.locator(".cal-overlap")
    expect(marks).to_have_count(2)
    expect(marks.first).to_have_attribute(
        "title", "Reaches the same people as ‘Follow-up push’ 2 h later (both use segment 3210)."
    )
    page.goto(f"{live_server.url}/calendar/?view=week&date={monday.isoformat()}")
    expect(day_cell(page, monday).get_by_role("link", name="18:00 Weekly push")).to_be_visible()
    expect(day_cell(page, monday).locator(".cal-overlap")).to_have_count(0)

    pushes = (
        ("Weekly push", "Follow-up push", "2 h later"),
        ("Follow-up push", "Weekly push", "2 h earlier"),
    )
    for name, other, apart in pushes:
        page.goto(f"{live_server.url}/drafts/{plan[name].pk}/")
        notice = page.locator("#composer-overlaps")
        expect(notice).to_contain_text(f"Reaches the same people as ‘{other}’ {apart}")
        expect(notice.get_by_role("link", name=f"Open ‘{other}’")).to_be_visible()
    page.goto(f"{live_server.url}/drafts/{plan['One-off email'].pk}/")
    expect(page.get_by_role("heading", name="One-off email")).to_be_visible()
    expect(page.locator("#composer-overlaps")).to_have_count(0)

    reviewer = page  # the review page, as the team sees it before approving
    for name, other, apart in pushes:
        reviewer.goto(f"{live_server.url}/drafts/{plan[name].pk}/review/")
        expect(reviewer.locator("#review-overlaps")).to_contain_text(
            f"Reaches the same people as ‘{other}’ {apart}"
        )
    reviewer.goto(f"{live_server.url}/drafts/{plan['One-off email'].pk}/review/")
    expect(reviewer.get_by_role("heading", name="Review “One-off email”")).to_be_visible()
    expect(reviewer.locator("#review-overlaps")).to_have_count(0)
