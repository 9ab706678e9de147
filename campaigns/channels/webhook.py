"""Webhook: which endpoint gets the users, which of their data it gets, and fixed key-values; the
preview of the call, and the registry's facts.

Every key is top level; a webhook body has no `content`.
"""

import json

from django.core.exceptions import ValidationError

from campaigns import previews
from campaigns.forms import fields, pickers
from campaigns.forms.base import PayloadForm
from campaigns.forms.options import AccountOptions
from campaigns.models import Channel

# What a webhook can carry about each person, and how the composer names it.
WEBHOOK_FIELD_CHOICES = [
    ("profile-attributes", "Profile properties"),
    ("tokens", "Push tokens"),
    ("identities", "Identities"),
]
WEBHOOK_FIELDS = tuple(value for value, _ in WEBHOOK_FIELD_CHOICES)

ENDPOINT_REQUIRED = "Choose the webhook endpoint."
ENDPOINT_UNKNOWN = "“{value}” is not a webhook endpoint of this account."
FIELD_UNKNOWN = (
    "“{value}” is not something a webhook can carry: untick it, and tick profile properties, "
    "push tokens or identities."
)
FIELD_REPEATED = "“{value}” is ticked more than once: untick one of them."


class WebhookContentForm(PayloadForm):
    webhook_endpoint_name = fields.TextField(
        label="Webhook endpoint",
        max_length=200,
        help_text="The endpoint set up in CleverTap that receives the calls.",
    )
    webhook_fields = fields.ChecklistField(
        label="What each call carries about each person", choices=WEBHOOK_FIELD_CHOICES
    )
    webhook_key_value = fields.KeyValueField(
        label="Key-values",
        help_text="Sent with every call, one `key = value` per line.",
    )

    paths = {
        "webhook_endpoint_name": ("webhook_endpoint_name",),
        "webhook_fields": ("webhook_fields",),
        "webhook_key_value": ("webhook_key_value",),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        endpoints = self.options.webhook_endpoints if self.options else ()
        what = "webhook endpoints"
        note = pickers.NONE_LISTED.format(what=what, page="Webhook endpoints")
        pickers.offer(
            self, "webhook_endpoint_name", pickers.same(endpoints), what="an endpoint", note=note
        )

    def clean_webhook_endpoint_name(self):
        name = self.cleaned_data["webhook_endpoint_name"]
        known = self.options.webhook_endpoints if self.options else ()
        if not name:
            raise ValidationError(ENDPOINT_REQUIRED)
        if known and name not in known:
            raise ValidationError(ENDPOINT_UNKNOWN.format(value=name))
        return name

    def clean_webhook_fields(self):
        chosen = self.cleaned_data["webhook_fields"] or []
        problems, seen = [], set()
        for value in chosen:
            if value not in WEBHOOK_FIELDS:
                problems.append(FIELD_UNKNOWN.format(value=value))
            elif value in seen:
                problems.append(FIELD_REPEATED.format(value=value))
            seen.add(value)
        if problems:
            raise ValidationError(problems)
        return chosen


# The preview: where the call goes and what it carries.


def preview(
    body: dict, *, options: AccountOptions | None = None, remote_images: bool = False
) -> dict:
    key_values = previews.at(body, "webhook_key_value", kind=dict) or {}
    return {
        "endpoint": previews.text_at(body, "webhook_endpoint_name"),
        "fields": [
            f for f in previews.at(body, "webhook_fields", kind=list) or [] if isinstance(f, str)
        ],
        "key_values": [
            (str(key), value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
            for key, value in key_values.items()
        ],
    }


# What the channel registry reads (campaigns/channels/registry.py says what each is).

CHANNEL = Channel.WEBHOOK
DESCRIPTION = "Calls your server for each person"
TARGETS_FORM = WebhookContentForm
SEND_FORM = None  # no send/<channel>.json
PARTIAL = "webhook"
# A webhook receives profile data: every user of the target segment counts.
ESTIMATE_KEYS = ("webhook",)
SEND_MARKS = {}
