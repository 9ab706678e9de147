"""The payload core on the reference bodies: parse into form data, bind the forms, build again."""

import json
import statistics

from campaigns import payloads
from devtools.bench import data, stats
from devtools.bench.report import Reference, Row


def build_and_parse(*, repeat: int) -> list[Row]:
    medians: dict[str, float] = {}
    references: dict[str, float] = {}
    samples_of: dict[str, tuple[list[float], list[float]]] = {}
    for example in data.reference_examples():
        api, channel = example.target
        body = example.body

        def cycle(body=body, api=api, channel=channel) -> dict:
            parsed = payloads.parse_body(body, api=api, channel=channel)
            forms = payloads.bind_forms(parsed.data, api=api, channel=channel)
            return payloads.build_body(forms, parsed.extras)

        cycle()
        samples, dumps = stats.interleaved(cycle, lambda body=body: json.dumps(body), repeat=repeat)
        samples_of[example.name] = (samples, dumps)
        medians[example.name] = statistics.median(samples)
        references[example.name] = statistics.median(dumps)
    slowest = max(medians, key=medians.get)
    slowest_samples, slowest_dumps = samples_of[slowest]
    return [
        Row(
            key="payload_core",
            label=f"payload core parse+build, {len(medians)} examples (spread over examples)",
            timing=stats.summary(medians.values()),
            reference=Reference("json.dumps", stats.summary(references.values())),
            details={"median_seconds": medians, "json_dumps_median_seconds": references},
        ),
        Row(
            key="payload_core_slowest",
            label=f"payload core parse+build, slowest: {slowest}",
            timing=stats.summary(slowest_samples),
            reference=Reference("json.dumps", stats.summary(slowest_dumps)),
        ),
    ]
