"""App Inbox (target_mode notificationinbox): content (a template type and a list of message
items), the preview of the inbox's cards, and the registry's facts.

Unlike other channels, `content` is a JSON list: one object per message item (one for simple and
message-icon messages, one per slide for carousels). The other keys are top level.

Settled here, as the page does not say: a carousel (either kind) needs at least two items, since
one slide is not a carousel; a simple or message-icon message has exactly one item.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from campaigns import previews
from campaigns.channels import push
from campaigns.forms import fields, links
from campaigns.forms.base import PayloadForm, Rows
from campaigns.forms.options import AccountOptions
from campaigns.models import Channel

SIMPLE = "simple"
MESSAGE_ICON = "message-icon"
CAROUSEL = "carousel"
CAROUSEL_IMAGE = "carousel-image"
CAROUSELS = (CAROUSEL, CAROUSEL_IMAGE)
MIN_CAROUSEL_ITEMS = 2

TEMPLATE_TYPE_REQUIRED = "Choose the template."
TEMPLATE_TYPE_UNKNOWN = (
    "“%(value)s” is not an App Inbox template type; use simple, message-icon, carousel or "
    "carousel-image."
)
ORIENTATION_UNKNOWN = "“%(value)s” is not an orientation; use p (portrait) or l (landscape)."
CONTENT_REQUIRED = "Add the message: at least one item."
CAROUSEL_TOO_FEW_ITEMS = "A carousel needs at least 2 items (one per slide)."
ONE_ITEM_ONLY = "This template has exactly one item; use a carousel for several."
MEDIA_REQUIRED = "Each slide of an image carousel needs its image's link."
ICON_REQUIRED = "A message with an icon needs its icon's link."
MEDIA_URL_REQUIRED = "Give the image or video's link."
ICON_URL_REQUIRED = "Give the icon's link."
LINK_TYPE_REQUIRED = "Choose what the link button does: open a link, or copy a text."
LINK_TYPE_UNKNOWN = "“%(value)s” is not a link type; use url or copy."
LINK_TEXT_REQUIRED = "Give the link button its text."
COPY_TEXT_REQUIRED = "A copy button needs the text to copy."
LINK_URL_REQUIRED = "A button that opens a link needs the link on Android or iOS."
COLOR_INVALID = "Write a colour as a hex code such as #000000 or #fff."
KEY_REQUIRED = "Each custom key-value needs a key."
TIME_TO_LIVE_NOT_POSITIVE = "Time to live must be a whole number above 0."

_HEX_COLOR = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


class InboxLinkForm(PayloadForm):
    """A link button under a message item: opens a link, or copies a text."""

    type = fields.ChoiceField(
        label="Button action",
        choices=[("url", "Open a link"), ("copy", "Copy a text")],
        blank_label=fields.CHOOSE,
        error_messages={"invalid_choice": LINK_TYPE_UNKNOWN},
    )
    text = fields.TextField(label="Button text", max_length=200)
    copy_text = fields.TextField(label="Text to copy", max_length=1000)
    android_url = links.LinkField(label="Link on Android")
    ios_url = links.LinkField(label="Link on iOS")
    color = fields.TextField(label="Text colour", max_length=20, help_text="e.g. #000000")
    bg = fields.TextField(label="Background colour", max_length=20, help_text="e.g. #ffffff")

    paths = {
        "type": ("type",),
        "text": ("text",),
        "copy_text": ("copyText", "text"),
        "android_url": ("url", "android", "text"),
        "ios_url": ("url", "ios", "text"),
        "color": ("color",),
        "bg": ("bg",),
    }

    def clean_color(self):
        return _color(self.cleaned_data["color"])

    def clean_bg(self):
        return _color(self.cleaned_data["bg"])

    def clean(self):
        data = super().clean()
        kind = data.get("type")
        if not kind and "type" not in self.errors:
            self.add_error("type", LINK_TYPE_REQUIRED)
        if not data.get("text") and "text" not in self.errors:
            self.add_error("text", LINK_TEXT_REQUIRED)
        if kind == "copy" and not data.get("copy_text"):
            self.add_error("copy_text", COPY_TEXT_REQUIRED)
        # A link typed counts even when it is wrong: its own message says what is wrong with it.
        if kind == "url" and not (self.raw("android_url") or self.raw("ios_url")):
            self.add_error("android_url", LINK_URL_REQUIRED)
        return data


class InboxItemForm(PayloadForm):
    """One message item: a whole simple message, or one slide of a carousel."""

    title = fields.TextField(label="Title", max_length=1000)
    message = fields.TextField(label="Message", textarea=True)
    media_url = links.MediaUrlField(label="Image or video link")
    media_content_type = fields.TextField(
        label="Image or video type", max_length=100, help_text="e.g. image/jpeg"
    )
    icon_url = links.MediaUrlField(label="Icon link")
    icon_content_type = fields.TextField(
        label="Icon type", max_length=100, help_text="e.g. image/png"
    )
    android_url = links.LinkField(label="Link when tapped, Android")
    ios_url = links.LinkField(label="Link when tapped, iOS")

    paths = {
        "title": ("title", "text"),
        "message": ("message", "text"),
        "media_url": ("media", "url"),
        "media_content_type": ("media", "content_type"),
        "icon_url": ("icon", "url"),
        "icon_content_type": ("icon", "content_type"),
        "android_url": ("action", "url", "android", "text"),
        "ios_url": ("action", "url", "ios", "text"),
    }
    rows = {
        "links": Rows(
            ("action", "links"),
            InboxLinkForm,
            label="Link buttons",
            item="link button",
            add="Add a link button",
        )
    }

    # Set by the inbox form: the rules of an item depend on the message's template type.
    template_type: str | None = None

    def clean(self):
        data = super().clean()
        # An address typed counts even when it is wrong: its own message says what is wrong.
        media, icon = self.raw("media_url"), self.raw("icon_url")
        if data.get("media_content_type") and not media:
            self.add_error("media_url", MEDIA_URL_REQUIRED)
        elif self.template_type == CAROUSEL_IMAGE and not media:
            self.add_error("media_url", MEDIA_REQUIRED)
        if data.get("icon_content_type") and not icon:
            self.add_error("icon_url", ICON_URL_REQUIRED)
        elif self.template_type == MESSAGE_ICON and not icon:
            self.add_error("icon_url", ICON_REQUIRED)
        return data


class InboxCustomKvForm(PayloadForm):
    """A key-value handed to the app with the message, on Android, iOS or both."""

    key = fields.TextField(label="Key", max_length=200)
    # CleverTap's examples send `"text": ""`, so an empty value is written, not left out.
    value = fields.TextField(label="Value", always=True, max_length=1000)
    android = fields.BooleanField(label="On Android")
    ios = fields.BooleanField(label="On iOS")

    paths = {
        "key": ("key",),
        "value": ("value", "text"),
        "android": ("android",),
        "ios": ("ios",),
    }

    def clean(self):
        data = super().clean()
        if not data.get("key") and "key" not in self.errors:
            self.add_error("key", KEY_REQUIRED)
        return data


class InboxContentForm(PayloadForm):
    template_type = fields.ChoiceField(
        label="Template",
        blank_label=fields.CHOOSE,
        choices=[
            (SIMPLE, "Simple message"),
            (MESSAGE_ICON, "Message with icon"),
            (CAROUSEL, "Carousel"),
            (CAROUSEL_IMAGE, "Image carousel"),
        ],
        error_messages={"invalid_choice": TEMPLATE_TYPE_UNKNOWN},
    )
    orientation = fields.ChoiceField(
        label="Orientation",
        choices=[("p", "Portrait"), ("l", "Landscape")],
        error_messages={"invalid_choice": ORIENTATION_UNKNOWN},
    )
    tags = fields.LinesField(
        label="Inbox tags", help_text="One tag per line; the app can filter its inbox by them."
    )
    time_to_live = fields.IntegerField(
        label="Time to live",
        help_text=(
            "How long the message stays in the inbox, a whole number (CleverTap's reference "
            "gives no unit)."
        ),
    )

    paths = {
        "template_type": ("template_type",),
        "orientation": ("orientation",),
        "tags": ("tags",),
        "time_to_live": ("time_to_live",),
    }
    rows = {
        "content": Rows(
            ("content",),
            InboxItemForm,
            label="Message items",
            item="message item",
            add="Add a message item",
        ),
        "custom_kv": Rows(
            ("custom_kv",),
            InboxCustomKvForm,
            label="Custom key-values",
            item="custom key-value",
            add="Add a custom key-value",
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        template_type = self.json_value("template_type")
        for item in self.formsets["content"].forms:
            item.template_type = template_type if isinstance(template_type, str) else None

    def clean_time_to_live(self):
        value = self.cleaned_data["time_to_live"]
        if value is not None and value < 1:
            raise ValidationError(TIME_TO_LIVE_NOT_POSITIVE)
        return value

    def clean(self):
        data = super().clean()
        template_type = data.get("template_type")
        if not template_type and "template_type" not in self.errors:
            self.add_error("template_type", TEMPLATE_TYPE_REQUIRED)
        items = len(self.formsets["content"].kept_forms)
        if not items:
            self.add_row_error("content", CONTENT_REQUIRED)
        elif template_type in CAROUSELS and items < MIN_CAROUSEL_ITEMS:
            self.add_row_error("content", CAROUSEL_TOO_FEW_ITEMS)
        elif template_type in (SIMPLE, MESSAGE_ICON) and items > 1:
            self.add_row_error("content", ONE_ITEM_ONLY)
        return data


def _color(value: str) -> str:
    if value and not _HEX_COLOR.fullmatch(value):
        raise ValidationError(COLOR_INVALID)
    return value


# The preview: the inbox's cards, in a list or as a carousel.


@dataclass(frozen=True)
class Card:
    title: str
    message: str
    image: previews.Image
    icon: previews.Image
    links: list[previews.Button]


def preview(
    body: dict, *, options: AccountOptions | None = None, remote_images: bool = False
) -> dict:
    cards = [
        Card(
            title=previews.text_at(item, "title", "text"),
            message=previews.text_at(item, "message", "text"),
            image=previews.image_at(item, "media", "url"),
            icon=previews.image_at(item, "icon", "url", alt="Icon"),
            links=[
                previews.Button(
                    previews.text_at(link, "text"), previews.text_at(link, "url", "android", "text")
                )
                for link in previews.objects_at(item, "action", "links")
            ],
        )
        for item in previews.objects_at(body, "content")
    ]
    template_type = previews.text_at(body, "template_type") or "simple"
    return {
        "template_type": template_type,
        "carousel": template_type.startswith("carousel"),
        "cards": cards,
        "tags": [t for t in previews.at(body, "tags", kind=list) or [] if isinstance(t, str)],
    }


# What the channel registry reads (campaigns/channels/registry.py says what each is).

CHANNEL = Channel.NOTIFICATIONINBOX
DESCRIPTION = "A message in your app's inbox"
TARGETS_FORM = InboxContentForm
SEND_FORM = None  # no send/<channel>.json
PARTIAL = "inbox"
# Inbox messages reach the same apps as push.
ESTIMATE_KEYS = push.ESTIMATE_KEYS
SEND_MARKS = {}
