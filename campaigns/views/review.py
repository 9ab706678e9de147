"""Team review pages: the queue, a draft's review (diff, guards, comments) and its history.

Every form works as a plain POST that redirects; with htmx, comments swap their fragment
(`page.html#name`, whose DOM id is its name).
"""

import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns import models, overlap_reads, payloads, previews, review, roles, selectors, services
from campaigns.publishing import reach, test_sends
from campaigns.review import approvals, comments, guards, revisions
from campaigns.views import composer as composer_views
from campaigns.views import forms
from campaigns.views import publishing as publishing_views
from campaigns.views.common import campaign_or_404, wants_fragment

QUEUE = "campaigns/review/queue.html"
REVIEW = "campaigns/review/review.html"
HISTORY = "campaigns/review/history.html"
COMPOSER_COMMENTS = "campaigns/_comments.html"
COMMENTS_POLL_SECONDS = 5

SUBMITTED = "Submitted “{name}” for review."
APPROVED = "Approved version {version} of “{name}”."
APPROVED_NEEDS_MORE = (
    "Approved version {version} of “{name}”: it needs {needed} approvals, {count} so far."
)
CHANGES_REQUESTED = "Sent “{name}” back to its composer."
RESTORED = "Restored version {restored} as version {version}."
COMMENT_RESOLVED = "Comment resolved."
# Where the composer goes back to after a resolve without JavaScript: an id on its page.
_ANCHOR = re.compile(r"[a-z][a-z0-9_-]{0,60}")


def _back(campaign: models.Campaign) -> HttpResponse:
    return redirect("campaigns:review", pk=campaign.pk)


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Drafts waiting for review, longest waiting first, with who asked and when."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    return render(request, QUEUE, {"campaigns": selectors.review_queue()})


def _review_context(request: HttpRequest, campaign: models.Campaign) -> dict:
    base = revisions.diff_base(campaign=campaign)
    # The estimate of exactly the body under review, never one of another version.
    estimate = reach.estimate_of_version(campaign)
    review_note = reach.review_note(campaign, estimate)
    return publishing_views.estimate_context(campaign, estimate) | {
        "review_estimate_note": review_note,
        "guards": guards.guards(campaign=campaign),
        "actions": guards.actions(campaign=campaign, user=request.user),
        "warnings_note": payloads.WARNINGS_NOTE,
        "base": base,
        "diff": revisions.body_diff(base.body, campaign.body),
        "list_change": revisions.list_change(base.body, campaign.body),
        "schedule": previews.schedule_preview(
            campaign.body,
            now=timezone.now(),
            account_tz=ZoneInfo(settings.TIME_ZONE),
            audience_timezones=selectors.audience_timezones,
        ),
        "overlaps": overlap_reads.campaign_overlaps(campaign),
        "approvals": selectors.approval_list(campaign=campaign),
        "comments": selectors.comment_list(campaign=campaign),
        "comment_form": forms.CommentForm(campaign=campaign),
        "changes_form": forms.RequestChangesForm(campaign=campaign),
        "body_paths": revisions.body_paths(campaign.body),
        "poll_seconds": COMMENTS_POLL_SECONDS,
    }


@require_GET
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The exact request body, diffed against the last approved, published or submitted one, the
    guards, the latest estimate, the next send times, and the comments beside them."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    return render(request, REVIEW, _review_context(request, campaign))


@require_GET
def review_guards(request: HttpRequest, pk: int) -> HttpResponse:
    """The guards fragment again (after a new estimate)."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    if not wants_fragment(request):
        return _back(campaign)
    context = {"campaign": campaign, "guards": guards.guards(campaign=campaign)}
    return render(request, f"{REVIEW}#guards", context)


@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.CHANGE_PERMISSION)
    campaign = campaign_or_404(pk)
    try:
        approvals.campaign_submit(campaign=campaign, user=request.user)
    except review.ReviewError as error:
        messages.error(request, str(error))
        if request.POST.get("from") == "composer":
            # Back where it was asked, which lists the steps to fix.
            return redirect(composer_views.submit_refused_url(campaign))
    else:
        messages.success(request, SUBMITTED.format(name=campaign.name))
    return _back(campaign)


@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.REVIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    shown = request.POST.get("version", "")
    try:
        approval = approvals.campaign_approve(
            campaign=campaign,
            user=request.user,
            shown_version=int(shown) if shown.isdigit() else -1,
        )
    except review.ReviewError as error:
        messages.error(request, str(error))
        return _back(campaign)
    campaign.refresh_from_db()
    found = guards.guards(campaign=campaign)
    if found.reviewers >= found.needed:
        messages.success(request, APPROVED.format(version=approval.version, name=campaign.name))
    else:
        text = APPROVED_NEEDS_MORE.format(
            version=approval.version, name=campaign.name, needed=found.needed, count=found.reviewers
        )
        messages.info(request, text)
    return _back(campaign)


@require_POST
def request_changes(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.REVIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    form = forms.RequestChangesForm(request.POST, campaign=campaign)
    if form.is_valid():
        try:
            approvals.campaign_request_changes(
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


@require_http_methods(["GET", "POST"])
def comment_list(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the comments (polled, so that others' comments appear). POST: add one."""
    if request.method == "POST":
        roles.require_any(request.user, *comments.COMMENT_PERMISSIONS)
    else:
        roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    form = forms.CommentForm(campaign=campaign)
    status = 200
    if request.method == "POST":
        form = forms.CommentForm(request.POST, campaign=campaign)
        if form.is_valid():
            try:
                comments.comment_add(campaign=campaign, user=request.user, **form.cleaned_data)
            except review.ReviewError as error:
                form.add_error(None, str(error))
            else:
                form = forms.CommentForm(campaign=campaign)
                if not wants_fragment(request):
                    return _back(campaign)
        if form.errors:
            status = 400 if not wants_fragment(request) else 200
    context = {
        "campaign": campaign,
        "comments": selectors.comment_list(campaign=campaign),
        "comment_form": form,
        "actions": guards.actions(campaign=campaign, user=request.user),
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


@require_POST
def comment_resolve(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    """Resolve a comment from the composer: htmx swaps its box; without JavaScript the composer
    comes back at the comment's section (`anchor`)."""
    roles.require_any(request.user, *comments.COMMENT_PERMISSIONS)
    campaign = campaign_or_404(pk)
    comment = get_object_or_404(models.Comment, pk=comment_pk, campaign=campaign)
    comment = comments.comment_resolve(comment=comment, user=request.user)
    if wants_fragment(request):
        context = {"comment": comment, "message": COMMENT_RESOLVED, "oob": True}
        context["resolved"] = selectors.comment_list(campaign=campaign).filter(
            resolved_at__isnull=False
        )
        html = render(request, f"{COMPOSER_COMMENTS}#resolved", context).content
        html += render(request, f"{COMPOSER_COMMENTS}#resolved-list", context).content
        return HttpResponse(html)
    messages.success(request, COMMENT_RESOLVED)
    anchor = request.POST.get("anchor", "")
    url = reverse("campaigns:composer", args=[campaign.pk])
    return redirect(f"{url}#{anchor}" if _ANCHOR.fullmatch(anchor) else url)


@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every revision; any two diffed (?a=&b=, versions); any one restorable."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    found = list(selectors.revision_list(campaign=campaign))
    versions = [r.version for r in found]
    a, b = _version(request.GET.get("a")), _version(request.GET.get("b"))
    if b not in versions:
        b = versions[0] if versions else None
    if a not in versions:
        older = [v for v in versions if b is not None and v < b]
        a = older[0] if older else b
    diff = None
    list_change = ""
    left = right = None
    if a is not None and b is not None:
        pair = selectors.revisions_by_version(campaign=campaign, versions=[a, b])
        left, right = pair[a], pair[b]
        diff = revisions.body_diff(left.body, right.body)
        list_change = revisions.list_change(left.body, right.body)
    context = {
        "campaign": campaign,
        "revisions": found,
        "a": a,
        "b": b,
        "left": left,
        "right": right,
        "diff": diff,
        "list_change": list_change,
        "can_edit": campaign.editable and request.user.has_perm(roles.CHANGE_PERMISSION),
        "sent_tests": test_sends.sent_tests(campaign=campaign),
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
        saved = services.revision_restore(revision=revision, user=request.user, base_version=base)
    except (services.NothingToRestore, services.StaleVersion, services.NotEditable) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, RESTORED.format(restored=revision.version, version=saved.version))
    return redirect("campaigns:history", pk=campaign.pk)
