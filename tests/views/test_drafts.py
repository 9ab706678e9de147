"""The drafts list, new campaigns, import, export, clone, archive and restore."""

import datetime
import html
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from campaigns import jsonfile, payloads, selectors, services
from campaigns.channels import registry
from campaigns.forms import audience
from campaigns.jsonpath import same_json
from campaigns.models import Api, AuditAction, AuditEvent, Campaign, Estimate, Status
from campaigns.review import approvals
from campaigns.views import drafts
from campaigns.views import forms as view_forms
from devtools import demo
from devtools.bench.formdata import submitted_data
from tests import drafts as draft_helpers
from tests import payload_checks
from tests.reference_examples import reference_examples

pytestmark = pytest.mark.django_db
EXAMPLES = {example.name: example for example in reference_examples()}


def draft(user, name, *, channel="sms", labels=(), status=Status.DRAFT, api=Api.TARGETS):
    body = {"name": name, "target_mode": channel, "labels": list(labels)} if labels else None
    campaign = services.campaign_create(user=user, api=api, channel=channel, body=body)
    if body is None:
        Campaign.objects.filter(pk=campaign.pk).update(name=name)
    if status != Status.DRAFT:
        Campaign.objects.filter(pk=campaign.pk).update(status=status)
    return Campaign.objects.get(pk=campaign.pk)


def names(response) -> list[str]:
    return [campaign.name for campaign in response.context["campaigns"]]


def test_the_list_searches_by_name(composer_client, composer_user):
    draft(composer_user, "Spring sale")
    draft(composer_user, "Winter sale")
    draft(composer_user, "Welcome")
    response = composer_client.get(reverse("campaigns:draft_list"), {"q": "sale"})
    assert sorted(names(response)) == ["Spring sale", "Winter sale"]


def test_the_list_filters_by_channel_status_owner_and_label(
    composer_client, composer_user, demo_users
):
    admin = get_user_model().objects.get(username="admin")
    draft(composer_user, "Push one", channel="push", labels=["spring"])
    draft(composer_user, "Email one", channel="email", labels=["spring", "vip"])
    draft(admin, "Email two", channel="email", labels=["springtime"])
    draft(composer_user, "In review", channel="email", status=Status.IN_REVIEW)
    url = reverse("campaigns:draft_list")
    assert sorted(names(composer_client.get(url, {"channel": "email"}))) == [
        "Email one",
        "Email two",
        "In review",
    ]
    assert names(composer_client.get(url, {"status": "in_review"})) == ["In review"]
    assert names(composer_client.get(url, {"owner": admin.pk})) == ["Email two"]
    assert sorted(names(composer_client.get(url, {"label": "spring"}))) == [
        "Email one",
        "Push one",
    ]


def test_the_list_sorts_by_name_or_update_time(composer_client, composer_user):
    for name in ["Bravo", "Alpha", "Charlie"]:
        draft(composer_user, name)
    url = reverse("campaigns:draft_list")
    assert names(composer_client.get(url, {"sort": "name"})) == ["Alpha", "Bravo", "Charlie"]
    assert names(composer_client.get(url, {"sort": "-name"})) == ["Charlie", "Bravo", "Alpha"]
    assert names(composer_client.get(url)) == ["Charlie", "Alpha", "Bravo"]
    assert names(composer_client.get(url, {"sort": "updated"})) == ["Bravo", "Alpha", "Charlie"]


def test_the_list_leaves_out_archived_drafts_unless_asked(composer_client, composer_user):
    draft(composer_user, "Live")
    draft(composer_user, "Old", status=Status.ARCHIVED)
    draft(composer_user, "Sent", status=Status.PUBLISHED)
    url = reverse("campaigns:draft_list")
    assert names(composer_client.get(url)) == ["Live"]
    assert names(composer_client.get(url, {"status": "archived"})) == ["Old"]


def test_invalid_filters_are_ignored_not_an_error(composer_client, composer_user):
    draft(composer_user, "Live")
    response = composer_client.get(
        reverse("campaigns:draft_list"),
        {"channel": "pigeon", "owner": "x", "sort": "drop table", "page": "-3"},
    )
    assert response.status_code == 200
    assert names(response) == ["Live"]


def test_htmx_filtering_answers_the_list_fragment(composer_client, composer_user):
    draft(composer_user, "Live")
    response = composer_client.get(
        reverse("campaigns:draft_list"), {"q": "Li"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="drafts">')
    assert "<nav" not in html.split('<div id="drafts">')[0]


@pytest.mark.parametrize("count", [10, 10_000])
def test_the_list_makes_the_same_few_queries_for_10_or_10000_drafts(
    composer_client, composer_user, django_assert_num_queries, count
):
    Campaign.objects.bulk_create(
        Campaign(name=f"Draft {n:05}", owner=composer_user, body={"name": f"Draft {n}"})
        for n in range(count)
    )
    url = reverse("campaigns:draft_list")
    # The session is written on the first request, then once a minute (campaigns/middleware.py).
    composer_client.get(url)
    # Session, user, owners, count, page, permissions (1: `roles.permissions_of`).
    with django_assert_num_queries(6):
        response = composer_client.get(url, {"q": "Draft", "sort": "name", "page": "2"})
    assert response.status_code == 200
    with django_assert_num_queries(6):
        composer_client.get(url, {"channel": "push", "status": "draft", "owner": composer_user.pk})


def test_the_list_is_paginated(composer_client, composer_user):
    Campaign.objects.bulk_create(
        Campaign(name=f"Draft {n:02}", owner=composer_user) for n in range(30)
    )
    url = reverse("campaigns:draft_list")
    first = composer_client.get(url, {"sort": "name"})
    assert len(names(first)) == 25
    second = composer_client.get(url, {"sort": "name", "page": "2"})
    assert names(second) == [f"Draft {n:02}" for n in range(25, 30)]
    assert "page=1" in second.content.decode() or "Previous" in second.content.decode()


NEW = {"name": "Spring sale", "who": audience.EVERYONE, "channel": "push"}
# Each answer to "Who should get it?": the API family, and the audience the composer opens on.
WHO = {
    audience.EVERYONE: (Api.TARGETS, audience.EVERYONE),
    audience.START_EVENT: (Api.TARGETS, audience.FILTERED),
    audience.START_PROPERTY: (Api.TARGETS, audience.FILTERED),
    audience.SEGMENT: (Api.TARGETS, audience.SEGMENT),
    view_forms.LIST: (Api.SEND, None),
}
COMBINATIONS = [(who, channel) for who in WHO for channel in registry.CHANNELS]


def new_campaign(client, **changes):
    return client.post(reverse("campaigns:campaign_new"), NEW | changes)


def checked(page: str, name: str) -> list[str]:
    """What the page's form posts as `name`: the value of its checked radio input."""
    return submitted_data(page).getlist(name)


def test_a_new_campaign_lands_in_the_composer(composer_client):
    response = new_campaign(composer_client)
    campaign = Campaign.objects.get()
    assert response.url == reverse("campaigns:composer", args=[campaign.pk])
    assert (campaign.api, campaign.channel) == ("targets", "push")
    assert campaign.name == campaign.body["name"] == "Spring sale"


@pytest.mark.parametrize(("who", "channel"), COMBINATIONS)
def test_each_answer_and_channel_make_their_draft_and_open_the_composer_on_the_answer(
    composer_client, who, channel
):
    api, chosen = WHO[who]
    response = new_campaign(composer_client, name=f"{who} by {channel}", who=who, channel=channel)
    if api == Api.SEND and channel not in registry.SEND_CHANNELS:
        assert response.status_code == 200 and not Campaign.objects.exists()
        return
    campaign = Campaign.objects.get()
    assert (campaign.api, campaign.channel, campaign.name) == (api, channel, f"{who} by {channel}")
    composer_url = reverse("campaigns:composer", args=[campaign.pk])
    if api == Api.SEND:
        assert campaign.body == {"name": f"{who} by {channel}"}
        assert response.url == composer_url
    else:
        expected = {"name": f"{who} by {channel}", "target_mode": channel, "when": "now"}
        if who == audience.EVERYONE:
            expected["where"] = {}
            assert response.url == composer_url
        else:
            assert response.url == f"{composer_url}?start={who}"
        assert same_json(campaign.body, expected)
    page = composer_client.get(response.url)
    state = page.context["composer"]
    assert (state.api, state.channel) == (api, channel)
    # Opened as created: nothing to save before the person changes something.
    assert state.unchanged
    if api == Api.TARGETS:
        audience_form = state.forms["audience"]
        assert audience_form["who"].value() == chosen
        assert checked(page.content.decode(), "audience-who") == [chosen]
        rows = audience_form.formsets["profile_fields"].forms
        assert len(rows) == (1 if who == audience.START_PROPERTY else 0)
        # The parts of the choice are ready to fill, not greyed out.
        ready = {audience.FILTERED: "event_name", audience.SEGMENT: "segment"}.get(chosen)
        if ready:
            assert ready not in audience_form.left_out
    else:
        # The people to send to, by identity, are the composer's to fill.
        assert isinstance(state.forms["audience"], audience.RecipientsForm)


def test_a_new_send_campaign_needs_a_channel_with_a_send_endpoint(composer_client):
    response = new_campaign(composer_client, who=view_forms.LIST, channel="webhook")
    assert response.status_code == 200
    message = view_forms.NOT_TO_A_LIST.format(
        channel="Webhook", channels="Push, Web push, Email, SMS or WhatsApp"
    )
    page = html.unescape(response.content.decode())
    assert message in page
    assert not Campaign.objects.exists()
    # Nothing is lost: the name and both answers are as they were posted.
    assert 'value="Spring sale"' in page
    assert checked(page, "who") == [view_forms.LIST]
    assert checked(page, "channel") == ["webhook"]


@pytest.mark.parametrize("name", ["", "   "])
def test_a_new_campaign_needs_a_name_and_keeps_the_answers(composer_client, name):
    response = new_campaign(composer_client, name=name, who=audience.SEGMENT, channel="email")
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert view_forms.NAME_REQUIRED in page
    assert checked(page, "who") == [audience.SEGMENT]
    assert checked(page, "channel") == ["email"]
    assert not Campaign.objects.exists()


def test_a_name_longer_than_a_draft_holds_is_refused_in_words(composer_client):
    response = new_campaign(composer_client, name="x" * 201)
    assert view_forms.NAME_TOO_LONG % {"show_value": 201} in html.unescape(
        response.content.decode()
    )
    assert not Campaign.objects.exists()


def test_answers_left_out_or_unknown_are_refused_in_words(composer_client):
    url = reverse("campaigns:campaign_new")
    response = composer_client.post(url, {"name": "Spring sale"})
    page = html.unescape(response.content.decode())
    assert view_forms.WHO_REQUIRED in page and view_forms.CHANNEL_REQUIRED in page
    assert 'value="Spring sale"' in page
    response = new_campaign(composer_client, who="send", channel="fax")
    page = html.unescape(response.content.decode())
    assert view_forms.NOT_A_CHOICE % {"value": "send"} in page
    assert view_forms.NOT_A_CHOICE % {"value": "fax"} in page
    assert not Campaign.objects.exists()


def test_the_new_page_asks_in_words_and_names_endpoints_only_as_hints(composer_client):
    response = composer_client.get(reverse("campaigns:campaign_new"))
    page = html.unescape(response.content.decode())
    for question in ("What do you call this campaign?", "Who should get it?", "Which channel?"):
        assert question in page
    assert re.findall(r"<legend[^>]*>([^<]*)</legend>", page) == [
        "Who should get it?",
        "Which channel?",
    ]
    titles = re.findall(r'<span class="choice-card-title"[^>]*>([^<]*)</span>', page)
    assert titles == [card.label for card in view_forms.WHO_CARDS] + [
        spec.channel.label for spec in registry.CHANNELS.values()
    ]
    assert not any(".json" in title for title in titles)
    assert "A notification on phones (iOS and Android)" in page
    assert "Calls your server for each person" in page
    assert page.count(view_forms.NOT_TO_A_LIST_NOTE) == 2  # webhook and the app inbox
    assert reverse("campaigns:campaign_import") in page
    # Everyone and push until the person answers otherwise.
    assert checked(page, "who") == [audience.EVERYONE]
    assert checked(page, "channel") == ["push"]


def test_an_answer_never_undoes_an_audience_chosen_since(composer_client, composer_user):
    campaign = services.campaign_create(
        user=composer_user, api=Api.TARGETS, channel="push", name="Chosen", who="segment"
    )
    body = campaign.body | {"where": {"event_name": "Charged"}}
    Campaign.objects.filter(pk=campaign.pk).update(stored_body=body)
    url = reverse("campaigns:composer", args=[campaign.pk])
    state = composer_client.get(url, {"start": audience.SEGMENT}).context["composer"]
    assert state.forms["audience"]["who"].value() == audience.FILTERED
    assert state.unchanged


def test_an_answer_the_new_page_does_not_give_chooses_nothing(composer_client, composer_user):
    campaign = services.campaign_create(
        user=composer_user, api=Api.TARGETS, channel="push", name="Odd", who="segment"
    )
    url = reverse("campaigns:composer", args=[campaign.pk])
    state = composer_client.get(url, {"start": "everyone-twice"}).context["composer"]
    assert state.forms["audience"]["who"].value() is None
    assert state.unchanged


def test_a_reviewer_cannot_create_drafts(client, demo_users):
    client.login(username="reviewer", password=demo_users["reviewer"].password)
    response = new_campaign(client, channel="sms")
    assert response.status_code == 403
    assert not Campaign.objects.exists()


def test_import_by_paste_makes_a_draft_and_lists_unmodelled_keys(composer_client):
    body = {"name": "Pasted", "target_mode": "email", "content": {"subjct": "Hi"}}
    response = composer_client.post(
        reverse("campaigns:campaign_import"), {"text": json.dumps(body)}, follow=True
    )
    campaign = Campaign.objects.get()
    assert campaign.body == body
    html = response.content.decode()
    assert "content.subjct" in html and "Did you mean content.subject?" in html
    assert 'data-field="content-body"' in html  # its problems, at their fields


def test_import_by_upload_reads_the_file(composer_client):
    example = EXAMPLES["25_send_email.json"]
    upload = SimpleUploadedFile(
        "body.json", json.dumps(example.body).encode(), content_type="application/json"
    )
    composer_client.post(
        reverse("campaigns:campaign_import"),
        {"file": upload, "endpoint": "send/email.json", "name": "Uploaded"},
    )
    campaign = Campaign.objects.get()
    assert (campaign.name, campaign.api, campaign.channel) == ("Uploaded", "send", "email")
    assert campaign.body == example.body


def test_import_reads_an_uploaded_file_leniently_or_marks_where_it_could_not(composer_client):
    url = reverse("campaigns:campaign_import")
    text = json.dumps(EXAMPLES["25_send_email.json"].body, indent=2)[:-1] + ", // sent\n}'"
    upload = SimpleUploadedFile("body.json", text.encode(), content_type="application/json")
    response = composer_client.post(
        url, {"file": upload, "endpoint": "send/email.json"}, follow=True
    )
    assert Campaign.objects.get().body == EXAMPLES["25_send_email.json"].body
    removed = jsonfile.REMOVED.format(
        forms="1 comment, 1 trailing comma and " + jsonfile.STRAY_QUOTE, verb="were"
    )
    notice = jsonfile.LENIENT_NOTICE.format(changes=removed)
    assert notice in [str(message) for message in response.context["messages"]]

    upload = SimpleUploadedFile("body.json", b'{\n  "to": {}\n  "content": {}\n}')
    response = composer_client.post(url, {"file": upload})
    problem = jsonfile.CANNOT_STAND_HERE.format(character='“"”')
    message = jsonfile.UNREADABLE.format(
        name=view_forms.UPLOADED, line=3, column=3, problem=problem
    )
    page = response.content.decode()
    assert html.escape(message) in page
    marked = html.escape('3 |   "content": {}')
    assert f'<mark class="p-0">{marked}</mark>' in page
    assert Campaign.objects.count() == 1


def test_import_says_each_notice_of_the_draft_once(composer_client):
    body = {"name": "Pasted", "target_mode": "email", "content": {"subjct": "Hi"}}
    hint = payloads.EXTRAS_HINT.format(path="content.subjct", suggestion="content.subject")
    response = composer_client.post(
        reverse("campaigns:campaign_import"), {"text": json.dumps(body)}, follow=True
    )
    # The composer lists the keys it keeps aside; the import does not say it again.
    assert response.content.decode().count(html.escape(hint)) == 1
    assert hint in response.context["composer"].notices


def test_import_counts_the_problems_the_composer_shows(composer_client):
    # Two problems of the push content, and Additional fields too long for their box: the
    # composer counts three (the box's limit is its own), and so must the import.
    body = {"name": "Big", "target_mode": "push", "where": {}, "when": "now", "note": "x" * 10**6}
    response = composer_client.post(
        reverse("campaigns:campaign_import"), {"text": json.dumps(body)}, follow=True
    )
    shown = response.context["composer"].errors
    assert len(shown) == 3
    text = drafts.IMPORTED_WITH_ERRORS.format(name="Big", count=len(shown), plural="s")
    assert [str(message) for message in response.context["messages"]] == [text]
    problems = f"{len(shown)} problems</h3>"
    assert problems in response.content.decode()


def test_import_of_text_that_is_not_json_says_so_and_makes_nothing(composer_client):
    response = composer_client.post(reverse("campaigns:campaign_import"), {"text": "{oops"})
    assert response.status_code == 200
    assert "This is not valid JSON" in response.content.decode()
    assert not Campaign.objects.exists()


def test_import_of_json_that_is_not_an_object_says_so(composer_client):
    response = composer_client.post(reverse("campaigns:campaign_import"), {"text": "[1, 2]"})
    assert response.status_code == 200
    assert "must be a JSON object" in response.content.decode()


def test_import_with_nothing_asks_for_a_body(composer_client):
    response = composer_client.post(reverse("campaigns:campaign_import"), {"text": "  "})
    assert view_forms.IMPORT_EMPTY in response.content.decode()


@pytest.mark.parametrize("example", list(EXAMPLES.values())[::5], ids=lambda e: e.name)
def test_export_downloads_the_body_as_imported(composer_client, composer_user, example):
    campaign = services.campaign_import(
        user=composer_user, body=example.body, endpoint=example.endpoint
    ).campaign
    response = composer_client.get(reverse("campaigns:campaign_export", args=[campaign.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="campaign-{campaign.pk}.json"'
    # As a draft keeps it: estimate_only dropped, and (16) `latitiude` written `latitude`.
    assert same_json(json.loads(response.content), payload_checks.as_drafted(example.body))


def test_import_keeps_a_missing_target_mode_absent_and_the_draft_is_push(
    composer_client, composer_user
):
    body = {
        "name": "No channel named",
        "where": {},
        "when": "now",
        "content": {"title": "Hi", "body": "There"},
    }
    imported = services.campaign_import(user=composer_user, body=body)
    campaign = imported.campaign
    assert (campaign.api, campaign.channel) == (Api.TARGETS, "push")
    assert imported.errors == [] and "target_mode" not in campaign.body
    response = composer_client.get(reverse("campaigns:campaign_export", args=[campaign.pk]))
    assert json.loads(response.content) == body


def test_the_composer_offers_curl_with_the_passcode_as_a_variable(composer_client, composer_user):
    campaign = draft(composer_user, "Curl me")
    html = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    assert "X-CleverTap-Passcode: $CLEVERTAP_PASSCODE" in html
    assert "/1/targets/create.json" in html


def test_clone_opens_the_copy(composer_client, composer_user):
    original = draft(composer_user, "Original", channel="email", labels=["a"])
    response = composer_client.post(reverse("campaigns:campaign_clone", args=[original.pk]))
    clone = Campaign.objects.exclude(pk=original.pk).get()
    assert response.url == reverse("campaigns:composer", args=[clone.pk])
    assert clone.name == "Original (copy)"


def test_archive_and_restore_keep_the_draft(composer_client, composer_user):
    campaign = draft(composer_user, "Keep me")
    back = reverse("campaigns:draft_list") + "?q=Keep"
    response = composer_client.post(
        reverse("campaigns:campaign_archive", args=[campaign.pk]), {"next": back}
    )
    assert response.url == back
    campaign.refresh_from_db()
    assert campaign.status == Status.ARCHIVED
    composer_client.post(reverse("campaigns:campaign_restore", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == Status.DRAFT


def test_archive_does_not_follow_a_foreign_next_url(composer_client, composer_user):
    campaign = draft(composer_user, "Keep me")
    response = composer_client.post(
        reverse("campaigns:campaign_archive", args=[campaign.pk]),
        {"next": "https://evil.example/"},
    )
    assert response.url == reverse("campaigns:draft_list")


def test_a_published_campaign_cannot_be_archived(composer_client, composer_user):
    campaign = draft(composer_user, "Sent", status=Status.PUBLISHED)
    composer_client.post(reverse("campaigns:campaign_archive", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == Status.PUBLISHED


def test_demo_drafts_load_once(composer_user):
    first = demo.demo_drafts_ensure(composer_user)
    assert first == len(demo.DEMO_DRAFTS)
    assert demo.demo_drafts_ensure(composer_user) == 0
    channels = set(Campaign.objects.values_list("channel", flat=True))
    assert {"push", "email", "sms", "webhook", "whatsapp"} <= channels


def row_of(response, campaign) -> selectors.DraftRow:
    return next(row for row in response.context["rows"] if row.campaign.pk == campaign.pk)


def test_the_list_says_when_each_draft_sends(composer_client, composer_user, settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    now = draft_helpers.new_draft(composer_user, {**draft_helpers.PUSH_BODY, "name": "Now"})
    at = timezone.localtime(timezone.now() + datetime.timedelta(days=3), ZoneInfo("Asia/Kolkata"))
    scheduled = draft_helpers.new_draft(
        composer_user,
        {**draft_helpers.PUSH_BODY, "name": "Later", "when": at.strftime("%Y%m%d %H:%M")},
    )
    recurring = draft_helpers.new_draft(
        composer_user,
        {
            **draft_helpers.PUSH_BODY,
            "name": "Weekly",
            "when": {
                "type": "recurring",
                "start_time": "20301212 10:00",
                "repeat_type": "week",
                "repeats_every": 1,
                "repeat_on_days_of_week": [7],
            },
        },
    )
    user_time = draft_helpers.new_draft(
        composer_user,
        {
            **draft_helpers.PUSH_BODY,
            "name": "In their time",
            "when": {
                "type": "later",
                "delivery_date_time": [at.strftime("%Y%m%d %H:%M")],
                "delivery_timezone": "user",
            },
        },
    )
    this_year = timezone.localtime(timezone.now(), ZoneInfo("Asia/Kolkata")).year
    every_third_day = draft_helpers.new_draft(
        composer_user,
        {
            **draft_helpers.PUSH_BODY,
            "name": "Every third day",
            "when": {
                "type": "recurring",
                "start_time": f"{this_year}0102 09:00",
                "repeat_type": "day",
                "repeats_every": 3,
            },
        },
    )
    identities = draft_helpers.new_draft(
        composer_user,
        draft_helpers.email_send_body(draft_helpers.emails(2)),
        api=Api.SEND,
        channel="email",
    )
    response = composer_client.get(reverse("campaigns:draft_list"))
    assert row_of(response, now).next_send == selectors.NEXT_SEND_NOW
    assert row_of(response, scheduled).next_send == at.strftime("%-d %b %Y, %H:%M")
    assert row_of(response, recurring).next_send == selectors.NEXT_SEND_RECURRING.format(
        every="weekly", start="12 Dec 2030"
    )
    assert row_of(response, user_time).next_send == selectors.NEXT_SEND_IN_USER_TIME.format(
        at=at.strftime("%-d %b %Y, %H:%M")
    )
    assert row_of(response, every_third_day).next_send == "Recurring: every 3 days from 2 Jan"
    assert row_of(response, identities).next_send == selectors.NEXT_SEND_NOW
    assert row_of(response, identities).channel == "Email, by identities"
    assert row_of(response, now).channel == "Push"
    page = response.content.decode()
    assert f'datetime="{at.replace(second=0, microsecond=0).isoformat()}"' in page
    assert "Recurring: weekly from 12 Dec 2030" in page


def test_the_list_shows_the_latest_estimate_with_its_age(composer_client, composer_user):
    estimated = draft_helpers.new_draft(composer_user)
    older = draft_helpers.estimated(estimated, 900)
    Estimate.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    latest = draft_helpers.estimated(estimated, 12_400)
    Estimate.objects.filter(pk=latest.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2, minutes=5)
    )
    never = draft_helpers.new_draft(composer_user, {**draft_helpers.PUSH_BODY, "name": "Never"})
    response = composer_client.get(reverse("campaigns:draft_list"))
    assert row_of(response, estimated).estimate == "12,400 · 2 h ago"
    assert selectors.AGE_HOURS.format(count=2) == "2 h ago"
    assert row_of(response, never).estimate == selectors.NO_VALUE
    assert "12,400 · 2 h ago" in response.content.decode()


def test_the_list_counts_each_drafts_problems_as_saved(composer_client, composer_user):
    ready = draft_helpers.new_draft(composer_user)
    broken = draft_helpers.new_draft(composer_user, {**draft_helpers.PUSH_BODY, "name": "Broken"})
    draft_helpers.edit(broken, composer_user, when="tomorrow", content={"title": 5})
    count = len(selectors.campaign_errors(draft_helpers.fresh(broken)))
    assert count >= 2
    response = composer_client.get(reverse("campaigns:draft_list"))
    assert row_of(response, ready).readiness == selectors.READY
    assert row_of(response, broken).readiness == selectors.PROBLEMS.format(count=count, plural="s")
    assert f"{count} problems" in response.content.decode()


def test_the_list_gives_the_reviews_word(people, composer_client, composer_user):
    sent_back = draft_helpers.submitted(draft_helpers.new_draft(composer_user), people)
    approvals.campaign_request_changes(
        campaign=sent_back, user=people["reviewer"], text="Shorter title, please."
    )
    waiting = draft_helpers.submitted(
        draft_helpers.new_draft(composer_user, {**draft_helpers.PUSH_BODY, "name": "Waiting"}),
        people,
    )
    approved = draft_helpers.approved(
        draft_helpers.new_draft(composer_user, {**draft_helpers.PUSH_BODY, "name": "Good"}), people
    )
    response = composer_client.get(reverse("campaigns:draft_list"))
    row = row_of(response, sent_back)
    assert (row.status, row.status_detail) == (selectors.STATUS_CHANGES_REQUESTED, "by reviewer")
    row = row_of(response, waiting)
    assert (row.status, row.status_detail) == ("In review", "submitted by composer")
    row = row_of(response, approved)
    assert (row.status, row.status_detail) == ("Approved", "by reviewer")
    assert "Changes requested" in response.content.decode()


def test_the_pages_are_numbered_and_keep_the_filters(composer_client, composer_user):
    Campaign.objects.bulk_create(
        Campaign(name=f"Draft {n:03}", owner=composer_user, channel="sms") for n in range(500)
    )
    url = reverse("campaigns:draft_list")
    response = composer_client.get(url, {"channel": "sms", "sort": "name", "page": "10"})
    page = html.unescape(response.content.decode())
    nav = page[page.index('<nav aria-label="Pages">') :]
    numbers = re.findall(r'href="\?channel=sms&sort=name&page=(\d+)"', nav)
    # Previous, 1 … 8 9 [10] 11 12 … 20, Next.
    assert numbers == ["9", "1", "8", "9", "10", "11", "12", "20", "11"]
    assert nav.count("…") == 2
    assert re.search(r'aria-current="page"><span class="visually-hidden">Page </span>10<', nav)
    assert nav.count("aria-current") == 1
    assert 'hx-get="?channel=sms&sort=name&page=11"' in nav
    fragment = composer_client.get(
        url, {"channel": "sms", "sort": "name", "page": "20"}, headers={"HX-Request": "true"}
    )
    assert names(fragment) == [f"Draft {n:03}" for n in range(475, 500)]
    assert 'aria-current="page"><span class="visually-hidden">Page </span>20<' in (
        fragment.content.decode()
    )


@pytest.mark.parametrize("count", [10, 100])
def test_the_lists_columns_cost_no_query_per_draft(
    people, composer_client, composer_user, django_assert_num_queries, count
):
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            name=f"Draft {n:03}",
            owner=composer_user,
            problem_count=n % 3,
            body={"name": f"Draft {n}", "when": draft_helpers.later(n % 5 + 1)},
        )
        for n in range(count)
    )
    for campaign in campaigns:
        draft_helpers.estimated(campaign, 1000 + campaign.pk)
    AuditEvent.objects.bulk_create(
        AuditEvent(campaign=campaign, actor=people["reviewer"], action=AuditAction.APPROVED)
        for campaign in campaigns
    )
    Campaign.objects.update(status=Status.APPROVED)
    url = reverse("campaigns:draft_list")
    composer_client.get(url)
    # Session, user, owners, count, page, permissions (1: `roles.permissions_of`).
    with django_assert_num_queries(6):
        response = composer_client.get(url, {"page": "1"})
    assert len(response.context["rows"]) == min(count, drafts.PAGE_SIZE)
    assert all(row.status_detail == "by reviewer" for row in response.context["rows"])
    assert all(
        row.estimate.startswith(f"{1000 + row.campaign.pk:,} ·") for row in response.context["rows"]
    )
