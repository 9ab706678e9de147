"""The conversion goal (`conversion_goal`): the event that counts as a conversion, and when.

Optional; once any part of it is set, the event, the conversion time and the revenue property are
required (as the reference says). Event-property filters use the operators and value rules of the
audience filters; nested item properties are written `Items|Book name`.
"""

import re

from django import forms

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
    "Give the conversion time as a whole number above 0 with its unit, like 3 days (3D in the "
    "request)."
)
YES_NO_UNKNOWN = "“%(value)s” is not yes or no."

_CONVERSION_TIME = re.compile(r"[1-9][0-9]*[mHDWM]")
_NUMBER_AND_UNIT = re.compile(r"([0-9]+)([mHDWM])")
UNITS = [("m", "minutes"), ("H", "hours"), ("D", "days"), ("W", "weeks"), ("M", "months")]
YES_NO = [("yes", "Yes"), ("no", "No")]


class NumberAndUnit(forms.MultiWidget):
    """A conversion time ("3D") as a number and its unit picked beside it. The two inputs' posts
    are joined again; a post of the whole text at the field's own name (a script, a page from
    before) is read as it is, and a value they cannot show goes whole into the number's input."""

    def __init__(self):
        number = forms.TextInput(attrs={"inputmode": "numeric", "aria-label": "Number"})
        unit = forms.Select(choices=[("", "Unit"), *UNITS], attrs={"aria-label": "Unit"})
        super().__init__([number, unit])

    def decompress(self, value):
        match = _NUMBER_AND_UNIT.fullmatch(value or "")
        return [match[1], match[2]] if match else [value or "", ""]

    def value_from_datadict(self, data, files, name):
        if name in data:
            return data.get(name)
        number, unit = super().value_from_datadict(data, files, name)
        return f"{number or ''}{unit or ''}"

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)

    def id_for_label(self, id_):
        return id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        number, unit = context["widget"]["subwidgets"]
        # The number keeps the field's own id, for the links to its errors; side by side.
        number["attrs"]["id"] = context["widget"]["attrs"].get("id")
        invalid = " is-invalid" if "is-invalid" in number["attrs"].get("class", "") else ""
        number["attrs"]["class"] = f"form-control number-and-unit{invalid}"
        unit["attrs"]["class"] = f"form-select number-and-unit{invalid}"
        return context


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
        widget=NumberAndUnit,
        help_text="How long after the message a conversion counts, e.g. 3 days.",
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
