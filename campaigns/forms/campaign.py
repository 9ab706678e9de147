"""The top-level fields every draft has: its name, labels and the send API's grouping keys."""

from campaigns.forms import fields
from campaigns.forms.base import PayloadForm
from campaigns.models import Channel

RESPECT_FREQUENCY_CAPS_NOT_BOOLEAN = "respect_frequency_caps: The value must be Boolean."
TAG_GROUP_NOT_STRING = '"tag_group" has to be string'
NAME_REQUIRED = "Give the campaign a name."
TARGET_MODE_EMPTY = (
    "The channel is empty: choose one, or CleverTap's default, which CleverTap reads as push."
)
# The channel select's empty choice: the body then has no target_mode, which CleverTap reads as
# push (`registry.DEFAULT_TARGET_MODE`).
NO_TARGET_MODE = fields.clevertap_default("push")
NO_TARGET_MODE_HELP = "CleverTap's default names no channel in the request: CleverTap sends push."
TAG_GROUP_OR_CAMPAIGN_ID = "Use either a tag group or a campaign ID, not both."


class TargetsCampaignForm(PayloadForm):
    """Top-level keys of a targets/create.json body."""

    name = fields.TextField(label="Campaign name", max_length=200)
    target_mode = fields.ChoiceField(
        label="Channel",
        choices=Channel.choices,
        blank_label=NO_TARGET_MODE,
        help_text=NO_TARGET_MODE_HELP,
    )
    labels = fields.LinesField(label="Labels", help_text="One label per line.")
    respect_frequency_caps = fields.BooleanField(
        label="Respect frequency caps",
        api_code=73,
        type_message=RESPECT_FREQUENCY_CAPS_NOT_BOOLEAN,
        default="yes",
        help_text="No overrides the frequency caps and dwell time.",
    )
    respect_throttle = fields.BooleanField(label="Respect throttle limits", default="no")

    paths = {
        "name": ("name",),
        "target_mode": ("target_mode",),
        "labels": ("labels",),
        "respect_frequency_caps": ("respect_frequency_caps",),
        "respect_throttle": ("respect_throttle",),
    }

    def clean(self):
        data = super().clean()
        if not data.get("name") and "name" not in self.errors:
            self.add_error("name", NAME_REQUIRED)
        return data


class SendCampaignForm(PayloadForm):
    """Top-level keys of a send/<channel>.json body (the channel is in the endpoint)."""

    name = fields.TextField(label="Campaign name", max_length=200)
    tag_group = fields.TextField(
        label="Tag group",
        api_code=76,
        type_message=TAG_GROUP_NOT_STRING,
        help_text="Metrics are shown against this tag group in CleverTap.",
    )
    campaign_id = fields.IntegerField(label="Campaign ID", help_text="Instead of a tag group.")
    labels = fields.LinesField(label="Labels", help_text="One label per line.")
    respect_frequency_caps = fields.BooleanField(
        label="Respect frequency caps",
        api_code=73,
        type_message=RESPECT_FREQUENCY_CAPS_NOT_BOOLEAN,
        default="yes",
    )

    paths = {
        "name": ("name",),
        "tag_group": ("tag_group",),
        "campaign_id": ("campaign_id",),
        "labels": ("labels",),
        "respect_frequency_caps": ("respect_frequency_caps",),
    }

    def clean(self):
        data = super().clean()
        if data.get("tag_group") and data.get("campaign_id") is not None:
            self.add_error("campaign_id", TAG_GROUP_OR_CAMPAIGN_ID)
        return data
