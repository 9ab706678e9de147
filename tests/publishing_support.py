"""Fixtures and helpers shared by the estimate, publish and task tests (no tests of its own).

Import the fixtures by their function names (`people_fixture`, `sandbox_fixture`); tests ask for
them as `people` and `sandbox`.

`sandbox` points the app's CleverTap client at the sandbox app served by pytest-django's
live_server, over real HTTP, with a distinctive passcode and a small known audience.
"""

import os
import signal
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections

from campaigns import payloads, services
from campaigns.models import Api, Approval, Campaign
from campaigns.publishing import attempts, confirm
from devtools import demo
from sandbox import faults, limits
from sandbox.models import Profile, ReceivedRequest, SandboxCampaign

PASSCODE = "Zq7-DISTINCT-passcode-4411"
ANDROID_USERS = 12
IOS_USERS = 7

PUSH_BODY = {
    "name": "Spring sale push",
    "target_mode": "push",
    "where": {},
    "when": "now",
    "content": {"title": "Spring sale", "body": "Up to 40% off"},
}


@pytest.fixture(name="people")
def people_fixture(db, settings) -> dict[str, Any]:
    """The demo users (composer, reviewer, publisher, admin) with their roles, by name."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Publishing at once: the undo window is tested with the review (tests/test_review_publish.py).
    settings.PUBLISH_UNDO_SECONDS = 0
    demo.demo_users_ensure()
    User = get_user_model()
    return {user.username: user for user in User.objects.all()}


@pytest.fixture(name="sandbox")
def sandbox_fixture(live_server, settings) -> Any:
    """The client talks to the sandbox over HTTP; the audience: 12 Android and 7 iOS users."""
    settings.CLEVERTAP_CONFIGURED = False
    settings.SANDBOX_ENABLED = True
    settings.SANDBOX_BASE_URL = f"{live_server.url}/sandbox"
    settings.SANDBOX_PASSCODE = PASSCODE
    settings.CLEVERTAP_RETRY_BASE_DELAY = 0.01
    settings.CLEVERTAP_LIMIT_POLL_SECONDS = 0.01
    settings.CLEVERTAP_READ_TIMEOUT = 10.0
    limits.limits_reset()
    faults.faults_reset()
    profiles_create(android=ANDROID_USERS, ios=IOS_USERS)
    yield live_server
    faults.faults_reset()
    limits.limits_reset()


def profiles_create(*, android: int = 0, ios: int = 0, emails: list[str] | None = None) -> None:
    rows = [
        Profile(
            identity=f"android-{n}", object_id=f"a{n}", has_android=True, last_push_device="android"
        )
        for n in range(android)
    ]
    rows += [
        Profile(identity=f"ios-{n}", object_id=f"i{n}", has_ios=True, last_push_device="ios")
        for n in range(ios)
    ]
    rows += [
        Profile(identity=email, email=email, object_id=f"e{n}")
        for n, email in enumerate(emails or [])
    ]
    Profile.objects.bulk_create(rows)


def draft(
    user,
    body: dict | None = None,
    *,
    api: str = Api.TARGETS,
    channel: str = "push",
    approved: bool = True,
):
    campaign = services.campaign_create(
        user=user, api=api, channel=channel, body=dict(PUSH_BODY if body is None else body)
    )
    if approved:
        approval_stand(campaign)
    return campaign


def approval_stand(campaign: Campaign) -> Approval:
    """A standing approval of the draft's body as it is, by the demo reviewer, its status left
    alone: publishing needs one (`guards.publish_refusal`); these tests are about what follows."""
    return Approval.objects.create(
        campaign=campaign,
        version=campaign.version,
        body_hash=payloads.body_hash(campaign.body),
        reviewer=get_user_model().objects.get(username="reviewer"),
    )


def email_send_body(emails: list[str]) -> dict[str, Any]:
    return {
        "to": {"Email": emails},
        "tag_group": "welcome",
        "content": {"subject": "Welcome", "body": "<p>Hello</p>", "sender_name": "Shop"},
    }


def emails(count: int, start: int = 0) -> list[str]:
    return [f"user{n}@example.com" for n in range(start, start + count)]


def identity_send(people: dict[str, Any], addresses: list[str]):
    """A published identity send (batches recorded and queued), not sent yet."""
    campaign = draft(people["composer"], email_send_body(addresses), api="send", channel="email")
    token = confirm.publish_confirmation(campaign=campaign, user=people["publisher"]).token
    attempt = attempts.campaign_publish(
        campaign=campaign, user=people["publisher"], confirmation_token=token
    )
    return campaign, attempt


def sent_batches() -> list[dict]:
    """The `to` of every identity send the sandbox received, in the order received."""
    return [request.body["to"] for request in received("send/email.json")]


def received(path_end: str) -> list[ReceivedRequest]:
    """What the sandbox received on an endpoint ("targets/create.json", "send/email.json")."""
    return list(ReceivedRequest.objects.filter(path__endswith=f"/1/{path_end}").order_by("id"))


def creates_received() -> list[ReceivedRequest]:
    """Create requests that were not estimates: each one is a campaign CleverTap would create."""
    return [
        request
        for request in received("targets/create.json")
        if isinstance(request.body, dict)
        and request.body.get("estimate_only") is not True
        and "request_id" not in request.body
    ]


def log_is_exact() -> bool:
    """Whether the sandbox's request log keeps every line under concurrent requests.

    The sandbox never fails a request for its log: on the tests' shared-cache memory SQLite a log
    line written while other threads hold table locks can be dropped. PostgreSQL keeps them all.
    """
    return connection.vendor != "sqlite"


def sandbox_campaigns() -> list[SandboxCampaign]:
    return list(SandboxCampaign.objects.order_by("id"))


def in_threads(count: int, call: Callable[[int], Any]) -> list[Any]:
    """Run `call(i)` in `count` threads released together; their results or exceptions."""
    outcomes: list[Any] = [None] * count
    start = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            start.wait()
            outcomes[index] = call(index)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def fresh(campaign: Campaign) -> Campaign:
    return Campaign.objects.get(pk=campaign.pk)


def database_url() -> str:
    """The test database, for another process (a file on SQLite, a server on PostgreSQL)."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}"
    )


def worker_environment() -> dict[str, str]:
    """The environment of a task worker in its own process: the test database, the sandbox."""
    return {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "SANDBOX_BASE_URL": settings.SANDBOX_BASE_URL,
        "SANDBOX_PASSCODE": PASSCODE,
        "CLEVERTAP_ACCOUNT_ID": "",
        "CLEVERTAP_PASSCODE": "",
    }


def worker_run() -> None:
    """The real worker command, in this process: process the queue, then exit."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0
        )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
