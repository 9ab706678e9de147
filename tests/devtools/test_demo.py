import pytest
from django.core.management import call_command

from campaigns import selectors
from campaigns.models import AccountSettings, Campaign, ProfileProperty, TestRecipient
from sandbox import selectors as sandbox_selectors
from sandbox.models import Profile

pytestmark = pytest.mark.django_db


def test_the_demo_setup_runs_twice_and_its_drafts_are_valid(capsys):
    call_command("demo", no_serve=True, profiles=200)
    call_command("demo", no_serve=True, profiles=200)
    output = capsys.readouterr().out
    assert "composer" in output and "compose-demo-2026" in output
    assert Profile.objects.count() == 200
    drafts = list(Campaign.objects.all())
    assert len(drafts) == 5
    for draft in drafts:
        assert selectors.campaign_errors(draft) == [], draft.name


def test_the_demo_has_the_liquid_beta_in_the_app_and_the_sandbox_and_knows_the_properties(settings):
    settings.SANDBOX_ENABLED = True
    call_command("demo", no_serve=True, profiles=50)

    assert AccountSettings.current().liquid_api_beta
    assert sandbox_selectors.liquid_api_beta()
    known = set(ProfileProperty.objects.values_list("name", flat=True))
    assert {"Name", "City", "Customer Type", "Preferred Language"} <= known


def test_the_demo_composer_has_test_recipients_from_the_sample_audience_once(settings):
    settings.SANDBOX_ENABLED = True
    call_command("demo", no_serve=True, profiles=50)
    call_command("demo", no_serve=True, profiles=50)

    recipients = list(TestRecipient.objects.filter(user__username="composer"))
    assert [recipient.label for recipient in recipients] == ["Sample phone", "Sample inbox"]
    person = Profile.objects.get(identity=recipients[0].value)
    assert person.email == recipients[1].value and person.has_android
