"""Estimate, confirm, publish (and undo within the window), and follow a published campaign."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from campaigns import composer, models, previews, publishing, roles, selectors
from campaigns.publishing import (
    attempts,
    audience_keys,
    confirm,
    estimates,
    followup,
    reach,
    reach_chart,
    recipients,
    sends,
)
from campaigns.views import forms
from campaigns.views.common import campaign_or_404, wants_fragment

ESTIMATE = "campaigns/publishing/estimate.html"
CONFIRM = "campaigns/publishing/confirm.html"
PUBLISHED = "campaigns/publishing/published.html"
PENDING = "campaigns/publishing/pending.html"
API_CALLS_PER_PAGE = 50

PUBLISHED_OK = "Published “{name}”: CleverTap campaign {clevertap_id}."
SEND_QUEUED = (
    "Sending “{name}”: {batches} request{plural} queued. Follow the progress below; the page "
    "updates itself."
)
PUBLISH_FAILED_TITLE = "Not published."
PUBLISH_UNKNOWN_TITLE = "Outcome unknown."
CANCELLED = "Cancelled: nothing was sent. The draft can be published again."
RELEASED = "Sent “{name}” to CleverTap once the undo window ended."
RELEASE_FAILED = "The publish of “{name}” did not go through: {error}"
NOT_RELEASED = "Not published: {reason}"
ATTEMPT_CANCELLED = "Cancelled in the undo window: nothing was sent"


# Estimates


@require_http_methods(["GET", "POST"])
def estimate(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the latest estimate. POST: estimate the saved draft now."""
    if request.method == "POST":
        roles.require_any(request.user, *estimates.ESTIMATE_PERMISSIONS)
    else:
        roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    if request.method == "POST":
        made = estimates.campaign_estimate(
            campaign=campaign,
            user=request.user,
            async_estimate=bool(request.POST.get("async_estimate")),
        )
        campaign.refresh_from_db()
    else:
        made = selectors.estimate_latest(campaign=campaign)
    return _estimate_render(request, campaign, made, field_errors=request.method == "POST")


@require_POST
def estimate_poll(request: HttpRequest, pk: int, estimate_pk: int) -> HttpResponse:
    """Ask CleverTap again for a background estimate (the region polls this while it waits)."""
    roles.require_any(request.user, *estimates.ESTIMATE_PERMISSIONS)
    campaign = campaign_or_404(pk)
    waiting = get_object_or_404(models.Estimate, pk=estimate_pk, campaign=campaign)
    made = estimates.estimate_refresh(estimate=waiting, user=request.user)
    return _estimate_render(request, campaign, made, field_errors=True)


@require_POST
def estimate_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The reach of the audience typed in the composer (its whole form is posted, as for the live
    preview): asked after an edit of the audience, answered from the cache when it can be."""
    roles.require_any(request.user, *estimates.ESTIMATE_PERMISSIONS)
    campaign = campaign_or_404(pk)
    state = composer.composer_bind(
        request.POST, campaign, options=selectors.account_options(composing=True)
    )
    outcome = reach.live_estimate(campaign=campaign, state=state, user=request.user)
    typed_key = (
        audience_keys.audience_key(state.body, endpoint=state.endpoint) if state.endpoint else ""
    )
    context = estimate_context(
        campaign, outcome.estimate, typed_key=typed_key, notice=outcome.notice
    ) | {"retry": outcome.retry}
    if wants_fragment(request):
        return render(request, f"{ESTIMATE}#estimate", context)
    return render(request, ESTIMATE, context)


def estimate_context(
    campaign: models.Campaign,
    made: models.Estimate | None,
    *,
    typed_key: str = "",
    notice: str = "",
    field_errors: bool = False,
) -> dict[str, Any]:
    """What the estimate panel shows: the estimate, its age and whether it matches what the page
    shows, and the draft's reach over its versions."""
    versions = reach.saved_versions(campaign)
    match = (
        reach.estimate_match(made, campaign=campaign, typed_key=typed_key, versions=versions)
        if made
        else None
    )
    points = reach_chart.history(campaign, versions)
    return {
        "campaign": campaign,
        "estimate": made,
        "estimate_loaded": True,
        # The version warning stands unless the audience is known to be the same.
        "stale": (
            estimates.estimate_stale_message(estimate=made, campaign=campaign)
            if made and (match is None or match.audience_changed) and not typed_key
            else ""
        ),
        "estimate_age": reach.age_words(made.answered) if made and made.pk else "",
        "estimate_version": reach.version_of(made, versions) if made else None,
        "match": match,
        "notice": notice,
        "history": points,
        "chart": reach_chart.chart(points),
        "progress": (
            estimates.estimate_progress(estimate=made)
            if made and made.state == models.EstimateState.PENDING
            else None
        ),
        "field_errors": field_errors,
    }


def _estimate_render(
    request: HttpRequest,
    campaign: models.Campaign,
    made: models.Estimate | None,
    *,
    field_errors: bool,
) -> HttpResponse:
    context = estimate_context(campaign, made, field_errors=field_errors)
    if wants_fragment(request):
        return render(request, f"{ESTIMATE}#estimate", context)
    return render(request, ESTIMATE, context)


# Confirming and publishing


@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation step. POST: publish what was confirmed."""
    roles.require_any(request.user, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    if request.method == "GET":
        return _confirm_render(request, campaign)
    token = request.POST.get("confirmation_token", "")
    form = forms.PublishForm(
        request.POST,
        recipients_shown=confirm.recipients_shown(token, campaign=campaign, user=request.user),
    )
    valid = form.is_valid()
    if not valid and "send_anyway" in form.errors:
        # "Send anyway" missing: nothing is published, the page says why.
        return _confirm_render(
            request,
            campaign,
            refused=recipients.send_anyway_refusal(
                campaign=campaign, user=request.user, check=form.recipients_shown
            ),
            send_anyway_error=form.errors["send_anyway"][0],
            status=409,
        )
    # A token the form refuses (a null character) is none: publishing refuses it in words.
    token = form.cleaned_data["confirmation_token"] if valid else ""
    try:
        attempt = attempts.campaign_publish(
            campaign=campaign, user=request.user, confirmation_token=token
        )
    except confirm.AlreadyPublishing as refused:
        messages.warning(request, str(refused))
        return redirect("campaigns:published", pk=campaign.pk)
    except publishing.PublishingError as refused:
        return _confirm_render(request, campaign, refused=str(refused), status=409)
    if attempts.publish_held(attempt=attempt):
        # Within the undo window: the page that can cancel it.
        return redirect("campaigns:publish_pending", pk=campaign.pk, attempt_pk=attempt.pk)
    _publish_message(request, attempt)
    return redirect("campaigns:published", pk=campaign.pk)


def _confirm_render(
    request: HttpRequest,
    campaign: models.Campaign,
    *,
    refused: str = "",
    send_anyway_error: str = "",
    status: int = 200,
) -> HttpResponse:
    confirmation = confirm.publish_confirmation(
        campaign=campaign, user=request.user, look_up_recipients=True
    )
    context = {
        "campaign": confirmation.campaign,
        "confirmation": confirmation,
        "estimate": confirmation.estimate,
        "stale": confirmation.estimate_stale,
        "refused": refused,
        "publish_form": forms.PublishForm(recipients_shown=confirmation.recipients),
        "send_anyway_error": send_anyway_error,
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


# The undo window of a publish


def _hold(campaign: models.Campaign, attempt_pk: int) -> models.PublishHold:
    attempt = get_object_or_404(models.PublishAttempt, pk=attempt_pk, campaign=campaign)
    hold = selectors.hold_for(attempt=attempt)
    if hold is None:
        raise Http404("This publish was not held.")
    return hold


def _pending_context(request: HttpRequest, campaign: models.Campaign, hold) -> dict:
    left = max(0, round((hold.due_at - timezone.now()).total_seconds()))
    return {
        "campaign": campaign,
        "hold": hold,
        "attempt": hold.attempt,
        "seconds_left": left,
        "can_publish": request.user.has_perm(roles.PUBLISH_PERMISSION),
    }


@require_GET
def publish_pending(request: HttpRequest, pk: int, attempt_pk: int) -> HttpResponse:
    """A publish in its undo window: a countdown and a button to cancel it."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    hold = _hold(campaign, attempt_pk)
    if hold.released_at:
        return redirect("campaigns:published", pk=campaign.pk)
    return render(request, PENDING, _pending_context(request, campaign, hold))


@require_POST
def publish_cancel(request: HttpRequest, pk: int, attempt_pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    hold = _hold(campaign, attempt_pk)
    try:
        attempts.publish_cancel(hold=hold, user=request.user)
    except publishing.PublishingError as error:
        messages.error(request, str(error))
        return redirect("campaigns:published", pk=campaign.pk)
    messages.success(request, CANCELLED)
    return redirect("campaigns:publish_pending", pk=campaign.pk, attempt_pk=attempt_pk)


@require_POST
def publish_release(request: HttpRequest, pk: int, attempt_pk: int) -> HttpResponse:
    """Asked every second by the pending page: sends the publish once the window is over (the
    background task does the same; whichever comes first sends it, once)."""
    roles.require_any(request.user, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    hold = _hold(campaign, attempt_pk)
    attempt = attempts.publish_release(hold=hold)
    hold.refresh_from_db()
    if attempt is not None:
        _release_message(request, campaign, attempt, hold)
    if hold.released_at is not None:
        url = reverse("campaigns:published", args=[campaign.pk])
    else:
        url = reverse("campaigns:publish_pending", args=[campaign.pk, attempt_pk])
    if not wants_fragment(request):
        return redirect(url)
    if hold.released_at is not None or hold.cancelled_at is not None:
        return HttpResponseClientRedirect(url)
    return render(request, f"{PENDING}#pending", _pending_context(request, campaign, hold))


def _release_message(request, campaign, attempt, hold) -> None:
    if hold.cancelled_at:
        messages.warning(request, NOT_RELEASED.format(reason=hold.cancelled_reason))
    elif attempt.state in {models.AttemptState.FAILED, models.AttemptState.UNKNOWN}:
        messages.error(request, RELEASE_FAILED.format(name=campaign.name, error=attempt.error))
    else:
        messages.success(request, RELEASED.format(name=campaign.name))


# The published campaign


@require_GET
def published(request: HttpRequest, pk: int) -> HttpResponse:
    """What was published: attempts, CleverTap's id and status, the body sent, every API call."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    # A publish whose server died during the create is settled as soon as it is looked at.
    for settled in followup.attempts_orphaned_settle(campaign=campaign):
        messages.info(request, settled)
    found = selectors.attempt_list(campaign=campaign)
    calls = selectors.api_call_list(campaign=campaign)
    page = Paginator(calls, API_CALLS_PER_PAGE).get_page(request.GET.get("calls"))
    current = found[0] if found else None
    for attempt in found:
        attempt.body_json = previews.json_text(previews.body_for_display(attempt.body))
        attempt.report_json = (
            previews.json_text(attempt.report) if attempt.report is not None else ""
        )
    for call in page:
        call.headers_json = previews.json_text(call.request.get("headers"))
        call.body_json = previews.json_text(previews.body_for_display(call.request.get("body")))
        call.response_json = previews.json_text(call.response)
    context = {
        "campaign": campaign,
        "attempts": found,
        "current": current,
        "published_attempt": next(
            (
                a
                for a in found
                if a.state == models.AttemptState.SUCCEEDED and a.clevertap_id is not None
            ),
            None,
        ),
        "calls": page,
        "can_publish": request.user.has_perm(roles.PUBLISH_PERMISSION),
        "needs_check": {a.pk for a in found if followup.attempt_needs_check(attempt=a)},
        "attempt_cancelled": ATTEMPT_CANCELLED,
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
        return redirect("campaigns:published", pk=campaign.pk)
    if not context["progress"]["busy"]:
        # Done: the whole page changes (attempt, status, API calls), so it is loaded again.
        return HttpResponseClientRefresh()
    return render(request, f"{PUBLISHED}#send-progress", context)


def _progress_context(attempt: models.PublishAttempt) -> dict[str, Any]:
    return {
        "progress": sends.send_progress(attempt=attempt),
        "batches": selectors.batch_list(attempt=attempt),
    }


def _back(campaign: models.Campaign) -> HttpResponse:
    return redirect("campaigns:published", pk=campaign.pk)


@require_POST
def stop(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    try:
        attempt = followup.campaign_stop(campaign=campaign, user=request.user)
    except publishing.PublishingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, followup.STOPPED.format(clevertap_id=attempt.clevertap_id))
    return _back(campaign)


@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.VIEW_PERMISSION, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    try:
        report = followup.campaign_report(campaign=campaign, user=request.user)
    except publishing.PublishingError as error:
        messages.error(request, str(error))
    else:
        if report.not_yet:
            messages.info(request, report.not_yet)
    return _back(campaign)


@require_POST
def attempt_check(request: HttpRequest, pk: int, attempt_pk: int) -> HttpResponse:
    """Resolve an unknown publish from CleverTap's campaign list."""
    roles.require_any(request.user, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    attempt = get_object_or_404(models.PublishAttempt, pk=attempt_pk, campaign=campaign)
    try:
        found = followup.publish_attempt_check(attempt=attempt, user=request.user)
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
        waiting = sends.send_attempt_resume(attempt=attempt, user=request.user)
    except publishing.PublishingError as error:
        messages.info(request, str(error))
    else:
        text = sends.RESUMED.format(count=waiting, plural="" if waiting == 1 else "es")
        messages.success(request, text)
    return _back(campaign)


@require_POST
def batch_retry(request: HttpRequest, pk: int, batch_pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    batch = get_object_or_404(models.SendBatch, pk=batch_pk, attempt__campaign=campaign)
    try:
        batch = sends.send_batch_retry(
            batch=batch, user=request.user, resend_unknown=bool(request.POST.get("resend_unknown"))
        )
    except publishing.PublishingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, sends.BATCH_QUEUED.format(number=batch.number))
    return _back(campaign)
