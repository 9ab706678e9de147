from campaigns.forms import fields
from campaigns.forms.base import PayloadForm, Rows

BODY_REQUIRED = "An SMS needs a body."
PROVIDER_REQUIRED = "Choose the SMS provider (provider_nick_name): it is required for SMS."
PROVIDER_UNKNOWN = "“{value}” is not an SMS provider of this account."
PROVIDER_ID_REQUIRED = "Give the provider id this row is for."
PROVIDER_ID_NOT_NUMERIC = "A provider id is the number CleverTap gives the provider."


class SmsMessageInfoForm(PayloadForm):
    """One provider's template id and key-values, in `content.message_info.<provider id>`."""

    provider_id = fields.TextField(label="Provider id", max_length=50)
    template_id = fields.TextField(label="Template id", max_length=200)
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
        label="Template id", max_length=200, help_text="Required for SMS to Indian numbers (DLT)."
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
            label="Provider templates and key-values",
            keyed_by="provider_id",
        )
    }

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
