"""The benchmark, in order: the web app on a quiet server first, then the sandbox audience,
identity lists and the payload core. Runs in the child process, on the scratch environment."""

import dataclasses
import datetime
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Api
from devtools.bench import (
    calendar_month,
    data,
    estimates,
    identity_lists,
    library,
    payload_core,
    scratch,
    web,
)
from devtools.bench.report import Row

# The composer's live preview is measured on this draft: conversion goal, limits, DND schedule.
PREVIEW_DRAFT = (Api.TARGETS, "push")


@dataclasses.dataclass(frozen=True)
class Sizes:
    workers: int = scratch.WORKERS
    preview_repeat: int = 300
    clients: int = 16
    load_seconds: float = 10.0
    page_repeat: int = 30
    drafts_small: int = 100
    drafts_large: int = 10_000
    calendar_small: int = 10
    calendar_large: int = 1_000
    list_repeat: int = 60
    templates_small: int = 100
    templates_large: int = 10_000
    profiles: int = 100_000
    estimate_repeat: int = 7
    identities: int = 1_000_000
    parse_repeat: int = 3
    list_draft_repeat: int = 5
    send_batches: int = 200
    payload_repeat: int = 20


FULL = Sizes()
QUICK = Sizes(
    workers=2,
    preview_repeat=5,
    clients=2,
    load_seconds=0.5,
    page_repeat=3,
    drafts_small=20,
    drafts_large=60,
    calendar_small=10,
    calendar_large=40,
    list_repeat=3,
    templates_small=20,
    templates_large=60,
    profiles=500,
    estimate_repeat=2,
    identities=4_000,
    parse_repeat=1,
    list_draft_repeat=2,
    send_batches=2,
    payload_repeat=1,
)


def bench_run(
    directory: Path, *, port: int, quick: bool, progress: Callable[[str], None]
) -> tuple[list[Row], dict]:
    sizes = QUICK if quick else FULL
    started = time.perf_counter()
    load_before = os.getloadavg()
    rows: list[Row] = []

    progress("database and static files")
    # A quick run skips the admin's files, most of collectstatic's time; no page measured uses them.
    skipped = ["--ignore=admin"] if quick else []
    collectstatic = subprocess.Popen(
        scratch.manage("collectstatic", "--noinput", "--verbosity=0", *skipped),
        cwd=settings.BASE_DIR,
    )
    call_command("migrate", interactive=False, verbosity=0)
    if collectstatic.wait() != 0:
        raise RuntimeError("collectstatic failed")
    user, password = data.user_create()
    drafts = data.drafts_per_channel(user)
    today = timezone.localdate()

    progress(f"gunicorn, {sizes.workers} workers")
    server = scratch.Server(directory, port=port, workers=sizes.workers)
    browsers: list[web.Browser] = []
    try:
        server.start()
        browser = web.Browser(server.base_url)
        browsers.append(browser)
        browser.login(data.USERNAME, password)
        health = web.health_url()

        def health_get() -> object:
            return browser.get(health)

        composer_url = reverse("campaigns:composer", args=[drafts[PREVIEW_DRAFT].pk])
        page = web.composer_page(browser, composer_url)
        progress(f"{sizes.clients} more clients log in and load the composer")
        clients = [web.Browser(server.base_url) for _ in range(sizes.clients)]
        browsers += clients
        web.load(clients, lambda b: b.login(data.USERNAME, password), seconds=0, rounds=1)
        web.warm_up(clients, lambda b: b.get(health), rounds=3)
        pages = web.composer_pages(clients, composer_url)

        progress("live preview")
        rows.append(web.health_anonymous(browser, server.base_url, repeat=sizes.preview_repeat))
        web.warm_up([browser], page.preview, rounds=5)
        rows.append(web.preview_one_client(browser, page, repeat=sizes.preview_repeat))
        rows.append(web.preview_in_process(user, page, repeat=sizes.page_repeat))
        rows.append(
            web.preview_concurrent(pages, seconds=sizes.load_seconds, server_cpu=server.cpu_seconds)
        )

        progress("composer page")
        channel = "/".join(PREVIEW_DRAFT)
        rows.append(
            web.composer_server_time(browser, page, channel=channel, repeat=sizes.page_repeat)
        )
        rows.append(web.composer_queries(user, drafts))
        rows.append(web.composer_download(browser, page))

        progress("calendar month")
        month = calendar_month.this_month()
        months = []
        for count in (sizes.calendar_small, sizes.calendar_large):
            calendar_month.calendar_fill(user, total=count, month=month)
            months.append(
                calendar_month.calendar_month(
                    browser, user, campaigns=count, month=month, repeat=sizes.page_repeat
                )
            )
        web.sizes_compare(*months, size="campaigns", max_ratio=None)
        rows += months
        calendar_month.calendar_clear()

        progress("drafts list")
        data.drafts_fill(user, total=sizes.drafts_small)
        small = web.draft_list(browser, user, drafts=sizes.drafts_small, repeat=sizes.list_repeat)
        data.drafts_fill(user, total=sizes.drafts_large)
        large = web.draft_list(browser, user, drafts=sizes.drafts_large, repeat=sizes.list_repeat)
        web.sizes_compare(small, large, size="drafts")
        rows += [small, large]

        progress("templates page")
        library.templates_fill(user, total=sizes.templates_small)
        small = library.template_list(
            browser, user, templates=sizes.templates_small, repeat=sizes.list_repeat
        )
        library.templates_fill(user, total=sizes.templates_large)
        large = library.template_list(
            browser, user, templates=sizes.templates_large, repeat=sizes.list_repeat
        )
        web.sizes_compare(small, large, size="templates")
        rows += [small, large]

        progress(f"seed_audience, {sizes.profiles:,} profiles")
        rows.append(estimates.seed(profiles=sizes.profiles, today=today, reference=not quick))
        progress("estimates")
        rows += estimates.in_process(
            today=today, repeat=sizes.estimate_repeat, profiles=sizes.profiles
        )
        rows.append(
            estimates.over_http(today=today, repeat=sizes.estimate_repeat, health=health_get)
        )

        progress(f"identity lists, {sizes.identities:,} identities")
        csv_path = directory / "identities.csv"
        count = identity_lists.csv_write(csv_path, count=sizes.identities)
        rows.append(identity_lists.parse(csv_path, count=count, repeat=sizes.parse_repeat))
        uploaded, listed = identity_lists.upload(browser, user, csv_path, count=count)
        rows.append(uploaded)
        rows.append(identity_lists.draft_open(browser, listed, repeat=sizes.list_draft_repeat))
        rows.append(
            identity_lists.draft_autosave(browser, user, listed, repeat=sizes.list_draft_repeat)
        )
        rows.append(identity_lists.send(csv_path, batches=sizes.send_batches, health=health_get))

        rows.append(_server_memory(server))
    finally:
        for each in browsers:
            each.close()
        server.stop()

    progress("payload core")
    rows += payload_core.build_and_parse(repeat=sizes.payload_repeat)

    if quick:
        # Tiny sizes say nothing about the targets.
        for row in rows:
            row.met, row.shortfall = None, ""
    info = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "seconds": time.perf_counter() - started,
        # Removed when the run ends; recorded so that a test can check it is gone.
        "scratch_dir": str(directory),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "python": sys.version.split()[0],
            "django": django.get_version(),
            "platform": platform.platform(),
        },
        "sizes": dataclasses.asdict(sizes),
    }
    return rows, info


def _server_memory(server: scratch.Server) -> Row:
    peaks = server.worker_peak_rss()
    return Row(
        key="server_memory",
        label=f"gunicorn workers ({len(peaks)}): the largest's peak RSS",
        peak_bytes=max(peaks, default=None),
        details={"workers_peak_bytes": peaks},
    )
