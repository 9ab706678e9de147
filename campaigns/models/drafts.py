from django.conf import settings
from django.db import models

from campaigns.models.identity_lists import ListedBody


class Api(models.TextChoices):
    """The two CleverTap API families a draft can use."""

    TARGETS = "targets", "By events and properties (targets/create.json)"
    SEND = "send", "By identities (send/<channel>.json)"


class Channel(models.TextChoices):
    """Channels, named by their `target_mode` value."""

    PUSH = "push", "Push"
    WEBPUSH = "webpush", "Web push"
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    WEBHOOK = "webhook", "Webhook"
    NOTIFICATIONINBOX = "notificationinbox", "App inbox"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    STOPPED = "stopped", "Stopped"
    ARCHIVED = "archived", "Archived"


class Campaign(ListedBody):
    """A draft: its metadata and the CleverTap request body it stands for.

    `body` is the request body as built from the forms, invalid values included, so that nothing a
    person typed or imported is ever thrown away. A send draft's identity list is its body's `to`
    (it can hold a million identities), stored once in its own table (`ListedBody`); publishing
    splits it into requests of at most 1000.

    `set_aside` holds what a change of channel or API family left out of the body, so that
    switching back brings it back (`composer.py` writes and reads it): a list of
    `{"api", "channel", "part", "body"}`, each the part of the body that section held under that
    API family and channel. It is saved with the body, under the same version, and never sent.
    """

    # The status groups, defined once. A draft can be edited, and published (an approval of its
    # exact body is needed besides), until it is published, stopped or archived; reviewers act on
    # drafts in review or approved (approving again is allowed while approved); published and
    # stopped campaigns exist in CleverTap and have their own list; any but a published one can
    # be archived.
    EDITABLE = frozenset({Status.DRAFT, Status.IN_REVIEW, Status.APPROVED})
    PUBLISHABLE = EDITABLE
    REVIEWABLE = frozenset({Status.IN_REVIEW, Status.APPROVED})
    IN_CLEVERTAP = frozenset({Status.PUBLISHED, Status.STOPPED})
    ARCHIVABLE = frozenset(Status) - {Status.PUBLISHED}

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="campaigns"
    )
    api = models.CharField(max_length=10, choices=Api.choices, default=Api.TARGETS)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.PUSH)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    set_aside = models.JSONField(default=list, blank=True)
    # Labels mirrored from the body as ",a,b," so that the list can filter on one cheaply.
    labels_text = models.CharField(max_length=1000, blank=True, default="")
    # The body's problems when it was last saved (`services.campaign_save`), so that the list shows
    # readiness without loading and validating every body; None: not counted yet.
    problem_count = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-updated_at"]
        permissions = [
            ("review_campaign", "Can review campaigns"),
            ("publish_campaign", "Can publish campaigns"),
        ]
        indexes = [
            models.Index(fields=["-updated_at"]),
            models.Index(fields=["name"]),
            models.Index(fields=["status", "-updated_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def editable(self) -> bool:
        return self.status in self.EDITABLE
