"""The library's services: saving a draft's content and audience, versions, applying to drafts
(an ordinary save, in the history and the audit log), relative dates, archiving."""

import datetime

import pytest

from campaigns import models, services
from campaigns.forms import schedule as schedule_forms
from campaigns.library import parts
from campaigns.library import selectors as library
from campaigns.library import services as library_services
from campaigns.models import AuditAction, AuditEvent, LibraryKind
from tests.drafts import PUSH_BODY, estimated, fresh, new_draft

pytestmark = pytest.mark.django_db

EVENT_AUDIENCE = {
    **PUSH_BODY,
    "where": {"event_name": "App Launched", "from": 20260101, "to": 20260105},
}


def template_of(people, body=None):
    draft = new_draft(people["composer"], body)
    return library_services.template_save_from_draft(
        campaign=draft, user=people["composer"], name="Spring", labels=["sale"]
    ), draft


def test_a_template_holds_the_draft_content_only(people):
    template, _ = template_of(people)

    assert template.kind == LibraryKind.TEMPLATE and template.channel == "push"
    assert template.versions.get(number=1).content == {"body": {"content": PUSH_BODY["content"]}}
    assert template.labels == ["sale"]
    assert AuditEvent.objects.filter(action=AuditAction.LIBRARY_SAVED).count() == 1


def test_starting_from_a_template_copies_its_content_and_records_the_use(people):
    template, _ = template_of(people)

    campaign = library_services.campaign_from_template(item=template, user=people["composer"])

    assert campaign.body["content"] == PUSH_BODY["content"]
    assert campaign.body["target_mode"] == "push"
    use = campaign.library_uses.get()
    assert (use.item, use.version) == (template, 1)


def test_an_edit_is_a_new_version_and_the_draft_is_told_a_newer_one_exists(people):
    template, _ = template_of(people)
    campaign = library_services.campaign_from_template(item=template, user=people["composer"])

    new_content = {"body": {"content": {"title": "Summer sale", "body": "Up to 50% off"}}}
    edited = library_services.item_edit(
        item=template,
        user=people["composer"],
        base_version=1,
        name="Spring",
        content=new_content,
    )

    assert edited.version == 2
    assert fresh(campaign).body["content"] == PUSH_BODY["content"]  # never changed by an edit
    [newer] = library.newer_versions(library.draft_uses(campaign))
    assert newer.item == template and "content.title" in newer.diff.changed_paths


def test_updating_a_draft_is_a_revision_with_a_note_and_an_audit_line(people):
    template, _ = template_of(people)
    campaign = library_services.campaign_from_template(item=template, user=people["composer"])
    library_services.item_edit(
        item=template,
        user=people["composer"],
        base_version=1,
        name="Spring",
        content={"body": {"content": {"title": "Summer", "body": "Hi"}}},
    )

    saved = library_services.apply_to_draft(
        campaign=fresh(campaign),
        item=fresh_item(template),
        user=people["composer"],
        base_version=campaign.version,
    )

    assert saved.body["content"] == {"title": "Summer", "body": "Hi"}
    revision = saved.revisions.get(version=saved.version)
    assert revision.note == "Message template “Spring”, version 2"
    assert AuditEvent.objects.filter(action=AuditAction.LIBRARY_APPLIED, campaign=saved).exists()
    assert library.newer_versions(library.draft_uses(saved)) == []


def fresh_item(item):
    return models.LibraryItem.objects.get(pk=item.pk)


def test_a_stale_apply_is_refused(people):
    template, draft = template_of(people)
    with pytest.raises(services.StaleVersion):
        library_services.apply_to_draft(
            campaign=draft, item=template, user=people["composer"], base_version=0
        )


def test_a_template_of_another_channel_is_refused_in_words(people):
    template, _ = template_of(people)
    sms = new_draft(people["composer"], {"name": "S", "target_mode": "sms"}, channel="sms")

    with pytest.raises(library_services.LibraryError, match="push template"):
        library_services.apply_to_draft(
            campaign=sms, item=template, user=people["composer"], base_version=sms.version
        )


def test_restore_adds_a_version_with_the_old_content(people):
    template, _ = template_of(people)
    library_services.item_edit(
        item=template,
        user=people["composer"],
        base_version=1,
        name="Spring",
        content={"body": {"content": {"title": "B"}}},
    )

    restored = library_services.version_restore(
        item=fresh_item(template), number=1, user=people["composer"]
    )

    assert restored.version == 3
    assert restored.versions.get(number=3).content == restored.versions.get(number=1).content
    assert restored.versions.get(number=3).note == "Restored from version 1"


def test_an_item_in_use_is_archived_not_deleted(people):
    template, _ = template_of(people)
    library_services.campaign_from_template(item=template, user=people["composer"])

    with pytest.raises(library_services.LibraryError, match="archive it instead"):
        library_services.item_delete(item=template, user=people["composer"])
    library_services.item_set_archived(item=template, user=people["composer"], archived=True)

    assert fresh_item(template).archived
    assert AuditEvent.objects.filter(action=AuditAction.LIBRARY_ARCHIVED).exists()


def test_a_saved_audience_keeps_its_estimate_and_resolves_relative_dates_today(people):
    draft = new_draft(people["composer"], EVENT_AUDIENCE)
    estimated(draft, 1234)

    audience = library_services.audience_save_from_draft(
        campaign=fresh(draft), user=people["composer"], name="Launchers", relative_days=30
    )
    content = audience.versions.get().content
    assert content["estimate"]["reach"] == 1234
    assert content["relative_days"] == 30

    other = new_draft(people["composer"])
    saved = library_services.apply_to_draft(
        campaign=other, item=audience, user=people["composer"], base_version=other.version
    )

    today = schedule_forms.account_now().date()
    start = today - datetime.timedelta(days=30)
    assert saved.body["where"] == {
        "event_name": "App Launched",
        "from": int(start.strftime("%Y%m%d")),
        "to": int(today.strftime("%Y%m%d")),
    }
    assert saved.body["content"] == PUSH_BODY["content"]


def test_relative_dates_resolve_to_the_day_given():
    content = {"body": {"where": {"event_name": "E", "from": 1, "to": 2}}, "relative_days": 7}

    resolved = parts.resolved_audience(content, today=datetime.date(2026, 3, 10))

    assert resolved["where"] == {"event_name": "E", "from": 20260303, "to": 20260310}


def test_laying_a_part_keeps_the_rest_of_the_body_in_place():
    body = {"name": "N", "where": {}, "content": {"title": "A"}, "when": "now"}

    laid = parts.with_content(body, {"content": {"title": "B"}}, api="targets", channel="push")

    assert list(laid) == ["name", "where", "content", "when"]
    assert laid["content"] == {"title": "B"}


def test_a_draft_from_a_relative_audience_opens_with_the_dates_of_the_day(people):
    draft = new_draft(people["composer"], EVENT_AUDIENCE)
    audience = library_services.audience_save_from_draft(
        campaign=draft, user=people["composer"], name="Launchers", relative_days=7
    )
    other = new_draft(people["composer"])
    saved = library_services.apply_to_draft(
        campaign=other, item=audience, user=people["composer"], base_version=other.version
    )
    assert library.dated_body(saved, today=schedule_forms.account_now().date()) is None

    later = library.dated_body(fresh(saved), today=datetime.date(2031, 1, 8))

    assert later["where"]["from"] == 20310101 and later["where"]["to"] == 20310108


def test_an_edit_in_the_form_keeps_what_the_form_does_not_show():
    from django.http import QueryDict

    from campaigns.channels.push import PushContentForm

    original = {"content": {"title": "A", "body": "B", "unknown_key": {"x": 1}}}
    data = QueryDict(mutable=True)
    data.update(PushContentForm.parse_json(original, prefix="content").data)
    data["content-title"] = "Changed"

    edited = parts.edited(original, PushContentForm, data, prefix="content")

    assert edited["content"]["title"] == "Changed"
    assert edited["content"]["unknown_key"] == {"x": 1}


def test_the_audit_log_says_each_library_change_in_words(people):
    from campaigns import audit

    template, _ = template_of(people)
    library_services.item_set_archived(item=template, user=people["composer"], archived=True)

    summaries = [audit.event_summary(e) for e in AuditEvent.objects.order_by("pk")]

    assert summaries == [
        "Message template “Spring”, version 1",
        "Message template “Spring”",
    ]


def test_the_demo_adds_a_template_and_a_relative_audience_once(people):
    from devtools import demo

    demo.demo_drafts_ensure(people["composer"])

    assert demo.demo_library_ensure(people["composer"]) == 2
    assert demo.demo_library_ensure(people["composer"]) == 0
    kinds = sorted(models.LibraryItem.objects.values_list("kind", flat=True))
    assert kinds == ["audience", "template"]
