"""The reads written out once (`campaigns/raw_reads.py`): the session, the person it names, the
draft a live preview reads and the account's options version answer as the ORM's queries do."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone

from campaigns import raw_reads, selectors, services
from campaigns.login import ModelBackend
from campaigns.models import AccountSettings, Api, Campaign
from campaigns.sessions import SessionStore
from tests.drafts import PUSH_BODY

pytestmark = pytest.mark.django_db


def test_a_row_is_the_model_the_orm_reads_with_the_fields_asked_for(composer_user):
    campaign = services.campaign_create(
        user=composer_user, api=Api.TARGETS, channel="push", body=PUSH_BODY
    )
    Campaign.objects.filter(pk=campaign.pk).update(set_aside=[{"group": "x", "values": {"a": 1}}])
    read = raw_reads.row(Campaign, selectors.PREVIEW_FIELDS, id=campaign.pk)
    expected = Campaign.objects.get(pk=campaign.pk)
    assert isinstance(read, Campaign)
    for name in selectors.PREVIEW_FIELDS:
        assert getattr(read, name) == getattr(expected, name), name
    # The JSON column comes back as JSON, not as its text.
    assert read.set_aside == [{"group": "x", "values": {"a": 1}}]
    assert raw_reads.row(Campaign, ["name"], id=campaign.pk + 1000) is None


def test_the_draft_for_a_preview_of_no_such_campaign_is_does_not_exist():
    with pytest.raises(Campaign.DoesNotExist):
        selectors.campaign_for_preview(123456)


def test_the_session_engine_loads_a_live_session_and_lets_an_expired_or_unknown_one_go():
    store = SessionStore()
    store["who"] = "someone"
    store.save()
    key = store.session_key
    assert SessionStore(key).load() == {"who": "someone"}

    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None

    unknown = SessionStore("x" * 32)
    assert unknown.load() == {}
    assert unknown.session_key is None


def test_the_backend_reads_the_whole_person_and_refuses_an_inactive_one():
    model = get_user_model()
    person = model.objects.create_user("reader", email="reader@example.com", password="x" * 12)
    read = ModelBackend().get_user(str(person.pk))
    expected = model.objects.get(pk=person.pk)
    for field in model._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
    assert ModelBackend().get_user(person.pk + 1000) is None
    model.objects.filter(pk=person.pk).update(is_active=False)
    assert ModelBackend().get_user(person.pk) is None


def test_a_logged_in_client_is_known_through_the_engine_and_the_backend(composer_client):
    response = composer_client.get("/")
    assert response.wsgi_request.user.username == "composer"
    assert response.wsgi_request.user.is_authenticated


def test_the_options_read_the_liquid_beta_and_version_as_stored():
    AccountSettings.objects.filter(pk=1).delete()
    assert selectors.account_options().liquid_api_beta is False
    AccountSettings.objects.create(pk=1, liquid_api_beta=True)
    assert selectors.account_options().liquid_api_beta is True
    AccountSettings.objects.filter(pk=1).update(liquid_api_beta=False)
    assert selectors.account_options().liquid_api_beta is False
