"""The library pages' own forms: the lists' filters, saving from a draft, editing an item's
name, description and labels, and importing a library file."""

from typing import Any

from django import forms

from campaigns import jsonfile
from campaigns.library import parts, services
from campaigns.models import Channel

RELATIVE_HELP = (
    "The event's dates become the N days up to the day a draft is built from it (sent as "
    "CleverTap's YYYYMMDD), so the audience never goes stale. Leave empty to keep the dates as "
    "they are."
)
IMPORT_EMPTY = "Choose a library file (JSON) exported from Campaign Studio."
FILE_NAME = "The file"
LABEL_MAX = 100
LABEL_COMMA = "“{label}” has a comma: put each label on its own line."
LABEL_TOO_LONG = "The label “{label}…” is longer than 100 characters."


def _styled(form: forms.Form, small: bool = False) -> None:
    size = " form-select-sm" if small else ""
    text = " form-control-sm" if small else ""
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select" + size)
        elif isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        else:
            widget.attrs.setdefault("class", "form-control" + text)


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    channel = forms.ChoiceField(
        label="Channel", required=False, choices=[("", "All channels"), *Channel.choices]
    )
    label = forms.ChoiceField(label="Label", required=False)
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    sort = forms.ChoiceField(
        label="Sort",
        required=False,
        choices=[("name", "By name"), ("last_used", "Last used first")],
    )
    archived = forms.BooleanField(label="Archived", required=False)

    def __init__(self, *args, owners, labels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Anyone"), *owners]
        self.fields["label"].choices = [("", "Any label"), *((label, label) for label in labels)]
        _styled(self, small=True)

    def filters(self) -> dict[str, Any]:
        """The valid filters; an invalid one is left out rather than failing the list."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "q": (cleaned.get("q") or "").strip(),
            "channel": cleaned.get("channel") or "",
            "label": cleaned.get("label") or "",
            "owner_id": cleaned.get("owner"),
            "order": cleaned.get("sort") or "name",
            "archived": bool(cleaned.get("archived")),
        }


class ItemForm(forms.Form):
    """An item's name, description and labels (and an audience's relative dates)."""

    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    labels = forms.CharField(
        label="Labels",
        required=False,
        max_length=900,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One label per line, as a campaign's labels.",
    )
    relative_days = forms.IntegerField(
        label="Dates: the last … days",
        required=False,
        min_value=0,
        max_value=parts.RELATIVE_DAYS_MAX,
        help_text=RELATIVE_HELP,
    )

    def __init__(self, *args, audience: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not audience:
            del self.fields["relative_days"]
        self.fields["name"].error_messages["required"] = services.NAME_REQUIRED
        _styled(self)

    def clean_labels(self) -> list[str]:
        """One label per line; a comma cannot be in one (the library keeps labels comma-separated
        to find them by label)."""
        labels: list[str] = []
        for line in self.cleaned_data.get("labels", "").splitlines():
            label = line.strip()
            if "," in label:
                raise forms.ValidationError(LABEL_COMMA.format(label=label))
            if len(label) > LABEL_MAX:
                raise forms.ValidationError(LABEL_TOO_LONG.format(label=label[:20]))
            if label and label not in labels:
                labels.append(label)
        return labels


class LibraryImportForm(forms.Form):
    file = forms.FileField(label="Library file (JSON)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            raise forms.ValidationError(IMPORT_EMPTY)
        try:
            jsonfile.size_check(upload.size, name=FILE_NAME)
            # Leniently, as the campaign import does: a file kept in version control may have
            # been edited by hand, and what does not read is said with its place in words.
            data["document"] = jsonfile.read_json_bytes(
                upload.read(), name=FILE_NAME, storable=True, lenient=True
            ).document
        except jsonfile.JsonFileError as error:
            raise forms.ValidationError(str(error)) from None
        return data
