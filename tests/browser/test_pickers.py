"""Pickers for the account's data in Chromium: a WhatsApp template chosen by its name shows its
words with one input per placeholder, and a webhook endpoint chosen from the account's list; the
JSON panel shows the same body as typing the values would."""

import pytest
from playwright.sync_api import Page, expect

from campaigns.models import WebhookEndpoint
from devtools import demo
from tests.browser.test_composer import composer_user, wait_for_preview, wait_until_saved
from tests.drafts import fresh, new_draft

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]

WHATSAPP = {
    "name": "Delivery slot",
    "target_mode": "whatsapp",
    "where": {},
    "when": "now",
    "provider_nick_name": "Provider_1",
}
WEBHOOK = {
    "name": "Sync to CRM",
    "target_mode": "webhook",
    "where": {},
    "when": "now",
    "webhook_fields": ["identities"],
}


def screenshots(page: Page, name: str) -> None:
    section = page.locator("#section-content")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 1000})
        section.scroll_into_view_if_needed()
        page.screenshot(path=f"/tmp/pickers-{name}-{width}.png")
    page.set_viewport_size({"width": 1280, "height": 1000})


def test_a_whatsapp_template_and_a_webhook_endpoint_are_chosen_by_their_names(login, live_server):
    demo.demo_account_settings_ensure()
    WebhookEndpoint.objects.create(name="CRM sync")
    campaign = new_draft(composer_user(), WHATSAPP, channel="whatsapp")
    page = login("composer")
    page.goto(f"{live_server.url}/drafts/{campaign.pk}/")
    content = page.locator("#section-content")

    content.get_by_label("Template name").select_option(label="delivery_slot")
    # The section comes back with the template's words and one input per placeholder.
    expect(content).to_contain_text("Your parcel arrives between {{1}} and {{2}}.")
    content.get_by_label("Language code").select_option(label="en")
    # A new language lays the section out again too: typing waits for it.
    expect(page.locator(".htmx-request")).to_have_count(0)
    content.get_by_label("Header type").select_option("text")
    header = content.locator(".placeholder-inputs").first
    header.get_by_label("Value for {{1}}").fill("Friday 12 December")
    body = content.locator(".placeholder-inputs").nth(1)
    body.get_by_label("Value for {{1}}").fill("9:00")
    body.get_by_label("Value for {{2}}").fill("11:00")
    content.get_by_role("button", name="Add a button's values").click()
    expect(page.locator(".htmx-request")).to_have_count(0)
    content.locator("#content-buttons").get_by_label("Value for {{1}}").fill("A1B2")
    expected = WHATSAPP | {
        "content": {
            "template_name": "delivery_slot",
            "locale": "en",
            "header": {"type": "text", "replacements": ["Friday 12 December"]},
            "body": {"replacements": ["9:00", "11:00"]},
            "buttons": [{"replacements": ["A1B2"]}],
        }
    }
    wait_for_preview(page, expected)
    device = page.locator("#preview .device-whatsapp")
    expect(device).to_contain_text("Delivery on Friday 12 December")
    expect(device).to_contain_text("Your parcel arrives between 9:00 and 11:00.")
    expect(device).to_contain_text("https://shop.example/delivery/A1B2")
    screenshots(page, "whatsapp")
    wait_until_saved(page)
    assert fresh(campaign).body == expected

    webhook = new_draft(composer_user(), WEBHOOK, channel="webhook")
    page.goto(f"{live_server.url}/drafts/{webhook.pk}/")
    content = page.locator("#section-content")
    content.get_by_label("Webhook endpoint").select_option(label="CRM sync")
    wait_for_preview(page, WEBHOOK | {"webhook_endpoint_name": "CRM sync"})
    screenshots(page, "webhook")
    wait_until_saved(page)
    assert fresh(webhook).body == WEBHOOK | {"webhook_endpoint_name": "CRM sync"}
