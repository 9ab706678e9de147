"""The composer's views, through the Django test client."""

import json
import re

import pytest
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import escape

from campaigns import (
    composer,
    identities,
    payloads,
    previews,
    selectors,
    services,
    set_aside,
    step_summaries,
)
from campaigns.channels import registry, whatsapp
from campaigns.channels.email import SUBJECT_REQUIRED
from campaigns.forms import campaign as campaign_forms
from campaigns.forms import pickers, whatsapp_templates
from campaigns.jsonpath import same_json
from campaigns.models import Api, AuditEvent, Campaign, Revision, Status
from campaigns.review import approvals
from devtools import demo
from devtools.bench.formdata import submitted_data
from sandbox.models import Profile, Segment
from tests import payload_checks
from tests.drafts import PUSH_BODY, fresh
from tests.reference_examples import reference_example, reference_examples

EXAMPLES = reference_examples()
pytestmark = pytest.mark.django_db


def imported(user, example) -> Campaign:
    return services.campaign_import(
        user=user, body=example.body, endpoint=example.endpoint
    ).campaign


def page_data(client, campaign) -> dict:
    """What a browser posts for the composer page as it was rendered, unchanged."""
    response = client.get(reverse("campaigns:composer", args=[campaign.pk]))
    assert response.status_code == 200
    # Lists, so the test client posts every value of multi-valued inputs (checkboxes).
    return dict(submitted_data(response.content.decode()).lists())


def email_draft(user, **content) -> Campaign:
    body = {
        "name": "Welcome",
        "target_mode": "email",
        "where": {},
        "when": "now",
        "content": {"subject": "Hi", "body": "<p>Hello</p>", "sender_name": "Shop"} | content,
    }
    return services.campaign_create(user=user, api=Api.TARGETS, channel="email", body=body)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_saving_a_draft_unchanged_leaves_its_body_exactly_as_it_was(
    composer_client, composer_user, example
):
    campaign = imported(composer_user, example)
    data = page_data(composer_client, campaign)
    data["composer-action"] = "save"
    response = composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert same_json(campaign.body, payload_checks.as_drafted(example.body))


@pytest.mark.parametrize("example", EXAMPLES[::6], ids=lambda e: e.name)
def test_autosave_of_an_unchanged_draft_writes_nothing(composer_client, composer_user, example):
    campaign = imported(composer_user, example)
    data = page_data(composer_client, campaign)
    response = composer_client.post(
        reverse("campaigns:composer_save", args=[campaign.pk]), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'data-state="saved"' in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.version == 1
    assert same_json(campaign.body, payload_checks.as_drafted(example.body))


def test_the_composer_shows_each_section_under_its_title(composer_client, composer_user):
    campaign = imported(composer_user, EXAMPLES[1])
    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    for section in payloads.sections(campaign.api, campaign.channel):
        assert f'id="section-{section.prefix}"' in html
        assert f">{composer.step_title(section.prefix, section.title)}</h2>" in html
    assert ">Additional fields</h2>" in html
    assert 'role="region" aria-label="Payload preview"' in html
    assert 'id="estimate" role="region" aria-label="Estimated reach"' in html
    assert html.index('id="section-campaign"') < html.index('id="section-content"')


def test_saving_stores_what_was_typed_and_moves_to_the_next_version(composer_client, composer_user):
    campaign = email_draft(composer_user)
    data = page_data(composer_client, campaign)
    data["content-subject"] = "Spring is here"
    response = composer_client.post(
        reverse("campaigns:composer_save", args=[campaign.pk]), data, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'data-state="saved"' in html
    assert 'id="base-version" value="2" hx-swap-oob="true"' in html
    campaign.refresh_from_db()
    assert campaign.version == 2
    assert campaign.body["content"]["subject"] == "Spring is here"


def test_a_save_stores_the_problem_count_the_composer_found(composer_client, composer_user):
    campaign = email_draft(composer_user)
    data = page_data(composer_client, campaign)
    data["content-subject"] = ""
    composer_client.post(
        reverse("campaigns:composer_save", args=[campaign.pk]), data, headers={"HX-Request": "true"}
    )
    campaign = fresh(campaign)
    assert SUBJECT_REQUIRED in [error.message for error in selectors.campaign_errors(campaign)]
    assert campaign.problem_count == len(selectors.campaign_errors(campaign))


def test_a_save_based_on_an_old_version_is_refused_and_says_who_changed_what(
    composer_client, composer_user, demo_users, client
):
    campaign = email_draft(composer_user)
    mine = page_data(composer_client, campaign)
    services.campaign_save(
        campaign=campaign,
        user=composer_user,
        body=campaign.body | {"content": campaign.body["content"] | {"subject": "Theirs"}},
        base_version=1,
    )
    mine["content-subject"] = "Mine"
    save_url = reverse("campaigns:composer_save", args=[campaign.pk])
    response = composer_client.post(save_url, mine, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="conflict"' in html
    assert "composer saved this draft" in html
    assert "content.subject" in html and "&quot;Theirs&quot;" in html and "&quot;Mine&quot;" in html
    assert "Reload their version" in html
    assert 'name="composer-overwrite_version" value="2"' in html
    # The form is not swapped: only the status comes back.
    assert 'name="content-subject"' not in html
    campaign.refresh_from_db()
    assert campaign.body["content"]["subject"] == "Theirs"

    overwrite = mine.copy()
    overwrite["composer-overwrite_version"] = "2"
    response = composer_client.post(save_url, overwrite, headers={"HX-Request": "true"})
    assert 'data-state="saved"' in response.content.decode()
    campaign.refresh_from_db()
    assert (campaign.version, campaign.body["content"]["subject"]) == (3, "Mine")


def test_without_javascript_a_stale_save_rerenders_the_page_with_what_was_typed(
    composer_client, composer_user
):
    campaign = email_draft(composer_user)
    mine = page_data(composer_client, campaign)
    services.campaign_save(
        campaign=campaign, user=composer_user, body={"name": "x"}, base_version=1
    )
    mine["content-subject"] = "Mine"
    mine["composer-action"] = "save"
    response = composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), mine)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="conflict"' in html
    assert 'value="Mine"' in html


def test_the_preview_shows_the_endpoint_the_json_and_the_errors_at_their_paths(
    composer_client, composer_user
):
    campaign = email_draft(composer_user)
    data = page_data(composer_client, campaign)
    data["content-subject"] = ""
    data["content-sender_name"] = "Shop & Co"
    response = composer_client.post(
        reverse("campaigns:composer_preview", args=[campaign.pk]),
        data,
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('\n<div id="preview">') or 'id="preview"' in html.split(">")[0]
    assert "POST /1/targets/create.json" in html
    assert 'data-field="content-subject"' in html
    assert "<code>content.subject</code>" in html
    assert SUBJECT_REQUIRED in html
    # The valid parts still preview.
    assert '<span class="j-string">&quot;Shop &amp; Co&quot;</span>' in html
    assert 'id="notices" hx-swap-oob="true"' in html


def test_the_preview_of_a_send_draft_counts_the_requests_for_its_identities(
    composer_client, composer_user
):
    body = {"to": {"Email": [f"u{n}@example.com" for n in range(1500)]}, "content": {"body": "x"}}
    campaign = services.campaign_import(user=composer_user, body=body, endpoint="send/sms.json")
    data = page_data(composer_client, campaign.campaign)
    html = composer_client.post(
        reverse("campaigns:composer_preview", args=[campaign.campaign.pk]), data
    ).content.decode()
    assert "POST /1/send/sms.json" in html
    assert "2 requests for 1500 identities" in html


def test_adding_a_row_returns_the_section_with_one_row_more(composer_client, composer_user):
    campaign = imported(composer_user, EXAMPLES[1])
    data = page_data(composer_client, campaign)
    prefix = "audience-profile_fields"
    before = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data["add_row"] = prefix
    response = composer_client.post(
        reverse("campaigns:composer_section", args=[campaign.pk, "audience"]),
        data,
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(
        '<section class="card mb-3 composer-section" id="section-audience"'
    )
    assert f'name="{prefix}-TOTAL_FORMS" value="{before + 1}"' in html
    assert json.loads(response.headers["HX-Trigger-After-Settle"])["composer:focus"] == {
        "id": f"id_{prefix}-{before}-name"
    }


def test_removing_a_row_renumbers_the_rows_after_it(composer_client, composer_user):
    campaign = imported(composer_user, EXAMPLES[1])
    data = page_data(composer_client, campaign)
    prefix = "goal-event_property"
    assert data[f"{prefix}-TOTAL_FORMS"] == ["3"]
    data["remove_row"] = f"{prefix}-0"
    response = composer_client.post(
        reverse("campaigns:composer_section", args=[campaign.pk, "goal"]),
        data,
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert f'name="{prefix}-TOTAL_FORMS" value="2"' in html
    assert f'name="{prefix}-0-property_name" value="Amount"' in html
    assert f'name="{prefix}-2-property_name"' not in html


def test_without_javascript_add_row_rerenders_the_page_without_saving(
    composer_client, composer_user
):
    campaign = imported(composer_user, EXAMPLES[1])
    data = page_data(composer_client, campaign)
    data["add_row"] = "audience-profile_fields"
    data["campaign-name"] = "Typed, not saved"
    response = composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="audience-profile_fields-TOTAL_FORMS" value="2"' in html
    assert 'value="Typed, not saved"' in html
    campaign.refresh_from_db()
    assert campaign.version == 1


def test_changing_the_channel_swaps_only_the_parts_that_depend_on_it(
    composer_client, composer_user
):
    campaign = imported(composer_user, EXAMPLES[1])
    data = page_data(composer_client, campaign)
    data["campaign-target_mode"] = "email"
    response = composer_client.post(
        reverse("campaigns:composer_target", args=[campaign.pk]),
        data,
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert 'id="section-content" aria-labelledby="section-content-title" hx-swap-oob="true"' in html
    assert 'name="content-subject"' in html
    assert 'id="section-audience"' not in html
    assert 'id="target" hx-swap-oob="true"' in html
    assert "composer:changed" in response.headers["HX-Trigger-After-Settle"]


def test_switching_a_draft_from_push_to_email_keeps_the_audience(composer_client, composer_user):
    campaign = imported(composer_user, EXAMPLES[1])
    data = page_data(composer_client, campaign)
    data["campaign-target_mode"] = "email"
    data.update({"content-subject": "S", "content-body": "<p>B</p>", "content-sender_name": "N"})
    data["composer-action"] = "save"
    composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    campaign.refresh_from_db()
    assert campaign.channel == "email"
    assert campaign.body["where"] == EXAMPLES[1].body["where"]
    assert campaign.body["content"] == {"subject": "S", "body": "<p>B</p>", "sender_name": "N"}


def test_a_draft_without_target_mode_shows_push_as_the_default_and_keeps_it_absent(
    composer_client, composer_user
):
    body = {"name": "Plain", "where": {}, "when": "now", "content": {"title": "T", "body": "B"}}
    campaign = services.campaign_import(user=composer_user, body=body).campaign
    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    chosen = re.search(r'<option value="" selected>([^<]*)</option>', html)
    assert chosen and chosen.group(1) == escape(campaign_forms.NO_TARGET_MODE)

    data = page_data(composer_client, campaign)
    data["content-title"] = "Changed"
    data["composer-action"] = "save"
    composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    campaign.refresh_from_db()
    assert "target_mode" not in campaign.body and campaign.channel == "push"
    assert campaign.body["content"]["title"] == "Changed"

    # Only a channel the person picks is written.
    data = page_data(composer_client, campaign)
    data["campaign-target_mode"] = "push"
    data["composer-action"] = "save"
    composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    campaign.refresh_from_db()
    assert campaign.body["target_mode"] == "push"


def test_an_email_draft_whose_channel_is_unpicked_becomes_push(composer_client, composer_user):
    campaign = email_draft(composer_user)
    data = page_data(composer_client, campaign)
    data["campaign-target_mode"] = ""
    data.update({"content-title": "T", "content-body": "B"})
    data["composer-action"] = "save"
    composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    campaign.refresh_from_db()
    assert campaign.channel == "push" and "target_mode" not in campaign.body
    assert campaign.body["content"] == {"title": "T", "body": "B"}


def test_identities_that_do_not_look_right_are_warnings_that_do_not_stop_a_save(
    composer_client, composer_user
):
    body = {"to": {"FBID": ["1234", "not-digits"]}, "tag_group": "t", "content": {"body": "Hi"}}
    campaign = services.campaign_create(user=composer_user, api=Api.SEND, channel="sms", body=body)
    data = page_data(composer_client, campaign)
    preview = composer_client.post(
        reverse("campaigns:composer_preview", args=[campaign.pk]), data
    ).content.decode()
    warning = identities.MALFORMED_ENTRY.format(
        type="FBID", line=2, value="not-digits", reason=identities.NOT_DIGITS
    )
    assert 'id="preview-warnings"' in preview and escape(warning) in preview
    assert escape(payloads.WARNINGS_NOTE) in preview
    assert escape(warning) not in preview.split('id="preview-warnings"')[0]

    data["content-body"] = "Hello"
    data["composer-action"] = "save"
    composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    campaign.refresh_from_db()
    assert campaign.version == 2 and campaign.body["to"] == {"FBID": ["1234", "not-digits"]}


def test_changing_the_api_family_moves_the_draft_to_the_send_endpoint(
    composer_client, composer_user
):
    campaign = email_draft(composer_user)
    data = page_data(composer_client, campaign)
    data["composer-api"] = "send"
    data["composer-channel"] = "email"
    response = composer_client.post(reverse("campaigns:composer_target", args=[campaign.pk]), data)
    html = response.content.decode()
    assert 'id="sections" hx-swap-oob="true"' in html
    assert 'name="composer-channel"' in html and "<select" in html
    data["composer-action"] = "save"
    composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    campaign.refresh_from_db()
    assert (campaign.api, campaign.channel) == ("send", "email")
    assert campaign.body["content"]["subject"] == "Hi"


def test_a_channel_without_a_send_endpoint_is_not_saved(composer_client, composer_user):
    campaign = imported(composer_user, EXAMPLES[4])  # webhook
    data = page_data(composer_client, campaign)
    data["composer-api"] = "send"
    response = composer_client.post(
        reverse("campaigns:composer_save", args=[campaign.pk]), data, headers={"HX-Request": "true"}
    )
    assert composer.NOT_SAVED_CHANNEL in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.api == "targets"


def test_invalid_additional_fields_are_reported_and_not_saved(composer_client, composer_user):
    campaign = email_draft(composer_user)
    data = page_data(composer_client, campaign)
    data["additional-extras"] = "{not json"
    response = composer_client.post(
        reverse("campaigns:composer_save", args=[campaign.pk]), data, headers={"HX-Request": "true"}
    )
    assert composer.NOT_SAVED_EXTRAS in response.content.decode()
    preview = composer_client.post(reverse("campaigns:composer_preview", args=[campaign.pk]), data)
    assert 'data-field="additional-extras"' in preview.content.decode()


def test_a_field_set_in_additional_fields_is_named_as_such_at_the_box(
    composer_client, composer_user
):
    campaign = email_draft(composer_user)
    data = page_data(composer_client, campaign)
    data["additional-extras"] = '{"content.subject": "Overridden"}'
    preview = composer_client.post(reverse("campaigns:composer_preview", args=[campaign.pk]), data)
    html = preview.content.decode()
    message = payloads.EXTRAS_OVER_FIELD.format(label="Subject", path="content.subject")
    assert f'data-field="additional-extras" data-message="{escape(message)}"' in html
    assert "must be text" not in html
    assert "Overridden" in html  # the JSON shows the override


def test_a_draft_with_the_misspelt_latitude_opens_with_it_read_and_said(
    composer_client, composer_user
):
    # A draft stored before the import spelt it right: the composer reads it and says so.
    example = next(e for e in EXAMPLES if e.name.startswith("16_"))
    body = payload_checks.without_estimate_only(example.body)
    campaign = services.campaign_create(
        user=composer_user, api=Api.TARGETS, channel="whatsapp", body=body
    )
    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    notice = payloads.MISSPELT_NOTICE.format(
        path="content.header.media.latitiude",
        right_path="content.header.media.latitude",
        right="latitude",
        key="latitiude",
    )
    assert escape(notice) in html
    assert 'name="content-header_latitude" value="32.123"' in html
    assert escape(whatsapp.LATITUDE_REQUIRED) not in html
    data = page_data(composer_client, campaign)
    data["composer-action"] = "save"
    composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    assert fresh(campaign).body == payload_checks.as_drafted(example.body)


def test_an_imported_misspelt_latitude_is_stored_spelt_right(composer_user):
    example = next(e for e in EXAMPLES if e.name.startswith("17_"))
    result = services.campaign_import(user=composer_user, body=example.body)
    assert result.errors == []
    assert any("latitiude" in notice for notice in result.notices)
    assert result.campaign.body == payload_checks.as_drafted(example.body)


def test_the_schedule_preview_in_user_time_spreads_over_the_audience_and_applies_the_cutoff(
    composer_client, composer_user, settings
):
    settings.SANDBOX_ENABLED = True
    settings.TIME_ZONE = "Asia/Kolkata"
    zones = ["Asia/Kolkata", "Asia/Kolkata", "Europe/London", "America/New_York", "", "Mars/Base"]
    for n, zone in enumerate(zones):  # no timezone, and one Python does not know: left out
        Profile.objects.create(identity=f"p{n}", object_id=f"o{n}", timezone=zone)
    # 10:00 local comes at 10:00, 15:30 and 20:30 in Kolkata; the 18:00 cutoff stops the run
    # before New York's.
    when = {
        "type": "later",
        "delivery_date_time": ["20990302 10:00"],
        "delivery_timezone": "user",
        "campaign_cutoff": "18:00",
    }
    campaign = services.campaign_create(
        user=composer_user,
        api=Api.TARGETS,
        channel="push",
        body={**PUSH_BODY, "when": when},
    )
    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    preview = html[html.index('id="schedule-preview"') :]
    assert escape(previews.USER_TIME_KNOWN.format(count=3, timezone="Asia/Kolkata")) in preview
    assert "Times in Asia/Kolkata." not in preview
    assert "Mon 2 Mar 2099, 10:00 local time" in preview
    assert "Asia/Kolkata (2 profiles)" in preview
    not_sent = previews.ZONE_AFTER_CUTOFF.format(
        local="10:00", at="Mon 2 Mar, 20:30", cutoff="Mon 2 Mar, 18:00"
    )
    assert escape(not_sent) in preview
    assert escape(previews.RUN_NOT_SENT.format(count=1, total=3)) in preview


def payload_checks_push() -> dict:
    return {
        "name": "Sale",
        "target_mode": "push",
        "where": {},
        "content": {"title": "t", "body": "b"},
    }


def test_did_you_mean_hints_appear_in_additional_fields(composer_client, composer_user):
    body = {"name": "x", "target_mode": "email", "content": {"subjct": "Hi", "body": "<p>b</p>"}}
    campaign = services.campaign_import(user=composer_user, body=body).campaign
    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    hint = payloads.EXTRAS_HINT.format(path="content.subjct", suggestion="content.subject")
    assert hint in html


def test_the_email_preview_blocks_remote_content_until_asked(composer_client, composer_user):
    campaign = email_draft(composer_user, body='<img src="https://tracker.example/p.gif">')
    url = reverse("campaigns:email_preview", args=[campaign.pk])
    response = composer_client.get(url)
    assert response["Content-Security-Policy"].startswith("default-src 'none'; img-src data:")
    assert "sandbox" in response["Content-Security-Policy"]
    response = composer_client.get(url + "?remote=1")
    assert "img-src https: data:" in response["Content-Security-Policy"]

    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    assert 'sandbox=""' in html and "srcdoc=" in html
    assert "img-src data:" in html


# The first reference body of each API family and channel, as the benchmark's drafts.
FIRST_OF_EACH_CHANNEL = list({(e.endpoint, e.channel): e for e in reversed(EXAMPLES)}.values())[
    ::-1
]


@pytest.mark.parametrize("example", FIRST_OF_EACH_CHANNEL, ids=lambda e: e.name)
def test_the_composer_page_and_the_preview_use_a_fixed_number_of_queries(
    composer_client, composer_user, django_assert_num_queries, example
):
    # Session, user, permissions (1: `roles.permissions_of`), the draft, the account's settings
    # (1: the account data is cached under its version, read when `page_data` opened the page);
    # the session is written only once a minute (campaigns/middleware.py). The page reads the
    # reviewers' comments and the latest review step too (2), and the profile properties
    # "Insert personalization" lists (1); the preview does not. The library: what the draft was
    # made from and the saved audiences to pick in a targets draft's Who step, in one query (1):
    # every channel's page reads as many. The preview asks for the two permissions it needs
    # alone, in one query (`roles.permissions_held`).
    campaign = imported(composer_user, example)
    data = page_data(composer_client, campaign)
    with django_assert_num_queries(9):
        composer_client.get(reverse("campaigns:composer", args=[campaign.pk]))
    with django_assert_num_queries(5):
        composer_client.post(reverse("campaigns:composer_preview", args=[campaign.pk]), data)


def test_a_reviewer_can_look_but_not_save(client, demo_users, composer_user):
    campaign = email_draft(composer_user)
    client.login(username="reviewer", password=demo_users["reviewer"].password)
    html = client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    assert "only composers can change it" in html
    assert "data-autosave" not in html
    response = client.post(reverse("campaigns:composer_save", args=[campaign.pk]), {})
    assert response.status_code == 403


def test_an_archived_draft_cannot_be_saved(composer_client, composer_user):
    campaign = email_draft(composer_user)
    data = page_data(composer_client, campaign)
    services.campaign_set_archived(campaign=campaign, user=composer_user, archived=True)
    data["content-subject"] = "Changed"
    response = composer_client.post(
        reverse("campaigns:composer_save", args=[campaign.pk]), data, headers={"HX-Request": "true"}
    )
    assert services.NOT_EDITABLE.format(status="archived") in response.content.decode()


# Only the whole form is saved: a body built from part of it would erase the rest.

ALL_PARTS = "API and channel, Campaign, Who, What, When, Goal, Delivery, Additional fields"


def save_posted(client, campaign, data) -> HttpResponse:
    return client.post(
        reverse("campaigns:composer_save", args=[campaign.pk]), data, headers={"HX-Request": "true"}
    )


def test_a_save_of_only_the_base_version_is_refused_in_words_and_writes_nothing(
    composer_client, composer_user
):
    campaign = email_draft(composer_user)
    approvals.campaign_submit(campaign=campaign, user=composer_user)
    before = (fresh(campaign).body, fresh(campaign).status, AuditEvent.objects.count())

    response = save_posted(composer_client, campaign, {"composer-base_version": "1"})

    assert response.status_code == 400
    html = response.content.decode()
    assert composer.NOT_SAVED_INCOMPLETE.format(parts=ALL_PARTS) in html
    assert 'data-state="incomplete"' in html
    campaign = fresh(campaign)
    assert (campaign.body, campaign.status, AuditEvent.objects.count()) == before
    assert (campaign.version, campaign.status) == (1, Status.IN_REVIEW)
    assert not Revision.objects.filter(campaign=campaign, version=2).exists()


def keys_of_row(data: dict, row: str) -> list[str]:
    return [key for key in data if key.startswith(f"{row}-")]


# EXAMPLES[5]: an app inbox message whose content has rows (custom_kv) and rows in rows (links).
LEFT_OUT = {
    "a section": (lambda data: ["schedule-SHOWN"], "When"),
    "a checkbox-only part of a section": (lambda data: ["delivery-SHOWN"], "Delivery"),
    "a row count": (
        lambda data: ["content-custom_kv-TOTAL_FORMS", "content-custom_kv-INITIAL_FORMS"],
        "What",
    ),
    "a row": (lambda data: keys_of_row(data, "content-custom_kv-1"), "What"),
    "a row inside a row": (lambda data: ["content-content-0-links-1-SHOWN"], "What"),
    "the additional fields": (
        lambda data: ["additional-SHOWN", "additional-extras"],
        "Additional fields",
    ),
    "the page's version": (lambda data: ["composer-base_version"], "API and channel"),
    "what the page shows": (lambda data: ["composer-shown_api"], "API and channel"),
}


@pytest.mark.parametrize("left_out", LEFT_OUT)
def test_a_save_missing_any_part_of_the_form_is_refused_and_writes_nothing(
    composer_client, composer_user, left_out
):
    campaign = imported(composer_user, EXAMPLES[5])
    data = page_data(composer_client, campaign)
    data["campaign-name"] = "Renamed"
    keys, part = LEFT_OUT[left_out]
    dropped = keys(data)
    assert dropped and all(key in data for key in dropped)
    partial = {key: values for key, values in data.items() if key not in dropped}

    response = save_posted(composer_client, campaign, partial)

    assert response.status_code == 400
    assert composer.NOT_SAVED_INCOMPLETE.format(parts=part) in response.content.decode()
    assert fresh(campaign).version == 1
    # The same form, whole, is saved.
    assert save_posted(composer_client, campaign, data).status_code == 200
    assert (fresh(campaign).version, fresh(campaign).name) == (2, "Renamed")


def test_a_row_marked_for_deletion_is_saved_without_it(composer_client, composer_user):
    campaign = imported(composer_user, EXAMPLES[5])
    data = page_data(composer_client, campaign)
    kept = data["content-custom_kv-1-key"]
    data["content-custom_kv-0-DELETE"] = ["on"]

    response = save_posted(composer_client, campaign, data)

    assert response.status_code == 200 and 'data-state="saved"' in response.content.decode()
    assert [row["key"] for row in fresh(campaign).body["custom_kv"]] == kept


def test_without_javascript_a_save_of_part_of_the_form_is_refused_with_what_was_typed(
    composer_client, composer_user
):
    campaign = imported(composer_user, EXAMPLES[1])
    data = page_data(composer_client, campaign)
    data["campaign-name"] = "Typed, not saved"
    data["composer-action"] = "save"
    del data["goal-SHOWN"]

    response = composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert composer.NOT_SAVED_INCOMPLETE.format(parts="Goal") in html
    assert 'value="Typed, not saved"' in html
    assert fresh(campaign).version == 1


def test_the_preview_of_part_of_the_form_still_renders(composer_client, composer_user):
    campaign = email_draft(composer_user)
    response = composer_client.post(
        reverse("campaigns:composer_preview", args=[campaign.pk]),
        {"composer-base_version": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="preview"' in response.content.decode()


# A change of channel or API family keeps aside what no longer applies, and brings it back.


def switch_and_save(client, campaign, changes: dict) -> Campaign:
    """The page as rendered, with a change of choice (or a button) posted with it, autosaved."""
    data = page_data(client, campaign) | {key: [value] for key, value in changes.items()}
    response = save_posted(client, campaign, data)
    assert 'data-state="saved"' in response.content.decode()
    return fresh(campaign)


def target_posted(client, campaign, changes: dict) -> str:
    data = page_data(client, campaign) | {key: [value] for key, value in changes.items()}
    url = reverse("campaigns:composer_target", args=[campaign.pk])
    return client.post(url, data, headers={"HX-Request": "true"}).content.decode()


PUSH_SET_ASIDE_FOR_SMS = set_aside.SET_ASIDE.format(
    what=set_aside.CONTENT.format(channel="Push", things="title, iOS and Android settings"),
    draft="is an SMS",
)


def test_switching_push_to_sms_keeps_the_push_content_aside_and_back_brings_it_back(
    composer_client, composer_user
):
    example = EXAMPLES[1]  # a push with a title, a message and iOS and Android settings
    campaign = imported(composer_user, example)

    html = target_posted(composer_client, campaign, {"campaign-target_mode": "sms"})
    assert PUSH_SET_ASIDE_FOR_SMS in html
    assert 'name="composer-restore" value="targets/push"' in html

    campaign = switch_and_save(composer_client, campaign, {"campaign-target_mode": "sms"})
    # What is set aside is never sent: the body holds only what an SMS has.
    assert campaign.channel == "sms"
    assert campaign.body["content"] == {"body": example.body["content"]["body"]}
    assert [(e["api"], e["channel"], e["part"]) for e in campaign.set_aside] == [
        ("targets", "push", "content")
    ]
    assert campaign.set_aside[0]["body"]["content"]["title"] == example.body["content"]["title"]
    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    assert PUSH_SET_ASIDE_FOR_SMS in html
    assert '"title": "Hi!"' not in html.split('id="preview-json"')[1]

    campaign = switch_and_save(composer_client, campaign, {"campaign-target_mode": "push"})
    assert campaign.channel == "push"
    assert same_json(campaign.body, payload_checks.without_estimate_only(example.body))
    assert campaign.set_aside == []


def test_an_api_family_switch_keeps_the_audience_schedule_goal_and_limits_aside(
    composer_client, composer_user
):
    example = EXAMPLES[1]
    campaign = imported(composer_user, example)

    campaign = switch_and_save(
        composer_client, campaign, {"composer-api": "send", "composer-channel": "push"}
    )
    assert (campaign.api, campaign.channel) == ("send", "push")
    assert not {"where", "when", "conversion_goal", "users_limit_overall"} & set(campaign.body)
    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    what = "Audience, schedule, conversion goal and delivery controls"
    assert set_aside.SET_ASIDE.format(what=what, draft=set_aside.DRAFT_FINDS["send"]) in html
    assert set_aside.RESTORE_API.format(how=set_aside.HOW["targets"]) in html

    campaign = switch_and_save(composer_client, campaign, {"composer-api": "targets"})
    assert (campaign.api, campaign.channel) == ("targets", "push")
    assert same_json(campaign.body, payload_checks.without_estimate_only(example.body))
    assert campaign.set_aside == []


def test_what_one_channel_set_aside_waits_through_other_switches(composer_client, composer_user):
    example = EXAMPLES[1]
    campaign = imported(composer_user, example)
    for changes in [
        {"composer-api": "send", "composer-channel": "push"},
        {"composer-channel": "sms"},
        {"composer-api": "targets"},
        {"campaign-target_mode": "email"},
        {"campaign-target_mode": "push"},
    ]:
        campaign = switch_and_save(composer_client, campaign, changes)
    assert same_json(campaign.body, payload_checks.without_estimate_only(example.body))
    assert campaign.set_aside == []


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_a_channel_switch_and_back_gives_every_reference_example_back_exactly(
    composer_client, composer_user, example
):
    campaign = imported(composer_user, example)
    other = "email" if campaign.channel != "email" else "sms"
    field = "campaign-target_mode" if campaign.api == "targets" else "composer-channel"
    switched = switch_and_save(composer_client, campaign, {field: other})
    assert switched.channel == other
    back = switch_and_save(composer_client, campaign, {field: example_channel(example)})
    original = payload_checks.as_drafted(example.body)
    # Nothing is lost: what Additional fields hide stays aside, and the rest is back.
    brought_back = back.body
    for entry in back.set_aside:
        brought_back = set_aside.laid_over(brought_back, entry["body"])
    assert same_json(brought_back, original)
    if not page_data(composer_client, campaign)["additional-extras"][0]:
        assert same_json(back.body, original)
        assert back.set_aside == []


def example_channel(example) -> str:
    return payloads.infer_target(example.body, example.endpoint)[1]


def test_switch_back_brings_a_group_back_and_discard_drops_it(composer_client, composer_user):
    example = EXAMPLES[1]
    campaign = imported(composer_user, example)
    campaign = switch_and_save(composer_client, campaign, {"campaign-target_mode": "sms"})

    html = target_posted(composer_client, campaign, {"composer-restore": "targets/push"})
    assert 'id="sections" hx-swap-oob="true"' in html
    assert 'name="content-title" value="Hi!"' in html
    assert PUSH_SET_ASIDE_FOR_SMS not in html
    campaign = switch_and_save(composer_client, campaign, {"composer-restore": "targets/push"})
    assert same_json(campaign.body, payload_checks.without_estimate_only(example.body))

    campaign = switch_and_save(composer_client, campaign, {"campaign-target_mode": "sms"})
    sms_body = campaign.body
    html = target_posted(composer_client, campaign, {"composer-discard": "targets/push"})
    assert PUSH_SET_ASIDE_FOR_SMS not in html
    assert 'name="composer-set_aside" value="[]"' in html
    campaign = switch_and_save(composer_client, campaign, {"composer-discard": "targets/push"})
    assert (campaign.body, campaign.set_aside) == (sms_body, [])


def test_the_discard_button_asks_first_in_words(composer_client, composer_user):
    campaign = switch_and_save(
        composer_client, imported(composer_user, EXAMPLES[1]), {"campaign-target_mode": "sms"}
    )
    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    question = set_aside.DISCARD_QUESTION.format(
        what="push content (title, iOS and Android settings)"
    )
    assert f'hx-confirm="{question}"' in html


def test_without_javascript_a_switch_keeps_the_content_aside_and_saves_it(
    composer_client, composer_user
):
    campaign = imported(composer_user, EXAMPLES[1])
    data = page_data(composer_client, campaign)
    data["campaign-target_mode"] = ["sms"]
    data["composer-action"] = ["preview"]
    page = composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    html = page.content.decode()
    assert PUSH_SET_ASIDE_FOR_SMS in html
    # The page that came back is the SMS page; saving it keeps the push content with the draft.
    data = dict(submitted_data(html).lists()) | {"composer-action": ["save"]}
    response = composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    assert response.status_code == 302
    campaign = fresh(campaign)
    assert campaign.channel == "sms" and "title" not in campaign.body["content"]
    assert campaign.set_aside[0]["body"]["content"]["title"] == "Hi!"


def test_a_set_aside_the_page_did_not_write_is_refused_in_words(composer_client, composer_user):
    campaign = imported(composer_user, EXAMPLES[1])
    data = page_data(composer_client, campaign)
    data["composer-set_aside"] = ['[{"api": "targets", "channel": "push", "part": "nope"}]']
    data["campaign-name"] = ["Renamed"]
    response = save_posted(composer_client, campaign, data)
    assert set_aside.NOT_READ in response.content.decode()
    assert fresh(campaign).version == 1


def test_an_old_page_without_the_set_aside_input_keeps_what_the_draft_set_aside(
    composer_client, composer_user
):
    campaign = switch_and_save(
        composer_client, imported(composer_user, EXAMPLES[1]), {"campaign-target_mode": "sms"}
    )
    data = page_data(composer_client, campaign)
    del data["composer-set_aside"]
    data["campaign-name"] = ["Renamed"]
    assert 'data-state="saved"' in save_posted(composer_client, campaign, data).content.decode()
    assert fresh(campaign).set_aside == campaign.set_aside


def test_the_step_list_follows_an_api_family_switch(composer_client, composer_user):
    campaign = email_draft(composer_user)
    html = target_posted(
        composer_client, campaign, {"composer-api": "send", "composer-channel": "email"}
    )
    nav = html.split('id="step-summary" hx-swap-oob="true"')[1].split("</nav>")[0]
    assert 'href="#section-audience"' in nav and 'href="#section-content"' in nav
    assert 'class="step-title">Who<' in nav and 'class="step-title">What<' in nav
    assert 'href="#section-schedule"' not in nav and 'class="step-title">When<' not in nav
    # Who is now a list of people, still empty: the send's recipients.
    assert 'data-step="audience" data-state="problems"' in nav
    assert step_summaries.NOT_CHOSEN in nav


def test_the_send_composer_offers_only_channels_with_a_send_endpoint(
    composer_client, composer_user
):
    body = {"to": {"Email": ["a@example.com"]}, "content": {"body": "Hi"}}
    campaign = services.campaign_import(user=composer_user, body=body, endpoint="send/sms.json")
    html = composer_client.get(
        reverse("campaigns:composer", args=[campaign.campaign.pk])
    ).content.decode()
    select = html.split('name="composer-channel"')[1].split("</select>")[0]
    offered = [value for value, _ in registry.channel_choices("send")]
    assert re.findall(r'<option value="([^"]*)"', select) == offered
    assert "webhook" not in offered and "notificationinbox" not in offered


def test_a_draft_switched_to_identities_with_a_channel_they_cannot_send_shows_no_endpoint(
    composer_client, composer_user
):
    campaign = imported(composer_user, EXAMPLES[4])  # webhook
    data = page_data(composer_client, campaign) | {"composer-api": ["send"]}
    html = target_posted(composer_client, campaign, {"composer-api": "send"})
    assert "send/webhook.json</code>" not in html
    select = html.split('name="composer-channel"')[1].split("</select>")[0]
    assert f'<option value="">{composer.CHOOSE_CHANNEL}</option>' in select
    assert 'value="webhook"' not in select
    preview = composer_client.post(
        reverse("campaigns:composer_preview", args=[campaign.pk]), data
    ).content.decode()
    assert "POST /1/send/webhook.json" not in preview
    assert registry.NO_SEND_ENDPOINT.format(channel="Webhook", value="webhook") in preview


def test_after_history_brings_the_push_back_what_was_set_aside_can_be_put_back_in_the_form(
    composer_client, composer_user
):
    example = EXAMPLES[1]
    campaign = imported(composer_user, example)
    campaign = switch_and_save(composer_client, campaign, {"campaign-target_mode": "sms"})
    revision = Revision.objects.get(campaign=campaign, version=1)
    services.revision_restore(revision=revision, user=composer_user)
    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    assert (
        set_aside.SET_ASIDE_EARLIER.format(
            what=set_aside.CONTENT.format(channel="Push", things="title, iOS and Android settings")
        )
        in html
    )
    assert f">{set_aside.RESTORE_HERE}</button>" in html

    campaign = switch_and_save(composer_client, campaign, {"composer-restore": "targets/push"})
    assert same_json(campaign.body, payload_checks.without_estimate_only(example.body))
    assert campaign.set_aside == []


# A choice between parts (who receives it, the WhatsApp message type) sends only its own parts.

EVENT_ROWS = {
    "advanced_query": {
        "did_all": [
            {"event_name": "App Launched", "from": 20200101, "to": 20200218}
            | {"operator": "greater_than_equals", "value": 5}
        ]
    }
}


def with_section(client, campaign, data, prefix, **changes) -> tuple[str, dict]:
    """Change `changes` in the page data, and take the section the server sends back (as htmx
    does on a change of the choice): its HTML, and the page data with it in place."""
    data = data | {f"{prefix}-{name}": [value] for name, value in changes.items()}
    response = client.post(
        reverse("campaigns:composer_section", args=[campaign.pk, prefix]),
        data,
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "composer:changed" in response.headers["HX-Trigger-After-Settle"]
    html = response.content.decode()
    kept = {key: values for key, values in data.items() if not key.startswith(f"{prefix}-")}
    return html, kept | dict(submitted_data(html).lists())


def test_choosing_a_segment_disables_the_event_rows_and_saves_without_them(
    composer_client, composer_user
):
    body = email_draft(composer_user).body | {"where": {"event_name": "Charged"}} | EVENT_ROWS
    campaign = services.campaign_create(
        user=composer_user, api=Api.TARGETS, channel="email", body=body
    )
    page = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    section_url = reverse("campaigns:composer_section", args=[campaign.pk, "audience"])
    assert f'hx-post="{section_url}" hx-trigger="change"' in page
    data = page_data(composer_client, campaign)

    html, data = with_section(composer_client, campaign, data, "audience", who="segment")
    assert 'id="audience-did_all" disabled' in html
    data["audience-segment"] = ["7"]
    response = save_posted(composer_client, campaign, data)
    assert 'data-state="saved"' in response.content.decode()
    left_out = {"where", "advanced_query"}
    assert fresh(campaign).body == {k: v for k, v in body.items() if k not in left_out} | {
        "segment": 7
    }

    # Choosing the filters again brings the rows back, as they were typed.
    html, data = with_section(composer_client, campaign, data, "audience", who="filtered")
    assert 'id="audience-did_all" disabled' not in html
    data["composer-base_version"] = ["2"]
    assert 'data-state="saved"' in save_posted(composer_client, campaign, data).content.decode()
    assert fresh(campaign).body == body


def test_a_choice_that_shows_the_same_parts_leaves_the_section_as_it_is(
    composer_client, composer_user
):
    campaign = email_draft(composer_user)
    data = page_data(composer_client, campaign) | {"audience-who": ["filtered"]}
    response = composer_client.post(
        reverse("campaigns:composer_section", args=[campaign.pk, "audience"]),
        data,
        headers={"HX-Request": "true"},
    )
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["HX-Reswap"] == "none"


def test_without_javascript_a_changed_message_type_shows_its_fields_on_the_next_post(
    composer_client, composer_user
):
    example = reference_example("28_send_whatsapp_template_image.json")
    campaign = imported(composer_user, example)
    data = page_data(composer_client, campaign)
    data |= {"content-message_type": ["freeform"], "composer-action": ["preview"]}
    response = composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    html = response.content.decode()
    assert "Apply this choice" in html and whatsapp.TEMPLATE_PART_IN_FREEFORM not in html
    data = dict(submitted_data(html, form_id="composer-form").lists())
    template_name = example.body["content"]["template"]["template_name"]
    assert data["content-template_name"] == [template_name]
    data |= {"content-freeform_type": ["text"], "content-freeform_text": ["Hi"]}
    data["composer-action"] = ["save"]
    response = composer_client.post(reverse("campaigns:composer", args=[campaign.pk]), data)
    assert response.status_code == 302
    assert fresh(campaign).body["content"] == {
        "message_type": "freeform",
        "freeform": {"body": {"type": "text", "text": "Hi"}},
    }


# Pickers for the account's data.


def test_choosing_a_whatsapp_template_lays_out_its_placeholders_and_keeps_what_was_typed(
    composer_client, composer_user
):
    demo.demo_account_settings_ensure()
    body = {
        "to": {"Identity": ["user9@example.com"]},
        "message_id": "ord1042",
        "provider_nick_name": "Provider_1",
        "content": {
            "message_type": "template",
            "template": {
                "template_name": "order_update",
                "language": "en",
                "body": {"type": "text", "replacements": ["Ada", "#1042"]},
            },
        },
    }
    campaign = services.campaign_create(
        user=composer_user, api=Api.SEND, channel="whatsapp", body=body
    )
    page = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    section_url = reverse("campaigns:composer_section", args=[campaign.pk, "content"])
    picker = re.search(r'<select name="content-template_name"[^>]*>', page).group(0)
    assert f'hx-post="{section_url}"' in picker
    assert 'Hi <span class="placeholder-name">{{1}}</span>, your order' in page
    data = page_data(composer_client, campaign)
    assert data["content-body_replacements"] == ["Ada", "#1042"]

    # The message type is a choice between parts: a template changes nothing of those, and
    # still the section comes back, laid out for the new template.
    data = data | {"content-template_name": ["delivery_slot"]}
    response = composer_client.post(
        section_url,
        data,
        headers={"HX-Request": "true", "HX-Trigger-Name": "content-template_name"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your parcel arrives between" in html
    assert html.count(whatsapp_templates.VALUE_FOR.format(number=2)) == 1
    assert 'value="Ada"' in html and 'value="#1042"' in html
    posted = dict(submitted_data(html).lists())
    assert posted["content-body_replacements"] == ["Ada", "#1042"]
    assert posted["content-template_name"] == ["delivery_slot"]


def test_the_composer_offers_the_sandboxs_segments_with_their_sizes(
    composer_client, composer_user, settings
):
    settings.SANDBOX_ENABLED = True
    Profile.objects.create(identity="a", object_id="a")
    segment = Segment.objects.create(name="Gold customers", where={})
    campaign = services.campaign_create(
        user=composer_user, api=Api.TARGETS, channel="push", body=PUSH_BODY
    )
    page = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    label = pickers.SEGMENT_SIZED.format(
        name="Gold customers", id=segment.id, size=1, people="person"
    )
    assert f'<option value="{segment.id}">{escape(label)}</option>' in page
