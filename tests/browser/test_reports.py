"""The CleverTap campaigns page in Chromium: a campaign published here and one made in CleverTap's
dashboard, fetched from the sandbox's message reports by the worker while the page waits."""

import pytest
from playwright.sync_api import expect

from campaigns import clevertap
from campaigns.models import MessageReport
from campaigns.views import reports as views
from tests.browser import axe
from tests.drafts import PUSH_BODY, approved, new_draft, published
from tests.processes import worker_run

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_campaign_published_here_is_fetched_and_marked_with_its_counts(
    people, sandbox, login, live_server, width
):
    attempt = published(approved(new_draft(people["composer"]), people), people["publisher"])
    dashboard = clevertap.create(body={**PUSH_BODY, "name": "Made in the dashboard"}).data["id"]
    page = login("reviewer")
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"{live_server.url}/")
    if width < 768:
        page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="CleverTap campaigns").click()
    expect(page.get_by_role("heading", name="CleverTap campaigns")).to_be_visible()
    expect(page.locator("#report-status")).to_contain_text("have not been fetched")
    page.get_by_role("button", name=views.FETCH_BUTTON).click()
    expect(page.locator("#report-status")).to_contain_text("weeks from CleverTap")

    worker_run()

    here = page.locator(f"tr[data-message-id='{attempt.clevertap_id}']")
    expect(here).to_contain_text(views.MADE_HERE, timeout=10_000)
    row = MessageReport.objects.get(message_id=str(attempt.clevertap_id))
    assert row.sent > 0
    for count in ("sent", "viewed", "clicked"):
        expect(here.locator(f"[data-count='{count}']")).to_have_text(f"{getattr(row, count):,}")
    there = page.locator(f"tr[data-message-id='{dashboard}']")
    expect(there).to_contain_text(views.MADE_IN_CLEVERTAP)
    expect(page.locator("#report-status")).to_contain_text("Fetched from CleverTap")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe.blocking_violations(page) == []

    here.get_by_role("link", name=PUSH_BODY["name"]).click()
    expect(page).to_have_url(f"{live_server.url}/campaigns/{attempt.campaign_id}/published/")
