"""Test sends: a person's own test recipients, and a draft's content sent to some of them.

Plain forms that post and redirect (no JavaScript needed); a refusal or a failed send renders
the page again with what was chosen still chosen and what happened in words.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST

from campaigns import previews, roles, test_recipients, test_send_payload
from campaigns.models import Api
from campaigns.publishing import test_sends
from campaigns.views import test_send_forms
from campaigns.views.common import campaign_or_404

RECIPIENTS = "campaigns/test_recipients.html"
TEST_SEND = "campaigns/test_send.html"
# Everyone who works on drafts may see one on their own device: composing, reviewing, publishing.
TESTERS = (roles.CHANGE_PERMISSION, roles.REVIEW_PERMISSION, roles.PUBLISH_PERMISSION)

ADDED = "Added {recipient} to your test recipients."
REMOVED = "Removed {recipient} from your test recipients."
NOT_IN_LIST = "That recipient is no longer in your list."


@require_http_methods(["GET", "POST"])
def recipient_list(request: HttpRequest) -> HttpResponse:
    """The user's own test recipients, and a form to add one."""
    roles.require_any(request.user, *TESTERS)
    back = _back_url(request)
    posted = request.POST if request.method == "POST" else None
    form = test_send_forms.RecipientForm(posted)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                recipient = test_recipients.recipient_add(user=request.user, **form.cleaned_data)
            except test_recipients.RecipientRefused as refused:
                form.add_error("value", str(refused))
            else:
                messages.success(request, ADDED.format(recipient=recipient))
                return redirect(_with_back(reverse("campaigns:test_recipients"), back))
        status = 400
    context = {
        "form": form,
        "recipients": test_recipients.recipient_list(user=request.user),
        "list_max": test_recipients.LIST_MAX,
        "test_max": test_send_payload.MAX_RECIPIENTS,
        "back": back,
    }
    return render(request, RECIPIENTS, context, status=status)


@require_POST
def recipient_remove(request: HttpRequest, recipient_pk: int) -> HttpResponse:
    roles.require_any(request.user, *TESTERS)
    removed = test_recipients.recipient_remove(user=request.user, pk=recipient_pk)
    if removed is None:
        messages.info(request, NOT_IN_LIST)
    else:
        messages.success(request, REMOVED.format(recipient=removed))
    return redirect(_with_back(reverse("campaigns:test_recipients"), _back_url(request)))


@require_http_methods(["GET", "POST"])
def send_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the draft's saved content to some of the user's test recipients now."""
    roles.require_any(request.user, *TESTERS)
    campaign = campaign_or_404(pk)
    posted = request.POST if request.method == "POST" else None
    form = test_send_forms.TestSendForm(posted, user=request.user)
    refused = test_sends.refusal(campaign)
    outcome = None
    status = 200
    if request.method == "POST":
        status = 400
        if refused is None and form.is_valid():
            try:
                outcome = test_sends.campaign_test_send(
                    campaign=campaign,
                    user=request.user,
                    recipients=form.cleaned_data["recipients"],
                )
            except test_sends.TestSendRefused as error:
                refused = error
            else:
                if outcome.sent:
                    messages.success(request, outcome.message)
                    return redirect("campaigns:test_send", pk=campaign.pk)
                status = 200
    shown = None
    if refused is None:
        everyone = list(form.fields["recipients"].queryset[: test_send_payload.MAX_RECIPIENTS])
        shown = test_sends.body_shown(campaign=campaign, recipients=everyone)
    context = {
        "campaign": campaign,
        "form": form,
        "json_html": previews.highlight_json(shown) if shown is not None else "",
        "refused": refused,
        "outcome": outcome,
        "endpoint": f"send/{campaign.channel}.json",
        "no_endpoint": bool(test_send_payload.cannot_test_send(campaign.channel)),
        "literal_note": (
            test_send_payload.SENT_LITERALLY
            if test_send_payload.personalized(campaign.body.get("content"))
            else ""
        ),
        "by_identity": campaign.api == Api.SEND,
        "test_max": test_send_payload.MAX_RECIPIENTS,
        "tag_group": test_send_payload.TEST_TAG_GROUP,
        "sent_tests": test_sends.sent_tests(campaign=campaign, limit=10),
        "here": request.path,
    }
    return render(request, TEST_SEND, context, status=status)


def _back_url(request: HttpRequest) -> str:
    """Where the recipients page leads back to (a test send page), when it is this site's."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return back if safe and back.startswith("/") else ""


def _with_back(url: str, back: str) -> str:
    return f"{url}?{urlencode({'next': back})}" if back else url
