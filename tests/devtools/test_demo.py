import pytest
from django.core.management import call_command

from campaigns import selectors
from campaigns.models import Campaign
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
