"""A new user composes one campaign on every channel, and one for a list of people from a file,
as they would: from the New campaign page, by the words on the page and the account's pickers,
never typing an API name. Each body is the one expected, and the summary ends with every step
complete (or optional and unused)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from campaigns import steps
from campaigns.models import Campaign, Status
from devtools import demo
from tests.browser import axe
from tests.browser.test_composer import wait_for_preview, wait_until_saved
from tests.drafts import emails

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]

EVERYONE = "Everyone"
DID_SOMETHING = "People who did something"
A_LIST = "A list of people"


@dataclass(frozen=True)
class Composition:
    name: str
    who: str
    channel: str
    write: Callable[[Page], None]
    expected: dict[str, Any]


def content(page: Page) -> Locator:
    return page.locator("#section-content")


def push(page: Page) -> None:
    content(page).get_by_label("Title", exact=True).fill("Your basket misses you")
    content(page).get_by_label("Message", exact=True).fill("Come back for 10% off today.")


def webpush(page: Page) -> None:
    content(page).get_by_label("Title", exact=True).fill("Winter sale")
    content(page).get_by_label("Message", exact=True).fill("Everything warm is 20% off.")


def email(page: Page) -> None:
    audience = page.locator("#section-audience")
    audience.get_by_label("Did the event").fill("Charged")
    audience.get_by_label("Start date").fill("2026-11-01")
    audience.get_by_label("End date").fill("2026-11-30")
    content(page).get_by_label("Subject").fill("Thank you for your order")
    content(page).get_by_label("Body (HTML)").fill("<p>Here is 10% off your next one.</p>")
    content(page).get_by_label("Sender name").fill("Shop")


def sms(page: Page) -> None:
    content(page).get_by_label("Message", exact=True).fill("Your code for 10% off: WINTER10")
    content(page).get_by_label("Provider", exact=True).select_option(label="Nick Name")


def whatsapp(page: Page) -> None:
    section = content(page)
    section.get_by_label("WhatsApp provider").select_option(label="Provider_1")
    section.get_by_label("Template name").select_option(label="order_update")
    # The section is laid out again for the template: its words and one input per placeholder.
    expect(section).to_contain_text("Hi {{1}}, your order {{2}} is on its way.")
    expect(page.locator(".htmx-request")).to_have_count(0)
    section.get_by_label("Language code").select_option(label="en")
    expect(page.locator(".htmx-request")).to_have_count(0)
    values = section.locator(".placeholder-inputs")
    values.get_by_label("Value for {{1}}").fill("Ana")
    values.get_by_label("Value for {{2}}").fill("#1042")


def webhook(page: Page) -> None:
    section = content(page)
    section.get_by_label("Webhook endpoint").select_option(label="Recommendation Endpoint")
    section.get_by_role("checkbox", name="Identities", exact=True).check()


def inbox(page: Page) -> None:
    section = content(page)
    section.get_by_label("Template", exact=True).select_option(label="Simple message")
    section.get_by_label("Orientation").select_option(label="Portrait")
    section.get_by_role("button", name="Add a message item").click()
    item = section.locator("#content-content .row-form").first
    item.get_by_label("Title", exact=True).fill("New in: winter boots")
    item.get_by_label("Message", exact=True).fill("Warm, waterproof, and 20% off this week.")


def everyone(name: str, channel: str, **body: Any) -> dict[str, Any]:
    return {"name": name, "target_mode": channel, "where": {}, "when": "now", **body}


COMPOSITIONS = [
    Composition(
        "Basket reminder",
        EVERYONE,
        "Push",
        push,
        everyone(
            "Basket reminder",
            "push",
            content={"title": "Your basket misses you", "body": "Come back for 10% off today."},
        ),
    ),
    Composition(
        "Winter sale",
        EVERYONE,
        "Web push",
        webpush,
        everyone(
            "Winter sale",
            "webpush",
            content={"title": "Winter sale", "body": "Everything warm is 20% off."},
        ),
    ),
    Composition(
        "Thank you, November",
        DID_SOMETHING,
        "Email",
        email,
        {
            "name": "Thank you, November",
            "target_mode": "email",
            "where": {"event_name": "Charged", "from": 20261101, "to": 20261130},
            "when": "now",
            "content": {
                "subject": "Thank you for your order",
                "body": "<p>Here is 10% off your next one.</p>",
                "sender_name": "Shop",
            },
        },
    ),
    Composition(
        "Winter code",
        EVERYONE,
        "SMS",
        sms,
        everyone(
            "Winter code",
            "sms",
            content={"body": "Your code for 10% off: WINTER10"},
            provider_nick_name="Nick Name",
        ),
    ),
    Composition(
        "Order on its way",
        EVERYONE,
        "WhatsApp",
        whatsapp,
        everyone(
            "Order on its way",
            "whatsapp",
            provider_nick_name="Provider_1",
            content={
                "template_name": "order_update",
                "locale": "en",
                "body": {"replacements": ["Ana", "#1042"]},
            },
        ),
    ),
    Composition(
        "Recommendations",
        EVERYONE,
        "Webhook",
        webhook,
        everyone(
            "Recommendations",
            "webhook",
            webhook_endpoint_name="Recommendation Endpoint",
            webhook_fields=["identities"],
        ),
    ),
    Composition(
        "Boots in the inbox",
        EVERYONE,
        "App inbox",
        inbox,
        everyone(
            "Boots in the inbox",
            "notificationinbox",
            template_type="simple",
            orientation="p",
            content=[
                {
                    "title": {"text": "New in: winter boots"},
                    "message": {"text": "Warm, waterproof, and 20% off this week."},
                }
            ],
        ),
    ),
]


def start(page: Page, live_server, name: str, who: str, channel: str) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("What do you call this campaign?").fill(name)
    page.get_by_role("radio", name=who, exact=True).check()
    page.get_by_role("radio", name=channel, exact=True).check()
    page.get_by_role("button", name="Create and open the composer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def every_step_done(page: Page) -> None:
    """Each step of the summary is complete, or optional and unused; the submit area is ready."""
    summary = page.locator("#step-summary")
    expect(summary.locator("#submit-readiness")).to_have_attribute("data-ready", "true")
    for step in summary.locator("li.step").all():
        prefix = step.get_attribute("data-step")
        wanted = [steps.COMPLETE, steps.UNTOUCHED] if prefix in steps.OPTIONAL else [steps.COMPLETE]
        assert step.get_attribute("data-state") in wanted, (prefix, step.inner_text())


def screenshots(page: Page, name: str) -> None:
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 1000})
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), width
        page.screenshot(path=f"/tmp/every-channel-{name}-{width}.png")
    page.set_viewport_size({"width": 1280, "height": 1000})


def test_a_new_user_composes_one_campaign_on_every_channel(login, live_server):
    demo.demo_account_settings_ensure()
    page = login("composer")
    page.set_viewport_size({"width": 1280, "height": 1000})
    for composition in COMPOSITIONS:
        start(page, live_server, composition.name, composition.who, composition.channel)
        composition.write(page)
        wait_for_preview(page, composition.expected)
        expect(page.locator("#preview-errors")).to_contain_text("No problems found.")
        every_step_done(page)
        wait_until_saved(page)
        assert Campaign.objects.get(name=composition.name).body == composition.expected
        assert axe.blocking_violations(page) == []
        screenshots(page, composition.channel.lower().replace(" ", "-"))


def test_a_new_user_sends_an_email_to_a_list_uploaded_as_a_file(login, live_server, tmp_path):
    people = emails(25_000)
    upload = tmp_path / "crm-export.csv"
    upload.write_text("Email\n" + "\n".join(people) + "\n", encoding="utf-8")
    page = login("composer")
    page.set_viewport_size({"width": 1280, "height": 1000})
    start(page, live_server, "Loyalty thank-you", A_LIST, "Email")

    page.get_by_label("Upload a CSV or text file of identities").set_input_files(upload)
    expect(page.locator("[data-identity-summary]")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-identity-list]")).to_contain_text("25,000 people")
    content(page).get_by_label("Subject").fill("Thank you for ten orders")
    content(page).get_by_label("Body (HTML)").fill("<p>A gift is on its way.</p>")
    content(page).get_by_label("Sender name").fill("Shop")

    expected = {
        "name": "Loyalty thank-you",
        "to": {"Email": people},
        "content": {
            "subject": "Thank you for ten orders",
            "body": "<p>A gift is on its way.</p>",
            "sender_name": "Shop",
        },
    }
    expect(page.locator("#preview-errors")).to_contain_text("No problems found.", timeout=15_000)
    every_step_done(page)
    wait_until_saved(page)
    assert Campaign.objects.get(name="Loyalty thank-you").body == expected
    assert axe.blocking_violations(page) == []
    screenshots(page, "identity-list")


def tab_to(page: Page, field: Locator, presses: int = 5) -> None:
    """Press Tab until `field` has the focus, as a person would, a few times at most."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if field.evaluate("field => field === document.activeElement"):
            return
    expect(field).to_be_focused()


def test_a_campaign_is_composed_and_submitted_by_keyboard_alone(login, live_server):
    page = login("composer")
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.get_by_role("link", name="New campaign").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("What do you call this campaign?")).to_be_visible()
    page.get_by_label("What do you call this campaign?").focus()
    page.keyboard.type("Keyboard push")
    page.keyboard.press("Tab")  # Who: Everyone, chosen
    page.keyboard.press("Tab")  # Which channel: Push, chosen
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Create and open the composer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Keyboard push")

    # The summary's "What" link takes the keyboard into the step: the next Tab is its first field.
    page.locator("#step-summary a.step-link[href='#section-content']").focus()
    page.keyboard.press("Enter")
    tab_to(page, content(page).get_by_label("Title", exact=True))
    page.keyboard.type("Typed by keyboard")
    tab_to(page, content(page).get_by_label("Message", exact=True))
    page.keyboard.type("Every step without a mouse.")
    expected = everyone(
        "Keyboard push",
        "push",
        content={"title": "Typed by keyboard", "body": "Every step without a mouse."},
    )
    wait_for_preview(page, expected)
    # The request body marks the key of the field the keyboard is in.
    expect(page.locator("#preview-json .j-edited")).to_have_attribute("data-path", "content.body")
    every_step_done(page)
    wait_until_saved(page)

    page.get_by_role("button", name="Submit for review").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Submitted “Keyboard push” for review.")).to_be_visible()
    assert Campaign.objects.get(name="Keyboard push").status == Status.IN_REVIEW
