"""Data migrations, run on data as they found it."""

import importlib

import pytest
from django.apps import apps

from campaigns import selectors
from campaigns.models import Campaign
from tests import drafts

pytestmark = pytest.mark.django_db


def test_0015_counts_the_problems_of_drafts_saved_before_the_count(composer_user):
    migration = importlib.import_module("campaigns.migrations.0015_campaign_problem_count")
    ready = drafts.new_draft(composer_user)
    broken = drafts.new_draft(composer_user, {**drafts.PUSH_BODY, "when": "tomorrow"})
    Campaign.objects.update(problem_count=None)
    migration.count_problems(apps, None)
    assert drafts.fresh(ready).problem_count == 0
    broken = drafts.fresh(broken)
    assert broken.problem_count == len(selectors.campaign_errors(broken)) > 0
