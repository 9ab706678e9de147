"""Team review pages: the queue, a draft's review (diff, guards, comments), its history, the undo
window of a publish, and the audit log. Function views, one service or selector each.

Permissions are checked here, before anything is read or rendered, and again in the services.
Every form works as a plain POST that redirects; with htmx, comments and the undo countdown swap
their fragment (`page.html#name`, whose DOM id is its name).
"""

import csv
import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from campaigns import models, previews, publishing, review, roles, services
from campaigns.views_common import campaign_or_404, wants_fragment

QUEUE = "campaigns/review/queue.html"
REVIEW = "campaigns/review/review.html"
HISTORY = "campaigns/review/history.html"
PENDING = "campaigns/review/pending.html"
AUDIT = "campaigns/review/audit.html"
AUDIT_PER_PAGE = 50
COMMENTS_POLL_SECONDS = 5

SUBMITTED = "Submitted “{name}” for review."
APPROVED = "Approved version {version} of “{name}”."
APPROVED_NEEDS_MORE = (
    "Approved version {version} of “{name}”: it needs {needed} approvals, {count} so far."
)
CHANGES_REQUESTED = "Sent “{name}” back to its composer."
RESTORED = "Restored version {restored} as version {version}."
CANCELLED = "Cancelled: nothing was sent. The draft can be published again."
RELEASED = "Sent “{name}” to CleverTap once the undo window ended."
RELEASE_FAILED = "The publish of “{name}” did not go through: {error}"
NOT_RELEASED = "Not published: {reason}"


def _back(campaign: models.Campaign) -> HttpResponse:
    return redirect("review:review", pk=campaign.pk)


# Forms


class CommentForm(forms.Form):
    prefix = "comment"
    text = forms.CharField(
        label="Comment",
        max_length=review.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    section = forms.ChoiceField(label="On the section", required=False)
    path = forms.CharField(
        label="On the field (JSON path)",
        required=False,
        max_length=300,
        help_text="Optional, e.g. content.title or when.start_time.",
        widget=forms.TextInput(attrs={"list": "body-paths", "autocomplete": "off"}),
    )

    def __init__(self, *args, campaign: models.Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", "The whole draft")] + review.section_choices(
            campaign=campaign
        )


class RequestChangesForm(CommentForm):
    prefix = "changes"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = "What should change"


class AuditFilterForm(forms.Form):
    campaign = forms.IntegerField(
        label="Draft (id)",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
    actor = forms.ModelChoiceField(
        label="Who",
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label="Anyone",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    action = forms.ChoiceField(
        label="What",
        required=False,
        choices=[("", "Anything"), *models.AuditAction.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        User = get_user_model()
        self.fields["actor"].queryset = User.objects.order_by(User.USERNAME_FIELD)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "campaign_id": data.get("campaign"),
            "actor_id": data["actor"].pk if data.get("actor") else None,
            "action": data.get("action") or "",
        }


# The queue


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Drafts waiting for review, longest waiting first, with who asked and when."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    return render(request, QUEUE, {"campaigns": review.review_queue()})


# A draft's review


def _review_context(request: HttpRequest, campaign: models.Campaign) -> dict:
    user = request.user
    base = review.diff_base(campaign=campaign)
    estimate = publishing.estimate_latest(campaign=campaign)
    is_author = user.pk in review.authors(campaign=campaign)
    return {
        "campaign": campaign,
        "guards": review.guards(campaign=campaign),
        "base": base,
        "diff": review.body_diff(base.body, campaign.body),
        "estimate": estimate,
        "estimate_loaded": True,
        "stale": (
            publishing.estimate_stale_message(estimate=estimate, campaign=campaign)
            if estimate
            else ""
        ),
        "progress": (
            publishing.estimate_progress(estimate=estimate)
            if estimate and estimate.state == models.EstimateState.PENDING
            else None
        ),
        "schedule": previews.schedule_preview(
            campaign.body, now=timezone.now(), account_tz=ZoneInfo(settings.TIME_ZONE)
        ),
        "approvals": models.Approval.objects.filter(campaign=campaign).select_related("reviewer"),
        "comments": review.comment_list(campaign=campaign),
        "comment_form": CommentForm(campaign=campaign),
        "changes_form": RequestChangesForm(campaign=campaign),
        "can_submit": campaign.status == models.Status.DRAFT
        and user.has_perm(roles.CHANGE_PERMISSION),
        "can_review": campaign.status in review.REVIEWABLE
        and user.has_perm(roles.REVIEW_PERMISSION),
        "four_eyes_blocks": settings.REVIEW_FOUR_EYES and is_author,
        "can_comment": any(user.has_perm(p) for p in review.COMMENT_PERMISSIONS),
        "can_publish": campaign.status == models.Status.APPROVED
        and user.has_perm(roles.PUBLISH_PERMISSION),
        "body_paths": review.body_paths(campaign.body),
        "poll_seconds": COMMENTS_POLL_SECONDS,
    }


@require_GET
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The exact request body, diffed against the last approved or published one, the guards,
    the latest estimate, the next send times, and the comments beside them."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    return render(request, REVIEW, _review_context(request, campaign))


@require_GET
def guards(request: HttpRequest, pk: int) -> HttpResponse:
    """The guards fragment again (after a new estimate)."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    if not wants_fragment(request):
        return _back(campaign)
    context = {"campaign": campaign, "guards": review.guards(campaign=campaign)}
    return render(request, f"{REVIEW}#guards", context)


@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.CHANGE_PERMISSION)
    campaign = campaign_or_404(pk)
    try:
        review.campaign_submit(campaign=campaign, user=request.user)
    except review.ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, SUBMITTED.format(name=campaign.name))
    return _back(campaign)


@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.REVIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    shown = request.POST.get("version", "")
    try:
        approval = review.campaign_approve(
            campaign=campaign,
            user=request.user,
            shown_version=int(shown) if shown.isdigit() else -1,
        )
    except review.ReviewError as error:
        messages.error(request, str(error))
        return _back(campaign)
    campaign.refresh_from_db()
    found = review.guards(campaign=campaign)
    count = len({a.reviewer_id for a in found.approvals})
    if count >= found.needed:
        messages.success(request, APPROVED.format(version=approval.version, name=campaign.name))
    else:
        text = APPROVED_NEEDS_MORE.format(
            version=approval.version, name=campaign.name, needed=found.needed, count=count
        )
        messages.info(request, text)
    return _back(campaign)


@require_POST
def request_changes(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.REVIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    form = RequestChangesForm(request.POST, campaign=campaign)
    if form.is_valid():
        try:
            review.campaign_request_changes(
                campaign=campaign,
                user=request.user,
                text=form.cleaned_data["text"],
                section=form.cleaned_data["section"],
                path=form.cleaned_data["path"],
            )
        except review.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, CHANGES_REQUESTED.format(name=campaign.name))
            return _back(campaign)
    context = _review_context(request, campaign) | {"changes_form": form}
    return render(request, REVIEW, context, status=400)


# Comments


@require_http_methods(["GET", "POST"])
def comments(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the comments (polled, so that others' comments appear). POST: add one."""
    if request.method == "POST":
        roles.require_any(request.user, *review.COMMENT_PERMISSIONS)
    else:
        roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    form = CommentForm(campaign=campaign)
    status = 200
    if request.method == "POST":
        form = CommentForm(request.POST, campaign=campaign)
        if form.is_valid():
            try:
                review.comment_add(campaign=campaign, user=request.user, **form.cleaned_data)
            except review.ReviewError as error:
                form.add_error(None, str(error))
            else:
                form = CommentForm(campaign=campaign)
                if not wants_fragment(request):
                    return _back(campaign)
        if form.errors:
            status = 400 if not wants_fragment(request) else 200
    context = {
        "campaign": campaign,
        "comments": review.comment_list(campaign=campaign),
        "comment_form": form,
        "can_comment": any(request.user.has_perm(p) for p in review.COMMENT_PERMISSIONS),
        "poll_seconds": COMMENTS_POLL_SECONDS,
    }
    if not wants_fragment(request):
        if request.method == "GET":
            return _back(campaign)
        return render(request, REVIEW, _review_context(request, campaign) | context, status=status)
    if request.method == "GET":
        return render(request, f"{REVIEW}#comments", context)
    # The list with the new comment, and the form emptied (or with its errors) out of band.
    html = render(request, f"{REVIEW}#comments", context).content
    html += render(request, f"{REVIEW}#comment-form", context | {"oob": True}).content
    return HttpResponse(html)


# History


@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every revision; any two diffed (?a=&b=, versions); any one restorable."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    revisions = list(review.revision_list(campaign=campaign))
    versions = [r.version for r in revisions]
    a, b = _version(request.GET.get("a")), _version(request.GET.get("b"))
    if b not in versions:
        b = versions[0] if versions else None
    if a not in versions:
        older = [v for v in versions if b is not None and v < b]
        a = older[0] if older else b
    diff = None
    left = right = None
    if a is not None and b is not None:
        pair = {
            r.version: r
            for r in models.Revision.objects.filter(campaign=campaign, version__in=[a, b])
        }
        left, right = pair[a], pair[b]
        diff = review.body_diff(left.body, right.body)
    context = {
        "campaign": campaign,
        "revisions": revisions,
        "a": a,
        "b": b,
        "left": left,
        "right": right,
        "diff": diff,
        "can_edit": request.user.has_perm(roles.CHANGE_PERMISSION)
        and campaign.status not in {models.Status.PUBLISHED, models.Status.STOPPED}
        and campaign.status != models.Status.ARCHIVED,
    }
    return render(request, HISTORY, context)


def _version(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_POST
def revision_restore(request: HttpRequest, pk: int, revision_pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.CHANGE_PERMISSION)
    campaign = campaign_or_404(pk)
    revision = get_object_or_404(models.Revision, pk=revision_pk, campaign=campaign)
    base = _version(request.POST.get("base_version"))
    try:
        saved = review.revision_restore(revision=revision, user=request.user, base_version=base)
    except (review.ReviewError, services.StaleVersion, services.NotEditable) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, RESTORED.format(restored=revision.version, version=saved.version))
    return redirect("review:history", pk=campaign.pk)


# The undo window of a publish


def _hold(campaign: models.Campaign, attempt_pk: int) -> models.PublishHold:
    attempt = get_object_or_404(models.PublishAttempt, pk=attempt_pk, campaign=campaign)
    hold = review.hold_for(attempt=attempt)
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
        return redirect("publishing:published", pk=campaign.pk)
    return render(request, PENDING, _pending_context(request, campaign, hold))


@require_POST
def publish_cancel(request: HttpRequest, pk: int, attempt_pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    hold = _hold(campaign, attempt_pk)
    try:
        review.publish_cancel(hold=hold, user=request.user)
    except review.ReviewError as error:
        messages.error(request, str(error))
        return redirect("publishing:published", pk=campaign.pk)
    messages.success(request, CANCELLED)
    return redirect("review:publish_pending", pk=campaign.pk, attempt_pk=attempt_pk)


@require_POST
def publish_release(request: HttpRequest, pk: int, attempt_pk: int) -> HttpResponse:
    """Asked every second by the pending page: sends the publish once the window is over (the
    background task does the same; whichever comes first sends it, once)."""
    roles.require_any(request.user, roles.PUBLISH_PERMISSION)
    campaign = campaign_or_404(pk)
    hold = _hold(campaign, attempt_pk)
    attempt = review.publish_release(hold=hold)
    hold.refresh_from_db()
    if attempt is not None:
        _release_message(request, campaign, attempt, hold)
    if hold.released_at is not None:
        url = reverse("publishing:published", args=[campaign.pk])
    else:
        url = reverse("review:publish_pending", args=[campaign.pk, attempt_pk])
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


# The audit log


@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    """Every state change, approval, publish attempt, stop and settings change; read-only."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    form = AuditFilterForm(request.GET or None)
    events = review.audit_list(**form.filters())
    page = Paginator(events, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, AUDIT, context)


@require_GET
def audit_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The audit log as filtered, as CSV (streamed: it can be long)."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    form = AuditFilterForm(request.GET or None)
    events = review.audit_list(**form.filters())
    response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (draft names are typed by people)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_rows(events) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(["time", "who", "action", "draft_id", "draft", "details"])
    for event in events.iterator(chunk_size=500):
        yield writer.writerow(
            [
                event.created_at.isoformat(),
                _cell(event.actor.get_username() if event.actor else ""),
                event.action,
                event.campaign_id or "",
                _cell(event.campaign.name if event.campaign else ""),
                _cell(json.dumps(event.details, ensure_ascii=False, sort_keys=True)),
            ]
        )
