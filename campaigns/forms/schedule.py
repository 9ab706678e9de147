"""When a targets/create.json campaign is sent (`when`), with its do-not-disturb hours.

`when` is the string "now", the string "YYYYMMDD HH:MM", or an object with `type` now, later
(`delivery_date_time`: date-times in increasing order) or recurring (daily or weekly), plus the
delivery options and `dnd` (quiet hours per weekday, inside `when` as in the reference). The
`style` field remembers which way the body wrote it: a string comes back a string and an object an
object. The short string is written only while it can say everything that was set.

The "in the future" rules compare with the account's current wall-clock time (settings.TIME_ZONE)
taken from `current_time()`: tests pin it with `monkeypatch.setattr(schedule_forms,
"current_time", ...)`; nothing else needs to pass a clock around.
"""

import dataclasses
from datetime import datetime
from functools import cached_property
from itertools import pairwise

from django import forms
from django.utils import timezone

from campaigns import schedule
from campaigns.forms import dates, fields
from campaigns.forms.base import PayloadError, PayloadForm, Rows
from campaigns.forms.fields import MISSING

SHORT = "short"
FULL = "object"

WHEN_REQUIRED = "Choose when to send it: now, at a date and time, or on a repeating schedule."
WHEN_INVALID = 'when must be "now", a date and time written "YYYYMMDD HH:MM", or an object.'
WHEN_TYPE_REQUIRED = "Choose when to send it: now, later, or on a repeating schedule."
WHEN_TYPE_UNKNOWN = "“%(value)s” is not a schedule type; use now, later or recurring."
DELIVERY_TIMES_REQUIRED = "Add at least one date and time to send at."
DATE_TIME_IN_PAST = "This date and time is in the past; choose one in the future."
DATE_TIMES_NOT_INCREASING = "List the send times in increasing order, each after the one before."
ONLY_FOR_LATER = "Send times apply only to a campaign sent later."
ONLY_FOR_RECURRING = "This applies only to a repeating schedule."
REPEAT_TYPE_REQUIRED = "Choose how it repeats: daily or weekly."
REPEAT_TYPE_UNKNOWN = "“%(value)s” is not a repeat type; use day or week (there is no monthly)."
REPEATS_EVERY_REQUIRED = "Say every how many days or weeks it repeats."
REPEATS_EVERY_TOO_LOW = "It repeats every 1 or more days or weeks."
START_TIME_REQUIRED = "Give the date and time of the first send."
START_TIME_IN_PAST = "The start is in the past; a repeating schedule cannot start before now."
DAYS_OF_WEEK_REQUIRED = "Choose the days of the week it is sent on."
ONLY_FOR_WEEKLY = "Days of the week apply only to a weekly schedule."
END_BY_ONE = "End either on a date or after a number of sends, not both."
END_BY_DATE_BEFORE_START = "The end date is before the start."
END_BY_OCCURRENCES_TOO_LOW = "It ends after 1 or more sends."
TIMEZONE_UNKNOWN = "“%(value)s” is not a timezone choice; use user or account."
MESSAGE_STATE_INVALID = (
    'During quiet hours a message is either delayed ("delay", or 1) or discarded ("discard", or 0).'
)
DND_TIMEZONE_REQUIRED = "Choose whose timezone the quiet hours are in."
DND_INFO_REQUIRED = "Add the quiet hours: a day of the week with a start and an end time."
DND_WEEKDAY_REQUIRED = "Choose the day of these quiet hours."
DND_WEEKDAY_UNKNOWN = "“%(value)s” is not a weekday; use 1 (Sunday) to 7 (Saturday)."
DND_WEEKDAY_TWICE = "{day} has more than one quiet window; give each day one."
WINDOW_TIMES_REQUIRED = "Give both the start and the end time."
WINDOW_EMPTY = (
    "The window starts and ends at the same time (an end before the start crosses midnight)."
)
WINDOW_NOT_PAIR = 'A time window is a pair of times written ["HH:MM", "HH:MM"].'
DATE_TIME_NOT_WRITTEN = 'Write the date and time as "YYYYMMDD HH:MM".'

TIMEZONES = [("user", "Each person's own timezone"), ("account", "The account's timezone")]
WEEKDAY_NAMES = [
    ("1", "Sunday"),
    ("2", "Monday"),
    ("3", "Tuesday"),
    ("4", "Wednesday"),
    ("5", "Thursday"),
    ("6", "Friday"),
    ("7", "Saturday"),
]
RECURRING_FIELDS = (
    "repeat_type",
    "repeats_every",
    "start_time",
    "end_by_date",
    "end_by_occurrences",
    "repeat_on_days_of_week",
)


def current_time() -> datetime:
    """The current instant (aware). Tests replace this function to pin "now"."""
    return timezone.now()


def account_now() -> datetime:
    """The current minute on the account's wall clock, naive like the body's date-times."""
    return timezone.localtime(current_time()).replace(tzinfo=None, second=0, microsecond=0)


class WindowForm(PayloadForm):
    """A time window written as the JSON pair ["HH:MM", "HH:MM"]; an end before the start crosses
    midnight."""

    element = list

    start = dates.JsonTimeField(label="From")
    end = dates.JsonTimeField(label="Until")

    paths = {"start": (0,), "end": (1,)}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if not (start and end):
            if not self.errors:
                self.add_error("end" if start else "start", WINDOW_TIMES_REQUIRED)
        elif start == end:
            self.add_error("end", WINDOW_EMPTY)
        return data


class DndWindowForm(WindowForm):
    """One weekday's quiet hours, in `when.dnd.dnd_info` keyed by the weekday number."""

    field_order = ["weekday", "start", "end"]

    weekday = fields.ChoiceField(
        label="Day",
        choices=WEEKDAY_NAMES,
        blank_label=fields.CHOOSE,
        error_messages={"invalid_choice": DND_WEEKDAY_UNKNOWN},
    )
    start = dates.JsonTimeField(label="Quiet from")
    end = dates.JsonTimeField(label="Until")

    def clean(self):
        data = super().clean()
        if not self.raw("weekday") and "weekday" not in self.errors:
            self.add_error("weekday", DND_WEEKDAY_REQUIRED)
        return data


class DeliveryTimeForm(PayloadForm):
    """One of `when.delivery_date_time`: a JSON string, not an object."""

    element = str

    at = dates.JsonDateTimeField(label="Send at")

    paths = {"at": ()}

    def build_json(self):
        value = self.json_value("at")
        return "" if value is MISSING else value

    def api_path(self, name):
        # The short form's one send time is `when` itself.
        return "when" if self.rows_of.owner.short else super().api_path(name)

    def clean(self):
        data = super().clean()
        moment = schedule.parse_date_time(self.json_value("at"))
        if moment is not None and moment < account_now():
            self.add_error("at", DATE_TIME_IN_PAST)
        return data


def _choice(label: str, choices, unknown: str, **kwargs) -> fields.ChoiceField:
    kwargs.setdefault("blank_label", fields.CHOOSE)
    return fields.ChoiceField(
        label=label, choices=choices, error_messages={"invalid_choice": unknown}, **kwargs
    )


class ScheduleForm(PayloadForm):
    style = forms.ChoiceField(
        label="How the request writes it",
        required=False,
        choices=[
            (SHORT, "Short, while it says everything: now, or one date and time"),
            (FULL, "In full, with the kind of send and its options"),
        ],
        widget=forms.RadioSelect,
        help_text="Only the request's wording: the campaign is sent the same either way.",
    )
    type = _choice(
        "When to send it",
        [("now", "Now"), ("later", "Later, at the times below"), ("recurring", "Repeatedly")],
        WHEN_TYPE_UNKNOWN,
    )
    repeat_type = _choice("Repeats", [("day", "Daily"), ("week", "Weekly")], REPEAT_TYPE_UNKNOWN)
    repeats_every = fields.IntegerField(
        label="Repeat every", help_text="A number of days (daily) or weeks (weekly), e.g. 2."
    )
    repeat_on_days_of_week = fields.WeekdaysField(label="On these days (weekly)")
    start_time = dates.JsonDateTimeField(label="First send")
    end_by_date = dates.JsonDateField(label="Ends on", as_string=True)
    end_by_occurrences = fields.IntegerField(
        label="Or stop after", help_text="A number of sends, instead of an end date."
    )
    delivery_timezone = _choice(
        "Send times are in", TIMEZONES, TIMEZONE_UNKNOWN, blank_label=fields.CLEVERTAP_DEFAULT
    )
    user_timezone_wrap_around = fields.BooleanField(
        label="Where the time has already passed",
        help_text="In each person's timezone: Yes sends the next day, No skips them.",
    )
    campaign_cutoff = dates.JsonTimeField(
        label="Stop sending after",
        help_text="A time of day: messages not sent by then are not sent.",
    )
    message_state = _choice(
        "During quiet hours",
        [("delay", "Delay until they end"), ("discard", "Discard the message")],
        MESSAGE_STATE_INVALID,
        type_message=MESSAGE_STATE_INVALID,
        blank_label=fields.clevertap_default("discard the message"),
    )
    dnd_timezone = _choice("Quiet hours are in", TIMEZONES, TIMEZONE_UNKNOWN)

    paths = {
        "type": ("when", "type"),
        "repeat_type": ("when", "repeat_type"),
        "repeats_every": ("when", "repeats_every"),
        "repeat_on_days_of_week": ("when", "repeat_on_days_of_week"),
        "start_time": ("when", "start_time"),
        "end_by_date": ("when", "end_by_date"),
        "end_by_occurrences": ("when", "end_by_occurrences"),
        "delivery_timezone": ("when", "delivery_timezone"),
        "user_timezone_wrap_around": ("when", "user_timezone_wrap_around"),
        "campaign_cutoff": ("when", "campaign_cutoff"),
        "message_state": ("when", "dnd", "message_state"),
        "dnd_timezone": ("when", "dnd", "dnd_timezone"),
    }
    rows = {
        "delivery_date_time": Rows(
            ("when", "delivery_date_time"),
            DeliveryTimeForm,
            label="Send times",
            item="send time",
            add="Add a send time",
        ),
        "dnd_info": Rows(
            ("when", "dnd", "dnd_info"),
            DndWindowForm,
            label="Quiet hours (Do Not Disturb)",
            item="quiet hours",
            add="Add quiet hours for a day",
            keyed_by="weekday",
        ),
    }

    @classmethod
    def parse_json(cls, obj, *, prefix, base=()):
        when = obj.get("when") if isinstance(obj, dict) else None
        if when == "now":
            equivalent = {"type": "now"}
        elif isinstance(when, str) and readable_date_time(when):
            equivalent = {"type": "later", "delivery_date_time": [when]}
        else:
            equivalent = None
        if equivalent is not None:
            parsed = super().parse_json({"when": equivalent}, prefix=prefix, base=base)
            parsed.claimed = {base + ("when",)}
            parsed.data[f"{prefix}-style"] = SHORT
            return parsed
        parsed = super().parse_json(obj, prefix=prefix, base=base)
        if isinstance(when, dict):
            parsed.data[f"{prefix}-style"] = FULL
            if not when:
                parsed.claimed.add(base + ("when",))
        return parsed

    def build_json(self):
        result = super().build_json()
        when = result.get("when")
        if self.raw("style") == FULL:
            result["when"] = when or {}
        elif when is not None:
            short = _short_form(when)
            if short is not None:
                result["when"] = short
        return result

    @cached_property
    def short(self) -> bool:
        """Whether the body writes `when` as its short string, "now" or one date and time."""
        return isinstance(self.to_json().get("when"), str)

    def api_path(self, name):
        # The short string stands for the type (and the send time, DeliveryTimeForm.api_path).
        return "when" if name == "type" and self.short else super().api_path(name)

    def path_errors(self, base=()):
        errors = super().path_errors(base)
        if not self.short:
            return errors
        # The short string stands for type and send time: its problems are the string's.
        root = base + ("when",)
        return [
            dataclasses.replace(e, path=root) if e.path[: len(root)] == root else e for e in errors
        ]

    def is_set(self, name: str) -> bool:
        return self.json_value(name) is not MISSING

    def clean(self):
        data = super().clean()
        if self.to_json().get("when") is None:
            return data
        kind = data.get("type")
        if not kind and "type" not in self.errors:
            self.add_error("type", WHEN_TYPE_REQUIRED)
        self._check_times()
        if kind == "recurring":
            self._check_recurring(data)
        elif kind:
            for name in RECURRING_FIELDS:
                if self.is_set(name):
                    self.add_error(name, ONLY_FOR_RECURRING)
        if self.is_set("end_by_date") and self.is_set("end_by_occurrences"):
            self.add_error("end_by_occurrences", END_BY_ONE)
        self._check_dnd()
        return data

    def _check_times(self):
        # Whether send times are there at all is checked on the whole body
        # (payloads.cross_part_errors): they may wait in the extras.
        times = self.formsets["delivery_date_time"].to_json()
        moments = [schedule.parse_date_time(value) for value in times]
        if None not in moments and any(b <= a for a, b in pairwise(moments)):
            self.add_row_error("delivery_date_time", DATE_TIMES_NOT_INCREASING)

    def _check_recurring(self, data):
        repeat_type = data.get("repeat_type")
        if not repeat_type and "repeat_type" not in self.errors:
            self.add_error("repeat_type", REPEAT_TYPE_REQUIRED)
        every = data.get("repeats_every")
        if every is None and "repeats_every" not in self.errors:
            self.add_error("repeats_every", REPEATS_EVERY_REQUIRED)
        elif every is not None and every < 1:
            self.add_error("repeats_every", REPEATS_EVERY_TOO_LOW)
        days = data.get("repeat_on_days_of_week")
        if repeat_type == "week" and not days and "repeat_on_days_of_week" not in self.errors:
            self.add_error("repeat_on_days_of_week", DAYS_OF_WEEK_REQUIRED)
        if repeat_type == "day" and days:
            self.add_error("repeat_on_days_of_week", ONLY_FOR_WEEKLY)
        start = schedule.parse_date_time(self.json_value("start_time"))
        if not self.is_set("start_time"):
            self.add_error("start_time", START_TIME_REQUIRED)
        elif start is not None and start < account_now():
            self.add_error("start_time", START_TIME_IN_PAST)
        end = schedule.parse_date(self.json_value("end_by_date"))
        if start is not None and end is not None and end < start.date():
            self.add_error("end_by_date", END_BY_DATE_BEFORE_START)
        occurrences = data.get("end_by_occurrences")
        if occurrences is not None and occurrences < 1:
            self.add_error("end_by_occurrences", END_BY_OCCURRENCES_TOO_LOW)

    def _check_dnd(self):
        # Whether quiet hours are there at all is checked on the whole body
        # (payloads.cross_part_errors): they may wait in the extras.
        windows = self.formsets["dnd_info"]
        has_windows = bool(windows.to_json())
        dnd_set = has_windows or self.is_set("message_state")
        if dnd_set and not self.is_set("dnd_timezone"):
            self.add_error("dnd_timezone", DND_TIMEZONE_REQUIRED)
        days = [str(form.raw("weekday") or "") for form in windows.kept_forms]
        for day in sorted({day for day in days if day and days.count(day) > 1}):
            name = dict(WEEKDAY_NAMES).get(day, day)
            self.add_row_error("dnd_info", DND_WEEKDAY_TWICE.format(day=name))


def body_errors(body: dict) -> list[PayloadError]:
    """The schedule's rules that need the built body: parts that may wait in the extras."""
    when = body.get("when")
    if "when" not in body:
        return [PayloadError(("when",), WHEN_REQUIRED)]
    if not readable_when(when):
        return [PayloadError(("when",), WHEN_INVALID)]
    if not isinstance(when, dict):
        return []
    errors = []
    kind = when.get("type")
    if kind == "later" and not when.get("delivery_date_time"):
        errors.append(PayloadError(("when", "delivery_date_time"), DELIVERY_TIMES_REQUIRED))
    if kind in ("now", "recurring") and "delivery_date_time" in when:
        errors.append(PayloadError(("when", "delivery_date_time"), ONLY_FOR_LATER))
    dnd = when.get("dnd")
    if isinstance(dnd, dict):
        if not dnd.get("dnd_info"):
            errors.append(PayloadError(("when", "dnd", "dnd_info"), DND_INFO_REQUIRED))
        if "dnd_timezone" not in dnd:
            errors.append(PayloadError(("when", "dnd", "dnd_timezone"), DND_TIMEZONE_REQUIRED))
    return errors


def readable_date_time(value) -> bool:
    """Whether a send-time field can show this value (its validation then checks the date)."""
    return DeliveryTimeForm.base_fields["at"].json_to_data(value) is not None


def readable_when(value) -> bool:
    return value == "now" or isinstance(value, dict) or readable_date_time(value)


def readable_window(value) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(WindowForm.base_fields["start"].json_to_data(item) for item in value)
    )


def _short_form(when: dict) -> str | None:
    """The string that says the same as `when`, if there is one."""
    if when == {"type": "now"}:
        return "now"
    times = when.get("delivery_date_time")
    if (
        set(when) == {"type", "delivery_date_time"}
        and when["type"] == "later"
        and isinstance(times, list)
        and len(times) == 1
        and isinstance(times[0], str)
    ):
        return times[0]
    return None
