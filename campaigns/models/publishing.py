"""What estimating and publishing leave behind: estimates, publish attempts and their undo
windows, send batches (and the heartbeats of the workers sending them) and every CleverTap API
call, kept so that a page can always say what was sent, when, and what came back.

A publish attempt is recorded before CleverTap is called, under an idempotency key derived from the
draft version. The key is unique, so however many requests ask to publish the same version (a
double click, two tabs, a retried request, two app servers), one insert wins and only its request
ever reaches CleverTap.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from campaigns.models.drafts import Campaign


class EstimateState(models.TextChoices):
    PENDING = "pending", "Waiting for CleverTap"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    TIMED_OUT = "timed_out", "Timed out"


class Estimate(models.Model):
    """The reach CleverTap estimated for one version of a draft.

    Targets drafts: `result` holds CleverTap's counts per device or channel ({"android": 10,
    "ios": 30}). Identity-list drafts: `result` holds the unique identities per type and
    `requests` the number of send requests they need; nothing is asked of CleverTap.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="estimates")
    version = models.PositiveIntegerField()
    body_hash = models.CharField(max_length=64)
    endpoint = models.CharField(max_length=100)
    state = models.CharField(
        max_length=10, choices=EstimateState.choices, default=EstimateState.PENDING
    )
    result = models.JSONField(default=dict, blank=True)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    requests = models.PositiveIntegerField(null=True, blank=True)
    # CleverTap's request id for an estimate asked with `async_estimate`, polled until it is ready.
    request_id = models.CharField(max_length=100, blank=True, default="")
    polls = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    # Problems at JSON paths: [{"path": "when", "message": "...", "field": "schedule-when"}].
    errors = models.JSONField(default=list, blank=True)
    # A digest of the parts of the body that decide reach (`publishing.audience_keys`): two
    # bodies with the same key reach the same people, whatever their message says.
    audience_key = models.CharField(max_length=64, blank=True, default="")
    # When CleverTap answered, for an estimate copied from the shared cache of answers; empty when
    # it answered this estimate itself (then `created_at` says when).
    answered_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "-created_at"])]

    def __str__(self) -> str:
        return f"Estimate of {self.campaign_id} v{self.version}: {self.state}"

    @property
    def answered(self):
        """When the reach shown was counted."""
        return self.answered_at or self.created_at


class RecipientCheck(models.Model):
    """A random sample of an identity send's list, looked up in CleverTap's profiles.

    Made with an estimate (`estimate`) and again on the confirmation page (no estimate): the
    sample is drawn from the list itself, so every check of one list looks up the same people.
    `sample` holds what was looked up: [{"type": "Email", "value": "...", "known": true}];
    `summary` says what the check found (or why it could not check), in words; `error` is set
    when a lookup failed, and the check then counts for nothing.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="recipient_checks"
    )
    estimate = models.OneToOneField(
        Estimate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recipient_check",
    )
    version = models.PositiveIntegerField()
    body_hash = models.CharField(max_length=64)
    sample = models.JSONField(default=list, blank=True)
    sampled = models.PositiveSmallIntegerField(default=0)
    known = models.PositiveSmallIntegerField(default=0)
    # Identity types on the list that CleverTap's profile lookup cannot take (FBID, GPID).
    not_checked = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True, default="")
    error = models.TextField(blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "-created_at"])]

    def __str__(self) -> str:
        return f"Recipient check of {self.campaign_id} v{self.version}: {self.known}/{self.sampled}"

    @property
    def none_known(self) -> bool:
        """Every identity of a complete sample is unknown: the send would likely reach nobody."""
        return not self.error and self.sampled > 0 and self.known == 0


class AttemptState(models.TextChoices):
    PENDING = "pending", "Recorded, not sent yet"
    SENT = "sent", "Sent, waiting for CleverTap"
    SUCCEEDED = "succeeded", "Published"
    FAILED = "failed", "Failed"
    UNKNOWN = "unknown", "Outcome unknown"


class PublishAttempt(models.Model):
    """One request to publish one version of a draft, recorded before CleverTap is called."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="publish_attempts"
    )
    version = models.PositiveIntegerField()
    # "<campaign id>:<version>", with ":<n>" for the n-th try after attempts that surely failed.
    idempotency_key = models.CharField(max_length=100, unique=True)
    state = models.CharField(
        max_length=10, choices=AttemptState.choices, default=AttemptState.PENDING
    )
    api = models.CharField(max_length=10)
    channel = models.CharField(max_length=20)
    endpoint = models.CharField(max_length=100)
    # Exactly the body that was confirmed and sent (for identity sends, `to` is split per batch).
    body = models.JSONField(default=dict)
    body_hash = models.CharField(max_length=64)
    estimate = models.ForeignKey(
        Estimate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    clevertap_id = models.BigIntegerField(null=True, blank=True)
    # CleverTap's status of the created campaign as last seen (list, stop): scheduled, stopped...
    clevertap_status = models.CharField(max_length=30, blank=True, default="")
    response = models.JSONField(null=True, blank=True)
    report = models.JSONField(null=True, blank=True)
    report_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    # False once the attempt surely reached nobody (CleverTap refused it, or every batch failed
    # without one sent): only then may the campaign be published again. One live attempt at most.
    live = models.BooleanField(default=True)
    # The background task sending the batches of an identity send.
    task_id = models.CharField(max_length=64, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="publish_attempts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "version", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign"],
                condition=Q(live=True),
                name="publish_attempt_one_live_per_campaign",
            )
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key}: {self.state}"

    @property
    def cancelled(self) -> bool:
        """Cancelled within its undo window (failed, though nothing was sent)."""
        hold = getattr(self, "hold", None)  # None: it was never held
        return hold is not None and hold.cancelled_at is not None


class PublishHold(models.Model):
    """A publish waiting out its undo window: recorded, not sent, cancellable until released.

    The attempt is recorded (and holds its idempotency key) when Publish is pressed; nothing is
    sent until the hold is released. Release and cancel are each one conditional UPDATE of this
    row, so exactly one of them wins.
    """

    attempt = models.OneToOneField(PublishAttempt, on_delete=models.CASCADE, related_name="hold")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_reason = models.CharField(max_length=300, blank=True, default="")
    task_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["released_at", "cancelled_at", "due_at"])]

    def __str__(self) -> str:
        return f"Hold of attempt {self.attempt_id} until {self.due_at:%H:%M:%S}"


class BatchState(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    UNKNOWN = "unknown", "Outcome unknown"


class SendBatch(models.Model):
    """One request of an identity send: at most 1000 identities of the attempt's `to`.

    A worker claims a batch by moving it from pending to sending in one conditional UPDATE, so two
    workers never send the same batch, and a batch left sending by a worker that died is never sent
    again automatically: it becomes unknown, for a person to check and retry.
    """

    attempt = models.ForeignKey(PublishAttempt, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField()
    identities = models.PositiveIntegerField()
    to = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=BatchState.choices, default=BatchState.PENDING)
    sends = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The worker that claimed it (its `WorkerHeartbeat.worker_id`); "" when claimed outside one.
    claimed_by = models.CharField(max_length=64, blank=True, default="")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "number"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "number"], name="send_batch_unique_number")
        ]
        indexes = [models.Index(fields=["attempt", "state", "number"])]

    def __str__(self) -> str:
        return f"Batch {self.number} of attempt {self.attempt_id}: {self.state}"


class WorkerHeartbeat(models.Model):
    """A task worker (`manage.py worker`) that is running, or was: it writes `beat_at` every few
    seconds with the database's clock, so workers on machines whose clocks differ agree on who
    is alive. A worker whose beats stopped died: the batch it claimed is not being sent any more.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    # By the worker's own clock, as the tasks and batches it claims are stamped: a claim older
    # than its worker's start belongs to an earlier worker of the same id.
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-beat_at", "-id"]

    def __str__(self) -> str:
        return f"Worker {self.worker_id} on {self.host} (pid {self.pid})"


class CallOutcome(models.TextChoices):
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    UNKNOWN = "unknown", "Outcome unknown"


class ApiCall(models.Model):
    """One CleverTap operation (its retries included) as the client reported it.

    `request` is the client's redacted record: the passcode header reads "***".
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="api_calls"
    )
    attempt = models.ForeignKey(
        PublishAttempt,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="api_calls",
    )
    batch = models.ForeignKey(
        SendBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="api_calls"
    )
    estimate = models.ForeignKey(
        Estimate, on_delete=models.SET_NULL, null=True, blank=True, related_name="api_calls"
    )
    operation = models.CharField(max_length=20)
    endpoint = models.CharField(max_length=100)
    request = models.JSONField(default=dict)
    response = models.JSONField(null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=CallOutcome.choices)
    error_kind = models.CharField(max_length=20, blank=True, default="")
    error = models.TextField(blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.operation} {self.endpoint}: {self.outcome}"
