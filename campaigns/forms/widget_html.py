"""The payload forms' inputs drawn in Python: Django's own widget templates (input, textarea,
select and its options), written out as the same HTML. The composer page draws about 130 inputs
and several long lists of options; each went through two or three template includes, which were
most of the page's time. Any other widget template is rendered by Django as before."""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape, format_html
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
_PLAIN = Context(autoescape=True)


def _text(value) -> str:
    """`{{ value }}`: localized and escaped."""
    return render_value_in_context(value, _PLAIN)


def _string(value) -> str:
    """`{{ value|stringformat:'s' }}`: as a string, escaped unless already safe."""
    return conditional_escape(value if isinstance(value, SafeString) else str(value))


def _attrs(attrs: dict) -> str:
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
        if widget is None or request is not None:
            return super().render(template_name, context, request)
        if template_name in _INPUTS:
            value = widget["value"]
            shown = "" if value is None else f' value="{_string(value)}"'
            return mark_safe(
                f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
                f"{shown}{_attrs(widget['attrs'])}>"
            )
        if template_name == f"{WIDGETS}textarea.html":
            value = _text(widget["value"]) if widget["value"] else ""
            return format_html(
                '<textarea name="{}"{}>\n{}</textarea>',
                widget["name"],
                mark_safe(_attrs(widget["attrs"])),
                mark_safe(value),
            )
        if template_name == f"{WIDGETS}select.html":
            return self._select(widget)
        if template_name == f"{WIDGETS}select_option.html":
            return mark_safe(
                f'<option value="{_string(widget["value"])}"{_attrs(widget["attrs"])}>'
                f"{_text(widget['label'])}</option>"
            )
        return super().render(template_name, context, request)

    def _select(self, widget: dict) -> SafeString:
        html = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{_text(group_name)}">')
            for option in options:
                html.append("\n  " + self.render(option["template_name"], {"widget": option}))
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))


RENDERER = PayloadWidgetRenderer()
