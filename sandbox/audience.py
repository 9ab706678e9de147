"""Estimated reach from the sandbox audience, computed with SQL the way CleverTap would count it.

`estimate(body=..., endpoint=...)` answers what `"estimate_only": true` answers: a dict of counts
keyed by device or channel. How a body is read:

Who is targeted (the "target segment")
- `targets/create.json`: `where` (`{}` is everyone) and, when given, `segment` (a sandbox
  `Segment` id whose stored `where` must also hold). In a `where`:
  - `event_name` with optional `from` / `to` (YYYYMMDD, inclusive): did the event at least once;
  - `common_profile_properties.profile_fields` (or `profile_fields` directly): rows
    `{name, operator, value}`. Names Name, Email, Phone, Identity and Timezone (any case) are the
    profile's own fields; any other name is a custom property. Operators: equals, not_equals,
    greater_than, greater_than_equals, less_than, less_than_equals, contains, does_not_contain,
    exists, does_not_exist, between (`[low, high]`, inclusive). Numbers (and numeric strings)
    compare as numbers; contains is case-insensitive; equals with a list means any of them;
    not_equals and does_not_contain only match profiles that have the property;
  - `advanced_query.did_all` (also accepted at the top level of the body): rows
    `{event_name, from, to, operator, value}`: the number of times the user did the event in the
    range satisfies operator/value (so `equals 0` or `less_than 3` include users who never did it).
- `send/<channel>.json`: the profiles named in `to` (Email, Identity, objectId, FBID, GPID).

Then, per channel, who can be reached (one count per key: the channel's ESTIMATE_KEYS, as
`campaigns.channels.registry` lists them)
- push (and notificationinbox, delivered to the same apps): "android", "ios", "windows" (the
  sample audience has no Windows app users: always 0, but answered, as CleverTap's is). `devices`
  restricts the platforms. Without `send_to_all_devices` a user with both apps counts once, on the
  platform used last; with it, on each.
- webpush: "chrome", "firefox", "safari", "edge"; likewise the last browser used, or each browser
  with `send_to_all_devices`.
- email: "email": has an address and has not opted out, unless `send_email_to_opted_out_users`.
- sms: "sms": has a phone number and has not opted out of SMS.
- whatsapp: "whatsapp": has a phone number and has not opted out of WhatsApp, unless
  `respect_communication_preference` is false.
- webhook: "webhook": every user of the target segment (a webhook receives profile data; nothing
  needs to be reachable).

Then the holdouts and caps
- `control_group: {"type": "campaign", "percentage": N}` holds out N% of the users (a fixed slice
  of the audience, drawn at seeding); `system_control_group_include: true` holds out the system
  control group (5% of the audience). A "custom" control group has no sandbox data: ignored
  here (its name is checked against the account's, by the payload core).
- `upper_cap_for_target_segment`: a target segment larger than this fails (`UpperCapExceeded`),
  for estimates as well, since publishing the same body would fail.
- `users_limit_overall` and `users_limit_per_run` cap the total; the keys are scaled down in
  proportion. `respect_frequency_caps` and throttling have no sandbox data and change nothing.
"""

import dataclasses
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform

from campaigns.channels import registry
from campaigns.models import Channel
from sandbox.models import Event, Profile, Segment

ENDPOINT_CREATE = "targets/create.json"
# `to` keys of the send endpoints -> the profile field they name.
RECIPIENT_FIELDS = {
    "Email": "email",
    "Identity": "identity",
    "objectId": "object_id",
    "FBID": "fbid",
    "GPID": "gpid",
}
# Profile field names (lower case) that are the profile's own fields, not custom properties.
SYSTEM_FIELDS = {
    "name": "name",
    "email": "email",
    "phone": "phone",
    "identity": "identity",
    "timezone": "timezone",
}
SYSTEM_CONTROL_GROUP_PERCENT = 5

ERROR_UNKNOWN_ENDPOINT = "Unknown endpoint: use targets/create.json or send/<channel>.json."
ERROR_UNKNOWN_TARGET_MODE = "Unknown target_mode: use {} or {}.".format(
    ", ".join(registry.TARGET_MODES[:-1]), registry.TARGET_MODES[-1]
)
ERROR_UNKNOWN_SEGMENT = "Segment {segment} does not exist."
ERROR_WHERE_NOT_OBJECT = '"where" has to be an object.'
ERROR_PROFILE_FIELD = "Invalid profile field filter: {detail}"
ERROR_UNKNOWN_OPERATOR = (
    'Unknown operator "{operator}": use equals, not_equals, greater_than, greater_than_equals, '
    "less_than, less_than_equals, contains, does_not_contain, exists, does_not_exist or between."
)
ERROR_BETWEEN_VALUE = "between needs a value of exactly two items, low then high."
ERROR_NUMBER_VALUE = "{operator} needs a number."
ERROR_DATE = '"{key}" has to be a date as YYYYMMDD.'
ERROR_DID_ALL = "Invalid advanced_query.did_all row: {detail}"
ERROR_CONTROL_GROUP = "control_group percentage has to be a number from 0 to 100."
ERROR_LIMIT = '"{key}" has to be a positive integer.'
ERROR_UPPER_CAP_EXCEEDED = (
    "The target segment has {size} users, more than upper_cap_for_target_segment ({cap}): "
    "the campaign was not created."
)

OPERATORS = (
    "equals",
    "not_equals",
    "greater_than",
    "greater_than_equals",
    "less_than",
    "less_than_equals",
    "contains",
    "does_not_contain",
    "exists",
    "does_not_exist",
    "between",
)
_ORDERING_LOOKUPS = {
    "greater_than": "gt",
    "greater_than_equals": "gte",
    "less_than": "lt",
    "less_than_equals": "lte",
}
_NUMBER_RE = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")


class AudienceError(ValueError):
    """The body cannot be counted; `message` says why, for the API's error envelope."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class UpperCapExceeded(AudienceError):
    """The target segment is larger than `upper_cap_for_target_segment`."""


@dataclasses.dataclass(frozen=True)
class Reach:
    """The target segment's size and what the campaign would reach, per key."""

    target_size: int
    estimates: dict[str, int]


def estimate(*, body: dict[str, Any], endpoint: str) -> dict[str, int]:
    """The estimates CleverTap answers for `body` sent to `endpoint` (`targets/create.json` or
    `send/<channel>.json`, with or without a leading `/1/`). Raises `AudienceError`."""
    return reach(body=body, endpoint=endpoint).estimates


def reach(*, body: dict[str, Any], endpoint: str) -> Reach:
    """`estimate` with the target segment's size. One SQL query after the filters are built."""
    channel = channel_for(body=body, endpoint=endpoint)
    profiles = target_profiles(body=body, endpoint=endpoint)
    held_out = _control_q(body)
    counted = {
        key: Count("pk", filter=condition & ~held_out if held_out is not None else condition)
        for key, condition in _reachability(channel=channel, body=body).items()
    }
    totals = profiles.aggregate(_target_size=Count("pk"), **counted)
    target_size = totals.pop("_target_size")
    upper_cap = _positive_int(body, "upper_cap_for_target_segment")
    if upper_cap is not None and target_size > upper_cap:
        raise UpperCapExceeded(ERROR_UPPER_CAP_EXCEEDED.format(size=target_size, cap=upper_cap))
    limits = [
        limit
        for limit in (
            _positive_int(body, "users_limit_overall"),
            _positive_int(body, "users_limit_per_run"),
        )
        if limit is not None
    ]
    estimates = _scaled_to(totals, limit=min(limits)) if limits else totals
    return Reach(target_size=target_size, estimates=estimates)


def channel_for(*, body: dict[str, Any], endpoint: str) -> str:
    """The channel a request targets: the send endpoint's, or the create body's target_mode
    (push without one, as CleverTap reads it)."""
    path = endpoint_normalized(endpoint)
    if path == ENDPOINT_CREATE:
        target_mode = registry.targets_channel(body)
        if target_mode is None:
            raise AudienceError(ERROR_UNKNOWN_TARGET_MODE)
        return target_mode
    match = re.fullmatch(r"send/([a-z]+)\.json", path)
    if match and match.group(1) in registry.SEND_CHANNELS:
        return match.group(1)
    raise AudienceError(ERROR_UNKNOWN_ENDPOINT)


def endpoint_normalized(endpoint: str) -> str:
    """`/1/targets/create.json` -> `targets/create.json`."""
    path = endpoint.strip().strip("/")
    return path.removeprefix("1/")


def target_profiles(*, body: dict[str, Any], endpoint: str) -> QuerySet[Profile]:
    """The target segment: the profiles the body selects, before holdouts and reachability."""
    if endpoint_normalized(endpoint) != ENDPOINT_CREATE:
        channel_for(body=body, endpoint=endpoint)
        return recipients(to=body.get("to"))
    profiles = Profile.objects.all()
    where = body.get("where", {})
    if where is None:
        where = {}
    if not isinstance(where, dict):
        raise AudienceError(ERROR_WHERE_NOT_OBJECT)
    profiles = _where_applied(profiles, where, tag="w")
    if isinstance(body.get("advanced_query"), dict):
        profiles = _advanced_applied(profiles, body["advanced_query"])
    segment_id = body.get("segment")
    if segment_id not in (None, ""):
        segment = _segment(segment_id)
        profiles = _where_applied(profiles, segment.where or {}, tag="s")
        if isinstance((segment.where or {}).get("advanced_query"), dict):
            profiles = _advanced_applied(profiles, segment.where["advanced_query"])
    return profiles


def recipients(*, to: Any) -> QuerySet[Profile]:
    """The profiles named by a send request's `to` object (none when it names nobody)."""
    if not isinstance(to, dict):
        return Profile.objects.none()
    condition = Q()
    for key, field in RECIPIENT_FIELDS.items():
        values = to.get(key)
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list):
            continue
        cleaned = [str(value).strip() for value in values if str(value).strip()]
        if field == "email":
            cleaned = [value.lower() for value in cleaned]
        if cleaned:
            condition |= Q(**{f"{field}__in": cleaned})
    if not condition:
        return Profile.objects.none()
    return Profile.objects.filter(condition)


def _segment(segment_id: Any) -> Segment:
    try:
        return Segment.objects.get(pk=int(segment_id))
    except (TypeError, ValueError, Segment.DoesNotExist):
        raise AudienceError(ERROR_UNKNOWN_SEGMENT.format(segment=segment_id)) from None


# The where clause


def _where_applied(profiles: QuerySet[Profile], where: dict[str, Any], *, tag: str) -> QuerySet:
    event_name = where.get("event_name")
    if event_name:
        day_from = _day(where, "from")
        day_to = _day(where, "to")
        profiles = profiles.filter(
            pk__in=_event_rows(event_name, day_from, day_to).values("profile").distinct()
        )
    rows = where.get("profile_fields")
    common = where.get("common_profile_properties")
    if isinstance(common, dict) and common.get("profile_fields") is not None:
        rows = common["profile_fields"]
    if rows is not None:
        if not isinstance(rows, list):
            raise AudienceError(ERROR_PROFILE_FIELD.format(detail="profile_fields is not a list"))
        for index, row in enumerate(rows):
            profiles = _profile_field_applied(profiles, row, alias=f"_{tag}{index}")
    if isinstance(where.get("advanced_query"), dict):
        profiles = _advanced_applied(profiles, where["advanced_query"])
    return profiles


def _event_rows(name: str, day_from: int | None, day_to: int | None) -> QuerySet[Event]:
    rows = Event.objects.filter(name=name)
    if day_from is not None:
        rows = rows.filter(day__gte=day_from)
    if day_to is not None:
        rows = rows.filter(day__lte=day_to)
    return rows


def _day(source: dict[str, Any], key: str) -> int | None:
    value = source.get(key)
    if value in (None, ""):
        return None
    try:
        day = int(value)
    except (TypeError, ValueError):
        raise AudienceError(ERROR_DATE.format(key=key)) from None
    if not 10000101 <= day <= 99991231:
        raise AudienceError(ERROR_DATE.format(key=key))
    return day


def _profile_field_applied(profiles: QuerySet, row: Any, *, alias: str) -> QuerySet:
    if not isinstance(row, dict) or not isinstance(row.get("name"), str) or not row["name"]:
        raise AudienceError(ERROR_PROFILE_FIELD.format(detail="each row needs a name"))
    name = row["name"]
    operator = row.get("operator", "equals")
    if operator not in OPERATORS:
        raise AudienceError(ERROR_UNKNOWN_OPERATOR.format(operator=operator))
    value = row.get("value")
    system_field = SYSTEM_FIELDS.get(name.lower())
    if system_field:
        return profiles.filter(_system_field_q(system_field, operator, value))
    # Aliases, not `properties__<name>` keywords: a property may be called "gt" or hold "__".
    text_alias = f"{alias}t"
    profiles = profiles.alias(
        **{
            alias: KeyTransform(name, "properties"),
            text_alias: KeyTextTransform(name, "properties"),
        }
    )
    has_it = Q(properties__has_key=name)
    if operator == "exists":
        return profiles.filter(has_it)
    if operator == "does_not_exist":
        return profiles.exclude(has_it)
    if operator in ("equals", "not_equals"):
        equal = Q()
        for item in value if isinstance(value, list) else [value]:
            equal |= Q(**{alias: item})
            number = _number_or_none(item)
            if isinstance(item, str) and number is not None:
                equal |= Q(**{alias: number})
        if operator == "equals":
            return profiles.filter(equal)
        return profiles.filter(has_it).exclude(equal)
    if operator in ("contains", "does_not_contain"):
        contains = Q(**{f"{text_alias}__icontains": _text(value)})
        if operator == "contains":
            return profiles.filter(contains)
        return profiles.filter(has_it).exclude(contains)
    if operator == "between":
        low, high = _between(value)
        return profiles.filter(**{f"{alias}__gte": low, f"{alias}__lte": high})
    return profiles.filter(**{f"{alias}__{_ORDERING_LOOKUPS[operator]}": _comparable(value)})


def _system_field_q(field: str, operator: str, value: Any) -> Q:
    present = ~Q(**{field: ""})
    if operator == "exists":
        return present
    if operator == "does_not_exist":
        return ~present
    if operator in ("equals", "not_equals"):
        items = value if isinstance(value, list) else [value]
        equal = Q(**{f"{field}__iexact" if field == "email" else field: _text(items[0])})
        for item in items[1:]:
            equal |= Q(**{f"{field}__iexact" if field == "email" else field: _text(item)})
        return equal if operator == "equals" else present & ~equal
    if operator in ("contains", "does_not_contain"):
        contains = Q(**{f"{field}__icontains": _text(value)})
        return contains if operator == "contains" else present & ~contains
    if operator == "between":
        low, high = _between(value, numeric=False)
        return present & Q(**{f"{field}__gte": _text(low), f"{field}__lte": _text(high)})
    return present & Q(**{f"{field}__{_ORDERING_LOOKUPS[operator]}": _text(value)})


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        raise AudienceError(ERROR_PROFILE_FIELD.format(detail="a text value is needed"))
    return str(value)


def _number_or_none(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and _NUMBER_RE.match(value):
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    return None


def _comparable(value: Any) -> int | float | str:
    """Numbers (and numeric strings) compare as numbers; other text compares as text."""
    number = _number_or_none(value)
    if number is not None:
        return number
    if isinstance(value, str):
        return value
    raise AudienceError(ERROR_PROFILE_FIELD.format(detail="a number or a text value is needed"))


def _between(value: Any, *, numeric: bool = True) -> tuple[Any, Any]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise AudienceError(ERROR_BETWEEN_VALUE)
    if not numeric:
        return value[0], value[1]
    return _comparable(value[0]), _comparable(value[1])


# advanced_query.did_all


def _advanced_applied(profiles: QuerySet, advanced: dict[str, Any]) -> QuerySet:
    rows = advanced.get("did_all") or []
    if not isinstance(rows, list):
        raise AudienceError(ERROR_DID_ALL.format(detail="did_all is not a list"))
    for row in rows:
        profiles = _did_applied(profiles, row)
    return profiles


def _did_applied(profiles: QuerySet, row: Any) -> QuerySet:
    if not isinstance(row, dict) or not row.get("event_name"):
        raise AudienceError(ERROR_DID_ALL.format(detail="each row needs an event_name"))
    operator = row.get("operator", "greater_than_equals")
    value = row.get("value", 1)
    if operator not in OPERATORS or operator in (
        "contains",
        "does_not_contain",
        "exists",
        "does_not_exist",
    ):
        raise AudienceError(ERROR_UNKNOWN_OPERATOR.format(operator=operator))
    if operator == "between":
        low, high = _between(value)
        numbers = [low, high]
    else:
        numbers = [_comparable(value)]
    if not all(isinstance(number, int | float) for number in numbers):
        raise AudienceError(ERROR_NUMBER_VALUE.format(operator=operator))
    count_q = _count_q(operator, numbers)
    counts = (
        _event_rows(row["event_name"], _day(row, "from"), _day(row, "to"))
        .values("profile")
        .annotate(times=Count("pk"))
    )
    if _count_holds(operator, numbers, times=0):
        # Users who never did the event qualify: remove those whose count fails.
        return profiles.exclude(pk__in=counts.exclude(count_q).values("profile"))
    return profiles.filter(pk__in=counts.filter(count_q).values("profile"))


def _count_q(operator: str, numbers: list[int | float]) -> Q:
    if operator == "equals":
        return Q(times=numbers[0])
    if operator == "not_equals":
        return ~Q(times=numbers[0])
    if operator == "between":
        return Q(times__gte=numbers[0], times__lte=numbers[1])
    return Q(**{f"times__{_ORDERING_LOOKUPS[operator]}": numbers[0]})


def _count_holds(operator: str, numbers: list[int | float], *, times: int) -> bool:
    first = numbers[0]
    return {
        "equals": times == first,
        "not_equals": times != first,
        "greater_than": times > first,
        "greater_than_equals": times >= first,
        "less_than": times < first,
        "less_than_equals": times <= first,
        "between": first <= times <= numbers[-1],
    }[operator]


# Reachability, holdouts and caps


# Estimate keys that are devices (the profile's has_<key>), and the profile column that says which
# device of its kind the user used last: without send_to_all_devices a user counts once, there.
_APP_DEVICES = registry.CHANNELS[Channel.PUSH].estimate_keys
# Devices CleverTap estimates that the sample audience has no users on: always 0.
_NO_SAMPLE_USERS = ("windows",)
_LAST_USED = {
    **dict.fromkeys((k for k in _APP_DEVICES if k not in _NO_SAMPLE_USERS), "last_push_device"),
    **dict.fromkeys(registry.CHANNELS[Channel.WEBPUSH].estimate_keys, "last_web_browser"),
}


def _reachability(*, channel: str, body: dict[str, Any]) -> dict[str, Q]:
    """Who each of the channel's estimate keys (as the channel registry lists them) counts."""
    keys = registry.CHANNELS[channel].estimate_keys
    devices = body.get("devices")
    if isinstance(devices, list):
        # `devices` picks among the app platforms; it does not name browsers or channels.
        keys = tuple(key for key in keys if key not in _APP_DEVICES or key in devices)
    with_users = [key for key in keys if key not in _NO_SAMPLE_USERS]
    once = body.get("send_to_all_devices") is not True and len(with_users) > 1
    return {key: reached_by(key, body=body, once=once) for key in keys}


def reached_by(key: str, *, body: dict[str, Any], once: bool = False) -> Q:
    """Who one estimate key counts: a device's users (`once`: only where it was used last), or a
    channel's reachable users as the body asks (opt-outs respected or not)."""
    if key in _NO_SAMPLE_USERS:
        return Q(pk__in=[])
    if key in _LAST_USED:
        return Q(**{f"has_{key}": True} | ({_LAST_USED[key]: key} if once else {}))
    return _REACHABLE[key](body)


def _email_reachable(body: dict[str, Any]) -> Q:
    reachable = ~Q(email="")
    if body.get("send_email_to_opted_out_users") is not True:
        reachable &= Q(email_opt_out=False)
    return reachable


def _sms_reachable(body: dict[str, Any]) -> Q:
    return ~Q(phone="") & Q(sms_opt_out=False)


def _whatsapp_reachable(body: dict[str, Any]) -> Q:
    reachable = ~Q(phone="")
    if body.get("respect_communication_preference") is not False:
        reachable &= Q(whatsapp_opt_out=False)
    return reachable


def _webhook_reachable(body: dict[str, Any]) -> Q:
    # A webhook receives profile data: nothing needs to be reachable.
    return Q()


# The estimate keys that are channels rather than devices: who each reaches.
_REACHABLE: dict[str, Callable[[dict[str, Any]], Q]] = {
    "email": _email_reachable,
    "sms": _sms_reachable,
    "whatsapp": _whatsapp_reachable,
    "webhook": _webhook_reachable,
}


def _control_q(body: dict[str, Any]) -> Q | None:
    held_out = None
    control = body.get("control_group")
    if isinstance(control, dict) and control.get("type") == "campaign":
        percentage = _number_or_none(control.get("percentage"))
        if percentage is None or not 0 <= percentage <= 100:
            raise AudienceError(ERROR_CONTROL_GROUP)
        held_out = Q(control_bucket__lt=percentage)
    if body.get("system_control_group_include") is True:
        system = Q(control_bucket__gte=100 - SYSTEM_CONTROL_GROUP_PERCENT)
        held_out = system if held_out is None else held_out | system
    return held_out


def _positive_int(body: dict[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        number = _number_or_none(value)
        if isinstance(number, int) and number >= 1:
            return number
        raise AudienceError(ERROR_LIMIT.format(key=key))
    return value


def _scaled_to(counts: dict[str, int], *, limit: int) -> dict[str, int]:
    """Scale the counts down in proportion so that they sum to at most `limit` (largest
    remainders get the leftover units, ties by key order)."""
    total = sum(counts.values())
    if total <= limit:
        return dict(counts)
    shares = {key: count * limit / total for key, count in counts.items()}
    scaled = {key: int(share) for key, share in shares.items()}
    leftover = limit - sum(scaled.values())
    by_remainder = sorted(counts, key=lambda key: (-(shares[key] - scaled[key]), key))
    for key in by_remainder[:leftover]:
        scaled[key] += 1
    return {key: scaled[key] for key in counts}
