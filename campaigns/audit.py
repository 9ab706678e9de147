"""The audit log: who did what, when, to which draft. Written by the workflows (review, publishing)
and by the admin's change log, read by the audit page; never edited.

Low level on purpose: it imports the models and no workflow, so that every workflow can record
what it did without importing another.
"""

from typing import Any

from django.contrib.admin.models import LogEntry
from django.db.models import QuerySet
from django.db.models.signals import post_save
from django.dispatch import receiver

from campaigns import models


def audit_record(
    *,
    actor,
    action: str,
    campaign: models.Campaign | None = None,
    campaign_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> models.AuditEvent:
    """Write one line of the audit log (never edited afterwards)."""
    return models.AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        campaign_id=campaign.pk if campaign is not None else campaign_id,
        details=details or {},
    )


def status_change_record(
    *, campaign_id: int, user, action: str, before: str, after: str, **details: Any
) -> None:
    audit_record(
        actor=user,
        action=action,
        campaign_id=campaign_id,
        details={"from": before, "to": after, **details},
    )


def publish_refused_record(*, campaign: models.Campaign, user, message: str) -> None:
    audit_record(
        actor=user,
        action=models.AuditAction.PUBLISH_REFUSED,
        campaign=campaign,
        details={"version": campaign.version, "message": message},
    )


def publish_sent_record(*, attempt: models.PublishAttempt) -> None:
    audit_record(
        actor=attempt.user,
        action=models.AuditAction.PUBLISH_SENT,
        campaign_id=attempt.campaign_id,
        details={
            "attempt": attempt.pk,
            "state": attempt.state,
            "clevertap_id": attempt.clevertap_id,
            "error": attempt.error,
        },
    )


def audit_list(
    *, campaign_id: int | None = None, actor_id: int | None = None, action: str = ""
) -> QuerySet[models.AuditEvent]:
    events = models.AuditEvent.objects.select_related("actor", "campaign").order_by(
        "-created_at", "-id"
    )
    if campaign_id is not None:
        events = events.filter(campaign_id=campaign_id)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if action:
        events = events.filter(action=action)
    return events


# Settings changed in the admin (connected when the app is ready: `CampaignsConfig.ready`).


@receiver(post_save, sender=LogEntry)
def _admin_change_audited(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    if created:
        admin_change_record(entry=instance)


def admin_change_record(*, entry: LogEntry) -> None:
    """One admin change (account settings, users and roles, drafts) as an audit line.

    Only what changed is kept (the admin's change message names the fields), never the values:
    settings may hold addresses or tokens.
    """
    content_type = entry.content_type
    audit_record(
        actor=entry.user,
        action=models.AuditAction.SETTINGS_CHANGED,
        campaign_id=(
            int(entry.object_id)
            if content_type is not None
            and (content_type.app_label, content_type.model) == ("campaigns", "campaign")
            and str(entry.object_id).isdigit()
            else None
        ),
        details={
            "model": f"{content_type.app_label}.{content_type.model}" if content_type else "",
            "object_id": str(entry.object_id or ""),
            "object": entry.object_repr,
            "change": {1: "added", 2: "changed", 3: "deleted"}.get(entry.action_flag, ""),
            "message": entry.get_change_message(),
        },
    )
