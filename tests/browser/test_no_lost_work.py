"""Nothing typed is lost in the composer, in Chromium: not by a change of channel or API family
(what no longer applies is kept aside and comes back), and not by leaving the page right after
typing (it saves first, or the browser asks)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from campaigns import set_aside, step_summaries
from campaigns.channels import registry
from campaigns.jsonpath import same_json
from tests import payload_checks
from tests.drafts import fresh, new_draft
from tests.reference_examples import reference_examples

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("one_request_at_a_time", "quiet_pages_at_the_end"),
]

EXAMPLES = {example.name: example for example in reference_examples()}
EMPTY_PUSH = {"name": "Flash sale", "target_mode": "push", "where": {}, "when": "now"}


def open_composer(page: Page, live_server, campaign) -> None:
    page.goto(f"{live_server.url}{reverse('campaigns:composer', args=[campaign.pk])}")
    expect(page.get_by_role("region", name="Payload preview")).to_be_visible()
    page.wait_for_load_state("networkidle")


def wait_until_saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15_000)


def test_a_push_switched_to_sms_and_back_has_its_title_and_message_back(login, live_server, people):
    campaign = new_draft(people["composer"], EMPTY_PUSH)
    page = login("composer")
    open_composer(page, live_server, campaign)
    content = page.locator("#section-content")
    content.get_by_label("Title", exact=True).fill("Flash sale tonight")
    content.get_by_label("Message", exact=True).fill("Everything 30% off until midnight")
    content.get_by_label("Android notification channel").fill("Marketing")
    wait_until_saved(page)

    page.locator("#section-campaign").get_by_label("Channel", exact=True).select_option("sms")
    notice = page.locator("#set-aside")
    expect(notice).to_contain_text(
        set_aside.SET_ASIDE.format(
            what=set_aside.CONTENT.format(channel="Push", things="title and Android settings"),
            draft="is an SMS",
        )
    )
    expect(content.get_by_label("Message", exact=True)).to_have_value(
        "Everything 30% off until midnight"
    )
    # What is set aside is never sent: the request body holds only what an SMS has.
    expect(page.locator("#preview-json")).not_to_contain_text("Flash sale tonight")
    wait_until_saved(page)
    saved = fresh(campaign)
    assert saved.channel == "sms"
    assert "title" not in saved.body["content"]
    assert saved.set_aside[0]["body"]["content"]["title"] == "Flash sale tonight"

    page.locator("#section-campaign").get_by_label("Channel", exact=True).select_option("push")
    expect(content.get_by_label("Title", exact=True)).to_have_value("Flash sale tonight")
    expect(content.get_by_label("Message", exact=True)).to_have_value(
        "Everything 30% off until midnight"
    )
    expect(content.get_by_label("Android notification channel")).to_have_value("Marketing")
    expect(notice.locator(".set-aside-notice")).to_have_count(0)
    wait_until_saved(page)
    saved = fresh(campaign)
    assert saved.body["content"]["title"] == "Flash sale tonight"
    assert saved.set_aside == []


def test_the_audience_comes_back_across_an_api_family_switch(login, live_server, people):
    example = EXAMPLES["02_targets_push_conversion_goal.json"]
    campaign = new_draft(people["composer"], payload_checks.without_estimate_only(example.body))
    page = login("composer")
    open_composer(page, live_server, campaign)

    page.get_by_label("Find the audience").select_option("send")
    # Who is now the send's recipients.
    expect(page.locator("#section-audience [name='audience-identity']")).to_be_visible()
    expect(page.locator("#set-aside")).to_contain_text(
        "Audience, schedule, conversion goal and delivery controls set aside while this draft "
        + set_aside.DRAFT_FINDS["send"]
    )
    wait_until_saved(page)
    assert fresh(campaign).api == "send" and "where" not in fresh(campaign).body

    page.get_by_role("button", name="Find the audience by events and properties again").click()
    audience = page.locator("#section-audience")
    expect(audience.get_by_label("Did the event")).to_have_value("App Launched")
    expect(page.get_by_label("Find the audience")).to_be_focused()
    wait_until_saved(page)
    saved = fresh(campaign)
    assert saved.api == "targets"
    assert same_json(saved.body, payload_checks.without_estimate_only(example.body))


def test_the_step_list_follows_an_api_family_switch(login, live_server, people):
    campaign = new_draft(people["composer"])
    page = login("composer")
    open_composer(page, live_server, campaign)
    nav = page.get_by_role("navigation", name="Steps")
    expect(nav.get_by_role("link", name=re.compile("^When"))).to_be_visible()
    who = nav.locator('[data-step="audience"]')
    expect(who.get_by_role("link", name=re.compile("^Who"))).to_contain_text("Everyone")

    page.get_by_label("Find the audience").select_option("send")
    expect(who.get_by_role("link", name=re.compile("^Who"))).to_contain_text(
        step_summaries.NOT_CHOSEN
    )
    expect(nav.get_by_role("link", name=re.compile("^When"))).to_have_count(0)
    expect(nav.get_by_role("link", name=re.compile("^Goal"))).to_have_count(0)


def test_the_send_composer_offers_only_channels_with_a_send_endpoint(login, live_server, people):
    body = payload_checks.without_estimate_only(EXAMPLES["05_targets_webhook.json"].body)
    campaign = new_draft(people["composer"], body, channel="webhook")
    page = login("composer")
    open_composer(page, live_server, campaign)
    page.get_by_label("Find the audience").select_option("send")
    channel = page.get_by_label("Channel", exact=True)
    expected = ["", *(value for value, _ in registry.channel_choices("send"))]
    # The send composer's select replaces the targets one when the section comes back.
    expect(channel.locator("option")).to_have_count(len(expected))
    offered = channel.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert offered == expected
    preview = page.get_by_role("region", name="Payload preview")
    expect(preview).to_contain_text(
        registry.NO_SEND_ENDPOINT.format(channel="Webhook", value="webhook")
    )
    assert "POST /1/send/webhook.json" not in page.content()


def test_discarding_what_was_set_aside_asks_first(login, live_server, people):
    example = EXAMPLES["02_targets_push_conversion_goal.json"]
    campaign = new_draft(people["composer"], payload_checks.without_estimate_only(example.body))
    page = login("composer")
    open_composer(page, live_server, campaign)
    page.locator("#section-campaign").get_by_label("Channel", exact=True).select_option("sms")
    notice = page.locator("#set-aside .set-aside-notice")
    expect(notice).to_have_count(1)
    wait_until_saved(page)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    questions = []

    def decline(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    notice.get_by_role("button", name=re.compile("^Discard")).click()
    expect(notice).to_have_count(1)
    assert questions == [
        set_aside.DISCARD_QUESTION.format(what="push content (title, iOS and Android settings)")
    ]
    page.wait_for_timeout(500)
    assert fresh(campaign).set_aside != []

    page.once("dialog", lambda dialog: dialog.accept())
    notice.get_by_role("button", name=re.compile("^Discard")).click()
    expect(notice).to_have_count(0)
    # The discard is an edit (counted once its answer settles), saved by the next autosave.
    expect(page.locator("#save-status")).to_have_attribute("data-state", "dirty")
    wait_until_saved(page)
    assert fresh(campaign).set_aside == []


def test_leaving_half_a_second_after_typing_saves_the_edit_first(login, live_server, people):
    campaign = new_draft(people["composer"])
    page = login("composer")
    open_composer(page, live_server, campaign)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))

    page.get_by_label("Campaign name").fill("Typed just before leaving")
    page.wait_for_timeout(300)
    page.get_by_role("link", name="All drafts").click()

    page.wait_for_url(f"{live_server.url}{reverse('campaigns:draft_list')}")
    expect(page.get_by_role("link", name="Typed just before leaving")).to_be_visible()
    assert fresh(campaign).name == "Typed just before leaving"
    assert asked == []


def test_leaving_when_the_edit_cannot_be_saved_asks_first(login, live_server, people):
    campaign = new_draft(people["composer"])
    page = login("composer")
    open_composer(page, live_server, campaign)
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_label("Campaign name").fill("Renamed")
    page.get_by_label("Additional fields (JSON)").fill("{not json")
    # The browser asks once the save has failed, however long that takes (CI's load).
    with page.expect_event("dialog", timeout=15_000):
        page.get_by_role("link", name="All drafts").click()

    expect(page.locator("#save-status")).to_have_attribute("data-state", "error")
    expect(page.locator("#save-pill")).to_have_text("Not saved")
    assert asked == ["beforeunload"]
    assert page.url.endswith(reverse("campaigns:composer", args=[campaign.pk]))
    expect(page.get_by_label("Campaign name")).to_have_value("Renamed")
    assert fresh(campaign).version == 1
    page.remove_listener("dialog", stay)  # the test's end leaves the page


def test_the_save_state_stays_in_sight_beside_the_title(login, live_server, people):
    example = EXAMPLES["02_targets_push_conversion_goal.json"]
    campaign = new_draft(people["composer"], payload_checks.without_estimate_only(example.body))
    page = login("composer")
    open_composer(page, live_server, campaign)
    pill = page.locator("#save-pill")
    expect(pill).to_have_text("All changes saved")

    goal = page.locator("#section-goal").get_by_label("Conversion event")
    goal.fill("Purchased")
    expect(pill).to_have_text("Unsaved changes")
    expect(pill).to_be_in_viewport()
    wait_until_saved(page)
    expect(pill).to_have_text("All changes saved")
    expect(pill).to_be_in_viewport()


def test_typing_while_a_section_is_laid_out_again_is_kept(login, live_server, people):
    campaign = new_draft(
        people["composer"],
        EMPTY_PUSH
        | {
            "where": {"event_name": "App Launched", "from": 20260101, "to": 20260301},
            "content": {"title": "Hi", "body": "Hello"},
        },
    )
    page = login("composer")
    open_composer(page, live_server, campaign)
    audience = page.locator("#section-audience")
    # The section's answer is held back while the person goes on typing in that section.
    held = []
    page.route("**/sections/**", lambda route: held.append(route))
    with page.expect_request("**/sections/**"):
        audience.get_by_role("button", name="Add a profile property").click()
    audience.get_by_label("Did the event").fill("Charged")
    assert len(held) == 1
    held[0].continue_()
    page.unroute("**/sections/**")

    expect(audience.locator("#audience-profile_fields .row-form")).to_have_count(1)
    expect(audience.get_by_label("Did the event")).to_have_value("Charged")
    wait_until_saved(page)
    assert fresh(campaign).body["where"]["event_name"] == "Charged"
