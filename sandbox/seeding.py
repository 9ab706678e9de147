"""The sample audience: deterministic (same seed and day, same rows), realistic, and fast.

Rows are generated with one `random.Random(seed)` and written with `executemany` in batches inside
one transaction, which replaces the previous audience (profiles, events, segments). Campaigns,
received requests and faults are kept.
"""

import bisect
import contextlib
import dataclasses
import datetime
import itertools
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from sandbox.models import Event, Profile, Segment

Progress = Callable[[str, int, int], None]

DAYS_OF_HISTORY = 365
PROFILE_BATCH = 5_000
EVENT_BATCH = 50_000

# Event names and their share of all events.
EVENT_WEIGHTS = (
    ("App Launched", 34),
    ("Product Viewed", 24),
    ("Added To Cart", 11),
    ("Notification Viewed", 9),
    ("Searched", 8),
    ("Charged", 6),
    ("Notification Clicked", 5),
    ("Notification Replied", 3),
)
# Customer Type: share of profiles and how active they are relative to the average.
CUSTOMER_TYPES = (("Platinum", 0.10, 2.0), ("Gold", 0.25, 1.3), ("Silver", 0.65, 0.8))
# City, timezone, phone prefix, share.
CITIES = (
    ("Mumbai", "Asia/Kolkata", "+91", 16),
    ("Bengaluru", "Asia/Kolkata", "+91", 13),
    ("Delhi", "Asia/Kolkata", "+91", 11),
    ("Pune", "Asia/Kolkata", "+91", 5),
    ("Jakarta", "Asia/Jakarta", "+62", 8),
    ("Singapore", "Asia/Singapore", "+65", 7),
    ("Dubai", "Asia/Dubai", "+971", 6),
    ("London", "Europe/London", "+44", 9),
    ("Berlin", "Europe/Berlin", "+49", 5),
    ("New York", "America/New_York", "+1", 11),
    ("San Francisco", "America/Los_Angeles", "+1", 9),
)
FIRST_NAMES = [
    "Aarav",
    "Aditi",
    "Aisha",
    "Akash",
    "Alex",
    "Amara",
    "Ananya",
    "Arjun",
    "Ben",
    "Chloe",
    "Daniel",
    "Divya",
    "Emma",
    "Farah",
    "Grace",
    "Hana",
    "Ishaan",
    "Jack",
    "Kavya",
    "Leo",
    "Lina",
    "Maya",
    "Mei",
    "Mohammed",
    "Nadia",
    "Neha",
    "Noah",
    "Olivia",
    "Priya",
    "Rahul",
    "Riya",
    "Rohan",
    "Sara",
    "Siddharth",
    "Sofia",
    "Tanvi",
    "Tom",
    "Vikram",
    "Wei",
    "Zara",
]
LAST_NAMES = [
    "Agarwal",
    "Ahmed",
    "Bose",
    "Brown",
    "Chen",
    "Das",
    "Fischer",
    "Garcia",
    "Gupta",
    "Hassan",
    "Iyer",
    "Jain",
    "Kapoor",
    "Khan",
    "Kim",
    "Kumar",
    "Lee",
    "Lim",
    "Mehta",
    "Menon",
    "Miller",
    "Nair",
    "Ng",
    "Patel",
    "Rao",
    "Reddy",
    "Roy",
    "Santoso",
    "Schmidt",
    "Shah",
    "Sharma",
    "Singh",
    "Smith",
    "Tan",
    "Taylor",
    "Verma",
    "Wang",
    "Weber",
    "Wijaya",
    "Williams",
]
EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "example.com")
PRODUCTS = (
    ("Running Shoes", "Footwear", 89),
    ("Denim Jacket", "Apparel", 120),
    ("Wireless Earbuds", "Electronics", 149),
    ("Smart Watch", "Electronics", 299),
    ("Yoga Mat", "Fitness", 35),
    ("Coffee Beans", "Grocery", 18),
    ("Backpack", "Accessories", 65),
    ("Sunglasses", "Accessories", 110),
    ("Novel: The Long Road", "Books", 15),
    ("Desk Lamp", "Home", 45),
)
SEARCH_TERMS = ("shoes", "jacket", "earbuds", "watch", "sale", "coffee", "gift", "lamp", "bag")
PAYMENT_MODES = ("UPI", "Card", "Wallet", "COD", "Net Banking")
PROPERTY_VARIANTS = 128  # pre-serialised property objects per event name

# Reachability shares.
EMAIL_SHARE = 0.92
PHONE_SHARE = 0.78
FBID_SHARE = 0.12
GPID_SHARE = 0.08
AGE_MISSING_SHARE = 0.08
# Profiles lacking a property, so that a Liquid default matters (drawn from their own random
# sequence: the rest of the audience stays as a seed made it before).
NAME_MISSING_SHARE = 0.12
LANGUAGES = [("English", 0.55), ("Hindi", 0.25), ("Spanish", 0.1), ("German", 0.1)]
LANGUAGE_MISSING_SHARE = 0.3
EMAIL_OPT_OUT_SHARE = 0.07
SMS_OPT_OUT_SHARE = 0.05
WHATSAPP_OPT_OUT_SHARE = 0.12
# App installs: android only, ios only, both; the rest have no app.
ANDROID_ONLY_SHARE, IOS_ONLY_SHARE, BOTH_APPS_SHARE = 0.45, 0.25, 0.08
BROWSER_SHARES = (("chrome", 0.30), ("safari", 0.10), ("firefox", 0.06), ("edge", 0.04))

PROFILE_FIELDS = (
    "id",
    "identity",
    "name",
    "email",
    "phone",
    "object_id",
    "fbid",
    "gpid",
    "timezone",
    "has_android",
    "has_ios",
    "last_push_device",
    "has_chrome",
    "has_firefox",
    "has_safari",
    "has_edge",
    "last_web_browser",
    "email_opt_out",
    "sms_opt_out",
    "whatsapp_opt_out",
    "control_bucket",
    "properties",
)
EVENT_FIELDS = ("id", "profile", "name", "day", "properties")


@dataclasses.dataclass(frozen=True)
class SeedSummary:
    profiles: int
    events: int
    segments: int
    seconds: float


def audience_seed(
    *,
    profiles: int,
    seed: int,
    events_per_profile: float = 10.0,
    today: datetime.date | None = None,
    progress: Progress | None = None,
) -> SeedSummary:
    """Replace the sandbox audience with `profiles` profiles and about `events_per_profile`
    events each, spread over the 365 days up to `today` (default: the current date)."""
    if profiles < 0 or events_per_profile < 0:
        raise ValueError("profiles and events_per_profile cannot be negative")
    started = time.monotonic()
    today = today or timezone.localdate()
    report = progress or (lambda stage, done, total: None)
    rng = random.Random(seed)
    # Foreign keys are checked only outside a transaction on SQLite (loaddata does the same); the
    # rows are generated with valid profile ids, so the per-row parent look-ups are skipped.
    with connection.constraint_checks_disabled(), transaction.atomic(), _sqlite_cache_grown():
        _audience_delete()
        activity: list[float] = []
        with _indexes_dropped(Profile, Event):
            _insert_batches(
                Profile,
                PROFILE_FIELDS,
                _profile_rows(
                    rng, count=profiles, activity=activity, gaps=random.Random(f"gaps-{seed}")
                ),
                batch_size=PROFILE_BATCH,
                expected=profiles,
                report=report,
                stage="profiles",
            )
            events = _insert_batches(
                Event,
                EVENT_FIELDS,
                _event_rows(
                    rng, activity=activity, events_per_profile=events_per_profile, today=today
                ),
                batch_size=EVENT_BATCH,
                expected=round(profiles * events_per_profile),
                report=report,
                stage="events",
            )
            report("indexes", 0, 1)
        report("indexes", 1, 1)
        segments = Segment.objects.bulk_create(
            Segment(id=number, name=name, where=where)
            for number, (name, where) in enumerate(sample_segments(today=today), start=1)
        )
        _sequences_reset()
    return SeedSummary(
        profiles=profiles,
        events=events,
        segments=len(segments),
        seconds=time.monotonic() - started,
    )


def sample_segments(*, today: datetime.date) -> list[tuple[str, dict[str, Any]]]:
    """A few stored segments that exercise each kind of filter."""

    def days_ago(days: int) -> int:
        return yyyymmdd(today - datetime.timedelta(days=days))

    return [
        (
            "Platinum customers",
            {
                "common_profile_properties": {
                    "profile_fields": [
                        {"name": "Customer Type", "operator": "equals", "value": "Platinum"}
                    ]
                }
            },
        ),
        (
            "Bought in the last 30 days",
            {"event_name": "Charged", "from": days_ago(30), "to": days_ago(0)},
        ),
        (
            "Abandoned a cart this week",
            {
                "advanced_query": {
                    "did_all": [
                        {
                            "event_name": "Added To Cart",
                            "from": days_ago(7),
                            "to": days_ago(0),
                            "operator": "greater_than_equals",
                            "value": 1,
                        },
                        {
                            "event_name": "Charged",
                            "from": days_ago(7),
                            "to": days_ago(0),
                            "operator": "equals",
                            "value": 0,
                        },
                    ]
                }
            },
        ),
        (
            "Young shoppers in Mumbai",
            {
                "common_profile_properties": {
                    "profile_fields": [
                        {"name": "City", "operator": "equals", "value": "Mumbai"},
                        {"name": "Age", "operator": "between", "value": [18, 30]},
                    ]
                }
            },
        ),
        (
            "Lapsed: no launch in 60 days",
            {
                "advanced_query": {
                    "did_all": [
                        {
                            "event_name": "App Launched",
                            "from": days_ago(60),
                            "to": days_ago(0),
                            "operator": "equals",
                            "value": 0,
                        }
                    ]
                }
            },
        ),
    ]


def yyyymmdd(day: datetime.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


# Generating rows


def _cumulative(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick[T](rng: random.Random, items: Sequence[T], cumulative: list[float]) -> T:
    return items[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def _profile_rows(
    rng: random.Random, *, count: int, activity: list[float], gaps: random.Random
) -> Iterator[tuple]:
    """Profile rows in PROFILE_FIELDS order; appends each profile's activity factor. `gaps`
    draws which properties a profile lacks, and its language."""
    city_cumulative = _cumulative(city[3] for city in CITIES)
    type_cumulative = _cumulative(share for _, share, _ in CUSTOMER_TYPES)
    average_activity = sum(share * factor for _, share, factor in CUSTOMER_TYPES)
    for number in range(1, count + 1):
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        city, tz, phone_prefix, _ = _pick(rng, CITIES, city_cumulative)
        customer_type, _, factor = _pick(rng, CUSTOMER_TYPES, type_cumulative)
        activity.append(factor / average_activity)
        properties: dict[str, Any] = {"Customer Type": customer_type, "City": city}
        if gaps.random() >= LANGUAGE_MISSING_SHARE:
            languages = [name for name, _ in LANGUAGES]
            properties["Preferred Language"] = gaps.choices(
                languages, weights=[share for _, share in LANGUAGES]
            )[0]
        name = "" if gaps.random() < NAME_MISSING_SHARE else f"{first} {last}"
        if rng.random() >= AGE_MISSING_SHARE:
            properties["Age"] = int(rng.triangular(18, 70, 29))
        gender = rng.random()
        if gender < 0.49:
            properties["Gender"] = "F"
        elif gender < 0.97:
            properties["Gender"] = "M"
        elif gender < 0.99:
            properties["Gender"] = "O"
        email = ""
        if rng.random() < EMAIL_SHARE:
            email = f"{first}.{last}{number}@{rng.choice(EMAIL_DOMAINS)}".lower()
        phone = ""
        if rng.random() < PHONE_SHARE:
            phone = f"{phone_prefix}{rng.randrange(10**9, 10**10)}"
        fbid = str(rng.randrange(10**14, 10**15)) if rng.random() < FBID_SHARE else ""
        gpid = str(rng.randrange(10**20, 10**21)) if rng.random() < GPID_SHARE else ""
        apps = rng.random()
        has_android = apps < ANDROID_ONLY_SHARE or (
            ANDROID_ONLY_SHARE + IOS_ONLY_SHARE
            <= apps
            < ANDROID_ONLY_SHARE + IOS_ONLY_SHARE + BOTH_APPS_SHARE
        )
        has_ios = ANDROID_ONLY_SHARE <= apps < ANDROID_ONLY_SHARE + IOS_ONLY_SHARE + BOTH_APPS_SHARE
        last_push = ""
        if has_android and has_ios:
            last_push = "android" if rng.random() < 0.6 else "ios"
        elif has_android or has_ios:
            last_push = "android" if has_android else "ios"
        browsers = [name for name, share in BROWSER_SHARES if rng.random() < share]
        last_browser = rng.choice(browsers) if browsers else ""
        yield (
            number,
            f"cust-{number:07d}",
            name,
            email,
            phone,
            f"__{rng.getrandbits(96):024x}",
            fbid,
            gpid,
            tz,
            has_android,
            has_ios,
            last_push,
            "chrome" in browsers,
            "firefox" in browsers,
            "safari" in browsers,
            "edge" in browsers,
            last_browser,
            bool(email) and rng.random() < EMAIL_OPT_OUT_SHARE,
            bool(phone) and rng.random() < SMS_OPT_OUT_SHARE,
            bool(phone) and rng.random() < WHATSAPP_OPT_OUT_SHARE,
            rng.randrange(100),
            json.dumps(properties),
        )


def _event_rows(
    rng: random.Random, *, activity: list[float], events_per_profile: float, today: datetime.date
) -> Iterator[tuple]:
    """Event rows in EVENT_FIELDS order, profile by profile; recent days are more frequent."""
    names = [name for name, _ in EVENT_WEIGHTS]
    name_cumulative = _cumulative(weight for _, weight in EVENT_WEIGHTS)
    days = [yyyymmdd(today - datetime.timedelta(days=ago)) for ago in range(DAYS_OF_HISTORY)]
    pools = {name: _property_pool(rng, name) for name in names}
    total_weight = name_cumulative[-1]
    event_id = 0
    for profile_id, factor in enumerate(activity, start=1):
        mean = events_per_profile * factor
        if mean <= 0:
            continue
        for _ in range(int(rng.expovariate(1 / mean) + 0.5)):
            name = names[bisect.bisect_right(name_cumulative, rng.random() * total_weight)]
            day = days[int(DAYS_OF_HISTORY * rng.random() ** 1.7)]
            event_id += 1
            yield (event_id, profile_id, name, day, pools[name][rng.getrandbits(7)])


def _property_pool(rng: random.Random, name: str) -> list[str]:
    pool = []
    for _ in range(PROPERTY_VARIANTS):
        product, category, price = rng.choice(PRODUCTS)
        if name == "Charged":
            quantity = rng.randint(1, 3)
            properties = {
                "Amount": round(price * quantity * rng.uniform(0.8, 1.0), 2),
                "Payment mode": rng.choice(PAYMENT_MODES),
                "Items|Product": product,
                "Items|Category": category,
                "Items|Quantity": quantity,
            }
        elif name in ("Product Viewed", "Added To Cart"):
            properties = {"Product": product, "Category": category, "Price": price}
        elif name == "Searched":
            properties = {"Query": rng.choice(SEARCH_TERMS)}
        elif name.startswith("Notification"):
            properties = {"Campaign id": rng.randrange(1_000_000_000, 1_999_999_999)}
        else:
            properties = {"Platform": rng.choice(("Android", "iOS", "Web"))}
        pool.append(json.dumps(properties))
    return pool


# Writing rows

SQLITE_CACHE_KIB = 256 * 1024


@contextlib.contextmanager
def _sqlite_cache_grown() -> Iterator[None]:
    """Let SQLite keep the pages being written in memory (2 MB by default) while seeding, then
    give this connection its usual page cache back."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        usual = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(usual)}")


def _audience_delete() -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (Event, Profile, Segment):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")


def _insert_batches(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterator[tuple],
    *,
    batch_size: int,
    expected: int,
    report: Progress,
    stage: str,
) -> int:
    """executemany in batches: Django's bulk_create would build a model instance per row."""
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    placeholders = ", ".join(
        "%s::jsonb"
        if connection.vendor == "postgresql" and isinstance(field, models.JSONField)
        else "%s"
        for field in columns
    )
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in columns)}) VALUES ({placeholders})"
    )
    written = 0
    report(stage, 0, expected)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, batch_size)):
            cursor.executemany(sql, batch)
            written += len(batch)
            report(stage, written, max(expected, written))
    report(stage, written, written)
    return written


@contextlib.contextmanager
def _indexes_dropped(*models_: type[models.Model]) -> Iterator[None]:
    """On SQLite, drop the tables' secondary indexes and build them again after the inserts:
    one sort per index instead of a B-tree insert per row. Other databases keep theirs."""
    if connection.vendor != "sqlite":
        yield
        return
    tables = [model._meta.db_table for model in models_]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join(['%s'] * len(tables))})",
            tables,
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for _, sql in indexes:
            cursor.execute(sql)


def _sequences_reset() -> None:
    """Ids were written explicitly: move PostgreSQL's sequences past them (no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Profile, Event, Segment])
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
