"""Forms that stand for parts of a CleverTap request body.

A `PayloadForm` maps each field to a path in its JSON object (`paths`) and each repeated part to a
formset of row forms (`rows`). It converts both ways without validating (see `fields.py`), so an
invalid draft still builds a body with everything that was typed, and its normal Django validation
reports the problems, each at the JSON path of its field.
"""

import functools
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms

from campaigns.forms.fields import MISSING, JsonField
from campaigns.jsonpath import Path, format_path, get_path, has_path, same_json, set_path


@dataclass(frozen=True)
class PayloadError:
    path: Path
    message: str
    # The CleverTap error code the rule answers with, where the API documents one.
    code: int | None = None
    # The form field's HTML name, when the error belongs to one.
    field: str | None = None

    @property
    def where(self) -> str:
        return format_path(self.path) or "(body)"


@dataclass
class ParsedJson:
    """Form data for one JSON object, and the paths of the values that the data stands for."""

    data: dict[str, Any] = field(default_factory=dict)
    claimed: set[Path] = field(default_factory=set)

    def update(self, other: "ParsedJson") -> None:
        self.data.update(other.data)
        self.claimed |= other.claimed


@dataclass(frozen=True)
class Rows:
    """A repeated part: a list of objects, or an object keyed by one of the row's fields."""

    path: Path
    form: type["PayloadForm"]
    label: str
    keyed_by: str | None = None
    max_rows: int = 200


class PayloadForm(forms.Form):
    paths: ClassVar[dict[str, Path]] = {}
    rows: ClassVar[dict[str, Rows]] = {}
    # The JSON type of one object: rows of time windows are lists like ["09:00", "10:00"].
    element: ClassVar[type] = dict
    # Keys CleverTap's own examples misspell, at their paths, with the key the form reads instead:
    # the payload core's parse reads them as that key and says so (`payloads.parse_body`).
    misspelt: ClassVar[dict[Path, str]] = {}

    def __init__(self, *args, options=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.formsets = {
            name: _formset_class(spec)(
                self.data if self.is_bound else None,
                prefix=self.add_prefix(name),
                form_kwargs={"options": options},
            )
            for name, spec in self.rows.items()
        }

    # Building JSON from what was posted.

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
        if self.element is list:
            return [
                "" if (value := self.json_value(name)) is MISSING else value
                for name in sorted(self.paths, key=lambda n: self.paths[n])
            ]
        result: dict = {}
        for name, path in self.paths.items():
            value = self.json_value(name)
            if value is not MISSING:
                set_path(result, path, value)
        for name, formset in self.formsets.items():
            container = formset.to_json()
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
                _parse_rows(get_path(obj, spec.path), spec, prefix=f"{prefix}-{name}", base=base)
            )
        return parsed

    # Errors at their JSON paths.

    def path_errors(self, base: Path = ()) -> list[PayloadError]:
        self.is_valid()
        errors = []
        for name, messages in self.errors.items():
            if name in self.paths:
                path, html_name = base + self.paths[name], self.add_prefix(name)
            else:
                path, html_name = base, None
            code = getattr(self.fields.get(name), "api_code", None)
            errors += [PayloadError(path, m, code=code, field=html_name) for m in messages]
        for name, formset in self.formsets.items():
            errors += formset.path_errors(base + self.rows[name].path)
        return errors

    def full_clean(self):
        super().full_clean()
        for formset in self.formsets.values():
            formset.full_clean()

    def add_row_error(self, rows_name: str, message: str) -> None:
        self.formsets[rows_name].extra_errors.append(message)


def fieldsets(form: PayloadForm, groups: dict[str, list[str]]) -> None:
    """Lay the form out in titled groups (every field must be in one)."""
    form.helper.layout = Layout(*(Fieldset(title, *names) for title, names in groups.items()))


def _parse_rows(container: Any, spec: Rows, *, prefix: str, base: Path) -> ParsedJson:
    parsed = ParsedJson()
    expected = dict if spec.keyed_by else list
    if not isinstance(container, expected) or not container or len(container) > spec.max_rows:
        return parsed
    items = container.items() if spec.keyed_by else enumerate(container)
    rows = ParsedJson()
    for index, (key, element) in enumerate(items):
        row_prefix = f"{prefix}-{index}"
        row = spec.form.parse_json(element, prefix=row_prefix, base=base + spec.path + (key,))
        if not row.claimed:
            # A row the form cannot show would vanish on the way back: keep the whole part aside.
            return parsed
        if spec.keyed_by:
            row.data[f"{row_prefix}-{spec.keyed_by}"] = key
        rows.update(row)
    parsed.update(rows)
    parsed.data |= {
        f"{prefix}-TOTAL_FORMS": str(len(container)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": str(spec.max_rows),
    }
    return parsed


class PayloadFormSet(forms.BaseFormSet):
    spec: ClassVar[Rows]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_errors: list[str] = []

    @cached_property
    def kept_forms(self) -> list[PayloadForm]:
        """The rows that go into the body: not marked for deletion, not left empty."""
        return [
            form
            for form in self.forms
            if not (self.can_delete and form["DELETE"].data) and not form.is_empty()
        ]

    def to_json(self) -> list | dict:
        if self.spec.keyed_by:
            key_field = self.spec.keyed_by
            return {str(form.raw(key_field) or ""): form.to_json() for form in self.kept_forms}
        return [form.to_json() for form in self.kept_forms]

    @cached_property
    def management_form(self):
        # Rows are counted from the posted total alone: missing or tampered management data means
        # "no rows", never a crash, and every row is an optional "extra" row.
        total = self._bound_total() if self.is_bound else self.total_form_count()
        values = {"TOTAL_FORMS": total, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0}
        values["MAX_NUM_FORMS"] = self.spec.max_rows
        form = forms.formsets.ManagementForm(
            {f"{self.prefix}-{key}": str(value) for key, value in values.items()},
            auto_id=self.auto_id,
            prefix=self.prefix,
        )
        form.full_clean()
        return form

    def _bound_total(self) -> int:
        try:
            total = int(self.data.get(f"{self.prefix}-TOTAL_FORMS", 0))
        except (TypeError, ValueError):
            return 0
        return max(0, min(total, self.spec.max_rows))

    def path_errors(self, base: Path) -> list[PayloadError]:
        errors = [PayloadError(base, message) for message in self.non_form_errors()]
        errors += [PayloadError(base, message) for message in self.extra_errors]
        for index, form in enumerate(self.kept_forms):
            key = str(form.raw(self.spec.keyed_by) or "") if self.spec.keyed_by else index
            errors += form.path_errors(base + (key,))
        return errors


@functools.cache
def _formset_class(spec: Rows) -> type[PayloadFormSet]:
    """One class per repeated part, made once: formset_factory builds a new class per call."""
    formset = forms.formset_factory(
        spec.form,
        formset=PayloadFormSet,
        extra=0,
        can_delete=True,
        max_num=spec.max_rows,
        absolute_max=spec.max_rows,
    )
    formset.spec = spec
    return formset
