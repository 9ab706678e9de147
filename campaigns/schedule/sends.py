"""The send times of a `when` value: in the account timezone (`next_send_times`), or run by run in
each of the audience's timezones (`next_runs_in_user_time`)."""

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from campaigns.schedule.reading import (
    Recurring,
    _Malformed,
    _read_when,
    _Rules,
    zone_named,
)

SEARCH_HORIZON = timedelta(days=3653)  # ten years
# Why a timezone's share of a run in user time is not sent.
DROPPED_CUTOFF, DROPPED_DND, DROPPED_PASSED = "cutoff", "dnd", "passed"

# A run's quiet time ends after a few hops: a week of windows always leaves a gap somewhere,
# since covering it all would need every day's window to start before the previous day's.
_MAX_QUIET_HOPS = 16


@dataclasses.dataclass(frozen=True)
class SendTime:
    """One send: `at` when it goes out, `scheduled_for` its nominal time before any DND delay."""

    at: datetime
    scheduled_for: datetime
    delayed: bool


@dataclasses.dataclass(frozen=True)
class ZoneSend:
    """One timezone's share of a run delivered in user time, its instants in the account timezone:
    `scheduled_for` when the run's time comes there (the next day's, with `next_day`), `at` when
    it goes out, or None and `dropped` saying why not (DROPPED_CUTOFF, _DND or _PASSED)."""

    zone: str
    scheduled_for: datetime
    at: datetime | None
    delayed: bool = False
    next_day: bool = False
    dropped: str = ""


@dataclasses.dataclass(frozen=True)
class Run:
    """One run delivered in user time: its wall-clock time (None for "now"), the same in every
    timezone, and each timezone's share, earliest first."""

    wall: datetime | None
    sends: tuple[ZoneSend, ...]
    # When the campaign cutoff ends this run, in the account timezone; None without a cutoff.
    cutoff_at: datetime | None = None


def next_send_times(
    when: object, *, now: datetime, account_tz: ZoneInfo, count: int = 10
) -> list[SendTime]:
    """The next `count` sends of a `when` value, in the account timezone; [] if unreadable.

    They are the sends of a user living in the account timezone: DND windows are read there
    whatever dnd_timezone says, and user_timezone_wrap_around never comes into play. A schedule
    delivered in user time (`in_user_time`) is shown by `next_runs_in_user_time` instead.

    Runs whose nominal time is before `now` are not shown, but they, and runs DND discards, still
    use up end_by_occurrences: occurrences count the schedule's runs, not the messages sent.
    DND applies to every object form, type "now" included; a quiet window holds its start but
    not its end. Optional keys set to null count as absent. A naive `now` is read as account time.

    campaign_cutoff ends a run's sending at the first cutoff time after its nominal time (that
    day if later that day, else the next day), so a run that DND delays to or past it is dropped.

    An impossible schedule (say, every run discarded) is searched for SEARCH_HORIZON and then
    gives [] rather than looping.
    """
    if now.tzinfo is None:
        now = _instant(now, account_tz)
    now = now.astimezone(UTC)
    try:
        nominal, rules = _read_when(when)
        if nominal is None:
            candidates: Iterator[datetime] = iter([now])
        elif isinstance(nominal, Recurring):
            walls = _recurring_walls(nominal, today=now.astimezone(account_tz).date())
            candidates = (_instant(wall, account_tz) for wall in walls)
        else:
            candidates = (_instant(wall, account_tz) for wall in sorted(nominal))
        send_times: list[SendTime] = []
        for scheduled in candidates:
            if len(send_times) >= count:
                break
            if scheduled < now:
                continue
            send_time = _send_time(scheduled, rules, account_tz)
            if send_time is not None:
                send_times.append(send_time)
        return send_times
    except (_Malformed, OverflowError):
        # OverflowError: dates near year 9999, which only a mistyped year produces.
        return []


def next_runs_in_user_time(
    when: object, *, now: datetime, account_tz: ZoneInfo, zones: Sequence[str], count: int = 10
) -> list[Run]:
    """The next `count` runs of a `when` value delivered in user time, in each of `zones`.

    Each run's wall-clock time comes first in the easternmost timezone and last in the westernmost.
    A timezone where it has already passed when the run is under way gets it the next day with
    user_timezone_wrap_around true (sends at a date and time; a recurring run comes again anyway),
    and not at all otherwise. DND windows are read in each timezone with dnd_timezone "user",
    else in the account's. campaign_cutoff is read in the account timezone: the run stops at the
    first cutoff time after its first send, so timezones whose time comes at or after it are not
    sent to. "now" sends at once everywhere, DND aside. Runs that send nowhere are left out, as
    `next_send_times` leaves them; [] if unreadable.
    """
    if now.tzinfo is None:
        now = _instant(now, account_tz)
    now = now.astimezone(UTC)
    places = [(name, zone_named(name)) for name in zones]
    try:
        nominal, rules = _read_when(when)
        # Wrapping around is for a send at one time; a recurring run comes again anyway.
        wrap = isinstance(nominal, list) and when.get("user_timezone_wrap_around") is True
        if nominal is None:
            walls: Iterator[datetime | None] = iter([None])
        elif isinstance(nominal, Recurring):
            # Local dates run up to a day behind the account's.
            today = now.astimezone(account_tz).date() - timedelta(days=1)
            walls = _recurring_walls(nominal, today=today)
        else:
            walls = iter(sorted(nominal))
        runs: list[Run] = []
        for wall in walls:
            if len(runs) >= count:
                break
            run = _user_time_run(wall, places, rules, now=now, wrap=wrap, account_tz=account_tz)
            if any(send.at is not None for send in run.sends):
                runs.append(run)
        return runs
    except (_Malformed, OverflowError):
        return []


def _weekday(day: date) -> int:
    return day.isoweekday() % 7 + 1


def _recurring_walls(recurring: Recurring, *, today: date) -> Iterator[datetime]:
    """The runs' nominal wall times from about `today` on, until the end or the horizon."""
    search_end = _date_plus(max(recurring.start.date(), today), SEARCH_HORIZON)
    last_day = min(recurring.end_by_date or date.max, search_end)
    skip_before = today - timedelta(days=1)  # a day's margin for wall times the clocks skip
    if recurring.weekdays is None:
        runs = _daily_runs(recurring.start.date(), recurring.every, skip_before=skip_before)
    else:
        runs = _weekly_runs(
            recurring.start.date(), recurring.every, recurring.weekdays, skip_before=skip_before
        )
    try:
        for occurrence, day in runs:
            if day > last_day:
                return
            if (
                recurring.end_by_occurrences is not None
                and occurrence >= recurring.end_by_occurrences
            ):
                return
            yield datetime.combine(day, recurring.start.time())
    except OverflowError:
        return  # the calendar ends in year 9999


def _daily_runs(start: date, every: int, *, skip_before: date) -> Iterator[tuple[int, date]]:
    """Run dates with their 0-based occurrence number, jumping over those before skip_before."""
    occurrence = max(0, _ceil_div((skip_before - start).days, every))
    while True:
        yield occurrence, start + timedelta(days=occurrence * every)
        occurrence += 1


def _weekly_runs(
    start: date, every: int, weekdays: tuple[int, ...], *, skip_before: date
) -> Iterator[tuple[int, date]]:
    """Run dates with their 0-based occurrence number, jumping over weeks before skip_before.

    The week holding `start` is week 0, and weeks start on Sunday as CleverTap numbers days.
    """
    first_sunday = start - timedelta(days=_weekday(start) - 1)
    period = 7 * every
    runs_in_first_week = sum(
        1 for day in weekdays if first_sunday + timedelta(days=day - 1) >= start
    )
    week = max(0, _ceil_div((skip_before - first_sunday).days - 6, period))
    occurrence = 0 if week == 0 else runs_in_first_week + (week - 1) * len(weekdays)
    while True:
        sunday = first_sunday + timedelta(days=week * period)
        for weekday in weekdays:
            day = sunday + timedelta(days=weekday - 1)
            if day >= start:
                yield occurrence, day
                occurrence += 1
        week += 1


def _date_plus(day: date, delta: timedelta) -> date:
    try:
        return day + delta
    except OverflowError:
        return date.max


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in tz, moving a skipped time to the jump."""
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if _exists(wall, first, tz):
        return first
    # Wall times are whole minutes, and so are the jumps of every timezone in use today.
    for minutes in range(1, 24 * 60 + 1):
        later = wall.replace(second=0, microsecond=0) + timedelta(minutes=minutes)
        candidate = later.replace(tzinfo=tz, fold=0).astimezone(UTC)
        if _exists(later, candidate, tz):
            return candidate
    return first


def _exists(wall: datetime, instant: datetime, tz: ZoneInfo) -> bool:
    return instant.astimezone(tz).replace(tzinfo=None) == wall


def _send_time(scheduled: datetime, rules: _Rules, tz: ZoneInfo) -> SendTime | None:
    cutoff_at = None if rules.cutoff is None else _cutoff_after(scheduled, rules.cutoff, tz)
    at, _ = _sent(scheduled, rules, dnd_tz=tz, cutoff_at=cutoff_at)
    if at is None:
        return None
    delayed = at != scheduled
    return SendTime(at=at.astimezone(tz), scheduled_for=scheduled.astimezone(tz), delayed=delayed)


def _sent(
    scheduled: datetime, rules: _Rules, *, dnd_tz: ZoneInfo, cutoff_at: datetime | None
) -> tuple[datetime | None, str]:
    """When a send due at `scheduled` goes out, or None and why not."""
    at = scheduled
    if rules.quiet_windows is not None:
        at = _end_of_quiet(scheduled, rules.quiet_windows, dnd_tz)
        if at is None or (at != scheduled and not rules.delay):
            return None, DROPPED_DND
    if cutoff_at is not None and at >= cutoff_at:
        return None, DROPPED_CUTOFF
    return at, ""


def _user_time_run(
    wall: datetime | None,
    places: list[tuple[str, ZoneInfo]],
    rules: _Rules,
    *,
    now: datetime,
    wrap: bool,
    account_tz: ZoneInfo,
) -> Run:
    nominal = [(name, tz, now if wall is None else _instant(wall, tz)) for name, tz in places]
    # Only a run under way has timezones to wrap around: a run past everywhere is over.
    wrap = wrap and any(scheduled >= now for _, _, scheduled in nominal)
    due: list[tuple[str, ZoneInfo, datetime, bool]] = []
    passed: list[ZoneSend] = []
    for name, tz, scheduled in nominal:
        next_day = wrap and scheduled < now
        if next_day:
            scheduled = _instant(wall + timedelta(days=1), tz)
        if scheduled < now:
            passed.append(
                ZoneSend(name, scheduled.astimezone(account_tz), None, dropped=DROPPED_PASSED)
            )
        else:
            due.append((name, tz, scheduled, next_day))
    cutoff_at = None
    if rules.cutoff is not None and due:
        start = min(scheduled for _, _, scheduled, _ in due)
        cutoff_at = _cutoff_after(start, rules.cutoff, account_tz)
    sends = list(passed)
    for name, tz, scheduled, next_day in due:
        dnd_tz = tz if rules.dnd_in_user_time else account_tz
        at, dropped = _sent(scheduled, rules, dnd_tz=dnd_tz, cutoff_at=cutoff_at)
        sends.append(
            ZoneSend(
                zone=name,
                scheduled_for=scheduled.astimezone(account_tz),
                at=None if at is None else at.astimezone(account_tz),
                delayed=at is not None and at != scheduled,
                next_day=next_day,
                dropped=dropped,
            )
        )
    sends.sort(key=lambda send: (send.scheduled_for, send.zone))
    return Run(wall, tuple(sends), None if cutoff_at is None else cutoff_at.astimezone(account_tz))


def _end_of_quiet(
    moment: datetime, windows: dict[int, tuple[time, time]], tz: ZoneInfo
) -> datetime | None:
    """The first instant at or after `moment` outside every quiet window."""
    for _ in range(_MAX_QUIET_HOPS):
        window_end = _containing_window_end(moment, windows, tz)
        if window_end is None:
            return moment
        moment = window_end
    return None


def _containing_window_end(
    moment: datetime, windows: dict[int, tuple[time, time]], tz: ZoneInfo
) -> datetime | None:
    """The latest end of a quiet window holding `moment`, its day's or the previous day's."""
    today = moment.astimezone(tz).date()
    ends = []
    for day in (today - timedelta(days=1), today):
        window = windows.get(_weekday(day))
        if window is None:
            continue
        start, end = window
        end_day = day if start < end else day + timedelta(days=1)
        window_start = _instant(datetime.combine(day, start), tz)
        window_end = _instant(datetime.combine(end_day, end), tz)
        if window_start <= moment < window_end:
            ends.append(window_end)
    return max(ends, default=None)


def _cutoff_after(scheduled: datetime, cutoff: time, tz: ZoneInfo) -> datetime:
    local = scheduled.astimezone(tz)
    day = local.date() if cutoff > local.time() else local.date() + timedelta(days=1)
    return _instant(datetime.combine(day, cutoff), tz)
