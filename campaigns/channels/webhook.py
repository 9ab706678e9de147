"""Webhook: which endpoint gets the users, which of their data it gets, and fixed key-values.

Every key is top level; a webhook body has no `content`.
"""

from django.core.exceptions import ValidationError

from campaigns.forms import fields
from campaigns.forms.base import PayloadForm

WEBHOOK_FIELDS = ("profile-attributes", "tokens", "identities")

ENDPOINT_REQUIRED = "Choose the webhook endpoint (webhook_endpoint_name)."
ENDPOINT_UNKNOWN = "“{value}” is not a webhook endpoint of this account."
FIELD_UNKNOWN = "“{value}” is not a webhook field; use profile-attributes, tokens or identities."
FIELD_REPEATED = "“{value}” is listed more than once."


class WebhookContentForm(PayloadForm):
    webhook_endpoint_name = fields.TextField(
        label="Webhook endpoint",
        max_length=200,
        help_text="The endpoint's name as set up in CleverTap (webhook_endpoint_name).",
    )
    # A list of lines rather than checkboxes: checkboxes would post the fields in their own
    # order, and an imported body keeps the order it had.
    webhook_fields = fields.LinesField(
        label="User data to send",
        help_text="One per line, any of: profile-attributes, tokens, identities (webhook_fields).",
    )
    webhook_key_value = fields.KeyValueField(
        label="Key-values",
        help_text="Sent with every call, one `key = value` per line (webhook_key_value).",
    )

    paths = {
        "webhook_endpoint_name": ("webhook_endpoint_name",),
        "webhook_fields": ("webhook_fields",),
        "webhook_key_value": ("webhook_key_value",),
    }

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
