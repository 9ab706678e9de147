"""Sending, classifying and retrying: one call to CleverTap, through the limiter, with its
attempts, each answer read and classified, retried only where that cannot deliver twice."""

import dataclasses
import json
import logging
import random
import time
import urllib.parse
from typing import Any

import httpx
from django.conf import settings

from campaigns import clevertap_limits
from campaigns.clevertap.account import (
    ENDPOINT_CREATE,
    PASSCODE_HEADER,
    account_current,
    http_client_build,
)
from campaigns.clevertap.results import (
    KIND_API,
    KIND_AUTH,
    KIND_BAD_RESPONSE,
    KIND_CONNECTION,
    KIND_RATE_LIMITED,
    KIND_SERVER,
    KIND_TIMEOUT,
    MESSAGE_API_ERROR,
    MESSAGE_AUTH,
    MESSAGE_BAD_RESPONSE,
    MESSAGE_CONNECTION,
    MESSAGE_FORBIDDEN,
    MESSAGE_LOCAL_BUSY,
    MESSAGE_NOT_FOUND,
    MESSAGE_OUTCOME_UNKNOWN,
    MESSAGE_RATE_LIMITED,
    MESSAGE_SERVER,
    MESSAGE_TIMEOUT,
    REDACTED,
    CleverTapError,
    CleverTapResult,
    RequestRecord,
    scrubbed,
)

# The client's one log, named as the package callers know.
logger = logging.getLogger("campaigns.clevertap")

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


def call(
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


def _backoff_seconds(*, attempt: int) -> float:
    """Exponential backoff with jitter, so that waiting clients do not all come back at once."""
    base = settings.CLEVERTAP_RETRY_BASE_DELAY
    cap = settings.CLEVERTAP_RETRY_MAX_DELAY
    return min(cap, base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
