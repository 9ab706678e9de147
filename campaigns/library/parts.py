"""The parts of a request body the library keeps, taken from a draft and laid back on one.

A template is a draft's content section for one channel (the top-level keys its content form
models, as `payloads.sections` names it); an audience is the audience section of a targets draft
(`where`, `segment`, `advanced_query`). Both are copied as the body holds them, unknown keys
included, so that nothing is lost on the way in or out. Pure functions: no database.

An audience's dates can be relative ("the last 30 days"): the version keeps the number of days,
and `resolved_audience` writes CleverTap's YYYYMMDD for a given day when a draft is built from it.
"""

import copy
import datetime
from typing import Any

from campaigns import set_aside
from campaigns.channels import registry
from campaigns.forms.audience import AudienceForm

CONTENT = "content"
AUDIENCE = "audience"
# The choice itself is the draft's, never a template's.
CHOICE_KEYS = ("target_mode",)
NO_CONTENT = "{channel} has no content form for this API family."
RELATIVE_DAYS_MAX = 3650


def section_keys(form: type) -> list[str]:
    """The top-level keys a section's form models, in its order."""
    paths = [*form.paths.values(), *(spec.path for spec in form.rows.values())]
    paths += list(getattr(form, "custom_keys", {}).values())
    keys: list[str] = []
    for path in paths:
        if path and path[0] not in keys and path[0] not in CHOICE_KEYS:
            keys.append(path[0])
    return keys


def content_keys(api: str, channel: str) -> list[str]:
    form = registry.content_form(api, channel)
    if form is None:
        raise ValueError(NO_CONTENT.format(channel=channel))
    return section_keys(form)


def audience_keys() -> list[str]:
    return section_keys(AudienceForm)


def part_of(body: dict, keys: list[str]) -> dict:
    """The keys of `body` among `keys`, copied as they are."""
    return {key: copy.deepcopy(body[key]) for key in keys if key in body}


def content_of(body: dict, *, api: str, channel: str) -> dict:
    return part_of(body, content_keys(api, channel))


def audience_of(body: dict) -> dict:
    return part_of(body, audience_keys())


def laid_on(body: dict, part: dict, keys: list[str]) -> dict:
    """`body` with its `keys` replaced by `part`'s: each key keeps its place, new ones go
    before the keys that follow the section (or last)."""
    result = {}
    placed = False
    for key, value in body.items():
        if key in keys:
            if not placed:
                result |= copy.deepcopy(part)
                placed = True
            continue
        result[key] = value
    if not placed:
        result |= copy.deepcopy(part)
    return result


def with_content(body: dict, content: dict, *, api: str, channel: str) -> dict:
    return laid_on(body, content, content_keys(api, channel))


def with_audience(body: dict, audience: dict) -> dict:
    return laid_on(body, audience, audience_keys())


def has_content(body: dict, *, api: str, channel: str) -> bool:
    """Whether the draft holds any content that applying a template would replace."""
    return any(_filled(value) for value in content_of(body, api=api, channel=channel).values())


def has_audience(body: dict) -> bool:
    return any(_filled(value) for value in audience_of(body).values())


def _filled(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_filled(v) for v in value.values())
    if isinstance(value, list):
        return any(_filled(v) for v in value)
    return value not in (None, "")


def edited(original: dict, form_class: type, data, *, prefix: str, options=None) -> dict:
    """A part as edited in its form (`data`, posted), with what the form cannot show of the
    `original` (keys it does not model) kept as it was: nothing is lost by an edit."""
    shown = form_class(
        form_class.parse_json(original, prefix=prefix).data, prefix=prefix, options=options
    ).to_json()
    now = form_class(data, prefix=prefix, options=options).to_json()
    return set_aside.laid_over(now, set_aside.left_out(original, shown))


# Relative dates of a saved audience.


def relative_range(days: int, *, today: datetime.date) -> tuple[int, int]:
    """ "The last `days` days" as CleverTap's (from, to): from `days` days ago to today."""
    start = today - datetime.timedelta(days=days)
    return _yyyymmdd(start), _yyyymmdd(today)


def _yyyymmdd(day: datetime.date) -> int:
    return int(day.strftime("%Y%m%d"))


def resolved_audience(content: dict, *, today: datetime.date) -> dict:
    """A saved audience version's body for a draft built `today`: its relative dates written as
    dates (the event's `where.from`/`where.to`, and each event condition's `from`/`to`)."""
    audience = copy.deepcopy(content.get("body") or {})
    days = content.get("relative_days")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        return audience
    start, end = relative_range(days, today=today)
    where = audience.get("where")
    if isinstance(where, dict) and where.get("event_name"):
        where["from"], where["to"] = start, end
    rows = (audience.get("advanced_query") or {}).get("did_all")
    if isinstance(rows, list):
        for row in rows:
            if isinstance(row, dict):
                row["from"], row["to"] = start, end
    return audience


def relative_words(days: Any) -> str:
    if not isinstance(days, int) or isinstance(days, bool):
        return ""
    return "today" if days == 0 else f"the last {days} day{'' if days == 1 else 's'}"
