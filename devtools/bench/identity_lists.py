"""Identity lists for send drafts: reading a large CSV, uploading it into a draft's composer
(then opening and autosaving that draft), and sending it in request-sized parts."""

import itertools
import json
import random
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns import clevertap, identities, services
from campaigns.models import Api, Campaign
from devtools.bench import data, identity_parse, scratch, stats, web
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


def upload(browser: web.Browser, user, path: Path, *, count: int) -> tuple[Row, Campaign]:
    """The CSV uploaded into a new send draft's composer, as its page posts it (the whole form,
    multipart): read, stored once and the draft saved, timed over HTTP."""
    example = data.reference_example(SEND_EXAMPLE)
    _, channel = example.target
    campaign = services.campaign_create(user=user, api=Api.SEND, channel=channel, body=example.body)
    page = web.composer_page(browser, reverse("campaigns:composer", args=[campaign.pk]))
    fields: dict[str, list[str]] = {}
    for name, value in page.form:
        fields.setdefault(name, []).append(value)
    url = reverse("campaigns:identity_upload", args=[campaign.pk])
    started = time.perf_counter()
    with path.open("rb") as file:
        response = browser.http.post(
            url,
            data=fields,
            files={"identity_file": (path.name, file, "text/csv")},
            headers=page.headers,
        )
    seconds = time.perf_counter() - started
    if response.status_code != 200 or "data-identity-summary" not in response.text:
        raise RuntimeError(f"The upload was not read: HTTP {response.status_code}")
    campaign = Campaign.objects.select_related("identity_list").get(pk=campaign.pk)
    row = Row(
        key="identities_upload",
        label=f"upload a {count:,}-identity CSV into a draft (read, stored, saved)",
        timing=stats.summary([seconds]),
        bytes=path.stat().st_size,
        target="≤ 30 s",
        details={"stored": campaign.identity_list.total, "version": campaign.version},
    )
    row.check(seconds <= 30, f"{seconds:.1f} s")
    return row, campaign


def draft_open(browser: web.Browser, campaign: Campaign, *, repeat: int) -> Row:
    """The composer page of the draft holding the uploaded list."""
    url = reverse("campaigns:composer", args=[campaign.pk])
    browser.get(url)
    pages, references = stats.interleaved(
        lambda: browser.get(url), lambda: browser.get(web.health_url()), repeat=repeat
    )
    total = campaign.identity_list.total
    row = Row(
        key="identities_draft_open",
        label=f"open the composer of a {total:,}-identity draft",
        timing=stats.summary(pages),
        bytes=len(browser.get(url).content),
        reference=Reference("health", stats.summary(references)),
        target="≤ 3 s; ≤ 500 kB",
    )
    row.check(row.timing.median <= 3, f"{row.timing.median:.2f} s")
    row.check(row.bytes <= 500_000, f"{row.bytes / 1000:.0f} kB")
    return row


def draft_autosave(browser: web.Browser, user, campaign: Campaign, *, repeat: int) -> Row:
    """Autosaves of that draft, each a changed subject, over HTTP; and the bytes one writes to
    the database (in-process: the SQL of a save, parameters included), which must not hold
    the list."""
    url = reverse("campaigns:composer", args=[campaign.pk])
    save_url = reverse("campaigns:composer_save", args=[campaign.pk])
    page = web.composer_page(browser, url)
    subjects = itertools.count()

    def saved(post: Callable[[list[tuple[str, str]]], object]) -> object:
        # The version the page stands on and a new subject, so that every save writes.
        current = Campaign.objects.values_list("version", flat=True).get(pk=campaign.pk)
        pairs = [
            (name, str(current) if name == "composer-base_version" else value)
            for name, value in page.form
            if name != "content-subject"
        ]
        return post([*pairs, ("content-subject", f"Subject {next(subjects)}")])

    def over_http() -> object:
        return saved(lambda pairs: browser.post_form(save_url, pairs, page.headers))

    samples, references = stats.interleaved(
        over_http, lambda: browser.get(web.health_url()), repeat=repeat
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        saved(lambda pairs: client.post(save_url, dict(pairs), headers={"HX-Request": "true"}))
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    written = sum(len(sql.encode()) for sql in writes)
    total = campaign.identity_list.total
    row = Row(
        key="identities_autosave",
        label=f"autosave a {total:,}-identity draft",
        timing=stats.summary(samples),
        bytes=written,
        reference=Reference("health", stats.summary(references)),
        target="≤ 3 s; ≤ 20 kB written",
        details={"statements_written": len(writes), "posted_bytes": len(str(page.form))},
    )
    row.check(row.timing.median <= 3, f"{row.timing.median:.2f} s")
    row.check(written <= 20_000, f"{written:,} bytes written")
    return row
