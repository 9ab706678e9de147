from django.conf import settings
from django.db import models


class RecipientKind(models.TextChoices):
    """How a test recipient is named in a send body's `to` (the key it goes under)."""

    EMAIL = "Email", "Email address"
    IDENTITY = "Identity", "Identity"


class TestRecipient(models.Model):
    """One person's own device or inbox that their test sends go to ("my iPhone").

    Each user keeps a short list of their own; nobody else sees or uses it.
    """

    # Not a test case, whatever its name says (pytest collects classes named Test*).
    __test__ = False

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="test_recipients"
    )
    kind = models.CharField(max_length=10, choices=RecipientKind.choices)
    value = models.CharField(max_length=254)
    label = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "value"], name="test_recipient_unique_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.value})" if self.label else self.value
