"""How a payload form is drawn on the composer page: its layout (crispy's layout objects, kept as
the forms' description of their groups) walked here, each field drawn by one light template,
campaigns/_field.html, rendered in the page's own context.

Crispy's walk rendered a template per layout object, flattened the page's context for every
field, drew each widget through `crispy_field` tags and nested includes, and compiled every HTML
slot again on each render: with about 130 fields that was most of the composer page's time. The
markup is crispy-bootstrap5's, as before: the same classes on the widgets, the same ids.
"""

import functools

from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.template import Context, Template
from django.template.defaultfilters import unordered_list
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

FIELD_TEMPLATE = "campaigns/_field.html"
NON_FIELD_ERRORS = '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>'


@functools.cache
def _compiled(html: str) -> Template:
    """An HTML slot of a layout (a counter, a button), compiled once per process."""
    return Template(html)


@functools.cache
def _field_template() -> Template:
    # The engine's own template (the cached loader's), rendered in the page's context.
    return get_template(FIELD_TEMPLATE).template


def render_form(form: forms.Form, context: Context) -> SafeString:
    """The form's non-field errors and its fields in the order of its layout."""
    with context.push(form=form):
        html = [_non_field_errors(form)]
        html += [_render(item, form, context) for item in form.helper.layout.fields]
    return mark_safe("".join(html))


def _non_field_errors(form: forms.Form) -> str:
    errors = form.non_field_errors()
    if not errors:
        return ""
    items = unordered_list(errors, autoescape=True)
    return format_html(NON_FIELD_ERRORS, items)


def _render(item, form: forms.Form, context: Context) -> str:
    if isinstance(item, str):
        return _field(form[item], context)
    if isinstance(item, HTML):
        return _compiled(str(item.html)).render(context)
    inner = "".join(_render(part, form, context) for part in item.fields)
    if isinstance(item, Fieldset):
        legend = _compiled(str(item.legend)).render(context) if item.legend else ""
        return format_html(
            "<fieldset{}{}{}>{}{}</fieldset>",
            _attr("id", item.css_id),
            _attr("class", item.css_class),
            item.flat_attrs,
            format_html("<legend>{}</legend>", mark_safe(legend)) if legend else "",
            mark_safe(inner),
        )
    if isinstance(item, Div):
        return format_html(
            "<div{}{}{}>{}</div>",
            _attr("id", item.css_id),
            _attr("class", item.css_class),
            item.flat_attrs,
            mark_safe(inner),
        )
    if isinstance(item, Layout):
        return inner
    raise TypeError(f"A payload form's layout cannot hold {type(item).__name__}")


def _attr(name: str, value: str | None) -> str:
    return format_html(' {}="{}"', name, value) if value else ""


def _field(field: forms.BoundField, context: Context) -> str:
    widget = field.field.widget
    choices = isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
    checkbox = isinstance(widget, forms.CheckboxInput)
    shown = {"widget_html": None if choices else _widget(field), "checkbox": checkbox}
    # crispy's template for the lists of choices reads whether errors are shown.
    with context.push(field=field, form_show_errors=True, **shown):
        return _field_template().render(context)


def _widget(field: forms.BoundField) -> str:
    """The field's input with bootstrap's classes, as crispy's `crispy_field` gave it (the
    widget's class name first, then the bootstrap class, "is-invalid" when it has errors)."""
    widget = field.field.widget
    if field.is_hidden:
        return str(field)
    if isinstance(widget, forms.CheckboxInput):
        wanted = "form-check-input"
    elif isinstance(widget, forms.Select):
        wanted = "form-select"
    else:
        wanted = "form-control"
    if field.errors:
        wanted += " is-invalid"
    for part in getattr(widget, "widgets", [getattr(widget, "widget", widget)]):
        kind = type(part).__name__.lower()
        css = part.attrs.get("class", "")
        css = (css if kind in css else f"{css} {kind}") if css else kind
        css += "".join(f" {name}" for name in wanted.split() if name not in css.split())
        part.attrs["class"] = css
    return str(field)
