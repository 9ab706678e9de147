"""The profile properties known for the account: gathered from the sandbox's sample audience by
the demo, added by an admin, listed for the composer."""

import pytest
from django.urls import reverse

from campaigns import selectors
from campaigns.forms.options import ProfilePropertyOption
from campaigns.models import ProfileProperty
from devtools import demo
from sandbox.models import Profile

pytestmark = pytest.mark.django_db


def test_the_demo_gathers_the_sample_audiences_properties_and_keeps_an_admins():
    Profile.objects.create(identity="a", object_id="a", properties={"City": "Pune", "Plan": "Pro"})
    ProfileProperty.objects.create(name="Plan", label="Plan tier", source="admin")

    assert demo.demo_profile_properties_ensure() == 6  # City, and the five own fields
    assert demo.demo_profile_properties_ensure() == 0
    sources = dict(ProfileProperty.objects.values_list("name", "source"))
    assert sources["City"] == "sample" and sources["Name"] == "sample"
    assert sources["Plan"] == "admin"


def test_the_composer_is_offered_them_by_name():
    ProfileProperty.objects.create(name="Customer Type", label="Tier", description="Gold...")
    ProfileProperty.objects.create(name="City", source="seen")

    options = selectors.account_options(composing=True)

    assert options.profile_properties == (
        ProfilePropertyOption("City"),
        ProfilePropertyOption("Customer Type", "Tier", "Gold..."),
    )
    assert selectors.account_options().profile_properties == ()


def test_an_admin_adds_one(admin_client):
    response = admin_client.post(
        reverse("admin:campaigns_profileproperty_add"),
        {"name": "Favourite Store", "label": "", "description": "", "source": "admin"},
    )

    assert response.status_code == 302
    assert ProfileProperty.objects.get(name="Favourite Store").source == "admin"
    page = admin_client.get(reverse("admin:campaigns_profileproperty_add")).content.decode()
    assert 'value="admin" selected' in page
