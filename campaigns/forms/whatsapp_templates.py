"""WhatsApp templates as the composer presents them: the provider, template and language picked
from the account's lists, the chosen template's words shown with one labelled input per
placeholder, and those words filled in with the values for the device preview.

The inputs of one part's placeholders all post the same name; `PlaceholderValues` reads them back
as the lines of the replacement list the field always stood for, so the body is the same whether
the values were typed in the inputs or as lines.
"""

import re
from dataclasses import dataclass

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from campaigns.forms import pickers
from campaigns.forms.options import WhatsAppTemplateOption

PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")

PLACEHOLDERS_HELP = "This template has {count} {part} placeholder{plural}: give a value for each."
NO_PLACEHOLDERS_HELP = "This template has no {part} placeholders: leave this empty."
MISSING_VALUE = "no value yet"
VALUE_FOR = "Value for {{{{{number}}}}}"
EXTRA_VALUE = "Extra value {number} (the template has no place for it)"
TEMPLATE_WORDS = "The template's {part}"
TEMPLATE_BUTTON_WORDS = "The template's button {number}"
NO_TEMPLATES = pickers.NONE_LISTED.format(what="WhatsApp templates", page="WhatsApp templates")
NO_LANGUAGES = pickers.NONE_LISTED.format(
    what="languages of this template", page="WhatsApp templates"
)


class PlaceholderValues(forms.Textarea):
    """A replacement list: one line per value in a text area, or, once the template is known,
    one labelled input per placeholder (`count`) under the template's words (`words`)."""

    count: int | None = None
    words: str = ""
    caption: str = ""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        values = getlist(name) if getlist else data.get(name)
        if isinstance(values, list):
            return "\n".join(values) if values else None
        return values

    def render(self, name, value, attrs=None, renderer=None):
        if self.count is None:
            return super().render(name, value, attrs, renderer)
        attrs = self.build_attrs(self.attrs, attrs)
        first_id = attrs.pop("id", f"id_{name}")
        for unused in ("rows", "cols"):
            attrs.pop(unused, None)
        values = [line.strip() for line in (value or "").replace("\r\n", "\n").split("\n")]
        values = [line for line in values if line]
        rows = []
        for index in range(max(self.count, len(values))):
            number = index + 1
            label = VALUE_FOR if number <= self.count else EXTRA_VALUE
            input_id = first_id if index == 0 else f"{first_id}-{number}"
            shown = values[index] if index < len(values) else ""
            rows.append(
                format_html(
                    '<div class="placeholder-input"><label class="form-label small mb-0" '
                    'for="{}">{}</label><input type="text" name="{}" id="{}" value="{}"{}></div>',
                    input_id,
                    label.format(number=number),
                    name,
                    input_id,
                    shown,
                    flatatt(attrs),
                )
            )
        words = ""
        if self.words:
            words = format_html(
                '<div class="template-words"><div class="small text-body-secondary">{}</div>{}'
                "</div>",
                self.caption,
                marked(self.words),
            )
        inputs = format_html_join("", "{}", ((row,) for row in rows))
        return format_html('{}<div class="placeholder-inputs">{}</div>', words, inputs)


def marked(words: str):
    """The template's words, its placeholders marked."""
    parts = PLACEHOLDER.split(words)
    html = []
    for index, part in enumerate(parts):
        if index % 2:
            html.append(format_html('<span class="placeholder-name">{{{{{}}}}}</span>', part))
        else:
            html.append(mark_safe(escape(part).replace("\n", "<br>")))
    return format_html_join("", "{}", ((piece,) for piece in html))


def placeholders_help(count: int, part: str) -> str:
    if not count:
        return NO_PLACEHOLDERS_HELP.format(part=part)
    return PLACEHOLDERS_HELP.format(count=count, part=part, plural="" if count == 1 else "s")


def present(form, option: WhatsAppTemplateOption | None) -> None:
    """Pick the provider, template and language from the account's lists, and lay the chosen
    template's placeholder values out as one input each under its words."""
    options = form.options
    if options is None:
        return
    pickers.offer_provider(form, "provider_nick_name", "whatsapp", label="WhatsApp")
    templates = options.whatsapp_templates
    pickers.offer(
        form,
        "template_name",
        pickers.same(t.name for t in templates),
        what="a template",
        note=NO_TEMPLATES,
    )
    name = form.json_value("template_name")
    versions = [t for t in templates if t.name == name] or list(templates)
    pickers.offer(
        form,
        form.locale_field,
        pickers.same(t.locale for t in versions),
        what="a language",
        note=NO_LANGUAGES,
    )
    if option is None:
        return
    _hide_unused_header(form, option.header_type)
    for part, count, words in (
        ("header", option.header_placeholders, option.header_text),
        ("body", option.body_placeholders, option.body_text),
    ):
        _lay_out(form, f"{part}_replacements", count, words, TEMPLATE_WORDS.format(part=part), part)
    # Every row shown, an empty one too (it is the next button once filled in).
    buttons = form.formsets["buttons"]
    shown = [row for row in buttons.forms if not (buttons.can_delete and row["DELETE"].data)]
    for index, button in enumerate(shown):
        words = option.button_texts[index] if index < len(option.button_texts) else ""
        counts = option.button_placeholders
        count = counts[index] if index < len(counts) else 0
        caption = TEMPLATE_BUTTON_WORDS.format(number=index + 1)
        _lay_out(button, "replacements", count, words, caption)


# The header inputs each kind of template header leaves unused, hidden while they are empty: a
# template without a header shows none, a text header no link or place.
_MEDIA = ("header_media_url",)
_PLACE = ("header_latitude", "header_longitude", "header_location_name", "header_location_address")
UNUSED_HEADER_INPUTS = {
    "": ("header_type", "header_replacements", *_MEDIA, *_PLACE),
    "text": (*_MEDIA, *_PLACE),
    "image": ("header_replacements", *_PLACE),
    "video": ("header_replacements", *_PLACE),
    "document": ("header_replacements", *_PLACE),
    "location": ("header_replacements",),
}


def _hide_unused_header(form, header_type: str) -> None:
    for name in UNUSED_HEADER_INPUTS.get(header_type, ()):
        if name in form.fields and not form.raw(name):
            form.fields[name].widget = forms.HiddenInput()


def _lay_out(form, name: str, count: int, words: str, caption: str, part="button") -> None:
    pickers.help_text(form, name, placeholders_help(count, part))
    widget = form.fields[name].widget
    if isinstance(widget, PlaceholderValues):
        widget.count, widget.words, widget.caption = count, words, caption


# The preview: the template's words with the values in their places.


@dataclass(frozen=True)
class Piece:
    text: str
    # The placeholder's number, for a value (or a missing one); None for the template's words.
    number: int | None = None
    missing: bool = False

    @property
    def note(self) -> str:
        """What a screen reader hears after a missing value's placeholder."""
        return MISSING_VALUE if self.missing else ""


def filled(words: str, values: list[tuple[int, str]]) -> list[Piece]:
    """`words` with each {{n}} replaced by its value, or left as {{n}} and marked missing."""
    by_number = dict(values)
    pieces = []
    for index, part in enumerate(PLACEHOLDER.split(words)):
        if index % 2 == 0:
            if part:
                pieces.append(Piece(part))
            continue
        number = int(part)
        value = by_number.get(number, "")
        pieces.append(Piece(value or f"{{{{{number}}}}}", number, missing=not value))
    return pieces


def fill(bubble, option: WhatsAppTemplateOption, header_values: list[tuple[int, str]]) -> None:
    """The preview's bubble (`whatsapp.Bubble`) with the template's words filled in."""
    if option.header_text:
        bubble.header_pieces = filled(option.header_text, header_values)
    if option.body_text:
        bubble.body_pieces = filled(option.body_text, bubble.body_values)
    if any(option.button_texts):
        bubble.button_pieces = [
            filled(option.button_texts[index], values) if index < len(option.button_texts) else []
            for index, values in enumerate(bubble.buttons)
        ]
