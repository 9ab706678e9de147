"""Estimating and publishing: every side effect that talks to CleverTap goes through here.

What is sent is always the draft's own body (`campaign.body`, the one the composer built and the
preview shows); estimate adds `estimate_only` (and `async_estimate` when asked), publish sends it
as it is. Every call is stored as an `ApiCall` with the client's redacted request record.

Publishing is safe to ask for more than once. The attempt is recorded before CleverTap is called,
under an idempotency key derived from the draft version, and at most one attempt per campaign is
"live" (not surely failed): both are unique in the database, so of any number of simultaneous
requests one is recorded and only that one is sent. An attempt whose outcome is unknown (the
answer was lost) blocks publishing again until CleverTap's campaign list has been checked.

Identity sends are split into batches of at most 1000 identities, recorded with the attempt and
sent by a background task (`campaigns.tasks.send_batches`). A batch is claimed by one conditional
UPDATE before it is sent, so no batch is ever sent twice by two workers or after a restart; a
batch whose answer was lost is "unknown" and only a person can send it again. Workers queue again
the sends whose worker stopped or died (`sends_stalled_resume`).

Call these functions outside `transaction.atomic()`: they commit their records before calling
CleverTap, so that the record exists whatever happens to the call.
"""

import dataclasses
import datetime
import functools
import hashlib
import json
import logging
import math
import re
import threading
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.tasks import TaskResult, TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.template.defaultfilters import pluralize
from django.utils import timezone

from campaigns import (
    clevertap,
    identities,
    models,
    payloads,
    previews,
    review,
    roles,
    selectors,
    tasks,
)
from campaigns.forms.base import PayloadError
from campaigns.jsonpath import Path, format_path

logger = logging.getLogger(__name__)

ESTIMATE_PERMISSIONS = (
    roles.CHANGE_PERMISSION,
    roles.REVIEW_PERMISSION,
    roles.PUBLISH_PERMISSION,
)
# Statuses a draft may be published from; a standing approval of its exact body is needed besides
# (`review.publish_refusal`).
PUBLISHABLE = (models.Status.DRAFT, models.Status.IN_REVIEW, models.Status.APPROVED)
# The option that asks CleverTap for a request id instead of waiting for the estimate.
ASYNC_ESTIMATE = "async_estimate"
# What CleverTap's answer to a background estimate's request id says while it is not ready.
ASYNC_STATES_WAITING = frozenset({"pending", "processing", "queued", "running"})
CONFIRMATION_SALT = "campaigns.publishing.confirmation"

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
CONFIRMATION_INVALID = "This confirmation is not valid: open the confirmation page again."
CONFIRMATION_EXPIRED = (
    "This confirmation is more than {minutes} minutes old: nothing was published. Look at the "
    "campaign again and confirm."
)
DRAFT_CHANGED = (
    "The draft changed after you confirmed it (you confirmed version {confirmed}, it is now "
    "version {current}): nothing was published. Look at the new version and confirm again."
)
NOT_PUBLISHABLE = (
    "This campaign is {status}: it cannot be published again. Clone it to publish a copy."
)
HAS_ERRORS = (
    "This draft has {count} problem{plural}: nothing was published. "
    "Fix {them} in the composer first."
)
ALREADY_PUBLISHED = "This campaign is already published (CleverTap campaign {clevertap_id})."
ALREADY_SENDING = (
    "This campaign is already being published ({state}, started by {user} at {time}): it is "
    "not sent twice."
)
ALREADY_UNKNOWN = (
    "An earlier publish of this campaign has an unknown outcome: check CleverTap's campaign list "
    "before publishing again."
)
ALREADY_PARTLY_SENT = (
    "Some batches of the earlier send of this campaign failed: retry them on its publishing page "
    "rather than publishing again."
)
PUBLISH_FAILED = "Not published: the draft is unchanged. {error}"
PUBLISH_UNKNOWN = (
    "{error} Use “Check CleverTap's campaign list” on this page: it records the campaign if it "
    "was created, or lets you publish again if it was not."
)
PUBLISH_NO_ID = "CleverTap said the campaign was created but sent no campaign id."
CHECK_NOT_NEEDED = "Only a publish whose outcome is unknown needs checking."
CHECK_NOT_FOR_SENDS = (
    "Sends by identity do not appear in CleverTap's campaign list: look at the batches instead."
)
CHECK_FOUND = (
    "Found “{name}” in CleverTap's campaign list (id {clevertap_id}, {status}): the publish "
    "went through, and is now recorded."
)
CHECK_NOT_FOUND = (
    "No campaign named “{name}” was created in CleverTap from {date_from} to {date_to}: the "
    "publish did not go through, and the draft can be published again."
)
CHECK_FAILED = "Could not read CleverTap's campaign list: nothing was changed. {error}"
NOT_STOPPABLE = "Only a campaign CleverTap created can be stopped: this one has no CleverTap id."
STOP_FAILED = "Not stopped: {error}"
STOPPED = "Stopped CleverTap campaign {clevertap_id}."
REPORT_FAILED = "No report: {error}"
NO_CAMPAIGN = "This campaign has not been published: there is nothing to stop or report on."
BATCH_NOT_RETRYABLE = "Only a failed batch can be sent again; batch {number} is {state}."
BATCH_UNKNOWN_CONFIRM = (
    "Batch {number} may already have been delivered (its answer was lost): confirm that it "
    "should be sent again."
)
BATCH_RETRY_BLOCKED = (
    "The campaign was published again since this send: its batches can no longer be retried."
)
BATCH_QUEUED = "Batch {number} will be sent again."
RESUME_NOTHING = "Nothing is waiting to be sent."
RESUMED = "Sending resumes: {count} batch{plural} waiting."
BATCHES_FAILED = "{failed} of {total} batches failed: retry them one by one below."
BATCHES_UNKNOWN = (
    "{unknown} of {total} batches have an unknown outcome (their answer was lost, or the worker "
    "stopped while sending them): they are not sent again unless you ask."
)
BATCH_LEFT_SENDING = (
    "The worker stopped while sending this batch, so it may or may not have been delivered."
)


class PublishingError(Exception):
    """A refusal or failure with a message for people (`str(error)`)."""


class ConfirmationRefused(PublishingError):
    pass


class NotPublishable(PublishingError):
    pass


class AlreadyPublishing(PublishingError):
    """Another attempt holds this campaign (or this version): `attempt` is that one."""

    def __init__(self, message: str, attempt: models.PublishAttempt | None):
        super().__init__(message)
        self.attempt = attempt


# Helpers shared by every operation


def body_hash(body: Any) -> str:
    """A digest of a body's JSON, independent of key order."""
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _fresh(campaign: models.Campaign) -> models.Campaign:
    return models.Campaign.objects.select_related("owner", "updated_by").get(pk=campaign.pk)


def _passcode() -> str:
    try:
        return clevertap.account_current().passcode
    except clevertap.CleverTapError:
        return ""


def _scrubbed(value: Any, passcode: str) -> Any:
    """`value` with the passcode replaced wherever it appears, in keys and strings alike."""
    if not passcode:
        return value
    if isinstance(value, str):
        return value.replace(passcode, clevertap.REDACTED)
    if isinstance(value, dict):
        return {_scrubbed(k, passcode): _scrubbed(v, passcode) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, passcode) for item in value]
    return value


def _api(
    call: Callable[[], clevertap.CleverTapResult],
    *,
    campaign: models.Campaign | None,
    user=None,
    attempt: models.PublishAttempt | None = None,
    batch: models.SendBatch | None = None,
    estimate: models.Estimate | None = None,
) -> clevertap.CleverTapResult:
    """Make one CleverTap call and store it as an ApiCall, whatever its outcome."""
    try:
        result = call()
    except clevertap.CleverTapError as error:
        outcome = models.CallOutcome.UNKNOWN if error.outcome_unknown else models.CallOutcome.FAILED
        _api_call_store(
            request=error.request,
            operation=error.operation,
            response=error.data,
            http_status=error.http_status,
            duration_ms=error.duration_ms,
            attempts=error.attempts,
            outcome=outcome,
            error_kind=error.kind,
            error=str(error),
            campaign=campaign,
            user=user,
            attempt=attempt,
            batch=batch,
            estimate=estimate,
        )
        raise
    _api_call_store(
        request=result.request,
        operation=result.operation,
        response=result.data,
        http_status=result.http_status,
        duration_ms=result.duration_ms,
        attempts=result.attempts,
        outcome=models.CallOutcome.SUCCEEDED,
        campaign=campaign,
        user=user,
        attempt=attempt,
        batch=batch,
        estimate=estimate,
    )
    return result


def _api_call_store(
    *,
    request: clevertap.RequestRecord | None,
    operation: str,
    response: Any,
    http_status: int | None,
    duration_ms: int,
    attempts: int,
    outcome: str,
    error_kind: str = "",
    error: str = "",
    **links: Any,
) -> models.ApiCall:
    passcode = _passcode()
    record = request.as_dict() if request is not None else {}
    url = record.get("url", "")
    endpoint = url.split("/1/", 1)[1] if "/1/" in url else ""
    return _retrying_when_locked(
        lambda: models.ApiCall.objects.create(
            operation=operation,
            endpoint=endpoint,
            request=_scrubbed(record, passcode),
            response=_scrubbed(response, passcode),
            http_status=http_status,
            duration_ms=duration_ms,
            attempts=attempts,
            outcome=outcome,
            error_kind=error_kind,
            error=_scrubbed(error, passcode),
            **links,
        )
    )


def _retrying_when_locked[T](write: Callable[[], T]) -> T:
    """Run a write again while SQLite reports another connection's lock.

    A file database waits for its busy timeout first; the tests' shared-cache memory database
    fails at once. PostgreSQL never raises this.
    """
    deadline = time.monotonic() + 20.0
    while True:
        try:
            return write()
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(0.02)


def _path_errors(errors: list[PayloadError]) -> list[dict[str, Any]]:
    return [
        {"path": error.where, "message": error.message, "field": error.field or ""}
        for error in errors
    ]


def _local_errors(campaign: models.Campaign) -> list[PayloadError]:
    return payloads.body_errors(
        campaign.body,
        api=campaign.api,
        channel=campaign.channel,
        options=selectors.account_options(),
    )


# Estimates


def estimate_latest(*, campaign: models.Campaign) -> models.Estimate | None:
    return models.Estimate.objects.filter(campaign=campaign).first()


def estimate_stale_message(*, estimate: models.Estimate, campaign: models.Campaign) -> str:
    """Why this estimate no longer describes the draft, or "" when it still does."""
    if estimate.version == campaign.version:
        return ""
    return ESTIMATE_CHANGED.format(estimated=estimate.version, current=campaign.version)


def unique_identities(to: Any) -> dict[str, list[str]]:
    """`to` with each identity type's repeats removed (the identity lists as they will be sent)."""
    if not isinstance(to, dict):
        return {}
    return {
        kind: list(dict.fromkeys(value for value in values if isinstance(value, str)))
        for kind, values in to.items()
        if isinstance(values, list)
    }


def campaign_estimate(
    *, campaign: models.Campaign, user, async_estimate: bool = False
) -> models.Estimate:
    """Estimate the reach of the saved draft, stored with the version it was made for.

    Identity-list drafts are counted here (unique identities per type and the requests they
    need). Targets drafts with problems are not sent: their errors are stored at their fields.
    With `async_estimate`, CleverTap answers with a request id, polled by `estimate_refresh`.
    """
    roles.require_any(user, *ESTIMATE_PERMISSIONS)
    campaign = _fresh(campaign)
    endpoint = payloads.endpoint(campaign.api, campaign.channel)
    estimate = models.Estimate(
        campaign=campaign,
        version=campaign.version,
        body_hash=body_hash(campaign.body),
        endpoint=endpoint,
        user=user,
    )
    if campaign.api == models.Api.SEND:
        to = unique_identities(campaign.body.get("to"))
        estimate.result = {kind: len(values) for kind, values in to.items() if values}
        estimate.total = identities.count(to)
        estimate.requests = math.ceil(estimate.total / identities.MAX_PER_REQUEST)
        estimate.state = models.EstimateState.READY
        estimate.save()
        return estimate
    errors = _local_errors(campaign)
    if errors:
        count = len(errors)
        estimate.state = models.EstimateState.FAILED
        estimate.error = ESTIMATE_HAS_ERRORS.format(
            count=count, plural=pluralize(count), their="its" if count == 1 else "their"
        )
        estimate.errors = _path_errors(errors)
        estimate.save()
        return estimate
    body = {**campaign.body, ASYNC_ESTIMATE: True} if async_estimate else campaign.body
    estimate.save()
    try:
        result = _api(
            lambda: clevertap.estimate(endpoint=endpoint, body=body),
            campaign=campaign,
            user=user,
            estimate=estimate,
        )
    except clevertap.CleverTapError as error:
        _estimate_failed(estimate, error, campaign=campaign)
    else:
        _estimate_read(estimate, result.data, waiting=async_estimate)
    estimate.save()
    return estimate


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
    campaign = estimate.campaign
    # The follow-up call names the request alone (clevertap.estimate adds estimate_only).
    body = {"request_id": estimate.request_id}
    estimate.polls += 1
    try:
        result = _api(
            lambda: clevertap.estimate(endpoint=estimate.endpoint, body=body),
            campaign=campaign,
            user=user,
            estimate=estimate,
        )
    except clevertap.CleverTapError as error:
        _estimate_failed(estimate, error, campaign=campaign)
    else:
        _estimate_read(estimate, result.data, waiting=True)
    estimate.save()
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


def _estimate_read(estimate: models.Estimate, data: dict[str, Any], *, waiting: bool) -> None:
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


def _estimate_failed(
    estimate: models.Estimate, error: clevertap.CleverTapError, *, campaign: models.Campaign
) -> None:
    estimate.state = models.EstimateState.FAILED
    estimate.error = ESTIMATE_FAILED.format(error=str(error))
    estimate.errors = named_field_errors(
        error.clevertap_error, body=campaign.body, api=campaign.api, channel=campaign.channel
    )


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


# Confirming


@dataclasses.dataclass
class Confirmation:
    """What the confirmation step shows, and the token that binds publishing to it."""

    campaign: models.Campaign
    endpoint: str
    body: dict[str, Any]
    body_hash: str
    estimate: models.Estimate | None
    estimate_stale: str
    schedule: dict[str, Any] | None
    errors: list[PayloadError]
    requests: previews.Requests | None
    token: str
    blocked: str

    @property
    def json_html(self) -> str:
        return previews.highlight_json(body_for_display(self.body))


DISPLAYED_IDENTITIES = 20


def body_for_display(body: Any) -> Any:
    """The body with long identity lists cut short ("… and N more"): pages stay readable."""
    to = body.get("to") if isinstance(body, dict) else None
    if not isinstance(to, dict):
        return body
    shown = {}
    for kind, values in to.items():
        if isinstance(values, list) and len(values) > DISPLAYED_IDENTITIES:
            more = len(values) - DISPLAYED_IDENTITIES
            values = [*values[:DISPLAYED_IDENTITIES], f"… and {more} more"]
        shown[kind] = values
    return {**body, "to": shown}


def publish_confirmation(*, campaign: models.Campaign, user) -> Confirmation:
    """The endpoint, final body, latest estimate and schedule, with a signed token for them."""
    roles.require_any(user, roles.PUBLISH_PERMISSION)
    campaign = _fresh(campaign)
    digest = body_hash(campaign.body)
    estimate = estimate_latest(campaign=campaign)
    errors = _local_errors(campaign)
    token = signing.TimestampSigner(salt=CONFIRMATION_SALT).sign_object(
        {"campaign": campaign.pk, "version": campaign.version, "body": digest, "user": user.pk}
    )
    return Confirmation(
        campaign=campaign,
        endpoint=payloads.endpoint(campaign.api, campaign.channel),
        body=campaign.body,
        body_hash=digest,
        estimate=estimate,
        estimate_stale=(
            estimate_stale_message(estimate=estimate, campaign=campaign) if estimate else ""
        ),
        schedule=previews.schedule_preview(
            campaign.body, now=timezone.now(), account_tz=ZoneInfo(settings.TIME_ZONE)
        ),
        errors=errors,
        requests=(
            previews.request_count(campaign.body) if campaign.api == models.Api.SEND else None
        ),
        token=token,
        blocked=_blocked(campaign, errors),
    )


def _blocked(campaign: models.Campaign, errors: list[PayloadError]) -> str:
    """Why this draft cannot be published now, or ""."""
    if campaign.status not in PUBLISHABLE:
        return NOT_PUBLISHABLE.format(status=campaign.get_status_display().lower())
    if errors:
        count = len(errors)
        return HAS_ERRORS.format(
            count=count, plural=pluralize(count), them="it" if count == 1 else "them"
        )
    live = models.PublishAttempt.objects.filter(campaign=campaign, live=True).first()
    if live is not None:
        return _already_message(live)
    # Review: approval of this exact body and the reach guards, shown before Publish is pressed.
    return review.publish_refusal(campaign=campaign)


def _confirmed(token: str, *, campaign: models.Campaign, user) -> dict[str, Any]:
    max_age = settings.PUBLISH_CONFIRMATION_MAX_AGE
    signer = signing.TimestampSigner(salt=CONFIRMATION_SALT)
    try:
        confirmed = signer.unsign_object(token or "", max_age=max_age)
    except signing.SignatureExpired:
        raise ConfirmationRefused(CONFIRMATION_EXPIRED.format(minutes=max_age // 60)) from None
    except signing.BadSignature:
        raise ConfirmationRefused(CONFIRMATION_INVALID) from None
    if (
        not isinstance(confirmed, dict)
        or confirmed.get("campaign") != campaign.pk
        or confirmed.get("user") != user.pk
    ):
        raise ConfirmationRefused(CONFIRMATION_INVALID)
    return confirmed


# Publishing


def campaign_publish(
    *, campaign: models.Campaign, user, confirmation_token: str
) -> models.PublishAttempt:
    """Publish the version of the draft that was confirmed, exactly as it was shown.

    The one place where a campaign is published: every check that must hold first is made here.
    Returns the attempt: succeeded, failed (the draft is unchanged), unknown (the answer was
    lost: check the campaign list), or, for identity sends, pending (the batches are queued).
    Raises PermissionDenied, ConfirmationRefused, NotPublishable or AlreadyPublishing without
    sending anything.
    """
    roles.require_any(user, roles.PUBLISH_PERMISSION)
    try:
        confirmed = _confirmed(confirmation_token, campaign=campaign, user=user)
        attempt = _retrying_when_locked(
            lambda: _attempt_record(campaign=_fresh(campaign), user=user, confirmed=confirmed)
        )
    except PublishingError as refused:
        # Review: refused attempts are in the audit log too.
        message = str(refused)
        _retrying_when_locked(
            lambda: review.publish_refused_record(campaign=campaign, user=user, message=message)
        )
        raise
    # Review: within the undo window nothing is sent; `review.publish_release` sends it when due.
    if review.publish_held(attempt=attempt):
        return attempt
    if attempt.api == models.Api.TARGETS:
        publish_send(attempt=attempt)
    return attempt


def publish_send(*, attempt: models.PublishAttempt) -> None:
    """Send a recorded attempt: a targets create now, an identity send's batches to the queue."""
    if attempt.api == models.Api.TARGETS:
        _create_send(attempt)
    else:
        send_enqueue(attempt_id=attempt.pk)
    review.publish_sent_record(attempt=attempt)


def _already_message(attempt: models.PublishAttempt) -> str:
    if attempt.state == models.AttemptState.SUCCEEDED:
        return ALREADY_PUBLISHED.format(clevertap_id=attempt.clevertap_id or "unknown")
    if attempt.state == models.AttemptState.UNKNOWN:
        return ALREADY_UNKNOWN
    if attempt.state == models.AttemptState.FAILED:
        return ALREADY_PARTLY_SENT
    return ALREADY_SENDING.format(
        state=attempt.get_state_display(),
        user=attempt.user.get_username() if attempt.user_id else "someone",
        time=timezone.localtime(attempt.created_at).strftime("%H:%M:%S"),
    )


def _attempt_record(
    *, campaign: models.Campaign, user, confirmed: dict[str, Any]
) -> models.PublishAttempt:
    """Check the draft and record the attempt (and its batches) before anything is sent.

    Of simultaneous calls one records its attempt; the others raise AlreadyPublishing.
    """
    holder = models.PublishAttempt.objects.select_related("user").filter(
        campaign=campaign, live=True
    )
    if holder := holder.first():
        raise AlreadyPublishing(_already_message(holder), holder)
    if confirmed["version"] != campaign.version or confirmed["body"] != body_hash(campaign.body):
        raise ConfirmationRefused(
            DRAFT_CHANGED.format(confirmed=confirmed["version"], current=campaign.version)
        )
    if campaign.status not in PUBLISHABLE:
        raise NotPublishable(NOT_PUBLISHABLE.format(status=campaign.get_status_display().lower()))
    errors = _local_errors(campaign)
    if errors:
        raise NotPublishable(_blocked(campaign, errors))
    # Review: publishers publish approved drafts, within the reach guards (campaigns/review.py).
    refusal = review.publish_refusal(campaign=campaign)
    if refusal:
        raise NotPublishable(refusal)
    failed_before = models.PublishAttempt.objects.filter(
        campaign=campaign, version=campaign.version, live=False
    ).count()
    key = f"{campaign.pk}:{campaign.version}"
    if failed_before:
        key += f":{failed_before}"
    estimate = (
        models.Estimate.objects.filter(
            campaign=campaign, version=campaign.version, state=models.EstimateState.READY
        )
        .order_by("-created_at", "-id")
        .first()
    )
    batches = []
    if campaign.api == models.Api.SEND:
        batches = list(identities.identity_batches(unique_identities(campaign.body.get("to"))))

    def record() -> models.PublishAttempt:
        with transaction.atomic():
            attempt = models.PublishAttempt.objects.create(
                campaign=campaign,
                version=campaign.version,
                idempotency_key=key,
                api=campaign.api,
                channel=campaign.channel,
                endpoint=payloads.endpoint(campaign.api, campaign.channel),
                body=campaign.body,
                body_hash=body_hash(campaign.body),
                estimate=estimate,
                user=user,
            )
            models.SendBatch.objects.bulk_create(
                models.SendBatch(
                    attempt=attempt, number=number, identities=identities.count(to), to=to
                )
                for number, to in enumerate(batches, 1)
            )
            # Review: audited, and held for the undo window when there is one.
            held = review.publish_recorded(attempt=attempt)
            if batches and held is None:
                transaction.on_commit(functools.partial(send_enqueue, attempt_id=attempt.pk))
            return attempt

    try:
        return record()
    except IntegrityError:
        holder = (
            models.PublishAttempt.objects.select_related("user")
            .filter(Q(idempotency_key=key) | Q(campaign=campaign, live=True))
            .order_by("-live", "-id")
            .first()
        )
        message = _already_message(holder) if holder else ALREADY_UNKNOWN
        raise AlreadyPublishing(message, holder) from None


def _create_send(attempt: models.PublishAttempt) -> None:
    """Send a targets campaign's create request and record what came of it."""
    attempt.state = models.AttemptState.SENT
    _retrying_when_locked(lambda: attempt.save(update_fields=["state", "updated_at"]))
    try:
        result = _api(
            lambda: clevertap.create(body=attempt.body),
            campaign=attempt.campaign,
            user=attempt.user,
            attempt=attempt,
        )
    except clevertap.CleverTapError as error:
        attempt.response = _scrubbed(error.data, _passcode())
        attempt.finished_at = timezone.now()
        if error.outcome_unknown:
            attempt.state = models.AttemptState.UNKNOWN
            attempt.error = PUBLISH_UNKNOWN.format(error=str(error))
        else:
            attempt.state = models.AttemptState.FAILED
            attempt.live = False
            attempt.error = PUBLISH_FAILED.format(error=str(error))
        _retrying_when_locked(attempt.save)
        logger.warning("Publishing %s failed: %s", attempt.idempotency_key, error.kind)
        return
    _attempt_succeeded(attempt, result.data)


def _attempt_succeeded(attempt: models.PublishAttempt, data: dict[str, Any]) -> None:
    clevertap_id = data.get("id")
    attempt.clevertap_id = clevertap_id if isinstance(clevertap_id, int) else None
    if attempt.clevertap_id is None and isinstance(clevertap_id, str) and clevertap_id.isdigit():
        attempt.clevertap_id = int(clevertap_id)
    attempt.clevertap_status = str(data.get("campaign_status") or data.get("state") or "")
    attempt.response = data
    attempt.state = models.AttemptState.SUCCEEDED
    attempt.error = "" if attempt.clevertap_id is not None else PUBLISH_NO_ID
    attempt.finished_at = timezone.now()
    _retrying_when_locked(attempt.save)
    _campaign_mark_published(attempt)


def _campaign_mark_published(attempt: models.PublishAttempt) -> None:
    before = models.Campaign.objects.filter(pk=attempt.campaign_id).values_list("status").first()
    updated = _retrying_when_locked(
        lambda: models.Campaign.objects.filter(
            pk=attempt.campaign_id, status__in=PUBLISHABLE
        ).update(status=models.Status.PUBLISHED, updated_at=timezone.now())
    )
    if updated:
        # Review: the change of status goes to the audit log.
        _retrying_when_locked(
            lambda: review.status_change_record(
                campaign_id=attempt.campaign_id,
                user=attempt.user,
                action=models.AuditAction.PUBLISHED,
                before=before[0] if before else "",
                after=models.Status.PUBLISHED,
                attempt=attempt.pk,
                clevertap_id=attempt.clevertap_id,
            )
        )


def publish_attempt_check(*, attempt: models.PublishAttempt, user) -> str:
    """Resolve an attempt of unknown outcome from CleverTap's campaign list; return what was found.

    Found (a campaign with the draft's name, not recorded by another attempt): the attempt
    succeeded. Not found: it surely failed, and the draft may be published again.
    """
    roles.require_any(user, roles.PUBLISH_PERMISSION)
    attempt = models.PublishAttempt.objects.select_related("campaign").get(pk=attempt.pk)
    if attempt.api != models.Api.TARGETS:
        raise PublishingError(CHECK_NOT_FOR_SENDS)
    if not _outcome_unknown(attempt):
        raise PublishingError(CHECK_NOT_NEEDED)
    name = str(attempt.body.get("name") or attempt.campaign.name)
    date_from = timezone.localdate(attempt.created_at) - datetime.timedelta(days=1)
    date_to = timezone.localdate() + datetime.timedelta(days=1)
    try:
        result = _api(
            lambda: clevertap.campaign_list(date_from=date_from, date_to=date_to),
            campaign=attempt.campaign,
            user=user,
            attempt=attempt,
        )
    except clevertap.CleverTapError as error:
        raise PublishingError(CHECK_FAILED.format(error=str(error))) from error
    recorded = set(
        models.PublishAttempt.objects.exclude(pk=attempt.pk)
        .filter(clevertap_id__isnull=False)
        .values_list("clevertap_id", flat=True)
    )
    found = [
        item
        for item in _listed_campaigns(result.data)
        if item.get("name") == name and _int_or_none(item.get("id")) not in recorded
    ]
    if found:
        newest = max(found, key=lambda item: _int_or_none(item.get("id")) or 0)
        clevertap_id = _int_or_none(newest.get("id"))
        status = str(newest.get("status") or "")
        _attempt_succeeded(
            attempt, {"id": clevertap_id, "campaign_status": status, "found_in_list": newest}
        )
        return CHECK_FOUND.format(name=name, clevertap_id=clevertap_id, status=status or "listed")
    attempt.state = models.AttemptState.FAILED
    attempt.live = False
    message = CHECK_NOT_FOUND.format(
        name=name, date_from=date_from.isoformat(), date_to=date_to.isoformat()
    )
    attempt.error = message
    attempt.finished_at = timezone.now()
    attempt.save()
    return message


def attempt_needs_check(*, attempt: models.PublishAttempt) -> bool:
    """Whether "Check CleverTap's campaign list" can settle this attempt."""
    return attempt.api == models.Api.TARGETS and _outcome_unknown(attempt)


def _outcome_unknown(attempt: models.PublishAttempt) -> bool:
    """Unknown, or left "sent" by a process that died waiting for CleverTap's answer."""
    if attempt.state == models.AttemptState.UNKNOWN:
        return True
    return attempt.state == models.AttemptState.SENT and _stale(attempt.updated_at)


def _listed_campaigns(data: dict[str, Any]) -> list[dict[str, Any]]:
    for key in ("targets", "campaigns", "data", "list"):
        value = data.get(key)
        if isinstance(value, list):
            return [item for item in value if isinstance(item, dict)]
    return []


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


# After publishing


def attempt_published(*, campaign: models.Campaign) -> models.PublishAttempt | None:
    """The attempt that created the campaign in CleverTap, if any."""
    return (
        models.PublishAttempt.objects.filter(
            campaign=campaign, state=models.AttemptState.SUCCEEDED, clevertap_id__isnull=False
        )
        .order_by("-id")
        .first()
    )


def campaign_stop(*, campaign: models.Campaign, user) -> models.PublishAttempt:
    """Stop the published campaign in CleverTap (stopping a stopped one changes nothing)."""
    roles.require_any(user, roles.PUBLISH_PERMISSION)
    attempt = attempt_published(campaign=campaign)
    if attempt is None:
        raise PublishingError(NOT_STOPPABLE)
    try:
        result = _api(
            lambda: clevertap.stop(campaign_id=attempt.clevertap_id),
            campaign=campaign,
            user=user,
            attempt=attempt,
        )
    except clevertap.CleverTapError as error:
        raise PublishingError(STOP_FAILED.format(error=str(error))) from error
    attempt.clevertap_status = str(result.data.get("campaign_status") or "stopped")
    attempt.stopped_at = timezone.now()
    attempt.save(update_fields=["clevertap_status", "stopped_at", "updated_at"])
    before = models.Campaign.objects.filter(pk=campaign.pk).values_list("status").first()
    models.Campaign.objects.filter(pk=campaign.pk).update(
        status=models.Status.STOPPED, updated_at=timezone.now()
    )
    # Review: the stop goes to the audit log.
    review.status_change_record(
        campaign_id=campaign.pk,
        user=user,
        action=models.AuditAction.STOPPED,
        before=before[0] if before else "",
        after=models.Status.STOPPED,
        clevertap_id=attempt.clevertap_id,
    )
    return attempt


def campaign_report(*, campaign: models.Campaign, user) -> models.PublishAttempt:
    """Fetch CleverTap's report of the published campaign and keep it with the attempt."""
    roles.require_any(user, roles.VIEW_PERMISSION, roles.PUBLISH_PERMISSION)
    attempt = attempt_published(campaign=campaign)
    if attempt is None:
        raise PublishingError(NO_CAMPAIGN)
    try:
        result = _api(
            lambda: clevertap.result(campaign_id=attempt.clevertap_id),
            campaign=campaign,
            user=user,
            attempt=attempt,
        )
    except clevertap.CleverTapError as error:
        raise PublishingError(REPORT_FAILED.format(error=str(error))) from error
    attempt.report = result.data
    attempt.report_at = timezone.now()
    attempt.save(update_fields=["report", "report_at", "updated_at"])
    return attempt


# Identity sends, in the background

# Set by the worker when it is asked to stop (`manage.py worker`): the running send finishes the
# batch in flight and claims no more; the rest wait for the next worker.
stop_between_batches = threading.Event()


def send_enqueue(*, attempt_id: int) -> None:
    """Queue the sending of an attempt's batches (call it in `transaction.on_commit`)."""
    result = tasks.send_batches.enqueue(attempt_id)
    models.PublishAttempt.objects.filter(pk=attempt_id).update(task_id=str(result.id))


def send_attempt_run(*, attempt: models.PublishAttempt) -> models.PublishAttempt:
    """Send every waiting batch of an identity send, one claim at a time, then settle the attempt.

    Safe to run twice at once or again after a crash: a batch is sent only by the run that
    claimed it, and a batch left "sending" by a run that died becomes unknown, never resent.
    Stops between batches once `stop_between_batches` is set.
    """
    _retrying_when_locked(lambda: _stale_batches_unknown(attempt))
    _retrying_when_locked(
        lambda: models.PublishAttempt.objects.filter(
            pk=attempt.pk, state=models.AttemptState.PENDING
        ).update(state=models.AttemptState.SENT, updated_at=timezone.now())
    )
    while (
        not stop_between_batches.is_set()
        and (batch := _retrying_when_locked(lambda: _batch_claim(attempt))) is not None
    ):
        _batch_send(attempt, batch)
    return _retrying_when_locked(lambda: _attempt_settle(attempt))


def _stale(moment: datetime.datetime | None) -> bool:
    """Older than any CleverTap call can last: whoever was working on it has stopped."""
    stale_after = settings.SEND_BATCH_STALE_SECONDS
    return moment is None or (timezone.now() - moment).total_seconds() >= stale_after


def _stale_batches_unknown(attempt: models.PublishAttempt) -> int:
    stale_after = settings.SEND_BATCH_STALE_SECONDS
    before = timezone.now() - datetime.timedelta(seconds=stale_after)
    return models.SendBatch.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lte=before),
        attempt=attempt,
        state=models.BatchState.SENDING,
    ).update(state=models.BatchState.UNKNOWN, error=BATCH_LEFT_SENDING, finished_at=timezone.now())


def _batch_claim(attempt: models.PublishAttempt) -> models.SendBatch | None:
    waiting = models.SendBatch.objects.filter(attempt=attempt, state=models.BatchState.PENDING)
    for pk in waiting.order_by("number").values_list("pk", flat=True)[:20]:
        claimed = models.SendBatch.objects.filter(pk=pk, state=models.BatchState.PENDING).update(
            state=models.BatchState.SENDING, claimed_at=timezone.now(), sends=F("sends") + 1
        )
        if claimed:
            return models.SendBatch.objects.get(pk=pk)
    return None


def _batch_send(attempt: models.PublishAttempt, batch: models.SendBatch) -> None:
    body = {**attempt.body, "to": batch.to}
    try:
        result = _api(
            lambda: clevertap.send(channel=attempt.channel, body=body),
            campaign=attempt.campaign,
            user=attempt.user,
            attempt=attempt,
            batch=batch,
        )
    except clevertap.CleverTapError as error:
        batch.state = (
            models.BatchState.UNKNOWN if error.outcome_unknown else models.BatchState.FAILED
        )
        batch.error = str(error)
        batch.response = _scrubbed(error.data, _passcode())
    else:
        batch.state = models.BatchState.SENT
        batch.error = ""
        batch.response = result.data
    batch.finished_at = timezone.now()
    _retrying_when_locked(
        lambda: batch.save(update_fields=["state", "error", "response", "finished_at"])
    )
    if batch.state == models.BatchState.SENT:
        _campaign_mark_published(attempt)


def _attempt_settle(attempt: models.PublishAttempt) -> models.PublishAttempt:
    """The attempt's state from its batches' states."""
    attempt.refresh_from_db()
    counts = dict(
        models.SendBatch.objects.filter(attempt=attempt)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    total = sum(counts.values())
    sent = counts.get(models.BatchState.SENT, 0)
    failed = counts.get(models.BatchState.FAILED, 0)
    unknown = counts.get(models.BatchState.UNKNOWN, 0)
    busy = counts.get(models.BatchState.PENDING, 0) + counts.get(models.BatchState.SENDING, 0)
    if busy:
        return attempt
    errors = []
    if failed:
        errors.append(BATCHES_FAILED.format(failed=failed, total=total))
    if unknown:
        errors.append(BATCHES_UNKNOWN.format(unknown=unknown, total=total))
    attempt.error = " ".join(errors)
    attempt.finished_at = timezone.now()
    if sent == total:
        attempt.state = models.AttemptState.SUCCEEDED
    elif unknown:
        attempt.state = models.AttemptState.UNKNOWN
    else:
        attempt.state = models.AttemptState.FAILED
        # Nothing reached anyone: the draft may be published again (and these batches not).
        attempt.live = sent > 0
    attempt.save(update_fields=["state", "error", "finished_at", "live", "updated_at"])
    return attempt


def send_progress(*, attempt: models.PublishAttempt) -> dict[str, Any]:
    """Batches and identities per state, for the progress bar."""
    rows = (
        models.SendBatch.objects.filter(attempt=attempt)
        .values("state")
        .annotate(batches=Count("pk"), identities=Sum("identities"))
    )
    batches = {row["state"]: row["batches"] for row in rows}
    people = {row["state"]: row["identities"] or 0 for row in rows}
    total = sum(batches.values())
    done = sum(batches.get(state, 0) for state in _DONE_STATES)
    last = models.SendBatch.objects.filter(attempt=attempt).aggregate(
        claimed=Max("claimed_at"), finished=Max("finished_at")
    )
    moments = [m for m in (last["claimed"], last["finished"], attempt.created_at) if m]
    busy = batches.get(models.BatchState.PENDING, 0) + batches.get(models.BatchState.SENDING, 0)
    return {
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else 100,
        "batches": batches,
        "identities": people,
        "identities_total": sum(people.values()),
        "identities_sent": people.get(models.BatchState.SENT, 0),
        "busy": bool(busy),
        "stalled": bool(busy) and _stale(max(moments)),
    }


_DONE_STATES = (models.BatchState.SENT, models.BatchState.FAILED, models.BatchState.UNKNOWN)


def send_batch_retry(
    *, batch: models.SendBatch, user, resend_unknown: bool = False
) -> models.SendBatch:
    """Queue one failed batch to be sent again (an unknown one only when confirmed)."""
    roles.require_any(user, roles.PUBLISH_PERMISSION)
    batch = models.SendBatch.objects.select_related("attempt").get(pk=batch.pk)
    retryable = [models.BatchState.FAILED]
    if resend_unknown:
        retryable.append(models.BatchState.UNKNOWN)
    if batch.state == models.BatchState.UNKNOWN and not resend_unknown:
        raise PublishingError(BATCH_UNKNOWN_CONFIRM.format(number=batch.number))
    attempt = batch.attempt
    try:
        with transaction.atomic():
            if not attempt.live:
                # Live again: refused if the campaign was published again in the meantime.
                models.PublishAttempt.objects.filter(pk=attempt.pk).update(live=True)
            claimed = models.SendBatch.objects.filter(pk=batch.pk, state__in=retryable).update(
                state=models.BatchState.PENDING, error="", claimed_at=None, finished_at=None
            )
            if not claimed:
                raise PublishingError(
                    BATCH_NOT_RETRYABLE.format(
                        number=batch.number, state=batch.get_state_display().lower()
                    )
                )
            models.PublishAttempt.objects.filter(pk=attempt.pk).update(
                state=models.AttemptState.SENT, finished_at=None, updated_at=timezone.now()
            )
            transaction.on_commit(functools.partial(send_enqueue, attempt_id=attempt.pk))
    except IntegrityError:
        raise PublishingError(BATCH_RETRY_BLOCKED) from None
    batch.refresh_from_db()
    return batch


def send_attempt_resume(*, attempt: models.PublishAttempt, user) -> int:
    """Queue the sending of the waiting batches again, after the worker stopped or restarted.

    Batches left "sending" by a worker that stopped become unknown (never resent by this).
    Returns how many batches are waiting.
    """
    roles.require_any(user, roles.PUBLISH_PERMISSION)
    _stale_batches_unknown(attempt)
    waiting = models.SendBatch.objects.filter(
        attempt=attempt, state=models.BatchState.PENDING
    ).count()
    if not waiting:
        _attempt_settle(attempt)
        raise PublishingError(RESUME_NOTHING)
    with transaction.atomic():
        transaction.on_commit(functools.partial(send_enqueue, attempt_id=attempt.pk))
    return waiting


def send_task_status(*, attempt: models.PublishAttempt) -> str:
    """The background task's status (READY: waiting for a worker, RUNNING...), or ""."""
    task = _send_task(attempt)
    return str(task.status) if task else ""


def _send_task(attempt: models.PublishAttempt) -> TaskResult | None:
    if not attempt.task_id:
        return None
    try:
        return tasks.send_batches.get_result(attempt.task_id)
    except TaskResultDoesNotExist:
        return None


def sends_stalled_resume() -> list[int]:
    """Queue again the identity sends nobody works on any more; the ids of their attempts.

    Stalled: batches wait, the send's task is not queued, and either its run ended with batches
    still waiting (its worker stopped between batches) or nothing has happened for
    SEND_BATCH_STALE_SECONDS (its worker died, or its run failed). The next run turns a batch
    left "sending" into unknown, never resends it. Workers call this at start and every few
    seconds; of several that find the same send at once, one queues it.
    """
    unfinished = (
        # Only these states have batches waiting (`_attempt_settle`), and a send held for its
        # undo window has no task yet: it is not due. Not the body: it holds every identity.
        models.PublishAttempt.objects.filter(
            state__in=(models.AttemptState.PENDING, models.AttemptState.SENT)
        )
        .exclude(task_id="")
        .only("task_id", "idempotency_key", "updated_at")
        .annotate(
            busy=Count("batches", filter=Q(batches__state__in=_BUSY_STATES)),
            waiting=Count("batches", filter=Q(batches__state=models.BatchState.PENDING)),
            last_claimed=Max("batches__claimed_at"),
            last_finished=Max("batches__finished_at"),
        )
        .filter(busy__gt=0)
    )
    return [
        attempt.pk for attempt in unfinished if _send_stalled(attempt) and _send_requeue(attempt)
    ]


_BUSY_STATES = (models.BatchState.PENDING, models.BatchState.SENDING)


def _send_stalled(attempt: models.PublishAttempt) -> bool:
    task = _send_task(attempt)
    if task is not None and task.status == TaskResultStatus.READY:
        return False
    if task is not None and task.status == TaskResultStatus.SUCCESSFUL and attempt.waiting:
        return True  # its run ended with batches waiting: its worker stopped between batches
    moments = [attempt.last_claimed, attempt.last_finished, attempt.updated_at]
    if task is not None:
        moments += [task.started_at, task.finished_at]
    return _stale(max(moment for moment in moments if moment))


def _send_requeue(attempt: models.PublishAttempt) -> bool:
    """Queue the send again, unless another worker has just done so (it changed the task id)."""

    def requeue() -> bool:
        with transaction.atomic():
            # The database backend writes the task in this transaction: it goes if the claim does.
            queued = tasks.send_batches.enqueue(attempt.pk)
            claimed = models.PublishAttempt.objects.filter(
                pk=attempt.pk, task_id=attempt.task_id
            ).update(task_id=str(queued.id), updated_at=timezone.now())
            if not claimed:
                transaction.set_rollback(True)
        return bool(claimed)

    requeued = _retrying_when_locked(requeue)
    if requeued:
        logger.info("Sending resumes for %s: its worker stopped.", attempt.idempotency_key)
    return requeued
