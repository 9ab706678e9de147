"""Form fields that know the JSON value they stand for.

Each field converts both ways, leniently, without validating:

- `json_to_data(value)`: the JSON value as the browser would post it (a string, or a list of
  strings for multi-valued widgets), or `None` when this field cannot show that value exactly
  (wrong type, an empty list...). Such values are kept aside unchanged, so nothing is lost.
- `data_to_json(raw)`: what was posted as the JSON value to send, or `MISSING` for "leave the key
  out". A value that does not parse (`"abc"` in a number field) is kept as the string typed, so an
  invalid draft keeps what the person typed; the field's normal validation reports it.
"""

import copy
import json
import math
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from campaigns import jsonfile
from campaigns.jsonpath import same_json

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

# Who the reader's messages (`jsonfile`) name, at a value's field.
VALUE_NAME = "The value"
TEXT_NOT_SHOWN = (
    "{label} has a line break (or a carriage return, \\r) that its input cannot show, so the "
    "value is kept as it was in Additional fields: edit it there, or type it again here."
)
# The empty choice of a select. A key left out of the body is CleverTap's to decide: the choice
# says what CleverTap then does, where its reference says. A choice the body needs says "Choose".
CLEVERTAP_DEFAULT = "CleverTap's default"
CHOOSE = "Choose…"


def clevertap_default(what: str = "") -> str:
    """The empty choice of a key CleverTap defaults, with what it does then ("off")."""
    return f"{CLEVERTAP_DEFAULT} ({what})" if what else CLEVERTAP_DEFAULT


_INT = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def text_posted(raw: Any) -> str:
    # Browsers post textarea line breaks as CRLF.
    return "" if raw is None else str(raw).replace("\r\n", "\n")


def _shallow_copy(obj: Any) -> Any:
    copied = object.__new__(type(obj))
    copied.__dict__ = obj.__dict__.copy()
    return copied


class JsonField:
    """Mixin for the conversions; subclasses combine it with a Django form field."""

    # Write the key even when the input is empty (e.g. `"text": ""`, `"replacements": []`).
    always = False
    # What a value must be, for the message about a value of the wrong type.
    expected = "a valid value"

    def __init__(self, *args, api_code: int | None = None, type_message: str = "", **kwargs):
        # The CleverTap error code and message of the rule, where the API documents them.
        self.api_code = api_code
        self.type_message = type_message
        super().__init__(*args, **kwargs)

    def __deepcopy__(self, memo):
        return _plain_copy(self, memo)

    def wrong_type_message(self, label: str, value: Any) -> str:
        if self.type_message:
            return self.type_message
        shown = json.dumps(value, ensure_ascii=False)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return f"{label} must be {self.expected}, not {shown}."

    def shows(self, value: Any) -> bool:
        """Whether the field's input can hold `value` and give it back exactly."""
        data = self.json_to_data(value)
        return data is not None and same_json(self.data_to_json(data), value)

    def json_to_data(self, value: Any) -> str | list[str] | None:
        raise NotImplementedError

    def data_to_json(self, raw: Any) -> Any:
        raise NotImplementedError


def copy_field(field: forms.Field, memo: dict) -> forms.Field:
    """A form instance's copy of a field, as Django's own copy makes it (the widget with its attrs
    and choices, the messages, the validators and the choices copied: nothing else changes per
    form instance) without the copy module's generic protocol. Every form instance copies its
    fields, and the composer makes about 140 forms per page and a dozen per keystroke. A field
    or widget that copies more of itself (a MultiWidget its widgets) is copied its own way."""
    if type(field).__deepcopy__ not in _PLAIN_FIELD_COPIES:
        return copy.deepcopy(field, memo)
    return _plain_copy(field, memo)


def _plain_copy(field: forms.Field, memo: dict) -> forms.Field:
    result = _shallow_copy(field)
    memo[id(field)] = result
    widget = field.widget
    if type(widget).__deepcopy__ in _PLAIN_WIDGET_COPIES:
        result.widget = _shallow_copy(widget)
        result.widget.attrs = widget.attrs.copy()
        if isinstance(widget, forms.widgets.ChoiceWidget):
            # Stored normalized (the `choices` setter would normalize them again).
            result.widget._choices = copy.copy(widget._choices)
    else:
        result.widget = copy.deepcopy(widget, memo)
    result.error_messages = field.error_messages.copy()
    result.validators = field.validators[:]
    if isinstance(field, forms.ChoiceField):
        result._choices = copy.copy(field._choices)
    return result


_PLAIN_FIELD_COPIES = (
    forms.Field.__deepcopy__,
    forms.ChoiceField.__deepcopy__,
    JsonField.__deepcopy__,
)
_PLAIN_WIDGET_COPIES = (forms.Widget.__deepcopy__, forms.widgets.ChoiceWidget.__deepcopy__)


class FieldCopies(dict):
    """A form class's fields (`base_fields`), which each instance copies with `copy_field`."""

    def __deepcopy__(self, memo):
        return {name: copy_field(field, memo) for name, field in self.items()}


class FieldsCopiedMetaclass(forms.forms.DeclarativeFieldsMetaclass):
    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        new_class.base_fields = FieldCopies(new_class.base_fields)
        return new_class


class QuickCopyForm(forms.Form, metaclass=FieldsCopiedMetaclass):
    """A Django form whose instances copy their fields faster (`copy_field`)."""


class TextField(JsonField, forms.CharField):
    expected = "text"

    def __init__(self, *, always: bool = False, textarea: bool = False, **kwargs):
        self.always = always
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("max_length", 100_000)
        if textarea:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)

    def json_to_data(self, value):
        if not isinstance(value, str) or "\r" in value or (value == "" and not self.always):
            return None
        if "\n" in value and not isinstance(self.widget, forms.Textarea):
            # A one-line input drops line breaks.
            return None
        return value

    def data_to_json(self, raw):
        text = text_posted(raw)
        if text == "" and not self.always:
            return MISSING
        return text

    def wrong_type_message(self, label: str, value: Any) -> str:
        # Text is of the right type: only what its input cannot hold keeps it aside.
        if isinstance(value, str) and not self.type_message:
            return TEXT_NOT_SHOWN.format(label=label)
        return super().wrong_type_message(label, value)


class IntegerField(JsonField, forms.IntegerField):
    expected = "a whole number"

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def json_to_data(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        return str(value)

    def data_to_json(self, raw):
        text = text_posted(raw).strip()
        if text == "":
            return MISSING
        return int(text) if _INT.fullmatch(text) else text_posted(raw)


class NumberField(JsonField, forms.FloatField):
    """A number that keeps its JSON form: `32` stays an integer, `32.5` a decimal."""

    expected = "a number"

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def json_to_data(self, value):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return repr(value)

    def data_to_json(self, raw):
        text = text_posted(raw).strip()
        if text == "":
            return MISSING
        if _INT.fullmatch(text):
            return int(text)
        number = float(text) if _NUMBER.fullmatch(text) else math.inf
        # JSON has no infinity: 1e999 stays the text typed, and validation says it is too large.
        return number if math.isfinite(number) else text_posted(raw)


class StringOrIntegerField(JsonField, forms.CharField):
    """Collapse keys accept a string or a number; digits are sent as a number."""

    expected = "text or a whole number"

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def json_to_data(self, value):
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return str(value)
        if isinstance(value, str) and value and not _INT.fullmatch(value) and "\r" not in value:
            return value
        return None

    def data_to_json(self, raw):
        text = text_posted(raw)
        if text == "":
            return MISSING
        return int(text) if _INT.fullmatch(text) else text


class BooleanField(JsonField, forms.ChoiceField):
    """Three states, so that an absent key and `false` stay different."""

    expected = "true or false"

    def __init__(self, *, default: str = "", **kwargs):
        # `default`: what CleverTap does without the key, as its reference says ("no").
        kwargs.setdefault("required", False)
        kwargs["choices"] = [("", clevertap_default(default)), ("true", "Yes"), ("false", "No")]
        super().__init__(**kwargs)

    def json_to_data(self, value):
        if isinstance(value, bool):
            return "true" if value else "false"
        return None

    def data_to_json(self, raw):
        text = text_posted(raw)
        if text == "":
            return MISSING
        return {"true": True, "false": False}.get(text, text)

    def clean(self, value):
        value = super().clean(value)
        return {"true": True, "false": False}.get(value)


class ChoiceSelect(forms.Select):
    """A select that still shows a value outside its choices (an imported or stale one)."""

    # How such a value reads, with {value}.
    unlisted = "{value} (unknown)"

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        known = {str(choice) for choice, _ in self.choices}
        for unknown in value:
            if unknown not in known and unknown != "":
                label = self.unlisted.format(value=unknown)
                groups.append((None, [self.create_option(name, unknown, label, True, 0)], 0))
        return groups


class ChoiceField(JsonField, forms.ChoiceField):
    expected = "one of the listed values"

    widget = ChoiceSelect

    def __init__(self, *, choices, blank_label: str = CLEVERTAP_DEFAULT, **kwargs):
        kwargs.setdefault("required", False)
        choices = list(choices)
        if not any(value == "" for value, _ in choices):
            choices = [("", blank_label), *choices]
        super().__init__(choices=choices, **kwargs)

    def json_to_data(self, value):
        return value if isinstance(value, str) and value != "" else None

    def data_to_json(self, raw):
        text = text_posted(raw)
        return MISSING if text == "" else text


class LinesField(JsonField, forms.CharField):
    """A list of strings, one per line."""

    expected = "a list of non-empty texts"

    def __init__(self, *, always: bool = False, **kwargs):
        self.always = always
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        kwargs.setdefault("help_text", "One per line.")
        super().__init__(**kwargs)

    def json_to_data(self, value):
        if not isinstance(value, list) or (not value and not self.always):
            return None
        if not all(isinstance(item, str) and item.strip() == item and item for item in value):
            return None
        if any("\n" in item or "\r" in item for item in value):
            return None
        return "\n".join(value)

    def data_to_json(self, raw):
        lines = [line.strip() for line in text_posted(raw).split("\n")]
        items = [line for line in lines if line]
        if not items and not self.always:
            return MISSING
        return items

    def to_python(self, value):
        return self.data_to_json(value) if value not in self.empty_values else []


class IntegerListField(JsonField, forms.CharField):
    """A list of integers typed as `1, 3, 16`."""

    expected = "a list of whole numbers"

    def __init__(self, *, min_value: int | None = None, max_value: int | None = None, **kwargs):
        self.min_value, self.max_value = min_value, max_value
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def json_to_data(self, value):
        if not isinstance(value, list) or not value:
            return None
        if not all(isinstance(item, int) and not isinstance(item, bool) for item in value):
            return None
        return ", ".join(str(item) for item in value)

    def data_to_json(self, raw):
        parts = [part.strip() for part in re.split(r"[,\s]+", text_posted(raw)) if part.strip()]
        if not parts:
            return MISSING
        return [int(part) if _INT.fullmatch(part) else part for part in parts]

    def clean(self, value):
        items = self.data_to_json(value)
        if items is MISSING:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        bad = [str(item) for item in items if not isinstance(item, int)]
        if bad:
            raise ValidationError(f"Not whole numbers: {', '.join(bad)}.", code="invalid")
        out_of_range = [
            str(item)
            for item in items
            if (self.min_value is not None and item < self.min_value)
            or (self.max_value is not None and item > self.max_value)
        ]
        if out_of_range:
            raise ValidationError(
                f"Each number must be between {self.min_value} and {self.max_value}; "
                f"not {', '.join(out_of_range)}.",
                code="out_of_range",
            )
        return items


class WeekdaysField(JsonField, forms.MultipleChoiceField):
    """Weekdays as CleverTap numbers them: 1 = Sunday ... 7 = Saturday."""

    expected = "a list of weekday numbers 1-7 in increasing order"

    WEEKDAYS = [
        ("1", "Sun"),
        ("2", "Mon"),
        ("3", "Tue"),
        ("4", "Wed"),
        ("5", "Thu"),
        ("6", "Fri"),
        ("7", "Sat"),
    ]

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(choices=self.WEEKDAYS, **kwargs)

    def json_to_data(self, value):
        if not isinstance(value, list) or not value:
            return None
        if not all(isinstance(day, int) and not isinstance(day, bool) for day in value):
            return None
        if value != sorted(set(value)) or not all(1 <= day <= 7 for day in value):
            return None
        return [str(day) for day in value]

    def data_to_json(self, raw):
        days = raw if isinstance(raw, list) else ([raw] if raw else [])
        if not days:
            return MISSING
        return [int(day) if _INT.fullmatch(str(day)) else day for day in days]

    def clean(self, value):
        return [int(day) for day in super().clean(value)]


class ChecklistSelect(forms.CheckboxSelectMultiple):
    """Checkboxes in the value's order: the ticked ones first, as the body lists them (an unknown
    or repeated one too, so that nothing is lost), then the others. Browsers post ticked boxes in
    page order, so the list comes back as it was."""

    unlisted = "{value} (unknown)"

    def optgroups(self, name, value, attrs=None):
        labels = {str(choice): label for choice, label in self.choices}
        order = [*value, *(choice for choice in labels if choice not in value)]
        return [
            (
                None,
                [
                    self.create_option(
                        name,
                        choice,
                        labels.get(choice, self.unlisted.format(value=choice)),
                        index < len(value),
                        index,
                        attrs=attrs,
                    )
                ],
                index,
            )
            for index, choice in enumerate(order)
        ]


class ChecklistField(JsonField, forms.MultipleChoiceField):
    """A list of texts ticked from known choices, in the order ticked; the form says which values
    are not known or are repeated (they stay ticked until untick)."""

    expected = "a list of texts"

    widget = ChecklistSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def json_to_data(self, value):
        if not isinstance(value, list) or not value:
            return None
        return value if all(isinstance(item, str) and item for item in value) else None

    def data_to_json(self, raw):
        items = raw if isinstance(raw, list) else ([raw] if raw else [])
        return list(items) or MISSING

    def valid_value(self, value):
        return True


class KeyValueField(JsonField, forms.CharField):
    """An object of string values, typed as `key = value` lines."""

    expected = "an object whose values are texts"

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        kwargs.setdefault("help_text", "One `key = value` per line.")
        super().__init__(**kwargs)

    def json_to_data(self, value):
        if not isinstance(value, dict) or not value:
            return None
        lines = []
        for key, item in value.items():
            if not isinstance(item, str) or " = " in key or key != key.strip() or not key:
                return None
            if item != item.strip() or "\n" in key + item or "\r" in key + item:
                return None
            lines.append(f"{key} = {item}" if item else f"{key} =")
        return "\n".join(lines)

    def data_to_json(self, raw):
        result: dict[str, str] = {}
        for line in text_posted(raw).split("\n"):
            if not line.strip():
                continue
            key, separator, value = line.partition(" =")
            if not separator:
                key, separator, value = line.partition("=")
            result[key.strip()] = value.strip()
        return result or MISSING

    def clean(self, value):
        pairs = self.data_to_json(value)
        if pairs is MISSING:
            return None
        if "" in pairs:
            raise ValidationError("Every line needs a key before the `=`.", code="invalid")
        return pairs


class JsonValueField(JsonField, forms.CharField):
    """A value whose type varies (a filter's value): text as typed, or any other JSON as JSON.

    `Platinum` is the text "Platinum"; `3456`, `true` and `[10, 20]` are JSON. Text that would read
    as JSON (digits kept as text, the word true) or that a one-line input cannot hold is shown as
    a JSON string, quotes included, so every value comes back exactly as it was. JSON the reader
    refuses for its depth is kept as the text typed, and reported at the field.
    """

    expected = "a value"

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("max_length", 100_000)
        super().__init__(**kwargs)

    @staticmethod
    def _loads(text: str) -> Any:
        return jsonfile.load_json_text(text, name=VALUE_NAME)

    def json_to_data(self, value):
        if isinstance(value, str) and value.strip() and "\n" not in value and "\r" not in value:
            try:
                self._loads(value)
            except jsonfile.JsonFileError:
                return value
        return json.dumps(value, ensure_ascii=False)

    def data_to_json(self, raw):
        text = text_posted(raw)
        if text.strip() == "":
            return MISSING
        try:
            return self._loads(text)
        except jsonfile.JsonFileError:
            return text

    def validate(self, value):
        super().validate(value)
        try:
            self._loads(value)
        except jsonfile.NotJson:
            pass  # plain text, a value like any other
        except jsonfile.JsonFileError as error:
            raise ValidationError(str(error)) from None
