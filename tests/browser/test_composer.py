"""The composer in Chromium, used as a new user would."""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from campaigns import services
from campaigns.jsonpath import same_json
from campaigns.models import Campaign
from tests.reference_examples import reference_examples

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]

EXAMPLES = {example.name: example for example in reference_examples()}


def wait_for_preview(page: Page, expected: dict) -> None:
    """Wait until the live preview shows `expected` (it follows the typing, debounced)."""
    page.wait_for_function(
        """(expected) => {
            const node = document.getElementById("preview-json");
            if (!node) return false;
            const sorted = (v) => Array.isArray(v) ? v.map(sorted)
              : (v && typeof v === "object")
                ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])]))
                : v;
            const same = (a, b) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
            try { return same(JSON.parse(node.textContent), expected); }
            catch (e) { return false; }
        }""",
        arg=expected,
        timeout=15_000,
    )


def wait_until_saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15_000)


def composer_user():
    return get_user_model().objects.get(username="composer")


def test_a_new_user_composes_a_weekly_push_with_a_filter_a_quiet_window_and_a_goal(
    login, live_server
):
    page = login("composer")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("What do you call this campaign?").fill("Weekly reminder")
    page.get_by_label("Everyone", exact=True).check()
    page.get_by_label("Push", exact=True).check()
    page.get_by_role("button", name="Create and open the composer").click()
    expect(page.get_by_role("region", name="Payload preview")).to_be_visible()

    page.get_by_label("Campaign name").fill("Weekly reminder")

    audience = page.locator("#section-audience")
    audience.get_by_label("People who match the filters below").check()
    audience.get_by_label("Did the event").fill("App Launched")
    audience.get_by_label("Start date").fill("2026-01-01")
    audience.get_by_label("End date").fill("2026-03-01")
    audience.get_by_role("button", name="Add a profile property").click()
    row = audience.locator("#audience-profile_fields .row-form").first
    expect(row.get_by_label("Profile property")).to_be_focused()
    row.get_by_label("Profile property").fill("Customer Type")
    row.get_by_label("Condition").select_option("equals")
    row.get_by_label("Value").fill("Platinum")

    content = page.locator("#section-content")
    content.get_by_label("Title", exact=True).fill("Hi!")
    content.get_by_label("Message", exact=True).fill("How are you doing today?")

    schedule = page.locator("#section-schedule")
    schedule.get_by_label("In full, with the kind of send and its options").check()
    schedule.get_by_label("When to send it").select_option("recurring")
    schedule.get_by_label("Repeats", exact=True).select_option("week")
    schedule.get_by_label("Repeat every").fill("1")
    schedule.get_by_label("Mon", exact=True).check()
    schedule.get_by_label("First send").fill("2030-01-07T10:00")
    schedule.get_by_role("button", name="Add quiet hours for a day").click()
    window = schedule.locator("#schedule-dnd_info .row-form").first
    window.get_by_label("Day", exact=True).select_option("2")
    window.get_by_label("Quiet from").fill("21:00")
    window.get_by_label("Until").fill("06:00")
    schedule.get_by_label("During quiet hours").select_option("delay")
    schedule.get_by_label("Quiet hours are in").select_option("user")

    goal = page.locator("#section-goal")
    goal.get_by_label("Conversion event").fill("Charged")
    conversion_time = goal.get_by_role("group", name="Conversion time")
    conversion_time.get_by_label("Number").fill("1")
    conversion_time.get_by_label("Unit").select_option("days")
    # Errors show at their fields as the person types, and go when fixed.
    revenue = goal.get_by_label("Revenue property")
    expect(revenue).to_have_attribute("aria-invalid", "true", timeout=10_000)
    expect(page.locator("#preview-errors")).to_contain_text("conversion_goal.revenue_property")
    revenue.fill("Amount")
    expect(revenue).not_to_have_attribute("aria-invalid", "true", timeout=10_000)
    expect(page.locator("#preview-errors")).to_contain_text("No problems found.")

    expected = {
        "name": "Weekly reminder",
        "target_mode": "push",
        "where": {
            "event_name": "App Launched",
            "from": 20260101,
            "to": 20260301,
            "common_profile_properties": {
                "profile_fields": [
                    {"name": "Customer Type", "operator": "equals", "value": "Platinum"}
                ]
            },
        },
        "content": {"title": "Hi!", "body": "How are you doing today?"},
        "when": {
            "type": "recurring",
            "repeat_type": "week",
            "repeats_every": 1,
            "repeat_on_days_of_week": [2],
            "start_time": "20300107 10:00",
            "dnd": {
                "message_state": "delay",
                "dnd_timezone": "user",
                "dnd_info": {"2": ["21:00", "06:00"]},
            },
        },
        "conversion_goal": {
            "event_name": "Charged",
            "conversion_time": "1D",
            "revenue_property": "Amount",
        },
    }
    wait_for_preview(page, expected)
    preview = page.get_by_role("region", name="Payload preview")
    expect(preview).to_contain_text("POST /1/targets/create.json")
    # The schedule preview: the next sends, and the quiet window on the week grid.
    expect(preview.locator("#schedule-preview li").first).to_contain_text("Mon 7 Jan 2030, 10:00")
    expect(preview.locator(".dnd-block")).to_have_count(2)  # Monday evening, Tuesday morning
    expect(preview.locator("#device-preview")).to_contain_text("How are you doing today?")

    wait_until_saved(page)
    campaign = Campaign.objects.get(name="Weekly reminder")
    assert same_json(campaign.body, expected)
    page.screenshot(path="/tmp/composer-push.png", full_page=False)


def test_switching_a_draft_from_push_to_email_keeps_the_audience(login, live_server):
    example = EXAMPLES["02_targets_push_conversion_goal.json"]
    campaign = services.campaign_import(
        user=composer_user(), body=example.body, endpoint=example.endpoint
    ).campaign
    page = login("composer")
    page.goto(f"{live_server.url}/drafts/{campaign.pk}/")
    audience_before = page.locator("#section-audience").inner_html()
    channel = page.locator("#section-campaign").get_by_label("Channel", exact=True)
    channel.focus()
    channel.select_option("email")

    content = page.locator("#section-content")
    expect(content.get_by_label("Subject")).to_be_visible()
    expect(channel).to_be_focused()
    assert page.locator("#section-audience").inner_html() == audience_before
    content.get_by_label("Subject").fill("Welcome")
    content.get_by_label("Body (HTML)").fill("<p>Hello</p>")
    content.get_by_label("Sender name").fill("The Shop")
    expect(page.locator("#device-preview iframe")).to_have_attribute("sandbox", "")

    wait_until_saved(page)
    campaign.refresh_from_db()
    assert campaign.channel == "email"
    assert campaign.body["where"] == example.body["where"]
    assert campaign.body["content"] == {
        "subject": "Welcome",
        "body": "<p>Hello</p>",
        "sender_name": "The Shop",
    }


def test_an_imported_reference_example_exports_unchanged(login, live_server, tmp_path):
    example = EXAMPLES["07_targets_app_inbox_carousel.json"]
    page = login("composer")
    page.get_by_role("link", name="Import JSON").click()
    page.get_by_label("Paste a JSON request body").fill(json.dumps(example.body, indent=2))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("region", name="Payload preview")).to_be_visible()
    expect(page.locator("#toasts")).to_contain_text("estimate_only")

    page.get_by_text("Export the saved draft").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download JSON").click()
    path = tmp_path / "export.json"
    download.value.save_as(path)
    exported = json.loads(path.read_text(encoding="utf-8"))
    expected = {key: value for key, value in example.body.items() if key != "estimate_only"}
    assert same_json(exported, expected)
    assert json.loads(page.locator("#export-json").input_value()) == exported
    assert "$CLEVERTAP_PASSCODE" in page.locator("#export-curl").input_value()


def test_two_people_editing_one_draft_never_overwrite_each_other_silently(
    login, live_server, browser
):
    example = EXAMPLES["03_targets_email.json"]
    campaign = services.campaign_import(
        user=composer_user(), body=example.body, endpoint=example.endpoint
    ).campaign
    url = f"{live_server.url}/drafts/{campaign.pk}/"
    first = login("composer")
    first.goto(url)

    other_context = browser.new_context()
    second = other_context.new_page()
    second.goto(f"{live_server.url}/login/")
    second.get_by_label("Username").fill("admin")
    second.get_by_label("Password").fill("admin-demo-2026")
    second.get_by_role("button", name="Log in").click()
    second.goto(url)

    second.locator("#section-content").get_by_label("Subject").fill("Theirs")
    wait_until_saved(second)

    subject = first.locator("#section-content").get_by_label("Subject")
    subject.fill("Mine")
    status = first.locator("#save-status")
    expect(status).to_have_attribute("data-state", "conflict", timeout=15_000)
    expect(status).to_contain_text("admin saved this draft")
    expect(status).to_contain_text("content.subject")
    # Nothing typed is lost, and the field keeps its focus.
    expect(subject).to_have_value("Mine")
    expect(subject).to_be_focused()
    campaign.refresh_from_db()
    assert campaign.body["content"]["subject"] == "Theirs"

    status.get_by_role("button", name="Overwrite with mine").click()
    wait_until_saved(first)
    campaign.refresh_from_db()
    assert campaign.body["content"]["subject"] == "Mine"
    second.goto("about:blank")
    other_context.close()


def test_the_composer_works_without_javascript(live_server, browser, demo_users):
    example = EXAMPLES["02_targets_push_conversion_goal.json"]
    campaign = services.campaign_import(
        user=composer_user(), body=example.body, endpoint=example.endpoint
    ).campaign
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("composer")
    page.get_by_label("Password").fill(demo_users["composer"].password)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/drafts/{campaign.pk}/")

    page.locator("#section-audience").get_by_role("button", name="Add a profile property").click()
    rows = page.locator("#audience-profile_fields .row-form")
    expect(rows).to_have_count(2)
    rows.nth(1).get_by_label("Profile property").fill("City")
    rows.nth(1).get_by_label("Condition").select_option("equals")
    rows.nth(1).get_by_label("Value").fill("Pune")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-json")).to_contain_text('"Pune"')

    page.locator("#section-content").get_by_label("Title", exact=True).fill("Hello without JS")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#toasts")).to_contain_text("Saved")
    campaign.refresh_from_db()
    assert campaign.body["content"]["title"] == "Hello without JS"
    assert campaign.body["where"]["common_profile_properties"]["profile_fields"][1] == {
        "name": "City",
        "operator": "equals",
        "value": "Pune",
    }
    context.close()


@pytest.mark.parametrize(
    "example_name",
    ["02_targets_push_conversion_goal.json", "12_targets_whatsapp_interactive_image.json"],
)
def test_the_composer_has_no_accessibility_violations(login, live_server, example_name):
    example = EXAMPLES[example_name]
    campaign = services.campaign_import(
        user=composer_user(), body=example.body, endpoint=example.endpoint
    ).campaign
    page = login("composer")
    page.goto(f"{live_server.url}/drafts/{campaign.pk}/")
    expect(page.get_by_role("region", name="Estimated reach")).to_be_attached()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
