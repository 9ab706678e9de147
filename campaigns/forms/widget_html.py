"""The payload forms' inputs drawn in Python: Django's own widget templates (input, textarea,
select and its options), written out as the same HTML, to the templates' final newlines. The
composer page draws about 130 inputs and several long lists of options; each went through two or
three template includes, which were most of the page's time. Any other widget template is
rendered by Django as before."""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

WIDGETS = "django/forms/widgets/"
# Django's templates that are only `{% include "django/forms/widgets/input.html" %}`.
_INPUTS = {
    f"{WIDGETS}{kind}.html"
    for kind in [
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    ]
}
_INPUT = f"{WIDGETS}input.html"
_PLAIN = Context(autoescape=True)


def _text(value) -> str:
    """`{{ value }}`: localized and escaped."""
    return render_value_in_context(value, _PLAIN)


def _string(value) -> str:
    """`{{ value|stringformat:'s' }}`: as a string, escaped unless already safe."""
    return conditional_escape(value if isinstance(value, SafeString) else str(value))


def attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: True as a bare name, False left out."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{_string(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class PayloadWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        html = None if widget is None or request is not None else _html(template_name, widget)
        if html is None:
            return super().render(template_name, context, request)
        # As Django's renderer returns a widget's template: stripped.
        return mark_safe(html.strip())


def _html(template_name: str, widget: dict) -> str | None:
    """The template's output, final newlines kept (as an include keeps them); None for a
    template not written out here."""
    if template_name in _INPUTS:
        value = widget["value"]
        shown = "" if value is None else f' value="{_string(value)}"'
        # input.html's final newline, and the including template's (text.html and the like).
        end = "\n" if template_name == _INPUT else "\n\n"
        return (
            f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
            f"{shown}{attrs_html(widget['attrs'])}>{end}"
        )
    if template_name == f"{WIDGETS}textarea.html":
        value = _text(widget["value"]) if widget["value"] else ""
        start = f'<textarea name="{_text(widget["name"])}"{attrs_html(widget["attrs"])}>'
        return f"{start}\n{value}</textarea>\n"
    if template_name == f"{WIDGETS}select.html":
        return _select(widget)
    if template_name == f"{WIDGETS}select_option.html":
        return (
            f'<option value="{_string(widget["value"])}"{attrs_html(widget["attrs"])}>'
            f"{_text(widget['label'])}</option>\n"
        )
    return None


def _select(widget: dict) -> str:
    html = [f'<select name="{_text(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            html.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            shown = _html(option["template_name"], option)
            if shown is None:
                shown = RENDERER.get_template(option["template_name"]).render({"widget": option})
            html.append(f"\n  {shown}")
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>\n")
    return "".join(html)


RENDERER = PayloadWidgetRenderer()
