"""The library in Chromium: a template saved from a push draft, a campaign started from it, the
template edited and the draft updated; a saved audience with relative dates picked in a draft."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from campaigns.forms import schedule as schedule_forms
from campaigns.models import Campaign, LibraryItem
from tests.drafts import PUSH_BODY, estimated, new_draft

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]


def composer_user():
    return get_user_model().objects.get(username="composer")


def preview_body(page: Page) -> dict:
    return json.loads(page.locator("#preview-json").text_content())


def test_a_template_saved_from_a_push_draft_starts_a_campaign_and_updates_it(login, live_server):
    page = login("composer")
    draft = new_draft(
        composer_user(), {**PUSH_BODY, "content": {"title": "Hi {{Name}}", "body": "Sale"}}
    )
    page.goto(f"{live_server.url}/drafts/{draft.pk}/")
    page.get_by_role("link", name="Save as template").click()
    page.get_by_label("Name").fill("Spring sale")
    page.get_by_label("Labels").fill("sale")
    page.get_by_role("button", name="Save as template").click()
    expect(page.locator("#item-name")).to_contain_text("Spring sale")

    page.get_by_role("button", name="Start a campaign from it").click()
    expect(page.locator("#made-from-template")).to_contain_text("version 1")
    started = Campaign.objects.latest("pk")
    assert preview_body(page)["content"] == {"title": "Hi {{Name}}", "body": "Sale"}

    item = LibraryItem.objects.get()
    page.goto(f"{live_server.url}/library/{item.pk}/edit/")
    page.get_by_label("Title", exact=True).fill("Summer sale for {{Name}}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#item-versions tr[data-version='2']")).to_be_visible()

    page.goto(f"{live_server.url}/drafts/{started.pk}/")
    notice = page.locator("#library-newer-template")
    expect(notice).to_contain_text("version 2 is newer")
    notice.get_by_text("What changed in the message template").click()
    expect(notice.locator(".diff-table")).to_contain_text("Summer sale for {{Name}}")
    notice.get_by_role("button", name="Update to version 2").click()
    expect(page.locator("#library-newer-template")).to_have_count(0)
    assert preview_body(page)["content"]["title"] == "Summer sale for {{Name}}"

    page.get_by_role("link", name="History").click()
    expect(page.locator("#revisions")).to_contain_text("Message template “Spring sale”, version 2")
    page.goto(f"{live_server.url}/audit/")
    expect(page.locator("main")).to_contain_text("Applied from the library")


def test_a_saved_audience_of_the_last_30_days_is_picked_with_todays_dates(login, live_server):
    page = login("composer")
    source = new_draft(
        composer_user(),
        {**PUSH_BODY, "where": {"event_name": "App Launched", "from": 20260101, "to": 20260102}},
    )
    estimated(source, 1234)
    page.goto(f"{live_server.url}/drafts/{source.pk}/")
    page.get_by_role("link", name="Save audience").click()
    page.get_by_label("Name").fill("Recent launchers of the app, over the last thirty days")
    page.get_by_label("Dates: the last … days").fill("30")
    page.get_by_role("button", name="Save audience").click()
    expect(page.locator("#item-name")).to_contain_text("Recent launchers")
    expect(page.locator("main")).to_contain_text("the last 30 days")

    target = new_draft(composer_user())
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/drafts/{target.pk}/")
    # A long saved audience's name in the picker does not push the page sideways on a phone.
    expect(page.get_by_label("Saved audience")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Saved audience").select_option(
        label="Recent launchers of the app, over the last thirty days"
    )
    page.get_by_role("button", name="Use this saved audience").click()
    expect(page.locator(".audience-estimate")).to_contain_text("1234")
    page.get_by_role("button", name="Use it and save the draft").click()

    expect(page.locator("#made-from-audience")).to_contain_text("Recent launchers")
    today = schedule_forms.account_now().date()
    start = today - datetime.timedelta(days=30)
    where = preview_body(page)["where"]
    assert where == {
        "event_name": "App Launched",
        "from": int(start.strftime("%Y%m%d")),
        "to": int(today.strftime("%Y%m%d")),
    }


def test_the_library_pages_pass_axe(login, live_server):
    from campaigns.library import services as library_services
    from tests.browser import axe

    draft = new_draft(
        composer_user(),
        {**PUSH_BODY, "where": {"event_name": "E", "from": 20260101, "to": 20260102}},
    )
    template = library_services.template_save_from_draft(
        campaign=draft, user=composer_user(), name="Spring", labels=["sale"]
    )
    library_services.item_edit(
        item=template,
        user=composer_user(),
        base_version=1,
        name="Spring",
        content={"body": {"content": {"title": "Two", "body": "B"}}},
    )
    audience = library_services.audience_save_from_draft(
        campaign=draft, user=composer_user(), name="Recent", relative_days=30
    )
    page = login("composer")
    for path in (
        "/library/templates/",
        "/library/audiences/",
        f"/library/{template.pk}/",
        f"/library/{audience.pk}/",
        f"/library/{template.pk}/edit/",
        f"/library/{audience.pk}/edit/",
        f"/drafts/{draft.pk}/library/save/audience/",
        f"/drafts/{draft.pk}/library/apply/?item={template.pk}",
        f"/drafts/{draft.pk}/library/apply/?kind=template",
        "/library/import/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert axe.blocking_violations(page) == [], path
