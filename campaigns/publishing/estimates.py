"""Estimates: the reach of a saved draft, stored with the version it was made for.

Targets drafts are asked of CleverTap (`estimate_only`, and `async_estimate` when asked, then
polled by request id); identity-list drafts are counted here (unique identities per type and the
requests they need), and a sample of their identities is looked up in CleverTap (`recipients`).
A draft with problems is not sent: its errors are stored at their fields.
"""

import functools
import math
import re
from typing import Any

from django.conf import settings
from django.template.defaultfilters import pluralize
from django.utils import timezone

from campaigns import clevertap, identities, models, payloads, roles, selectors
from campaigns.forms.base import PayloadError
from campaigns.jsonpath import Path, format_path
from campaigns.publishing import audience_keys, reach_cache, recipients, records

ESTIMATE_PERMISSIONS = (
    roles.CHANGE_PERMISSION,
    roles.REVIEW_PERMISSION,
    roles.PUBLISH_PERMISSION,
)
# The option that asks CleverTap for a request id instead of waiting for the estimate.
ASYNC_ESTIMATE = "async_estimate"
# What CleverTap's answer to a background estimate's request id says while it is not ready.
ASYNC_STATES_WAITING = frozenset({"pending", "processing", "queued", "running"})

# Messages people see.
ESTIMATE_HAS_ERRORS = (
    "Not estimated: this draft has {count} problem{plural}, shown at {their} field{plural}. "
    "CleverTap would refuse it as it is."
)
ESTIMATE_FAILED = "CleverTap could not estimate this draft. {error}"
ESTIMATE_UNREADABLE = "CleverTap answered without an estimate that could be read."
ESTIMATE_NO_REQUEST_ID = (
    "CleverTap accepted the background estimate but sent no request id to ask for it with: "
    "estimate again without “in the background”."
)
ESTIMATE_TIMED_OUT = (
    "CleverTap had not finished the estimate after {seconds} seconds ({polls} checks of request "
    "{request_id}), so Campaign Studio stopped waiting. Nothing was sent: estimate again later, or "
    "without “in the background”."
)
ESTIMATE_CHANGED = (
    "The draft changed since this estimate (estimated version {estimated}, now version "
    "{current}): estimate again to see the reach of what would be sent."
)


def estimate_stale_message(*, estimate: models.Estimate, campaign: models.Campaign) -> str:
    """Why this estimate no longer describes the draft, or "" when it still does."""
    if estimate.version == campaign.version:
        return ""
    return ESTIMATE_CHANGED.format(estimated=estimate.version, current=campaign.version)


def campaign_estimate(
    *, campaign: models.Campaign, user, async_estimate: bool = False
) -> models.Estimate:
    """Estimate the reach of the saved draft, stored with the version it was made for.

    With `async_estimate`, CleverTap answers with a request id, polled by `estimate_refresh`.
    """
    roles.require_any(user, *ESTIMATE_PERMISSIONS)
    campaign = selectors.campaign_with_people(campaign.pk)
    endpoint = payloads.endpoint(campaign.api, campaign.channel)
    estimate = models.Estimate(
        campaign=campaign,
        version=campaign.version,
        body_hash=payloads.body_hash(campaign.body),
        endpoint=endpoint,
        audience_key=audience_keys.audience_key(campaign.body, endpoint=endpoint),
        user=user,
    )
    if campaign.api == models.Api.SEND:
        to = identities.unique_identities(campaign.body.get("to"))
        estimate.result = {kind: len(values) for kind, values in to.items() if values}
        estimate.total = identities.count(to)
        estimate.requests = math.ceil(estimate.total / identities.MAX_PER_REQUEST)
        estimate.state = models.EstimateState.READY
        estimate.save()
        recipients.recipient_check(campaign=campaign, user=user, estimate=estimate)
        return estimate
    errors = selectors.campaign_errors(campaign)
    if errors:
        count = len(errors)
        estimate.state = models.EstimateState.FAILED
        estimate.error = ESTIMATE_HAS_ERRORS.format(
            count=count, plural=pluralize(count), their="its" if count == 1 else "their"
        )
        estimate.errors = path_errors(errors)
        estimate.save()
        return estimate
    body = {**campaign.body, ASYNC_ESTIMATE: True} if async_estimate else campaign.body
    estimate.save()
    return _estimate_ask(estimate, body=body, user=user, waiting=async_estimate)


def estimate_refresh(*, estimate: models.Estimate, user) -> models.Estimate:
    """Ask CleverTap again for a background estimate, or give up after the timeout."""
    roles.require_any(user, *ESTIMATE_PERMISSIONS)
    if estimate.state != models.EstimateState.PENDING:
        return estimate
    timeout = settings.ESTIMATE_ASYNC_TIMEOUT_SECONDS
    if (timezone.now() - estimate.created_at).total_seconds() >= timeout:
        estimate.state = models.EstimateState.TIMED_OUT
        estimate.error = ESTIMATE_TIMED_OUT.format(
            seconds=round(timeout), polls=estimate.polls, request_id=estimate.request_id
        )
        estimate.save()
        return estimate
    estimate.polls += 1
    # The follow-up call names the request alone (clevertap.estimate adds estimate_only).
    return _estimate_ask(
        estimate, body={"request_id": estimate.request_id}, user=user, waiting=True
    )


def _estimate_ask(estimate: models.Estimate, *, body: dict, user, waiting: bool) -> models.Estimate:
    """Ask CleverTap for the estimate with `body` and store its answer, or why it failed."""
    campaign = estimate.campaign
    try:
        result = records.api_call(
            lambda: clevertap.estimate(endpoint=estimate.endpoint, body=body),
            campaign=campaign,
            user=user,
            estimate=estimate,
        )
    except clevertap.CleverTapError as error:
        estimate_failed(estimate, error, campaign=campaign)
    else:
        estimate_read(estimate, result.data, waiting=waiting)
    estimate.save()
    reach_cache.answer_remember(estimate)
    return estimate


def estimate_progress(*, estimate: models.Estimate) -> dict[str, int]:
    """How long a background estimate has waited, against the timeout (for a progress bar)."""
    timeout = settings.ESTIMATE_ASYNC_TIMEOUT_SECONDS
    waited = (timezone.now() - estimate.created_at).total_seconds()
    return {
        "waited": round(waited),
        "timeout": round(timeout),
        "percent": max(0, min(100, round(100 * waited / timeout))) if timeout else 100,
    }


def estimate_read(estimate: models.Estimate, data: dict[str, Any], *, waiting: bool) -> None:
    """Store CleverTap's answer: counts, or (for a background estimate) the request id to poll."""
    counts = data.get("estimates")
    still_computing = str(data.get("state") or "").lower() in ASYNC_STATES_WAITING
    if isinstance(counts, dict) and not still_computing:
        numbers = {
            str(key): value
            for key, value in counts.items()
            if isinstance(value, int) and not isinstance(value, bool)
        }
        estimate.result = numbers
        estimate.total = sum(numbers.values())
        estimate.state = models.EstimateState.READY
        estimate.error = ""
        return
    if not waiting:
        estimate.state = models.EstimateState.FAILED
        estimate.error = ESTIMATE_UNREADABLE
        return
    estimate.request_id = estimate.request_id or _request_id(data)
    if not estimate.request_id:
        estimate.state = models.EstimateState.FAILED
        estimate.error = ESTIMATE_NO_REQUEST_ID
        return
    estimate.state = models.EstimateState.PENDING


def _request_id(data: dict[str, Any]) -> str:
    for key in ("request_id", "requestId", "req_id"):
        value = data.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)
    return ""


def estimate_failed(
    estimate: models.Estimate,
    error: clevertap.CleverTapError,
    *,
    campaign: models.Campaign,
    body: dict | None = None,
) -> None:
    """Store why CleverTap gave no estimate, with the fields of `body` (the saved one by default)
    that its message names."""
    estimate.state = models.EstimateState.FAILED
    estimate.error = ESTIMATE_FAILED.format(error=str(error))
    estimate.errors = named_field_errors(
        error.clevertap_error,
        body=campaign.body if body is None else body,
        api=campaign.api,
        channel=campaign.channel,
    )


def path_errors(errors: list[PayloadError]) -> list[dict[str, Any]]:
    """Errors as an estimate stores them: JSON path, message, and the composer field."""
    return [
        {"path": error.where, "message": error.message, "field": error.field or ""}
        for error in errors
    ]


def named_field_errors(message: str, *, body: dict, api: str, channel: str) -> list[dict]:
    """The body paths a CleverTap error message names, with their composer fields.

    CleverTap names keys in its messages ("Invalid target_mode", '"where" has to be an object').
    A key counts as named when it reads like one: with an underscore, a dot or a bracket
    (`upper_cap_for_target_segment`, `when.start_time`), or quoted; a plain word such as
    "segment" in "the target segment" does not. The most specific path named wins.
    """
    if not message or not isinstance(body, dict):
        return []
    named: list[Path] = []
    for path in _body_paths(body):
        text = re.escape(format_path(path))
        quoted = rf"[\"'`]{text}[\"'`]"
        bare = rf"(?<![\w.$\[-]){text}(?![\w$-])"
        identifier_like = any(mark in format_path(path) for mark in "_.[")
        if re.search(quoted, message) or (identifier_like and re.search(bare, message)):
            named.append(path)
    # Drop a path when a longer one under it is also named: the message is about the leaf.
    leaves = [p for p in named if not any(o != p and o[: len(p)] == p for o in named)]
    fields = _field_names(api, channel)
    return [
        {"path": format_path(path), "message": message, "field": fields.get(path, "")}
        for path in leaves
    ]


def _body_paths(node: Any, base: Path = ()) -> list[Path]:
    found: list[Path] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append(base + (key,))
            found += _body_paths(value, base + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _body_paths(value, base + (index,))
    return found


@functools.cache
def _field_names(api: str, channel: str) -> dict[Path, str]:
    """Body path -> the composer's HTML field name, for the fields of its top-level forms."""
    return {
        path: f"{section.prefix}-{name}"
        for section in payloads.sections(api, channel)
        for name, path in section.form.paths.items()
    }
