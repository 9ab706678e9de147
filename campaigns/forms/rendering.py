"""How a payload form is drawn on the composer page: its layout (crispy's layout objects, kept as
the forms' description of their groups) walked here, each field written out in Python (`_field`),
the HTML slots of the layout rendered in the page's own context.

Crispy's walk rendered a template per layout object, flattened the page's context for every
field, drew each widget through `crispy_field` tags and nested includes, and compiled every HTML
slot again on each render: with about 130 fields that was most of the composer page's time; a
light template per field still cost a third of it. The markup is crispy-bootstrap5's, as before:
the same classes on the widgets, the same ids.
"""

import functools

from crispy_forms.layout import HTML, Div, Fieldset, Layout
from crispy_forms.templatetags.crispy_forms_filters import optgroups
from django import forms
from django.template import Context, Template
from django.template.defaultfilters import unordered_list
from django.template.loader import get_template
from django.templatetags.l10n import unlocalize
from django.utils.html import conditional_escape as esc
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from campaigns.forms.widget_html import attrs_html

FIELD_COMMENTS = "campaigns/_comments.html#field-comments"
REQUIRED = mark_safe('<span class="asteriskField">*</span>')
NON_FIELD_ERRORS = '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>'


@functools.cache
def _compiled(html: str) -> Template:
    """An HTML slot of a layout (a counter, a button), compiled once per process."""
    return Template(html)


def _template(name: str) -> Template:
    # The engine's own template, from its cached loader (which a template edit resets while
    # developing), rendered in the page's context.
    return get_template(name).template


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
    """crispy-bootstrap5's field markup (bootstrap5/field.html, the parts a payload form uses),
    with the field's JSON path small beside its label, a hint for those who know the API; the
    label itself stays in words. The reviewers' comments on the field follow it (a counted field
    has them after its counter: forms.layout.COUNTER_SLOT)."""
    form = field.form
    html = [_widget(field) if field.is_hidden else _visible_field(field, context)]
    if field.name not in getattr(form, "counted", ()):
        html.append(_comments(field.html_name, context))
    return "\n".join(html)


def _visible_field(field: forms.BoundField, context: Context) -> str:
    # f-strings with every value escaped: format_html cost as much as the rest of a field.
    widget = field.field.widget
    checkbox = isinstance(widget, forms.CheckboxInput)
    classes = field.css_classes()
    label = esc(field.label) if field.label else ""
    api_path = getattr(field, "api_path", "")
    hint = f'<code class="api-path">{esc(api_path)}</code>' if api_path else ""
    required = field.field.required
    asterisk = REQUIRED if required else ""
    fieldset = field.use_fieldset and bool(label) and not checkbox
    kind = "form-check" if checkbox else "mb-3"
    html = [
        f'<div id="div_{esc(field.auto_id)}" class="{kind}{f" {esc(classes)}" if classes else ""}">'
    ]
    if label and not checkbox:
        if fieldset:
            described = getattr(field, "aria_describedby", "")
            html.append(f"<fieldset{_attr('aria-describedby', described)}>")
        tag = "legend" if field.use_fieldset else "label"
        target = f'for="{esc(field.id_for_label)}" ' if field.id_for_label else ""
        css = "form-label" + (" requiredField" if required else "")
        css += " fs-6" if field.use_fieldset else ""
        html.append(f'<{tag} {target}class="{css}">\n{label}{asterisk}\n</{tag}>')
        html.append(hint)
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        html.append(_choices(field))
        html.append(_help_text(field))
    else:
        html.append(_widget(field))
        if checkbox:
            css = f"form-check-label{' requiredField' if required else ''}"
            target = esc(field.id_for_label)
            html.append(f'<label for="{target}" class="{css}">\n{label}{asterisk}\n</label>')
            html.append(hint)
        html.append(_errors(field))
        html.append(_help_text(field))
    if fieldset:
        html.append("</fieldset>")
    html.append("</div>")
    if checkbox:
        html = ['<div class="mb-3">', *html, "</div>"]
    return "\n".join(part for part in html if part)


def _choices(field: forms.BoundField) -> str:
    """A list of radio buttons or checkboxes: crispy-bootstrap5's radio_checkbox_select.html,
    the field's errors under its last box."""
    groups = list(optgroups(field))
    invalid = " is-invalid" if field.errors else ""
    html = ["<div>"]
    for number, (group, options, _index) in enumerate(groups, start=1):
        if group:
            html.append(format_html("<strong>{}</strong>", group))
        for count, option in enumerate(options, start=1):
            html.append('<div class="form-check">')
            html.append(
                format_html(
                    '<input type="{}" class="form-check-input{}" name="{}" value="{}"{}>',
                    option["type"],
                    invalid,
                    field.html_name,
                    unlocalize(option["value"]),
                    mark_safe(attrs_html(option["attrs"])),
                )
            )
            html.append(
                format_html(
                    '<label for="{}" class="form-check-label">\n{}\n</label>',
                    option["attrs"].get("id", ""),
                    unlocalize(option["label"]),
                )
            )
            if count == len(options) and number == len(groups):
                html.append(_errors(field, tag="p"))
            html.append("</div>")
    html.append("</div>")
    return "\n".join(part for part in html if part)


def _errors(field: forms.BoundField, *, tag: str = "span") -> str:
    if not field.errors:
        return ""
    spans = format_html_join(
        "\n",
        '<{} id="error_{}_{}"><strong>{}</strong></{}>',
        (
            (tag, number, field.auto_id, error, tag)
            for number, error in enumerate(field.errors, start=1)
        ),
    )
    return format_html(
        '<div id="{}_error" class="invalid-feedback">\n{}\n</div>', field.errors.field_id, spans
    )


def _help_text(field: forms.BoundField) -> str:
    if not field.help_text:
        return ""
    # Help texts are ours, written as HTML (crispy marks them safe too).
    shown = mark_safe(str(field.help_text))
    if field.auto_id:
        return format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, shown)
    return format_html('<div class="form-text">{}</div>', shown)


def _comments(html_name: str, context: Context) -> str:
    """The open comments on the field, drawn by the comments' partial; nothing to draw, most of
    the time, without it."""
    comments = context.get("composer_comments")
    if not hasattr(comments, "at_field") or not comments.at_field(html_name):
        return ""
    with context.push(html_name=html_name):
        return _template(FIELD_COMMENTS).render(context)


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
