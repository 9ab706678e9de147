"""The sandbox's data: a sample audience, the campaigns created against it, and every request.

The audience (profiles, events, segments) is replaced as a whole by `manage.py seed_audience`;
the estimates in `sandbox.audience` are computed from it with SQL, so the indexes below are the
ones those queries need.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Profile(models.Model):
    """A user of the sample audience: identities, reachability per channel, custom properties."""

    identity = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True, db_index=True)
    phone = models.CharField(max_length=20, blank=True)
    object_id = models.CharField(max_length=64, db_index=True)
    fbid = models.CharField(max_length=32, blank=True, db_index=True)
    gpid = models.CharField(max_length=32, blank=True, db_index=True)
    timezone = models.CharField(max_length=64, blank=True)
    # App push: which platforms have a token, and which device was used last (when both).
    has_android = models.BooleanField(default=False)
    has_ios = models.BooleanField(default=False)
    last_push_device = models.CharField(max_length=8, blank=True)
    # Web push subscriptions per browser, and the browser used last.
    has_chrome = models.BooleanField(default=False)
    has_firefox = models.BooleanField(default=False)
    has_safari = models.BooleanField(default=False)
    has_edge = models.BooleanField(default=False)
    last_web_browser = models.CharField(max_length=8, blank=True)
    email_opt_out = models.BooleanField(default=False)
    sms_opt_out = models.BooleanField(default=False)
    whatsapp_opt_out = models.BooleanField(default=False)
    # 0-99, drawn once at seeding: control groups hold out a fixed slice of the audience.
    control_bucket = models.PositiveSmallIntegerField(default=0)
    # Custom profile properties, e.g. {"Customer Type": "Gold", "Age": 34, "City": "Pune"}.
    properties = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.identity


class Event(models.Model):
    """Something a profile did on a day (YYYYMMDD as an integer, for range filters)."""

    # No index of its own: the (name, profile, day) index serves every query the sandbox runs,
    # and one index less makes seeding a million events noticeably faster.
    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    name = models.CharField(max_length=64)
    day = models.IntegerField()
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            # Covers "who did <name> between <from> and <to>" and the per-profile counts of
            # did_all; profile before day so that both come out grouped by profile, read in order.
            models.Index(fields=["name", "profile", "day"], name="sandbox_event_name_profile"),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.day}"


class Segment(models.Model):
    """A stored `where` clause, targeted with `"segment": <id>`."""

    name = models.CharField(max_length=200)
    where = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.id}: {self.name}"


class ReceivedRequest(models.Model):
    """One API request the sandbox received and what it answered. The passcode is never kept."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    account_id = models.CharField(max_length=100, blank=True)
    body = models.JSONField(null=True, blank=True)
    # The raw body when it was not JSON (truncated).
    body_text = models.TextField(blank=True)
    status_code = models.PositiveSmallIntegerField(help_text="0: the connection was dropped")
    response = models.JSONField(null=True, blank=True)
    # The raw answer when it was not JSON (a malformed-body fault).
    response_text = models.TextField(blank=True)
    fault = models.CharField(max_length=20, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status_code}"


class CampaignStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class SandboxCampaign(models.Model):
    """A campaign created through `targets/create.json`.

    Its status follows the clock (see `sandbox.services.campaign_statuses_advance`): scheduled
    until `starts_at`, running until `completes_at` (never, for a recurring campaign without an
    end), then completed; stopping it freezes it as stopped.
    """

    # Given by `sandbox.services.campaign_create`, time-based as CleverTap's: never a sequence.
    id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=500, blank=True)
    target_mode = models.CharField(max_length=30, blank=True)
    body = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.SCHEDULED
    )
    estimates = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    starts_at = models.DateTimeField(db_index=True)
    completes_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.id}: {self.name}"


class AsyncEstimate(models.Model):
    """An estimate asked for with `async_estimate`, answered later by its request id."""

    request_id = models.CharField(max_length=40, unique=True)
    body = models.JSONField(default=dict)
    estimates = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.request_id


def _share_validators() -> list:
    return [MinValueValidator(0.0), MaxValueValidator(1.0)]


class SandboxFaults(models.Model):
    """The fault switch: one row (id 1) read on every API request. All zero means no faults."""

    SINGLETON_ID = 1

    latency_ms = models.PositiveIntegerField(
        default=0, help_text="Added to every API request, in milliseconds."
    )
    error_rate = models.FloatField(
        default=0.0,
        validators=_share_validators(),
        help_text="Share of requests answered with a server error (0 to 1).",
    )
    error_status = models.PositiveSmallIntegerField(
        default=0,
        choices=[(0, "500 or 503"), (500, "500 only"), (503, "503 only")],
        help_text="Which server error to answer.",
    )
    drop_rate = models.FloatField(
        default=0.0,
        validators=_share_validators(),
        help_text="Share of requests whose connection is closed without an answer (0 to 1).",
    )
    malformed_rate = models.FloatField(
        default=0.0,
        validators=_share_validators(),
        help_text="Share of requests answered 200 with a body that is not JSON (0 to 1).",
    )
    seed = models.IntegerField(
        default=0, help_text="Seeds the draw, so that a run of faults can be repeated."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sandbox faults"
        verbose_name_plural = "sandbox faults"
        # The role "sandbox operators" (campaigns.roles) grants it; superusers have it too.
        permissions = [("operate_sandbox", "Can run the sandbox (its page and fault switch)")]

    def __str__(self) -> str:
        return "Sandbox faults"

    @property
    def active(self) -> bool:
        return bool(self.latency_ms or self.error_rate or self.drop_rate or self.malformed_rate)


class SandboxAccount(models.Model):
    """What the CleverTap account the sandbox stands for has enabled: one row (id 1)."""

    SINGLETON_ID = 1

    liquid_api_beta = models.BooleanField(
        "Liquid in API campaigns",
        default=False,
        help_text=(
            "As CleverTap's private beta: push campaigns created through the API accept "
            "documented Liquid in their title, message, links, image URLs and button texts, and "
            "are refused for invalid Liquid. Off: the tags are taken as plain text."
        ),
    )

    class Meta:
        verbose_name = "sandbox account"
        verbose_name_plural = "sandbox account"

    def __str__(self) -> str:
        return "Sandbox account"
