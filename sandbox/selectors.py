"""Reads of the sandbox's data, for its page and for the composer's suggestions."""

import functools
import operator
from typing import Any

from django.db import connection
from django.db.models import Count

from campaigns.channels import registry
from campaigns.models import Channel
from sandbox import audience
from sandbox.models import Event, Profile, ReceivedRequest, SandboxCampaign, Segment

# How the profile's own fields are named in profile_fields filters.
SYSTEM_PROPERTY_NAMES = ("Email", "Identity", "Name", "Phone", "Timezone")


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


def received_requests_latest(*, limit: int = 20) -> list[ReceivedRequest]:
    return list(ReceivedRequest.objects.order_by("-id")[:limit])


def campaigns_latest(*, limit: int = 20) -> list[SandboxCampaign]:
    return list(SandboxCampaign.objects.order_by("-id")[:limit])
