"""The import page in Chromium, CleverTap's examples pasted in as the reference page shows them."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from campaigns import jsonfile
from campaigns.models import Campaign
from tests.browser import axe
from tests.reference_examples import BODIES, EXAMPLES, UNREADABLE, forgiven_notice

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]
# 06: App Inbox, with two // comments.
WITH_COMMENTS = 6


def paste(page, live_server, number: int) -> None:
    page.goto(f"{live_server.url}/import/")
    page.get_by_label("Paste a JSON request body").fill(BODIES[number - 1])
    page.get_by_label("Endpoint").select_option(EXAMPLES[number - 1].endpoint)
    page.get_by_role("button", name="Import").click()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_pasted_example_with_comments_opens_as_a_draft_that_says_what_was_forgiven(
    login, live_server, width
):
    page = login("composer")
    page.set_viewport_size({"width": width, "height": 900})
    paste(page, live_server, WITH_COMMENTS)
    campaign = Campaign.objects.get()
    expect(page).to_have_url(live_server.url + reverse("campaigns:composer", args=[campaign.pk]))
    expect(page.locator(".toast-body", has_text=forgiven_notice(WITH_COMMENTS))).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_an_unreadable_paste_is_marked_at_its_line_on_the_page(login, live_server, width):
    ((number, (line, _)),) = UNREADABLE.items()
    page = login("composer")
    page.set_viewport_size({"width": width, "height": 900})
    paste(page, live_server, number)
    marked = page.locator("#unreadable mark")
    expect(marked).to_have_text(f"{line} | {BODIES[number - 1].split(chr(10))[line - 1]}")
    expect(marked).to_be_visible()
    expect(page.get_by_text(jsonfile.MORE_AFTER_END, exact=False)).to_be_visible()
    expect(page.get_by_label("Paste a JSON request body")).to_have_value(BODIES[number - 1])
    assert axe.blocking_violations(page) == []
    assert not Campaign.objects.exists()
