"""The library's pages through the test client: the lists (the same number of queries at 10 and
10,000 templates), an item, saving from a draft, applying to one, starting from a template,
import and export."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from campaigns.library import services as library_services
from campaigns.library import transfer
from campaigns.models import AuditAction, AuditEvent, Campaign, LibraryItem, LibraryKind
from devtools.bench.library import templates_fill
from tests.drafts import PUSH_BODY, fresh, new_draft

pytestmark = pytest.mark.django_db


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_templates_page_makes_as_many_queries_at_10_as_at_10000(as_user, people):
    client = as_user("reviewer")
    url = reverse("campaigns:template_list") + "?label=batch3&sort=last_used"
    templates_fill(people["composer"], total=10)
    client.get(url)  # the session and the account settings, read once
    at_10 = queries_of(client, url)
    templates_fill(people["composer"], total=10_000)

    at_10000 = queries_of(client, url)

    assert at_10 == at_10000
    page = client.get(reverse("campaigns:template_list") + "?q=Template+09999").content.decode()
    assert "Template 09999" in page and "Template 00001" not in page
    assert "iOS notification" in page  # the device preview


def test_the_audiences_page_lists_an_audience_with_its_relative_dates(as_user, people):
    draft = new_draft(people["composer"], {**PUSH_BODY, "where": {"event_name": "E"}})
    library_services.audience_save_from_draft(
        campaign=draft, user=people["composer"], name="Launchers", relative_days=30
    )

    page = as_user("publisher").get(reverse("campaigns:audience_list")).content.decode()

    assert "Launchers" in page and "the last 30 days" in page


def test_the_library_is_the_current_page_of_the_menu_on_each_library_page(as_user, people):
    draft = new_draft(people["composer"])
    item = library_services.template_save_from_draft(
        campaign=draft, user=people["composer"], name="Spring"
    )
    client = as_user("composer")
    current = 'active" aria-current="page" href="/library/templates/">Library</a>'

    for url in (
        reverse("campaigns:template_list"),
        reverse("campaigns:audience_list"),
        reverse("campaigns:library_item", args=[item.pk]),
        reverse("campaigns:library_import"),
    ):
        assert current in client.get(url).content.decode(), url
    assert current not in client.get(reverse("campaigns:draft_list")).content.decode()


def test_choosing_a_template_when_there_is_none_says_how_to_make_one(as_user, people):
    draft = new_draft(people["composer"])
    url = reverse("campaigns:library_apply", args=[draft.pk]) + "?kind=template"

    text = as_user("composer").get(url).content.decode()

    assert 'id="library-choices-empty"' in text
    assert "No message template for Push yet" in text and "“Save as template”" in text


def test_a_saved_audience_says_who_it_reaches_in_the_who_steps_words(as_user, people):
    draft = new_draft(
        people["composer"],
        {**PUSH_BODY, "where": {"event_name": "App Launched", "from": 20260101, "to": 20260102}},
    )
    item = library_services.audience_save_from_draft(
        campaign=draft, user=people["composer"], name="Launchers", relative_days=None
    )
    client = as_user("publisher")
    words = "People who did App Launched"

    for url in (
        reverse("campaigns:audience_list"),
        reverse("campaigns:library_item", args=[item.pk]),
        reverse("campaigns:library_apply", args=[draft.pk]) + f"?item={item.pk}",
    ):
        page = client.get(url).content.decode()
        assert 'class="mb-1 audience-who">' + words in page, url


def test_saving_a_template_from_the_composer_and_starting_a_campaign(as_user, people):
    client = as_user("composer")
    draft = new_draft(people["composer"])
    composer_page = client.get(reverse("campaigns:composer", args=[draft.pk])).content.decode()
    assert "Save as template" in composer_page

    response = client.post(
        reverse("campaigns:library_save", args=[draft.pk, "template"]),
        {"name": "Spring", "description": "", "labels": "sale\nspring"},
    )
    item = LibraryItem.objects.get()
    assert response.url == reverse("campaigns:library_item", args=[item.pk])
    assert item.labels == ["sale", "spring"]

    response = client.post(reverse("campaigns:library_start", args=[item.pk]))
    started = Campaign.objects.latest("pk")
    assert response.url == reverse("campaigns:composer", args=[started.pk])
    assert started.body["content"] == PUSH_BODY["content"]
    item_page = client.get(reverse("campaigns:library_item", args=[item.pk])).content.decode()
    assert started.name in item_page  # where used


def test_a_save_without_a_name_says_so_and_keeps_what_was_typed(as_user, people):
    draft = new_draft(people["composer"])

    response = as_user("composer").post(
        reverse("campaigns:library_save", args=[draft.pk, "template"]),
        {"name": "", "description": "Kept text"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert library_services.NAME_REQUIRED in page and "Kept text" in page
    assert not LibraryItem.objects.exists()


def test_editing_a_template_shows_the_newer_version_on_the_draft_and_updates_it(as_user, people):
    client = as_user("composer")
    draft = new_draft(people["composer"])
    item = library_services.template_save_from_draft(
        campaign=draft, user=people["composer"], name="Spring"
    )
    started = library_services.campaign_from_template(item=item, user=people["composer"])
    form = client.get(reverse("campaigns:library_edit", args=[item.pk]))
    assert form.status_code == 200

    response = client.post(
        reverse("campaigns:library_edit", args=[item.pk]),
        {
            "name": "Spring",
            "labels": "",
            "description": "",
            "base_version": "1",
            "content-SHOWN": "1",
            "content-title": "Summer sale",
            "content-body": "Up to 40% off",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert item.version == 2

    page = client.get(reverse("campaigns:composer", args=[started.pk])).content.decode()
    assert "version 2 is newer" in page and "Summer sale" in page

    response = client.post(
        reverse("campaigns:library_apply", args=[started.pk]),
        {"item": item.pk, "version": "2", "base_version": str(started.version)},
    )
    assert response.status_code == 302
    assert fresh(started).body["content"]["title"] == "Summer sale"
    assert (
        AuditEvent.objects.filter(action=AuditAction.LIBRARY_APPLIED, campaign=started).count() == 2
    )


def test_applying_asks_first_when_it_replaces_content(as_user, people):
    draft = new_draft(people["composer"])
    item = library_services.template_save_from_draft(
        campaign=draft, user=people["composer"], name="Spring"
    )
    other = new_draft(people["composer"], {**PUSH_BODY, "content": {"title": "Mine"}})

    page = as_user("composer").get(
        reverse("campaigns:library_apply", args=[other.pk]) + f"?item={item.pk}"
    )

    assert "This replaces the draft" in page.content.decode()
    assert fresh(other).body["content"] == {"title": "Mine"}


def test_applying_what_the_draft_already_has_says_it_changes_nothing(as_user, people):
    draft = new_draft(people["composer"])
    item = library_services.template_save_from_draft(
        campaign=draft, user=people["composer"], name="Spring"
    )

    page = as_user("composer").get(
        reverse("campaigns:library_apply", args=[draft.pk]) + f"?item={item.pk}"
    )

    text = page.content.decode()
    assert 'id="apply-same"' in text and "changes nothing" in text
    assert "This replaces the draft" not in text and "Replace and save" not in text


def test_export_and_import_files_through_the_pages(as_user, people):
    client = as_user("composer")
    draft = new_draft(people["composer"])
    library_services.template_save_from_draft(campaign=draft, user=people["composer"], name="A")
    exported = client.get(reverse("campaigns:library_export"))
    document = json.loads(exported.content)
    LibraryItem.objects.all().delete()

    upload = SimpleUploadedFile("library.json", exported.content, "application/json")
    response = client.post(reverse("campaigns:library_import"), {"file": upload})

    assert response.status_code == 302
    assert LibraryItem.objects.get().name == document["items"][0]["name"]
    bad = SimpleUploadedFile("x.json", b"{nope", "application/json")
    refused = client.post(reverse("campaigns:library_import"), {"file": bad})
    assert refused.status_code == 200 and "import-error" in refused.content.decode()
    # In words, with the place: not the JSON parser's own text.
    assert "at line 1, column 6" in refused.content.decode()
    assert "Expecting" not in refused.content.decode()
    not_library = SimpleUploadedFile("x.json", b'{"a": 1}', "application/json")
    refused = client.post(reverse("campaigns:library_import"), {"file": not_library})
    assert escape(transfer.NOT_A_LIBRARY) in refused.content.decode()


def test_a_reviewer_reads_but_cannot_save(as_user, people):
    draft = new_draft(people["composer"])
    item = library_services.template_save_from_draft(
        campaign=draft, user=people["composer"], name="Spring"
    )
    client = as_user("reviewer")

    assert client.get(reverse("campaigns:library_item", args=[item.pk])).status_code == 200
    refused = client.post(
        reverse("campaigns:library_save", args=[draft.pk, "template"]), {"name": "X"}
    )
    assert refused.status_code == 403
    assert LibraryItem.objects.filter(kind=LibraryKind.TEMPLATE).count() == 1


def test_every_channel_template_page_shows_its_device_preview(as_user, people):
    for channel, content in (
        ("email", {"subject": "Hi", "sender_name": "Shop", "body": "<p>Hello</p>"}),
        ("sms", {"body": "Hello"}),
    ):
        draft = new_draft(
            people["composer"],
            {"name": channel, "target_mode": channel, "where": {}, "content": content},
            channel=channel,
        )
        item = library_services.template_save_from_draft(
            campaign=draft, user=people["composer"], name=f"{channel} template"
        )
        page = as_user("reviewer").get(reverse("campaigns:library_item", args=[item.pk]))
        assert page.status_code == 200 and "On a device" in page.content.decode()


def test_a_draft_from_a_relative_audience_opens_with_todays_dates(as_user, people):
    import datetime

    from campaigns.forms import schedule as schedule_forms
    from campaigns.views import composer as composer_views
    from tests.drafts import edit

    source = new_draft(people["composer"], {**PUSH_BODY, "where": {"event_name": "E"}})
    audience = library_services.audience_save_from_draft(
        campaign=source, user=people["composer"], name="Recent", relative_days=7
    )
    draft = new_draft(people["composer"])
    library_services.apply_to_draft(
        campaign=draft, item=audience, user=people["composer"], base_version=draft.version
    )
    edit(draft, people["composer"], where={"event_name": "E", "from": 20200101, "to": 20200108})

    page = as_user("composer").get(reverse("campaigns:composer", args=[draft.pk]))

    today = schedule_forms.account_now().date()
    week_ago = (today - datetime.timedelta(days=7)).strftime("%Y%m%d")
    html = page.content.decode()
    assert escape(composer_views.DATES_MOVED) in html
    preview = html[html.index('id="preview-json"') :]
    preview = preview[: preview.index("</pre>")]
    assert week_ago in preview and "20200101" not in preview


def test_adding_a_row_on_the_edit_page_saves_nothing_and_shows_the_row(as_user, people):
    draft = new_draft(people["composer"])
    item = library_services.template_save_from_draft(
        campaign=draft, user=people["composer"], name="Spring"
    )
    client = as_user("composer")
    from devtools.bench.formdata import submitted_data

    html = client.get(reverse("campaigns:library_edit", args=[item.pk])).content.decode()
    data = submitted_data(html, form_id="library-edit")
    data["add_row"] = "content-slider_items"

    response = client.post(reverse("campaigns:library_edit", args=[item.pk]), data)

    assert response.status_code == 200
    assert 'name="content-slider_items-0-' in response.content.decode()
    item.refresh_from_db()
    assert item.version == 1


@pytest.mark.parametrize(
    "query",
    ["?item=abc", "?item=1&version=x", "?item=99999999999999999999", "?kind=nope"],
)
def test_tampered_links_and_posts_never_fail(as_user, people, query):
    draft = new_draft(people["composer"])
    library_services.template_save_from_draft(campaign=draft, user=people["composer"], name="A")
    client = as_user("composer")
    url = reverse("campaigns:library_apply", args=[draft.pk])

    assert client.get(url + query).status_code in {200, 404}
    posted = client.post(url, {"item": "1", "base_version": "abc", "version": "-1"})
    assert posted.status_code in {200, 302, 400, 404}


def test_the_new_page_offers_the_templates_to_start_from(as_user, people):
    draft = new_draft(people["composer"])
    item = library_services.template_save_from_draft(
        campaign=draft, user=people["composer"], name="Weekly digest"
    )

    page = as_user("composer").get(reverse("campaigns:campaign_new")).content.decode()

    assert "Start from a message template" in page
    assert reverse("campaigns:library_start", args=[item.pk]) in page


def test_one_item_exports_alone(as_user, people):
    draft = new_draft(people["composer"])
    first = library_services.template_save_from_draft(
        campaign=draft, user=people["composer"], name="First"
    )
    library_services.template_save_from_draft(campaign=draft, user=people["composer"], name="Two")

    response = as_user("publisher").get(reverse("campaigns:library_export") + f"?item={first.pk}")

    assert [item["name"] for item in json.loads(response.content)["items"]] == ["First"]
    assert f'filename="library-{first.pk}.json"' in response["Content-Disposition"]


# Editing a template runs the composer's checks on its content.


def _push_template(people):
    from campaigns.models import AccountSettings

    # Push drafts of the targets API are where CleverTap renders Liquid (in its beta).
    AccountSettings.objects.update_or_create(pk=1, defaults={"liquid_api_beta": True})
    draft = new_draft(people["composer"])
    return library_services.template_save_from_draft(
        campaign=draft, user=people["composer"], name="Spring"
    )


def _edit_post(client, item, title: str):
    return client.post(
        reverse("campaigns:library_edit", args=[item.pk]),
        {
            "name": "Spring renamed",
            "labels": "spring\nsale",
            "description": "Kept as typed",
            "base_version": str(item.version),
            "content-SHOWN": "1",
            "content-title": title,
            "content-body": "Up to 40% off",
        },
    )


def _field_block(page: str, html_name: str) -> str:
    """The field's part of the page: its wrapper, from its label to the next field."""
    return page.split(f'id="div_id_{html_name}"')[1].split('id="div_id_')[0]


def test_an_invalid_liquid_title_is_refused_at_its_field_with_nothing_typed_lost(as_user, people):
    item = _push_template(people)
    client = as_user("composer")
    title = "Hi {{Profile.Name}} {% if %}"

    response = _edit_post(client, item, title)

    assert response.status_code == 400
    page = response.content.decode()
    field = _field_block(page, "content-title")
    assert "is-invalid" in field and "invalid-feedback" in field
    assert 'value="' + escape(title) + '"' in field
    assert 'value="Spring renamed"' in page and "Kept as typed" in page
    assert ">\nspring\nsale</textarea>" in page
    summary = page.split('id="edit-errors"')[1].split("</div>")[0]
    assert "Not saved" in summary and 'href="#id_content-title"' in summary
    item.refresh_from_db()
    assert (item.version, item.name, item.versions.count()) == (1, "Spring", 1)
    assert not AuditEvent.objects.filter(action=AuditAction.LIBRARY_EDITED).exists()


def test_a_valid_liquid_title_still_makes_a_new_version(as_user, people):
    item = _push_template(people)
    title = 'Hi {{ Profile.Name | default: "there" }}'

    response = _edit_post(as_user("composer"), item, title)

    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert item.version == 2 and item.name == "Spring renamed"
    assert item.versions.get(number=2).content["body"]["content"]["title"] == title


def test_a_warning_is_shown_but_does_not_block_the_new_version(as_user, people):
    item = _push_template(people)
    client = as_user("composer")
    title = "Hi @Profile.Name"

    response = _edit_post(client, item, title)

    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert item.version == 2
    assert item.versions.get(number=2).content["body"]["content"]["title"] == title
    page = client.get(reverse("campaigns:library_edit", args=[item.pk])).content.decode()
    warnings = page.split('id="edit-warnings"')[1].split("</div>")[0]
    assert 'href="#id_content-title"' in warnings and "@Profile.Name" in warnings
    assert 'id="edit-errors"' not in page


def test_labels_are_one_per_line_and_a_comma_in_one_is_refused_in_words(as_user, people):
    client = as_user("composer")
    draft = new_draft(people["composer"])

    response = client.post(
        reverse("campaigns:library_save", args=[draft.pk, "template"]),
        {"name": "Spring", "description": "Kept", "labels": "sale\nspring, summer"},
    )

    assert response.status_code == 200
    assert not LibraryItem.objects.exists()
    page = response.content.decode()
    assert "“spring, summer” has a comma: put each label on its own line." in page
    assert "Kept" in page and "spring, summer" in page
