"""The calendar of every send: which campaigns go out on which days of a range, and when.

Pure functions: no database, no HTTP. The selectors read campaigns and CleverTap's stored
reports into `Source`s; `calendar_days` places them on the days of a range, in the account
timezone. Recurring schedules are expanded by `schedule.next_send_times`, the function the
composer's next-sends preview uses, so both always agree; a schedule it cannot read places
nothing (the composer says what is wrong with it).
"""

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from campaigns import schedule

# Where an entry comes from, as the calendar marks it.
KIND_DRAFT = "draft"  # not approved yet: a plan, marked as a draft
KIND_APPROVED = "approved"
KIND_PUBLISHED = "published"  # published from here (its local record)
KIND_ELSEWHERE = "elsewhere"  # in CleverTap's reports, made in CleverTap's dashboard

# Sends asked of the schedule function at a time: a weekly schedule's month in one call; a daily
# one reads on in further calls (each computes only what it is asked for).
_CHUNK = 8
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclasses.dataclass(frozen=True)
class Source:
    """One campaign as the calendar reads it.

    `when` is its CleverTap schedule, expanded over the range; `sent_at` an instant it went out
    at when it has no schedule to expand (published "now", an identity send, a campaign in
    CleverTap's reports). `clevertap_id` ties a campaign published from here to its row in the
    reports, so that it is shown once.
    """

    key: str
    name: str
    kind: str
    channel: str
    status: str
    url: str
    owner: str = ""
    when: object = None
    sent_at: datetime | None = None
    clevertap_id: str = ""


@dataclasses.dataclass(frozen=True)
class Entry:
    """One send of one campaign on the calendar, `at` in the account timezone."""

    source: Source
    at: datetime
    delayed: bool = False  # quiet hours (DND) hold it back from its scheduled time
    recurring: bool = False
    in_user_time: bool = False  # at this wall time in each person's own timezone
    # What other campaigns reach the same people close to this send (overlaps.Overlap).
    overlaps: tuple = ()

    @property
    def overlap_text(self) -> str:
        return " ".join(overlap.text for overlap in self.overlaps)

    @property
    def is_draft(self) -> bool:
        return self.source.kind == KIND_DRAFT

    @property
    def day_percent(self) -> float:
        """How far into its day it goes out, in percent (for the week's time strip)."""
        return round(_minutes(self.at.time()) / 14.4, 3)


@dataclasses.dataclass(frozen=True)
class QuietBand:
    """Quiet hours (DND) of some campaigns sending that day, [start, end) in the account
    timezone; `end` is time.max for a window running to midnight."""

    start: time
    end: time
    names: tuple[str, ...]

    @property
    def top(self) -> float:
        return round(_minutes(self.start) / 14.4, 3)

    @property
    def height(self) -> float:
        return round((_minutes(self.end) - _minutes(self.start)) / 14.4, 3)

    @property
    def until_midnight(self) -> bool:
        return self.end == time.max


@dataclasses.dataclass(frozen=True)
class Day:
    day: date
    entries: tuple[Entry, ...]
    quiet: tuple[QuietBand, ...]
    in_range: bool = True  # False for the days of other months that fill a month's weeks

    @property
    def weekday_name(self) -> str:
        return WEEKDAY_NAMES[self.day.weekday()]


def month_range(day: date) -> tuple[date, date]:
    """The first and last days of the weeks (Monday to Sunday) holding `day`'s month."""
    first = day.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    last = next_month - timedelta(days=1)
    return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())


def week_range(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def calendar_days(
    sources: Iterable[Source],
    *,
    first_day: date,
    last_day: date,
    account_tz: ZoneInfo,
    in_range: tuple[date, date] | None = None,
) -> list[Day]:
    """Every day from first_day to last_day with its sends, earliest first, and the quiet hours
    of the campaigns sending that day. Days outside `in_range` (first, last) are marked so."""
    start = datetime.combine(first_day, time.min, tzinfo=account_tz)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=account_tz)
    sources = list(sources)
    published_ids = {
        source.clevertap_id
        for source in sources
        if source.clevertap_id and source.kind != KIND_ELSEWHERE
    }
    per_day: dict[date, list[Entry]] = {}
    for source in sources:
        if source.kind == KIND_ELSEWHERE and source.clevertap_id in published_ids:
            continue  # published from here: shown from its local record
        for entry in source_entries(source, start=start, end=end, account_tz=account_tz):
            per_day.setdefault(entry.at.date(), []).append(entry)
    shown_first, shown_last = in_range or (first_day, last_day)
    days = []
    day = first_day
    while day <= last_day:
        entries = sorted(per_day.get(day, []), key=lambda entry: (entry.at, entry.source.name))
        days.append(
            Day(
                day=day,
                entries=tuple(entries),
                quiet=quiet_bands(day, entries),
                in_range=shown_first <= day <= shown_last,
            )
        )
        day += timedelta(days=1)
    return days


def source_entries(
    source: Source, *, start: datetime, end: datetime, account_tz: ZoneInfo
) -> list[Entry]:
    """The sends of one campaign from `start` (inclusive) to `end` (exclusive)."""
    if source.when is None or schedule.sends_now(source.when):
        if source.sent_at is not None and start <= source.sent_at < end:
            return [Entry(source=source, at=source.sent_at.astimezone(account_tz))]
        return []
    recurring = schedule.recurrence(source.when) is not None
    user_time = schedule.in_user_time(source.when)
    chunk = _CHUNK
    # A day early: a send scheduled just before the range that quiet hours push into it.
    cursor = start - timedelta(days=1)
    entries: list[Entry] = []
    while True:
        times = schedule.next_send_times(
            source.when, now=cursor, account_tz=account_tz, count=chunk
        )
        for send in times:
            if start <= send.at < end:
                entries.append(
                    Entry(
                        source=source,
                        at=send.at.astimezone(account_tz),
                        delayed=send.delayed,
                        recurring=recurring,
                        in_user_time=user_time,
                    )
                )
        if len(times) < chunk or times[-1].scheduled_for >= end:
            return entries
        cursor = times[-1].scheduled_for + timedelta(microseconds=1)


def quiet_bands(day: date, entries: Sequence[Entry]) -> tuple[QuietBand, ...]:
    """The quiet windows (DND) of the campaigns sending on `day`, each window once with the
    names of the campaigns that have it."""
    weekday = day.isoweekday() % 7 + 1  # CleverTap's numbers: 1 = Sunday
    names: dict[tuple[time, time], list[str]] = {}
    for entry in entries:
        dnd_info = _dnd_info(entry.source.when)
        if dnd_info is None:
            continue
        for window in schedule.dnd_week_grid(dnd_info)[weekday]:
            holders = names.setdefault(window, [])
            if entry.source.name not in holders:
                holders.append(entry.source.name)
    return tuple(
        QuietBand(start=start, end=end, names=tuple(holders))
        for (start, end), holders in sorted(names.items())
    )


def _dnd_info(when: object) -> object:
    if not isinstance(when, dict):
        return None
    dnd = when.get("dnd")
    return dnd.get("dnd_info") if isinstance(dnd, dict) else None


def _minutes(moment: time) -> int:
    return 24 * 60 if moment == time.max else moment.hour * 60 + moment.minute
