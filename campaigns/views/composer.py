"""The composer page and its htmx endpoints: the live preview, saving, a section with a row more or
less or a new choice, the parts that depend on the API family and channel, and the email on its
own."""

import hashlib
import pickle
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, trigger_client_event

from campaigns import (
    clevertap,
    composer,
    identities,
    overlap_reads,
    payloads,
    personalization,
    preview_as,
    previews,
    roles,
    schedule,
    section_html,
    selectors,
    services,
    steps,
)
from campaigns.channels import email, registry
from campaigns.forms import audience
from campaigns.forms import schedule as schedule_forms
from campaigns.library import selectors as library
from campaigns.models import Api, Status, identity_lists
from campaigns.review import comments
from campaigns.views import forms, test_sends
from campaigns.views.common import campaign_for_preview_or_404, campaign_or_404

COMPOSER = "campaigns/composer.html"
SAVED = "Saved “{name}” (version {version})."
DATES_MOVED = (
    "The saved audience's dates (the last days before today) are brought up to today here: "
    "save to keep them."
)
# `?submit=refused`: the review's submit sends a refused submit back here (review.submit).
SUBMIT_REFUSED_PARAMETER = "submit"
SUBMIT_REFUSED_VALUE = "refused"
JSON_ABRIDGED = (
    "Shown with the first identities of each type only: the body sent and exported holds all "
    "{count:,}."
)
EXPORT_TOO_LONG = (
    "The identity list holds {count:,} people, too many to copy from the page: download the "
    "JSON, which is the exact body, list included."
)


@require_http_methods(["GET", "POST"])
def composer_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The composer page; without JavaScript its buttons post here (save, preview, rows)."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    options = selectors.account_options(composing=True)
    if request.method == "GET":
        # `start`: the New page's answer to who gets it, for a draft that has not chosen yet.
        # A saved audience's "last N days" as of today: saved with the next save.
        library.composer_library(campaign)
        dated = library.dated_body(campaign, today=schedule_forms.account_now().date())
        state = composer.composer_load(
            campaign, options=options, start=request.GET.get("start", ""), override=dated
        )
        if dated is not None:
            state.notices.append(DATES_MOVED)
        return _render_composer(request, state)
    state = composer.composer_bind(request.POST, campaign, options=options)
    save = None
    wants_save = request.POST.get("composer-action") == "save" or (
        "composer-overwrite_version" in request.POST
    )
    if wants_save and state.row_action is None:
        save = services.composer_save(state=state, user=request.user)
        if save.state == "saved":
            text = SAVED.format(name=state.campaign.name, version=save.version)
            messages.success(request, text)
            return redirect("campaigns:composer", pk=campaign.pk)
    response = _render_composer(request, state, save=save)
    if save is not None and save.state == "incomplete":
        response.status_code = 400
    return response


@require_POST
def composer_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The live preview, posted on every pause in typing: its fragments show no form, so the
    draft is read without what they never show and no form is wired (`wired=False`)."""
    # The step summary's submit line asks whether the user may change the draft.
    held = roles.permissions_held(request.user, roles.VIEW_PERMISSION, roles.CHANGE_PERMISSION)
    roles.require_held(held, roles.VIEW_PERMISSION)
    state = _bound_composer(request, pk, for_preview=True)
    context = _composer_context(request, state, with_preview=True, wired=False, held=held)
    names: list = ["preview", ("notices", True), "counters"]
    # The steps and the schedule only where they would show something else than the page.
    names += _steps_changed(request.POST, context)
    if request.POST.get(SCHEDULE_SHOWN_INPUT) != context["preview"]["schedule_digest"]:
        names.append(("schedule-panel", True))
    return _render_partials(request, context, *names)


def _steps_changed(posted, context: dict) -> list:
    """The parts of the step summary a live preview swaps: each step and the submit line whose
    digest differs from the one the page posted (`steps.shown_input`), or the whole summary when
    the page shows other steps (another API family) or no submit line."""
    shown = {steps.shown_input(step.prefix): step.digest for step in context["steps"]}
    if context["can_submit"]:
        shown[steps.shown_input(steps.SUBMIT)] = str(context["submit_shown"])
    if {name for name in posted if name.startswith(f"{steps.SHOWN_INPUT}-")} != shown.keys():
        return [("step-summary", True)]
    changed: list = [
        ("step", False, {"step": step, "step_oob": True})
        for step in context["steps"]
        if posted[steps.shown_input(step.prefix)] != step.digest
    ]
    submit = steps.shown_input(steps.SUBMIT)
    if submit in shown and posted[submit] != shown[submit]:
        changed.append(("step-submit", False, {"step_oob": True}))
    return changed


@require_POST
def composer_preview_as(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Preview as" control: a person looked up by identity or email, drawn from the sample,
    or let go, kept for this draft in the user's session; then the control and the preview drawn
    for that person from the page's unsaved content (the control posts the composer form too). A
    failed lookup says why in the control and keeps the person shown before."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    form = forms.PreviewAsForm(request.POST)
    person = preview_as.session_person(request.session, campaign.pk)
    action, problem = form.chosen_action, ""
    if action == forms.PREVIEW_AS_CLEAR:
        person = None
    elif form.is_valid():
        if action == forms.PREVIEW_AS_RANDOM:
            lookup = preview_as.person_random()
        else:
            lookup = preview_as.person_find(form.cleaned_data["who"])
        if lookup.person is None:
            problem = f"{lookup.problem} {preview_as.kept_words(person)}"
        person = lookup.person or person
    if not problem and form.is_valid():
        preview_as.session_person_set(request.session, campaign.pk, person)
    if not request.htmx:
        if problem:
            messages.error(request, problem)
        return redirect("campaigns:composer", pk=campaign.pk)
    state = _bound_composer(request, pk)
    context = _composer_context(request, state, with_preview=True)
    cleared = action == forms.PREVIEW_AS_CLEAR
    context["preview_as"] |= {"problem": problem, "form": form, "cleared": cleared}
    return _render_partials(request, context, "preview-as-status", ("preview", True), "counters")


@require_POST
def composer_save(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_any(request.user, roles.CHANGE_PERMISSION)
    state = _bound_composer(request, pk)
    save = services.composer_save(state=state, user=request.user)
    context = _composer_context(request, state, save=save)
    if save.state != "saved":
        response = _render_partials(request, context, "save-status")
        response.status_code = 400 if save.state == "incomplete" else 200
        return response
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
def composer_section(request: HttpRequest, pk: int, prefix: str) -> HttpResponse:
    """One section again: with a row more or less after an "add row" or "remove row", with
    the parts of a new choice between parts, or laid out for a new WhatsApp template."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    state = _bound_composer(request, pk)
    section = state.section(prefix)
    if section is None:
        # The posted API family or channel has no such part: it leaves the page, empty.
        section = composer.BoundSection(prefix, "", None)
    elif (
        state.row_action is None
        and section.form.alternatives is not None
        and not section.form.shows_other_parts()
        and not section.form.refreshed_by_field(request.htmx.trigger_name)
    ):
        # A choice that shows the same parts as the page: nothing to swap.
        return reswap(HttpResponse(), "none")
    context = _composer_context(request, state) | {"section": section}
    response = render(request, f"{COMPOSER}#section", context)
    focus = state.focus_after_row_action()
    if focus:
        trigger_client_event(response, "composer:focus", {"id": focus}, after="settle")
    return trigger_client_event(response, "composer:changed", after="settle")


@require_POST
def composer_target(request: HttpRequest, pk: int) -> HttpResponse:
    """After a change of API family or channel: the sections that depend on it, swapped alone,
    with what is set aside and the section list. "Switch back" (which may change the API family)
    swaps the choice and every section; after it and "discard", focus goes to the choice."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    state = _bound_composer(request, pk)
    context = _composer_context(request, state)
    shown_api = state.meta.value("shown_api") or state.campaign.api
    shown_channel = state.meta.value("shown_channel") or state.campaign.channel
    shown = {s.prefix: s.form for s in payloads.sections(shown_api, shown_channel)}
    names: list = [("target", True), ("set-aside", True), ("step-summary", True)]
    restored = composer.RESTORE in request.POST
    if restored:
        names += [("api-choice", True), ("sections", True)]
    elif list(shown) != [s.prefix for s in state.sections]:
        names.append(("sections", True))
    else:
        changed = [s for s in state.sections if shown.get(s.prefix) is not type(s.form)]
        names += [("section", True, {"section": s}) for s in changed]
    response = _render_partials(request, context, *names)
    if restored or composer.DISCARD in request.POST:
        # The button is gone: focus goes to the choice, just above where it was.
        focus = {"id": state.meta["api"].id_for_label}
        trigger_client_event(response, "composer:focus", focus, after="settle")
    return trigger_client_event(response, "composer:changed", after="settle")


@require_POST
def identity_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """An identity list file, posted with the whole composer form (multipart; the page's script
    sends it with upload progress): read on the server, stored once, and the draft saved with
    the list in place of the boxes. The answer is the recipients section with what the file
    held (htmx), or the whole page (without JavaScript)."""
    roles.require_any(request.user, roles.CHANGE_PERMISSION)
    campaign = campaign_or_404(pk)
    upload = forms.IdentityFileForm(request.POST, request.FILES)
    data = request.POST.copy()
    prefix = next(
        (
            section.prefix
            for section in payloads.sections(campaign.api, campaign.channel)
            if section.form is audience.RecipientsForm
        ),
        None,
    )
    parsed = upload.read() if prefix else None
    if prefix is None:
        upload.add_error(None, forms.LIST_NOT_A_SEND)
    if parsed is not None:
        listed = identity_lists.identity_list_store(parsed.to)
        for name in audience.RecipientsForm.paths:
            data.pop(f"{prefix}-{name}", None)
        data[f"{prefix}-identity_list"] = listed.sha256
    state = composer.composer_bind(data, campaign, options=selectors.account_options())
    save = services.composer_save(state=state, user=request.user) if parsed else None
    section = state.section(prefix) if prefix else None
    if section is not None and section.form is not None:
        section.form.upload_summary = identities.summary(parsed) if parsed else []
        section.form.upload_errors = [text for texts in upload.errors.values() for text in texts]
    if not request.htmx or section is None:
        return _render_composer(request, state, save=save)
    context = _composer_context(request, state, save=save)
    names: list = [("section", False, {"section": section})]
    if save is not None:
        # The next autosave stands on the version this save made.
        names += [("base-version", True), ("campaign-title", True), ("export", True)]
    response = _render_partials(request, context, *names)
    return trigger_client_event(response, "composer:changed", after="settle")


@require_GET
def email_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The saved email's HTML on its own, under a policy that loads nothing remote by default."""
    roles.require_any(request.user, roles.VIEW_PERMISSION)
    campaign = campaign_or_404(pk)
    remote = request.GET.get("remote") == "1"
    html = email.preview(campaign.body)["html"]
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    policy = email.CSP_REMOTE if remote else email.CSP_BLOCKED
    response["Content-Security-Policy"] = f"{policy}; sandbox"
    return response


def _bound_composer(
    request: HttpRequest, pk: int, *, for_preview: bool = False
) -> composer.Composer:
    campaign = campaign_for_preview_or_404(pk) if for_preview else campaign_or_404(pk)
    return composer.composer_bind(
        request.POST, campaign, options=selectors.account_options(composing=True)
    )


def _render_composer(
    request: HttpRequest, state: composer.Composer, *, save: services.SaveOutcome | None = None
) -> HttpResponse:
    context = _composer_context(request, state, save=save, with_preview=True)
    if request.method == "GET":
        # A page load draws each section's form once per content (`section_html`).
        context["kept_forms"] = section_html.kept_forms(
            state,
            can_edit=bool(context["can_edit"]),
            counters=context["preview"]["device"].get("counters"),
            comments=context["composer_comments"],
        )
    return render(request, COMPOSER, context)


def _composer_context(
    request: HttpRequest,
    state: composer.Composer,
    *,
    save: services.SaveOutcome | None = None,
    with_preview: bool = False,
    wired: bool = True,
    held: dict[str, bool] | None = None,
) -> dict:
    """`wired`: the forms' inputs ask the server for the parts that depend on them (binding the
    forms that have such inputs); False for fragments that show no form. `held`: permissions
    already asked (`roles.permissions_held`), the others asked of the user when a fragment
    needs them."""
    campaign = state.campaign

    def has_perm(permission: str) -> bool:
        if held is not None and permission in held:
            return held[permission]
        return request.user.has_perm(permission)

    if wired:
        state.wire(target_url=reverse("campaigns:composer_target", args=[campaign.pk]))
        _wire_choices(state)
    if save is not None and save.state == "saved":
        base_version = save.version
    else:
        base_version = state.meta.value("base_version")
        base_version = campaign.version if base_version is None else base_version
    found_steps = SimpleLazyObject(lambda: steps.composer_steps(state))
    # The page a refused submit came back to; a live refresh says what is left instead.
    submit_refused = (
        request.method == "GET"
        and request.GET.get(SUBMIT_REFUSED_PARAMETER) == SUBMIT_REFUSED_VALUE
    )
    can_submit = SimpleLazyObject(
        lambda: campaign.status == Status.DRAFT and has_perm(roles.CHANGE_PERMISSION)
    )
    person = preview_as.session_person(request.session, campaign.pk)
    return {
        "campaign": campaign,
        "composer": state,
        "meta": state.meta,
        "editable": campaign.editable,
        # Lazy, like the export and the datalists below: a live preview's fragments use none.
        "can_edit": SimpleLazyObject(
            lambda: campaign.editable and has_perm(roles.CHANGE_PERMISSION)
        ),
        "save": save,
        "base_version": base_version,
        "preview": _preview(state, person) if with_preview else None,
        "preview_as": {"person": person, "sample": preview_as.sample_available()},
        "preview_url": reverse("campaigns:composer_preview", args=[campaign.pk]),
        "export": SimpleLazyObject(lambda: _export(campaign)),
        "datalists": SimpleLazyObject(lambda: audience.datalists(state.options)),
        # The reviewers' comments, read when a fragment shows them (never by a live preview).
        "composer_comments": SimpleLazyObject(
            lambda: comments.composer_comments(
                campaign=campaign,
                places=state.field_places,
                sections=[s.prefix for s in state.sections if s.form_class is not None],
            )
        ),
        "can_resolve_comments": SimpleLazyObject(
            lambda: any(has_perm(p) for p in comments.COMMENT_PERMISSIONS)
        ),
        "target_mode_id": f"id_{composer.target_mode_input(state.api) or ''}",
        "steps": found_steps,
        # Read on a page load only: the campaigns reaching the same people close to its sends.
        "overlaps": SimpleLazyObject(lambda: overlap_reads.campaign_overlaps(campaign)),
        "steps_to_fix": SimpleLazyObject(lambda: steps.with_problems(found_steps)),
        "can_submit": can_submit,
        "can_test_send": SimpleLazyObject(lambda: any(has_perm(p) for p in test_sends.TESTERS)),
        "submit_refused": submit_refused,
        "steps_shown_input": steps.SHOWN_INPUT,
        "schedule_shown_input": SCHEDULE_SHOWN_INPUT,
        "submit_shown": SimpleLazyObject(
            lambda: steps.submit_digest(list(found_steps), refused=submit_refused)
        ),
        "submit_refused_text": steps.SUBMIT_REFUSED,
        "not_ready_text": steps.NOT_READY,
        "ready_text": steps.READY,
        "additional_title": composer.ADDITIONAL_TITLE,
        # The library: what this draft was made from, newer versions, the audiences to pick.
        "library_uses": SimpleLazyObject(lambda: library.draft_uses(campaign)),
        "library_newer": SimpleLazyObject(
            lambda: library.newer_versions(library.draft_uses(campaign))
        ),
        "saved_audiences": SimpleLazyObject(lambda: library.saved_audiences(campaign)),
    }


def _export(campaign) -> dict:
    """The saved body to copy, as JSON and as curl; a long identity list only to download (the
    page would carry it twice)."""
    listed = campaign.identity_list
    if listed is not None and listed.total > audience.LIST_SHOWN_AS_TEXT:
        return {"too_long": EXPORT_TOO_LONG.format(count=listed.total)}
    return {
        "json": previews.json_text(campaign.body),
        "curl": clevertap.curl_command(
            endpoint=payloads.endpoint(campaign.api, campaign.channel), body=campaign.body
        ),
    }


def _wire_choices(state: composer.Composer) -> None:
    """A choice between parts of a section (see forms.base.Alternatives) asks for the section
    again, which shows the parts of the new choice; so does a field that lays its section out
    (a WhatsApp template: its placeholders' inputs)."""
    pk = state.campaign.pk

    def wire(prefix: str, form) -> None:
        if form.alternatives or form.refreshed_by:
            url = reverse("campaigns:composer_section", args=[pk, prefix])
            form.wire_choice(
                {
                    "hx-post": url,
                    "hx-trigger": "change",
                    "hx-target": "closest .composer-section",
                    "hx-swap": "outerHTML",
                }
            )

    state.prepare_forms(wire)


def _preview(state: composer.Composer, person: preview_as.Person | None) -> dict:
    to = state.body.get("to")
    # The device previews show the person's message; the request body stays as typed.
    personal = preview_as.personalized(
        state.body,
        person=person,
        rendered_by_clevertap=personalization.rendered_by_clevertap(
            api=state.api,
            channel=state.channel,
            liquid_api_beta=bool(state.options and state.options.liquid_api_beta),
        ),
    )
    device = registry.device_preview(
        state.channel,
        personal.body,
        options=state.options,
        remote_images=bool(state.meta.value("remote_images")),
    )
    if "counters" in device:
        device["counters"] = personal.counters(device["counters"])
    count = identities.count(to) if state.api == Api.SEND and isinstance(to, dict) else 0
    long_list = count > audience.LIST_SHOWN_AS_TEXT
    template = registry.preview_template(state.channel)
    return {
        "endpoint": state.endpoint,
        "requests": previews.request_count(state.body) if state.api == Api.SEND else None,
        "json_html": previews.highlight_json(
            previews.body_for_display(state.body) if long_list else state.body
        ),
        "json_abridged": JSON_ABRIDGED.format(count=count) if long_list else "",
        "errors": state.errors,
        "warnings": state.warnings,
        "warnings_note": payloads.WARNINGS_NOTE,
        "device_template": template,
        "device": device,
        "device_html": _device_html(template, device, state.campaign.pk) if template else "",
        "counters_html": _DRAWN.html(
            f"{COMPOSER}#counters-drawn", {"counters": device.get("counters", {})}
        ),
        "person_notes": personal.notes,
        **_schedule_html(state.body),
    }


class _Drawn:
    """Fragments rendered lately, by what they show: a keystroke seldom changes the device
    preview, the length counters or the schedule, and rendering them costs more than the rest of
    a live preview's fragments. Kept by key, at most `kept` of them (all let go when full); a key
    holds the timezone and language as well, which every fragment may show."""

    def __init__(self, kept: int):
        self.kept = kept
        self.drawn: dict = {}

    def get(self, key: tuple, draw):
        key = (*key, timezone.get_current_timezone_name(), translation.get_language())
        found = self.drawn.get(key)
        if found is None:
            found = draw()
            if len(self.drawn) >= self.kept:
                self.drawn.clear()
            self.drawn[key] = found
        return found

    def html(self, template: str, context: dict) -> str:
        """`template` rendered with `context` alone (no request), kept by the context's pickle."""
        return self.get(
            (template, self.pickled(context)), lambda: render_to_string(template, context)
        )

    @staticmethod
    def pickled(value) -> bytes:
        """A key for `value`: its pickle holds every part a template can read, whole (a repr
        may leave some out)."""
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


_DRAWN = _Drawn(kept=256)
# Posted by the live preview: the digest of the schedule the page shows (`schedule_digest`).
SCHEDULE_SHOWN_INPUT = "preview-schedule_shown"


def _device_html(template: str, device: dict, campaign_pk: int) -> str:
    """The channel's device preview (`previews.html`), with the URLs its email preview posts to
    and links to (the draft's: the key holds its pk, not the URLs, reversed only to draw it)."""

    def draw() -> str:
        context = {
            "device": device,
            "preview_url": reverse("campaigns:composer_preview", args=[campaign_pk]),
            "email_page_url": reverse("campaigns:email_preview", args=[campaign_pk]),
        }
        return render_to_string(template, context)

    return _DRAWN.get((template, _Drawn.pickled(device), campaign_pk), draw)


def _schedule_html(body: dict) -> dict[str, str]:
    """The preview's schedule (`composer.html#schedule-preview`: the next send times and the week
    of quiet hours) as `schedule_html`, with its digest as `schedule_digest`; rendered once for
    each schedule as it reads (`schedule.shown_key`), minute, timezone and language, which are
    all it shows. Its "now" is the current minute, the one the schedule's fields are checked at
    (`schedule_forms.account_now`)."""
    if not isinstance(body, dict) or "when" not in body:
        return {"schedule_html": "", "schedule_digest": ""}
    when = body["when"]
    now = schedule_forms.current_time().replace(second=0, microsecond=0)
    zones = selectors.audience_timezones() if schedule.in_user_time(when) else None

    def draw() -> dict[str, str]:
        shown = previews.schedule_preview(
            body, now=now, account_tz=ZoneInfo(settings.TIME_ZONE), audience_timezones=lambda: zones
        )
        context = {"schedule": shown, "dnd_week_html": _dnd_week_html(shown) if shown else ""}
        html = render_to_string(f"{COMPOSER}#schedule-preview", context)
        return {
            "schedule_html": html,
            "schedule_digest": hashlib.sha256(html.encode()).hexdigest()[:16],
        }

    key = ("schedule", schedule.shown_key(when), now, settings.TIME_ZONE, repr(zones))
    return _DRAWN.get(key, draw)


def _dnd_week_html(schedule: dict) -> str:
    """The week of quiet hours (`composer.html#dnd-week`), rendered once for each week it
    shows: a change to another part of the schedule (a send time) draws the same week."""
    shown = {"has_dnd": schedule["has_dnd"], "days": schedule["days"]}
    return _DRAWN.html(f"{COMPOSER}#dnd-week", {"schedule": shown})


def _render_partials(request: HttpRequest, context: dict, *names) -> HttpResponse:
    """Several fragments of the composer in one answer; all but the first swap out of band."""
    html = []
    for name in names:
        name, oob, extra = (name, False, {}) if isinstance(name, str) else (*name, {})[:3]
        html.append(
            render_to_string(f"{COMPOSER}#{name}", context | extra | {"oob": oob}, request=request)
        )
    return HttpResponse("".join(html))


def submit_refused_url(campaign) -> str:
    """The composer, saying that a submit for review was refused and which steps to fix."""
    url = reverse("campaigns:composer", args=[campaign.pk])
    return f"{url}?{SUBMIT_REFUSED_PARAMETER}={SUBMIT_REFUSED_VALUE}"
