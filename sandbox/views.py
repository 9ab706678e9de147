"""The sandbox page and its fault switch, for sandbox operators (`roles.SANDBOX_PERMISSION`).

The CleverTap-compatible API itself is in `sandbox.api`: no login, CleverTap's headers instead.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from campaigns import roles
from sandbox import faults, selectors
from sandbox.forms import FaultsForm

MESSAGE_FAULTS_SAVED = "Fault settings saved."


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    roles.require_any(request.user, roles.SANDBOX_PERMISSION)
    return _overview_render(request, form=FaultsForm(instance=faults.faults_get()))


@require_POST
def faults_update(request: HttpRequest) -> HttpResponse:
    roles.require_any(request.user, roles.SANDBOX_PERMISSION)
    form = FaultsForm(request.POST, instance=faults.faults_get())
    if not form.is_valid():
        return _overview_render(request, form=form)
    faults.faults_configure(**form.cleaned_data)
    messages.success(request, MESSAGE_FAULTS_SAVED)
    return redirect("sandbox:overview")


def _overview_render(request: HttpRequest, *, form: FaultsForm) -> HttpResponse:
    context = {
        "summary": selectors.audience_summary(),
        "event_counts": selectors.event_name_counts(),
        "property_names": selectors.profile_property_names(include_system=False),
        "segments": selectors.segments(),
        "campaigns": selectors.campaigns_latest(limit=10),
        "received": selectors.received_requests_latest(limit=20),
        "faults_form": form,
        "base_url": settings.SANDBOX_BASE_URL,
        "account_id": settings.SANDBOX_ACCOUNT_ID,
    }
    return render(request, "sandbox/overview.html", context)
