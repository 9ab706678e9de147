"""What each step of the composer says, in one line of words, read from the built request body.

Pure functions over a body of any shape: a draft's body comes from imports and pastes too, so
anything unexpected (a wrong type, a missing key, a date that is no date) reads as "not chosen"
or is left out, never raises. Weekdays are CleverTap's numbers (1 = Sunday ... 7 = Saturday);
dates are "YYYYMMDD" (as text or as a number) and date-times "YYYYMMDD HH:MM".
"""

import re
from datetime import date, datetime
from typing import Any

from campaigns import schedule
from campaigns.jsonpath import Path, format_path
from campaigns.previews import at, objects_at, text_at

NOT_CHOSEN = "Not chosen yet"
EVERYONE = "Everyone"
SEGMENT = "Segment {segment}"
FILTERED = "People matching filters"
FROM_LIST = "{count} {people} from a list"
NO_TITLE = "No title yet"
NOW = "Now"
UNREADABLE_WHEN = "A schedule the composer cannot read (see its problems)"
EACH_TIMEZONE = " (each person's timezone)"
NO_GOAL = "No goal"
GOAL_WITHOUT_EVENT = "A goal without its event"
NO_LIMITS = "No limits: CleverTap's defaults apply"
NO_EXTRAS = "None added"
UNNAMED = "No name yet"

_CLOCK = re.compile(r"[0-2][0-9]:[0-5][0-9]")
# How many filters a line names before it says how many more there are.
SHOWN_FILTERS = 3
# How much of a message's text stands for it (an SMS has no title).
SHOWN_TEXT = 60

WEEKDAYS = {
    1: "Sunday",
    2: "Monday",
    3: "Tuesday",
    4: "Wednesday",
    5: "Thursday",
    6: "Friday",
    7: "Saturday",
}
WEEKDAYS_SHORT = {day: name[:3] for day, name in WEEKDAYS.items()}
OPERATOR_WORDS = {
    "equals": "is",
    "not_equals": "is not",
    "greater_than": "is more than",
    "greater_than_equals": "is at least",
    "less_than": "is less than",
    "less_than_equals": "is at most",
    "contains": "contains",
    "does_not_contain": "does not contain",
    "exists": "is set",
    "does_not_exist": "is not set",
    "between": "is between",
}
# How often an event happened (advanced_query.did_all rows), by operator.
COUNT_WORDS = {
    "equals": "exactly {value} times",
    "not_equals": "other than {value} times",
    "greater_than": "more than {value} times",
    "greater_than_equals": "at least {value} times",
    "less_than": "fewer than {value} times",
    "less_than_equals": "at most {value} times",
    "between": "between {low} and {high} times",
}
# conversion_time's units (forms/goal.py): m minutes, H hours, D days, W weeks, M months.
TIME_UNITS = {"m": "minute", "H": "hour", "D": "day", "W": "week", "M": "month"}


# Who.


def who(body: Any) -> str:
    """targets/create.json's audience (where, segment, advanced_query) or send's list (to)."""
    recipients = at(body, "to", kind=dict)
    if recipients is not None:
        count = sum(len(v) for v in recipients.values() if isinstance(v, list))
        return FROM_LIST.format(count=f"{count:,}", people="person" if count == 1 else "people")
    where = at(body, "where")
    segment = at(body, "segment")
    if where is None and segment is not None and not isinstance(segment, bool | dict | list):
        return SEGMENT.format(segment=segment)
    did_all = objects_at(body, "advanced_query", "did_all")
    if where == {} and not did_all:
        return EVERYONE
    if not isinstance(where, dict) and not did_all:
        return NOT_CHOSEN
    where = where if isinstance(where, dict) else {}
    parts = []
    event = text_at(where, "event_name")
    if event:
        parts.append(f"who did {event}{_date_range(where.get('from'), where.get('to'))}")
    parts += [_occurrence(row) for row in did_all]
    properties = [
        _condition(text_at(row, "name"), row.get("operator"), row, "value")
        for row in objects_at(where, "common_profile_properties", "profile_fields")
    ]
    if properties and not parts:
        parts.append(f"whose {properties.pop(0)}")
    parts += properties
    parts = [part for part in parts if part]
    if not parts:
        return FILTERED
    return "People " + _listed_with_more(parts)


def _occurrence(row: dict) -> str:
    event = text_at(row, "event_name")
    if not event:
        return ""
    counted = _count(row.get("operator"), row.get("value"))
    dates = _date_range(row.get("from"), row.get("to"))
    return f"who did {event}" + (f" {counted}" if counted else "") + dates


def _count(operator: Any, value: Any) -> str:
    words = COUNT_WORDS.get(operator) if isinstance(operator, str) else None
    if words is None:
        return ""
    if operator == "between":
        if isinstance(value, list) and len(value) == 2:
            return words.format(low=_value(value[0]), high=_value(value[1]))
        return ""
    return words.format(value=_value(value)) if _is_scalar(value) else ""


def _condition(name: str, operator: Any, row: dict, value_key: str) -> str:
    """`Customer Type is Gold`, `Age is between 18 and 30`, `Email is set`."""
    if not name:
        return ""
    words = OPERATOR_WORDS.get(operator) if isinstance(operator, str) else None
    if words is None:
        return f"{name} (a filter)"
    if operator in ("exists", "does_not_exist"):
        return f"{name} {words}"
    value = row.get(value_key)
    if operator == "between" and isinstance(value, list) and len(value) == 2:
        return f"{name} {words} {_value(value[0])} and {_value(value[1])}"
    if value_key not in row:
        return f"{name} {words} …"
    return f"{name} {words} {_value(value)}"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list):
        return " or ".join(_value(item) for item in value[:SHOWN_FILTERS]) + (
            " …" if len(value) > SHOWN_FILTERS else ""
        )
    return "…"


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _listed_with_more(parts: list[str]) -> str:
    shown = parts[:SHOWN_FILTERS]
    text = ", ".join(shown)
    if len(parts) > SHOWN_FILTERS:
        text += f" and {len(parts) - SHOWN_FILTERS} more"
    return text


def _date(value: Any) -> date | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return schedule.parse_date(value) if isinstance(value, str) else None


def _date_range(start: Any, end: Any) -> str:
    """ " between 1 and 30 Nov 2026", " since 1 Oct 2017", "" (no readable dates)."""
    first, last = _date(start), _date(end)
    if first and last:
        if (first.year, first.month) == (last.year, last.month):
            return f" between {first.day} and {_day(last)}"
        if first.year == last.year:
            return f" between {first.day} {first:%b} and {_day(last)}"
        return f" between {_day(first)} and {_day(last)}"
    if first:
        return f" since {_day(first)}"
    if last:
        return f" until {_day(last)}"
    return ""


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _moment(moment: datetime) -> str:
    return f"{_day(moment.date())} at {moment:%H:%M}"


# What.


# The text that stands for a message, by channel: the first of these paths that holds text.
HEADLINES: dict[str, tuple[Path, ...]] = {
    "push": (("content", "title"), ("content", "body")),
    "webpush": (("content", "title"), ("content", "body")),
    "email": (("content", "subject"),),
    "sms": (("content", "body"),),
    "whatsapp": (
        ("content", "template_name"),
        ("content", "template", "template_name"),
        ("content", "freeform", "body", "text"),
        ("content", "freeform", "body", "media", "caption"),
        ("content", "freeform", "body", "type"),
    ),
    "webhook": (("webhook_endpoint_name",),),
    "notificationinbox": (("content", 0, "title", "text"), ("content", 0, "message", "text")),
}
HEADLINE_FORMS = {
    ("content", "template_name"): "Template {text}",
    ("content", "template", "template_name"): "Template {text}",
    ("webhook_endpoint_name",): "Webhook {text}",
    ("content", "freeform", "body", "type"): "A message of type {text}",
}


def what(body: Any, *, channel: str) -> str:
    """The message's title (its subject, text, template or endpoint where it has no title)."""
    paths = HEADLINES.get(channel, (("content", "title"), ("content", "body")))
    for path in paths:
        text = " ".join(text_at(body, *path).split())
        if text:
            if len(text) > SHOWN_TEXT:
                text = text[: SHOWN_TEXT - 1].rstrip() + "…"
            return HEADLINE_FORMS.get(path, "“{text}”").format(text=text)
    return NO_TITLE


# When.


def when(body: Any) -> str:
    """ "Now", "Once, 12 Dec 2026 at 10:00", "Every week on Monday at 09:00, from 14 Dec 2026"."""
    if not isinstance(body, dict) or "when" not in body:
        return NOT_CHOSEN
    value = body["when"]
    if value == "now":
        return NOW
    if isinstance(value, str):
        moment = schedule.parse_date_time(value)
        return f"Once, {_moment(moment)}" if moment else UNREADABLE_WHEN
    if not isinstance(value, dict):
        return UNREADABLE_WHEN
    zone = EACH_TIMEZONE if schedule.in_user_time(value) else ""
    kind = value.get("type")
    if kind == "now":
        return NOW + zone
    if kind == "later":
        times = value.get("delivery_date_time")
        moments = [schedule.parse_date_time(t) for t in times] if isinstance(times, list) else []
        moments = [moment for moment in moments if moment]
        if not moments:
            return NOT_CHOSEN
        if len(moments) == 1:
            return f"Once, {_moment(moments[0])}{zone}"
        return f"{len(moments)} times, first {_moment(min(moments))}{zone}"
    if kind == "recurring":
        # The recurrence alone: quiet hours half typed do not make the repeats unreadable.
        recurring = schedule.recurrence({k: v for k, v in value.items() if k in RECURRENCE_KEYS})
        return _recurring(recurring) + zone if recurring else UNREADABLE_WHEN
    return NOT_CHOSEN if kind is None and not value else UNREADABLE_WHEN


RECURRENCE_KEYS = (
    "type",
    "repeat_type",
    "repeats_every",
    "repeat_on_days_of_week",
    "start_time",
    "end_by_date",
    "end_by_occurrences",
)


def _recurring(recurring: schedule.Recurring) -> str:
    every = recurring.every
    unit = "week" if recurring.weekdays else "day"
    text = f"Every {unit}" if every == 1 else f"Every {every} {unit}s"
    if recurring.weekdays:
        text += " on " + _and([WEEKDAYS[day] for day in recurring.weekdays])
    text += f" at {recurring.start:%H:%M}, from {_day(recurring.start.date())}"
    if recurring.end_by_date:
        text += f" until {_day(recurring.end_by_date)}"
    if recurring.end_by_occurrences:
        count = recurring.end_by_occurrences
        text += f", {count} time{'s' if count != 1 else ''}"
    return text


def _and(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# Goal.


def goal(body: Any) -> str:
    """ "Charged within 2 days", or "No goal"."""
    found = at(body, "conversion_goal")
    if found is None:
        return NO_GOAL
    event = text_at(found, "event_name")
    if not event:
        return GOAL_WITHOUT_EVENT
    within = _duration(text_at(found, "conversion_time"))
    return f"{event} within {within}" if within else event


def _duration(text: str) -> str:
    number, unit = text[:-1], text[-1:]
    if not number.isdigit() or unit not in TIME_UNITS:
        return ""
    count = int(number)
    return f"{count} {TIME_UNITS[unit]}{'s' if count != 1 else ''}"


# Delivery.


def delivery(body: Any) -> str:
    """Limits, control group, time to live, frequency caps and Do Not Disturb, in words."""
    if not isinstance(body, dict):
        return NO_LIMITS
    parts = []
    limit = _count_at(body, "users_limit_overall")
    if limit:
        parts.append(f"at most {limit} people")
    per_run = _count_at(body, "users_limit_per_run")
    if per_run:
        parts.append(f"at most {per_run} a run")
    cap = _count_at(body, "upper_cap_for_target_segment")
    if cap:
        parts.append(f"not sent if more than {cap} qualify")
    parts += _control_group(body)
    ttl = _ttl(at(body, "ttl", kind=dict))
    if ttl:
        parts.append(ttl)
    if body.get("respect_frequency_caps") is False:
        parts.append("frequency caps ignored")
    if body.get("respect_throttle") is False:
        parts.append("throttle limits ignored")
    quiet = _quiet_hours(at(body, "when", "dnd", kind=dict))
    if quiet:
        parts.append(quiet)
    cutoff = text_at(body, "when", "campaign_cutoff")
    if _CLOCK.fullmatch(cutoff):
        parts.append(f"nothing sent after {cutoff}")
    if body.get("send_to_all_devices") is True:
        parts.append("every device of each person")
    devices = at(body, "devices", kind=list)
    if devices and all(isinstance(device, str) for device in devices):
        parts.append(_and([DEVICE_NAMES.get(device, device) for device in devices]) + " only")
    if not parts:
        return NO_LIMITS
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


DEVICE_NAMES = {"android": "Android", "ios": "iOS", "windows": "Windows", "web": "web"}


def _count_at(body: dict, key: str) -> str:
    value = body.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return ""


def _control_group(body: dict) -> list[str]:
    parts = []
    group = at(body, "control_group", kind=dict)
    if group is not None:
        name, percentage = text_at(group, "name"), group.get("percentage")
        if group.get("type") == "custom" and name:
            parts.append(f"control group “{name}”")
        elif _is_scalar(percentage):
            parts.append(f"{percentage}% kept as a control group")
        else:
            parts.append("a control group")
    if body.get("system_control_group_include") is True:
        parts.append("the system control group")
    return parts


def _ttl(ttl: dict | None) -> str:
    if ttl is None:
        return ""
    value = ttl.get("value")
    if not isinstance(value, int) or isinstance(value, bool):
        return ""
    if ttl.get("ttl_type") == "absolute":
        text = str(value)
        moment = schedule.parse_date_time(f"{text[:8]} {text[8:10]}:{text[10:]}")
        return f"expires {_moment(moment)}" if moment and len(text) == 12 else ""
    if ttl.get("ttl_type") == "relative" and value > 0:
        return f"expires after {_minutes(value)}"
    return ""


def _minutes(minutes: int) -> str:
    for size, unit in ((1440, "day"), (60, "hour")):
        if minutes % size == 0:
            count = minutes // size
            return f"{count:,} {unit}{'s' if count != 1 else ''}"
    return f"{minutes:,} minute{'s' if minutes != 1 else ''}"


def _quiet_hours(dnd: dict | None) -> str:
    """ "Do Not Disturb 21:00–09:00 every day, messages held", or on named days."""
    if dnd is None:
        return ""
    grid = dnd.get("dnd_info")
    windows = {}
    for key, value in grid.items() if isinstance(grid, dict) else ():
        day = int(key) if isinstance(key, str) and key.isdigit() and len(key) == 1 else key
        pair = isinstance(value, list) and len(value) == 2
        if day in WEEKDAYS and not isinstance(day, bool) and pair:
            windows[day] = f"{value[0]}–{value[1]}"
    state = dnd.get("message_state")
    held = state == "delay" or (state == 1 and not isinstance(state, bool))
    fate = "messages held until it ends" if held else "messages dropped"
    if not windows:
        return f"Do Not Disturb, {fate}"
    spans = set(windows.values())
    if len(spans) == 1:
        days = (
            "every day"
            if len(windows) == 7
            else "on " + ", ".join(WEEKDAYS_SHORT[d] for d in sorted(windows))
        )
        return f"Do Not Disturb {spans.pop()} {days}, {fate}"
    return f"Do Not Disturb on {len(windows)} days, {fate}"


# The campaign and the additional fields.


def campaign(body: Any, *, channel_label: str) -> str:
    """ "“Weekly reminder”, push"."""
    name = " ".join(text_at(body, "name").split())
    if len(name) > SHOWN_TEXT:
        name = name[: SHOWN_TEXT - 1].rstrip() + "…"
    return f"{f'“{name}”' if name else UNNAMED} · {channel_label}"


def additional(extras: dict[Path, Any]) -> str:
    """The keys the forms do not show, by their JSON paths."""
    if not extras:
        return NO_EXTRAS
    paths = [format_path(path) or "(body)" for path in extras]
    return _listed_with_more(paths)
