"""The team library: message templates and saved audiences, each versioned, and which drafts
were made from which version.

An item's content is never edited in place: every edit (and a restore) adds a `LibraryVersion`,
so a draft made from version 3 can say that version 5 is newer and show what changed. An item
something uses is archived rather than deleted.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from campaigns.models.drafts import Campaign, Channel


class LibraryKind(models.TextChoices):
    TEMPLATE = "template", "Message template"
    AUDIENCE = "audience", "Saved audience"


class LibraryItem(models.Model):
    """A named template or audience; its content is its latest version's."""

    kind = models.CharField(max_length=10, choices=LibraryKind.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    # Labels as ",a,b," so that the list can filter on one cheaply (as `Campaign.labels_text`).
    labels_text = models.CharField(max_length=1000, blank=True, default="")
    # A template's channel and API family (its content form depends on both); "" for audiences.
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True, default="")
    api = models.CharField(max_length=10, blank=True, default="")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    archived = models.BooleanField(default=False)
    # The number of the latest version.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["kind", "archived", "name"]),
            models.Index(fields=["kind", "-last_used_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def labels(self) -> list[str]:
        return [label for label in self.labels_text.split(",") if label]


class LibraryVersion(models.Model):
    """One version of an item's content, never changed once written."""

    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Why it exists when it is not an ordinary edit ("Restored from version 2").
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="library_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"


class LibraryUse(models.Model):
    """A draft made from (or updated to) one version of an item: one per draft and kind."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="library_uses")
    item = models.ForeignKey(LibraryItem, on_delete=models.PROTECT, related_name="uses")
    kind = models.CharField(max_length=10, choices=LibraryKind.choices)
    version = models.PositiveIntegerField()
    applied_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="library_use_one_per_kind")
        ]
        indexes = [models.Index(fields=["item", "-applied_at"])]

    def __str__(self) -> str:
        return f"{self.campaign_id} from {self.item_id} v{self.version}"
