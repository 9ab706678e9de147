"""The sandbox's audience: seeding it, and estimates over it for typical audiences."""

import datetime
import json
import re
from collections.abc import Callable

from campaigns import clevertap
from devtools.bench import scratch, stats
from devtools.bench.report import Reference, Row
from sandbox import audience, seeding
from sandbox.models import Segment

ENDPOINT = "targets/create.json"
SEED = 1
# A stored segment of the sample audience (sandbox.seeding.sample_segments).
SEGMENT_NAME = "Abandoned a cart this week"
_SEEDED = re.compile(r"Seeded ([\d,]+) profiles, ([\d,]+) events")


def seed(*, profiles: int, today: datetime.date, reference: bool = True) -> Row:
    """`manage.py seed_audience` as a person runs it, beside the same command with no profiles
    (the start-up and the emptying of the tables) unless `reference` is off."""
    day = today.strftime("%Y%m%d")

    def seed_run(count: int) -> tuple[str, float, int]:
        return scratch.run_measured(
            scratch.manage_py(),
            "seed_audience",
            f"--profiles={count}",
            f"--seed={SEED}",
            f"--today={day}",
            "--no-progress",
        )

    empty = Reference("no profiles", stats.summary([seed_run(0)[1]])) if reference else None
    out, seconds, peak = seed_run(profiles)
    found = _SEEDED.search(out)
    events = int(found.group(2).replace(",", "")) if found else None
    return Row(
        key="seed_audience",
        label=f"seed_audience, {profiles:,} profiles, {events or 0:,} events",
        timing=stats.summary([seconds]),
        peak_bytes=peak,
        reference=empty,
        details={"profiles": profiles, "events": events, "output": out.strip()},
    )


def audiences(*, today: datetime.date) -> list[tuple[str, str, dict]]:
    """(key, label, body) for five typical audiences of a push campaign."""

    def day(ago: int) -> int:
        return seeding.yyyymmdd(today - datetime.timedelta(days=ago))

    last_30_days = {"from": day(30), "to": day(0)}
    gold = {"name": "Customer Type", "operator": "equals", "value": "Gold"}
    wheres = [
        ("event", "did Charged in 30 days", {"event_name": "Charged", **last_30_days}),
        (
            "event_profile",
            "… and Customer Type = Gold",
            {
                "event_name": "Charged",
                **last_30_days,
                "common_profile_properties": {"profile_fields": [gold]},
            },
        ),
        (
            "between",
            "Age between 25 and 40",
            {
                "common_profile_properties": {
                    "profile_fields": [{"name": "Age", "operator": "between", "value": [25, 40]}]
                }
            },
        ),
        (
            "did_all",
            "Product Viewed ≥ 3 times in 30 days",
            {
                "advanced_query": {
                    "did_all": [
                        {
                            "event_name": "Product Viewed",
                            **last_30_days,
                            "operator": "greater_than_equals",
                            "value": 3,
                        }
                    ]
                }
            },
        ),
    ]
    content = {"title": "Hello", "body": "A message for you"}
    base = {"name": "Bench audience", "target_mode": "push", "content": content, "when": "now"}
    found = [(key, label, base | {"where": where}) for key, label, where in wheres]
    segment = Segment.objects.get(name=SEGMENT_NAME)
    found.append(("segment", f"segment “{segment.name}”", base | {"segment": segment.pk}))
    return found


def in_process(*, today: datetime.date, repeat: int, profiles: int) -> list[Row]:
    rows = []
    for key, label, body in audiences(today=today):
        counts = audience.estimate(body=body, endpoint=ENDPOINT)
        samples, references = stats.interleaved(
            lambda body=body: audience.estimate(body=body, endpoint=ENDPOINT),
            lambda body=body: json.dumps(body),
            repeat=repeat,
        )
        row = Row(
            key=f"estimate_{key}",
            label=f"estimate, {label}",
            timing=stats.summary(samples),
            reference=Reference("json.dumps", stats.summary(references)),
            target="median ≤ 300 ms",
            details={"estimates": counts, "profiles": profiles, "body": body},
        )
        row.check(row.timing.median <= 0.300, f"median {row.timing.median * 1000:.0f} ms")
        rows.append(row)
    return rows


def over_http(*, today: datetime.date, repeat: int, health: Callable[[], object]) -> Row:
    """The first audience through the app's CleverTap client and the sandbox's API."""
    key, label, body = audiences(today=today)[0]
    result = clevertap.estimate(endpoint=ENDPOINT, body=body)
    samples, references = stats.interleaved(
        lambda: clevertap.estimate(endpoint=ENDPOINT, body=body), health, repeat=repeat
    )
    row = Row(
        key="estimate_http",
        label=f"estimate over HTTP, {label}",
        timing=stats.summary(samples),
        reference=Reference("health", stats.summary(references)),
        target="median ≤ 300 ms",
        details={"answer": result.data},
    )
    row.check(row.timing.median <= 0.300, f"median {row.timing.median * 1000:.0f} ms")
    return row
