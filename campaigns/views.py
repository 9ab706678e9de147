import datetime
import json
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from campaigns import clevertap, payloads, previews, roles, selectors, services
from campaigns.channels import email, registry
from campaigns.forms import audience
from campaigns.forms import composer as composer_forms
from campaigns.jsonpath import same_json
from campaigns.models import Api, Campaign, Status
from campaigns.views_common import campaign_or_404, wants_fragment

PAGE_SIZE = 25
COMPOSER = "campaigns/composer.html"
SAVED = "Saved “{name}” (version {version})."
CLONED = "Cloned into “{name}”."
ARCHIVED = "Archived “{name}”. Find it again under Status: Archived."
RESTORED = "Restored “{name}” to the drafts."
CREATED = "Created “{name}”."
IMPORTED = "Imported “{name}”."
IMPORTED_WITH_ERRORS = (
    "Imported “{name}” with {count} problem{plural}: they are shown at their fields."
)
EDITABLE_STATUSES = {Status.DRAFT, Status.IN_REVIEW, Status.APPROVED}


# The drafts list.


@require_GET
@permission_required(roles.VIEW_PERMISSION, raise_exception=True)
def draft_list(request: HttpRequest) -> HttpResponse:
    form = composer_forms.DraftFilterForm(request.GET, owners=selectors.owner_options())
    drafts = selectors.draft_list(**form.filters())
    page = Paginator(drafts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "campaigns": page.object_list}
    if wants_fragment(request):
        return render(request, "campaigns/draft_list.html#drafts", context)
    return render(request, "campaigns/draft_list.html", context)


@require_GET
@permission_required(roles.VIEW_PERMISSION, raise_exception=True)
def published_list(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.campaign_list(statuses=[Status.PUBLISHED, Status.STOPPED])
    return render(request, "campaigns/published_list.html", {"campaigns": campaigns})


@require_http_methods(["GET", "POST"])
@permission_required(roles.ADD_PERMISSION, raise_exception=True)
def campaign_new(request: HttpRequest) -> HttpResponse:
    form = composer_forms.NewCampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = services.campaign_create(
            user=request.user, api=form.cleaned_data["api"], channel=form.cleaned_data["channel"]
        )
        messages.success(request, CREATED.format(name=campaign.name))
        return redirect("campaigns:composer", pk=campaign.pk)
    return render(request, "campaigns/new.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required(roles.ADD_PERMISSION, raise_exception=True)
def campaign_import(request: HttpRequest) -> HttpResponse:
    form = composer_forms.ImportForm(request.POST or None, request.FILES or None)
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
            for notice in result.notices:
                messages.info(request, notice)
            return redirect("campaigns:composer", pk=result.campaign.pk)
    return render(request, "campaigns/import.html", {"form": form})


@require_POST
@permission_required(roles.ADD_PERMISSION, raise_exception=True)
def campaign_clone(request: HttpRequest, pk: int) -> HttpResponse:
    clone = services.campaign_clone(campaign=campaign_or_404(pk), user=request.user)
    messages.success(request, CLONED.format(name=clone.name))
    return redirect("campaigns:composer", pk=clone.pk)


@require_POST
@permission_required(roles.CHANGE_PERMISSION, raise_exception=True)
def campaign_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_archived(request, pk, archived=True)


@require_POST
@permission_required(roles.CHANGE_PERMISSION, raise_exception=True)
def campaign_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_archived(request, pk, archived=False)


def _set_archived(request: HttpRequest, pk: int, *, archived: bool) -> HttpResponse:
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
@permission_required(roles.VIEW_PERMISSION, raise_exception=True)
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_or_404(pk)
    response = HttpResponse(
        _body_json(campaign.body), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}.json"'
    return response


@require_GET
@permission_required(roles.VIEW_PERMISSION, raise_exception=True)
def email_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The saved email's HTML on its own, under a policy that loads nothing remote by default."""
    campaign = campaign_or_404(pk)
    remote = request.GET.get("remote") == "1"
    html = email.preview(campaign.body)["html"]
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    policy = email.CSP_REMOTE if remote else email.CSP_BLOCKED
    response["Content-Security-Policy"] = f"{policy}; sandbox"
    return response


# The composer.


@dataclass
class SaveOutcome:
    state: str  # "saved", "conflict" or "error"
    message: str = ""
    version: int | None = None
    at: datetime.datetime | None = None
    changes: list[dict] = field(default_factory=list)


@require_http_methods(["GET", "POST"])
@permission_required(roles.VIEW_PERMISSION, raise_exception=True)
def composer(request: HttpRequest, pk: int) -> HttpResponse:
    """The composer page; without JavaScript its buttons post here (save, preview, rows)."""
    campaign = campaign_or_404(pk)
    options = selectors.account_options()
    if request.method == "GET":
        state = composer_forms.composer_load(campaign, options=options)
        return _render_composer(request, state)
    state = composer_forms.composer_bind(request.POST, campaign, options=options)
    save = None
    wants_save = request.POST.get("composer-action") == "save" or (
        "composer-overwrite_version" in request.POST
    )
    if wants_save and state.row_action is None:
        roles.require_any(request.user, roles.CHANGE_PERMISSION)
        save = _save(request, state)
        if save.state == "saved":
            text = SAVED.format(name=state.campaign.name, version=save.version)
            messages.success(request, text)
            return redirect("campaigns:composer", pk=campaign.pk)
    return _render_composer(request, state, save=save)


@require_POST
@permission_required(roles.VIEW_PERMISSION, raise_exception=True)
def composer_preview(request: HttpRequest, pk: int) -> HttpResponse:
    state = _bound_composer(request, pk)
    context = _composer_context(request, state, with_preview=True)
    return _render_partials(request, context, "preview", ("notices", True))


@require_POST
@permission_required(roles.CHANGE_PERMISSION, raise_exception=True)
def composer_save(request: HttpRequest, pk: int) -> HttpResponse:
    state = _bound_composer(request, pk)
    save = _save(request, state)
    context = _composer_context(request, state, save=save)
    if save.state != "saved":
        return _render_partials(request, context, "save-status")
    response = _render_partials(
        request,
        context,
        "save-status",
        ("base-version", True),
        ("campaign-title", True),
        ("export", True),
    )
    # The estimate panel says when the draft changed since its last estimate.
    return trigger_client_event(response, "campaign:saved")


@require_POST
@permission_required(roles.VIEW_PERMISSION, raise_exception=True)
def composer_section(request: HttpRequest, pk: int, prefix: str) -> HttpResponse:
    """One section again, with a row more or less, after an "add row" or "remove row"."""
    state = _bound_composer(request, pk)
    section = state.section(prefix)
    if section is None:
        # The posted API family or channel has no such part: it leaves the page, empty.
        section = composer_forms.BoundSection(prefix, "", None)
    context = _composer_context(request, state) | {"section": section}
    response = render(request, f"{COMPOSER}#section", context)
    focus = state.focus_after_row_action()
    if focus:
        trigger_client_event(response, "composer:focus", {"id": focus}, after="settle")
    return trigger_client_event(response, "composer:changed", after="settle")


@require_POST
@permission_required(roles.VIEW_PERMISSION, raise_exception=True)
def composer_target(request: HttpRequest, pk: int) -> HttpResponse:
    """After a change of API family or channel: the sections that depend on it, swapped alone."""
    state = _bound_composer(request, pk)
    context = _composer_context(request, state)
    shown_api = state.meta.value("shown_api") or state.campaign.api
    shown_channel = state.meta.value("shown_channel") or state.campaign.channel
    shown = {s.prefix: s.form for s in payloads.sections(shown_api, shown_channel)}
    names: list = [("target", True)]
    if list(shown) != [s.prefix for s in state.sections]:
        names.append(("sections", True))
    else:
        changed = [s for s in state.sections if shown.get(s.prefix) is not type(s.form)]
        names += [("section", True, {"section": s}) for s in changed]
    response = _render_partials(request, context, *names)
    return trigger_client_event(response, "composer:changed", after="settle")


def _bound_composer(request: HttpRequest, pk: int) -> composer_forms.Composer:
    campaign = campaign_or_404(pk)
    return composer_forms.composer_bind(request.POST, campaign, options=selectors.account_options())


def _save(request: HttpRequest, state: composer_forms.Composer) -> SaveOutcome:
    """Save the composer's body, unless someone else saved since the page's version."""
    campaign = state.campaign
    if state.not_saved:
        return SaveOutcome("error", state.not_saved)
    overwrite = state.meta.value("overwrite_version")
    base = overwrite if overwrite is not None else state.meta.value("base_version")
    unchanged = (
        same_json(state.body, campaign.body)
        and state.api == campaign.api
        and (state.api == Api.TARGETS or state.channel == campaign.channel)
    )
    if unchanged and campaign.status in EDITABLE_STATUSES:
        # Nothing to write: the page now stands on the current version, whoever saved it.
        return SaveOutcome("saved", version=campaign.version, at=campaign.updated_at)
    try:
        saved = services.campaign_save(
            campaign=campaign,
            user=request.user,
            body=state.body,
            base_version=-1 if base is None else base,
            api=state.api,
            channel=state.channel,
        )
    except services.StaleVersion as stale:
        return SaveOutcome(
            "conflict",
            str(stale),
            version=stale.campaign.version,
            changes=state.changes_from(stale.campaign.body),
        )
    except services.NotEditable as error:
        return SaveOutcome("error", str(error))
    state.campaign = saved
    return SaveOutcome("saved", version=saved.version, at=saved.updated_at)


def _render_composer(
    request: HttpRequest, state: composer_forms.Composer, *, save: SaveOutcome | None = None
) -> HttpResponse:
    context = _composer_context(request, state, save=save, with_preview=True)
    return render(request, COMPOSER, context)


def _composer_context(
    request: HttpRequest,
    state: composer_forms.Composer,
    *,
    save: SaveOutcome | None = None,
    with_preview: bool = False,
) -> dict:
    campaign = state.campaign
    editable = campaign.status in EDITABLE_STATUSES
    state.wire(target_url=reverse("campaigns:composer_target", args=[campaign.pk]))
    if save is not None and save.state == "saved":
        base_version = save.version
    else:
        base_version = state.meta.value("base_version")
        base_version = campaign.version if base_version is None else base_version
    return {
        "campaign": campaign,
        "composer": state,
        "meta": state.meta,
        "editable": editable,
        # Lazy, like the export and the datalists below: a live preview's fragments use none.
        "can_edit": SimpleLazyObject(
            lambda: editable and request.user.has_perm(roles.CHANGE_PERMISSION)
        ),
        "save": save,
        "base_version": base_version,
        "preview": _preview(state) if with_preview else None,
        "preview_url": reverse("campaigns:composer_preview", args=[campaign.pk]),
        "export": SimpleLazyObject(
            lambda: {"json": _body_json(campaign.body), "curl": _curl(campaign)}
        ),
        "datalists": SimpleLazyObject(lambda: audience.datalists(state.options)),
        "target_mode_id": f"id_{composer_forms.target_mode_input(state.api) or ''}",
    }


def _preview(state: composer_forms.Composer) -> dict:
    return {
        "endpoint": state.endpoint,
        "requests": previews.request_count(state.body) if state.api == Api.SEND else None,
        "json_html": previews.highlight_json(state.body),
        "errors": state.errors,
        "device_template": registry.preview_template(state.channel),
        "device": registry.device_preview(
            state.channel,
            state.body,
            options=state.options,
            remote_images=bool(state.meta.value("remote_images")),
        ),
        "schedule": previews.schedule_preview(
            state.body, now=timezone.now(), account_tz=ZoneInfo(settings.TIME_ZONE)
        ),
    }


def _render_partials(request: HttpRequest, context: dict, *names) -> HttpResponse:
    """Several fragments of the composer in one answer; all but the first swap out of band."""
    html = []
    for name in names:
        name, oob, extra = (name, False, {}) if isinstance(name, str) else (*name, {})[:3]
        html.append(
            render_to_string(f"{COMPOSER}#{name}", context | extra | {"oob": oob}, request=request)
        )
    return HttpResponse("".join(html))


def _body_json(body: dict) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False)


def _curl(campaign: Campaign) -> str:
    return services.campaign_curl(campaign, base_url=_api_base_url())


def _api_base_url() -> str:
    try:
        return clevertap.account_current().base_url
    except clevertap.CleverTapError:
        pass
    try:
        return clevertap.base_url_for(
            region=settings.CLEVERTAP_REGION, host=settings.CLEVERTAP_API_HOST
        )
    except clevertap.CleverTapError:
        return f"https://{clevertap.REGION_HOSTS[clevertap.DEFAULT_REGION]}"
