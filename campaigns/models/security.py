"""Failed logins, counted in the database so that every app server sees the same counts."""

from django.db import models


class LoginScope(models.TextChoices):
    USERNAME = "username", "Username"
    ADDRESS = "address", "Network address"


class LoginThrottle(models.Model):
    """The recent failed logins for one username or one client address, and its lock if any.

    `failures` holds the times (epoch seconds) of the failures still inside the counting window, at
    most as many as the limit: the row stays small however long an attack goes on. Reaching the
    limit sets `locked_until` and empties the list, so a lock is followed by a fresh allowance.
    """

    scope = models.CharField(max_length=10, choices=LoginScope.choices)
    # A username as typed (case-folded, at most 150 characters) or an IP address.
    key = models.CharField(max_length=150)
    failures = models.JSONField(default=list, blank=True)
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="unique_login_throttle")
        ]
        indexes = [models.Index(fields=["last_failure_at"])]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key}: {len(self.failures)} recent failures"
