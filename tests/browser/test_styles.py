"""The style policy (no 'unsafe-inline') in Chromium: the pages whose geometry is computed (both
progress bars, the quiet-hours grid) and an htmx indicator draw without a CSP violation."""

import pytest
from playwright.sync_api import Page, expect

from campaigns.publishing import attempts, confirm
from devtools import demo
from sandbox import services as sandbox_services
from tests.drafts import approved, email_send_body, new_draft

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The demo's "Spring sale push": quiet from 21:00 on Mondays and Thursdays to 07:00 the next day.
DND_BODY = next(body for _, body in demo.DEMO_DRAFTS if body.get("name") == "Spring sale push")


def violations_reported(page: Page) -> list[str]:
    """What the browser reports against the page's Content Security Policy, from now on."""
    reported: list[str] = []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', event =>"
        " console.error(`CSP violation: ${event.violatedDirective}`))"
    )
    page.on(
        "console",
        lambda message: (
            reported.append(message.text)
            if "CSP violation" in message.text or "Content Security Policy" in message.text
            else None
        ),
    )
    return reported


def test_progress_bars_quiet_hours_and_htmx_indicators_keep_to_the_style_policy(
    people, sandbox, login, live_server, monkeypatch
):
    monkeypatch.setattr(sandbox_services, "ASYNC_ESTIMATE_SECONDS", 2.5)
    dnd = new_draft(people["composer"], DND_BODY)
    body = email_send_body([f"user{n}@example.com" for n in range(1500)])
    send = approved(new_draft(people["composer"], body, api="send", channel="email"), people)
    token = confirm.publish_confirmation(campaign=send, user=people["publisher"]).token
    # No worker runs here: the send stays under way.
    attempts.campaign_publish(campaign=send, user=people["publisher"], confirmation_token=token)
    page = login("admin")
    reported = violations_reported(page)

    page.goto(f"{live_server.url}/drafts/{dnd.pk}/")
    blocks = page.locator("#schedule-preview rect.dnd-block")
    expect(blocks).to_have_count(4)
    monday = page.locator("#schedule-preview .dnd-column").nth(1).bounding_box()
    monday_night = blocks.first.bounding_box()  # 21:00 to midnight: the column's last eighth
    assert monday_night["height"] == pytest.approx(monday["height"] / 8, abs=2)
    assert monday_night["y"] + monday_night["height"] == pytest.approx(
        monday["y"] + monday["height"], abs=2
    )

    spinner = page.locator("#estimate-spinner")
    expect(spinner).to_be_hidden()
    held = []
    page.route("**/estimate/", lambda route: held.append(route))
    page.get_by_label("In the background").check()
    page.get_by_role("button", name="Estimate reach").click()
    expect(spinner).to_be_visible()
    held[0].continue_()
    page.unroute("**/estimate/")
    region = page.get_by_role("region", name="Estimated reach")
    expect(region.get_by_role("progressbar")).to_be_visible()
    expect(spinner).to_be_hidden()

    page.goto(f"{live_server.url}/campaigns/{send.pk}/published/")
    expect(page.get_by_role("progressbar", name="Batches done")).to_be_visible()

    assert reported == []
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    # The listener hears a violation when there is one.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)
    assert reported
