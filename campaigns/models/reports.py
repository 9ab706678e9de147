"""CleverTap's message reports as last read: every campaign of the account, those made in
CleverTap's dashboard included, kept so that a page reads the database only (a read of 30 days
takes CleverTap about 26 seconds: it is done by a background task, in slices of days).
"""

from django.db import models


class ReportSlice(models.Model):
    """Some days of message reports of one account, and how their last read went.

    A fetch is asked (`requested_at`), then a task reads the days and records when it finished
    (`attempted_at`), when it last succeeded (`fetched_at`) and, when it failed, why in words.
    """

    account_id = models.CharField(max_length=100)
    first_day = models.DateField()
    last_day = models.DateField()
    requested_at = models.DateTimeField(null=True, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    # The last read's failure, for people; "" when it succeeded (or none was tried).
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["account_id", "first_day"]
        constraints = [
            models.UniqueConstraint(
                fields=["account_id", "first_day"], name="report_slice_unique_first_day"
            )
        ]

    def __str__(self) -> str:
        return f"Reports of {self.account_id}, {self.first_day} to {self.last_day}"


class MessageReport(models.Model):
    """One campaign ("message") of CleverTap's Get Message Reports, keyed by its message id.

    The fields the page shows are parsed from `raw`, CleverTap's row as it came: its full field
    table is not documented, so the whole row is kept beside them.
    """

    account_id = models.CharField(max_length=100)
    # CleverTap's "message id" (with a space), presumably the campaign id of targets/*. Kept as
    # text: no documented answer shows its type.
    message_id = models.CharField(max_length=40)
    report_slice = models.ForeignKey(ReportSlice, on_delete=models.CASCADE, related_name="rows")
    name = models.CharField(max_length=500, blank=True)
    # Open strings, as CleverTap spells them (push, email...; scheduled, running...).
    channel = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=40, blank=True)
    # `start_date` read in the account's timezone; None when CleverTap's text could not be read.
    started_at = models.DateTimeField(null=True, blank=True)
    labels = models.JSONField(default=list, blank=True)
    # The labels as ",a,b,", so that one label matches whole on every database.
    labels_text = models.CharField(max_length=1000, blank=True, default="")
    sent = models.BigIntegerField(null=True, blank=True)
    viewed = models.BigIntegerField(null=True, blank=True)
    clicked = models.BigIntegerField(null=True, blank=True)
    raw = models.JSONField(default=dict)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account_id", "message_id"], name="message_report_unique_message"
            )
        ]
        indexes = [models.Index(fields=["account_id", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.message_id}: {self.name}"
