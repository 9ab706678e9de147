"""The drafts page in Chromium."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from campaigns import services
from campaigns.models import Api, Campaign, Status

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]


def drafts(*names: str) -> None:
    user = get_user_model().objects.get(username="composer")
    for name in names:
        services.campaign_create(
            user=user, api=Api.TARGETS, channel="sms", body={"name": name, "target_mode": "sms"}
        )


def test_typing_in_the_search_filters_the_list_in_place(login, live_server):
    drafts("Spring sale", "Winter sale", "Welcome")
    page = login("composer")
    rows = page.locator("#drafts tbody tr")
    expect(rows).to_have_count(3)
    search = page.get_by_label("Search by name")
    search.fill("sale")
    expect(rows).to_have_count(2)
    expect(search).to_be_focused()
    expect(page).to_have_url(re.compile(r"/\?q=sale&"))
    page.get_by_label("Sort").select_option("name")
    expect(rows.first).to_contain_text("Spring sale")


def test_archive_then_restore_from_the_list(login, live_server):
    drafts("Keep me")
    page = login("composer")
    page.get_by_role("button", name="Archive Keep me").click()
    expect(page.locator("#toasts")).to_contain_text("Archived")
    expect(page.locator("#drafts")).to_contain_text("No drafts match.")
    page.get_by_label("Status").select_option("archived")
    page.get_by_role("button", name="Restore Keep me").click()
    expect(page.locator("#toasts")).to_contain_text("Restored")
    assert Campaign.objects.get().status == Status.DRAFT


def test_clone_opens_the_copy_in_the_composer(login, live_server):
    drafts("Original")
    page = login("composer")
    page.get_by_role("button", name="Clone Original").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Original (copy)")
    expect(page.get_by_role("region", name="Payload preview")).to_be_visible()


def test_a_new_send_campaign_starts_on_its_endpoint(login, live_server):
    page = login("composer")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("By identities (send/<channel>.json)").check()
    page.get_by_label("SMS", exact=True).check()
    page.get_by_role("button", name="Create and open the composer").click()
    expect(page.get_by_role("region", name="Payload preview")).to_contain_text(
        "POST /1/send/sms.json"
    )
    expect(page.get_by_label("Channel", exact=True)).to_have_value("sms")
