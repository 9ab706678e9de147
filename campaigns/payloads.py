"""Request bodies <-> form data, and the errors of a body: pure functions, no database, no HTTP.

One code path for preview, export, estimate and publish: a body is parsed into form data
(`parse_body`), forms are bound to it (`bind_forms`), and the body is built back from the bound
forms (`build_body`). Keys the forms do not model are kept aside as "extras" (JSON path -> value)
and laid back over the built body unchanged, so the round trip is lossless.
"""

import dataclasses
import difflib
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.http import QueryDict

from campaigns import identities, personalization_checks
from campaigns.channels import registry
from campaigns.forms import audience, delivery, goal
from campaigns.forms import campaign as campaign_forms
from campaigns.forms import schedule as schedule_forms
from campaigns.forms.additional import AdditionalFieldsForm
from campaigns.forms.base import PayloadError, PayloadForm
from campaigns.forms.campaign import SendCampaignForm, TargetsCampaignForm
from campaigns.forms.fields import JsonField
from campaigns.forms.options import NO_OPTIONS, AccountOptions
from campaigns.jsonpath import Path, format_path, get_path, has_path, same_json, set_path
from campaigns.models import Api

TARGETS_ENDPOINT = "targets/create.json"
ESTIMATE_ONLY_DROPPED = (
    "The body had estimate_only: {value}. Estimating is an action here, not part of the draft: "
    "Estimate sends true, Publish sends the body without it."
)
EXTRAS_NOTICE = "Kept as it was, in Additional fields: {path} (not a field this form models)."
EXTRAS_HINT = "Kept as it was, in Additional fields: {path}. Did you mean {suggestion}?"
EXTRAS_OVER_FIELD = (
    "{label} is set in Additional fields ({path}), which overrides the form's {label} field: "
    "type the value in the {label} field and remove {path} from Additional fields."
)
MISSPELT_NOTICE = (
    "{path} is read as {right_path}: CleverTap's examples misspell “{right}” as “{key}”, and the "
    "draft writes it spelt right."
)
FALLBACK_NOTICE = (
    "Part of the body could not be shown in the form without changing it, so it is kept exactly "
    "as it was in Additional fields: {path}."
)
# Said with the warnings (`form_warnings`) wherever they are listed.
WARNINGS_NOTE = "they stop no save, approval or publish"
NOT_AN_OBJECT = "The request body must be a JSON object ({{...}}), not {kind}."
UNKNOWN_CHANNEL = "target_mode {channel} is not a channel; use one of: {choices}."
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
    # The body as a draft keeps it: estimate_only dropped, misspelt keys spelt right.
    body: dict = field(default_factory=dict)
    # What reading changed in the body (those two), in words: the body kept no longer says it,
    # so only its import can.
    corrections: list[str] = field(default_factory=list)


def endpoint(api: str, channel: str) -> str:
    return TARGETS_ENDPOINT if api == Api.TARGETS else f"send/{channel}.json"


def parse_endpoint(text: str) -> tuple[str, str | None]:
    """`targets/create.json` -> ("targets", None); `send/sms.json` -> ("send", "sms")."""
    text = text.strip().strip("/").removeprefix("1/")
    if text == TARGETS_ENDPOINT:
        return Api.TARGETS, None
    channel = text.removeprefix("send/").removesuffix(".json")
    if text.startswith("send/") and text.endswith(".json") and channel in registry.SEND_CHANNELS:
        return Api.SEND, channel
    choices = ", ".join(registry.SEND_CHANNELS)
    raise ValueError(UNKNOWN_ENDPOINT.format(endpoint=text, choices=choices))


def sections(api: str, channel: str) -> list[Section]:
    """The composer's parts for a draft of this API family and channel, in the composer's order.

    Send bodies have no schedule, goal or delivery part: the reference's send bodies carry no
    delivery key beyond the campaign form's respect_frequency_caps.
    """
    content = registry.content_form(api, channel)
    if api == Api.TARGETS:
        parts = [
            Section("campaign", "Campaign", TargetsCampaignForm),
            Section("audience", "Audience", audience.AudienceForm),
        ]
    else:
        parts = [
            Section("campaign", "Campaign", SendCampaignForm),
            Section("audience", "Recipients", audience.RecipientsForm),
        ]
    if content is not None:
        parts.append(Section("content", "Content", content))
    if api == Api.TARGETS:
        parts += [
            Section("schedule", "Schedule", schedule_forms.ScheduleForm),
            Section("goal", "Conversion goal", goal.GoalForm),
            Section("delivery", "Delivery controls", delivery.DeliveryForm),
        ]
    return parts


MUST_BE_OBJECT = "{path} must be an object ({{...}})."
MUST_BE_LIST = "{path} must be a list ([...])."

# The containers of the audience, schedule, goal and delivery parts, and what each holds: a form
# cannot show a container of the wrong kind (nor a row it cannot read), so that part waits in the
# extras and these shapes say what is wrong with it. Row elements: "object", "window" (a pair of
# times) or "date-time" (a "YYYYMMDD HH:MM" string).
_TARGETS_SHAPES: dict[Path, tuple[type, str | None]] = {
    ("where",): (dict, None),
    ("where", "common_profile_properties"): (dict, None),
    ("where", "common_profile_properties", "profile_fields"): (list, "object"),
    ("advanced_query",): (dict, None),
    ("advanced_query", "did_all"): (list, "object"),
    ("when", "delivery_date_time"): (list, "date-time"),
    ("when", "dnd"): (dict, None),
    ("when", "dnd", "dnd_info"): (dict, "window"),
    ("conversion_goal",): (dict, None),
    ("conversion_goal", "filter_type"): (dict, None),
    ("conversion_goal", "filter_type", "event_property"): (list, "object"),
    ("conversion_goal", "filter_type", "time_of_day"): (list, "window"),
    ("control_group",): (dict, None),
    ("ttl",): (dict, None),
}
_GOAL_REQUIRED = [
    ("event_name", goal.GOAL_EVENT_REQUIRED),
    ("conversion_time", goal.GOAL_CONVERSION_TIME_REQUIRED),
    ("revenue_property", goal.GOAL_REVENUE_PROPERTY_REQUIRED),
]


def cross_part_errors(body: dict, *, api: str, channel: str) -> list[PayloadError]:
    """The rules that need the whole built body rather than one form.

    Rules across parts (where or segment, the overall limit or the upper cap), and rules about
    keys a form may not hold because they wait in the extras (a required key present with a
    wrong type, an unknown identity type, a part of the wrong shape).
    """
    errors: list[PayloadError] = []
    if api == Api.TARGETS:
        if body.get("target_mode") == "":
            # Left out, target_mode means push; written empty, it names no channel.
            errors.append(PayloadError(("target_mode",), campaign_forms.TARGET_MODE_EMPTY))
        has_where, has_segment = "where" in body, "segment" in body
        if has_where and has_segment:
            errors.append(PayloadError(("segment",), audience.SEGMENT_OR_WHERE))
        if not has_where and not has_segment:
            errors.append(PayloadError(("where",), audience.WHERE_REQUIRED))
        if "users_limit_overall" in body and "upper_cap_for_target_segment" in body:
            errors.append(PayloadError(("upper_cap_for_target_segment",), delivery.LIMIT_OR_CAP))
        errors += schedule_forms.body_errors(body)
        errors += _shape_errors(body, _TARGETS_SHAPES)
        conversion_goal = body.get("conversion_goal")
        if isinstance(conversion_goal, dict):
            errors += [
                PayloadError(("conversion_goal", key), message)
                for key, message in _GOAL_REQUIRED
                if key not in conversion_goal
            ]
    else:
        to = body.get("to")
        if not isinstance(to, dict):
            if to is not None:
                errors.append(PayloadError(("to",), MUST_BE_OBJECT.format(path="to")))
            to = {}
        known = {kind: values for kind, values in to.items() if kind in identities.IDENTITY_TYPES}
        if identities.count(known) == 0:
            errors.append(PayloadError(("to",), audience.TO_REQUIRED, code=audience.TO_CODE))
        errors += [
            PayloadError(("to", kind), audience.UNKNOWN_IDENTITY_TYPE.format(type=kind))
            for kind in to
            if kind not in identities.IDENTITY_TYPES
        ]
    return errors


def _shape_errors(body: dict, shapes: dict[Path, tuple[type, str | None]]) -> list[PayloadError]:
    errors = []
    for path, (kind, element) in shapes.items():
        if not has_path(body, path):
            continue
        node = get_path(body, path)
        if not isinstance(node, kind):
            template = MUST_BE_OBJECT if kind is dict else MUST_BE_LIST
            errors.append(PayloadError(path, template.format(path=format_path(path))))
            continue
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, item in items:
            if element == "object" and not isinstance(item, dict):
                where = format_path(path + (key,))
                errors.append(PayloadError(path + (key,), MUST_BE_OBJECT.format(path=where)))
            elif element == "window" and not schedule_forms.readable_window(item):
                errors.append(PayloadError(path + (key,), schedule_forms.WINDOW_NOT_PAIR))
            elif element == "date-time" and not schedule_forms.readable_date_time(item):
                errors.append(PayloadError(path + (key,), schedule_forms.DATE_TIME_NOT_WRITTEN))
    return errors


def parse_body(body: dict, *, api: str, channel: str) -> ParsedBody:
    """Form data for `body`, with everything the forms cannot show kept aside as extras."""
    body = dict(body)
    corrections = []
    if "estimate_only" in body:
        value = json.dumps(body.pop("estimate_only"))
        corrections.append(ESTIMATE_ONLY_DROPPED.format(value=value))
    for section in sections(api, channel):
        for path, right in section.form.misspelt.items():
            right_path = path[:-1] + (right,)
            if has_path(body, path) and not has_path(body, right_path):
                body = _respelt(body, path, right)
                corrections.append(
                    MISSPELT_NOTICE.format(
                        path=format_path(path),
                        right_path=format_path(right_path),
                        right=right,
                        key=path[-1],
                    )
                )
    data: dict[str, Any] = {}
    claimed: set[Path] = set()
    for section in sections(api, channel):
        parsed = section.form.parse_json(body, prefix=section.prefix)
        data |= parsed.data
        claimed |= parsed.claimed
    # Descend into every object a form models, so that each value it cannot show is kept (and
    # reported) on its own, at its own path.
    descend = _prefixes(claimed) | {()}
    extras = _unclaimed(body, (), claimed, descend, schema_index(api, channel))

    # Safety net: wherever the forms would not give back exactly what was there, keep that
    # top-level key whole in the extras, which are laid over the built body.
    notices = list(corrections)
    rebuilt = build_body(bind_forms(_query_dict(data), api=api, channel=channel), extras)
    for key in body.keys() | rebuilt.keys():
        if key in body and not same_json(rebuilt.get(key), body[key]):
            extras = {path: value for path, value in extras.items() if path[:1] != (key,)}
            extras[(key,)] = body[key]
            notices.append(FALLBACK_NOTICE.format(path=format_path((key,))))

    notices += extras_notices(extras, api=api, channel=channel)
    data[AdditionalFieldsForm.FIELD] = AdditionalFieldsForm.dump(extras)
    return ParsedBody(_query_dict(data), extras, notices, body, corrections)


def _respelt(body: dict, path: Path, right: str) -> dict:
    """A copy of `body` with the key at `path` renamed `right`, in its place among its siblings;
    the objects around it are copied, never changed."""
    head, *rest = path
    if not rest:
        return {right if key == head else key: value for key, value in body.items()}
    return {**body, head: _respelt(body[head], tuple(rest), right)}


def extras_notices(extras: dict[Path, Any], *, api: str, channel: str) -> list[str]:
    """What to say of the kept-aside keys no form models (with a did-you-mean hint)."""
    index = schema_index(api, channel)
    notices = []
    for path in extras:
        if index.field_at(path) is None:
            suggestion = index.suggest(path)
            template = EXTRAS_HINT if suggestion else EXTRAS_NOTICE
            notices.append(template.format(path=format_path(path), suggestion=suggestion))
    return notices


def draft_options(options: AccountOptions, *, api: str, channel: str) -> AccountOptions:
    """The account's options for a draft of this API family and channel: whether CleverTap
    renders Liquid depends on the draft, not only on the account."""
    reason = personalization_checks.literal_reason(
        api=api, channel=channel, liquid_api_beta=options.liquid_api_beta
    )
    rendered = {"liquid_rendered": not reason, "liquid_literal_reason": reason}
    return dataclasses.replace(options, **rendered)


class BoundForms(Mapping[str, PayloadForm]):
    """The sections' forms for posted data, each bound when first asked for: a live preview
    binds only the sections it did not find kept (`section_cache`). `data` must not change
    afterwards (`bind_forms` binds at once, for data that will)."""

    def __init__(
        self,
        data: QueryDict,
        *,
        api: str,
        channel: str,
        options: AccountOptions | None = NO_OPTIONS,
    ) -> None:
        if options is not None:
            options = draft_options(options, api=api, channel=channel)
        self.data, self.options = data, options
        self.classes = {section.prefix: section.form for section in sections(api, channel)}
        self._bound: dict[str, PayloadForm] = {}
        self._prepare: list[Callable[[str, PayloadForm], None]] = []

    def __getitem__(self, prefix: str) -> PayloadForm:
        form = self._bound.get(prefix)
        if form is None:
            form = self.classes[prefix](self.data, prefix=prefix, options=self.options)
            self._bound[prefix] = form
            for prepare in self._prepare:
                prepare(prefix, form)
        return form

    def prepare(self, prepare: Callable[[str, PayloadForm], None]) -> None:
        """Apply `prepare(prefix, form)` to each form once bound (now, for those bound already):
        the page's wiring of its inputs binds no form a page load draws from the cache."""
        self._prepare.append(prepare)
        for prefix, form in self._bound.items():
            prepare(prefix, form)

    def __contains__(self, prefix: object) -> bool:
        return prefix in self.classes

    def __iter__(self) -> Iterator[str]:
        return iter(self.classes)

    def __len__(self) -> int:
        return len(self.classes)


def bind_forms(
    data: QueryDict, *, api: str, channel: str, options: AccountOptions | None = NO_OPTIONS
) -> dict[str, PayloadForm]:
    return dict(BoundForms(data, api=api, channel=channel, options=options))


@dataclass(frozen=True)
class Built:
    """What one bound section stands for, as `built` took it from the form: its JSON and its
    problems at their paths. It answers as the form does (`to_json`, `path_errors`,
    `path_warnings`), so the body and its errors are made from either by the same code; the
    composer keeps it by what was posted (`section_cache`)."""

    json: Any
    errors: tuple[PayloadError, ...]
    warnings: tuple[PayloadError, ...]

    def to_json(self) -> Any:
        return self.json

    def path_errors(self) -> list[PayloadError]:
        return list(self.errors)

    def path_warnings(self) -> list[PayloadError]:
        return list(self.warnings)


def built(form: PayloadForm) -> Built:
    """A bound section's JSON, errors and warnings, each made once."""
    return Built(form.to_json(), tuple(form.path_errors()), tuple(form.path_warnings()))


def build_body(forms: dict[str, PayloadForm | Built], extras: dict[Path, Any]) -> dict:
    """The request body the forms stand for, valid or not, with the extras laid over it."""
    body: dict = {}
    for form in forms.values():
        _merge(body, form.to_json())
    for path, value in sorted(extras.items(), key=lambda item: _sort_key(item[0])):
        if path:
            set_path(body, path, value)
    return body


def form_errors(
    forms: dict[str, PayloadForm | Built],
    extras: dict[Path, Any],
    *,
    body: dict,
    api: str,
    channel: str,
) -> list[PayloadError]:
    """Every problem, at its JSON path (and form field, where it has one); `body` is what
    `build_body(forms, extras)` returned."""
    index = schema_index(api, channel)
    errors = []
    kept_aside = set()
    for path, value in extras.items():
        found = index.field_at(path)
        if value == "":
            # An empty text is a field left empty: the field's own rules (e.g. required) speak.
            continue
        kept_aside.add(path)
        if found is None:
            continue
        label, json_field = found
        if json_field.shows(value):
            # Only Additional fields put a value the field could show here: say so, not "wrong".
            message = EXTRAS_OVER_FIELD.format(label=label, path=format_path(path))
            errors.append(PayloadError(path, message, field=AdditionalFieldsForm.FIELD))
        else:
            message = json_field.wrong_type_message(label, value)
            errors.append(PayloadError(path, message, code=json_field.api_code))
    for form in forms.values():
        errors += [error for error in form.path_errors() if error.path not in kept_aside]
    found = {(error.path, error.message) for error in errors}
    errors += [
        error
        for error in cross_part_errors(body, api=api, channel=channel)
        if (error.path, error.message) not in found
    ]
    return errors


def form_warnings(forms: dict[str, PayloadForm | Built]) -> list[PayloadError]:
    """The problems that block nothing (identities that do not look like their type...), at
    their JSON paths: shown, never refusing a save, an approval or a publish."""
    return [warning for form in forms.values() for warning in form.path_warnings()]


def body_errors(
    body: Any, *, api: str, channel: str, options: AccountOptions
) -> list[PayloadError]:
    """The errors of a request body: the one validator. `options` is required because some rules
    depend on the account (its providers, templates, channels): the app calls it through
    `selectors.body_errors`, which loads them."""
    return body_problems(body, api=api, channel=channel, options=options)[0]


def body_problems(
    body: Any, *, api: str, channel: str, options: AccountOptions
) -> tuple[list[PayloadError], list[PayloadError]]:
    """The errors of a request body (`body_errors`) and its warnings (`form_warnings`)."""
    if not isinstance(body, dict):
        return [PayloadError((), NOT_AN_OBJECT.format(kind=json_kind(body)))], []
    parsed = parse_body(body, api=api, channel=channel)
    forms = bind_forms(parsed.data, api=api, channel=channel, options=options)
    built = build_body(forms, parsed.extras)
    errors = form_errors(forms, parsed.extras, body=built, api=api, channel=channel)
    return errors, form_warnings(forms)


def body_hash(body: Any) -> str:
    """A digest of a body's JSON, independent of key order: what an approval is bound to."""
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def infer_target(body: dict, endpoint_text: str | None = None) -> tuple[str, str]:
    """The API family and channel of a body: from the endpoint when given, else from the body."""
    choices = ", ".join(registry.CHANNELS)
    if endpoint_text:
        api, channel = parse_endpoint(endpoint_text)
        if api == Api.TARGETS:
            channel = registry.targets_channel(body) or registry.DEFAULT_TARGET_MODE
        return api, channel
    if "to" not in body:
        target_mode = registry.targets_channel(body)
        if target_mode is None:
            shown = json.dumps(body.get("target_mode"), ensure_ascii=False)[:60]
            raise ValueError(UNKNOWN_CHANNEL.format(channel=shown, choices=choices))
        return Api.TARGETS, target_mode
    candidates = registry.send_channels_of(body)
    if len(candidates) != 1:
        raise ValueError(SEND_CHANNEL_AMBIGUOUS.format(channels=", ".join(candidates)))
    return Api.SEND, candidates[0]


@dataclass(frozen=True)
class SchemaIndex:
    """Every modelled field's path pattern (`*` for a row), for messages about kept-aside keys."""

    fields: dict[Path, tuple[str, JsonField]]
    containers: frozenset[Path]
    # Patterns of objects keyed by a row field (SMS message_info, DND windows by weekday).
    keyed: frozenset[Path]

    def pattern(self, path: Path) -> Path:
        """Row positions, and the keys of keyed rows, become `*`."""
        pattern: list[str | int] = []
        for segment in path:
            keyed = tuple(pattern) in self.keyed
            pattern.append("*" if isinstance(segment, int) or keyed else segment)
        return tuple(pattern)

    def field_at(self, path: Path) -> tuple[str, JsonField] | None:
        return self.fields.get(self.pattern(path))

    def suggest(self, path: Path) -> str | None:
        pattern = self.pattern(path)
        if not pattern or not isinstance(pattern[-1], str) or pattern[-1] == "*":
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
    keyed: set[Path] = set()

    def walk(form: type[PayloadForm], base: Path) -> None:
        for name, path in form.paths.items():
            json_field = form.base_fields[name]
            found[base + path] = (str(json_field.label or name), json_field)
            containers.update((base + path)[:cut] for cut in range(1, len(base + path)))
        for spec in form.rows.values():
            containers.add(base + spec.path)
            if spec.keyed_by:
                keyed.add(base + spec.path)
            walk(spec.form, base + spec.path + ("*",))

    for section in sections(api, channel):
        walk(section.form, ())
    return SchemaIndex(found, frozenset(containers), frozenset(keyed))


def _prefixes(claimed: set[Path]) -> set[Path]:
    return {path[:cut] for path in claimed for cut in range(len(path))}


def _unclaimed(
    node: Any, path: Path, claimed: set[Path], descend: set[Path], index: SchemaIndex
) -> dict:
    if path in claimed:
        return {}
    modelled = index.pattern(path) in index.containers and isinstance(node, dict) and node
    if not (path in descend or modelled) or not isinstance(node, dict | list):
        return {path: node}
    found: dict[Path, Any] = {}
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        found |= _unclaimed(value, path + (key,), claimed, descend, index)
    return found


def _merge(target: dict, source: dict) -> None:
    # Copied in: the extras are then set into the body, and a section's JSON is shared (built
    # once per binding, kept by section_cache).
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = _json_copy(value)


def _json_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    return value


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
