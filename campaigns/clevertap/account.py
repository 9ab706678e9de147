"""Which CleverTap account a call goes to (the configured one, or the sandbox), its base URL
by region, the HTTP client, and the request as a curl command."""

import dataclasses
import json
import re
import shlex
from typing import Any

import httpx
from django.conf import settings

from campaigns.clevertap.results import (
    KIND_CONFIGURATION,
    MESSAGE_NOT_CONFIGURED,
    MESSAGE_UNKNOWN_REGION,
    CleverTapError,
)

# Region -> API host, from CleverTap's public pages. eu1 is the default and has no prefix.
REGION_HOSTS = {
    "in1": "in1.api.clevertap.com",
    "sg1": "sg1.api.clevertap.com",
    "us1": "us1.api.clevertap.com",
    "aps3": "aps3.api.clevertap.com",
    "mec1": "mec1.api.clevertap.com",
    "eu1": "api.clevertap.com",
}
DEFAULT_REGION = "eu1"

ENDPOINT_CREATE = "targets/create.json"
ENDPOINT_STOP = "targets/stop.json"
ENDPOINT_RESULT = "targets/result.json"
ENDPOINT_LIST = "targets/list.json"
ENDPOINT_PROFILE = "profile.json"
ENDPOINT_MESSAGE_REPORTS = "message/report.json"
SEND_ENDPOINT_RE = re.compile(r"^send/([a-z]+)\.json$")

PASSCODE_HEADER = "X-CleverTap-Passcode"
# What an exported curl command names instead of the credentials.
CURL_PASSCODE = "$CLEVERTAP_PASSCODE"
CURL_ACCOUNT_ID = "$CLEVERTAP_ACCOUNT_ID"


@dataclasses.dataclass(frozen=True)
class Account:
    """Where to send requests and as whom."""

    base_url: str
    account_id: str
    passcode: str = dataclasses.field(repr=False)


def account_current() -> Account:
    """The configured CleverTap account, or the sandbox's when no credentials are configured."""
    if settings.CLEVERTAP_CONFIGURED:
        return Account(
            base_url=base_url_for(
                region=settings.CLEVERTAP_REGION,
                host=settings.CLEVERTAP_API_HOST,
            ),
            account_id=settings.CLEVERTAP_ACCOUNT_ID,
            passcode=settings.CLEVERTAP_PASSCODE,
        )
    if not settings.SANDBOX_ENABLED:
        raise CleverTapError(
            message=MESSAGE_NOT_CONFIGURED, kind=KIND_CONFIGURATION, retry_safe=True
        )
    return Account(
        base_url=settings.SANDBOX_BASE_URL.rstrip("/"),
        account_id=settings.SANDBOX_ACCOUNT_ID,
        passcode=settings.SANDBOX_PASSCODE,
    )


def base_url_for(*, region: str, host: str = "") -> str:
    """`https://<host>` for a region, or the host override (with or without a scheme)."""
    host = host.strip().rstrip("/")
    if host:
        return host if "://" in host else f"https://{host}"
    region_host = REGION_HOSTS.get(region.strip().lower() or DEFAULT_REGION)
    if region_host is None:
        raise CleverTapError(
            message=MESSAGE_UNKNOWN_REGION.format(region=region),
            kind=KIND_CONFIGURATION,
            retry_safe=True,
        )
    return f"https://{region_host}"


def base_url_shown() -> str:
    """The base URL an exported request names: the account's, else the configured region's, else
    the default region's. Never an error: an export is shown even with nothing configured."""
    try:
        return account_current().base_url
    except CleverTapError:
        pass
    try:
        return base_url_for(region=settings.CLEVERTAP_REGION, host=settings.CLEVERTAP_API_HOST)
    except CleverTapError:
        return f"https://{REGION_HOSTS[DEFAULT_REGION]}"


def curl_command(*, endpoint: str, body: dict[str, Any]) -> str:
    """The whole request as a curl command; the credentials stay environment variables."""
    url = base_url_shown() + "/1/" + endpoint
    return (
        f"curl -X POST {shlex.quote(url)} \\\n"
        f'  -H "X-CleverTap-Account-Id: {CURL_ACCOUNT_ID}" \\\n'
        f'  -H "{PASSCODE_HEADER}: {CURL_PASSCODE}" \\\n'
        '  -H "Content-Type: application/json; charset=utf-8" \\\n'
        f"  -d {shlex.quote(json.dumps(body, ensure_ascii=False))}"
    )


def http_transport() -> httpx.BaseTransport | None:
    """The transport every call uses; None means the network. Tests replace this function."""
    return None


def http_client_build() -> httpx.Client:
    """One client per call: simple, and nothing is shared between threads."""
    connect = settings.CLEVERTAP_CONNECT_TIMEOUT
    read = settings.CLEVERTAP_READ_TIMEOUT
    return httpx.Client(
        transport=http_transport(),
        timeout=httpx.Timeout(connect=connect, read=read, write=read, pool=connect),
        follow_redirects=False,
    )
