"""The operations: estimate, create, send, stop, result, the campaign list, a profile, message
reports; each one call (`calls.call`)."""

import datetime
from collections.abc import Iterable
from typing import Any

from campaigns.clevertap.account import (
    ENDPOINT_CREATE,
    ENDPOINT_LIST,
    ENDPOINT_MESSAGE_REPORTS,
    ENDPOINT_PROFILE,
    ENDPOINT_RESULT,
    ENDPOINT_STOP,
    SEND_ENDPOINT_RE,
)
from campaigns.clevertap.calls import call as _call
from campaigns.clevertap.results import KIND_API, CleverTapError, CleverTapResult


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
