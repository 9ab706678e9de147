"""Delivery controls of a targets/create.json body: limits, control groups, time to live, devices.

All top-level keys. The send/<channel>.json bodies of the reference carry none of them (their only
delivery option, respect_frequency_caps, is the campaign form's), so this form is for targets.
`estimate_only` is an action, and `async_estimate` and `skip_estimate` are options of publishing:
none is a draft field, and a body that carries them keeps them in the extras.

Rules between keys of different parts (a limit and the upper cap, which may sit in the extras)
are in payloads.cross_part_errors.
"""

import re

from django import forms

from campaigns import schedule
from campaigns.forms import dates, fields
from campaigns.forms import schedule as schedule_forms
from campaigns.forms.base import PayloadForm
from campaigns.forms.fields import MISSING
from campaigns.jsonpath import get_path

MIN_USERS = 100

LIMIT_TOO_LOW = f"The smallest limit is {MIN_USERS} people."
LIMIT_OR_CAP = (
    "Use either “Send campaign to at most” or “Don't send if more people qualify than”, not both."
)
PER_RUN_TOO_LOW = "Send to at least 1 person per run."
CONTROL_GROUP_TYPE_REQUIRED = (
    "Choose the kind of control group: a custom one, or a share of this campaign."
)
CONTROL_GROUP_TYPE_UNKNOWN = "“%(value)s” is not a control group type; use custom or campaign."
CONTROL_GROUP_NAME_REQUIRED = "A custom control group needs the name it has in CleverTap."
CONTROL_GROUP_NAME_ONLY_CUSTOM = "Only a custom control group has a name."
CONTROL_GROUP_PERCENTAGE_REQUIRED = "A campaign control group needs a percentage."
CONTROL_GROUP_PERCENTAGE_ONLY_CAMPAIGN = "Only a campaign control group has a percentage."
# CleverTap's text (recorded), then where to look.
CONTROL_GROUP_UNKNOWN_API = "No custom control group with name {name} is defined"
CONTROL_GROUP_UNKNOWN = CONTROL_GROUP_UNKNOWN_API + ": {known}."
CONTROL_GROUP_KNOWN = "this account's custom control groups are {names}"
CONTROL_GROUP_NONE_KNOWN = (
    "this account defines none (an administrator adds them in the admin, under Control groups)"
)
CONTROL_GROUP_PERCENTAGE_RANGE = "The percentage is a whole number from 1 to 99."
TTL_TYPE_REQUIRED = "Choose relative (minutes) or absolute (a date and time) for the time to live."
TTL_TYPE_UNKNOWN = "“%(value)s” is not a time-to-live type; use relative or absolute."
TTL_VALUE_REQUIRED = "Give the time to live: a number of minutes, or a date and time."
TTL_MINUTES_TOO_LOW = "A time to live is at least 1 minute."
TTL_ABSOLUTE_INVALID = (
    "This is not a date and time: pick the date and time in “Live until” (a number here is "
    "read as minutes only with “For a number of minutes”)."
)
TTL_ABSOLUTE_IN_PAST = "This date and time is in the past."
TTL_UNTIL_ONLY_ABSOLUTE = "A date and time applies only with “Until a date and time”."
DEVICE_UNKNOWN = "“%(value)s” is not a device; use android, ios, windows or web."

# The reference's bodies name android and ios; CleverTap's estimates also report "web", and
# creates with "windows" were accepted (CLEVERTAP-READS, recorded requests).
DEVICES = [("android", "Android"), ("ios", "iOS"), ("windows", "Windows"), ("web", "Web")]

_TTL_ABSOLUTE = re.compile(r"([0-9]{8})([0-9]{2})([0-9]{2})")


class OrderedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes listing the chosen values first, in their order, so the order survives a post;
    values outside the choices are shown (and checked) too."""

    def optgroups(self, name, value, attrs=None):
        labels = {str(choice): label for choice, label in self.choices}
        chosen = [str(item) for item in value if item not in ("", None)]
        order = chosen + [choice for choice in labels if choice not in chosen]
        options = [
            self.create_option(
                name,
                item,
                labels.get(item, f"{item} (unknown)"),
                item in chosen,
                index,
                attrs=attrs,
            )
            for index, item in enumerate(order)
        ]
        return [(None, options, 0)]


class DevicesField(fields.JsonField, forms.MultipleChoiceField):
    """A list of device names; its order is kept."""

    expected = "a list of distinct device names"
    widget = OrderedCheckboxes

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("error_messages", {"invalid_choice": DEVICE_UNKNOWN})
        super().__init__(choices=DEVICES, **kwargs)

    def json_to_data(self, value):
        if not isinstance(value, list) or not value or len(set(map(str, value))) != len(value):
            return None
        if not all(isinstance(item, str) and item and item.strip() == item for item in value):
            return None
        return list(value)

    def data_to_json(self, raw):
        items = raw if isinstance(raw, list) else ([raw] if raw else [])
        items = [item for item in items if item]
        return items or MISSING


class DeliveryForm(PayloadForm):
    """The delivery controls. The time to live has two inputs for its one value (`ttl.value`):
    minutes, and a date and time picked (the number yyyyMMddHHmm in the body); `ttl_type` says
    which one is sent. A number posted in minutes' input with "until" is read as yyyyMMddHHmm, as
    pages from before the picker posted it."""

    users_limit_overall = fields.IntegerField(
        label="Send campaign to at most",
        help_text=(
            f"A number of people, at least {MIN_USERS}; empty sends to everyone who qualifies. "
            "Not with “Don't send if more people qualify than”."
        ),
    )
    users_limit_per_run = fields.IntegerField(
        label="At most, per run", help_text="A number of people each run of the campaign reaches."
    )
    upper_cap_for_target_segment = fields.IntegerField(
        label="Don't send if more people qualify than",
        help_text=(
            f"A number of people, at least {MIN_USERS}. Not with “Send campaign to at most”."
        ),
    )
    system_control_group_include = fields.BooleanField(label="Use the system control group")
    control_group_type = fields.ChoiceField(
        label="Control group",
        choices=[("custom", "A custom control group"), ("campaign", "A share of this campaign")],
        blank_label="No control group",
        error_messages={"invalid_choice": CONTROL_GROUP_TYPE_UNKNOWN},
    )
    control_group_name = fields.TextField(
        label="Custom control group's name", max_length=500, help_text="As named in CleverTap."
    )
    control_group_percentage = fields.IntegerField(
        label="Share held back",
        help_text="Percent of the people who qualify, 1 to 99: they get nothing, for comparison.",
    )
    ttl_type = fields.ChoiceField(
        label="Time to live",
        choices=[
            ("relative", "For a number of minutes after sending"),
            ("absolute", "Until a date and time"),
        ],
        error_messages={"invalid_choice": TTL_TYPE_UNKNOWN},
        help_text="Push notifications: how long a message may wait for the device.",
    )
    ttl_value = fields.IntegerField(
        label="Minutes", help_text="For a number of minutes: e.g. 2880 for two days."
    )
    ttl_until = dates.JsonDateTimeField(
        label="Live until", as_number=True, help_text="Until a date and time: pick it here."
    )
    send_to_all_devices = fields.BooleanField(
        label="Send to all of each person's devices",
        default="no: only the last active device",
    )
    devices = DevicesField(label="Devices")

    paths = {
        "users_limit_overall": ("users_limit_overall",),
        "users_limit_per_run": ("users_limit_per_run",),
        "upper_cap_for_target_segment": ("upper_cap_for_target_segment",),
        "system_control_group_include": ("system_control_group_include",),
        "control_group_type": ("control_group", "type"),
        "control_group_name": ("control_group", "name"),
        "control_group_percentage": ("control_group", "percentage"),
        "ttl_type": ("ttl", "ttl_type"),
        # Two inputs, one value: a value neither can show is reported by the last one of its
        # path (payloads.schema_index), the minutes', as it was before the picker.
        "ttl_until": ("ttl", "value"),
        "ttl_value": ("ttl", "value"),
        "send_to_all_devices": ("send_to_all_devices",),
        "devices": ("devices",),
    }

    @classmethod
    def parse_json(cls, obj, *, prefix, base=()):
        # Both time-to-live inputs can show a date and time's number: it goes in the picker.
        parsed = super().parse_json(obj, prefix=prefix, base=base)
        until, minutes = f"{prefix}-ttl_until", f"{prefix}-ttl_value"
        picked = get_path(obj, ("ttl", "ttl_type")) == "absolute" and until in parsed.data
        parsed.data.pop(minutes if picked else until, None)
        return parsed

    def json_value(self, name: str):
        if name in ("ttl_value", "ttl_until"):
            # One value, from the input that the type says (the minutes' with any other type).
            until = self.raw("ttl_type") == "absolute" and self.raw("ttl_until")
            if name != ("ttl_until" if until else "ttl_value"):
                return MISSING
        return super().json_value(name)

    def is_set(self, name: str) -> bool:
        return self.json_value(name) is not MISSING

    def clean(self):
        data = super().clean()
        for name in ("users_limit_overall", "upper_cap_for_target_segment"):
            if data.get(name) is not None and data[name] < MIN_USERS:
                self.add_error(name, LIMIT_TOO_LOW)
        per_run = data.get("users_limit_per_run")
        if per_run is not None and per_run < 1:
            self.add_error("users_limit_per_run", PER_RUN_TOO_LOW)
        self._check_control_group(data)
        self._check_ttl(data)
        return data

    def _check_control_group(self, data):
        parts = ("control_group_type", "control_group_name", "control_group_percentage")
        if not any(self.is_set(name) for name in parts):
            return
        kind = data.get("control_group_type")
        has_name = self.is_set("control_group_name")
        has_percentage = self.is_set("control_group_percentage")
        if not kind and "control_group_type" not in self.errors:
            self.add_error("control_group_type", CONTROL_GROUP_TYPE_REQUIRED)
        if kind == "custom":
            if not has_name:
                self.add_error("control_group_name", CONTROL_GROUP_NAME_REQUIRED)
            else:
                self._check_custom_group_name(data.get("control_group_name"))
            if has_percentage:
                self.add_error("control_group_percentage", CONTROL_GROUP_PERCENTAGE_ONLY_CAMPAIGN)
        if kind == "campaign":
            if not has_percentage:
                self.add_error("control_group_percentage", CONTROL_GROUP_PERCENTAGE_REQUIRED)
            if has_name:
                self.add_error("control_group_name", CONTROL_GROUP_NAME_ONLY_CUSTOM)
        percentage = data.get("control_group_percentage")
        if percentage is not None and not 1 <= percentage <= 99:
            self.add_error("control_group_percentage", CONTROL_GROUP_PERCENTAGE_RANGE)

    def _check_custom_group_name(self, name) -> None:
        """CleverTap refuses a custom control group the account does not define, any name when
        it defines none; without the account's settings (None) nothing is known to check."""
        known = self.options.control_groups if self.options else None
        if known is None or not name or name in known or "control_group_name" in self.errors:
            return
        names = CONTROL_GROUP_KNOWN.format(names=", ".join(known)) if known else None
        self.add_answered_error(
            "control_group_name",
            CONTROL_GROUP_UNKNOWN.format(name=name, known=names or CONTROL_GROUP_NONE_KNOWN),
            api_message=CONTROL_GROUP_UNKNOWN_API.format(name=name),
        )

    def _check_ttl(self, data):
        kind = data.get("ttl_type")
        if self.raw("ttl_until") and kind != "absolute" and "ttl_until" not in self.errors:
            self.add_error("ttl_until", TTL_UNTIL_ONLY_ABSOLUTE)
        name = "ttl_until" if self.is_set("ttl_until") else "ttl_value"
        if not (self.is_set("ttl_type") or self.is_set(name)):
            return
        if not kind and "ttl_type" not in self.errors:
            self.add_error("ttl_type", TTL_TYPE_REQUIRED)
        value = data.get(name)
        if value is None:
            if name not in self.errors:
                self.add_error(name, TTL_VALUE_REQUIRED)
            return
        if kind == "relative" and value < 1:
            self.add_error(name, TTL_MINUTES_TOO_LOW)
        if kind == "absolute":
            # The picker gives a date and time; the minutes' input, a number to read as one.
            moment = value if name == "ttl_until" else ttl_moment(value)
            if moment is None:
                self.add_error(name, TTL_ABSOLUTE_INVALID)
            elif moment < schedule_forms.account_now():
                self.add_error(name, TTL_ABSOLUTE_IN_PAST)


def ttl_moment(value: int):
    """The wall-clock time of an absolute ttl value (yyyyMMddHHmm), or None."""
    match = _TTL_ABSOLUTE.fullmatch(str(value))
    if not match:
        return None
    day, hours, minutes = match.groups()
    return schedule.parse_date_time(f"{day} {hours}:{minutes}")
