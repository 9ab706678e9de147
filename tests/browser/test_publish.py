"""Estimate and publish a draft end to end in Chromium, against the sandbox served by the same
live server (the app's client reaches it over HTTP)."""

import pytest
from playwright.sync_api import expect

from campaigns.models import AttemptState, PublishAttempt, Status
from campaigns.publishing import recipients
from sandbox import services as sandbox_services
from sandbox.models import SandboxCampaign
from tests.browser import axe
from tests.drafts import draft, email_send_body, emails, fresh
from tests.sandbox_records import ANDROID_USERS, IOS_USERS, PASSCODE, creates_received

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_publisher_estimates_then_publishes_a_draft(people, sandbox, login, live_server):
    campaign = draft(people["composer"])
    page = login("admin")

    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/estimate/")
    region = page.get_by_role("region", name="Estimated reach")
    expect(region).to_contain_text("Not estimated yet")
    page.get_by_role("button", name="Estimate reach").click()

    expect(region.locator("#estimate-total")).to_have_text(str(ANDROID_USERS + IOS_USERS))
    expect(region.locator("tr[data-key='android']")).to_contain_text(str(ANDROID_USERS))
    expect(region.locator("tr[data-key='ios']")).to_contain_text(str(IOS_USERS))
    assert page.url.endswith(f"/campaigns/{campaign.pk}/estimate/")  # swapped in place

    page.get_by_role("link", name="Publish…").click()
    expect(page.get_by_role("heading", name=f"Publish “{campaign.name}”?")).to_be_visible()
    expect(page.locator("#confirm-endpoint")).to_have_text("POST /1/targets/create.json")
    expect(page.locator("#confirm-json")).to_contain_text('"target_mode": "push"')
    expect(page.locator("#estimate-total")).to_have_text(str(ANDROID_USERS + IOS_USERS))
    page.get_by_role("button", name="Publish version 1 now").click()

    created = SandboxCampaign.objects.get()
    expect(page.locator("#clevertap-id")).to_have_text(str(created.id))
    expect(page.locator("#toasts")).to_contain_text(f"CleverTap campaign {created.id}")
    expect(page.locator("#api-calls tr[data-operation='create']")).to_contain_text("Succeeded")
    expect(page.locator("#api-calls tr[data-operation='estimate']")).to_have_count(1)
    assert PASSCODE not in page.content()
    assert fresh(campaign).status == Status.PUBLISHED
    assert PublishAttempt.objects.get().state == AttemptState.SUCCEEDED
    assert len(creates_received()) == 1

    page.get_by_role("button", name="Stop this campaign").click()
    expect(page.locator("#clevertap-status")).to_contain_text("Stopped")
    page.get_by_role("button", name="Fetch the report").click()
    expect(page.locator("#report-table")).to_be_visible()


def test_a_background_estimate_shows_its_progress_until_it_arrives(
    people, sandbox, login, live_server, monkeypatch
):
    monkeypatch.setattr(sandbox_services, "ASYNC_ESTIMATE_SECONDS", 2.5)
    campaign = draft(people["composer"])
    page = login("composer")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/estimate/")
    region = page.get_by_role("region", name="Estimated reach")

    page.get_by_label("In the background").check()
    page.get_by_role("button", name="Estimate reach").click()

    expect(region).to_contain_text("Waiting for CleverTap's estimate")
    expect(region.get_by_role("progressbar")).to_be_visible()
    expect(region.locator("#estimate-total")).to_have_text(
        str(ANDROID_USERS + IOS_USERS), timeout=15_000
    )
    expect(page.get_by_role("link", name="Publish…")).to_have_count(0)


def test_the_estimate_region_tells_when_the_draft_was_saved_since(
    people, sandbox, login, live_server
):
    from campaigns import services

    campaign = draft(people["composer"])
    page = login("composer")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/estimate/")
    page.get_by_role("button", name="Estimate reach").click()
    region = page.get_by_role("region", name="Estimated reach")
    expect(region.locator("#estimate-total")).to_be_visible()

    services.campaign_save(
        campaign=campaign,
        user=people["composer"],
        body={**campaign.body, "where": {"event_name": "Viewed shoes"}},
        base_version=campaign.version,
    )
    page.evaluate("document.body.dispatchEvent(new CustomEvent('campaign:saved'))")

    expect(region.locator("#estimate-stale")).to_contain_text("The draft changed since")


def test_an_identity_send_clevertap_knows_nobody_of_needs_send_anyway(
    people, sandbox, login, live_server
):
    campaign = draft(
        people["composer"], email_send_body(emails(25_000)), api="send", channel="email"
    )
    page = login("publisher")

    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/publish/")
    check = page.locator("#recipient-check")
    expect(check).to_contain_text("0 of 20 sampled identities are known to CleverTap.")
    expect(check).to_contain_text("Invalid recipients")
    page.get_by_role("button", name="Publish version 1 now").click()

    refused = recipients.SEND_ANYWAY_MISSING.format(sampled=20)
    expect(page.locator("#publish-refused")).to_have_text(refused)
    send_anyway = page.get_by_label(recipients.SEND_ANYWAY_LABEL.format(sampled=20))
    expect(send_anyway).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#send-anyway-error")).to_have_text(recipients.SEND_ANYWAY_TICK)
    assert axe.blocking_violations(page) == []
    assert not PublishAttempt.objects.exists()

    send_anyway.check()
    page.get_by_role("button", name="Publish version 1 now").click()

    expect(page.locator("#toasts")).to_contain_text(f"Sending “{campaign.name}”: 25 requests")
    assert PublishAttempt.objects.get().batches.count() == 25


def test_an_identity_send_clevertap_knows_shows_the_sample_and_publishes_as_before(
    people, sandbox, login, live_server
):
    known = {
        "Identity": [f"android-{n}" for n in range(ANDROID_USERS)]
        + [f"ios-{n}" for n in range(IOS_USERS)],
        "objectId": [f"a{n}" for n in range(ANDROID_USERS)],
    }
    campaign = draft(
        people["composer"], {**email_send_body([]), "to": known}, api="send", channel="email"
    )
    page = login("publisher")

    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/publish/")

    expect(page.locator("#recipient-check")).to_contain_text(
        "20 of 20 sampled identities are known to CleverTap."
    )
    expect(page.locator("#send-anyway")).to_have_count(0)
    page.get_by_role("button", name="Publish version 1 now").click()

    expect(page.locator("#toasts")).to_contain_text(f"Sending “{campaign.name}”: 1 request")
    assert PublishAttempt.objects.get().batches.count() == 1
