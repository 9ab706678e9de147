"""Reading a CleverTap `when` value: its nominal times or recurrence and its sending rules (DND
windows, cutoff), leniently for the preview (`_read_when` raises `_Malformed` on what it cannot
read), and the small parsers the schedule form shares."""

import dataclasses
import functools
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

WEEKDAYS = range(1, 8)
_DATE_TIME_RE = re.compile(r"[0-9]{8} [0-9]{2}:[0-9]{2}")
_DATE_RE = re.compile(r"[0-9]{8}")
_CLOCK_RE = re.compile(r"[0-9]{2}:[0-9]{2}")
_WEEKDAY_KEY_RE = re.compile(r"[1-7]")


@functools.lru_cache(maxsize=1024)
def zone_named(name: str) -> ZoneInfo:
    """The timezone of this name, kept: ZoneInfo keeps only the last eight it made, and a schedule
    in user time walks every timezone of the audience on each preview (reading each one's file
    again)."""
    return ZoneInfo(name)


def in_user_time(when: object) -> bool:
    """Whether `when` delivers at its times in each user's own timezone."""
    return isinstance(when, Mapping) and when.get("delivery_timezone") == "user"


def parse_date_time(value: str) -> datetime | None:
    """Read "YYYYMMDD HH:MM" as a naive wall-clock datetime, or None if it is not one."""
    if not isinstance(value, str) or not _DATE_TIME_RE.fullmatch(value):
        return None
    day = parse_date(value[:8])
    clock = _parse_clock(value[9:])
    if day is None or clock is None:
        return None
    return datetime.combine(day, clock)


def parse_date(value: str) -> date | None:
    """Read "YYYYMMDD", or None if it is not a real date."""
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def dnd_week_grid(dnd_info: object) -> dict[int, list[tuple[time, time]]]:
    """The quiet intervals of each weekday 1-7, for drawing DND windows on a week grid.

    A window crossing midnight is split into [start, 24:00) on its day and [00:00, end) on the
    next (Saturday's continues into Sunday); 24:00 is given as `time.max`. Bad entries are
    skipped, and a window whose start equals its end is empty.
    """
    grid: dict[int, list[tuple[time, time]]] = {day: [] for day in WEEKDAYS}
    for day, (start, end) in _read_dnd_info(dnd_info, strict=False).items():
        if start < end:
            grid[day].append((start, end))
        else:
            grid[day].append((start, time.max))
            if end != time(0, 0):
                grid[day % 7 + 1].append((time(0, 0), end))
    for intervals in grid.values():
        intervals.sort()
    return grid


def shown_key(when: object) -> str:
    """What the send times and the quiet hours shown of `when` depend on (`next_send_times`,
    `next_runs_in_user_time`, `dnd_week_grid`), as a text: its reading (the nominal times or
    recurrence and the sending rules, or that it cannot be read), whether it is delivered in
    user time and wraps around, and its week of quiet windows. For the same "now" and
    timezones, two values with the same key show the same: a key of another type of schedule,
    never read, changes nothing."""
    try:
        reading = repr(_read_when(when))
    except (_Malformed, OverflowError):
        reading = "unreadable"
    wraps = isinstance(when, dict) and when.get("user_timezone_wrap_around") is True
    dnd = when.get("dnd") if isinstance(when, dict) else None
    dnd_info = dnd.get("dnd_info") if isinstance(dnd, dict) else None
    week = None if dnd_info is None else dnd_week_grid(dnd_info)
    return repr((reading, in_user_time(when), wraps, week))


class _Malformed(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class _Rules:
    quiet_windows: dict[int, tuple[time, time]] | None
    delay: bool
    cutoff: time | None
    dnd_in_user_time: bool = False


@dataclasses.dataclass(frozen=True)
class Recurring:
    """A recurring schedule: its first run's wall time, every how many days (or weeks, on which
    weekdays), until when."""

    start: datetime
    every: int
    weekdays: tuple[int, ...] | None  # None: daily
    end_by_date: date | None
    end_by_occurrences: int | None


_NO_RULES = _Rules(quiet_windows=None, delay=False, cutoff=None)


def _read_when(when: object) -> tuple[None | list[datetime] | Recurring, _Rules]:
    """The nominal times (None for "now", wall times, or a recurrence) and the sending rules."""
    if when == "now":
        return None, _NO_RULES
    if isinstance(when, str):
        return [_required_date_time(when)], _NO_RULES
    if not isinstance(when, Mapping):
        raise _Malformed
    _optional_choice(when, "delivery_timezone", ("user", "account"))
    _optional(when, "user_timezone_wrap_around", bool)
    rules = _read_rules(when)
    match when.get("type"):
        case "now":
            return None, rules
        case "later":
            entries = when.get("delivery_date_time")
            if not isinstance(entries, list | tuple):
                raise _Malformed
            return [_required_date_time(entry) for entry in entries], rules
        case "recurring":
            return _read_recurring(when), rules
        case _:
            raise _Malformed


def sends_now(when: object) -> bool:
    """Whether `when` sends as soon as the campaign is created ("now", or type "now")."""
    try:
        nominal, _rules = _read_when(when)
    except _Malformed:
        return False
    return nominal is None


def recurrence(when: object) -> Recurring | None:
    """The recurrence of a recurring `when`; None for any other, or an unreadable one."""
    try:
        nominal, _rules = _read_when(when)
    except _Malformed:
        return None
    return nominal if isinstance(nominal, Recurring) else None


def _read_rules(when: Mapping) -> _Rules:
    cutoff_text = _optional(when, "campaign_cutoff", str)
    cutoff = None if cutoff_text is None else _parse_clock(cutoff_text)
    if cutoff_text is not None and cutoff is None:
        raise _Malformed
    dnd = _optional(when, "dnd", Mapping)
    if dnd is None:
        return _Rules(quiet_windows=None, delay=False, cutoff=cutoff)
    _optional_choice(dnd, "dnd_timezone", ("user", "account"))
    message_state = dnd.get("message_state")
    if message_state is None:
        message_state = "discard"
    if message_state in ("delay", "discard") or _is_int(message_state) and message_state in (0, 1):
        delay = message_state in ("delay", 1)
    else:
        raise _Malformed
    if "dnd_info" not in dnd:
        raise _Malformed
    quiet_windows = _read_dnd_info(dnd["dnd_info"], strict=True)
    return _Rules(
        quiet_windows=quiet_windows,
        delay=delay,
        cutoff=cutoff,
        dnd_in_user_time=dnd.get("dnd_timezone") == "user",
    )


def _read_dnd_info(dnd_info: object, *, strict: bool) -> dict[int, tuple[time, time]]:
    """Each weekday's quiet window; bad entries raise _Malformed if strict, else are skipped."""
    windows: dict[int, tuple[time, time]] = {}
    if not isinstance(dnd_info, Mapping):
        if strict:
            raise _Malformed
        return windows
    for key, value in dnd_info.items():
        day = _weekday_key(key)
        window = _quiet_window(value)
        if day is None or window is None:
            if strict:
                raise _Malformed
            continue
        if window[0] != window[1]:
            windows[day] = window
    return windows


def _weekday_key(key: object) -> int | None:
    if _is_int(key) and key in WEEKDAYS:
        return key
    if isinstance(key, str) and _WEEKDAY_KEY_RE.fullmatch(key):
        return int(key)
    return None


def _quiet_window(value: object) -> tuple[time, time] | None:
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    start, end = _parse_clock(value[0]), _parse_clock(value[1])
    if start is None or end is None:
        return None
    return start, end


def _read_recurring(when: Mapping) -> Recurring:
    start = _required_date_time(when.get("start_time"))
    every = _optional(when, "repeats_every", int)
    if every is None or every < 1:
        raise _Malformed
    end_by_date_text = _optional(when, "end_by_date", str)
    end_by_date = None if end_by_date_text is None else parse_date(end_by_date_text)
    if end_by_date_text is not None and end_by_date is None:
        raise _Malformed
    end_by_occurrences = _optional(when, "end_by_occurrences", int)
    if end_by_occurrences is not None and end_by_occurrences < 1:
        raise _Malformed
    match when.get("repeat_type"):
        case "day":
            weekdays = None
        case "week":
            chosen = when.get("repeat_on_days_of_week")
            if not isinstance(chosen, list | tuple) or not chosen:
                raise _Malformed
            if not all(_is_int(day) and day in WEEKDAYS for day in chosen):
                raise _Malformed
            weekdays = tuple(sorted(set(chosen)))
        case _:
            raise _Malformed
    return Recurring(
        start=start,
        every=every,
        weekdays=weekdays,
        end_by_date=end_by_date,
        end_by_occurrences=end_by_occurrences,
    )


def _optional[T](when: Mapping, key: str, kind: type[T]) -> T | None:
    """when[key] if it is a `kind` (bools are not ints), None if absent or null."""
    value = when.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _Malformed
    return value


def _optional_choice(when: Mapping, key: str, choices: tuple[str, ...]) -> None:
    value = when.get(key)
    if value is not None and value not in choices:
        raise _Malformed


def _required_date_time(value: object) -> datetime:
    parsed = parse_date_time(value)
    if parsed is None:
        raise _Malformed
    return parsed


def _parse_clock(value: object) -> time | None:
    if not isinstance(value, str) or not _CLOCK_RE.fullmatch(value):
        return None
    try:
        return time(int(value[:2]), int(value[3:]))
    except ValueError:
        return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
