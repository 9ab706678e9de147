"""Export then import gives the same library, in an empty database too."""

import json

import pytest

from campaigns.library import services as library_services
from campaigns.library import transfer
from campaigns.models import LibraryItem, LibraryVersion
from tests.drafts import PUSH_BODY, new_draft

pytestmark = pytest.mark.django_db


def library_made(people):
    user = people["composer"]
    draft = new_draft(user, {**PUSH_BODY, "where": {"event_name": "E", "from": 1, "to": 2}})
    template = library_services.template_save_from_draft(
        campaign=draft, user=user, name="Spring", description="For sales", labels=["a", "b"]
    )
    library_services.item_edit(
        item=template,
        user=user,
        base_version=1,
        name="Spring",
        description="For sales",
        labels=["a", "b"],
        content={"body": {"content": {"title": "Two"}}},
    )
    library_services.audience_save_from_draft(
        campaign=draft, user=user, name="Launchers", relative_days=30
    )


def everything() -> dict:
    return transfer.export_document(LibraryItem.objects.select_related("owner").order_by("pk"))


def test_export_then_import_into_an_empty_library_gives_the_same_library(people):
    library_made(people)
    exported = json.loads(json.dumps(everything()))
    LibraryVersion.objects.all().delete()
    LibraryItem.objects.all().delete()
    assert not LibraryItem.objects.exists()

    transfer.import_document(exported, user=people["admin"])

    assert everything() == exported
    assert len(exported["items"]) == 2 and len(exported["items"][0]["versions"]) == 2


def test_importing_a_name_the_library_has_adds_a_version(people):
    library_made(people)
    exported = everything()
    exported["items"][0]["versions"][-1]["content"] = {"body": {"content": {"title": "Three"}}}

    transfer.import_document(exported, user=people["composer"])

    spring = LibraryItem.objects.get(name="Spring")
    assert spring.version == 3 and LibraryItem.objects.count() == 2


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "not a library"),
        ({"campaign_studio_library": 1, "items": [{"kind": "x"}]}, "Item 1"),
        (
            {"campaign_studio_library": 1, "items": [{"kind": "template", "name": "N"}]},
            "no versions",
        ),
    ],
)
def test_a_file_that_is_not_a_library_is_refused_in_words(people, document, message):
    with pytest.raises(ValueError, match=message):
        transfer.import_document(document, user=people["composer"])
    assert not LibraryItem.objects.exists()


def test_a_version_with_a_body_that_is_not_an_object_is_refused(people):
    document = {
        "campaign_studio_library": 1,
        "items": [{"kind": "template", "name": "N", "versions": [{"content": {"body": [1]}}]}],
    }
    with pytest.raises(ValueError, match="not an object"):
        transfer.import_document(document, user=people["composer"])
