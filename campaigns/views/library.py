"""The library's pages: templates and audiences lists, an item (history, diff, where used),
editing, saving from a draft, applying to one, starting a campaign, import and export."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns import (
    composer,
    diffs,
    payloads,
    previews,
    roles,
    selectors,
    services,
    step_summaries,
)
from campaigns.channels import registry
from campaigns.forms import schedule as schedule_forms
from campaigns.library import parts, transfer
from campaigns.library import selectors as library
from campaigns.library import services as library_services
from campaigns.models import Api, LibraryItem, LibraryKind
from campaigns.views import library_forms as forms
from campaigns.views.common import campaign_or_404

PAGE_SIZE = 25
SAVED = "Saved “{name}” to the library."
EDITED = "Saved “{name}” (version {version})."
RESTORED = "Restored version {number} of “{name}” as version {version}."
APPLIED = "Applied “{name}” version {number}: saved as version {version} of the draft."
STARTED = "Started “{name}” from the template “{template}”."
ARCHIVED = "Archived “{name}”: drafts made from it keep their content."
UNARCHIVED = "“{name}” is back in the library."
DELETED = "Deleted “{name}”."
IMPORTED = "Imported {count} item{plural} into the library."
LIST_TITLES = {LibraryKind.TEMPLATE: "Message templates", LibraryKind.AUDIENCE: "Saved audiences"}
LIST_URLS = {
    LibraryKind.TEMPLATE: "campaigns:template_list",
    LibraryKind.AUDIENCE: "campaigns:audience_list",
}


def _number(text: str | None, default: int) -> int:
    """A posted whole number; `default` for anything else (a tampered page never fails)."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else default


def _item_or_404(pk: int) -> LibraryItem:
    try:
        return library.item_get(pk)
    except LibraryItem.DoesNotExist:
        raise Http404("No such library item.") from None


def _audience_words(content: dict) -> str:
    """Who a saved audience reaches, in the words of the composer's Who step summary."""
    today = schedule_forms.account_now().date()
    return step_summaries.who(parts.resolved_audience(content, today=today))


def _preview(item: LibraryItem, content: dict, options) -> dict | None:
    if item.kind != LibraryKind.TEMPLATE or not item.channel:
        return None
    body = library.template_preview_body(item, content)
    return {
        "template": registry.preview_template(item.channel),
        "device": registry.device_preview(item.channel, body, options=options),
    }


@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    return _item_list(request, LibraryKind.TEMPLATE)


@require_GET
def audience_list(request: HttpRequest) -> HttpResponse:
    return _item_list(request, LibraryKind.AUDIENCE)


def _item_list(request: HttpRequest, kind: str) -> HttpResponse:
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    form = forms.LibraryFilterForm(
        request.GET, owners=library.owner_options(kind), labels=library.label_options(kind)
    )
    items = library.item_list(kind=kind, **form.filters())
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    contents = library.latest_contents(list(page.object_list))
    options = selectors.account_options() if kind == LibraryKind.TEMPLATE else None
    rows = [
        {
            "item": item,
            "preview": _preview(item, contents.get(item.pk, {}), options),
            "audience": contents.get(item.pk, {}) if kind == LibraryKind.AUDIENCE else None,
            "who": (
                _audience_words(contents.get(item.pk, {})) if kind == LibraryKind.AUDIENCE else ""
            ),
        }
        for item in page.object_list
    ]
    context = {
        "kind": kind,
        "title": LIST_TITLES[kind],
        "form": form,
        "page": page,
        "rows": rows,
        "list_url": reverse(LIST_URLS[kind]),
    }
    return render(request, "campaigns/library/list.html", context)


@require_GET
def item_page(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    item = _item_or_404(pk)
    versions = library.versions(item)
    latest = versions[0] if versions else None
    content = latest.content if latest else {}
    before, after = _version_pair(request, item)
    diff = library.version_diff(item, before, after) if before and after else None
    context = {
        "item": item,
        "versions": versions,
        "latest": latest,
        # An audience's relative dates as a draft built today gets them.
        "content_html": previews.highlight_json(
            parts.resolved_audience(content, today=schedule_forms.account_now().date())
            if item.kind == LibraryKind.AUDIENCE
            else content.get("body") or {}
        ),
        "preview": _preview(item, content, selectors.account_options()),
        "relative": parts.relative_words(content.get("relative_days")),
        "who": _audience_words(content) if item.kind == LibraryKind.AUDIENCE else "",
        "estimate": content.get("estimate"),
        "uses": library.where_used(item),
        "diff": diff,
        "a": before,
        "b": after,
        "can_edit": request.user.has_perm(roles.CHANGE_PERMISSION),
        "can_add": request.user.has_perm(roles.ADD_PERMISSION),
        "list_url": reverse(LIST_URLS[item.kind]),
        "list_title": LIST_TITLES[item.kind],
    }
    return render(request, "campaigns/library/item.html", context)


def _version_pair(request: HttpRequest, item: LibraryItem) -> tuple[int | None, int | None]:
    def number(name: str) -> int | None:
        text = request.GET.get(name, "")
        number = _number(text, 0)
        return number if 1 <= number <= item.version else None

    before, after = number("a"), number("b")
    if before is None and after is None and item.version > 1:
        return item.version - 1, item.version
    return before, after


@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Name, description, labels and the content, whose change is a new version.

    The content is checked as the composer checks that part of a draft (its form's rules and,
    where CleverTap renders it, the Liquid): an edit with errors is not saved and comes back with
    everything typed and the errors at their fields; warnings are shown and block nothing."""
    roles.require_any(request.user, roles.CHANGE_PERMISSION)
    item = _item_or_404(pk)
    latest = item.versions.get(number=item.version)
    content_form_class = _content_form_class(item)
    audience = item.kind == LibraryKind.AUDIENCE
    initial = {
        "name": item.name,
        "description": item.description,
        "labels": "\n".join(item.labels),
        "relative_days": latest.content.get("relative_days"),
    }
    options = _content_options(item)
    posted = request.method == "POST"
    if posted:
        data = request.POST.copy()
        row_action = composer.apply_row_actions(data)
        form = forms.ItemForm(data, audience=audience)
        content_form = content_form_class(data, prefix=_prefix(item), options=options)
        errors = content_form.path_errors()
        if row_action is None and form.is_valid() and not errors:
            content = dict(latest.content)
            content["body"] = parts.edited(
                latest.content.get("body") or {},
                content_form_class,
                data,
                prefix=_prefix(item),
                options=options,
            )
            if audience:
                content["relative_days"] = form.cleaned_data.get("relative_days")
            try:
                saved = library_services.item_edit(
                    item=item,
                    user=request.user,
                    base_version=_number(request.POST.get("base_version"), 0),
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    labels=form.cleaned_data["labels"],
                    content=content,
                )
            except library_services.LibraryError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, EDITED.format(name=saved.name, version=saved.version))
                return redirect("campaigns:library_item", pk=item.pk)
        # A row added or removed is not a save: its new empty row is no problem yet.
        refused = row_action is None and bool(errors)
    else:
        form = forms.ItemForm(initial=initial, audience=audience)
        parsed = content_form_class.parse_json(
            latest.content.get("body") or {}, prefix=_prefix(item)
        )
        content_form = content_form_class(parsed.data, prefix=_prefix(item), options=options)
        errors, refused = content_form.path_errors(), False
    context = {
        "item": item,
        "form": form,
        "content_form": content_form,
        "errors": _at_labels(errors, content_form),
        "refused": refused,
        "warnings": _at_labels(content_form.path_warnings(), content_form),
        "warnings_note": payloads.WARNINGS_NOTE,
    }
    return render(request, "campaigns/library/edit.html", context, status=400 if refused else 200)


def _field_labels(form) -> dict[str, str]:
    """Each field's label by its HTML name, rows included: problems are said at a field's
    words, the JSON path only as a hint."""
    labels = {form.add_prefix(name): str(each.label or name) for name, each in form.fields.items()}
    for formset in form.formsets.values():
        for row in formset.forms:
            labels |= _field_labels(row)
    return labels


def _at_labels(problems: list, form) -> list[dict]:
    labels = _field_labels(form)
    return [
        {
            "label": labels.get(problem.field or "", ""),
            "field": problem.field or "",
            "where": problem.where,
            "message": problem.message,
        }
        for problem in problems
    ]


def _content_options(item: LibraryItem):
    """The options the composer binds this part with: for a template, those of a draft of its
    API family and channel (whether CleverTap renders its Liquid)."""
    options = selectors.account_options(composing=True)
    if item.kind == LibraryKind.TEMPLATE and item.channel:
        return payloads.draft_options(options, api=item.api or Api.TARGETS, channel=item.channel)
    return options


def _prefix(item: LibraryItem) -> str:
    return parts.CONTENT if item.kind == LibraryKind.TEMPLATE else parts.AUDIENCE


def _content_form_class(item: LibraryItem):
    if item.kind == LibraryKind.AUDIENCE:
        from campaigns.forms.audience import AudienceForm

        return AudienceForm
    return registry.content_form(item.api or "targets", item.channel)


@require_POST
def version_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    roles.require_any(request.user, roles.CHANGE_PERMISSION)
    item = _item_or_404(pk)
    try:
        saved = library_services.version_restore(item=item, number=number, user=request.user)
    except library_services.LibraryError as error:
        messages.error(request, str(error))
    else:
        text = RESTORED.format(number=number, name=saved.name, version=saved.version)
        messages.success(request, text)
    return redirect("campaigns:library_item", pk=item.pk)


@require_POST
def item_archive(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.CHANGE_PERMISSION)
    item = _item_or_404(pk)
    archived = request.POST.get("archived") != "0"
    library_services.item_set_archived(item=item, user=request.user, archived=archived)
    messages.success(request, (ARCHIVED if archived else UNARCHIVED).format(name=item.name))
    return redirect("campaigns:library_item", pk=item.pk)


@require_POST
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.CHANGE_PERMISSION)
    item = _item_or_404(pk)
    try:
        library_services.item_delete(item=item, user=request.user)
    except library_services.LibraryError as error:
        messages.error(request, str(error))
        return redirect("campaigns:library_item", pk=item.pk)
    messages.success(request, DELETED.format(name=item.name))
    return redirect(LIST_URLS[item.kind])


@require_POST
def template_start(request: HttpRequest, pk: int) -> HttpResponse:
    """A new campaign from a template: the composer opens on it."""
    roles.require_any(request.user, roles.ADD_PERMISSION)
    item = _item_or_404(pk)
    try:
        campaign = library_services.campaign_from_template(
            item=item, user=request.user, name=request.POST.get("name", "")[:200]
        )
    except library_services.LibraryError as error:
        messages.error(request, str(error))
        return redirect("campaigns:library_item", pk=item.pk)
    messages.success(request, STARTED.format(name=campaign.name, template=item.name))
    return redirect("campaigns:composer", pk=campaign.pk)


# From a draft: save its content or audience, apply an item to it.


@require_http_methods(["GET", "POST"])
def draft_save(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    roles.require_any(request.user, roles.ADD_PERMISSION)
    campaign = campaign_or_404(pk)
    if kind not in LibraryKind.values:
        raise Http404("No such library kind.")
    audience = kind == LibraryKind.AUDIENCE
    form = forms.ItemForm(request.POST or None, audience=audience)
    if request.method == "POST" and form.is_valid():
        fields = {
            "campaign": campaign,
            "user": request.user,
            "name": form.cleaned_data["name"],
            "description": form.cleaned_data["description"],
            "labels": form.cleaned_data["labels"],
        }
        try:
            if audience:
                item = library_services.audience_save_from_draft(
                    **fields, relative_days=form.cleaned_data.get("relative_days")
                )
            else:
                item = library_services.template_save_from_draft(**fields)
        except library_services.LibraryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, SAVED.format(name=item.name))
            return redirect("campaigns:library_item", pk=item.pk)
    part = (
        parts.audience_of(campaign.body)
        if audience
        else parts.content_of(campaign.body, api=campaign.api, channel=campaign.channel)
    )
    context = {
        "campaign": campaign,
        "kind": kind,
        "form": form,
        "part_html": previews.highlight_json(part),
        "part_empty": not part,
        "title": "Save audience" if audience else "Save as template",
    }
    return render(request, "campaigns/library/save.html", context)


@require_http_methods(["GET", "POST"])
def draft_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply an item to a draft: GET shows what would change (asking before replacing what the
    draft holds), POST saves it as a new version of the draft."""
    posted = request.method == "POST"
    roles.require_any(request.user, roles.CHANGE_PERMISSION if posted else roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    source = request.POST if posted else request.GET
    item_id = source.get("item", "")
    kind = source.get("kind", LibraryKind.TEMPLATE)
    if not _number(item_id, 0):
        return _apply_choose(request, campaign, kind)
    item = _item_or_404(_number(item_id, 0))
    number = _number(source.get("version"), 0) or None
    error = ""
    if posted:
        try:
            saved = library_services.apply_to_draft(
                campaign=campaign,
                item=item,
                user=request.user,
                base_version=_number(request.POST.get("base_version"), campaign.version),
                number=number,
            )
        except (
            library_services.LibraryError,
            services.StaleVersion,
            services.NotEditable,
        ) as refused:
            error = str(refused)
        else:
            text = APPLIED.format(
                name=item.name, number=number or item.version, version=saved.version
            )
            messages.success(request, text)
            return redirect("campaigns:composer", pk=campaign.pk)
    try:
        version = library_services.version_of(item, number)
        after = library_services.applied_body(campaign, item, version)
    except library_services.LibraryError as refused:
        error, after, version = error or str(refused), None, None
    if item.kind == LibraryKind.TEMPLATE:
        replaces = parts.has_content(campaign.body, api=campaign.api, channel=campaign.channel)
    else:
        replaces = parts.has_audience(campaign.body)
    context = {
        "campaign": campaign,
        "item": item,
        "version": version,
        "error": error,
        "replaces": replaces,
        "diff": diffs.json_diff(campaign.body, after) if after is not None else None,
        "estimate": version.content.get("estimate") if version else None,
        "relative": parts.relative_words(version.content.get("relative_days")) if version else "",
        "who": (
            _audience_words(version.content)
            if version and item.kind == LibraryKind.AUDIENCE
            else ""
        ),
        "can_edit": campaign.editable and request.user.has_perm(roles.CHANGE_PERMISSION),
    }
    return render(request, "campaigns/library/apply.html", context, status=400 if error else 200)


def _apply_choose(request: HttpRequest, campaign, kind: str) -> HttpResponse:
    if kind not in LibraryKind.values:
        kind = LibraryKind.TEMPLATE
    items = library.usable(kind)
    if kind == LibraryKind.TEMPLATE:
        items = [item for item in items if item.channel == campaign.channel]
    context = {"campaign": campaign, "kind": kind, "items": items, "title": LIST_TITLES[kind]}
    return render(request, "campaigns/library/choose.html", context)


# Files.


@require_GET
def library_export(request: HttpRequest) -> HttpResponse:
    """Every item (or one kind, or one item) as a library file."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    items = LibraryItem.objects.select_related("owner").order_by("kind", "name", "id")
    kind = request.GET.get("kind", "")
    if kind in LibraryKind.values:
        items = items.filter(kind=kind)
    item_id = request.GET.get("item", "")
    if _number(item_id, 0):
        items = items.filter(pk=_number(item_id, 0))
    document = transfer.export_document(items)
    response = HttpResponse(
        previews.json_text(document), content_type="application/json; charset=utf-8"
    )
    name = (
        f"library-{item_id}.json"
        if item_id.isdigit()
        else f"library{'-' + kind if kind in LibraryKind.values else ''}.json"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
def library_import(request: HttpRequest) -> HttpResponse:
    roles.require_any(request.user, roles.ADD_PERMISSION)
    form = forms.LibraryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            items = transfer.import_document(form.cleaned_data["document"], user=request.user)
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            count = len(items)
            messages.success(
                request, IMPORTED.format(count=count, plural="" if count == 1 else "s")
            )
            return redirect("campaigns:template_list")
    return render(request, "campaigns/library/import.html", {"form": form})
