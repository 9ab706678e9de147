"""The calendar's GET form: which month or week, and the filters (channel, label, status,
owner). A bad value is left out rather than failing the page, and shown as typed with its error."""

import datetime
from typing import Any

from django import forms

from campaigns.calendar_reads import STATUS_CHOICES, CalendarFilters
from campaigns.models import Channel

VIEW_MONTH, VIEW_WEEK = "month", "week"
# The calendar's days: a year typed wrong (0202, 9999) is named rather than overflowing a range.
FIRST_DAY, LAST_DAY = datetime.date(1970, 1, 1), datetime.date(2999, 12, 31)
OUT_OF_RANGE = "Choose a day from 1970 to 2999 (is the year typed right?)."


class CalendarForm(forms.Form):
    view = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[(VIEW_MONTH, "Month"), (VIEW_WEEK, "Week")],
    )
    date = forms.DateField(
        label="Around the day",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Type a day as YYYY-MM-DD, say 2026-03-17."},
    )
    channel = forms.ChoiceField(
        label="Channel", required=False, choices=[("", "All channels"), *Channel.choices]
    )
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES)
    label = forms.CharField(label="Label", required=False, max_length=200)
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, owners: list[tuple[int, str]], today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        # The month and day shown are filled in, so that the form says what the page shows.
        self.data = self.data.copy()
        self.data.setdefault("view", VIEW_MONTH)
        self.data.setdefault("date", today.isoformat())
        self.fields["owner"].choices = [("", "Anyone"), *owners]
        for bound in self:
            select = isinstance(bound.field.widget, forms.Select)
            css = "form-select form-select-sm" if select else "form-control form-control-sm"
            bound.field.widget.attrs.setdefault("class", css)

    def clean_date(self) -> datetime.date | None:
        day = self.cleaned_data.get("date")
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(OUT_OF_RANGE)
        return day

    def asked(self, *, today: datetime.date) -> dict[str, Any]:
        """The view, the day and the filters asked for; an invalid one is left out."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "view": cleaned.get("view") or VIEW_MONTH,
            "day": cleaned.get("date") or today,
            "filters": CalendarFilters(
                channel=cleaned.get("channel") or "",
                status=cleaned.get("status") or "",
                label=(cleaned.get("label") or "").strip(),
                owner_id=cleaned.get("owner"),
            ),
        }
