"""The composer page's state: its own inputs beside the payload forms, bound once.

The payload forms (`payloads.sections`) stand for the request body. Around them the composer has
a few inputs of its own: the API family, the channel of a send draft, the version the page was
loaded from (for optimistic saving), the "add row"/"remove row" buttons, and what a change of
channel or API family set aside (`set_aside.py`) with its "switch back" and "discard" buttons.
`composer_load` (a stored draft) and `composer_bind` (a posted page) bind all of it once and build
the body once, so that a preview, a save and a re-rendered page all stand on the same data.
"""

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict

from campaigns import diffs, jsonfile, payloads, previews, section_cache, set_aside
from campaigns.channels import registry
from campaigns.composer_rows import ADD_ROW, REMOVE_ROW, apply_row_actions
from campaigns.forms import audience
from campaigns.forms.additional import AdditionalFieldsForm
from campaigns.forms.base import PayloadError, PayloadForm, PayloadFormSet
from campaigns.forms.fields import QuickCopyForm
from campaigns.forms.options import AccountOptions
from campaigns.forms.widget_html import RENDERER
from campaigns.jsonpath import Path, same_json
from campaigns.models import Api, Campaign, Channel

NOT_SAVED_EXTRAS = "Not saved: fix the Additional fields first (their problem is shown at the box)."
NOT_SAVED_CHANNEL = "Not saved: choose a channel that this API family offers."
NOT_SAVED_NUMBER = (
    "Not saved: a number is too large to write as JSON (like 1e999); correct it first."
)
NOT_SAVED_INCOMPLETE = (
    "Not saved: this save did not carry the whole composer form (missing: {parts}), and saving "
    "part of it would erase the rest. Nothing was written: save again from the composer page."
)

PREFIX = "composer"
CONFLICT_CHANGES_SHOWN = 50
# The buttons of what was set aside; their value names the group (`set_aside.Group.value`).
RESTORE = f"{PREFIX}-restore"
DISCARD = f"{PREFIX}-discard"
SET_ASIDE_INPUT = f"{PREFIX}-set_aside"
CHOOSE_CHANNEL = "Choose a channel"
# Posted by every part of the form (a section, a row, the additional fields) as
# "<prefix>-SHOWN": _payload_form.html renders it. An unchecked checkbox posts nothing, so the
# fields alone cannot tell a part that was left out from a part left empty.
SHOWN = "SHOWN"
# The composer's own inputs that every page posts, and the titles the page gives its parts.
META_INPUTS = ("api", "channel", "base_version", "shown_api", "shown_channel")
META_TITLE = "API and channel"


class ComposerForm(QuickCopyForm):
    """The API family and send channel of the draft, and the version the page stands on."""

    # Its selects drawn in Python as the payload forms' inputs (the same HTML).
    default_renderer = RENDERER

    api = forms.ChoiceField(label="Find the audience", choices=Api.choices)
    channel = forms.ChoiceField(
        label="Channel",
        choices=Channel.choices,
        required=False,
        help_text="The channel the message goes out on, to the people listed by identity.",
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    # What the page shows now, so that a change of channel swaps only the parts that differ.
    shown_api = forms.CharField(widget=forms.HiddenInput, required=False)
    shown_channel = forms.CharField(widget=forms.HiddenInput, required=False)
    remote_images = forms.BooleanField(label="Load remote images", required=False)
    # A deliberate overwrite after a conflict: the version the person chose to overwrite.
    overwrite_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", PREFIX)
        super().__init__(*args, **kwargs)
        for name in ("api", "channel"):
            self.fields[name].widget.attrs["class"] = "form-select"
        # The select (shown for send drafts alone) offers the channels with a send endpoint; a
        # draft moved here with another channel is told so (`registry.not_offered`).
        self.fields["channel"].widget.choices = registry.channel_choices(Api.SEND)

    def value(self, name: str, default: Any = None) -> Any:
        if not self.is_bound:
            return self.initial.get(name, default)
        self.is_valid()
        return self.cleaned_data.get(name, default) if name not in self.errors else default


# The sections as the page shows them: as guided steps (`steps`), under a marketer's word for each
# (the sections keep the API's names for their parts: the set-aside notices and the review's
# comments name them so).
ADDITIONAL_TITLE = "Additional fields"
STEP_TITLES = {
    "audience": "Who",
    "content": "What",
    "schedule": "When",
    "goal": "Goal",
    "delivery": "Delivery",
}


def step_title(prefix: str, default: str) -> str:
    """The title the composer shows a section under: its step's word, where it is a step."""
    return STEP_TITLES.get(prefix, default)


# The whole composer, bound once.


@dataclass(frozen=True)
class BoundSection:
    prefix: str
    # As the page shows it: its step's word (`step_title`).
    title: str
    # The page's forms, this section's bound when first asked for (a live preview reuses the
    # kept results of the sections it did not change). None: a part the posted API family or
    # channel does not have.
    forms: payloads.BoundForms | None = field(default=None, repr=False)

    @property
    def form(self) -> PayloadForm | None:
        return self.forms[self.prefix] if self.forms is not None else None

    @property
    def shown(self) -> bool:
        """Whether the page shows the section (its form, without binding it; a template would
        call `form_class`)."""
        return self.forms is not None

    @property
    def form_class(self) -> type[PayloadForm] | None:
        """The form's class, known without binding it."""
        return self.forms.classes[self.prefix] if self.forms is not None else None


@dataclass
class Composer:
    campaign: Campaign
    api: str
    channel: str
    meta: ComposerForm
    sections: list[BoundSection]
    additional: AdditionalFieldsForm
    extras: dict[Path, Any]
    body: dict
    errors: list[PayloadError]
    notices: list[str]
    # What looks wrong but blocks nothing (`payloads.form_warnings`).
    warnings: list[PayloadError] = field(default_factory=list)
    # Why this state may not be saved (the body would lose what was typed).
    not_saved: str | None = None
    # The row action this request carried: ("add"|"remove", formset prefix).
    row_action: tuple[str, str] | None = None
    options: AccountOptions | None = field(default=None, repr=False)
    # The posted page data (rows added or removed), for `missing_parts`; None for a stored draft.
    posted: QueryDict | None = field(default=None, repr=False)
    # What a change of channel or API family left out of the body, to bring back.
    aside: list[set_aside.Entry] = field(default_factory=list)
    # Each section's JSON, errors and warnings, as the body was made from them (`_bind`).
    built: dict[str, payloads.Built] = field(default_factory=dict, repr=False)
    # The key of each section kept by its posted data (`section_cache.section_keys`).
    section_keys: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def forms(self) -> dict[str, PayloadForm]:
        return {section.prefix: section.form for section in self.sections}

    @property
    def endpoint(self) -> str:
        """Where the body is sent; "" when the API family has no endpoint for the channel (the
        errors say so)."""
        if registry.not_offered(self.api, self.channel):
            return ""
        return payloads.endpoint(self.api, self.channel)

    @property
    def set_aside_document(self) -> list[dict]:
        """What is set aside, as the draft stores it."""
        return set_aside.as_json(self.aside)

    @property
    def set_aside_json(self) -> str:
        return set_aside.dump(self.aside)

    @property
    def set_aside_groups(self) -> list[set_aside.Group]:
        return set_aside.groups(self.aside, api=self.api, channel=self.channel)

    def section(self, prefix: str) -> BoundSection | None:
        return next((s for s in self.sections if s.prefix == prefix), None)

    def formset(self, prefix: str) -> PayloadFormSet | None:
        return _find_formset(self.forms.values(), prefix)

    def field_places(self) -> dict[Path, tuple[str, str]]:
        """Each field the page shows: its section's prefix and its HTML name, by JSON path."""
        return {
            path: (section.prefix, name)
            for section in self.sections
            if section.form is not None
            for path, name in section.form.field_names().items()
        }

    def focus_after_row_action(self) -> str | None:
        """The id of the element to focus once a row was added (its first input) or removed."""
        if self.row_action is None:
            return None
        action, prefix = self.row_action
        formset = self.formset(prefix)
        if formset is None:
            return None
        if action == "add" and formset.forms:
            row = formset.forms[-1]
            first = next((name for name in row.fields if name != "DELETE"), None)
            return row[first].id_for_label if first else None
        return f"add-{formset.prefix}"

    def wire(self, *, target_url: str) -> None:
        """A change of API family or channel asks the server for the parts that depend on it."""
        attrs = {"hx-post": target_url, "hx-trigger": "change", "hx-swap": "none"}
        self.meta.fields["api"].widget.attrs.update(attrs)
        self.meta.fields["channel"].widget.attrs.update(attrs)
        name = target_mode_input(self.api)
        wired, _, field_name = (name or "").partition("-")

        def wire_target_mode(prefix: str, form: PayloadForm) -> None:
            if prefix == wired and field_name in form.fields:
                form.fields[field_name].widget.attrs.update(attrs)

        self.prepare_forms(wire_target_mode)

    def prepare_forms(self, prepare) -> None:
        """Apply `prepare(prefix, form)` to each section's form when it is bound (`BoundForms
        .prepare`): a page load that draws a section from the cache never binds its form."""
        bound = next((s.forms for s in self.sections if s.forms is not None), None)
        if bound is not None:
            bound.prepare(prepare)

    @property
    def unchanged(self) -> bool:
        """Whether saving would change nothing: the same body, API family and send channel, and
        the same set aside."""
        campaign = self.campaign
        return (
            same_json(self.body, campaign.body)
            and self.api == campaign.api
            and (self.api == Api.TARGETS or self.channel == campaign.channel)
            and same_json(self.set_aside_document, campaign.set_aside)
        )

    def missing_parts(self) -> list[str]:
        """The titles of the parts of the page the posted data left out (none for a stored draft).

        The page is the one its `shown_api` and `shown_channel` say it shows, which is the posted
        API family and channel unless the person changed them without the page following (no
        JavaScript): every section of it, each with its rows' management data and every row,
        the additional fields and the composer's own inputs.
        """
        data = self.posted
        if data is None:
            return []
        missing = []
        shown_api = data.get(f"{PREFIX}-shown_api")
        shown_channel = data.get(f"{PREFIX}-shown_channel")
        if (
            any(f"{PREFIX}-{name}" not in data for name in META_INPUTS)
            or shown_api not in Api.values
            or shown_channel not in registry.CHANNELS
        ):
            missing.append(META_TITLE)
            shown_api, shown_channel = self.api, self.channel
        bound = self.forms
        for section in payloads.sections(shown_api, shown_channel):
            form = bound.get(section.prefix)
            # A change of choice binds the forms to data it changed: check what was posted.
            if type(form) is not section.form or form.data is not data:
                form = section.form(data, prefix=section.prefix, options=self.options)
            if not _whole(form, data):
                missing.append(step_title(section.prefix, section.title))
        if not _whole(self.additional, data):
            missing.append(ADDITIONAL_TITLE)
        return missing

    def changes_from(self, stored: dict) -> list[diffs.Change]:
        """Where this body differs from `stored` (another person's version), for the conflict;
        long identity lists are compared as pages show them."""
        before, after = previews.body_for_display(stored), previews.body_for_display(self.body)
        return diffs.json_diff(before, after).changes[:CONFLICT_CHANGES_SHOWN]


def composer_load(
    campaign: Campaign, *, options: AccountOptions, start: str = "", override: dict | None = None
) -> Composer:
    """The composer for a stored draft, bound to the form data its body parses into; `start`,
    the New page's answer to who gets it (`audience.STARTS`), chooses the audience of a draft
    that has not chosen one yet. `override`, when given, stands for a targets draft's stored body
    (a saved audience's relative dates resolved for today: `library.selectors.dated_body`)."""
    api, channel = campaign.api, campaign.channel
    listed = audience.long_list(campaign)
    body = campaign.body if listed is None else _without(campaign.stored_body, "to")
    if override is not None and listed is None:
        body = override
    parsed = section_cache.parsed_body(body, api=api, channel=channel)
    data = parsed.data.copy()
    data.update(_meta_data(campaign, api=api, channel=channel))
    for section in payloads.sections(api, channel):
        if listed is not None and section.form is audience.RecipientsForm:
            data[f"{section.prefix}-identity_list"] = listed.sha256
        if start and section.form is audience.AudienceForm:
            data.update(audience.start_data(start, body=campaign.body, prefix=section.prefix))
    composer = _bind(
        data, campaign, api=api, channel=channel, options=options, notices=parsed.notices
    )
    composer.aside = set_aside.stored(campaign.set_aside)
    return composer


def _without(body: dict, key: str) -> dict:
    return {name: value for name, value in body.items() if name != key}


def composer_bind(data: QueryDict, campaign: Campaign, *, options: AccountOptions) -> Composer:
    """The composer for posted page data: rows added or removed, a change of API family or
    channel made (what no longer applies set aside, what applies again brought back), a group
    set aside discarded, then everything bound once."""
    # Copied only to be changed: a keystroke's preview changes nothing (the copy is its cost).
    row_action, copied = None, False
    if _row_actions_posted(data) or data.get(RESTORE):
        data, copied = _mutable_copy(data), True
        row_action = apply_row_actions(data)
    aside, aside_error = _posted_aside(data, campaign)
    restoring = _choose_restored(data, aside, campaign)
    meta = ComposerForm(data)
    api = meta.value("api") or campaign.api
    channel = _posted_channel(data, meta, api=api, fallback=campaign.channel)
    target_mode = target_mode_input(api)
    if target_mode and target_mode not in data:
        # The page did not show the field (the draft was a send draft): start from its channel.
        data = data if copied else _mutable_copy(data)
        data[target_mode] = channel
    posted = data
    shown = (meta.value("shown_api"), meta.value("shown_channel"))
    if (
        shown[0] in Api.values
        and shown[1] in registry.CHANNELS
        and (restoring or shown != (api, channel))
    ):
        # The forms of the new choice, on a copy: `missing_parts` checks what was posted.
        data = _mutable_copy(data)
        additional = AdditionalFieldsForm(data)
        aside = set_aside.switch(
            data,
            aside,
            shown=shown,
            chosen=(api, channel),
            options=options,
            extras=additional.cleaned_data["extras"] if additional.is_valid() else {},
            restore=restoring,
        )
    aside = set_aside.discarded(aside, data.get(DISCARD))
    composer = _bind(
        data, campaign, api=api, channel=channel, options=options, meta=meta, aside=aside
    )
    composer.not_saved = aside_error or composer.not_saved
    composer.row_action = row_action
    composer.posted = posted
    return composer


def _row_actions_posted(data: QueryDict) -> bool:
    """Whether `apply_row_actions` may change `data`: a row's button or a DELETE box posted."""
    return ADD_ROW in data or REMOVE_ROW in data or any(key.endswith("-DELETE") for key in data)


def _mutable_copy(data: QueryDict) -> QueryDict:
    """A mutable copy: new lists of the same texts (`QueryDict.copy` deep-copies every text,
    which cannot change anyway, on every keystroke)."""
    return copy.copy(data)


def _posted_aside(data: QueryDict, campaign: Campaign) -> tuple[list[set_aside.Entry], str | None]:
    """What the page kept aside, and why it cannot be saved if it cannot be read. A page from
    before the input existed posts none: the draft's own stands."""
    if SET_ASIDE_INPUT not in data:
        return set_aside.stored(campaign.set_aside), None
    try:
        return set_aside.posted(data[SET_ASIDE_INPUT]), None
    except ValueError as error:
        return set_aside.stored(campaign.set_aside), str(error)


def _choose_restored(data: QueryDict, aside: list[set_aside.Entry], campaign: Campaign) -> bool:
    """Make the choice that brings back the set-aside group the page asked for, if any."""
    value = data.get(RESTORE)
    if not value:
        return False
    meta = ComposerForm(data)
    api = meta.value("api") or campaign.api
    current = _posted_channel(data, meta, api=api, fallback=campaign.channel)
    choice = set_aside.restore_choice(value, aside, api=api, channel=current)
    if choice is None:
        return False
    api, channel = choice
    data[f"{PREFIX}-api"], data[f"{PREFIX}-channel"] = api, channel
    if target_mode := target_mode_input(api):
        data[target_mode] = channel
    return True


def _whole(form: forms.Form, data: QueryDict) -> bool:
    """Whether `data` holds all of `form`: its marker, and each of its rows' management data and
    rows, all the way down."""
    if f"{form.prefix}-{SHOWN}" not in data:
        return False
    for formset in getattr(form, "formsets", {}).values():
        management = ("TOTAL_FORMS", "INITIAL_FORMS")
        if any(formset.add_prefix(name) not in data for name in management):
            return False
        if not all(_whole(row, data) for row in formset.forms):
            return False
    return True


def _meta_data(campaign: Campaign, *, api: str, channel: str) -> dict[str, str]:
    return {
        f"{PREFIX}-api": api,
        f"{PREFIX}-channel": channel,
        f"{PREFIX}-base_version": str(campaign.version),
        f"{PREFIX}-shown_api": api,
        f"{PREFIX}-shown_channel": channel,
    }


def target_mode_input(api: str) -> str | None:
    """The HTML name of the field whose value is the channel (`target_mode`), if the API has one."""
    for section in payloads.sections(api, next(iter(registry.CHANNELS))):
        for name, path in section.form.paths.items():
            if path == ("target_mode",):
                return f"{section.prefix}-{name}"
    return None


def _posted_channel(data: QueryDict, meta: ComposerForm, *, api: str, fallback: str) -> str:
    target_mode = target_mode_input(api)
    if api == Api.TARGETS and target_mode and data.get(target_mode) in registry.CHANNELS:
        return data[target_mode]
    if api == Api.TARGETS and target_mode and data.get(target_mode) == "":
        # No channel named: the body has no target_mode, which is push.
        return registry.DEFAULT_TARGET_MODE
    chosen = meta.value("channel")
    return chosen if chosen in registry.CHANNELS else fallback


def _bind(
    data: QueryDict,
    campaign: Campaign,
    *,
    api: str,
    channel: str,
    options: AccountOptions,
    meta: ComposerForm | None = None,
    notices: list[str] | None = None,
    aside: list[set_aside.Entry] | None = None,
) -> Composer:
    meta = meta or ComposerForm(data)
    aside = aside or []
    # Bound when first asked for: `data` is this composer's own copy, which nothing changes now.
    bound = payloads.BoundForms(data, api=api, channel=channel, options=options)
    sections = [
        BoundSection(section.prefix, step_title(section.prefix, section.title), bound)
        for section in payloads.sections(api, channel)
    ]
    additional = AdditionalFieldsForm(data)
    not_saved = None
    if additional.is_valid():
        extras = additional.cleaned_data["extras"]
    else:
        extras, not_saved = {}, NOT_SAVED_EXTRAS
    keys = section_cache.section_keys(bound, data, api=api, channel=channel, options=options)
    built = section_cache.built_sections(
        bound, data, api=api, channel=channel, options=options, keys=keys
    )
    body = payloads.build_body(built, extras)
    stored = [body, set_aside.as_json(aside)]
    if not _finite_json(stored):
        not_saved = not_saved or NOT_SAVED_NUMBER
    elif jsonfile.has_nul(stored):
        not_saved = not_saved or jsonfile.NUL_NOT_ALLOWED
    errors = payloads.form_errors(built, extras, body=body, api=api, channel=channel)
    errors += [
        PayloadError((), message, field=additional.add_prefix("extras"))
        for message in additional.errors.get("extras", [])
    ]
    if message := registry.not_offered(api, channel):
        errors.insert(0, PayloadError((), message, field=meta.add_prefix("channel")))
        not_saved = not_saved or NOT_SAVED_CHANNEL
        # The select shows no channel rather than one the draft does not have.
        choices = [("", CHOOSE_CHANNEL), *registry.channel_choices(api)]
        meta.fields["channel"].widget.choices = choices
    if notices is None:
        notices = payloads.extras_notices(extras, api=api, channel=channel)
    return Composer(
        campaign=campaign,
        api=api,
        channel=channel,
        meta=meta,
        sections=sections,
        additional=additional,
        extras=extras,
        body=body,
        errors=errors,
        notices=notices,
        warnings=payloads.form_warnings(built),
        not_saved=not_saved,
        options=options,
        aside=aside,
        built=built,
        section_keys=keys,
    )


def _finite_json(body: Any) -> bool:
    try:
        json.dumps(body, allow_nan=False)
    except ValueError:
        return False
    return True


def _find_formset(forms_: Any, prefix: str) -> PayloadFormSet | None:
    for form in forms_:
        for formset in form.formsets.values():
            if formset.prefix == prefix:
                return formset
            if prefix.startswith(formset.prefix + "-"):
                found = _find_formset(formset.forms, prefix)
                if found is not None:
                    return found
    return None
