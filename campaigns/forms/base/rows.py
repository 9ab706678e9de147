"""The rows of a repeated part of a payload form: parsed from a body, bound as a formset whose
rows are payload forms, built back into a list or a keyed object."""

import functools
from functools import cached_property
from typing import Any, ClassVar

from django import forms

from campaigns.forms.base.parts import ParsedJson, PayloadError, Rows
from campaigns.forms.fields import FieldsCopiedMetaclass
from campaigns.forms.widget_html import RENDERER
from campaigns.jsonpath import Path, format_path


def parse_rows(container: Any, spec: Rows, *, prefix: str, base: Path) -> ParsedJson:
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


class RowCounts(forms.formsets.ManagementForm, metaclass=FieldsCopiedMetaclass):
    """Django's management form, its fields copied as the payload forms' (`copy_field`): every
    repeated part of a bound section makes one."""


class PayloadFormSet(forms.BaseFormSet):
    """The rows of a repeated part; each row is a PayloadForm (`form.py`, which imports this
    module), its `owner` the PayloadForm whose part it is."""

    spec: ClassVar[Rows]

    def __init__(self, *args, owner: forms.Form, **kwargs):
        super().__init__(*args, **kwargs)
        # The form whose repeated part this is.
        self.owner = owner
        self.extra_errors: list[str] = []

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "rows_of": self}

    @property
    def path(self) -> Path:
        return self.owner.base + self.spec.path

    @property
    def api_path(self) -> str:
        return format_path(self.path)

    def row_path(self, form: forms.Form) -> Path:
        """Where the row goes in the body: its key, or its place among the rows sent (where it
        will go, for a row left empty)."""
        if self.spec.keyed_by:
            return self.path + (str(form.raw(self.spec.keyed_by) or ""),)
        before = self.forms[: self.forms.index(form)]
        return self.path + (sum(row in self.kept_forms for row in before),)

    @cached_property
    def kept_forms(self) -> list[forms.Form]:
        """The rows that go into the body: not marked for deletion, not left empty."""
        return [
            form
            for form in self.forms
            if not (self.can_delete and form["DELETE"].data) and not form.is_empty()
        ]

    def to_json(self) -> list | dict:
        return self._json

    @cached_property
    def _json(self) -> list | dict:
        # Once per binding, like the rows' own (`PayloadForm.to_json`).
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
        form = RowCounts(
            {f"{self.prefix}-{key}": str(value) for key, value in values.items()},
            auto_id=self.auto_id,
            prefix=self.prefix,
            renderer=self.renderer,
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
        for key, form in self._keyed_rows():
            errors += form.path_errors(base + (key,))
        return errors

    def path_warnings(self, base: Path) -> list[PayloadError]:
        return [
            warning
            for key, form in self._keyed_rows()
            for warning in form.path_warnings(base + (key,))
        ]

    def _keyed_rows(self) -> list[tuple[str | int, forms.Form]]:
        """Each kept row with its place in the body: its key, or its index."""
        return [
            (str(form.raw(self.spec.keyed_by) or "") if self.spec.keyed_by else index, form)
            for index, form in enumerate(self.kept_forms)
        ]


@functools.cache
def formset_class(spec: Rows) -> type[PayloadFormSet]:
    """One class per repeated part, made once: formset_factory builds a new class per call."""
    formset = forms.formset_factory(
        spec.form,
        formset=PayloadFormSet,
        extra=0,
        can_delete=True,
        max_num=spec.max_rows,
        absolute_max=spec.max_rows,
        # The management form's hidden inputs drawn as the rows' inputs are (widget_html).
        renderer=RENDERER,
    )
    formset.spec = spec
    return formset
