import json
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

from campaigns import jsonfile
from campaigns.forms.fields import QuickCopyForm
from campaigns.forms.widget_html import RENDERER
from campaigns.jsonpath import Path, format_path, parse_path

# Who the reader's messages (`jsonfile`) name.
EXTRAS_NAME = "The text in Additional fields"
EXTRAS_NOT_OBJECT = 'Additional fields must be a JSON object of "path": value pairs.'
EXTRAS_BAD_PATH = "“{path}” is not a JSON path (write it like content.platform_specific.ios.key)."


class AdditionalFieldsForm(QuickCopyForm):
    """Keys of the body that no form models, as `{"json.path": value}`, sent unchanged."""

    FIELD = "additional-extras"
    # Drawn in Python as the payload forms' inputs (the same HTML).
    default_renderer = RENDERER

    extras = forms.CharField(
        label="Additional fields (JSON)",
        required=False,
        strip=False,
        max_length=1_000_000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace", "spellcheck": "false"}),
        help_text='Keys the forms do not model, as {"path": value}. They are sent unchanged.',
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "additional")
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    @staticmethod
    def dump(extras: dict[Path, Any]) -> str:
        if not extras:
            return ""
        shown = {format_path(path): value for path, value in extras.items()}
        return json.dumps(shown, indent=2, ensure_ascii=False)

    @staticmethod
    def load(text: str) -> dict[Path, Any]:
        if not text.strip():
            return {}
        try:
            shown = jsonfile.load_json_text(text, name=EXTRAS_NAME)
        except jsonfile.JsonFileError as error:
            raise ValidationError(str(error)) from None
        if not isinstance(shown, dict):
            raise ValidationError(EXTRAS_NOT_OBJECT)
        extras = {}
        for key, value in shown.items():
            path = parse_path(key)
            if not path:
                raise ValidationError(EXTRAS_BAD_PATH.format(path=key))
            extras[path] = value
        return extras

    def clean_extras(self) -> dict[Path, Any]:
        return self.load(self.cleaned_data["extras"])
