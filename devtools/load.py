"""The load test: many people composing, autosaving, estimating and publishing at once.

`manage.py loadtest` runs it like `manage.py bench` runs the benchmark (and with its code:
devtools/bench/scratch.py): a child process on a scratch SQLite file serves the app with gunicorn
on a free loopback port, with the sandbox as CleverTap (on a second gunicorn) and its faults on.
Each user is one httpx client with its own cookies. Two users share each draft, as two browsers
on one draft would. Afterwards the scratch database is read to check that nothing was lost,
overwritten or created twice.
"""

import dataclasses
import os
import random
import re
import subprocess
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import httpx
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from campaigns import services
from campaigns.models import AttemptState, Campaign, PublishAttempt
from campaigns.review import approvals
from devtools import demo
from devtools.bench import scratch, stats, web
from sandbox import faults, testing
from sandbox.models import SandboxCampaign

USERNAME = "admin"
BODY_FIELD = "content-body"
TOKEN = re.compile(r'name="confirmation_token" value="([^"]+)"')
SAVE_STATE = re.compile(r'id="save-status"[^>]*data-state="([a-z]+)"')
BASE_VERSION = re.compile(r'id="base-version" value="(\d+)"')
FAULTS = {"latency_ms": 20, "error_rate": 0.1, "error_status": 503, "drop_rate": 0.02, "seed": 7}


def draft_body(name: str) -> dict:
    return {
        "name": name,
        "target_mode": "push",
        "where": {},
        "when": "now",
        "content": {"title": "Load", "body": "start"},
    }


@dataclasses.dataclass
class Record:
    """What every user saw, shared by the threads (appends are atomic under the GIL)."""

    # Seconds per kind of request ("preview", "save"...).
    timings: defaultdict[str, list[float]] = dataclasses.field(
        default_factory=lambda: defaultdict(list)
    )
    kinds: Counter = dataclasses.field(default_factory=Counter)
    statuses: Counter = dataclasses.field(default_factory=Counter)
    # (draft pk, the body typed, the version answered) for each save answered "saved".
    saves: list[tuple[int, str, int]] = dataclasses.field(default_factory=list)
    save_states: Counter = dataclasses.field(default_factory=Counter)
    server_errors: list[str] = dataclasses.field(default_factory=list)

    def request(self, kind: str, call: Callable[[], httpx.Response]) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = call()
        except httpx.HTTPError as error:
            self.kinds[f"{kind}: {type(error).__name__}"] += 1
            return None
        finally:
            self.timings[kind].append(time.perf_counter() - started)
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.server_errors.append(f"{kind} {response.request.url}: {response.status_code}")
        if response.status_code >= 400:
            self.kinds[f"{kind}: HTTP {response.status_code}"] += 1
        return response


@dataclasses.dataclass
class Start:
    """Every user logs in and opens the composer first; the clock starts when all are ready."""

    barrier: threading.Barrier
    deadline: float = 0.0


def _user(number: int, base_url: str, password: str, *, draft: int, publish: int, start: Start,
          record: Record) -> None:  # fmt: skip
    browser = web.Browser(base_url)
    rng = random.Random(number)
    composer_url = reverse("campaigns:composer", args=[draft])
    try:
        browser.login(USERNAME, password)
        page = web.composer_page(browser, composer_url)
    except (RuntimeError, httpx.HTTPError) as error:
        record.kinds[f"opening the composer: {error}"] += 1
        record.server_errors.append(f"user {number} could not open the composer: {error}")
        start.barrier.wait()
        browser.close()
        return
    start.barrier.wait()
    try:
        form = dict(page.form)
        save_url = reverse("campaigns:composer_save", args=[draft])
        step = 0
        while time.monotonic() < start.deadline:
            step += 1
            typed = f"user {number} step {step}"
            form[BODY_FIELD] = typed
            pairs = list(form.items())
            record.request(
                "preview",
                lambda pairs=pairs: browser.post_form(page.preview_url, pairs, page.headers),
            )
            if step % 3 == 0:
                response = record.request(
                    "save", lambda pairs=pairs: browser.post_form(save_url, pairs, page.headers)
                )
                if response is not None and response.status_code == 200:
                    state = SAVE_STATE.search(response.text)
                    state = state.group(1) if state else "unreadable"
                    record.save_states[state] += 1
                    base = BASE_VERSION.search(response.text)
                    if state == "saved" and base:
                        record.saves.append((draft, typed, int(base.group(1))))
                        form["composer-base_version"] = base.group(1)
                    elif state == "conflict":
                        # The person reloads the page and goes on from the saved version.
                        fresh = record.request("composer", lambda: browser.http.get(composer_url))
                        if fresh is not None and (found := BASE_VERSION.search(fresh.text)):
                            form["composer-base_version"] = found.group(1)
            if step % 5 == rng.randrange(5):
                _estimate_and_publish(browser, publish, record, page.headers)
    finally:
        browser.close()


def _estimate_and_publish(
    browser: web.Browser, draft: int, record: Record, headers: dict[str, str]
) -> None:
    # The page's hx-headers carry the CSRF token, as htmx sends them.
    csrf = {k: v for k, v in headers.items() if k.lower() == "x-csrftoken"}
    headers = {**csrf, "HX-Request": "true"}
    record.request(
        "estimate",
        lambda: browser.http.post(reverse("campaigns:estimate", args=[draft]), headers=headers),
    )
    url = reverse("campaigns:publish", args=[draft])
    confirm = record.request("confirm", lambda: browser.http.get(url))
    token = TOKEN.search(confirm.text) if confirm is not None else None
    if token:
        record.request(
            "publish",
            lambda: browser.http.post(
                url, data={"confirmation_token": token.group(1)}, headers=csrf
            ),
        )


def _prepare(users: int) -> tuple[str, list[int], list[int]]:
    call_command("migrate", interactive=False, verbosity=0)
    password = {u.username: u.password for u in demo.demo_users_ensure()}[USERNAME]
    owner = Campaign._meta.get_field("owner").related_model.objects.get(username=USERNAME)
    testing.audience_small(profiles=60)
    edited = [
        services.campaign_create(
            user=owner, api="targets", channel="push", body=draft_body(f"load-draft-{n}")
        ).pk
        for n in range((users + 1) // 2)
    ]
    published = [
        services.campaign_create(
            user=owner, api="targets", channel="push", body=draft_body(f"load-publish-{n}")
        ).pk
        # Two users on each: both publish it, and it must be created once.
        for n in range((users + 1) // 2)
    ]
    _approve(published)
    return password, edited, published


def _approve(pks: list[int]) -> None:
    """Publishing needs an approval: the composer submits, the reviewer approves (best effort:
    a refusal shows in the figures as refused publishes)."""
    users = {u.username: u for u in Campaign._meta.get_field("owner").related_model.objects.all()}
    for pk in pks:
        try:
            approvals.campaign_submit(campaign=Campaign.objects.get(pk=pk), user=users["composer"])
            approvals.campaign_approve(campaign=Campaign.objects.get(pk=pk), user=users["reviewer"])
        except Exception as error:  # noqa: BLE001 - reported, the run goes on
            print(f"approving draft {pk} failed: {error}")


def load_run(directory: Path, *, port: int, users: int, seconds: float) -> list[str]:
    """Play the users, then check; the problems found (none: all checks passed)."""
    collectstatic = subprocess.Popen(
        scratch.manage("collectstatic", "--noinput", "--verbosity=0"), cwd=settings.BASE_DIR
    )
    password, edited, published = _prepare(users)
    if collectstatic.wait() != 0:
        raise RuntimeError("collectstatic failed")
    # The sandbox gets a server of its own: were it served by the app's workers, workers all
    # waiting for the sandbox's answers would leave none to give them (gunicorn then kills them).
    sandbox_dir = directory / "sandbox"
    sandbox_dir.mkdir(exist_ok=True)
    sandbox = scratch.Server(sandbox_dir, port=scratch.free_port())
    server = scratch.Server(directory, port=port)
    record = Record()
    try:
        sandbox.start()
        os.environ["SANDBOX_BASE_URL"] = f"{sandbox.base_url}/sandbox"
        # Publishes are sent at once, not held for an undo window (a task worker's job).
        os.environ["PUBLISH_UNDO_SECONDS"] = "0"
        server.start()
        faults.faults_configure(**FAULTS)
        start = Start(threading.Barrier(users + 1))
        threads = [
            threading.Thread(
                target=_user,
                args=(n, server.base_url, password),
                kwargs={
                    "draft": edited[n // 2],
                    "publish": published[n % len(published)],
                    "start": start,
                    "record": record,
                },
            )
            for n in range(users)
        ]
        for thread in threads:
            thread.start()
        start.deadline = time.monotonic() + seconds
        start.barrier.wait(timeout=300)
        start.deadline = time.monotonic() + seconds
        for thread in threads:
            # Bounded: a user stops at the deadline after at most one more round of requests.
            thread.join(timeout=seconds + 300)
        faults.faults_reset()
        if record.server_errors:
            print("The app server's log ends with:\n" + server.log_tail(lines=60))
    finally:
        server.stop()
        sandbox.stop()
    return report(record, edited=edited, published=published)


def report(record: Record, *, edited: list[int], published: list[int]) -> list[str]:
    problems = [f"HTTP 5xx: {line}" for line in record.server_errors[:20]]
    if len(record.server_errors) > 20:
        problems.append(f"... and {len(record.server_errors) - 20} more 5xx answers")
    for state, count in record.save_states.items():
        if state not in ("saved", "conflict"):
            problems.append(f"{count} save(s) answered neither saved nor stale: {state!r}")
    for pk in edited:
        campaign = Campaign.objects.get(pk=pk)
        accepted = sorted((version, typed) for draft, typed, version in record.saves if draft == pk)
        if not accepted:
            continue
        last_version, last_typed = accepted[-1]
        if campaign.body.get("content", {}).get("body") != last_typed:
            problems.append(
                f"draft {pk}: holds {campaign.body.get('content')!r}, the last accepted save "
                f"(version {last_version}) was {last_typed!r}"
            )
        if len({version for version, _ in accepted}) != len(accepted):
            problems.append(f"draft {pk}: two saves were both answered with one version")
        if campaign.version != last_version:
            problems.append(f"draft {pk}: version {campaign.version}, last save {last_version}")
    twice = SandboxCampaign.objects.values("name").annotate(n=Count("id")).filter(n__gt=1)
    problems += [f"campaign {row['name']!r} created {row['n']} times" for row in twice]
    silent = PublishAttempt.objects.filter(state=AttemptState.FAILED, error="")
    problems += [f"publish attempt {a.pk} failed without a reason" for a in silent]

    ordered = sorted(t for timings in record.timings.values() for t in timings)
    print(f"requests: {len(ordered)}; by status: {dict(sorted(record.statuses.items()))}")
    print(f"errors by kind: {dict(record.kinds.most_common())}")
    if ordered:
        p50, p95 = stats.percentile(ordered, 50), stats.percentile(ordered, 95)
        print(f"latency: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    for kind, timings in sorted(record.timings.items()):
        p95 = stats.percentile(sorted(timings), 95)
        print(f"  {kind}: {len(timings)} requests, p95 {p95 * 1000:.0f} ms")
    print(f"saves: {dict(record.save_states)}")
    attempts = Counter(PublishAttempt.objects.values_list("state", flat=True))
    created = SandboxCampaign.objects.count()
    print(f"publish attempts: {dict(attempts)}; sandbox campaigns: {created}")
    reasons = Counter(
        error.split(".")[0][:80]
        for error in PublishAttempt.objects.exclude(error="").values_list("error", flat=True)
    )
    for reason, count in reasons.most_common():
        print(f"  {count} × {reason}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("checks: " + ("passed" if not problems else f"{len(problems)} problem(s)"))
    return problems
