"""Dates and times picked with the browser's own inputs, sent in CleverTap's formats.

The inputs post ISO text (2026-03-01, 2026-03-01T09:30, 09:30); the body holds CleverTap's
(20260301, "20260301 09:30", 202603010930 for an absolute time to live). A post in CleverTap's own
format (a page from before the pickers, a script, a test) is read as well, so both reach the same
body. A body's value is shown in an input only when the input gives it back exactly (see fields).
"""

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from campaigns.forms.fields import MISSING, JsonField, text_posted

# Picked (ISO) and CleverTap's own ways of writing a date, and a date and time.
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_ISO_DATE_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::00(?:\.0+)?)?")
_CLEVERTAP_DATE_TIME = re.compile(r"(\d{4})(\d{2})(\d{2}) (\d{2}):(\d{2})")
_NUMBER_DATE_TIME = re.compile(r"(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})")


class PickedField(JsonField, forms.CharField):
    """A date or a time picked with the browser's own input: empty is None, else `parse(text)`."""

    input_widget: type[forms.Widget]
    input_type: str
    # What a text that does not parse is told, with {text}.
    invalid: str

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", self.input_widget(attrs={"type": self.input_type}))
        super().__init__(**kwargs)

    def parse(self, text: str) -> Any:
        """The value of a non-empty input; ValueError when it is not one."""
        raise NotImplementedError

    def clean(self, value):
        text = text_posted(value).strip()
        if text == "":
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        try:
            return self.parse(text)
        except ValueError:
            raise ValidationError(self.invalid.format(text=text), code="invalid") from None


class JsonDateField(PickedField):
    """A date sent as the integer YYYYMMDD (or the string, with `as_string`), picked as a date."""

    expected = "a date written YYYYMMDD"
    input_widget = forms.DateInput
    input_type = "date"
    invalid = "“{text}” is not a date: pick one, or write it like 2026-03-01."

    def __init__(self, *, as_string: bool = False, **kwargs):
        self.as_string = as_string
        super().__init__(**kwargs)

    def json_to_data(self, value):
        if self.as_string:
            text = value if isinstance(value, str) else None
        else:
            ok = isinstance(value, int) and not isinstance(value, bool)
            text = str(value) if ok else None
        if text is None or not _COMPACT_DATE.fullmatch(text):
            return None
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"

    def data_to_json(self, raw):
        text = text_posted(raw).strip()
        if text == "":
            return MISSING
        match = _ISO_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
        if not match:
            return text_posted(raw)
        compact = "".join(match.groups())
        return compact if self.as_string else int(compact)

    def parse(self, text):
        match = _ISO_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
        if not match:
            raise ValueError(text)
        return datetime.date(*(int(part) for part in match.groups()))


class JsonDateTimeField(PickedField):
    """A date and time sent as "YYYYMMDD HH:MM" (or, with `as_number`, the integer yyyyMMddHHmm
    of an absolute time to live), picked with the browser's date-and-time input."""

    input_widget = forms.DateTimeInput
    input_type = "datetime-local"
    invalid = "“{text}” is not a date and time: pick one, or write it like 2026-03-01 09:30."

    def __init__(self, *, as_number: bool = False, **kwargs):
        self.as_number = as_number
        self.expected = (
            "a date and time written as the number yyyyMMddHHmm"
            if as_number
            else 'a date and time written "YYYYMMDD HH:MM"'
        )
        super().__init__(**kwargs)

    def json_to_data(self, value):
        if self.as_number:
            # Only a real date and time: any other number stays with the minutes' input.
            if isinstance(value, bool) or not isinstance(value, int):
                return None
            match = _NUMBER_DATE_TIME.fullmatch(str(value))
            if not match or self._moment(match) is None:
                return None
        else:
            match = _CLEVERTAP_DATE_TIME.fullmatch(value) if isinstance(value, str) else None
            if not match:
                return None
        year, month, day, hour, minute = match.groups()
        return f"{year}-{month}-{day}T{hour}:{minute}"

    def data_to_json(self, raw):
        text = text_posted(raw).strip()
        if text == "":
            return MISSING
        match = self._read(text)
        if not match:
            return text_posted(raw)
        year, month, day, hour, minute = match.groups()
        if self.as_number:
            return int(f"{year}{month}{day}{hour}{minute}")
        return f"{year}{month}{day} {hour}:{minute}"

    def parse(self, text):
        match = self._read(text)
        moment = self._moment(match) if match else None
        if moment is None:
            raise ValueError(text)
        return moment

    @staticmethod
    def _read(text: str) -> re.Match | None:
        """The parts of a date and time as picked, or in either of CleverTap's formats."""
        patterns = (_ISO_DATE_TIME, _CLEVERTAP_DATE_TIME, _NUMBER_DATE_TIME)
        return next((match for p in patterns if (match := p.fullmatch(text))), None)

    @staticmethod
    def _moment(match: re.Match) -> datetime.datetime | None:
        try:
            return datetime.datetime(*(int(part) for part in match.groups()))
        except ValueError:
            return None


class JsonTimeField(PickedField):
    """A time of day "HH:MM"."""

    expected = 'a time written "HH:MM"'
    input_widget = forms.TimeInput
    input_type = "time"
    invalid = "“{text}” is not a time of day (HH:MM)."

    def json_to_data(self, value):
        if isinstance(value, str) and re.fullmatch(r"\d{2}:\d{2}", value):
            return value
        return None

    def data_to_json(self, raw):
        text = text_posted(raw).strip()
        return MISSING if text == "" else text

    def parse(self, text):
        match = re.fullmatch(r"(\d{2}):(\d{2})", text)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValueError(text)
        return text
