"""`PayloadForm`: a form that stands for one JSON object of a request body (see the package)."""

from typing import Any, ClassVar

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms

from campaigns.forms import personalized as personalized_fields
from campaigns.forms.base.parts import (
    APPLY_CHOICE,
    GREYED_HELP,
    HIDDEN_HELP,
    KEEP_AS_READ,
    KEEP_AS_READ_HELP,
    Alternatives,
    ParsedJson,
    PayloadError,
    Rows,
)
from campaigns.forms.base.rows import PayloadFormSet, formset_class, parse_rows
from campaigns.forms.fields import MISSING, JsonField, QuickCopyForm
from campaigns.forms.widget_html import RENDERER
from campaigns.jsonpath import Path, format_path, get_path, has_path, same_json, set_path


class HintedBoundField(forms.BoundField):
    """A field of a payload form, which knows where its value goes in the body: `api_path`, shown
    small beside its label (forms.rendering) for those who know the API."""

    @property
    def api_path(self) -> str:
        return self.form.api_path(self.name)


class PayloadForm(QuickCopyForm):
    bound_field_class = HintedBoundField
    # Its inputs drawn in Python, as Django's templates draw them (widget_html).
    default_renderer = RENDERER
    paths: ClassVar[dict[str, Path]] = {}
    rows: ClassVar[dict[str, Rows]] = {}
    alternatives: ClassVar[Alternatives | None] = None
    # The JSON type of one object: rows of time windows are lists like ["09:00", "10:00"].
    element: ClassVar[type] = dict
    # Keys CleverTap's own examples misspell, at their paths, with the key the form reads instead:
    # the payload core's parse reads them as that key and says so (`payloads.parse_body`).
    misspelt: ClassVar[dict[Path, str]] = {}
    # Messages of this form's rules -> CleverTap's (code, text) for the same problem, where the
    # reference records CleverTap's answer: the composer shows ours, the sandbox answers theirs.
    answers: ClassVar[dict[str, tuple[int | None, str]]] = {}
    # Fields with a length counter under them (laid out by `fieldsets`).
    counted: ClassVar[tuple[str, ...]] = ()
    # Fields whose change lays the form out again (the WhatsApp template's placeholder inputs):
    # the composer asks for the section again, as for a choice between parts.
    refreshed_by: ClassVar[tuple[str, ...]] = ()
    # Fields CleverTap personalizes with Liquid where it renders it (`personalized_fields`).
    personalized: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args, options=None, rows_of: "PayloadFormSet | None" = None, **kwargs):
        # `to_json`'s value, built once per binding (MISSING until asked).
        self._json: Any = MISSING
        super().__init__(*args, **kwargs)
        self.options = options
        # The repeated part this form is a row of; None for a section of the body.
        self.rows_of = rows_of
        self._answers = dict(self.answers)
        # Problems that block nothing (field name -> messages): shown beside the errors, never
        # refusing a save, an approval or a publish. Filled by `clean` (`add_warning`).
        self.warnings: dict[str, list[str]] = {}
        self.formsets = {
            name: formset_class(spec)(
                self.data if self.is_bound else None,
                prefix=self.add_prefix(name),
                form_kwargs={"options": options},
                owner=self,
            )
            for name, spec in self.rows.items()
        }
        # The fields and rows the choice leaves out of the body, and those it keeps as read.
        self.left_out: set[str] = set()
        self.kept: set[str] = set()
        if self.alternatives is not None:
            self._apply_choice(self.alternatives)
        for name in self.counted:
            self.fields[name].widget.attrs["aria-describedby"] = f"counter-{name}"
        personalized_fields.mark(self)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        if self.alternatives is not None:
            self.helper.layout = self._choice_layout(self.alternatives)

    # Where each field's value goes in the body, shown beside its label.

    @property
    def base(self) -> Path:
        """The path its `paths` start from: the body's root for a section, the row's place in
        the body for a row."""
        return self.rows_of.row_path(self) if self.rows_of is not None else ()

    def api_path(self, name: str) -> str:
        """The JSON path of the field's value, as the request body shows it ("" for a field
        with none, like a choice that decides which parts are sent)."""
        if name in self.paths:
            return format_path(self.base + self.paths[name])
        if self.rows_of is not None and name == self.rows_of.spec.keyed_by:
            return format_path(self.base)
        return ""

    # The choice between parts (`alternatives`).

    @classmethod
    def kept_field(cls) -> str:
        """The name of the box that keeps the parts a body was read with (see Alternatives)."""
        return f"{cls.alternatives.choice}_kept"

    @property
    def shown_field(self) -> str:
        """The HTML name of the page's note of the parts it shows (`shown_parts`)."""
        return self.add_prefix(f"{self.alternatives.choice}_shown")

    @property
    def shown_parts(self) -> str:
        """What the choice leaves out and keeps, as the page notes it."""
        return f"{' '.join(sorted(self.left_out))} / {' '.join(sorted(self.kept))}"

    def shows_other_parts(self) -> bool:
        """Whether the posted choice shows other parts than the page it was posted from."""
        return self.data.get(self.shown_field) != self.shown_parts

    def _apply_choice(self, alternatives: Alternatives) -> None:
        # What was posted, read without binding fields: their help texts may change below.
        chosen = self._posted(alternatives.choice)
        parts = alternatives.leaves_out.get(chosen, ()) if isinstance(chosen, str) else ()
        if self._posted(self.kept_field()) == chosen:
            held = [part for part in parts if self._holds(part)]
            parts = [part for part in parts if part not in held]
            self.kept = self._names_under(held)
        self.left_out = self._names_under(parts)
        if self.kept:
            # Its value is the choice it keeps for: another choice posted with it keeps nothing.
            self.fields[self.kept_field()] = forms.BooleanField(
                label=KEEP_AS_READ,
                help_text=KEEP_AS_READ_HELP,
                required=False,
                widget=forms.CheckboxInput(attrs={"value": chosen}),
            )
        if not alternatives.hide:
            self._disable(self.left_out)
        if self.left_out:
            field = self.fields[alternatives.choice]
            said = HIDDEN_HELP if alternatives.hide else GREYED_HELP
            field.help_text = f"{field.help_text} {said}" if field.help_text else said

    def _disable(self, names: set[str] | list[str]) -> None:
        for name in names:
            if name in self.formsets:
                for row in self.formsets[name].forms:
                    row._disable([*row.fields, *row.formsets])
            else:
                self.fields[name].widget.attrs["disabled"] = True

    def _posted(self, name: str) -> Any:
        if not self.is_bound:
            return self.initial.get(name)
        return self.data.get(self.add_prefix(name))

    def _names_under(self, parts: list[Path] | tuple[Path, ...]) -> set[str]:
        under = [*self.paths.items(), *((name, spec.path) for name, spec in self.rows.items())]
        return {name for name, path in under if any(path[: len(p)] == p for p in parts)}

    def _holds(self, part: Path) -> bool:
        """Whether anything was typed in the fields or rows under `part`."""
        return any(
            self.formsets[name].to_json() if name in self.formsets else self._posted(name)
            for name in self._names_under([part])
        )

    def _choice_layout(self, alternatives: Alternatives) -> Layout:
        """The fields in their order, the left-out ones greyed and disabled or hidden, the box
        that keeps parts as read and the no-JavaScript button after the choice."""
        items: list = []
        run: list[str] = []
        for name in self.fields:
            if name in self.left_out:
                run.append(name)
                continue
            if run:
                items.append(self._left_out_group(run))
                run = []
            if name == self.kept_field():
                continue
            items.append(name)
            if name == alternatives.choice:
                items += [self.kept_field()] if self.kept else []
                items.append(HTML(APPLY_CHOICE))
        if run:
            items.append(self._left_out_group(run))
        return Layout(*items)

    def _left_out_group(self, names: list[str]) -> Div | Fieldset:
        if self.alternatives.hide:
            return Div(*names, hidden=True)
        return Fieldset("", *names, disabled=True)

    @property
    def left_out_style(self) -> str:
        """The HTML attribute of the left-out parts' containers: "hidden" or "disabled"."""
        return "hidden" if self.alternatives and self.alternatives.hide else "disabled"

    @property
    def posted_values(self) -> list[tuple[str, str]]:
        """(name, value) of every value posted for the fields, for hidden copies of a disabled
        part (a disabled input is not posted)."""
        return [(key, value) for name in self.fields for key, value in self._posted_list(name)]

    @property
    def left_out_copies(self) -> list[tuple[str, str]]:
        """The hidden copies of the disabled fields (the template copies disabled rows)."""
        if self.left_out_style == "hidden":
            return []
        names = [name for name in self.fields if name in self.left_out]
        return [pair for name in names for pair in self._posted_list(name)]

    def _posted_list(self, name: str) -> list[tuple[str, str]]:
        key = self.add_prefix(name)
        getlist = getattr(self.data, "getlist", None)
        values = getlist(key) if getlist else [self.data[key]] if key in self.data else []
        return [(key, value) for value in values]

    def wire_choice(self, attrs: dict[str, str]) -> None:
        """Ask the server for the form again when the choice (or the box), or a field that lays
        the form out (`refreshed_by`), changes."""
        names = [self.alternatives.choice, self.kept_field()] if self.alternatives else []
        for name in [*names, *self.refreshed_by]:
            if name in self.fields:
                self.fields[name].widget.attrs.update(attrs)

    def refreshed_by_field(self, html_name: str | None) -> bool:
        """Whether the field of this HTML name lays the form out again (`refreshed_by`)."""
        return html_name in {self.add_prefix(name) for name in self.refreshed_by}

    # Building JSON from what was posted.

    @classmethod
    def reads_only_posted(cls, data, prefix: str) -> bool:
        """Whether the form bound to `data` under `prefix` makes its JSON, errors and warnings
        from nothing but that data, its options and the clock (`section_cache` keeps them by
        those); a form that reads the database for some data says no."""
        return True

    def raw(self, name: str) -> Any:
        if not self.is_bound:
            return self.initial.get(name)
        return self[name].data

    def json_value(self, name: str) -> Any:
        """The JSON value the field's input stands for, valid or not (MISSING when left empty)."""
        return self.fields[name].data_to_json(self.raw(name))

    def is_empty(self) -> bool:
        inputs = [name for name in self.fields if name != "DELETE"]
        return not any(self.raw(name) not in (None, "", []) for name in inputs) and not any(
            formset.to_json() for formset in self.formsets.values()
        )

    def to_json(self) -> Any:
        """The JSON value the form stands for, valid or not: built once per binding, since its
        own checks, its rows and the body all ask. Shared: callers copy before changing it."""
        if self._json is MISSING:
            self._json = self.build_json()
        return self._json

    def build_json(self) -> Any:
        """What `to_json` returns, built from the posted data (forms extend this one)."""
        if self.element is list:
            return [
                "" if (value := self.json_value(name)) is MISSING else value
                for name in sorted(self.paths, key=lambda n: self.paths[n])
            ]
        result: dict = {}
        for name, path in self.paths.items():
            value = self.json_value(name) if name not in self.left_out else MISSING
            if value is not MISSING:
                set_path(result, path, value)
        for name, formset in self.formsets.items():
            container = formset.to_json() if name not in self.left_out else None
            if container:
                set_path(result, self.rows[name].path, container)
        return result

    # Reading JSON into form data.

    @classmethod
    def parse_json(cls, obj: Any, *, prefix: str, base: Path = ()) -> ParsedJson:
        parsed = ParsedJson()
        if not isinstance(obj, cls.element):
            return parsed
        for name, path in cls.paths.items():
            if not has_path(obj, path):
                continue
            value = get_path(obj, path)
            field: JsonField = cls.base_fields[name]
            data = field.json_to_data(value)
            if data is not None and same_json(field.data_to_json(data), value):
                parsed.data[f"{prefix}-{name}"] = data
                parsed.claimed.add(base + path)
        for name, spec in cls.rows.items():
            parsed.update(
                parse_rows(get_path(obj, spec.path), spec, prefix=f"{prefix}-{name}", base=base)
            )
        return cls.keep_as_read(parsed, prefix=prefix)

    @classmethod
    def keep_as_read(cls, parsed: ParsedJson, *, prefix: str) -> ParsedJson:
        """Read a body with the box of its choice ticked: what it holds that the choice leaves
        out is kept (the box shows only when there is such a part)."""
        if cls.alternatives is not None:
            chosen = parsed.data.get(f"{prefix}-{cls.alternatives.choice}")
            if isinstance(chosen, str):
                parsed.data[f"{prefix}-{cls.kept_field()}"] = chosen
        return parsed

    # Errors at their JSON paths.

    def path_errors(self, base: Path = ()) -> list[PayloadError]:
        self.is_valid()
        errors = []
        for name, messages in self.errors.items():
            if name in self.left_out:
                continue
            if name in self.paths:
                path, html_name = base + self.paths[name], self.add_prefix(name)
            else:
                path, html_name = base, None
            code = getattr(self.fields.get(name), "api_code", None)
            for message in messages:
                api_code, api_message = self._answers.get(message, (code, None))
                errors.append(
                    PayloadError(
                        path, message, code=api_code, field=html_name, api_message=api_message
                    )
                )
        for name, formset in self.formsets.items():
            if name not in self.left_out:
                errors += formset.path_errors(base + self.rows[name].path)
        return errors

    def path_warnings(self, base: Path = ()) -> list[PayloadError]:
        """The warnings of this form's fields and rows, at their JSON paths."""
        self.is_valid()
        warnings = [
            PayloadError(base + self.paths[name], message, field=self.add_prefix(name))
            for name, messages in self.warnings.items()
            if name not in self.left_out
            for message in messages
        ]
        for name, formset in self.formsets.items():
            if name not in self.left_out:
                warnings += formset.path_warnings(base + self.rows[name].path)
        return warnings

    def field_names(self, base: Path = ()) -> dict[Path, str]:
        """The HTML name of each field the page shows, by its JSON path (rows at their place)."""
        hidden = self.left_out if self.left_out_style == "hidden" else set()
        names = {
            base + path: self.add_prefix(name)
            for name, path in self.paths.items()
            if name not in hidden
        }
        for name, formset in self.formsets.items():
            if name not in hidden:
                for key, row in formset._keyed_rows():
                    names |= row.field_names(base + self.rows[name].path + (key,))
        return names

    def add_warning(self, name: str, message: str) -> None:
        self.warnings.setdefault(name, []).append(message)

    def full_clean(self):
        self.warnings = {}
        super().full_clean()
        for formset in self.formsets.values():
            formset.full_clean()
        # A field may say something of a value it accepts (links.LinkField.warning).
        for name, form_field in self.fields.items():
            warning = getattr(form_field, "warning", None)
            if warning and name in self.cleaned_data and (said := warning(self.cleaned_data[name])):
                self.add_warning(name, said)
        personalized_fields.check(self)

    def add_answered_error(
        self, name: str, message: str, *, code: int | None = None, api_message: str
    ) -> None:
        """`add_error`, with CleverTap's code and text for the problem (as `answers` holds them,
        for a message made on the spot)."""
        self._answers[message] = (code, api_message)
        self.add_error(name, message)

    def add_row_error(self, rows_name: str, message: str) -> None:
        self.formsets[rows_name].extra_errors.append(message)
