"""Identity lists for send drafts: reading a large CSV, and sending it in request-sized parts."""

import itertools
import json
import random
from collections.abc import Callable
from pathlib import Path

from campaigns import clevertap, identities
from devtools.bench import data, identity_parse, scratch, stats
from devtools.bench.report import Reference, Row

# A send body the payload core accepts as it is (the sandbox validates every request).
SEND_EXAMPLE = "25_send_email.json"
DUPLICATE_SHARE = 0.03
MALFORMED_SHARE = 0.001


def csv_write(path: Path, *, count: int, seed: int = 1) -> int:
    """A CRM export of `count` identities: Identity and Email columns, a few repeated rows and
    malformed addresses. Identities are drawn from twice as many customers as the sandbox's
    `cust-NNNNNNN` numbering has, so some of every request's identities exist there."""
    rows = count // 2
    rng = random.Random(seed)
    customers = rng.sample(range(1, 2 * rows + 1), rows)
    people = rng.sample(range(1, 2 * rows + 1), rows)
    lines = ["Identity,Email"]
    for index, (customer, person) in enumerate(zip(customers, people, strict=True)):
        if index and rng.random() < DUPLICATE_SHARE:
            lines.append(lines[rng.randrange(1, index + 1)])
            continue
        at = "." if rng.random() < MALFORMED_SHARE else "@"
        lines.append(f"cust-{customer:07d},person{person}{at}example.com")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows * 2


def parse(path: Path, *, count: int, repeat: int) -> Row:
    script = Path(identity_parse.__file__)
    out, _, _ = scratch.run_measured(script, str(path), str(repeat))
    measured = json.loads(out)
    row = Row(
        key="identities_parse",
        label=f"identity CSV, {count:,} identities: parse+check+dedupe",
        timing=stats.summary(measured["seconds"]),
        peak_bytes=measured["peak_bytes"],
        bytes=path.stat().st_size,
        reference=Reference("json.dumps", stats.summary(measured["json_dumps_seconds"])),
        target="≤ 5 s; ≤ 300 MB",
        details={key: value for key, value in measured.items() if "seconds" not in key},
    )
    row.check(row.timing.median <= 5, f"{row.timing.median:.2f} s")
    row.check(row.peak_bytes <= 300_000_000, f"{row.peak_bytes / 1e6:.0f} MB")
    return row


def send(path: Path, *, batches: int, health: Callable[[], object]) -> Row:
    """Send the first `batches` request-sized parts through the app's CleverTap client, one
    after the other as a task worker does, to the sandbox with its limits off."""
    parsed = identities.parse_csv(path.read_bytes())
    parts = list(itertools.islice(identities.identity_batches(parsed.to), batches))
    example = data.reference_example(SEND_EXAMPLE)
    _, channel = example.target
    template = {key: value for key, value in example.body.items() if key != "to"}
    waiting = iter(parts)
    samples, references = stats.interleaved(
        lambda: clevertap.send(channel=channel, body={**template, "to": next(waiting)}),
        health,
        repeat=len(parts),
    )
    sent = sum(identities.count(part) for part in parts)
    return Row(
        key="identities_send",
        label=f"send to sandbox, {len(parts)} batches of ≤ {identities.MAX_PER_REQUEST:,}",
        timing=stats.summary(samples),
        throughput=len(parts) / sum(samples),
        throughput_unit=" batches/s",
        reference=Reference("health", stats.summary(references)),
        details={"batches": len(parts), "identities": sent, "channel": channel},
    )
