"""Team review: the revisions of a draft, the approvals bound to one exact body, the comments
beside it, and the audit log of everything that changed a state.

An approval holds the hash of the request body it approved (`payloads.body_hash`). Publishing
checks that hash against the draft's body at the last moment, so an approval can never stand for
a body nobody approved; a save that changes the body also voids it visibly (`voided_at`, with the
reason), and the draft goes back to draft.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from campaigns.models.drafts import Campaign
from campaigns.models.identity_lists import ListedBody
from campaigns.models.publishing import Estimate


class Revision(ListedBody):
    """One saved version of a draft: who saved it, when, and the whole body as saved (its
    identity list by reference: `ListedBody`)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    api = models.CharField(max_length=10)
    channel = models.CharField(max_length=20)
    body_hash = models.CharField(max_length=64)
    # Why this revision exists when it is not an ordinary save ("Restored from version 3").
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-version", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="revision_unique_version")
        ]
        indexes = [models.Index(fields=["campaign", "body_hash"])]

    def __str__(self) -> str:
        return f"{self.campaign_id} v{self.version}"


class Approval(models.Model):
    """A reviewer's approval of one exact body of a draft (standing until voided)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="approvals")
    version = models.PositiveIntegerField()
    body_hash = models.CharField(max_length=64)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The estimated reach of this body when it was approved (None: not estimated then); the
    # reach-drift guard compares the latest estimate with it.
    reach = models.PositiveBigIntegerField(null=True, blank=True)
    estimate = models.ForeignKey(
        Estimate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_reason = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "voided_at"])]

    def __str__(self) -> str:
        return f"Approval of {self.campaign_id} v{self.version} by {self.reviewer_id}"


class Comment(models.Model):
    """A comment on a draft, on the whole of it or on one section or field path."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The draft's version when the comment was written.
    version = models.PositiveIntegerField()
    text = models.TextField()
    # A composer section prefix ("content", "schedule"), and/or a JSON path ("content.title").
    section = models.CharField(max_length=40, blank=True, default="")
    path = models.CharField(max_length=300, blank=True, default="")
    # Resolved: dealt with, hidden in the composer, marked so on the review page.
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["campaign", "created_at"])]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.campaign_id}"


class AuditAction(models.TextChoices):
    SUBMITTED = "submitted", "Submitted for review"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVAL_VOIDED = "approval_voided", "Approval voided"
    REVISION_RESTORED = "revision_restored", "Revision restored"
    ARCHIVED = "archived", "Archived"
    UNARCHIVED = "unarchived", "Back to the drafts"
    PUBLISH_REQUESTED = "publish_requested", "Publish requested"
    PUBLISH_REFUSED = "publish_refused", "Publish refused"
    PUBLISH_CANCELLED = "publish_cancelled", "Publish cancelled"
    PUBLISH_SENT = "publish_sent", "Publish sent to CleverTap"
    PUBLISHED = "published", "Published"
    STOPPED = "stopped", "Stopped"
    SETTINGS_CHANGED = "settings_changed", "Settings changed"
    COMMENTED = "commented", "Comment added"
    COMMENT_RESOLVED = "comment_resolved", "Comment resolved"
    # A draft's content sent to its sender's own test recipients (`publishing.test_sends`).
    TEST_SENT = "test_sent", "Test sent"
    TEST_SEND_FAILED = "test_send_failed", "Test send failed"
    # The library (campaigns.library): templates and saved audiences.
    LIBRARY_SAVED = "library_saved", "Library: saved"
    LIBRARY_EDITED = "library_edited", "Library: new version"
    LIBRARY_RESTORED = "library_restored", "Library: version restored"
    LIBRARY_ARCHIVED = "library_archived", "Library: archived"
    LIBRARY_UNARCHIVED = "library_unarchived", "Library: back in use"
    LIBRARY_DELETED = "library_deleted", "Library: deleted"
    LIBRARY_IMPORTED = "library_imported", "Library: imported"
    LIBRARY_APPLIED = "library_applied", "Applied from the library"
    # Every CleverTap call (`publishing.records.api_call`); identity sends once per send.
    CALL_ESTIMATE = "call_estimate", "CleverTap: estimate"
    CALL_CREATE = "call_create", "CleverTap: create campaign"
    CALL_SEND = "call_send", "CleverTap: identity send"
    CALL_STOP = "call_stop", "CleverTap: stop campaign"
    CALL_REPORT = "call_report", "CleverTap: campaign report"
    CALL_LIST = "call_list", "CleverTap: campaign list"
    CALL_OTHER = "call_other", "CleverTap: other call"


class AuditEvent(models.Model):
    """Who did what, when, to which draft: written through `campaigns.audit`, never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    # What the action was about: versions, statuses from and to, messages, objects changed.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "-created_at"]),
            models.Index(fields=["action", "-created_at"]),
            models.Index(fields=["actor", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"
