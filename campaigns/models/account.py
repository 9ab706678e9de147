"""Account settings: what the CleverTap account has enabled (`AccountSettings`) and what the
forms offer as choices (providers, templates, webhook endpoints, Android notification channels and
custom control groups). Edited in the Django admin, seeded by the demo.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete, post_save

from campaigns.models.drafts import Channel

PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
WORDS_PLACEHOLDERS = (
    "These words have the placeholders {found}, but the {part} is set to have {count}: number "
    "them {{{{1}}}} to {{{{{count}}}}}, or change the count."
)
BUTTON_TEXTS_NOT_LIST = 'Give the buttons\' words as a list of texts, e.g. ["Track: {{1}}"].'


class Provider(models.Model):
    channel = models.CharField(max_length=20, choices=Channel.choices)
    nick_name = models.CharField(max_length=200)
    # CleverTap's numeric provider id (SMS `message_info` is keyed by it).
    provider_id = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["channel", "nick_name"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "nick_name"], name="unique_provider_nick")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.nick_name}"


class WhatsAppTemplate(models.Model):
    class HeaderType(models.TextChoices):
        NONE = "", "No header"
        TEXT = "text", "Text"
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"
        DOCUMENT = "document", "Document"
        LOCATION = "location", "Location"

    name = models.CharField(max_length=200)
    locale = models.CharField(max_length=20, default="en")
    header_type = models.CharField(max_length=20, choices=HeaderType.choices, blank=True)
    header_placeholders = models.PositiveSmallIntegerField(default=0)
    body_placeholders = models.PositiveSmallIntegerField(default=0)
    # Placeholders per button, in button order, e.g. [1, 0].
    button_placeholders = models.JSONField(default=list, blank=True)
    # The template's words as approved, with {{1}}-style placeholders: the composer shows them
    # beside the values and its preview fills them in. Empty: not known (the counts still hold).
    header_text = models.TextField(blank=True, help_text="A text header's words, e.g. Hi {{1}}.")
    body_text = models.TextField(
        blank=True, help_text="The body's words, with {{1}}, {{2}}... where the values go."
    )
    # Each button's text (or its link, for a link with a placeholder), in button order.
    button_texts = models.JSONField(
        default=list,
        blank=True,
        help_text='A list, in button order, e.g. ["Track order: https://shop.example/t/{{1}}"].',
    )

    class Meta:
        verbose_name = "WhatsApp template"
        ordering = ["name", "locale"]
        constraints = [
            models.UniqueConstraint(fields=["name", "locale"], name="unique_whatsapp_template")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.locale})"

    def clean(self) -> None:
        """The words' placeholders are the ones the counts say: the composer shows one input per
        counted placeholder, and checks the body against the counts."""
        problems = {}
        for part, words, count in (
            ("header", self.header_text, self.header_placeholders),
            ("body", self.body_text, self.body_placeholders),
        ):
            numbers = sorted({int(n) for n in PLACEHOLDER.findall(words or "")})
            if words and numbers != list(range(1, (count or 0) + 1)):
                found = ", ".join(f"{{{{{n}}}}}" for n in numbers) or "none"
                problems[f"{part}_text"] = WORDS_PLACEHOLDERS.format(
                    found=found, part=part, count=count or 0
                )
        texts = self.button_texts
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            problems["button_texts"] = BUTTON_TEXTS_NOT_LIST
        if problems:
            raise ValidationError(problems)


class WebhookEndpoint(models.Model):
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AndroidChannel(models.Model):
    channel_id = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["channel_id"]

    def __str__(self) -> str:
        return self.name or self.channel_id


class ControlGroup(models.Model):
    """A custom control group the account defines in CleverTap's dashboard: a `control_group` of
    type custom must name one."""

    name = models.CharField(max_length=500, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AccountSettings(models.Model):
    """What the CleverTap account has that its API does not tell: one row, `current()`."""

    liquid_api_beta = models.BooleanField(
        "Liquid in API campaigns",
        default=False,
        help_text=(
            "CleverTap's private beta that renders Liquid personalization ({{ Profile.Name }}) "
            "in push campaigns created through the API. Ask your CleverTap contact whether the "
            "account has it; without it CleverTap sends the tags as typed."
        ),
    )
    # Two campaigns reaching the same people closer than this are flagged (issue 24).
    overlap_window_hours = models.PositiveSmallIntegerField(
        "Overlap window (hours)",
        default=24,
        help_text=(
            "Campaigns on the same channel whose audiences can overlap and whose sends are "
            "closer than this are flagged in the composer, in review and on the calendar."
        ),
    )

    # Counts changes of the account data the forms offer (providers, templates, endpoints,
    # channels, control groups): the cached account options are keyed by it, so that every app
    # server sees a change at its next request (`selectors.account_options`).
    options_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "account settings"
        verbose_name_plural = "account settings"

    def __str__(self) -> str:
        return "Account settings"

    @classmethod
    def current(cls) -> "AccountSettings":
        found, _ = cls.objects.get_or_create(pk=1)
        return found

    @classmethod
    def options_changed(cls) -> None:
        """Count a change of the account data the forms offer (see `options_version`)."""
        if not cls.objects.filter(pk=1).update(options_version=models.F("options_version") + 1):
            cls.objects.get_or_create(pk=1, defaults={"options_version": 1})


class ProfileProperty(models.Model):
    """A profile property known for the account: what "Insert personalization" offers.

    CleverTap's API does not list an account's properties, so they are gathered: from the
    sandbox's sample audience (the demo), from properties seen in the account, or added by an
    admin.
    """

    class Source(models.TextChoices):
        SAMPLE = "sample", "Sandbox sample audience"
        SEEN = "seen", "Seen in the account"
        ADMIN = "admin", "Added by an admin"

    name = models.CharField(
        max_length=200,
        unique=True,
        help_text="As CleverTap names it, with its capitals and spaces, e.g. Customer Type.",
    )
    label = models.CharField(
        max_length=200, blank=True, help_text="What marketers call it, if not its name."
    )
    description = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ADMIN)

    class Meta:
        verbose_name_plural = "profile properties"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label or self.name


# The account data `selectors.account_options` caches: a save or delete (the admin's, a
# queryset's delete too) counts a change. `QuerySet.update()` sends no signal: call
# `AccountSettings.options_changed()` after one.
OPTIONS_MODELS = (Provider, WhatsAppTemplate, WebhookEndpoint, AndroidChannel, ControlGroup)


def _options_changed(sender, **kwargs) -> None:
    AccountSettings.options_changed()


for _model in OPTIONS_MODELS:
    post_save.connect(_options_changed, sender=_model, dispatch_uid=f"options-{_model.__name__}")
    post_delete.connect(_options_changed, sender=_model, dispatch_uid=f"options-{_model.__name__}")
