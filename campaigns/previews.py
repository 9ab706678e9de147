"""What the composer's previews show, read from a request body: pure functions, no database.

Every preview is drawn from the body the forms built (the one `payloads.build_body` returns), so
the device previews, the JSON and what is sent can never disagree. Bodies may be invalid or half
typed: anything of an unexpected shape is shown as absent, never an error.
"""

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from campaigns import identities, schedule
from campaigns.forms.options import AccountOptions

# SMS encodings: GSM 03.38 (7-bit) when every character is in its alphabet, else UCS-2.
GSM7 = "GSM-7"
UCS2 = "UCS-2"
GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters of the extension table: each is sent as an escape plus itself, two septets.
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

WEEKDAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")

# The email preview's own policy, inside the sandboxed frame: nothing remote loads (tracking
# pixels included) until the person asks for remote images.
EMAIL_CSP_BLOCKED = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
EMAIL_CSP_REMOTE = "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class SmsCount:
    encoding: str
    characters: int
    # Septets for GSM-7 (extension characters count two), UTF-16 code units for UCS-2.
    units: int
    segments: int
    per_segment: int

    @property
    def remaining(self) -> int:
        """Units left before one more segment is needed (about, for multi-part messages)."""
        return max(self.segments, 1) * self.per_segment - self.units


def sms_count(text: str) -> SmsCount:
    """Characters, encoding and segments of an SMS: GSM-7 160/153 per part, UCS-2 70/67.

    A multi-part message loses room in each part to the concatenation header; an escape pair
    (GSM-7 extension character) or a surrogate pair (UCS-2) is never split across two parts.
    """
    if all(char in _GSM7_BASIC or char in _GSM7_EXTENDED for char in text):
        sizes = [2 if char in _GSM7_EXTENDED else 1 for char in text]
        single, part, encoding = GSM7_SINGLE, GSM7_PART, GSM7
    else:
        sizes = [2 if ord(char) > 0xFFFF else 1 for char in text]
        single, part, encoding = UCS2_SINGLE, UCS2_PART, UCS2
    units = sum(sizes)
    if units == 0:
        return SmsCount(encoding, 0, 0, 0, single)
    if units <= single:
        return SmsCount(encoding, len(text), units, 1, single)
    segments, room = 1, part
    for size in sizes:
        if size > room:
            segments, room = segments + 1, part
        room -= size
    return SmsCount(encoding, len(text), units, segments, part)


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


# Device previews, one context per ChannelSpec.preview partial.


def _get(data: Any, *keys: str | int, kind: type | tuple = object) -> Any:
    for key in keys:
        if isinstance(key, int):
            if not isinstance(data, list) or not -len(data) <= key < len(data):
                return None
        elif not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data if isinstance(data, kind) else None


def _text(data: Any, *keys: str | int) -> str:
    found = _get(data, *keys)
    if isinstance(found, str):
        return found
    if isinstance(found, int | float) and not isinstance(found, bool):
        return str(found)
    return ""


def _objects(data: Any, *keys: str) -> list[dict]:
    found = _get(data, *keys, kind=list) or []
    return [item for item in found if isinstance(item, dict)]


@dataclass(frozen=True)
class Button:
    title: str
    link: str = ""


@dataclass(frozen=True)
class Slide:
    caption: str
    subcaption: str
    image: str
    link: str = ""


def push_preview(body: dict) -> dict:
    content = _get(body, "content", kind=dict) or {}
    ios = _get(content, "platform_specific", "ios", kind=dict) or {}
    android = _get(content, "platform_specific", "android", kind=dict) or {}
    slider = _get(ios, "ct_ContentSlider", kind=dict) or {}
    devices = _get(body, "devices", kind=list)
    buttons = [
        Button(_text(action, "l"), _text(action, "dl"))
        for action in _objects(android, "wzrk_acts")
        if _text(action, "l")
    ]
    return {
        "title": _text(content, "title"),
        "message": _text(content, "body"),
        "ios": {
            "image": _text(ios, "ct_mediaUrl"),
            "subtitle": _text(ios, "subtitle"),
            "badge": _text(ios, "badge_count"),
            "carousel": [
                Slide(
                    _text(item, "caption"),
                    _text(item, "subcaption"),
                    _text(item, "imageUrl"),
                    _text(item, "actionUrl"),
                )
                for item in _objects(slider, "items")
            ],
        },
        "android": {
            "image": _text(android, "background_image"),
            "large_icon": _text(android, "large_icon"),
            "subtitle": _text(android, "subtitle"),
            "summary": _text(android, "summary"),
            "buttons": buttons,
        },
        "show_ios": devices is None or "ios" in devices,
        "show_android": devices is None or "android" in devices,
    }


WEB_BROWSERS = ("chrome", "firefox", "safari", "edge", "opera", "kaios")


def webpush_preview(body: dict) -> dict:
    content = _get(body, "content", kind=dict) or {}
    platforms = _get(content, "platform_specific", kind=dict) or {}
    browsers = [name for name in platforms if isinstance(platforms[name], dict)] or ["chrome"]
    cards = []
    for name in browsers:
        settings = platforms.get(name) if isinstance(platforms.get(name), dict) else {}
        buttons = [
            Button(_text(settings, f"cta_title{n}"), _text(settings, f"cta_link{n}"))
            for n in (1, 2)
            if _text(settings, f"cta_title{n}")
        ]
        cards.append(
            {
                "browser": name,
                "title": _text(content, "title"),
                "message": _text(content, "body"),
                "icon": _text(settings, "icon"),
                "image": _text(settings, "image"),
                "link": _text(settings, "deep_link"),
                "buttons": buttons,
                "sticky": _get(settings, "require_interaction") is True,
            }
        )
    return {"cards": cards}


def email_srcdoc(html: str, *, remote_images: bool) -> str:
    """The email as a document for a sandboxed iframe, under a policy that blocks remote content.

    The policy comes first so that it governs everything the email itself holds.
    """
    policy = EMAIL_CSP_REMOTE if remote_images else EMAIL_CSP_BLOCKED
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        "</head><body>" + html + "</body></html>"
    )


def email_preview(body: dict, *, remote_images: bool = False) -> dict:
    content = _get(body, "content", kind=dict) or {}
    html = _text(content, "body")
    return {
        "subject": _text(content, "subject"),
        "sender_name": _text(content, "sender_name"),
        "html": html,
        "srcdoc": email_srcdoc(html, remote_images=remote_images),
        "remote_images": remote_images,
        "has_remote": "http://" in html or "https://" in html or "//" in html,
    }


def sms_preview(body: dict) -> dict:
    text = _text(body, "content", "body")
    return {"message": text, "count": sms_count(text)}


@dataclass
class WhatsAppBubble:
    template: str = ""
    locale: str = ""
    header_type: str = ""
    header_text: str = ""
    media_url: str = ""
    location: dict = field(default_factory=dict)
    text: str = ""
    # (placeholder number, value or "" when missing) for templates.
    body_values: list[tuple[int, str]] = field(default_factory=list)
    buttons: list[list[tuple[int, str]]] = field(default_factory=list)
    freeform: bool = False


def _replacements(data: Any, expected: int = 0) -> list[tuple[int, str]]:
    values = _get(data, "replacements", kind=list) or []
    shown = [json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in values]
    shown += [""] * max(0, expected - len(shown))
    return list(enumerate(shown, 1))


def whatsapp_preview(body: dict, options: AccountOptions | None = None) -> dict:
    content = _get(body, "content", kind=dict) or {}
    bubble = WhatsAppBubble()
    if content.get("message_type") == "freeform":
        bubble.freeform = True
        freeform_body = _get(content, "freeform", "body", kind=dict) or {}
        bubble.header_type = _text(freeform_body, "type")
        bubble.text = _text(freeform_body, "text")
        bubble.media_url = _text(freeform_body, "media", "url") or _text(freeform_body, "url")
        bubble.location = _location(freeform_body)
        return {"bubble": bubble}
    template = _get(content, "template", kind=dict) or content
    bubble.template = _text(template, "template_name")
    bubble.locale = _text(template, "language") or _text(template, "locale")
    option = options.whatsapp_template(bubble.template, bubble.locale) if options else None
    header = _get(template, "header", kind=dict) or {}
    bubble.header_type = _text(header, "type") or (option.header_type if option else "")
    bubble.media_url = _text(header, "media", "url")
    bubble.location = _location(header)
    header_values = _replacements(header, option.header_placeholders if option else 0)
    bubble.header_text = " ".join(value or f"{{{{{n}}}}}" for n, value in header_values)
    body_part = _get(template, "body", kind=dict) or {}
    bubble.body_values = _replacements(body_part, option.body_placeholders if option else 0)
    expected_buttons = list(option.button_placeholders) if option else []
    buttons = _objects(template, "buttons")
    for position in range(max(len(buttons), len(expected_buttons))):
        button = buttons[position] if position < len(buttons) else {}
        expected = expected_buttons[position] if position < len(expected_buttons) else 0
        bubble.buttons.append(_replacements(button, expected))
    return {"bubble": bubble}


def _location(data: dict) -> dict:
    location = _get(data, "location", kind=dict) or {}
    latitude = _text(location, "latitude") or _text(location, "latitiude")
    if not (latitude or _text(location, "longitude") or _text(location, "name")):
        return {}
    return {
        "latitude": latitude,
        "longitude": _text(location, "longitude"),
        "name": _text(location, "name"),
        "address": _text(location, "address"),
    }


def webhook_preview(body: dict) -> dict:
    key_values = _get(body, "webhook_key_value", kind=dict) or {}
    return {
        "endpoint": _text(body, "webhook_endpoint_name"),
        "fields": [f for f in _get(body, "webhook_fields", kind=list) or [] if isinstance(f, str)],
        "key_values": [
            (str(key), value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
            for key, value in key_values.items()
        ],
    }


@dataclass(frozen=True)
class InboxCard:
    title: str
    message: str
    image: str
    icon: str
    links: list[Button]


def inbox_preview(body: dict) -> dict:
    cards = [
        InboxCard(
            title=_text(item, "title", "text"),
            message=_text(item, "message", "text"),
            image=_text(item, "media", "url"),
            icon=_text(item, "icon", "url"),
            links=[
                Button(_text(link, "text"), _text(link, "url", "android", "text"))
                for link in _objects(_get(item, "action", kind=dict) or {}, "links")
            ],
        )
        for item in _objects(body, "content")
    ]
    template_type = _text(body, "template_type") or "simple"
    return {
        "template_type": template_type,
        "carousel": template_type.startswith("carousel"),
        "cards": cards,
        "tags": [t for t in _get(body, "tags", kind=list) or [] if isinstance(t, str)],
    }


def device_preview(
    preview: str, body: dict, *, options: AccountOptions | None, remote_images: bool = False
) -> dict:
    """The context of the `previews.html` partial named `preview` (a ChannelSpec.preview)."""
    if preview == "email":
        return email_preview(body, remote_images=remote_images)
    if preview == "whatsapp":
        return whatsapp_preview(body, options)
    builders = {
        "push": push_preview,
        "webpush": webpush_preview,
        "sms": sms_preview,
        "webhook": webhook_preview,
        "inbox": inbox_preview,
    }
    builder = builders.get(preview)
    return builder(body) if builder else {}


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
    dnd_info = _get(when, "dnd", "dnd_info")
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
