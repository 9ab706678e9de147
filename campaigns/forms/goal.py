"""The conversion goal (`conversion_goal`): the event that counts as a conversion, and when.

Optional; once any part of it is set, the event, the conversion time and the revenue property are
required (as the reference says). Event-property filters use the operators and value rules of the
audience filters; nested item properties are written `Items|Book name`.
"""

import re

from campaigns.forms import audience, fields
from campaigns.forms.base import PayloadForm, Rows
from campaigns.forms.schedule import WindowForm

GOAL_EVENT_REQUIRED = "A conversion goal needs its event."
GOAL_CONVERSION_TIME_REQUIRED = (
    "A conversion goal needs the time conversions are counted for, e.g. 3 days."
)
GOAL_REVENUE_PROPERTY_REQUIRED = (
    "A conversion goal needs the event property that holds the revenue."
)
GOAL_PROPERTY_NAME_REQUIRED = "Give the event property's name."
CONVERSION_TIME_INVALID = (
    "Write the conversion time as a number and a unit: m minutes, H hours, D days, W weeks, "
    "M months (e.g. 3D)."
)
YES_NO_UNKNOWN = "“%(value)s” is not yes or no."

_CONVERSION_TIME = re.compile(r"[1-9][0-9]*[mHDWM]")
YES_NO = [("yes", "Yes"), ("no", "No")]


class EventPropertyForm(audience.FilterRowForm):
    """One row of `conversion_goal.filter_type.event_property`."""

    name_field = "property_name"
    value_field = "property_value"
    name_required = GOAL_PROPERTY_NAME_REQUIRED

    property_name = fields.TextField(
        label="Event property",
        max_length=500,
        help_text="An item property is written Items|Name.",
        widget=audience.suggested(audience.PROPERTY_NAMES_DATALIST),
    )
    operator = audience.operator_field()
    property_value = fields.JsonValueField(label="Value", help_text=audience.VALUE_HELP)

    paths = {
        "property_name": ("property_name",),
        "operator": ("operator",),
        "property_value": ("property_value",),
    }


class TimeOfDayForm(WindowForm):
    """One of `filter_type.time_of_day`: ["HH:MM", "HH:MM"]."""


class GoalForm(PayloadForm):
    event_name = fields.TextField(
        label="Conversion event",
        max_length=500,
        widget=audience.suggested(audience.EVENT_NAMES_DATALIST),
    )
    first_time = fields.ChoiceField(
        label="Count only the first time they do it",
        choices=YES_NO,
        error_messages={"invalid_choice": YES_NO_UNKNOWN},
    )
    last_time = fields.ChoiceField(
        label="Count only the last time they do it",
        choices=YES_NO,
        error_messages={"invalid_choice": YES_NO_UNKNOWN},
    )
    day_of_week = fields.WeekdaysField(label="Only on these days of the week")
    day_of_month = fields.IntegerListField(
        label="Only on these days of the month",
        min_value=1,
        max_value=31,
        help_text="Numbers 1-31, e.g. 1, 15, 31.",
    )
    conversion_time = fields.TextField(
        label="Conversion time",
        max_length=20,
        help_text=(
            "How long after the message a conversion counts: a number and a unit letter, "
            "m minutes, H hours, D days, W weeks, M months (3D is 3 days)."
        ),
    )
    revenue_property = fields.TextField(
        label="Revenue property",
        help_text="The event's property that holds the amount, e.g. Amount.",
        max_length=500,
        widget=audience.suggested(audience.PROPERTY_NAMES_DATALIST),
    )

    paths = {
        "event_name": ("conversion_goal", "event_name"),
        "first_time": ("conversion_goal", "filter_type", "first_time"),
        "last_time": ("conversion_goal", "filter_type", "last_time"),
        "day_of_week": ("conversion_goal", "filter_type", "day_of_week"),
        "day_of_month": ("conversion_goal", "filter_type", "day_of_month"),
        "conversion_time": ("conversion_goal", "conversion_time"),
        "revenue_property": ("conversion_goal", "revenue_property"),
    }
    rows = {
        "event_property": Rows(
            ("conversion_goal", "filter_type", "event_property"),
            EventPropertyForm,
            label="Only when the event's properties match",
            item="event property filter",
            add="Add an event property filter",
        ),
        "time_of_day": Rows(
            ("conversion_goal", "filter_type", "time_of_day"),
            TimeOfDayForm,
            label="Only at these times of day",
            item="time of day",
            add="Add a time of day",
        ),
    }

    def clean(self):
        data = super().clean()
        if "conversion_goal" not in self.to_json():
            return data
        for name, message in [
            ("event_name", GOAL_EVENT_REQUIRED),
            ("conversion_time", GOAL_CONVERSION_TIME_REQUIRED),
            ("revenue_property", GOAL_REVENUE_PROPERTY_REQUIRED),
        ]:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        conversion_time = data.get("conversion_time")
        if conversion_time and not _CONVERSION_TIME.fullmatch(conversion_time):
            self.add_error("conversion_time", CONVERSION_TIME_INVALID)
        return data
