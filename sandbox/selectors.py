"""Reads of the sandbox's data, for its page, for the composer's suggestions and for the
profile read of its API."""

import datetime
import functools
import hashlib
import operator
import random
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from campaigns.channels import registry
from campaigns.models import Channel
from sandbox import audience
from sandbox.models import (
    Event,
    Profile,
    ReceivedRequest,
    SandboxAccount,
    SandboxCampaign,
    Segment,
)

# How the profile's own fields are named in profile_fields filters.
SYSTEM_PROPERTY_NAMES = ("Email", "Identity", "Name", "Phone", "Timezone")


def liquid_api_beta() -> bool:
    """Whether the sandbox's account has CleverTap's Liquid beta for API campaigns."""
    return SandboxAccount.objects.filter(
        pk=SandboxAccount.SINGLETON_ID, liquid_api_beta=True
    ).exists()


def event_names() -> list[str]:
    """Every event name in the audience, sorted.

    A loose index scan: one index seek per distinct name instead of reading a million rows
    (the same SQL runs on SQLite and PostgreSQL)."""
    table = connection.ops.quote_name(Event._meta.db_table)
    name = connection.ops.quote_name(Event._meta.get_field("name").column)
    sql = (
        f"WITH RECURSIVE names(name) AS ("
        f" SELECT MIN({name}) FROM {table}"
        f" UNION ALL"
        f" SELECT (SELECT MIN({name}) FROM {table} WHERE {name} > names.name)"
        f" FROM names WHERE names.name IS NOT NULL"
        f") SELECT name FROM names WHERE name IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def event_name_counts() -> list[tuple[str, int]]:
    """Event names with how many times each occurred, most frequent first."""
    rows = Event.objects.values("name").annotate(times=Count("pk")).order_by("-times", "name")
    return [(row["name"], row["times"]) for row in rows]


def profile_property_names(*, include_system: bool = True) -> list[str]:
    """The custom profile property names found in the audience, sorted; with `include_system`,
    also the profile's own fields that filters accept (Email, Identity, Name, Phone, Timezone)."""
    names = set(_property_keys())
    if include_system:
        names.update(SYSTEM_PROPERTY_NAMES)
    return sorted(names, key=str.lower)


def _property_keys() -> list[str]:
    table = connection.ops.quote_name(Profile._meta.db_table)
    column = connection.ops.quote_name(Profile._meta.get_field("properties").column)
    if connection.vendor == "sqlite":
        sql = f"SELECT DISTINCT j.key FROM {table}, json_each({table}.{column}) AS j"
    elif connection.vendor == "postgresql":
        sql = f"SELECT DISTINCT jsonb_object_keys({column}) FROM {table}"
    else:
        keys: set[str] = set()
        for properties in Profile.objects.values_list("properties", flat=True).iterator():
            keys.update(properties or {})
        return list(keys)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


# The profile's own fields by the name Liquid reads them under (`Profile.Name`).
SYSTEM_PROPERTY_FIELDS = {
    "Email": "email",
    "Identity": "identity",
    "Name": "name",
    "Phone": "phone",
    "Timezone": "timezone",
}


def property_missing_shares() -> dict[str, float]:
    """The share (0 to 1) of the audience lacking each profile property (custom properties and
    the profile's own fields), in one read: how many would see a Liquid default instead."""
    names = profile_property_names(include_system=False)
    lacking = {
        f"own_{index}": Count("pk", filter=Q(**{field: ""}))
        for index, field in enumerate(SYSTEM_PROPERTY_FIELDS.values())
    }
    lacking |= {
        f"custom_{index}": Count("pk", filter=~Q(properties__has_key=name))
        for index, name in enumerate(names)
    }
    counts = Profile.objects.aggregate(total=Count("pk"), **lacking)
    total = counts["total"]
    if not total:
        return {}
    shares = {
        name: counts[f"own_{index}"] / total for index, name in enumerate(SYSTEM_PROPERTY_FIELDS)
    }
    shares |= {name: counts[f"custom_{index}"] / total for index, name in enumerate(names)}
    return shares


def profile_timezones() -> dict[str, int]:
    """How many profiles live in each timezone (by its IANA name), most first; blanks left out."""
    rows = (
        Profile.objects.exclude(timezone="")
        .values("timezone")
        .annotate(profiles=Count("pk"))
        .order_by("-profiles", "timezone")
    )
    return {row["timezone"]: row["profiles"] for row in rows}


def audience_summary() -> dict[str, Any]:
    """Sizes of the audience and who each channel can reach (everyone targeted)."""
    browsers = registry.CHANNELS[Channel.WEBPUSH].estimate_keys
    reachable = {
        "android": audience.reached_by("android", body={}),
        "ios": audience.reached_by("ios", body={}),
        "web push": functools.reduce(
            operator.or_, (audience.reached_by(browser, body={}) for browser in browsers)
        ),
        "email": audience.reached_by("email", body={}),
        "sms": audience.reached_by("sms", body={}),
        "whatsapp": audience.reached_by("whatsapp", body={}),
    }
    counts = Profile.objects.aggregate(
        profiles=Count("pk"),
        **{f"reach_{index}": Count("pk", filter=q) for index, q in enumerate(reachable.values())},
    )
    return {
        "profiles": counts["profiles"],
        "events": Event.objects.count(),
        "reachable": [(label, counts[f"reach_{index}"]) for index, label in enumerate(reachable)],
    }


def segments() -> list[Segment]:
    return list(Segment.objects.order_by("id"))


def segment_sizes() -> list[tuple[Segment, int | None]]:
    """Each segment with how many profiles it holds, as an estimate counts its target (None for
    a segment whose stored where the audience cannot read)."""
    sized = []
    for segment in segments():
        body = {"segment": segment.id}
        try:
            size = audience.target_profiles(body=body, endpoint=audience.ENDPOINT_CREATE).count()
        except audience.AudienceError:
            size = None
        sized.append((segment, size))
    return sized


def received_requests_latest(*, limit: int = 20) -> list[ReceivedRequest]:
    return list(ReceivedRequest.objects.order_by("-id")[:limit])


def campaigns_latest(*, limit: int = 20) -> list[SandboxCampaign]:
    return list(SandboxCampaign.objects.order_by("-id")[:limit])


# The profile read (`GET /1/profile.json`), answered as CleverTap's documented sample
# (CLEVERTAP-READS.md §1): identifiers at the top, properties in `profileData`, per-event
# `count`, `first_seen` and `last_seen` in epoch seconds, devices in `platformInfo`.

# Lookup key of the API -> the profile field it names.
PROFILE_LOOKUPS = {"identity": "identity", "email": "email", "objectId": "object_id"}


def profile_record(*, key: str, value: str) -> dict[str, Any] | None:
    """The `record` CleverTap answers for the profile `key` (a PROFILE_LOOKUPS key) names, or
    None when no profile has it."""
    field = PROFILE_LOOKUPS[key]
    wanted = value.strip().lower() if field == "email" else value
    profile = Profile.objects.filter(**{field: wanted}).order_by("id").first()
    if profile is None:
        return None
    record: dict[str, Any] = {}
    if profile.identity:
        record["identity"] = profile.identity
    if profile.email:
        record["email"] = profile.email
    record["profileData"] = _profile_data(profile)
    record["events"] = _profile_events(profile)
    record["platformInfo"] = _platform_info(profile)
    return record


def profile_random_object_id(*, rng: random.Random | None = None) -> str | None:
    """The object id of one profile of the sample audience drawn at random (a "random person" to
    preview a message as), or None when the audience is empty. Two indexed reads, whatever the
    audience's size: no ORDER BY RANDOM() over every row."""
    total = Profile.objects.count()
    if not total:
        return None
    offset = (rng or random).randrange(total)
    return Profile.objects.order_by("id").values_list("object_id", flat=True)[offset]


def _profile_data(profile: Profile) -> dict[str, Any]:
    """Custom properties, then the SDK's own keys. That CleverTap keeps the name and the channel
    opt-ins here under these keys is probable, not confirmed (CLEVERTAP-READS.md §1)."""
    data = dict(profile.properties or {})
    if profile.name:
        data["Name"] = profile.name
    if profile.phone:
        data["Phone"] = profile.phone
    # The sandbox keeps no push opt-out: a profile is subscribed when it has an app.
    data["MSG-push"] = profile.has_android or profile.has_ios
    data["MSG-email"] = bool(profile.email) and not profile.email_opt_out
    data["MSG-sms"] = bool(profile.phone) and not profile.sms_opt_out
    data["MSG-whatsapp"] = bool(profile.phone) and not profile.whatsapp_opt_out
    return data


def _profile_events(profile: Profile) -> dict[str, dict[str, int]]:
    # Naming the events keeps to the (name, profile, day) index instead of reading every event.
    rows = (
        Event.objects.filter(name__in=event_names(), profile=profile)
        .values("name")
        .annotate(count=Count("pk"), first=Min("day"), last=Max("day"))
        .order_by("name")
    )
    return {
        row["name"]: {
            "count": row["count"],
            "first_seen": _epoch_seconds(row["first"]),
            "last_seen": _epoch_seconds(row["last"]),
        }
        for row in rows
    }


def _epoch_seconds(day: int) -> int:
    """The start of a YYYYMMDD day in the account's time zone, as epoch seconds."""
    naive = datetime.datetime.strptime(str(day), "%Y%m%d")
    return int(timezone.make_aware(naive, timezone.get_default_timezone()).timestamp())


def _platform_info(profile: Profile) -> list[dict[str, str]]:
    """One entry per app and one for the web, shaped as CleverTap's bulk profile records. The
    sandbox has one objectId per profile; its push tokens are made up, but stable."""
    platforms = [
        ("Android", profile.has_android),
        ("iOS", profile.has_ios),
        (
            "Web",
            profile.has_chrome or profile.has_firefox or profile.has_safari or profile.has_edge,
        ),
    ]
    info = []
    for platform, present in platforms:
        if not present:
            continue
        entry = {"platform": platform, "objectId": profile.object_id}
        if platform != "Web":
            token = hashlib.sha256(f"{profile.object_id}:{platform}".encode()).hexdigest()
            entry["push_token"] = token
        info.append(entry)
    return info
