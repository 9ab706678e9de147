"""The CleverTap client: the only module in Campaign Studio that speaks HTTP.

Every operation returns a `CleverTapResult` or raises one `CleverTapError`, each carrying a redacted
record of the request so that the service layer can store every API call. The passcode is scrubbed
here, the one module that knows it: from the request record, the answer's data and the error
messages, wherever it appears, so whatever a caller stores or shows is already safe. Requests are
limited per account (`campaigns.clevertap_limits`), through the database shared by every thread and
process.

Call these functions outside `transaction.atomic()`: the limiter's rows must be visible to other
processes as soon as they are claimed, and an HTTP call should not hold a transaction open anyway.
"""

import dataclasses
import datetime
import json
import logging
import random
import re
import shlex
import time
import urllib.parse
from collections.abc import Iterable
from typing import Any

import httpx
from django.conf import settings

from campaigns import clevertap_limits

logger = logging.getLogger(__name__)

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

REDACTED = "***"
PASSCODE_HEADER = "X-CleverTap-Passcode"
# What an exported curl command names instead of the credentials.
CURL_PASSCODE = "$CLEVERTAP_PASSCODE"
CURL_ACCOUNT_ID = "$CLEVERTAP_ACCOUNT_ID"

# Kinds of failure, for code that reacts to them (the message is for people).
KIND_API = "api"
KIND_AUTH = "auth"
KIND_RATE_LIMITED = "rate_limited"
KIND_SERVER = "server"
KIND_TIMEOUT = "timeout"
KIND_CONNECTION = "connection"
KIND_BAD_RESPONSE = "bad_response"
KIND_CONFIGURATION = "configuration"

MESSAGE_API_ERROR = "CleverTap refused the request."
MESSAGE_AUTH = (
    "CleverTap rejected the credentials: check the region (CLEVERTAP_REGION or CLEVERTAP_API_HOST) "
    "and the account id and passcode."
)
MESSAGE_FORBIDDEN = (
    "CleverTap refused access: check that the passcode may use this API and that this server's "
    "address is allowed in CleverTap."
)
MESSAGE_NOT_FOUND = "CleverTap does not know this campaign: check the campaign id."
MESSAGE_RATE_LIMITED = "CleverTap received too many requests from this account: try again shortly."
MESSAGE_LOCAL_BUSY = (
    "Too many CleverTap requests for this account are already under way: try again shortly."
)
MESSAGE_SERVER = "CleverTap is unavailable at the moment: try again later."
MESSAGE_TIMEOUT = "CleverTap did not answer in time: try again later."
MESSAGE_CONNECTION = "Could not connect to CleverTap: check the network and the API host."
MESSAGE_BAD_RESPONSE = "CleverTap sent an answer that could not be read."
MESSAGE_OUTCOME_UNKNOWN = (
    "The request reached CleverTap but its answer was lost or unclear, so the campaign may or may "
    "not have been created or sent: check the campaign list in CleverTap before publishing again."
)
MESSAGE_UNKNOWN_REGION = (
    "CLEVERTAP_REGION {region!r} is not a CleverTap region: use one of in1, sg1, us1, aps3, "
    "mec1 or eu1, or set CLEVERTAP_API_HOST."
)
MESSAGE_NOT_CONFIGURED = (
    "CleverTap is not configured: set CLEVERTAP_ACCOUNT_ID and CLEVERTAP_PASSCODE, "
    "or enable the sandbox."
)


@dataclasses.dataclass(frozen=True)
class RequestRecord:
    """What was sent, safe to store and show: the passcode reads "***", header and body alike."""

    method: str
    url: str
    headers: dict[str, str]
    body: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class CleverTapResult:
    """A successful call. `duration_ms` covers the whole call: every attempt, waits included."""

    operation: str
    data: dict[str, Any]
    http_status: int
    duration_ms: int
    attempts: int
    request: RequestRecord


class CleverTapError(Exception):
    """Every way a CleverTap call can fail.

    `message` is for the user. `kind` is one of the KIND_* constants. `retry_safe` says whether
    sending the same request again cannot deliver a campaign twice; `outcome_unknown` says that a
    create or send may have reached CleverTap and been acted on although no success was seen.
    `attempts` counts the HTTP requests sent.
    """

    def __init__(
        self,
        *,
        message: str,
        kind: str,
        retry_safe: bool,
        outcome_unknown: bool = False,
        http_status: int | None = None,
        clevertap_error: str = "",
        clevertap_code: int | str | None = None,
        operation: str = "",
        request: RequestRecord | None = None,
        data: dict[str, Any] | None = None,
        attempts: int = 0,
        duration_ms: int = 0,
    ) -> None:
        self.message = message
        self.kind = kind
        self.retry_safe = retry_safe
        self.outcome_unknown = outcome_unknown
        self.http_status = http_status
        self.clevertap_error = clevertap_error
        self.clevertap_code = clevertap_code
        self.operation = operation
        self.request = request
        self.data = data
        self.attempts = attempts
        self.duration_ms = duration_ms
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = [self.message]
        if self.clevertap_error or self.clevertap_code is not None:
            said = self.clevertap_error or "no details"
            code = f" (code {self.clevertap_code})" if self.clevertap_code is not None else ""
            parts.append(f"CleverTap said: {said}{code}.")
        if self.http_status is not None:
            parts.append(f"[HTTP {self.http_status}]")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"CleverTapError(kind={self.kind!r}, message={self.message!r}, "
            f"http_status={self.http_status!r}, clevertap_error={self.clevertap_error!r}, "
            f"clevertap_code={self.clevertap_code!r}, retry_safe={self.retry_safe!r}, "
            f"outcome_unknown={self.outcome_unknown!r}, attempts={self.attempts!r})"
        )


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


# The operations


def estimate(*, endpoint: str, body: dict[str, Any], live: bool = False) -> CleverTapResult:
    """How many users a campaign would reach (nothing is sent); `live`: one try, no limiter wait."""
    if endpoint != ENDPOINT_CREATE and not SEND_ENDPOINT_RE.match(endpoint):
        raise ValueError(f"Not a campaign endpoint: {endpoint!r}")
    asked = {**body, "estimate_only": True}
    return _call(operation="estimate", endpoint=endpoint, body=asked, live=live)


def create(*, body: dict[str, Any]) -> CleverTapResult:
    """Create (publish) a campaign. Not idempotent: never retried once it may have arrived."""
    return _call(operation="create", endpoint=ENDPOINT_CREATE, body=_without_estimate_only(body))


def send(*, channel: str, body: dict[str, Any]) -> CleverTapResult:
    """Send a message to identities on one channel. Not idempotent, like create."""
    endpoint = f"send/{channel}.json"
    if not SEND_ENDPOINT_RE.match(endpoint):
        raise ValueError(f"Not a channel: {channel!r}")
    return _call(operation="send", endpoint=endpoint, body=_without_estimate_only(body))


def stop(*, campaign_id: int) -> CleverTapResult:
    """Stop a scheduled campaign; stopping a stopped one succeeds and does nothing."""
    return _call(operation="stop", endpoint=ENDPOINT_STOP, body={"id": campaign_id})


def result(*, campaign_id: int) -> CleverTapResult:
    """Report on a completed campaign (CleverTap refuses while it runs)."""
    return _call(operation="result", endpoint=ENDPOINT_RESULT, body={"id": campaign_id})


def campaign_list(*, date_from: datetime.date, date_to: datetime.date) -> CleverTapResult:
    """The campaigns created between two dates (inclusive), with id, name and status."""
    return _call(
        operation="list",
        endpoint=ENDPOINT_LIST,
        body={"from": _yyyymmdd(date_from), "to": _yyyymmdd(date_to)},
    )


def profile(*, identity: str = "", email: str = "", object_id: str = "") -> dict[str, Any] | None:
    """One user's profile, by exactly one of identity, email or object id: CleverTap's `record`
    (the identifiers, `profileData`, `events`, perhaps `platformInfo`; every key optional), or None
    when CleverTap knows no such user. In CleverTap's 3-concurrent group: single look-ups only."""
    lookup = {"identity": identity, "email": email, "objectId": object_id}
    lookup = {key: value for key, value in lookup.items() if value}
    if len(lookup) != 1:
        raise ValueError("Look a profile up by exactly one of identity, email or object_id")
    try:
        found = _call(operation="profile", endpoint=ENDPOINT_PROFILE, query=lookup, answer="record")
    except CleverTapError as error:
        if _profile_unknown(error):
            return None
        raise
    return found.data.get("record")


def _profile_unknown(error: CleverTapError) -> bool:
    """Whether CleverTap answered that it knows no such profile. Not documented: third-party code
    sees a `status: "fail"` body or an HTTP 400 (CLEVERTAP-READS.md §1), so both mean "no such
    profile"; credentials (401, 403), limits and server errors stay errors."""
    fail_body = error.data is not None and error.data.get("status") == "fail"
    return error.kind == KIND_API and (error.http_status == 400 or fail_body)


def message_reports(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    channels: Iterable[str] = (),
    statuses: Iterable[str] = (),
    labels: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Every campaign, dashboard-made ones too, whose start date is between two dates
    (inclusive), each row exactly as CleverTap sent it ("message id" with a space, message_name,
    channel, status, start_date like "22 Sep, 2024 10:30:00", labels, sent, viewed, clicked...).
    Slow for long ranges: call it from a background task, a week or two at a time. The filters
    take CleverTap's own values (channel "push", status "running"...)."""
    body: dict[str, Any] = {"from": date_from.strftime("%Y%m%d"), "to": date_to.strftime("%Y%m%d")}
    for key, values in (("channel", channels), ("status", statuses), ("label", labels)):
        if isinstance(values, str):
            raise ValueError(f"The {key} filter is a list of strings, not one string")
        if values:
            body[key] = list(values)
    found = _call(
        operation="message_reports", endpoint=ENDPOINT_MESSAGE_REPORTS, body=body, answer="messages"
    )
    return found.data.get("messages") or []


def _without_estimate_only(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "estimate_only"}


def _yyyymmdd(day: datetime.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


# Sending, classifying and retrying

# Operations that deliver messages: repeating one that may have arrived could deliver twice.
DELIVERING_OPERATIONS = frozenset({"create", "send"})
# Failures worth another attempt, for a delivering operation only when also `retry_safe`.
RETRYABLE_KINDS = frozenset({KIND_RATE_LIMITED, KIND_CONNECTION, KIND_TIMEOUT, KIND_SERVER})
# What a read's answer holds under its key. No capture of these reads shows a top-level `status`,
# so a body with the key succeeds without one; anything else under the key is unreadable.
READ_ANSWERS = {"record": dict, "messages": list}


@dataclasses.dataclass
class _Attempt:
    http_status: int | None = None
    data: dict[str, Any] | None = None
    error: CleverTapError | None = None


def _call(
    *,
    operation: str,
    endpoint: str,
    body: dict[str, Any] | None = None,
    query: dict[str, str] | None = None,
    answer: str = "",
    live: bool = False,
) -> CleverTapResult:
    """POST `body`, or without a body GET with `query` (URL-encoded). `answer`: the key of a
    read's answer (READ_ANSWERS). `live`: one try, no wait for the limiter's slots."""
    account = account_current()
    url = f"{account.base_url}/1/{endpoint}"
    if query:
        url += "?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
    method = "GET" if body is None else "POST"
    headers = {"X-CleverTap-Account-Id": account.account_id, PASSCODE_HEADER: account.passcode}
    if body is not None:
        headers["Content-Type"] = "application/json; charset=utf-8"
    record = RequestRecord(
        method=method,
        url=scrubbed(url, passcode=account.passcode),
        headers={**headers, PASSCODE_HEADER: REDACTED},
        body=scrubbed(body, passcode=account.passcode),
    )
    content = json.dumps(body).encode() if body is not None else None
    path = httpx.URL(url).path
    delivering = operation in DELIVERING_OPERATIONS
    max_attempts = 1 if live else max(1, settings.CLEVERTAP_MAX_ATTEMPTS)

    started = time.monotonic()
    attempts = 0

    def failed(error: CleverTapError, data: dict[str, Any] | None = None) -> CleverTapError:
        error.operation = operation
        error.request = record
        error.data = data
        error.attempts = attempts
        error.duration_ms = _ms_since(started)
        logger.warning(
            "CleverTap %s %s failed: %s after %d attempt(s)", method, path, error.kind, attempts
        )
        return error

    with http_client_build() as client:
        while True:
            try:
                with clevertap_limits.request_slots(
                    account_id=account.account_id,
                    # CleverTap counts every call to create.json, estimates included.
                    counts_as_create=endpoint == ENDPOINT_CREATE,
                    wait_seconds=0 if live else None,
                ):
                    attempts += 1
                    attempt_started = time.monotonic()
                    attempt = _attempt(
                        client=client,
                        method=method,
                        url=url,
                        content=content,
                        headers=headers,
                        delivering=delivering,
                        passcode=account.passcode,
                        answer=answer,
                    )
            except clevertap_limits.SlotsBusy:
                busy = CleverTapError(
                    message=MESSAGE_LOCAL_BUSY, kind=KIND_RATE_LIMITED, retry_safe=True
                )
                raise failed(busy) from None  # the limiter waited as long as it may: not sent
            logger.info(
                "CleverTap %s %s -> %s in %d ms (attempt %d)",
                method,
                path,
                attempt.http_status or attempt.error.kind,
                _ms_since(attempt_started),
                attempts,
            )
            if attempt.error is None:
                return CleverTapResult(
                    operation=operation,
                    data=attempt.data,
                    http_status=attempt.http_status,
                    duration_ms=_ms_since(started),
                    attempts=attempts,
                    request=record,
                )
            error = attempt.error
            retry = error.kind in RETRYABLE_KINDS and (error.retry_safe or not delivering)
            if not retry or attempts >= max_attempts:
                raise failed(error, attempt.data)
            time.sleep(_backoff_seconds(attempt=attempts))


def _attempt(
    *,
    client: httpx.Client,
    method: str,
    url: str,
    content: bytes | None,
    headers: dict[str, str],
    delivering: bool,
    passcode: str,
    answer: str,
) -> _Attempt:
    try:
        response = client.request(method, url, content=content, headers=headers)
    except httpx.TransportError as exc:
        error = _transport_error(exc, delivering=delivering)
        error.__cause__ = exc
        return _Attempt(error=error)
    return _response_read(response, delivering=delivering, passcode=passcode, answer=answer)


def _transport_error(exc: httpx.TransportError, *, delivering: bool) -> CleverTapError:
    """Classify a failure without an answer by whether the request can have left this machine."""
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return CleverTapError(message=MESSAGE_TIMEOUT, kind=KIND_TIMEOUT, retry_safe=True)
    if isinstance(exc, httpx.ConnectError | httpx.UnsupportedProtocol | httpx.LocalProtocolError):
        return CleverTapError(message=MESSAGE_CONNECTION, kind=KIND_CONNECTION, retry_safe=True)
    # Read or write timeout, connection reset or closed mid-exchange: the request may have arrived.
    kind = KIND_TIMEOUT if isinstance(exc, httpx.TimeoutException) else KIND_CONNECTION
    if delivering:
        return CleverTapError(
            message=MESSAGE_OUTCOME_UNKNOWN, kind=kind, retry_safe=False, outcome_unknown=True
        )
    return CleverTapError(
        message=MESSAGE_TIMEOUT if kind == KIND_TIMEOUT else MESSAGE_CONNECTION,
        kind=kind,
        retry_safe=True,
    )


def _response_read(
    response: httpx.Response, *, delivering: bool, passcode: str, answer: str = ""
) -> _Attempt:
    """Turn an answer into data or an error. CleverTap often fails with HTTP 200: read `status`."""
    status = response.status_code
    try:
        parsed = response.json()
    except ValueError:
        parsed = None
    data = scrubbed(parsed, passcode=passcode) if isinstance(parsed, dict) else None
    details: dict[str, Any] = {"http_status": status}
    if data is not None:
        details["clevertap_error"] = str(data.get("error") or "")
        details["clevertap_code"] = data.get("code")

    def failed(message: str, kind: str, *, unknown: bool = False) -> _Attempt:
        error = CleverTapError(
            message=MESSAGE_OUTCOME_UNKNOWN if unknown else message,
            kind=kind,
            retry_safe=not unknown,
            outcome_unknown=unknown,
            **details,
        )
        return _Attempt(http_status=status, data=data, error=error)

    if status == 401:
        return failed(MESSAGE_AUTH, KIND_AUTH)
    if status == 403:
        return failed(MESSAGE_FORBIDDEN, KIND_AUTH)
    if status == 429:
        return failed(MESSAGE_RATE_LIMITED, KIND_RATE_LIMITED)
    if status >= 500:
        # A server error after the request arrived proves nothing about what CleverTap did.
        return failed(MESSAGE_SERVER, KIND_SERVER, unknown=delivering)
    if status == 404:
        return failed(MESSAGE_NOT_FOUND, KIND_API)
    if status >= 400:
        return failed(MESSAGE_API_ERROR, KIND_API)
    if not 200 <= status < 300:
        return failed(MESSAGE_BAD_RESPONSE, KIND_BAD_RESPONSE)
    if data is not None and answer and data.get(answer) is not None:
        held = data[answer]
        if not isinstance(held, READ_ANSWERS[answer]) or (
            isinstance(held, list) and not all(isinstance(row, dict) for row in held)
        ):
            return failed(MESSAGE_BAD_RESPONSE, KIND_BAD_RESPONSE)
        if "status" not in data:
            return _Attempt(http_status=status, data=data)
    if data is None or "status" not in data:
        return failed(MESSAGE_BAD_RESPONSE, KIND_BAD_RESPONSE, unknown=delivering)
    if data["status"] != "success":
        return failed(MESSAGE_API_ERROR, KIND_API)
    return _Attempt(http_status=status, data=data)


def scrubbed(value: Any, *, passcode: str) -> Any:
    """`value` with the passcode replaced wherever it appears, in keys and strings alike."""
    if not passcode:
        return value
    if isinstance(value, str):
        return value.replace(passcode, REDACTED)
    if isinstance(value, dict):
        return {
            scrubbed(key, passcode=passcode): scrubbed(item, passcode=passcode)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [scrubbed(item, passcode=passcode) for item in value]
    return value


def _backoff_seconds(*, attempt: int) -> float:
    """Exponential backoff with jitter, so that waiting clients do not all come back at once."""
    base = settings.CLEVERTAP_RETRY_BASE_DELAY
    cap = settings.CLEVERTAP_RETRY_MAX_DELAY
    return min(cap, base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
