"""WhatsApp: an approved template with its placeholder values, or (send API only) a freeform reply;
the preview of the message bubble, and the registry's facts.

targets/create.json has the template's parts directly in `content` (template_name, locale, header,
body, buttons). send/whatsapp.json has `content.message_type` and the parts in `content.template`
(with `language` for the locale), or a freeform body in `content.freeform.body`.

The replacement lists are checked against the template's placeholder counts when the account lists
the template (`AccountOptions.whatsapp_templates`); `whatsapp_templates` presents the template
(`template_option`): its words with one input per placeholder, and the preview's filled words.

CleverTap's create examples spell the location header's latitude `latitiude`. The forms declare it
(`misspelt`): the payload core reads it as the latitude, says so, and the draft writes `latitude`.
"""

import dataclasses
import json
from typing import Any

from django.core.exceptions import ValidationError

from campaigns import previews
from campaigns.forms import fields, links, whatsapp_templates
from campaigns.forms.additional import AdditionalFieldsForm
from campaigns.forms.base import Alternatives, PayloadError, PayloadForm, Rows
from campaigns.forms.options import AccountOptions, WhatsAppTemplateOption
from campaigns.jsonpath import Path, delete_path, get_path
from campaigns.models import Channel

# CleverTap's error code for WhatsApp rules; 76 for a message type that is not a string.
API_CODE = 89

PROVIDER_REQUIRED = '"provider_nick_name" can\'t be empty'
PROVIDER_UNKNOWN = "The provider_nick_name used in request does not exist in your account."
MESSAGE_ID_REQUIRED = '"message_id" can\'t be empty'
MESSAGE_ID_TOO_LONG = '"message_id" length can\'t be greater than 8'
MESSAGE_TYPE_NOT_STRING = '"message_type" has to be string'
MESSAGE_TYPE_INVALID = "Received invalid message type"
TEMPLATE_NAME_REQUIRED = "Template name is mandatory"
TEMPLATE_NOT_FOUND = "Template not found for the specified provider"
REPLACEMENTS_COUNT = (
    "Invalid number of {part} replacements specified, the {part} has {count} replacement(s)."
)
LOCALE_REQUIRED = "Give the template's language code, e.g. en or fr."
LANGUAGE_REQUIRED = "Give the template's language code, e.g. en."
LANGUAGE_MISPLACED = (
    "Give the template's language in the template (content.template.language): this body has "
    "it at content.language, where the page does not document it (kept in Additional fields)."
)
LOCALE_NOT_FOUND = "The template {name} has no “{locale}” version in this account (it has {known})."
HEADER_TYPE_REQUIRED = "Choose the header type."
HEADER_TYPE_UNKNOWN = (
    "“%(value)s” is not a header type; use text, image, video, document or location."
)
HEADER_TYPE_MISMATCH = "This template's header is of type {expected}, not {actual}."
HEADER_NOT_IN_TEMPLATE = "This template has no header: leave the header type empty."
HEADER_REQUIRED_BY_TEMPLATE = "This template has a {expected} header: choose it and fill it in."
HEADER_REPLACEMENTS_NOT_TEXT = "Only a text header takes placeholder values."
HEADER_MEDIA_REQUIRED = "An image, video or document header needs its link."
LATITUDE_REQUIRED = "A location needs its latitude."
LONGITUDE_REQUIRED = "A location needs its longitude."
LATITUDE_RANGE = "A latitude is between -90 and 90."
LONGITUDE_RANGE = "A longitude is between -180 and 180."
BODY_TYPE_REQUIRED = "Set the template body's type to text."
BODY_TYPE_UNKNOWN = "“%(value)s” is not a body type; a template body is text."
FREEFORM_TYPE_REQUIRED = "Choose what the freeform message is."
FREEFORM_TYPE_UNKNOWN = (
    "“%(value)s” is not a freeform message type; use text, image, video, audio, document or "
    "location."
)
FREEFORM_TEXT_REQUIRED = "A text message needs its text."
FREEFORM_MEDIA_REQUIRED = "An image, video, audio or document message needs its link."
TEMPLATE_PART_IN_FREEFORM = (
    "This is a freeform message, but the template part it was imported with "
    "is kept too: untick “Keep the other parts as imported” to leave it out, or choose template."
)
FREEFORM_PART_IN_TEMPLATE = (
    "This is a template message, but the freeform part it was imported with "
    "is kept too: untick “Keep the other parts as imported” to leave it out, or choose freeform."
)

MESSAGE_ID_MAX = 8
TEXT, LOCATION = "text", "location"
MEDIA_HEADERS = ("image", "video", "document")
FREEFORM_MEDIA = ("image", "video", "audio", "document")
HEADER_TYPES = [(TEXT, "Text"), *((k, k.title()) for k in MEDIA_HEADERS), (LOCATION, "Location")]
FREEFORM_TYPES = [(TEXT, "Text"), *((k, k.title()) for k in FREEFORM_MEDIA), (LOCATION, "Location")]
MISSPELT_LATITUDE = "latitiude"


def _latitude() -> fields.NumberField:
    return fields.NumberField(label="Latitude", help_text="e.g. 16.0174248")


def _longitude() -> fields.NumberField:
    return fields.NumberField(label="Longitude", help_text="e.g. 80.8294747")


def _place_name() -> fields.TextField:
    return fields.TextField(label="Place name", max_length=500)


def _address() -> fields.TextField:
    return fields.TextField(label="Address", max_length=1000)


def _buttons(path: Path) -> Rows:
    return Rows(path, WhatsAppButtonForm, "Buttons' values", "button", "Add a button's values")


class WhatsAppButtonForm(PayloadForm):
    """The values of one button's placeholders (e.g. the end of a dynamic link)."""

    replacements = fields.LinesField(
        label="Values for the button's placeholders",
        api_code=API_CODE,
        help_text="One value per line.",
        widget=whatsapp_templates.PlaceholderValues(attrs={"rows": 3}),
    )

    paths = {"replacements": ("replacements",)}

    # Set by the content form when the account lists the template: this button's placeholders.
    expected_replacements: int | None = None

    def clean(self):
        data = super().clean()
        expected = self.expected_replacements
        given = data.get("replacements")
        if expected is not None and given is not None and len(given) != expected:
            message = REPLACEMENTS_COUNT.format(part="button", count=expected)
            self.add_error("replacements", message)
        return data


class WhatsAppTemplatePartsForm(PayloadForm):
    """The template's header, body and buttons: the same in both APIs, under `template_base`."""

    template_base: Path = ()
    locale_field = "locale"
    # A new template (or language) shows its words and one input per placeholder.
    refreshed_by = ("template_name", "locale", "language")

    template_name = fields.TextField(
        label="Template name",
        max_length=500,
        api_code=API_CODE,
        help_text="As listed in CleverTap under Settings > Channels > WhatsApp.",
    )
    header_type = fields.ChoiceField(
        label="Header type",
        choices=HEADER_TYPES,
        blank_label="No header",
        error_messages={"invalid_choice": HEADER_TYPE_UNKNOWN},
    )
    header_replacements = fields.LinesField(
        label="Values for the header's placeholders",
        # Text headers always carry the list, even empty; other headers leave it out (to_json).
        always=True,
        api_code=API_CODE,
        help_text="Text headers only: one value per placeholder, one per line.",
        widget=whatsapp_templates.PlaceholderValues(attrs={"rows": 3}),
    )
    header_media_url = links.MediaUrlField(
        label="Header's image, video or document link",
        help_text="The image, video or document; for a location, an optional map link.",
    )
    header_latitude = _latitude()
    header_longitude = _longitude()
    header_location_name = _place_name()
    header_location_address = _address()
    body_replacements = fields.LinesField(
        label="Values for the message's placeholders",
        # The page requires the list even when the template has no placeholders (`[]`).
        always=True,
        api_code=API_CODE,
        help_text="One value per placeholder of the body, one per line.",
        widget=whatsapp_templates.PlaceholderValues(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.template_option = option = self._template_option()
        for index, button in enumerate(self.formsets["buttons"].kept_forms if option else ()):
            button.expected_replacements = _at(option.button_placeholders, index)
        whatsapp_templates.present(self, option)

    @classmethod
    def template_paths(cls, base: Path) -> dict[str, Path]:
        header, media = base + ("header",), base + ("header", "media")
        return {
            "header_type": header + ("type",),
            "header_replacements": header + ("replacements",),
            "header_media_url": media + ("url",),
            "header_latitude": media + ("latitude",),
            "header_longitude": media + ("longitude",),
            "header_location_name": media + ("name",),
            "header_location_address": media + ("address",),
            "body_replacements": base + ("body", "replacements"),
        }

    def uses_template(self) -> bool:
        return True

    def _template_option(self) -> WhatsAppTemplateOption | None:
        if not self.options or not self.options.whatsapp_templates or not self.uses_template():
            return None
        name, locale = self.json_value("template_name"), self.json_value(self.locale_field)
        if not isinstance(name, str):
            return None
        return self.options.whatsapp_template(name, locale if isinstance(locale, str) else None)

    def extras(self) -> dict[Path, Any]:
        """The body's kept-aside keys, posted with the forms, for messages that point at them."""
        try:
            return AdditionalFieldsForm.load(self.data.get(AdditionalFieldsForm.FIELD) or "")
        except ValidationError:
            return {}

    # Building: the replacement lists are written even when empty, but only where they belong.

    def build_json(self) -> Any:
        result = super().build_json()
        template = get_path(result, self.template_base)
        if not isinstance(template, dict):
            return result
        header = template.get("header")
        if isinstance(header, dict) and header.get("replacements") == []:
            if header.get("type") != TEXT:
                del header["replacements"]
            if not header:
                del template["header"]
        if template == {"body": {"replacements": []}}:
            # Nothing of a template was typed: no template part at all.
            delete_path(result, self.template_base)
        return result

    # Rules.

    def clean_provider_nick_name(self):
        name = self.cleaned_data["provider_nick_name"]
        known = self.options.providers.get("whatsapp", ()) if self.options else ()
        if not name:
            raise ValidationError(PROVIDER_REQUIRED)
        if known and name not in known:
            raise ValidationError(PROVIDER_UNKNOWN)
        return name

    def clean_template_parts(self, data: dict) -> None:
        if not data.get("template_name") and "template_name" not in self.errors:
            self.add_error("template_name", TEMPLATE_NAME_REQUIRED)
        self._clean_header(data)
        self._clean_against_template(data)

    def _clean_header(self, data: dict) -> None:
        kind = data.get("header_type")
        typed = [name for name in HEADER_FIELDS if name != "header_type" and self.raw(name)]
        if not kind:
            if typed and "header_type" not in self.errors:
                self.add_error("header_type", HEADER_TYPE_REQUIRED)
            return
        if kind != TEXT and data.get("header_replacements"):
            self.add_error("header_replacements", HEADER_REPLACEMENTS_NOT_TEXT)
        if kind in MEDIA_HEADERS and not self.raw("header_media_url"):
            self.add_error("header_media_url", HEADER_MEDIA_REQUIRED)
        if kind == LOCATION:
            self.clean_location(data, "header_")

    def clean_location(self, data: dict, prefix: str) -> None:
        latitude, longitude = f"{prefix}latitude", f"{prefix}longitude"
        if data.get(latitude) is None and latitude not in self.errors:
            self.add_error(latitude, LATITUDE_REQUIRED)
        elif data.get(latitude) is not None and not -90 <= data[latitude] <= 90:
            self.add_error(latitude, LATITUDE_RANGE)
        if data.get(longitude) is None and longitude not in self.errors:
            self.add_error(longitude, LONGITUDE_REQUIRED)
        elif data.get(longitude) is not None and not -180 <= data[longitude] <= 180:
            self.add_error(longitude, LONGITUDE_RANGE)

    def _clean_against_template(self, data: dict) -> None:
        name = data.get("template_name")
        templates = self.options.whatsapp_templates if self.options else ()
        if not name or not templates:
            return
        versions = [t for t in templates if t.name == name]
        if not versions:
            self.add_error("template_name", TEMPLATE_NOT_FOUND)
            return
        locale = data.get(self.locale_field)
        if locale and all(t.locale != locale for t in versions):
            known = ", ".join(sorted(t.locale for t in versions))
            message = LOCALE_NOT_FOUND.format(name=name, locale=locale, known=known)
            self.add_error(self.locale_field, message)
        option = self.template_option
        if option is None:
            return
        header = data.get("header_type")
        if "header_type" not in self.errors and header != option.header_type:
            if not option.header_type:
                message = HEADER_NOT_IN_TEMPLATE
            elif not header:
                message = HEADER_REQUIRED_BY_TEMPLATE.format(expected=option.header_type)
            else:
                message = HEADER_TYPE_MISMATCH.format(expected=option.header_type, actual=header)
            self.add_error("header_type", message)
        for part, count in _placeholder_counts(option).items():
            given = data.get(f"{part}_replacements")
            if given is not None and len(given) != count:
                if part == "header" and not count and header != TEXT:
                    continue
                message = REPLACEMENTS_COUNT.format(part=part, count=count)
                self.add_error(f"{part}_replacements", message)
        buttons = len(self.formsets["buttons"].kept_forms)
        for expected in option.button_placeholders[buttons:]:
            if expected:
                message = REPLACEMENTS_COUNT.format(part="button", count=expected)
                self.add_row_error("buttons", message)
                break


HEADER_FIELDS = [n for n in WhatsAppTemplatePartsForm.template_paths(()) if n.startswith("header_")]


class WhatsAppContentForm(WhatsAppTemplatePartsForm):
    """targets/create.json: the template's parts directly in `content`."""

    template_base = ("content",)
    locale_field = "locale"

    provider_nick_name = fields.TextField(
        label="WhatsApp provider", max_length=200, api_code=API_CODE
    )
    locale = fields.TextField(
        label="Language code",
        max_length=20,
        help_text="Shown in parentheses after the template's name in CleverTap, e.g. en or fr.",
    )

    field_order = ["provider_nick_name", "template_name", "locale"]
    paths = {
        "provider_nick_name": ("provider_nick_name",),
        "template_name": ("content", "template_name"),
        "locale": ("content", "locale"),
        **WhatsAppTemplatePartsForm.template_paths(("content",)),
    }
    rows = {"buttons": _buttons(("content", "buttons"))}
    misspelt = {("content", "header", "media", MISSPELT_LATITUDE): "latitude"}

    def clean(self):
        data = super().clean()
        self.clean_template_parts(data)
        if not data.get("locale") and "locale" not in self.errors:
            self.add_error("locale", LOCALE_REQUIRED)
        return data


class WhatsAppSendContentForm(WhatsAppTemplatePartsForm):
    """send/whatsapp.json: a template message or a freeform reply, and the message id."""

    template_base = ("content", "template")
    locale_field = "language"

    provider_nick_name = fields.TextField(
        label="WhatsApp provider", max_length=200, api_code=API_CODE
    )
    message_id = fields.TextField(
        label="Message ID",
        api_code=API_CODE,
        help_text="Up to 8 characters; tracks the status of each message sent.",
    )
    respect_communication_preference = fields.BooleanField(
        label="Respect people's communication preferences",
        help_text="No sends even to people who opted out; check that you are allowed to.",
    )
    message_type = fields.ChoiceField(
        label="Message type",
        blank_label=fields.CHOOSE,
        choices=[("template", "Template"), ("freeform", "Freeform (a reply to the user)")],
        # 76 is CleverTap's code for a value that is not a string; its other rules answer 89.
        api_code=76,
        type_message=MESSAGE_TYPE_NOT_STRING,
        error_messages={"invalid_choice": MESSAGE_TYPE_INVALID},
    )
    language = fields.TextField(label="Language code", max_length=20, help_text="e.g. en or en_US.")
    body_type = fields.ChoiceField(
        label="Body type",
        blank_label=fields.CHOOSE,
        choices=[(TEXT, "Text")],
        error_messages={"invalid_choice": BODY_TYPE_UNKNOWN},
    )
    freeform_type = fields.ChoiceField(
        label="Freeform message",
        blank_label=fields.CHOOSE,
        choices=FREEFORM_TYPES,
        error_messages={"invalid_choice": FREEFORM_TYPE_UNKNOWN},
    )
    freeform_text = fields.TextField(label="Text", textarea=True)
    freeform_media_url = links.MediaUrlField(
        label="Media link",
        help_text="The image, video, audio or document; for a location, an optional map link.",
    )
    freeform_caption = fields.TextField(label="Caption", max_length=1024)
    freeform_filename = fields.TextField(label="File name", max_length=500)
    freeform_latitude = _latitude()
    freeform_longitude = _longitude()
    freeform_location_name = _place_name()
    freeform_location_address = _address()

    field_order = [
        "provider_nick_name",
        "message_id",
        "respect_communication_preference",
        "message_type",
        "template_name",
        "language",
        *HEADER_FIELDS,
        "body_type",
        "body_replacements",
    ]
    paths = {
        "provider_nick_name": ("provider_nick_name",),
        "message_id": ("message_id",),
        "respect_communication_preference": ("respect_communication_preference",),
        "message_type": ("content", "message_type"),
        "template_name": ("content", "template", "template_name"),
        "language": ("content", "template", "language"),
        "body_type": ("content", "template", "body", "type"),
        **WhatsAppTemplatePartsForm.template_paths(("content", "template")),
        "freeform_type": ("content", "freeform", "body", "type"),
        "freeform_text": ("content", "freeform", "body", "text"),
        "freeform_media_url": ("content", "freeform", "body", "media", "url"),
        "freeform_caption": ("content", "freeform", "body", "media", "caption"),
        "freeform_filename": ("content", "freeform", "body", "media", "filename"),
        "freeform_latitude": ("content", "freeform", "body", "media", "latitude"),
        "freeform_longitude": ("content", "freeform", "body", "media", "longitude"),
        "freeform_location_name": ("content", "freeform", "body", "media", "name"),
        "freeform_location_address": ("content", "freeform", "body", "media", "address"),
    }
    rows = {"buttons": _buttons(("content", "template", "buttons"))}
    misspelt = {
        ("content", "template", "header", "media", MISSPELT_LATITUDE): "latitude",
        ("content", "freeform", "body", "media", MISSPELT_LATITUDE): "latitude",
    }
    alternatives = Alternatives(
        "message_type",
        {"template": (("content", "freeform"),), "freeform": (("content", "template"),)},
        hide=True,
    )

    def uses_template(self) -> bool:
        return self.json_value("message_type") != "freeform"

    def clean_message_id(self):
        message_id = self.cleaned_data["message_id"]
        if not message_id:
            raise ValidationError(MESSAGE_ID_REQUIRED)
        if len(message_id) > MESSAGE_ID_MAX:
            raise ValidationError(MESSAGE_ID_TOO_LONG)
        return message_id

    def clean(self):
        data = super().clean()
        message_type = data.get("message_type")
        if not message_type and "message_type" not in self.errors:
            self.add_error("message_type", MESSAGE_TYPE_INVALID)
        # The other kind is sent only when kept as it was imported (see Alternatives).
        if message_type == "template":
            self.clean_template_parts(data)
            if not data.get("language") and "language" not in self.errors:
                misplaced = ("content", "language") in self.extras()
                self.add_error("language", LANGUAGE_MISPLACED if misplaced else LANGUAGE_REQUIRED)
            if not data.get("body_type") and "body_type" not in self.errors:
                self.add_error("body_type", BODY_TYPE_REQUIRED)
            if self.kept:
                self.add_error("message_type", FREEFORM_PART_IN_TEMPLATE)
        elif message_type == "freeform":
            self._clean_freeform(data)
            if self.kept:
                self.add_error("message_type", TEMPLATE_PART_IN_FREEFORM)
        return data

    def _clean_freeform(self, data: dict) -> None:
        kind = data.get("freeform_type")
        if not kind:
            if "freeform_type" not in self.errors:
                self.add_error("freeform_type", FREEFORM_TYPE_REQUIRED)
        elif kind == TEXT and not data.get("freeform_text"):
            self.add_error("freeform_text", FREEFORM_TEXT_REQUIRED)
        elif kind in FREEFORM_MEDIA and not self.raw("freeform_media_url"):
            self.add_error("freeform_media_url", FREEFORM_MEDIA_REQUIRED)
        elif kind == LOCATION:
            self.clean_location(data, "freeform_")

    def path_errors(self, base: Path = ()) -> list[PayloadError]:
        # The field's code (76) is for a value that is not a string; an invalid type answers 89.
        message_type = self.add_prefix("message_type")
        return [
            dataclasses.replace(e, code=API_CODE if e.message == MESSAGE_TYPE_INVALID else None)
            if e.field == message_type
            else e
            for e in super().path_errors(base)
        ]


def _placeholder_counts(option: WhatsAppTemplateOption) -> dict[str, int]:
    return {"header": option.header_placeholders, "body": option.body_placeholders}


def _at(counts: tuple[int, ...], index: int) -> int:
    return counts[index] if index < len(counts) else 0


# The preview: the message bubble, each placeholder shown with its value or as missing.


@dataclasses.dataclass
class Bubble:
    template: str = ""
    locale: str = ""
    header_type: str = ""
    header_text: str = ""
    media_url: str = ""
    location: dict = dataclasses.field(default_factory=dict)
    text: str = ""
    # (placeholder number, value or "" when missing) for templates.
    body_values: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    buttons: list[list[tuple[int, str]]] = dataclasses.field(default_factory=list)
    freeform: bool = False
    # The template's words with the values in place, where the account has its words.
    header_pieces: list = dataclasses.field(default_factory=list)
    body_pieces: list = dataclasses.field(default_factory=list)
    button_pieces: list[list] = dataclasses.field(default_factory=list)


def preview(
    body: dict, *, options: AccountOptions | None = None, remote_images: bool = False
) -> dict:
    content = previews.at(body, "content", kind=dict) or {}
    bubble = Bubble()
    if content.get("message_type") == "freeform":
        bubble.freeform = True
        freeform_body = previews.at(content, "freeform", "body", kind=dict) or {}
        bubble.header_type = previews.text_at(freeform_body, "type")
        bubble.text = previews.text_at(freeform_body, "text")
        media_url = previews.text_at(freeform_body, "media", "url")
        bubble.media_url = media_url or previews.text_at(freeform_body, "url")
        bubble.location = _location(freeform_body)
        return {"bubble": bubble}
    template = previews.at(content, "template", kind=dict) or content
    bubble.template = previews.text_at(template, "template_name")
    bubble.locale = previews.text_at(template, "language") or previews.text_at(template, "locale")
    option = options.whatsapp_template(bubble.template, bubble.locale) if options else None
    header = previews.at(template, "header", kind=dict) or {}
    bubble.header_type = previews.text_at(header, "type") or (option.header_type if option else "")
    bubble.media_url = previews.text_at(header, "media", "url")
    bubble.location = _location(header)
    header_values = _replacements(header, option.header_placeholders if option else 0)
    bubble.header_text = " ".join(value or f"{{{{{n}}}}}" for n, value in header_values)
    body_part = previews.at(template, "body", kind=dict) or {}
    bubble.body_values = _replacements(body_part, option.body_placeholders if option else 0)
    expected_buttons = option.button_placeholders if option else ()
    buttons = previews.objects_at(template, "buttons")
    for position in range(max(len(buttons), len(expected_buttons))):
        button = buttons[position] if position < len(buttons) else {}
        bubble.buttons.append(_replacements(button, _at(expected_buttons, position)))
    if option is not None:
        whatsapp_templates.fill(bubble, option, header_values)
    return {"bubble": bubble}


def _replacements(data: Any, expected: int = 0) -> list[tuple[int, str]]:
    values = previews.at(data, "replacements", kind=list) or []
    shown = [json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in values]
    shown += [""] * max(0, expected - len(shown))
    return list(enumerate(shown, 1))


def _location(data: dict) -> dict:
    """A location header's or message's place, from its media (where the forms write it)."""
    if previews.text_at(data, "type") != LOCATION:
        return {}
    media = previews.at(data, "media", kind=dict) or {}
    shown = {key: previews.text_at(media, key) for key in ("latitude", "longitude", "name")}
    if not any(shown.values()):
        return {}
    return shown | {"address": previews.text_at(media, "address")}


# What the channel registry reads (campaigns/channels/registry.py says what each is).

CHANNEL = Channel.WHATSAPP
DESCRIPTION = "A WhatsApp message made from one of your approved templates"
TARGETS_FORM = WhatsAppContentForm
SEND_FORM = WhatsAppSendContentForm
PARTIAL = "whatsapp"
ESTIMATE_KEYS = ("whatsapp",)
SEND_MARKS = {("content", key): 6 for key in ("message_type", "template", "freeform")}
