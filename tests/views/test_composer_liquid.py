"""The Liquid checks through the composer's preview: an error at the field with the share of the
sandbox's sample audience lacking the property, and a literal warning with the beta off."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from campaigns import services
from campaigns.models import AccountSettings, Api
from sandbox.models import Profile
from tests.views.test_composer import page_data

pytestmark = pytest.mark.django_db

TITLE = "Hi {{ Profile.Name }}"


@pytest.fixture
def sample(settings):
    """Ten sample profiles, three of them without a name."""
    settings.SANDBOX_ENABLED = True
    settings.CLEVERTAP_CONFIGURED = False
    Profile.objects.bulk_create(
        Profile(identity=f"p{n}", object_id=f"o{n}", name="" if n < 3 else f"Person {n}")
        for n in range(10)
    )


def preview_of(client, campaign) -> str:
    data = page_data(client, campaign)
    response = client.post(reverse("campaigns:composer_preview", args=[campaign.pk]), data)
    assert response.status_code == 200
    return response.content.decode()


def push_draft(user):
    body = {"name": "Hi", "where": {}, "when": "now", "content": {"title": TITLE, "body": "B"}}
    return services.campaign_create(user=user, api=Api.TARGETS, channel="push", body=body)


def test_a_missing_default_is_a_problem_at_the_field_with_the_share_of_the_sample(
    composer_client, composer_user, sample
):
    AccountSettings.objects.update_or_create(pk=1, defaults={"liquid_api_beta": True})
    preview = preview_of(composer_client, push_draft(composer_user))

    errors = preview.split('id="preview-errors"')[1].split("</div>")[0]
    assert 'data-field="content-title"' in errors
    assert escape("“{{ Profile.Name }}” at character 4 has no default") in errors
    assert "30% of the sample audience has no Name." in errors


def test_with_real_credentials_the_share_is_left_out(composer_client, composer_user, settings):
    settings.SANDBOX_ENABLED = False
    settings.CLEVERTAP_CONFIGURED = True
    AccountSettings.objects.update_or_create(pk=1, defaults={"liquid_api_beta": True})
    preview = preview_of(composer_client, push_draft(composer_user))

    assert escape("“{{ Profile.Name }}” at character 4 has no default") in preview
    assert "of the sample audience" not in preview


def test_with_the_beta_off_the_tag_is_a_warning_that_it_goes_as_typed(
    composer_client, composer_user, sample
):
    preview = preview_of(composer_client, push_draft(composer_user))

    warnings = preview.split('id="preview-warnings"')[1].split("</div>")[0]
    assert 'data-field="content-title"' in warnings
    assert escape("CleverTap will send “{{ Profile.Name }}” as typed") in warnings
    assert "has no default" not in preview


def test_the_insert_control_is_marked_only_where_clevertap_renders_liquid(
    composer_client, composer_user
):
    AccountSettings.objects.update_or_create(pk=1, defaults={"liquid_api_beta": True})
    campaign = push_draft(composer_user)
    page = composer_client.get(reverse("campaigns:composer", args=[campaign.pk])).content.decode()
    assert 'data-personalize="Title"' in page and 'id="personalization-dialog"' in page
    # Fields of one label are told apart by their group: each button has its own name.
    assert 'data-personalize="Link when tapped (iOS)"' in page
    assert 'data-personalize="Link when tapped (Android)"' in page

    # A change to a send by identity lays the message out again, without the control.
    data = page_data(composer_client, campaign)
    data["composer-api"] = "send"
    data["composer-channel"] = "push"
    response = composer_client.post(
        reverse("campaigns:composer_target", args=[campaign.pk]),
        data,
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert 'id="section-content" aria-labelledby="section-content-title" hx-swap-oob="true"' in html
    assert 'name="content-title"' in html and "data-personalize" not in html
