"""Estimate, confirm, publish, and follow a published campaign: function views, one service each.

Permissions are checked here, before anything is read or rendered, and again in the services.
The htmx endpoints answer fragments of their page (`page.html#name`); every form also works as a
plain POST that answers a whole page or redirects.
"""

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from campaigns import models, publishing, review, roles
from campaigns.views_common import campaign_or_404, wants_fragment

ESTIMATE = "campaigns/publishing/estimate.html"
CONFIRM = "campaigns/publishing/confirm.html"
PUBLISHED = "campaigns/publishing/published.html"
API_CALLS_PER_PAGE = 50

PUBLISHED_OK = "Published “{name}”: CleverTap campaign {clevertap_id}."
SEND_QUEUED = (
    "Sending “{name}”: {batches} request{plural} queued. Follow the progress below; the page "
    "updates itself."
)
PUBLISH_FAILED_TITLE = "Not published."
PUBLISH_UNKNOWN_TITLE = "Outcome unknown."


# Estimates


@require_http_methods(["GET", "POST"])
def estimate(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the latest estimate. POST: estimate the saved draft now."""
    if request.method == "POST":
        roles.require_any(request.user, *publishing.ESTIMATE_PERMISSIONS)
    else:
        roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    if request.method == "POST":
        made = publishing.campaign_estimate(
            campaign=campaign,
            user=request.user,
            async_estimate=bool(request.POST.get("async_estimate")),
        )
        campaign.refresh_from_db()
    else:
        made = publishing.estimate_latest(campaign=campaign)
    return _estimate_render(request, campaign, made, field_errors=request.method == "POST")


@require_POST
def estimate_poll(request: HttpRequest, pk: int, estimate_pk: int) -> HttpResponse:
    """Ask CleverTap again for a background estimate (the region polls this while it waits)."""
    roles.require_any(request.user, *publishing.ESTIMATE_PERMISSIONS)
    campaign = campaign_or_404(pk)
    waiting = get_object_or_404(models.Estimate, pk=estimate_pk, campaign=campaign)
    made = publishing.estimate_refresh(estimate=waiting, user=request.user)
    return _estimate_render(request, campaign, made, field_errors=True)


def _estimate_render(
    request: HttpRequest,
    campaign: models.Campaign,
    made: models.Estimate | None,
    *,
    field_errors: bool,
) -> HttpResponse:
    context = _estimate_context(campaign, made) | {"field_errors": field_errors}
    if wants_fragment(request):
        return render(request, f"{ESTIMATE}#estimate", context)
    return render(request, ESTIMATE, context)


def _estimate_context(campaign: models.Campaign, made: models.Estimate | None) -> dict[str, Any]:
    return {
        "campaign": campaign,
        "estimate": made,
        "estimate_loaded": True,
        "stale": (
            publishing.estimate_stale_message(estimate=made, campaign=campaign) if made else ""
        ),
        "progress": (
            publishing.estimate_progress(estimate=made)
            if made and made.state == models.EstimateState.PENDING
            else None
        ),
    }


# Confirming and publishing


@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation step. POST: publish what was confirmed."""
    roles.require_any(request.user, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    if request.method == "GET":
        return _confirm_render(request, campaign)
    try:
        attempt = publishing.campaign_publish(
            campaign=campaign,
            user=request.user,
            confirmation_token=request.POST.get("confirmation_token", ""),
        )
    except publishing.AlreadyPublishing as refused:
        messages.warning(request, str(refused))
        return redirect("publishing:published", pk=campaign.pk)
    except publishing.PublishingError as refused:
        return _confirm_render(request, campaign, refused=str(refused), status=409)
    # Review: a publish held for its undo window goes to the page that can cancel it.
    if review.publish_held(attempt=attempt):
        return redirect("review:publish_pending", pk=campaign.pk, attempt_pk=attempt.pk)
    _publish_message(request, attempt)
    return redirect("publishing:published", pk=campaign.pk)


def _confirm_render(
    request: HttpRequest, campaign: models.Campaign, *, refused: str = "", status: int = 200
) -> HttpResponse:
    confirmation = publishing.publish_confirmation(campaign=campaign, user=request.user)
    context = {
        "campaign": confirmation.campaign,
        "confirmation": confirmation,
        "estimate": confirmation.estimate,
        "stale": confirmation.estimate_stale,
        "refused": refused,
    }
    return render(request, CONFIRM, context, status=status)


def _publish_message(request: HttpRequest, attempt: models.PublishAttempt) -> None:
    name = attempt.campaign.name
    if attempt.state == models.AttemptState.SUCCEEDED:
        text = PUBLISHED_OK.format(name=name, clevertap_id=attempt.clevertap_id)
        messages.success(request, text)
    elif attempt.state == models.AttemptState.PENDING:
        count = attempt.batches.count()
        plural = "" if count == 1 else "s"
        messages.info(request, SEND_QUEUED.format(name=name, batches=count, plural=plural))
    elif attempt.state == models.AttemptState.UNKNOWN:
        messages.warning(request, f"{PUBLISH_UNKNOWN_TITLE} {attempt.error}")
    else:
        messages.error(request, f"{PUBLISH_FAILED_TITLE} {attempt.error}")


# The published campaign


@require_GET
def published(request: HttpRequest, pk: int) -> HttpResponse:
    """What was published: attempts, CleverTap's id and status, the body sent, every API call."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    attempts = list(
        models.PublishAttempt.objects.filter(campaign=campaign)
        .select_related("user", "estimate")
        .order_by("-id")
    )
    calls = models.ApiCall.objects.filter(campaign=campaign).select_related("user", "batch")
    page = Paginator(calls.order_by("-id"), API_CALLS_PER_PAGE).get_page(request.GET.get("calls"))
    current = attempts[0] if attempts else None
    for attempt in attempts:
        attempt.body_json = _pretty(publishing.body_for_display(attempt.body))
        attempt.report_json = _pretty(attempt.report) if attempt.report is not None else ""
    for call in page:
        call.headers_json = _pretty(call.request.get("headers"))
        call.body_json = _pretty(publishing.body_for_display(call.request.get("body")))
        call.response_json = _pretty(call.response)
    context = {
        "campaign": campaign,
        "attempts": attempts,
        "current": current,
        "published_attempt": next(
            (
                a
                for a in attempts
                if a.state == models.AttemptState.SUCCEEDED and a.clevertap_id is not None
            ),
            None,
        ),
        "calls": page,
        "can_publish": request.user.has_perm(roles.PUBLISH_PERMISSION),
        "needs_check": {a.pk for a in attempts if publishing.attempt_needs_check(attempt=a)},
    }
    if current is not None and current.api == models.Api.SEND:
        context |= _progress_context(current)
    return render(request, PUBLISHED, context)


@require_GET
def send_progress(request: HttpRequest, pk: int, attempt_pk: int) -> HttpResponse:
    """The progress bar and batches of an identity send (polled while it runs)."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    attempt = get_object_or_404(models.PublishAttempt, pk=attempt_pk, campaign=campaign)
    context = {
        "campaign": campaign,
        "current": attempt,
        "can_publish": request.user.has_perm(roles.PUBLISH_PERMISSION),
    } | _progress_context(attempt)
    if not wants_fragment(request):
        return redirect("publishing:published", pk=campaign.pk)
    if not context["progress"]["busy"]:
        # Done: the whole page changes (attempt, status, API calls), so it is loaded again.
        return HttpResponseClientRefresh()
    return render(request, f"{PUBLISHED}#send-progress", context)


def _progress_context(attempt: models.PublishAttempt) -> dict[str, Any]:
    return {
        "progress": publishing.send_progress(attempt=attempt),
        "batches": attempt.batches.order_by("number").defer("to"),
        "task_status": publishing.send_task_status(attempt=attempt),
    }


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _back(campaign: models.Campaign) -> HttpResponse:
    return redirect("publishing:published", pk=campaign.pk)


@require_POST
def stop(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    try:
        attempt = publishing.campaign_stop(campaign=campaign, user=request.user)
    except publishing.PublishingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, publishing.STOPPED.format(clevertap_id=attempt.clevertap_id))
    return _back(campaign)


@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.VIEW_PERMISSION, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    try:
        publishing.campaign_report(campaign=campaign, user=request.user)
    except publishing.PublishingError as error:
        messages.error(request, str(error))
    return _back(campaign)


@require_POST
def attempt_check(request: HttpRequest, pk: int, attempt_pk: int) -> HttpResponse:
    """Resolve an unknown publish from CleverTap's campaign list."""
    roles.require_any(request.user, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    attempt = get_object_or_404(models.PublishAttempt, pk=attempt_pk, campaign=campaign)
    try:
        found = publishing.publish_attempt_check(attempt=attempt, user=request.user)
    except publishing.PublishingError as error:
        messages.error(request, str(error))
    else:
        messages.info(request, found)
    return _back(campaign)


@require_POST
def send_resume(request: HttpRequest, pk: int, attempt_pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    attempt = get_object_or_404(models.PublishAttempt, pk=attempt_pk, campaign=campaign)
    try:
        waiting = publishing.send_attempt_resume(attempt=attempt, user=request.user)
    except publishing.PublishingError as error:
        messages.info(request, str(error))
    else:
        text = publishing.RESUMED.format(count=waiting, plural="" if waiting == 1 else "es")
        messages.success(request, text)
    return _back(campaign)


@require_POST
def batch_retry(request: HttpRequest, pk: int, batch_pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    batch = get_object_or_404(models.SendBatch, pk=batch_pk, attempt__campaign=campaign)
    try:
        batch = publishing.send_batch_retry(
            batch=batch, user=request.user, resend_unknown=bool(request.POST.get("resend_unknown"))
        )
    except publishing.PublishingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, publishing.BATCH_QUEUED.format(number=batch.number))
    return _back(campaign)
