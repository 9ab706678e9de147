"""Identity lists stored once (campaigns/models/identity_lists.py): the stored body holds a
reference, the body read back is whole."""

import pytest

from campaigns import services
from campaigns.models import Api, Campaign, IdentityList, identity_lists
from tests import drafts

pytestmark = pytest.mark.django_db


def test_a_body_with_a_list_is_stored_with_a_reference_and_read_back_whole():
    body = {"to": {"Email": ["a@x.com"], "Identity": ["1"]}, "tag_group": "t"}
    stored, listed = identity_lists.stored(body)
    assert stored == {"to": {"identity_list": listed.sha256}, "tag_group": "t"}
    assert list(stored) == list(body)
    assert listed.total == 2 and listed.counts == {"Email": 1, "Identity": 1}
    assert identity_lists.joined(stored, IdentityList.objects.get()) == body
    assert identity_lists.stored(dict(body))[1].pk == listed.pk
    assert IdentityList.objects.count() == 1


@pytest.mark.parametrize(
    "to", [None, "x", {}, {"Email": "a@x.com"}, {"Email": [1]}, {"identity_list": "abc"}]
)
def test_a_body_without_a_list_of_strings_is_stored_as_it_is(to):
    body = {"to": to, "tag_group": "t"}
    assert identity_lists.stored(body) == (body, None)


def test_a_marker_without_its_list_is_read_as_written():
    stored = {"to": {"identity_list": "0" * 64}}
    assert identity_lists.joined(stored, None) == stored


def test_a_draft_changed_in_place_and_saved_stores_its_new_list(composer_user):
    campaign = services.campaign_create(
        user=composer_user,
        api=Api.SEND,
        channel="email",
        body=drafts.email_send_body(drafts.emails(2)),
    )
    campaign.body["to"]["Email"].append("new@example.com")
    campaign.save()
    saved = Campaign.objects.get(pk=campaign.pk)
    assert saved.body["to"] == {"Email": [*drafts.emails(2), "new@example.com"]}
    assert saved.identity_list.total == 3
    saved.name = "Renamed"
    saved.save(update_fields=["name"])
    assert Campaign.objects.get(pk=campaign.pk).identity_list_id == saved.identity_list_id
