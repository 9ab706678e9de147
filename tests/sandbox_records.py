"""The sandbox's audience as the `sandbox` fixture seeds it, and what the sandbox received."""

from django.db import connection

from sandbox.models import Profile, ReceivedRequest, SandboxCampaign

PASSCODE = "Zq7-DISTINCT-passcode-4411"
ANDROID_USERS = 12
IOS_USERS = 7
# The sandbox's fault switch with every fault on.
FAULTS_ON = {
    "latency_ms": 250,
    "error_rate": 0.2,
    "error_status": 503,
    "drop_rate": 0.1,
    "malformed_rate": 0.05,
    "seed": 9,
}


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


def sent_batches() -> list[dict]:
    """The `to` of every identity send the sandbox received, in the order received."""
    return [request.body["to"] for request in received("send/email.json")]


def sandbox_campaigns() -> list[SandboxCampaign]:
    return list(SandboxCampaign.objects.order_by("id"))


def log_is_exact() -> bool:
    """Whether the sandbox's request log keeps every line under concurrent requests.

    The sandbox never fails a request for its log: on the tests' shared-cache memory SQLite a log
    line written while other threads hold table locks can be dropped. PostgreSQL keeps them all.
    """
    return connection.vendor != "sqlite"
