"""The drafts page in Chromium."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from campaigns import services
from campaigns.models import Api, Campaign, Status
from campaigns.views import forms as view_forms
from tests.browser import axe
from tests.drafts import estimated, later, new_draft

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
    page.get_by_label("What do you call this campaign?").fill("Order texts")
    page.get_by_label("A list of people", exact=True).check()
    page.get_by_label("SMS", exact=True).check()
    page.get_by_role("button", name="Create and open the composer").click()
    expect(page.get_by_role("region", name="Payload preview")).to_contain_text(
        "POST /1/send/sms.json"
    )
    expect(page.get_by_label("Channel", exact=True)).to_have_value("sms")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_list_fits_the_screen_with_every_column(people, login, live_server, width):
    composer = people["composer"]
    Campaign.objects.bulk_create(
        Campaign(
            name=f"Autumn newsletter for returning customers {n:02}",
            owner=composer,
            problem_count=n % 4,
            labels_text=",autumn,newsletter,",
            body={"name": f"Draft {n}", "when": later(n % 5 + 1)},
        )
        for n in range(30)
    )
    estimated(new_draft(composer), 12_400)
    page = login("composer")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/")
    expect(page.locator("#drafts")).to_contain_text("12,400 · just now")
    expect(page.locator("#drafts")).to_contain_text("3 problems")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe.blocking_violations(page) == []
    page.screenshot(path=f"/tmp/drafts-list-{width}.png", full_page=True)

    page.get_by_role("link", name="Page 2").click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    expect(page.locator("#drafts [aria-current=page]")).to_have_text("Page 2")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_a_new_campaign_by_mouse_opens_the_composer_on_its_name_and_audience(login, live_server):
    page = login("composer")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("What do you call this campaign?").click()
    page.keyboard.type("Charged last month")
    # A card is its radio's label: a click anywhere on it chooses it.
    page.get_by_text("People who did an event, such as Charged").click()
    expect(page.get_by_role("radio", name="People who did something", exact=True)).to_be_checked()

    # A list of people cannot get a webhook or the app inbox: those cards are disabled.
    page.get_by_text("The people you name: a file of their identities").click()
    expect(page.get_by_role("radio", name="Webhook", exact=True)).to_be_disabled()
    expect(page.get_by_role("radio", name="App inbox", exact=True)).to_be_disabled()
    expect(page.locator("#channel-fit")).to_have_text(
        view_forms.LIST_CHANNELS.format(channels=view_forms.list_channels())
    )
    assert axe.blocking_violations(page) == []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 1000})
        assert no_sideways_scroll(page)
        page.screenshot(path=f"/tmp/new-campaign-list-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.get_by_text("People who did an event, such as Charged").click()
    expect(page.get_by_role("radio", name="Webhook", exact=True)).to_be_enabled()
    expect(page.locator("#channel-fit")).to_have_text("")

    page.get_by_text("An email to each person's address").click()
    page.get_by_role("button", name="Create and open the composer").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Charged last month")
    expect(page.get_by_label("Campaign name")).to_have_value("Charged last month")
    audience = page.locator("#section-audience")
    expect(audience.get_by_role("radio", name="People who match the filters below")).to_be_checked()
    expect(audience.get_by_label("Did the event")).to_be_editable()
    campaign = Campaign.objects.get()
    assert (campaign.api, campaign.channel, campaign.name) == (
        "targets",
        "email",
        "Charged last month",
    )


def test_a_new_campaign_by_keyboard_opens_the_composer_on_its_answers(login, live_server):
    page = login("composer")
    page.get_by_role("link", name="New campaign").focus()
    page.keyboard.press("Enter")
    name = page.get_by_label("What do you call this campaign?")
    # No name at first: refused in words, and nothing chosen is lost.
    name.focus()
    page.keyboard.press("Tab")  # into "Who should get it?": on its chosen card, Everyone
    expect(page.get_by_role("radio", name="Everyone", exact=True)).to_be_focused()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="A saved segment", exact=True)).to_be_checked()
    page.keyboard.press("Tab")  # into "Which channel?": on Push
    expect(page.get_by_role("radio", name="Push", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Web push", exact=True)).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Create and open the composer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text(view_forms.NAME_REQUIRED)).to_be_visible()
    expect(page.get_by_role("radio", name="A saved segment", exact=True)).to_be_checked()
    expect(page.get_by_role("radio", name="Web push", exact=True)).to_be_checked()
    assert axe.blocking_violations(page) == []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 1000})
        assert no_sideways_scroll(page)
        page.screenshot(path=f"/tmp/new-campaign-refused-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 1000})

    # The name field, back by keyboard from the button: its error says what to type.
    name.focus()
    page.keyboard.type("Gold members")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Gold members")
    expect(page.get_by_label("Campaign name")).to_have_value("Gold members")
    audience = page.locator("#section-audience")
    segment = audience.get_by_role("radio", name="People in a saved segment", exact=True)
    expect(segment).to_be_checked()
    expect(audience.get_by_label("Saved segment", exact=True)).to_be_editable()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 1000})
        audience.scroll_into_view_if_needed()
        page.screenshot(path=f"/tmp/new-campaign-composer-{width}.png")
    campaign = Campaign.objects.get()
    assert (campaign.api, campaign.channel, campaign.name) == ("targets", "webpush", "Gold members")
