"""What the composer's previews show, read from a request body: pure functions, no database.

Every preview is drawn from the body the forms built (the one `payloads.build_body` returns), so
the previews, the JSON and what is sent can never disagree. Bodies may be invalid or half typed:
anything of an unexpected shape is shown as absent, never an error (`at`, `text_at`, `objects_at`
read them so). Here are the JSON, the schedule and the request count; each channel's device
preview is in its module of `campaigns.channels`.
"""

import json
import math
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from campaigns import identities, schedule
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
    """`json.dumps(value, indent=2, ensure_ascii=False)` as HTML with a span per token kind."""
    parts: list[str] = []
    _highlight(value, 0, parts)
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped below


def _token(kind: str, text: str) -> str:
    return f'<span class="j-{kind}">{escape(text)}</span>'


def _highlight(value: Any, depth: int, out: list[str]) -> None:
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        out.append("{\n")
        for position, (key, item) in enumerate(value.items()):
            out.append(inner + _token("key", json.dumps(str(key), ensure_ascii=False)) + ": ")
            _highlight(item, depth + 1, out)
            out.append(",\n" if position < len(value) - 1 else "\n")
        out.append(pad + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        out.append("[\n")
        for position, item in enumerate(value):
            out.append(inner)
            _highlight(item, depth + 1, out)
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


def schedule_preview(body: dict, *, now: datetime, account_tz: ZoneInfo) -> dict | None:
    """The next 10 send times and the week's quiet (DND) windows, or None without a `when`."""
    if not isinstance(body, dict) or "when" not in body:
        return None
    when = body["when"]
    times = schedule.next_send_times(when, now=now, account_tz=account_tz)
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
    }


def _percent(moment: time) -> float:
    if moment == time.max:
        return 100.0
    return round((moment.hour * 60 + moment.minute) / 1440 * 100, 3)
