"""The audit log: the admin's changes recorded without their values, and the log's filters."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from campaigns import audit
from campaigns.models import (
    AuditAction,
    AuditEvent,
    Provider,
)
from tests.drafts import approved, new_draft, submitted

pytestmark = pytest.mark.django_db


# The audit log


def test_a_settings_change_in_the_admin_is_audited_without_its_values(people):
    provider = Provider.objects.create(channel="sms", nick_name="Gateway", provider_id="42")

    LogEntry.objects.log_actions(
        people["admin"].pk,
        [provider],
        CHANGE,
        change_message=[{"changed": {"fields": ["Nick name"]}}],
    )

    event = AuditEvent.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert event.actor == people["admin"] and event.campaign is None
    assert event.details == {
        "model": "campaigns.provider",
        "object_id": str(provider.pk),
        "object": str(provider),
        "change": "changed",
        "message": "Changed Nick name.",
    }
    assert ContentType.objects.get_for_model(Provider).model == "provider"


def test_the_audit_log_filters_by_draft_user_and_action(people):
    one = approved(new_draft(people["composer"]), people)
    two = submitted(new_draft(people["composer"]), people)

    assert set(audit.audit_list(campaign_id=two.pk).values_list("action", flat=True)) == {
        AuditAction.SUBMITTED
    }
    assert list(audit.audit_list(actor_id=people["reviewer"].pk)) == list(
        AuditEvent.objects.filter(action=AuditAction.APPROVED)
    )
    assert audit.audit_list(action=AuditAction.SUBMITTED).count() == 2
    assert audit.audit_list(campaign_id=one.pk, action=AuditAction.APPROVED).count() == 1
