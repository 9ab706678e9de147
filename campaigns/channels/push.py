"""Mobile push: content (title and message, iOS and Android settings, custom key-values), the
preview of an iOS and an Android notification, and the registry's facts (its devices).

Custom key-values sit directly inside `platform_specific.ios` and `.android`, next to the keys
CleverTap documents. `CustomKeysForm` gives a form a `KeyValueField` that stands for "every other
string-valued key" of such an object, so they are read into the form instead of being listed as
keys the form does not model.

When Android needs a notification channel (wzrk_cid): when the push carries Android settings
(`platform_specific.android` has any key, custom key-values included), for both APIs. The
reference's tables mark it required for Android, but its own examples leave it out of pushes with
no Android settings sent to every device, so a push without Android settings needs none.
"""

import re
from dataclasses import dataclass
from typing import ClassVar

from django import forms

from campaigns import previews
from campaigns.forms import fields, links, pickers
from campaigns.forms.base import PayloadError, PayloadForm, Rows
from campaigns.forms.layout import fieldsets
from campaigns.forms.options import AccountOptions
from campaigns.jsonpath import Path, format_path, get_path, has_path, same_json, set_path
from campaigns.models import Channel

TITLE_REQUIRED = "A push notification needs a title."
BODY_REQUIRED = "A push notification needs a message."
CHANNEL_ID_REQUIRED = (
    "Give the Android notification channel (wzrk_cid): it is required for devices having "
    "Android 8.0 or above, which only show a push that names one."
)
# CleverTap's answers to the same problems. Code 9 (HTTP 400) was recorded on send/push.json;
# on targets/create.json it is inferred (the create page's "an error occurs if a valid channel
# ID is not received"). The title's text is from CleverTap's QA suite, on bodies without
# target_mode (CLEVERTAP-READS §4).
API_CHANNEL_ID_REQUIRED = "Notification channel is required for devices having Android 8.0 or above"
API_CHANNEL_ID_CODE = 9
API_TITLE_EMPTY = "Field title is empty (inside content)"
CHANNEL_ID_UNKNOWN = (
    "“{value}” is not an Android notification channel of this account (it must be saved in "
    "CleverTap first); use one of: {choices}."
)
BADGE_COUNT_NEGATIVE = "A badge count cannot be negative."
ICON_COLOR_INVALID = "The small icon colour must be a hex colour like #1DA1F2."
ACTION_TITLE_REQUIRED = "Each action button needs a title."
ACTION_ID_REQUIRED = "Each action button needs an action ID: the app receives it when tapped."
TOO_MANY_ACTIONS = "Android shows at most 3 action buttons."
SLIDER_ITEMS_REQUIRED = "A carousel needs at least one item."
SLIDER_IMAGE_REQUIRED = "Each carousel item needs an image URL."
CUSTOM_KEY_HAS_A_FIELD = (
    "“{key}” has a field of its own in this form: set it there, not as a custom key-value."
)

CUSTOM_KEYS_HELP = "Extra data for the app, one `key = value` per line."
MAX_ACTIONS = 3
IOS: Path = ("content", "platform_specific", "ios")
ANDROID: Path = ("content", "platform_specific", "android")
SLIDER: Path = (*IOS, "ct_ContentSlider")
_HEX_COLOR = re.compile(r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})")


class FlagField(fields.JsonField, forms.ChoiceField):
    """A yes/no flag that CleverTap accepts as `true`/`false` or as the texts "true"/"false".

    The reference's own examples write `"mutable-content": "true"` where its table says Boolean;
    both spellings are offered so that either comes back exactly as it was.
    """

    expected = 'true or false (or the texts "true" and "false")'
    VALUES = {"true": True, "false": False, '"true"': "true", '"false"': "false"}

    def __init__(self, *, default: str = "", **kwargs):
        kwargs.setdefault("required", False)
        kwargs["choices"] = [
            ("", fields.clevertap_default(default)),
            ("true", "Yes"),
            ("false", "No"),
            ('"true"', 'Yes, written as the text "true"'),
            ('"false"', 'No, written as the text "false"'),
        ]
        super().__init__(**kwargs)

    def json_to_data(self, value):
        for data, json_value in self.VALUES.items():
            if same_json(value, json_value):
                return data
        return None

    def data_to_json(self, raw):
        text = "" if raw is None else str(raw)
        if text == "":
            return fields.MISSING
        return self.VALUES.get(text, text)

    def clean(self, value):
        value = super().clean(value)
        return self.VALUES.get(value)


class CustomKeysForm(PayloadForm):
    """A form where a `KeyValueField` stands for the other string-valued keys of an object.

    `custom_keys` maps such a field to the object's path. Keys that another field or row of the
    form models are never custom; values that are not texts (or that the field could not show
    exactly) stay kept aside as before.
    """

    custom_keys: ClassVar[dict[str, Path]] = {}

    @classmethod
    def modelled_keys(cls, container: Path) -> set[str]:
        depth = len(container)
        paths = [*cls.paths.values(), *(spec.path for spec in cls.rows.values())]
        return {path[depth] for path in paths if len(path) > depth and path[:depth] == container}

    @classmethod
    def parse_json(cls, obj, *, prefix, base=()):
        parsed = super().parse_json(obj, prefix=prefix, base=base)
        for name, container in cls.custom_keys.items():
            node = get_path(obj, container) if isinstance(obj, cls.element) else None
            if not isinstance(node, dict):
                continue
            field: fields.KeyValueField = cls.base_fields[name]
            modelled = cls.modelled_keys(container)
            pairs = {
                key: value
                for key, value in node.items()
                if key not in modelled and field.shows({key: value})
            }
            if pairs and field.shows(pairs):
                parsed.data[f"{prefix}-{name}"] = field.json_to_data(pairs)
                parsed.claimed |= {base + container + (key,) for key in pairs}
        return parsed

    def build_json(self):
        result = super().build_json()
        for name, container in self.custom_keys.items():
            pairs = self.json_value(name)
            if pairs is fields.MISSING:
                continue
            for key, value in pairs.items():
                # A custom key that clashes with a modelled one is reported; the field wins.
                if not has_path(result, container + (key,)):
                    set_path(result, container + (key,), value)
        return result

    def clean(self):
        data = super().clean()
        for name, container in self.custom_keys.items():
            modelled = self.modelled_keys(container)
            for key in data.get(name) or {}:
                if key in modelled:
                    self.add_error(name, CUSTOM_KEY_HAS_A_FIELD.format(key=key))
        return data

    def api_path(self, name):
        # The custom key-values go into their object, beside the keys it documents.
        if name in self.custom_keys:
            return format_path(self.base + self.custom_keys[name])
        return super().api_path(name)

    def path_errors(self, base=()):
        # The custom key-values have no path of their own: report them at their object's path.
        self.is_valid()
        custom = {name: self.errors.pop(name) for name in self.custom_keys if name in self.errors}
        try:
            errors = super().path_errors(base)
        finally:
            self.errors.update(custom)
        for name, messages in custom.items():
            where, html_name = base + self.custom_keys[name], self.add_prefix(name)
            errors += [PayloadError(where, message, field=html_name) for message in messages]
        return errors


class SliderItemForm(PayloadForm):
    """One picture of the iOS carousel, in `ct_ContentSlider.items`."""

    caption = fields.TextField(label="Caption", max_length=1000)
    subcaption = fields.TextField(label="Subcaption", max_length=1000)
    image_url = links.MediaUrlField(label="Image URL")
    action_url = links.LinkField(label="Link when tapped", help_text="A link or app deep link.")

    paths = {
        "caption": ("caption",),
        "subcaption": ("subcaption",),
        "image_url": ("imageUrl",),
        "action_url": ("actionUrl",),
    }
    personalized = ("image_url", "action_url")

    def clean(self):
        data = super().clean()
        if not data.get("image_url") and "image_url" not in self.errors:
            self.add_error("image_url", SLIDER_IMAGE_REQUIRED)
        return data


class AndroidActionForm(PayloadForm):
    """One Android action button, in `wzrk_acts`."""

    title = fields.TextField(label="Button title", max_length=200)
    deep_link = links.LinkField(label="Link when tapped")
    action_id = fields.TextField(
        label="Action ID", max_length=200, help_text="The app receives it when tapped."
    )
    icon = fields.TextField(label="Icon", max_length=200, help_text="The app's icon resource name.")

    paths = {
        "title": ("l",),
        "deep_link": ("dl",),
        "action_id": ("id",),
        "icon": ("ico",),
    }
    personalized = ("title", "deep_link")

    def clean(self):
        data = super().clean()
        if not data.get("title") and "title" not in self.errors:
            self.add_error("title", ACTION_TITLE_REQUIRED)
        if not data.get("action_id") and "action_id" not in self.errors:
            self.add_error("action_id", ACTION_ID_REQUIRED)
        return data


class PushContentForm(CustomKeysForm):
    title = fields.TextField(label="Title", max_length=1000)
    body = fields.TextField(label="Message", textarea=True)

    ios_deep_link = links.LinkField(label="Link when tapped")
    ios_sound_file = fields.TextField(
        label="Sound file", max_length=200, help_text="A sound in the app, e.g. x.caf."
    )
    ios_category = fields.TextField(
        label="Category",
        max_length=200,
        help_text="CTNotification shows the carousel below, if the app supports it.",
    )
    ios_badge_count = fields.IntegerField(label="App icon badge")
    ios_mutable_content = FlagField(
        label="Count as viewed",
        default="not counted",
        help_text="Yes raises the Notification Viewed event; needed for images too.",
    )
    ios_media_url = links.MediaUrlField(label="Image URL")
    ios_collapse = fields.StringOrIntegerField(
        label="Collapse key",
        max_length=200,
        help_text="Pushes with the same key replace each other.",
    )
    ios_custom = fields.KeyValueField(label="Custom key-values (iOS)", help_text=CUSTOM_KEYS_HELP)

    slider_orientation = fields.ChoiceField(
        label="Carousel orientation",
        choices=[("landscape", "Landscape (16:9 images)"), ("portrait", "Portrait")],
        blank_label=fields.clevertap_default("square images"),
    )
    slider_shows_paging = fields.BooleanField(label="Show page dots")
    slider_auto_play = fields.BooleanField(label="Play automatically")
    slider_auto_dismiss = fields.BooleanField(label="Close when an item is opened")

    android_channel_id = fields.TextField(
        label="Android notification channel",
        max_length=200,
        help_text="Required for Android: a channel saved in CleverTap.",
    )
    android_deep_link = links.LinkField(label="Link when tapped")
    android_background_image = links.MediaUrlField(label="Image URL")
    android_large_icon = links.MediaUrlField(
        label="Large icon URL", help_text="Without one, the app icon is shown."
    )
    android_default_sound = fields.BooleanField(label="Play the default sound")
    android_rendermax = fields.BooleanField(label="Use RenderMax")
    android_tray_priority = fields.ChoiceField(
        label="Tray priority",
        choices=[("max", "Max"), ("high", "High"), ("default", "Default")],
    )
    android_delivery_priority = fields.ChoiceField(
        label="Delivery priority",
        choices=[("normal", "Normal"), ("high", "High")],
    )
    android_collapse = fields.StringOrIntegerField(
        label="Collapse key",
        max_length=200,
        help_text="Pushes with the same key replace each other.",
    )
    android_summary = fields.TextField(label="Summary", max_length=1000)
    android_subtitle = fields.TextField(label="Subtitle", max_length=1000)
    android_badge_count = fields.IntegerField(label="App icon badge count")
    android_badge_icon = fields.ChoiceField(
        label="Badge icon",
        choices=[("app icon", "App icon"), ("notification icon", "Notification icon")],
    )
    android_icon_color = fields.TextField(
        label="Small icon colour", max_length=20, help_text="A hex colour like #1DA1F2."
    )
    android_custom = fields.KeyValueField(
        label="Custom key-values (Android)", help_text=CUSTOM_KEYS_HELP
    )

    counted = ("title", "body")
    # What CleverTap personalizes in push: the title and message, links, image URLs (and the
    # buttons' texts and links, in `AndroidActionForm`).
    personalized = (
        "title",
        "body",
        "ios_deep_link",
        "ios_media_url",
        "android_deep_link",
        "android_background_image",
        "android_large_icon",
    )
    paths = {
        "title": ("content", "title"),
        "body": ("content", "body"),
        "ios_deep_link": (*IOS, "deep_link"),
        "ios_sound_file": (*IOS, "sound_file"),
        "ios_category": (*IOS, "category"),
        "ios_badge_count": (*IOS, "badge_count"),
        "ios_mutable_content": (*IOS, "mutable-content"),
        "ios_media_url": (*IOS, "ct_mediaUrl"),
        "ios_collapse": (*IOS, "ios_collapse"),
        "slider_orientation": (*SLIDER, "orientation"),
        "slider_shows_paging": (*SLIDER, "showsPaging"),
        "slider_auto_play": (*SLIDER, "autoPlay"),
        "slider_auto_dismiss": (*SLIDER, "autoDismiss"),
        "android_channel_id": (*ANDROID, "wzrk_cid"),
        "android_deep_link": (*ANDROID, "deep_link"),
        "android_background_image": (*ANDROID, "background_image"),
        "android_large_icon": (*ANDROID, "large_icon"),
        "android_default_sound": (*ANDROID, "default_sound"),
        "android_rendermax": (*ANDROID, "enable_rendermax"),
        "android_tray_priority": (*ANDROID, "notification_tray_priority"),
        "android_delivery_priority": (*ANDROID, "delivery_priority"),
        "android_collapse": (*ANDROID, "android_collapse"),
        "android_summary": (*ANDROID, "summary"),
        "android_subtitle": (*ANDROID, "subtitle"),
        "android_badge_count": (*ANDROID, "wzrk_bc"),
        "android_badge_icon": (*ANDROID, "wzrk_bi"),
        "android_icon_color": (*ANDROID, "wzrk_clr"),
    }
    rows = {
        "slider_items": Rows(
            (*SLIDER, "items"),
            SliderItemForm,
            label="Carousel items (iOS)",
            item="carousel item",
            add="Add a carousel item (iOS)",
        ),
        "android_actions": Rows(
            (*ANDROID, "wzrk_acts"),
            AndroidActionForm,
            label="Action buttons (Android)",
            item="action button",
            add="Add an action button (Android)",
        ),
    }
    custom_keys = {"ios_custom": IOS, "android_custom": ANDROID}
    answers = {
        TITLE_REQUIRED: (None, API_TITLE_EMPTY),
        CHANNEL_ID_REQUIRED: (API_CHANNEL_ID_CODE, API_CHANNEL_ID_REQUIRED),
    }
    # Fields are grouped on the page by the first word of their name.
    GROUPS: ClassVar[dict[str, str]] = {
        "ios": "iOS",
        "slider": "iOS carousel",
        "android": "Android",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups: dict[str, list[str]] = {}
        for name in self.fields:
            title = self.GROUPS.get(name.split("_")[0], "Message")
            groups.setdefault(title, []).append(name)
        fieldsets(self, groups)
        self._offer_android_channels()

    def _offer_android_channels(self) -> None:
        known = self.options.android_channels if self.options else ()
        names = self.options.android_channel_names if self.options else {}
        choices = [
            (channel_id, f"{names[channel_id]} ({channel_id})")
            if names.get(channel_id, channel_id) != channel_id
            else (channel_id, channel_id)
            for channel_id in known
        ]
        what = "Android notification channels"
        note = pickers.NONE_LISTED.format(what=what, page="Android channels")
        pickers.offer(self, "android_channel_id", choices, what="a channel", note=note)

    def clean(self):
        data = super().clean()
        for name, message in [("title", TITLE_REQUIRED), ("body", BODY_REQUIRED)]:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        for name in ("ios_badge_count", "android_badge_count"):
            if (data.get(name) or 0) < 0:
                self.add_error(name, BADGE_COUNT_NEGATIVE)
        color = data.get("android_icon_color")
        if color and not _HEX_COLOR.fullmatch(color):
            self.add_error("android_icon_color", ICON_COLOR_INVALID)
        self._clean_android_channel(data)
        slider = get_path(self.to_json(), SLIDER)
        if isinstance(slider, dict) and not slider.get("items"):
            self.add_row_error("slider_items", SLIDER_ITEMS_REQUIRED)
        if len(self.formsets["android_actions"].kept_forms) > MAX_ACTIONS:
            self.add_row_error("android_actions", TOO_MANY_ACTIONS)
        return data

    def _clean_android_channel(self, data):
        if "android_channel_id" in self.errors:
            return
        channel_id = data.get("android_channel_id")
        known = self.options.android_channels if self.options else ()
        if not channel_id and get_path(self.to_json(), ANDROID):
            self.add_error("android_channel_id", CHANNEL_ID_REQUIRED)
        elif channel_id and known and channel_id not in known:
            message = CHANNEL_ID_UNKNOWN.format(value=channel_id, choices=", ".join(known))
            self.add_error("android_channel_id", message)


def personalized_texts(body: dict) -> list[tuple[Path, str]]:
    """Each text of a push body CleverTap personalizes (`personalized` fields, rows included),
    with its path: what CleverTap parses as Liquid when it renders it."""
    found = []
    for name in PushContentForm.personalized:
        found.append((PushContentForm.paths[name], get_path(body, PushContentForm.paths[name])))
    for spec in PushContentForm.rows.values():
        items = get_path(body, spec.path)
        for index, item in enumerate(items if isinstance(items, list) else []):
            for name in spec.form.personalized:
                path = spec.form.paths[name]
                found.append(((*spec.path, index, *path), get_path(item, path)))
    return [(path, text) for path, text in found if isinstance(text, str)]


# The preview: an iOS and an Android notification (only the platforms `devices` names), each cut
# where its collapsed notification cuts, and the title's and message's length against those cuts.

# CleverTap's push editor recommends these lengths (not enforced): iOS title 25-50 and message
# 150, Android title 65 and message 240 (docs.clevertap.com/docs/push-editor, UX.md §1). The Create
# Campaign API documents no limit for content.title or content.body, so they are guidance only.
TITLE_CUTS = [previews.Cut("ios", "iOS", 50), previews.Cut("android", "Android", 65)]
BODY_CUTS = [previews.Cut("ios", "iOS", 150), previews.Cut("android", "Android", 240)]


@dataclass(frozen=True)
class Slide:
    caption: str
    subcaption: str
    image: previews.Image
    link: str = ""


def preview(
    body: dict, *, options: AccountOptions | None = None, remote_images: bool = False
) -> dict:
    content = previews.at(body, "content", kind=dict) or {}
    ios = previews.at(content, "platform_specific", "ios", kind=dict) or {}
    android = previews.at(content, "platform_specific", "android", kind=dict) or {}
    slider = previews.at(ios, "ct_ContentSlider", kind=dict) or {}
    devices = previews.at(body, "devices", kind=list)
    buttons = [
        previews.Button(previews.text_at(action, "l"), previews.text_at(action, "dl"))
        for action in previews.objects_at(android, "wzrk_acts")
        if previews.text_at(action, "l")
    ]
    title, message = previews.text_at(content, "title"), previews.text_at(content, "body")
    shown = {device: devices is None or device in devices for device in ("ios", "android")}
    title_cuts = [cut for cut in TITLE_CUTS if shown[cut.device]]
    body_cuts = [cut for cut in BODY_CUTS if shown[cut.device]]
    return {
        "title": title,
        "message": message,
        "counters": {
            "title": previews.length_counter(title, what="title", cuts=title_cuts),
            "body": previews.length_counter(message, what="message", cuts=body_cuts),
        },
        "ios": {
            "title": previews.cut_text(title, TITLE_CUTS, "ios"),
            "message": previews.cut_text(message, BODY_CUTS, "ios"),
            "image": previews.image_at(ios, "ct_mediaUrl"),
            "subtitle": previews.text_at(ios, "subtitle"),
            "badge": previews.text_at(ios, "badge_count"),
            "carousel": [
                Slide(
                    previews.text_at(item, "caption"),
                    previews.text_at(item, "subcaption"),
                    previews.image_at(item, "imageUrl", alt=""),
                    previews.text_at(item, "actionUrl"),
                )
                for item in previews.objects_at(slider, "items")
            ],
        },
        "android": {
            "title": previews.cut_text(title, TITLE_CUTS, "android"),
            "message": previews.cut_text(message, BODY_CUTS, "android"),
            "image": previews.image_at(android, "background_image"),
            "large_icon": previews.image_at(android, "large_icon", alt="Large icon"),
            "subtitle": previews.text_at(android, "subtitle"),
            "summary": previews.text_at(android, "summary"),
            "buttons": buttons,
        },
        "show_ios": shown["ios"],
        "show_android": shown["android"],
    }


# What the channel registry reads (campaigns/channels/registry.py says what each is).

CHANNEL = Channel.PUSH
DESCRIPTION = "A notification on phones (iOS and Android)"
TARGETS_FORM = PushContentForm
SEND_FORM = PushContentForm
PARTIAL = "push"
# CleverTap's estimate samples carry "windows" beside the mobile platforms.
ESTIMATE_KEYS = ("android", "ios", "windows")
SEND_MARKS = {ANDROID: 3, IOS: 3, ("content", "title"): 2}
