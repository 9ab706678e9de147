"""SMS: content (message, provider, DLT template and per-provider key-values), the preview of the
message with its encoding and segment count, and the registry's facts.
"""

from dataclasses import dataclass

from campaigns import previews
from campaigns.forms import fields, pickers
from campaigns.forms.base import PayloadForm, Rows
from campaigns.forms.options import AccountOptions
from campaigns.models import Channel

BODY_REQUIRED = "An SMS needs a body."
PROVIDER_REQUIRED = "Choose the SMS provider (provider_nick_name): it is required for SMS."
PROVIDER_UNKNOWN = "“{value}” is not an SMS provider of this account."
PROVIDER_ID_REQUIRED = "Give the provider id this row is for."
PROVIDER_ID_NOT_NUMERIC = "A provider id is the number CleverTap gives the provider."


class SmsMessageInfoForm(PayloadForm):
    """One provider's template id and key-values, in `content.message_info.<provider id>`."""

    provider_id = fields.TextField(
        label="Provider ID", max_length=50, help_text="The number CleverTap gives the provider."
    )
    template_id = fields.TextField(label="Template ID", max_length=200)
    header_kvs = fields.KeyValueField(label="Header key-values")
    message_kvs = fields.KeyValueField(label="Message key-values")

    paths = {
        "template_id": ("template_id",),
        "header_kvs": ("header_kvs",),
        "message_kvs": ("message_kvs",),
    }

    def clean(self):
        data = super().clean()
        provider_id = data.get("provider_id") or ""
        if not provider_id:
            self.add_error("provider_id", PROVIDER_ID_REQUIRED)
        elif not provider_id.isdigit():
            self.add_error("provider_id", PROVIDER_ID_NOT_NUMERIC)
        return data


class SmsContentForm(PayloadForm):
    body = fields.TextField(label="Message", textarea=True)
    provider_nick_name = fields.TextField(label="Provider", max_length=200)
    provider_group_nickname = fields.TextField(label="Provider group", max_length=200)
    template_id = fields.TextField(
        label="Template ID", max_length=200, help_text="Required for SMS to Indian numbers (DLT)."
    )

    paths = {
        "body": ("content", "body"),
        "provider_nick_name": ("provider_nick_name",),
        "provider_group_nickname": ("provider_group_nickname",),
        "template_id": ("content", "template_id"),
    }
    rows = {
        "message_info": Rows(
            ("content", "message_info"),
            SmsMessageInfoForm,
            label="Templates and key-values per provider",
            item="provider's template",
            add="Add a provider's template",
            keyed_by="provider_id",
        )
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pickers.offer_provider(self, "provider_nick_name", "sms", label="SMS")

    def clean(self):
        data = super().clean()
        if not data.get("body") and "body" not in self.errors:
            self.add_error("body", BODY_REQUIRED)
        nick_name = data.get("provider_nick_name")
        known = self.options.providers.get("sms", ()) if self.options else ()
        if not nick_name and "provider_nick_name" not in self.errors:
            self.add_error("provider_nick_name", PROVIDER_REQUIRED)
        elif nick_name and known and nick_name not in known:
            self.add_error("provider_nick_name", PROVIDER_UNKNOWN.format(value=nick_name))
        return data


# The preview: the message and its count. Encodings: GSM 03.38 (7-bit) when every character is in
# its alphabet, else UCS-2.

GSM7 = "GSM-7"
UCS2 = "UCS-2"
GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters of the extension table: each is sent as an escape plus itself, two septets.
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Count:
    encoding: str
    characters: int
    # Septets for GSM-7 (extension characters count two), UTF-16 code units for UCS-2.
    units: int
    segments: int
    per_segment: int

    @property
    def remaining(self) -> int:
        """Units left before one more segment is needed (about, for multi-part messages)."""
        return max(self.segments, 1) * self.per_segment - self.units


def count(text: str) -> Count:
    """Characters, encoding and segments of an SMS: GSM-7 160/153 per part, UCS-2 70/67.

    A multi-part message loses room in each part to the concatenation header; an escape pair
    (GSM-7 extension character) or a surrogate pair (UCS-2) is never split across two parts.
    """
    if all(char in _GSM7_BASIC or char in _GSM7_EXTENDED for char in text):
        sizes = [2 if char in _GSM7_EXTENDED else 1 for char in text]
        single, part, encoding = GSM7_SINGLE, GSM7_PART, GSM7
    else:
        sizes = [2 if ord(char) > 0xFFFF else 1 for char in text]
        single, part, encoding = UCS2_SINGLE, UCS2_PART, UCS2
    units = sum(sizes)
    if units == 0:
        return Count(encoding, 0, 0, 0, single)
    if units <= single:
        return Count(encoding, len(text), units, 1, single)
    segments, room = 1, part
    for size in sizes:
        if size > room:
            segments, room = segments + 1, part
        room -= size
    return Count(encoding, len(text), units, segments, part)


def preview(
    body: dict, *, options: AccountOptions | None = None, remote_images: bool = False
) -> dict:
    text = previews.text_at(body, "content", "body")
    return {"message": text, "count": count(text)}


# What the channel registry reads (campaigns/channels/registry.py says what each is).

CHANNEL = Channel.SMS
DESCRIPTION = "A text message to each person's phone"
TARGETS_FORM = SmsContentForm
SEND_FORM = SmsContentForm
PARTIAL = "sms"
ESTIMATE_KEYS = ("sms",)
# Any send body: one that carries no other channel's mark is an SMS.
SEND_MARKS = {(): 1}
