"""Choices between parts of the body in Chromium: who receives a campaign, and a WhatsApp message's
type. The parts a choice leaves out leave the JSON and stay in the page; choosing again brings them
back as they were typed."""

import pytest
from playwright.sync_api import Locator, Page, expect

from campaigns import services
from tests.browser.test_composer import composer_user, wait_for_preview, wait_until_saved
from tests.drafts import PUSH_BODY, fresh, new_draft
from tests.reference_examples import reference_example

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]

EVENT_ROWS = {
    "advanced_query": {
        "did_all": [
            {"event_name": "App Launched", "from": 20200101, "to": 20200218}
            | {"operator": "greater_than_equals", "value": 5}
        ]
    }
}


def screenshots(page: Page, name: str, section: Locator) -> None:
    """The section as a marketer sees it, on a laptop and on a phone."""
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 1000})
        section.scroll_into_view_if_needed()
        page.screenshot(path=f"/tmp/choices-{name}-{width}.png")
        section.screenshot(path=f"/tmp/choices-{name}-{width}-section.png")
    page.set_viewport_size({"width": 1280, "height": 720})


def test_choosing_a_segment_disables_the_event_rows_and_choosing_filters_brings_them_back(
    login, live_server
):
    body = PUSH_BODY | {"where": {"event_name": "Charged"}} | EVENT_ROWS
    campaign = new_draft(composer_user(), body)
    page = login("composer")
    page.goto(f"{live_server.url}/drafts/{campaign.pk}/")
    audience = page.locator("#section-audience")
    event = audience.locator("#audience-did_all").get_by_label("Event", exact=True)
    expect(event).to_be_enabled()
    expect(audience.get_by_label("Saved segment", exact=True)).to_be_disabled()

    segment = audience.get_by_label("People in a saved segment")
    segment.check()
    expect(event).to_be_disabled()
    expect(event).to_have_value("App Launched")
    expect(audience.get_by_label("Did the event")).to_be_disabled()
    expect(segment).to_be_focused()
    audience.get_by_label("Saved segment", exact=True).fill("7")
    without = {key: value for key, value in body.items() if key not in {"where", "advanced_query"}}
    wait_for_preview(page, without | {"segment": 7})
    screenshots(page, "segment", audience)

    audience.get_by_label("People who match the filters below").check()
    expect(event).to_be_enabled()
    expect(event).to_have_value("App Launched")
    expect(audience.get_by_label("Saved segment", exact=True)).to_be_disabled()
    wait_for_preview(page, body)
    wait_until_saved(page)
    assert fresh(campaign).body == body


def test_freeform_hides_the_template_fields_and_template_brings_them_back(login, live_server):
    example = reference_example("28_send_whatsapp_template_image.json")
    campaign = services.campaign_import(
        user=composer_user(), body=example.body, endpoint=example.endpoint
    ).campaign
    page = login("composer")
    page.goto(f"{live_server.url}/drafts/{campaign.pk}/")
    content = page.locator("#section-content")
    template_name = content.get_by_label("Template name")
    expect(template_name).to_be_visible()
    expect(content.get_by_label("Freeform message")).to_be_hidden()

    message_type = content.get_by_label("Message type")
    message_type.focus()
    message_type.select_option("freeform")
    expect(template_name).to_be_hidden()
    expect(message_type).to_be_focused()
    content.get_by_label("Freeform message").select_option("text")
    content.get_by_label("Text", exact=True).fill("Hi, how can we help?")
    freeform = {"message_type": "freeform", "freeform": {"body": {"type": "text"}}}
    freeform["freeform"]["body"]["text"] = "Hi, how can we help?"
    wait_for_preview(page, example.body | {"content": freeform})
    expect(page.locator("#preview-errors")).not_to_contain_text("content.template")
    screenshots(page, "freeform", content)

    message_type.select_option("template")
    expect(template_name).to_be_visible()
    expect(template_name).to_have_value(example.body["content"]["template"]["template_name"])
    expect(content.get_by_label("Text", exact=True)).to_be_hidden()
    wait_for_preview(page, example.body)
    wait_until_saved(page)
    assert fresh(campaign).body == example.body
