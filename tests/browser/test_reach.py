"""The composer's reach follows the audience in Chromium, against the sandbox over HTTP: one
estimate per burst of audience edits, none for content edits, none while the limiter is busy, and
the fresh reach within 2 s of the last audience edit."""

import pytest
from playwright.sync_api import Page, expect

from campaigns import clevertap, clevertap_limits
from campaigns.publishing import reach
from sandbox.models import Event, Profile
from tests.drafts import PUSH_BODY, new_draft
from tests.sandbox_records import received

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("quiet_pages_at_the_end"),
]

FRESH = 2000  # ms: the fresh reach shows within 2 s of the last audience edit
# Who did what in the sandbox: 3 viewed shoes, 5 viewed hats, nobody viewed socks.
VIEWED = {"Viewed shoes": 3, "Viewed hats": 5}


def estimate_calls() -> int:
    return sum(
        1
        for request in received("targets/create.json")
        if isinstance(request.body, dict) and request.body.get("estimate_only") is True
    )


def audience_burst(page: Page, event: str) -> None:
    """Retype the event of the audience, a key at a time (one burst of edits)."""
    field = page.get_by_label("Did the event")
    field.fill("")
    field.press_sequentially(event, delay=30)


def content_burst(page: Page, title: str) -> None:
    field = page.locator('[name="content-title"]')
    field.fill("")
    field.press_sequentially(title, delay=30)


def reach_shows(page: Page, total: int) -> None:
    """The panel shows the reach of what is typed, within 2 s."""
    expect(page.locator("#estimate-headline")).to_have_text(str(total), timeout=FRESH)
    expect(page.locator("#estimate-match")).to_have_text(reach.MATCHES_TYPED, timeout=FRESH)


def wait_until_saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15_000)


def test_the_reach_follows_audience_edits_only_and_never_beyond_the_limiter(
    people, sandbox, login, live_server, settings
):
    profiles = list(Profile.objects.order_by("pk"))
    for event, count in VIEWED.items():
        Event.objects.bulk_create(
            Event(profile=profile, name=event, day=20260101) for profile in profiles[:count]
        )
    campaign = new_draft(people["composer"], {**PUSH_BODY, "where": {"event_name": "Viewed"}})
    page = login("composer")
    page.goto(f"{live_server.url}/drafts/{campaign.pk}/")
    expect(page.get_by_label("Did the event")).to_have_value("Viewed")

    # A burst of audience edits: one call, the fresh reach within 2 s.
    audience_burst(page, "Viewed hats")
    reach_shows(page, 5)
    assert estimate_calls() == 1

    # Content edits between bursts: no call (their autosave refreshes the panel, asking nothing).
    content_burst(page, "Hats are back")
    wait_until_saved(page)
    # The saved draft has the same audience: the reach still holds.
    expect(page.locator(".reach-match")).to_have_attribute("data-matches", "true")
    expect(page.locator("#estimate-headline")).to_have_text("5")
    assert estimate_calls() == 1

    audience_burst(page, "Viewed shoes")
    reach_shows(page, 3)
    assert estimate_calls() == 2

    content_burst(page, "Shoes too")
    wait_until_saved(page)

    # Back to an audience asked about minutes ago: the cached answer, no call.
    audience_burst(page, "Viewed hats")
    reach_shows(page, 5)
    assert estimate_calls() == 2

    # Every slot of the limiter taken: no call, the last reach kept, said in words.
    settings.CLEVERTAP_MAX_IN_FLIGHT = 1
    account = clevertap.account_current().account_id
    with clevertap_limits.request_slots(account_id=account, counts_as_create=False):
        audience_burst(page, "Viewed socks")
        expect(page.locator("#estimate-notice")).to_have_text(reach.BUSY, timeout=FRESH)
        expect(page.locator("#estimate-headline")).to_have_text("5")
        expect(page.locator("#estimate-match")).to_contain_text("the audience changed since")
        assert estimate_calls() == 2

    # Once a slot is free, the panel asks again by itself.
    expect(page.locator("#estimate-match")).to_have_text(reach.MATCHES_TYPED, timeout=15_000)
    expect(page.locator("#estimate-headline")).to_have_text("0")
    assert estimate_calls() == 3


def test_a_draft_with_problems_is_not_estimated_until_they_are_fixed(
    people, sandbox, login, live_server
):
    campaign = new_draft(people["composer"], {**PUSH_BODY, "where": {"event_name": "Viewed"}})
    page = login("composer")
    page.goto(f"{live_server.url}/drafts/{campaign.pk}/")
    page.locator('[name="content-body"]').fill("")

    audience_burst(page, "Viewed hats")
    expect(page.locator("#estimate")).to_contain_text("Cannot be estimated until", timeout=FRESH)
    assert estimate_calls() == 0

    # Fixing the message (no audience edit) asks again, once.
    page.locator('[name="content-body"]').fill("Hats are back")
    expect(page.locator("#estimate-match")).to_have_text(reach.MATCHES_TYPED, timeout=FRESH)
    expect(page.locator("#estimate-headline")).to_have_text("0")
    assert estimate_calls() == 1
