"""The drafts: the list, a new one, an import, a clone, archiving, and the export of a body."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns import previews, roles, selectors, services
from campaigns.forms import audience
from campaigns.library import selectors as library
from campaigns.models import Campaign, LibraryKind
from campaigns.views import forms
from campaigns.views.common import campaign_or_404, wants_fragment

PAGE_SIZE = 25
# The templates the New page offers to start from (last used first).
NEW_TEMPLATES = 6
CLONED = "Cloned into “{name}”."
ARCHIVED = "Archived “{name}”. Find it again under Status: Archived."
RESTORED = "Restored “{name}” to the drafts."
CREATED = "Created “{name}”."
IMPORTED = "Imported “{name}”."
IMPORTED_WITH_ERRORS = (
    "Imported “{name}” with {count} problem{plural}: they are shown at their fields."
)


@require_GET
def draft_list(request: HttpRequest) -> HttpResponse:
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    form = forms.DraftFilterForm(request.GET, owners=selectors.owner_options())
    drafts = selectors.draft_list(**form.filters())
    page = Paginator(drafts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "campaigns": page.object_list,
        "rows": selectors.draft_rows(page.object_list, now=timezone.now()),
        "page_numbers": page.paginator.get_elided_page_range(
            page.number, on_each_side=2, on_ends=1
        ),
        "ellipsis": Paginator.ELLIPSIS,
    }
    if wants_fragment(request):
        return render(request, "campaigns/draft_list.html#drafts", context)
    return render(request, "campaigns/draft_list.html", context)


@require_GET
def published_list(request: HttpRequest) -> HttpResponse:
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaigns = selectors.campaign_list(statuses=list(Campaign.IN_CLEVERTAP))
    return render(request, "campaigns/published_list.html", {"campaigns": campaigns})


@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    roles.require_any(request.user, roles.ADD_PERMISSION)
    form = forms.NewCampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        who = form.cleaned_data["who"]
        campaign = services.campaign_create(
            user=request.user,
            api=form.cleaned_data["api"],
            channel=form.cleaned_data["channel"],
            name=form.cleaned_data["name"],
            who=who,
        )
        messages.success(request, CREATED.format(name=campaign.name))
        url = reverse("campaigns:composer", args=[campaign.pk])
        if who in audience.STARTS:
            # The composer opens on the audience this answer chose (composer.composer_load).
            url += "?" + urlencode({"start": who})
        return redirect(url)
    templates = library.item_list(kind=LibraryKind.TEMPLATE, order="last_used")[:NEW_TEMPLATES]
    return render(request, "campaigns/new.html", {"form": form, "templates": templates})


@require_http_methods(["GET", "POST"])
def campaign_import(request: HttpRequest) -> HttpResponse:
    roles.require_any(request.user, roles.ADD_PERMISSION)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and "body" in form.cleaned_data:
        try:
            result = services.campaign_import(
                user=request.user,
                body=form.cleaned_data["body"],
                name=form.cleaned_data["name"] or None,
                endpoint=form.cleaned_data["endpoint"] or None,
            )
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            name = result.campaign.name
            if result.errors:
                count = len(result.errors)
                text = IMPORTED_WITH_ERRORS.format(
                    name=name, count=count, plural="" if count == 1 else "s"
                )
                messages.warning(request, text)
            else:
                messages.success(request, IMPORTED.format(name=name))
            # Only what the import alone can say: the composer shows the draft's own notices.
            if form.cleaned_data["reading_notice"]:
                messages.info(request, form.cleaned_data["reading_notice"])
            for notice in result.notices:
                messages.info(request, notice)
            return redirect("campaigns:composer", pk=result.campaign.pk)
    return render(request, "campaigns/import.html", {"form": form})


@require_POST
def campaign_clone(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.ADD_PERMISSION)
    clone = services.campaign_clone(campaign=campaign_or_404(pk), user=request.user)
    messages.success(request, CLONED.format(name=clone.name))
    return redirect("campaigns:composer", pk=clone.pk)


@require_POST
def campaign_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_archived(request, pk, archived=True)


@require_POST
def campaign_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_archived(request, pk, archived=False)


def _set_archived(request: HttpRequest, pk: int, *, archived: bool) -> HttpResponse:
    roles.require_any(request.user, roles.CHANGE_PERMISSION)
    campaign = campaign_or_404(pk)
    try:
        services.campaign_set_archived(campaign=campaign, user=request.user, archived=archived)
    except services.NotEditable as error:
        messages.error(request, str(error))
    else:
        template = ARCHIVED if archived else RESTORED
        messages.success(request, template.format(name=campaign.name))
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("campaigns:draft_list")


@require_GET
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    response = HttpResponse(
        previews.json_text(campaign.body), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}.json"'
    return response
