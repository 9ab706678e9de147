"""An identity list file in Chromium: chosen, uploaded with visible progress, summarised."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect

from campaigns import identities, services
from campaigns.models import Campaign
from tests.browser.axe import blocking_violations
from tests.drafts import email_send_body, emails

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]

ROWS = 25_000
REPEATED = 10
MALFORMED = 5


def crm_export(path) -> list[str]:
    """A 25,000-row CSV of e-mail addresses, some repeated and some malformed."""
    unique = emails(ROWS - REPEATED - MALFORMED)
    rows = [*unique, *unique[:REPEATED], *(f"broken{n}" for n in range(MALFORMED))]
    path.write_text("Email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return unique


def screenshots(page: Page, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("[data-identity-list]").scroll_into_view_if_needed()
        page.screenshot(path=f"/tmp/identity-upload-{name}-{width}.png")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow} px of horizontal scroll at {width} px"


def test_a_25000_row_csv_uploads_with_progress_and_a_summary(login, live_server, tmp_path):
    user = get_user_model().objects.get(username="composer")
    campaign = services.campaign_create(
        user=user, api="send", channel="email", body=email_send_body(emails(2))
    )
    unique = crm_export(tmp_path / "customers.csv")
    page = login("composer")
    page.goto(f"{live_server.url}{reverse('campaigns:composer', args=[campaign.pk])}")
    screenshots(page, "before")
    # Record every value the progress bar shows, and send the file slowly enough to see them.
    page.evaluate(
        """() => {
          window.progressSeen = [];
          const bar = document.querySelector("[data-identity-list] progress");
          new MutationObserver(() => window.progressSeen.push(bar.hidden ? "hidden" : bar.value))
            .observe(bar, {attributes: true});
        }"""
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 150_000},
    )

    page.get_by_label("Upload a CSV or text file of identities").set_input_files(
        tmp_path / "customers.csv"
    )

    expect(page.locator("[data-identity-list] progress")).to_be_visible()
    expect(page.locator("[data-identity-status]")).to_contain_text("Uploading customers.csv")
    summary = page.locator("[data-identity-summary]")
    expect(summary).to_be_visible(timeout=30_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    partial = [value for value in page.evaluate("window.progressSeen") if value != "hidden"]
    assert any(0 < value < 100 for value in partial), partial
    for line in [
        identities.SUMMARY_ROWS.format(rows=ROWS),
        identities.SUMMARY_UNIQUE.format(count=len(unique), by_type=f"Email {len(unique):,}"),
        identities.SUMMARY_DUPLICATES.format(count=REPEATED),
        identities.SUMMARY_INVALID.format(count=MALFORMED),
        f"Email, line {ROWS - MALFORMED + 2}: “broken0”",
    ]:
        expect(summary).to_contain_text(line)
    expect(page.locator("[data-identity-list]")).to_contain_text(f"{len(unique):,} people")
    expect(page.locator("#save-pill")).to_have_text("All changes saved", timeout=15_000)
    saved = Campaign.objects.get(pk=campaign.pk)
    assert saved.body == {**email_send_body([]), "to": {"Email": unique}}
    assert saved.stored_body["to"] == {"identity_list": saved.identity_list.sha256}
    assert blocking_violations(page) == []
    screenshots(page, "after")
