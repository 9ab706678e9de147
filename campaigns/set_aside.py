"""What a change of channel or API family leaves out of the body, kept aside to bring back.

A draft's sections depend on its API family and channel (`payloads.sections`). When a change
swaps a section's form for another (push content for SMS content, the audience for the
recipients) or drops it (a send draft has no schedule), what the old form held and the new one
does not is kept aside as an `Entry`: that part of the body, under the API family and channel it
was written for. A later change to a choice whose section has the same form lays it back over
what the form holds then. The composer says what is kept aside and offers to bring it back or
discard it; the draft stores it with its body (`Campaign.set_aside`), and it is never sent.

Pure functions over form data, as `payloads.py`: no database, no HTTP.
"""

import copy
import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from crispy_forms.layout import Fieldset
from django.http import QueryDict

from campaigns import jsonfile, payloads
from campaigns.channels import registry
from campaigns.forms.base import PayloadForm
from campaigns.forms.options import AccountOptions
from campaigns.jsonpath import Path, same_json
from campaigns.models import Api, Channel

NOT_READ = "Not saved: what this page set aside could not be read; reload the page."
# Who the reader's messages (`jsonfile`) name.
POSTED_NAME = "The set-aside content"
CONTENT = "{channel} content ({things})"
SET_ASIDE = "{what} set aside while this draft {draft}. It is kept with the draft, never sent."
RESTORE_CHANNEL = "Switch back to {channel}"
RESTORE_CHANNEL_AND_API = "Switch back to {channel}, {how}"
RESTORE_API = "Find the audience {how} again"
# A group the current choice takes back (after History restored an older version, say).
SET_ASIDE_EARLIER = "{what} set aside earlier. It is kept with the draft, never sent."
RESTORE_HERE = "Put it back in the form"
DISCARD_QUESTION = "Discard the set-aside {what} for good? It cannot be brought back."
# How the draft is now, for a part its channel left out, and for a part its API family did.
DRAFT_IS = "is {channel}"
DRAFT_IS_SENT_BY_IDENTITY = "is {channel} sent to a list of identities"
DRAFT_FINDS = {
    Api.TARGETS: "finds its audience by events and properties",
    Api.SEND: "is sent to a list of identities",
}
HOW = {Api.TARGETS: "by events and properties", Api.SEND: "by identities"}
# What a draft of each channel is called in a sentence ("while this draft is an SMS").
CALLED = {
    Channel.PUSH: "a push",
    Channel.WEBPUSH: "a web push",
    Channel.EMAIL: "an email",
    Channel.SMS: "an SMS",
    Channel.WHATSAPP: "a WhatsApp message",
    Channel.WEBHOOK: "a webhook",
    Channel.NOTIFICATIONINBOX: "an app inbox message",
}
# The choice itself (a targets draft's channel) is never set aside: the page holds it.
CHOICE_KEYS = ("target_mode",)


@dataclass(frozen=True)
class Entry:
    api: str
    channel: str
    # The section's prefix, and the part of the body its form held under that API and channel.
    part: str
    body: dict

    @property
    def form(self) -> type[PayloadForm] | None:
        return _form_of(self.api, self.channel, self.part)

    def as_json(self) -> dict:
        return {"api": self.api, "channel": self.channel, "part": self.part, "body": self.body}


@dataclass(frozen=True)
class Group:
    """Entries that one choice brings back, as the page shows them."""

    api: str
    # None: any channel of the API family brings them back.
    channel: str | None
    entries: tuple[Entry, ...]
    what: str
    message: str
    restore_label: str

    @property
    def value(self) -> str:
        return group_value(self.api, self.channel)

    @property
    def discard_question(self) -> str:
        return DISCARD_QUESTION.format(what=_lower_first(self.what))


def as_json(entries: list[Entry]) -> list[dict]:
    return [entry.as_json() for entry in entries]


def stored(document: Any) -> list[Entry]:
    """The entries a draft stores, leaving out any this code no longer knows (a removed form)."""
    if not isinstance(document, list):
        return []
    entries = [_entry(item) for item in document]
    return [entry for entry in entries if entry is not None]


def posted(text: str) -> list[Entry]:
    """The entries a page posted back; ValueError (in words) when they cannot be read."""
    try:
        document = jsonfile.load_json_text(text or "[]", name=POSTED_NAME, storable=True)
    except jsonfile.JsonFileError as error:
        raise ValueError(str(error)) from None
    if not isinstance(document, list):
        raise ValueError(NOT_READ)
    entries = [_entry(item) for item in document]
    if None in entries:
        raise ValueError(NOT_READ)
    return entries


def dump(entries: list[Entry]) -> str:
    return json.dumps(as_json(entries), ensure_ascii=False, separators=(",", ":"))


def _entry(item: Any) -> Entry | None:
    if not isinstance(item, dict) or set(item) != {"api", "channel", "part", "body"}:
        return None
    entry = Entry(item["api"], item["channel"], item["part"], item["body"])
    if not isinstance(entry.body, dict) or entry.form is None:
        return None
    return entry


def _form_of(api: Any, channel: Any, part: Any) -> type[PayloadForm] | None:
    if api not in Api.values or channel not in registry.CHANNELS:
        return None
    return next((s.form for s in payloads.sections(api, channel) if s.prefix == part), None)


# A change of choice: what the new forms do not hold goes aside, what they can hold comes back.


def switch(
    data: QueryDict,
    entries: list[Entry],
    *,
    shown: tuple[str, str],
    chosen: tuple[str, str],
    options: AccountOptions,
    extras: dict[Path, Any],
    restore: bool = False,
) -> list[Entry]:
    """Move the page's form data (`data`, changed in place) from the `shown` choice (API family,
    channel) to the `chosen` one, and return the entries then set aside.

    Each section whose form changes comes back from the entries for its new form, laid over what
    the new form reads from the data; with `restore`, every section does. Then each old section's
    values that the new page does not hold (a restored section's too) go aside under the old
    choice. Nothing is dropped: what the page holds is what its forms hold with the `extras`
    (the Additional fields) laid over, so a value they hide stays aside.
    """
    old = payloads.bind_forms(data, api=shown[0], channel=shown[1], options=options)
    new_sections = payloads.sections(*chosen)
    brought: list[Entry] = []
    for section in new_sections:
        if not restore and type(old.get(section.prefix)) is section.form:
            continue
        matching = [e for e in entries if e.part == section.prefix and e.form is section.form]
        if not matching:
            continue
        body = section.form(data, prefix=section.prefix, options=options).to_json()
        for entry in matching:
            body = laid_over(body, entry.body)
        _replace(data, section.prefix, section.form.parse_json(body, prefix=section.prefix).data)
        brought += matching
    new = payloads.bind_forms(data, api=chosen[0], channel=chosen[1], options=options)

    def held(prefix: str) -> dict:
        return payloads.build_body({prefix: new[prefix]} if prefix in new else {}, extras)

    kept = [entry for entry in entries if entry not in brought]
    # What the forms could not take back stays aside.
    for entry in brought:
        _keep(kept, entry, left_out(entry.body, held(entry.part)))
    restored = {entry.part for entry in brought}
    for prefix, form in old.items():
        if type(new.get(prefix)) is type(form) and prefix not in restored:
            continue
        # A copy: the form's JSON is built once and shared (`PayloadForm.to_json`).
        body = dict(form.to_json())
        for key in CHOICE_KEYS:
            body.pop(key, None)
        _keep(kept, Entry(shown[0], shown[1], prefix, {}), left_out(body, held(prefix)))
    return kept


def _keep(entries: list[Entry], entry: Entry, body: dict) -> None:
    """Add `body` as `entry`'s, merged into an entry of the same form (the newer value wins)."""
    if not body:
        return
    for index, other in enumerate(entries):
        if other.part == entry.part and other.form is entry.form:
            entries[index] = Entry(
                entry.api, entry.channel, entry.part, laid_over(other.body, body)
            )
            return
    entries.append(Entry(entry.api, entry.channel, entry.part, body))


def _replace(data: QueryDict, prefix: str, values: dict[str, Any]) -> None:
    for key in [key for key in data if key.startswith(f"{prefix}-")]:
        del data[key]
    for key, value in values.items():
        data.setlist(key, value if isinstance(value, list) else [value])


def left_out(old: dict, new: Any) -> dict:
    """The values of `old` that `new` does not hold, as a body (lists compare whole)."""
    result = {}
    for key, value in old.items():
        there = new.get(key) if isinstance(new, dict) else None
        if isinstance(value, dict) and value and isinstance(there, dict):
            if inner := left_out(value, there):
                result[key] = inner
        elif not (isinstance(new, dict) and key in new and same_json(value, there)):
            result[key] = value
    return result


def laid_over(base: dict, top: dict) -> dict:
    """`base` with every value of `top` set in it (objects merged, anything else replaced)."""
    result = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = laid_over(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


# The page's buttons: bring a group back (by changing the choice) or discard it.


def group_value(api: str, channel: str | None) -> str:
    return f"{api}/{channel or ''}"


def restore_choice(
    value: str, entries: list[Entry], *, api: str, channel: str
) -> tuple[str, str] | None:
    """The API family and channel that bring back the group named `value`, nearest the current
    ones (`api`, `channel`), or None when no group has that name."""
    key = next((key for key in _grouped(entries) if group_value(*key) == value), None)
    if key is None:
        return None
    return _brings_back(key, _grouped(entries)[key], api=api, channel=channel)


def _brings_back(
    key: tuple[str, str | None], members: list[Entry], *, api: str, channel: str
) -> tuple[str, str]:
    """The choice nearest (`api`, `channel`) whose forms take back every member of a group: the
    current API family when it has the same forms (push content is the same for both), and the
    current channel when the group is not a channel's content and the API family offers it."""
    group_api, group_channel = key
    if group_channel:
        same = all(_form_of(api, group_channel, e.part) is e.form for e in members)
        return (api if same else group_api), group_channel
    if not registry.not_offered(group_api, channel):
        return group_api, channel
    return group_api, members[0].channel


def discarded(entries: list[Entry], value: str | None) -> list[Entry]:
    return [entry for entry in entries if group_value(*_group_of(entry)) != value]


def _group_of(entry: Entry) -> tuple[str, str | None]:
    return entry.api, entry.channel if _channel_bound(entry.api, entry.part) else None


def _grouped(entries: list[Entry]) -> dict[tuple[str, str | None], list[Entry]]:
    groups: dict[tuple[str, str | None], list[Entry]] = {}
    for entry in entries:
        groups.setdefault(_group_of(entry), []).append(entry)
    return groups


@functools.cache
def _channel_bound(api: str, part: str) -> bool:
    """Whether the section's form depends on the channel (the content) or only on the API."""
    forms = {_form_of(api, channel, part) for channel, _ in registry.channel_choices(api)}
    return len(forms) > 1


# What the page says of them.


def groups(entries: list[Entry], *, api: str, channel: str) -> list[Group]:
    """What the page says of the entries, one group per choice that brings some back, for a
    draft of this API family and channel."""
    draft = (DRAFT_IS_SENT_BY_IDENTITY if api == Api.SEND else DRAFT_IS).format(
        channel=_called(channel)
    )
    if registry.not_offered(api, channel):
        # No such draft can be sent (a webhook by identities): say only how it finds its audience.
        draft = DRAFT_FINDS[api]
    return [
        _group(key, members, api=api, channel=channel, draft=draft)
        for key, members in _grouped(entries).items()
    ]


def _group(
    key: tuple[str, str | None], members: list[Entry], *, api: str, channel: str, draft: str
) -> Group:
    group_api, group_channel = key
    shown = {s.prefix: s.title for s in payloads.sections(api, channel)}
    things = []
    for entry in members:
        title = _title_of(entry)
        # A channel's content, and a section the page still shows under the same title, are
        # told field by field; a section the page no longer shows, by its title.
        if group_channel or shown.get(entry.part) == title:
            things += _things(entry)
        else:
            things.append(_lower_first(title))
    listed = _listed(list(dict.fromkeys(things)))
    brings_back = _brings_back(key, members, api=api, channel=channel)
    if group_channel:
        label = Channel(group_channel).label
        what = CONTENT.format(channel=label, things=listed)
        # The same channel by the other API family: what differs is how it finds its audience.
        message = SET_ASIDE.format(
            what=what, draft=DRAFT_FINDS[api] if group_channel == channel else draft
        )
        restore = RESTORE_CHANNEL.format(channel=label)
        if brings_back[0] != api:
            restore = RESTORE_CHANNEL_AND_API.format(channel=label, how=HOW[brings_back[0]])
    else:
        what = listed[:1].upper() + listed[1:]
        message = SET_ASIDE.format(what=what, draft=DRAFT_FINDS[api])
        restore = RESTORE_API.format(how=HOW[group_api])
    if brings_back == (api, channel):
        message, restore = SET_ASIDE_EARLIER.format(what=what), RESTORE_HERE
    return Group(group_api, group_channel, tuple(members), what, message, restore_label=restore)


def _called(channel: str) -> str:
    return CALLED.get(channel, f"a {Channel(channel).label.lower()} campaign")


def _title_of(entry: Entry) -> str:
    sections = payloads.sections(entry.api, entry.channel)
    return next(s.title for s in sections if s.prefix == entry.part)


def _things(entry: Entry) -> list[str]:
    """The fields an entry holds, in words: each field's label, or its group's ("iOS settings")
    where the form lays its fields out in groups after the first."""
    form = entry.form
    named = _named_paths(form)
    grouped = _field_groups(form)
    things = []
    for path in _leaves(entry.body):
        name = _field_at(named, path)
        # Rows go with the group of the fields named with the same first word (android_...).
        group = name and next(
            (g for n, g in grouped.items() if n.split("_")[0] == name.split("_")[0]), None
        )
        if name is None:
            things.append(str(path[-1]))
        elif group:
            things.append(f"{grouped.get(name, group)} settings")
        elif name in form.rows:
            things.append(_lower_first(form.rows[name].label))
        else:
            things.append(_lower_first(_plain(str(form.base_fields[name].label or name))))
    return things


def _named_paths(form: type[PayloadForm]) -> dict[str, Path]:
    named = dict(getattr(form, "custom_keys", {}))
    named |= {name: spec.path for name, spec in form.rows.items()}
    return named | form.paths


def _field_at(named: dict[str, Path], path: Path) -> str | None:
    """The field whose path holds `path` (the longest), or the first that `path` holds."""
    holding = [(len(p), name) for name, p in named.items() if path[: len(p)] == p]
    if holding:
        return max(holding)[1]
    return next((name for name, p in named.items() if p[: len(path)] == path), None)


@functools.cache
def _field_groups(form: type[PayloadForm]) -> dict[str, str]:
    """Field name -> its group's title, for the fields laid out after the form's first group."""
    layout = form().helper.layout
    fieldsets = [item for item in getattr(layout, "fields", []) if isinstance(item, Fieldset)]
    return {
        name: fieldset.legend
        for fieldset in fieldsets[1:]
        for name in fieldset.fields
        if isinstance(name, str)
    }


def _leaves(body: dict, path: Path = ()) -> list[Path]:
    found = []
    for key, value in body.items():
        if isinstance(value, dict) and value:
            found += _leaves(value, path + (key,))
        else:
            found.append(path + (key,))
    return found


def _plain(label: str) -> str:
    """A field's label without its JSON name: "Message (body)" -> "Message"."""
    return re.sub(r"\s*\([^)]*\)", "", label).strip() or label


def _lower_first(text: str) -> str:
    # "Title" reads "title"; "iOS", "SMS" and "WhatsApp" stay as they are.
    word = text.split(" ")[0]
    if len(word) > 1 and word[1:].islower():
        return text[0].lower() + text[1:]
    return text


def _listed(things: list[str]) -> str:
    """ "title", "iOS settings", "Android settings" -> "title, iOS and Android settings"."""
    settings = [thing.removesuffix(" settings") for thing in things if thing.endswith(" settings")]
    if len(settings) > 1:
        first = next(i for i, thing in enumerate(things) if thing.endswith(" settings"))
        merged = _joined(settings) + " settings"
        things = [thing for thing in things if not thing.endswith(" settings")]
        things.insert(first, merged)
        if first == len(things) - 1:
            # Its own "and" ends the list: "title, message, iOS and Android settings".
            return ", ".join(things)
    return _joined(things)


def _joined(things: list[str]) -> str:
    if len(things) < 2:
        return "".join(things)
    # A serial comma where an item has its own "and": "templates and key-values, and provider".
    last = ", and " if any(" and " in thing for thing in things) else " and "
    return ", ".join(things[:-1]) + last + things[-1]
