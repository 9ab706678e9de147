"""`{% payload_fields form %}`: a payload form's fields in its layout (forms.rendering)."""

from django import template

from campaigns.forms import rendering

register = template.Library()


@register.simple_tag(takes_context=True)
def payload_fields(context, form):
    return rendering.render_form(form, context)
