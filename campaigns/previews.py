"""What the composer's previews show, read from a request body: pure functions, no database.

Every preview is drawn from the body the forms built (the one `payloads.build_body` returns), so
the previews, the JSON and what is sent can never disagree. Bodies may be invalid or half typed:
anything of an unexpected shape is shown as absent, never an error (`at`, `text_at`, `objects_at`
read them so). Here are the JSON, the schedule and the request count; each channel's device
preview is in its module of `campaigns.channels`.
"""

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from campaigns import identities, jsonpath, schedule
from campaigns.forms import links

WEEKDAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


@dataclass(frozen=True)
class Requests:
    identities: int
    requests: int


def request_count(body: dict) -> Requests | None:
    """How many requests a send body's identity list needs: ceil(identities / 1000)."""
    to = body.get("to") if isinstance(body, dict) else None
    if not isinstance(to, dict):
        return None
    total = identities.count(to)
    return Requests(total, math.ceil(total / identities.MAX_PER_REQUEST))


DISPLAYED_IDENTITIES = 20


def json_text(value: Any) -> str:
    """A body as an export and the pages write it out: indented, non-ASCII kept."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def body_for_display(body: Any) -> Any:
    """The body with long identity lists cut short ("… and N more"): pages stay readable."""
    to = body.get("to") if isinstance(body, dict) else None
    if not isinstance(to, dict):
        return body
    shown = {}
    for kind, values in to.items():
        if isinstance(values, list) and len(values) > DISPLAYED_IDENTITIES:
            more = len(values) - DISPLAYED_IDENTITIES
            values = [*values[:DISPLAYED_IDENTITIES], f"… and {more} more"]
        shown[kind] = values
    return {**body, "to": shown}


# JSON with syntax highlighting, as the same text json.dumps(indent=2) writes.


def highlight_json(value: Any) -> SafeString:
    """`json.dumps(value, indent=2, ensure_ascii=False)` as HTML with a span per token kind; each
    key names its JSON path (`data-path`, as the fields' hints write it), so that the composer can
    mark the key of the field being edited."""
    parts: list[str] = []
    if isinstance(value, dict) and value:
        # A keystroke changes one part of the body: each top-level member's HTML is kept by its
        # JSON text (`_member_html`).
        parts.append("{\n")
        for position, (key, item) in enumerate(value.items()):
            parts.append(_member_html(str(key), item))
            parts.append(",\n" if position < len(value) - 1 else "\n")
        parts.append("}")
    else:
        _highlight(value, 0, parts, ())
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped below


# Top-level members' HTML by (key, JSON text): a body's keys are texts (it is JSON), so the
# text stands for the value exactly. Bounded: emptied when full.
_MEMBERS: dict[tuple[str, str], str] = {}
_MEMBERS_KEPT = 512


def _member_html(key: str, item: Any) -> str:
    try:
        text = json.dumps(item, ensure_ascii=False)
    except (TypeError, ValueError):
        text = None
    found = _MEMBERS.get((key, text)) if text is not None else None
    if found is None:
        out = ["  " + _key(key, (key,)) + ": "]
        _highlight(item, 1, out, (key,))
        found = "".join(out)
        if text is not None:
            if len(_MEMBERS) >= _MEMBERS_KEPT:
                _MEMBERS.clear()
            _MEMBERS[(key, text)] = found
    return found


def _token(kind: str, text: str) -> str:
    return f'<span class="j-{kind}">{escape(text)}</span>'


def _key(key: str, path: jsonpath.Path) -> str:
    shown = escape(json.dumps(key, ensure_ascii=False))
    return f'<span class="j-key" data-path="{escape(jsonpath.format_path(path))}">{shown}</span>'


def _highlight(value: Any, depth: int, out: list[str], path: jsonpath.Path) -> None:
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        out.append("{\n")
        for position, (key, item) in enumerate(value.items()):
            out.append(inner + _key(str(key), path + (str(key),)) + ": ")
            _highlight(item, depth + 1, out, path + (str(key),))
            out.append(",\n" if position < len(value) - 1 else "\n")
        out.append(pad + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        out.append("[\n")
        for position, item in enumerate(value):
            out.append(inner)
            _highlight(item, depth + 1, out, path + (position,))
            out.append(",\n" if position < len(value) - 1 else "\n")
        out.append(pad + "]")
    elif isinstance(value, str):
        out.append(_token("string", json.dumps(value, ensure_ascii=False)))
    elif isinstance(value, bool) or value is None:
        out.append(_token("literal", json.dumps(value)))
    else:
        out.append(_token("number", json.dumps(value)))


# Reading bodies of any shape; the channels' preview builders use these too.


def at(data: Any, *keys: str | int, kind: type | tuple = object) -> Any:
    """The value at `keys` when it is of `kind`, else None (a missing key, a wrong shape)."""
    for key in keys:
        if isinstance(key, int):
            if not isinstance(data, list) or not -len(data) <= key < len(data):
                return None
        elif not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data if isinstance(data, kind) else None


def text_at(data: Any, *keys: str | int) -> str:
    """The text (or number, as text) at `keys`, else ""."""
    found = at(data, *keys)
    if isinstance(found, str):
        return found
    if isinstance(found, int | float) and not isinstance(found, bool):
        return str(found)
    return ""


def objects_at(data: Any, *keys: str) -> list[dict]:
    """The objects of the list at `keys`, leaving out anything else it holds."""
    found = at(data, *keys, kind=list) or []
    return [item for item in found if isinstance(item, dict)]


@dataclass(frozen=True)
class Button:
    """A button or link as a device preview shows it (push, web push and inbox have them)."""

    title: str
    link: str = ""


IMAGE_NOT_LOADED = (
    "Image not shown: “{url}” is not a whole https:// web address, so the preview does not load it."
)
IMAGE_HTTP_NOT_LOADED = "Image not shown: the preview loads https:// images only, not “{url}”."


@dataclass(frozen=True)
class Image:
    """An image a device preview shows: loaded only from a whole https:// address, so that a
    relative value is never asked of the app itself; otherwise the preview says why not."""

    url: str
    alt: str

    def __bool__(self) -> bool:
        return bool(self.url)

    @property
    def src(self) -> str:
        return self.url if links.loadable(self.url) else ""

    @property
    def not_loaded(self) -> str:
        if not self.url or self.src:
            return ""
        if links.problem(self.url, link=False):
            return IMAGE_NOT_LOADED.format(url=self.url)
        return IMAGE_HTTP_NOT_LOADED.format(url=self.url)


def image_at(data: Any, *keys: str | int, alt: str | None = None) -> Image:
    """The image whose address is the text at `keys`; its alt text is "Image: <url>" unless
    given."""
    url = text_at(data, *keys)
    return Image(url, f"Image: {url}" if alt is None else alt)


# The schedule preview.


@dataclass(frozen=True)
class QuietBlock:
    start: time
    end: time
    # Position on a 24-hour column, in percent.
    top: float
    height: float


@dataclass(frozen=True)
class ScheduleDay:
    number: int
    name: str
    blocks: list[QuietBlock]


# Delivery in each user's own timezone: a run's spread across the audience's timezones, or across
# the first and last places a time comes when the audience's timezones are not known.
SPAN_ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago")  # UTC+14 and UTC-11
USER_TIME_KNOWN = (
    "Delivered at the same local time in each user's own timezone: below, when that time comes in "
    "each of the {count} timezones of the audience. Times in parentheses are in {timezone}."
)
USER_TIME_UNKNOWN = (
    "Delivered at the same local time in each user's own timezone. The audience's timezones are "
    "not known here, so below are the first and last places that time comes ({first} and {last}): "
    "every user's falls between. Times in parentheses are in {timezone}."
)
RUN_SPREAD = (
    "from {first_local} in {first_zone} ({first_at}) to {last_local} in {last_zone} ({last_at})"
)
RUN_ONE_ZONE = "at {local} in {zone} ({at})"
RUN_NOT_SENT = "; not sent in {count} of {total} timezones"
ZONE_HELD = "held by Do Not Disturb from {local}"
ZONE_NEXT_DAY = "the time had passed there: sent the next day (user_timezone_wrap_around)"
ZONE_PASSED = "not sent: the time has already passed there"
ZONE_AFTER_CUTOFF = "not sent: {local} there is {at}, after the campaign cutoff ({cutoff})"
ZONE_DISCARDED = "not sent: Do Not Disturb there discards it"
SHORT_DATE_TIME = "D j M, H:i"


@dataclass(frozen=True)
class ZoneShown:
    """One timezone's share of a run in user time, as the schedule preview words it."""

    label: str
    send: schedule.ZoneSend
    note: str


@dataclass(frozen=True)
class RunShown:
    wall: datetime | None
    summary: str
    zones: list[ZoneShown]


def schedule_preview(
    body: dict,
    *,
    now: datetime,
    account_tz: ZoneInfo,
    audience_timezones: Callable[[], Mapping[str, int] | None] | None = None,
) -> dict | None:
    """The next 10 send times and the week's quiet (DND) windows, or None without a `when`.

    Delivered in user time, the next 10 runs instead, each across the timezones of the audience
    (`audience_timezones`: profiles by timezone name, or None when not known; called only then).
    """
    if not isinstance(body, dict) or "when" not in body:
        return None
    when = body["when"]
    times = schedule.next_send_times(when, now=now, account_tz=account_tz)
    user_time = _user_time(when, now=now, account_tz=account_tz, audience=audience_timezones)
    dnd_info = at(when, "dnd", "dnd_info")
    days = []
    if dnd_info is not None:
        grid = schedule.dnd_week_grid(dnd_info)
        for number, name in enumerate(WEEKDAY_NAMES, 1):
            blocks = [
                QuietBlock(start, end, _percent(start), _percent(end) - _percent(start))
                for start, end in grid.get(number, [])
            ]
            days.append(ScheduleDay(number, name, blocks))
    return {
        "times": [
            {
                "at": send.at.astimezone(account_tz),
                "scheduled_for": send.scheduled_for.astimezone(account_tz),
                "delayed": send.delayed,
            }
            for send in times
        ],
        "timezone": str(account_tz),
        "days": days,
        "has_dnd": any(day.blocks for day in days),
        **user_time,
    }


def _user_time(
    when: Any,
    *,
    now: datetime,
    account_tz: ZoneInfo,
    audience: Callable[[], Mapping[str, int] | None] | None,
) -> dict:
    """The user-time part of the schedule preview: {} unless `when` is delivered in user time."""
    if not schedule.in_user_time(when):
        return {}
    profiles = dict((audience() if audience else None) or {})
    zones = list(profiles) or list(SPAN_ZONES)
    runs = schedule.next_runs_in_user_time(when, now=now, account_tz=account_tz, zones=zones)
    if profiles:
        note = USER_TIME_KNOWN.format(count=len(zones), timezone=account_tz)
    else:
        note = USER_TIME_UNKNOWN.format(
            first=SPAN_ZONES[0], last=SPAN_ZONES[1], timezone=account_tz
        )
    return {
        "user_time": True,
        "note": note,
        "runs": [_run_shown(run, profiles) for run in runs],
    }


def _run_shown(run: schedule.Run, profiles: Mapping[str, int]) -> RunShown:
    sent = [send for send in run.sends if send.at is not None]
    first, last = min(sent, key=lambda send: send.at), max(sent, key=lambda send: send.at)
    if first == last:
        summary = RUN_ONE_ZONE.format(
            local=_local(first.at, first.zone), zone=first.zone, at=_short(first.at)
        )
    else:
        summary = RUN_SPREAD.format(
            first_local=_local(first.at, first.zone),
            first_zone=first.zone,
            first_at=_short(first.at),
            last_local=_local(last.at, last.zone),
            last_zone=last.zone,
            last_at=_short(last.at),
        )
    if len(sent) < len(run.sends):
        summary += RUN_NOT_SENT.format(count=len(run.sends) - len(sent), total=len(run.sends))
    zones = [
        ZoneShown(_zone_label(send.zone, profiles), send, _zone_note(send, run))
        for send in run.sends
    ]
    return RunShown(run.wall, summary, zones)


def _zone_note(send: schedule.ZoneSend, run: schedule.Run) -> str:
    if send.dropped == schedule.DROPPED_PASSED:
        return ZONE_PASSED
    if send.dropped == schedule.DROPPED_DND:
        return ZONE_DISCARDED
    if send.dropped == schedule.DROPPED_CUTOFF:
        local = _local(send.scheduled_for, send.zone)
        cutoff = _short(run.cutoff_at)
        return ZONE_AFTER_CUTOFF.format(local=local, at=_short(send.scheduled_for), cutoff=cutoff)
    notes = []
    if send.next_day:
        notes.append(ZONE_NEXT_DAY)
    if send.delayed:
        notes.append(ZONE_HELD.format(local=_local(send.scheduled_for, send.zone)))
    return "; ".join(notes)


def _zone_label(zone: str, profiles: Mapping[str, int]) -> str:
    count = profiles.get(zone)
    if count is None:
        return zone
    return f"{zone} ({count:,} profile{'' if count == 1 else 's'})"


def _local(moment: datetime, zone: str) -> str:
    return dateformat.format(moment.astimezone(schedule.zone_named(zone)), "H:i")


def _short(moment: datetime) -> str:
    return dateformat.format(moment, SHORT_DATE_TIME)


def _percent(moment: time) -> float:
    if moment == time.max:
        return 100.0
    return round((moment.hour * 60 + moment.minute) / 1440 * 100, 3)


# Length guidance: how much of a text a collapsed notification shows, per device or browser.
# Characters are counted as typed: a personalization tag ({{...}}) counts as its own text, as
# what it renders to is not known before the send.

COUNTER_FITS = (
    "{count} / {limit} characters: fits a collapsed notification ({where} shows about {limit})."
)
COUNTER_LONG = "{count} / {limit} characters: {cuts}."
COUNTER_PLAIN = "{count} characters."
CUT_FIRST = "{where} cuts the {what} after about {after} characters in a collapsed notification"
CUT_MORE = "{where} after about {after}"
TAGS_AS_TYPED = "Personalization tags ({{…}}) count as typed."
FITS, LONG = "ok", "long"
ELLIPSIS = "…"


@dataclass(frozen=True)
class Cut:
    """Where a device or browser cuts a text in a collapsed notification."""

    # The device preview it applies to: "ios", "android", "chrome"...
    device: str
    # In words: "iOS", "Chrome on macOS and Android".
    where: str
    # Characters shown before the cut.
    after: int


@dataclass(frozen=True)
class Counter:
    """A text field's length against where collapsed notifications cut it, in words."""

    count: int
    # The shortest cut that applies (None: no device shown has one).
    limit: int | None
    state: str
    words: str


def length_counter(text: str, *, what: str, cuts: list[Cut]) -> Counter:
    """`text`'s length against `cuts` (those of the devices shown): LONG past the shortest.

    Amber is as far as it goes: the Create Campaign API documents no length limit for a title or
    a message, so nothing here is an error.
    """
    count = len(text)
    cuts = sorted(cuts, key=lambda cut: cut.after)
    passed = [cut for cut in cuts if count > cut.after]
    if not cuts:
        state, limit, words = FITS, None, COUNTER_PLAIN.format(count=count)
    elif not passed:
        state, limit = FITS, cuts[0].after
        words = COUNTER_FITS.format(count=count, limit=limit, where=cuts[0].where)
    else:
        state, limit = LONG, cuts[0].after
        first, *more = passed
        named = [CUT_FIRST.format(where=first.where, what=what, after=first.after)]
        named += [CUT_MORE.format(where=cut.where, after=cut.after) for cut in more]
        words = COUNTER_LONG.format(count=count, limit=limit, cuts=", ".join(named))
    if "{{" in text:
        words = f"{words} {TAGS_AS_TYPED}"
    return Counter(count, limit, state, words)


def cut_text(text: str, cuts: list[Cut], device: str) -> str:
    """`text` as `device`'s collapsed notification shows it: cut with an ellipsis where it cuts."""
    after = min((cut.after for cut in cuts if cut.device == device), default=None)
    if after is None or len(text) <= after:
        return text
    return text[:after].rstrip() + ELLIPSIS
