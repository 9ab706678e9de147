"""Data migrations, run on data as they found it."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from campaigns import selectors
from campaigns.models import Campaign, IdentityList
from tests import drafts

pytestmark = pytest.mark.django_db


def test_0015_counts_the_problems_of_drafts_saved_before_the_count(composer_user):
    migration = importlib.import_module("campaigns.migrations.0015_campaign_problem_count")
    ready = drafts.new_draft(composer_user)
    broken = drafts.new_draft(composer_user, {**drafts.PUSH_BODY, "when": "tomorrow"})
    Campaign.objects.update(problem_count=None)
    migration.count_problems(state_after(migration), None)
    assert drafts.fresh(ready).problem_count == 0
    broken = drafts.fresh(broken)
    assert broken.problem_count == len(selectors.campaign_errors(broken)) > 0


def state_after(migration) -> object:
    """The models as they were once `migration` had run (the ones it was written against)."""
    loader = MigrationExecutor(connection).loader
    name = migration.__name__.rsplit(".", 1)[1]
    return loader.project_state(("campaigns", name)).apps


def test_0017_moves_the_identity_lists_into_their_table_once(composer_user):
    migration = importlib.import_module("campaigns.migrations.0017_identity_lists")
    body = drafts.email_send_body(drafts.emails(5))
    first = drafts.new_draft(composer_user, body, api="send", channel="email")
    second = drafts.new_draft(composer_user, body, api="send", channel="email")
    # As saved before the migration: the list inside the stored body.
    Campaign.objects.update(stored_body=body, identity_list=None)
    IdentityList.objects.all().delete()
    migration.move_lists(state_after(migration), None)
    assert IdentityList.objects.count() == 1
    for campaign in (first, second):
        stored = Campaign.objects.get(pk=campaign.pk)
        assert stored.stored_body["to"] == {"identity_list": stored.identity_list.sha256}
        assert stored.body == body
