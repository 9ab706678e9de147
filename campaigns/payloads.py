"""Request bodies <-> form data, and the errors of a body: pure functions, no database, no HTTP.

One code path for preview, export, estimate and publish: a body is parsed into form data
(`parse_body`), forms are bound to it (`bind_forms`), and the body is built back from the bound
forms (`build_body`). Keys the forms do not model are kept aside as "extras" (JSON path -> value)
and laid back over the built body unchanged, so the round trip is lossless.
"""

import difflib
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.http import QueryDict

from campaigns import channels
from campaigns.forms.additional import AdditionalFieldsForm
from campaigns.forms.base import PayloadError, PayloadForm
from campaigns.forms.campaign import SendCampaignForm, TargetsCampaignForm
from campaigns.forms.fields import JsonField
from campaigns.forms.options import NO_OPTIONS, AccountOptions
from campaigns.jsonpath import Path, format_path, same_json, set_path
from campaigns.models import Api

TARGETS_ENDPOINT = "targets/create.json"
SEND_CHANNELS = ("push", "webpush", "email", "sms", "whatsapp")
ESTIMATE_ONLY_DROPPED = (
    "The body had estimate_only: {value}. Estimating is an action here, not part of the draft: "
    "Estimate sends true, Publish sends the body without it."
)
EXTRAS_NOTICE = "Kept as it was, in Additional fields: {path} (not a field this form models)."
EXTRAS_HINT = "Kept as it was, in Additional fields: {path}. Did you mean {suggestion}?"
FALLBACK_NOTICE = (
    "Part of the body could not be shown in the form without changing it, so it is kept exactly "
    "as it was in Additional fields: {path}."
)
NOT_AN_OBJECT = "The request body must be a JSON object ({{...}}), not {kind}."
UNKNOWN_CHANNEL = "“{channel}” is not a channel; use one of: {choices}."
UNKNOWN_SEND_CHANNEL = "There is no send/{channel}.json endpoint; use one of: {choices}."
UNKNOWN_ENDPOINT = (
    'Unknown endpoint "{endpoint}": use targets/create.json or send/<channel>.json '
    "with a channel among {choices}."
)
SEND_CHANNEL_AMBIGUOUS = (
    "This send body could be for several channels ({channels}); say which endpoint it is for."
)


@dataclass(frozen=True)
class Section:
    """A part of the composer: a form bound under `prefix`, shown under `title`."""

    prefix: str
    title: str
    form: type[PayloadForm]


@dataclass
class ParsedBody:
    data: QueryDict
    extras: dict[Path, Any]
    notices: list[str] = field(default_factory=list)


def endpoint(api: str, channel: str) -> str:
    return TARGETS_ENDPOINT if api == Api.TARGETS else f"send/{channel}.json"


def parse_endpoint(text: str) -> tuple[str, str | None]:
    """`targets/create.json` -> ("targets", None); `send/sms.json` -> ("send", "sms")."""
    text = text.strip().strip("/").removeprefix("1/")
    if text == TARGETS_ENDPOINT:
        return Api.TARGETS, None
    channel = text.removeprefix("send/").removesuffix(".json")
    if text.startswith("send/") and text.endswith(".json") and channel in SEND_CHANNELS:
        return Api.SEND, channel
    raise ValueError(UNKNOWN_ENDPOINT.format(endpoint=text, choices=", ".join(SEND_CHANNELS)))


def sections(api: str, channel: str) -> list[Section]:
    """The composer's parts for a draft of this API family and channel."""
    content = channels.content_form(api, channel)
    if api == Api.TARGETS:
        parts = [Section("campaign", "Campaign", TargetsCampaignForm)]
    else:
        parts = [Section("campaign", "Campaign", SendCampaignForm)]
    if content is not None:
        parts.append(Section("content", "Content", content))
    return parts


def parse_body(body: dict, *, api: str, channel: str) -> ParsedBody:
    """Form data for `body`, with everything the forms cannot show kept aside as extras."""
    body = dict(body)
    notices = []
    if "estimate_only" in body:
        value = body.pop("estimate_only")
        notices.append(ESTIMATE_ONLY_DROPPED.format(value=json.dumps(value)))
    data: dict[str, Any] = {}
    claimed: set[Path] = set()
    for section in sections(api, channel):
        parsed = section.form.parse_json(body, prefix=section.prefix)
        data |= parsed.data
        claimed |= parsed.claimed
    extras = _unclaimed(body, (), claimed, _prefixes(claimed) | {()})

    # Safety net: wherever the forms would not give back exactly what was there, keep that
    # top-level key whole in the extras, which are laid over the built body.
    rebuilt = build_body(bind_forms(_query_dict(data), api=api, channel=channel), extras)
    for key in body.keys() | rebuilt.keys():
        if key in body and not same_json(rebuilt.get(key), body[key]):
            extras = {path: value for path, value in extras.items() if path[:1] != (key,)}
            extras[(key,)] = body[key]
            notices.append(FALLBACK_NOTICE.format(path=format_path((key,))))

    index = schema_index(api, channel)
    for path in extras:
        if index.field_at(path) is None:
            suggestion = index.suggest(path)
            template = EXTRAS_HINT if suggestion else EXTRAS_NOTICE
            notices.append(template.format(path=format_path(path), suggestion=suggestion))
    data[AdditionalFieldsForm.FIELD] = AdditionalFieldsForm.dump(extras)
    return ParsedBody(_query_dict(data), extras, notices)


def bind_forms(
    data: QueryDict, *, api: str, channel: str, options: AccountOptions = NO_OPTIONS
) -> dict[str, PayloadForm]:
    return {
        section.prefix: section.form(data, prefix=section.prefix, options=options)
        for section in sections(api, channel)
    }


def build_body(forms: dict[str, PayloadForm], extras: dict[Path, Any]) -> dict:
    """The request body the forms stand for, valid or not, with the extras laid over it."""
    body: dict = {}
    for form in forms.values():
        _merge(body, form.to_json())
    for path, value in sorted(extras.items(), key=lambda item: _sort_key(item[0])):
        if path:
            set_path(body, path, value)
    return body


def form_errors(
    forms: dict[str, PayloadForm], extras: dict[Path, Any], *, api: str, channel: str
) -> list[PayloadError]:
    """Every problem, at its JSON path (and form field, where it has one)."""
    index = schema_index(api, channel)
    errors = []
    for path, value in extras.items():
        found = index.field_at(path)
        if found is not None:
            label, json_field = found
            message = json_field.wrong_type_message(label, value)
            errors.append(PayloadError(path, message, code=json_field.api_code))
    kept_aside = set(extras)
    for form in forms.values():
        errors += [error for error in form.path_errors() if error.path not in kept_aside]
    return errors


def body_errors(
    body: Any, *, api: str, channel: str, options: AccountOptions = NO_OPTIONS
) -> list[PayloadError]:
    """The errors of a request body: the validator the CLI, the import and the sandbox share."""
    if not isinstance(body, dict):
        return [PayloadError((), NOT_AN_OBJECT.format(kind=json_kind(body)))]
    parsed = parse_body(body, api=api, channel=channel)
    forms = bind_forms(parsed.data, api=api, channel=channel, options=options)
    return form_errors(forms, parsed.extras, api=api, channel=channel)


def infer_target(body: dict, endpoint_text: str | None = None) -> tuple[str, str]:
    """The API family and channel of a body: from the endpoint when given, else from the body."""
    choices = ", ".join(channels.CHANNELS)
    if endpoint_text:
        api, channel = parse_endpoint(endpoint_text)
        if api == Api.TARGETS:
            target_mode = body.get("target_mode")
            channel = target_mode if target_mode in channels.CHANNELS else "push"
        return api, channel
    if "to" not in body:
        target_mode = body.get("target_mode")
        if target_mode not in channels.CHANNELS:
            raise ValueError(UNKNOWN_CHANNEL.format(channel=target_mode, choices=choices))
        return Api.TARGETS, target_mode
    candidates = _send_channels(body)
    if len(candidates) != 1:
        raise ValueError(SEND_CHANNEL_AMBIGUOUS.format(channels=", ".join(candidates)))
    return Api.SEND, candidates[0]


def _send_channels(body: dict) -> list[str]:
    target_mode = body.get("target_mode")
    if target_mode in SEND_CHANNELS:
        return [target_mode]
    content = body.get("content") if isinstance(body.get("content"), dict) else {}
    platforms = content.get("platform_specific")
    platforms = set(platforms) if isinstance(platforms, dict) else set()
    if "message_type" in content or "template" in content or "freeform" in content:
        return ["whatsapp"]
    if "subject" in content or "sender_name" in content:
        return ["email"]
    if platforms & {"chrome", "firefox", "safari", "kaios"}:
        return ["webpush"]
    if platforms & {"android", "ios"}:
        return ["push"]
    if "title" in content:
        return ["push", "webpush"]
    return ["sms"]


@dataclass(frozen=True)
class SchemaIndex:
    """Every modelled field's path pattern (`*` for a row), for messages about kept-aside keys."""

    fields: dict[Path, tuple[str, JsonField]]
    containers: frozenset[Path]

    def field_at(self, path: Path) -> tuple[str, JsonField] | None:
        return self.fields.get(_pattern(path))

    def suggest(self, path: Path) -> str | None:
        pattern = _pattern(path)
        if not pattern or not isinstance(pattern[-1], str):
            return None
        siblings = {
            known[-1]
            for known in (*self.fields, *self.containers)
            if known[:-1] == pattern[:-1] and isinstance(known[-1], str) and known[-1] != "*"
        }
        close = difflib.get_close_matches(pattern[-1], sorted(siblings), n=1, cutoff=0.75)
        return format_path(path[:-1] + (close[0],)) if close else None


@cache
def schema_index(api: str, channel: str) -> SchemaIndex:
    found: dict[Path, tuple[str, JsonField]] = {}
    containers: set[Path] = set()

    def walk(form: type[PayloadForm], base: Path) -> None:
        for name, path in form.paths.items():
            json_field = form.base_fields[name]
            found[base + path] = (str(json_field.label or name), json_field)
            containers.update((base + path)[:cut] for cut in range(1, len(base + path)))
        for spec in form.rows.values():
            containers.add(base + spec.path)
            walk(spec.form, base + spec.path + ("*",))

    for section in sections(api, channel):
        walk(section.form, ())
    return SchemaIndex(found, frozenset(containers))


def _pattern(path: Path) -> Path:
    """Row positions and keys become `*`, as in the index. Keyed rows sit under known containers;
    a key there is a row key, anything else is a field name."""
    return tuple("*" if isinstance(segment, int) else segment for segment in path)


def _prefixes(claimed: set[Path]) -> set[Path]:
    return {path[:cut] for path in claimed for cut in range(len(path))}


def _unclaimed(node: Any, path: Path, claimed: set[Path], prefixes: set[Path]) -> dict:
    if path in claimed:
        return {}
    if path not in prefixes:
        return {path: node}
    found: dict[Path, Any] = {}
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        found |= _unclaimed(value, path + (key,), claimed, prefixes)
    return found


def _merge(target: dict, source: dict) -> None:
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _sort_key(path: Path) -> tuple:
    # Shallow paths first, and list positions in order, so appends land where they belong.
    return (len(path), [(isinstance(s, int), s if isinstance(s, int) else str(s)) for s in path])


def _query_dict(data: dict[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def json_kind(value: Any) -> str:
    kinds = {list: "a list", str: "a string", bool: "true or false", type(None): "null"}
    return kinds.get(type(value), "a number")
